"""Dates: publication dates (``parse_date``) and the day a sentence's figure refers to (``event_date``).

The words (months, weekdays, relative days) are data in extract/lang/<code>/dates.yaml; this module is the
one engine over them. ``event_date`` is a cheap regex prefilter, then explicit dates («في 7 نيسان/أبريل»,
"on April 7, 2025"), then relative days («أمس», "last night") and weekdays («يوم السبت», "on Tuesday")
resolved against the publication date: a weekday is the most recent such day on or before it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import ahocorasick

from extract.numbers import alternation
from extract.regex_cache import compile_all
from extract.required_literals import WordStartScan, finditer, skipping_pattern
from extract.text import normalise_str
from extract.yaml_data import read_yaml

LANG_DIR = Path(__file__).resolve().parent / "lang"
LANGS = ("ar", "en")
_DIGITS = str.maketrans({chr(base + i): str(i) for base in (0x0660, 0x06F0) for i in range(10)})  # ٠-٩, ۰-۹
_YEAR = r"(?P<y>(?:19|20)\d\d)(?!\d)"


@dataclass(frozen=True)
class _Lang:
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, int]
    explicit: re.Pattern  # day-month(-year) and month-day(-year) phrases
    # where the first of them opens: the regex engine skips to their first characters (digits, months' first letters)
    # instead of trying both look-behinds at every position (rc: `event_date` 44.7 → 37.1 M)
    explicit_first: re.Pattern | None
    words: re.Pattern  # weekdays and relative words, with what may not stand around them
    named: WordStartScan  # where a month, weekday or relative word stands (with _ISO_DASH, the prefilter)
    gate: ahocorasick.Automaton  # the longest word of each: a text holding none has no ``named`` word (one pass)
    gate_words: frozenset[str]  # (the gate's words)
    cased: frozenset[str]  # month names that are a month only when capitalised ("May")
    not_before: re.Pattern  # "next", "every" just before a weekday


def _alt(names) -> str:
    """Any of the names, the longest first (as a trie, which the regex engine runs much faster)."""
    names = list(names)
    return alternation(names, literal=True) if names else ""


@lru_cache(maxsize=None)
def _lang(code: str) -> _Lang:
    data = read_yaml(LANG_DIR / code / "dates.yaml")
    key = normalise_str
    months = {key(k): int(v) for k, v in data["months"].items()}
    weekdays = {key(k): int(v) for k, v in data["weekdays"].items()}
    relative = {key(k): int(v) for k, v in data["relative"].items()}
    cased = {key(w) for w in data.get("case_sensitive") or []}
    month = _alt(months)
    month2 = rf"(?P<m>{month})(?:\s*/\s*(?:{month}))?"  # «نيسان/أبريل»
    b, e = (r"(?<![\w])", r"(?![\w])")
    suffix = f"(?:{_alt(data['day_suffixes'])})?" if data.get("day_suffixes") else ""  # "7th"
    of = f"(?:(?:{_alt(data['day_month_joiners'])})\\s+)?" if data.get("day_month_joiners") else ""  # "7th of April"
    explicit_pattern = (
        rf"{b}(?<!\d)(?P<d>[12]\d|3[01]|0?[1-9]){suffix}(?!\d)\s+{of}{month2}{e}\.?(?:,?\s*{_YEAR})?"
        rf"|{b}(?P<m2>{month})\.?\s+(?P<d2>[12]\d|3[01]|0?[1-9]){suffix}(?!\d)"
        rf"(?:,?\s*(?P<y2>(?:19|20)\d\d)(?!\d))?"
    )
    not_after = _alt(key(w) for w in data.get("not_after") or []) or "(?!)"
    not_before = _alt(key(w) for w in data.get("not_before") or []) or "(?!)"
    words = re.compile(rf"(?<!\w)(?P<w>{_alt(list(weekdays) + list(relative))})(?!\w)(?! (?:{not_after})(?!\w))")
    named = WordStartScan(r"(?<!\w)", rf"(?:{month}|{_alt(list(weekdays) + list(relative))})(?!\w)")
    gate_words = frozenset(max(w.split(" "), key=len) for w in [*months, *weekdays, *relative] if w)
    gate = ahocorasick.Automaton()
    for w in gate_words:
        gate.add_word(w, True)
    gate.make_automaton()
    # (the explicit dates' two regexes are read from the regex store: compiling them costs about 40 M instructions)
    first = skipping_pattern(explicit_pattern)
    explicit, explicit_first = (compile_all([explicit_pattern, first], f"dates-{code}") if first
                                else (re.compile(explicit_pattern), None))
    return _Lang(months, weekdays, relative, explicit, explicit_first, words, named, gate, gate_words,
                 frozenset(cased), re.compile(rf"(?<!\w)(?:{not_before})\s+$"))


def day_words(lang: str) -> frozenset[str]:
    """The longest word of each month, weekday and relative phrase of a language: a normalised sentence holding none
    of them names no day (``event_date``'s ``words``)."""
    return _lang(lang).gate_words


def _norm(s: str) -> str:
    """Normalised for matching: Arabic letter forms and digits unified, lower case."""
    return normalise_str(s.translate(_DIGITS))


_ISO = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d?)-(\d\d?)(?!\d)")
_ISO_DASH = re.compile(r"-(?<=\d\d\d\d-)\d")  # "2024-0" (the regex engine skips to the hyphens)


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _explicit(text: str, original: str, lang: _Lang, published: date | None, iso: bool = True) -> date | None:
    """The first explicit date in normalised text (year from the publication date when missing); ``iso``: False
    when the text holds no ``_ISO_DASH`` (so no ISO date)."""
    m = _ISO.search(text) if iso else None
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]))
    for m in finditer(lang.explicit, lang.explicit_first, text):
        name = m["m"] or m["m2"]
        at = m.start("m" if m["m"] else "m2")
        if name in lang.cased and len(original) == len(text) and not original[at].isupper():
            continue  # "may 7 people" is no date
        day = int(m["d"] or m["d2"])
        year = m["y"] or m["y2"]
        month = lang.months[name]
        if year:
            return _make(int(year), month, day)
        if published is None:
            return None
        found = _make(published.year, month, day)
        if found and found > published + timedelta(days=1):  # «في 28 ديسمبر» read in January
            found = _make(published.year - 1, month, day)
        return found
    return None


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


@lru_cache(maxsize=4096)
def _parse_str(s: str, lang: str | None) -> date | None:
    text = _norm(s)
    codes = (lang,) if lang in LANGS else LANGS
    for code in codes:  # the fast path: ISO, «19 كانون الثاني 2024», "Jul 1, 2016"
        found = _explicit(text, s.translate(_DIGITS), _lang(code), None)
        if found:
            return found
    import dateparser  # slow to import; only publication dates that the fast path missed need it

    settings = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False,
                "PARSERS": ["timestamp", "custom-formats", "absolute-time"],  # "3 days ago" is no publication date
                "REQUIRE_PARTS": ["day", "month", "year"]}
    if lang == "ar":
        settings["DATE_ORDER"] = "DMY"
    parsed = dateparser.parse(s.translate(_DIGITS).strip(), languages=list(codes), settings=settings)
    return parsed.date() if parsed else None


def parse_date(s, lang: str | None = None) -> date | None:
    """A publication date from a string in either language (or a date/datetime, passed through); None if none."""
    if s is None:
        return None
    as_date = _as_date(s)
    if as_date is not None:
        return as_date
    s = str(s).strip()
    if not s:
        return None
    return _parse_str(s[:200], lang)


def _event(sentence: str, published: date | None, lang: str, text: str, words: bool | None = None) -> date | None:
    """The event date of a sentence; ``text``: ``normalise_str(sentence)``, as _norm (normalising turns the Arabic
    digits into ASCII ones too); ``words``: as ``event_date``'s."""
    spec = _lang(lang)
    # (the gate turns away 80% of the sentences with figures: 23,000 → 16,000 instructions a sentence, synthetic)
    dash = _ISO_DASH.search(text) is not None
    if not (dash or (next(spec.gate.iter(text), None) is not None if words is None else words)
            and spec.named.found(text)):
        return None
    found = _explicit(text, sentence, spec, published, dash)  # (the digits are no month name, and never upper case)
    if found or published is None:
        return found
    today = None
    for m in spec.words.finditer(text):
        if spec.not_before.search(text, max(0, m.start() - 20), m.start()):
            continue
        w = m["w"]
        if w in spec.relative:
            day = published + timedelta(days=spec.relative[w])
        else:
            day = published - timedelta(days=(published.weekday() - spec.weekdays[w]) % 7)
        if day != published:
            return day
        today = day  # «اليوم الجمعة», "today": kept only when no other day is named
    return today


def event_date(sentence: str, published, lang: str | None, normalised: str | None = None,
               words: bool | None = None) -> date | None:
    """The date a sentence's figure refers to, when the sentence says it; None otherwise.

    Explicit dates are read as written (a missing year from ``published``); relative days and weekdays need
    ``published``: a weekday is the most recent such day on or before the publication date. ``normalised``:
    ``normalise_str(sentence)``, when the caller has it; ``words``: False when the caller's own scan tells that the
    sentence holds none of the language's ``day_words``, True when it may (None: the gate reads the sentence, a pass).
    """
    if not sentence:
        return None
    code = lang if lang in LANGS else ("ar" if re.search(r"[\u0600-\u06FF]", sentence) else "en")
    key = (sentence, parse_date(published) if published is not None else None, code)
    found = _EVENTS.get(key, _EVENTS)
    if found is _EVENTS:
        if len(_EVENTS) >= 16384:
            _EVENTS.clear()
        found = _EVENTS[key] = _event(*key, normalise_str(sentence) if normalised is None else normalised, words)
    return found


# (sentence, publication date, language) → event date: a repeated sentence is read once (the normalised text the
# caller may give is left out of the key, so that the entries hold no more than the sentences)
_EVENTS: dict[tuple[str, date | None, str], date | None] = {}
