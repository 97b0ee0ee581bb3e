"""The engine's shortcuts for its per-sentence scans find what a plain scan finds."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from extract import attribution
from extract.engine import _perpetrator, _phrases
from extract.lexicon import _norm_list, language

_PIECES = {code: [*_norm_list(language(code).data.get("perpetrators", []))[:8], "the", "heavy", "قوات", "killed", "و",
                  "ال", " ", "  ", ", ", ". ", "\n", "-", "،", "5"] for code in ("ar", "en")}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_perpetrator_phrases_are_the_plain_scans(code: str, data: st.DataObject) -> None:
    """``_phrases`` (tried only at the next phrase, or from the words before the next head) gives ``finditer``'s
    spans, for a language with modifiers before the head (no skipping form) and one with words after it."""
    s = "".join(data.draw(st.lists(st.sampled_from(_PIECES[code]), max_size=16)))
    L = language(code)
    _perpetrator(L, None, 0, "", 0)  # builds the language's regexes
    rx = L.__dict__["_perp"]
    assert _phrases(*rx, s) == [m.span() for m in rx[0].finditer(s)]


_LISTS = ("report_before", "report_verbs", "report_after", "report_masdar")
_SOURCE_PIECES = {code: [w for key in _LISTS for w in _norm_list(language(code).data.get(key, []))[:6]]
                  + ["the", "و", "ال", "ف", " ", "  ", ", ", ".", "\n", "-", "،", "5", '"'] for code in ("ar", "en")}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_word_starts_find_the_plain_matches(code: str, data: st.DataObject) -> None:
    """A phrase list's search (from its first characters, or from the non-word characters before a word start when
    they are many) finds the matches a plain regex search finds, from any position."""
    s = "".join(data.draw(st.lists(st.sampled_from(_SOURCE_PIECES[code]), max_size=16)))
    pos = data.draw(st.integers(0, len(s)))
    for key in _LISTS:
        if phrases := attribution._rx(language(code), key):
            scan = phrases.scan
            assert [m.span() for m in scan.finditer(s)] == [m.span() for m in scan.rx.finditer(s)]
            assert scan.search(s, pos) == ((m := scan.rx.search(s, pos)) and m.start())
