"""Export: exactly what the filters select — claims, the articles behind them, the series behind each chart —
as CSV (UTF-8 with BOM, formula-safe) or Parquet. Big files are made when their button is pressed."""
from __future__ import annotations

import streamlit as st

from dashboard import common, data
from dashboard.i18n import t

v = common.view()
lang = v.lang
common.header("page_export", v)
with common.guard(lang):
    n = common.require_claims(v)
    st.caption(t("export_note", lang))
    for what, key in (("claims", "export_claims"), ("articles", "export_articles")):
        st.subheader(t(key, lang))
        if what == "claims":
            st.caption(t("export_rows", lang, n=f"{n:,}"))
        c1, c2 = st.columns(2)
        for col, fmt in ((c1, "csv"), (c2, "parquet")):
            col.download_button(
                t("export_" + fmt, lang), data=data.export_file(what, v.filters, fmt),
                file_name=f"tally-{what}.{fmt}", mime=data.MIME[fmt], key=f"dl_{what}_{fmt}", on_click="ignore")

    st.subheader(t("export_series", lang))
    grain = st.session_state.get("grain") or "month"
    category = st.session_state.get("ts_cat") or "killed"
    name = st.selectbox(t("export_series", lang), list(data.SERIES), key="ex_series",
                        format_func=lambda k: t(k, lang), label_visibility="collapsed")
    frame = data.SERIES[name](v.filters, grain, category)
    st.caption(t("export_rows", lang, n=f"{len(frame):,}"))
    c1, c2 = st.columns(2)
    for col, fmt in ((c1, "csv"), (c2, "parquet")):
        col.download_button(t("export_" + fmt, lang), data=data.to_bytes(frame, fmt),
                            file_name=f"tally-{name.removeprefix('series_')}.{fmt}", mime=data.MIME[fmt],
                            key=f"dl_series_{fmt}", on_click="ignore")
