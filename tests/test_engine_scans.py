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


def test_claim_fields_in_their_places() -> None:
    """The engine builds a claim from its fields in their order (no keywords): each lands in its own field."""
    from datetime import date

    from extract import extract_claims
    from extract.claim import make_claim_id, text_hash
    from extract.engine import EXTRACTOR_VERSION

    text = ("BEIRUT (Reuters) - Syrian government shelling killed 12 civilians in Aleppo on Monday, the Syrian "
            "Observatory for Human Rights said.")
    [c] = extract_claims(text, doc="d7", lang="en", published=date(2024, 3, 6))
    assert (c.doc, c.lang, c.category, c.low, c.best, c.high, c.qualifier) == ("d7", "en", "killed", 12, 12, 12, "exact")
    assert (c.quote, c.sentence, c.rule, c.extractor_version) == ("killed 12 civilians", text, "en.verb.number",
                                                                   EXTRACTOR_VERSION)
    assert text[c.start:c.end] == c.quote and c.claim_id == make_claim_id(text_hash(text), c.start, c.end, "killed")
    assert (c.asset, c.convention, c.victims, c.party, c.victim_type, c.includes) == (None, None, "civilians",
                                                                                      "civilians", "civilian", [])
    assert (c.claimed_by, c.claimant, c.claimant_type, c.self_reported) == (
        "the Syrian Observatory for Human Rights", "SOHR", "ngo", None)
    assert (c.perpetrator, c.location, c.place, c.country) == ("Syrian government shelling", "Aleppo", "Aleppo", "Syria")
    assert isinstance(c.lat, float) and isinstance(c.lon, float) and c.event_date == date(2024, 3, 4)
    assert (c.scope, c.subgroup_of, c.repeats, c.negated, c.confidence) == ("incident", None, None, False, 0.9)
