"""Query results → CSV or Parquet bytes, for the CLI and the dashboard's downloads alike.

CSV is UTF-8 with a byte-order mark (so that Excel shows Arabic correctly) and every text cell that a
spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) is prefixed with '.
Nested values (a claim's ``includes``) are written as JSON in CSV and kept nested in Parquet.
"""
from __future__ import annotations

import io
import json
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from extract.store import db

WHAT = ("claims", "articles", "tally")
FORMATS = ("csv", "parquet")
BOM = "\ufeff".encode("utf-8")
_FORMULA = r"^[=+\-@\t\r]"


def query(con: duckdb.DuckDBPyConnection, what: str, filters: db.Filters | None = None) -> pd.DataFrame:
    """The rows an export of ``what`` (claims, articles or tally) holds under ``filters``."""
    readers = {"claims": db.export_claims, "articles": db.export_articles, "tally": db.export_tally}
    if what not in readers:
        raise ValueError(f"what must be one of {', '.join(WHAT)}, not {what!r}")
    return readers[what](con, filters)


def to_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """``df`` as a CSV or Parquet file."""
    if fmt == "csv":
        return to_csv(df)
    if fmt == "parquet":
        return to_parquet(df)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def to_parquet(df: pd.DataFrame) -> bytes:
    """``df`` as Parquet (nested columns kept nested)."""
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), buf)
    return buf.getvalue()


def to_csv(df: pd.DataFrame) -> bytes:
    """``df`` as UTF-8 CSV with a BOM, nested cells as JSON, formula-like text cells neutralised."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, f in enumerate(table.schema):
        col = table.column(i)
        if pa.types.is_nested(f.type):
            col = pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                            for v in col.to_pylist()], pa.string())
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = neutralise(col)
        table = table.set_column(i, f.name, col)
    buf = io.BytesIO()
    buf.write(BOM)
    pacsv.write_csv(table, buf)
    return buf.getvalue()


def neutralise(col: Any) -> Any:
    """Text cells starting with = + - @ tab or carriage return get a leading ' (no formula runs on opening)."""
    return pc.if_else(pc.match_substring_regex(col, _FORMULA), pc.binary_join_element_wise(pa.scalar("'", col.type), col, pa.scalar("", col.type)), col)
