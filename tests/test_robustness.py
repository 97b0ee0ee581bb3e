"""extract_claims never raises and returns sane claims, on any string and on 1 MB of adversarial text.

Speed is measured in bench/extract_speed.py, not asserted here.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract import extract_claims
from extract.claim import CATEGORIES, QUALIFIERS, SCOPES, VICTIM_TYPES

_BENCH = Path(__file__).resolve().parent.parent / "bench/extract_speed.py"
_spec = importlib.util.spec_from_file_location("extract_speed_bench", _BENCH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

ARABIC = "".join(chr(c) for c in range(0x0621, 0x064B)) + "ًٌٍَُِّْـ" + "٠١٢٣٤٥٦٧٨٩" + "،؛؟«»"
PUNCT = ".,;:!?()[]\"'-–—/%+ \n\t\u00a0\u200f"
WORDS = ["killed", "dead", "wounded", "injured", "more than", "at least", "about", "dozens of", "hundreds",
         "including", "between", "and", "civilians", "soldiers", "police said", "no one was", "five", "twenty-one",
         "قتل", "قتلى", "مقتل", "جرحى", "إصابة", "أكثر من", "ما لا يقل عن", "نحو", "عشرات", "مئات", "بينهم",
         "مدنيين", "ثلاثة", "خمسة عشر", "لم يسفر عن", "بين قتيل وجريح", "وفق مصادر", "1,000", "٣٠", "12", "0",
         "-5", "3.5", "10-20", "2017"]

mixed = st.lists(st.one_of(st.sampled_from(WORDS), st.text(alphabet=ARABIC + PUNCT + "0123456789abcXYZ", max_size=8)),
                 max_size=40).map(" ".join)
any_text = st.one_of(st.text(), st.text(alphabet=ARABIC + PUNCT, max_size=200),
                     st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩,.-– ", max_size=200), mixed,
                     st.lists(mixed, max_size=5).map(lambda xs: "\n\n".join(xs)))


def assert_sane(text: str, claims: list) -> None:
    """Offsets inside the text, quote is the span, ranges ordered, fields from the spec's vocabularies."""
    for c in claims:
        assert 0 <= c.start < c.end <= len(text), (c.start, c.end, len(text))
        assert c.quote == text[c.start:c.end]
        assert c.category in CATEGORIES and c.qualifier in QUALIFIERS and c.scope in SCOPES
        assert c.victim_type in VICTIM_TYPES, c.victim_type
        assert c.lang in ("ar", "en")
        assert 0 <= c.low <= c.best, (c.low, c.best, c.quote)
        assert c.high is None or c.best <= c.high, (c.best, c.high, c.quote)
        assert 0.0 <= c.confidence <= 1.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, lang=st.sampled_from([None, "ar", "en"]))
def test_never_raises_on_any_string(text, lang):
    assert_sane(text, extract_claims(text, doc="h", lang=lang))


def test_one_megabyte_of_adversarial_text():
    text = bench.adversarial_text(1_000_000)
    assert len(text) == 1_000_000
    claims = extract_claims(text, doc="adversarial")
    assert_sane(text, claims)


@pytest.mark.parametrize("name", sorted(bench.ADVERSARIAL_UNITS))
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_each_adversarial_unit_alone(name, lang):
    unit = bench.ADVERSARIAL_UNITS[name]
    text = (unit * (5_000 // len(unit) + 1))[:5_000]
    assert_sane(text, extract_claims(text, lang=lang))


def test_sane_claims_are_found_in_plain_text():
    text = "At least 12 civilians were killed in the strike. وقتل خمسة أشخاص في قصف على حلب."
    claims = extract_claims(text)
    assert_sane(text, claims)
    assert {(c.category, c.low) for c in claims} >= {("killed", 12), ("killed", 5)}
