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

from conftest import ROOT, ctrdb, sqlite_rows

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


def datasette(db, settings=None):
    """Datasette on the database with the README's plugin, its SQL time limit at 1 s."""
    from datasette.app import Datasette
    return Datasette([str(db)], plugins_dir=str(ROOT / "Tests" / "Interop" / "plugins"),
                     settings={"sql_time_limit_ms": 1000, **(settings or {})})


def test_datasette_plugin_serves_the_view(lake):
    name = Path(lake["db"]).stem
    ds = datasette(lake["db"])

    async def fetch():
        sql = "SELECT contact_id, json_extract(raw_json, '$.ContactId') AS id FROM contact_versions LIMIT 50"
        response = await ds.client.get(f"/{name}.json", params={"sql": sql, "_shape": "array"})
        return response.status_code, response.json()

    status, rows = asyncio.run(fetch())
    assert status == 200, rows
    assert len(rows) == 50 and all(row["id"] == row["contact_id"] for row in rows)


def readme_datasette_settings():
    """The settings of the README's Datasette command line, as Datasette takes them."""
    import re
    text = (ROOT / "README.md").read_text()
    command = re.search(r"`(datasette ctr\.db --plugins-dir plugins/[^`]*)`", text)
    assert command, "the README gives no Datasette command"
    values = {"on": True, "off": False}
    return {name: values.get(value, value) for name, value in re.findall(r"--setting (\w+) (\w+)", command.group(1))}


def datasette_table_pages(db, settings):
    """The contacts and journeys pages, and a day's contacts faceted by queue, as JSON."""
    name = Path(db).stem
    ds = datasette(db, settings)
    day = sqlite_rows(db, "SELECT substr(MIN(disconnect_ts), 1, 10) FROM contacts")[0][0]

    async def fetch():
        pages = {}
        for label, path, params in [("contacts", "contacts", {"_size": "5"}), ("journeys", "journeys", {"_size": "5"}),
                                    ("one day", "contacts", {"disconnect_ts__gte": day, "_facet": "queue_name"})]:
            response = await ds.client.get(f"/{name}/{path}.json", params=params)
            assert response.status_code == 200, response.text
            pages[label] = response.json()
        return pages

    return asyncio.run(fetch())


def test_readme_datasette_command_turns_facet_suggestions_off(lake):
    """Facet suggestions try every column of a table page (4 s for contacts at 27 days): the
    README's command turns them off, and facets asked for still answer."""
    settings = readme_datasette_settings()
    assert settings.get("suggest_facets") is False
    default = datasette_table_pages(lake["db"], {})
    assert default["contacts"]["suggested_facets"], "without the setting Datasette suggests facets"
    pages = datasette_table_pages(lake["db"], settings)
    assert pages["contacts"]["suggested_facets"] == [] and pages["journeys"]["suggested_facets"] == []
    assert len(pages["contacts"]["rows"]) == 5 and len(pages["journeys"]["rows"]) == 5
    queues = pages["one day"]["facet_results"]["queue_name"]["results"]
    assert queues and sum(q["count"] for q in queues) > 0
