"""The dashboard in a real browser: `streamlit run` on a free port, every page opened in headless Chromium.

The server starts with no database, so the first page load builds it from data/demo (the first-start path).
Checks what a person would see: no error box, Plotly charts drawn, Arabic interface in Arabic and right to
left, filters carried in the address, a download that delivers the file. Screenshots go to test-output/.
"""
from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import playwright.sync_api as playwright
import pytest

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
CHART_PAGES = ("overview", "claimants", "equipment", "map")
PAGES = CHART_PAGES + ("evidence", "add", "export") + (
    ("incidents",) if (ROOT / "dashboard" / "pages" / "incidents.py").exists() else ())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: object) -> Iterator[str]:
    """A streamlit server whose database does not exist yet; the first page load builds it from data/demo
    (checked here, with time to spare on a busy machine). Yields the base URL."""
    db = tmp_path_factory.mktemp("browser") / "tally.duckdb"
    port = _free_port()
    env = {**os.environ, "TALLY_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {proc.stdout.read().decode()[-2000:]}")
            time.sleep(0.3)
        page = browser.new_page()
        page.goto(base)
        page.wait_for_selector("h1", timeout=300_000)
        page.close()
        assert db.exists(), "the first start did not build the database"
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _open(browser: object, url: str, charts: bool) -> object:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    page.wait_for_selector("h1", timeout=90_000)
    if charts:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    _settle(page)
    return page


IDLE = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')"""


def _settle(page: object) -> None:
    """Wait until the script has finished running (no running-status widget, no placeholder left) and the
    page stays so."""
    for _ in range(2):
        page.wait_for_function(IDLE, timeout=60_000)
        page.wait_for_timeout(800)


# the left edge of each line (minus the block's) of every evidence sentence written left to right
LINE_OFFSETS = """() => [...document.querySelectorAll('.tally-ev div[dir=ltr]')].map(d => {
    const r = document.createRange(); r.selectNodeContents(d);
    const left = d.getBoundingClientRect().left, lines = {};
    for (const x of r.getClientRects()) {
        const top = Math.round(x.top);
        lines[top] = Math.min(lines[top] ?? Infinity, Math.round(x.left - left)); }
    return Object.values(lines); })"""


def test_english_evidence_reads_left_to_right_in_the_arabic_interface(server: str, browser: object) -> None:
    page = _open(browser, f"{server}/evidence?ui=ar", charts=False)
    try:
        page.wait_for_selector(".tally-ev div[dir=ltr]", timeout=30_000)
        offsets = page.evaluate(LINE_OFFSETS)
        assert offsets and all(offsets), offsets
        # every line of an English sentence starts at the block's left edge, as in the English interface
        assert all(min(lines) == max(lines) == 0 for lines in offsets), offsets
    finally:
        page.close()


@pytest.mark.parametrize("ui", ["en", "ar"])
@pytest.mark.parametrize("name", PAGES)
def test_page_renders(server: str, browser: object, name: str, ui: str) -> None:
    url = f"{server}/{'' if name == 'overview' else name}" + ("?ui=ar" if ui == "ar" else "")
    page = _open(browser, url, charts=name in CHART_PAGES)
    try:
        OUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT / f"{name}-{ui}.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[role='dialog']").count() == 0, "a dialog (e.g. page not found) is open"
        if name in CHART_PAGES:
            assert page.locator(".js-plotly-plot").count() >= 1
        if ui == "ar":  # the stylesheet arrives with the script's output: give it time on a busy machine
            page.wait_for_function("getComputedStyle(document.querySelector('.stMain')).direction === 'rtl'",
                                   timeout=15_000)
        title = page.locator("h1").first.inner_text()
        main_dir = page.evaluate("getComputedStyle(document.querySelector('.stMain')).direction")
        if ui == "ar":
            assert any("\u0600" <= ch <= "\u06ff" for ch in title), title
            assert main_dir == "rtl"
        else:
            assert title.isascii()
            assert main_dir == "ltr"
    finally:
        page.close()


def test_filters_travel_in_the_address(server: str, browser: object) -> None:
    """A view sent as a link opens with its filters set, and they stay in the address on another page."""
    page = _open(browser, f"{server}/?cat=killed&party=SDF", charts=True)
    try:
        killed = page.locator("[data-testid='stMetricValue']").first.inner_text()
        injured = page.locator("[data-testid='stMetricValue']").nth(1).inner_text()
        assert killed != "0" and injured == "0"
        page.get_by_role("link", name="Evidence").click()
        page.wait_for_url("**/evidence**")
        _settle(page)
        assert "party=SDF" in page.url and "cat=killed" in page.url
        assert page.locator("mark.tally-fig").count() > 0
    finally:
        page.close()


def test_download_delivers_the_filtered_claims(server: str, browser: object) -> None:
    page = _open(browser, f"{server}/export?cat=injured", charts=False)
    try:
        with page.expect_download(timeout=30_000) as info:
            page.locator("[data-testid='stDownloadButton'] button").first.click()
        body = Path(info.value.path()).read_bytes()
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows and {r["category"] for r in rows} == {"injured"}
    finally:
        page.close()
