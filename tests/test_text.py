"""Normalisation keeps a map back to the original text; sentences and language per sentence."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from extract.text import (_DROP_RE, _abbreviations, _closes_abbreviation, _drop_re, _last_word, _text_drop_re,
                          detect_lang, normalise, normalise_str, sentence_langs, sentences, unmarked)


def test_arabic_letter_forms_digits_and_spaces() -> None:
    assert normalise_str("أكثرُ من ٣٠ قتيلاً\u00a0في إدلبَ ـــ مدينة") == "اكثر من 30 قتيلا في ادلب  مدينه"
    assert normalise_str("۱۲ مصاباً") == "12 مصابا"
    assert normalise_str("1٬200") == "1,200"
    assert normalise_str("آلاف") == "الاف"


def test_backslash_is_a_space() -> None:
    """Some news feeds write a line break as a backslash ("holding two\\French hostages"): it separates words."""
    assert normalise_str("holding two\\French hostages") == "holding two french hostages"
    assert normalise("a\\b é").text == "a b é"


def test_marks_that_dodge_filters_are_dropped_inside_arabic_words_only() -> None:
    """A full stop or asterisk between Arabic letters or tatweels is dropped («استــ*ـشهد»، «ق.صف»); elsewhere it
    stays (a bold marker around a word, arithmetic, a Latin abbreviation)."""
    assert normalise_str("استــ*ـشهد شاب بقـ*ـصف و ق.صف") == "استشهد شاب بقصف و قصف"
    assert normalise_str("*عاجل* 5 * 3 a.m") == "*عاجل* 5 * 3 a.m"
    text = "استــ*ـشهد شاب"
    n = normalise(text)
    a, b = n.span(0, n.text.index(" "))
    assert text[a:b] == "استــ*ـشهد"


def test_offsets_index_the_original() -> None:
    text = "قُتِلَ ٣٠ شخصاً\u00a0في ريـــف حلب"
    n = normalise(text)
    i = n.text.index("30")
    a, b = n.span(i, i + 2)
    assert text[a:b] == "٣٠"
    j = n.text.index("ريف")
    a, b = n.span(j, j + 3)
    assert text[a:b] == "ريـــف"


@given(st.text(alphabet=st.sampled_from(list("abc Aقتلأإةى\u0640\u064b\u0651٣0\u00a0.*")), max_size=40))
def test_every_normalised_character_maps_back(text: str) -> None:
    n = normalise(text)
    for j, ch in enumerate(n.text):
        o = n.orig(j)
        assert normalise_str(text[o]) == ch
        assert n.to_norm(o) == j


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("a .*,ءقيى\u0640\u064b\u0670\u200f\u00ad\ufeff")), max_size=30))
def test_the_drop_regex_chosen_for_a_text_drops_what_the_full_one_drops(text: str) -> None:
    """A text without tatweel is read by a regex without the space case, one holding none of the dropped characters
    nor an asterisk by one finding the full stops alone: each drops what the full regex drops."""
    for t in (text, "ء.ي ق*ي ي.ء", "ق.ي a.b ي.ء", "قـ ـت", text.replace("\u0640", "")):
        assert _drop_re(t).split(t) == _text_drop_re(t).split(t) == _DROP_RE.split(t)


@given(st.text(alphabet=st.sampled_from(list("ab Aقت\u0640\u064b.* \u03a3\u0130")), max_size=20))
def test_a_part_normalises_as_it_would_alone(text: str) -> None:
    """``Normalised.part`` is ``normalise_str`` of the original part, whatever stands around it (a full stop
    between Arabic letters, a space between tatweels, a capital sigma, a letter whose lower case is longer)."""
    n = normalise(text)
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            assert n.part(text, start, end) == normalise_str(text[start:end]), (start, end)
    assert normalise("ب.ت").part("ب.ت", 1, 3) == ".ت" != normalise("ب.ت").text[1:]  # the stop kept alone
    assert normalise("ب.ت").part("ب.ت", 0, 2) == "ب." != normalise("ب.ت").text[:1]


@settings(deadline=None)  # (the first full stop after a word loads the lexicons' abbreviations)
@given(st.text(alphabet=st.sampled_from(list("ab Aقت\u0640\u064b.\n5* ")), max_size=40))
def test_sentences_read_in_one_pass_as_one_by_one(text: str) -> None:
    """The sentences' normalised offsets and languages, read for the whole text at once, are each sentence's
    ``to_norm`` and ``detect_lang``."""
    n, spans = normalise(text), sentences(text)
    assert n.to_norm_spans(spans) == [(n.to_norm(s), n.to_norm(e)) for s, e in spans]
    assert sentence_langs(text, spans) == [detect_lang(text[s:e]) for s, e in spans]


@settings(deadline=None)
@given(st.lists(st.sampled_from(["Mr", "mR", "U.S", "a.m", "J", "x", "said", "Calif", "approx", "xapprox", "no", "Gen",
                                 ".", " ", "\n", "قتل", "é", "5"]), max_size=8), st.integers(0, 14))
def test_a_full_stop_closes_an_abbreviation_as_its_word_says(pieces: list[str], back: int) -> None:
    """``_closes_abbreviation`` answers as the word before the stop does (one letter or an abbreviation), read from
    ``pos`` on and at most 12 characters back, also where it reads only the two letters before the stop."""
    text = "".join(pieces) + ". Next"
    at = len(text) - 6
    pos = max(0, at - back)
    w = _last_word(text[max(pos, at - 12):at])
    assert _closes_abbreviation(text, pos, at) == bool(w and (len(w) == 1 or w.lower() in _abbreviations()))


def test_sentences_and_languages() -> None:
    text = "قال المرصد: قتل 5 أشخاص. Two soldiers were killed, officials said.\nMr. Smith arrived at 5 p.m. today."
    spans = [text[s:e] for s, e in sentences(text)]
    assert spans == ["قال المرصد: قتل 5 أشخاص.", "Two soldiers were killed, officials said.",
                     "Mr. Smith arrived at 5 p.m. today."]
    assert [detect_lang(s) for s in spans] == ["ar", "en", "en"]



@pytest.mark.parametrize("text, expected", [
    ("قتل رجل في الأربعين من عمره.وأصيب طفلان", ["قتل رجل في الأربعين من عمره.", "وأصيب طفلان"]),
    ("غرب المدينة.إصابة امرأة", ["غرب المدينة.", "إصابة امرأة"]),
    ("عمرها ستون عامًا.وكانت", ["عمرها ستون عامًا.", "وكانت"]),  # a diacritic before the stop
    ("قال د.خالد إن", ["قال د.خالد إن"]),  # an initial
    ("أعلنت ق.س.د مقتل", ["أعلنت ق.س.د مقتل"]),  # letters of an acronym
    ("بعد قصـ.ـف المدينة", ["بعد قصـ.ـف المدينة"]),  # a word cut by a stop between tatweels
    ("من الشهدا.ء في", ["من الشهدا.ء في"]),  # one letter after the stop: the word's own
    ("قال لموقع الجزيرة.نت إن", ["قال لموقع الجزيرة.نت إن"]),  # a site's name
])
def test_full_stop_glued_between_arabic_words(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentences(text)] == expected


def test_unmarked_drops_marks_and_keeps_letters() -> None:
    assert unmarked("المرصدُ  المشرقي\u200f") == "المرصد المشرقي"
    assert unmarked("وزارة الدفـاع") == "وزارة الدفاع"
    assert unmarked("إدارة أمن ٣") == "إدارة أمن ٣"  # hamza forms and digits as written


def test_each_mapped_character_maps_once() -> None:
    """The character map is applied one character at a time: no character maps to one that maps again."""
    from extract.text import _MAP

    assert normalise_str("".join(_MAP)) == "".join(_MAP.values()).lower()
    assert not set(_MAP.values()) & set(_MAP)


@given(st.lists(st.sampled_from(list("abcقتلأ ٣«»") + ["x y", "Ab", "ةى"]), max_size=30).map("".join))
def test_detect_lang_counts_letters(text: str) -> None:
    ar = sum("\u0600" <= c <= "\u06ff" for c in text)
    la = sum(c.isascii() and c.isalpha() for c in text)
    assert detect_lang(text) == ("ar" if ar > la else "en")


@given(st.lists(st.sampled_from(list(".!?؟;؛\n \"')]x") + ["Mr.", "..."]), max_size=30).map("".join))
def test_sentence_ends_as_written_plainly(text: str) -> None:
    from extract.text import _SENT_END

    plain = re.compile(r"[.!?؟;؛]+(?=\s|$|[\"')\]])|\n+")
    assert [m.span() for m in _SENT_END.finditer(text)] == [m.span() for m in plain.finditer(text)]
