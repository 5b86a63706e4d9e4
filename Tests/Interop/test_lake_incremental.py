"""Incremental runs, a killed run, and bad input."""
import hashlib
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import BINARY, TABLES, copy_database, ctrdb, ingest


def contents(lake_dir):
    """Every table's rows, per partition, in file order: what a reader sees."""
    result = {}
    for table in TABLES:
        for folder in sorted((Path(lake_dir) / table).glob("dt=*")):
            rows = []
            for path in sorted(folder.glob("*.parquet")):
                rows += pq.read_table(path).to_pylist()
            result[(table, folder.name)] = rows
    return result


def file_identities(lake_dir):
    return {p.relative_to(lake_dir): (p.stat().st_ino, p.stat().st_mtime_ns) for p in Path(lake_dir).rglob("*.parquet")}


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def grown(lake, generated, tmp_path_factory):
    """The three-day lake, then one more day ingested and exported incrementally."""
    base = tmp_path_factory.mktemp("grown")
    db = copy_database(lake["db"], base / "ctr.db")
    out = base / "lake"
    ctrdb("lake", out, "--db", db, "--quiet")
    before = file_identities(out)
    ingest(generated["last"], db)
    result = ctrdb("lake", out, "--db", db)
    return {"db": db, "dir": out, "before": before, "stderr": result.stderr}


def test_incremental_run_equals_a_full_export(grown, tmp_path):
    assert "incremental" in grown["stderr"]
    full = tmp_path / "full"
    result = ctrdb("lake", full, "--db", grown["db"], "--full")
    assert "full export" in result.stderr
    assert contents(grown["dir"]) == contents(full)
    manifest = lambda d: json.loads((Path(d) / "_ctrdb_lake.json").read_text())["tables"]
    assert manifest(grown["dir"]) == manifest(full)


def test_incremental_run_rewrites_only_changed_partitions(grown):
    after = file_identities(grown["dir"])
    kept = [p for p in grown["before"] if after.get(p) == grown["before"][p]]
    rewritten = [p for p in grown["before"] if p in after and after[p] != grown["before"][p]]
    added = [p for p in after if p not in grown["before"]]
    assert added, "the new day has partitions"
    assert kept, f"some partitions are untouched by one more day (rewritten: {rewritten})"


def test_a_run_with_nothing_new_writes_nothing_and_leaves_the_database_alone(grown):
    before = file_identities(grown["dir"])
    database = sha256(grown["db"])
    result = ctrdb("lake", grown["dir"], "--db", grown["db"])
    assert "legs 0 (0 rows), journeys 0 (0 rows), callback_requests 0 (0 rows)" in result.stderr
    assert file_identities(grown["dir"]) == before
    assert sha256(grown["db"]) == database


def test_a_late_callback_rewrites_the_request_partition(lake, tmp_path):
    """A change to one leg marks every partition of its chain, including the request's day."""
    db = copy_database(lake["db"], tmp_path / "ctr.db")
    out = tmp_path / "lake"
    ctrdb("lake", out, "--db", db, "--quiet")
    import sqlite3
    with sqlite3.connect(db) as connection:
        request, chain = connection.execute("""
            SELECT r.contact_id, r.chain_id FROM contacts r JOIN contacts c ON c.chain_id = r.chain_id
            WHERE r.outcome = 'callback' AND c.initiation_method = 'CALLBACK'
              AND substr(COALESCE(c.disconnect_ts, c.initiation_ts), 1, 10) = substr(COALESCE(r.disconnect_ts, r.initiation_ts), 1, 10)
            LIMIT 1""").fetchone()
        # the callback leg's agent changes: only the chain's own row changes, yet the request's
        # callback_requests row must follow (here: answered no more)
        connection.execute("UPDATE contacts SET connected_to_agent_ts = NULL WHERE chain_id = ? AND initiation_method LIKE 'CALLBACK%'", (chain,))
    ctrdb("lake", out, "--db", db, "--quiet")
    rows = duckdb.sql(f"SELECT answered, attempts FROM read_parquet('{out}/callback_requests/*/*.parquet') WHERE contact_id = '{request}'").fetchall()
    assert rows and rows[0][0] == 0
    full = tmp_path / "full"
    ctrdb("lake", full, "--db", db, "--full", "--quiet")
    assert contents(out) == contents(full)


def test_deleted_legs_remove_their_partitions(lake, tmp_path):
    db = copy_database(lake["db"], tmp_path / "ctr.db")
    out = tmp_path / "lake"
    ctrdb("lake", out, "--db", db, "--quiet")
    import sqlite3
    with sqlite3.connect(db) as connection:
        first = connection.execute("SELECT MIN(substr(COALESCE(disconnect_ts, initiation_ts), 1, 10)) FROM contacts").fetchone()[0]
        connection.execute("DELETE FROM contacts WHERE chain_id IN (SELECT chain_id FROM contacts WHERE substr(COALESCE(disconnect_ts, initiation_ts), 1, 10) = ? OR substr(initiation_ts, 1, 10) = ?)", (first, first))
        # journeys is a table the chain stage keeps: a hand deletion drops the chains' rows too, as it would
        connection.execute("DELETE FROM journeys WHERE chain_id NOT IN (SELECT chain_id FROM contacts WHERE chain_id IS NOT NULL)")
    ctrdb("lake", out, "--db", db, "--quiet")
    assert not (out / "legs" / f"dt={first}").exists()
    assert first not in json.loads((out / "_ctrdb_lake.json").read_text())["tables"]["legs"]
    full = tmp_path / "full"
    ctrdb("lake", full, "--db", db, "--full", "--quiet")
    assert contents(out) == contents(full)


def readable(lake_dir):
    """What a reader of a half-written lake sees: every visible file is a whole Parquet file."""
    for path in Path(lake_dir).rglob("*.parquet"):
        pq.read_table(path)
    for table in TABLES:
        if list((Path(lake_dir) / table).glob("dt=*/*.parquet")):
            duckdb.sql(f"SELECT COUNT(*) FROM read_parquet('{lake_dir}/{table}/*/*.parquet', hive_partitioning = true)").fetchall()


def test_a_killed_run_leaves_a_readable_lake_and_the_next_run_completes_it(grown, tmp_path):
    reference = contents(grown["dir"])
    # how long a whole export takes here, to kill runs at points spread over it
    start = time.monotonic()
    ctrdb("lake", tmp_path / "timing", "--db", copy_database(grown["db"], tmp_path / "timing.db"), "--quiet")
    duration = time.monotonic() - start
    rng = random.Random(7)
    for attempt, fraction in enumerate([0.1, 0.35, 0.6, 0.85, rng.random(), rng.random()]):
        db = copy_database(grown["db"], tmp_path / f"kill{attempt}.db")
        out = tmp_path / f"kill{attempt}"
        if attempt % 2:
            # half the kills hit an incremental run: a lake of the first days, then the rest noted
            ctrdb("lake", out, "--db", db, "--quiet")
            import sqlite3
            with sqlite3.connect(db) as connection:
                connection.execute("UPDATE contacts SET acw_s = COALESCE(acw_s, 0) + 1 WHERE rowid % 3 = 0")
        process = subprocess.Popen([str(BINARY), "lake", str(out), "--db", str(db), "--quiet"], stderr=subprocess.PIPE)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if out.exists():
            readable(out)
        ctrdb("lake", out, "--db", db, "--quiet")
        expected = contents(grown["dir"]) if attempt % 2 == 0 else None
        if expected is not None:
            assert contents(out) == expected, f"kill at {fraction:.2f} of the run"
        else:
            full = tmp_path / f"full{attempt}"
            ctrdb("lake", full, "--db", db, "--full", "--quiet")
            assert contents(out) == contents(full), f"kill at {fraction:.2f} of an incremental run"
        assert not list(out.rglob(".*")), "temporary files are cleaned up"


def test_a_folder_that_is_not_a_lake_is_refused_and_untouched(lake, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8 not a lake")
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")}
    result = ctrdb("lake", folder, "--db", lake["db"], check=False)
    assert result.returncode == 1
    assert "is not a ctrdb lake" in result.stderr
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")} == before


def test_an_unwritable_folder_is_a_clear_error(lake, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = ctrdb("lake", blocker / "lake", "--db", lake["db"], check=False)
    assert result.returncode == 1
    assert "cannot write the lake at" in result.stderr and "Not a directory" in result.stderr, result.stderr
    result = ctrdb("lake", blocker, "--db", lake["db"], check=False)
    assert result.returncode == 1 and "is not a folder" in result.stderr


def test_bad_usage_and_a_missing_database(lake, tmp_path):
    result = ctrdb("lake", tmp_path / "x", "--db", lake["db"], "--compression", "lz4", check=False)
    assert result.returncode == 64 and "lz4" in result.stderr
    assert not (tmp_path / "x").exists()
    result = ctrdb("lake", tmp_path / "y", "--db", tmp_path / "missing.db", check=False)
    assert result.returncode == 1 and "no database at" in result.stderr
    assert not (tmp_path / "y").exists()
