"""Incidents: reports of one event grouped, each incident with its claims, claimants and spread; analysts split
or merge incidents (kept in the store as overrides, surviving re-ingest). Rules: docs/incidents.md."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common, data, filters
from dashboard.i18n import actor_label, label, t
from extract.store import db

PAGE_SIZE = 200
ORDERS = ("best", "first_date", "n_claims", "spread", "n_docs")

v = common.view()
lang = v.lang
common.header("page_incidents", v)
st.caption(t("inc_intro", lang))


def _save(kind: str, sides: dict[str, str | None] | None = None, remove: str | None = None) -> None:
    try:
        data.change_incidents(kind, sides, remove)
        st.session_state["inc_flash"] = t("inc_saved", lang)
    except db.StoreBusy:
        st.session_state["inc_flash"] = t("inc_busy", lang)
    st.rerun()


def _range(low: object, high: object) -> str:
    return f"{low}–{'?' if pd.isna(high) else int(high)}"


with common.guard(lang):
    common.require_claims(v)
    if st.session_state.get("inc_flash"):
        st.info(st.session_state.pop("inc_flash"))
    if not data.incidents_ready():
        st.info(t("inc_not_built", lang))
        if st.button(t("inc_regroup", lang), key="inc_regroup"):
            st.success(t("inc_regrouped", lang, n=data.regroup_all()))
            st.rerun()
        st.stop()

    st.subheader(t("inc_tally", lang))
    tally = data.incident_tally(v.filters)
    st.dataframe({
        t("col_category", lang): [label("cat", c, lang) for c in tally["category"]],
        t("inc_count", lang): tally["incidents"],
        t("inc_sum", lang): tally["best"],
        t("inc_naive", lang): tally["naive_best"],
        t("inc_factor", lang): ["" if pd.isna(x) else f"×{x:.2f}" for x in tally["factor"]],
    }, hide_index=True, key="inc_tally_table")

    filters.seed_once("inc_order", "iorder", lambda v: v[-1] if v[-1] in ORDERS else None)
    order = st.selectbox(t("inc_order", lang), ORDERS, key="inc_order", format_func=lambda o: t("inc_order_" + o, lang))
    filters.set_params({"iorder": [order] if order != "best" else None}, ["iorder"])
    incs = data.incidents_page(v.filters, PAGE_SIZE, 0, order)
    if incs.empty:
        st.info(t("inc_none", lang))
        st.stop()
    names = {r.incident_id: " · ".join(str(x) for x in (
        label("cat", r.category, lang), r.best, r.place or r.country or "?", r.first_date,
        t("n_claims", lang, n=r.n_claims)) if x is not None) for r in incs.itertuples()}
    st.dataframe({
        t("col_date", lang): incs["first_date"],
        t("col_place", lang): incs["place"].fillna(incs["country"]),
        t("col_category", lang): [label("cat", c, lang) for c in incs["category"]],
        t("inc_side", lang): [actor_label(s, lang) for s in incs["side"]],
        t("col_best", lang): incs["best"],
        t("col_range", lang): [_range(lo, hi) for lo, hi in zip(incs["low"], incs["high"])],
        t("col_claimant", lang): [actor_label(c, lang, "unknown_claimant") for c in incs["best_claimant"]],
        t("col_claims", lang): incs["n_claims"],
        t("inc_order_n_docs", lang): incs["n_docs"],
        t("inc_order_spread", lang): [_range(lo, hi) for lo, hi in zip(incs["spread_low"], incs["spread_high"])],
    }, hide_index=True, key="inc_list")

    filters.seed_once("inc_open", "incident", lambda v: v[-1])
    if st.session_state.get("inc_open") not in names:
        st.session_state["inc_open"] = incs["incident_id"].iloc[0]
    chosen = st.selectbox(t("inc_choose", lang), list(names), key="inc_open", format_func=lambda i: names.get(i, i))
    filters.set_params({"incident": [chosen] if chosen else None}, ["incident"])
    inc = incs.set_index("incident_id").loc[chosen]
    st.subheader(t("inc_members", lang))
    st.caption(t("inc_spread", lang, low=inc["spread_low"], high=inc["spread_high"], n=inc["n_claimants"],
                 d=inc["n_docs"]))
    members = data.incident_members(chosen)
    st.dataframe({
        t("col_figure", lang): members["quote"],
        t("col_best", lang): members["best"],
        t("col_range", lang): [_range(lo, hi) for lo, hi in zip(members["low"], members["high"])],
        t("col_rule", lang): members["rule"],
        t("col_claimant", lang): [actor_label(c, lang, "unknown_claimant")
                                  for c in members["claimant"].fillna(members["claimed_by"])],
        t("col_claimant_type", lang): [label("ct", c, lang) for c in members["claimant_type"]],
        t("col_place", lang): members["place"].fillna(members["location"]),
        t("col_date", lang): members["day"],
        t("inc_role", lang): members["role"],
        t("inc_counted", lang): members["counted"],
        t("inc_reason", lang): members["reason"],
        t("col_sentence", lang): members["sentence"],
        t("col_article", lang): members["title"].fillna(members["doc"]),
    }, hide_index=True, key="inc_members_table")

    counted = members[members["counted"]]
    claim_names = {r.claim_id: f"{r.best} · {r.claimant or r.claimed_by or '?'} · {r.title or r.doc}"
                   for r in counted.itertuples()}
    c1, c2 = st.columns(2)
    split = c1.multiselect(t("inc_split", lang), list(claim_names), key="inc_split",
                           format_func=lambda c: claim_names.get(c, c))
    if c1.button(t("inc_split_btn", lang), key="inc_split_btn", disabled=not split or len(split) == len(claim_names)):
        _save("split", {c: ("a" if c in split else "b") for c in claim_names})
    others = {i: n for i, n in names.items() if i != chosen and incs.set_index("incident_id").loc[i, "category"]
              == inc["category"]}
    merge = c2.multiselect(t("inc_merge", lang), list(others), key="inc_merge", format_func=lambda i: others.get(i, i))
    if c2.button(t("inc_merge_btn", lang), key="inc_merge_btn", disabled=not merge):
        ids = list(claim_names)
        for other in merge:
            m = data.incident_members(other)
            ids += m.loc[m["counted"], "claim_id"].tolist()
        _save("merge", {c: None for c in ids})

    st.subheader(t("inc_overrides", lang))
    ov = data.incident_overrides()
    if ov.empty:
        st.caption(t("inc_no_overrides", lang))
    else:
        summary = ov.groupby(["override_id", "kind", "seq"], as_index=False).agg(claims=("claim_id", "size"))
        st.dataframe(summary, hide_index=True, key="inc_overrides_table")
        gone = st.selectbox(t("inc_remove", lang), summary["override_id"], index=None, key="inc_remove",
                            placeholder="…")
        if st.button(t("inc_remove", lang), key="inc_remove_btn", disabled=gone is None):
            _save("", remove=gone)
