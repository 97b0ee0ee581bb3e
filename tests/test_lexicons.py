"""The language data files are well-formed: sections, value types, conventions rows, rules, docs."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from examples import load
from extract import extract_claims
from extract.conventions import table
from extract.lexicon import GROUP_FIGURES, LANGS, TRIGGER_SECTIONS, _norm_list, language, load_data
from extract.rules_doc import render

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("numbers", "scales", "qualifiers", "vague", "nouns", "victims_plural", "victims_singular",
            "not_victims", "assets", "assets_plural", "destroy_verbs", "negations", "subgroup", "cumulative")
GROUPS = set(GROUP_FIGURES) | {"trig", "victims", "asset", "plus", "qual"}
RULE_KEYS = {"name", "pattern", "category", "scope", "subgroup", "total", "part", "confidence", "doc"}


@pytest.mark.parametrize("code", LANGS)
def test_lexicon_sections(code: str) -> None:
    lex, _ = load_data(code)
    for key in REQUIRED:
        assert lex.get(key), f"{code}: section {key} missing or empty"
    for key, value in lex.items():
        lists = value.values() if isinstance(value, dict) and key not in ("numbers", "scales", "qualifiers",
                                                                          "qualifiers_after", "vague") else [value]
        for items in lists:
            if isinstance(items, list):
                assert all(isinstance(w, str) and w.strip() for w in items), f"{code}.{key}: empty or non-text entry"
                norm = _norm_list(items)
                dupes = {w for w in norm if norm.count(w) > 1}
                assert not dupes, f"{code}.{key}: duplicate entries {dupes}"


@pytest.mark.parametrize("code", LANGS)
def test_numbers_and_conventions(code: str) -> None:
    lex, _ = load_data(code)
    rows = table()
    assert all(isinstance(v, int) and v >= 0 for v in lex["numbers"].values())
    assert all(isinstance(v, int) and v > 1 for v in lex["scales"].values())
    for key in ("qualifiers", "qualifiers_after", "vague"):
        for phrase, row in (lex.get(key) or {}).items():
            assert row in rows, f"{code}.{key}: {phrase!r} names unknown conventions row {row!r}"
    for pair in lex.get("number_brackets", []):  # an opening and a closing mark, neither a digit or a letter
        assert isinstance(pair, str) and len(pair) == 2 and not any(ch.isalnum() for ch in pair), \
            f"{code}.number_brackets: {pair!r} is not a pair of marks"


@pytest.mark.parametrize("code", LANGS)
def test_one_category_per_word(code: str) -> None:
    lex, _ = load_data(code)
    seen: dict[str, set[str]] = defaultdict(set)
    for section in TRIGGER_SECTIONS:
        for category, words in (lex.get(section) or {}).items():
            assert category in ("killed", "injured", "casualties", "captured", "missing", "destroyed"), category
            for w in _norm_list(words):
                seen[w].add(category)
    clashes = {w: c for w, c in seen.items() if len(c) > 1}
    assert not clashes, f"{code}: words with two categories: {clashes}"


@pytest.mark.parametrize("code", LANGS)
def test_rules_well_formed(code: str) -> None:
    _, rules = load_data(code)
    names = [r["name"] for r in rules["rules"]]
    assert len(names) == len(set(names)), "duplicate rule names"
    for r in rules["rules"]:
        assert set(r) <= RULE_KEYS, f"{r['name']}: unknown keys {set(r) - RULE_KEYS}"
        assert r.get("doc"), f"{r['name']}: no doc"
    for rule in language(code).rules:
        groups = set(rule.regex.groupindex)
        assert groups <= GROUPS, f"{rule.name}: unknown groups {groups - GROUPS}"
        assert groups & set(GROUP_FIGURES), f"{rule.name}: no figure group"
        assert rule.category or "trig" in groups or rule.subgroup or "neg" in groups, f"{rule.name}: no category"


#: A possessive repeat of a group ("(?:…)*+", "(…)++", "(…){1,3}+"): Python 3.11.0-3.11.4 (Debian 12's python3 is
#: 3.11.2) match it wrongly, finding no match where there is one; an atomic group ("(?>(?:…)*)") means the same and
#: matches alike in every 3.11. (A possessive repeat of one character or class, "[\w'-]++", is matched right.)
_POSSESSIVE_GROUP = re.compile(r"(?<!\\)\)(?:[*+?]|\{\d*,?\d*\})\+")


@pytest.mark.parametrize("code", LANGS)
def test_no_possessive_repeat_of_a_group(code: str) -> None:
    L = language(code)
    for name, pattern in [("number phrase", L.num_re.pattern)] + [(r.name, r.regex.pattern) for r in L.rules]:
        m = _POSSESSIVE_GROUP.search(pattern)
        assert m is None, f"{code} {name}: a possessive repeat of a group, write an atomic group (?>(?:…)*) instead: " \
                          f"{pattern[max(0, m.start() - 60):m.end()]!r}"


@pytest.mark.parametrize("code", LANGS)
def test_every_rule_has_an_example(code: str) -> None:
    used = set()
    for ex in load(code).get("examples") or []:
        used |= {c.rule for c in extract_claims(ex["text"], lang=ex.get("lang"))}
    missing = [r.name for r in language(code).rules if r.name not in used]
    assert not missing, f"rules with no example in extract/lang/{code}/examples.yaml: {missing}"


def test_no_masdar_opens_a_verb() -> None:
    # the Arabic MASDAR_VERBS reads (?P<trig>{MASDAR}|{VERBS}) as one trie, the longer phrase first: the same match
    # only while no masdar is the opening words of a verb (the masdars are tried first in the two tries)
    lex, _ = load_data("ar")
    masdars, verbs = ([w for items in lex[key].values() for w in _norm_list(items)] for key in ("masdar", "verbs"))
    clashes = [(m, v) for m in masdars for v in verbs if v.startswith(m + " ")]
    assert not clashes, f"a masdar opening a verb: {clashes}"


def test_rules_doc_is_current() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render(), \
        "docs/rules.md is out of date: python -m extract.rules_doc > docs/rules.md"


def test_macro_names_resolve() -> None:
    for code in LANGS:
        _, rules = load_data(code)
        for r in rules["rules"]:
            for name in re.findall(r"\{([A-Z][A-Z0-9_]*)\}", r["pattern"]):
                assert name in language(code).macros, f"{code}.{r['name']}: unknown macro {name}"


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (plain YAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {sorted(map(str, dupes))}",
                                                    node.start_mark)
        return super().construct_mapping(node, deep=deep)


@pytest.mark.parametrize("path", sorted((ROOT / "extract").glob("**/*.yaml")), ids=lambda p: p.name)
def test_data_files_have_no_repeated_keys(path: Path) -> None:
    # a repeated key (two alias lines for one place id, a phrase listed twice) would drop the first silently
    yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)


@pytest.mark.parametrize("code", [c for c in LANGS if "RUN" in language(c).macros])
def test_victims_words_are_runs_a_walk_passes(code: str) -> None:
    # the look-aheads written with {RUN} (and en.number.list's, which refuses {AUX} runs alike) walk from a figure
    # over its victims' words to the word that must follow them: a victims entry holding a run that opens with an
    # {AUX} word or one of RUN's stops ("left-wing") would make them fail where the rule itself matches
    run = re.compile(language(code).macros["RUN"])
    stopped = [(entry, word) for key in ("victims_plural", "victims_singular")
               for entry in _norm_list(language(code).data.get(key, [])) for word in entry.split()
               if not run.fullmatch(word + " ")]
    assert not stopped, f"victims words that end a {{RUN}} walk: {stopped}"


@pytest.mark.parametrize("path", sorted((ROOT / "extract" / "lang").glob("*/*.yaml")), ids=lambda p: p.parent.name + "/" + p.name)
def test_word_lists_hold_only_words(path: Path) -> None:
    # YAML 1.1 reads a bare on, off, yes or no as a boolean and a bare ~ or null as nothing: a word list would hold
    # True ("on" in en FILL_STOP did, so fillers could hold "on") where the word was meant
    def items(x: object, where: str):
        if isinstance(x, dict):
            for k, v in x.items():
                yield from items(v, f"{where}.{k}")
        elif isinstance(x, list):
            for i, v in enumerate(x):
                yield f"{where}[{i}]", v
                yield from items(v, f"{where}[{i}]")
    bad = [(where, v) for where, v in items(yaml.safe_load(path.read_text(encoding="utf-8")), "") if v is None or isinstance(v, bool)]
    assert not bad, f"{path.name}: list items read as booleans or null (quote them): {bad}"


@pytest.mark.parametrize("code", LANGS)
def test_gate_skip_words_are_words_of_their_phrases(code: str) -> None:
    # a list's phrases are looked for by one word each, never a ``<list>_gate_skip`` word where the phrase has
    # another; a skip word no phrase holds (a phrase reworded) would be left there doing nothing
    from extract.engine import _longest_words
    data = language(code).data
    for key in [k[:-len("_gate_skip")] for k in data if k.endswith("_gate_skip")]:
        skip, phrases = set(_norm_list(data[f"{key}_gate_skip"])), [p.split(" ") for p in _norm_list(data[key])]
        assert skip <= {w for words in phrases for w in words}, f"{code}.{key}_gate_skip: words of no phrase"
        gates = _longest_words(language(code), key)
        assert all(gates & set(words) and (set(words) <= skip or gates & (set(words) - skip)) for words in phrases)
