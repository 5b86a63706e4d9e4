# Writes pyarrow-small.parquet, the file ParquetFileWriterTests compares ctrdb's footer with:
#   python3 make_fixture.py   (pyarrow 26)
import pyarrow as pa
import pyarrow.parquet as pq

table = pa.table({
    "contact_id": pa.array(["b", "a", "c"], pa.string()),
    "queue_name": pa.array(["Sales", None, "Billing"], pa.string()),
    "queue_s": pa.array([30, None, -5], pa.int64()),
    "enqueue_ts": pa.array([1_700_000_000_000_000, None, 1_700_000_060_000_000], pa.timestamp("us", tz="UTC")),
})
schema = pa.schema([
    pa.field("contact_id", pa.string(), nullable=False),
    pa.field("queue_name", pa.string()),
    pa.field("queue_s", pa.int64()),
    pa.field("enqueue_ts", pa.timestamp("us", tz="UTC")),
])
pq.write_table(table.cast(schema), "pyarrow-small.parquet", compression="none", use_dictionary=False,
               data_page_version="1.0", write_statistics=True, store_schema=False, version="2.6")
