"""Every SQL statement of the project, parameterised: the schema runner, ingest's writes, the dashboard's reads.

DuckDB allows one writing process or many reading ones. Readers open short read-only connections
(:func:`reader`); ingest opens the writer (:func:`writer`) only to commit a batch. A store that is missing
or held by another process raises :class:`StoreMissing` or :class:`StoreBusy`, with a message fit to show.
"""
from __future__ import annotations

import ctypes
import re
import time
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from extract.claim import FIELD_NAMES
from extract.incidents import (FIGURE_COLUMNS, INCIDENT_COLUMNS, MEMBER_COLUMNS, IncidentIndex, Settings,
                               _default_resolver, group)

DEFAULT_DB = Path("data/tally.duckdb")
SCHEMA_FILE = Path(__file__).with_name("schema.sql")
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BASE_VERSION = 1

ARTICLES = "count(DISTINCT hash(c.article_id))"
"""Distinct articles among claims (hashing first halves the cost; a 64-bit collision is negligible)."""
TALLIED = "c.scope = 'incident' AND c.subgroup_of IS NULL AND c.repeats IS NULL"
"""The tally rule: only these claims are summed (cumulative tolls, sub-groups and restatements are not)."""

PERIODS = ("day", "week", "month", "quarter", "year")
_SERIES_BY = ("category", "party", "asset", "country", "claimant", "claimant_type", "victim_type", "lang")
BREAKDOWNS = ("party", "category", "asset", "place", "country", "claimant", "claimant_type", "victim_type", "lang",
              "scope")
ORDERS = {"day": 'c."day"', "best": "c.best", "confidence": "c.confidence", "category": "c.category",
          "party": "c.party", "claimant": "c.claimant", "published": "c.published"}


def _q(name: str) -> str:
    return f'"{name}"'


CLAIM_COLUMNS = ", ".join(f"c.{_q(n)}" for n in FIELD_NAMES)
ARTICLE_COLUMNS = "a.id, a.doc, a.title, a.lang, a.published, a.outlet, a.url, a.origin, a.ingested_at, " \
                  "a.run_id, a.extractor_version, a.n_claims"


class StoreError(RuntimeError):
    """A store that cannot be used right now; the message says why, in words fit for the dashboard."""


class StoreMissing(StoreError):
    """No database file at the path (nothing ingested yet)."""


class StoreBusy(StoreError):
    """Another process holds the database (an ingest is writing, or readers hold it while we want to write)."""


# ---------------------------------------------------------------- connections and schema

_LOCK_WORDS = re.compile(r"lock|different configuration|being used by another process", re.I)


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except (duckdb.IOException, duckdb.ConnectionException) as e:
        if _LOCK_WORDS.search(str(e)):
            raise StoreBusy(f"The database {path} is in use by another process (an ingest may be writing); "
                            "try again in a moment.") from e
        raise StoreError(f"The database {path} cannot be opened: {e}") from e


@contextmanager
def reader(path: str | Path = DEFAULT_DB) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection; raises StoreMissing or StoreBusy. Close it soon: it blocks writers."""
    path = Path(path)
    if not path.is_file():
        raise StoreMissing(f"No database at {path}: ingest articles first (python -m extract ingest PATH --db {path}).")
    con = _connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def writer(path: str | Path = DEFAULT_DB, wait: float = 30.0, threads: int | None = None,
           memory_limit: str | None = None, vacuum: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """The write connection, schema brought up to date; waits up to ``wait`` s for readers to let go. ``threads``
    caps DuckDB's threads (ingest's commits gain nothing from more while its workers hold the cores);
    ``memory_limit`` (e.g. '64MB') its buffer pool, beyond which it evicts cached blocks and spills. Without
    ``vacuum``, the checkpoint at close writes the rows appended since the last one as row groups of their own
    instead of merging them into the table's last row group, which it would rewrite whole (for an ingest batch that
    only appends, a checkpoint then costs the batch's rows, not the table's). Once it closes, the pages DuckDB
    freed go back to the system."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            con = _connect(path, read_only=False)
            break
        except StoreBusy:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit):
                raise ValueError(f"memory_limit must be a size like '64MB', not {memory_limit!r}")
            con.execute(f"SET memory_limit = '{memory_limit}'")
        if not vacuum:
            con.execute("SET max_vacuum_tasks = 0")
        migrate(con)
        yield con
    finally:
        con.close()
        _trim_heap()


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, tables: dict[str, Any]) -> Iterator[None]:
    """``tables`` (name -> Arrow table or DataFrame) readable by name in the statements of the block."""
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield
    except BaseException:
        with suppress(duckdb.TransactionException):  # a failed transaction refuses even this; its rollback drops them
            _unregister(con, tables)
        raise
    _unregister(con, tables)


def _unregister(con: duckdb.DuckDBPyConnection, tables: dict[str, Any]) -> None:
    for name in tables:
        con.unregister(name)


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection, tables: dict[str, Any] | None = None) -> Iterator[None]:
    """One transaction, with ``tables`` registered for its statements: committed when the block ends, rolled back
    on any exception (which is re-raised)."""
    with _registered(con, tables or {}):
        con.execute("BEGIN TRANSACTION")
        try:
            yield
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def migrations() -> list[tuple[int, str, Path]]:
    """(version, name, file) of the base schema and of every migrations/NNN_*.sql, in order."""
    found = [(BASE_VERSION, SCHEMA_FILE.name, SCHEMA_FILE)]
    for f in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = re.match(r"(\d+)_", f.name)
        if not m:
            raise StoreError(f"migration file {f.name} must be named NNN_name.sql")
        found.append((int(m.group(1)), f.name, f))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise StoreError(f"two schema files share a version number: {sorted(n for _, n, _ in found)}")
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the base schema and each migration not yet recorded, each in its own transaction."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    applied = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
    done = []
    for version, name, path in migrations():
        if version in applied:
            continue
        with _transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
        done.append(version)
    return done


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied schema version (0 for an empty database)."""
    try:
        return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    except duckdb.CatalogException:
        return 0


# ---------------------------------------------------------------- writes (ingest)

@dataclass
class RunInfo:
    """An ingest run as its row starts: ``run_id`` is None until its first batch lands."""

    paths: Sequence[str]
    extractor_version: str
    started_at: datetime = field(default_factory=datetime.now)
    run_id: int | None = None


def stored_versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Article id → extractor version of its stored claims."""
    return dict(con.execute("SELECT id, extractor_version FROM articles").fetchall())


def write_batch(con: duckdb.DuckDBPyConnection, run: RunInfo, articles: pa.Table, claims: pa.Table,
                replace: Sequence[str] = (), seen: int = 0, skipped: int = 0,
                rejections: Sequence[tuple[str, str]] = (), finished: bool = False) -> dict[str, int]:
    """Land one batch in one transaction: the new articles of ``articles`` with their ``claims``, the claims of
    the ``replace`` ids replaced (re-extraction), and the run's row (inserted with the first batch, which sets
    ``run.run_id``; later batches add to its counts). ``seen``: documents read for this batch; ``skipped``:
    duplicates found before extraction. Returns what landed: added, reextracted, duplicates, claims_added."""
    tables = {"batch_articles": articles, "batch_claims": claims,
              "batch_replace": pa.table({"id": pa.array(list(replace), pa.string())})}
    with _transaction(con, tables):
        if run.run_id is None:
            run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchone()[0]
            con.execute("INSERT INTO ingest_runs VALUES (?, ?, now(), NULL, ?, ?, 0, 0, 0, 0, 0, 0, [])",
                        [run_id, run.started_at, run.extractor_version, list(run.paths)])
        else:
            run_id = run.run_id
        con.execute("CREATE OR REPLACE TEMP TABLE batch_new AS SELECT id FROM batch_articles "
                    "WHERE id NOT IN (SELECT id FROM articles) AND id NOT IN (SELECT id FROM batch_replace)")
        added = con.execute("INSERT INTO articles BY NAME SELECT *, now() AS ingested_at, ? AS run_id "
                            "FROM batch_articles WHERE id IN (SELECT id FROM batch_new)", [run_id]).fetchone()[0]
        if replace:
            con.execute("DELETE FROM claims WHERE article_id IN (SELECT id FROM batch_replace)")
            con.execute("UPDATE articles SET extractor_version = b.extractor_version, n_claims = b.n_claims, "
                        "run_id = ? FROM batch_articles b WHERE articles.id = b.id "
                        "AND b.id IN (SELECT id FROM batch_replace)", [run_id])
        claims_added = con.execute(
            "INSERT INTO claims BY NAME SELECT c.*, a.published, coalesce(c.event_date, a.published) AS \"day\", "
            "? AS run_id FROM batch_claims c JOIN batch_articles a ON a.id = c.article_id "
            "WHERE c.article_id IN (SELECT id FROM batch_new UNION ALL SELECT id FROM batch_replace)",
            [run_id]).fetchone()[0]
        con.execute("DROP TABLE batch_new")
        duplicates = skipped + articles.num_rows - added - len(replace)
        con.execute(
            "UPDATE ingest_runs SET updated_at = now(), finished_at = CASE WHEN ? THEN now() END, "
            "seen = seen + ?, added = added + ?, duplicates = duplicates + ?, reextracted = reextracted + ?, "
            "claims_added = claims_added + ?, rejected = rejected + ?, "
            "rejections = list_concat(rejections, ?::STRUCT(origin VARCHAR, reason VARCHAR)[]) WHERE run_id = ?",
            [finished, seen, added, duplicates, len(replace), claims_added, len(rejections),
             [{"origin": o, "reason": r} for o, r in rejections], run_id])
    run.run_id = run_id
    return {"added": added, "reextracted": len(replace), "duplicates": duplicates, "claims_added": claims_added}


# ---------------------------------------------------------------- filters

@dataclass(frozen=True)
class Filters:
    """The dashboard's filters (and the export's). Empty tuples and None mean "any"."""

    date_from: date | None = None
    date_to: date | None = None
    countries: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    victim_types: tuple[str, ...] = ()
    claimants: tuple[str, ...] = ()
    claimant_types: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    exact_only: bool = False
    min_confidence: float | None = None

    def __post_init__(self) -> None:
        for name in LIST_FILTERS:
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value or ()))

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return self == Filters()


LIST_FILTERS = {"countries": "country", "places": "place", "categories": "category", "assets": "asset",
                "parties": "party", "victim_types": "victim_type", "claimants": "claimant",
                "claimant_types": "claimant_type", "langs": "lang", "scopes": "scope"}
"""Filters field → claims column."""


def where(f: Filters | None, extra: str = "") -> tuple[str, list[Any]]:
    """The WHERE clause (on claims aliased ``c``) and its parameters; only set filters add a condition."""
    f = f or Filters()
    conds: list[str] = [extra] if extra else []
    params: list[Any] = []
    if f.date_from is not None:
        conds.append('c."day" >= ?')
        params.append(f.date_from)
    if f.date_to is not None:
        conds.append('c."day" <= ?')
        params.append(f.date_to)
    for name, column in LIST_FILTERS.items():
        values = getattr(f, name)
        if values:
            conds.append(f"c.{_q(column)} IN (SELECT unnest(?::VARCHAR[]))")
            params.append(list(values))
    if f.exact_only:
        conds.append("c.qualifier = 'exact'")
    if f.min_confidence is not None:
        conds.append("c.confidence >= ?")
        params.append(float(f.min_confidence))
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


def _check(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


# ---------------------------------------------------------------- reads (dashboard, export)

def fingerprint(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """Changes whenever an ingest lands anything: a cache key for the dashboard."""
    return con.execute(
        "SELECT (SELECT max(run_id) FROM ingest_runs), (SELECT max(updated_at) FROM ingest_runs), "
        "(SELECT count(*) FROM articles), (SELECT count(*) FROM claims)").fetchone()


def _sums(cond: str = "") -> str:
    """Columns low, best, high (sums) and open_high (claims without an upper bound) over the claims meeting
    ``cond`` (all of the group when empty)."""
    only = f" FILTER ({cond})" if cond else ""
    return (f"coalesce(CAST(sum(c.low){only} AS BIGINT), 0) AS low, "
            f"coalesce(CAST(sum(c.best){only} AS BIGINT), 0) AS best, CAST(sum(c.high){only} AS BIGINT) AS high, "
            f"count(*) FILTER ({cond + ' AND ' if cond else ''}c.high IS NULL) AS open_high")


def counts(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> dict[str, int]:
    """Claims and articles matching the filters, and the tally: low, best, high (sums under the tally rule)
    and open_high (tallied claims without an upper bound)."""
    w, p = where(f)
    cur = con.execute(f"SELECT count(*) AS claims, {ARTICLES} AS articles, {_sums(TALLIED)} FROM claims c{w}", p)
    row = cur.fetchone()
    return {d[0]: int(v or 0) for d, v in zip(cur.description, row)}


def claims_page(con: duckdb.DuckDBPyConnection, f: Filters | None = None, limit: int = 50, offset: int = 0,
                order: str = "day", descending: bool = True) -> pd.DataFrame:
    """One page of matching claims (every spec field, article_id, day) with the article's title, outlet,
    published and url. Ties keep the store's order (row id: a cheap, stable tie-breaker between writes)."""
    _check(order, tuple(ORDERS), "order")
    w, p = where(f)
    key = f"{ORDERS[order]} {'DESC' if descending else 'ASC'} NULLS LAST, c.rowid"
    return con.execute(  # the page's rows by their sort key alone, then their columns, then their articles
        f"WITH page AS (SELECT c.rowid AS row_id FROM claims c{w} ORDER BY {key} LIMIT ? OFFSET ?), "
        f"r AS (SELECT {CLAIM_COLUMNS}, c.article_id, c.\"day\", c.rowid AS row_id FROM claims c "
        "WHERE c.rowid IN (SELECT row_id FROM page)) "
        "SELECT r.* EXCLUDE (row_id), a.title, a.outlet, a.published, a.url FROM r "
        "LEFT JOIN (SELECT * FROM articles WHERE id IN (SELECT article_id FROM r)) a ON a.id = r.article_id "
        f"ORDER BY {key.replace('c.', 'r.').replace('r.rowid', 'r.row_id')}",
        p + [int(limit), int(offset)]).df(date_as_object=True)


def series(con: duckdb.DuckDBPyConnection, f: Filters | None = None, period: str = "month",
           by: Sequence[str] = ("category", "party")) -> pd.DataFrame:
    """Sums of low/best/high per period × ``by`` columns under the tally rule (claims without a date are left
    out). Columns: period, *by, claims, low, best, high, open_high (claims with no upper bound)."""
    _check(period, PERIODS, "period")
    cols = ", ".join(f"c.{_q(_check(b, _SERIES_BY, 'series column'))}" for b in by)
    w, p = where(f, f'{TALLIED} AND c."day" IS NOT NULL')
    group = f"period, {cols}" if cols else "period"
    return con.execute(
        f"SELECT CAST(date_trunc(?, c.\"day\") AS DATE) AS period{', ' + cols if cols else ''}, count(*) AS claims, "
        f"{_sums()} FROM claims c{w} GROUP BY {group} ORDER BY {group}", [period] + p).df(date_as_object=True)


def equipment_series(con: duckdb.DuckDBPyConnection, f: Filters | None = None, period: str = "month") -> pd.DataFrame:
    """Destroyed and captured equipment (claims with an asset) per period × category × asset under the tally
    rule: claims, low, best, high, open_high."""
    _check(period, PERIODS, "period")
    w, p = where(f, f"{TALLIED} AND c.asset IS NOT NULL AND c.category IN ('destroyed', 'captured') "
                    'AND c."day" IS NOT NULL')
    return con.execute(
        "SELECT CAST(date_trunc(?, c.\"day\") AS DATE) AS period, c.category, c.asset, count(*) AS claims, "
        f"{_sums()} FROM claims c{w} GROUP BY ALL ORDER BY period, c.category, c.asset",
        [period] + p).df(date_as_object=True)


def cumulative_series(con: duckdb.DuckDBPyConnection, f: Filters | None = None, category: str = "killed"
                      ) -> pd.DataFrame:
    """Each claimant's running tolls of people in one category over time (the scope filter is ignored; tolls
    without a date are left out): per claimant × party × country × day, the largest figure given that day, with
    its quote. Columns: claimant, party, country, day, claims, low, best, high, open_high, quote."""
    w, p = where(replace(f or Filters(), scopes=("cumulative",), categories=(category,)),
                 'c."day" IS NOT NULL AND c.asset IS NULL')
    return con.execute(
        "WITH d AS (SELECT c.claimant, c.party, c.country, c.\"day\", count(*) AS claims, "
        "arg_max({'low': c.low, 'best': c.best, 'high': c.high, 'quote': c.quote}, (c.best, c.claim_id)) AS r "
        f"FROM claims c{w} GROUP BY c.claimant, c.party, c.country, c.\"day\") "
        "SELECT claimant, party, country, \"day\", claims, r.low, r.best, r.high, "
        "CAST(r.high IS NULL AS INTEGER) AS open_high, r.quote FROM d "
        "ORDER BY claimant NULLS LAST, party NULLS LAST, country NULLS LAST, \"day\"", p
    ).df(date_as_object=True)


def latest_cumulative(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> pd.DataFrame:
    """The latest cumulative toll of each claimant per category, asset, party and country (the scope filter is
    ignored): the claim with the latest day, then the largest figure."""
    w, p = where(replace(f or Filters(), scopes=("cumulative",)))
    return con.execute(
        "WITH latest AS (SELECT c.claimant, c.category, c.asset, c.party, c.country, "
        "arg_max({'claimant_type': c.claimant_type, 'day': c.\"day\", 'low': c.low, 'best': c.best, 'high': c.high, "
        "'qualifier': c.qualifier, 'quote': c.quote, 'claim_id': c.claim_id, 'article_id': c.article_id}, "
        "(coalesce(c.\"day\", DATE '0001-01-01'), c.best, c.claim_id)) AS r "
        f"FROM claims c{w} GROUP BY c.claimant, c.category, c.asset, c.party, c.country) "
        "SELECT claimant, r.claimant_type, category, asset, party, country, r.\"day\", r.low, r.best, r.high, "
        "r.qualifier, r.quote, r.claim_id, r.article_id FROM latest ORDER BY r.best DESC, claimant", p
    ).df(date_as_object=True)


def breakdown(con: duckdb.DuckDBPyConnection, by: str, f: Filters | None = None,
              limit: int | None = None) -> pd.DataFrame:
    """Per value of ``by`` (one of BREAKDOWNS): claims and the tally sums (low, best, high, open_high), largest
    best first. (Distinct articles per value are left out: they cost more than all the rest.)"""
    col = f"c.{_q(_check(by, BREAKDOWNS, 'breakdown'))}"
    w, p = where(f)
    sql = (f"SELECT {col} AS {_q(by)}, count(*) AS claims, {_sums(TALLIED)} FROM claims c{w} GROUP BY {col} "
           f"ORDER BY best DESC, claims DESC, {col} NULLS LAST")
    if limit is not None:
        sql += " LIMIT ?"
        p = p + [int(limit)]
    return con.execute(sql, p).df(date_as_object=True)


def map_points(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> pd.DataFrame:
    """Claims with coordinates, grouped by place: place, country, lat, lon, claims, and the tally sums."""
    w, p = where(f, "c.lat IS NOT NULL AND c.lon IS NOT NULL")
    return con.execute(
        f"SELECT c.place, c.country, c.lat, c.lon, count(*) AS claims, {_sums(TALLIED)} FROM claims c{w} "
        "GROUP BY c.place, c.country, c.lat, c.lon ORDER BY best DESC, c.place", p).df(date_as_object=True)


def filter_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """For each list filter of Filters, the values present in the store (most frequent first)."""
    parts = " UNION ALL ".join(
        f"SELECT '{name}' AS filter, {_q(col)} AS value, count(*) AS n FROM claims "
        f"WHERE {_q(col)} IS NOT NULL GROUP BY {_q(col)}" for name, col in LIST_FILTERS.items())
    out: dict[str, list[str]] = {name: [] for name in LIST_FILTERS}
    for name, value, _ in con.execute(f"{parts} ORDER BY filter, n DESC, value").fetchall():
        out[name].append(value)
    return out


def date_bounds(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """The first and last claim day in the store."""
    return con.execute('SELECT min("day"), max("day") FROM claims').fetchone()


def article(con: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, Any] | None:
    """An article (all its columns, text included) with its claims (DataFrame, in text order), or None."""
    cur = con.execute(f"SELECT {ARTICLE_COLUMNS}, a.text FROM articles a WHERE a.id = ?", [article_id])
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip([d[0] for d in cur.description], row))
    out["claims"] = con.execute(
        f"SELECT {CLAIM_COLUMNS}, c.article_id, c.\"day\" FROM claims c WHERE c.article_id = ? "
        "ORDER BY c.\"start\", c.\"end\", c.claim_id", [article_id]).df(date_as_object=True)
    return out


def runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pd.DataFrame:
    """The latest ingest runs, newest first."""
    return con.execute("SELECT * FROM ingest_runs ORDER BY run_id DESC LIMIT ?", [int(limit)]).df(date_as_object=True)


EXPORTS = ("claims", "articles", "tally")


def _export_sql(what: str, f: Filters | None) -> tuple[str, list[Any]]:
    if what == "claims":
        w, p = where(f)
        return (f"SELECT {CLAIM_COLUMNS}, c.article_id, c.\"day\", a.title, a.outlet, a.published, a.url "
                f"FROM claims c LEFT JOIN articles a ON a.id = c.article_id{w} "
                "ORDER BY c.\"day\" NULLS LAST, c.claim_id", p)
    if what == "articles":
        if f is None or f.is_empty():
            return f"SELECT {ARTICLE_COLUMNS}, a.text FROM articles a ORDER BY a.published NULLS LAST, a.id", []
        w, p = where(f)
        return (f"SELECT {ARTICLE_COLUMNS}, a.text FROM articles a "
                f"WHERE a.id IN (SELECT c.article_id FROM claims c{w}) ORDER BY a.published NULLS LAST, a.id", p)
    if what == "tally":
        w, p = where(f, TALLIED)
        return (f"SELECT c.category, c.asset, c.party, count(*) AS claims, {ARTICLES} AS articles, {_sums()} "
                f"FROM claims c{w} GROUP BY ALL ORDER BY c.category, c.asset NULLS FIRST, best DESC, c.party", p)
    raise ValueError(f"what must be one of {', '.join(EXPORTS)}, not {what!r}")


def export_table(con: duckdb.DuckDBPyConnection, what: str, f: Filters | None = None) -> pa.Table:
    """The rows of the export ``what`` (claims, articles, tally) as an Arrow table: the fast form for files."""
    sql, p = _export_sql(what, f)
    cur = con.cursor()  # a relation of its own: earlier results on ``con`` may be unfinished
    try:
        return cur.sql(sql, params=p).to_arrow_table()
    finally:
        cur.close()


def export_claims(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> pd.DataFrame:
    """Every matching claim (spec fields, article_id, day, article title/outlet/published/url), by day."""
    sql, p = _export_sql("claims", f)
    return con.execute(sql, p).df(date_as_object=True)


def export_articles(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> pd.DataFrame:
    """Articles (text included); with filters set, those having at least one matching claim."""
    sql, p = _export_sql("articles", f)
    return con.execute(sql, p).df(date_as_object=True)


def export_tally(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> pd.DataFrame:
    """The tally per category × asset × party: claims, articles, sums of low/best/high, claims with no upper bound."""
    sql, p = _export_sql("tally", f)
    return con.execute(sql, p).df(date_as_object=True)


def digest(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent content hash of each table (to prove a database unchanged)."""
    out = {}
    for table in ("articles", "claims", "ingest_runs", "schema_version"):
        n, h = con.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {table} t").fetchone()
        out[table] = (int(n), int(h))
    return out


# ---------------------------------------------------------------- dashboard reads (added by the dashboard helper)

_GROUP_BY = BREAKDOWNS + ("self_reported",)


def claim_count(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> int:
    """How many claims match the filters (cheaper than counts: no distinct articles, no sums)."""
    w, p = where(f)
    return int(con.execute(f"SELECT count(*) FROM claims c{w}", p).fetchone()[0])


def grouped(con: duckdb.DuckDBPyConnection, by: Sequence[str], f: Filters | None = None) -> pd.DataFrame:
    """Per combination of ``by`` columns (BREAKDOWNS or self_reported): claims and the tally sums low/best/high
    with open_high (tallied claims with no upper bound). Ordered by best, largest first."""
    cols = ", ".join(f"c.{_q(_check(b, _GROUP_BY, 'group column'))}" for b in by)
    w, p = where(f)
    return con.execute(
        f"SELECT {cols}, count(*) AS claims, "
        f"coalesce(CAST(sum(c.low) FILTER ({TALLIED}) AS BIGINT), 0) AS low, coalesce(CAST(sum(c.best) FILTER ({TALLIED}) AS BIGINT), 0) AS best, "
        f"CAST(sum(c.high) FILTER ({TALLIED}) AS BIGINT) AS high, count(*) FILTER ({TALLIED} AND c.high IS NULL) AS open_high "
        f"FROM claims c{w} GROUP BY {cols} ORDER BY best DESC, claims DESC, {cols}", p).df(date_as_object=True)


def map_incidents(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> pd.DataFrame:
    """Claims with coordinates per place × category: claims, first/last day, tally sums, and the evidence of its
    largest claim (sentence, quote, claimant, lang)."""
    w, p = where(f, "c.lat IS NOT NULL AND c.lon IS NOT NULL")
    return con.execute(
        "SELECT c.place, c.country, c.lat, c.lon, c.category, count(*) AS claims, "
        'min(c."day") AS first_day, max(c."day") AS last_day, '
        f"coalesce(CAST(sum(c.low) FILTER ({TALLIED}) AS BIGINT), 0) AS low, coalesce(CAST(sum(c.best) FILTER ({TALLIED}) AS BIGINT), 0) AS best, "
        f"CAST(sum(c.high) FILTER ({TALLIED}) AS BIGINT) AS high, "
        "arg_max(c.sentence, c.best) AS sentence, arg_max(c.quote, c.best) AS quote, "
        "arg_max(coalesce(c.claimant, c.claimed_by), c.best) AS claimant, arg_max(c.lang, c.best) AS lang "
        f"FROM claims c{w} GROUP BY c.place, c.country, c.lat, c.lon, c.category ORDER BY best DESC, c.place", p).df(date_as_object=True)


# ---------------------------------------------------------------- incidents (added by the incidents helper; docs/incidents.md)

INCIDENT_INPUT = ("claim_id", "doc", "category", "asset", "low", "best", "high", "qualifier", "victim_type", "party",
                  "claimant", "claimed_by", "claimant_type", "self_reported", "confidence", "place", "country", "lat",
                  "lon", "event_date", "published", "scope", "subgroup_of", "repeats")
"""The claims columns the grouping reads."""
INCIDENT_ORDERS = {"best": "i.best", "first_date": "i.first_date", "n_claims": "i.n_claims",
                   "spread": "(i.spread_high - i.spread_low)", "n_docs": "i.n_docs"}
Block = tuple[str, str, str]
"""(category, asset or '', country or ''): the unit of regrouping."""


_IN_BLOCK = "b.category = c.category AND b.asset = coalesce(c.asset, '') AND b.country = coalesce(c.country, '')"
"""Join condition: claim ``c`` is in block ``b`` (a row of a table made by ``_blocks_table``)."""
_INPUT_COLUMNS = ", ".join(f"c.{_q(n)}" for n in INCIDENT_INPUT)


def _blocks_table(blocks: Sequence[Block]) -> pa.Table:
    cat, asset, country = zip(*blocks) if blocks else ((), (), ())
    return pa.table({"category": pa.array(cat, pa.string()), "asset": pa.array(asset, pa.string()),
                     "country": pa.array(country, pa.string())})


def incident_input(con: duckdb.DuckDBPyConnection, blocks: Sequence[Block] | None = None) -> pd.DataFrame:
    """The claims to group (all, or those of ``blocks``)."""
    cols = _INPUT_COLUMNS
    if blocks is None:
        return con.execute(f"SELECT {cols} FROM claims c").df(date_as_object=True)
    with _registered(con, {"incident_blocks": _blocks_table(blocks)}):
        return con.execute(f"SELECT {cols} FROM claims c JOIN incident_blocks b ON {_IN_BLOCK}").df(date_as_object=True)


def claim_blocks(con: duckdb.DuckDBPyConnection, claim_ids: Sequence[str]) -> list[Block]:
    """The blocks of some claims."""
    return [tuple(r) for r in con.execute(
        "SELECT DISTINCT category, coalesce(asset, ''), coalesce(country, '') FROM claims "
        "WHERE claim_id IN (SELECT unnest(?::VARCHAR[]))", [list(claim_ids)]).fetchall()]


def stale_incident_blocks(con: duckdb.DuckDBPyConnection) -> list[Block]:
    """Blocks of incidents that hold claims no longer stored (re-extracted articles)."""
    return [tuple(r) for r in con.execute(
        "SELECT DISTINCT i.category, coalesce(i.asset, ''), coalesce(i.country, '') FROM incidents i "
        "JOIN incident_claims ic USING (incident_id) WHERE ic.claim_id NOT IN (SELECT claim_id FROM claims)").fetchall()]


def incident_overrides(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every analyst override: override_id, kind, seq, claim_id, side, note, created_at."""
    return con.execute("SELECT override_id, kind, seq, claim_id, side, note, created_at FROM incident_overrides "
                       "ORDER BY seq, claim_id").df()


def add_incident_override(con: duckdb.DuckDBPyConnection, kind: str, sides: dict[str, str | None],
                          note: str | None = None) -> str:
    """Record a split (claim_id -> 'a' | 'b') or a merge (claim_id -> None); returns the override id."""
    _check(kind, ("split", "merge"), "override kind")
    seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM incident_overrides").fetchone()[0]
    oid = f"{kind}-{seq}"
    con.executemany("INSERT INTO incident_overrides VALUES (?, ?, ?, ?, ?, ?, now())",
                    [[oid, kind, seq, cid, side, note] for cid, side in sides.items()])
    return oid


def delete_incident_override(con: duckdb.DuckDBPyConnection, override_id: str) -> None:
    """Remove an override (regroup afterwards)."""
    con.execute("DELETE FROM incident_overrides WHERE override_id = ?", [override_id])


def replace_incidents(con: duckdb.DuckDBPyConnection, incidents: pd.DataFrame, members: pd.DataFrame) -> None:
    """Swap in a regrouping of every claim, in one transaction."""
    with _transaction(con):
        con.execute("DELETE FROM incident_claims")
        con.execute("DELETE FROM incidents")
        _insert_incidents(con, incidents, members)


def _insert_incidents(con: duckdb.DuckDBPyConnection, incidents: pd.DataFrame | pa.Table,
                      members: pd.DataFrame | pa.Table) -> None:
    """Write incidents and their memberships (inside the caller's transaction), first deleting the memberships of
    the same claims, incidents with the same ids, and an incident that this leaves without members. Each lookup
    is built on the new rows, never on a whole table."""
    with _registered(con, {"new_incidents": incidents, "new_members": members}):
        left = sorted({iid for iid, in con.execute("DELETE FROM incident_claims WHERE claim_id IN "
                                                    "(SELECT claim_id FROM new_members) RETURNING incident_id"
                                                    ).fetchall()})
        if left:  # the incidents those memberships were in: deleted too if that left them without members
            con.execute("DELETE FROM incidents WHERE incident_id IN (SELECT incident_id FROM new_incidents) "
                        "OR (incident_id IN (SELECT unnest(?::VARCHAR[])) AND incident_id NOT IN (SELECT incident_id "
                        "FROM incident_claims WHERE incident_id IN (SELECT unnest(?::VARCHAR[]))))", [left, left])
        else:
            con.execute("DELETE FROM incidents WHERE incident_id IN (SELECT incident_id FROM new_incidents)")
        con.execute("INSERT INTO incidents BY NAME SELECT *, category || '|' || coalesce(asset, '') || '|' || "
                    "coalesce(country, '') AS block FROM new_incidents")
        con.execute("INSERT INTO incident_claims BY NAME SELECT * FROM new_members")


def _merge_blocks(con: duckdb.DuckDBPyConnection) -> dict[str, set[Block]]:
    """merge override id -> the blocks of its claims."""
    out: dict[str, set[Block]] = {}
    for oid, *block in con.execute(
            "SELECT DISTINCT o.override_id, c.category, coalesce(c.asset, ''), coalesce(c.country, '') "
            "FROM incident_overrides o JOIN claims c USING (claim_id) WHERE o.kind = 'merge'").fetchall():
        out.setdefault(oid, set()).add(tuple(block))
    return out


def _block_units(con: duckdb.DuckDBPyConnection, blocks: Sequence[Block], merges: dict[str, set[Block]],
                 pool: Any = None) -> list[list[Block]]:
    """Split ``blocks`` into units that group independently of each other, so that grouping them one by one gives
    what grouping them all at once gives. Blocks go in one unit when a merge override holds claims of both, when a
    sub-group or repeat follows a claim in each, or when a claim's place resolves (through the gazetteer) to
    another block's country, which is the country the grouping sweeps it under. With a ``pool``, the places are
    resolved in one of its processes (which loads the gazetteer to group windows anyway) while this one reads
    the sub-groups."""
    todo = set(blocks)
    with _registered(con, {"incident_blocks": _blocks_table(sorted(todo))}):
        places = con.execute("SELECT DISTINCT b.category, b.asset, b.country, c.place, c.lat, c.lon FROM claims c "
                             f"JOIN incident_blocks b ON {_IN_BLOCK}").fetchall()
    where = [(place, country, lat, lon) for _, _, country, place, lat, lon in places]
    countries = pool.apply_async(place_countries, (where,)) if pool is not None else _Done(place_countries(where))
    parent: dict[Block, Block] = {b: b for b in todo}

    def find(b: Block) -> Block:
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    def tie(a: Block, b: Block) -> None:
        if a in todo and b in todo:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

    for bs in merges.values():
        bs = sorted(bs & todo)
        for b in bs[1:]:
            tie(bs[0], b)
    # a sub-group or repeat is loaded with the unit of the claim it follows (``_window_input``); one that follows
    # two claims (both columns set) ties their blocks
    for a1, a2, a3, b1, b2, b3 in con.execute(
            "SELECT DISTINCT s.category, coalesce(s.asset, ''), coalesce(s.country, ''), "
            "r.category, coalesce(r.asset, ''), coalesce(r.country, '') "
            "FROM claims c JOIN claims s ON s.claim_id = c.subgroup_of JOIN claims r ON r.claim_id = c.repeats "
            "WHERE coalesce(c.scope, '') <> 'cumulative'").fetchall():
        tie((a1, a2, a3), (b1, b2, b3))
    for (cat, asset, country, *_), resolved in zip(places, countries.get()):
        tie((cat, asset, country), (cat, asset, resolved))
    units: dict[Block, list[Block]] = {}
    for b in sorted(todo):
        units.setdefault(find(b), []).append(b)
    return list(units.values())


def place_countries(places: Sequence[tuple[str | None, str, float | None, float | None]]) -> list[str | None]:
    """The country the grouping sweeps a claim under, for each of its (place, country, lat, lon) as stored ('' for
    none): what the gazetteer resolves them to ('' when nothing)."""
    resolve = _default_resolver()
    keys = (resolve(place or None, country or None, float("nan") if lat is None else float(lat),
                    float("nan") if lon is None else float(lon)) for place, country, lat, lon in places)
    return [key[0] if key else "" for key in keys]


WINDOW_CLAIMS = 6000
"""About how many claims of a unit are grouped at a time (a day's claims are never split)."""
WRITE_ROWS = 15000
"""Memberships of a unit's closed incidents gathered before they are written (each write is a few statements
whose cost hardly depends on their size)."""


def regroup_incidents(con: duckdb.DuckDBPyConnection, blocks: Sequence[Block] | None = None,
                      pool: Any = None, width: int = 1) -> int:
    """Regroup all claims, or only the ``blocks`` an ingest batch touched (with blocks holding re-extracted claims
    and blocks tied to them by merges); returns the number of incidents written.

    Blocks are regrouped a unit at a time (``_block_units``: one block, or the few tied together), each in its own
    transaction, and a unit's claims a window of days at a time (``_unit_windows``): memory stays flat however
    large the store and its blocks, and the result is that of grouping all the blocks at once. With a ``pool``
    (multiprocessing), the windows are grouped in its processes, ``width`` units at a time, each unit on a cursor
    of its own (units share no incident and no claim)."""
    overrides = incident_overrides(con)
    if blocks is None:
        g = group(incident_input(con), overrides)
        replace_incidents(con, g.incidents, g.members)
        return len(g.incidents)
    todo = set(blocks) | set(stale_incident_blocks(con))
    merges = _merge_blocks(con)
    while True:  # a merge may join claims of two blocks: regroup them together
        more = set().union(*(bs for bs in merges.values() if bs & todo)) - todo
        if not more:
            break
        todo |= more
    if not todo:
        return 0
    merged = set().union(*merges.values())
    units = _block_units(con, sorted(todo), merges, pool)
    return _regroup_units(con, units, _followers(con, sorted(todo)), overrides, merged, pool,
                          width if pool is not None else 1)


def _followers(con: duckdb.DuckDBPyConnection, todo: Sequence[Block]) -> pa.Table:
    """The sub-groups and repeats (not cumulative) among the claims of ``todo``, with the columns grouping reads:
    read once, each window takes those that follow one of its claims (a tenth of the claims or so)."""
    with _registered(con, {"todo_blocks": _blocks_table(todo)}):
        return con.sql(f"SELECT {_INPUT_COLUMNS} FROM claims c JOIN todo_blocks b ON {_IN_BLOCK} "
                       "WHERE (c.subgroup_of IS NOT NULL OR c.repeats IS NOT NULL) "
                       "AND coalesce(c.scope, '') <> 'cumulative'").to_arrow_table()


try:
    _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc
    _MALLOC_TRIM = None


def _trim_heap() -> None:
    """Give the pages the C heap and Arrow's memory pool hold free back to the system (glibc's malloc_trim;
    elsewhere the pool only): a unit's grouping frees what it allocated (a window's rows are picked in Arrow), but
    both keep the pages, and the process would grow unit after unit."""
    pa.default_memory_pool().release_unused()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class _Done:
    """A result computed in this process, shaped like a pool's AsyncResult."""

    def __init__(self, value: Any):
        self.value = value

    def get(self) -> Any:
        return self.value


def _regroup_units(con: duckdb.DuckDBPyConnection, units: list[list[Block]], followers: pa.Table,
                   overrides: pd.DataFrame, merged: set[Block], pool: Any, width: int) -> int:
    """Run ``_unit_windows`` for each unit, ``width`` units at a time (each on a cursor of its own when more than
    one: units share no incident and no membership), their windows grouped by ``group_window`` in ``pool`` (in
    this process without one) while this process reads and writes the other units'. The units with the most
    claims start first: their windows, grouped one after another, are the longest chains."""
    days = _unit_days(con, units)
    queue = iter(sorted(range(len(units)), key=lambda i: -sum(k for _, k in days[i])))
    fresh = not con.execute("SELECT EXISTS (SELECT 1 FROM incidents)").fetchall()[0][0]
    flight: deque = deque()  # (connection, the unit's steps, its window being grouped)
    n = 0

    def run(window: tuple[pa.Table, date | None]) -> Any:
        if pool is None:
            return _Done(group_window(*window, overrides))
        return pool.apply_async(group_window, (*window, overrides))

    def start() -> None:
        i = next(queue, None)
        if i is not None:
            cur = con.cursor() if width > 1 else con
            windows = [(date.min, None)] if merged & set(units[i]) else _day_windows(days[i])
            steps = _unit_windows(cur, units[i], windows, followers, fresh)
            flight.append((cur, steps, run(next(steps))))

    try:
        for _ in range(width):
            start()
        while flight:
            cur, steps, result = flight.popleft()
            try:
                window = steps.send(result.get())
            except StopIteration as done:
                n += done.value
                if cur is not con:
                    cur.close()
                _trim_heap()
                start()
                continue
            flight.append((cur, steps, run(window)))
    finally:
        for cur, steps, _ in flight:  # after a failure: roll back the units still open
            steps.close()
            if cur is not con:
                cur.close()
    return n


INCIDENT_SCHEMA = pa.schema([(n, pa.date32() if n.endswith("_date") else pa.int64() if n in FIGURE_COLUMNS
                              else pa.string()) for n in INCIDENT_COLUMNS])
MEMBER_SCHEMA = pa.schema([(n, pa.bool_() if n == "counted" else pa.string()) for n in MEMBER_COLUMNS])
"""The Arrow types of ``group_window``'s incidents and members."""


def group_window(claims: pa.Table, last: date | None, overrides: pd.DataFrame
                 ) -> tuple[pa.Table, pa.Table, list[str]]:
    """Group one window's claims (it may run in a worker process: the claims come as Arrow, cheap to send): the
    incidents no claim dated after ``last`` can join and their members (as Arrow), and the counted members of the
    incidents still open (carried into the next window). The grouping reads the Arrow columns as Python values
    (``IncidentIndex.add_arrow``), without pandas: it gives what ``group`` gives on ``incident_input``'s
    DataFrame (tested)."""
    reach = Settings().window_days
    idx = IncidentIndex(overrides=overrides, resolve=_default_resolver())
    idx.add_arrow(claims)
    inc, mem = idx.result_columns()
    del idx  # the window's claims, freed before the Arrow tables are built
    closed = {iid for iid, d in zip(inc.get("incident_id", ()), inc.get("first_date", ())) if _closed(d, last, reach)}
    keep = [i for i, iid in enumerate(inc.get("incident_id", ())) if iid in closed]
    done = [i for i, iid in enumerate(mem["incident_id"]) if iid in closed]
    carry = [cid for cid, iid, counted in zip(mem["claim_id"], mem["incident_id"], mem["counted"])
             if counted and iid not in closed]
    out = (_pick(inc, keep, INCIDENT_SCHEMA), _pick(mem, done, MEMBER_SCHEMA), carry)
    # a worker groups window after window: give back what the earlier windows' Arrow tables held, or its peak
    # creeps up window by window
    pa.default_memory_pool().release_unused()
    return out


def _pick(cols: dict[str, list], rows: list[int], schema: pa.Schema) -> pa.Table:
    """Rows ``rows`` (ascending) of the columns ``cols`` (those of ``schema``; none when there are no rows) as
    Arrow: the columns are converted whole, then the rows taken (most windows keep nearly all)."""
    if not rows:
        return schema.empty_table()
    table = pa.table({n: pa.array(cols[n], schema.field(n).type) for n in schema.names}, schema)
    return table if len(rows) == table.num_rows else table.take(pa.array(rows, pa.int64()))


def _unit_windows(con: duckdb.DuckDBPyConnection, unit: Sequence[Block], windows: list[tuple[date, date | None]],
                  followers: pa.Table, fresh: bool
                  ) -> Generator[tuple[pa.Table, date | None], tuple[pa.Table, pa.Table, list[str]], int]:
    """Swap in the incidents of one unit, in one transaction: yields the claims of each of its ``windows`` (and its
    last day), is sent back ``group_window``'s result; returns how many incidents were written.

    The sweep (docs/incidents.md) only lets a claim join an incident whose first date is at most ``window_days``
    before its own, so the unit's claims are grouped a window of days at a time: each window with the members of
    the incidents still open when it starts (regrouping those alone gives them back exactly as they were; their
    rows are taken from the window before), and an incident is written once no later claim can join it. A unit
    with a merge override is grouped whole (a merge may join incidents of any dates). ``fresh``: the store held no
    incident when the regroup began, so it holds none of this unit's to delete first (no other unit writes
    incidents into its blocks)."""
    claims = pa.table({"claim_id": pa.array([], pa.string())})
    carry: list[str] = []  # the counted members of the incidents still open
    done: list[tuple[pa.Table, pa.Table]] = []  # closed incidents and their members, not yet written
    n = 0

    def write() -> None:
        _insert_incidents(con, pa.concat_tables(i for i, _ in done), pa.concat_tables(m for _, m in done))
        done.clear()

    with _transaction(con, {"unit_blocks": _blocks_table(unit)}):
        if not fresh:
            con.execute("DELETE FROM incident_claims WHERE incident_id IN (SELECT i.incident_id FROM incidents i "
                        "JOIN unit_blocks b ON i.block = b.category || '|' || b.asset || '|' || b.country)")
            con.execute("DELETE FROM incidents WHERE block IN "
                        "(SELECT category || '|' || asset || '|' || country FROM unit_blocks)")
        for first, last in windows:
            kept = claims.filter(pc.is_in(claims.column("claim_id"), pa.array(carry, pa.string())))
            claims = _window_input(con, first, last, kept, followers)
            inc, members, carry = yield claims, last
            done.append((inc, members))
            n += len(inc)
            if sum(m.num_rows for _, m in done) >= WRITE_ROWS:
                write()
        if done:
            write()
    return n


def _closed(first_date: date | None, last: date | None, reach: int) -> bool:
    """Whether no claim dated after ``last`` (None: there is none) can join an incident first dated
    ``first_date``."""
    return last is None or first_date is None or (last - first_date).days >= reach


def _unit_days(con: duckdb.DuckDBPyConnection, units: Sequence[Sequence[Block]]) -> list[list[tuple[date, int]]]:
    """The claims per day of each unit, in day order (undated claims on date.min): one scan for all units."""
    unit_of = {b: i for i, unit in enumerate(units) for b in unit}
    with _registered(con, {"window_blocks": _blocks_table(sorted(unit_of))}):
        rows = con.execute(f"SELECT b.category, b.asset, b.country, coalesce(c.\"day\", ?) AS d, count(*) "
                           f"FROM claims c JOIN window_blocks b ON {_IN_BLOCK} GROUP BY ALL", [date.min]).fetchall()
    counts: list[dict[date, int]] = [{} for _ in units]
    for category, asset, country, day, k in rows:
        c = counts[unit_of[(category, asset, country)]]
        c[day] = c.get(day, 0) + k
    return [sorted(c.items()) for c in counts]


def _day_windows(days: list[tuple[date, int]]) -> list[tuple[date, date | None]]:
    """Consecutive day ranges (first, last; the last one open) over a unit's claims per day, each with about
    WINDOW_CLAIMS claims; undated claims go in the first."""
    windows: list[tuple[date, date | None]] = []
    first, size = date.min, 0
    for (day, k), (following, _) in zip(days, days[1:]):
        size += k
        if size >= WINDOW_CLAIMS:
            windows.append((first, day))
            first, size = following, 0
    return windows + [(first, None)]


def _window_input(con: duckdb.DuckDBPyConnection, first: date, last: date | None, carry: pa.Table,
                  followers: pa.Table) -> pa.Table:
    """The claims to group for one window of the unit in ``unit_blocks``: its claims dated first..last (undated ones
    go with the first window, whose ``first`` is date.min), the ``carry`` rows (claims of earlier windows), and the
    ``followers`` (sub-groups and repeats) that follow one of those and are not among them (grouping all the blocks
    at once would list them too). The date test comes first, so that a scan reads the other columns of those rows
    only; the carried rows and the followers are picked in Arrow (a query that took them was twice as costly)."""
    own = con.sql(f"SELECT {_INPUT_COLUMNS} FROM claims c JOIN unit_blocks b ON {_IN_BLOCK} "
                  "WHERE c.\"day\" BETWEEN ? AND coalesce(?, DATE '9999-12-31') OR (? AND c.\"day\" IS NULL)",
                  params=[first, last, first == date.min]).to_arrow_table()
    if carry.num_rows:
        own = pa.concat_tables([own, carry])
    ids = own.column("claim_id")
    follow = pc.and_(pc.invert(pc.is_in(followers.column("claim_id"), ids)),
                     pc.or_(pc.is_in(followers.column("subgroup_of"), ids), pc.is_in(followers.column("repeats"), ids)))
    return pa.concat_tables([own, followers.filter(follow)])


def _incident_where(f: Filters | None) -> tuple[str, list[Any]]:
    """Incidents with a counted member claim that matches the claim filters."""
    w, p = where(f)
    if not w:
        return "", []
    return (" WHERE i.incident_id IN (SELECT ic.incident_id FROM incident_claims ic JOIN claims c "
            f"ON c.claim_id = ic.claim_id{w} AND ic.counted)"), p


def incidents_page(con: duckdb.DuckDBPyConnection, f: Filters | None = None, limit: int = 50, offset: int = 0,
                   order: str = "best", descending: bool = True) -> pd.DataFrame:
    """One page of incidents matching the filters (every incidents column)."""
    _check(order, tuple(INCIDENT_ORDERS), "order")
    w, p = _incident_where(f)
    direction = "DESC" if descending else "ASC"
    return con.execute(f"SELECT i.* FROM incidents i{w} ORDER BY {INCIDENT_ORDERS[order]} {direction} NULLS LAST, "
                       "i.incident_id LIMIT ? OFFSET ?", p + [int(limit), int(offset)]).df(date_as_object=True)


def incident_members(con: duckdb.DuckDBPyConnection, incident_id: str) -> pd.DataFrame:
    """The claims of one incident with their role, reason and article (title, outlet, url)."""
    return con.execute(
        f"SELECT ic.role, ic.counted, ic.reason, {CLAIM_COLUMNS}, c.published, c.\"day\", c.article_id, "
        "a.title, a.outlet, a.url FROM incident_claims ic JOIN claims c ON c.claim_id = ic.claim_id "
        "LEFT JOIN articles a ON a.id = c.article_id WHERE ic.incident_id = ? "
        "ORDER BY ic.counted DESC, c.\"day\" NULLS LAST, c.best DESC, c.claim_id", [incident_id]).df(date_as_object=True)


def incident_tally(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> pd.DataFrame:
    """Per category: incidents and the sum of their best/low/high, beside the naive sum of all tallied claims
    (every report added) and the double-counting factor naive / incidents."""
    wi, pi = _incident_where(f)
    wc, pc = where(f)
    return con.execute(
        "WITH inc AS (SELECT i.category, count(*) AS incidents, CAST(sum(i.best) AS BIGINT) AS best, "
        f"CAST(sum(i.low) AS BIGINT) AS low, CAST(sum(i.high) AS BIGINT) AS high FROM incidents i{wi} "
        "GROUP BY i.category), "
        f"naive AS (SELECT c.category, CAST(sum(c.best) FILTER ({TALLIED}) AS BIGINT) AS naive_best, "
        f"count(*) FILTER ({TALLIED}) AS claims FROM claims c{wc} GROUP BY c.category) "
        "SELECT coalesce(inc.category, naive.category) AS category, coalesce(inc.incidents, 0) AS incidents, "
        "coalesce(inc.best, 0) AS best, coalesce(inc.low, 0) AS low, inc.high, coalesce(naive.claims, 0) AS claims, "
        "coalesce(naive.naive_best, 0) AS naive_best, "
        "CASE WHEN coalesce(inc.best, 0) > 0 THEN naive.naive_best / inc.best END AS factor "
        "FROM inc FULL OUTER JOIN naive ON inc.category = naive.category ORDER BY best DESC, category",
        pi + pc).df()


def incidents_ready(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the store has its claims grouped: the incidents tables exist and, if any claim is tallied, some
    claim is in an incident (a store written without the ingest hook has none until it is regrouped)."""
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'incidents'").fetchone()[0]:
        return False
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM incident_claims) OR NOT EXISTS "
                            f"(SELECT 1 FROM claims c WHERE {TALLIED})").fetchone()[0])


def incident_grouped(con: duckdb.DuckDBPyConnection, f: Filters | None = None) -> pd.DataFrame:
    """Per category × asset, shaped like ``grouped(("category", "asset"))``: claims = incidents, the sums of the
    incidents' low/best/high, open_high = 0 (an incident's high is always set)."""
    w, p = _incident_where(f)
    return con.execute(
        "SELECT i.category, i.asset, count(*) AS claims, CAST(sum(i.low) AS BIGINT) AS low, "
        "CAST(sum(i.best) AS BIGINT) AS best, CAST(sum(i.high) AS BIGINT) AS high, 0 AS open_high "
        f"FROM incidents i{w} GROUP BY i.category, i.asset ORDER BY best DESC", p).df()


def incident_series(con: duckdb.DuckDBPyConnection, f: Filters | None = None, period: str = "month") -> pd.DataFrame:
    """Incidents per period of their first date × category × asset × side (as ``party``), shaped like ``series``:
    period, category, asset, party, claims (= incidents), low, best, high, open_high (= 0)."""
    _check(period, PERIODS, "period")
    w, p = _incident_where(f)
    cond = (w + " AND " if w else " WHERE ") + "i.first_date IS NOT NULL"
    return con.execute(
        "SELECT CAST(date_trunc(?, i.first_date) AS DATE) AS period, i.category, i.asset, i.side AS party, "
        "count(*) AS claims, CAST(sum(i.low) AS BIGINT) AS low, CAST(sum(i.best) AS BIGINT) AS best, "
        f"CAST(sum(i.high) AS BIGINT) AS high, 0 AS open_high FROM incidents i{cond} "
        "GROUP BY ALL ORDER BY period, i.category, i.asset NULLS FIRST, party NULLS FIRST",
        [period] + p).df(date_as_object=True)
