"""Every dashboard page under Streamlit's AppTest, on real DuckDB files: the demo corpus ingested, a generated
store, an empty one, a missing one, and one held by another process's writer."""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard_db import HOSTILE, empty_db, generated_db
from extract.store import db
from extract.store.db import Filters
from extract.store.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
TEXT = ("At least 12 civilians were killed and 30 others injured in an airstrike on the town of Saraqib on Monday, "
        "the Syrian Observatory for Human Rights said.")
PAGES = ("overview", "claimants", "equipment", "map", "evidence", "add", "export")
CHART_PAGES = ("overview", "claimants", "equipment", "map")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/demo ingested through the store's ingest, as on the app's first start."""
    path = tmp_path_factory.mktemp("demo") / "tally.duckdb"
    report = ingest_paths([str(ROOT / "data" / "demo")], db_path=path, workers=1, progress=False)
    assert report.claims_added > 0
    return path


@pytest.fixture(scope="session")
def gen_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_db(tmp_path_factory.mktemp("gen") / "tally.duckdb")


@pytest.fixture()
def blank_db(tmp_path: Path) -> Path:
    return empty_db(tmp_path / "empty.duckdb")


def app(monkeypatch: pytest.MonkeyPatch, path: Path, page: str = "overview", **params: str | list[str]) -> AppTest:
    """The app on ``path``, run once, then on ``page`` (with query parameters set before the first run)."""
    monkeypatch.setenv("TALLY_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    if page != "overview":
        at.switch_page(f"dashboard/pages/{page}.py").run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def html(at: AppTest) -> str:
    return "\n".join(h.value for h in at.get("html"))


def charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def store(path: Path, fn: str, *args: object) -> object:
    with db.reader(path) as con:
        return getattr(db, fn)(con, *args)


# ---------------------------------------------------------------- every page renders

@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo_data(monkeypatch: pytest.MonkeyPatch, demo_db: Path, page: str) -> None:
    at = app(monkeypatch, demo_db, page)
    assert not at.exception, at.exception
    assert not at.error
    if page in CHART_PAGES:
        assert charts(at) >= 1
    if page == "overview":  # the series, the latest cumulative tolls and each claimant's tolls over time
        assert metrics(at)["Killed"] != "0" and charts(at) == 3
    if page == "evidence":  # each figure with the rule that produced it, and what that rule matches as its tooltip
        assert "<mark class=\"tally-fig\"" in html(at)
        assert re.search(r'Rule: <code title="[^"]+">(?:ar|en)\.[a-z._]+</code>', html(at))
    if page == "export":
        assert len(at.get("download_button")) == 6


@pytest.mark.parametrize("page", PAGES)
def test_page_says_so_on_an_empty_database(monkeypatch: pytest.MonkeyPatch, blank_db: Path, page: str) -> None:
    at = app(monkeypatch, blank_db, page)
    assert not at.exception, at.exception
    expected = "Paste text or upload files" if page == "add" else "holds no claims yet"
    assert any(expected in i.value for i in at.info), [i.value for i in at.info]


def test_first_start_builds_the_database_from_the_demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "new" / "tally.duckdb"
    at = app(monkeypatch, path)
    assert not at.exception, at.exception
    assert path.exists()
    assert store(path, "counts")["claims"] > 0
    assert metrics(at)["Killed"] != "0"


def test_busy_database_gives_a_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Another process holds the writer: every page says so instead of failing."""
    path = generated_db(tmp_path / "busy.duckdb", articles=10)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               f"con = duckdb.connect({str(path)!r})\nprint('ready', flush=True)\ntime.sleep(120)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        for page in ("overview", "evidence", "export"):
            at = app(monkeypatch, path, page)
            assert not at.exception, at.exception
            assert any("being written by another process" in w.value for w in at.warning), page
    finally:
        holder.kill()
        holder.wait()


# ---------------------------------------------------------------- filters

def test_changing_a_filter_changes_the_numbers(monkeypatch: pytest.MonkeyPatch, gen_db: Path) -> None:
    at = app(monkeypatch, gen_db)
    before = metrics(at)["Killed"]
    at.multiselect(key="flt_parties").set_value(["SDF"]).run()
    after = metrics(at)["Killed"]
    expected = store(gen_db, "grouped", ("category", "asset"), Filters(parties=("SDF",)))
    killed = int(expected[(expected["category"] == "killed") & expected["asset"].isna()]["best"].sum())
    assert after != before
    assert after == f"{killed:,}"
    assert at.query_params["party"] == "SDF"


def test_a_shared_link_opens_with_its_filters(monkeypatch: pytest.MonkeyPatch, gen_db: Path) -> None:
    at = app(monkeypatch, gen_db, cat="injured", party=["SDF", "Hamas"], conf="0.5")
    assert at.multiselect(key="flt_categories").value == ["injured"]
    assert at.multiselect(key="flt_parties").value == ["SDF", "Hamas"]
    f = Filters(categories=("injured",), parties=("SDF", "Hamas"), min_confidence=0.5)
    m = metrics(at)
    assert m["Killed"] == "0"
    assert m["Injured"] == f"{store(gen_db, 'counts', f)['best']:,}"
    at.switch_page("dashboard/pages/evidence.py").run()
    assert at.query_params["cat"] == "injured"
    assert f"of {store(gen_db, 'counts', f)['claims']} claims" in " ".join(c.value for c in at.caption)


def test_an_ingest_from_outside_shows_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The cache is keyed on the database file: an ingest by another process (the CLI) is seen on the next run."""
    path = generated_db(tmp_path / "grow.duckdb", articles=5)
    at = app(monkeypatch, path, "evidence")
    before = store(path, "counts")["claims"]
    assert f"of {before} claims" in " ".join(c.value for c in at.caption)
    subprocess.run([sys.executable, "-c", "from extract.store.ingest import ingest_texts\n"
                    f"ingest_texts([{TEXT!r}], db_path={str(path)!r})"], check=True, cwd=ROOT)
    after = store(path, "counts")["claims"]
    assert after > before
    at.run()
    assert f"of {after} claims" in " ".join(c.value for c in at.caption)


def test_no_matching_rows_gives_a_message(monkeypatch: pytest.MonkeyPatch, gen_db: Path) -> None:
    for page in ("overview", "map", "evidence", "export"):
        at = app(monkeypatch, gen_db, page, party="nobody at all")
        assert not at.exception
        assert any("No claims match" in i.value for i in at.info), page


def test_arabic_interface(monkeypatch: pytest.MonkeyPatch, gen_db: Path) -> None:
    at = app(monkeypatch, gen_db, ui="ar")
    assert at.title[0].value == "نظرة عامة"
    assert "direction: rtl" in html(at)
    assert "قتلى" in metrics(at)
    at.switch_page("dashboard/pages/evidence.py").run()
    assert at.title[0].value == "الأدلة" and at.query_params["ui"] == "ar"


# ---------------------------------------------------------------- evidence

def test_evidence_is_escaped_and_links_are_checked(monkeypatch: pytest.MonkeyPatch, gen_db: Path) -> None:
    claims = store(gen_db, "claims_page", Filters(), 1000, 0)
    hostile = claims[claims["title"] == HOSTILE]
    assert not hostile.empty
    at = app(monkeypatch, gen_db, "evidence", article=hostile["article_id"].iloc[0])
    assert not at.exception, at.exception
    body = html(at)
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert 'href="javascript' not in body and 'href="https://example.org/' in body
    marks = body.split("class=\"tally-article\"", 1)[1].count("<mark")
    assert marks == len(hostile)


def test_opening_an_article_highlights_all_its_claims(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    at = app(monkeypatch, demo_db, "evidence")
    first = at.selectbox(key="ev_article").options[0]
    at.selectbox(key="ev_article").select_index(0).run()
    assert at.query_params["article"]
    art = store(demo_db, "article", at.query_params["article"])
    body = html(at).split("class=\"tally-article\"", 1)[1]
    assert body.count("<mark") == len(art["claims"]) > 0, first


# ---------------------------------------------------------------- exports

@pytest.fixture()
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """What the download buttons hand to Streamlit's media manager, by file name (bytes or a callable)."""
    seen: dict[str, object] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, *a, **k):  # type: ignore[no-untyped-def]
        seen[file_name] = data
        return add(self, data, mimetype, coordinates, file_name, *a, **k)

    def record_deferred(self, fn, mimetype, coordinates, file_name=None, **k):  # type: ignore[no-untyped-def]
        seen[file_name] = fn
        return add_deferred(self, fn, mimetype, coordinates, file_name, **k)

    monkeypatch.setattr(MediaFileManager, "add", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return seen


def _content(value: object) -> bytes:
    return value() if callable(value) else value  # type: ignore[return-value]


def _csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")
    return pd.DataFrame(list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")))))


def test_downloads_equal_the_filtered_rows(monkeypatch: pytest.MonkeyPatch, gen_db: Path,
                                           downloads: dict[str, object]) -> None:
    at = app(monkeypatch, gen_db, "export", cat="killed", vt="combatant")
    assert not at.exception
    f = Filters(categories=("killed",), victim_types=("combatant",))
    want_claims = store(gen_db, "export_claims", f)
    want_articles = store(gen_db, "export_articles", f)
    claims_csv = _csv(_content(downloads["tally-claims.csv"]))
    assert list(claims_csv["claim_id"]) == list(want_claims["claim_id"])
    assert set(claims_csv["category"]) == {"killed"} and set(claims_csv["victim_type"]) == {"combatant"}
    claims_pq = pd.read_parquet(io.BytesIO(_content(downloads["tally-claims.parquet"])))
    assert list(claims_pq["claim_id"]) == list(want_claims["claim_id"])
    assert list(claims_pq["best"]) == list(want_claims["best"])
    articles_csv = _csv(_content(downloads["tally-articles.csv"]))
    assert list(articles_csv["id"]) == list(want_articles["id"])
    articles_pq = pd.read_parquet(io.BytesIO(_content(downloads["tally-articles.parquet"])))
    assert list(articles_pq["id"]) == list(want_articles["id"])

    by_cat = store(gen_db, "grouped", ("category", "asset"), f)
    killed = int(by_cat[by_cat["asset"].isna() & (by_cat["category"] == "killed")]["best"].sum())
    for i, name in enumerate(at.selectbox(key="ex_series").options):
        at.selectbox(key="ex_series").select_index(i).run()
        assert not at.exception, name
    assert {f"tally-{k.removeprefix('series_')}.{fmt}" for k in data.SERIES for fmt in ("csv", "parquet")} <= set(downloads)
    kpis = _csv(_content(downloads["tally-kpis.csv"]))
    assert int(kpis.set_index("category").loc["killed", "best"]) == killed
    assert int(kpis.set_index("category").loc["injured", "best"]) == 0
    time_series = pd.read_parquet(io.BytesIO(_content(downloads["tally-time.parquet"])))
    assert int(time_series["best"].sum()) == killed


# ---------------------------------------------------------------- adding articles

def test_pasted_text_shows_claims_and_saves_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = generated_db(tmp_path / "add.duckdb", articles=5)
    before = store(path, "counts")["claims"]
    at = app(monkeypatch, path, "add")
    at.text_area(key="add_text").input(TEXT).run()
    assert not at.exception, at.exception
    assert "<mark" in html(at) and "12" in html(at)
    found = [e.label for e in at.expander]
    assert found and "claims found" in found[0] and not found[0].endswith("— 0 claims found")
    at.button(key="add_save").click().run()
    assert not at.exception, at.exception
    assert any("Saved" in s.value for s in at.success), [e.value for e in at.error]
    after = store(path, "counts")["claims"]
    assert after > before
    at.switch_page("dashboard/pages/evidence.py").run()
    assert f"of {after} claims" in " ".join(c.value for c in at.caption)


def test_saving_while_another_process_writes_gives_a_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = generated_db(tmp_path / "held.duckdb", articles=5)
    at = app(monkeypatch, path, "add")
    at.text_area(key="add_text").input(TEXT).run()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, time\n"
                               f"con = duckdb.connect({str(path)!r})\nprint('ready', flush=True)\ntime.sleep(120)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        t0 = time.monotonic()
        at.button(key="add_save").click().run()
        assert time.monotonic() - t0 < 20
        assert not at.exception, at.exception
        assert any("another process is writing" in w.value for w in at.warning)
    finally:
        holder.kill()
        holder.wait()
