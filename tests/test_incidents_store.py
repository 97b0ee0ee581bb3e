"""Incidents in a real DuckDB store: migration, regrouping after ingest batches, overrides surviving re-ingest."""
from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from extract.claim import Claim, make_claim_id, text_hash
from extract.store import db
from extract.store.ingest import ARTICLE_SCHEMA, article_id, claims_table

SARAQIB = dict(place="Saraqib", country="Syria", lat=35.8645, lon=36.8059)
IDLIB = dict(place="Idlib", country="Syria", lat=35.8702, lon=36.5482)  # the governorate
RAQQA = dict(place="Ar Raqqah", country="Syria", lat=35.9528, lon=39.0079)


def article(doc: str, best: int, published: date, where: dict, category: str = "killed",
            **kw) -> tuple[dict, list[Claim]]:
    text = f"{doc}: {best} civilians were killed."
    c = Claim(doc=doc, claim_id=make_claim_id(text_hash(text), 4, 10, category), lang="en", category=category,
              low=best, best=best, high=best, qualifier="exact", quote=f"{best} civilians", start=4, end=10,
              sentence=text, rule="test", extractor_version="test-1", victim_type="civilian", party="civilians",
              confidence=0.9, **where, **kw)
    return {"doc": doc, "text": text, "published": published}, [c]


def ingest(path: Path, docs: list[tuple[dict, list[Claim]]]) -> None:
    """Write one batch as ingest does, then regroup the blocks it touched (what the ingest hook does)."""
    rows, claims, owners = [], [], []
    for a, cs in docs:
        aid = article_id(a["text"])
        rows.append({"title": None, "lang": "en", "outlet": None, "url": None, "origin": a["doc"], **a, "id": aid,
                     "extractor_version": "test-1", "n_claims": len(cs)})
        claims += cs
        owners += [aid] * len(cs)
    with db.writer(path) as con:
        db.write_batch(con, db.RunInfo(paths=["t"], extractor_version="test-1"),
                       pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA), claims_table(claims, owners),
                       seen=len(docs), finished=True)
        db.regroup_incidents(con, db.claim_blocks(con, [c.claim_id for c in claims]))


def membership(path: Path) -> dict[str, str]:
    with db.reader(path) as con:
        rows = con.execute("SELECT c.doc, ic.incident_id FROM incident_claims ic JOIN claims c USING (claim_id)")
        return dict(rows.fetchall())


D1, D2 = date(2024, 3, 1), date(2024, 3, 2)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "s.duckdb"
    ingest(p, [article("a", 5, D1, SARAQIB), article("b", 6, D1, IDLIB), article("c", 3, D1, RAQQA)])
    return p


def assert_ids_unique(path: Path) -> None:
    """incidents and incident_claims have no PRIMARY KEY (migration 011): the regroup must write each incident and
    each membership once, and no membership may name a missing incident."""
    with db.reader(path) as con:
        assert con.execute("SELECT incident_id FROM incidents GROUP BY ALL HAVING count(*) > 1").fetchall() == []
        assert con.execute("SELECT claim_id FROM incident_claims GROUP BY ALL HAVING count(*) > 1").fetchall() == []
        assert con.execute("SELECT ic.incident_id FROM incident_claims ic ANTI JOIN incidents i "
                           "USING (incident_id)").fetchall() == []


def test_migration_creates_the_tables_once(tmp_path: Path):
    p = tmp_path / "m.duckdb"
    with db.writer(p) as con:
        assert db.incidents_ready(con)
        names = [n for _, n, _ in db.migrations()]
        assert "010_incidents.sql" in names
        assert db.migrate(con) == []  # already applied


def test_ingest_batches_group_into_incidents_incrementally(path: Path):
    m = membership(path)
    assert m["a"] == m["b"] != m["c"]
    ingest(path, [article("d", 7, D2, SARAQIB), article("e", 40, D2, IDLIB)])  # a later batch
    m = membership(path)
    assert m["d"] == m["a"] and m["e"] not in (m["a"], m["c"])
    with db.writer(path) as con:  # incremental == regrouping everything from scratch
        before = con.execute("SELECT * FROM incidents ORDER BY incident_id").fetchall()
        db.regroup_incidents(con)
        assert con.execute("SELECT * FROM incidents ORDER BY incident_id").fetchall() == before


def test_tally_incidents_beside_the_naive_sum(path: Path):
    with db.reader(path) as con:
        t = db.incident_tally(con).set_index("category")
        # a+b (5 and 6 from claimants of one type: the lower median, 5) and c (3); naive: 5 + 6 + 3
        assert (t.loc["killed", "incidents"], t.loc["killed", "best"], t.loc["killed", "naive_best"]) == (2, 8, 14)
        assert t.loc["killed", "factor"] == pytest.approx(14 / 8)
        page = db.incidents_page(con, db.Filters(places=("Ar Raqqah",)))
        assert list(page["best"]) == [3]
        inc = db.incidents_page(con, order="n_claims").iloc[0]
        members = db.incident_members(con, inc["incident_id"])
        assert sorted(members["doc"]) == ["a", "b"] and members["reason"].str.len().gt(0).all()


def test_split_and_merge_survive_reingest(path: Path):
    m = membership(path)
    with db.reader(path) as con:
        ids = dict(con.execute("SELECT doc, claim_id FROM claims").fetchall())
    with db.writer(path) as con:
        db.add_incident_override(con, "split", {ids["a"]: "a", ids["b"]: "b"}, note="two strikes")
        db.add_incident_override(con, "merge", {ids["b"]: None, ids["c"]: None})
        db.regroup_incidents(con)
    m = membership(path)
    assert m["a"] != m["b"] and m["b"] == m["c"]
    ingest(path, [article("f", 5, D2, SARAQIB)])  # a new batch regroups the block: the overrides hold
    m = membership(path)
    assert m["a"] != m["b"] and m["b"] == m["c"] and m["f"] == m["a"]
    with db.writer(path) as con:
        db.delete_incident_override(con, "split-1")
        db.delete_incident_override(con, "merge-2")
        db.regroup_incidents(con)
        assert len(db.incident_overrides(con)) == 0
    m = membership(path)
    assert m["a"] == m["b"] != m["c"]
    assert_ids_unique(path)


def test_cumulative_claims_stay_out_of_incidents(path: Path):
    ingest(path, [article("g", 20000, D1, SARAQIB, scope="cumulative")])
    assert "g" not in membership(path)
    with db.reader(path) as con:
        assert db.incident_tally(con).set_index("category").loc["killed", "best"] == 8


def test_incident_series_counts_each_incident_once_by_its_first_date(path: Path):
    ingest(path, [article("h", 6, D2, SARAQIB)])  # joins a+b (no new incident); the latest report, 6, is its best
    with db.reader(path) as con:
        s = db.incident_series(con, db.Filters(categories=("killed",)), "day")
    assert list(zip(s["period"], s["party"], s["claims"], s["best"])) == [(D1, "civilians", 2, 6 + 3)]


def test_regrouping_block_by_block_equals_grouping_the_touched_claims_at_once(path: Path):
    """regroup_incidents writes one unit of blocks at a time (memory stays flat as the corpus grows); the result
    must be what grouping every claim of the touched blocks at once gives, across the ties between blocks: a claim
    with no country whose place resolves into another block, a sub-group and a repeat in another block than the
    claim they follow, a merge across countries, a split."""
    from extract.incidents import group

    mosul = dict(place="Mosul", country="Iraq", lat=36.34, lon=43.13)
    a_id = lambda doc, best, cat="killed": make_claim_id(text_hash(f"{doc}: {best} civilians were killed."), 4, 10, cat)  # noqa: E731
    ingest(path, [article("n", 4, D1, dict(place="Saraqib", country=None, lat=None, lon=None)),  # resolves to Syria
                  article("i1", 9, D1, mosul), article("i2", 10, D2, mosul),
                  article("w", 2, D1, SARAQIB, category="injured"),
                  article("s", 2, D1, mosul, subgroup_of=a_id("a", 5)),  # follows a claim of Syria
                  article("r", 3, D1, mosul, category="injured", repeats=a_id("w", 2, "injured")),
                  article("x", 8, D2, RAQQA)])
    with db.writer(path) as con:
        ids = dict(con.execute("SELECT doc, claim_id FROM claims").fetchall())
        db.add_incident_override(con, "merge", {ids["c"]: None, ids["i1"]: None})
        db.add_incident_override(con, "split", {ids["a"]: "a", ids["n"]: "b"})
        blocks = [tuple(r) for r in con.execute(
            "SELECT DISTINCT category, coalesce(asset, ''), coalesce(country, '') FROM claims ORDER BY ALL").fetchall()]
        assert len(blocks) >= 5
        for some in (blocks[::2], blocks[1::2], blocks):  # the last regroups every block
            db.regroup_incidents(con, some)
            touched = set(some)
            merged = set(db.claim_blocks(con, [ids["c"], ids["i1"]]))  # the merge ties its blocks: both regrouped
            touched = sorted(touched | merged if touched & merged else touched)
            g = group(db.incident_input(con, touched), db.incident_overrides(con))
            members = con.execute("SELECT claim_id, incident_id, role, counted, reason FROM incident_claims "
                                  "WHERE claim_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY ALL",
                                  [g.members["claim_id"].tolist()]).fetchall()
            assert members == sorted(g.members[["claim_id", "incident_id", "role", "counted", "reason"]]
                                     .itertuples(index=False, name=None))
            stored = con.execute("SELECT incident_id, best, low, high, n_claims FROM incidents "
                                 "WHERE incident_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY ALL",
                                 [g.incidents["incident_id"].tolist()]).fetchall()
            assert stored == sorted(g.incidents[["incident_id", "best", "low", "high", "n_claims"]]
                                    .itertuples(index=False, name=None))
    m = membership(path)
    assert m["s"] == m["a"] and m["r"] == m["w"] and m["c"] == m["i1"]
    assert_ids_unique(path)


def _rows(df) -> list[tuple]:
    return sorted(df.astype(object).where(df.notna(), None).itertuples(index=False, name=None))


def test_regrouping_a_unit_window_by_window_equals_grouping_it_whole(tmp_path: Path, monkeypatch):
    """A unit is grouped a window of days at a time, with the members of the incidents still open carried into
    the next window (memory stays flat however large a block grows): the incidents and memberships must be exactly
    those of grouping every claim at once, across windows, undated claims, a sub-group and a repeat dated windows
    after the claim they follow, and a split."""
    from extract.incidents import group

    monkeypatch.setattr(db, "WINDOW_CLAIMS", 7)
    monkeypatch.setattr(db, "WRITE_ROWS", 10)  # closed incidents written every few windows
    rng = random.Random(4)
    where = [SARAQIB, IDLIB, RAQQA, dict(place=None, country="Syria", lat=None, lon=None)]
    docs = [article(f"k{i}", rng.choice([3, 4, 5, 9, 12, 15, 40, 41]), D1 + timedelta(days=i * 7 % 15), where[i % 4],
                    claimant_type=rng.choice(["medical", "media", "unknown"])) for i in range(90)]
    first = docs[0][1][0].claim_id  # dated D1
    docs += [article("sub", 2, D1 + timedelta(days=14), SARAQIB, subgroup_of=first),
             article("rep", 5, D1 + timedelta(days=13), IDLIB, repeats=docs[1][1][0].claim_id),
             article("undated", 6, None, SARAQIB), article("undated2", 7, None, RAQQA)]
    p = tmp_path / "w.duckdb"
    ingest(p, docs)
    with db.writer(p) as con:
        blocks = [tuple(r) for r in con.execute(
            "SELECT DISTINCT category, coalesce(asset, ''), coalesce(country, '') FROM claims").fetchall()]
        assert len(db._day_windows(db._unit_days(con, [blocks])[0])) > 5
        ids = dict(con.execute("SELECT doc, claim_id FROM claims").fetchall())
        for _ in range(2):  # as ingested; then with a split inside one window
            g = group(db.incident_input(con, blocks), db.incident_overrides(con))
            assert _rows(con.execute("SELECT * EXCLUDE (block) FROM incidents").df(date_as_object=True)) == \
                _rows(g.incidents)
            assert _rows(con.execute(f"SELECT {', '.join(g.members.columns)} FROM incident_claims").df()) == \
                _rows(g.members)
            db.add_incident_override(con, "split", {ids["k0"]: "a", ids["k15"]: "b"})
            db.regroup_incidents(con, blocks)
    assert membership(p)["sub"] == membership(p)["k0"]
    assert_ids_unique(p)


def test_ingest_regroups_in_its_workers_what_a_full_regroup_gives(tmp_path: Path, monkeypatch):
    """At the end of a run the windows are grouped in the extraction workers, a few units at a time, each unit on a
    cursor of its own: the incidents must be those of regrouping every claim at once, after a first run and after a
    second that touches the same blocks again."""
    import sys

    from extract.store.ingest import ingest_paths

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import synthetic

    monkeypatch.setattr(db, "WINDOW_CLAIMS", 60)  # several windows per unit
    p = tmp_path / "p.duckdb"
    for n, first in ((160, 0), (160, 120)):
        corpus = synthetic.write_jsonl(tmp_path / f"c{first}.jsonl", n, first=first)
        ingest_paths([str(corpus)], p, workers=2, progress=False, batch_size=50)
        with db.writer(p) as con:
            ours = _rows(con.execute("SELECT * FROM incidents").df(date_as_object=True))
            members = _rows(con.execute("SELECT * FROM incident_claims").df())
            assert db.regroup_incidents(con) == len(ours) > 0
            assert _rows(con.execute("SELECT * FROM incidents").df(date_as_object=True)) == ours
            assert _rows(con.execute("SELECT * FROM incident_claims").df()) == members
        assert_ids_unique(p)


def test_group_window_groups_as_the_duckdb_frame_does(tmp_path: Path):
    """group_window reads the Arrow columns as Python values (no DataFrame): the incidents and members must be those
    of grouping ``incident_input``'s DataFrame, with nulls in the integer, boolean, date and string columns and
    columns that are null throughout."""
    from extract.incidents import group

    rng = random.Random(7)
    where = [SARAQIB, IDLIB, RAQQA, dict(place=None, country="Syria", lat=None, lon=None)]
    docs = [article(f"g{i}", rng.choice([3, 4, 9, 12, 40]), D1 + timedelta(days=i % 4) if i % 9 else None,
                    where[i % 4], claimant_type=rng.choice(["medical", "media", "unknown"]),
                    self_reported=rng.choice([True, False, None]), event_date=rng.choice([None, D2]))
            for i in range(40)]
    for _, cs in docs[::3]:  # open-ended figures: no high
        cs[0] = dataclasses.replace(cs[0], high=None)
    p = tmp_path / "g.duckdb"
    ingest(p, docs)
    with db.writer(p) as con:
        blocks = [tuple(r) for r in con.execute(
            "SELECT DISTINCT category, coalesce(asset, ''), coalesce(country, '') FROM claims").fetchall()]
        frame = db.incident_input(con, blocks)
        arrow = con.sql(f"SELECT {db._INPUT_COLUMNS} FROM claims c").to_arrow_table()
        overrides = db.incident_overrides(con)
    assert arrow.column("high").null_count and arrow.column("asset").null_count == arrow.num_rows
    g = group(frame, overrides)
    inc, members, carry = db.group_window(arrow, None, overrides)
    assert carry == []
    assert _rows(inc.to_pandas(date_as_object=True)) == _rows(g.incidents)
    assert _rows(members.to_pandas()) == _rows(g.members)


def test_writing_incidents_moves_memberships_and_drops_the_incidents_left_empty(path: Path):
    """Before writing incidents, the memberships of their claims are deleted, and with them an incident that this
    leaves without members; an incident that keeps a member stays."""
    before = membership(path)
    assert before["a"] == before["b"] != before["c"]  # Saraqib lies in Idlib: one incident; Raqqa another
    with db.writer(path) as con:
        new = con.sql("SELECT * EXCLUDE (block) FROM incidents WHERE incident_id = ?",
                      params=[before["c"]]).to_arrow_table()
        new = new.set_column(new.schema.get_field_index("incident_id"), "incident_id", pa.array(["inc-new"]))
        ids = dict(con.execute("SELECT doc, claim_id FROM claims").fetchall())
        members = pa.table({"claim_id": [ids["a"], ids["c"]], "incident_id": ["inc-new"] * 2,
                            "role": ["report"] * 2, "counted": [True] * 2, "reason": ["moved"] * 2},
                           schema=db.MEMBER_SCHEMA)
        with db._transaction(con):
            db._insert_incidents(con, new, members)
        assert sorted(i for i, in con.execute("SELECT incident_id FROM incidents").fetchall()) == \
            sorted([before["a"], "inc-new"])
    assert membership(path) == {"a": "inc-new", "b": before["a"], "c": "inc-new"}
    assert_ids_unique(path)
