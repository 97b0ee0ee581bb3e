"""Query speed over a store of 1,000,000 claims: the dashboard's queries and a 100k-row CSV export.

    python bench/query_speed.py                 # builds a 1M-claim store in a temp dir, then times
    python bench/query_speed.py --claims 200000 --db /tmp/q.duckdb --keep

The store is filled through the real write path (db.write_batch with Arrow tables) with synthetic claims
(no extraction: that is ingest_speed.py's business). Floors: median <= 100 ms per query, <= 2 s for the
100k-row CSV export.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.store import db, export  # noqa: E402
from extract.store.ingest import ARTICLE_SCHEMA, CLAIM_SCHEMA  # noqa: E402

CATEGORIES = np.array(["killed", "injured", "casualties", "captured", "missing", "destroyed"])
PARTIES = np.array(["civilians", "Islamic State", "Syrian government forces", "SDF", "Israeli forces", "Hamas",
                    "Iraqi security forces", "Houthis", "Russian forces", "Ukrainian forces", None], dtype=object)
CLAIMANTS = np.array(["SANA", "SOHR", "Amaq", "Health Ministry", "Al Jazeera sources", "Reuters", "UN OCHA",
                      "local sources", None], dtype=object)
CLAIMANT_TYPES = np.array(["government", "ngo", "armed_group", "medical", "media", "media", "ngo", "local_sources",
                           "unknown"])
PLACES = [("Gaza", "Palestine", 31.5, 34.47), ("Raqqa", "Syria", 35.95, 39.01), ("Aleppo", "Syria", 36.2, 37.16),
          ("Mosul", "Iraq", 36.34, 43.13), ("Idlib", "Syria", 35.93, 36.63), ("Khan Younis", "Palestine", 31.34, 34.3),
          ("Sanaa", "Yemen", 15.37, 44.19), ("Bakhmut", "Ukraine", 48.6, 38.0), (None, None, None, None)]
ASSETS = np.array(["tank", "armoured_vehicle", "drone", "artillery", "building"])


def _claims(rng: np.random.Generator, n: int, first_article: int, per_article: int, day0: date) -> pa.Table:
    art = first_article + np.arange(n) // per_article
    cat = rng.choice(CATEGORIES, n, p=[0.45, 0.3, 0.05, 0.08, 0.04, 0.08])
    best = rng.integers(1, 120, n)
    exact = rng.random(n) < 0.6
    place = rng.integers(0, len(PLACES), n)
    who = rng.integers(0, len(CLAIMANTS), n)
    scope = np.where(rng.random(n) < 0.05, "cumulative", "incident")
    best = np.where(scope == "cumulative", best * 300, best)
    days = rng.integers(0, 900, n)
    ids = [f"{i:016x}" for i in range(first_article * per_article, first_article * per_article + n)]
    aid = [f"a{a:031d}" for a in art]
    sub = rng.random(n) < 0.05
    return pa.table({
        "doc": [f"doc-{a}" for a in art], "claim_id": ids, "lang": rng.choice(["ar", "en"], n),
        "category": cat, "low": best, "best": best, "high": pa.array(np.where(exact, best, best * 2)),
        "qualifier": np.where(exact, "exact", "about"), "quote": [f"{b} killed" for b in best],
        "start": rng.integers(0, 2000, n).astype(np.int32), "end": rng.integers(2000, 2100, n).astype(np.int32),
        "sentence": ["Synthetic sentence with a figure for the query benchmark."] * n,
        "rule": rng.choice(["en.killed_n", "ar.qutila_n", "en.dozens"], n), "extractor_version": ["bench"] * n,
        "asset": pa.array(np.where(cat == "destroyed", rng.choice(ASSETS, n), None)),
        "convention": pa.array([None] * n, pa.string()), "victims": rng.choice(["civilians", "fighters"], n),
        "party": rng.choice(PARTIES, n), "victim_type": rng.choice(["civilian", "combatant", "unknown"], n),
        "includes": pa.array([[{"victims": "children", "low": 2, "best": 2, "high": 2, "qualifier": "exact"}]
                              if s else [] for s in rng.random(n) < 0.1], CLAIM_SCHEMA.field("includes").type),
        "claimed_by": CLAIMANTS[who], "claimant": CLAIMANTS[who], "claimant_type": CLAIMANT_TYPES[who],
        "self_reported": pa.array([None] * n, pa.bool_()), "perpetrator": pa.array([None] * n, pa.string()),
        "location": [PLACES[p][0] for p in place], "place": [PLACES[p][0] for p in place],
        "country": [PLACES[p][1] for p in place], "lat": [PLACES[p][2] for p in place],
        "lon": [PLACES[p][3] for p in place],
        "event_date": pa.array([day0 + timedelta(days=int(d)) for d in days], pa.date32()),
        "scope": scope, "subgroup_of": pa.array(np.where(sub, "0" * 16, None)), "repeats": pa.array([None] * n, pa.string()),
        "negated": np.zeros(n, bool), "confidence": rng.random(n).round(2), "article_id": aid,
    }).select(CLAIM_SCHEMA.names).cast(CLAIM_SCHEMA)


def build(path: Path, n_claims: int, per_article: int = 5, batch: int = 100_000) -> float:
    """Fill ``path`` with ``n_claims`` synthetic claims; returns the seconds the writes took."""
    rng = np.random.default_rng(0)
    day0 = date(2023, 1, 1)
    spent = 0.0
    for start in range(0, n_claims, batch):
        n = min(batch, n_claims - start)
        first = start // per_article
        claims = _claims(rng, n, first, per_article, day0)
        n_art = (n + per_article - 1) // per_article
        arts = pa.table({
            "id": [f"a{a:031d}" for a in range(first, first + n_art)], "doc": [f"doc-{a}" for a in range(first, first + n_art)],
            "title": [f"Report {a}" for a in range(first, first + n_art)], "text": ["Synthetic article text."] * n_art,
            "lang": ["en"] * n_art, "published": [day0 + timedelta(days=a % 900) for a in range(first, first + n_art)],
            "outlet": rng.choice(["Reuters", "AFP", "SANA"], n_art), "url": [f"https://example.org/{a}" for a in range(first, first + n_art)],
            "origin": ["bench"] * n_art, "extractor_version": ["bench"] * n_art, "n_claims": [per_article] * n_art,
        }).cast(ARTICLE_SCHEMA)
        t = time.perf_counter()
        with db.writer(path) as con:
            db.write_batch(con, db.RunInfo(paths=["bench"], extractor_version="bench"), arts, claims, seen=n_art,
                           finished=True)
        spent += time.perf_counter() - t
    return spent


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (all of this process's threads) of ``fn`` in ms, after a warm-up.
    On a busy machine wall time grows with the load; CPU time does not (idle, wall ~ CPU / threads)."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--claims", type=int, default=1_000_000)
    p.add_argument("--db", type=Path, default=None, help="store to build (default: a temp file)")
    p.add_argument("--keep", action="store_true", help="reuse --db when it exists, keep it afterwards")
    p.add_argument("--repeat", type=int, default=15)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "q.duckdb"
        if not (args.keep and path.exists()):
            path.unlink(missing_ok=True)
            spent = build(path, args.claims)
            print(f"built {args.claims} claims in {spent:.1f} s of writes ({args.claims / spent:,.0f} claims/s)")
        with db.reader(path) as con:
            n = db.counts(con)["claims"]
            fv = db.filter_values(con)
            some = db.Filters(countries=("Syria",), categories=("killed", "injured"), min_confidence=0.2)
            narrow = db.Filters(date_from=date(2024, 1, 1), date_to=date(2024, 6, 30), parties=(fv["parties"][0],),
                                claimant_types=("government", "ngo"), langs=("ar",), exact_only=True)
            export_f = db.Filters(countries=("Syria",), categories=("killed",), min_confidence=0.33)
            rows = export.query(con, "claims", export_f).num_rows
            queries = {
                "monthly series by category x party": lambda: db.series(con, period="month"),
                "monthly series, filtered": lambda: db.series(con, some, period="month"),
                "weekly series, narrow filters": lambda: db.series(con, narrow, period="week"),
                "claims page (50, filtered, by day)": lambda: db.claims_page(con, some, limit=50, offset=200),
                "claims page, narrow filters": lambda: db.claims_page(con, narrow, limit=50),
                "counts, filtered": lambda: db.counts(con, some),
                "filter value lists": lambda: db.filter_values(con),
                "date bounds": lambda: db.date_bounds(con),
                "breakdown by party": lambda: db.breakdown(con, "party", some),
                "breakdown by claimant": lambda: db.breakdown(con, "claimant"),
                "latest cumulative tolls": lambda: db.latest_cumulative(con),
                "cumulative tolls over time, by claimant": lambda: db.cumulative_series(con, some),
                "equipment series": lambda: db.equipment_series(con),
                "map points": lambda: db.map_points(con, some),
                "article with its claims": lambda: db.article(con, "a" + "0" * 25 + "123456"),
                "fingerprint": lambda: db.fingerprint(con),
            }
            print(f"{n:,} claims, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
                  f"median of {args.repeat} runs (floor 100 ms):")
            print(f"  {'query':40} {'wall ms':>8}  {'cpu ms':>8}")
            for name, fn in queries.items():
                ms, cpu = timed(fn, args.repeat)
                print(f"  {name:40} {ms:8.1f}  {cpu:8.1f}  {'OK' if ms <= 100 else 'OVER'}")
            ms, cpu = timed(lambda: export.to_csv(export.query(con, "claims", export_f)), max(3, args.repeat // 3))
            print(f"  {f'CSV export of {rows:,} claim rows':40} {ms:8.1f}  {cpu:8.1f}  "
                  f"{'OK' if ms <= 2000 * max(rows, 1) / 100_000 else 'OVER'} (floor 2 s per 100k rows)")


if __name__ == "__main__":
    main()
