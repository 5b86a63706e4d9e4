"""Shared set-up for the interop tests: a generated export, ingested with the built binary,
exported with `ctrdb lake`, read back with pyarrow and DuckDB.

Run after `swift build`:  python3 -m pytest Tests/Interop
"""
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("CTRDB_BINARY", ROOT / ".build" / "debug" / "ctrdb"))
TABLES = ("legs", "journeys", "callback_requests")


def ctrdb(*args, check=True, **kwargs):
    """Runs the built binary; returns the CompletedProcess (stdout and stderr as text)."""
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `swift build` first")
    result = subprocess.run([str(BINARY), *map(str, args)], capture_output=True, text=True, **kwargs)
    if check and result.returncode not in (0, 2):
        raise AssertionError(f"ctrdb {' '.join(map(str, args))} exited {result.returncode}: {result.stderr}")
    return result


def ingest(inputs, db):
    ctrdb("ingest", *inputs, "--db", db, "--quiet")


def export_files(export):
    return sorted(p for p in Path(export).rglob("*") if p.is_file())


def day_of(path):
    """The UTC day a generated object was delivered (its Firehose folders: YYYY/MM/DD/HH)."""
    parts = Path(path).parts
    for i in range(len(parts) - 3):
        if parts[i].isdigit() and len(parts[i]) == 4 and parts[i + 1].isdigit() and parts[i + 2].isdigit():
            return f"{parts[i]}-{parts[i + 1]}-{parts[i + 2]}"
    raise AssertionError(f"no date folders in {path}")


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """Four generated days: the first three, and the fourth (delivered a day later)."""
    base = tmp_path_factory.mktemp("generated")
    export = base / "export"
    ctrdb("generate", "--out", export, "--journeys", 2700, "--days", 4, "--seed", 1, "--quiet")
    files = export_files(export)
    last = max(day_of(f) for f in files)
    return {
        "first": [f for f in files if day_of(f) < last],
        "last": [f for f in files if day_of(f) == last],
        "all": files,
    }


@pytest.fixture(scope="session")
def lake(tmp_path_factory, generated):
    """A database of the first three days and its lake (zstd, the default)."""
    base = tmp_path_factory.mktemp("lake")
    db = base / "ctr.db"
    ingest(generated["first"], db)
    out = base / "lake"
    result = ctrdb("lake", out, "--db", db)
    return {"db": db, "dir": out, "stderr": result.stderr}


def sqlite_rows(db, sql, *args):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(sql, args).fetchall()


def copy_database(db, to):
    for suffix in ("", "-wal", "-shm"):
        if Path(str(db) + suffix).exists():
            shutil.copy(str(db) + suffix, str(to) + suffix)
    return to
