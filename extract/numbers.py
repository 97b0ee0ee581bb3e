"""The language-neutral number engine: a language's number lexicon → one regex and a parser.

A figure phrase is an optional qualifier, then digits or number words (with scales), a range of two such
numbers, or a vague word; the parser turns the matched text into a ``Figure`` through the conventions table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extract.conventions import Figure, exact, fixed, qualified

# "x(?:x)*" for "(?:x)+" and "(?:…|)" for "(?:…)?": the same matches in the same order, without the regex engine's
# repeat where there is nothing to repeat ("3 people": no comma, no decimal point); possessive digits, as fewer of
# them would leave a digit next, which the look-aheads refuse ("(?!\.*\d)" reads as "(?![\d.]*\d)")
DIGITS = r"\d{1,3}+,\d{3}(?:,\d{3})*(?![\d,]\d)|\d++(?:\.\d++|)(?!\.*\d)"


def alternation(words: list[str] | dict[str, object], literal: bool = False) -> str:
    """A regex matching any of the phrases, the longest first, a space standing for any run of spaces
    (with ``literal``: every character for itself).

    Built as a trie (shared prefixes factored out), which Python's regex engine runs far faster than a
    flat list of alternatives.
    """
    trie: dict = {}
    for w in dict.fromkeys(w for w in words if w):  # in the words' order: the same pattern in every process
        node = trie
        for ch in w if literal else " ".join(w.split()):
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie, literal) if trie else "(?!)"


def _trie_regex(node: dict, literal: bool) -> str:
    ends = "" in node
    branches = [(r"\s+" if ch == " " and not literal else re.escape(ch)) + _trie_regex(sub, literal)
                for ch, sub in node.items() if ch]
    if not branches:
        return ""
    # longer continuations first, so a phrase wins over its own prefix
    if ends:
        # an optional continuation: one character as "x?", else an empty last alternative, "(?:…|)", which the
        # regex engine runs faster than "(?:…)?" (a repeat) and reads the same way (the continuation first)
        if len(branches) == 1 and _ONE_CHAR.fullmatch(branches[0]):
            return branches[0] + "?"
        return "(?:" + "|".join(branches) + "|)"
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


_ONE_CHAR = re.compile(r"\\?[^\\]", re.S)  # one (maybe escaped) character


@dataclass
class NumberLexicon:
    """One language's number words, scales, qualifiers and vague words (already normalised)."""

    numbers: dict[str, int]
    scales: dict[str, int]
    joiners: list[str]
    qualifiers: dict[str, str]
    qualifiers_after: dict[str, str]
    range_open: list[str]
    range_join_open: list[str]
    range_join: list[str]
    vague: dict[str, str]
    vague_link: list[str]
    prefixes: str  # clitics that may stick to a number word, "a|b|…" (Arabic و، ب …); "" for none
    brackets: list[str]  # pairs of marks that may enclose a figure's digits («إصابة (6) مدنيين»: "()"); [] for none

    def __post_init__(self) -> None:
        p = clitic_trie(self.prefixes.split("|")) if self.prefixes else ""
        word = f"{p}{alternation(self.numbers)}" if self.numbers else "(?!)"
        scale = f"{p}{alternation(self.scales)}" if self.scales else "(?!)"
        # possessive spaces (a word or a joiner follows them: giving one back could only fail) and one run of spaces
        # before "a joiner, else nothing": the same first match in the words' atomic group, tried in fewer steps
        join = "(?:\\s*+-\\s*+|\\s++(?:(?:" + "|".join(re.escape(j) for j in self.joiners if j != "-") + ")\\s*+|))" if self.joiners else "\\s+"
        digits = "|".join([*(f"{re.escape(b[0])} ?(?:{DIGITS}) ?{re.escape(b[1])}" for b in self.brackets), DIGITS])
        # digits or a word, then more words/scales (never a second run of digits: "3 4" are two numbers); the words
        # in an atomic group, never given back (no backtracking into them), written "(?>(?:…)*)": Python 3.11.0-3.11.4
        # mis-match the possessive "(?:…)*+" (no match where there is one)
        core = f"(?:{p}(?:{digits})|{word}|{scale})(?>(?:{join}(?:{word}|{scale})\\b)*)"
        core = f"(?:{core})"
        bare = _joins(self.range_join)
        opened = _joins(self.range_join + self.range_join_open)
        # a number, then the rest of a range if there is one: written as one alternative after the opened
        # range (not "a range, else a number"), so that the first number is read once
        number = f"{core}(?:{bare}{core}|)" if self.range_join else core
        if self.range_open:
            # the second part is optional: a possessive core may have taken «ثلاثة وخمسة» whole (parse splits it)
            number = f"(?:{alternation(self.range_open)}\\s+{core}(?:{opened}{core}|)|{number})"
        link = f"(?:\\s+{alternation(self.vague_link)}|)" if self.vague_link else ""
        vague = f"{p}{alternation(self.vague)}{link}" if self.vague else "(?!)"
        qual = f"(?:{p}{alternation(self.qualifiers)}\\s*|)" if self.qualifiers else ""
        after = f"(?:\\s*{alternation(self.qualifiers_after)}|)" if self.qualifiers_after else ""
        # A phrase opens with a digit or one of the words, clitics before it: one look at the words turns most
        # other words away before the alternatives below are tried one by one.
        opening = alternation([*self.qualifiers, *self.range_open, *self.numbers, *self.scales, *self.vague])
        first = "".join(re.escape(b[0]) for b in self.brackets)
        self.pattern = f"(?<!\\w)(?={p}(?:[\\d{first}]|{opening}))(?:{qual}{number}{after}|{vague})(?![\\w])"
        # Pieces for parsing a matched phrase.
        self._qual_re = re.compile(f"^(?:{self.prefixes})?({alternation(self.qualifiers)})\\s*") if self.qualifiers else None
        self._after_re = re.compile(f"\\s*({alternation(self.qualifiers_after)})$") if self.qualifiers_after else None
        # A qualifier standing after the figure's head noun ("30 civilians at least", «30 مدنيا على الأقل»).
        self.trailing_re = re.compile(f"[\"']?\\s*{alternation(self.qualifiers_after)}(?!\\w)") if self.qualifiers_after else None
        self._open_re = re.compile(f"^{alternation(self.range_open)}\\s+") if self.range_open else None
        self._core_re = re.compile(core)
        self._vague_re = re.compile(f"^(?:{self.prefixes})?({alternation(self.vague)})") if self.vague else None
        self._vague_full = re.compile(vague)
        self._token_re = re.compile(f"{DIGITS}|(?:{self.prefixes})?({alternation(self.numbers)}|{alternation(self.scales)})" if self.scales else f"{DIGITS}|{word}")
        self._prefix_re = re.compile(f"^(?:{self.prefixes})") if self.prefixes else None
        self._words = {_squash(k): v for k, v in self.numbers.items()}
        self._scales = {_squash(k): v for k, v in self.scales.items()}
        self._vague = {_squash(k): v for k, v in self.vague.items()}
        self._quals = {_squash(k): v for k, v in self.qualifiers.items()}
        self._quals_after = {_squash(k): v for k, v in self.qualifiers_after.items()}

    def value(self, text: str) -> int | None:
        """The value of a number without qualifiers: "1,200", "twenty-three", "1.2 million", "ثلاثة آلاف"."""
        total, current, seen = 0, 0, False
        for m in self._token_re.finditer(text):
            tok = m.group(0)
            if tok[0].isdigit():
                num = float(tok.replace(",", ""))
                current += num
                seen = True
                continue
            key = _squash(m.group(1) or tok)
            if key not in self._words and key not in self._scales and self._prefix_re:
                key = _squash(self._prefix_re.sub("", key, count=1))
            if key in self._words:
                current += self._words[key]
                seen = True
            elif key in self._scales:
                s = self._scales[key]
                if s >= 1000:
                    total += (current or 1) * s
                    current = 0
                else:
                    current = (current or 1) * s
                seen = True
        if not seen:
            return None
        v = total + current
        return int(round(v)) if v < 10**9 else None

    def parse(self, text: str) -> Figure | None:
        """The figure of a phrase matched by ``pattern``, through the conventions table."""
        t = text.strip()
        if t.isdigit() and t.isascii() and len(t) < 10:  # digits alone ("119", most phrases): what ``value`` reads
            return exact(int(t))
        row = None
        if self._qual_re and (m := self._qual_re.match(t)) and self._core_re.search(t, m.end()):
            row = self._quals.get(_squash(m.group(1)))
            t = t[m.end():]
            if t.isdigit() and t.isascii() and len(t) < 10:  # a qualifier and digits ("at least 12"): what the rest reads
                return qualified(row, int(t)) if row else exact(int(t))
        if self._after_re and (m := self._after_re.search(t)):
            row = row or self._quals_after.get(_squash(m.group(1)))
            t = t[: m.start()]
        if self._vague_re and (m := self._vague_re.match(t)) and self._vague_full.fullmatch(t):
            name = self._vague.get(_squash(m.group(1)))
            if name:
                return fixed(name)
        if self._open_re and self._open_re.match(t):
            t = self._open_re.sub("", t)
            # «بين ثلاثة وخمسة»: the opened range's joiner may also join number words; try each split
            for j in re.finditer(_joins(self.range_join + self.range_join_open), t):
                a, b = self.value(t[:j.start()]), self.value(t[j.end():])
                if a is not None and b is not None and a < b and t[:j.start()].strip() and t[j.end():].strip():
                    return qualified("range", a, b)
        parts = [p for p in self._core_re.finditer(t)]
        if len(parts) >= 2:
            a, b = self.value(parts[0].group()), self.value(parts[-1].group())
            if a is not None and b is not None and a < b:
                return qualified("range", a, b)
            t = parts[-1].group()  # "2024 to 1418": two numbers, not a range; the figure is the one that ends it
        n = self.value(t)
        if n is None:
            return None
        return qualified(row, n) if row else exact(n)


def clitic_trie(clitics: list[str]) -> str:
    """The clitics or nothing, ``(?:…|)`` (it runs faster than ``(?:…)?``: _trie_regex), the clitics opening with
    one letter written after it once (``(?:و(?:ب|ل|)|ب|…|)``): ``{PRE}`` and the number phrase's clitics. It tries
    the same clitics in the same order, since two opening with different letters never both match at one place,
    and passes over fewer alternatives at each word (the Arabic rules' regex instructions −2%, and −1.1% more with
    the number phrase's)."""
    groups: dict[str, list[str]] = {}
    for c in clitics:
        groups.setdefault(c[0], []).append(c[1:])
    return "(?:" + "|".join(k + (rest[0] if len(rest) == 1 else f"(?:{'|'.join(rest)})")
                            for k, rest in groups.items()) + "|)"


def _joins(words: list[str]) -> str:
    alts = ["\\s*-\\s*"] if "-" in words else []
    alts += [f"\\s+{re.escape(j)}\\s*" for j in words if j != "-"]
    return "(?:" + "|".join(alts) + ")" if alts else "(?!)"


def _squash(s: str) -> str:
    return " ".join(s.split())
