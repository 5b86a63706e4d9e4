"""The README's recipes for reading the compressed raw JSON from other SQLite clients (SPEC
section 3): the sqlite3 shell's built-in sqlar_uncompress, Python's sqlite3 module with one
registered function, and Datasette with a one-file plugin. Each must give back every version's
text byte for byte as it was delivered."""
import asyncio
import gzip
import json
import sqlite3
import subprocess
from pathlib import Path

from conftest import ROOT, ctrdb

VERSIONS = "SELECT contact_id, content_hash, source_file, byte_offset, raw_json FROM contact_versions ORDER BY contact_id, content_hash"


def python_recipe(db):
    """As the README gives it."""
    import zlib
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.create_function("sqlar_uncompress", 2,
        lambda data, size: data if data is None or size <= 0 or size == len(data) else zlib.decompress(data),
        deterministic=True)
    return con


def delivered_text(path, offset, length):
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw[offset:offset + length]


def test_python_recipe_gives_back_every_version_as_delivered(lake):
    rows = python_recipe(lake["db"]).execute(VERSIONS).fetchall()
    assert len(rows) > 1000
    for contact_id, _, source_file, offset, raw_json in rows:
        assert json.loads(raw_json)["ContactId"] == contact_id
        assert delivered_text(source_file, offset, len(raw_json.encode())) == raw_json.encode()


def test_python_recipe_equals_ctrdb_sql(lake):
    ours = json.loads(ctrdb("sql", "--db", lake["db"], "--format", "json", VERSIONS).stdout)
    theirs = python_recipe(lake["db"]).execute(VERSIONS).fetchall()
    assert [tuple(row.values()) for row in ours] == theirs


def test_sqlite3_shell_reads_raw_json_with_its_built_in_function(lake):
    query = "SELECT COUNT(*), SUM(json_extract(raw_json, '$.ContactId') = contact_id) FROM contact_versions"
    shell = subprocess.run(["sqlite3", "-readonly", str(lake["db"]), query], capture_output=True, text=True, check=True)
    count, matching = shell.stdout.strip().split("|")
    expected = python_recipe(lake["db"]).execute("SELECT COUNT(*) FROM contact_versions").fetchone()[0]
    assert int(count) == int(matching) == expected


def test_datasette_plugin_serves_the_view(lake):
    from datasette.app import Datasette
    name = Path(lake["db"]).stem
    ds = Datasette([str(lake["db"])], plugins_dir=str(ROOT / "Tests" / "Interop" / "plugins"),
                   settings={"sql_time_limit_ms": 1000})

    async def fetch():
        sql = "SELECT contact_id, json_extract(raw_json, '$.ContactId') AS id FROM contact_versions LIMIT 50"
        response = await ds.client.get(f"/{name}.json", params={"sql": sql, "_shape": "array"})
        return response.status_code, response.json()

    status, rows = asyncio.run(fetch())
    assert status == 200, rows
    assert len(rows) == 50 and all(row["id"] == row["contact_id"] for row in rows)
