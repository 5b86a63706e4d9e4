#!/usr/bin/env python3
"""ctrdb's canned reports on Spark, over the Parquet lake `ctrdb lake DIR` writes (SPEC section 8).

    spark-submit Queries/spark/report.py s3://bucket/ctrdb-lake queue-duration --tz America/New_York --day 2024-03-10
    python3 Queries/spark/report.py ./lake abandonment --interval 1h --format csv      (local mode, pyspark from PyPI)

The options are `ctrdb report`'s (--from --to --day --tz --interval --by --queue --sl
--short-abandon) and the rows equal `ctrdb report NAME` with the same options, cell for cell:
CSV byte for byte (RFC 4180, CRLF, ctrdb's number formatting and spreadsheet-safe quoting),
JSON as parsed values. The SQL is in the .sql files beside this one, one per report, over the
relations `legs` (_legs.sql) and `callback_requests` (_callback_requests.sql); this file reads
the lake, binds the options as named parameters (never pasted into SQL text) and prints rows.

From Python, with a SparkSession of your own:

    from report import ReportOptions, run_report, write_csv
    columns, rows = run_report(spark, "lake", "whisper", ReportOptions(interval="1h", tz="Europe/Paris"))
"""
import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

QUERIES = Path(__file__).resolve().parent
REPORTS = ("abandonment", "callbacks", "quality", "queue-duration", "whisper")
INTERVALS = {"15m": 900, "30m": 1800, "1h": 3600, "1d": None, "1w": None, "total": None}
PLACEMENTS = ("disconnect", "enqueue", "initiation", "answer")
# ctrdb's exit codes (SPEC section 1)
EXIT_FAILURE, EXIT_USAGE = 1, 64

# The lake columns the reports read (SPEC section 8; Sources/CTRKit/Lake/LakeTable.swift). Given
# to the reader rather than inferred, so that an empty table is an empty view and a lake with
# more columns still reads; dt is the partition (the UTC date of disconnect_ts, else initiation_ts).
LEGS_SCHEMA = """contact_id STRING, initiation_method STRING, initiation_ts TIMESTAMP, connected_to_system_ts TIMESTAMP,
    disconnect_ts TIMESTAMP, previous_contact_id STRING, next_contact_id STRING, queue_name STRING,
    enqueue_ts TIMESTAMP, dequeue_ts TIMESTAMP, queue_duration_s BIGINT, connected_to_agent_ts TIMESTAMP,
    chain_id STRING, chain_depth BIGINT, outcome STRING, queued BIGINT, answered BIGINT, callback_leg BIGINT,
    queue_s BIGINT, agent_whisper_s BIGINT, outbound_whisper_s BIGINT, missing_parent BIGINT, missing_next BIGINT,
    in_cycle BIGINT, conflicting_versions BIGINT, dt DATE"""
CALLBACK_REQUESTS_SCHEMA = """contact_id STRING, chain_id STRING, queue_name STRING, initiation_ts TIMESTAMP,
    enqueue_ts TIMESTAMP, dequeue_ts TIMESTAMP, disconnect_ts TIMESTAMP, answered BIGINT, first_agent_ts TIMESTAMP,
    time_to_agent_s BIGINT, attempts BIGINT, dt DATE"""


class UsageError(Exception):
    """Bad options: exit 64, as ctrdb does."""


class ReportFailure(Exception):
    """A well-formed request that cannot run (an empty range): exit 1."""


@dataclass
class ReportOptions:
    """`ctrdb report`'s options (SPEC section 1), with its defaults."""
    from_: str = None
    to: str = None
    day: str = None
    tz: str = "UTC"
    interval: str = "1d"
    by: str = "disconnect"
    queues: list = field(default_factory=list)
    sl: int = 20
    short_abandon: int = 5


# --- --from, --to and --day, read as ctrdb reads them (IntervalBucketer.parseBoundary) ---

_INSTANT = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?")


def _instant(text):
    """ctrdb's Timestamp.parse: (epoch milliseconds) or None; no zone means UTC."""
    match = _INSTANT.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if hour > 23 or minute > 59 or second > 60:
        return None
    try:
        base = datetime(year, month, day, tzinfo=timezone.utc)
    except ValueError:
        return None
    millis = int((match.group(7) or "0")[:3].ljust(3, "0"))
    offset = 0
    zone = match.group(8)
    if zone and zone not in "Zz":
        digits = zone[1:].replace(":", "")
        offset = (1 if zone[0] == "+" else -1) * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    seconds = int(base.timestamp()) + hour * 3600 + minute * 60 + min(second, 59) - offset
    return seconds * 1000 + millis


def parse_boundary(text, zone):
    """Epoch seconds of --from/--to: a date (local midnight), a local date and time
    (YYYY-MM-DDTHH:MM[:SS[.fff]]), or an instant with Z or an offset; a fractional second
    rounds up. None when it is none of these."""
    trimmed = text.strip(" ")
    end = 19
    if len(trimmed) > 19 and trimmed[19] == ".":
        end = 20
        while end < len(trimmed) and trimmed[end].isdigit():
            end += 1
    if len(trimmed) > end:
        millis = _instant(trimmed)
        return None if millis is None else -(-millis // 1000)
    fraction = 0
    if len(trimmed) == 10:
        padded = trimmed + "T00:00:00"
    elif len(trimmed) == 16:
        padded = trimmed + ":00"
    elif len(trimmed) == 19:
        padded = trimmed
    elif len(trimmed) > 19:
        millis = _instant(trimmed)
        if millis is None:
            return None
        fraction = millis % 1000
        padded = trimmed[:19]
    else:
        return None
    naive = _instant(padded + "Z")
    if naive is None:
        return None
    # The digits read as UTC, then the instant whose local time they are (the earlier of a
    # repeated hour; a time in a skipped hour moves forward by the gap).
    wall = datetime.fromtimestamp(naive // 1000, timezone.utc).replace(tzinfo=None)
    local = wall.replace(tzinfo=zone)
    return int(local.timestamp()) + (1 if fraction > 0 else 0)


def civil_day(text, zone, now=None):
    """--day: the day named (YYYY-MM-DD, yesterday or today in the zone) and the next, as dates."""
    if text in ("today", "yesterday"):
        today = (now or datetime.now(timezone.utc)).astimezone(zone).date()
        day = today - timedelta(days=1 if text == "yesterday" else 0)
    else:
        try:
            day = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        except ValueError:
            day = None
        if day is None:
            raise UsageError(f"--day {text} is not a date (YYYY-MM-DD), yesterday or today")
    return day.isoformat(), (day + timedelta(days=1)).isoformat()


def report_range(options):
    """(zone, from, to): the zone and the range in epoch seconds (None when unbounded), checked as ctrdb checks them."""
    try:
        zone = ZoneInfo(options.tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {options.tz}: use an IANA name such as UTC, Europe/Paris or America/New_York")
    if options.interval not in INTERVALS:
        raise UsageError(f"--interval {options.interval}: use 15m, 30m, 1h, 1d, 1w or total")
    if options.by not in PLACEMENTS:
        raise UsageError(f"--by {options.by}: use disconnect, enqueue, initiation or answer")
    for name, value in (("--sl", options.sl), ("--short-abandon", options.short_abandon)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise UsageError("--sl and --short-abandon take a number of seconds, 0 or more")
    start, end = options.from_, options.to
    if options.day is not None:
        if start is not None or end is not None:
            raise UsageError("--day is a whole day: give either --day or --from/--to, not both")
        start, end = civil_day(options.day, zone)
    bounds = []
    for option, text in (("--from", start), ("--to", end)):
        value = None if text is None else parse_boundary(text, zone)
        if text is not None and value is None:
            raise UsageError(f"{option} {text} is not a date (YYYY-MM-DD) or a date and time "
                             "(YYYY-MM-DDTHH:MM[:SS], optionally with Z or ±HH:MM)")
        bounds.append(value)
    if bounds[0] is not None and bounds[1] is not None and bounds[0] >= bounds[1]:
        raise ReportFailure(f"--from {start} is not before --to {end}")
    return zone, bounds[0], bounds[1]


# --- Spark ---

def session(app_name="ctrdb report"):
    """A SparkSession: the cluster's under spark-submit; under python3, pyspark's default,
    local mode on every core."""
    from pyspark.sql import SparkSession
    return SparkSession.builder.appName(app_name).config("spark.ui.showConsoleProgress", "false").getOrCreate()


def _query(name):
    """A .sql file of this folder without its header comment."""
    lines = (QUERIES / f"{name}.sql").read_text().split("\n")
    while lines and (lines[0].startswith("--") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).rstrip()


def _parameters(sql):
    """The named parameter markers of a query outside its comments and quoted text."""
    code = re.sub(r"--[^\n]*|'[^']*'|\"[^\"]*\"|`[^`]*`", " ", sql)
    return set(re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", code))


def _sql(spark, name, values):
    """Runs one .sql file with the values it names bound as parameters."""
    text = _query(name)
    return spark.sql(text, args={key: values[key] for key in _parameters(text)})


def _table(spark, lake, table, schema, first_day, last_day):
    """One lake table with partition discovery, pruned to dt in [first_day, last_day] when bounded."""
    from pyspark.sql import functions as F
    frame = spark.read.schema(schema).option("basePath", f"{lake}/{table}").parquet(f"{lake}/{table}")
    if first_day is not None:
        frame = frame.where(F.col("dt") >= F.lit(first_day))
    if last_day is not None:
        frame = frame.where(F.col("dt") <= F.lit(last_day))
    return frame


def _utc_day(epoch_seconds, slack_days):
    return (datetime.fromtimestamp(epoch_seconds, timezone.utc).date() + timedelta(days=slack_days))


def _whole_database_quality(spark, lake):
    """The quality checks that count the whole database (versions, rejects, files), which
    `ctrdb lake` writes into _ctrdb_lake.json; null (not measured) for a lake without them."""
    # Hadoop's readers skip files whose names start with "_", so the manifest is read through
    # the file system API (any URI Spark reads: a folder, s3://, hdfs://).
    try:
        jvm = spark.sparkContext._jvm
        path = jvm.org.apache.hadoop.fs.Path(f"{lake}/_ctrdb_lake.json")
        stream = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).open(path)
        try:
            text = jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()
        quality = json.loads(text).get("quality") or {}
    except Exception:  # an older lake, or no manifest readable: the checks are not measured
        quality = {}
    values = {}
    for check, key in (("duplicate_deliveries", "duplicates"), ("rejected_records", "rejected"), ("partial_files", "partial")):
        entry = quality.get(check) or {}
        values[f"{key}_count"] = entry.get("count")
        values[f"{key}_example"] = entry.get("example_contact_id")
    return values


def run_report(spark, lake, name, options=None):
    """Runs report NAME over the lake at LAKE (a local folder or an s3:// URI) in SPARK;
    returns (columns, rows), rows as lists of Python values in ctrdb's order."""
    options = options or ReportOptions()
    if name not in REPORTS:
        raise UsageError(f"no report named {name}; the reports are: {', '.join(REPORTS)}")
    zone, start, end = report_range(options)
    lake = str(lake).rstrip("/")
    spark.conf.set("spark.sql.session.timeZone", options.tz)
    # dt is the UTC date of disconnect_ts (else initiation_ts): a day of slack either side keeps
    # legs placed by another timestamp (--by enqueue, initiation, answer) near the range's ends.
    first_day = None if start is None else _utc_day(start, -1)
    last_day = None if end is None else _utc_day(end, +1)
    _table(spark, lake, "legs", LEGS_SCHEMA, first_day, last_day).createOrReplaceTempView("lake_legs")
    _table(spark, lake, "callback_requests", CALLBACK_REQUESTS_SCHEMA, first_day, last_day) \
        .createOrReplaceTempView("lake_callback_requests")

    values = {
        "placement": options.by, "interval_name": options.interval, "interval_s": INTERVALS[options.interval] or 3600,
        "tz": options.tz, "from_s": start, "to_s": end,
        "every_queue": not options.queues, "queues": list(options.queues) or [""],
        "total_start_s": 0, "sl": options.sl, "short_abandon": options.short_abandon,
    }
    if options.interval == "total":
        # The --from value, else the earliest placed time over every queue, so that --queue X
        # keeps exactly the X rows of the unfiltered report (interval_start included), as ctrdb does.
        if start is not None:
            values["total_start_s"] = start
        else:
            every = dict(values, every_queue=True)
            earliest = _sql(spark, "_legs", every).selectExpr("unix_seconds(MIN(bucket_ts))").first()[0]
            values["total_start_s"] = earliest
    if name == "quality":
        values.update(_whole_database_quality(spark, lake))
    _sql(spark, "_legs", values).createOrReplaceTempView("legs")
    _sql(spark, "_callback_requests", values).createOrReplaceTempView("callback_requests")
    result = _sql(spark, name, values)
    return list(result.columns), [list(row) for row in result.collect()]


# --- Output, as ctrdb's CSV and JSON writers (Sources/CTRKit/Output) ---

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _number(value):
    """Integers plain; reals as the shortest text that reads back the same, with at least one
    fraction digit (120.0): Swift's and Python's shortest round-trip forms agree."""
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else ""
    return str(value)


def _neutralize(text):
    """OWASP's CSV injection advice, as ctrdb applies it: text starting with = + - @ tab or CR
    gets a leading ', unless it is a plain number."""
    if not text or text[0] not in "=+-@\t\r":
        return text
    return text if _PLAIN_NUMBER.fullmatch(text) else "'" + text


def _quote(field):
    if any(c in field for c in ',"\n\r'):
        return '"' + field.replace('"', '""') + '"'
    return field


def csv_text(columns, rows, spreadsheet_safe=True):
    """RFC 4180 CSV with CRLF line ends, byte for byte as `ctrdb report --format csv`."""
    lines = [",".join(_quote(c) for c in columns)]
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("")
            elif isinstance(value, str):
                cells.append(_quote(_neutralize(value) if spreadsheet_safe else value))
            else:
                cells.append(_number(value))
        lines.append(",".join(cells))
    return "".join(line + "\r\n" for line in lines)


def json_text(columns, rows):
    """A JSON array of objects in column order, as `ctrdb report --format json`."""
    def value(v):
        if isinstance(v, float):
            return repr(v) if _number(v) else "null"
        return json.dumps(v, ensure_ascii=False)
    objects = ["{" + ",".join(json.dumps(c, ensure_ascii=False) + ":" + value(v) for c, v in zip(columns, row)) + "}"
               for row in rows]
    return "[\n" + ",\n".join(objects) + "\n]\n" if objects else "[]\n"


def write_csv(columns, rows, out=sys.stdout):
    out.write(csv_text(columns, rows))


def write_json(columns, rows, out=sys.stdout):
    out.write(json_text(columns, rows))


# --- Command line ---

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parse_arguments(argv):
    parser = _Parser(prog="report.py", description="Run one of ctrdb's canned reports on Spark over a `ctrdb lake` dataset.")
    parser.add_argument("lake", help="the lake: a folder or an s3:// URI (what `ctrdb lake DIR` wrote)")
    parser.add_argument("name", help="the report: " + ", ".join(REPORTS))
    parser.add_argument("--from", dest="from_", help="inclusive start: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], in --tz")
    parser.add_argument("--to", help="exclusive end, like --from")
    parser.add_argument("--day", help="one civil day in --tz: YYYY-MM-DD, yesterday or today")
    parser.add_argument("--tz", default="UTC", help="IANA time zone for intervals, --day and --from/--to (default UTC)")
    parser.add_argument("--interval", default="1d", help="15m, 30m, 1h, 1d, 1w (weeks start on Monday) or total (default 1d)")
    parser.add_argument("--by", default="disconnect", help="disconnect, enqueue, initiation or answer (default disconnect)")
    parser.add_argument("--queue", dest="queues", action="append", default=[], help="only this queue; repeat for several")
    parser.add_argument("--sl", type=int, default=20, help="service-level threshold in seconds (default 20)")
    parser.add_argument("--short-abandon", dest="short_abandon", type=int, default=5, help="short-abandon threshold in seconds (default 5)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default) or json")
    arguments = parser.parse_args(argv)
    options = ReportOptions(from_=arguments.from_, to=arguments.to, day=arguments.day, tz=arguments.tz,
                            interval=arguments.interval, by=arguments.by, queues=arguments.queues,
                            sl=arguments.sl, short_abandon=arguments.short_abandon)
    return arguments, options


def main(argv=None):
    try:
        arguments, options = parse_arguments(sys.argv[1:] if argv is None else argv)
        if arguments.name not in REPORTS:
            raise UsageError(f"no report named {arguments.name}; the reports are: {', '.join(REPORTS)}")
        report_range(options)  # bad options fail before Spark starts
        spark = session()
        spark.sparkContext.setLogLevel("WARN")
        started = time.monotonic()
        columns, rows = run_report(spark, arguments.lake, arguments.name, options)
        (write_json if arguments.format == "json" else write_csv)(columns, rows)
        sys.stdout.flush()
        print(f"{arguments.name}: {len(rows)} rows in {time.monotonic() - started:.1f} s", file=sys.stderr)
        return 0
    except UsageError as error:
        print(f"report.py: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ReportFailure as error:
        print(f"report.py: {error}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
