"""The dashboard's data: cached wrappers around extract.store.db reads, shaped for the charts.

Reads use short read-only connections (DuckDB allows one writer or many readers): one per script run, shared
by its reads (``run_scope``), or one per call outside a run. Results are
cached with ``st.cache_data`` keyed on the database file's fingerprint (size and modification time of the
file and of its write-ahead log), so an ingest — from the Add page or from the CLI — shows up on the next run.
Errors come out as the store's :class:`~extract.store.db.StoreError` subclasses, which pages turn into messages.

Tallies here add up claims under the store's tally rule (``db.TALLIED``). When incidents land, a counting
mode (incidents by default, naive sum on request) belongs in these functions: pages only pass it through.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n import actor_label, label, t
from extract import extract_claims
from extract.claim import FIELD_NAMES
from extract.store import db, export
from extract.store.db import Filters
from extract.store.ingest import ingest_paths, ingest_texts
from extract.store.readers import Rejection, read_file
from extract.text import detect_lang

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "data" / "demo"
DB_ENV = "TALLY_DB"
PEOPLE = ("killed", "injured", "casualties", "captured", "missing")
EQUIPMENT = ("destroyed", "captured")
KPI_CATEGORIES = PEOPLE + ("destroyed",)


def db_path() -> Path:
    """The database: $TALLY_DB, else data/tally.duckdb in the project."""
    env = os.environ.get(DB_ENV)
    return Path(env) if env else ROOT / "data" / "tally.duckdb"


def fingerprint(path: Path | None = None) -> tuple[int, ...] | None:
    """Size and mtime of the database file and its WAL; None when there is no database."""
    path = path or db_path()
    try:
        st_db = path.stat()
    except FileNotFoundError:
        return None
    wal = path.with_name(path.name + ".wal")
    st_wal = wal.stat() if wal.exists() else None
    return (st_db.st_size, st_db.st_mtime_ns, st_wal.st_size if st_wal else -1, st_wal.st_mtime_ns if st_wal else -1)


_RUN: ContextVar[dict[str, Any] | None] = ContextVar("tally_run_connection", default=None)


@contextmanager
def run_scope() -> Iterator[None]:
    """Let the reads of one script run share one read-only connection, opened at the first cache miss and
    closed when the run ends (a run lasts about a second, well within a writer's wait for readers)."""
    holder: dict[str, Any] = {}
    token = _RUN.set(holder)
    try:
        yield
    finally:
        _RUN.reset(token)
        _release(holder)


def _release(holder: dict[str, Any] | None) -> None:
    if holder and "ctx" in holder:
        ctx = holder.pop("ctx")
        holder.pop("con", None)
        ctx.__exit__(None, None, None)


def release_connection() -> None:
    """Close this run's shared read connection now (before this process opens the writer)."""
    _release(_RUN.get())


@contextmanager
def _connection(path: str) -> Iterator[Any]:
    holder = _RUN.get()
    if holder is None:
        with db.reader(path) as con:
            yield con
        return
    if "con" not in holder:
        ctx = db.reader(path)
        holder["con"] = ctx.__enter__()
        holder["ctx"] = ctx
    yield holder["con"]


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(name: str, path: str, fp: tuple[int, ...], args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> Any:
    """db.<name>(con, *args, **kwargs) on a read-only connection; ``fp`` only keys the cache."""
    with _connection(path) as con:
        return getattr(db, name)(con, *args, **dict(kwargs))


def _read(name: str, *args: Any, **kwargs: Any) -> Any:
    path = db_path()
    fp = fingerprint(path)
    if fp is None:
        raise db.StoreMissing(f"No database at {path}.")
    return _cached(name, str(path), fp, args, tuple(sorted(kwargs.items())))


def read_uncached(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(con, *args)`` on a fresh read-only connection, not cached (big exports made on download)."""
    with db.reader(db_path()) as con:
        return fn(con, *args)


# ---------------------------------------------------------------- store facts

def options() -> dict[str, list[str]]:
    """Values present in the store for each list filter."""
    return _read("filter_values")


def claim_count(f: Filters) -> int:
    """How many claims match the filters."""
    return _read("claim_count", f)


def total_claims() -> int:
    """All claims in the store."""
    return claim_count(Filters())


# ---------------------------------------------------------------- shaping (pure)

def with_high_shown(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``high_shown``: the sum of highs, or at least best where some claims have no upper bound."""
    df = df.copy()
    high = pd.to_numeric(df["high"], errors="coerce").fillna(0)
    best = pd.to_numeric(df["best"], errors="coerce").fillna(0)
    open_high = df["open_high"] if "open_high" in df else pd.Series(0, index=df.index)
    df["high_shown"] = high.where((open_high == 0) & df["high"].notna(), pd.concat([high, best], axis=1).max(axis=1))
    df["high_shown"] = df["high_shown"].astype("int64")
    return df


def kpi_table(by_cat_asset: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI category: people for killed…missing (claims without an asset), all assets for destroyed.
    ``high`` is only an upper bound where ``open_high`` is 0 (no claim without one)."""
    df = by_cat_asset
    people = df[df["asset"].isna() & df["category"].isin(PEOPLE)]
    destroyed = df[df["category"] == "destroyed"]
    both = pd.concat([people, destroyed])
    out = (both.groupby("category", as_index=False)[["claims", "low", "best", "high", "open_high"]]
           .sum(min_count=1))
    out = pd.DataFrame({"category": list(KPI_CATEGORIES)}).merge(out, on="category", how="left")
    for c in ("claims", "low", "best", "high", "open_high"):
        out[c] = out[c].fillna(0).astype("int64")
    return out


# ---------------------------------------------------------------- page data

def kpis(f: Filters, count: str = "incidents") -> pd.DataFrame:
    """Overview cards: category, claims, low, best, high, open_high. ``count="incidents"`` (the default, when the
    store has incidents) sums incidents instead (claims = incidents) and adds ``naive_best`` (every claim added)
    and ``factor`` (naive / incidents); ``count="claims"`` is the naive sum alone."""
    naive = kpi_table(_read("grouped", ("category", "asset"), f))
    if count != "incidents" or not incidents_ready():
        return naive
    inc = kpi_table(_read("incident_grouped", f))
    inc["naive_best"] = naive["best"]
    inc["factor"] = (naive["best"] / inc["best"].where(inc["best"] > 0)).astype("float64")
    return inc


def time_series(f: Filters, period: str, category: str) -> pd.DataFrame:
    """Per period × party for one category (people only, or all assets for destroyed): low, best, high_shown.
    Incidents (by their first date and victims' side) when the store has them, else claims."""
    fc = replace(f, categories=(category,)) if not f.categories or category in f.categories else None
    if fc is None:
        return pd.DataFrame(columns=["period", "party", "claims", "low", "best", "high", "open_high", "high_shown"])
    if incidents_ready():  # incidents helper: count each incident once (by its first date)
        df = _read("incident_series", fc, period)
    else:
        df = _read("series", fc, period, ("category", "asset", "party"))
    if category != "destroyed":
        df = df[df["asset"].isna()]
    df = (df.groupby(["period", df["party"].fillna("")], as_index=False, sort=True)
          [["claims", "low", "best", "high", "open_high"]].sum(min_count=1))
    df["party"] = df["party"].replace("", pd.NA)
    return with_high_shown(df)


def cumulative(f: Filters) -> pd.DataFrame:
    """Latest cumulative toll per claimant × category × party (× country)."""
    df = _read("latest_cumulative", f)
    if df.empty:
        return df.assign(high_shown=pd.Series(dtype="int64"))
    return with_high_shown(df.assign(open_high=df["high"].isna().astype(int)))


CUMULATIVE_SERIES_COLUMNS = ["claimant", "party", "country", "day", "claims", "low", "best", "high", "open_high",
                             "quote", "high_shown"]


def cumulative_series(f: Filters, category: str) -> pd.DataFrame:
    """Each claimant's running tolls of people in ``category`` over time, per party and country: the largest
    figure it gave each day, with its quote (empty for ``destroyed`` or a category the filters leave out)."""
    if category not in PEOPLE or (f.categories and category not in f.categories):
        return pd.DataFrame(columns=CUMULATIVE_SERIES_COLUMNS)
    return with_high_shown(_read("cumulative_series", f, category))


def claimant_figures(f: Filters) -> pd.DataFrame:
    """Figures about people per party × claimant × claimant type × category (tally sums)."""
    df = _read("grouped", ("party", "claimant", "claimant_type", "category", "asset"), f)
    df = df[df["asset"].isna()].drop(columns=["asset"])
    return with_high_shown(df)


def self_enemy(f: Filters) -> pd.DataFrame:
    """Per party: what sides report of their own losses (self_reported true) and of the enemy's (false)."""
    df = _read("grouped", ("party", "self_reported"), f)
    return df[df["self_reported"].notna()].reset_index(drop=True)


def claimant_types(f: Filters) -> pd.DataFrame:
    """Claims and tally per claimant type."""
    return _read("grouped", ("claimant_type",), f)


def equipment(f: Filters, period: str) -> pd.DataFrame:
    """Destroyed and captured equipment per period × category × asset × party (claims with an asset)."""
    cats = tuple(c for c in EQUIPMENT if not f.categories or c in f.categories)
    if not cats:
        return pd.DataFrame(columns=["period", "category", "asset", "party", "claims", "low", "best", "high"])
    df = _read("series", replace(f, categories=cats), period, ("category", "asset", "party"))
    return df[df["asset"].notna()].reset_index(drop=True)


def map_places(f: Filters) -> pd.DataFrame:
    """Place × category with coordinates, tally sums and the largest claim's evidence."""
    return _read("map_incidents", f)


def claims_page(f: Filters, limit: int, offset: int) -> pd.DataFrame:
    """One page of claims with their articles, newest first."""
    return _read("claims_page", f, limit, offset)


def article(article_id: str) -> dict[str, Any] | None:
    """An article with its text and claims."""
    return _read("article", article_id)


SERIES: dict[str, Callable[[Filters, str, str], pd.DataFrame]] = {
    "series_kpis": lambda f, period, category: kpis(f),
    "series_time": time_series,
    "series_cumulative": lambda f, period, category: cumulative(f),
    "series_cumulative_time": lambda f, period, category: cumulative_series(f, category),
    "series_claimants": lambda f, period, category: claimant_figures(f),
    "series_self_enemy": lambda f, period, category: self_enemy(f),
    "series_claimant_types": lambda f, period, category: claimant_types(f),
    "series_equipment": lambda f, period, category: equipment(f, period),
    "series_map": lambda f, period, category: map_places(f),
}
"""The data behind every chart, by the i18n key of its name (for the Export page): (filters, period, category)."""


# ---------------------------------------------------------------- writing

def build_demo(path: Path | None = None) -> int:
    """Build the database from data/demo through the store's ingest; returns the claims added."""
    report = ingest_paths([str(DEMO_DIR)], db_path=path or db_path(), workers=1, progress=False)
    return report.claims_added


def check_no_writer() -> None:
    """Raise StoreBusy at once when another process holds the database for writing."""
    path = db_path()
    if path.exists():
        with db.reader(path):
            pass


def save_texts(items: list[dict[str, Any]]) -> tuple[int, int]:
    """Ingest articles (dicts with text and id/title/date/outlet/url/lang) through the store's writer;
    returns (claims added, articles added). The writer connection is closed before this returns."""
    release_connection()
    check_no_writer()
    report = ingest_texts(items, db_path=db_path(), workers=1)
    st.cache_data.clear()
    return report.claims_added, report.added


# ---------------------------------------------------------------- shaping for pages (pure)

def parties_by_claimants(figs: pd.DataFrame) -> list[str]:
    """Parties, those told by the most claimants first, "" (party not stated) last."""
    n = figs.groupby(figs["party"].fillna(""))["claimant"].nunique().sort_values(ascending=False, kind="stable")
    return [p for p in n.index if p] + ([""] if "" in n.index else [])


def claimant_ranges(figs: pd.DataFrame, party: str, category: str) -> pd.DataFrame:
    """One party's losses in one category as each claimant tells them (``party`` "" means not stated)."""
    same_party = figs["party"].isna() if party == "" else figs["party"] == party
    return figs[same_party & (figs["category"] == category)].reset_index(drop=True)


def sum_by(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    """Claims and tally sums added up per ``cols`` (a missing value is a group of its own)."""
    return df.groupby(list(cols), as_index=False, dropna=False)[["claims", "low", "best", "high"]].sum(min_count=1)


def claimant_table(figs: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The claimant figures as a table with interface column names and value labels."""
    out = pd.DataFrame({
        t("col_party", lang): [actor_label(p, lang) for p in figs["party"]],
        t("col_claimant", lang): [actor_label(c, lang, "unknown_claimant") for c in figs["claimant"]],
        t("col_claimant_type", lang): [label("ct", c, lang) for c in figs["claimant_type"]],
        t("col_category", lang): [label("cat", c, lang) for c in figs["category"]],
        t("col_claims", lang): figs["claims"],
        t("col_best", lang): figs["best"],
        t("col_low", lang): figs["low"],
        t("col_high", lang): figs["high"].where(figs["open_high"] == 0),
    })
    return out


# ---------------------------------------------------------------- exports

MIME = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


def to_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """A frame as CSV (UTF-8 with BOM, formula-safe) or Parquet, through the store's export code."""
    return export.to_bytes(df, fmt)


def export_file(what: str, f: Filters, fmt: str) -> Callable[[], bytes]:
    """The file of the store's export ``what`` (claims or articles) under ``f``, made only when called
    (Streamlit calls it when the download button is pressed), from a fresh read-only connection."""
    def make() -> bytes:
        return export.to_bytes(read_uncached(export.query, what, f), fmt)

    return make


# ---------------------------------------------------------------- adding articles

UPLOAD_PREFIX = "upload/"


def upload_articles(files: list[tuple[str, bytes]]) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Uploaded files (name, bytes) read by the store's readers: article dicts for ingest_texts (id, text,
    title, outlet, url, date, lang) and (file, reason) for what could not be read."""
    items: list[dict[str, Any]] = []
    rejected: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="tally-upload-") as tmp:
        for i, (name, raw) in enumerate(files):
            safe = Path(name).name or f"upload-{i}"
            folder = Path(tmp) / str(i)
            folder.mkdir()
            path = folder / safe
            path.write_bytes(raw)
            for a in read_file(str(path)):
                if isinstance(a, Rejection):
                    rejected.append((safe, a.reason))
                    continue
                doc = str(a["doc"]).replace(str(path), UPLOAD_PREFIX + safe)
                items.append({"id": doc, "text": a["text"], "title": a.get("title"), "outlet": a.get("outlet"),
                              "url": a.get("url"), "date": a.get("published"), "lang": a.get("lang")})
    return items, rejected


@st.cache_data(show_spinner=False, max_entries=64)
def preview_claims(text: str, published: Any = None) -> pd.DataFrame:
    """The claims the extractor finds in ``text`` (not stored), one row per claim with the spec's fields."""
    found = extract_claims(text, doc="", published=published)
    return pd.DataFrame([c.to_dict() for c in found], columns=list(FIELD_NAMES))


def preview_table(found: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Claims found in a pasted text, as a short table with interface column names."""
    rng = [f"{lo}–{'?' if hi is None or hi != hi else int(hi)}" for lo, hi in zip(found["low"], found["high"])]
    return pd.DataFrame({
        t("col_figure", lang): found["quote"],
        t("col_category", lang): [label("cat", c, lang) for c in found["category"]],
        t("col_best", lang): found["best"],
        t("col_range", lang): rng,
        t("col_victims", lang): found["victims"],
        t("col_claimant", lang): found["claimant"].fillna(found["claimed_by"]),
        t("col_place", lang): found["place"].fillna(found["location"]),
    })


def text_lang(text: str) -> str:
    """The language of a text (ar or en)."""
    return detect_lang(text)


# ---------------------------------------------------------------- incidents (added by the incidents helper)

def incidents_ready() -> bool:
    """True when the store has incident tables (a database written before they existed has none until the next
    ingest or a regroup)."""
    return _read("incidents_ready")


def incident_tally(f: Filters) -> pd.DataFrame:
    """Per category: incidents, their summed best/low/high, the naive sum of all claims and the factor."""
    return _read("incident_tally", f)


def incidents_page(f: Filters, limit: int, offset: int, order: str = "best") -> pd.DataFrame:
    """One page of incidents matching the filters."""
    return _read("incidents_page", f, limit, offset, order)


def incident_members(incident_id: str) -> pd.DataFrame:
    """An incident's claims with role, reason and article."""
    return _read("incident_members", incident_id)


def incident_overrides() -> pd.DataFrame:
    """The analysts' splits and merges."""
    return _read("incident_overrides")


def change_incidents(kind: str, sides: dict[str, str | None] | None = None, remove: str | None = None) -> None:
    """Record a split/merge (``sides``: claim_id -> 'a'|'b'|None) or remove the override ``remove``, then regroup
    (through the store's writer; the connection is closed before this returns)."""
    check_no_writer()
    with db.writer(db_path()) as con:
        if remove is not None:
            db.delete_incident_override(con, remove)
            db.regroup_incidents(con)
        else:
            db.add_incident_override(con, kind, sides or {})
            db.regroup_incidents(con, db.claim_blocks(con, list(sides or {})))
    st.cache_data.clear()


def regroup_all() -> int:
    """Regroup every claim (also creates the incident tables in an older database); returns the incidents."""
    check_no_writer()
    with db.writer(db_path()) as con:
        n = db.regroup_incidents(con)
    st.cache_data.clear()
    return n
