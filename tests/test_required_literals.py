"""The literal prefilter of the rules: clauses are necessary (a rule never loses a match to them) and the scan
finds every literal, overlapping ones included."""
from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from extract.lexicon import LANG_DIR, LANGS, language
from extract.numbers import alternation
from extract.required_literals import AnyPhrase, LiteralScan, Needs, RequiredLiterals, WordStartScan, first_chars, skipping
from extract.text import normalise_str, sentences


def test_clauses_of_a_simple_pattern() -> None:
    clauses = RequiredLiterals().clauses(r"(?<!\w)(?:و|ب)?kill(?:ed|ing)\s+(?P<num>\d+)(?:\s+people)?(?=\s+in\b)")
    assert set(clauses) == {frozenset({"killed", "killing"}), frozenset({"in"})}


def test_optional_and_alternative_parts_give_no_clause_of_their_own() -> None:
    assert RequiredLiterals().clauses(r"(?:dead|\d+ killed)|x?wounded") == (frozenset({"dead", " killed", "wounded"}),)
    assert RequiredLiterals().clauses(r"(?:dead|\w+)\s+(?:bodies)?") == ()


def test_a_stand_in_reads_as_its_fragment() -> None:
    lit = RequiredLiterals()
    words = lit.stand_in("(?:killed|wounded)")
    assert lit.clauses(f"(?<!\\w){words}\\s+\\d+") == RequiredLiterals().clauses(r"(?<!\w)(?:killed|wounded)\s+\d+")


def test_scan_finds_overlapping_and_nested_literals() -> None:
    scan = LiteralScan([frozenset({"killed"}), frozenset({"led by"}), frozenset({"kill"}), frozenset({"xyz"})])
    assert scan.met("they killed by the road") == 0b0111
    assert scan.met("led by him") == 0b0010
    assert scan.met("nothing here") == 0


_PHRASES = ["killed", "killed by", "shot dead", "dead", "among them", "قتل", "لقي حتفه"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["kill", "killed", "shot", "dead", "among", "them", "by", " ", "  ", "\n", "\t", "x",
                                 "قتل", "لقي", "حتفه", "حتف"]), max_size=10))
def test_any_phrase_is_the_regex_search(pieces: list[str]) -> None:
    """``AnyPhrase`` answers as the alternation's regex search, a space in a phrase standing for any spaces."""
    text = "".join(pieces)
    assert AnyPhrase(_PHRASES).search(text) == bool(re.search(alternation(_PHRASES), text))


def test_any_phrase_reads_spaces_and_words() -> None:
    phrases = AnyPhrase(["shot dead", "among them"])
    assert phrases.search("he was shot \n dead") and not phrases.search("shot at, not dead")
    assert not phrases.search("among those") and phrases.search("and among  them")
    assert not AnyPhrase([]).search("anything")


def test_case_insensitive_patterns_give_no_clause() -> None:
    assert RequiredLiterals().clauses(r"(?i)killed") == ()
    assert RequiredLiterals().clauses(r"(?i:killed)\s+(?:people)") == (frozenset({"people"}),)


@pytest.mark.parametrize("code", LANGS)
def test_stand_ins_read_as_the_expanded_patterns(code: str) -> None:
    """Macros read once through stand-ins give the clauses of the fully expanded patterns."""
    reader = RequiredLiterals()
    assert [r.requires for r in language(code).rules] == [reader.clauses(r.regex.pattern) for r in language(code).rules]


def _example_sentences(code: str) -> list[str]:
    data = yaml.safe_load((LANG_DIR / code / "examples.yaml").read_text(encoding="utf-8"))
    texts = [e["text"] for e in data.get("examples", [])] + list(data.get("nothing", []))
    return [normalise_str(t[a:b]) for t in texts for a, b in sentences(t)]


@pytest.mark.parametrize("code", LANGS)
def test_every_sentence_a_rule_matches_meets_its_clauses(code: str) -> None:
    L = language(code)
    scan = LiteralScan(clauses := list(dict.fromkeys(c for r in L.rules for c in r.requires)))
    checked = 0
    for s in _example_sentences(code):
        met = scan.met(s)
        for rule in L.rules:
            if rule.regex.search(s):
                checked += 1
                missing = [c for c in rule.requires if not met >> clauses.index(c) & 1]
                assert not missing, (rule.name, s, missing)
                assert all(any(w in s for w in c) for c in rule.requires), (rule.name, s)
    assert checked > 50


@pytest.mark.parametrize("code", LANGS)
def test_rules_have_clauses(code: str) -> None:
    """Nearly every rule is skipped on a sentence lacking its words (the point of the prefilter)."""
    rules = language(code).rules
    assert sum(bool(r.requires) for r in rules) >= len(rules) - 2


def test_first_chars_and_skipping_find_the_same_starts() -> None:
    assert first_chars(r"(?<!\w)(?:و|ب)?(?:\d+|ثلاث)") == r"\dبثو"
    assert first_chars("a*") is None and first_chars("[^a]b") is None
    pattern = r"(?<!\w)(?:al-)?(?:killed|dead)(?!\w)|\d{4}-\d"
    text = "al-killed, dead; 2024-05 undead killed"
    every = [m.start() for m in re.finditer(f"(?=(?:{pattern}))", text)]  # overlapping starts too: 0 and 3
    assert [m.start() for m in skipping(pattern).finditer(text)] == every == [0, 3, 11, 17, 32]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([r"(?<!\w)", r"(?<![\u0600-\u06ff0-9_])", r"(?<![\w-])"]),
       st.lists(st.sampled_from(["al", "al-", "killed", "dead", "x", "ال", "قتل", "و", "3", "_", "-", " ", ",", "é",
                                 "K", "ۀ", "ـ"]),  # (word characters the scan's first class lets through)
                max_size=10))
def test_word_starts_are_the_plain_scan(boundary: str, pieces: list[str]) -> None:
    """``WordStartScan`` finds every position where the pattern matches after its word-start look-behind (the skipping
    form's positions), at the start too."""
    text, pattern = "".join(pieces), r"(?:al-|و|)(?:killed|dead|قتل|\d)(?!-)"
    every = [m.start() for m in re.finditer(f"(?={boundary}(?:{pattern}))", text)]
    assert WordStartScan(boundary, pattern).starts(text) == every
    assert WordStartScan(boundary, pattern).found(text) == bool(every)


def test_word_starts_refuse_what_they_cannot_read() -> None:
    for boundary, pattern in [("(?<!x)", "a"), (r"(?<![\w\s])", "a"), (r"(?<!\w)", "(?<!-)a")]:
        with pytest.raises(ValueError):
            WordStartScan(boundary, pattern)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, (1 << 20) - 1), max_size=40), st.integers(0, (1 << 20) - 1))
def test_needs_keep_the_items_whose_clauses_are_met(needs: list[int], met: int) -> None:
    """``Needs`` keeps, in order, the items every clause of which ``met`` holds (20 clauses: three bytes)."""
    wanted = Needs(needs, 20)
    items = tuple(range(len(needs)))
    assert wanted.kept(items, wanted.dropped(met)) == tuple(j for j in items if not needs[j] & ~met)
