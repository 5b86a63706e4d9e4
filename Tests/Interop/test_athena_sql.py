"""Queries/athena/: the DDL and the Trino reports, checked with sqlglot (no Trino server runs here).

The DDL's columns and types equal what pyarrow reads from the lake's files; every report parses
and transpiles for dialect trino, and sqlglot resolves every column it names against the DDL.
"""
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot.optimizer.qualify import qualify

from conftest import ROOT, TABLES

ATHENA = ROOT / "Queries" / "athena"
REPORTS = ("abandonment", "callbacks", "quality", "queue-duration", "whisper")


def ddl():
    """Table name -> (columns as {name: trino type}, TBLPROPERTIES as a dict, partition columns)."""
    tables = {}
    for statement in sqlglot.parse((ATHENA / "tables.sql").read_text(), read="athena"):
        if not (isinstance(statement, sqlglot.exp.Create) and statement.kind == "TABLE"):
            continue
        columns = {c.name: c.args["kind"].sql("trino") for c in statement.this.expressions if isinstance(c, sqlglot.exp.ColumnDef)}
        properties, partitions = {}, []
        for prop in statement.args["properties"].expressions:
            if type(prop) is sqlglot.exp.Property:
                properties[prop.name] = prop.args["value"].name
            elif isinstance(prop, sqlglot.exp.PartitionedByProperty):
                partitions = [c.name for c in prop.this.expressions]
        tables[statement.this.this.name] = (columns, properties, partitions)
    return tables


def report_columns(name):
    """The `-- columns:` header of the SQLite report: ctrdb's columns, in order."""
    header = re.search(r"^-- columns: (.*)$", (ROOT / "Queries" / f"{name}.sql").read_text(), re.M).group(1)
    return [c.strip() for c in header.split(",")]


def test_tables_project_dt_partitions():
    tables = ddl()
    assert set(tables) == set(TABLES)
    for name, (columns, properties, partitions) in tables.items():
        assert partitions == ["dt"], name
        assert properties["projection.enabled"] == "true"
        assert properties["projection.dt.type"] == "date"
        assert properties["projection.dt.format"] == "yyyy-MM-dd"
        assert properties["projection.dt.range"].endswith(",NOW")
        assert properties["storage.location.template"].endswith(f"/{name}/dt=${{dt}}/")


@pytest.mark.parametrize("table", TABLES)
def test_ddl_columns_equal_the_lake_files(lake, table):
    columns = ddl()[table][0]
    arrow = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.timestamp("us", tz="UTC"): "TIMESTAMP"}
    for path in sorted((lake["dir"] / table).glob("dt=*/*.parquet")):
        schema = pq.ParquetFile(path).schema_arrow
        assert list(columns) == schema.names, path
        assert [columns[f.name] for f in schema] == [arrow[f.type] for f in schema], path


@pytest.mark.parametrize("name", REPORTS)
def test_trino_report_parses_transpiles_and_resolves_every_column(name):
    sql = (ATHENA / f"{name}.sql").read_text()
    [statement] = sqlglot.parse(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE)
    assert sqlglot.transpile(sql, read="trino", write="trino", error_level=sqlglot.ErrorLevel.RAISE)
    assert "approx_percentile" not in re.sub(r"--[^\n]*", "", sql).lower()
    schema = {"ctrdb": {table: dict(columns, dt="VARCHAR") for table, (columns, _, _) in ddl().items()}}
    qualified = qualify(statement, schema=schema, dialect="trino", validate_qualify_columns=True)
    assert qualified.named_selects == report_columns(name)
    # the lake's tables are read, never the database's
    assert {t.name for t in statement.find_all(sqlglot.exp.Table) if t.db} <= {"legs", "callback_requests"}


def test_every_trino_report_shares_one_params_and_legs_prefix():
    """Trino has no composition of relations: the params row and the legs relation are written
    into every report, and must stay the same text in all five."""
    prefixes = set()
    for name in REPORTS:
        sql = (ATHENA / f"{name}.sql").read_text()
        start = sql.index("WITH params AS (")
        end = sql.index("\n)", sql.index("\nlegs AS ("))
        prefixes.add(sql[start:end])
    assert len(prefixes) == 1
