"""How fast the dashboard's pages run over a store of 1,000,000 claims (Streamlit AppTest, real DuckDB).

    python bench/dashboard_speed.py                 # 1,000,000 claims in a temporary store
    python bench/dashboard_speed.py --claims 200000 --db /tmp/big.duckdb --keep

Builds the store from real extractor output: a few hundred articles of bench/synthetic.py's corpus are
ingested through the store's ingest, then their articles and claims are copied (new ids, dates spread over
two years) and written through ``db.write_batch`` until the store holds the wanted number of claims.
Then, for each page, it times script runs with the query cache cleared (cold: every query runs) and with it
warm, and times filter changes on the Overview (each a party filter not seen before, so its queries run).
Targets: median cold page run ≤ 1.5 s, median filter change ≤ 0.5 s. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from extract.store import db  # noqa: E402
from extract.store.ingest import ARTICLE_SCHEMA, CLAIM_SCHEMA, ingest_texts  # noqa: E402

PAGES = ("overview", "claimants", "equipment", "map", "evidence", "add", "export")


def build(path: Path, claims: int, templates: int = 300, seed: int = 1) -> None:
    """A store of about ``claims`` claims copied from ``templates`` ingested synthetic articles."""
    import synthetic

    seed_db = path.with_name(path.stem + "-seed.duckdb")
    ingest_texts(list(synthetic.documents(templates, seed=seed)), db_path=seed_db, workers=os.cpu_count())
    with db.reader(seed_db) as con:
        arts = db.export_articles(con)
        cls = db.export_claims(con)
    seed_db.unlink()
    arts = arts.rename(columns={"id": "article_id"})
    cls = cls.drop(columns=["day", "title", "outlet", "published", "url"])
    copies = -(-claims // len(cls))
    rng = np.random.default_rng(seed)
    run = db.RunInfo(paths=["(bench copies)"], extractor_version=str(arts["extractor_version"].iloc[0]))
    per_batch = max(1, 100_000 // len(cls))
    written = 0
    for first in range(0, copies, per_batch):
        ks = range(first, min(copies, first + per_batch))
        shift = {k: pd.Timedelta(days=int(rng.integers(-360, 360))) for k in ks}
        a = pd.concat([arts.assign(id=arts["article_id"] + f"-{k}", doc=arts["doc"] + f"#{k}",
                                   published=(pd.to_datetime(arts["published"]) + shift[k]).dt.date) for k in ks])
        c = pd.concat([cls.assign(claim_id=cls["claim_id"] + f"-{k}", article_id=cls["article_id"] + f"-{k}",
                                  doc=cls["doc"] + f"#{k}",
                                  event_date=(pd.to_datetime(cls["event_date"]) + shift[k]).dt.date) for k in ks])
        a = a[[f.name for f in ARTICLE_SCHEMA]]
        c = c[[f.name for f in CLAIM_SCHEMA]]
        with db.writer(path) as con:
            db.write_batch(con, run, pa.Table.from_pandas(a, schema=ARTICLE_SCHEMA, preserve_index=False),
                           pa.Table.from_pandas(c, schema=CLAIM_SCHEMA, preserve_index=False),
                           finished=first + per_batch >= copies)
        written += len(c)
        print(f"  wrote {written:,} claims", end="\r", flush=True)
    print()


def timed(at, clear: bool) -> float:  # type: ignore[no-untyped-def]
    """Seconds of one script run (after clearing the query cache when ``clear``)."""
    from dashboard import data

    if clear:
        data._cached.clear()
    t0 = time.perf_counter()
    at.run()
    dt = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, help="reuse or create the store here (default: a temporary file)")
    ap.add_argument("--keep", action="store_true", help="keep the store built in --db")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per page")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = args.db or Path(tmp.name) / "bench.duckdb"
    if not path.exists():
        t0 = time.perf_counter()
        build(path, args.claims)
        print(f"built {path} in {time.perf_counter() - t0:.0f} s")
    with db.reader(path) as con:
        n = db.counts(con)["claims"]
        parties = db.filter_values(con)["parties"]
    print(f"store: {n:,} claims, {path.stat().st_size / 1e6:.0f} MB")
    os.environ["TALLY_DB"] = str(path)

    import logging

    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)

    print(f"{'page':<10} {'cold median':>12} {'cold max':>9} {'warm median':>12}")
    worst = 0.0
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
        at.run()
        if page != "overview":
            at.switch_page(f"dashboard/pages/{page}.py")
        cold = [timed(at, True) for _ in range(args.runs)]
        warm = [timed(at, False) for _ in range(args.runs)]
        worst = max(worst, statistics.median(cold))
        print(f"{page:<10} {statistics.median(cold):>11.2f}s {max(cold):>8.2f}s {statistics.median(warm):>11.2f}s")

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
    at.run()
    changes = []
    for party in (parties * 2)[: max(args.runs, 5)]:
        at.multiselect(key="flt_parties").set_value([party])
        changes.append(timed(at, False))
        at.multiselect(key="flt_parties").set_value([])
        at.run()
        at.multiselect(key="flt_categories").set_value(["killed", "injured"])
        changes.append(timed(at, False))
        at.multiselect(key="flt_categories").set_value([])
        at.run()
    print(f"filter change on the overview: median {statistics.median(changes):.2f} s, max {max(changes):.2f} s "
          f"({len(changes)} changes)")
    print(f"targets: page ≤ 1.5 s ({'met' if worst <= 1.5 else 'MISSED'}: slowest page median {worst:.2f} s), "
          f"filter change ≤ 0.5 s ({'met' if statistics.median(changes) <= 0.5 else 'MISSED'})")
    if args.db and not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
