"""The dashboard: ``streamlit run streamlit_app.py``. Frames every page: language switch, shared filters, navigation.

On first start, when there is no database ($TALLY_DB, default data/tally.duckdb), it is built from data/demo.
"""
from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from dashboard import common, data, filters
from dashboard.i18n import t
from dashboard.render import RTL_CSS
from extract.store import db

PAGES = Path(__file__).parent / "dashboard" / "pages"
_BUILD_LOCK = threading.Lock()

st.set_page_config(page_title="Casualty tally · حصيلة الضحايا", layout="wide")
lang = filters.ui_language()
if lang == "ar":
    st.html(RTL_CSS)


def ensure_db() -> None:
    """Build the database from the demo articles when there is none (once, even with several sessions)."""
    path = data.db_path()
    if path.exists():
        return
    if not any(data.DEMO_DIR.glob("*")):
        st.warning(t("db_missing", lang, path=str(path)))
        return
    with _BUILD_LOCK, st.spinner(t("building_db", lang)):
        if not path.exists():
            n = data.build_demo(path)
            st.toast(t("db_built", lang, n=n))


try:
    ensure_db()
except db.StoreError as e:
    st.warning(t("db_busy", lang) if isinstance(e, db.StoreBusy) else t("db_error", lang, err=str(e)))

with data.run_scope():
    try:
        options = data.options()
    except db.StoreBusy:
        st.warning(t("db_busy", lang))
        options = {}
    except db.StoreError:
        options = {}
    st.session_state[common.VIEW_KEY] = common.View(lang=lang, filters=filters.sidebar(lang, options))
    spec = [("overview.py", "page_overview", "overview"), ("claimants.py", "page_claimants", "claimants"),
            ("equipment.py", "page_equipment", "equipment"), ("map.py", "page_map", "map"),
            ("incidents.py", "page_incidents", "incidents"), ("evidence.py", "page_evidence", "evidence"),
            ("add.py", "page_add", "add"), ("export.py", "page_export", "export")]
    pages = [st.Page(PAGES / file, title=t(key, lang), url_path=url, default=(url == "overview"))
             for file, key, url in spec if (PAGES / file).exists()]
    st.navigation(pages).run()
