"""Incident grouping measured against Airwars: ``python -m extract.evaluate --incidents [CSV]``.

Input: a CSV with the columns of shared/research/corpus/airwars_syria_cited_sources_with_counts.csv (one row per
source Airwars cites: ``id``, ``language``, ``text``, ``incident_id``, ``incident_date``, ``civilian_deaths_min``).
Only ``id``, ``language``, ``text`` and ``incident_date`` (as the document's publication date) go into the
extractor and the grouping; ``incident_id`` and the coded deaths are used for scoring only (docs/incidents.md):

- ``pairwise_precision/recall/f1``: over pairs of rows, gold links being the pairs with the same ``incident_id``.
  Two rows are linked when their *main events* share an incident (``doc_events``): a row's main event is the
  incident of its main claim (the first report in the text about the document's country, near its publication
  date, victims not combatants) plus, for each other casualty category, the incident of the first claim in that
  category about the same place (at most one incident per category per row; rows without claims link to nothing).
  Why this definition: an Airwars row is a source cited for *one* incident (a page cited for two incidents is two
  rows), so the prediction is one event per row as well, not every incident a long round-up touches; and an
  Airwars incident is an event whose deaths and injuries we keep in separate incidents (the grouping never mixes
  categories), so "2 killed and 5 injured in Ariha" in one row and "5 injured in Ariha" in another are the same
  event through the injuries' incident.
- ``own_pairwise_f1``: the same with the main claim's incident alone (one incident per row, ignoring categories).
- ``any_pairwise_precision/recall/f1``: two rows are linked when the grouping puts *any* counted claim of one and
  any counted claim of the other into one incident; it also judges the incidents of a round-up's other events,
  which the gold labels of its row do not describe.
- ``ratio``: the summed ``best`` of the killed incidents that are in some row's main event and whose victims are
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


#: The categories a row's main event is reported in: deaths, injuries, and the two together.
EVENT_CATEGORIES = ("killed", "injured", "casualties")


def doc_events(claims: pd.DataFrame, members: pd.DataFrame, window_days: int = Settings.window_days,
               resolve=None) -> dict[str, tuple[str, ...]]:
    """doc -> its main event: the incident of its *main claim*, then, for each other category of
    ``EVENT_CATEGORIES``, the incident of its first claim in that category about the same event (at most one
    incident per category).

    Candidates are the counted claims of ``EVENT_CATEGORIES`` that lie in the document's main country (the country
    most of all its figures are in, running tolls included, on a tie the one it names first; a claim placed
    elsewhere is usually background, a belligerent's country or a misread name) and are dated within ``window_days`` of the document's publication (older figures are background); when a
    document has none, all its counted claims are. The main claim is the first candidate in the text whose victims
    are not combatants, else the first candidate (news puts the event it reports first: the headline and the lead).
    Another category's claim is about the same event when its place is compatible with the main claim's (the same
    place, or one inside the other) and names at least a governorate (a figure placed only in a country says nothing
    about which of its events it counts, unless the main claim is placed so too), and its victims' side is
    compatible; the first such claim in the text is taken.
    """
    from extract.incidents import _default_resolver, places_compatible, sides_compatible

    if claims.empty:
        return {}
    every = prepare(claims)
    resolve = resolve or _default_resolver()

    def nz(v):
        return v if isinstance(v, str) and v else None

    def num(name: str) -> list:
        col = pd.to_numeric(every[name], errors="coerce") if name in every.columns else pd.Series(float("nan"),
                                                                                                  every.index)
        return [None if x != x else float(x) for x in col.tolist()]

    every["key"] = [resolve(nz(a), nz(b), c, d) for a, b, c, d in zip(every["place"], every["country"], num("lat"),
                                                                         num("lon"))]
    every["kcountry"] = [k[0] if k and k[0] else "" for k in every["key"]]
    every["start"] = pd.to_numeric(every["start"], errors="coerce").fillna(0) if "start" in every.columns else 0
    # the document's country: where most of all its figures are (running tolls and repeats included: they too say
    # what the document is about); on a tie, the country it names first
    placed = every[every["kcountry"].ne("")]
    votes = placed.groupby(["doc", "kcountry"]).agg(n=("claim_id", "size"), first=("start", "min")).reset_index()
    main = votes.sort_values(["doc", "n", "first", "kcountry"], ascending=[True, False, True, True]).drop_duplicates("doc")
    df = every.merge(members[members["counted"]][["claim_id", "incident_id"]], on="claim_id")
    if df.empty:
        return {}
    home = df["doc"].map(dict(zip(main["doc"], main["kcountry"]))).fillna("")
    near = ((df["day"] - df["report_day"]).abs() <= window_days) | df["day"].isna() | df["report_day"].isna()
    df["candidate"] = (df["kcountry"].eq(home) | home.eq("")) & near & df["category"].isin(EVENT_CATEGORIES)
    df["civ"] = df["victim_type"].ne("combatant") & ~df["side"].map(_combatant_side).astype(bool)
    df = df.sort_values(["doc", "start", "claim_id"])

    out: dict[str, tuple[str, ...]] = {}
    for doc, d in df.groupby("doc", sort=True):
        cand = d[d["candidate"]]
        if cand.empty:
            cand = d
        civ = cand[cand["civ"]]
        m = (civ if len(civ) else cand).iloc[0]
        event, seen = [m["incident_id"]], {m["category"]}
        for r in cand.itertuples(index=False):
            if r.category in seen or not sides_compatible(nz(m["side"]), nz(r.side)):
                continue
            fine = r.key is not None and (r.key[1] is not None or r.key == m["key"])
            if fine and places_compatible(m["key"], r.key):
                event.append(r.incident_id)
                seen.add(r.category)
        out[doc] = tuple(event)
    return out


def doc_incidents(claims: pd.DataFrame, members: pd.DataFrame, window_days: int = Settings.window_days,
                  resolve=None) -> dict[str, str]:
    """doc -> the incident of its main claim (``doc_events``)."""
    return {doc: ev[0] for doc, ev in doc_events(claims, members, window_days, resolve).items()}


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
    """Pairs of documents (sorted) whose main incidents are the same (one predicted incident per row)."""
    by: dict[str, list[str]] = {}
    for doc, iid in docinc.items():
        by.setdefault(iid, []).append(doc)
    return _pairs(list(by.values()))


def event_links(events: dict[str, tuple[str, ...]]) -> set[tuple[str, str]]:
    """Pairs of documents (sorted) whose main events share an incident (one event per row, at most one incident
    per category in it)."""
    by: dict[str, list[str]] = {}
    for doc, ev in events.items():
        for iid in ev:
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
    return _evaluate(rows, claims, settings)[0]


def top_contributors(claims: pd.DataFrame, incidents: pd.DataFrame, events: dict[str, tuple[str, ...]],
                     rows: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` killed incidents of the rows' main events with the largest ``best`` (what makes ``ratio``), each
    with its best claim's quote and position, the rows whose main event holds it (main claim or another category's)
    and the Airwars ``civilian_deaths_min`` of those rows' incidents: where an excess comes from."""
    killed = incidents[(incidents["category"] == "killed") & ~incidents["side"].map(_combatant_side).astype(bool)]
    held: dict[str, list[tuple[str, bool]]] = {}
    for doc, ev in events.items():
        for i, iid in enumerate(ev):
            held.setdefault(iid, []).append((doc, i == 0))
    killed = killed[killed["incident_id"].isin(held)].sort_values(["best", "incident_id"], ascending=[False, True])
    by_claim = claims.drop_duplicates("claim_id").set_index("claim_id")
    coded = dict(zip(rows["id"].astype(str), pd.to_numeric(rows["civilian_deaths_min"], errors="coerce")))
    out = []
    for r in killed.head(n).itertuples(index=False):
        c = by_claim.loc[r.best_claim_id] if r.best_claim_id in by_claim.index else None
        docs = held[r.incident_id]
        out.append({"best": r.best, "low": r.low, "high": r.high, "place": r.place, "n_docs": r.n_docs,
                    "quote": "" if c is None else " ".join(str(c.get("quote", "")).split())[:80],
                    "start": None if c is None else c.get("start"), "scope": None if c is None else c.get("scope"),
                    "rows": len(docs), "as_main": sum(m for _, m in docs),
                    "airwars": [coded.get(d) for d, _ in docs]})
    return pd.DataFrame(out)


def _evaluate(rows: pd.DataFrame, claims: pd.DataFrame, settings: Settings | None = None):
    gold = dict(zip(rows["id"].astype(str), rows["incident_id"].astype(str)))
    settings = settings or Settings()
    g = group(claims, settings=settings)
    events = doc_events(claims, g.members, settings.window_days)
    prec, rec, f1 = pairwise(gold, event_links(events))
    own_f1 = pairwise(gold, own_links({doc: ev[0] for doc, ev in events.items()}))[2]
    any_p, any_r, any_f1 = pairwise(gold, linked_rows(g.members, claims) if len(claims) else set())
    inc = g.incidents
    in_events = {iid for ev in events.values() for iid in ev}
    killed = inc[(inc["category"] == "killed") & inc["incident_id"].isin(in_events)
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
            "own_pairwise_f1": own_f1, "any_pairwise_precision": any_p, "any_pairwise_recall": any_r,
            "any_pairwise_f1": any_f1,
            "incident_sum": ours, "naive_sum": naive, "airwars_sum": airwars,
            "ratio": ours / airwars if airwars else float("nan"),
            "naive_ratio": naive / airwars if airwars else float("nan"),
            "double_counting": naive / ours if ours else float("nan")}, g, events


def main(argv: list[str] | None = None) -> int:
    """Print the figures as key=value lines."""
    ap = argparse.ArgumentParser(prog="python -m extract.evaluate --incidents", description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default="", help=f"source rows with Airwars columns (default: {DEFAULT_CSV})")
    ap.add_argument("--workers", type=int, default=1, help="processes to extract with (default: 1)")
    ap.add_argument("--window", type=int, default=Settings.window_days,
                    help=f"grouping window in days (default: {Settings.window_days})")
    ap.add_argument("--top", type=int, default=0,
                    help="also list the N killed incidents with the largest best figure and their evidence")
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
    out, g, events = _evaluate(rows, claims, Settings(window_days=args.window))
    print(f"# incidents evaluation on {path.name}: {time.perf_counter() - t0:.1f}s")
    for k, v in out.items():
        print(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}")
    if args.top:
        top = top_contributors(claims, g.incidents, events, rows, args.top)
        print(f"# the {len(top)} largest killed incidents of the rows' main events (best, low-high, place, documents,"
              " rows holding it, as main claim, their Airwars minimum, the best claim's position, scope and quote)")
        for r in top.itertuples(index=False):
            print(f"# {r.best} ({r.low}-{r.high}) {r.place} docs:{r.n_docs} rows:{r.rows} main:{r.as_main} "
                  f"airwars:{r.airwars} at:{r.start} {r.scope} | {r.quote}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
