"""The shared sidebar filters, kept in the URL's query parameters so that a view can be sent to a colleague.

``from_params``/``to_params`` are pure (query parameters ↔ the store's :class:`Filters`); ``sidebar`` draws
the widgets, seeds them from the URL once per session, and writes the URL back after every change.
Multi-valued filters repeat their key: ``?party=SDF&party=civilians&cat=killed&from=2024-01-01``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import streamlit as st

from dashboard.i18n import LANGS, actor_label, label, t
from extract.store.db import LIST_FILTERS, Filters

PARAMS: dict[str, str] = {
    "date_from": "from", "date_to": "to", "countries": "country", "places": "place", "categories": "cat",
    "assets": "asset", "parties": "party", "victim_types": "vt", "claimants": "claimant", "claimant_types": "ct",
    "langs": "lang", "scopes": "scope", "exact_only": "exact", "min_confidence": "conf",
}
"""Filters field → query parameter name."""
UI_PARAM = "ui"
KEY = "flt_"
"""Prefix of the filter widgets' keys in st.session_state."""

CODED = {"categories": "cat", "assets": "asset", "victim_types": "vt", "claimant_types": "ct", "langs": "lang",
         "scopes": "scope"}
"""Filters whose values have interface names (i18n prefix)."""
ACTOR_FIELDS = ("parties", "claimants")
"""Filters whose values are actors' names (shown in the interface language, extract/data/actors.yaml)."""
FIXED = {"categories": ("killed", "injured", "casualties", "captured", "missing", "destroyed"),
         "victim_types": ("civilian", "combatant", "unknown"),
         "claimant_types": ("government", "armed_group", "media", "ngo", "medical", "local_sources", "witness",
                            "unknown"),
         "langs": ("ar", "en"), "scopes": ("incident", "cumulative")}
"""Filters whose values are known in advance: always offered, whatever the store holds."""
ORDER = ("countries", "places", "categories", "assets", "parties", "victim_types", "claimants", "claimant_types",
         "langs", "scopes")
"""The list filters in sidebar order."""


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _conf(value: str) -> float | None:
    try:
        v = float(value)
    except ValueError:
        return None
    return v if 0.0 < v <= 1.0 else None


def from_params(params: Mapping[str, Sequence[str]]) -> Filters:
    """Filters from query parameters (each name → all its values); unreadable values are ignored."""
    def first(name: str) -> str | None:
        values = params.get(name) or []
        return values[-1] if values else None

    kwargs: dict[str, Any] = {}
    for field, name in PARAMS.items():
        if field in LIST_FILTERS:
            values = [v for v in (params.get(name) or []) if v != ""]
            kwargs[field] = tuple(dict.fromkeys(values))
    if (v := first(PARAMS["date_from"])) is not None:
        kwargs["date_from"] = _date(v)
    if (v := first(PARAMS["date_to"])) is not None:
        kwargs["date_to"] = _date(v)
    kwargs["exact_only"] = first(PARAMS["exact_only"]) in ("1", "true", "yes")
    if (v := first(PARAMS["min_confidence"])) is not None:
        kwargs["min_confidence"] = _conf(v)
    return Filters(**kwargs)


def to_params(f: Filters) -> dict[str, list[str]]:
    """Query parameters for the set filters only (an unfiltered view has a clean URL)."""
    out: dict[str, list[str]] = {}
    if f.date_from:
        out[PARAMS["date_from"]] = [f.date_from.isoformat()]
    if f.date_to:
        out[PARAMS["date_to"]] = [f.date_to.isoformat()]
    for field in LIST_FILTERS:
        values = getattr(f, field)
        if values:
            out[PARAMS[field]] = list(values)
    if f.exact_only:
        out[PARAMS["exact_only"]] = ["1"]
    if f.min_confidence:
        out[PARAMS["min_confidence"]] = [f"{f.min_confidence:g}"]
    return out


# ---------------------------------------------------------------- Streamlit side

def url_params() -> dict[str, list[str]]:
    """The current query parameters, every name with all its values."""
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def set_params(wanted: Mapping[str, Sequence[str] | None], managed: Sequence[str]) -> None:
    """Make the URL's ``managed`` parameters equal ``wanted`` (absent or None: removed); others are kept.
    Writes only what changed, so an unchanged view does not touch the URL."""
    current = url_params()
    for name in managed:
        want = [str(v) for v in wanted.get(name) or []]
        if want == current.get(name, []):
            continue
        if want:
            st.query_params[name] = want if len(want) > 1 else want[0]
        elif name in st.query_params:
            del st.query_params[name]


def seed_once(key: str, param: str, parse: Callable[[list[str]], Any]) -> None:
    """Give widget ``key`` its value from the URL parameter ``param``, the first time in this session only."""
    flag = f"_seeded_{key}"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    values = url_params().get(param)
    if values:
        value = parse(values)
        if value is not None:
            st.session_state[key] = value


def ui_language() -> str:
    """The interface language switch (top of the sidebar), kept in ``?ui=ar``."""
    seed_once("ui_lang", UI_PARAM, lambda v: v[-1] if v[-1] in LANGS else None)
    lang = st.sidebar.segmented_control(
        "Language · اللغة", LANGS, key="ui_lang", format_func=lambda c: {"en": "English", "ar": "العربية"}[c],
        default=None if "ui_lang" in st.session_state else "en", label_visibility="collapsed")
    lang = lang or "en"
    set_params({UI_PARAM: [lang] if lang != "en" else None}, [UI_PARAM])
    return lang


def _seed_all() -> None:
    if st.session_state.get("_seeded_filters"):
        return
    st.session_state["_seeded_filters"] = True
    f = from_params(url_params())
    for field in LIST_FILTERS:
        st.session_state[KEY + field] = list(getattr(f, field))
    st.session_state[KEY + "date_from"] = f.date_from
    st.session_state[KEY + "date_to"] = f.date_to
    st.session_state[KEY + "exact_only"] = f.exact_only
    st.session_state[KEY + "min_confidence"] = float(f.min_confidence or 0.0)


def _reset() -> None:
    for field in LIST_FILTERS:
        st.session_state[KEY + field] = []
    st.session_state[KEY + "date_from"] = None
    st.session_state[KEY + "date_to"] = None
    st.session_state[KEY + "exact_only"] = False
    st.session_state[KEY + "min_confidence"] = 0.0


def sidebar(lang: str, options: Mapping[str, Sequence[str]]) -> Filters:
    """Draw the filters in the sidebar (values seeded from the URL once), write them back to the URL, and
    return them. ``options`` holds the store's values per list filter (db.filter_values)."""
    _seed_all()
    sb = st.sidebar
    sb.subheader(t("filters", lang))
    c1, c2 = sb.columns(2)
    c1.date_input(t("f_dates", lang), value=None, key=KEY + "date_from", format="YYYY-MM-DD")
    c2.date_input("–", value=None, key=KEY + "date_to", format="YYYY-MM-DD")
    for field in ORDER:
        key = KEY + field
        known = list(FIXED.get(field, ())) + [v for v in options.get(field, []) if v not in FIXED.get(field, ())]
        chosen = [v for v in st.session_state.get(key) or [] if v not in known]
        prefix = CODED.get(field)
        sb.multiselect(
            t("f_" + LIST_FILTERS[field], lang), known + chosen, key=key, placeholder=t("any", lang),
            format_func=(lambda v, p=prefix: label(p, v, lang)) if prefix
            else (lambda v: actor_label(v, lang)) if field in ACTOR_FIELDS else str,
        )
    sb.checkbox(t("f_exact", lang), key=KEY + "exact_only")
    sb.slider(t("f_min_conf", lang), 0.0, 1.0, step=0.05, key=KEY + "min_confidence")
    sb.button(t("f_reset", lang), on_click=_reset)
    ss = st.session_state
    f = Filters(
        date_from=ss.get(KEY + "date_from"), date_to=ss.get(KEY + "date_to"),
        exact_only=bool(ss.get(KEY + "exact_only")), min_confidence=ss.get(KEY + "min_confidence") or None,
        **{field: tuple(ss.get(KEY + field) or ()) for field in LIST_FILTERS},
    )
    set_params(to_params(f), list(PARAMS.values()))
    sb.caption(t("f_share", lang))
    return f
