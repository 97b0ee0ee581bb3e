"""The store: schema and migrations, batch writes, the dashboard's reads, busy and missing databases."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from extract.claim import Claim, make_claim_id, text_hash
from extract.store import db
from extract.store.ingest import ARTICLE_SCHEMA, article_id, claims_table


def make_claim(doc: str, text: str, start: int, **kw) -> Claim:
    """A claim of ``doc`` at ``start`` with the spec's defaults, overridden by ``kw``."""
    fields = dict(doc=doc, lang="en", category="killed", low=5, best=5, high=5, qualifier="exact", quote="5 killed",
                  start=start, end=start + 8, sentence="5 killed.", rule="en.test", extractor_version="test-1")
    fields.update(kw)
    fields["claim_id"] = make_claim_id(text_hash(text), fields["start"], fields["end"], fields["category"],
                                       fields.get("asset"))
    return Claim(**fields)


def store_articles(path: Path, docs: list[tuple[dict, list[Claim]]], version: str = "test-1",
                   replace: tuple[str, ...] = ()) -> dict:
    """Write articles (dicts with at least doc and text) and their claims in one batch, as ingest does."""
    rows, claims, owners = [], [], []
    for a, cs in docs:
        aid = article_id(a["text"])
        rows.append({"title": None, "lang": "en", "published": None, "outlet": None, "url": None,
                     "origin": a["doc"], **a, "id": aid, "extractor_version": version, "n_claims": len(cs)})
        claims += cs
        owners += [aid] * len(cs)
    with db.writer(path) as con:
        return db.write_batch(con, db.RunInfo(paths=["test"], extractor_version=version),
                              pa.Table.from_pylist(rows, schema=ARTICLE_SCHEMA), claims_table(claims, owners),
                              replace=replace, seen=len(docs), finished=True)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store with three articles covering the tally rule's cases."""
    path = tmp_path / "t.duckdb"
    t1, t2, t3 = "Gaza report one.", "Raqqa report two.", "تقرير ثالث"
    store_articles(path, [
        ({"doc": "d1", "text": t1, "title": "One", "outlet": "Reuters", "published": date(2024, 1, 10),
          "url": "https://example.org/1"}, [
            make_claim("d1", t1, 0, best=5, low=5, high=5, party="civilians", country="Palestine", place="Gaza",
                       lat=31.5, lon=34.45, claimant="Health Ministry", claimant_type="medical",
                       includes=[{"victims": "children", "low": 3, "best": 3, "high": 3, "qualifier": "exact"}]),
            make_claim("d1", t1, 20, best=3, low=3, high=3, party="civilians", country="Palestine",
                       subgroup_of="x"),
            make_claim("d1", t1, 40, best=5, low=5, high=5, party="civilians", country="Palestine", repeats="x"),
            make_claim("d1", t1, 60, best=24000, low=24000, high=24000, scope="cumulative", party="civilians",
                       claimant="Health Ministry", claimant_type="medical", event_date=date(2024, 1, 9)),
        ]),
        ({"doc": "d2", "text": t2, "title": "Two", "outlet": "SANA", "published": date(2024, 2, 3)}, [
            make_claim("d2", t2, 0, category="injured", best=30, low=27, high=33, qualifier="about",
                       party="SDF", country="Syria", claimant="SANA", claimant_type="government"),
            make_claim("d2", t2, 20, category="destroyed", asset="tank", best=2, low=2, high=2, party="SDF",
                       country="Syria"),
            make_claim("d2", t2, 40, best=25000, low=25000, high=25000, scope="cumulative", party="civilians",
                       claimant="Health Ministry", claimant_type="medical", event_date=date(2024, 2, 1)),
        ]),
        ({"doc": "d3", "text": t3, "lang": "ar", "published": date(2024, 2, 20)}, [
            make_claim("d3", t3, 0, lang="ar", best=12, low=12, high=None, qualifier="vague", convention="dozens",
                       party="Islamic State", victim_type="combatant", quote="عشرات"),
        ]),
    ])
    return path


def test_schema_is_created_once_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with db.writer(path) as con:
        assert db.schema_version(con) == max(v for v, _, _ in db.migrations())
        assert db.migrate(con) == []  # nothing left to apply
    with db.reader(path) as con:
        assert db.counts(con)["claims"] == 0


def test_migrations_are_applied_in_order_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.duckdb"
    with db.writer(path) as con:
        top = db.schema_version(con)
    migrations = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS_DIR, migrations)
    monkeypatch.setattr(db, "MIGRATIONS_DIR", migrations)
    (migrations / f"{top + 2:03d}_second.sql").write_text("ALTER TABLE notes ADD COLUMN b INTEGER;")
    (migrations / f"{top + 1:03d}_first.sql").write_text("CREATE TABLE notes (a INTEGER);")
    with db.writer(path) as con:
        assert db.schema_version(con) == top + 2
    with db.writer(path) as con:
        assert db.migrate(con) == []
    (migrations / f"{top + 2:03d}_again.sql").write_text("SELECT 1;")
    with pytest.raises(db.StoreError, match="share a version"):
        db.migrations()


def test_failed_migration_leaves_the_schema_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    monkeypatch.setattr(db, "MIGRATIONS_DIR", migrations)
    (migrations / "002_bad.sql").write_text("CREATE TABLE half (a INTEGER); SELECT * FROM no_such_table;")
    path = tmp_path / "f.duckdb"
    with pytest.raises(Exception, match="no_such_table"):
        with db.writer(path):
            pass
    (migrations / "002_bad.sql").write_text("CREATE TABLE half (a INTEGER);")  # fixed: applies cleanly now
    with db.writer(path) as con:
        assert db.schema_version(con) == 2


def test_claims_keep_every_field_and_nested_includes(store: Path) -> None:
    with db.reader(store) as con:
        a = db.article(con, article_id("Gaza report one."))
    assert a["title"] == "One" and a["outlet"] == "Reuters" and a["text"] == "Gaza report one."
    first = a["claims"].iloc[0]
    assert list(first["includes"]) == [{"victims": "children", "low": 3, "best": 3, "high": 3, "qualifier": "exact"}]
    assert first["day"] == date(2024, 1, 10)  # no event date: the publication date
    assert set(Claim.__dataclass_fields__) <= set(a["claims"].columns)
    assert len(a["claims"]) == 4


def test_tally_rule_excludes_cumulative_subgroups_and_repeats(store: Path) -> None:
    with db.reader(store) as con:
        c = db.counts(con)
        s = db.series(con, period="month")
        by_party = db.breakdown(con, "party").set_index("party")
    assert c["claims"] == 8 and c["articles"] == 3
    assert c["best"] == 5 + 30 + 2 + 12
    assert c["open_high"] == 1
    jan = s[(s.period == date(2024, 1, 1)) & (s.category == "killed")]
    assert jan.best.tolist() == [5]
    assert by_party.loc["civilians", "best"] == 5 and by_party.loc["civilians", "claims"] == 5


def test_latest_cumulative_toll_per_claimant(store: Path) -> None:
    with db.reader(store) as con:
        latest = db.latest_cumulative(con)
    assert latest.best.tolist() == [25000]
    assert latest.claimant.tolist() == ["Health Ministry"]


def test_cumulative_series_per_claimant(store: Path, tmp_path: Path) -> None:
    with db.reader(store) as con:
        s = db.cumulative_series(con, category="killed")
        injured = db.cumulative_series(con, category="injured")
        feb = db.cumulative_series(con, db.Filters(date_from=date(2024, 2, 1)), "killed")
    assert list(zip(s.claimant, s.day, s.best)) == [("Health Ministry", date(2024, 1, 9), 24000),
                                                    ("Health Ministry", date(2024, 2, 1), 25000)]
    assert injured.empty and feb.best.tolist() == [25000]
    # two tolls of one claimant on one day: the larger one, with its own range and quote
    path, text = tmp_path / "c.duckdb", "Two tolls on one day."
    store_articles(path, [({"doc": "d", "text": text, "published": date(2024, 3, 1)}, [
        make_claim("d", text, 0, best=100, low=100, high=100, scope="cumulative", claimant="UN", quote="100 dead"),
        make_claim("d", text, 20, best=120, low=120, high=None, qualifier="more_than", scope="cumulative",
                   claimant="UN", quote="over 119 dead"),
        make_claim("d", text, 40, best=7, low=7, high=7, claimant="UN")])])
    with db.reader(path) as con:
        one = db.cumulative_series(con)
    assert one[["claimant", "claims", "low", "best", "open_high", "quote"]].values.tolist() == [
        ["UN", 2, 120, 120, 1, "over 119 dead"]]


@pytest.mark.parametrize("filters, n", [
    (db.Filters(), 8),
    (db.Filters(date_from=date(2024, 2, 1)), 4),
    (db.Filters(date_to=date(2024, 1, 31)), 4),
    (db.Filters(countries=("Syria",)), 2),
    (db.Filters(places=["Gaza"]), 1),
    (db.Filters(categories=("injured", "destroyed")), 2),
    (db.Filters(assets=("tank",)), 1),
    (db.Filters(parties=("SDF", "Islamic State")), 3),
    (db.Filters(victim_types=("combatant",)), 1),
    (db.Filters(claimants=("SANA",)), 1),
    (db.Filters(claimant_types=("medical",)), 3),
    (db.Filters(langs=("ar",)), 1),
    (db.Filters(scopes=("cumulative",)), 2),
    (db.Filters(exact_only=True), 6),
    (db.Filters(min_confidence=0.6), 0),
    (db.Filters(parties=("x'); DROP TABLE claims; --",)), 0),
])
def test_filters(store: Path, filters: db.Filters, n: int) -> None:
    with db.reader(store) as con:
        assert db.counts(con, filters)["claims"] == n
        assert len(db.export_claims(con, filters)) == n
        assert len(db.claims_page(con, filters, limit=100)) == n
        assert db.counts(con)["claims"] == 8  # the injection attempt above changed nothing


def test_claims_page_orders_pages_and_joins_the_article(store: Path) -> None:
    with db.reader(store) as con:
        page1 = db.claims_page(con, limit=3, order="best")
        page2 = db.claims_page(con, limit=3, offset=3, order="best")
        asc = db.claims_page(con, limit=1, order="best", descending=False)
        with pytest.raises(ValueError):
            db.claims_page(con, order="best; DROP TABLE claims")
    assert page1.best.tolist() == [25000, 24000, 30]
    assert page2.best.tolist()[0] <= 30 and not set(page1.claim_id) & set(page2.claim_id)
    assert asc.best.tolist() == [2]
    assert {"title", "outlet", "published", "url"} <= set(page1.columns)
    assert page1.iloc[1].title == "One" and page1.iloc[1].url == "https://example.org/1"


def test_filter_values_bounds_map_and_equipment(store: Path) -> None:
    with db.reader(store) as con:
        values = db.filter_values(con)
        bounds = db.date_bounds(con)
        points = db.map_points(con)
        equipment = db.equipment_series(con)
    assert values["countries"] == ["Palestine", "Syria"]
    assert values["parties"][0] == "civilians"
    assert set(values["langs"]) == {"ar", "en"}
    assert set(values) == set(db.LIST_FILTERS)
    assert bounds == (date(2024, 1, 9), date(2024, 2, 20))
    assert points[["place", "best"]].values.tolist() == [["Gaza", 5]]
    assert equipment[["category", "asset", "best"]].values.tolist() == [["destroyed", "tank", 2]]


def test_fingerprint_changes_when_a_batch_lands(store: Path) -> None:
    with db.reader(store) as con:
        before = db.fingerprint(con)
    store_articles(store, [({"doc": "d9", "text": "A new report."}, [])])
    with db.reader(store) as con:
        assert db.fingerprint(con) != before


def test_replacing_claims_of_an_article(store: Path) -> None:
    text = "Gaza report one."
    result = store_articles(store, [({"doc": "d1", "text": text}, [make_claim("d1", text, 0, best=7, low=7, high=7,
                                                                              extractor_version="test-2")])],
                            version="test-2", replace=(article_id(text),))
    assert result["reextracted"] == 1 and result["added"] == 0
    with db.reader(store) as con:
        a = db.article(con, article_id(text))
        assert db.counts(con)["claims"] == 5
    assert a["extractor_version"] == "test-2" and a["claims"].best.tolist() == [7]
    assert a["title"] == "One"  # the article itself is kept


def test_missing_store_and_busy_store(tmp_path: Path, store: Path) -> None:
    with pytest.raises(db.StoreMissing, match="ingest"):
        with db.reader(tmp_path / "none.duckdb"):
            pass
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, duckdb
        con = duckdb.connect({str(store)!r})
        print("holding", flush=True)
        sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(db.StoreBusy, match="in use"):
            with db.reader(store):
                pass
        with pytest.raises(db.StoreBusy):
            with db.writer(store, wait=0.3):
                pass
    finally:
        holder.communicate("")
    with db.reader(store) as con:  # let go: readable again
        assert db.counts(con)["claims"] == 8
