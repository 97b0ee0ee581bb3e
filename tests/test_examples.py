"""Every example of every language: the text yields exactly the expected claims, in order, field by field."""
from __future__ import annotations

import pytest

from examples import CHECKABLE, cases
from extract import extract_claims

CASES = cases()


def _actual(claim, field: str):
    if field == "subgroup":
        return claim.subgroup_of is not None
    if field == "repeat":
        return claim.repeats is not None
    value = getattr(claim, field)
    return value.isoformat() if field == "event_date" and value is not None else value


@pytest.mark.parametrize("case_id,lang,example", CASES, ids=[c[0] for c in CASES])
def test_example(case_id: str, lang: str, example: dict) -> None:
    text = example["text"]
    claims = extract_claims(text, doc=case_id, lang=example.get("lang"))
    got = [(c.category, c.low, c.high, c.quote) for c in claims]
    expected = example.get("claims") or []
    assert len(claims) == len(expected), f"expected {len(expected)} claims, got {got}"
    for i, (claim, want) in enumerate(zip(claims, expected)):
        assert text[claim.start:claim.end] == claim.quote
        for field, value in want.items():
            assert field in CHECKABLE, f"unknown field {field!r} in example"
            assert _actual(claim, field) == value, f"claim {i} ({claim.quote!r}) field {field}: {_actual(claim, field)!r} != {value!r}; all: {got}"


def test_enough_examples() -> None:
    """At least 150 examples per language, and sentences that must yield nothing."""
    for code in ("ar", "en"):
        mine = [c for c in CASES if c[1] == code]
        assert len(mine) >= 150, f"{code}: only {len(mine)} examples"
        assert any("nothing" in c[0] for c in mine)
