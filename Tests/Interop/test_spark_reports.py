"""Spark (local mode, one session for the module) runs Queries/spark/ over `ctrdb lake`'s output, and
every report's CSV equals `ctrdb report`'s byte for byte: 1d and 1h intervals in UTC and in
America/New_York across both DST changes of 2024, --day, --queue, --by enqueue and total.

quality's duplicate_deliveries, rejected_records and partial_files count the database's versions,
rejects and ingest files, which the lake's tables do not hold: `ctrdb lake` writes those counts into
_ctrdb_lake.json and report.py reads them, so every report's every cell equals ctrdb's, quality too.
"""
import json
from pathlib import Path
from datetime import datetime
import subprocess
import sys
import time

import pytest

from conftest import BINARY, ROOT, ctrdb, ingest

sys.path.insert(0, str(ROOT / "Queries" / "spark"))
import report  # noqa: E402  (Queries/spark/report.py)

REPORT_PY = ROOT / "Queries" / "spark" / "report.py"
NEW_YORK = "America/New_York"


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession
    session = (SparkSession.builder.master("local[2]").appName("ctrdb interop tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def make_lake(base, start_date, days, journeys, seed):
    export, db, lake = base / "export", base / "ctr.db", base / "lake"
    ctrdb("generate", "--out", export, "--journeys", journeys, "--days", days, "--seed", seed,
          "--start-date", start_date, "--quiet")
    ingest([export], db)
    ctrdb("lake", lake, "--db", db, "--quiet")
    return {"db": db, "dir": lake}


@pytest.fixture(scope="session")
def spring(tmp_path_factory):
    """Three days across the spring change in New York (2024-03-10 is 23 hours there)."""
    return make_lake(tmp_path_factory.mktemp("spring"), "2024-03-09", 3, 1500, 11)


@pytest.fixture(scope="session")
def autumn(tmp_path_factory):
    """The autumn change in New York (2024-11-03 is 25 hours, 01:00 comes twice), busy enough
    that both 01:00 hours have legs."""
    return make_lake(tmp_path_factory.mktemp("autumn"), "2024-11-03", 1, 2000, 12)


def options_of(args):
    """`ctrdb report` flags as report.py's ReportOptions (through its own parser)."""
    return report.parse_arguments(["LAKE", "NAME", *args])[1]


def ctrdb_csv(db, name, args):
    """`ctrdb report NAME --format csv` as the exact bytes it printed."""
    result = subprocess.run([str(BINARY), "report", name, "--db", str(db), "--format", "csv", *args], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def ctrdb_json(db, name, args):
    result = subprocess.run([str(BINARY), "report", name, "--db", str(db), "--format", "json", *args], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def spark_csv(spark, lake, name, args):
    columns, rows = report.run_report(spark, lake["dir"], name, options_of(args))
    return report.csv_text(columns, rows)


CASES = [
    ("1d utc", ["--interval", "1d"]),
    ("1h utc", ["--interval", "1h"]),
    ("1d new york", ["--interval", "1d", "--tz", NEW_YORK]),
    ("1h new york", ["--interval", "1h", "--tz", NEW_YORK]),
    ("day new york", ["--day", "2024-03-10", "--tz", NEW_YORK, "--interval", "1h"]),
    ("queues", ["--queue", "Support", "--queue", "CallbackQueue", "--interval", "1h", "--tz", NEW_YORK]),
    ("by enqueue", ["--by", "enqueue", "--interval", "1h", "--tz", NEW_YORK, "--sl", "30", "--short-abandon", "10",
                    "--from", "2024-03-09T12:00", "--to", "2024-03-11T18:30"]),
]


@pytest.mark.parametrize("case,args", CASES, ids=[c for c, _ in CASES])
@pytest.mark.parametrize("name", report.REPORTS)
def test_spark_csv_equals_ctrdb_byte_for_byte(spark, spring, name, case, args):
    expected = ctrdb_csv(spring["db"], name, args)
    assert expected.count("\r\n") > 1, f"{name} {case}: ctrdb printed no rows to compare"
    assert spark_csv(spark, spring, name, args) == expected


@pytest.mark.parametrize("name", report.REPORTS)
def test_autumn_repeated_hour_and_15_minutes(spark, autumn, name):
    for args in (["--interval", "1h", "--tz", NEW_YORK], ["--interval", "15m", "--tz", NEW_YORK, "--day", "2024-11-03"],
                 ["--interval", "total", "--tz", NEW_YORK, "--queue", "Sales"]):
        assert spark_csv(spark, autumn, name, args) == ctrdb_csv(autumn["db"], name, args), args


def test_dst_days_are_23_and_25_hours_and_the_autumn_hour_is_two_rows(spark, spring, autumn):
    columns, rows = report.run_report(spark, spring["dir"], "abandonment", options_of(["--tz", NEW_YORK]))
    days = sorted({row[0] for row in rows})
    assert days[days.index("2024-03-10T00:00:00-05:00") + 1] == "2024-03-11T00:00:00-04:00"  # 23 hours apart
    columns, rows = report.run_report(spark, spring["dir"], "abandonment", options_of(["--tz", NEW_YORK, "--interval", "1h", "--day", "2024-03-10"]))
    hours = sorted({row[0] for row in rows})
    assert len(hours) >= 18 and not [h for h in hours if h.startswith("2024-03-10T02:")]  # no 02:00 that day
    assert all(h.endswith("-05:00") == (h < "2024-03-10T02") for h in hours), hours
    columns, rows = report.run_report(spark, autumn["dir"], "queue-duration", options_of(["--interval", "1h", "--tz", NEW_YORK]))
    hours = list(dict.fromkeys(row[0] for row in rows))
    first, second = hours.index("2024-11-03T01:00:00-04:00"), hours.index("2024-11-03T01:00:00-05:00")
    assert second == first + 1 and hours[second + 1] == "2024-11-03T02:00:00-05:00"
    assert hours[first - 1] == "2024-11-03T00:00:00-04:00"


@pytest.mark.parametrize("name", report.REPORTS)
def test_spark_json_equals_ctrdb_as_parsed_values(spark, spring, name):
    args = ["--interval", "1d", "--tz", NEW_YORK, "--queue", "CallbackQueue", "--queue", "Sales"]
    columns, rows = report.run_report(spark, spring["dir"], name, options_of(args))
    ours = json.loads(report.json_text(columns, rows))
    theirs = ctrdb_json(spring["db"], name, args)
    assert ours == theirs
    assert [list(row) for row in ours] == [list(row) for row in theirs], "the same keys in the same order"


def test_percentiles_are_nearest_rank_over_the_lake(spark, spring):
    """p50/p90 recomputed in Python from the lake's legs: the value at rank ceil(p/100 x n)."""
    columns, rows = report.run_report(spark, spring["dir"], "queue-duration", options_of(["--interval", "total"]))
    legs = spark.read.parquet(str(spring["dir"] / "legs")).where("queued = 1 AND queue_s IS NOT NULL") \
        .select("queue_name", "queue_s").collect()
    for row in rows:
        values = sorted(leg.queue_s for leg in legs if leg.queue_name == row[1])
        p50, p90 = row[columns.index("p50_queue_s")], row[columns.index("p90_queue_s")]
        assert (p50, p90) == (values[-(-50 * len(values) // 100) - 1], values[-(-90 * len(values) // 100) - 1]), row[1]


def test_a_day_reads_only_its_partitions_and_a_day_either_side(spark, spring):
    report.run_report(spark, spring["dir"], "whisper", options_of(["--day", "2024-03-10", "--tz", NEW_YORK]))
    plan = spark.table("lake_legs")._jdf.queryExecution().executedPlan().toString()
    assert "PartitionFilters: [" in plan and "dt#" in plan.split("PartitionFilters: [")[1].split("]")[0], plan
    days = {row.dt.isoformat() for row in spark.table("lake_legs").select("dt").distinct().collect()}
    # 2024-03-10 in New York is 05:00Z on the 10th to 04:00Z on the 11th: UTC days 10 and 11, plus a day of slack
    assert days == {"2024-03-09", "2024-03-10", "2024-03-11", "2024-03-12"}


def test_csv_writer_rules_are_ctrdbs():
    columns = ["interval_start", "queue", "n", "avg"]
    rows = [["=HYPERLINK(1)", "a,b", 7, 120.0], ["-5", 'say "hi"', None, 21.22], ["+1e5", "@x", -3, 0.1], ["\tx", "-", 0, None]]
    assert report.csv_text(columns, rows) == (
        "interval_start,queue,n,avg\r\n"
        "'=HYPERLINK(1),\"a,b\",7,120.0\r\n"
        "-5,\"say \"\"hi\"\"\",,21.22\r\n"
        "+1e5,'@x,-3,0.1\r\n"
        "'\tx,'-,0,\r\n")
    assert report.json_text(columns, []) == "[]\n"


def test_command_line_prints_ctrdbs_csv_and_refuses_bad_usage(spring):
    args = ["--interval", "1h", "--tz", NEW_YORK, "--day", "2024-03-10"]
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(REPORT_PY), str(spring["dir"]), "callbacks", *args, "--format", "csv"],
                            capture_output=True, timeout=600)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stdout.decode() == ctrdb_csv(spring["db"], "callbacks", args)
    assert time.monotonic() - started < 300
    for bad, code in ((["--tz", "Mars/Olympus"], 64), (["--interval", "2h"], 64), (["--day", "2024-02-30"], 64),
                      (["--day", "2024-03-10", "--from", "2024-03-09"], 64), (["--sl", "-1"], 64),
                      (["--from", "2024-03-10", "--to", "2024-03-09"], 1)):
        result = subprocess.run([sys.executable, str(REPORT_PY), str(spring["dir"]), "whisper", *bad], capture_output=True, timeout=60)
        assert result.returncode == code, (bad, result.stderr.decode())
        assert result.stdout == b"", bad
    result = subprocess.run([sys.executable, str(REPORT_PY), str(spring["dir"]), "nonsense"], capture_output=True, timeout=60)
    assert result.returncode == 64 and b"queue-duration" in result.stderr


@pytest.mark.parametrize("dataset,text", [
    ("spring", "2024-03-10"), ("spring", "2024-03-10T02:30"), ("spring", "2024-03-10T12:00:00Z"),
    ("spring", "2024-03-10T12:00:00.5+01:00"), ("spring", "2024-03-10 07:15:59"), ("spring", "2024-03-10T07:15:59.001"),
    ("autumn", "2024-11-03T01:30"), ("autumn", "2024-11-03T01:30:00.250"), ("autumn", "2024-11-03T01:59:59-05:00"),
])
def test_boundaries_are_read_as_ctrdb_reads_them(request, dataset, text):
    """--from read in New York (a skipped hour, a repeated one, fractions, offsets), as the
    total interval's start shows it: report.py's instant equals ctrdb's."""
    lake = request.getfixturevalue(dataset)
    args = ["--interval", "total", "--tz", NEW_YORK, "--from", text]
    csv = ctrdb_csv(lake["db"], "abandonment", args)
    labels = {line.split(",")[0] for line in csv.split("\r\n")[1:] if line}
    zone, start, _ = report.report_range(options_of(args))
    assert labels == {datetime.fromtimestamp(start, zone).isoformat()}, text


def test_quality_counts_the_whole_database_checks_from_the_manifest(spark, spring):
    """duplicate_deliveries, rejected_records and partial_files are not zero on this export, so the
    equality above would fail if report.py did not read them from _ctrdb_lake.json."""
    columns, rows = report.run_report(spark, spring["dir"], "quality", options_of([]))
    counts = {row[0]: row[1] for row in rows}
    assert counts["duplicate_deliveries"] > 0
    manifest = json.loads((Path(spring["dir"]) / "_ctrdb_lake.json").read_text())
    assert counts["duplicate_deliveries"] == manifest["quality"]["duplicate_deliveries"]["count"]
