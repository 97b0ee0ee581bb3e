"""Losses of equipment: destroyed and captured assets by type and party over time."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, common, data, filters
from dashboard.i18n import label, t

v = common.view()
lang = v.lang
common.header("page_equipment", v)
with common.guard(lang):
    common.require_claims(v)
    c1, c2 = st.columns(2)
    filters.seed_once("grain", "grain", lambda v: v[-1] if v[-1] in ("day", "week", "month") else None)
    grain = c1.segmented_control(t("grain", lang), ("day", "week", "month"), key="grain",
                                 default=None if "grain" in st.session_state else "month",
                                 format_func=lambda g: t("grain_" + g, lang)) or "month"
    category = c2.segmented_control(t("f_category", lang), data.EQUIPMENT, key="eq_cat", default="destroyed",
                                    format_func=lambda c: label("cat", c, lang)) or "destroyed"
    filters.set_params({"grain": [grain] if grain != "month" else None}, ["grain"])
    eq = data.equipment(v.filters, grain)
    eq = eq[eq["category"] == category]
    if eq.empty:
        st.info(t("no_equipment", lang))
        st.stop()
    shown = label("cat", category, lang)  # the titles say which of the two the toggle shows
    st.plotly_chart(charts.grouped_bars(data.sum_by(eq, ("period", "asset")), lang,
                                        f"{shown} · {t('equipment_time_title', lang)}",
                                        x="period", y="best", colour="asset", stacked=True), key="eq_time")
    st.plotly_chart(charts.grouped_bars(data.sum_by(eq, ("party", "asset")), lang,
                                        f"{shown} · {t('equipment_party_title', lang)}",
                                        x="party", y="best", colour="asset", stacked=True), key="eq_party")
