"""Overview: totals per category with their ranges, best over time with a low–high band, cumulative tolls (latest,
and each claimant's over time)."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, common, data, filters
from dashboard.i18n import label, t

v = common.view()
lang = v.lang
common.header("page_overview", v)
with common.guard(lang):
    common.require_claims(v)
    naive_beside = st.toggle(t("count_mode", lang), key="count_mode", help=t("count_mode_help", lang))  # incidents helper
    kpis = data.kpis(v.filters)
    by_incident = "naive_best" in kpis
    cols = st.columns(len(kpis))
    for col, row in zip(cols, kpis.itertuples()):
        col.metric(label("cat", row.category, lang), f"{row.best:,}",
                   help=t("inc_kpi_help" if by_incident else "kpi_help", lang), border=True)
        col.caption(t("kpi_range_open", lang, low=f"{row.low:,}") if row.open_high else
                    t("kpi_range", lang, low=f"{row.low:,}", high=f"{row.high:,}"))
        if by_incident and naive_beside:
            col.caption(t("naive_beside", lang, naive=f"{row.naive_best:,}",
                          factor="–" if row.factor != row.factor else f"{row.factor:.2f}"))
    st.caption(t("inc_tally_note" if by_incident else "tally_note", lang))

    c1, c2 = st.columns([1, 2])
    filters.seed_once("grain", "grain", lambda v: v[-1] if v[-1] in ("day", "week", "month") else None)
    grain = c1.segmented_control(t("grain", lang), ("day", "week", "month"), key="grain",
                                 default=None if "grain" in st.session_state else "month",
                                 format_func=lambda g: t("grain_" + g, lang)) or "month"
    filters.seed_once("ts_cat", "tscat", lambda v: v[-1] if v[-1] in data.KPI_CATEGORIES else None)
    category = c2.selectbox(t("series_category", lang), data.KPI_CATEGORIES, key="ts_cat",
                            format_func=lambda c: label("cat", c, lang))
    filters.set_params({"grain": [grain] if grain != "month" else None,
                        "tscat": [category] if category != "killed" else None}, ["grain", "tscat"])
    st.plotly_chart(charts.time_series(data.time_series(v.filters, grain, category), lang, t("series_title", lang)),
                    key="ov_series")

    cum = data.cumulative(v.filters)
    if cum.empty:
        st.subheader(t("cumulative_title", lang))
        st.info(t("no_cumulative", lang))
    else:
        st.plotly_chart(charts.ranges(cum, lang, t("cumulative_title", lang), by=("claimant", "party", "category"),
                                      colour_by="category"), key="ov_cumulative")
        st.plotly_chart(charts.cumulative_lines(data.cumulative_series(v.filters, category), lang,
                                                t("cumulative_time_title", lang, category=label("cat", category, lang))),
                        key="ov_cumulative_time")
