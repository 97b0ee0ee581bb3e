"""The engine's shortcuts for its per-sentence scans find what a plain scan finds."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from extract import attribution, engine
from extract.actors import _find, _n, actors
from extract.conventions import exact, qualified
from extract.dates import day_words
from extract.engine import _PERPETRATOR, _context_party, _mixed, _num_starts, _perpetrator, _phrases, _plan
from extract.lexicon import _head, _norm_list, _opens_text, _starts_with_num, language
from extract.text import normalise, normalise_str
from tests.examples import cases

_PIECES = {code: [*_norm_list(language(code).data.get("perpetrators", []))[:8], "the", "heavy", "قوات", "killed", "و",
                  "ال", " ", "  ", ", ", ". ", "\n", "-", "،", "5"] for code in ("ar", "en")}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_perpetrator_phrases_are_the_plain_scans(code: str, data: st.DataObject) -> None:
    """``_phrases`` (tried only at the next phrase, or from the words before the next head) gives ``finditer``'s
    spans, for a language with modifiers before the head (no skipping form) and one with words after it; given
    ``upto``, those starting before it (the text read only as far as they may reach)."""
    s = "".join(data.draw(st.lists(st.sampled_from(_PIECES[code]), max_size=16)))
    L = language(code)
    _perpetrator(L, None, 0, "", 0)  # builds the language's regexes
    rx = L.__dict__["_perp"]
    spans = [m.span() for m in rx[0].finditer(s)]
    assert _phrases(*rx, s) == spans
    upto = data.draw(st.integers(0, len(s) + 1))
    assert _phrases(*rx, s, upto) == [x for x in spans if x[0] < upto]
    if spans:  # the rules' literal scan meets the heads' words (a sentence it finds none in is given no phrase)
        assert _plan(L)[1].met(s) >> (_plan(L)[4] + len(attribution.GATED) + _PERPETRATOR) & 1


@pytest.mark.parametrize("code", ["ar", "en"])
def test_rules_match_only_where_their_scan_points(code: str) -> None:
    """A rule with a head (opening with a figure, with "^") is tried only where the language's head scan (figure
    scan, the start) points: every match a plain scan finds over the examples' sentences opens at such a place."""
    L = language(code)
    sentences = [normalise(ex["text"]).text for _id, c, ex in cases() if c == code]
    missed = []
    for s in sentences:
        heads = [set(scan.starts(s)) for scan in L.head_res]
        figures = set(_num_starts(L, s))
        for rule in L.rules:
            if rule.starts_with_num or rule.head or rule.opens_text:
                allowed = figures if rule.starts_with_num else heads[rule.head_scan] if rule.head else {0}
                missed += [(rule.name, s[m.start():m.end()]) for m in rule.regex.finditer(s) if m.start() not in allowed]
    assert not missed
    assert sum(1 for rule in L.rules if rule.starts_with_num or rule.head) > len(L.rules) / 2  # the scans are used


def test_heads_read_past_look_arounds_and_macros() -> None:
    """Look-arounds before or after ``{B}`` and macros written as patterns do not hide a rule's head."""
    lists = {"VICTIMS": ["soldiers", "civilians"]}
    written = {"WHO": "(?:the|his)\\s+{VICTIMS}", "OPT": "(?:the\\s+)?"}
    assert _head("(?<!if ){B}(?<!so )(?P<one>(?:the|(?<!\\w )(?:this|that))\\s+x|he)", lists, written, set()) == (
        "the", "this", "that", "he")
    assert _head("{B}{WHO}\\s+were", lists, written, set()) == ("the", "his")
    assert _head("{B}{VICTIMS}", lists, written, set()) == ("soldiers", "civilians")
    assert _head("{B}{OPT}{VICTIMS}", lists, written, set()) == ()  # an optional opening: not known
    assert _head("(?<![\\w'-])x", lists, written, set()) == ()  # no {B}
    assert _starts_with_num("(?<!aged )(?!both)(?:(?<=\\()|(?<=, ))(?P<num>N)x", "N")
    assert not _starts_with_num("(?<![( ])x(?P<num>N)", "N")
    assert _opens_text(re.compile("(?<!x)^a")) and not _opens_text(re.compile("(?m)^a")) and not _opens_text(re.compile("a^"))


_LISTS = ("report_before", "report_verbs", "report_after", "report_masdar")
_SOURCE_PIECES = {code: [w for key in _LISTS for w in _norm_list(language(code).data.get(key, []))[:6]]
                  + ["the", "و", "ال", "ف", " ", "  ", ", ", ",", "(", ".", "\n", "-", "،", "5", '"'] for code in ("ar", "en")}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_word_starts_find_the_plain_matches(code: str, data: st.DataObject) -> None:
    """A phrase list's search (from the non-word characters before a word start) finds the matches a plain regex
    search finds, from any position; its spans, read from one pass of that search, are finditer's."""
    s = "".join(data.draw(st.lists(st.sampled_from(_SOURCE_PIECES[code]), max_size=16)))
    pos = data.draw(st.integers(0, len(s)))
    for key in _LISTS:
        if phrases := attribution._rx(language(code), key):
            scan = phrases.scan
            assert scan.spans(s) == [m.span() for m in scan.rx.finditer(s)]
            assert scan.search(s, pos) == ((m := scan.rx.search(s, pos)) and m.start())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_report_list_gate_meets_every_list_with_a_match(code: str, data: st.DataObject) -> None:
    """The automaton ``find_sources`` scans a sentence with first sets the bit of every report list that has a
    match in it (a list it leaves unset is not scanned)."""
    s = "".join(data.draw(st.lists(st.sampled_from(_SOURCE_PIECES[code]), max_size=16)))
    automaton, full = attribution._lists(language(code)).gate
    met = 0
    for _end, bits in automaton.iter(s):
        met |= bits
    for i, key in enumerate(attribution.GATED):
        if (phrases := attribution._rx(language(code), key)) and phrases.rx.search(s):
            assert met >> i & 1, key


_ACTOR_PIECES = [*list(actors().parties)[::9], *list(actors().fallback)[::5], *list(actors().claimants)[::5],
                 "و", "ال", "لل", "ب", " ", "  ", ", ", "-", "قوات", "the", "forces"]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_actor_gates_skip_only_phrases_without_a_name(data: st.DataObject) -> None:
    """A name search skipped by its automaton (no name's longest word) finds what the plain regex search finds."""
    s = "".join(data.draw(st.lists(st.sampled_from(_ACTOR_PIECES), max_size=12)))
    a = actors()
    for (rx, gate), index, contractions in ((a._party_re, a.parties, ()), (a._fallback_re, a.fallback, ()),
                                            (a._claimant_re, a.claimants, a._contractions)):
        assert _find((rx, gate), index, _n(s), contractions) == _find((rx, None), index, _n(s), contractions)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["ا", "ب", "ة", "ى", "أ", "ی", "ک", "\u064b", "\u0651", "\u0640", "\u200f", ".", "*",
                                 "٫", "٬", " ", "\t", "\\", "A", "Σ", "İ", "x", "5", "٥"]), max_size=12))
def test_a_normalised_phrase_without_a_stop_or_asterisk_normalises_to_itself(pieces: list[str]) -> None:
    """``Actors.party`` does not normalise again a phrase given as ``normalise_str``'s output (``_context_party``'s
    window) unless it holds a full stop or an asterisk: nothing else changes by it."""
    w = normalise_str("".join(pieces))
    if "." not in w and "*" not in w:
        assert normalise_str(w) == w


_MIXED_PIECES = {code: [*_norm_list(language(code).data.get("mixed_victims", []))[::2], "و", "the", "x", " ", ", ",
                        "،", "(", "5"] for code in ("ar", "en")}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_mixed_victims_search_inside_the_phrase_is_the_one_with_marks(code: str, data: st.DataObject) -> None:
    """``_mixed`` searches the phrase for the words without the marks that may stand before them: the same answer."""
    s = "".join(data.draw(st.lists(st.sampled_from(_MIXED_PIECES[code]), max_size=10)))
    a = data.draw(st.integers(0, len(s)))
    b = data.draw(st.integers(a, len(s)))
    L = language(code)
    _mixed(L, "", 0, 0)  # builds the language's regexes
    with_marks, bare = L.__dict__["_mixed"]
    assert (with_marks.search(s, a, b) is None) == (bare.search(s, a, b) is None)


_MARK_PIECES = {code: [*_norm_list(language(code).data.get("perpetrator_marks", []))[::3],
                       *_norm_list(language(code).data.get("perpetrator_verbs", []))[::3],
                       "و", "ال", "the", "قوات", " ", "  ", ", ", ".", "-"] for code in ("ar", "en")}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_perpetrator_marks_gate_finds_a_word_where_the_regex_matches(code: str, data: st.DataObject) -> None:
    """``_context_party`` scans a window for perpetrator marks only where its automaton finds a word: wherever the
    marks' regex matches, the automaton finds one."""
    s = "".join(data.draw(st.lists(st.sampled_from(_MARK_PIECES[code]), max_size=12)))
    L = language(code)
    _context_party(L, "x", normalise("x"), 0, 1)  # builds the language's regex and automaton
    if L.__dict__["_perp_marks"] and L.__dict__["_perp_marks"].search(s):
        assert next(L.__dict__["_perp_marks_gate"].iter(s), None) is not None


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.lists(st.sampled_from(
    ["he added", "he said", "وأضاف", "واضاف", "وتابع", "قال", "x", "a", '"', " ", "  ", "-", "و", "addedx"]), max_size=6))
def test_carries_is_the_phrase_at_one_of_the_first_three_characters(code: str, pieces: list[str]) -> None:
    """``carries``' one match answers as matching the carry phrases at the sentence's first, second or third
    character."""
    s, L = normalise_str("".join(pieces)), language(code)
    rx = attribution._rx(L, "report_carry").rx
    assert attribution.carries(L, s) == any(rx.match(s, k) for k in (0, 1, 2))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_the_rules_scan_meets_the_report_lists_as_their_gate(code: str, data: st.DataObject) -> None:
    """The rules' literal scan, which ``find_sources`` reads when the sentence went through the rules, sets the
    report lists' bits as their own gate's automaton does."""
    s = "".join(data.draw(st.lists(st.sampled_from(_SOURCE_PIECES[code]), max_size=16)))
    L = language(code)
    _steps, scan, _needs, _runnable, ruled, _by_met = _plan(L)
    automaton, _full = attribution._lists(L).gate
    met = 0
    for _end, bits in automaton.iter(s):
        met |= bits
    assert scan.met(s) >> ruled & (1 << len(attribution.GATED)) - 1 == met
    assert attribution.find_sources(L, s, met) == attribution.find_sources(L, s)


_CUM_PIECES = {code: [*_norm_list(language(code).data.get("cumulative", []))[::20], "since", "war", "منذ", "x", "the",
                      " ", "  ", ", ", "-", "و", "ال", "2013", "the war has killed", "said at the time"] for code in ("ar", "en")}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["ar", "en"]), st.data())
def test_the_cumulative_test_reads_the_rules_scan_as_its_own_search(code: str, data: st.DataObject) -> None:
    """``_cumulative`` of a sentence the rules scanned (its words' search skipped where the scan found none of
    them) answers as without the scan."""
    s = "".join(data.draw(st.lists(st.sampled_from(_CUM_PIECES[code]), max_size=12)))
    L = language(code)
    L.__dict__["_cum_last"] = None
    alone = engine._cumulative(L, s, None)
    L.__dict__["_cum_last"] = None
    assert engine._cumulative(L, s, _plan(L)[1].met(s)) == alone


@pytest.mark.parametrize("code", ["ar", "en"])
def test_the_day_bit_is_the_day_words_presence(code: str) -> None:
    """``event_date`` is told by the rules' scan whether a sentence holds a day word: the ``_DAY`` bit (read after
    the report lists' and the other readers' clauses) is set exactly where one of ``dates.day_words`` is found."""
    L = language(code)
    scan, bit = _plan(L)[1], _plan(L)[4] + len(attribution.GATED) + engine._DAY
    texts = [normalise_str(ex["text"]) for _, lang, ex in cases() if lang == code]
    assert any(any(w in s for w in day_words(code)) for s in texts)
    for s in texts:
        assert bool(scan.met(s) >> bit & 1) == any(w in s for w in day_words(code)), s


def test_a_sentence_is_kept_from_its_second_sight() -> None:
    """The rules' matches of a sentence are remembered only once it comes back (most never do: what the cache keeps,
    the cycle collector walks); from then on the same matches are given without running the rules."""
    L = language("en")
    s = "seventeen unlikely sentence-words: 12 people were killed in xyzzy."
    key = (id(L), s)
    engine._MATCHES.pop(key, None)
    engine._MATCHES_SEEN.discard(hash(key))
    first = engine._matches(L, s)
    assert key not in engine._MATCHES and hash(key) in engine._MATCHES_SEEN
    second = engine._matches(L, s)
    assert engine._MATCHES[key][1] is second[0]
    third = engine._matches(L, s)
    assert third[0] is second[0] and [m.start for m in first[0]] == [m.start for m in third[0]] and first[1] == third[1]


def test_a_figure_phrase_is_kept_from_its_second_sight() -> None:
    """Parsed figure phrases are remembered only once they come back (most numbers are seen once)."""
    L = language("en")
    phrase = "at least 987,654"
    parsed, seen = L.__dict__.setdefault("_parsed", {}), L.__dict__.setdefault("_parsed_seen", set())
    parsed.pop(phrase, None)
    seen.discard(hash(phrase))
    first = engine._parse(L, phrase)
    assert phrase not in parsed and hash(phrase) in seen
    second = engine._parse(L, phrase)
    assert parsed[phrase] is second and second == first and engine._parse(L, phrase) is second


@given(st.sampled_from(["ar", "en"]), st.from_regex(r"\s?[0-9]{1,12}\s?", fullmatch=True))
def test_digits_alone_parse_as_their_value(code: str, phrase: str) -> None:
    """``parse``'s shortcut for a phrase of digits alone gives what its general path gives: ``value`` read exact."""
    N = language(code).numbers
    n = N.value(phrase.strip())
    assert N.parse(phrase) == (None if n is None else exact(n))


@given(st.sampled_from(["ar", "en"]), st.data(), st.from_regex(r"[0-9]{1,9}", fullmatch=True))
def test_a_qualifier_and_digits_parse_as_the_qualified_value(code: str, data: st.DataObject, digits: str) -> None:
    """``parse``'s shortcut for a qualifier and digits ("at least 12", «اكثر من 14») gives the qualifier's conventions
    row applied to the digits' value, as its general path does."""
    N = language(code).numbers
    q = data.draw(st.sampled_from(sorted(N.qualifiers)))
    assert N.parse(f"{q} {digits}") == qualified(N.qualifiers[q], int(digits))
