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
