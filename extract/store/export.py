"""Query results → CSV or Parquet bytes, for the CLI and the dashboard's downloads alike.

CSV is UTF-8 with a byte-order mark (so that Excel shows Arabic correctly) and every text cell that a
spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) is prefixed with '.
Nested values (a claim's ``includes``) are written as JSON in CSV and kept nested in Parquet.
"""
from __future__ import annotations

import io
import json

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from extract.store import db

WHAT = db.EXPORTS
FORMATS = ("csv", "parquet")
BOM = "\ufeff".encode("utf-8")
_FORMULA = r"^[=+\-@\t\r]"

Rows = pa.Table | pd.DataFrame


def query(con: duckdb.DuckDBPyConnection, what: str, filters: db.Filters | None = None) -> pa.Table:
    """The rows an export of ``what`` (claims, articles or tally) holds under ``filters``."""
    return db.export_table(con, what, filters)


def to_bytes(rows: Rows, fmt: str) -> bytes:
    """``rows`` as a CSV or Parquet file."""
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "parquet":
        return to_parquet(rows)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def _table(rows: Rows) -> pa.Table:
    return pa.Table.from_pandas(rows, preserve_index=False) if isinstance(rows, pd.DataFrame) else rows


def to_parquet(rows: Rows) -> bytes:
    """``rows`` as Parquet (nested columns kept nested)."""
    buf = io.BytesIO()
    pq.write_table(_table(rows), buf)
    return buf.getvalue()


def to_csv(rows: Rows) -> bytes:
    """``rows`` as UTF-8 CSV with a BOM, nested cells as JSON, formula-like text cells neutralised."""
    table = _table(rows)
    for i, f in enumerate(table.schema):
        col = table.column(i).combine_chunks()
        if pa.types.is_nested(f.type):
            col = nested_json(col)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = neutralise(col)
        table = table.set_column(i, f.name, col)
    buf = io.BytesIO()
    buf.write(BOM)
    pacsv.write_csv(table, buf)
    return buf.getvalue()


def nested_json(col: pa.Array) -> pa.Array:
    """Nested cells as JSON text: empty lists without a round through Python, the others one by one."""
    if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
        full = pc.fill_null(pc.greater(pc.list_value_length(col), 0), False)
        out = pc.if_else(pc.is_null(col), pa.scalar(None, pa.string()), pa.scalar("[]", pa.string()))
    else:
        full = pc.is_valid(col)
        out = pa.nulls(len(col), pa.string())
    values = [json.dumps(v, ensure_ascii=False, default=str) for v in col.filter(full).to_pylist()]
    return pc.replace_with_mask(out, full, pa.array(values, pa.string())) if values else out


def neutralise(col: pa.Array) -> pa.Array:
    """Text cells starting with = + - @ tab or carriage return get a leading ' (no formula runs on opening)."""
    return pc.if_else(pc.match_substring_regex(col, _FORMULA),
                      pc.binary_join_element_wise(pa.scalar("'", col.type), col, pa.scalar("", col.type)), col)
