"""The scorer's logic (extract/evaluate.py) on small hand-made gold and predicted claims."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from extract import evaluate as ev


def claim(start: int, quote: str, category: str = "killed", low: int = 3, high: int | None = 3, **kw) -> dict:
    """A predicted claim (has ``end``)."""
    return {"start": start, "end": start + len(quote), "quote": quote, "category": category, "low": low,
            "best": low, "high": high, "scope": "incident", "subgroup_of": None, "repeats": None, **kw}


def gold(start: int, quote: str, category: str = "killed", low: int = 3, high: int | None = 3,
         optional: bool = False, **kw) -> dict:
    """A gold claim as in claims.jsonl (no ``end``)."""
    return {"start": start, "quote": quote, "category": category, "low": low, "best": low, "high": high,
            "optional": optional, "claimed_by": None, **kw}


def test_overlapping_spans_match_and_disjoint_ones_do_not():
    g = [gold(10, "three people")]
    s, errors = ev.score_document([claim(16, "people killed")], g)
    assert (s.right, s.false_pos, s.missed) == (1, 0, 0)
    s, errors = ev.score_document([claim(22, "killed")], g)  # touches the end of the gold span only
    assert (s.right, s.false_pos, s.missed) == (0, 1, 1)
    assert sorted(e["kind"] for e in errors) == ["false_negative", "false_positive"]


def test_right_needs_category_low_and_high():
    g = [gold(0, "dozens killed", low=12, high=99)]
    assert ev.score_document([claim(0, "dozens", low=12, high=99)], g)[0].right == 1
    for wrong in (claim(0, "dozens", low=10, high=99), claim(0, "dozens", low=12, high=None),
                  claim(0, "dozens", category="injured", low=12, high=99)):
        s, errors = ev.score_document([wrong], g)
        assert (s.right, s.wrong_value, s.missed, s.precision, s.recall) == (0, 1, 0, 0.0, 0.0)
        assert [e["kind"] for e in errors] == ["wrong_value"]


def test_matching_is_one_to_one():
    g = [gold(0, "five people killed", low=5, high=5)]
    pred = [claim(0, "five people", low=5, high=5), claim(5, "people killed", low=5, high=5)]
    s, _ = ev.score_document(pred, g)
    assert (s.right, s.false_pos, s.precision, s.recall) == (1, 1, 0.5, 1.0)
    # one prediction spanning two gold claims matches only one of them
    g2 = [gold(0, "2 killed", low=2, high=2), gold(9, "2 hurt", category="killed", low=2, high=2)]
    s, _ = ev.score_document([claim(0, "2 killed, 2 hurt", low=2, high=2)], g2)
    assert (s.right, s.missed) == (1, 1)


def test_right_match_wins_over_a_wrong_one_on_the_same_gold():
    g = [gold(0, "about 30 killed", low=27, high=33)]
    pred = [claim(0, "about 30", low=30, high=30), claim(6, "30 killed", low=27, high=33)]
    s, errors = ev.score_document(pred, g)
    assert (s.right, s.wrong_value, s.false_pos) == (1, 0, 1)
    assert errors[0]["kind"] == "false_positive" and errors[0]["pred"]["low"] == 30


def test_matching_maximises_right_matches():
    # A overlaps both gold claims, B only the first: the best assignment is A->second, B->first.
    g = [gold(0, "4 killed", low=4, high=4), gold(10, "4 dead", low=4, high=4)]
    pred = [claim(2, "killed and 4", low=4, high=4), claim(0, "4", low=4, high=4)]
    s, _ = ev.score_document(pred, g)
    assert (s.right, s.false_pos, s.missed) == (2, 0, 0)


def test_optional_gold_is_neither_rewarded_nor_penalised():
    g = [gold(0, "10 killed", low=10, high=10), gold(30, "officers", low=2, high=None, optional=True)]
    only_required = ev.score_document([claim(0, "10 killed", low=10, high=10)], g)[0]
    with_optional_right = ev.score_document(
        [claim(0, "10 killed", low=10, high=10), claim(30, "officers", low=2, high=None)], g)[0]
    with_optional_wrong = ev.score_document(
        [claim(0, "10 killed", low=10, high=10), claim(28, "  officers", low=99, high=99)], g)[0]
    for s in (only_required, with_optional_right, with_optional_wrong):
        assert (s.precision, s.recall, s.gold) == (1.0, 1.0, 1)
    assert with_optional_right.excused == 1 and with_optional_wrong.excused == 1
    # an optional gold claim nobody predicted is not a miss
    assert ev.score_document([], [gold(0, "x", optional=True)])[0].missed == 0
    # a prediction beside (not on) the optional claim still counts against precision
    s = ev.score_document([claim(0, "10 killed", low=10, high=10), claim(40, "two", low=2, high=2)], g)[0]
    assert (s.false_pos, s.precision) == (1, 0.5)


def test_prediction_on_required_and_optional_gold_counts_for_the_required_one():
    g = [gold(0, "7 killed", low=7, high=7), gold(4, "killed including 2", low=2, high=2, optional=True)]
    s = ev.score_document([claim(0, "7 killed", low=7, high=7)], g)[0]
    assert (s.right, s.excused, s.counted) == (1, 0, 1)


@pytest.mark.parametrize("pred_by, gold_by, right", [
    (None, None, True),
    ("المرصد السوري لحقوق الإنسان", "المرصد", True),           # containment
    ("وزارة الصحة الفلسطينيه", "وزاره الصحة الفلسطينية", True),  # ta marbuta
    ("إسرائيل", "اسرائيل", True),                                # hamza on alef
    ("المرصدُ السوريّ", "المرصد السوري", True),                  # diacritics
    ("Police", "Prince George’s County police", True),           # case
    ('"SANA"', "SANA", True),                                     # edge punctuation
    ("SANA", None, False),
    (None, "police", False),
    ("وكالة سانا", "مصادر للجزيرة", False),
])
def test_attribution_overlap_after_normalisation(pred_by, gold_by, right):
    assert ev.attribution_right(pred_by, gold_by) is right


def test_attribution_overlap_of_occurrences_in_the_text():
    text = "قالت وزارة الصحة في غزة إن 5 قتلوا"
    assert ev.attribution_right("وزارة الصحة في", "الصحة في غزة", text)
    assert not ev.attribution_right("وزارة الصحة في", "الصحة في غزة")  # no text: containment only
    assert not ev.attribution_right("وزارة", "غزة", text)


def test_attribution_counted_on_right_matches_only():
    g = [gold(0, "3 killed", claimed_by="the police"), gold(20, "4 hurt", category="injured", low=4, high=4,
                                                         claimed_by="police")]
    pred = [claim(0, "3 killed", claimed_by="Police"), claim(20, "4 hurt", category="injured", low=5, high=5)]
    s, errors = ev.score_document(pred, g)
    assert (s.right, s.attr_right, s.attribution) == (1, 1, 1.0)
    s, errors = ev.score_document([claim(0, "3 killed", claimed_by="witnesses")], g[:1])
    assert (s.right, s.attribution) == (1, 0.0)
    assert [e["kind"] for e in errors] == ["wrong_attribution"]


def test_scores_add_up_and_f1():
    a = ev.Score(predicted=4, excused=0, right=3, false_pos=1, gold=3)
    b = ev.Score(predicted=1, excused=1, right=0, gold=3, missed=3)
    a.add(b)
    assert (a.counted, a.right, a.gold) == (4, 3, 6)
    assert a.precision == pytest.approx(0.75) and a.recall == pytest.approx(0.5)
    assert a.f1 == pytest.approx(0.6)
    assert ev.Score().f1 == 1.0  # nothing predicted and nothing to find


def test_tally_follows_the_spec():
    claims = [
        claim(0, "a", low=5, high=5),
        {**claim(10, "b", low=3, high=3), "subgroup_of": "x"},
        {**claim(20, "c", low=5, high=5), "repeats": "x"},
        {**claim(30, "d", low=100, high=100), "scope": "cumulative"},
        claim(40, "e", category="injured", low=7, high=7),
        {**claim(50, "f", low=12, high=99), "best": 12},
    ]
    assert ev.tally(claims, "killed") == 17
    assert ev.tally(claims, "injured") == 7
    assert ev.tally(claims, "killed", keep=lambda c: c["start"] == 0) == 5
    assert ev.tally([], "killed") == 0


def test_airwars_civilian_rule():
    assert ev.civilian_or_unspecified({"victim_type": "civilian", "party": None})
    assert ev.civilian_or_unspecified({"victim_type": "unknown", "party": "civilians"})
    assert ev.civilian_or_unspecified({"victim_type": "unknown", "party": None})
    assert not ev.civilian_or_unspecified({"victim_type": "combatant", "party": None})
    assert not ev.civilian_or_unspecified({"victim_type": "unknown", "party": "Islamic State"})
    assert not ev.civilian_only({"victim_type": "unknown", "party": None})


def _write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_read_coded_documents(tmp_path):
    _write_csv(tmp_path / "a.csv", [
        {"id": "s1", "language": "ar", "text": "نص", "civilian_deaths_min": "", "civilian_deaths_max": ""},
        {"id": "s2", "language": "en", "text": "t", "civilian_deaths_min": "2", "civilian_deaths_max": "4"},
    ])
    docs = list(ev.read_coded("airwars", tmp_path / "a.csv"))
    assert [(d.id, d.lang, d.low, d.high) for d in docs] == [("s1", "ar", 0, 0), ("s2", "en", 2, 4)]
    _write_csv(tmp_path / "g.csv", [{"id": "g1", "title": "Two shot", "text": "Body, with a comma", "num_killed": "2"}])
    (d,) = ev.read_coded("gva", tmp_path / "g.csv")
    assert d.text == "Two shot\n\nBody, with a comma" and (d.low, d.high) == (2, 2)
    _write_csv(tmp_path / "c.csv", [{"id": "c1", "text": "x", "fatalities": "0"}])
    (d,) = ev.read_coded("acled", tmp_path / "c.csv")
    assert (d.lang, d.low, d.high) == ("en", 0, 0)


def _shared_with_gold(tmp_path: Path, docs: list[tuple[str, str, list[dict]]]) -> Path:
    (tmp_path / "gold").mkdir()
    with open(tmp_path / "gold/texts.jsonl", "w", encoding="utf-8") as f:
        for doc, text, _ in docs:
            f.write(json.dumps({"id": doc, "lang": "en", "source": "test", "text": text}) + "\n")
    with open(tmp_path / "gold/claims.jsonl", "w", encoding="utf-8") as f:
        for doc, _, claims in docs:
            f.write(json.dumps({"doc": doc, "lang": "en", "claims": claims}) + "\n")
    return tmp_path


def test_main_scores_the_extractor_against_its_own_output(tmp_path, capsys):
    text = "3 people were killed and 12 others were injured in the attack, police said."
    pred = ev.predict(text, "d1")
    assert pred, "the extractor finds nothing in a plain casualty sentence"
    keys = ("category", "low", "best", "high", "quote", "start", "claimed_by")
    as_gold = [{k: c[k] for k in keys} | {"optional": False} for c in pred]
    extra = {"category": "missing", "low": 1, "best": 1, "high": 1, "quote": "the attack",
             "start": text.index("the attack"), "claimed_by": None, "optional": False}
    shared = _shared_with_gold(tmp_path, [("d1", text, as_gold), ("d2", text, as_gold + [extra])])
    errors = tmp_path / "errors.jsonl"
    assert ev.main(["--shared", str(shared), "--only", "gold", "--errors", str(errors)]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("gold en ")]
    fields = dict(kv.split("=") for kv in lines[0].split()[2:])
    n = len(pred)
    assert fields["precision"] == "1.000" and fields["attribution"] == "1.000"
    assert (int(fields["right"]), int(fields["gold"]), int(fields["missed"])) == (2 * n, 2 * n + 1, 1)
    (rec,) = [json.loads(ln) for ln in errors.read_text(encoding="utf-8").splitlines()]
    assert rec["kind"] == "false_negative" and rec["doc"] == "d2" and "the attack" in rec["sentence"]


def test_main_rejects_unknown_sections():
    with pytest.raises(SystemExit):
        ev.main(["--only", "gold,nope"])


def test_incidents_option_dispatches_to_the_incident_evaluation(capsys):
    with pytest.raises(SystemExit) as exit_:
        ev.main(["--incidents", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "incident" in out.lower() and "--only" not in out  # the incident evaluation's help, not ours
