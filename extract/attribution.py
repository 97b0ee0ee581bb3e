"""Who states a figure: reporting clauses inside a sentence, and the claimant carried from earlier sentences.

Works on a sentence's normalised text with a language's phrase lists (report_verbs: the source follows the
verb, «قالت مصادر … إن»; report_after: it stands before, "the ministry said" (report_after_not: words after
it that make it no report, "claimed the life of"); report_before: it follows a
phrase, "according to …", «بحسب …», and starts after a report_relative phrase inside it, «بحسب حصيلة
أعلنتها X», "according to a toll published by X"; report_end: words that close a source; report_end_first: words
that, opening it, leave no source after the verb (its subject stood before); report_carry: openings that
continue the previous sentence's source; pronouns: subjects that stand for the previous source;
report_back_stop: words a subject before its verb never reaches back over (every language's, for mixed text);
report_clause_opens: words opening a clause of its own, "…, as the minister said"; report_appositive_openings:
words opening an apposition between a subject and its verb).
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import NamedTuple

import ahocorasick

from extract.lexicon import LANGS, Language, language
from extract.numbers import alternation
from extract.required_literals import NOT_COMMON_WORD

_MARKS = r",،:;؛.!?؟\"()\[\]"  # punctuation: a source phrase never runs across one
_PUNCT = re.compile(f"[{_MARKS}]")
_TOKEN = re.compile(f"[^\\s{_MARKS}]+")
# matched up to a position: ends after its last mark (``.`` with DOTALL: the repeat runs to the end at once, where a
# class tests each character, 40% fewer instructions)
_TO_LAST_MARK = re.compile(f"(?s).*[{_MARKS}]")
MAX_TOKENS = 8
_WORD_AFTER = re.compile(r"\s+\w")  # a word, not a mark, right after a phrase
_QUOTED_NAME = re.compile(f"[^\\s{_MARKS}]+(?:\\s[^\\s{_MARKS}]+){{0,4}}\"")  # up to five words («"المرصد السوري لحقوق الإنسان"»), then the closing mark


class Source(NamedTuple):  # (a tuple: built faster than a frozen dataclass, which sets each field by a call)
    """A source phrase in a sentence (normalised offsets); ``start == end`` means a pronoun (carry), or with
    ``subjectless`` a verb with no subject of its own («وأشار إلى أن …», «نقلت على إثرها …»)."""

    start: int
    end: int
    clause_start: int
    clause_end: int
    subjectless: bool = False
    joined: bool = False  # a verb joined to what went before by a conjunction after a comma («…، وقال المرصد إن …»)


_WORD_START = r"(?<!\w)"


class WordStarts:
    """Where a regex opening at a word start (``(?<!\\w)``) next matches, found without the regex engine trying it at
    every position: it skips to the characters outside the commonest word characters (``NOT_COMMON_WORD``) and tries
    the pattern after those that are non-word characters (tested only where the pattern matches)."""

    __slots__ = ("rx", "_scan")

    def __init__(self, pattern: str) -> None:
        if not pattern.startswith(_WORD_START):
            raise ValueError(f"not opening at a word start: {pattern[:40]}")
        self.rx = re.compile(pattern)
        # (capturing the match found: ``spans`` reads it there)
        self._scan = re.compile(NOT_COMMON_WORD + "(?=(" + pattern[len(_WORD_START):] + r"))(?<=\W)")

    def search(self, s: str, pos: int = 0, endpos: int = sys.maxsize) -> int | None:
        """The start of the leftmost match at or after pos, None when there is none (with ``endpos``: of those
        the text up to it holds)."""
        if pos == 0 and self.rx.match(s, 0, endpos):
            return 0
        m = self._scan.search(s, max(pos - 1, 0), endpos)  # a non-word character, the match right after it
        return m.end() if m else None

    def spans(self, s: str) -> list[tuple[int, int]]:
        """The spans of ``rx.finditer(s)`` (for a regex that never matches an empty string), from one pass of the
        search's regex, which captures the match at each place it stops (a match opening inside the one before is
        passed over, as finditer passes it): no search and match again per match."""
        out = []
        end = 0
        if m := self.rx.match(s):  # (the scan finds a match after a character only)
            out.append(m.span())
            end = m.end()
        for m in self._scan.finditer(s):
            a, b = m.span(1)
            if a >= end:
                out.append((a, b))
                end = b
        return out


class _Phrases(NamedTuple):
    """A phrase list's regex with its search (``find_sources`` scans a list only where its ``_gate`` finds a word)."""

    scan: WordStarts

    @property
    def rx(self) -> re.Pattern[str]:
        """The list's regex."""
        return self.scan.rx


def _rx(lang: Language, key: str) -> _Phrases | None:
    """The regex of a phrase list, with its search (None for an empty list)."""
    cache = lang.__dict__.get("_attr_cache")
    if cache is None:
        cache = lang.__dict__["_attr_cache"] = {}
    if key not in cache:
        words = lang.data.get(key)
        if not words:
            cache[key] = None
        else:
            from extract.lexicon import _norm_list
            pre = lang.macros["PRE"] if key in ("report_verbs", "report_before", "report_carry", "report_masdar") else ""
            if key in ("report_verbs", "report_carry") and lang.data.get("verb_clitics"):
                # verbs take و/ف but not the article («الكشف» is no verb); not optional here: the phrase without a
                # clitic is the first alternative (tried again after it, it fails again)
                pre = f"(?:{lang.data['verb_clitics']})"
            elif pre.startswith("(?:") and pre.endswith("|)"):
                pre = pre[:-2] + ")"  # {PRE} ("(?:clitics|)") without its empty alternative, for the same reason
            # A phrase written with a final tatweel or hyphen («وفقا لـ») sticks to the next word.
            glued = [w for w in words if str(w).rstrip().endswith(("ـ", "-"))]
            plain = [w for w in words if w not in glued]
            alts = [alternation(_norm_list(plain)) + r"(?!\w)"] if plain else []
            alts += [alternation(_norm_list(glued))] if glued else []
            body = "(?:" + "|".join(alts) + ")"
            # the phrase as written first, then with a clitic: «بحسب ما أفادت» is one phrase, not «ب» + «حسب»
            pattern = r"(?<!\w)(" + (f"{body}|{pre}{body}" if pre else body) + ")"
            cache[key] = _Phrases(WordStarts(pattern))
    return cache[key]


def _words(lang: Language, key: str) -> frozenset[str]:
    cache = lang.__dict__.get("_word_sets")
    if cache is None:
        cache = lang.__dict__["_word_sets"] = {}
    if key not in cache:
        from extract.lexicon import _norm_list
        cache[key] = frozenset(_norm_list(lang.data.get(key, [])))
    return cache[key]


def _stop_kind(w: _Lists, token: str) -> str | None:
    """Why a token ends a source that follows a verb: 'figure' (a number or casualty word), 'end' (a closing word).
    Remembered per language (the same tokens recur)."""
    known = w.stop_kinds
    kind = known.get(token, known)
    if kind is known:
        lang = w.lang
        if token[0].isdigit() or lang.lookup(lang.triggers, token) or (
                lang.numbers._vague_re and lang.numbers._vague_re.fullmatch(token)):
            kind = "figure"
        else:
            kind = "end" if token in w.ends else None
        if len(known) >= 16384:
            known.clear()
        known[token] = kind
    return kind


def _forward(w: _Lists, s: str, pos: int) -> tuple[int, int, str | None]:
    """The source phrase starting at pos: (start, end, what closed it: 'figure', 'end' or None)."""
    start = end = pos
    n = 0
    via, ends, kinds = w.via, w.ends, w.stop_kinds  # via: «نقلت رويترز عن مصدر …», the source runs on through the one it quotes
    before_via, after_via = None, 0
    kind = None
    tokens: list[re.Match[str]] = []
    quoted: tuple[int, int, int] | None = None  # (end, tokens, after_via) before a quoted name after the first word
    for m in _TOKEN.finditer(s, pos):
        gap = s[end:m.start()]
        if gap == " ":  # (the common gap: none of the tests below holds but the word limit)
            if n >= MAX_TOKENS:
                break
        elif n == 0 and gap.strip() == '"' and _QUOTED_NAME.match(s, m.start()):
            pass  # «وأكدت "وفا" أن …»: a source's name in quotation marks
        elif quoted is None and n and gap.strip() == '"' and gap[0].isspace() and _QUOTED_NAME.match(s, m.start()):
            quoted = (end, len(tokens), after_via)  # «منظمة "أطباء بلا حدود"»: the name is read on, with its closing mark
        elif quoted is not None and gap.startswith('"'):
            end, quoted = end + 1, None
            break
        elif _PUNCT.search(gap) or n >= MAX_TOKENS:
            if n == 0 and ('"' in gap or gap.strip() in ("،", ",")):  # «أفاد "بمقتل …»: a quotation opens at
                return pos, pos, "end"  # the verb, its speaker stood before; so did «أعلن، مساء السبت، أن»'s
            break
        token = m.group()
        if n == 0 and token in w.end_first:  # «قد أعلنت في حصيلة»: no source follows
            return pos, pos, "end"
        if n > 0 and before_via is None and token in via:
            before_via = end
        elif kind := kinds[token] if token in kinds else _stop_kind(w, token):  # (looked up here: the call costs)
            break
        elif tokens and f"{tokens[-1].group()} {token}" in ends:
            tokens.pop()  # a closing phrase of two words: «الوزارة في بيان»
            end, kind = tokens[-1].end(), "end"
            break
        elif before_via is not None:
            after_via += 1
        if n == 0:
            start = m.start()
        end = m.end()
        tokens.append(m)
        n += 1
    else:
        if quoted is not None and s.startswith('"', end):
            end, quoted = end + 1, None  # the name closes the sentence
    if quoted is not None:  # the quotation was no name (it held a figure or ran on): the source stops before it
        end, kind, after_via = quoted[0], None, quoted[2]
        del tokens[quoted[1]:]
    elif s.startswith('"', end - 1) and tokens and end > tokens[-1].end():
        return start, end, kind
    if before_via is not None and not after_via:
        return start, before_via, kind
    trim = w.trim  # a source cut short ends on a word that needs more («… لوكالة»، "based")
    while len(tokens) > 1 and tokens[-1].group() in trim:
        tokens.pop()
        end = tokens[-1].end()
    return start, end, kind


def _backward(w: _Lists, s: str, pos: int) -> tuple[int, int]:
    """The source phrase ending at pos: the subject before a verb ("the ministry said", «كانت مواقع … نعت»)."""
    start = end = pos
    cut = _TO_LAST_MARK.match(s, 0, pos)  # the tokens before a mark are never reached
    if cut and s[cut.end() - 1] == '"' and cut.end() > 1 and not s[cut.end() - 2].isspace() \
            and _quoted_back(s, cut.end() - 1):  # … but a name in quotation marks is («وكانت "الشبكة" قد وثقت»)
        cut = _TO_LAST_MARK.match(s, 0, s.rfind('"', 0, cut.end() - 1))
    tokens = list(_TOKEN.finditer(s, cut.end() if cut else 0, pos))
    stops, skip = w.back_stops, w.back_skip  # skip: particles between a subject and its verb («المرصد … قد قال»)
    n = 0
    for m in reversed(tokens):
        gap = s[m.end():start]
        if n >= MAX_TOKENS or (gap != " " and _PUNCT.search(gap)  # (one space, the common gap, holds no mark)
                               and not (gap.startswith('"') and gap.strip() == '"' and _quoted_back(s, m.end()))):
            break  # «وكانت "الشبكة السورية" قد وثقت»: a subject's name in quotation marks is passed
        token = m.group()
        if n == 0 and token in skip:
            start = m.start()
            continue
        if token in stops or (n == 0 and token[0].isdigit()):  # "on May 4 reports …": a date is no source
            break
        start = m.start()
        if n == 0:
            end = m.end()
        n += 1
    if not n and cut and s[cut.end() - 1] in ",،" and not s[cut.end():start].strip():
        if found := _aside_subject(w, s, cut.end() - 1):
            return found
    return (start, end) if n else (pos, pos)  # particles alone ("…, has confirmed") are no source


def _quoted_back(s: str, closing: int) -> bool:
    """True when the quotation mark at closing ends a name of at most four words opened by another."""
    opening = s.rfind('"', 0, closing)
    return opening >= 0 and not _PUNCT.search(s, opening + 1, closing) and 0 < len(s[opening + 1:closing].split()) <= 4


def _aside_subject(w: _Lists, s: str, comma: int) -> tuple[int, int] | None:
    """«وكان مدير الشركة، محمد علي، أفاد …»، «غير أن مصادر طبية، أشارت …»: a subject opened by «كان» or «غير أن»
    (report_aside_openings: one word or two) and set off from its verb by one or two commas; its span from after the opening to the comma before the verb, else None."""
    openings = w.aside_openings
    if not openings:
        return None
    end = None
    for _ in range(3):
        cut = _TO_LAST_MARK.match(s, 0, comma)
        tokens = list(_TOKEN.finditer(s, cut.end() if cut else 0, comma))
        if not tokens or len(tokens) > MAX_TOKENS + 1:
            return None
        end = end or tokens[-1].end()
        for i in range(len(tokens) - 2, -1, -1):
            if tokens[i].group() in openings or (i and f"{tokens[i - 1].group()} {tokens[i].group()}" in openings):
                return tokens[i + 1].start(), end  # an opening of one word or two («غير أن»)
        if not (cut and s[cut.end() - 1] in ",،"):
            return None
        comma = cut.end() - 1
    return None


def _appositive(lang: Language) -> re.Pattern[str]:
    """A word of ``report_appositive_openings`` opening a text ("the", "its", "which"): an apposition."""
    rx = lang.__dict__.get("_appositive")
    if rx is None:
        words = sorted(_words(lang, "report_appositive_openings"))
        rx = lang.__dict__["_appositive"] = re.compile(r"\s*" + alternation(words) + r"\s" if words else "(?!)")
    return rx


def _aside_start(lang: Language, before: str) -> int | None:
    """Where a phrase set off by commas before a verb opens ("The officer, speaking on condition of anonymity,"
    is ``before``): the offset of its opening comma, where the subject ends; None when there is none. Two
    appositions one after another (each opening with a word of ``report_appositive_openings``) are passed over
    together ("The brigades, the group's armed wing, a faction in the south,")."""
    if not before.endswith((",", "،")):
        return None
    opening = max(before.rfind(",", 0, len(before) - 1), before.rfind("،", 0, len(before) - 1))
    if opening > 0:  # a second apposition just before the first (at most two are passed over)
        previous = max(before.rfind(",", 0, opening), before.rfind("،", 0, opening))
        appositive = _appositive(lang).match
        if previous > 0 and appositive(before, opening + 1) and appositive(before, previous + 1):
            opening = previous
    return opening if opening > 0 else None


class _Lists(NamedTuple):
    """What find_sources reads of a language, gathered once: its phrase lists' regexes and word sets (the module
    docstring tells each list), and the stop kinds of the tokens met after a verb (see ``_stop_kind``)."""

    lang: Language
    pronouns: frozenset[str]
    before: _Phrases | None
    relative: _Phrases | None
    verbs: _Phrases | None
    after: _Phrases | None
    masdar: _Phrases | None
    nouns_after: frozenset[str]  # report_verb_not_after
    joins: tuple[str, ...]  # report_clause_and
    nots: tuple[str, ...]  # report_after_not, each word with its space
    back_skip: frozenset[str]
    heads: frozenset[str]  # report_colon_heads
    via: frozenset[str]
    ends: frozenset[str]  # report_end
    end_first: frozenset[str]
    trim: frozenset[str]
    back_stops: frozenset[str]  # every language's report_back_stop: a sentence may hold another language's words
    aside_openings: frozenset[str]
    stop_kinds: dict[str, str | None]
    gate: tuple[ahocorasick.Automaton, int] | None  # see _gate


GATED = ("report_before", "report_verbs", "report_after", "report_masdar")  # bit i: list i


def gate_words(lang: Language) -> tuple[frozenset[str], ...]:
    """For each phrase list of ``GATED`` (none when the language has no such list), the longest word of each of
    its phrases: a sentence holding none of them holds no phrase of the list (a match holds each word of its
    phrase, a clitic or the next word glued to it or not)."""
    from extract.lexicon import _norm_list
    return tuple(frozenset(max(p.split(" "), key=len) for p in _norm_list(lang.data[key]) if p)
                 if _rx(lang, key) is not None else frozenset() for key in GATED)


def _gate(lang: Language) -> tuple[ahocorasick.Automaton, int] | None:
    """An automaton finding, in one pass over a sentence, which of the phrase lists (``GATED``) it may hold a
    phrase of: the ``gate_words``, valued by the bits of the lists holding them; with the bits of the lists there
    are."""
    automaton, full = ahocorasick.Automaton(), 0
    for i, words in enumerate(gate_words(lang)):
        full |= bool(words) << i
        for word in words:
            automaton.add_word(word, automaton.get(word, 0) | 1 << i)
    if not full:
        return None
    automaton.make_automaton()
    return automaton, full


def _lists(lang: Language) -> _Lists:
    """The ``_Lists`` of a language."""
    lists = lang.__dict__.get("_source_lists")
    if lists is None:
        lists = lang.__dict__["_source_lists"] = _Lists(
            lang, frozenset(lang.data.get("pronouns", [])),
            _rx(lang, "report_before"), _rx(lang, "report_relative"), _rx(lang, "report_verbs"),
            _rx(lang, "report_after"), _rx(lang, "report_masdar"),
            _words(lang, "report_verb_not_after"), tuple(lang.data.get("report_clause_and", [])),
            tuple(w + " " for w in _words(lang, "report_after_not")), _words(lang, "report_back_skip"),
            _words(lang, "report_colon_heads"), _words(lang, "report_via"), _words(lang, "report_end"),
            _words(lang, "report_end_first"), _words(lang, "report_trim"),
            frozenset().union(*(_words(language(c), "report_back_stop") for c in LANGS)),
            _words(lang, "report_aside_openings"), {}, _gate(lang))
    return lists


def find_sources(lang: Language, s: str, met: int | None = None) -> list[Source]:
    """Every reporting clause of a normalised sentence, with its source span. ``met``: the bits of the lists of
    ``GATED`` whose ``gate_words`` the sentence holds, when the caller's scan found them."""
    out: list[Source] = []
    w = _lists(lang)
    pronouns, relative, nouns_after, joins, heads = w.pronouns, w.relative, w.nouns_after, w.joins, w.heads
    if met is None:  # the lists the sentence may hold a phrase of: one pass of the gate's automaton
        met = 0
        if w.gate:
            automaton, full = w.gate
            for _end, bits in automaton.iter(s):
                met |= bits
                if met == full:
                    break
    if met & 1:
        for ms, me in w.before.scan.spans(s):
            a, b, _ = _forward(w, s, me)
            if b > a and relative and (r := relative.rx.search(s, a, b)):
                a, b, _ = _forward(w, s, r.end())  # «بحسب حصيلة أعلنتها وزارة الصحة», "a toll published by X": X
            if b > a:
                out.append(Source(a, b, ms, b))
    if met & 2:
        for ms, me in w.verbs.scan.spans(s):
            if nouns_after and _word_before(s, ms) in nouns_after:
                continue  # «والحد من رصد قوات النظام للطريق»، «دون نشر أي تفاصيل»: after a preposition, the verb's noun
            a, b, closed = _forward(w, s, me)
            if b > a and s[a:b] not in pronouns:
                out.append(Source(a, b, ms, b, joined=bool(joins) and _joined(s, ms, joins)))
            elif b == a and closed and (sb := _backward(w, s, ms))[1] > sb[0] and s[sb[0]:sb[1]] not in pronouns:
                out.append(Source(sb[0], sb[1], sb[0], me))
            elif b == a and closed:
                out.append(Source(me, me, ms, me, True))
    if met & 4:
        for ms, me in w.after.scan.spans(s):
            if w.nots and s.startswith(w.nots, me + 1):
                continue  # "the shooting claimed the life of …": no report
            before = s[:ms].rstrip()
            while (last := before.rsplit(None, 1)) and len(last) == 2 and last[1] in w.back_skip and last[0].endswith((",", "،")):
                before = last[0]  # "…, has confirmed": the particle stands after the aside
            if before.endswith((",", "،", '"')) or not before:
                a, b, closed = _forward(w, s, me)  # inversion: "…, said the ministry"
                # a phrase cut short by the word limit is no inverted subject when an aside stands before the verb
                # ("The Observatory, a war monitor, said the strike hit a farm near the town, killing one")
                cut = closed is None and _WORD_AFTER.match(s, b) is not None
                if b > a and closed != "figure" and not (cut and _aside_start(lang, before) is not None):
                    out.append(Source(a, b, ms, b))
                elif (aside := _aside_start(lang, before)) is not None:
                    a, b = _backward(w, s, aside)  # "The officer, speaking on condition of anonymity, said"
                    if b > a and s[a:b] not in pronouns:
                        out.append(Source(a, b, a, me))
                continue
            a, b = _backward(w, s, ms)
            if b > a:
                if s[a:b] in pronouns:
                    out.append(Source(ms, ms, a, me))
                else:
                    out.append(Source(a, b, a, me))
    if met & 8:  # «بعد يوم من إعلان الجيش مقتل 71 مسلحا»: the noun of a reporting verb with a source
        for ms, me in w.masdar.scan.spans(s):  # opening as a headline's does («إعلان حالة الطوارئ» names none), closed
            # by a figure or a closing word
            a, b, closed = _forward(w, s, me)
            if b > a and closed and len(s[a:b].split()) <= 3 and _opens_with(s, a, b, heads):
                out.append(Source(a, b, ms, b))
    if ":" in s and (colon := _colon_source(heads, s)) is not None:  # (each test first: most sentences hold neither)
        out.append(colon)
    if ")" in s and (paren := _paren_source(heads, s)) is not None:
        out.append(paren)
    if '"' in s and len(out) > 1:
        out = [x for x in out if not _quoted_within(s, x, out)]
    return out


def _joined(s: str, pos: int, joins: tuple[str, ...]) -> bool:
    """True when the verb at pos opens with a conjunction (report_clause_and) and a comma stands before it."""
    if not s.startswith(joins, pos):
        return False
    while pos and s[pos - 1].isspace():
        pos -= 1
    return pos > 0 and s[pos - 1] in ",،"


def _word_before(s: str, pos: int) -> str:
    """The word ending right before pos, past spaces only ('' after a mark or at the start)."""
    end = pos
    while end and s[end - 1].isspace():
        end -= 1
    start = end
    while start and not s[start - 1].isspace() and not _PUNCT.match(s, start - 1):
        start -= 1
    return s[start:end]


def _quoted_within(s: str, x: Source, sources: list[Source]) -> bool:
    """True when a reporting clause stands inside a quotation opened after another named source of the sentence
    («وقال المتحدث: "… والأخبار التي وصلتنا تفيد بمقتل مدنيين"», 'He said: "Reports we received say …"'): the
    quotation is that source's words, so the clause inside names no claimant of its own."""
    if not s.count('"', 0, x.clause_start) % 2:
        return False
    opening = s.rfind('"', 0, x.clause_start)
    if opening > 0 and not (s[opening - 1].isspace() or s[opening - 1] in ":("):
        return False  # a mark glued to the word before closes a quotation: the marks are unbalanced
    return any(y is not x and y.end > y.start and y.end <= opening for y in sources)


_SEGMENT_MARKS = "|-،,.!?؟\"()"


def _colon_source(heads: frozenset[str], s: str) -> Source | None:
    """«الدفاع المدني: إصابات بسبب غارة»: a headline whose figure follows a colon names its source before it. The
    source opens with a word of report_colon_heads (a dateline, «إدلب: …», or a page's «حلب::» does not) and has at
    most six words, after the last mark or page-furniture bar before the colon. ``heads``: the language's
    report_colon_heads."""
    colon = s.find(":")
    if not heads or colon <= 0 or colon > 160 or s.startswith(":", colon + 1):
        return None
    seg = max(s.rfind(c, 0, colon) for c in _SEGMENT_MARKS) + 1
    tokens = list(_TOKEN.finditer(s, seg, colon))
    if not tokens or len(tokens) > 6:
        return None
    first = tokens[0].group().lstrip("\u200b\U0001f534\U0001f6a8\u25cf\u2022*#")  # «🔴قوى الأمن» (a marker glued)
    if not _heads_open([first] + [t.group() for t in tokens[1:3]], heads):
        return None
    a = tokens[0].end() - len(first)
    return Source(a, tokens[-1].end(), a, colon + 1)


def _opens_with(s: str, a: int, b: int, heads: frozenset[str]) -> bool:
    """True when the phrase s[a:b] opens with one, two or three words that are one of heads."""
    return _heads_open([t.group() for t in _TOKEN.finditer(s, a, b)][:3], heads)


def _heads_open(words: list[str], heads: frozenset[str]) -> bool:
    """True when the first one, two or three of words are one of heads."""
    return any(" ".join(words[:k]) in heads for k in (1, 2, 3))


_DATE_BEFORE = re.compile(r"\d[\s\-–]*\Z")
_PAREN_END = re.compile(r"\(([^()]{2,60})\)[\s.]*\Z")


def _paren_source(heads: frozenset[str], s: str) -> Source | None:
    """«مقتل ستة مدنيين في قصف على البلدة (المرصد)»: a sentence closed by a source in parentheses (of at most four
    words, opening with a word of report_colon_heads, ``heads``, not after a date) names the source of the figures
    before it."""
    m = _PAREN_END.search(s) if heads and s.rstrip().endswith((")", ").")) else None
    if m is None or len(m.group(1).split()) > 4 or not _opens_with(s, m.start(1), m.end(1), heads) \
            or _DATE_BEFORE.search(s, 0, m.start()):
        return None  # «… 11 تشرين الثاني 2021 (الدفاع المدني)»: a photo's caption, its date, then its credit
    a = m.start(1) + len(m.group(1)) - len(m.group(1).lstrip())
    return Source(a, m.start(1) + len(m.group(1).rstrip()), m.start(), m.end(1) + 1)


def carries(lang: Language, s: str) -> bool:
    """True when a sentence opens by continuing the previous one's source ("He added", «وأضاف»): a
    ``report_carry`` phrase at its first, second or third character."""
    rx = lang.__dict__.get("_carry")
    if rx is None:
        phrases = _rx(lang, "report_carry")
        # (one match: the lazy repeat tries the phrase at 0, then 1, then 2, as three matches would)
        rx = lang.__dict__["_carry"] = re.compile(r"[\s\S]{0,2}?" + phrases.rx.pattern) if phrases else False
    return bool(rx) and rx.match(s) is not None


def _clause_opens(lang: Language) -> re.Pattern[str]:
    """A word of ``report_clause_opens`` ending a text ("…, and while", «فيما»): a reporting clause it opens is a
    clause of its own ("…, as the minister said …"), which governs no figure before it."""
    rx = lang.__dict__.get("_clause_opens")
    if rx is None:
        words = sorted(_words(lang, "report_clause_opens"))
        rx = lang.__dict__["_clause_opens"] = re.compile(r"(?<!\w)" + alternation(words) + r"\s+\Z" if words else "(?!)")
    return rx


def governing(lang: Language, sources: list[Source], fig_start: int, fig_end: int,
              s: str | None = None) -> Source | None:
    """The source whose clause governs a figure: the nearest before it, else the nearest after it. Given the
    sentence, a subject that follows the figure with no mark between ("rebels holding two engineers said")
    is the figure's own phrase, not its source, and a source whose clause opens with a word of
    ``report_clause_opens`` ("while", "as", «فيما») governs no figure before it; nor does a verb after the figure with no subject of its own (its subject is
    the sentence's, «… راح ضحيتها عنصر، وأشار إلى أن …»: an earlier sentence's source would be carried), nor a
    verb joined by a conjunction after a comma («وسقط عدد من القتلى، وقال المرصد إن 16 شخصا قتلوا»: its clause
    reports what follows it)."""
    # (loops keeping the first nearest, not lists and max/min with a key: replay of its calls 22.1 → 12.3 M on syn)
    best = None
    for x in sources:
        if x.clause_start <= fig_start and (best is None or x.clause_start > best.clause_start) \
                and not (x.start < fig_end and fig_start < x.end):
            best = x
    if best is not None:
        return best
    for x in sources:
        if x.clause_start >= fig_end and (best is None or x.clause_start < best.clause_start) \
                and not x.subjectless and not x.joined \
                and not (s is not None and x.start == x.clause_start and not _PUNCT.search(s, fig_end, x.start)) \
                and not (s is not None and _clause_opens(lang).search(s, max(fig_end, x.clause_start - 20), x.clause_start)):
            best = x
    return best
