"""Text as it comes: normalisation with an offset map back to the original, sentences, language.

Normalisation maps one original character to at most one normalised character, so that every
normalised index has an original index (``Normalised.orig``) and offsets always refer to the original.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate

_DIACRITICS = set(chr(c) for c in range(0x064B, 0x0653)) | {"\u0670", "\u0653", "\u0654", "\u0655"}
_DROP = _DIACRITICS | {"\u0640", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff", "\u00ad"}
_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
    "ی": "ي", "ک": "ك",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ", "\u2003": " ",
    "\t": " ", "\u3000": " ",
    "\\": " ",  # a backslash stands for a line break in some news feeds ("holding two\\French hostages")
    "٬": ",", "٫": ".", "’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
}
for _i in range(10):
    _MAP[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _MAP[chr(0x06F0 + _i)] = str(_i)  # Persian digits

_UNMARK = {ord(ch): None for ch in _DROP}


def unmarked(s: str) -> str:
    """``s`` without diacritics, tatweel and invisible marks, its white space collapsed: a phrase as a label
    («المرصدُ المشرقي»، «وزارة الدفـاع» → «المرصد المشرقي»، «وزارة الدفاع»); letters are kept as written."""
    return " ".join(s.translate(_UNMARK).split())


_TABLE: dict[str, str] = {}
_FOLDS = tuple(_MAP.items())  # no value is a key: one pass per character does it all
# all an ASCII text needs (nothing in it is dropped: the dropped characters and their contexts are Arabic or invisible)
_ASCII_FOLDS = tuple((a, b) for a, b in _FOLDS if a.isascii())


def _norm_char(ch: str) -> str:
    """The normalised form of one character ('' when it is dropped)."""
    out = _TABLE.get(ch)
    if out is None:
        out = "" if ch in _DROP else _MAP.get(ch, ch).lower()
        if len(out) > 1:  # lower() of a few characters expands; keep the 1:1 map
            out = ch
        _TABLE[ch] = out
    return out


@dataclass(frozen=True)
class Normalised:
    """A normalised text and the map back to the original.

    ``drops`` holds, for each dropped original character, the normalised index where it was dropped
    (sorted), so that normalised index j is original index ``j + bisect_right(drops, j)``.
    """

    text: str
    drops: tuple[int, ...]
    original_length: int

    def orig(self, j: int) -> int:
        """The original index of normalised index j (j == len(text) maps to the original length)."""
        if j >= len(self.text):
            return self.original_length
        return j + bisect_right(self.drops, j) if self.drops else j

    def to_norm(self, i: int) -> int:
        """The first normalised index at or after original index i: i less the characters dropped before it."""
        if not self.drops:
            return i if i < len(self.text) else len(self.text)
        return max(0, min(i - bisect_left(self._dropped, i), len(self.text)))

    def to_norm_spans(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """``to_norm`` of both ends of each (start, end) span of the original (offsets from 0 to its length)."""
        if not self.drops:
            return spans
        d = self._dropped
        return [(s - bisect_left(d, s), e - bisect_left(d, e)) for s, e in spans]

    @cached_property
    def _dropped(self) -> tuple[int, ...]:
        """The original index of each dropped character (the k-th was dropped at normalised index drops[k])."""
        return tuple(d + k for k, d in enumerate(self.drops))

    def part(self, text: str, start: int, end: int) -> str:
        """``normalise_str(text[start:end])``, ``text`` the original: the slice of the normalised text, unless what
        lies beyond the part could change it (a full stop, asterisk or space at either end next to an Arabic letter
        or tatweel beyond it, dropped or kept for it; a capital sigma, lower-cased by what follows it)."""
        if start >= end:
            return ""
        if (text[start] in ".* " and start and "\u0621" <= text[start - 1] <= "\u064a"
                or text[end - 1] in ".* " and end < len(text) and "\u0621" <= text[end] <= "\u064a"
                or text.find("\u03a3", start, end) >= 0):
            return normalise_str(text[start:end])
        return self.text[self.to_norm(start):self.to_norm(end)] if self.drops else self.text[start:end]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if start >= end:
            o = self.orig(start)
            return o, o
        if not self.drops and end <= len(self.text):  # nothing dropped: the offsets are the original ones
            return start, end
        return self.orig(start), self.orig(end - 1) + 1


# Dropped too: a full stop or an asterisk inside an Arabic word and a space between two tatweels, the spellings
# that dodge platform filters («ا.ستشها.د»، «استــ*ـشهدت»، «شهـ ـيد»).
# (One character class first, so that the regex engine skips quickly to the characters that may be dropped.)
_DROP_CHARS = "".join(sorted(_DROP))
_DROP_RE = re.compile(f"[{_DROP_CHARS}.* ](?:(?<=[{_DROP_CHARS}])|(?<=[\u0621-\u064a\u0640][.*])(?=[\u0621-\u064a\u0640])"
                      "|(?<=\u0640 )(?=\u0640))")
# the same without the spaces, for a text with no tatweel (where no space is dropped): 3x faster, a space being a
# candidate at every word
_DROP_RE_NO_TATWEEL = re.compile(f"[{_DROP_CHARS}.*](?:(?<=[{_DROP_CHARS}])"
                                 "|(?<=[\u0621-\u064a\u0640][.*])(?=[\u0621-\u064a\u0640]))")


# the same for a text holding none of _DROP nor an asterisk: a full stop between Arabic letters; the regex engine skips
# to the stops (a literal) instead of testing a class at each character (research corpus: 53 of 136 non-ASCII texts
# hold one of them)
_STOP_DROP_RE = re.compile("\\.(?<=[\u0621-\u064a]\\.)(?=[\u0621-\u064a])")
_DROP_TUPLE = tuple(sorted(_DROP))


def _drop_re(text: str) -> re.Pattern[str]:
    """The regex of the characters ``text`` drops."""
    return _DROP_RE if "\u0640" in text else _DROP_RE_NO_TATWEEL


def _text_drop_re(text: str) -> re.Pattern[str]:
    """``_drop_re`` for a whole text: one holding none of the dropped characters (tatweel included) nor an asterisk is
    read for its full stops alone (25 tests, each a memchr-like pass: too many for a short string)."""
    if "*" in text or any(map(text.__contains__, _DROP_TUPLE)):
        return _drop_re(text)
    return _STOP_DROP_RE


def normalise(text: str) -> Normalised:
    """Normalise alef/hamza/ya/ta marbuta, diacritics, tatweel, digits, spaces and case, keeping offsets."""
    if text.isascii():
        return Normalised(_fold_ascii(text), (), len(text))
    pieces = _text_drop_re(text).split(text)  # (what lies between the dropped characters)
    drops: tuple[int, ...] = ()
    kept = text
    if len(pieces) > 1:
        kept = "".join(pieces)
        pieces.pop()
        drops = tuple(accumulate(map(len, pieces)))  # a dropped character's index in the kept text
    out = _fold(kept).lower()
    if len(out) != len(kept):  # a character whose lower case is longer: go one by one
        out = "".join(_norm_char(ch) for ch in kept)
    return Normalised(out, drops, len(text))


def _fold(text: str) -> str:
    """The character map applied: one ``str.replace`` per mapped character present (many times faster than
    ``str.translate`` on Arabic text)."""
    for a, b in _FOLDS:
        if a in text:
            text = text.replace(a, b)
    return text


def _fold_ascii(text: str) -> str:
    for a, b in _ASCII_FOLDS:
        text = text.replace(a, b)
    return text.lower()


@lru_cache(maxsize=4096)
def normalise_str(text: str) -> str:
    """The normalised string alone (for lexicon entries and lookups): ``normalise(text).text``, without the
    offset map. Remembered: a claim's sentence and victims are looked at by several steps."""
    if text.isascii():
        return _fold_ascii(text)
    kept = _drop_re(text).sub("", text)
    out = _fold(kept).lower()
    return out if len(out) == len(kept) else "".join(_norm_char(ch) for ch in kept)


_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> str:
    """'ar' when Arabic letters outnumber Latin ones, else 'en'."""
    if text.isascii():
        return "en"
    if not _LATIN.search(text):  # one script only: no counting
        return "ar" if _ARABIC.search(text) else "en"
    if not _ARABIC.search(text):
        return "en"
    return "ar" if len(_ARABIC.findall(text)) > len(_LATIN.findall(text)) else "en"


def sentence_langs(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """``detect_lang`` of each (start, end) span of ``text``; a text in ASCII or with no Latin letter is looked at
    once (a sentence of it is English, or Arabic when it holds an Arabic letter)."""
    if text.isascii():
        return ["en"] * len(spans)
    # no Latin letter: no "e" (found at once in most texts holding Latin letters), and its ASCII characters' upper and
    # lower cases are the same (a few instructions a character, where the regex tests a class at each; synthetic
    # 10.2 → 6.2 M); a sentence opening with an Arabic letter holds one: no search
    if "e" not in text and (ascii_part := text.encode("ascii", "ignore")).upper() == ascii_part.lower():
        return ["ar" if "\u0600" <= text[s] <= "\u06ff" or _ARABIC.search(text, s, e) else "en" for s, e in spans]
    return [detect_lang(text[s:e]) for s, e in spans]


# A sentence ends at . ! ? ؟ ; ؛ or a line break, unless the full stop closes an abbreviation or an initial;
# also at a full stop glued between Arabic words, as posts write them («غربي إدلب.وأصيب»): three letters before
# it and two after (not «د.محمد», «ق.س.د», a word cut by a stop between tatweels, «قصـ.ـف», or a site's name,
# «الجزيرة.نت»); and at one glued between a lower-case Latin word and a capitalised one ("Saturday night.Around
# 11 p.m.", as scraped pages run their paragraphs together; not "St.Louis", "abc7news.com").
# (Written as one character class first, so that the regex engine skips quickly to the candidates; it finds
# what r"[.!?؟;؛]+(?=\s|$|[\"')\]])|\n+" finds, and the glued stops.)
_SENT_END = re.compile(r"[.!?؟;؛\n](?:(?<=\n)\n*|(?<!\n)[.!?؟;؛]*(?=\s|$|[\"')\]])"
                       r"|(?<=[\u0621-\u063a\u0641-\u0652]{3}\.)(?=[\u0621-\u063a\u0641-\u064a]{2})(?!(?:نت|كوم)\b)"
                       r"|(?<=[a-z][a-z]\.)(?=[A-Z][a-z]))")
# the end of an HTML entity whose "&" was lost in a feed ("#39;" for an apostrophe, "quot;")
_ENTITY = re.compile(r"(?:#\d{1,4}|\bquot|\bamp|\bapos|\blt|\bgt)$")
_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."
_WORD_END = frozenset(_WORD_CHARS + "\n")  # what _last_word may find a word before (a final line break is passed)


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """Words a full stop follows inside a sentence ("Mr.", "Gen.", "Calif."): every language's lexicon
    ``abbreviations`` (sentences are split before their language is known), lower-case."""
    from extract.lexicon import LANGS, language
    return frozenset(str(w).lower() for code in LANGS for w in language(code).data.get("abbreviations", []))


MAX_SENTENCE = 1000


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped of surrounding white space, in the given text.

    A run of text with no sentence end is cut at white space every ``MAX_SENTENCE`` characters or so, which
    keeps the work per sentence bounded whatever the input.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        at, after = m.span()
        first = text[at]
        if first == ".":  # (after a character that ends no Latin word, it closes no abbreviation: no word to read)
            if text[at - 1] in _WORD_END and _closes_abbreviation(text, pos, at):
                continue
        elif first == ";" and _ENTITY.search(text, at - 6 if at - 6 > pos else pos, at):
            continue  # an HTML entity that lost its "&" ("Iraq #39;s", " quot;"): no sentence end
        _add(text, pos, at if first == "\n" else after, spans)  # (line breaks are white space, the stops are not)
        pos = after
    _add(text, pos, len(text), spans)
    return spans


def _closes_abbreviation(text: str, pos: int, at: int) -> bool:
    """Whether the full stop at ``at`` closes an abbreviation or an initial: the Latin word before it (``_last_word``
    of the text from ``pos`` on, at most 12 characters back) is one letter or one of the ``_abbreviations``."""
    if at - 2 >= pos and text[at - 2:at] in _plain_ends():
        return False  # (no word need be read: 65% of the stops after a Latin word, "said.", "killed.")
    w = _last_word(text[at - 12 if at - 12 > pos else pos:at])  # (not max(): a call costs more than the slice)
    return bool(w) and (len(w) == 1 or w.lower() in _abbreviations())


@lru_cache(maxsize=1)
def _plain_ends() -> frozenset[str]:
    """Two Latin letters (either case) that end no abbreviation: a word ending with them is neither an abbreviation
    nor an initial."""
    ends = {w[-2:] for w in _abbreviations()}
    return frozenset(a + b for a in _WORD_CHARS[:-1] for b in _WORD_CHARS[:-1] if (a + b).lower() not in ends)


def _last_word(window: str) -> str:
    """The Latin word (letters and full stops, opening with a letter) that ends ``window``, or ends it but for a
    final line break: what ``re.search(r"([A-Za-z][A-Za-z.]*)$", window)`` finds; '' when none."""
    if window.endswith("\n"):  # ($ matches before a final line break too)
        window = window[:-1]
    return window[len(window.rstrip(_WORD_CHARS)):].lstrip(".")


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        _add(text, start, cut, spans)
        start = cut
    while start < end and text[start].isspace():  # (str.strip's white space is str.isspace's)
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
