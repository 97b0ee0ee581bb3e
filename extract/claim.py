"""The claim record: one casualty or loss figure in one place of one document (spec: shared/spec/claims.md)."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

CATEGORIES = ("killed", "injured", "casualties", "captured", "missing", "destroyed")
QUALIFIERS = ("exact", "more_than", "at_least", "about", "nearly", "up_to", "fewer_than", "range", "vague", "unquantified")
VICTIM_TYPES = ("civilian", "combatant", "unknown")
CLAIMANT_TYPES = ("government", "armed_group", "media", "ngo", "medical", "local_sources", "witness", "unknown")
SCOPES = ("incident", "cumulative")


def text_hash(text: str) -> str:
    """Stable hash of a document's text (the part of a claim id that names the document)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def make_claim_id(doc_hash: str, start: int, end: int, category: str, asset: str | None = None) -> str:
    """Same document text and span give the same id on every run."""
    key = f"{doc_hash}:{start}:{end}:{category}:{asset or ''}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Claim:
    """One figure with its evidence. Field names and meanings follow the spec exactly."""

    doc: str
    claim_id: str
    lang: str
    category: str
    low: int
    best: int
    high: int | None
    qualifier: str
    quote: str
    start: int
    end: int
    sentence: str
    rule: str
    extractor_version: str
    asset: str | None = None
    convention: str | None = None
    victims: str | None = None
    party: str | None = None
    victim_type: str = "unknown"
    includes: list[dict[str, Any]] = field(default_factory=list)
    claimed_by: str | None = None
    claimant: str | None = None
    claimant_type: str = "unknown"
    self_reported: bool | None = None
    perpetrator: str | None = None
    location: str | None = None
    place: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    event_date: date | None = None
    scope: str = "incident"
    subgroup_of: str | None = None
    repeats: str | None = None
    negated: bool = False
    confidence: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        """The spec's fields as a plain dict (dates as ISO strings), ready for JSON."""
        d = asdict(self)
        if isinstance(self.event_date, date):
            d["event_date"] = self.event_date.isoformat()
        return d


FIELD_NAMES = tuple(f.name for f in fields(Claim))
