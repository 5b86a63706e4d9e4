# ctrdb: the front door. Every target is listed here.
#
#   make run      build, then the nightly job on SampleData/: ingest it into a fresh sample.db and write the
#                 pack of 2024-03-05 into sample-pack/ (ctrdb nightly), then print every canned report
#   make test     build and run every test (what CI runs): swift test, then the Parquet interop tests
#                 (Tests/Interop: pyarrow and DuckDB read what `ctrdb lake` wrote; needs python3 -m pytest)
#   make build    debug build
#   make release  optimised build (.build/release/ctrdb)
#   make bench    release build, then SPEC section 7: 3 and 27 days of history (and every day of a longer export:
#                 BENCH_DAYS=91 adds 90), the nightly day, one-day reports and journeys, size, WAL peak, Datasette,
#                 DuckDB interleaved, peak RSS (caches the export under bench-data/; BENCH_DAYS, BENCH_PER_DAY;
#                 see Benchmarks/bench.py)
#   make fuzz     libFuzzer over framing and decoding for FUZZ_SECONDS (default 120) from the
#                 seed corpus in Fuzz/corpus; a crashing input lands in Fuzz/regressions/
#   make install  copy the release binary and Queries/ to $(PREFIX)
#   make deps     install the system packages (libsqlite3-dev, zlib1g-dev, libdeflate-dev, libzstd-dev,
#                 libsnappy-dev, sqlite3, chromium) and the Python packages of the interop tests (pyspark,
#                 pyarrow, duckdb, sqlglot, pytest, datasette) when missing
#   make clean    remove build products, the sample database and its pack

PREFIX ?= /usr/local
SWIFT ?= swift
SAMPLE_DB ?= sample.db
SAMPLE_PACK ?= sample-pack
SAMPLE_DAY ?= 2024-03-05
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := libsqlite3-dev zlib1g-dev libdeflate-dev libzstd-dev libsnappy-dev
# the sqlite3 shell: the README's recipe for the compressed raw JSON is tested with it
SYSTEM_PACKAGES += sqlite3
# the nightly page's tests render it in Debian's headless Chromium
SYSTEM_PACKAGES += chromium
PYTHON ?= python3
PYTHON_PACKAGES := pyspark pyarrow duckdb sqlglot pytest datasette

.PHONY: run test build release bench fuzz install deps clean

deps:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
		echo "installing $(SYSTEM_PACKAGES)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); }
	@$(PYTHON) -c "import pyspark, pyarrow, duckdb, sqlglot, pytest, datasette" 2>/dev/null || { \
		echo "installing $(PYTHON_PACKAGES)"; \
		$(PYTHON) -m pip install --quiet $(PYTHON_PACKAGES); }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) test
	$(SWIFT) build
	$(PYTHON) -m pytest -q Tests/Interop

run: build
	@rm -rf $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm $(SAMPLE_DB).building $(SAMPLE_PACK)
	.build/debug/ctrdb nightly SampleData/export SampleData/seed --db $(SAMPLE_DB) --out $(SAMPLE_PACK) --day $(SAMPLE_DAY)
	@.build/debug/ctrdb sql --db $(SAMPLE_DB) --format table "SELECT COUNT(*) AS journeys, SUM(legs > 1) AS multi_leg, SUM(answered) AS answered, SUM(had_callback) AS with_callback, SUM(broken) AS broken FROM journeys"
	@for report in $$(.build/debug/ctrdb reports | cut -d' ' -f1); do \
		echo; echo "== ctrdb report $$report"; \
		.build/debug/ctrdb report $$report --db $(SAMPLE_DB) --interval total --format table || exit 1; \
	done
	@echo; echo "The page of $(SAMPLE_DAY): $(SAMPLE_PACK)/$(SAMPLE_DAY)/index.html (the days: $(SAMPLE_PACK)/index.html)"

bench: release
	python3 Benchmarks/bench.py

FUZZ_SECONDS ?= 120
FUZZ_SOURCES := $(wildcard Sources/CTRKit/Read/*.swift Sources/CTRKit/Frame/*.swift Sources/CTRKit/Decode/*.swift) Fuzz/FuzzFramingAndDecoding.swift

fuzz: deps
	@mkdir -p .build/fuzz/corpus
	swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name CTRFuzz -I Sources/CZlib $(FUZZ_SOURCES) -o .build/fuzz/ctrdb-fuzz
	cp -n Fuzz/corpus/* Fuzz/regressions/* .build/fuzz/corpus/ 2>/dev/null || true
	.build/fuzz/ctrdb-fuzz .build/fuzz/corpus -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 \
		-artifact_prefix=Fuzz/regressions/ -print_final_stats=1

install: release
	install -d $(PREFIX)/bin $(PREFIX)/share/ctrdb/Queries
	install .build/release/ctrdb $(PREFIX)/bin/ctrdb
	install -m 644 Queries/*.sql $(PREFIX)/share/ctrdb/Queries/

clean:
	rm -rf .build bench-data $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm $(SAMPLE_DB).building $(SAMPLE_PACK)
