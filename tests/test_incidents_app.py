"""The Incidents page under Streamlit's AppTest on a real DuckDB store: list, tally beside the naive sum, split
and merge by an analyst, kept through re-ingest."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import t
from extract.store import db
from extract.store.ingest import ingest_texts

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
TEXTS = [
    ("r1", "At least 12 civilians were killed in an airstrike on Saraqib, the Syrian Observatory said.", 1),
    ("r2", "Twelve civilians were killed in Saraqib in an airstrike, local sources said.", 1),
    ("r3", "Fifteen civilians were killed in an air raid on Saraqib, civil defence said.", 2),
    ("r4", "Three civilians were killed by shelling in Tadmur.", 1),
]


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "tally.duckdb"
    ingest_texts([{"id": i, "text": txt, "date": date(2024, 3, d)} for i, txt, d in TEXTS], db_path=path, workers=1)
    return path


# st.dataframe elements in page order: 0 tally, 1 incidents, 2 the open incident's claims, 3 overrides


def run_page(monkeypatch: pytest.MonkeyPatch, path: Path) -> AppTest:
    monkeypatch.setenv("TALLY_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("dashboard/pages/incidents.py").run()
    assert not at.exception, at.exception
    return at


def membership(path: Path) -> dict[str, set[str]]:
    with db.reader(path) as con:
        rows = con.execute("SELECT ic.incident_id, c.doc FROM incident_claims ic JOIN claims c USING (claim_id) "
                           "WHERE c.category = 'killed' AND ic.counted").fetchall()
    out: dict[str, set[str]] = {}
    for iid, doc in rows:
        out.setdefault(iid, set()).add(doc)
    return out


def test_page_lists_incidents_and_the_naive_sum_beside_them(monkeypatch, store):
    groups = sorted(map(sorted, membership(store).values()))
    assert ["r1", "r2", "r3"] in groups  # one strike, three reports
    at = run_page(monkeypatch, store)
    tally = at.dataframe[0].value
    killed = tally[tally.iloc[:, 0] == "Killed"].iloc[0]
    assert killed.iloc[1] == len(groups) and killed.iloc[3] > killed.iloc[2]  # naive sum exceeds incidents' sum
    assert len(at.dataframe[1].value) >= len(groups)
    members = at.dataframe[2].value
    assert len(members) >= 1 and members[t("inc_reason", "en")].str.len().gt(0).all()  # why each claim is there
    assert members[t("col_rule", "en")].str.match(r"(?:ar|en)\.").all()  # and the rule that read its figure


def test_split_then_merge_from_the_page_survive_reingest(monkeypatch, store):
    at = run_page(monkeypatch, store)
    big = next(i for i, docs in membership(store).items() if len(docs) == 3)
    at.selectbox(key="inc_open").set_value(big).run()
    options = at.multiselect(key="inc_split").options
    assert len(options) == 3
    at.multiselect(key="inc_split").select(at.multiselect(key="inc_split").options[0]).run()
    at.button(key="inc_split_btn").click().run()
    assert not at.exception, at.exception
    sizes = sorted(len(d) for d in membership(store).values())
    assert sizes.count(2) == 1 and sizes.count(3) == 0
    ingest_texts([{"id": "r5", "text": "Two civilians were killed in Tadmur by shelling.", "date": date(2024, 3, 2)}],
                 db_path=store, workers=1)
    assert sorted(len(d) for d in membership(store).values()).count(3) == 0  # the split holds after re-ingest
    with db.reader(store) as con:
        assert len(db.incident_overrides(con)) == 3
    at = run_page(monkeypatch, store)
    assert len(at.dataframe[3].value) == 1
    at.selectbox(key="inc_remove").set_value("split-1").run()
    at.button(key="inc_remove_btn").click().run()
    assert not at.exception, at.exception
    assert any({"r1", "r2", "r3"} <= d for d in membership(store).values())


def test_overview_counts_incidents_and_the_switch_shows_the_naive_sum(monkeypatch, store):
    monkeypatch.setenv("TALLY_DB", str(store))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    killed = next(m for m in at.metric if m.label == "Killed")
    with db.reader(store) as con:
        t = db.incident_tally(con).set_index("category").loc["killed"]
    assert int(killed.value.replace(",", "")) == t["best"] < t["naive_best"]
    assert not any("naive sum" in c.value for c in at.caption)
    at.toggle(key="count_mode").set_value(True).run()
    shown = [c.value for c in at.caption if "naive sum" in c.value]
    assert f"naive sum {int(t['naive_best']):,} · ×{t['naive_best'] / t['best']:.2f} double counting" in shown
