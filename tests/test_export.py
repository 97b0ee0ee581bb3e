"""Export: CSV with BOM and neutralised formulas, Parquet with nested includes, rows equal to the queries."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.store import db, export
from test_store import make_claim, store  # noqa: F401  (store is a fixture)
from test_store import store_articles


def test_csv_has_a_bom_and_arabic_survives(store: Path) -> None:  # noqa: F811
    with db.reader(store) as con:
        df = export.query(con, "claims")
    data = export.to_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(back) == len(df) == 8
    assert "عشرات" in back["quote"].tolist()
    assert back.columns.tolist() == df.column_names
    row = back[(back.doc == "d1") & (back.start == 0)].iloc[0]
    assert json.loads(row["includes"]) == [{"victims": "children", "low": 3, "best": 3, "high": 3,
                                            "qualifier": "exact"}]
    assert str(row["day"]) == "2024-01-10"  # a date, not a timestamp


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_cells_are_neutralised(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "f.duckdb"
    text = f"{cell} 5 killed."
    store_articles(path, [({"doc": cell, "text": text, "title": cell},
                           [make_claim(cell, text, 0, victims=cell, quote=cell, sentence=text)])])
    with db.reader(path) as con:
        claims, articles = export.query(con, "claims"), export.query(con, "articles")
    for df, col in ((claims, "victims"), (claims, "doc"), (articles, "title")):
        back = pd.read_csv(io.BytesIO(export.to_csv(df)), encoding="utf-8-sig", keep_default_na=False)
        assert back[col].iloc[0] == "'" + cell
    back = pd.read_csv(io.BytesIO(export.to_csv(claims)), encoding="utf-8-sig")
    assert back["best"].iloc[0] == 5 and back["confidence"].iloc[0] == 0.5  # numbers stay numbers


def test_harmless_cells_are_left_alone() -> None:
    df = pd.DataFrame({"a": ["safe", "a=b", "5-3", None, "'quoted"], "n": [-1, 2, 3, 4, 5]})
    back = pd.read_csv(io.BytesIO(export.to_csv(df)), encoding="utf-8-sig", keep_default_na=False)
    assert back["a"].tolist() == ["safe", "a=b", "5-3", "", "'quoted"]
    assert back["n"].tolist() == [-1, 2, 3, 4, 5]


def test_parquet_keeps_types_and_nested_includes(store: Path) -> None:  # noqa: F811
    with db.reader(store) as con:
        df = export.query(con, "claims", db.Filters(places=("Gaza",)))
    table = pq.read_table(io.BytesIO(export.to_parquet(df)))
    assert table.num_rows == 1
    row = table.to_pylist()[0]
    assert row["includes"] == [{"victims": "children", "low": 3, "best": 3, "high": 3, "qualifier": "exact"}]
    assert row["day"] == date(2024, 1, 10) and row["best"] == 5


@pytest.mark.parametrize("what", export.WHAT)
def test_export_rows_equal_the_filtered_query(store: Path, what: str) -> None:  # noqa: F811
    f = db.Filters(countries=("Syria", "Palestine"), min_confidence=0.1)
    with db.reader(store) as con:
        df = export.query(con, what, f)
        n_claims = db.counts(con, f)["claims"]
    back = pd.read_csv(io.BytesIO(export.to_bytes(df, "csv")), encoding="utf-8-sig")
    assert len(back) == len(df)
    if what == "claims":
        assert len(df) == n_claims == 5
    if what == "tally":
        assert back.best.sum() == 5 + 30 + 2  # the tally rule: no cumulative, sub-group or repeat


@pytest.mark.parametrize("what", export.WHAT)
def test_frames_and_arrow_tables_export_alike(store: Path, what: str) -> None:  # noqa: F811
    """The dashboard may hand over the DataFrame readers; the file is the same as from the Arrow rows."""
    with db.reader(store) as con:
        table = export.query(con, what)
        frame = {"claims": db.export_claims, "articles": db.export_articles, "tally": db.export_tally}[what](con)
    assert export.to_csv(frame) == export.to_csv(table)
    assert pq.read_table(io.BytesIO(export.to_parquet(frame))).to_pylist() == table.to_pylist()


def test_unknown_format_or_what_is_refused(store: Path) -> None:  # noqa: F811
    with db.reader(store) as con:
        with pytest.raises(ValueError):
            export.query(con, "secrets")
    with pytest.raises(ValueError):
        export.to_bytes(pd.DataFrame(), "xlsx")
