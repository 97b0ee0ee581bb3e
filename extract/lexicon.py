"""Load a language's data files (extract/lang/<code>/lexicon.yaml, rules.yaml) and compile them.

Every word list becomes a regex macro ``{NAME}`` (upper-cased section name) usable in rules; dict sections
(category → words) also give a reverse map word → category. No language knowledge lives here.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extract.numbers import NumberLexicon, alternation, clitic_trie
from extract.regex_cache import compile_all, stored
from extract.required_literals import AnyPhrase, RequiredLiterals, WordStartScan
from extract.text import normalise_str
from extract.yaml_data import read_yaml

LANG_DIR = Path(__file__).parent / "lang"
LANGS = ("ar", "en")
# Sections whose words name a category; their union is the trigger map (word → category).
TRIGGER_SECTIONS = ("nouns", "plural_nouns", "dual_nouns", "masdar", "verbs", "passive", "active", "destroy_verbs", "negations")
NUMBER_SECTIONS = ("numbers", "scales", "joiners", "qualifiers", "qualifiers_after", "range_open",
                   "range_join_open", "range_join", "vague", "vague_link", "clitics", "number_clitics", "number_brackets")
GROUP_FIGURES = ("num", "one", "two", "unq", "neg")
SHORT_HEAD = 3  # a rule head shorter than this opens too many words to share the scan of the others


@dataclass
class Rule:
    """A named pattern; the groups it captures say what the figure, trigger, victims and asset are."""

    name: str
    regex: re.Pattern[str]
    category: str | None = None
    scope: str | None = None
    subgroup: bool = False
    total: bool = False  # the figure sums up the document's earlier figures of its category (they become its parts)
    part: bool = False  # after a larger figure of its category in the document, the figure is one of its parts
    confidence: float = 0.7
    doc: str = ""
    starts_with_num: bool = False  # only tried where a figure phrase starts (much faster than a full scan)
    opens_text: bool = False  # opens with ``^``: only tried at the sentence's start
    requires: tuple[frozenset[str], ...] = ()  # literal strings, one of each set in any sentence it matches
    head: tuple[str, ...] = ()  # strings one of which opens every match (after {B} and clitics); () when not known
    head_scan: int = 0  # which of the language's head scans gives where it may match (see Language.head_res)


@dataclass
class Language:
    """A compiled language: number engine, macros, trigger/asset maps, rules and attribution phrases."""

    code: str
    data: dict
    numbers: NumberLexicon
    macros: dict[str, str]
    triggers: dict[str, str]
    assets: dict[str, str]
    rules: list[Rule] = field(default_factory=list)
    prefilter: AnyPhrase | None = None
    # where a word of some rule's head opens (clitics before it): [heads of three letters or more, all heads]
    head_res: tuple[WordStartScan, ...] = ()
    num_re: re.Pattern[str] | None = None
    clitic_re: re.Pattern[str] | None = None

    def lookup(self, table: dict[str, str], word: str) -> str | None:
        """Look a matched word up in a map, trying it without a leading clitic too."""
        w = " ".join(word.split())
        if w in table:
            return table[w]
        if self.clitic_re:
            m = self.clitic_re.match(w)
            while m and m.end() < len(w):
                rest = w[m.end():]
                if rest in table:
                    return table[rest]
                m = self.clitic_re.match(w, 0, m.end() - 1) if m.end() > 1 else None
        return None


def _norm_list(words: list) -> list[str]:
    return [" ".join(normalise_str(str(w)).split()) for w in words]


def _norm_map(d: dict) -> dict[str, object]:
    return {" ".join(normalise_str(str(k)).split()): v for k, v in d.items()}


def load_data(code: str) -> tuple[dict, dict]:
    """The raw lexicon and rules of a language, as written."""
    base = LANG_DIR / code
    lex = read_yaml(base / "lexicon.yaml")
    rules = read_yaml(base / "rules.yaml")
    return lex, rules


@lru_cache(maxsize=None)
def language(code: str) -> Language:
    """The compiled language ``code`` (cached)."""
    lex, rules_data = load_data(code)
    clitics = lex.get("clitics", "")
    nums = NumberLexicon(
        numbers={k: int(v) for k, v in _norm_map(lex.get("numbers", {})).items()},
        scales={k: int(v) for k, v in _norm_map(lex.get("scales", {})).items()},
        joiners=_norm_list(lex.get("joiners", [])),
        qualifiers={k: str(v) for k, v in _norm_map(lex.get("qualifiers", {})).items()},
        qualifiers_after={k: str(v) for k, v in _norm_map(lex.get("qualifiers_after", {})).items()},
        range_open=_norm_list(lex.get("range_open", [])),
        range_join_open=_norm_list(lex.get("range_join_open", [])),
        range_join=_norm_list(lex.get("range_join", [])),
        vague={k: str(v) for k, v in _norm_map(lex.get("vague", {})).items()},
        vague_link=_norm_list(lex.get("vague_link", [])),
        prefixes=lex.get("number_clitics", ""),
        brackets=list(lex.get("number_brackets", [])),
    )
    pre = clitic_trie(clitics.split("|")) if clitics else ""
    macros: dict[str, str] = {"NUM": nums.pattern, "PRE": pre, "B": r"(?<!\w)", "E": r"(?!\w)"}
    triggers: dict[str, str] = {}
    assets: dict[str, str] = {}
    lists: dict[str, list[str]] = {}  # macro name → its words, for macros written as word lists
    written_macros: dict[str, str] = {}  # macro name → its pattern as written, for the other macros of the rules
    for key, value in lex.items():
        if key in NUMBER_SECTIONS:
            continue
        name = key.upper()
        if isinstance(value, dict):
            words: list[str] = []
            for sub, items in value.items():
                items_n = _norm_list(items)
                words += items_n
                macros[f"{name}_{str(sub).upper()}"] = alternation(items_n)
                lists[f"{name}_{str(sub).upper()}"] = items_n
                target = triggers if key in TRIGGER_SECTIONS else assets if key.startswith("assets") else None
                if target is not None:
                    for w in items_n:
                        target.setdefault(w, str(sub))
            macros[name] = alternation(words)
            lists[name] = words
        elif isinstance(value, list):
            lists[name] = _norm_list(value)
            macros[name] = alternation(lists[name])
    for key, value in (rules_data.get("macros") or {}).items():
        if isinstance(value, list):
            # a macro written as a list is a word list, built as one trie like a lexicon list; an item "{NAME}"
            # stands for the words of the list NAME
            lists[key] = [w for item in value for w in (lists[str(item)[1:-1]] if _MACRO.fullmatch(str(item))
                                                         else _norm_list([item]))]
            macros[key] = alternation(lists[key])
        else:
            written_macros[key] = _norm_pattern(str(value))
            macros[key] = _expand(written_macros[key], macros)
    lang = Language(code, lex, nums, macros, triggers, assets)
    clitic_macros = _clitic_macros(macros, clitics)
    rules = rules_data.get("rules", [])
    written = [_norm_pattern(r["pattern"]) for r in rules]
    regexes = compile_all([_expand(w, macros) for w in written], f"rules-{code}")
    requires = _requires(written, macros, code)
    for r, w, regex, needs in zip(rules, written, regexes, requires):
        lang.rules.append(Rule(
            name=f"{code}.{r['name']}",
            regex=regex,
            requires=needs,
            category=r.get("category"),
            scope=r.get("scope"),
            subgroup=bool(r.get("subgroup", False)),
            total=bool(r.get("total", False)),
            part=bool(r.get("part", False)),
            confidence=float(r.get("confidence", 0.7)),
            doc=r.get("doc", ""),
            starts_with_num=_starts_with_num(regex.pattern, macros["NUM"]),
            opens_text=_opens_text(regex),
            head=_head(w, lists, written_macros, clitic_macros),
        ))
    # One scan per sentence gives where any head may open (zero-width, so every such word start is found); a rule
    # with a head is only tried there. Short heads («ال», "a") open most words: the rules with one have their own
    # scan, so that the others are not tried at each of those words.
    for rule in lang.rules:
        rule.head_scan = 1 if rule.head and min(map(len, rule.head)) < SHORT_HEAD else 0
    lang.head_res = tuple(WordStartScan(macros["B"], f"{pre}{alternation(heads)}")
                          for heads in ([w for rule in lang.rules if not rule.starts_with_num and rule.head_scan == k
                                         for w in rule.head] for k in (0, 1)))
    lang.num_re = re.compile(nums.pattern)
    # A claim needs a casualty word, a sub-group marker continuing the sentence before, a life word («فقد … حياته»)
    # or a word that names casualties without being one ("the kidnappers of two reporters", "the toll climbed to 9").
    lang.prefilter = AnyPhrase(list(triggers) + _norm_list(lex.get("subgroup", []))
                               + _norm_list(lex.get("life_words", [])) + _norm_list(lex.get("read_words", [])))
    lang.clitic_re = re.compile(f"^(?:{clitics})") if clitics else None
    return lang


def _requires(written: list[str], macros: dict[str, str], code: str) -> list[tuple[frozenset[str], ...]]:
    """Each rule's literal clauses (``RequiredLiterals``), kept in the rules' store: they depend only on the
    patterns as written, the macros and the code that reads them (this module and required_literals.py)."""
    import extract.required_literals

    def build() -> list[tuple[frozenset[str], ...]]:
        literals = RequiredLiterals()
        return [literals.clauses(_with_stand_ins(w, macros, literals)) for w in written]

    try:
        code_text = [Path(m.__file__).read_text(encoding="utf-8") for m in (extract.required_literals, sys.modules[__name__])]
    except (OSError, TypeError, UnicodeDecodeError):  # no source to key on (an install without .py files): read afresh
        return build()
    return stored(f"literals-{code}", code_text + written + [x for kv in sorted(macros.items()) for x in kv], build)


_OPENER = re.compile(r"\(\?P<\w+>|\(\?:")
_LETTERS = re.compile(r"[^\W\d_]+")
_CLITICS = re.compile(r"\(\?:((?:[^\W\d_]+\|)*[^\W\d_]+)(?:\)\?|\|\))")  # (?:a|b)? or (?:a|b|)


def _clitic_macros(macros: dict[str, str], clitics: str) -> set[str]:
    """Macros that are optional clitics, all of them among the language's clitics: ``{PRE}``
    (``numbers.clitic_trie``) and those written ``(?:a|b|)`` or ``(?:a|b)?`` (``{PREN}``)."""
    if not clitics:
        return set()
    known = set(clitics.split("|"))
    return {"PRE"} | {name for name, value in macros.items()
                      if (m := _CLITICS.fullmatch(value)) and set(m.group(1).split("|")) <= known}


def _head(pattern: str, lists: dict[str, list[str]], written: dict[str, str], clitic_macros: set[str]) -> tuple[str, ...]:
    """Strings one of which opens every match of a rule written ``{B}…`` (look-arounds before or after it are
    passed over: they do not move where a match opens): the words of a list ``{LIST}``, the letters an
    alternative opens with (without a last letter made optional) or the ASCII digits (``[0-9]``), through groups (each alternative of a group,
    none quantified), macros written as patterns (``written``) and at most one clitic macro (``{PRE}``); () for
    other rules."""
    i = _past_assertions(pattern, 0)
    if not pattern.startswith("{B}", i):
        return ()
    return tuple(_opening(pattern, _past_assertions(pattern, i + 3), lists, written, clitic_macros, False) or ())


def _opening(pattern: str, i: int, lists: dict[str, list[str]], written: dict[str, str], clitic_macros: set[str],
             clitic: bool) -> list[str] | None:
    """The strings one of which opens every match of ``pattern`` from ``i`` (see ``_head``); None if not known."""
    i = _past_assertions(pattern, i)
    if (m := _MACRO.match(pattern, i)) and m.group(1) in clitic_macros:
        return None if clitic else _opening(pattern, m.end(), lists, written, clitic_macros, True)
    if m := _OPENER.match(pattern, i):
        end = _close(pattern, i)
        if _QUANTIFIER.match(pattern, end + 1):
            return None
        words: list[str] = []
        for k in [m.end()] + [i + k + 1 for k, c, d in _depths(pattern[i:end + 1]) if c == "|" and d == 1]:
            if (more := _opening(pattern, k, lists, written, clitic_macros, clitic)) is None:
                return None
            words += more
        return words
    if m := _MACRO.match(pattern, i):
        name = m.group(1)
        if _QUANTIFIER.match(pattern, m.end()):
            return None
        if name in lists:
            return list(lists[name])
        return _opening(written[name], 0, lists, written, clitic_macros, clitic) if name in written else None
    if m := _LETTERS.match(pattern, i):
        w = m.group()[:-1] if _QUANTIFIER.match(pattern, m.end()) else m.group()
        return [w] if w else None
    if pattern.startswith("[0-9]", i) and not _OPTIONAL.match(pattern, i + 5):  # an ASCII digit
        return list("0123456789")
    return None


_ASSERTION = re.compile(r"\(\?<?[=!]")


def _past_assertions(pattern: str, i: int) -> int:
    """The index after the look-arounds that open ``pattern[i:]`` (and groups holding only look-arounds in each of
    their alternatives): they test the text around a place without moving where a match opens."""
    while True:
        if _ASSERTION.match(pattern, i):
            i = _close(pattern, i) + 1
        elif pattern.startswith("(?:", i) and _ASSERTION.match(pattern, i + 3) \
                and not _QUANTIFIER.match(pattern, (end := _close(pattern, i)) + 1) and all(
                _past_assertions(alt, 0) == len(alt) for alt in _alternatives(pattern[i + 3:end])):
            i = end + 1
        else:
            return i


def _alternatives(body: str) -> list[str]:
    """The top-level alternatives of a group's body."""
    cuts = [k for k, c, d in _depths(body) if c == "|" and d == 0]
    return [body[a + 1:b] for a, b in zip([-1] + cuts, cuts + [len(body)])]


def _close(pattern: str, i: int) -> int:
    """The index of the parenthesis closing the group that opens at ``pattern[i]``."""
    return next((i + k for k, c, d in _depths(pattern[i:]) if c == ")" and d == 0), len(pattern))


def _starts_with_num(pattern: str, num: str) -> bool:
    """True when a pattern is ``(?P<num>{NUM})…`` after any leading look-arounds (they still see around the start)."""
    return pattern.startswith(f"(?P<num>{num})", _past_assertions(pattern, 0))


def _opens_text(regex: re.Pattern[str]) -> bool:
    """True when a pattern opens with ``^`` after any look-arounds, without the multi-line flag: it can only match at
    the start of the text."""
    return not regex.flags & re.MULTILINE and regex.pattern.startswith("^", _past_assertions(regex.pattern, 0))


_QUANTIFIER = re.compile(r"[?*+]|\{\d")
_OPTIONAL = re.compile(r"[?*]|\{0?,")  # a quantifier letting what it follows be absent


def _with_stand_ins(pattern: str, macros: dict[str, str], literals: RequiredLiterals) -> str:
    """``pattern`` with each macro that stands as one unit replaced by its stand-in (read once), the others
    expanded."""
    def sub(m: re.Match[str]) -> str:
        text = macros[m.group(1)]
        return literals.stand_in(text) if _one_unit(text, bool(_QUANTIFIER.match(pattern, m.end()))) else text
    return _MACRO.sub(sub, pattern)


def _one_unit(fragment: str, quantified: bool) -> bool:
    """True when a fragment reads the same alone as where it is written: one group, or (no quantifier after
    it) a sequence with no alternative at its top level."""
    one_group, top_bar = _shape(fragment)
    return one_group or not (quantified or top_bar)


@lru_cache(maxsize=None)
def _shape(fragment: str) -> tuple[bool, bool]:
    """(the fragment is one parenthesised group, it has an alternative at its top level)."""
    depths = list(_depths(fragment))
    last = len(fragment) - 1
    one_group = fragment.startswith("(") and depths[-1][0] == last and all(d > 0 for j, _, d in depths if j < last)
    return one_group, any(c == "|" and d == 0 for _, c, d in depths)


def _depths(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) of each character outside escapes and character classes."""
    depth, j, in_class = 0, 0, False
    while j < len(pattern):
        c = pattern[j]
        if c == "\\":
            j += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            j += 1 + pattern.startswith("^", j + 1)
            j += pattern.startswith("]", j)  # a "]" first in a class is a plain character
            continue
        else:
            depth += (c == "(") - (c == ")")
            yield j, c, depth
        j += 1


def _norm_pattern(pattern: str) -> str:
    """Normalise the letters of a pattern as the text is normalised, leaving ASCII regex syntax alone."""
    return "".join(ch if ch.isascii() else normalise_str(ch) for ch in pattern)


_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


def _expand(pattern: str, macros: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in macros:
            raise KeyError(f"unknown macro {{{m.group(1)}}} in pattern {pattern!r}")
        return macros[m.group(1)]
    return _MACRO.sub(sub, pattern)
