"""The literal strings a regex match cannot do without, and one scan that tells which of them a text holds.

``RequiredLiterals.clauses(pattern)`` reads a pattern's parse tree and returns clauses: sets of strings of which
at least one occurs in any text the pattern can match (derived the way a trigram index derives its queries).
``LiteralScan`` tells, in one pass over a text, which clauses it meets, and ``Needs`` which rules need a clause
not met, so that such a rule is never run; ``AnyPhrase`` tells whether a text holds any of a list of phrases;
``WordStartScan`` finds where a pattern matches at a word start. Nothing here knows a language: the strings come from
the patterns and lists given.
"""
from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterator
from functools import reduce
from itertools import compress
from operator import getitem, or_
from typing import NamedTuple

import ahocorasick

from extract.numbers import alternation


MAX_SET = 64  # more strings than this in a set of exact strings, prefixes or suffixes: it is shortened
MAX_CLAUSE = 256  # a clause with more strings than this is dropped (too costly, and rarely selective)
MIN_LENGTH = 2  # a clause holding a shorter string is dropped (nearly every text would meet it)
MAX_SHORT = 32  # a clause of more strings than this, all of MIN_LENGTH, is dropped too ("ab", "ai", "ar" …: as above)
# any character but the commonest word characters of normalised text: a few ranges, tested faster than ``\W``'s
# category (a scan stopping at each non-word character tests this class at every character)
NOT_COMMON_WORD = "[^a-z0-9_\u0621-\u064a]"


class _Info(NamedTuple):
    """What a sub-pattern's matches hold: their exact strings (None: unknown or too many), strings every match
    starts or ends with, and clauses every match meets."""

    exact: frozenset[str] | None
    prefix: frozenset[str]
    suffix: frozenset[str]
    clauses: tuple[frozenset[str], ...]


_EMPTY = frozenset({""})
_UNKNOWN = _Info(None, _EMPTY, _EMPTY, ())
_ZERO_WIDTH = _Info(_EMPTY, _EMPTY, _EMPTY, ())


class RequiredLiterals:
    """Reads patterns into clauses. A fragment shared by many patterns (a word list) can be written as a
    one-character stand-in, so that it is parsed and read once however many patterns use it."""

    def __init__(self) -> None:
        self._stand_ins: dict[str, str] = {}  # fragment → stand-in character
        self._infos: dict[str, _Info] = {}  # stand-in character → what its fragment's matches hold

    def stand_in(self, fragment: str) -> str:
        """A character to write in place of ``fragment`` where the fragment is one unit (a group, or a
        sequence with no alternative at its top level and no quantifier after it)."""
        ch = self._stand_ins.get(fragment)
        if ch is None:
            ch = self._stand_ins[fragment] = chr(_STAND_IN_BASE + len(self._stand_ins))
            self._infos[ch] = self._sequence(sre_parse.parse(fragment).data)
        return ch

    def clauses(self, pattern: str) -> tuple[frozenset[str], ...]:
        """Clauses of literal strings, one string of each occurring in every text ``pattern`` matches."""
        parsed = sre_parse.parse(pattern)
        if parsed.state.flags & re.IGNORECASE:  # the strings would need every case: no clause
            return ()
        info = self._sequence(parsed.data)
        return _simplify(info.clauses + _own_clauses(info))

    def _sequence(self, items: list) -> _Info:
        info = _ZERO_WIDTH
        run = ""  # consecutive plain characters, joined before they are crossed with anything
        for op, av in items:
            if op is sre.LITERAL and chr(av) not in self._infos:
                run += chr(av)
                continue
            if run:
                info, run = _concat(info, _literal(run)), ""
            info = _concat(info, self._node(op, av))
        return _concat(info, _literal(run)) if run else info

    def _node(self, op, av) -> _Info:
        if op is sre.LITERAL:
            return self._infos.get(chr(av)) or _literal(chr(av))
        if op is sre.IN:  # the parser turns an alternation of single characters (or stand-ins) into a class
            if any(o is sre.LITERAL and chr(a) in self._infos for o, a in av):
                return _branch([self._node(o, a) for o, a in av])
            return _chars(av)
        if op is sre.SUBPATTERN:
            return _UNKNOWN if av[1] & re.IGNORECASE else self._sequence(av[3])
        if op is sre.ATOMIC_GROUP:
            return self._sequence(av)
        if op is sre.BRANCH:
            return _branch([self._sequence(o) for o in av[1]])
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            return _repeat(av[0], av[1], self._sequence(av[2]))
        if op is sre.AT or op is sre.ASSERT_NOT:
            return _ZERO_WIDTH
        if op is sre.ASSERT:  # what a look-ahead or look-behind sees is in the text too
            inner = self._sequence(av[1])
            return _ZERO_WIDTH._replace(clauses=inner.clauses + _own_clauses(inner))
        return _UNKNOWN


_STAND_IN_BASE = 0xF0000  # a private-use plane: never in a pattern, never in a text


def _literal(s: str) -> _Info:
    one = frozenset({s})
    return _Info(one, one, one, ())


def _own_clauses(info: _Info) -> tuple[frozenset[str], ...]:
    return tuple(s for s in (info.exact, info.prefix, info.suffix) if s is not None)


def _simplify(clauses: tuple[frozenset[str], ...]) -> tuple[frozenset[str], ...]:
    """The useful clauses: no weak or oversized one, none implied by another."""
    kept = sorted({m for c in clauses if c and len(c) <= MAX_CLAUSE and min(map(len, c)) >= MIN_LENGTH
                   and (len(m := _minimal(c)) <= MAX_SHORT or max(map(len, m)) > MIN_LENGTH)},
                  key=lambda c: (len(c), sorted(c)))
    out: list[frozenset[str]] = []
    for c in kept:
        if not any(_implies(k, c) for k in out):
            out = [k for k in out if not _implies(c, k)] + [c]
    return tuple(out)


def _minimal(clause: frozenset[str]) -> frozenset[str]:
    """The clause without the strings that hold another of its strings (they meet it only through that one)."""
    return frozenset(w for w in clause if not any(v != w and v in w for v in clause))


def _implies(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when a text meeting clause ``a`` always meets clause ``b``."""
    return all(any(y in x for y in b) for x in a)


def _cross(a: frozenset[str], b: frozenset[str]) -> frozenset[str] | None:
    if len(a) * len(b) > MAX_SET:
        return None
    return frozenset(x + y for x in a for y in b)


def _shorten(s: frozenset[str] | None, keep_start: bool) -> frozenset[str]:
    """At most MAX_SET strings: each cut to the longest length that leaves few enough distinct ones."""
    if s is None:
        return _EMPTY
    n = max(map(len, s), default=0)
    while len(s) > MAX_SET and n > 0:
        n -= 1
        s = frozenset(x[:n] if keep_start else x[len(x) - n:] if n else "" for x in s)
    return s


def _concat(x: _Info, y: _Info) -> _Info:
    exact = _cross(x.exact, y.exact) if x.exact is not None and y.exact is not None else None
    prefix = x.prefix if x.exact is None else _shorten(_cross(x.exact, y.prefix) or x.exact, True)
    suffix = y.suffix if y.exact is None else _shorten(_cross(x.suffix, y.exact) or y.exact, False)
    clauses = x.clauses + y.clauses
    if exact is None:
        joint = _cross(x.suffix, y.prefix)
        clauses += (joint,) if joint is not None else (x.suffix, y.prefix)
    return _Info(exact, prefix, suffix, clauses)


def _best(info: _Info) -> frozenset[str] | None:
    """The most selective single clause of a sub-pattern (its longest shortest string), if any."""
    usable = [c for c in info.clauses + _own_clauses(info) if c and "" not in c]
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)), default=None)


def _branch(infos: list[_Info]) -> _Info:
    exact: frozenset[str] | None = None
    if all(i.exact is not None for i in infos):
        exact = frozenset().union(*(i.exact for i in infos))
        if len(exact) > MAX_SET:
            exact = None
    prefix = _shorten(frozenset().union(*(i.prefix for i in infos)), True)
    suffix = _shorten(frozenset().union(*(i.suffix for i in infos)), False)
    best = [_best(i) for i in infos]
    clauses = (frozenset().union(*best),) if exact is None and all(b is not None for b in best) else ()
    return _Info(exact, prefix, suffix, clauses)


def _repeat(low: int, high: int, child: _Info) -> _Info:
    if low == 0:
        if high == 1 and child.exact is not None:
            s = child.exact | _EMPTY
            return _Info(s, s, s, ())
        return _UNKNOWN
    if low == high == 1:
        return child
    return _Info(None, child.exact or child.prefix, child.exact or child.suffix,
                 child.clauses + _own_clauses(child))


def _chars(items: list) -> _Info:
    """A character class of a few plain characters gives exact strings; any other class is unknown."""
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < 16:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        else:
            return _UNKNOWN
    s = frozenset(chars)
    return _Info(s, s, s, ()) if len(s) <= 16 else _UNKNOWN


class LiteralScan:
    """One pass over a text telling which of a list of clauses it meets (bit i: clause i): an Aho-Corasick
    automaton finds every occurrence of every literal, overlapping ones included."""

    def __init__(self, clauses: list[frozenset[str]]) -> None:
        self._automaton = ahocorasick.Automaton()
        for w in sorted({w for c in clauses for w in c}):
            self._automaton.add_word(w, sum(1 << i for i, c in enumerate(clauses) if w in c))
        if len(self._automaton):
            self._automaton.make_automaton()

    def met(self, text: str) -> int:
        """The bits of the clauses ``text`` meets."""
        bits = 0
        if len(self._automaton):
            for _end, meets in self._automaton.iter(text):
                bits |= meets
        return bits


class Needs:
    """Which of a list of items (rules) can be dropped for a text: those needing a clause (a bit of
    ``LiteralScan.met``) the text does not meet. Read from the met bits a byte at a time: for each byte of
    them a table gives the items its unmet clauses drop, so a text costs a look-up per eight clauses rather
    than a test per item."""

    def __init__(self, needs: list[int], clauses: int) -> None:
        """``needs``: each item's clause bits; ``clauses``: how many clauses there are."""
        self._bytes = (clauses + 7) // 8
        by_clause = [0] * (self._bytes * 8)  # clause → the items needing it
        for j, bits in enumerate(needs):
            while bits:
                low = bits & -bits
                by_clause[low.bit_length() - 1] |= 1 << j
                bits ^= low
        self._tables: list[tuple[int, ...]] = []
        for k in range(self._bytes):
            unmet = [0] * 256  # the items needing one of the clauses of byte k set in the index
            for v in range(1, 256):
                low = v & -v
                unmet[v] = unmet[v ^ low] | by_clause[8 * k + low.bit_length() - 1]
            self._tables.append(tuple(unmet[255 ^ v] for v in range(256)))  # indexed by the met byte
        self._count = len(needs)

    def dropped(self, met: int) -> int:
        """The bits of the items needing a clause that ``met`` lacks."""
        return reduce(or_, map(getitem, self._tables, met.to_bytes(self._bytes, "little")), 0)

    def kept(self, items: tuple, dropped: int) -> tuple:
        """The items (in their order) whose bit ``dropped`` does not hold."""
        # (bit j read as the j-th byte of a string of ones and zeros: no test per item in Python)
        return tuple(compress(items, format(dropped, f"0{self._count}b")[::-1].encode().translate(_KEEP)))


_KEEP = bytes.maketrans(b"01", b"\x01\x00")


class AnyPhrase:
    """Whether a text holds one of a list of phrases, a space in a phrase standing for any run of spaces (the
    regex ``alternation(phrases)`` searches for). An Aho-Corasick automaton finds the one-word phrases and the
    longest word of each of the others (a text holding a phrase holds each of its words); the regex decides only
    where nothing but such a word was found."""

    def __init__(self, phrases: list[str]) -> None:
        phrases = sorted({" ".join(p.split()) for p in phrases if p.strip()})
        self._automaton = ahocorasick.Automaton()
        for p in phrases:
            word = max(p.split(" "), key=len)
            self._automaton.add_word(word, self._automaton.get(word, False) or word == p)  # value: a whole phrase
        if phrases:
            self._automaton.make_automaton()
        self._rx = re.compile(alternation(phrases))

    def search(self, text: str) -> bool:
        """True when ``text`` holds one of the phrases."""
        if not len(self._automaton):
            return False
        word = False
        for _end, whole in self._automaton.iter(text):
            if whole:
                return True
            word = True
        return word and self._rx.search(text) is not None


_CLASS_ESCAPES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_WORD: r"\w"}


def first_chars(pattern: str) -> str | None:
    """A character class (without brackets) holding the first character of every match of ``pattern``; None
    when it is not known or a match may be empty. Look-arounds are passed over (they only narrow the matches)."""
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & ~re.UNICODE:  # a global flag: case, or a pattern that reads otherwise when embedded
        return None
    found = _firsts(parsed.data)
    if found is None or found[1]:
        return None
    return "".join(sorted(c if len(c) > 1 else re.escape(c) for c in found[0]))


def _firsts(items: list) -> tuple[set[str], bool] | None:
    """(first characters, may be empty) of a sequence of parse-tree items; None when not known."""
    out: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            found = {chr(av)}, False
        elif op is sre.IN:
            found = _class_firsts(av)
        elif op is sre.SUBPATTERN:
            found = None if av[1] & re.IGNORECASE else _firsts(av[3])
        elif op is sre.ATOMIC_GROUP:
            found = _firsts(av)
        elif op is sre.BRANCH:
            branches = [_firsts(b) for b in av[1]]
            found = None if None in branches else (set().union(*(b[0] for b in branches)), any(b[1] for b in branches))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            child = _firsts(av[2])
            found = None if child is None else (child[0], child[1] or av[0] == 0)
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            found = set(), True
        else:
            return None
        if found is None:
            return None
        out |= found[0]
        if not found[1]:
            return out, False
    return out, True


def _class_firsts(items: list) -> tuple[set[str], bool] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < 1024:
            chars.update(map(chr, range(av[0], av[1] + 1)))
        elif op is sre.CATEGORY and av in _CLASS_ESCAPES:
            chars.add(_CLASS_ESCAPES[av])
        else:
            return None
    return chars, False


def skipping(pattern: str) -> re.Pattern[str] | None:
    """A regex finding every position where ``pattern`` matches, overlapping matches included (each found match is
    the one character there), written with its first characters first so that the regex engine skips to them
    instead of trying every position; None when they are not known. For tests and scans of start positions."""
    written = skipping_pattern(pattern)
    return re.compile(written) if written else None


def skipping_pattern(pattern: str) -> str | None:
    """The pattern of ``skipping(pattern)`` (for a caller that compiles it, or reads it compiled from a store)."""
    firsts = first_chars(pattern)
    return f"[{firsts}](?<=(?={pattern})[\\s\\S])" if firsts else None


_START = re.Match.start


class WordStartScan:
    """Every position where a pattern opening at a word start matches (overlapping matches included; the positions,
    not the matches). ``boundary``: the pattern's word-start look-behind, of one character class (``(?<!\\w)``,
    ``(?<![…])``). The regex engine skips to the characters a word start may follow (``\\W``: those outside
    ``NOT_COMMON_WORD``, tested after the pattern), each followed by a match (``\\W(?=…)``), instead of stopping at
    each of the pattern's first characters (most letters, for a list of words) as ``skipping`` does. The text is read
    after a space, so that its start is found the same way (the pattern may not look behind itself)."""

    __slots__ = ("_scan",)

    def __init__(self, boundary: str, pattern: str) -> None:
        before = _before_class(boundary)
        if before is None or not re.fullmatch(before, " ") or "(?<" in pattern:
            raise ValueError(f"not a word-start scan: {boundary!r}, {pattern[:40]!r}")
        if before == r"\W":  # (tested only where the pattern follows a character outside the commonest word characters)
            self._scan = re.compile(f"{NOT_COMMON_WORD}(?={pattern})(?<=\\W)")
        else:
            self._scan = re.compile(f"{before}(?={pattern})")

    def starts(self, text: str) -> list[int]:
        """The positions, in order."""
        return [*map(_START, self._scan.finditer(" " + text))]  # (the character before each, in the padded text)

    def found(self, text: str) -> bool:
        """True when there is such a position."""
        return self._scan.search(" " + text) is not None


def _before_class(boundary: str) -> str | None:
    """The character class a word start may follow, from a word-start look-behind of one class (``(?<!\\w)``:
    ``\\W``; ``(?<![…])``: ``[^…]``); None for any other form."""
    if boundary == r"(?<!\w)":
        return r"\W"
    inner = boundary[4:-1] if boundary.startswith("(?<![") and boundary.endswith("])") else ""
    if inner and not inner.startswith("[^") and "[" not in inner[1:] and "]" not in inner[1:-1]:
        return "[^" + inner[1:]
    return None


def finditer(rx: re.Pattern[str], first: re.Pattern[str] | None, text: str) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)``, started where ``first`` (``skipping(rx.pattern)``) finds the first match, if given."""
    if first is None:
        return rx.finditer(text)
    m = first.search(text)
    return rx.finditer(text, m.start()) if m else iter(())
