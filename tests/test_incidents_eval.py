"""The incident evaluation (extract/incidents_eval.py): pairwise scoring and the CLI on a small hand-written file."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from extract import evaluate, incidents_eval
from extract.incidents_eval import linked_rows, pairwise


def test_pairwise_scores_links_against_gold_labels():
    gold = {"a": "1", "b": "1", "c": "1", "d": "2"}
    assert pairwise(gold, {("a", "b"), ("a", "c"), ("b", "c")}) == (1.0, 1.0, 1.0)
    p, r, f = pairwise(gold, {("a", "b"), ("c", "d")})
    assert (p, r) == (0.5, pytest.approx(1 / 3)) and f == pytest.approx(0.4)
    assert pairwise(gold, set())[1] == 0.0


def test_rows_are_linked_through_a_shared_incident():
    members = pd.DataFrame({"claim_id": ["x1", "y1", "z1", "x2"], "incident_id": ["i", "i", "j", "j"],
                            "counted": [True, True, True, False]})
    claims = pd.DataFrame({"claim_id": ["x1", "y1", "z1", "x2"], "doc": ["x", "y", "z", "x"]})
    assert linked_rows(members, claims) == {("x", "y")}  # x2 is not counted: x and z are not linked


ROWS = [
    ("s1", "en", "At least 6 civilians were killed in an airstrike on Saraqib on Monday, the Syrian Observatory said.",
     "inc-A", "2024-03-04", 5),
    ("s2", "en", "Six civilians were killed when warplanes struck Saraqib, civil defence said.", "inc-A",
     "2024-03-04", 5),
    ("s3", "en", "Two civilians were killed by shelling on Tadmur.", "inc-B", "2024-03-04", 2),
    ("s4", "en", "The market reopened on Tuesday.", "inc-C", "2024-03-05", ""),
]


def test_cli_prints_the_figures(tmp_path: Path, capsys):
    path = tmp_path / "aw.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "language", "text", "incident_id", "incident_date", "civilian_deaths_min"])
        w.writerows(ROWS)
    assert evaluate.main(["--incidents", str(path)]) == 0
    out = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines() if "=" in line)
    assert float(out["pairwise_precision"]) == 1.0 and float(out["pairwise_recall"]) == 1.0
    assert float(out["airwars_sum"]) == 7 and float(out["naive_sum"]) == 14
    assert float(out["ratio"]) == pytest.approx(8 / 7, abs=1e-3)
    assert float(out["double_counting"]) == pytest.approx(14 / 8, abs=1e-3)
    assert incidents_eval.main([str(path), "--window", "0"]) == 0
    capsys.readouterr()
    assert incidents_eval.main([str(path), "--top", "2"]) == 0
    top = [line for line in capsys.readouterr().out.splitlines() if line.startswith("# ") and "|" in line]
    assert len(top) == 2 and top[0].startswith("# 6 ") and "Saraqib" in top[0]


def _claim(cid, doc, start, country="Syria", event_date="2024-03-04", category="killed", victim_type="civilian",
           party=None, place=None):
    return dict(claim_id=cid, doc=doc, start=start, category=category, low=1, best=1, high=1, qualifier="exact",
                victim_type=victim_type, party=party, place=place or country, country=country, event_date=event_date,
                published="2024-03-04", scope="incident", claimant_type="media")


# A small hand-made hierarchy, so that these tests pin the selection rules, not the gazetteer's data.
GAZ = {"Syria": ("Syria", None, None), "Idlib": ("Syria", "Idlib", None), "Ariha": ("Syria", "Idlib", "Ariha"),
       "Saraqib": ("Syria", "Idlib", "Saraqib"), "Gaza": ("Palestinian Territories", "Gaza Strip", None)}


def _resolve(place, country, lat=None, lon=None):
    return GAZ.get(place) or ((country, None, None) if country else None)


def test_main_event_is_the_first_report_in_the_documents_country_near_its_date_in_each_category():
    claims = pd.DataFrame([
        _claim("a1", "a", 0, country="Palestinian Territories", place="Gaza"),  # elsewhere: background
        _claim("a2", "a", 10, place="Ariha", event_date="2023-01-01"),  # a year before publication: background
        _claim("a3", "a", 20, place="Ariha", victim_type="combatant", party="SDF"),  # combatants
        _claim("a4", "a", 30, place="Ariha", category="injured"),  # the main claim: first in the text
        _claim("a5", "a", 40, place="Saraqib"),  # another town: another event
        _claim("a6", "a", 50, place="Idlib"),  # the governorate holding Ariha: the event's deaths
        _claim("a7", "a", 60, category="casualties"),  # only a country: says nothing about which event
        _claim("a8", "a", 70, place="Ariha", category="injured"),  # injuries are taken already
        _claim("a9", "a", 80, place="Gaza"),
        _claim("b1", "b", 0, country="Syria"),
    ])
    members = pd.DataFrame({"claim_id": claims["claim_id"], "incident_id": "i-" + claims["claim_id"],
                            "counted": True})
    events = incidents_eval.doc_events(claims, members, resolve=_resolve)
    assert events == {"a": ("i-a4", "i-a6"), "b": ("i-b1",)}
    assert incidents_eval.doc_incidents(claims, members, resolve=_resolve) == {"a": "i-a4", "b": "i-b1"}
    members.loc[members["claim_id"] == "a4", "counted"] = False
    assert incidents_eval.doc_events(claims, members, resolve=_resolve)["a"] == ("i-a5",)
    assert incidents_eval.own_links({"a": "i", "b": "i", "c": "j"}) == {("a", "b")}


def test_the_documents_country_counts_all_its_figures_and_on_a_tie_the_first_named():
    claims = pd.DataFrame([
        dict(_claim("c0", "c", 0, place="Ariha"), scope="cumulative"),  # not counted, but says where c is about
        _claim("c1", "c", 10, country="Palestinian Territories", place="Gaza"),
        _claim("c2", "c", 20, place="Ariha", category="injured"),
        _claim("e1", "e", 0, place="Ariha", category="injured"),  # one figure each: the country named first
        _claim("e2", "e", 10, country="Palestinian Territories", place="Gaza"),
    ])
    members = pd.DataFrame({"claim_id": claims["claim_id"], "incident_id": "i-" + claims["claim_id"],
                            "counted": claims["claim_id"] != "c0"})
    assert incidents_eval.doc_incidents(claims, members, resolve=_resolve) == {"c": "i-c2", "e": "i-e1"}


def test_rows_are_linked_when_their_main_events_share_an_incident():
    assert incidents_eval.event_links({"a": ("i", "j"), "b": ("j",), "c": ("k",), "d": ("k", "i")}) == {
        ("a", "b"), ("a", "d"), ("c", "d")}


def test_top_contributors_name_the_largest_killed_incidents_of_main_events():
    rows = pd.DataFrame({"id": ["a", "b"], "incident_id": ["1", "2"], "civilian_deaths_min": [4, None]})
    claims = pd.DataFrame([dict(_claim("a1", "a", 0), best=4, low=4, high=4, quote="four killed"),
                           dict(_claim("b1", "b", 0), best=40, low=40, high=40, quote="forty killed"),
                           dict(_claim("b2", "b", 9), best=900, low=900, high=900, quote="not in b's main event")])
    _out, g, events = incidents_eval._evaluate(rows, claims)
    top = incidents_eval.top_contributors(claims, g.incidents, events, rows, 5)
    assert top["best"].tolist() == [40, 4] and top["quote"].tolist() == ["forty killed", "four killed"]
    assert top["as_main"].tolist() == [1, 1] and top["airwars"].iloc[1] == [4]


def test_ratio_counts_no_incident_of_combatants():
    rows = pd.DataFrame({"id": ["a", "b"], "incident_id": ["1", "2"], "civilian_deaths_min": [4, 2]})
    claims = pd.DataFrame([dict(_claim("a1", "a", 0), best=4, low=4, high=4),
                           dict(_claim("b1", "b", 0, victim_type="combatant", party="SDF"), best=30, low=30, high=30)])
    out = incidents_eval.evaluate(rows, claims)
    assert out["incident_sum"] == 4 and out["ratio"] == pytest.approx(4 / 6)
