"""The README's Datasette plugin, byte for byte: sqlar_uncompress for the contact_versions view."""
import zlib
from datasette import hookimpl


@hookimpl
def prepare_connection(conn):
    conn.create_function("sqlar_uncompress", 2,
        lambda data, size: data if data is None or size <= 0 or size == len(data) else zlib.decompress(data))
