#!/usr/bin/env python3
"""ctrdb's benchmark (`make bench`): what SPEC section 7 promises, measured.

Generates (once, cached under bench-data/) a synthetic Firehose export of BENCH_DAYS days
(default 28) at about BENCH_PER_DAY deliveries a day (default 24,000) with `ctrdb generate`,
then measures:
  - history: the 3 days, the 27 days and, for a longer export, all the days just before the
    last one, each loaded into a new database (built aside, without a log) and again into an
    existing empty one (in place, through the log); cost per loaded record; the write-ahead
    log's peak size, sampled every 50 ms during each load and each night; database size
    against the JSON it holds;
  - the nightly run: the last day (and its spill-over folder) ingested into a copy of each,
    written back to disk before it is timed, the databases in turn, BENCH_NIGHTS (default 5)
    times, median and best; each longer load, built aside and in place, is followed by a 3-day
    reference load of the same kind, so that every ratio compares runs made close together on a
    machine whose speed drifts;
  - the five canned reports for that day (`--from D --to D+1`) on each, and the one-day
    `journeys` query (`WHERE first_initiation_ts >= D AND < D+1`), through `ctrdb sql` and alone;
  - Datasette's journeys and contacts pages, and a one-day filter on each, on the 27-day database,
    with Datasette's defaults and with the README's settings (facet suggestions off);
  - DuckDB (from PyPI) loading the first 7 days into a table of SPEC section 3's contact
    columns plus the raw JSON, against `ctrdb ingest` of the same files, interleaved
    (ctrdb, duckdb, ctrdb, ...), best of BENCH_RUNS (default 3) each;
  - peak RSS (`/usr/bin/time -v`) of every ctrdb step.
Prints a summary table in Markdown for the README. Ratios measured in one run are the
figures to trust on a shared machine; absolute times are noisy.
"""
import glob
import gzip
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CTRDB = os.environ.get("CTRDB", os.path.join(ROOT, ".build", "release", "ctrdb"))
DATA = os.path.join(ROOT, "bench-data")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NIGHTS = int(os.environ.get("BENCH_NIGHTS", "5"))
DAYS = int(os.environ.get("BENCH_DAYS", "28"))
PER_DAY = int(os.environ.get("BENCH_PER_DAY", "24000"))
# The generator makes about 1.7 deliveries per journey (legs, then updates and re-deliveries).
JOURNEYS = int(DAYS * PER_DAY / 1.7)
REPORTS = ["abandonment", "callbacks", "quality", "queue-duration", "whisper"]

DUCKDB_SCRIPT = r"""
import duckdb, sys
db, files = sys.argv[1], sys.argv[2:]
con = duckdb.connect(db)
fields = {
    'contact_id': '$.ContactId', 'instance_arn': '$.InstanceARN', 'channel': '$.Channel',
    'initiation_method': '$.InitiationMethod', 'initiation_ts': '$.InitiationTimestamp',
    'connected_to_system_ts': '$.ConnectedToSystemTimestamp', 'disconnect_ts': '$.DisconnectTimestamp',
    'last_update_ts': '$.LastUpdateTimestamp', 'disconnect_reason': '$.DisconnectReason',
    'previous_contact_id': '$.PreviousContactId', 'next_contact_id': '$.NextContactId',
    'initial_contact_id': '$.InitialContactId', 'related_contact_id': '$.RelatedContactId',
    'queue_name': '$.Queue.Name', 'queue_arn': '$.Queue.ARN', 'enqueue_ts': '$.Queue.EnqueueTimestamp',
    'dequeue_ts': '$.Queue.DequeueTimestamp', 'agent_username': '$.Agent.Username', 'agent_arn': '$.Agent.ARN',
    'connected_to_agent_ts': '$.Agent.ConnectedToAgentTimestamp', 'routing_profile': '$.Agent.RoutingProfile.Name',
    'customer_address': '$.CustomerEndpoint.Address', 'system_address': '$.SystemEndpoint.Address',
    'transfer_completed_ts': '$.TransferCompletedTimestamp',
}
integers = {
    'queue_duration_s': '$.Queue.Duration', 'agent_interaction_s': '$.Agent.AgentInteractionDuration',
    'customer_hold_s': '$.Agent.CustomerHoldDuration', 'number_of_holds': '$.Agent.NumberOfHolds',
    'longest_hold_s': '$.Agent.LongestHoldDuration', 'acw_s': '$.Agent.AfterContactWorkDuration',
}
projection = [f"json_extract_string(json, '{path}') AS {name}" for name, path in fields.items()]
projection += [f"TRY_CAST(json_extract(json, '{path}') AS BIGINT) AS {name}" for name, path in integers.items()]
projection.append("json AS raw_json")
listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
con.execute(f"CREATE TABLE contacts AS SELECT {', '.join(projection)} FROM read_json_objects([{listed}], format = 'auto')")
print(con.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])
"""

rss_log = []  # (step, MB) of every ctrdb step


def run_timed(label, command, wal_of=None):
    """Runs a command under /usr/bin/time -v; returns (seconds, peak RSS MB, peak WAL bytes, stdout)."""
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], os.path.getsize(wal_of + "-wal"))
            except OSError:
                pass
            done.wait(0.05)

    sampler = threading.Thread(target=sample) if wal_of else None
    if sampler:
        sampler.start()
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    done.set()
    if sampler:
        sampler.join()
    if result.returncode not in (0, 2):
        sys.exit(f"bench: {' '.join(command[:6])} ... failed ({result.returncode}):\n{result.stderr[-2000:]}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    rss = int(match.group(1)) / 1024 if match else float("nan")
    if command[0] == CTRDB:
        rss_log.append((label, rss))
    return seconds, rss, peak[0], result.stdout


def ensure_export():
    folder = os.path.join(DATA, f"export-{DAYS}d-{PER_DAY}")
    stamp = os.path.join(folder, ".complete")
    if not os.path.exists(stamp):
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {JOURNEYS} journeys over {DAYS} days into {folder} ...", flush=True)
        subprocess.run([CTRDB, "generate", "--out", folder, "--journeys", str(JOURNEYS), "--days", str(DAYS), "--seed", "1", "--quiet"], check=True)
        open(stamp, "w").close()
    days = sorted(d for d in glob.glob(os.path.join(folder, "*", "*", "*")) if os.path.isdir(d))
    return folder, days


def files_of(days):
    return sorted(p for d in days for p in glob.glob(os.path.join(d, "**", "*"), recursive=True) if os.path.isfile(p))


def json_bytes(files):
    total = 0
    for path in files:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                total += len(chunk)
    return total


def sql(db, statement):
    out = subprocess.run([CTRDB, "sql", "--db", db, "--format", "csv", statement], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[1]


def remove(*paths):
    for p in paths:
        for suffix in ("", "-wal", "-shm", ".building", ".building-journal"):
            if os.path.exists(p + suffix):
                os.remove(p + suffix)


def day_of(path):
    y, m, d = path.rstrip("/").split(os.sep)[-3:]
    return f"{y}-{m}-{d}"


def next_day(day):
    import datetime
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()


def history_sizes(days):
    """3 days, 27 days (SPEC section 7's pair), and every day but the nightly one when the export is longer."""
    full = len(days) - 2
    return sorted({3, min(27, full), full})


def history(days):
    """Loads each of history_sizes(days), then the last day into each; returns a figure per database.

    Firehose folders are by arrival hour, so the export has one folder more than its days (late
    updates of the last day arrive after midnight): the nightly run loads the last day's folder
    and that spill-over folder, as a nightly job that runs after midnight would.

    The machine's speed drifts (up to 2x within an hour on this project's shared machine), so
    every ratio compares runs made close together: each longer load is followed by a 3-day
    reference load, against which its cost per record is taken, and the nightly runs go round
    the databases in turn (3, 27, 90, 3, 27, ...), NIGHTS times, median and best."""
    figures = {}
    last = days[-2:]
    day, following = day_of(days[-2]), next_day(day_of(days[-2]))

    empty = os.path.join(DATA, "empty-folder")
    os.makedirs(empty, exist_ok=True)

    def load(n, db, in_place=False):
        """A new database is built aside, without a log (`AsideBuild`); in place, the days go
        into a database that exists (empty), as any later run's do, through the log."""
        remove(db)
        if in_place:
            subprocess.run([CTRDB, "ingest", "--db", db, "--quiet", empty], check=True)
        # The n days just before the nightly one: every history then holds the day before it,
        # whose legs the night updates and links to, and the databases differ only in how
        # much older history they hold.
        history_days = days[len(days) - 2 - n:len(days) - 2]
        label = f"load {n} days" + (" in place" if in_place else "")
        seconds, rss, wal, _ = run_timed(label, [CTRDB, "ingest", "--db", db, "--quiet"] + history_days, wal_of=db)
        return seconds, rss, wal, files_of(history_days)

    reference = os.path.join(DATA, "history-reference.db")
    for n in history_sizes(days):
        db = os.path.join(DATA, f"history-{n}.db")
        seconds, rss, wal, inputs = load(n, db)
        loaded = int(sql(db, "SELECT SUM(records) FROM ingest_files"))
        # The 3-day load again, right after: the per-record ratio against a run made beside it.
        reference_seconds = seconds if n == 3 else load(3, reference)[0]
        # The same days in place: the log's peak during a load, and its cost per record; then the
        # 3-day load in place again, right after, as for the load built aside.
        in_place_seconds, _, in_place_wal, _ = load(n, reference, in_place=True)
        in_place_size = os.path.getsize(reference)
        in_place_reference_seconds = in_place_seconds if n == 3 else load(3, reference, in_place=True)[0]
        remove(reference)
        shutil.copyfile(db, db + ".base")
        figures[n] = dict(seconds=seconds, records=loaded, per_record=seconds / loaded, rss=rss, wal=wal, size=os.path.getsize(db),
                          json=json_bytes(inputs), db=db, reference_seconds=reference_seconds,
                          in_place_per_record=in_place_seconds / loaded, in_place_wal=in_place_wal, in_place_size=in_place_size,
                          in_place_reference_seconds=in_place_reference_seconds)
        print(f"  {n:>3} days: {loaded:,} records in {seconds:.1f} s ({loaded / seconds:,.0f}/s), RSS {rss:.0f} MB, "
              f"db {figures[n]['size'] / 1e6:.0f} MB for {figures[n]['json'] / 1e6:.0f} MB of JSON; "
              f"3-day load beside it {reference_seconds:.1f} s; in place {in_place_seconds:.1f} s (3 days in place beside it "
              f"{in_place_reference_seconds:.1f} s), WAL peak {in_place_wal / 1e6:.0f} MB", flush=True)
    for f in figures.values():
        f["per_record_reference"] = f["reference_seconds"] / figures[3]["records"]
        f["in_place_per_record_reference"] = f["in_place_reference_seconds"] / figures[3]["records"]

    nightly = {n: [] for n in figures}
    nightly_wal = {n: 0 for n in figures}
    for _ in range(NIGHTS):
        for n, f in figures.items():
            db = f["db"]
            remove(db)
            shutil.copyfile(db + ".base", db)
            # The copy leaves the database's pages dirty in the page cache: written back during
            # the timed run, they would slow a large database's night for a reason of the benchmark's.
            os.sync()
            seconds, _, wal, _ = run_timed(f"nightly into {n} days", [CTRDB, "ingest", "--db", db, "--quiet"] + last, wal_of=db)
            nightly[n].append(seconds)
            nightly_wal[n] = max(nightly_wal[n], wal)
    for n, f in figures.items():
        os.remove(f["db"] + ".base")
        f["nightly"] = statistics.median(nightly[n])
        f["nightly_best"] = min(nightly[n])
        f["nightly_runs"] = nightly[n]
        f["nightly_wal"] = nightly_wal[n]
        print(f"  nightly into {n:>3} days: median {f['nightly']:.2f} s, best {f['nightly_best']:.2f} s "
              f"({', '.join(f'{t:.2f}' for t in nightly[n])})", flush=True)
    os.sync()

    for n, f in figures.items():
        db = f["db"]
        reports = []
        for _ in range(RUNS):
            total = 0.0
            for name in REPORTS:
                total += run_timed(f"report {name}", [CTRDB, "report", name, "--db", db, "--from", day, "--to", following, "--format", "csv"])[0]
            reports.append(total)
        query = f"SELECT COUNT(*), SUM(answered), SUM(legs) FROM journeys WHERE first_initiation_ts >= '{day}' AND first_initiation_ts < '{following}'"
        f["reports"] = min(reports)
        f["journeys"] = min(run_timed("journeys one day", [CTRDB, "sql", "--db", db, query])[0] for _ in range(RUNS))
        # The query alone, in process (Python's sqlite3): a ctrdb process costs about 20 ms to start.
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            connection.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
            query_only = []
            for _ in range(5):
                start = time.perf_counter()
                connection.execute(query).fetchall()
                query_only.append(time.perf_counter() - start)
        f["journeys_query"] = min(query_only)
        print(f"  {n:>3} days: reports {f['reports']:.2f} s; journeys {f['journeys']:.3f} s", flush=True)
    return figures


# The README's Datasette command line turns facet suggestions off: they try every column of a
# table page in turn.
README_DATASETTE_SETTINGS = ["--setting", "suggest_facets", "off"]


def datasette_pages(db, day, settings=()):
    """Datasette (from PyPI) on the long-history database: its journeys and contacts pages and a
    one-day filter on each, each within Datasette's own 1 s SQL time limit, with Datasette's
    defaults or the given settings. Returns (page, seconds, ok) per page; ok means HTTP 200 and
    no interrupted query."""
    import socket
    import urllib.request
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "datasette", "serve", db, "--host", "127.0.0.1", "--port", str(port),
                               "--setting", "sql_time_limit_ms", "1000", *settings],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    name = os.path.splitext(os.path.basename(db))[0]
    base = f"http://127.0.0.1:{port}/{name}"
    following = next_day(day)
    pages = [("journeys", "/journeys.json?_size=100"), ("contacts", "/contacts.json?_size=100"),
             ("journeys, one day", f"/journeys.json?first_initiation_ts__gte={day}&first_initiation_ts__lt={following}"),
             ("contacts, one day", f"/contacts.json?disconnect_ts__gte={day}&disconnect_ts__lt={following}")]
    results = []
    try:
        for _ in range(100):  # up to 10 s for the server to start
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        for label, path in pages:
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=30) as response:
                    body = response.read().decode()
                    ok = response.status == 200 and "interrupted" not in body.lower()
            except OSError as error:
                body, ok = str(error), False
            results.append((label, time.perf_counter() - start, ok))
    finally:
        server.terminate()
        server.wait()
    return results


def versus_duckdb(days):
    week = days[:7]
    files = files_of(week)
    db = os.path.join(DATA, "duel.db")
    duck = os.path.join(DATA, "duel.duckdb")
    ours, theirs = [], []
    for _ in range(RUNS):
        remove(db)
        ours.append(run_timed("ingest 7 days (duel)", [CTRDB, "ingest", "--db", db, "--quiet"] + week)[0])
        remove(duck)
        theirs.append(run_timed("duckdb", [sys.executable, "-c", DUCKDB_SCRIPT, duck] + files)[0])
    loaded = int(sql(db, "SELECT SUM(records) FROM ingest_files"))
    remove(db, duck)
    return min(ours), min(theirs), loaded


def main():
    if not os.path.exists(CTRDB):
        sys.exit("bench: build the release binary first (make bench does)")
    try:
        import duckdb  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "duckdb"], check=True)
    os.makedirs(DATA, exist_ok=True)
    folder, days = ensure_export()
    print(f"export: {len(days)} days, {len(files_of(days))} files ({folder})", flush=True)
    figures = history(days)
    try:
        import datasette  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "datasette"], check=True)
    datasette_db, datasette_day = figures[min(27, len(days) - 2)]["db"], day_of(days[-2])
    pages = datasette_pages(datasette_db, datasette_day)
    recipe_pages = datasette_pages(datasette_db, datasette_day, README_DATASETTE_SETTINGS)
    ours, theirs, loaded = versus_duckdb(days)
    for f in figures.values():
        remove(f["db"])
    short = figures[3]
    for n in history_sizes(days)[1:]:
        long = figures[n]

        def ratio(key):
            return long[key] / short[key]

        wal_limit = max(256e6, long["in_place_size"] / 4)
        night_wal_limit = max(256e6, long["size"] / 4)
        rows = [
            ("load rate", f"{short['records'] / short['seconds']:,.0f} records/s", f"{long['records'] / long['seconds']:,.0f} records/s", "", ""),
            ("cost per loaded record (a new database, built aside)", f"{short['per_record'] * 1e6:.0f} us", f"{long['per_record'] * 1e6:.0f} us", f"{ratio('per_record'):.2f}x", "<= 1.3x"),
            ("the same against the 3-day load run beside it", f"{long['per_record_reference'] * 1e6:.0f} us", f"{long['per_record'] * 1e6:.0f} us",
             f"{long['per_record'] / long['per_record_reference']:.2f}x", "<= 1.3x"),
            ("cost per loaded record, in place (into an existing database)", f"{short['in_place_per_record'] * 1e6:.0f} us", f"{long['in_place_per_record'] * 1e6:.0f} us",
             f"{ratio('in_place_per_record'):.2f}x", "<= 1.3x"),
            ("the same against the 3-day load in place run beside it", f"{long['in_place_per_record_reference'] * 1e6:.0f} us",
             f"{long['in_place_per_record'] * 1e6:.0f} us", f"{long['in_place_per_record'] / long['in_place_per_record_reference']:.2f}x", "<= 1.3x"),
            (f"nightly ingest of the last day (median of {NIGHTS}, interleaved)", f"{short['nightly']:.2f} s", f"{long['nightly']:.2f} s", f"{ratio('nightly'):.2f}x", "<= 1.5x"),
            (f"the same, best of {NIGHTS}", f"{short['nightly_best']:.2f} s", f"{long['nightly_best']:.2f} s", f"{ratio('nightly_best'):.2f}x", "<= 1.5x"),
            # Each round's two nights run minutes apart at most: their ratio leaves out most of the
            # machine's drift, which a median of each size's times keeps.
            ("the same, median of each round's ratio", "", "",
             f"{statistics.median(a / b for a, b in zip(long['nightly_runs'], short['nightly_runs'])):.2f}x", "<= 1.5x"),
            ("five one-day reports", f"{short['reports']:.2f} s", f"{long['reports']:.2f} s", f"{ratio('reports'):.2f}x", "<= 1.5x"),
            ("one-day journeys query (ctrdb sql, whole process)", f"{short['journeys']:.3f} s", f"{long['journeys']:.3f} s", f"{ratio('journeys'):.2f}x", "<= 1.5x"),
            ("one-day journeys query (the query alone)", f"{short['journeys_query'] * 1e3:.1f} ms", f"{long['journeys_query'] * 1e3:.1f} ms", f"{ratio('journeys_query'):.2f}x", "<= 1.5x"),
            ("database size", f"{short['size'] / 1e6:,.0f} MB", f"{long['size'] / 1e6:,.0f} MB", "", ""),
            ("database size / JSON", f"{short['size'] / short['json']:.2f}", f"{long['size'] / long['json']:.2f}", "", "<= 1.0"),
            ("WAL peak during the load in place", f"{short['in_place_wal'] / 1e6:.0f} MB", f"{long['in_place_wal'] / 1e6:.0f} MB", "", f"<= {wal_limit / 1e6:.0f} MB"),
            ("WAL peak during the load built aside", f"{short['wal'] / 1e6:.0f} MB", f"{long['wal'] / 1e6:.0f} MB", "", "(no log)"),
            ("WAL peak during the nightly runs", f"{short['nightly_wal'] / 1e6:.0f} MB", f"{long['nightly_wal'] / 1e6:.0f} MB", "", f"<= {night_wal_limit / 1e6:.0f} MB"),
        ]
        print()
        print(f"| figure | 3 days | {n} days | ratio | target |")
        print("|---|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    print()
    print(f"DuckDB, first 7 days ({loaded:,} deliveries), interleaved, best of {RUNS}: ctrdb {ours:.2f} s, duckdb {theirs:.2f} s, "
          f"ratio {ours / theirs:.2f} (target <= 0.7)")
    for settings, results in (("its defaults", pages), ("the README's settings", recipe_pages)):
        print(f"Datasette on the {min(27, len(days) - 2)}-day database (SQL time limit 1 s, {settings}): " +
              "; ".join(f"{label} {seconds:.2f} s {'ok' if ok else 'FAILED'}" for label, seconds, ok in results))
    worst = max(rss_log, key=lambda r: r[1])
    print(f"peak RSS of every ctrdb step: at most {worst[1]:.0f} MB ({worst[0]}; target <= 256 MB)")


if __name__ == "__main__":
    main()
