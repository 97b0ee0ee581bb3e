"""The engine's shortcuts for its per-sentence scans find what a plain scan finds."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

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
