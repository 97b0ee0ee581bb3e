"""Places named in a text, resolved through the gazetteer (extract/data/gazetteer.csv, built from GeoNames).

``find_places(text)`` finds every gazetteer name in one pass over the normalised text (one set test
picks out the words that may start a name, clitics included; the longest name starting at each wins),
with Arabic clitics («بحلب», «وبالرقة») and admin-area words («محافظة إدلب», «ريف حلب», "Idlib province")
taken into account. An ambiguous name goes to the country, then the admin area, that other places of the
same text point to, then to the place whose own name it is, then to the largest place. A name inside an
organisation's name ("Meridian Press Agency") is no place; one a facility bears ("Al-Safwa hospital") or part of
a longer name ("Abu Salim") counts only where the text's other places lie (words in gazetteer_extra.yaml).
The hierarchy is town ⊂ admin1 (governorate, state, oblast) ⊂ country.
"""
from __future__ import annotations

import csv
import math
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from pathlib import Path

from extract.text import Normalised, normalise, normalise_str
from extract.yaml_data import read_yaml

DATA = Path(__file__).resolve().parent / "data"
GAZETTEER = DATA / "gazetteer.csv"
EXTRA = DATA / "gazetteer_extra.yaml"

_TOKEN = re.compile(r"[^\W_]+")
# split() alternates gap, word, gap, …, word, gap. In a text with Arabic letters a word is a run of Arabic letters, of
# other letters or of (normalised, Western) digits: posts glue a hashtag's place to a time or to Latin text
# («#بنش8:08»، «#حلبAll reactions»), and such a place is still named. A text without them keeps the simpler split.
_ARABIC = "\u0620-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
# Each split opens with one character class and not with a repeat or an alternation: then the regex engine skips
# the gaps by that class alone instead of trying the whole pattern at each character (`x[x]*` is `x+`; after the first
# character of a word, the look-behind picks its kind).
_SPLIT = re.compile(f"([^\\W_](?:(?<=[{_ARABIC}])[{_ARABIC}]*|(?<=[0-9])[0-9]*|[^\\W0-9_{_ARABIC}]*))")
_SPLIT_LATIN = re.compile(r"([^\W_][^\W_]*)")
_SPLIT_ASCII = re.compile(r"([a-z0-9][a-z0-9]*)")  # the same split of an ASCII text (normalised: in lower case), faster
_HAS_ARABIC = re.compile(f"[{_ARABIC}]")
_GAP = re.compile(r"[\s'.\-_]{1,3}$")  # between the words of one name ("Deir ez-Zor", "U.S.", #خان_شيخون)
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")  # an original letter in these starts no name
_LEVEL_RANK = {"country": 2, "town": 1, "admin1": 0}  # the default reading of a name several places bear
_INSIDE = itemgetter(3)  # of a `_raw_matches` entry: what the name is inside of
_KEEP = 1 << 16  # the most words whose indices `_Gazetteer.indices` keeps (2.4 MB of ints)
# GeoNames lists a town of unknown population (0) as the seat of an admin area (Ariha, Sarmin): no hamlet
UNKNOWN_POPULATION = 5000


# The split of an ASCII text without the regex engine (which costs ~1,000 instructions a word): its words are what
# `str.split` leaves once every other character is a space; its gaps what it leaves once the letters and digits are
# spaces and the gaps' white space stands in for by control characters that are none (put back after).
_WHITE = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"  # what str.split() splits at, in ASCII
_STAND_IN = "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
_GAPS_BACK = str.maketrans(_STAND_IN, _WHITE)
_RESERVED = "\x00" + _STAND_IN  # a text with one of these keeps the regex split
_OTHER = "\x18"  # stands in for each non-ASCII character of a Latin-script text (`_split_latin`)
_NON_ASCII = re.compile("([^\x00-\x7f])")


def _tables(alnum: str) -> tuple[str, dict, dict]:
    return (alnum, str.maketrans({c: " " for c in map(chr, range(128)) if c not in alnum}),
            str.maketrans({**{c: " " for c in alnum}, **dict(zip(_WHITE, _STAND_IN))}))


_LOWER_TABLES = _tables("abcdefghijklmnopqrstuvwxyz0123456789")  # `_SPLIT_ASCII`
_CASED_TABLES = _tables("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # `_SPLIT_LATIN` in ASCII


def _split_ascii(s: str, tables: tuple = _LOWER_TABLES, regex: re.Pattern = _SPLIT_ASCII) -> list[str]:
    """``regex.split(s)`` for an ASCII text, by str.translate and str.split (``tables``: the letters and digits)."""
    for c in _RESERVED:  # (each `in` is a memchr)
        if c in s:
            return regex.split(s)
    alnum, words_only, gaps_only = tables
    words = s.translate(words_only).split()
    if not words:
        return [s]
    gaps = s.translate(gaps_only).split()
    if s[0] in alnum:
        gaps.insert(0, "")
    if s[-1] in alnum:
        gaps.append("")
    parts = [""] * (2 * len(words) + 1)
    parts[1::2] = words
    parts[::2] = "\x00".join(gaps).translate(_GAPS_BACK).split("\x00")
    return parts


def _split_latin(s: str) -> list[str]:
    """``_SPLIT_LATIN.split(s)`` for a text without Arabic letters. When none of its non-ASCII characters is a letter or
    digit (curly quotes, dashes, emoji: so in most such texts), the ASCII split of the text with a stand-in for each,
    put back in the gaps after."""
    if _OTHER in s or "\x00" in s:
        return _SPLIT_LATIN.split(s)
    pieces = _NON_ASCII.split(s)
    other = pieces[1::2]
    if _TOKEN.search("".join(other)):  # «é»
        return _SPLIT_LATIN.split(s)
    parts = _split_ascii(_OTHER.join(pieces[::2]), _CASED_TABLES, _SPLIT_LATIN)
    back = [""] * (2 * len(other) + 1)
    back[::2] = "\x00".join(parts[::2]).split(_OTHER)
    back[1::2] = other
    parts[::2] = "".join(back).split("\x00")
    return parts


@dataclass(frozen=True)
class Place:
    """One gazetteer entry. ``admin1``/``country`` are English names; ``*_ar`` the Arabic ones."""

    geonameid: int
    name: str
    name_ar: str
    level: str  # 'country' | 'admin1' | 'town'
    admin1: str
    country: str
    country_code: str
    lat: float
    lon: float
    admin1_code: str = ""
    admin1_ar: str = ""
    country_ar: str = ""
    population: int = 0


class _Gazetteer:
    """The loaded data file and its name index."""

    def __init__(self) -> None:
        self.places: list[Place] = []
        self.index: dict[str, tuple[int, ...]] = {}
        # a name several places bear -> ids of those whose own name it is, or inside or around such a place
        self.own: dict[str, frozenset[int]] = {}
        self.first: dict[str, int] = {}  # first word of a name -> most words in a name starting with it
        self.by_id: dict[int, Place] = {}
        self.admin1: dict[tuple[str, str], Place] = {}
        self.country: dict[str, Place] = {}
        index: dict[str, list[int]] = {}
        primary: dict[str, set[int]] = {}  # key -> the places whose own name (not an alternate) it is
        with GAZETTEER.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)
            for (gid, level, name, name_ar, n_primary, names, a1code, a1, a1ar, cc, country, country_ar,
                 lat, lon, pop) in rows:
                p = Place(int(gid), name, name_ar, level, a1, country, cc, float(lat), float(lon),
                          a1code, a1ar, country_ar, int(pop))
                i = len(self.places)
                self.places.append(p)
                self.by_id[p.geonameid] = p
                if level == "admin1":
                    self.admin1[(cc, a1code)] = p
                elif level == "country":
                    self.country[cc] = p
                keys = names.split("|")
                for key in keys:
                    if key in index:
                        index[key].append(i)
                    else:
                        index[key] = [i]
                for key in keys[: int(n_primary)]:
                    primary.setdefault(key, set()).add(i)
        places = self.places
        first = self.first
        for key, ids in index.items():
            if len(ids) > 1:
                own = primary.get(key, set())
                # a place's own name before another's alternate ("New Jersey" the state, not a town once so
                # called); another's alternate counts only inside a place so named (the city of Tehran) or in
                # another country, where the text's other places decide ("Palmyra" in Syria is Tadmur)
                ids.sort(key=lambda i: (i not in own, -_LEVEL_RANK[places[i].level], -places[i].population))
                if ids[0] in own:
                    ids = [i for i in ids if i in own or any(compatible(places[o], places[i]) for o in own)
                           or all(places[o].country_code != places[i].country_code for o in own)]
                self.own[key] = frozenset(places[i].geonameid for i in ids
                                          if i in own or any(compatible(places[o], places[i]) for o in own))
            self.index[key] = tuple(ids)
            words = key.split(" ")
            if len(words) > first.get(words[0], 0):
                first[words[0]] = len(words)

        extra = read_yaml(EXTRA)
        clitics = extra["arabic_clitics"]
        conj = [""] + [normalise_str(c) for c in clitics["conjunctions"]]
        prep = [""] + [normalise_str(c) for c in clitics["prepositions"]]
        # (whole prefix, its conjunction part, preposition) longest first
        self.prefixes = sorted(((c + p, c, p) for c in conj for p in prep if c + p), key=lambda x: -len(x[0]))
        self.clitic_letters = frozenset(c for c in conj + prep if c)
        words = extra["admin_words"]
        before = {tuple(_TOKEN.findall(normalise_str(w))) for lang in words for w in words[lang]["before"]}
        after = {tuple(_TOKEN.findall(normalise_str(w))) for lang in words for w in words[lang]["after"]}
        self.before_one = frozenset(w[0] for w in before if len(w) == 1)  # «محافظة»
        self.before_one_clitics = self.behind_clitics(self.before_one)  # «بمحافظة» too
        self.before_many = sorted(w for w in before if len(w) > 1)  # "province of"
        self.before_last = frozenset(w[-1] for w in self.before_many)
        self.admin_before = self.before_one_clitics | self.before_last  # what `_admin_before` reads before a name
        self.after = sorted(after, key=len, reverse=True)  # "governorate"
        self.after_first = frozenset(w[0] for w in after)
        self.organisation = _Around(extra["organisation_words"], True, self.behind_clitics)
        self.facility = _Around(extra["facility_words"], False, self.behind_clitics)
        longer = extra["longer_name_words"]
        self.longer_before = self.behind_clitics(normalise_str(w).lower() for lang in longer
                                                 for w in longer[lang]["before"])
        self.longer_after = frozenset(normalise_str(w).lower() for lang in longer for w in longer[lang]["after"])
        # what `_part_of` needs just before a name or among the three words after it to find it part of another name
        self.part_before = frozenset().union(self.organisation.last, self.facility.last, self.longer_before,
                                             self.longer_after)
        self.part_after = frozenset().union(self.organisation.after_first, self.facility.after_first, self.longer_after)
        actor = extra["actor_words"]
        self.actor_joined = frozenset(tuple(_TOKEN.findall(normalise_str(w).lower())) for lang in actor
                                      for w in actor[lang]["joined"])
        self.actor_before = self.behind_clitics(normalise_str(w).lower() for lang in actor
                                                for w in actor[lang]["before"])
        self.actor_after = frozenset(normalise_str(w).lower() for lang in actor for w in actor[lang].get("after", ()))
        # The one test every word of a text gets: may it start a name, as it is or behind clitics (what
        # _variants undoes)? Clitics are expanded for Arabic names only: a clitic glued to a Latin word («وAleppo»)
        # is a word of its own in `_SPLIT`, which splits where the script changes.
        self.hits = frozenset(first).union(self.behind_clitics(w for w in first if "\u0600" <= w[0] <= "\u06ff"))
        # every first part of a longer name, as space-joined words -> the words that come next in such a name (a
        # look-up in a set instead of a new string to look up where a text's next word continues none)
        follow: dict[str, set[str]] = {}
        for key in self.index:
            parts = key.split(" ")
            for n in range(1, len(parts)):
                follow.setdefault(" ".join(parts[:n]), set()).add(parts[n])
        self.follow = {head: frozenset(after) for head, after in follow.items()}
        self.starts: dict[str, tuple] = {}  # a word of `hits` -> _starts(word), filled as words turn up
        # a word of `hits` no reading of which names a place alone -> the words that may come next ("the", "in",
        # «المدينه»: a name starts at it only before one of these), filled by `_starts`
        self.dead: dict[str, frozenset[str] | tuple] = {}
        # 0, 1, 2, … up to the most words of a text seen (at most _KEEP): `compress` over it hands out these ints,
        # where over a range it would make a new int for every word of the text (~80 instructions each)
        self.indices: list[int] = []
        self.named: dict[str, _Name] = {}  # a name -> what it names, filled as names turn up
        self.admin_named: dict[str, _Name] = {}  # the same, for a name with an admin word: its admin areas only
        self.chosen: dict[tuple, Place] = {}  # (ids, own, the context's keys of the name) -> `_choose`'s reading

    def behind_clitics(self, words: Iterable[str]) -> frozenset[str]:
        """The words as they are and behind every clitic prefix that ``_variants`` takes off: a word is in the set
        when one of its readings is one of ``words``."""
        words = list(words)
        out = set(words)
        for whole, _conj, prep in self.prefixes:
            if whole[:1] in self.clitic_letters:
                out.update([whole + w for w in words if len(w) >= 2])
                if prep == "ل":  # «للرقة»: ل + الرقة with the alef dropped
                    out.update([whole + w[1:] for w in words if len(w) >= 3 and w.startswith("ال")])
        return frozenset(out)


@dataclass(frozen=True)
class _Name:
    """What a name found in a text names, worked out once per name: its places (all, or its admin areas only when an
    admin word stands by it), their ids, the ids of those whose own name it is, the country and the admin area its
    own places (else all) agree on, one an admin area?, all countries?"""

    places: tuple[Place, ...]
    ids: tuple[int, ...]
    own: frozenset[int]
    points: tuple[str | tuple[str, str], ...]
    admin1: bool
    countries: bool
    keys: frozenset[str | tuple[str, str]]  # what `_choose` reads of a context: its places' countries and admin areas

    @classmethod
    def of(cls, places: tuple[Place, ...], own: frozenset[int]) -> _Name:
        mine = [p for p in places if p.geonameid in own] or places
        countries = {p.country_code for p in mine}
        admin1s = {(p.country_code, p.admin1_code) for p in mine if p.admin1_code}
        points = tuple(next(iter(points)) for points in (countries, admin1s) if len(points) == 1)
        return cls(places, tuple(p.geonameid for p in places), own, points, any(p.level == "admin1" for p in places),
                   all(p.level == "country" for p in places),
                   frozenset(k for p in places for k in (p.country_code, (p.country_code, p.admin1_code))))


def _starts(tok: str, g: _Gazetteer) -> tuple:
    """How a word of ``g.hits`` may start a name, kept in ``g.starts``: one entry per reading of it (as it is,
    then without clitics) that begins a name: (characters skipped, the name's first word, most words in a name
    so beginning, a name on its own?, the words that may come next in a longer name)."""
    out = []
    for skip, word in (_variants(tok) if tok[0] in g.clitic_letters else ((0, tok),)):
        most = g.first.get(word)
        if most:
            out.append((skip, word, most, word in g.index, g.follow.get(word, ())))
    if not any(reading[3] for reading in out):
        g.dead[tok] = out[0][4] if len(out) == 1 else frozenset().union(*(reading[4] for reading in out))
    found = g.starts[tok] = tuple(out)
    return found


@lru_cache(maxsize=1)
def _gaz() -> _Gazetteer:
    return _Gazetteer()


@lru_cache(maxsize=200_000)
def _variants(tok: str) -> tuple[tuple[int, str], ...]:
    """(characters to skip, word to look up) for a word: as it is, then without Arabic clitics."""
    g = _gaz()
    out = [(0, tok)]
    if tok[:1] in g.clitic_letters:
        for whole, conj, prep in g.prefixes:
            rest = tok[len(whole):]
            if tok.startswith(whole) and len(rest) >= 2:
                out.append((len(whole), rest))
                if prep == "ل" and rest.startswith("ل"):  # «للرقة» = ل + الرقة
                    out.append((len(conj), "ا" + rest))
    return tuple(out)


def _admin_before(words: list[str], parts: list[str], i: int, start: int, g: _Gazetteer) -> int | None:
    """Start (in text) of an admin word just before word i, which starts at ``start`` («محافظة», «بريف»,
    "province of"), or None."""
    if i < 1:
        return None
    if words[i - 1] in g.before_one_clitics:
        for skip, v in _variants(words[i - 1]):
            if v in g.before_one:
                return start - len(parts[2 * i]) - len(words[i - 1]) + skip
    if words[i - 1] in g.before_last:
        for before in g.before_many:
            j = i - len(before)
            if j >= 0 and all(words[j + k] == w for k, w in enumerate(before)):
                return start - len("".join(parts[2 * j + 1:2 * i + 1]))
    return None


def _admin_after(words: list[str], i: int, g: _Gazetteer) -> int | None:
    """Index of the last word of an admin word just after the name that ends before word i."""
    if i < len(words) and words[i] in g.after_first:
        for after in g.after:
            if i + len(after) <= len(words) and all(words[i + k] == w for k, w in enumerate(after)):
                return i + len(after) - 1
    return None


class _Around:
    """Words before or after a name that make it part of another name (``organisation_words``, ``facility_words``
    in gazetteer_extra.yaml): {lang: {before: [...], after: [...]}}, normalised to word tuples."""

    def __init__(self, lists: dict, capitalised: bool,
                 behind_clitics: Callable[[Iterable[str]], frozenset[str]]) -> None:
        self.capitalised = capitalised  # English words after the name must be capitalised
        before = {tuple(_TOKEN.findall(normalise_str(w))) for lang in lists for w in lists[lang]["before"]}
        after = {tuple(_TOKEN.findall(normalise_str(w).lower())) for lang in lists for w in lists[lang]["after"]}
        self.before_one = behind_clitics(w[0] for w in before if len(w) == 1)  # clitics too: «لوكالة»
        self.before_last: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # longer ones, by their last word
        for w in before:
            if len(w) > 1:
                self.before_last[w[-1]].append(w)
        self.after_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # by their first word
        for w in after:
            self.after_first[w[0]].append(w)
        self.last = self.before_one | self.before_last.keys()  # a word just before the name that may be one of them

    def before(self, words: list[str], parts: list[str], i: int) -> bool:
        """True when one of the words stands just before word i (itself after a space), the first of them maybe behind
        Arabic clitics («لوكالة أنباء حلب»)."""
        last = words[i - 1]
        if last in self.before_one:
            return True
        for before in self.before_last.get(last, ()):
            j = i - len(before)
            if j >= 0 and all(parts[2 * k] == " " for k in range(j + 1, i)) \
                    and words[j + 1:i] == list(before[1:]) and any(v == before[0] for _skip, v in _variants(words[j])):
                return True
        return False

    def after(self, words: list[str], parts: list[str], k: int) -> bool:
        """True when one of the words starts at word k, a single space apart."""
        for after in self.after_first.get(words[k], ()):
            if words[k:k + len(after)] == list(after) and all(parts[2 * m] == " " for m in range(k, k + len(after))):
                return True
        return False


def _part_of(text: str, norm: Normalised, words: list[str], parts: list[str], i: int, n: int, start: int, end: int,
             g: _Gazetteer) -> str:
    """'organisation' when the name of words i..i+n-1 (word i starting at norm offset ``start``, the name ending at
    ``end``) is part of an organisation's name, 'part' when part of a facility's name (``_Around``) or of a longer
    place name (``_in_longer_name``), else ''. The words of an ``_Around`` stand just before the name or after it,
    at most two capitalised words between ("Meridian Press Agency", "Salah al-Din Ayoubi School"), a single space
    apart."""
    org, facility = g.organisation, g.facility
    last = words[i - 1] if i and parts[2 * i] == " " else ""
    if last in org.last and org.before(words, parts, i):
        return "organisation"
    part = last in facility.last and facility.before(words, parts, i)
    pos = end
    for k in range(i + n, min(i + n + 3, len(words))):
        if parts[2 * k] != " ":
            break
        pos += 1
        upper = text[norm.orig(pos)].isupper()
        word = words[k]
        if (upper or not org.capitalised) and word in org.after_first and org.after(words, parts, k):
            return "organisation"
        if not part and (upper or not facility.capitalised) and word in facility.after_first \
                and facility.after(words, parts, k):
            part = True
        if not upper:
            break
        pos += len(word)
    return "part" if part or _in_longer_name(text, norm, words, parts, i, n, start, g) else ""


def _in_longer_name(text: str, norm: Normalised, words: list[str], parts: list[str], i: int, n: int, start: int,
                    g: _Gazetteer) -> bool:
    """True when the name of words i..i+n-1 (starting at norm offset ``start``) is the tail or head of a longer name
    that the gazetteer lacks: a capitalised name-head word just before it ("Abu Salim", «حي الروضة»), or an article
    hyphened to it after a capitalised word, or one hyphened to the next word just after it ("Busra al-Harir")."""
    if i and parts[2 * i] in (" ", "-") and words[i - 1] in g.longer_before:
        before = start - len(parts[2 * i]) - len(words[i - 1])
        if not "a" <= words[i - 1][0] <= "z" or text[norm.orig(before)].isupper():
            return True
    if i > 1 and parts[2 * i] == "-" and words[i - 1] in g.longer_after and parts[2 * i - 2] == " ":
        before = start - 1 - len(words[i - 1]) - 1 - len(words[i - 2])  # "Busra al-Harir" is no Harir
        if text[norm.orig(before)].isupper():
            return True
    k = i + n
    return k + 1 < len(words) and parts[2 * k] == " " and words[k] in g.longer_after and parts[2 * k + 2] == "-"


def _raw_matches(text: str, norm: Normalised, g: _Gazetteer, cased: bool = True) -> list[tuple[int, int, _Name, str]]:
    """(norm start, norm end, what it names, '' or the name it is part of: 'organisation', or 'part' for a facility's
    or a longer place name, or 'actor' for a belligerent) for each name, longest match first, left to right.

    ``cased``: a Latin-script name counts only when capitalised in the original text. Only the words that
    may start a name (``g.hits``, picked out without a Python loop) are looked at.
    """
    s = norm.text
    # gap, word, gap, …: word k is parts[2k + 1], the gap before it parts[2k]
    is_ascii = s.isascii()  # (known without a look at the characters)
    arabic = not is_ascii and _HAS_ARABIC.search(s) is not None
    parts = _split_ascii(s) if is_ascii else _SPLIT.split(s) if arabic else _split_latin(s)
    words = parts[1::2]
    nexts = parts[3::2]  # the word after each word, "" after the last (no bounds test, no `i + 1` a candidate)
    nexts.append("")
    ntoks = len(words)
    indices = g.indices
    if len(indices) < ntoks <= _KEEP:
        indices.extend(range(len(indices), ntoks))
    todo = compress(indices if ntoks <= len(indices) else range(ntoks), map(g.hits.__contains__, words))
    index, follow = g.index, g.follow
    out: list[tuple[int, int, _Name, str]] = []
    done = 0  # words before this one are inside a name already found
    pos = at = 0  # parts[at] starts at s[pos] (summed up only as far as needed: a lower-case word or a name)
    known, dead = g.starts, g.dead
    drops = norm.drops  # normalised index j is original index j + bisect_right(drops, j)
    for i in todo:
        if i < done:
            continue
        tok = words[i]
        # (a word that names nothing alone and that the next word does not continue starts no name: "the", "in",
        # "said" mostly (70% of the research corpus' candidates), their readings not read, their offset not summed)
        after = dead.get(tok)
        if after is not None and nexts[i] not in after:
            continue
        variants = known.get(tok)
        if variants is None:
            variants = _starts(tok, g)
        # English names are capitalised: "mobile", "hope" are words (a lower-case letter is Latin; its normalised
        # form is itself, so a word whose normalised form opens otherwise is not looked up in the original)
        if cased and tok[0] in _LOWER:
            pos += len("".join(parts[at:2 * i + 1]))  # word i starts at s[pos]
            at = 2 * i + 1
            if text[pos + bisect_right(drops, pos) if drops else pos] in _LOWER:
                continue
        best_n = 0
        for skip, word, most, alone, after in variants:
            n, key = (1, word) if alone else (0, "")
            if nexts[i] in after:
                # the longest name: extend word by word while the next word continues some name
                longer, m, limit = word, 1, min(most, ntoks - i)
                while m < limit and words[i + m] in follow.get(longer, ()):
                    gap = parts[2 * (i + m)]
                    if gap != " " and not _GAP.match(gap):
                        break
                    longer = longer + " " + words[i + m]
                    m += 1
                    if longer in index:
                        n, key = m, longer
            if n > best_n:
                best_n, best_skip, best_key = n, skip, key
        if not best_n:
            continue
        if at <= 2 * i:
            pos += len("".join(parts[at:2 * i + 1]))
            at = 2 * i + 1
        n = best_n
        start = pos + best_skip
        if best_skip and cased and text[norm.orig(start)] in _LOWER:
            continue
        name = g.named.get(best_key)
        if name is None:
            name = g.named[best_key] = _Name.of(tuple(g.places[c] for c in index[best_key]),
                                                g.own.get(best_key, frozenset()))
        if name.admin1 and (i and words[i - 1] in g.admin_before or i + n < ntoks and words[i + n] in g.after_first):
            j = _admin_before(words, parts, i, pos, g)
            k = _admin_after(words, i + n, g)
            if j is not None or k is not None:
                name = g.admin_named.get(best_key)
                if name is None:
                    name = g.admin_named[best_key] = _Name.of(tuple(p for p in g.named[best_key].places
                                                                    if p.level == "admin1"), g.named[best_key].own)
                if j is not None:
                    start = j
                if k is not None:
                    n = k - i + 1
        end = pos + len("".join(parts[at:2 * (i + n)]))
        if name.countries and (_actor(words, parts, i, best_skip, start, out, g)
                               or _actor_after(words, parts, i + n, g)):
            out.append((start, end, name, "actor"))
            done = i + n
            continue
        part = _part_of(text, norm, words, parts, i, n, pos, end, g) \
            if i and words[i - 1] in g.part_before or not g.part_after.isdisjoint(words[i + n:i + n + 3]) else ""
        out.append((start, end, name, part))
        done = i + n
    return out


def _actor(words: list[str], parts: list[str], i: int, skip: int, start: int, found: list, g: _Gazetteer) -> bool:
    """True when the country named by word i (``skip`` clitic letters, starting at norm offset ``start``) is named as
    a belligerent: joined by «و» to an actor word before it («قوات النظام وروسيا») or to a country so named just
    before it («تركيا وروسيا» after «من قبل»), or right after a word such as «جانب», «قبل» («إلى جانب روسيا»)
    (``actor_words`` in gazetteer_extra.yaml)."""
    if not i or parts[2 * i] != " ":
        return False
    if words[i - 1] in g.actor_before:
        return True
    if not skip or words[i][0] != "و":
        return False
    if found and found[-1][3] == "actor" and found[-1][1] == start - skip - 1:
        return True
    return any(i >= len(w) and tuple(words[i - len(w):i]) == w
               and all(parts[2 * k] == " " for k in range(i - len(w) + 1, i)) for w in g.actor_joined)


def _actor_after(words: list[str], parts: list[str], k: int, g: _Gazetteer) -> bool:
    """True when the country name ending before word k is hyphened to a word such as "led", "backed" ("the U.S.-led
    coalition", "Iran-backed militias": ``actor_words`` ``after`` in gazetteer_extra.yaml): a belligerent."""
    return k < len(words) and parts[2 * k] in ("-", ".-") and words[k].lower() in g.actor_after


def _choose(places: Sequence[Place], context: set, own: frozenset[int]) -> Place:
    """The reading of an ambiguous name: a country, then a place in the text's countries and admin areas
    (``context``: country codes, (country code, admin1 code) pairs), the place whose own name it is (``own``, not
    an alternate), the larger place (a place some thirty times larger outweighs the text's country; one of unknown
    population, an admin seat, counts as UNKNOWN_POPULATION)."""
    return max(places, key=lambda p: (p.level == "country",
                                      1.5 * (p.country_code in context) + ((p.country_code, p.admin1_code) in context)
                                      + (p.geonameid in own) + math.log10((p.population or UNKNOWN_POPULATION) + 10)
                                      + _LEVEL_RANK[p.level]))


def find_places(text: str, norm: Normalised | None = None) -> list[tuple[int, int, Place]]:
    """(start, end, place) of each place named in ``text``; offsets index the original text.

    Pass ``norm`` when the text is already normalised (``extract.text.normalise(text)``) to save the work.
    """
    return _resolve(text, norm or normalise(text), cased=True)


def _resolve(text: str, norm: Normalised, cased: bool) -> list[tuple[int, int, Place]]:
    g = _gaz()
    raw = _raw_matches(text, norm, g, cased)
    # a name seen inside an organisation's name ("Meridian Press Agency") is the organisation's throughout the text
    # (the comprehensions only when some name is inside an organisation or a belligerent: read by a C loop)
    org: set[int] = set()
    if not {"organisation", "actor"}.isdisjoint(map(_INSIDE, raw)):
        org = {i for _s, _e, name, inside in raw if inside == "organisation" for i in name.ids}
        raw = [r for r in raw if r[3] not in ("organisation", "actor")]
    # the country and admin area each name points to (its own places', when they agree), counted over the text
    # and per name: a name is read by the other names of the text, not by itself
    total: dict = {}  # country code or (country code, admin1 code) -> names pointing to it
    by_name: dict[tuple[int, ...], dict] = {}
    for _s, _e, name, inside in raw:
        if inside or not name.points or org and not org.isdisjoint(name.ids):
            continue
        if len(name.ids) == 1:  # (its own counts are read only for a name of several places)
            for point in name.points:
                total[point] = total.get(point, 0) + 1
            continue
        counts = by_name.get(name.ids)
        if counts is None:
            counts = by_name[name.ids] = {}
        for point in name.points:
            total[point] = total.get(point, 0) + 1
            counts[point] = counts.get(point, 0) + 1
    chosen = []
    read: dict[tuple, Place] = {}  # (ids, own) -> the reading, the same wherever the text repeats a name
    for start, end, name, inside in raw:
        if len(name.places) == 1:
            p = name.places[0]
        elif (p := read.get((name.ids, name.own))) is None:
            mine = by_name.get(name.ids, {})
            context = frozenset(k for k in name.keys if total.get(k, 0) > mine.get(k, 0))
            p = g.chosen.get((name.ids, name.own, context))
            if p is None:
                p = g.chosen[name.ids, name.own, context] = _choose(name.places, context, name.own)
            read[name.ids, name.own] = p
        chosen.append((start, end, p, bool(inside or org and p.geonameid in org)))
    # "Al-Safwa hospital", "Abu Salim" stand where the text's other places lie, if it has any; a bare name an
    # organisation bears, only there
    where = {p.country_code for _s, _e, p, doubtful in chosen if not doubtful}
    out = []
    same = not norm.drops  # (nothing dropped: the offsets are the original ones, as `norm.span` would give them)
    for start, end, p, doubtful in chosen:
        if doubtful and p.country_code not in where and (where or p.geonameid in org):
            continue
        out.append((start, end, p) if same else (*norm.span(start, end), p))
    return out


def lookup(name: str) -> Place | None:
    """The place a name stands for on its own, in any case («ريف إدلب», "idlib province": the governorate)."""
    text = name.strip()
    if not text:
        return None
    found = _resolve(text, normalise(text), cased=False)
    if not found:
        plain = _fold(text)  # a gazetteer name as written: "Tall Abyaḑ", "Ḩalab"
        found = _resolve(plain, normalise(plain), cased=False) if plain != text else []
    if not found:
        return None
    return max(found, key=lambda f: f[1] - f[0])[2]


_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ß": "ss", "ʿ": "'", "ʾ": "'", "ʻ": "'",
                       "ʼ": "'", "‘": "'", "’": "'"})


def _fold(text: str) -> str:
    """Latin letters without their diacritics (Ḩalab -> Halab), as the gazetteer's keys are; Arabic unchanged."""
    if any("\u0600" <= c <= "\u06ff" for c in text):
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text.translate(_FOLD)) if not unicodedata.combining(c))


def get(geonameid: int) -> Place | None:
    """The place with that GeoNames id, if the gazetteer holds it."""
    return _gaz().by_id.get(int(geonameid))


def parent(place: Place) -> Place | None:
    """The admin area holding a town, the country holding an admin area; None for a country."""
    g = _gaz()
    if place.level == "town" and place.admin1_code:
        a1 = g.admin1.get((place.country_code, place.admin1_code))
        if a1 is not None:
            return a1
    if place.level == "country":
        return None
    return g.country.get(place.country_code)


def _contains(big: Place, small: Place) -> bool:
    if big.level == "country":
        return small.level != "country" and small.country_code == big.country_code
    if big.level == "admin1":
        return (small.level == "town" and small.country_code == big.country_code
                and bool(big.admin1_code) and small.admin1_code == big.admin1_code)
    return False


def compatible(a: Place | None, b: Place | None) -> bool:
    """True when a and b are the same place or one contains the other (town ⊂ admin1 ⊂ country)."""
    if a is None or b is None:
        return False
    return a.geonameid == b.geonameid or _contains(a, b) or _contains(b, a)
