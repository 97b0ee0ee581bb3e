"""Actors and claimants (extract/data/actors.yaml): names in both languages → normalised party or claimant."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from extract.numbers import alternation
from extract.text import normalise_str, unmarked
from extract.yaml_data import read_yaml

PATH = Path(__file__).parent / "data" / "actors.yaml"


@dataclass(frozen=True)
class Actor:
    """A party or a claimant with its normalised name, type and side."""

    name: str
    type: str
    side: str | None
    victim_type: str
    # A word that points back to a side named earlier («من عناصرها», "its fighters"): the side named in the
    # words before the figure, if it is a combatant side, is taken over it.
    antecedent: bool = False


class Actors:
    """Finds actor names inside a phrase: the longest match wins, the data's ``name_clitics`` (و، ب، ل، ال) allowed."""

    def __init__(self, data: dict) -> None:
        # Entries marked `fallback: true` (words that name a kind of victim, not a side) count only when no other
        # party is named: «عنصرا من قسد» is SDF, «عنصرا» alone a fighter.
        clitics = "(?:" + "|".join(re.escape(_n(c)) for c in data.get("name_clitics", [])) + ")?"
        # a contraction opening a word («لل» is «ل» + «ال»: «للمرصد»), also read written out in a source phrase
        self._contractions = tuple((re.compile(r"(?<!\S)" + re.escape(_n(k)) + r"(?=\w\w)"), _n(v), _n(k))
                                   for k, v in data.get("article_contractions", {}).items())
        self.parties = _index([e for e in data["actors"] if not e.get("fallback")], claimant=False)
        self.fallback = _index([e for e in data["actors"] if e.get("fallback")], claimant=False)
        self.claimants = _index(data["claimants"], claimant=True)
        self.keywords = [(t, re.compile(r"(?<!\w)" + clitics + alternation([_n(w) for w in ws]) + r"(?!\w)"))
                         for t, ws in data["claimant_keywords"].items()]
        self._party_re = _regex(self.parties, clitics), _gate(self.parties)
        self._fallback_re = (_regex(self.fallback, clitics), _gate(self.fallback)) if self.fallback else None
        self._claimant_re = _regex(self.claimants, clitics), _gate(self.claimants)
        self._openings = tuple(w + " " for w in data.get("claimant_lowercase_openings", []))
        self._claimed: dict[str, Actor] = {}  # source phrase → its claimant (the same sources recur)
        self._parties: dict[str, Actor | None] = {}  # victims phrase → its party (so do victims)

    def party(self, phrase: str | None, normalised: bool = False) -> Actor | None:
        """The party named in a victims phrase, if any. ``normalised``: the phrase is ``normalise_str``'s output,
        which normalising again leaves as it is unless it holds a full stop or an asterisk (one may now stand
        between two Arabic letters: a mark beside it was dropped, a letter beside it mapped), so it is not
        normalised again."""
        if not phrase:
            return None
        known = self._parties
        a = known.get(phrase, known)
        if a is known:
            n = " ".join(phrase.split()) if normalised and "." not in phrase and "*" not in phrase else _n(phrase)
            a = _find(self._party_re, self.parties, n) or (
                _find(self._fallback_re, self.fallback, n) if self._fallback_re else None)
            if len(known) >= 16384:
                known.clear()
            known[phrase] = a
        return a

    def claimant(self, phrase: str | None) -> Actor | None:
        """The claimant named in a source phrase: a listed claimant, else a party, else a type by keywords."""
        if not phrase:
            return None
        a = self._claimed.get(phrase)
        if a is None:
            n = _n(phrase)
            a = _find(self._claimant_re, self.claimants, n, self._contractions) or _find(self._party_re, self.parties, n)
            if a is None:
                ctype = next((ctype for ctype, rx in self.keywords if rx.search(n)), "unknown")
                name = unmarked(phrase)  # one label however it is marked or capitalised
                if name.startswith(self._openings):
                    name = name[0].lower() + name[1:]
                a = Actor(name, ctype, None, "unknown")
            if len(self._claimed) >= 4096:
                self._claimed.clear()
            self._claimed[phrase] = a
        return a


@lru_cache(maxsize=8192)
def _n(s: str) -> str:
    return " ".join(normalise_str(s).split())


def _index(entries: list[dict], claimant: bool) -> dict[str, Actor]:
    out: dict[str, Actor] = {}
    for e in entries:
        side = e.get("side") if claimant else e["name"]
        actor = Actor(e["name"], e["type"], side, e.get("victim_type", "unknown"), bool(e.get("antecedent")))
        for name in [e["name"], *e.get("names", [])]:
            out.setdefault(_n(name), actor)
    return out


def _regex(index: dict[str, Actor], clitics: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + clitics + "(" + alternation(list(index)) + r")(?!\w)")


def _gate(index: dict[str, Actor]) -> ahocorasick.Automaton | None:
    """An automaton of every name's longest word: a phrase holding none of them names no one (one pass tells)."""
    automaton = ahocorasick.Automaton()
    for name in index:
        if name:
            automaton.add_word(max(name.split(" "), key=len), True)
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


def _find(names: tuple[re.Pattern[str], ahocorasick.Automaton | None], index: dict[str, Actor], n: str,
          contractions: tuple[tuple[re.Pattern[str], str, str], ...] = ()) -> Actor | None:
    """The actor of the longest name in the phrase ``n`` (normalised, by ``_n``; ``names``: the names' regex and
    ``_gate``); for a source phrase (``contractions`` given) also with each contraction written out («حصيلة للمرصد
    السوري»: a source; in a victims phrase «معقل للمعارضة» names whose stronghold it is, not the victims)."""
    rx, gate = names
    best = None
    written_out = [c.sub(out, n) for c, out, short in contractions if short in n]
    for t in (n, *written_out) if written_out else (n,):
        if gate is not None and next(gate.iter(t), None) is None:
            continue  # no name's longest word: no name
        for m in rx.finditer(t):
            if best is None or len(m.group(1)) > len(best):
                best = m.group(1)
    return index.get(" ".join(best.split())) if best else None


@lru_cache(maxsize=1)
def actors() -> Actors:
    """The actors file, loaded once."""
    return Actors(read_yaml(PATH))
