"""extract.dates with the real lexicons and dateparser."""
import re
from datetime import date, datetime

import pytest
from hypothesis import given, settings, strategies as st

from extract.dates import _EVENTS, _ISO_DASH, _alt, _lang, day_words, event_date, parse_date
from extract.required_literals import finditer
from extract.text import normalise_str

FRI = date(2024, 1, 19)  # a Friday


@pytest.mark.parametrize("s,lang,want", [
    ("2024-01-19", None, date(2024, 1, 19)),
    ("19 January 2024", None, date(2024, 1, 19)),
    ("Jul 1, 2016 - 12:02 PM", None, date(2016, 7, 1)),
    ("الأحد 19 يناير 2024", "ar", date(2024, 1, 19)),
    ("١٩ كانون الثاني ٢٠٢٤", "ar", date(2024, 1, 19)),
    ("٧ نيسان/أبريل ٢٠٢٣", None, date(2023, 4, 7)),
    ("Thu, 18 Jan 2024 10:00:00 GMT", None, date(2024, 1, 18)),
    ("2023-03-03T10:00:00Z", None, date(2023, 3, 3)),
    ("01/02/2024", "ar", date(2024, 2, 1)),
    ("01/02/2024", "en", date(2024, 1, 2)),
    (date(2024, 1, 2), None, date(2024, 1, 2)),
    (datetime(2024, 1, 2, 23, 5), None, date(2024, 1, 2)),
    ("not a date", None, None),
    ("3 days ago", "en", None),
    ("", None, None),
    (None, None, None),
])
def test_parse_date(s, lang, want):
    assert parse_date(s, lang) == want


_EVENT_CASES = [
    ("قتل 5 أشخاص يوم السبت في حلب", date(2024, 1, 13)),
    ("قتل 5 أشخاص أمس", date(2024, 1, 18)),
    ("قتل فجر الاثنين ٣ مدنيين", date(2024, 1, 15)),
    ("قتل أول أمس 3", date(2024, 1, 17)),
    ("في 7 أبريل قتل 3", date(2023, 4, 7)),  # no year: the last 7 April on or before publication
    ("في ٧ نيسان/أبريل ٢٠٢٣ قتل ٤", date(2023, 4, 7)),
    ("قال المرصد اليوم الجمعة إن 5 قتلوا أمس", date(2024, 1, 18)),
    ("سقط 3 قتلى اليوم", FRI),
    ("Two men were shot on Tuesday", date(2024, 1, 16)),
    ("A man was killed on Friday", FRI),  # the weekday of publication is that day
    ("He was killed yesterday", date(2024, 1, 18)),
    ("Three shot last night", date(2024, 1, 18)),
    ("On 7 April 2025, five died", date(2025, 4, 7)),
    ("On Dec. 28, three died", date(2023, 12, 28)),
    ("On January 12th two died", date(2024, 1, 12)),
    ("On the 7th of April 2025, five died", date(2025, 4, 7)),  # lexicon day_suffixes, day_month_joiners
]


@pytest.mark.parametrize("sentence,want", _EVENT_CASES)
def test_event_date(sentence, want):
    assert event_date(sentence, FRI, None) == want


_NOT_DATES = [
    "A 25-year-old was held for 3 days",
    "Five people may 7 times be hurt",
    "قتل 3 منذ 20 عاما",
    "سيعقد الاجتماع السبت المقبل",
    "The vote is next Tuesday",
    "في اليوم التالي قتل 4",
    "قتل الأحد عشر جنديا",
    "قتل 4 مدنيين بقصف صاروخي استهدف سوق الخميس في المدينة",  # a market named after its day
    "Seven people were killed in the attack",
]


@pytest.mark.parametrize("sentence", _NOT_DATES)
def test_not_dates(sentence):
    assert event_date(sentence, FRI, None) is None


@pytest.mark.parametrize("code", ["ar", "en"])
def test_a_sentence_without_day_words_names_no_day(code: str) -> None:
    """The day words are letters only (so a sentence's normalised text read alone holds one only where the whole text's
    does: the two differ only by a stop, asterisk or space at an end), and the answer told them is the gate's."""
    assert day_words(code) and all(w.isalpha() for w in day_words(code))
    for sentence, _want in [*_EVENT_CASES, *((s, None) for s in _NOT_DATES)]:
        found = event_date(sentence, FRI, code)
        _EVENTS.clear()
        held = any(w in normalise_str(sentence) for w in day_words(code))
        assert event_date(sentence, FRI, code, words=held) == found
        _EVENTS.clear()
        assert event_date(sentence, FRI, code, words=True) == found  # (True: it may hold one)
        _EVENTS.clear()
        if not held:
            assert found is None or _ISO_DASH.search(normalise_str(sentence))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.lists(st.sampled_from(
    ["7", "19", "31", "2024", "april", "jan", "may", "يناير", "نيسان/ابريل", "كانون الثاني", "th", "of", " ", ".", ",",
     "x", "_", "é"]), max_size=10))
def test_explicit_dates_are_found_from_their_first_character(code: str, pieces: list[str]) -> None:
    """The explicit dates' scan, started where the first one opens (found by skipping to their first characters),
    finds what the plain regex finds."""
    text, spec = "".join(pieces), _lang(code)
    assert spec.explicit_first is not None
    found = [m.span() for m in finditer(spec.explicit, spec.explicit_first, text)]
    assert found == [m.span() for m in spec.explicit.finditer(text)]


def test_relative_needs_a_publication_date():
    assert event_date("killed on Tuesday", None, "en") is None
    assert event_date("killed on 7 April 2025", None, "en") == date(2025, 4, 7)
    assert event_date("killed yesterday", "2024-01-19", "en") == date(2024, 1, 18)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.lists(st.sampled_from(
    ["january", "may", "monday", "yesterday", "last night", "يناير", "كانون الثاني", "الجمعة", "امس", "اليوم", "ال",
     "2024", "2024-", "-0", "5", "٢٠٢٤", "x", "_", " ", ",", "-", "é"]), max_size=8))
def test_the_prefilter_is_the_plain_regex_search(code: str, pieces: list[str]) -> None:
    """The event date's prefilter (a hyphen after four digits, or a month, weekday or relative word at a word start)
    answers as the one regex it stands for."""
    text, spec = "".join(pieces), _lang(code)
    plain = rf"(?<!\w)(?:{_alt(spec.months)}|{_alt(list(spec.weekdays) + list(spec.relative))})(?!\w)|\d{{4}}-\d"
    assert bool(_ISO_DASH.search(text) or spec.named.found(text)) == bool(re.search(plain, text))
