"""The store of what the rules compile to (extract/regex_cache.py): what it gives back equals what is computed
afresh (regexes: re.compile's pattern; literal clauses: RequiredLiterals')."""
from __future__ import annotations

import re

import pytest

from extract import regex_cache
from extract.lexicon import LANGS, _norm_pattern, _with_stand_ins, language, load_data
from extract.required_literals import RequiredLiterals

SMALL = [r"(?<!\w)(?P<num>\d+)\s+(?P<trig>killed|wounded)(?!\w)", r"قتل(?:ى|وا)?\s+(?P<num>[٠-٩\d]+)", r"(a|b)*?c{2,5}"]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(regex_cache, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache"


def _same(got: list[re.Pattern[str]], patterns: list[str]) -> None:
    for g, p in zip(got, patterns, strict=True):
        want = re.compile(p)
        assert g == want  # same pattern, flags and compiled code
        assert g.groupindex == want.groupindex and g.groups == want.groups


def test_written_then_read_back(store, monkeypatch):
    _same(regex_cache.compile_all(SMALL, "t"), SMALL)
    assert len(list(store.glob("t-*.sre"))) == 1
    calls = []
    real = regex_cache._parts
    monkeypatch.setattr(regex_cache, "_parts", lambda p: calls.append(p) or real(p))
    _same(regex_cache.compile_all(SMALL, "t"), SMALL)
    assert calls == []  # the second time nothing was parsed: the store was read


def test_another_pattern_set_gets_its_own_store(store):
    regex_cache.compile_all(SMALL, "t")
    regex_cache.compile_all(SMALL[:2], "t")
    assert len(list(store.glob("t-*.sre"))) == 2


def test_only_the_newest_stores_are_kept(store, monkeypatch):
    monkeypatch.setattr(regex_cache, "KEEP", 2)
    for i in range(4):
        regex_cache.compile_all([f"x{i}"], "t")
    assert len(list(store.glob("*.sre"))) == 2
    assert not list(store.glob(".tmp-*"))


def test_damaged_store_is_replaced(store):
    regex_cache.compile_all(SMALL, "t")
    (path,) = store.glob("t-*.sre")
    path.write_bytes(b"not a store")
    _same(regex_cache.compile_all(SMALL, "t"), SMALL)
    assert path.read_bytes() != b"not a store"


def test_unwritable_place_still_compiles(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(regex_cache, "CACHE_DIR", blocker / "cache")  # no directory can be made under a file
    _same(regex_cache.compile_all(SMALL, "t"), SMALL)
    assert not list(tmp_path.rglob("*.sre"))


def test_bad_pattern_raises_as_re_does(store):
    with pytest.raises(re.error):
        regex_cache.compile_all(["(unclosed"], "t")


@pytest.mark.parametrize("code", LANGS)
def test_rules_read_from_a_store_equal_fresh_compilation(tmp_path, monkeypatch, code):
    patterns = [r.regex.pattern for r in language(code).rules][::8]  # a sample: each takes ~25 ms to compile
    monkeypatch.setattr(regex_cache, "CACHE_DIR", tmp_path)  # after the language is loaded (from the real store)
    regex_cache.compile_all(patterns, "rules")  # writes the store
    _same(regex_cache.compile_all(patterns, "rules"), patterns)  # read from it


def test_plain_data_is_stored_once(store):
    built = []

    def build():
        built.append(1)
        return [(frozenset({"killed", "wounded"}),), ()]

    first = regex_cache.stored("t", ["a", "b"], build)
    again = regex_cache.stored("t", ["a", "b"], build)
    assert first == again == [(frozenset({"killed", "wounded"}),), ()]
    assert len(built) == 1
    regex_cache.stored("t", ["a", "c"], build)  # another key: built again
    assert len(built) == 2


@pytest.mark.parametrize("code", LANGS)
def test_rules_literal_clauses_equal_fresh_reading(code):
    lang = language(code)  # its clauses may come from the store
    _, rules = load_data(code)
    literals = RequiredLiterals()
    fresh = [literals.clauses(_with_stand_ins(_norm_pattern(r["pattern"]), lang.macros, literals)) for r in rules["rules"]]
    assert [r.requires for r in lang.rules] == fresh
