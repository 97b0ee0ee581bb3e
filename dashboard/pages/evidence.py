"""Evidence: the matching claims, each with its sentence (figure highlighted), claimant, victims, range and
article; an article opened shows its full text with all its claims highlighted."""
from __future__ import annotations

import math

import streamlit as st

from dashboard import common, data, filters, render
from dashboard.i18n import actor_label, label, t
from extract.rules_doc import rule_docs

PAGE_SIZE = 25

v = common.view()
lang = v.lang
common.header("page_evidence", v)
with common.guard(lang):
    n = common.require_claims(v)
    pages = max(1, math.ceil(n / PAGE_SIZE))
    filters.seed_once("ev_page", "p", lambda v: int(v[-1]) if v[-1].isdigit() else None)
    if st.session_state.get("ev_page", 1) > pages:
        st.session_state["ev_page"] = 1
    page = int(st.number_input(t("evidence_page", lang), 1, pages, key="ev_page"))
    filters.set_params({"p": [str(page)] if page > 1 else None}, ["p"])
    rows = data.claims_page(v.filters, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    st.caption(t("evidence_showing", lang, a=f"{(page - 1) * PAGE_SIZE + 1:,}",
                 b=f"{(page - 1) * PAGE_SIZE + len(rows):,}", n=f"{n:,}"))
    records = [{**r, "category_label": label("cat", r["category"], lang), "asset_label": label("asset", r["asset"], lang) if isinstance(r["asset"], str) else None,
                "victim_type_label": label("vt", r["victim_type"], lang),
                "claimant_type_label": label("ct", r["claimant_type"], lang),
                "qualifier_label": label("q", r["qualifier"], lang),
                "party_label": actor_label(r["party"], lang) if isinstance(r["party"], str) else None,
                "claimant_label": actor_label(r["claimant"], lang) if isinstance(r["claimant"], str) else None,
                "rule_doc": rule_docs().get(r["rule"], "")}
               for r in rows.to_dict("records")]
    headers = {"sentence": t("col_sentence", lang), "figure": t("col_figure", lang),
               "victims": t("col_victims", lang), "claimant": t("col_claimant", lang),
               "article": t("col_article", lang), "rule": t("col_rule", lang)}
    st.html(render.evidence_table(records, headers))

    st.subheader(t("open_article", lang))
    articles = rows.drop_duplicates("article_id")
    titles = {r.article_id: " · ".join(str(x) for x in (r.title or r.doc, r.outlet, r.published) if x == x and x)
              for r in articles.itertuples()}
    filters.seed_once("ev_article", "article", lambda v: v[-1])
    if st.session_state.get("ev_article") not in titles and st.session_state.get("ev_article") is not None:
        titles[st.session_state["ev_article"]] = st.session_state["ev_article"]
    chosen = st.selectbox(t("article_choose", lang), list(titles), key="ev_article", index=None,
                          format_func=lambda a: titles.get(a, a), placeholder="…")
    filters.set_params({"article": [chosen] if chosen else None}, ["article"])
    if chosen:
        art = data.article(chosen)
        if art is None:
            st.info(t("no_rows", lang))
        else:
            st.html(f"<h4 dir='auto'>{render.link(art.get('url'), str(art.get('title') or art.get('doc')))}</h4>")
            st.caption(" · ".join(str(x) for x in (art.get("outlet"), art.get("published"), art.get("doc")) if x))
            st.caption(t("article_claims", lang, n=len(art["claims"])))
            st.html(render.article_html(art["text"], art["claims"].to_dict("records"), art.get("lang")))
