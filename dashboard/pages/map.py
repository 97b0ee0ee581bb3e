"""Map: incidents by place on an offline geo map, sized by best, coloured by category, evidence on hover."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, common, data
from dashboard.i18n import t

v = common.view()
lang = v.lang
common.header("page_map", v)
with common.guard(lang):
    n = common.require_claims(v)
    places = data.map_places(v.filters)
    if places.empty:
        st.info(t("no_places", lang))
    st.plotly_chart(charts.incident_map(places, lang, t("map_title", lang)), key="map")
    unplaced = n - int(places["claims"].sum()) if not places.empty else n
    if unplaced:
        st.caption(t("map_unplaced", lang, n=f"{unplaced:,}"))
