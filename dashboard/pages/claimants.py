"""Claimants: the same losses as each claimant tells them; own versus enemy losses; claimant types."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, common, data
from dashboard.i18n import actor_label, label, t

v = common.view()
lang = v.lang
common.header("page_claimants", v)
with common.guard(lang):
    common.require_claims(v)
    figs = data.claimant_figures(v.filters)
    c1, c2 = st.columns(2)
    party = c1.selectbox(t("claimant_ranges_party", lang), data.parties_by_claimants(figs), key="cl_party",
                         format_func=lambda p: actor_label(p, lang))
    cats = [c for c in data.PEOPLE if c in set(figs["category"])]
    category = c2.selectbox(t("f_category", lang), cats, key="cl_cat", format_func=lambda c: label("cat", c, lang))
    one = data.claimant_ranges(figs, party, category)
    st.plotly_chart(charts.ranges(one, lang, t("claimant_ranges_title", lang), by=("claimant",),
                                  colour_by="claimant_type"), key="cl_ranges")

    left, right = st.columns(2)
    se = data.self_enemy(v.filters)
    left.plotly_chart(charts.grouped_bars(
        se, lang, t("self_enemy_title", lang), x="party", y="best", colour="self_reported",
        colour_names={"True": t("self_reported", lang), "False": t("enemy_reported", lang)}), key="cl_self")
    ct = data.claimant_types(v.filters)
    right.plotly_chart(charts.grouped_bars(
        ct, lang, t("claimant_types_title", lang), x="claimant_type", y="claims",
        x_names={c: label("ct", c, lang) for c in ct["claimant_type"].dropna()}), key="cl_types")

    st.subheader(t("claimant_table", lang))
    st.dataframe(data.claimant_table(figs, lang), hide_index=True)
