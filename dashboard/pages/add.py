"""Add articles: paste text or upload files, see the claims found at once, save them through the store's ingest."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import common, data, render
from dashboard.i18n import t
from extract.store import db

v = common.view()
lang = v.lang
common.header("page_add", v)

text = st.text_area(t("add_paste", lang), height=200, key="add_text")
c1, c2, c3, c4 = st.columns(4)
title = c1.text_input(t("add_title_field", lang), key="add_title")
outlet = c2.text_input(t("add_outlet_field", lang), key="add_outlet")
url = c3.text_input(t("add_url_field", lang), key="add_url")
published = c4.date_input(t("add_date_field", lang), value=None, key="add_date", max_value=dt.date.today())
uploads = st.file_uploader(t("add_upload", lang), accept_multiple_files=True, key="add_files",
                           type=["md", "txt", "markdown", "html", "htm", "json", "jsonl", "csv", "xml", "rss"])

items, rejected = data.upload_articles([(f.name, f.getvalue()) for f in uploads or []])
if text and text.strip():
    items.insert(0, {"id": None, "text": text, "title": title or None, "outlet": outlet or None,
                     "url": url or None, "date": published, "lang": None})
for origin, reason in rejected:
    st.warning(f"{origin}: {reason}")
if not items:
    st.info(t("add_no_input", lang))
    st.stop()

total = 0
for i, item in enumerate(items):
    found = data.preview_claims(item["text"], item.get("date"))
    total += len(found)
    with st.expander(f"{item.get('title') or item.get('id') or t('add_preview', lang)} — "
                     f"{t('add_found', lang, n=len(found))}", expanded=i < 3):
        if found.empty:
            st.caption(t("add_none", lang))
        else:
            st.dataframe(data.preview_table(found, lang), hide_index=True)
        st.html(render.article_html(item["text"], found.to_dict("records"), data.text_lang(item["text"])))

if st.button(t("add_save", lang), type="primary", disabled=total == 0, key="add_save"):
    try:
        with st.spinner(t("add_save", lang)):
            claims, docs = data.save_texts(items)
        st.success(t("add_saved", lang, n=claims, d=docs))
    except db.StoreBusy:
        st.warning(t("add_busy", lang))
    except (db.StoreError, OSError) as e:
        st.error(t("add_failed", lang, err=str(e)))
