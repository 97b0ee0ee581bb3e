"""The claim record the engine builds."""
from __future__ import annotations

from datetime import date

from extract import extract_claims
from extract.claim import make_claim_id, text_hash
from extract.engine import EXTRACTOR_VERSION


def test_claim_fields_in_their_places() -> None:
    """The engine builds a claim from its fields in their order (no keywords): each lands in its own field."""
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
