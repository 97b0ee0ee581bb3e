"""The rule runner: text → claims. Language knowledge lives in extract/lang/<code>/; this engine only
runs the named rules of each sentence's language and assembles claims with their evidence."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import repeat
from operator import attrgetter, itemgetter
from pathlib import Path

import ahocorasick

from extract import attribution
from extract.actors import Actor, actors
from extract.dates import day_words, event_date
from extract.gc_pause import call_paused
from extract.places import Place, find_places
from extract.claim import Claim, make_claim_id, text_hash
from extract.conventions import Figure, fixed
from extract.lexicon import GROUP_FIGURES, LANG_DIR, LANGS, Language, Rule, _norm_list, language
from extract.required_literals import LiteralScan, Needs, WordStartScan, skipping
from extract.text import Normalised, normalise, normalise_str, sentence_langs, sentences

__version_base__ = "1.0"


def _data_version() -> str:
    h = hashlib.sha1()
    for p in sorted(LANG_DIR.rglob("*.yaml")) + sorted((Path(__file__).parent / "data").glob("*.yaml")):
        if p.name != "examples.yaml":
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:8]


EXTRACTOR_VERSION = f"{__version_base__}+{_data_version()}"


class _Match:
    """A rule's match in a sentence (normalised sentence offsets)."""

    __slots__ = ("rule", "start", "end", "fig", "groups", "trailing")

    def __init__(self, rule: Rule, start: int, end: int, fig: tuple[int, int], groups: dict[str, tuple[int, int]],
                 trailing: str) -> None:
        self.rule, self.start, self.end, self.fig, self.groups = rule, start, end, fig, groups
        self.trailing = trailing  # a qualifier standing after the match («30 مدنيا على الأقل»)


@dataclass
class _DocState:
    doc: str
    text: str
    norm: Normalised
    doc_hash: str
    published: date | None
    claims: list[Claim] = field(default_factory=list)
    seen: list[tuple[Language, int, int]] = field(default_factory=list)  # (language, start, end) of each sentence
    sources: dict[int, list[attribution.Source]] = field(default_factory=dict)  # computed on demand, by sentence
    sentence_index: int = 0
    last_parent: tuple[int, Claim] | None = None
    tops: list[tuple[int, Claim]] = field(default_factory=list)  # (sentence index, claim) of every possible parent
    alone: dict[str, str] = field(default_factory=dict)  # normalise_str of each sentence with matches, by the sentence
    quotes: tuple[int, int] = (0, 0)  # quotation marks counted in the normalised text: (up to, how many)
    # _matches (the rule matches and the clauses the rules' scan met) and _find_sources of each sentence, by (language
    # code, text): a document may repeat a sentence (its title in the body)
    runs: dict[tuple[str, str], tuple[list[_Match], int]] = field(default_factory=dict)
    found: dict[tuple[str, str], list[attribution.Source]] = field(default_factory=dict)
    _places: list[tuple[int, int, Place]] | None = None
    # the places' starts and ends, when both run in text order (so a sentence's places are a slice of them), else None
    place_bounds: tuple[list[int], list[int]] | None = None

    @property
    def places(self) -> list[tuple[int, int, Place]]:
        """The places named in the text, found the first time a claim needs one."""
        if self._places is None:
            found = self._places = find_places(self.text, self.norm)
            starts, ends = [p[0] for p in found], [p[1] for p in found]
            if starts == sorted(starts) and ends == sorted(ends):
                self.place_bounds = starts, ends
        return self._places

    def sources_of(self, index: int) -> list[attribution.Source]:
        """The reporting clauses of sentence ``index`` (normalised sentence offsets)."""
        if index not in self.sources:
            L, ns, ne = self.seen[index]
            s = self.norm.text[ns:ne]
            found = self.found.get((L.code, s))
            if found is None:
                run = self.runs.get((L.code, s))
                found = self.found[L.code, s] = _find_sources(L, s, run[1] if run else None)
            self.sources[index] = found
        return self.sources[index]

    def last_source(self) -> tuple[int, int] | None:
        """Original span of the last source named before the current sentence."""
        for i in range(self.sentence_index - 1, -1, -1):
            named = [x for x in self.sources_of(i) if x.end > x.start]
            if named:
                ns = self.seen[i][1]
                return self.norm.span(ns + named[-1].start, ns + named[-1].end)
        return None


_SOURCES: dict[tuple[int, str], tuple[Language, list[attribution.Source]]] = {}  # as _MATCHES, for sources
_SOURCES_SEEN: set[int] = set()


def _find_sources(L: Language, s: str, met: int | None) -> list[attribution.Source]:
    """``attribution.find_sources``, remembered for repeated sentences (the list is only read); ``met``: the rules'
    scan of the sentence, if it went through them (the scan found the report lists' words too)."""
    key = (id(L), s)
    done = _SOURCES.get(key)
    if done is not None:
        return done[1]
    found = attribution.find_sources(L, s, None if met is None else met >> _plan(L)[4])
    if _second_sight(_SOURCES_SEEN, key):
        if len(_SOURCES) >= 4096:
            _SOURCES.clear()
        _SOURCES[key] = (L, found)
    return found


def _second_sight(seen: set[int], key: tuple[int, str] | str) -> bool:
    """True when ``key`` was given before (a sentence is kept at its second sight: most are never repeated, and
    what a cache keeps, the cycle collector walks: about as much as the repeats save, were every sentence kept);
    else notes it (its hash: numbers, which the collector does not track)."""
    h = hash(key)
    if h in seen:
        return True
    if len(seen) >= 65536:
        seen.clear()
    seen.add(h)
    return False


def extract_claims(text: str, doc: str = "", lang: str | None = None, published: date | None = None) -> list[Claim]:
    """Every casualty or loss figure of a text as claims, each with its evidence span and the rule behind it."""
    if not isinstance(text, str) or not text.strip():
        return []
    # no reference cycles are made: the passes only cost (about 0.3 s of a first call)
    return call_paused(_extract, text, doc, lang, published)


def _extract(text: str, doc: str, lang: str | None, published: date | None) -> list[Claim]:
    norm = normalise(text)
    st = _DocState(doc, text, norm, text_hash(text), published)
    spans = sentences(text)
    cut = _other_stories(norm.text)
    # the rules run over every sentence first, then the claims are built: each phase's tables and regexes stay
    # in the processor's caches
    found = []  # the sentences with matches
    codes = [lang] * len(spans) if lang in LANGS else sentence_langs(text, spans)
    langs = {code: language(code) for code in set(codes)}
    seen = st.seen
    for i, ((s, e), (ns, ne), code) in enumerate(zip(spans, norm.to_norm_spans(spans), codes)):
        L = langs[code]
        ntext = norm.text[ns:ne]
        seen.append((L, ns, ne))
        if L.prefilter.search(ntext):
            run = st.runs.get((code, ntext))
            if run is None:
                run = st.runs[code, ntext] = _matches(L, ntext)
            matches = run[0]
            if matches:
                found.append((i, L, code, ntext, ns, s, e, matches))
    for i, L, code, ntext, ns, s, e, matches in found:
        st.sentence_index = i
        _sentence(st, L, code, ntext, ns, s, e, matches)
    if cut < len(norm.text):  # a news page's list of other stories: their figures are not the article's incident
        cut0 = norm.span(cut, cut)[0]
        # a list set above the article's body (no paragraph before it): the body after it is the article's
        back = None if _ARTICLE_PARAGRAPH.search(norm.text, 0, cut) else _ARTICLE_PARAGRAPH.search(norm.text, cut)
        back0 = norm.span(back.start(), back.start())[0] if back else len(text)
        listed = {c.claim_id: c for c in st.claims if cut0 <= c.start < back0}
        for c in st.claims:
            if c.claim_id in listed:
                c.scope = "cumulative"
            elif c.subgroup_of in listed:  # the article's figure is no part of a listed story's
                whole = listed[c.subgroup_of]
                whole.includes = [x for x in whole.includes if x != {"victims": c.victims, "low": c.low, "best": c.best,
                                                                     "high": c.high, "qualifier": c.qualifier}]
                c.subgroup_of = None
    _mark_repeats(st.claims)
    _preliminary_superseded(st.claims, st.alone)
    heads = _headlines(text, spans)
    if heads:
        _title_restated(st.claims, heads)
    _parts_summed(st.claims)
    return st.claims


def _parts_summed(claims: list[Claim]) -> None:
    """Two or more exact figures of one sentence told one by one, and an exact figure of the same kind in another
    sentence that is their sum («مقتل 3 مدنيين …» / «إذ قتل طفل ووالده ورجل آخر …»; «قُتل مدني وأربعة جنود …» /
    «ارتقاء خمسة شهداء بينهم مدني واحد»): the sum restates them (the parts stay the counted figures: they name
    the victims and, often, the place more closely). Sums under three are left alone (one and one make two by
    chance: two incidents of a round-up)."""
    def counts(x: Claim) -> bool:
        return (x.scope == "incident" and not x.subgroup_of and not x.repeats and not x.negated
                and x.qualifier == "exact")
    groups: dict[tuple, list[Claim]] = {}
    sums: dict[tuple, list[Claim]] = {}  # the same figures by kind and size: where a sum is looked for
    for x in claims:
        if counts(x):
            groups.setdefault((x.sentence, x.category, x.asset), []).append(x)
            sums.setdefault((x.category, x.asset, x.best), []).append(x)
    for (sent, cat, asset), parts in groups.items():
        if len(parts) < 2:
            continue
        parts = [x for x in parts if counts(x)]
        total = sum(x.best for x in parts)
        if len(parts) < 2 or total < 3:
            continue
        for t in sums.get((cat, asset, total), ()):  # (a figure not counted at first never is: repeats only get set)
            if (t.sentence != sent and counts(t)
                    and all(x.party == t.party or None in (x.party, t.party) for x in parts)):
                t.repeats = parts[0].claim_id


@lru_cache(maxsize=1)
def _other_stories_res() -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    """The regexes of the languages' ``other_stories`` headings (a line holding one) and ``comments_start`` markers,
    and the longest word of each marker (a text holding none of them holds no marker)."""
    from extract.lexicon import _norm_list
    from extract.numbers import alternation

    def words(section: str) -> list[str]:
        return [w for code in LANGS for w in _norm_list(language(code).data.get(section, []))]

    headings, markers = words("other_stories"), words("comments_start")
    # a heading's line found by the line break before it (the regex engine skips to the line breaks)
    return (re.compile(r"(?m)\n[ \t]*(?:" + alternation(headings) + r")[ \t:]*$") if headings else re.compile("(?!)"),
            re.compile(alternation(markers)) if markers else re.compile("(?!)"),
            tuple(max(w.split(), key=len) for w in markers))


def _other_stories(ntext: str) -> int:
    """Normalised offset where a page's text stops being the article, after its first 100 characters or its first
    line of five words or more (its title), whichever ends first (a heading above them is navigation): a line
    holding only one of the languages' ``other_stories`` headings («اقرأ أيضاً», «مقالات ذات صلة»: a news page's
    list of other stories), or one of their ``comments_start``
    markers anywhere ("All reactions:": a social page's comments follow); the text's length where there is none.
    The figures after it are kept as claims (headlines state them) but with scope cumulative: not this article's
    incident."""
    headings, markers, marker_words = _other_stories_res()
    first = _SENTENCE_LINE.search(ntext, 0, 100)
    start = first.end() if first else 100  # (at least 1: a heading's line opens at start or after it)
    heading = headings.search(ntext, start - 1)
    marker = markers.search(ntext, start) if any(w in ntext for w in marker_words) else None
    return min(heading.start() + 1 if heading else len(ntext), marker.start() if marker else len(ntext))


#: A line of five words or more: a page's title or a sentence (navigation above the article has shorter lines).
# a paragraph of the article: a line of 25 words or more holding a full stop (the headlines of a list of other stories
# are shorter and have none); a page may set its list of other stories above the body
_ARTICLE_PARAGRAPH = re.compile(r"(?m)^[ \t]*(?:\S+[ \t]+){24}[^\n]*\.(?:\s|$)")
_SENTENCE_LINE = re.compile(r"(?m)^[ \t]*(?:\S+[ \t]+){4}\S+[^\n]*")


def _sentence(st: _DocState, L: Language, code: str, ntext: str, ns: int, s: int, e: int,
              matches: list[_Match]) -> None:
    """The claims of a sentence's rule matches."""
    sources = st.sources_of(st.sentence_index)
    carried = attribution.carries(L, ntext)
    quoted = _quoting_source(st, ns)
    sentence = st.text[s:e]
    alone = st.alone[sentence] = st.norm.part(st.text, s, e)
    # (the rules' scan tells whether it holds a month, weekday or relative word: event_date's gate spared)
    when = event_date(sentence, st.published, code, alone,
                      bool(st.runs[code, ntext][1] >> (_plan(L)[4] + len(attribution.GATED) + _DAY) & 1))
    upto = max(map(_START, matches))  # (no figure asks for a perpetrator phrase after the last match's start)
    for m in matches:
        claim = _claim(st, L, code, m, ntext, ns, s, e, sentence, sources, carried, when, quoted, upto)
        if claim:
            st.claims.append(claim)


_START = attrgetter("start")  # a match's start

#: A line of at most eight words ending without a mark (a subheading): a quotation never runs across one.
_HEADING_LINE = re.compile(r"\n[ \t]*(?:\S+[ \t]+){0,7}\S*[^\s.!?؟:;؛,،\"()\[\]][ \t]*(?=\n)")


def _quoting_source(st: _DocState, ns: int) -> tuple[int, int] | None:
    """The original span of the source of a quotation still open where the sentence at ns starts (an odd number of
    quotation marks before it, the last of them opening a statement: «وقالت الوزارة في بيان إن "… . الحصيلة هي: مقتل
    جندي"»), when the sentence holding that mark names a source before it, or the one before that sentence does and ends
    with a colon («وجاء في نص البيان:» and the statement in the next paragraph); else None."""
    done, count = st.quotes
    count += st.norm.text.count('"', done, ns)
    st.quotes = (ns, count)
    if not count % 2:
        return None
    opening = st.norm.text.rfind('"', 0, ns)
    o = st.norm.orig(opening)
    mark, before = st.text[o], st.text[o - 1] if o else " "
    if mark in "”»" or mark == '"' and not (before.isspace() or before in ":("):
        return None  # the last mark closes a quotation: the marks before are unbalanced, nothing is open
    line_end = st.norm.text.find("\n", ns)
    if _HEADING_LINE.search(st.norm.text, opening, len(st.norm.text) if line_end < 0 else line_end + 1):
        return None  # a subheading between (or the sentence one): the quotation was left unclosed before it
    k = bisect_right([x[1] for x in st.seen], opening) - 1
    for i in (k, k - 1):
        if i < 0 or (i < k and not st.norm.text[st.seen[i][1]:st.seen[i][2]].rstrip().endswith(":")):
            continue
        start = st.seen[i][1]
        named = [x for x in st.sources_of(i) if x.end > x.start and start + x.end <= opening]
        if named:
            return st.norm.span(start + named[-1].start, start + named[-1].end)
    return None


def _longest_words(L: Language, key: str) -> frozenset[str]:
    """The longest word of each phrase of the language's list ``key``, passing over the words of its list
    ``<key>_gate_skip`` (words of most sentences asked, "killed", "said": a gate on them lets nearly all through)
    where the phrase has another: a text holding none of them holds no phrase."""
    skip = set(_norm_list(L.data.get(f"{key}_gate_skip", [])))
    return frozenset(max([x for x in words if x not in skip] or words, key=len)
                     for words in (w.split(" ") for w in _norm_list(L.data.get(key, [])) if w))


_CUMULATIVE, _PERPETRATOR, _DAY = range(3)  # _plan's clauses after the report lists', in order


def _plan(L: Language) -> tuple:
    """The rules of a language as (rule, where it is tried (0: everywhere, 1: where a figure starts, 2: at the
    start, 3 + k: where head scan k finds a head), regex, (name, index) of its named groups, index of each figure
    group it has, indexes of its groups but the trigger), the scan telling which literal clauses a sentence meets,
    which rules need a clause not met (they are not run), the rules to run for each set of rules dropped
    (filled as sets turn up), the first bit of the clauses after the rules', found by the same scan for
    other readers of the sentence: the report lists' words (``attribution.gate_words``, for ``find_sources``), then
    the longest word of each ``cumulative`` phrase (``_cumulative``), then of each perpetrator head (``_perpetrator``),
    then the dates' ``day_words`` (``event_date``): bits ``_CUMULATIVE``, ``_PERPETRATOR``, ``_DAY`` after the
    report lists'; and the rules to run for each met value (filled as values turn up)."""
    plan = L.__dict__.get("_plan")
    if plan is None:
        clauses = list(dict.fromkeys(c for rule in L.rules for c in rule.requires))
        bit = {c: 1 << i for i, c in enumerate(clauses)}
        ruled = len(clauses)
        clauses += attribution.gate_words(L)
        clauses += (_longest_words(L, "cumulative"), _longest_words(L, "perpetrators"), day_words(L.code))
        steps = tuple((rule,
                       1 if rule.starts_with_num else 3 + rule.head_scan if rule.head else 2 if rule.opens_text else 0,
                       rule.regex,
                       tuple(rule.regex.groupindex.items()),
                       tuple(rule.regex.groupindex[k] for k in GROUP_FIGURES if k in rule.regex.groupindex),
                       tuple(i for k, i in rule.regex.groupindex.items() if k != "trig"))
                      for rule in L.rules)
        needs = Needs([sum(bit[c] for c in rule.requires) for rule in L.rules], len(clauses))
        plan = L.__dict__["_plan"] = (steps, LiteralScan(clauses), needs, {}, ruled, {})
    return plan


# (language id, sentence) → (language, matches, the clauses its scan met): a repeated sentence is run once from its
# third sight (the language is kept with it, so that its id is not reused while the entry lives)
_MATCHES: dict[tuple[int, str], tuple[Language, list[_Match], int]] = {}
_MATCHES_SEEN: set[int] = set()


def _matches(L: Language, s: str) -> tuple[list[_Match], int]:
    """Rule matches of a sentence, earlier rules first (a match whose figure overlaps a kept one is dropped), and
    the clauses its literal scan met."""
    key = (id(L), s)
    done = _MATCHES.get(key)
    if done is not None:
        return done[1], done[2]
    met = _plan(L)[1].met(s)
    kept = _run_rules(L, s, met)
    if _second_sight(_MATCHES_SEEN, key):
        if len(_MATCHES) >= 4096:
            _MATCHES.clear()
        _MATCHES[key] = (L, kept, met)
    return kept, met


def _run_rules(L: Language, s: str, met: int) -> list[_Match]:
    kept: list[_Match] = []
    by_start: list[tuple[int, int]] = []  # (start, index in kept), sorted: the overlap test looks only nearby
    longest = 0
    starts: list[int] | None = None
    heads: list[list[int] | None] = [None, None]  # where each head scan finds a head
    steps, _scan, needs, runnable, _ruled, by_met = _plan(L)
    todo = by_met.get(met)  # (the same met bits recur: 2/3 of the sentences skip the table look-ups, −20 M of 37 M)
    if todo is None:
        dropped = needs.dropped(met)
        todo = runnable.get(dropped)
        if todo is None:
            if len(runnable) >= 4096:
                runnable.clear()
            todo = runnable[dropped] = needs.kept(steps, dropped)
        if len(by_met) >= 4096:
            by_met.clear()
        by_met[met] = todo
    trailing_re = L.numbers.trailing_re
    ss = repeat(s)  # (one endless iterator shared by the rules' maps: each takes only as many as it has places)
    for rule, at, rx, names, figures, others in todo:
        if at >= 3:  # a rule with a head: tried only where a head opens, as finditer would find its matches
            at_heads = heads[at - 3]
            if at_heads is None:
                at_heads = heads[at - 3] = L.head_res[at - 3].starts(s)
            if not at_heads:
                continue
            # what finditer finds: the first match at or after the end of the one before (a rule's match is never
            # empty). The first is looked for by one map over the heads (most rules find none); after a match, the
            # heads inside it are passed over, as before
            m = next(filter(None, map(rx.match, ss, at_heads)), None)
            if m is None:
                continue
            found, after, match = [m], m.end(), rx.match
            for h in at_heads[bisect_left(at_heads, after):]:
                if h >= after and (m := match(s, h)):
                    found.append(m)
                    after = m.end()
        elif at == 2:  # opens with "^": its one match, if any, is at the start
            m = rx.match(s)
            if m is None:
                continue
            found = [m]
        elif at:
            if starts is None:
                starts = free = _num_starts(L, s)
                free_of = 0  # kept matches taken out of the starts (free)
            if not free:
                continue
            for k in kept[free_of:]:  # a figure starting inside a kept match would overlap it: not tried there
                a, b = k.start, k.end
                free = [p for p in free if p < a or p >= b]
            free_of = len(kept)
            found = [*filter(None, map(rx.match, ss, free))]
            if not found:
                continue
        else:
            found = rx.finditer(s)
        for m in found:
            regs = m.regs
            for i in figures:
                if regs[i][0] >= 0:
                    fig = regs[i]
                    break
            else:
                continue
            if kept:
                inner = [regs[i] for i in others if regs[i][0] >= 0] or [fig]
                f0, f1 = fig
                c0, c1 = min(inner)[0], max(map(_END, inner))  # figure and victims, not the trigger
                # a kept match overlapping the figure, or whose figure overlaps the core (_overlap, written out)
                for _, i in by_start[bisect_left(by_start, (min(f0, c0) - longest, -1)):
                                     bisect_left(by_start, (max(f1, c1), -1))]:
                    k = kept[i]
                    if f0 < k.end and k.start < f1 or c0 < k.fig[1] and k.fig[0] < c1:
                        break
                else:
                    k = None
                if k is not None:
                    continue
            groups = {k: regs[i] for k, i in names if regs[i][0] >= 0}
            end, trailing = m.end(), ""
            if "num" in groups and trailing_re and (t := trailing_re.match(s, end)):
                end, trailing = t.end(), t.group()
            kept.append(_Match(rule, m.start(), end, fig, groups, trailing))
            insort(by_start, (m.start(), len(kept) - 1))
            longest = max(longest, end - m.start())
    kept.sort(key=lambda k: k.start)
    return kept


_WORD_START = re.compile(r"(?<!\w)\w")
_END = itemgetter(1)


def _num_starts(L: Language, s: str) -> list[int]:
    """Where a figure phrase may start: the start of each of the sentence's figure phrases and of its next
    two words where a figure phrase opens too (a rule may need a shorter phrase than the longest one; every rule
    tried there opens with one, so a word where none opens is left out once, not tried by each rule)."""
    out: list[int] = []
    rx = L.num_re
    for m in rx.finditer(s):
        out.append(m.start())
        if not m.group().isalnum():  # more than one word ("45", "ثلاثة" start only where the phrase starts)
            out += [p for _, w in zip(range(2), _WORD_START.finditer(s, m.start() + 1, m.end()))
                    if rx.match(s, p := w.start())]
    return out


def _parse(L: Language, phrase: str) -> Figure | None:
    """``L.numbers.parse``, remembered from a phrase's second sight: the same figure phrases recur (a Figure is
    frozen, so it can be shared), but most numbers once (each kept Figure is an object the cycle collector walks)."""
    parsed = L.__dict__.get("_parsed")
    if parsed is None:
        parsed = L.__dict__["_parsed"] = {}
        L.__dict__["_parsed_seen"] = set()
    fig = parsed.get(phrase, parsed)
    if fig is parsed:
        fig = L.numbers.parse(phrase)
        if _second_sight(L.__dict__["_parsed_seen"], phrase):
            if len(parsed) >= 8192:
                parsed.clear()
            parsed[phrase] = fig
    return fig


def _figure(L: Language, m: _Match, s: str) -> Figure | None:
    g = m.groups
    if "num" in g:  # a qualifier word the rule found away from the figure («تخطت حصيلة القتلى 300») is read before it
        a, b = g["num"]
        phrase = s[a:b]
        fig = _parse(L, s[slice(*g["qual"])] + " " + phrase if "qual" in g else phrase)
        if fig and m.trailing and fig.qualifier == "exact":
            fig = _parse(L, phrase + " " + m.trailing.strip(" \"'")) or fig
    elif "one" in g:
        fig = fixed("singular")
    elif "two" in g:
        fig = fixed("dual")
    elif "neg" in g:
        return Figure(0, 0, 0, "exact", None)
    else:
        fig = fixed("unquantified")
    if fig and "plus" in g:
        fig = Figure(fig.low + 1, fig.best + 1, None if fig.high is None else fig.high + 1, fig.qualifier, fig.convention)
    return fig


def _claim(st: _DocState, L: Language, code: str, m: _Match, s: str, ns: int, s0: int, e0: int, sentence: str,
           sources: list[attribution.Source], carried: bool, when: date | None,
           quoted: tuple[int, int] | None = None, upto: int | None = None) -> Claim | None:
    """The claim of a rule's match in the normalised sentence ``s`` (normalised offset ``ns``; ``sentence``, the original
    at ``s0``-``e0``), or None when the match names no figure or category. ``upto``: the latest start of the
    sentence's matches (its perpetrator phrases are read that far)."""
    fig = _figure(L, m, s)
    if fig is None:
        return None
    g = m.groups
    trig = s[slice(*g["trig"])] if "trig" in g else s[slice(*g["neg"])] if "neg" in g else None
    parent = st.last_parent[1] if m.rule.subgroup and st.last_parent and st.last_parent[0] >= st.sentence_index - 1 else None
    category = m.rule.category or (L.lookup(L.triggers, trig) if trig else None) or (parent.category if parent else None)
    if category == "killed" and (m.rule.subgroup or m.rule.part) and st.tops:
        # "Five people were shot, one fatally", "Six were shot -- 2 killed and 4 wounded": the five, the six are dead
        # and wounded (a part of the sentence's figure, or of the last one before it)
        # in this sentence or the two before; not "and two others were killed", "seven more people shot" (either
        # names another group: the lexicon's outcome_open_others)
        i, whole = st.tops[-1]
        if whole.category == "injured" and i >= st.sentence_index - 2 and whole.best > fig.best \
                and _outcome_open(L, whole.quote) and not _outcome_open(L, s[m.start:m.end], "outcome_open_others") \
                and not _outcome_open(L, normalise_str(st.text[max(0, whole.start - 12):whole.end]), "outcome_open_others"):
            _recategorise(st, whole, "casualties")
    if category is None or (m.rule.subgroup and parent is None and "trig" not in g):
        return None  # a part naming its own category («اثنين من القتلى», "one of the boys was killed") looks further back
        # for its whole, and stands alone when there is none
    if parent and category != parent.category:  # the last figure of this category, else a figure of its own
        parent = next((c for i, c in reversed(st.tops) if i >= st.sentence_index - 1 and c.category == category), None)
    if (m.rule.part or m.rule.subgroup) and parent is None:  # a part of a larger earlier figure of its kind
        parent = next((c for c in reversed(st.claims) if c.category == category and c.subgroup_of is None and c.start < s0
                       and c.scope == "incident" and not c.negated and c.best > fig.best), None)
    asset = L.lookup(L.assets, s[slice(*g["asset"])]) if "asset" in g else None
    # The quote runs from the first named group (not the clitics or context words before it) to the match's end;
    # a trigger separated from the figure by other words («اعتقلت قوات الأمن 15 شخصا») stays out of it, and so does a
    # part's («ومن بين القتلى 27 طفلا»).
    inner = [a for k, (a, _) in g.items() if k != "trig"]
    first = min(g["trig"][0], *inner) if "trig" in g and inner and not m.rule.subgroup \
        and ((gap := s[g["trig"][1]:min(inner)]).isspace() or not _WORD_CHAR.search(gap)) \
        else min(inner or [a for a, _ in g.values()] or [m.start])
    start, end = st.norm.span(ns + first, ns + m.end)
    if end < len(st.text) and st.text[end] >= "\u0300":  # (no mark or tatweel lies below U+0300)
        end = _marks_end(st.text, end)
    victims = _orig(st, ns, g.get("victims") or g.get("unq"))
    known = actors()
    party_actor = known.party(victims) if victims else None
    if parent is None and (party_actor is None or party_actor.antecedent):
        ctx = _context_party(L, st.text, st.norm, st.norm.span(ns + max(0, m.start - 80), ns + m.start)[0], start)
        if party_actor is None or (ctx is not None and ctx.victim_type == "combatant"):
            party_actor = ctx
    party = party_actor.name if party_actor else (parent.party if parent else None)
    victim_type = party_actor.victim_type if party_actor else (parent.victim_type if parent else "unknown")
    if victim_type == "civilian" and parent is None and _mixed(L, s, m.start, m.end):  # «12 شخصا بين مدنيين وعسكريين»
        party, victim_type = None, "unknown"
    src = attribution.governing(L, sources, *m.fig, s)
    if src and src.end == src.start:  # a verb without its subject («قال المركز إن فرقه، رصدت …»): the sentence's own
        named = [x for x in sources if x.end > x.start and x.clause_start < src.clause_start]  # source before it
        if named:
            src = max(named, key=lambda x: x.clause_start)
    claimed_span: tuple[int, int] | None = None
    if src and src.end > src.start:
        claimed_span = st.norm.span(ns + src.start, ns + src.end)
    elif src or carried:
        claimed_span = st.last_source()
    elif quoted:  # a sentence inside a statement quoted from an earlier one: the statement's source
        claimed_span = quoted
    claimed_by = _written_source(L, st.text, claimed_span) if claimed_span else None
    who = known.claimant(claimed_by)
    self_reported = None
    if who and who.side and party:
        self_reported = who.side == party
    met = st.runs[code, s][1]  # the rules' scan of the sentence
    scope = parent.scope if parent else m.rule.scope or ("cumulative" if _cumulative(L, s, met) else "incident")
    conf = m.rule.confidence - (0.1 if fig.qualifier == "vague" else 0.2 if fig.qualifier == "unquantified" else 0.0)
    where = _place(st, s0, e0, start, end, claimed_span)
    place = where[2] if where else None
    # (the fields in their order, without keywords: a call naming each of Claim's 36 fields costs 2.5 times as much)
    claim = Claim(
        st.doc, make_claim_id(st.doc_hash, start, end, category, asset),  # doc, claim_id
        code, category, fig.low, fig.best, fig.high, fig.qualifier,  # lang, category, low, best, high, qualifier
        st.text[start:end], start, end, sentence, m.rule.name, EXTRACTOR_VERSION,  # quote … extractor_version
        asset, fig.convention, victims, party, victim_type, [],  # asset, convention, victims, party, victim_type, includes
        claimed_by, who.name if who else None, who.type if who else "unknown",  # claimed_by, claimant, claimant_type
        self_reported, _perpetrator(L, st, ns, s, m.start, upto, met),  # self_reported, perpetrator
        st.text[where[0]:where[1]] if where else None,  # location
        place.name if place else None, place.country if place else None,  # place, country
        place.lat if place else None, place.lon if place else None,  # lat, lon
        when, scope, None, None, "neg" in g,  # event_date, scope, subgroup_of, repeats, negated
        _confidence(conf, bool(claimed_by)),  # confidence
    )
    if parent:
        claim.subgroup_of = parent.claim_id
        parent.includes.append({"victims": victims, "low": fig.low, "best": fig.best, "high": fig.high,
                                "qualifier": fig.qualifier})
        if not m.rule.subgroup:  # a part found by its size ("42 died in the north"): "five of those killed" next is its part
            st.last_parent = (st.sentence_index, claim)
            st.tops.append(st.last_parent)
    elif not claim.negated:
        st.last_parent = (st.sentence_index, claim)
        st.tops.append(st.last_parent)
    if m.rule.total and not parent:  # "Total fatalities coded as 8": the earlier figures are its parts
        for c in st.claims:
            if c.category == claim.category and c.asset == claim.asset and c.subgroup_of is None and c.scope == "incident":
                c.subgroup_of = claim.claim_id
                claim.includes.append({"victims": c.victims, "low": c.low, "best": c.best, "high": c.high,
                                       "qualifier": c.qualifier})
    return claim


@lru_cache(maxsize=256)
def _confidence(conf: float, claimed: bool) -> float:
    """A claim's confidence: its rule's, less its figure's vagueness (``conf``), more when a source claims it."""
    return round(max(0.05, min(conf + (0.05 if claimed else 0.0), 1.0)), 2)


_WORD = re.compile(r"[^\W_]")
_WORD_CHAR = re.compile(r"\w")


def _place(st: _DocState, s0: int, e0: int, start: int, end: int,
           claimant: tuple[int, int] | None = None) -> tuple[int, int, Place] | None:
    """The place of a figure: the nearest named in its sentence (not one that is the whole claimant: «موسكو» in
    «أعلنت موسكو» is who speaks), else the last named before it, else the first."""
    near = st.__dict__.get("_near")
    if near is None or near[0] != s0:  # the sentence's places, listed once per sentence (not once per figure)
        places = st.places
        if st.place_bounds:  # (a slice by bisection, not a pass over all the text's places per sentence)
            starts, ends = st.place_bounds
            inside = places[bisect_left(starts, s0):bisect_right(ends, e0)]
            k = bisect_right(ends, s0)
            other = places[k - 1] if k else places[0] if places else None
        else:
            inside = [p for p in places if s0 <= p[0] and p[1] <= e0]
            before = [p for p in places if p[1] <= s0]
            other = before[-1] if before else places[0] if places else None
        near = st.__dict__["_near"] = (s0, inside, other)
    inside = near[1]
    if not inside:  # (most sentences name no place: no list built, no key called; replay 29.7 → 21.6 M on syn)
        return near[2]
    if claimant:
        inside = [p for p in inside if not (claimant[0] <= p[0] and p[1] <= claimant[1]
                                            and not _WORD.search(st.text[claimant[0]:p[0]] + st.text[p[1]:claimant[1]]))]
    if len(inside) > 1 and _dateline(st.text, inside[0]):  # "QAMISHLI, Syria (North Press) –": the reporter's town
        inside = [p for p in inside[1:] if p[2].level != "country"] or inside
    if len(inside) > 1:
        return min(inside, key=lambda p: (p[2].level == "country", min(abs(p[0] - end), abs(start - p[1]))))
    return inside[0] if inside else near[2]


def _dateline(text: str, p: tuple[int, int, Place]) -> bool:
    """A place written in capitals at the start of a line ("BEIRUT (Reuters) -", "QAMISHLI, Syria (North Press)"):
    a wire report's dateline, where it was filed."""
    name = text[p[0]:p[1]]
    return len(name) > 2 and name.isupper() and not text[text.rfind("\n", 0, p[0]) + 1:p[0]].strip()


_PERP_MODS, _PERP_STOPS = 2, ",،."  # a perpetrator phrase's modifiers before its head: at most 2 words, no stops


def _words_before(s: str, pos: int, n: int) -> int:
    """The earliest place where ``n`` words (modifiers), each followed by spaces, may start and run up to ``pos`` or
    past it: from there to ``pos`` lie no ``_PERP_STOPS`` character and at most ``n`` runs of spaces."""
    i, runs = pos, 0
    while i:
        c = s[i - 1]
        if c in _PERP_STOPS:
            break
        if c.isspace() and (i == pos or not s[i].isspace()):
            runs += 1
            if runs > n:
                break
        i -= 1
    return i


def _phrases(rx: re.Pattern[str], first: attribution.WordStarts | None, head: attribution.WordStarts | None,
             gate: ahocorasick.Automaton | None, reach: re.Pattern[str], s: str,
             upto: int | None = None) -> list[tuple[int, int]]:
    """The spans ``rx.finditer(s)`` gives, ``rx`` tried only where ``first`` (its search) finds the next phrase or,
    without it, from the modifiers before the next head (``head``: the head's search); none where ``gate`` (words
    one of which every phrase holds) finds no word. With ``upto``, those starting before it (each phrase is found
    after the one before, so these are the same), looked for only in the text up to the space after the words
    that ``reach`` (as many words as a phrase's head and modifiers) takes from ``upto``: such a phrase's head ends
    there, so the searches find it (the phrase itself is then matched in the whole text)."""
    if upto is None or upto >= len(s):
        upto = end = len(s) + 1
    else:
        end = reach.match(s, upto).end() + 1  # (past a space or the text's end: no head ends there cut short)
    if gate is not None and next(gate.iter(s, 0, min(end, len(s))), None) is None:
        return []
    found: list[tuple[int, int]] = []
    if first is None and head is None:
        for m in rx.finditer(s):
            if m.start() >= upto:
                break
            found.append(m.span())
        return found
    pos = 0
    while True:  # (a phrase found from ``upto`` on is not matched: it would end the list)
        if first is not None:
            m = (x := first.search(s, pos, end)) is not None and x < upto and rx.match(s, x)
        else:
            m = (h := head.search(s, pos, end)) is not None and (x := max(pos, _words_before(s, h, _PERP_MODS))) < upto \
                and rx.search(s, x)
        if not m or m.start() >= upto:
            return found
        found.append(m.span())
        pos = m.end()


def _perpetrator(L: Language, st: _DocState, ns: int, s: str, fig_start: int, upto: int | None = None,
                 met: int | None = None) -> str | None:
    """Who caused the harm, where the sentence names it: the nearest perpetrator phrase before the figure. ``upto``:
    no later figure of the sentence is asked for (its phrases are found that far: at least ``fig_start``); ``met``:
    the rules' scan of the sentence, if it went through them (a sentence holding no head's longest word, ~70%, holds
    no phrase)."""
    rx = L.__dict__.get("_perp")
    if rx is None:
        import re
        from extract.lexicon import _norm_list
        from extract.numbers import alternation
        heads = _norm_list(L.data.get("perpetrators", []))
        mods = rf"(?:[^\s{_PERP_STOPS}]+\s+){{0,{_PERP_MODS}}}" if L.data.get("perpetrator_modifiers") == "before" else ""
        tail = r"(?:\s+(?!(?:" + "|".join(_norm_list(L.data.get("perpetrator_stop", []))) + r")(?!\w))[^\s,،.]+){0,4}" \
            if L.data.get("perpetrator_modifiers") == "after" else ""
        head = L.macros["PRE"] + alternation(heads) + r"(?!\w)" if heads else "(?!)"
        pattern, head = r"(?<!\w)" + mods + head + tail, r"(?<!\w)" + head
        # a sentence holding no head's longest word holds no phrase (one pass of an automaton tells)
        gate = None
        if heads:
            gate = ahocorasick.Automaton()
            for w in _longest_words(L, "perpetrators"):
                gate.add_word(w, True)
            gate.make_automaton()
        # searching for the first phrase, or (modifiers before the head hide where a phrase starts) for a head
        words = max((len(h.split()) for h in heads), default=1) + (_PERP_MODS if mods else 0)
        reach = ""  # ``(?:\S*\s+){0,words}\S*`` as nested alternatives, which the regex engine runs faster than a
        for _ in range(words):  # repeated group (replay of `_phrases`: 38.2 → 36.8 M on syn)
            reach = r"(?:\s+\S*" + reach + "|)"
        rx = L.__dict__["_perp"] = (re.compile(pattern), None if mods else attribution.WordStarts(pattern),
                                    attribution.WordStarts(head) if mods else None, gate,
                                    re.compile(r"\S*" + reach))
    last = L.__dict__.get("_perp_last")
    if last is None or last[0] is not s:  # the sentence's phrases, found once per sentence (not once per figure)
        held = met is None or (met >> (_plan(L)[4] + len(attribution.GATED) + _PERPETRATOR)) & 1
        last = L.__dict__["_perp_last"] = (s, _phrases(*rx, s, upto) if held else [])
    i = bisect_left(last[1], (fig_start, -1))
    if not i:
        return None
    a, b = last[1][i - 1]
    b = min(b, fig_start)
    while b > a and s[b - 1].isspace():
        b -= 1
    return _orig(st, ns, (a, b))


def _outcome_open(L: Language, quote: str, key: str = "outcome_open") -> bool:
    """True when a figure's quote opens or ends with one of the language's ``outcome_open`` words: harm that does
    not tell the wounded from the dead ("Five people were shot", "shot eight men"); with ``key`` =
    "outcome_open_others", when a (normalised) phrase holds a word naming another group ("two others were killed")."""
    rx = L.__dict__.get("_" + key)
    if rx is None:
        from extract.lexicon import _norm_list
        from extract.numbers import alternation
        words = alternation(_norm_list(L.data.get(key, [])))
        rx = L.__dict__["_" + key] = False if not words else re.compile(
            r"^(?:" + words + r")(?!\w)|(?<!\w)(?:" + words + r")$" if key == "outcome_open"
            else r"(?<!\w)(?:" + words + r")(?!\w)")
    return bool(rx) and rx.search(normalise_str(quote) if key == "outcome_open" else quote) is not None


def _recategorise(st: _DocState, claim: Claim, category: str) -> None:
    """Give a claim another category; its id (which holds the category) changes, and so do its parts' links."""
    old = claim.claim_id
    claim.category = category
    claim.claim_id = make_claim_id(st.doc_hash, claim.start, claim.end, category, claim.asset)
    for c in st.claims:
        if c.subgroup_of == old:
            c.subgroup_of = claim.claim_id


def _mixed(L: Language, s: str, start: int, end: int) -> bool:
    """True when the figure's phrase (``s[start:end]``, normalised) or the words right after it say that its victims
    mix civilians and fighters («قتل 12 شخصا بين مدنيين وعسكريين», «قتل سبعة أشخاص، بينهم عسكريون», "Seven people
    including soldiers were killed": the language's ``mixed_victims``): such a figure is no civilians' toll."""
    rx = L.__dict__.get("_mixed")
    if rx is None:
        from extract.lexicon import _norm_list
        from extract.numbers import alternation
        words = _norm_list(L.data.get("mixed_victims", []))
        alt = alternation(words)
        # inside the phrase, the words searched for without the marks before them (the same answer: the marks may be
        # none), so that the regex engine skips to their first letters (replay 4.9 → 3.3 M on syn)
        rx = L.__dict__["_mixed"] = (re.compile(r"\W{0,3}(?:" + alt + r")(?!\w)"),
                                     re.compile(r"(?:" + alt + r")(?!\w)")) if words else False
    return bool(rx) and (rx[0].match(s, end) is not None or rx[1].search(s, start, end) is not None)


def _context_party(L: Language, text: str, norm: Normalised, start: int, end: int) -> Actor | None:
    """The victims' side named in the words before a figure (``text[start:end]``), leaving out the actors the
    language's ``perpetrator_marks`` name as the ones who did the harm («قصف لميليشيا X»، «مصدره X»، «من قبل X»)."""
    rx = L.__dict__.get("_perp_marks")
    if rx is None:
        from extract.lexicon import _norm_list
        from extract.numbers import alternation
        marks = _norm_list(L.data.get("perpetrator_marks", []))
        stop = alternation(_norm_list(L.data.get("perpetrator_mark_stop") or L.data.get("perpetrator_stop", []))) or "(?!)"
        verbs = _norm_list(L.data.get("perpetrator_verbs", []))
        word = r"[^\s,،.:;؛!?؟]+"
        alts = [r"(?<!\w)(?=(" + L.macros["PRE"] + alternation(marks) + r"(?!\w)(?:\s+(?!(?:" + stop + r")(?!\w))" + word
                + r"){0,4}))"] if marks else []
        if verbs:  # the doer stands next to the verb, before it («X تستهدف») or right after it («استهدفت X»)
            alts.append(r"(?<!\S)(?=((?:" + word + r"\s+){0,2}(?:" + (L.data.get("verb_clitics") or "(?!)") + r")?"
                        + alternation(verbs) + r"(?!\w)(?:\s+" + word + r"){0,2}))")
        rx = L.__dict__["_perp_marks"] = re.compile("|".join(alts)) if alts else False
        if rx:  # a window holding no mark's or verb's longest word holds no match (one pass of an automaton)
            gate = L.__dict__["_perp_marks_gate"] = ahocorasick.Automaton()
            for w in marks + verbs:
                if w:
                    gate.add_word(max(w.split(" "), key=len), True)
            gate.make_automaton()
    if not rx:
        return actors().party(text[start:end])
    window = norm.part(text, start, end)
    found = list(rx.finditer(window)) if next(L.__dict__["_perp_marks_gate"].iter(window), None) is not None else ()
    if found:
        chars = list(window)
        for m in found:
            g = next(i for i in range(1, (rx.groups or 1) + 1) if m.group(i) is not None)
            chars[m.start(g):m.end(g)] = " " * (m.end(g) - m.start(g))
        window = "".join(chars)
    return actors().party(window, normalised=True)


def _orig(st: _DocState, ns: int, span: tuple[int, int] | None) -> str | None:
    if not span:
        return None
    a, b = st.norm.span(ns + span[0], ns + span[1])
    text = st.text
    if b < len(text) and text[b] >= "\u0300":  # (a call only where a mark may follow: replay 13.9 → 12.8 M on syn)
        b = _marks_end(text, b)
    return text[a:b].strip() or None


def _written_source(L: Language, text: str, span: tuple[int, int]) -> str:
    """A source phrase as written, but for a preposition glued to its first word that drops the article's first
    letter (lexicon ``source_article``, Arabic «لل» for «ل» + «ال»): the name is written with its article, without
    the preposition («وفق حصيلة للمرصد السوري» → «المرصد السوري», «وفقا لـ» + «للمنظمة» → «المنظمة»), as
    «وفقا لمركز …» gives «مركز …»."""
    a, b = span
    pair = L.data.get("source_article")
    if pair:
        glued, article = pair
        k = len(glued) - 1  # «وفقا لـ» read the preposition: the phrase opens inside the glued letters
        for at in (a, a - k):
            if at >= 0 and text.startswith(glued, at) and b - at > len(glued) + 1 \
                    and (at == 0 or not text[at - 1].isalnum()) and (at == a or text[at:a].isalpha()):
                rest = text[at + len(glued):b]
                # a name whose own first letter is the article's («اللجنة»: «للجنة» lost one of three)
                kept = any(rest.startswith(w) for w in L.data.get("source_article_kept", []))
                return article + (glued[-1] if kept else "") + rest
    return text[a:b]


def _marks_end(text: str, end: int) -> int:
    """Extend an original end offset over the diacritics and tatweel that close the word («مدنياً»; no character
    below U+0300 is either)."""
    while end < len(text) and text[end] >= "\u0300" and (unicodedata.category(text[end]) == "Mn"
                                                         or text[end] == "\u0640"):
        end += 1
    return end


def _cumulative(L: Language, s: str, met: int | None) -> bool:
    rx = L.__dict__.setdefault("_cum", None)
    if rx is None:
        import re
        from extract.numbers import alternation
        # (the words' first letters are most letters: the scan skips to the characters before words instead)
        rx = L.__dict__["_cum"] = WordStartScan(r"(?<!\w)", L.macros["PRE"] + alternation(
            _norm_list(L.data.get("cumulative", []))) + r"(?!\w)")
        # what may open the sentence, matched at its start only: "Since …", and a past event's date ("In December
        # 2012, …", "On Nov. 5, 2009, …")
        openings = _norm_list(L.data.get("cumulative_openings", []))
        starts = ([r"\W*" + L.macros["PRE"] + alternation(openings) + r"(?!\w)"] if openings else []) \
            + L.data.get("cumulative_dates", [])
        L.__dict__["_cum_opening"] = re.compile("|".join(starts) or "(?!)")
    last = L.__dict__.get("_cum_last")
    if last is None or last[0] is not s:  # (once a sentence)
        words = met is None or (met >> (_plan(L)[4] + len(attribution.GATED) + _CUMULATIVE)) & 1  # (the rules' scan tells)
        last = L.__dict__["_cum_last"] = (s, words and rx.found(s) or L.__dict__["_cum_opening"].match(s) is not None)
    return last[1]


_TITLE_END = re.compile(r"[ \t]*\n[ \t]*\n")  # a first line standing alone is the document's title
_BLANK_BEFORE = re.compile(r"\n[ \t]*\n[ \t]*\Z")  # (the first line is the title, handled apart)
_HEADLINE_WORDS = 20


def _headlines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The document's title (a first line standing alone) and the headlines and captions inside it: lines of at most
    twenty words standing alone between blank lines, with no full stop at their end (a one-sentence paragraph of the
    body ends with one)."""
    out = []
    for k, (a, b) in enumerate(spans):
        if not _TITLE_END.match(text, b):
            continue
        if k == 0:
            out.append((a, b))
            continue
        line = text[a:b].rstrip()
        if (_BLANK_BEFORE.search(text[max(0, a - 40):a]) and line and line[-1] not in '.!?…"”\'' 
                and len(line.split()) <= _HEADLINE_WORDS):
            out.append((a, b))
    return out


def _title_restated(claims: list[Claim], heads: list[tuple[int, int]]) -> None:
    """A figure in the title, or in a headline or caption inside the page, that the body states larger («Teen killed»
    / "left two dead") or as the sum of one sentence's figures ("4 found dead" / "Two girls and two men were found
    dead") restates the body's."""
    starts = [a for a, _ in heads]  # (the heads are sentences: in order, apart)

    def in_head(c: Claim) -> tuple[int, int] | None:
        k = bisect_right(starts, c.start) - 1
        return heads[k] if k >= 0 and c.start < heads[k][1] else None
    # a body figure restating the title's names its side: «مقتل شخصين» / «مقتل اثنين من المدنيين» (not soldiers')
    sides = {x.repeats: x.party for x in claims if x.repeats and x.party and in_head(x) is None}
    for c in claims:
        head = in_head(c)
        if head is None or c.subgroup_of or c.repeats or c.negated:
            continue
        party = c.party or sides.get(c.claim_id)
        # a larger figure of the body or of another headline (a page of headlines: the largest one stands)
        b = next((b for b in claims if in_head(b) != head and not b.subgroup_of and not b.repeats and not b.negated
                  and b.scope == "incident" and b.category == c.category and b.asset == c.asset
                  and (b.best > c.best or (c.qualifier == "vague" and b.best >= c.best and in_head(b) is None))
                  and (b.party == party or None in (b.party, party))), None)
        if b is None and c.qualifier == "exact":
            sums: dict[str, list[Claim]] = {}
            for x in claims:
                if (in_head(x) is None and x.category == c.category and x.asset == c.asset and not x.repeats
                        and not x.negated and x.scope == "incident" and x.qualifier == "exact"
                        and (not x.subgroup_of or x.subgroup_of == c.claim_id)):
                    sums.setdefault(x.sentence, []).append(x)
            b = next((xs[0] for xs in sums.values() if len(xs) > 1 and sum(x.best for x in xs) == c.best), None)
            if b:  # the body's figures are the title's parts no longer: the title restates them
                for x in sums[b.sentence]:
                    if x.subgroup_of == c.claim_id:
                        x.subgroup_of = None
        if b:
            c.repeats = b.claim_id


_PRELIMINARY: dict[str, tuple[re.Pattern[str] | None, tuple[str, ...]]] = {}  # by language: regex, gate words


def _preliminary_superseded(claims: list[Claim], alone: dict[str, str]) -> None:
    """A figure its sentence calls preliminary (the language's ``preliminary`` phrases: «في حصيلة أولية»)
    restates a larger figure of the same kind and side elsewhere in the document: the updated toll. ``alone``: the
    normalised text of each claim's sentence."""
    said: dict[str, bool] = {}  # sentence → calls its figures preliminary (looked up once per sentence)
    for c in claims:
        if c.subgroup_of or c.repeats or c.negated or c.scope != "incident":
            continue
        found = _PRELIMINARY.get(c.lang)
        if found is None:
            from extract.lexicon import _norm_list
            from extract.numbers import alternation
            words = _norm_list(language(c.lang).data.get("preliminary", []))
            pattern = r"(?<!\w)" + alternation(words) + r"(?!\w)"
            # a sentence holding none of the phrases' longest words holds no phrase (``in`` tells, before the regex)
            longest = {max(w.split(" "), key=len) for w in words if w}
            found = _PRELIMINARY[c.lang] = ((skipping(pattern) or re.compile(pattern)) if words else None,
                                            tuple(w for w in longest if not any(v != w and v in w for v in longest)))
        hit = said.get(c.sentence)
        if hit is None:
            rx, gate = found
            text = alone[c.sentence]
            hit = said[c.sentence] = rx is not None and any(w in text for w in gate) and rx.search(text) is not None
        if not hit:
            continue
        final = next((x for x in claims if x is not c and not x.subgroup_of and not x.repeats and not x.negated
                      and x.scope == c.scope and x.category == c.category and x.asset == c.asset and x.best > c.best
                      and (x.party == c.party or None in (x.party, c.party))), None)
        if final:
            c.repeats = final.claim_id


def _reflexive(c: Claim) -> bool:
    """True when a figure's victims are one of its language's ``reflexive`` words ("himself", «نفسه»)."""
    if not c.victims or c.lang not in LANGS:
        return False
    L = language(c.lang)
    known = L.__dict__.get("_reflexive_of")  # victims phrase → the answer (the same phrases recur)
    if known is None:
        known = L.__dict__["_reflexive_of"] = {}
        L.__dict__["_reflexive"] = frozenset(normalise_str(str(w)) for w in L.data.get("reflexive", []))
    found = known.get(c.victims)
    if found is None:
        if len(known) >= 4096:
            known.clear()
        found = known[c.victims] = normalise_str(c.victims) in L.__dict__["_reflexive"]
    return found


def _victim_kind(c: Claim) -> str | None:
    """The one kind of person (``victim_kinds`` of its language: children, women, men) a figure's victims' words
    name; None when they name none or several ("women and children")."""
    if not c.victims or c.lang not in LANGS:
        return None
    L = language(c.lang)
    known = L.__dict__.get("_victim_kind_of")  # victims phrase → its kind, "" for none (the same phrases recur)
    if known is None:
        known = L.__dict__["_victim_kind_of"] = {}
        L.__dict__["_victim_kinds"] = {normalise_str(str(w)): str(kind) for kind, words in
                                       (L.data.get("victim_kinds") or {}).items() for w in words}
    kind = known.get(c.victims)
    if kind is None:
        kinds = L.__dict__["_victim_kinds"]
        found = {k for w in normalise_str(c.victims).split() if (k := L.lookup(kinds, w))}
        if len(known) >= 4096:
            known.clear()
        kind = known[c.victims] = found.pop() if len(found) == 1 else ""
    return kind or None


def _same_party(a: Claim, b: Claim) -> bool:
    return a.party == b.party or None in (a.party, b.party)


def _same_kind(a: Claim, b: Claim) -> bool:
    """Whether two figures may count the same kind of person (``_victim_kind``)."""
    return (ka := _victim_kind(a)) is None or (kb := _victim_kind(b)) is None or ka == kb


def _mark_repeats(claims: list[Claim]) -> None:
    """A later figure with the same category, best figure and party as an earlier one restates it («6 قتلى» and
    «ستة على الأقل», "six" and "at least six": the same count, stated twice), unless they count different kinds
    of person ("a woman" and "a child")."""
    seen: dict[tuple, list[Claim]] = {}
    for c in claims:
        if c.subgroup_of or c.negated:
            continue
        if c.qualifier in ("unquantified", "vague"):
            # a plural with no figure, or a vague word («عدد من», "dozens"), restates a figure of the same kind
            # anywhere in the document («قتلى» in a headline, «5 قتلى» in the body), or an earlier plural or vague
            # word of the same kind (never a later one: two of them would restate each other and neither count)
            first = next((x for x in claims if x is not c and not x.subgroup_of and not x.negated
                          and (x.qualifier not in ("unquantified", "vague") or x.start < c.start)
                          and x.category == c.category and x.asset == c.asset and x.scope == c.scope
                          and _same_party(x, c) and _same_kind(x, c)), None)
            if first:
                c.repeats = first.claim_id
            continue
        # a figure of one person who did it to themself («himself») never restates another person's
        key = (c.category, c.asset, c.best, c.scope, _reflexive(c))
        # the first figure of each kind of person (a figure of another party is no repeat and is not kept)
        firsts = seen.setdefault(key, [])
        first = next((x for x in firsts if _same_kind(x, c)), None)
        same_sentence = (first is not None and first.sentence == c.sentence and 0 <= c.start - first.end < 60
                         and normalise_str(first.victims or "") != normalise_str(c.victims or ""))
        if first and not same_sentence and _same_party(first, c):
            c.repeats = first.claim_id
        elif first is None:
            firsts.append(c)
