"""What every page shares: the current view (language and filters) and turning store trouble into messages."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import streamlit as st

from dashboard import data
from dashboard.i18n import t
from extract.store import db
from extract.store.db import Filters

VIEW_KEY = "_tally_view"


@dataclass(frozen=True)
class View:
    """The interface language and the sidebar's filters of this run (set by streamlit_app.py)."""

    lang: str = "en"
    filters: Filters = Filters()


def view() -> View:
    """This run's view (defaults when a page is run on its own)."""
    return st.session_state.get(VIEW_KEY) or View()


@contextmanager
def guard(lang: str) -> Iterator[None]:
    """Show a store problem (missing, busy, unreadable) as a message and stop the page, never a traceback."""
    try:
        yield
    except db.StoreMissing:
        st.info(t("empty_db", lang))
        st.stop()
    except db.StoreBusy:
        st.warning(t("db_busy", lang))
        st.stop()
    except (db.StoreError, duckdb.Error) as e:
        st.error(t("db_error", lang, err=str(e)))
        st.stop()


def require_claims(v: View) -> int:
    """Stop with a message when the store is empty or nothing matches; returns the matching claims."""
    n = data.claim_count(v.filters)
    if n == 0:
        st.info(t("empty_db" if data.total_claims() == 0 else "no_rows", v.lang))
        st.stop()
    return n


def header(key: str, v: View) -> None:
    """The page title."""
    st.title(t(key, v.lang))
