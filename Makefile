# ctrdb: the front door. Every target is listed here.
#
#   make run      build, ingest SampleData/ into a fresh sample.db, and print what it found
#   make test     build and run every test (what CI runs)
#   make build    debug build
#   make release  optimised build (.build/release/ctrdb)
#   make install  copy the release binary to $(PREFIX)/bin
#   make deps     install the system libraries (libsqlite3-dev, zlib1g-dev) when missing
#   make clean    remove build products and the sample database

PREFIX ?= /usr/local
SWIFT ?= swift
SAMPLE_DB ?= sample.db
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSTEM_PACKAGES := libsqlite3-dev zlib1g-dev

.PHONY: run test build release install deps clean

deps:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
		echo "installing $(SYSTEM_PACKAGES)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) test

run: build
	@rm -f $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm
	.build/debug/ctrdb ingest SampleData --db $(SAMPLE_DB) || [ $$? -eq 2 ]
	@echo "== journeys by outcome of their first leg"
	@.build/debug/ctrdb sql --db $(SAMPLE_DB) --format table "SELECT COUNT(*) AS journeys, SUM(legs > 1) AS multi_leg, SUM(answered) AS answered, SUM(had_callback) AS with_callback, SUM(broken) AS broken FROM journeys"
	@echo "== legs by queue and outcome"
	@.build/debug/ctrdb sql --db $(SAMPLE_DB) --format table "SELECT queue_name AS queue, outcome, COUNT(*) AS legs FROM contacts WHERE enqueue_ts IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"

install: release
	install -d $(PREFIX)/bin
	install .build/release/ctrdb $(PREFIX)/bin/ctrdb

clean:
	rm -rf .build $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm
