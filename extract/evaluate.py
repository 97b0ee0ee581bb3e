"""Measure the extractor against the gold claims and human-coded figures: ``python -m extract.evaluate``.

Scoring (shared/gold/README.md, see docs/evaluate.md):

- A predicted claim *matches* a gold claim when their spans overlap; the match is *right* when
  ``category``, ``low`` and ``high`` are equal. Matching is one-to-one (each predicted and each gold
  claim is used at most once), built in tiers so that right matches win: first a maximum matching over
  right pairs with required gold claims, then right pairs with optional gold claims, then wrong pairs
  with required, then wrong pairs with optional gold claims. Within a tier larger overlaps are tried first.
- Precision = right matches with required gold / predicted claims counted, where a predicted claim is
  *not* counted (neither rewarded nor penalised) when it is matched to an optional gold claim, or is
  unmatched and overlaps an optional gold claim. Recall = right matches / required gold claims.
- Attribution accuracy, over right matches: both ``claimed_by`` null, or both set and overlapping after
  normalisation (one contains the other, or their occurrences in the document overlap).
- Coded files: a document's tally (spec) = sum of ``best`` over claims of the category with
  ``scope == "incident"``, ``subgroup_of`` null and ``repeats`` null.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from extract import extract_claims
from extract.text import normalise_str, sentences

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = PROJECT_ROOT.parent / "shared"
SEED = "corpus/ar_aljazeera_raqqa_deirezzor.txt"
SEED_ID = "ar_aljazeera_raqqa_deirezzor"
CODED_FILES = {
    "acled": "research/corpus/acled_events_sample.csv",
    "gva": "research/corpus/gva_gun_violence_news_with_counts.csv",
    "airwars": "research/corpus/airwars_syria_cited_sources_with_counts.csv",
}
FLOORS = {"acled": 0.85, "gva": 0.75, "airwars": 0.60}
SECTIONS = ("gold", "acled", "gva", "airwars")

PRED_FIELDS = ("category", "asset", "low", "best", "high", "qualifier", "quote", "start", "end", "victims", "party",
               "victim_type", "claimed_by", "scope", "subgroup_of", "repeats", "negated", "rule")
GOLD_FIELDS = ("category", "asset", "low", "best", "high", "qualifier", "quote", "start", "end", "victims", "party",
               "claimed_by", "scope", "subgroup_of_quote", "optional", "note")

csv.field_size_limit(sys.maxsize)


# --- matching and scoring (pure) ---------------------------------------------------------------------


def span(claim: Mapping[str, Any]) -> tuple[int, int]:
    """(start, end) of a predicted or gold claim (gold claims have no ``end``: start + len(quote))."""
    start = int(claim["start"])
    end = claim.get("end")
    return start, int(end) if end is not None else start + len(claim["quote"])


def overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    """Number of characters the spans of two claims share (0: they do not overlap)."""
    (s1, e1), (s2, e2) = span(a), span(b)
    return max(0, min(e1, e2) - max(s1, s2))


def is_right(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> bool:
    """A match is right when category, low and high are equal."""
    return (pred["category"], pred["low"], pred["high"]) == (gold["category"], gold["low"], gold["high"])


def _max_matching(edges: dict[int, list[int]]) -> dict[int, int]:
    """Maximum bipartite matching (Kuhn), pred -> gold; each pred tries its golds in the given order."""
    owner: dict[int, int] = {}  # gold -> pred

    def place(p: int, seen: set[int]) -> bool:
        for g in edges[p]:
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or place(owner[g], seen):
                owner[g] = p
                return True
        return False

    for p in edges:
        place(p, set())
    return {p: g for g, p in owner.items()}


def match_claims(pred: list[Mapping[str, Any]], gold: list[Mapping[str, Any]]) -> dict[int, int]:
    """One-to-one matching of predicted to gold claims (pred index -> gold index), right matches first."""
    tiers = ((True, False), (True, True), (False, False), (False, True))  # (right, optional)
    matched: dict[int, int] = {}
    for right, optional in tiers:
        used = set(matched.values())
        edges: dict[int, list[int]] = {}
        for i, p in enumerate(pred):
            if i in matched:
                continue
            cands = [(overlap(p, g), j) for j, g in enumerate(gold)
                     if j not in used and bool(g.get("optional")) == optional and overlap(p, g) > 0
                     and is_right(p, g) == right]
            if cands:
                edges[i] = [j for _, j in sorted(cands, key=lambda c: (-c[0], c[1]))]
        matched.update(_max_matching(edges))
    return matched


_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s+")


def _norm_name(s: str) -> str:
    return _EDGE_PUNCT.sub("", _SPACES.sub(" ", normalise_str(s))).strip()


def attribution_right(pred_by: str | None, gold_by: str | None, text: str | None = None) -> bool:
    """Both null, or both set and overlapping after normalisation.

    Overlapping: one normalised name contains the other, or (given the document text) an occurrence of
    one in the normalised text overlaps an occurrence of the other.
    """
    if not pred_by or not gold_by:
        return not pred_by and not gold_by
    a, b = _norm_name(pred_by), _norm_name(gold_by)
    if not a or not b:
        return a == b
    if a in b or b in a:
        return True
    if text is None:
        return False
    norm = _SPACES.sub(" ", normalise_str(text))
    spans_a = [(m.start(), m.start() + len(a)) for m in re.finditer(re.escape(a), norm)]
    spans_b = [(m.start(), m.start() + len(b)) for m in re.finditer(re.escape(b), norm)]
    return any(s1 < e2 and s2 < e1 for s1, e1 in spans_a for s2, e2 in spans_b)


@dataclass
class Score:
    """Counts behind precision, recall and attribution accuracy (add them up across documents)."""

    predicted: int = 0     # every predicted claim
    excused: int = 0       # predicted claims on optional gold claims: not counted
    right: int = 0         # right matches with required gold claims
    wrong_value: int = 0   # matches with required gold claims whose category/low/high differ
    false_pos: int = 0     # counted predicted claims matching no gold claim
    gold: int = 0          # required gold claims
    missed: int = 0        # required gold claims matched by no predicted claim
    attr_right: int = 0    # right matches whose attribution is right

    def add(self, other: Score) -> None:
        """Add another score's counts to this one."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def counted(self) -> int:
        """Predicted claims that count for precision."""
        return self.predicted - self.excused

    @property
    def precision(self) -> float:
        return self.right / self.counted if self.counted else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def attribution(self) -> float:
        return self.attr_right / self.right if self.right else 0.0


def score_document(pred: list[Mapping[str, Any]], gold: list[Mapping[str, Any]],
                   text: str | None = None) -> tuple[Score, list[dict[str, Any]]]:
    """Score one document's predicted claims against its gold claims; also return its error records.

    Error records: ``{"kind": false_positive|false_negative|wrong_value|wrong_attribution, "pred", "gold"}``.
    """
    matched = match_claims(pred, gold)
    s = Score(predicted=len(pred), gold=sum(1 for g in gold if not g.get("optional")))
    errors: list[dict[str, Any]] = []
    for i, p in enumerate(pred):
        j = matched.get(i)
        if j is None:
            if any(g.get("optional") and overlap(p, g) for g in gold):
                s.excused += 1
            else:
                s.false_pos += 1
                errors.append({"kind": "false_positive", "pred": p, "gold": None})
            continue
        g = gold[j]
        if g.get("optional"):
            s.excused += 1
        elif not is_right(p, g):
            s.wrong_value += 1
            errors.append({"kind": "wrong_value", "pred": p, "gold": g})
        else:
            s.right += 1
            if attribution_right(p.get("claimed_by"), g.get("claimed_by"), text):
                s.attr_right += 1
            else:
                errors.append({"kind": "wrong_attribution", "pred": p, "gold": g})
    hit = set(matched.values())
    for j, g in enumerate(gold):
        if not g.get("optional") and j not in hit:
            s.missed += 1
            errors.append({"kind": "false_negative", "pred": None, "gold": g})
    return s, errors


def counts_in_tally(claim: Mapping[str, Any], category: str = "killed") -> bool:
    """Spec: the tally sums claims with scope incident, no subgroup_of and no repeats."""
    return (claim["category"] == category and claim.get("scope", "incident") == "incident"
            and claim.get("subgroup_of") is None and claim.get("repeats") is None)


def tally(claims: Iterable[Mapping[str, Any]], category: str = "killed",
          keep: Callable[[Mapping[str, Any]], bool] | None = None) -> int:
    """A document's tally for a category: the sum of ``best`` over the claims that count (and pass ``keep``)."""
    return sum(int(c["best"]) for c in claims if counts_in_tally(c, category) and (keep is None or keep(c)))


def civilian_or_unspecified(claim: Mapping[str, Any]) -> bool:
    """Airwars rule: civilian victims, or victims the text does not place on any side (party null, type unknown).

    Claims about combatants (victim_type combatant, or a party other than civilians) are left out.
    """
    if claim.get("victim_type") == "civilian" or claim.get("party") == "civilians":
        return True
    return claim.get("victim_type", "unknown") == "unknown" and not claim.get("party")


def civilian_only(claim: Mapping[str, Any]) -> bool:
    """Strict variant of the Airwars rule: victims marked civilian only (reported beside the main figure)."""
    return claim.get("victim_type") == "civilian" or claim.get("party") == "civilians"


# --- documents (streamed) --------------------------------------------------------------------------


@dataclass(frozen=True)
class CodedDoc:
    """One document of a coded file: its text and the coded killed figure as a range."""

    kind: str
    id: str
    lang: str
    text: str
    low: int
    high: int


def _int(s: str | None) -> int | None:
    s = (s or "").strip()
    return int(float(s)) if s else None


def read_coded(kind: str, path: Path) -> Iterator[CodedDoc]:
    """Stream the documents of a coded file (``acled``, ``gva`` or ``airwars``) row by row."""
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if kind == "acled":
                n = _int(row["fatalities"]) or 0
                yield CodedDoc(kind, row["id"], "en", row["text"], n, n)
            elif kind == "gva":
                n = _int(row["num_killed"]) or 0
                text = f"{row['title'].strip()}\n\n{row['text']}" if row["title"].strip() else row["text"]
                yield CodedDoc(kind, row["id"], "en", text, n, n)
            else:  # airwars: no coded civilian deaths (injury-only incidents) means 0
                lo = _int(row["civilian_deaths_min"])
                hi = _int(row["civilian_deaths_max"])
                lo = lo if lo is not None else 0
                hi = hi if hi is not None else lo
                yield CodedDoc(kind, row["id"], row.get("language") or "ar", row["text"], lo, hi)


def read_gold(shared: Path) -> Iterator[tuple[str, str, str, list[dict[str, Any]]]]:
    """(doc id, lang, text, gold claims with ``end``) for every gold document."""
    texts: dict[str, dict[str, Any]] = {}
    with open(shared / "gold/texts.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                texts[d["id"]] = d
    with open(shared / "gold/claims.jsonl", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            t = texts[d["doc"]]
            gold = [{**c, "end": c["start"] + len(c["quote"])} for c in d["claims"]]
            yield d["doc"], d.get("lang") or t["lang"], t["text"], gold


def predict(text: str, doc: str) -> list[dict[str, Any]]:
    """The extractor's claims for one document, as plain dicts."""
    return [c.to_dict() for c in extract_claims(text, doc=doc)]


def _compact(c: Mapping[str, Any] | None, names: tuple[str, ...]) -> dict[str, Any] | None:
    return None if c is None else {k: c.get(k) for k in names if k in c}


def _sentence_at(text: str, pos: int, sents: list[tuple[int, int]]) -> str:
    for s, e in sents:
        if s <= pos < e:
            return text[s:e]
    return text[max(0, pos - 120):pos + 120]


# --- workers (top level so that multiprocessing can pickle them) -----------------------------------


def _gold_job(item: tuple[str, str, str, list[dict[str, Any]]]) -> tuple[str, Score, list[dict[str, Any]]]:
    doc, lang, text, gold = item
    s, errors = score_document(predict(text, doc), gold, text)
    sents = sentences(text)
    out = []
    for e in errors:
        where = e["pred"] or e["gold"]
        sent = (e["pred"] or {}).get("sentence") or _sentence_at(text, where["start"], sents)
        out.append({"source": "gold", "doc": doc, "lang": lang, "kind": e["kind"], "sentence": sent,
                    "pred": _compact(e["pred"], PRED_FIELDS), "gold": _compact(e["gold"], GOLD_FIELDS)})
    return lang, s, out


def _coded_job(doc: CodedDoc) -> dict[str, Any]:
    claims = predict(doc.text, doc.id)
    keep = civilian_or_unspecified if doc.kind == "airwars" else None
    t = tally(claims, "killed", keep)
    r: dict[str, Any] = {"kind": doc.kind, "id": doc.id, "lang": doc.lang, "low": doc.low, "high": doc.high,
                         "tally": t, "ok": doc.low <= t <= doc.high}
    if doc.kind == "airwars":
        strict = tally(claims, "killed", civilian_only)
        r["ok_strict"] = doc.low <= strict <= doc.high
    if not r["ok"]:
        r["claims"] = [_compact(c, PRED_FIELDS + ("sentence",)) for c in claims if c["category"] == "killed"]
    return r


def _run(func: Callable[[Any], Any], items: Iterable[Any], workers: int) -> Iterator[Any]:
    """``map`` over a stream, in ``workers`` processes when > 1, feeding bounded batches (memory stays flat)."""
    if workers <= 1:
        yield from map(func, items)
        return
    import multiprocessing

    with multiprocessing.Pool(workers) as pool:
        batch: list[Any] = []
        for item in items:
            batch.append(item)
            if len(batch) >= 16 * workers:
                yield from pool.imap(func, batch, chunksize=4)
                batch = []
        if batch:
            yield from pool.imap(func, batch, chunksize=4)


# --- report ------------------------------------------------------------------------------------------


def _score_line(name: str, s: Score) -> str:
    return (f"gold {name} precision={s.precision:.3f} recall={s.recall:.3f} f1={s.f1:.3f} "
            f"attribution={s.attribution:.3f} right={s.right} wrong_value={s.wrong_value} false_pos={s.false_pos} "
            f"missed={s.missed} excused={s.excused} predicted={s.predicted} gold={s.gold}")


def _claim_brief(c: Mapping[str, Any]) -> str:
    hi = "-" if c.get("high") is None else c["high"]
    flags = "".join(f" {k}" for k in ("subgroup_of", "repeats") if c.get(k)) + (" negated" if c.get("negated") else "")
    return (f"{c['category']}{'/' + c['asset'] if c.get('asset') else ''} {c['low']}/{c['best']}/{hi} "
            f"{c.get('qualifier')} «{c['quote']}» @{c['start']} victims={c.get('victims')} party={c.get('party')} "
            f"by={c.get('claimed_by')} {c.get('scope')}{flags}")


def run_gold(shared: Path, workers: int, out: TextIO, errors: TextIO | None) -> dict[str, Score]:
    """Score the gold set per language, then print the seed article's claims; return the scores."""
    by_lang: dict[str, Score] = {}
    seed: tuple[str, list[dict[str, Any]]] | None = None
    items = []
    for item in read_gold(shared):
        items.append(item)
        if item[0] == SEED_ID:
            seed = item[2], item[3]
    for lang, s, errs in _run(_gold_job, items, workers):
        by_lang.setdefault(lang, Score()).add(s)
        for e in errs if errors else ():
            errors.write(json.dumps(e, ensure_ascii=False) + "\n")
    total = Score()
    for lang in sorted(by_lang):
        total.add(by_lang[lang])
        print(_score_line(lang, by_lang[lang]), file=out)
    print(_score_line("all", total), file=out)
    print_seed(shared, seed, out)
    return by_lang


def print_seed(shared: Path, seed_gold: tuple[str, list[dict[str, Any]]] | None, out: TextIO) -> None:
    """Print the claims of the seed article compactly, marked against its gold claims when the texts agree."""
    path = shared / SEED
    if not path.exists():
        print(f"# seed article {path} not found", file=out)
        return
    text = path.read_text(encoding="utf-8")
    pred = predict(text, SEED)
    gold = seed_gold[1] if seed_gold and seed_gold[0] == text else []
    print(f"# seed article {SEED}: {len(pred)} claims (ok right, X wrong value, + no gold claim, ~ on optional gold)",
          file=out)
    matched = match_claims(pred, gold)
    for i, c in enumerate(pred):
        j = matched.get(i)
        if j is None:
            mark = "~" if any(g.get("optional") and overlap(c, g) for g in gold) else "+"
        else:
            mark = "~" if gold[j].get("optional") else ("ok" if is_right(c, gold[j]) else "X")
        print(f"#  {mark:>2} {_claim_brief(c)}", file=out)
    hit = set(matched.values())
    for j, g in enumerate(gold):
        if j not in hit and not g.get("optional"):
            print(f"#  missed gold: {_claim_brief(g)}", file=out)
    s, _ = score_document(pred, gold, text)
    print(f"seed ar right={s.right} gold={s.gold} predicted={s.predicted} excused={s.excused}", file=out)


def run_coded(kind: str, shared: Path, workers: int, out: TextIO, errors: TextIO | None) -> dict[str, tuple[int, int]]:
    """Share of a coded file's documents whose killed tally equals (is inside) the coded figure, per language."""
    per_lang: dict[str, list[int]] = {}
    strict: dict[str, int] = {}
    for r in _run(_coded_job, read_coded(kind, shared / CODED_FILES[kind]), workers):
        n = per_lang.setdefault(r["lang"], [0, 0])
        n[0] += r["ok"]
        n[1] += 1
        strict[r["lang"]] = strict.get(r["lang"], 0) + r.get("ok_strict", False)
        if errors and not r["ok"]:
            errors.write(json.dumps({"source": kind, "doc": r["id"], "lang": r["lang"], "kind": "tally_mismatch",
                                     "coded": [r["low"], r["high"]], "tally": r["tally"], "claims": r["claims"]},
                                    ensure_ascii=False) + "\n")
    floor = FLOORS[kind]
    ok_all = sum(v[0] for v in per_lang.values())
    n_all = sum(v[1] for v in per_lang.values())
    rows = sorted(per_lang.items()) + ([("all", [ok_all, n_all])] if len(per_lang) > 1 else [])
    for lang, (ok, n) in rows:
        share = ok / n if n else 0.0
        extra = ""
        if kind == "airwars":
            st = sum(strict.values()) if lang == "all" else strict[lang]
            extra = f" civilian_only={st / n if n else 0.0:.3f}"
        status = "ok" if share >= floor else "below"
        print(f"{kind} {lang} tally_match={share:.3f} matched={ok} n={n}{extra} floor={floor:.2f} status={status}",
              file=out)
    return {lang: (v[0], v[1]) for lang, v in per_lang.items()}


def _parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m extract.evaluate", description=__doc__.split("\n")[0])
    p.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                   help="shared material directory holding gold/, corpus/ and research/corpus/ (default: %(default)s)")
    p.add_argument("--only", default=",".join(SECTIONS),
                   help="comma-separated sections to run: gold (with the seed article), acled, gva, airwars "
                        "(default: all)")
    p.add_argument("--errors", type=Path, metavar="FILE",
                   help="write one JSON line per error (false_positive, false_negative, wrong_value, "
                        "wrong_attribution; tally_mismatch for coded files) with its sentence")
    p.add_argument("--workers", type=int, default=1, help="processes to extract with (default: 1)")
    p.add_argument("--incidents", nargs="?", const="", metavar="CSV",
                   help="run the incident evaluation instead (extract.incidents_eval); remaining options go to it")
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in args.sections if s not in SECTIONS]
    if bad:
        p.error(f"--only: unknown section(s) {', '.join(bad)}; choose from {', '.join(SECTIONS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print its figures (lines starting with '#' are for people, the rest key=value)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--incidents" in argv or any(a.startswith("--incidents=") for a in argv):
        from extract import incidents_eval

        rest = []
        for a in argv:
            if a == "--incidents":
                continue
            rest.append(a[len("--incidents="):] if a.startswith("--incidents=") else a)
        return int(incidents_eval.main(rest) or 0)
    args = _parse(argv)
    out = sys.stdout
    errors = open(args.errors, "w", encoding="utf-8") if args.errors else None
    try:
        for section in args.sections:
            t0 = time.perf_counter()
            print(f"# {section}", file=out)
            if section == "gold":
                run_gold(args.shared, args.workers, out, errors)
            else:
                run_coded(section, args.shared, args.workers, out, errors)
            print(f"# {section} took {time.perf_counter() - t0:.1f}s", file=out)
            out.flush()
    finally:
        if errors:
            errors.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
