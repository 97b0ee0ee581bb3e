"""Incident grouping measured against Airwars: ``python -m extract.evaluate --incidents [CSV]``.

Input: a CSV with the columns of shared/research/corpus/airwars_syria_cited_sources_with_counts.csv (one row per
source Airwars cites: ``id``, ``language``, ``text``, ``incident_id``, ``incident_date``, ``civilian_deaths_min``).
Only ``id``, ``language``, ``text`` and ``incident_date`` (as the document's publication date) go into the
extractor and the grouping; ``incident_id`` and the coded deaths are used for scoring only (docs/incidents.md):

- ``pairwise_precision/recall/f1``: over pairs of rows. Two rows are linked when the grouping puts a counted claim
  of one and a counted claim of the other into the same incident (rows without claims link to nothing); the
  gold links are the pairs with the same ``incident_id``.
- ``own_pairwise_f1``: the same with one predicted incident per row, its *own* incident: the incident of its
  counted claim that lies in the document's main country, near its publication date, about killed
  non-combatants, earliest in the text (in that order of preference; ``doc_incidents``).
- ``ratio``: the summed ``best`` of the killed incidents that are some row's own incident and whose victims are
  not combatants, over the summed Airwars ``civilian_deaths_min`` of the file's incidents (missing = 0).
- ``naive_ratio``: the plain sum of ``best`` over all counted killed claims (victims not combatants), same
  denominator. ``double_counting`` = naive / incident sum over the same claims.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd

from extract import extract_claims
from extract.incidents import CIVILIANS, Settings, group, naive_total, prepare, to_frame

DEFAULT_CSV = Path(__file__).resolve().parent.parent.parent / "shared" / "research" / "corpus" / \
    "airwars_syria_cited_sources_with_counts.csv"

csv.field_size_limit(sys.maxsize)


def _job(row: tuple[str, str, str, str]) -> list[dict]:
    """Claims of one source row, published on its incident date. Claim ids are prefixed with the row id: rows
    with the same text (one page cited for two incidents) must stay two documents here."""
    doc, lang, text, day = row
    published = date.fromisoformat(day[:10]) if day else None
    out = []
    for c in extract_claims(text, doc=doc, lang=lang or None, published=published):
        d = c.to_dict()
        for k in ("claim_id", "subgroup_of", "repeats"):
            if d[k]:
                d[k] = f"{doc}/{d[k]}"
        out.append(dict(d, published=published))
    return out


def _claims(rows: list[tuple[str, str, str, str]], workers: int) -> Iterator[dict]:
    if workers <= 1:
        for r in rows:
            yield from _job(r)
        return
    import multiprocessing

    with multiprocessing.Pool(workers) as pool:
        for cs in pool.imap(_job, rows, chunksize=8):
            yield from cs


def doc_incidents(claims: pd.DataFrame, members: pd.DataFrame, window_days: int = Settings.window_days) -> dict[str, str]:
    """doc -> its own incident: the incident of its most telling counted claim. Claims are preferred, in order,
    when they lie in the document's main country (the country most of its claims are in; a claim whose place is
    elsewhere is usually background or a misread name), when their date is within ``window_days`` of the
    document's publication (older figures are background), when they are killed claims whose victims are not
    combatants, then killed claims; then the earliest in the text."""
    if claims.empty:
        return {}
    df = prepare(claims).merge(members[members["counted"]][["claim_id", "incident_id"]], on="claim_id")
    if df.empty:
        return {}
    country = df["country"].astype(object).where(df["country"].notna(), "")
    main = (df.assign(country=country)[country.ne("")].groupby(["doc", "country"]).size().reset_index(name="n")
            .sort_values(["doc", "n", "country"], ascending=[True, False, True]).drop_duplicates("doc"))
    home = df["doc"].map(dict(zip(main["doc"], main["country"]))).fillna("")
    killed = df["category"] == "killed"
    not_comb = df["victim_type"].ne("combatant") & ~df["side"].map(_combatant_side).astype(bool)
    near = ((df["day"] - df["report_day"]).abs() <= window_days) | df["day"].isna() | df["report_day"].isna()
    df["pref"] = ((country.eq(home) | home.eq("")).astype(int) * 8 + near.astype(int) * 4
                  + (killed & not_comb).astype(int) * 2 + killed.astype(int))
    df["start"] = pd.to_numeric(df["start"], errors="coerce").fillna(0) if "start" in df.columns else 0
    df = df.sort_values(["doc", "pref", "start", "claim_id"], ascending=[True, False, True, True])
    first = df.drop_duplicates("doc")
    return dict(zip(first["doc"], first["incident_id"]))


def _combatant_side(side: object) -> bool:
    """A victims' side that is combatants (a party or ``combatants``), not civilians or unknown."""
    return isinstance(side, str) and side != CIVILIANS


def _pairs(groups: Iterator[list[str]] | list[list[str]]) -> set[tuple[str, str]]:
    out = set()
    for ks in groups:
        ks = sorted(set(ks))
        out.update((a, b) for i, a in enumerate(ks) for b in ks[i + 1:])
    return out


def linked_rows(members: pd.DataFrame, claims: pd.DataFrame) -> set[tuple[str, str]]:
    """Pairs of documents (sorted) with counted claims in a common incident."""
    m = members[members["counted"]].merge(claims[["claim_id", "doc"]], on="claim_id")
    return _pairs(m.groupby("incident_id")["doc"].agg(list).tolist())


def own_links(docinc: dict[str, str]) -> set[tuple[str, str]]:
    """Pairs of documents (sorted) whose own incidents are the same (one predicted incident per row, as each row
    has one gold label)."""
    by: dict[str, list[str]] = {}
    for doc, iid in docinc.items():
        by.setdefault(iid, []).append(doc)
    return _pairs(list(by.values()))


def pairwise(gold: dict[str, str], links: set[tuple[str, str]]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of predicted links against 'same gold label', over the rows in gold."""
    by: dict[str, list[str]] = {}
    for k, v in gold.items():
        by.setdefault(v, []).append(k)
    g = _pairs(list(by.values()))
    p = {(a, b) for a, b in links if a in gold and b in gold}
    tp = len(g & p)
    prec = tp / len(p) if p else 1.0
    rec = tp / len(g) if g else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def evaluate(rows: pd.DataFrame, claims: pd.DataFrame, settings: Settings | None = None) -> dict[str, float]:
    """The figures for source rows (the CSV) and their extracted claims."""
    gold = dict(zip(rows["id"].astype(str), rows["incident_id"].astype(str)))
    settings = settings or Settings()
    g = group(claims, settings=settings)
    docinc = doc_incidents(claims, g.members, settings.window_days)
    prec, rec, f1 = pairwise(gold, linked_rows(g.members, claims) if len(claims) else set())
    own_f1 = pairwise(gold, own_links(docinc))[2]
    inc = g.incidents
    killed = inc[(inc["category"] == "killed") & inc["incident_id"].isin(set(docinc.values()))
                 & ~inc["side"].map(_combatant_side).astype(bool)]
    airwars = pd.to_numeric(rows.drop_duplicates("incident_id")["civilian_deaths_min"], errors="coerce").fillna(0).sum()
    ours = pd.to_numeric(killed["best"], errors="coerce").fillna(0).sum()
    if claims.empty:
        naive = 0
    else:
        p = prepare(claims)
        not_comb = (p["victim_type"] != "combatant").to_numpy() & ~p["side"].map(_combatant_side).astype(bool).to_numpy()
        naive = naive_total(claims[not_comb])
    return {"rows": len(rows), "airwars_incidents": rows["incident_id"].nunique(), "claims": len(claims),
            "incidents": len(g.incidents), "pairwise_precision": prec, "pairwise_recall": rec, "pairwise_f1": f1,
            "own_pairwise_f1": own_f1,
            "incident_sum": ours, "naive_sum": naive, "airwars_sum": airwars,
            "ratio": ours / airwars if airwars else float("nan"),
            "naive_ratio": naive / airwars if airwars else float("nan"),
            "double_counting": naive / ours if ours else float("nan")}


def main(argv: list[str] | None = None) -> int:
    """Print the figures as key=value lines."""
    ap = argparse.ArgumentParser(prog="python -m extract.evaluate --incidents", description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default="", help=f"source rows with Airwars columns (default: {DEFAULT_CSV})")
    ap.add_argument("--workers", type=int, default=1, help="processes to extract with (default: 1)")
    ap.add_argument("--window", type=int, default=Settings.window_days,
                    help=f"grouping window in days (default: {Settings.window_days})")
    args, _ = ap.parse_known_args(argv)
    path = Path(args.csv) if args.csv else DEFAULT_CSV
    t0 = time.perf_counter()
    rows = pd.read_csv(path, dtype={"id": str, "incident_id": str, "incident_date": str, "language": str})
    rows["language"] = rows["language"].fillna("")
    rows["incident_date"] = rows["incident_date"].fillna("")
    items = list(zip(rows["id"], rows["language"], rows["text"].fillna(""), rows["incident_date"]))
    claims = to_frame(_claims(items, args.workers))
    if claims.empty:
        claims = pd.DataFrame(columns=["claim_id", "doc", "category", "low", "best", "high", "published"])
    out = evaluate(rows, claims, Settings(window_days=args.window))
    print(f"# incidents evaluation on {path.name}: {time.perf_counter() - t0:.1f}s")
    for k, v in out.items():
        print(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
