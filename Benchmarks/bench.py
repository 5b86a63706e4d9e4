#!/usr/bin/env python3
"""ctrdb's benchmark (`make bench`): ingest speed and memory against DuckDB and zcat.

Generates (once, cached under bench-data/) a 7-day synthetic Firehose export of 100,000
journeys with `ctrdb generate`, then measures, each as the best of 3 runs:
  - `ctrdb ingest` into a new database,
  - DuckDB (from PyPI) creating a table from the same files with read_json_objects and a
    projection of the SPEC section 3 contact fields plus the raw JSON,
  - `zcat > /dev/null` of the same files, the floor,
and prints wall times, the ctrdb/DuckDB ratio, records per second and peak RSS
(`/usr/bin/time -v`). It then ingests twice the data (a 14-day export of 200,000
journeys) to show that memory stays flat, times the nightly case (the busiest day of that
export ingested into a database of the other days, best of 3), and times every canned report
on the database.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CTRDB = os.path.join(ROOT, ".build", "release", "ctrdb")
DATA = os.path.join(ROOT, "bench-data")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))

DUCKDB_SCRIPT = r"""
import duckdb, sys, os
db, pattern = sys.argv[1], sys.argv[2]
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
con.execute(f"CREATE TABLE contacts AS SELECT {', '.join(projection)} FROM read_json_objects('{pattern}', format = 'auto')")
print(con.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])
"""


def run_timed(command, **kwargs):
    """Runs a command under /usr/bin/time -v; returns (seconds, peak RSS in MB, stdout, stderr)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 2):
        sys.exit(f"bench: {' '.join(command)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return seconds, int(rss.group(1)) / 1024 if rss else float("nan"), result.stdout, result.stderr


def ensure_export(name, journeys, days):
    folder = os.path.join(DATA, name)
    stamp = os.path.join(folder, ".complete")
    if not os.path.exists(stamp):
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {name}: {journeys} journeys over {days} days ...", flush=True)
        subprocess.run([CTRDB, "generate", "--out", folder, "--journeys", str(journeys), "--days", str(days), "--seed", "1"], check=True)
        open(stamp, "w").close()
    files = sorted(p for p in glob.glob(os.path.join(folder, "**", "*"), recursive=True) if os.path.isfile(p) and not os.path.basename(p).startswith("."))
    return folder, files


def ensure_duckdb():
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("installing duckdb from PyPI ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "duckdb"], check=True)


def sql_number(db, statement):
    """One number from `ctrdb sql`."""
    out = subprocess.run([CTRDB, "sql", "--db", db, "--format", "csv", statement], capture_output=True, text=True, check=True).stdout
    return int(out.splitlines()[1])


def records(db):
    return sql_number(db, "SELECT SUM(records) FROM ingest_files")


def remove(*paths):
    for p in paths:
        for suffix in ("", "-wal", "-shm", ".wal"):
            if os.path.exists(p + suffix):
                os.remove(p + suffix)


def best(label, make_command, cleanup=None):
    results = []
    for _ in range(RUNS):
        if cleanup:
            cleanup()
        results.append(run_timed(make_command()))
    seconds, rss, out, err = min(results, key=lambda r: r[0])
    print(f"  {label:<8} best of {RUNS}: {seconds:7.2f} s   peak RSS {rss:7.1f} MB", flush=True)
    return seconds, rss, out, err


def main():
    if not os.path.exists(CTRDB):
        sys.exit("bench: build the release binary first (make bench does)")
    ensure_duckdb()
    folder, files = ensure_export("export-7d", 100_000, 7)
    compressed = sum(os.path.getsize(p) for p in files)
    print(f"export: {len(files)} files, {compressed / 1e6:.1f} MB on disk ({folder})")

    db = os.path.join(DATA, "bench.db")
    duck = os.path.join(DATA, "bench.duckdb")
    try:
        measure(folder, files, db, duck)
    finally:
        # Also when a step fails: no database is left behind in bench-data/.
        remove(db, duck, os.path.join(DATA, "nightly-base.db"), os.path.join(DATA, "nightly.db"))


def measure(folder, files, db, duck):
    floor = best("zcat", lambda: ["sh", "-c", "cat \"$@\" | zcat > /dev/null", "zcat"] + files)
    ours = best("ctrdb", lambda: [CTRDB, "ingest", folder, "--db", db, "--quiet"], cleanup=lambda: remove(db))
    duckdb = best("duckdb", lambda: [sys.executable, "-c", DUCKDB_SCRIPT, duck, os.path.join(folder, "**", "*")], cleanup=lambda: remove(duck))

    loaded = records(db)
    raw = sql_number(db, "SELECT SUM(length(raw_json) * deliveries) FROM contact_versions")
    print()
    print(f"records: {loaded}  (about {raw / 1e6:.0f} MB of JSON)")
    print(f"ctrdb ingest: {ours[0]:.2f} s, {loaded / ours[0]:,.0f} records/s, peak RSS {ours[1]:.1f} MB")
    print(f"duckdb:       {duckdb[0]:.2f} s, peak RSS {duckdb[1]:.1f} MB")
    print(f"zcat floor:   {floor[0]:.2f} s")
    print(f"ratio ctrdb/duckdb: {ours[0] / duckdb[0]:.2f}  (target <= 1.0)")

    print()
    print("reports on that database (--interval 1d):")
    for name in subprocess.run([CTRDB, "reports"], capture_output=True, text=True, check=True).stdout.split("\n"):
        name = name.split(" ")[0]
        if not name:
            continue
        start = time.perf_counter()
        subprocess.run([CTRDB, "report", name, "--db", db, "--format", "csv"], check=True, capture_output=True)
        print(f"  {name:<16} {time.perf_counter() - start:6.3f} s")

    if os.environ.get("BENCH_SKIP_DOUBLE") != "1":
        folder2, files2 = ensure_export("export-14d", 200_000, 14)
        remove(db)
        seconds, rss, _, _ = run_timed([CTRDB, "ingest", folder2, "--db", db, "--quiet"])
        print()
        print(f"twice the data ({len(files2)} files): ctrdb ingest {seconds:.2f} s, peak RSS {rss:.1f} MB "
              f"(7-day: {ours[1]:.1f} MB; flat means within a few MB)")
        nightly(folder2)


def nightly(folder):
    """The nightly job: one more day into a database that holds the days before it."""
    days = sorted(d for d in glob.glob(os.path.join(folder, "*", "*", "*")) if os.path.isdir(d))
    def size(day):
        return sum(1 for p in glob.glob(os.path.join(day, "**", "*"), recursive=True) if os.path.isfile(p))
    day = max(days, key=size)
    base = os.path.join(DATA, "nightly-base.db")
    db = os.path.join(DATA, "nightly.db")
    remove(base)
    subprocess.run([CTRDB, "ingest", "--db", base, "--quiet"] + [d for d in days if d != day], check=True)
    if os.path.exists(base + "-wal"):
        sys.exit("bench: the base database was left with a write-ahead log")
    seconds, rss, _, _ = best("nightly", lambda: [CTRDB, "ingest", day, "--db", db, "--quiet"],
                              cleanup=lambda: (remove(db), shutil.copyfile(base, db)))
    print(f"nightly: {os.path.relpath(day, folder)} ({size(day)} files, {records(db) - records(base):,} records) "
          f"into a database of the other {len(days) - 1} days: {seconds:.2f} s, peak RSS {rss:.1f} MB")


if __name__ == "__main__":
    main()
