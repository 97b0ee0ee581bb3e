"""Places named in a text, resolved through the gazetteer (extract/data/gazetteer.csv, built from GeoNames).

``find_places(text)`` finds every gazetteer name in one pass over the normalised text (a dictionary of
names keyed by their first word, longest match first), with Arabic clitics («بحلب», «وبالرقة»)
and admin-area words («محافظة إدلب», «ريف حلب», "Idlib province") taken into account. An ambiguous
name goes to the country, then the admin area, that other places of the same text point to, then to
the largest place. The hierarchy is town ⊂ admin1 (governorate, state, oblast) ⊂ country.
"""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from extract.text import Normalised, normalise, normalise_str

DATA = Path(__file__).resolve().parent / "data"
GAZETTEER = DATA / "gazetteer.csv"
EXTRA = DATA / "gazetteer_extra.yaml"

_TOKEN = re.compile(r"[^\W_]+")
_GAP = re.compile(r"[\s'.\-]{1,3}$")  # what may stand between the words of one name ("Deir ez-Zor", "U.S.")
_LEVEL_RANK = {"country": 2, "town": 1, "admin1": 0}  # the default reading of a name several places bear


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
                # called); another's alternate counts only inside a place so named (the city of Tehran)
                ids.sort(key=lambda i: (i not in own, -_LEVEL_RANK[places[i].level], -places[i].population))
                if ids[0] in own:
                    ids = [i for i in ids if i in own or any(compatible(places[o], places[i]) for o in own)]
            self.index[key] = tuple(ids)
            words = key.split(" ")
            if len(words) > first.get(words[0], 0):
                first[words[0]] = len(words)

        extra = yaml.safe_load(EXTRA.read_text(encoding="utf-8"))
        words = extra["admin_words"]
        self.before = {tuple(_TOKEN.findall(normalise_str(w))) for lang in words for w in words[lang]["before"]}
        self.after = {tuple(_TOKEN.findall(normalise_str(w))) for lang in words for w in words[lang]["after"]}
        clitics = extra["arabic_clitics"]
        conj = [""] + [normalise_str(c) for c in clitics["conjunctions"]]
        prep = [""] + [normalise_str(c) for c in clitics["prepositions"]]
        # (whole prefix, its conjunction part, preposition) longest first
        self.prefixes = sorted(((c + p, c, p) for c in conj for p in prep if c + p), key=lambda x: -len(x[0]))
        self.clitic_letters = frozenset(c for c in conj + prep if c)


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


def _admin_before(toks, text: str, i: int, g: _Gazetteer) -> int | None:
    """Start (in text) of an admin word just before token i («محافظة», «بريف», "province of"), or None."""
    for words in g.before:
        j = i - len(words)
        if j < 0:
            continue
        if len(words) == 1:
            for skip, v in _variants(text[toks[j][0]:toks[j][1]]):
                if v == words[0]:
                    return toks[j][0] + skip
        elif all(text[toks[j + k][0]:toks[j + k][1]] == w for k, w in enumerate(words)):
            return toks[j][0]
    return None


def _admin_after(toks, text: str, i: int, g: _Gazetteer) -> int | None:
    """Index of the last token of an admin word just after the name that ends before token i."""
    for words in g.after:
        if i + len(words) <= len(toks) and all(text[toks[i + k][0]:toks[i + k][1]] == w for k, w in enumerate(words)):
            return i + len(words) - 1
    return None


def _raw_matches(text: str, norm: Normalised, g: _Gazetteer, cased: bool = True):
    """(norm start, norm end, candidates) for each name, longest match first, left to right.

    ``cased``: a Latin-script name counts only when capitalised in the original text.
    """
    s = norm.text
    toks = [m.span() for m in _TOKEN.finditer(s)]
    first_words, index, clitics = g.first, g.index, g.clitic_letters
    out = []
    i = 0
    ntoks = len(toks)
    while i < ntoks:
        a, b = toks[i]
        tok = s[a:b]
        best = None
        for skip, word in (_variants(tok) if tok[0] in clitics else ((0, tok),)):
            most = first_words.get(word)
            if not most:
                continue
            for n in range(min(most, ntoks - i), 0, -1):
                if best and n <= best[0]:
                    break
                if n == 1:
                    cands = index.get(word)
                else:
                    parts = [word]
                    for k in range(i + 1, i + n):
                        if not _GAP.match(s, toks[k - 1][1], toks[k][0]):
                            break
                        parts.append(s[toks[k][0]:toks[k][1]])
                    else:
                        cands = index.get(" ".join(parts))
                        if cands:
                            best = (n, skip, cands)
                            break
                    continue
                if cands:
                    best = (n, skip, cands)
                    break
        if best is None:
            i += 1
            continue
        n, skip, cands = best
        start, end = toks[i][0] + skip, toks[i + n - 1][1]
        first = text[norm.orig(start)]
        if cased and first.isascii() and first.isalpha() and not first.isupper():
            i += 1  # English names are capitalised: "mobile", "hope" are words
            continue
        places = [g.places[c] for c in cands]
        if any(p.level == "admin1" for p in places):
            j = _admin_before(toks, s, i, g)
            k = _admin_after(toks, s, i + n, g)
            if j is not None or k is not None:
                places = [p for p in places if p.level == "admin1"]
                if j is not None:
                    start = j
                if k is not None:
                    end = toks[k][1]
                    n = k - i + 1
        out.append((start, end, places))
        i += n
    return out


def _choose(places: list[Place], countries: set[str], admins: set[tuple[str, str]]) -> Place:
    """The reading of an ambiguous name: a country, then a place in the text's countries and admin areas,
    then the larger place (a place some thirty times larger outweighs the text's country)."""
    return max(places, key=lambda p: (p.level == "country",
                                      1.5 * (p.country_code in countries) + ((p.country_code, p.admin1_code) in admins)
                                      + math.log10(p.population + 10) + _LEVEL_RANK[p.level]))


def find_places(text: str, norm: Normalised | None = None) -> list[tuple[int, int, Place]]:
    """(start, end, place) of each place named in ``text``; offsets index the original text.

    Pass ``norm`` when the text is already normalised (``extract.text.normalise(text)``) to save the work.
    """
    return _resolve(text, norm or normalise(text), cased=True)


def _resolve(text: str, norm: Normalised, cased: bool) -> list[tuple[int, int, Place]]:
    raw = _raw_matches(text, norm, _gaz(), cased)
    countries: set[str] = set()
    admins: set[tuple[str, str]] = set()
    for _s, _e, places in raw:
        if len({p.country_code for p in places}) == 1:
            countries.add(places[0].country_code)
        if len({(p.country_code, p.admin1_code) for p in places}) == 1 and places[0].admin1_code:
            admins.add((places[0].country_code, places[0].admin1_code))
    out = []
    for start, end, places in raw:
        o_start, o_end = norm.span(start, end)
        out.append((o_start, o_end, _choose(places, countries, admins)))
    return out


def lookup(name: str) -> Place | None:
    """The place a name stands for on its own, in any case («ريف إدلب», "idlib province": the governorate)."""
    text = name.strip()
    if not text:
        return None
    found = _resolve(text, normalise(text), cased=False)
    if not found:
        return None
    return max(found, key=lambda f: f[1] - f[0])[2]


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
