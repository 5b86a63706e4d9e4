"""pyarrow reads every file `ctrdb lake` writes: types, logical types, codec, statistics."""
import json
import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import TABLES, ctrdb

TIMESTAMPS = {"initiation_ts", "connected_to_system_ts", "disconnect_ts", "last_update_ts", "enqueue_ts", "dequeue_ts",
              "connected_to_agent_ts", "transfer_completed_ts", "first_initiation_ts", "last_disconnect_ts", "first_agent_ts"}
INTEGERS = {"queue_duration_s", "agent_interaction_s", "customer_hold_s", "number_of_holds", "longest_hold_s", "acw_s",
            "chain_depth", "queue_s", "agent_whisper_s", "outbound_whisper_s", "missing_parent", "missing_next", "in_cycle", "conflicting_versions",
            "legs", "answered", "queued", "callback_leg", "had_callback", "broken", "time_to_agent_s", "attempts"}
REQUIRED = {"legs": {"contact_id"}, "journeys": {"chain_id"}, "callback_requests": {"contact_id", "answered", "attempts"}}


def parquet_files(folder, table=None):
    tables = [table] if table else TABLES
    return sorted(p for t in tables for p in (Path(folder) / t).glob("dt=*/*.parquet"))


def test_every_table_has_partitions(lake):
    for table in TABLES:
        days = sorted(p.name for p in (lake["dir"] / table).iterdir())
        assert days, table
        assert all(d.startswith("dt=") and len(d) == 13 for d in days), days


@pytest.mark.parametrize("table", TABLES)
def test_types_and_logical_types(lake, table):
    for path in parquet_files(lake["dir"], table):
        file = pq.ParquetFile(path)
        schema = file.schema_arrow
        for field in schema:
            if field.name in TIMESTAMPS:
                assert field.type == pa.timestamp("us", tz="UTC"), (path, field)
            elif field.name in INTEGERS:
                assert field.type == pa.int64(), (path, field)
            else:
                assert field.type == pa.string(), (path, field)
            assert field.nullable == (field.name not in REQUIRED[table]), (path, field)
        parquet_schema = file.schema
        for i in range(len(parquet_schema)):
            column = parquet_schema.column(i)
            if column.name in TIMESTAMPS:
                assert column.logical_type.type == "TIMESTAMP"
                logical = json.loads(column.logical_type.to_json())
                assert (logical["isAdjustedToUTC"], logical["timeUnit"], logical["is_from_converted_type"]) == (True, "microseconds", False)
                assert column.converted_type == "TIMESTAMP_MICROS"
            elif column.name in INTEGERS:
                assert column.physical_type == "INT64" and column.logical_type.type == "NONE"
            else:
                assert column.physical_type == "BYTE_ARRAY" and column.logical_type.type == "STRING"
                assert column.converted_type == "UTF8"
        assert file.metadata.created_by.startswith("ctrdb version ")


@pytest.mark.parametrize("table", TABLES)
def test_statistics_match_the_data(lake, table):
    for path in parquet_files(lake["dir"], table):
        file = pq.ParquetFile(path)
        data = file.read()
        offset = 0
        for g in range(file.metadata.num_row_groups):
            group = file.metadata.row_group(g)
            rows = data.slice(offset, group.num_rows)
            offset += group.num_rows
            for c in range(group.num_columns):
                chunk = group.column(c)
                assert chunk.compression == "ZSTD"
                assert "PLAIN" in chunk.encodings
                assert not chunk.has_dictionary_page
                values = rows.column(chunk.path_in_schema)
                stats = chunk.statistics
                assert stats is not None and stats.null_count == values.null_count, (path, chunk.path_in_schema)
                if values.null_count == len(values):
                    assert not stats.has_min_max
                    continue
                assert stats.has_min_max
                if pa.types.is_string(values.type):
                    present = [v.encode() for v in values.to_pylist() if v is not None]
                    assert stats.min.encode() == min(present) and stats.max.encode() == max(present), (path, chunk.path_in_schema)
                else:
                    low, high = pc.min_max(values).values()
                    assert stats.min == low.as_py() and stats.max == high.as_py(), (path, chunk.path_in_schema)


def test_rows_sorted_by_queue_then_disconnect(lake):
    for path in parquet_files(lake["dir"], "legs"):
        rows = pq.read_table(path, columns=["queue_name", "disconnect_ts"]).to_pylist()
        keys = [((r["queue_name"] is not None, r["queue_name"] or ""), (r["disconnect_ts"] is not None, r["disconnect_ts"] or 0)) for r in rows]
        assert keys == sorted(keys), path


def test_manifest_lists_every_file_with_rows_and_hash(lake):
    manifest = json.loads((lake["dir"] / "_ctrdb_lake.json").read_text())
    assert manifest["format"] == "ctrdb-lake/1" and manifest["compression"] == "zstd"
    assert "full_export_pending" not in manifest
    listed = set()
    for table in TABLES:
        for day, partition in manifest["tables"][table].items():
            total = 0
            for entry in partition["files"]:
                path = lake["dir"] / table / f"dt={day}" / entry["name"]
                listed.add(path)
                content = path.read_bytes()
                assert hashlib.sha256(content).hexdigest() == entry["sha256"]
                assert len(content) == entry["bytes"]
                assert pq.ParquetFile(path).metadata.num_rows == entry["rows"]
                total += entry["rows"]
            assert total == partition["rows"]
    assert listed == set(parquet_files(lake["dir"]))
    assert not [p for p in lake["dir"].rglob(".*")], "no temporary files left behind"


@pytest.mark.parametrize("codec,name", [("snappy", "SNAPPY"), ("gzip", "GZIP"), ("none", "UNCOMPRESSED")])
def test_every_codec_reads_back_the_same_rows(lake, tmp_path, codec, name):
    out = tmp_path / codec
    ctrdb("lake", out, "--db", lake["db"], "--compression", codec, "--quiet")
    for table in TABLES:
        ours, reference = parquet_files(out, table), parquet_files(lake["dir"], table)
        assert [p.relative_to(out) for p in ours] == [p.relative_to(lake["dir"]) for p in reference]
        for a, b in zip(ours, reference):
            metadata = pq.ParquetFile(a).metadata
            assert {metadata.row_group(0).column(c).compression for c in range(metadata.num_columns)} == {name}
            assert pq.read_table(a).equals(pq.read_table(b))
