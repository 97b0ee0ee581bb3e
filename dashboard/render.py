"""Escaped HTML for evidence: sentences and articles with their figures highlighted, right-to-left for Arabic.

Article text is untrusted: every piece of it passes through ``html.escape`` before it reaches markup,
and links are kept only when they are plain http(s) URLs.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

CATEGORY_COLOURS = {
    "killed": "#d62728",
    "injured": "#ff7f0e",
    "casualties": "#8c564b",
    "captured": "#9467bd",
    "missing": "#7f7f7f",
    "destroyed": "#1f77b4",
}

EVIDENCE_CSS = """
<style>
.tally-ev {border-collapse: collapse; width: 100%; font-size: 0.9rem;}
.tally-ev td, .tally-ev th {border-bottom: 1px solid rgba(128,128,128,.3); padding: .35rem .5rem; vertical-align: top;}
.tally-ev th {text-align: start;}
.tally-ev .sent {max-width: 38rem; line-height: 1.6;}
.tally-ev .meta {color: #666; font-size: .8rem;}
mark.tally-fig {background: #ffe08a; padding: 0 .1em; border-radius: .2em; font-weight: 600;}
mark.tally-fig[data-cat="killed"] {background: #f8b4b4;}
mark.tally-fig[data-cat="injured"] {background: #ffd3a6;}
mark.tally-fig[data-cat="captured"] {background: #d7c4f0;}
mark.tally-fig[data-cat="destroyed"] {background: #b7d4f0;}
.tally-article {line-height: 1.8; white-space: pre-wrap; max-height: 36rem; overflow-y: auto;
  border: 1px solid rgba(128,128,128,.3); padding: .75rem; border-radius: .4rem;}
</style>
"""

RTL_CSS = """
<style>
.stMain, section[data-testid="stSidebar"] {direction: rtl; text-align: right;}
.stMain .js-plotly-plot, .stMain [data-testid="stDataFrame"] {direction: ltr;}
.stMain [dir] {text-align: start;}
</style>
"""


def text_dir(lang: str | None) -> str:
    """The HTML ``dir`` for a text's language."""
    return "rtl" if lang == "ar" else "ltr"


def safe_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) URL with a host, else None (no javascript:, data:, relative…)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c in url for c in '<>"\'` \t\r\n'):
        return None
    return url


def link(url: object, text: str) -> str:
    """An escaped link opening in a new tab, or just the escaped text when the URL is not safe."""
    safe = safe_url(url)
    if safe is None:
        return html.escape(text)
    return f'<a href="{html.escape(safe, quote=True)}" target="_blank" rel="noopener noreferrer nofollow">{html.escape(text)}</a>'


def highlight(text: str, spans: Iterable[tuple[int, int, str]], lang: str | None = None, tag: str = "span") -> str:
    """``text`` escaped, with each (start, end, category) span wrapped in ``<mark>``.

    Spans outside the text or overlapping an earlier-starting span are skipped; the result is one
    element whose ``dir`` follows the language.
    """
    out: list[str] = []
    pos = 0
    for start, end, cat in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos or end <= start or end > len(text) or start < 0:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<mark class="tally-fig" data-cat="{html.escape(str(cat), quote=True)}">'
            f"{html.escape(text[start:end])}</mark>"
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return f'<{tag} dir="{text_dir(lang)}">{"".join(out)}</{tag}>'


def quote_span(sentence: str, quote: str) -> tuple[int, int] | None:
    """Where the figure phrase sits in its sentence (first occurrence), or None."""
    if not quote:
        return None
    i = sentence.find(quote)
    return (i, i + len(quote)) if i >= 0 else None


def sentence_html(sentence: str, quote: str, category: str, lang: str | None) -> str:
    """The claim's sentence, escaped, with its figure phrase highlighted: a block in the sentence's own direction,
    so an English sentence reads left to right (and aligns left) in the Arabic interface, and the reverse."""
    span = quote_span(sentence, quote)
    return highlight(sentence, [(span[0], span[1], category)] if span else [], lang, tag="div")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value))


def _join(*values: Any) -> str:
    """The non-empty values, escaped, joined by a middle dot."""
    return " · ".join(c for c in (_cell(v) for v in values) if c)


def evidence_table(rows: Iterable[Mapping[str, Any]], headers: Mapping[str, str]) -> str:
    """An HTML table of claims: sentence with figure highlighted, figure and range, victims, claimant, article.

    ``headers`` maps the column keys (sentence, figure, victims, claimant, article) to their titles, and ``rule`` to
    the label of the rule that produced the figure (shown under it, with ``rule_doc`` as its tooltip: why the number
    is there). Each row needs the store's claim columns plus the article's ``title``, ``outlet``, ``published``, ``url``.
    """
    head = "".join(f"<th>{html.escape(headers[k])}</th>" for k in ("sentence", "figure", "victims", "claimant", "article"))
    body = []
    for r in rows:
        sent = sentence_html(str(r.get("sentence") or ""), str(r.get("quote") or ""), str(r.get("category")), r.get("lang"))
        high = _cell(r.get("high"))
        rng = f"<span dir='ltr'>{_cell(r.get('low'))}–{high or '?'}</span>"
        rule = (f"<div class='meta'>{html.escape(headers.get('rule', 'rule'))}: <code title=\"{_cell(r.get('rule_doc'))}\">"
                f"{_cell(r.get('rule'))}</code></div>") if r.get("rule") else ""
        figure = (f"<b>{_cell(r.get('best'))}</b> "
                  + _join(r.get("category_label") or r.get("category"), r.get("asset_label") or r.get("asset"))
                  + f"<div class='meta'>{rng} · "
                  + _join(r.get("qualifier_label") or r.get("qualifier"), r.get("convention")) + "</div>" + rule)
        victims = (f"<span dir='auto'>{_cell(r.get('victims'))}</span><div class='meta'>"
                   + _join(r.get("party_label") or r.get("party"), r.get("victim_type_label") or r.get("victim_type")) + "</div>")
        claimant = (f"<span dir='auto'>{_cell(r.get('claimed_by'))}</span><div class='meta'>"
                    + _join(r.get("claimant_label") or r.get("claimant"), r.get("claimant_type_label") or r.get("claimant_type")) + "</div>")
        title = str(r.get("title") or r.get("doc") or "")
        article = (f"<span dir='auto'>{link(r.get('url'), title)}</span><div class='meta'>"
                   + _join(r.get("outlet"), r.get("published")) + "</div>")
        body.append(f"<tr><td class='sent'>{sent}</td><td>{figure}</td><td>{victims}</td><td>{claimant}</td><td>{article}</td></tr>")
    return f"{EVIDENCE_CSS}<table class='tally-ev'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def article_html(text: str, claims: Iterable[Mapping[str, Any]], lang: str | None) -> str:
    """The full article text, escaped, with every claim's figure (its start/end offsets) highlighted."""
    spans = [(int(c["start"]), int(c["end"]), str(c["category"])) for c in claims]
    return EVIDENCE_CSS + highlight(text, spans, lang, tag="div").replace("<div ", '<div class="tally-article" ', 1)
