"""Claims from different documents about the same event, grouped into incidents (pure: claims -> incidents).

``group(claims)`` returns the incidents, one row each with its range, and the membership (claim -> incident,
with the reason it is there). ``IncidentIndex`` does the same batch by batch; its result equals ``group`` over
all the claims it has been given, whatever the batches. The rules are in docs/incidents.md:

- Claims are grouped within a *block* (category, asset, country), swept in (date, claim_id) order. A claim
  joins an open incident when the victims' sides are compatible, the places are compatible in the gazetteer's
  hierarchy (a town inside a governorate goes with the governorate), its date is within ``window_days`` of the
  incident's first date (``coarse_window_days`` when the claim or the incident is placed no finer than a
  governorate: a governorate sees events every day, only a town bridges days of report lag) and its figure is
  compatible with the incident's figures; otherwise it opens a new one.
  Only incidents opened within the window are looked at (indexed by governorate): no all-pairs comparison.
- Only incident-scope claims that are neither sub-groups nor repeats are grouped; sub-groups and repeats follow
  the claim they belong to and are never counted; cumulative tolls are never in an incident (the store keeps them as a series per claimant).
- Overrides from analysts: a *split* (claims on side ``a`` must not be with claims on side ``b``) is a constraint
  in the sweep; a *merge* (these claims must be together) joins their incidents after it. When a merge and a
  split contradict each other, the later one (higher ``seq``) wins. Overrides name claims, not incidents, so they
  survive regrouping and re-ingest.
"""
from __future__ import annotations

import hashlib
import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from extract.gc_pause import cycle_collector_paused
from extract.text import normalise_str

PlaceKey = tuple[str | None, str | None, str | None]  # (country, admin1, town)
Resolver = Callable[[str | None, str | None, float | None, float | None], "PlaceKey | None"]

#: Claimant types from most to least reliable for the incident's ``best`` figure (docs/incidents.md).
RELIABILITY = ("medical", "ngo", "local_sources", "government", "media", "witness", "armed_group", "unknown")
#: A belligerent's figure for its enemy's losses ranks below every other report.
ENEMY_CLAIM_RANK = len(RELIABILITY)
_NO_DAY = -(10 ** 7)  # the sweep day of an undated claim (it forms a block of its own)
VAGUE_QUALIFIERS = frozenset({"vague", "unquantified"})
CIVILIANS = "civilians"
COMBATANTS = "combatants"

INCIDENT_COLUMNS = ("incident_id", "category", "asset", "side", "country", "admin1", "place", "first_date",
                    "last_date", "low", "best", "high", "best_claim_id", "best_claimant", "n_claims", "n_docs",
                    "n_claimants", "spread_low", "spread_high")
MEMBER_COLUMNS = ("claim_id", "incident_id", "role", "counted", "reason")
FIGURE_COLUMNS = ("low", "best", "high", "n_claims", "n_docs", "n_claimants", "spread_low", "spread_high")
"""The integer columns of INCIDENT_COLUMNS."""


@dataclass(frozen=True)
class Settings:
    """Grouping thresholds (all documented in docs/incidents.md)."""

    window_days: int = 2  # a claim's date at most this many days after the incident's first date (same town)
    coarse_window_days: int = 0  # the same when the claim or the incident is placed no finer than a governorate
    figure_factor: float = 3.0  # figures a, b (a <= b) are compatible when b <= factor * a + slack
    figure_slack: int = 3
    min_confidence: float = 0.5  # reports below it are not "credible" for the incident's low


class Grouping(NamedTuple):
    """The result of grouping: one row per incident, one row per member claim."""

    incidents: pd.DataFrame
    members: pd.DataFrame


# --- places and sides ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_resolver() -> Resolver:
    """A claim's place (name, country, lat, lon as the extractor wrote them) -> (country, admin1, town), through
    the gazetteer: the entry of that name at those coordinates, else ``lookup(name)``; built once per process,
    its answers cached."""
    from extract import places

    at: dict[tuple[str, float, float], places.Place] = {}
    for p in places._gaz().places:
        at.setdefault((p.name, round(p.lat, 3), round(p.lon, 3)), p)

    def same_name(p: places.Place) -> bool:  # a town named like its governorate (Idlib, Aleppo, Raqqa, ...)
        def n(x: str) -> str:
            x = normalise_str(x or "").replace("محافظه ", "")
            return x[2:] if x.startswith("ال") else x
        same_ar = bool(p.admin1_ar) and n(p.name_ar) == n(p.admin1_ar)
        return same_ar or (p.name or "").lower() == (p.admin1 or "-").lower()

    @lru_cache(maxsize=65536)
    def resolve(place: str | None, country: str | None, lat: float | None = None,
                lon: float | None = None) -> PlaceKey | None:
        p = None
        if place and lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon)):
            p = at.get((place, round(float(lat), 3), round(float(lon), 3)))  # numpy rounds halves otherwise
        if p is None and place:
            p = places.lookup(place)
            if p is not None and country and p.country != country:
                p = None
        if p is None:
            return (country, None, None) if country else None
        if p.level == "country":
            return (p.country, None, None)
        if p.level == "admin1":
            return (p.country, p.admin1 or p.name, None)
        if same_name(p):  # «إدلب» may be the city or the governorate: take the governorate
            return (p.country, p.admin1, None)
        return (p.country, p.admin1 or None, p.name)

    return resolve


def places_compatible(a: PlaceKey | None, b: PlaceKey | None) -> bool:
    """Same place, or one contains the other (unknown parts are compatible with anything)."""
    if a is None or b is None:
        return a is None and b is None
    return ((a[0] is None or b[0] is None or a[0] == b[0]) and (a[1] is None or b[1] is None or a[1] == b[1])
            and (a[2] is None or b[2] is None or a[2] == b[2]))


def _depth(k: PlaceKey | None) -> int:
    return 0 if k is None else sum(x is not None for x in k)


def side_of(victim_type: str | None, party: str | None) -> str | None:
    """The victims' side: ``civilians``, a combatant party, ``combatants`` (party unknown) or None (unknown)."""
    if victim_type == "civilian" or party == CIVILIANS:
        return CIVILIANS
    if party:
        return party
    return COMBATANTS if victim_type == "combatant" else None


def sides_compatible(a: str | None, b: str | None) -> bool:
    """Unknown goes with anything; ``combatants`` goes with any combatant party; otherwise equal."""
    if a is None or b is None or a == b:
        return True
    return (a == COMBATANTS and b != CIVILIANS) or (b == COMBATANTS and a != CIVILIANS)


def figures_compatible(lo: int, hi: int, settings: Settings) -> bool:
    """Two figures (lo <= hi) can describe one event: hi <= factor * lo + slack."""
    return hi <= settings.figure_factor * lo + settings.figure_slack


# --- the sweep ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    """What the sweep needs of one claim."""

    day: int
    claim_id: str
    side: str | None
    key: PlaceKey | None
    depth: int
    place: str | None
    best: int
    vague: bool
    tags: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class _Open:
    """An incident while the sweep can still add to it."""

    incident_id: str
    anchor: int
    side: str | None
    key: PlaceKey | None
    depth: int
    place: str | None
    min_best: int | None
    max_best: int | None
    tags: set[tuple[str, str]]

    def add(self, r: _Row) -> None:
        if self.side is None or (self.side == COMBATANTS and r.side not in (None, COMBATANTS)):
            self.side = r.side
        if r.depth > self.depth:
            self.key, self.depth, self.place = r.key, r.depth, r.place
        if not r.vague:
            self.min_best = r.best if self.min_best is None else min(self.min_best, r.best)
            self.max_best = r.best if self.max_best is None else max(self.max_best, r.best)
        self.tags.update(r.tags)


_ORDER = attrgetter("day", "claim_id")


def _incident_id(block: tuple, claim_id: str) -> str:
    key = "|".join(str(x) for x in block) + "|" + claim_id
    return "inc-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _conflicts(inc_tags: set[tuple[str, str]], tags: tuple[tuple[str, str], ...]) -> bool:
    return any((oid, "b" if s == "a" else "a") in inc_tags for oid, s in tags)


def _score(inc: _Open, r: _Row, settings: Settings) -> tuple | None:
    """None when the claim cannot join the incident, else a sort key (lower = better match)."""
    lag = r.day - inc.anchor
    if lag > settings.window_days:
        return None
    if lag > settings.coarse_window_days and (r.depth < 3 or inc.depth < 3):
        return None  # a governorate sees events every day: only a town bridges the days of report lag
    if not sides_compatible(inc.side, r.side) or not places_compatible(inc.key, r.key):
        return None
    if inc.tags and r.tags and _conflicts(inc.tags, r.tags):
        return None
    if r.vague or inc.min_best is None:
        closeness = 0.0
    else:
        lo, hi = min(inc.min_best, r.best), max(inc.max_best, r.best)
        if not figures_compatible(lo, hi, settings):
            return None
        closeness = abs(math.log1p(r.best) - math.log1p((inc.min_best + inc.max_best) / 2))
    exact_place = 0 if inc.key == r.key else 1
    return (exact_place, closeness, r.day - inc.anchor, inc.incident_id)


def _reason(inc: _Open, r: _Row) -> str:
    """Why a claim joined an incident, for analysts."""
    parts = [f"side {r.side or 'unknown'} ~ {inc.side or 'unknown'}",
             f"place {r.place or 'unknown'} ~ {inc.place or 'unknown'}",
             f"{r.day - inc.anchor} day(s) after the first report"]
    if r.vague or inc.min_best is None:
        parts.append("figure not compared (vague)")
    else:
        parts.append(f"figure {r.best} ~ {inc.min_best}-{inc.max_best}")
    return "; ".join(parts)


class _Block:
    """The claims of one (category, asset, country) block, sorted, with their incident assignment."""

    __slots__ = ("key", "rows", "assign", "reasons")

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.rows: list[_Row] = []
        self.assign: list[str] = []
        self.reasons: list[str] = []

    def insert(self, new: list[_Row], settings: Settings) -> None:
        """Add rows and re-sweep from the first new one; everything before it keeps its assignment."""
        new.sort(key=_ORDER)  # already in order when they come from _rows (a stable sort's fast path)
        first = (new[0].day, new[0].claim_id)
        lo, hi = 0, len(self.rows)
        while lo < hi:  # bisect on (day, claim_id)
            mid = (lo + hi) // 2
            if (self.rows[mid].day, self.rows[mid].claim_id) < first:
                lo = mid + 1
            else:
                hi = mid
        p = lo
        tail = self.rows[p:] + new if p < len(self.rows) else new
        if tail is not new:
            tail.sort(key=_ORDER)
        state = self._state_before(p, tail[0].day if tail else 0, settings)
        del self.rows[p:], self.assign[p:], self.reasons[p:]
        self._sweep(tail, state, settings)

    def _state_before(self, p: int, day: int, settings: Settings) -> list[_Open]:
        """The incidents still open at position p, rebuilt from their members before p."""
        i = p - 1
        while i >= 0 and self.rows[i].day >= day - settings.window_days:
            i -= 1
        wanted: dict[str, _Open] = {}
        for j in range(i + 1, p):
            r, iid = self.rows[j], self.assign[j]
            inc = wanted.get(iid)
            if inc is None:
                if iid != _incident_id(self.key, r.claim_id):
                    continue  # its first member is earlier: opened before the window, so closed
                inc = wanted[iid] = _Open(iid, r.day, None, None, -1, None, None, None, set())
            inc.add(r)
        return list(wanted.values())

    def _sweep(self, rows: list[_Row], opened: list[_Open], settings: Settings) -> None:
        by_admin: dict[str | None, deque[_Open]] = {}
        for inc in opened:
            by_admin.setdefault(inc.key[1] if inc.key else None, deque()).append(inc)
        w = settings.window_days
        for r in rows:
            admin = r.key[1] if r.key else None
            if admin is None:
                pools = list(by_admin.values())
            else:
                pools = [q for q in (by_admin.get(admin), by_admin.get(None)) if q is not None]
            best: tuple | None = None
            chosen: _Open | None = None
            for q in pools:
                while q and r.day - q[0].anchor > w:
                    q.popleft()
                for inc in q:
                    s = _score(inc, r, settings)
                    if s is not None and (best is None or s < best):
                        best, chosen = s, inc
            if chosen is None:
                chosen = _Open(_incident_id(self.key, r.claim_id), r.day, None, None, -1, None, None, None, set())
                reason = "first report"
                by_admin.setdefault(admin, deque()).append(chosen)
            else:
                reason = _reason(chosen, r)
                before = chosen.key[1] if chosen.key else None
                if before is None and admin is not None:
                    by_admin.setdefault(admin, deque()).append(chosen)  # now also found by its governorate
            chosen.add(r)
            self.rows.append(r)
            self.assign.append(chosen.incident_id)
            self.reasons.append(reason)


# --- preparing claims -----------------------------------------------------------------------------------------


_DEFAULTS: dict[str, Any] = {
    "doc": "", "asset": None, "qualifier": "exact", "victim_type": "unknown", "party": None, "claimed_by": None,
    "claimant": None, "claimant_type": "unknown", "self_reported": None, "place": None, "country": None,
    "lat": None, "lon": None,
    "event_date": None, "published": None, "scope": "incident", "subgroup_of": None, "repeats": None,
    "confidence": 1.0,
}
_TEXT = ("claim_id", "doc", "category", "asset", "qualifier", "victim_type", "party", "claimant", "claimed_by",
         "claimant_type", "place", "country", "scope", "subgroup_of", "repeats")
_NUMBERS = ("low", "best", "high", "confidence", "lat", "lon")
Columns = dict[str, list]
"""Claims as plain columns: text None when missing, numbers and days float (NaN when missing)."""


def _col(df: pd.DataFrame, name: str, default: Any = None) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([default] * len(df), index=df.index, dtype=object)


def _days(s: pd.Series) -> pd.Series:
    """Dates (date, str, Timestamp) -> days since 1970-01-01 as float (NaN when missing)."""
    d = pd.to_datetime(s, errors="coerce")
    return (d - pd.Timestamp("1970-01-01")).dt.days.astype("float64")


_TRUE, _FALSE = frozenset({"true", "t", "1", "yes"}), frozenset({"false", "f", "0", "no"})


def _flag(x: Any) -> bool | None:
    """True/False/None from a bool, number or string ("true", "0"); anything else, NA or None is None."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, float, np.integer, np.floating)) and x == x:  # NaN != NaN
        return bool(x)
    if isinstance(x, str):
        v = x.strip().lower()
        return True if v in _TRUE else False if v in _FALSE else None
    return None


def _objects(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its pandas string columns as object columns."""
    return df.astype({c: object for c, t in df.dtypes.items() if isinstance(t, pd.StringDtype)})


def _from_frame(df: pd.DataFrame) -> Columns:
    """A claims DataFrame (any column may be missing, any type) as plain columns, with the derived ones."""
    df = _objects(df)
    cl: Columns = {}
    for name in _TEXT:
        s = _col(df, name, _DEFAULTS.get(name))
        cl[name] = s.astype(object).where(s.notna(), None).tolist()
    for name in _NUMBERS:
        cl[name] = pd.to_numeric(_col(df, name, _DEFAULTS.get(name)), errors="coerce").to_numpy("float64").tolist()
    cl["self_reported"] = [_flag(x) for x in _col(df, "self_reported").astype(object).tolist()]
    return _derive(cl, _days(_col(df, "event_date")).tolist(), _days(_col(df, "published")).tolist())


def _from_columns(columns: dict[str, list]) -> Columns:
    """Claims given as columns of the store's types (text, integers, floats, bools or dates; None when missing) as
    plain columns, with the derived ones."""
    n = len(columns["claim_id"])
    cl: Columns = {name: columns.get(name) or [_DEFAULTS.get(name)] * n for name in _TEXT}
    nan = math.nan
    for name in _NUMBERS:
        cl[name] = [nan if x is None else float(x) for x in columns.get(name) or [_DEFAULTS.get(name)] * n]
    cl["self_reported"] = columns.get("self_reported") or [None] * n

    def days(name: str) -> list[float]:
        return [nan if d is None else float(d.toordinal() - _EPOCH) for d in columns.get(name) or [None] * n]

    return _derive(cl, days("event_date"), days("published"))


def _derive(cl: Columns, event: list[float], published: list[float]) -> Columns:
    """Add the derived columns (see ``prepare``) to plain columns; ``event``/``published``: their days."""
    cl["day"] = [e if e == e else p for e, p in zip(event, published)]
    cl["report_day"] = [p if p == p else e for e, p in zip(event, published)]
    cl["grouped"] = [(sc is None or sc == "incident") and (sg is None or sg == "") and (rp is None or rp == "")
                     for sc, sg, rp in zip(cl["scope"], cl["subgroup_of"], cl["repeats"])]
    cl["side"] = [side_of(v if isinstance(v, str) else None, p if isinstance(p, str) and p else None)
                  for v, p in zip(cl["victim_type"], cl["party"])]
    types = cl["claimant_type"] = ["unknown" if t is None or t == "" else str(t) for t in cl["claimant_type"]]
    labels, keys = [], []
    for claimant, said, doc, ctype in zip(cl["claimant"], cl["claimed_by"], cl["doc"], types):
        if claimant is None or claimant == "":  # one voice per named claimant; an unnamed one is one voice per
            labels.append(None if said is None or said == "" else said)  # document and claimant type
            keys.append(f"doc:{doc}:{ctype}")
        else:
            labels.append(claimant)
            keys.append(claimant)
    cl["claimant_label"], cl["claimant_key"] = labels, keys
    return cl


def prepare(claims: pd.DataFrame) -> pd.DataFrame:
    """Derived columns the grouping uses: ``day`` (event date, else published), ``report_day``, ``grouped``
    (incident-scope, not a sub-group, not a repeat), ``side``, ``claimant_key`` (who speaks, for supersession) and
    ``claimant_label`` (claimant, else claimed_by)."""
    df = _objects(claims)
    for name, default in _DEFAULTS.items():
        if name not in df.columns:
            df[name] = default
    cl = _from_frame(df)
    for name in ("day", "report_day", "grouped", "side", "claimant_type", "claimant_label", "claimant_key"):
        df[name] = pd.Series(cl[name], index=df.index, dtype="float64" if "day" in name else
                             bool if name == "grouped" else object)
    df["self_reported"] = pd.Series(cl["self_reported"], index=df.index, dtype="boolean")
    return df


def _tags(overrides: pd.DataFrame | None) -> dict[str, tuple[tuple[str, str], ...]]:
    """claim_id -> ((split override id, side), ...)."""
    if overrides is None or overrides.empty:
        return {}
    s = overrides[overrides["kind"] == "split"]
    out: dict[str, list[tuple[str, str]]] = {}
    for cid, oid, side in zip(s["claim_id"], s["override_id"], s["side"]):
        out.setdefault(cid, []).append((str(oid), str(side)))
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _rows(cl: Columns, at: Iterable[int], resolve: Resolver, tags: dict) -> dict[tuple, list[_Row]]:
    """The grouped claims among rows ``at`` of ``cl`` -> sweep rows by block (an undated claim is a block of its
    own)."""
    out: dict[tuple, list[_Row]] = {}
    depth: dict[PlaceKey | None, int] = {}
    places, countries, lat, lon = cl["place"], cl["country"], cl["lat"], cl["lon"]
    for i in at:
        if not cl["grouped"][i]:
            continue
        cid, place, country = cl["claim_id"][i], places[i] or None, countries[i] or None
        key = resolve(place, country, lat[i], lon[i])
        d = depth.get(key)
        if d is None:
            d = depth[key] = _depth(key)
        block = (cl["category"][i], cl["asset"][i] or "", key[0] if key else "")
        day = cl["day"][i]
        if math.isnan(day):
            block, day = block + (cid,), _NO_DAY
        b = cl["best"][i]
        out.setdefault(block, []).append(_Row(int(day), cid, cl["side"][i], key, d, place or country,
                                              int(b) if b == b else 0, cl["qualifier"][i] in VAGUE_QUALIFIERS,
                                              tags.get(cid, ())))
    return out


# --- the result -----------------------------------------------------------------------------------------------


def _apply_merges(assign: dict[str, str], overrides: pd.DataFrame | None,
                  category: dict[str, str]) -> dict[str, str]:
    """incident_id -> final incident_id after merge overrides (union-find; a later split vetoes a merge)."""
    if overrides is None or overrides.empty:
        return {}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    splits = overrides[overrides["kind"] == "split"]
    split_sides = {(str(o), str(s)): set(splits.loc[(splits["override_id"] == o) & (splits["side"] == s),
                                                    "claim_id"])
                   for o, s in set(zip(splits["override_id"], splits["side"]))}
    split_seq = dict(zip(splits["override_id"].astype(str), splits["seq"]))
    members: dict[str, set[str]] = {}
    for cid, iid in assign.items():
        members.setdefault(iid, set()).add(cid)
    merges = overrides[overrides["kind"] == "merge"].sort_values(["seq", "override_id"])
    for oid, m in merges.groupby("override_id", sort=False):
        seq = m["seq"].iloc[0]
        incs = sorted({assign[c] for c in m["claim_id"] if c in assign})
        incs = [i for i in incs if category.get(i) == category.get(incs[0])] if incs else []
        for other in incs[1:]:
            a, b = find(incs[0]), find(other)
            if a == b:
                continue
            joined = {c for i, r in members.items() if find(i) in (a, b) for c in r}
            vetoed = any(split_seq[o] > seq and split_sides.get((o, "a"), set()) & joined
                         and split_sides.get((o, "b"), set()) & joined for o in split_seq)
            if not vetoed:
                parent[max(a, b)] = min(a, b)
    return {i: find(i) for i in members if find(i) != i}


def _num(x: float, default: float) -> float:
    """``x``, or ``default`` when it is NaN."""
    return default if x != x else x


def _figures(cl: dict[str, list], at: list[int], inc: list[int], n_inc: int, settings: Settings) -> list[dict]:
    """The range of each incident (integer code in ``inc``) from its counted members (rows ``at`` of the claims'
    columns ``cl``, in a deterministic order), by the rule in docs/incidents.md: each claimant's latest report
    counts; ``low`` is the lowest credible one's, ``high`` the highest, ``best`` the (lower) median of the latest
    reports of the most reliable claimant type."""
    by_inc: list[list[int]] = [[] for _ in range(n_inc)]
    for pos, code in enumerate(inc):
        by_inc[code].append(pos)
    low = [int(_num(cl["low"][i], 0)) for i in at]
    best = [int(_num(cl["best"][i], 0)) for i in at]
    top = [int(h) if (h := cl["high"][i]) == h else b for i, b in zip(at, best)]
    out = []
    for members in by_inc:
        if len(members) == 1:  # most incidents: one report
            p = members[0]
            lo, hi = low[p], max(top[p], low[p])
            out.append({"low": lo, "high": hi, "best": min(max(best[p], lo), hi), "pick": at[p], "n_claims": 1,
                        "n_docs": 1, "n_claimants": 1, "spread_low": best[p], "spread_high": best[p]})
            continue
        out.append(_range(cl, at, members, low, best, top, settings))
    return out


_RANK = {t: i for i, t in enumerate(RELIABILITY)}


def _range(cl: dict[str, list], at: list[int], members: list[int], low: list[int], best: list[int],
           top: list[int], settings: Settings) -> dict:
    """``_figures`` for an incident of several reports."""
    rday, rank = {}, {}
    for p in members:
        i = at[p]
        r = cl["report_day"][i]
        rday[p] = r if r == r else _num(cl["day"][i], -1.0)
        t = cl["claimant_type"][i]
        enemy = cl["self_reported"][i] is False and t in ("government", "armed_group")
        rank[p] = ENEMY_CLAIM_RANK if enemy else _RANK.get(t, len(RELIABILITY) - 1)
    latest: dict[Any, int] = {}  # claimant -> its latest report (then the larger figure, then the later one)
    for p in members:
        k = cl["claimant_key"][at[p]]
        cur = latest.get(k)
        if cur is None or (rday[p], best[p], p) > (rday[cur], best[cur], cur):
            latest[k] = p
    cur = list(latest.values())
    credible = [p for p in cur if _num(cl["confidence"][at[p]], 1.0) >= settings.min_confidence] or cur
    lo = min(low[p] for p in credible)
    hi = max(max(top[p] for p in cur), lo)
    first_rank = min(rank[p] for p in cur)
    ranked = [p for p in cur if rank[p] == first_rank]
    last_day = max(rday[p] for p in ranked)
    ranked = sorted((p for p in ranked if rday[p] == last_day), key=lambda p: (best[p], p))
    pick = ranked[(len(ranked) - 1) // 2]
    return {"low": lo, "high": hi, "best": min(max(best[pick], lo), hi), "pick": at[pick],
            "n_claims": len(members), "n_docs": len({cl["doc"][at[p]] for p in members}),
            "n_claimants": len(latest), "spread_low": min(best[p] for p in cur),
            "spread_high": max(best[p] for p in cur)}


def _day_date(d: float) -> date | None:
    return None if d != d else date.fromordinal(_EPOCH + int(d))


_EPOCH = date(1970, 1, 1).toordinal()


def _result(cl: Columns, blocks: dict[tuple, _Block], overrides: pd.DataFrame | None,
            settings: Settings) -> tuple[Columns, Columns]:
    """Incidents and members (as columns, empty when no claim is in an incident) of the swept ``blocks``."""
    ids, incs, reasons, places, cats = [], [], [], {}, {}
    blocks = {k: blocks[k] for k in sorted(blocks)}  # a fixed order, whatever order the claims came in
    for b in blocks.values():
        ids.extend(r.claim_id for r in b.rows)
        incs.extend(b.assign)
        reasons.extend(b.reasons)
        for r, iid in zip(b.rows, b.assign):
            cats.setdefault(iid, b.key[0])
    merged = _apply_merges(dict(zip(ids, incs)), overrides, cats)
    if merged:
        reasons = [("merged by an analyst; " + rs) if i in merged else rs for i, rs in zip(incs, reasons)]
        incs = [merged.get(i, i) for i in incs]
    for b in blocks.values():  # the incident's place: the most specific of its members' (they lie on one chain)
        for r, iid in zip(b.rows, b.assign):
            fid = merged.get(iid, iid)
            cur = places.get(fid)
            if cur is None or r.depth > cur[2]:
                places[fid] = (r.key, r.place, r.depth)
    row_of = {cid: i for i, cid in enumerate(cl["claim_id"])}
    final = dict(zip(ids, incs))
    mem = {"claim_id": list(ids), "incident_id": list(incs), "role": ["report"] * len(ids),
           "counted": [True] * len(ids), "reason": list(reasons)}
    for col, role in (("subgroup_of", "subgroup"), ("repeats", "repeat")):
        follow = sorted((cid, of) for cid, of, sc in zip(cl["claim_id"], cl[col], cl["scope"])
                        if of not in (None, "") and sc != "cumulative" and of in final)
        mem["claim_id"] += [cid for cid, _ in follow]
        mem["incident_id"] += [final[of] for _, of in follow]
        mem["role"] += [role] * len(follow)
        mem["counted"] += [False] * len(follow)
        mem["reason"] += [f"{role} of claim {of}" for _, of in follow]
    if not mem["claim_id"]:
        return {}, mem
    code_of: dict[str, int] = {}
    inc_code = [code_of.setdefault(i, len(code_of)) for i in incs]
    at = [row_of[cid] for cid in ids]
    figs = _figures(cl, at, inc_code, len(code_of), settings)
    n = len(code_of)
    first, last, side_of_inc, side_rank = [math.nan] * n, [math.nan] * n, [None] * n, [-1] * n
    lead = [-1] * n  # the first member: the incident's category and asset
    days, sides = cl["day"], cl["side"]
    for code, i in zip(inc_code, at):
        if lead[code] < 0:
            lead[code] = i
        d = days[i]
        if d == d:
            f = first[code]
            if f != f or d < f:
                first[code] = d
            la = last[code]
            if la != la or d > la:
                last[code] = d
        side = sides[i]
        r = 0 if not isinstance(side, str) else (1 if side == COMBATANTS else 2)
        if r >= side_rank[code]:  # the most telling side (a party, then combatants); the last member on a tie
            side_rank[code], side_of_inc[code] = r, side
    order = sorted(code_of.items())
    figs = [figs[code] for _, code in order]
    where = [places.get(iid, (None, None, 0)) for iid, _ in order]
    lead = [lead[code] for _, code in order]
    picks = [f["pick"] for f in figs]
    cols = {"incident_id": [iid for iid, _ in order], "category": [cl["category"][i] for i in lead],
            "asset": [cl["asset"][i] for i in lead], "side": [side_of_inc[code] for _, code in order],
            "country": [k[0] if k else None for k, _, _ in where], "admin1": [k[1] if k else None for k, _, _ in where],
            "place": [name for _, name, _ in where], "first_date": [_day_date(first[code]) for _, code in order],
            "last_date": [_day_date(last[code]) for _, code in order],
            "best_claim_id": [cl["claim_id"][i] for i in picks], "best_claimant": [cl["claimant_label"][i] for i in picks]}
    cols |= {c: [f[c] for f in figs] for c in FIGURE_COLUMNS}
    return cols, mem


def _grouping(incidents: Columns, members: Columns) -> Grouping:
    """The result as DataFrames: object columns (None for missing), except the integers and ``counted``."""
    frame = _frame(members, MEMBER_COLUMNS, {"counted": bool})
    if not incidents:
        return Grouping(pd.DataFrame(columns=list(INCIDENT_COLUMNS)), frame)
    return Grouping(_frame(incidents, INCIDENT_COLUMNS, dict.fromkeys(FIGURE_COLUMNS, np.int64)), frame)


def _frame(cols: Columns, names: Iterable[str], typed: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(cols[c], dtype=typed.get(c, object)) for c in names})


class IncidentIndex:
    """Incremental grouping: ``add`` claims batch by batch, ``result()`` equals ``group`` over all of them.

    Each batch re-sweeps only the blocks it touches, from its earliest claim in each block on; the incidents
    still open at that point are rebuilt from their members (no all-pairs comparison).
    """

    def __init__(self, settings: Settings | None = None, overrides: pd.DataFrame | None = None,
                 resolve: Resolver | None = None) -> None:
        self.settings = settings or Settings()
        self.overrides = overrides
        self._resolve = resolve or _default_resolver()
        self._tags = _tags(overrides)
        self._blocks: dict[tuple, _Block] = {}
        self._claims: Columns = {}
        self._seen: set[str] = set()

    def add(self, claims: pd.DataFrame) -> set[tuple]:
        """Group a batch of claims (claim ids already seen are ignored); returns the blocks it touched."""
        if claims.empty:
            return set()
        with cycle_collector_paused():
            return self._add(_from_frame(claims))

    def add_columns(self, columns: dict[str, list]) -> set[tuple]:
        """``add`` for claims given as columns of plain values, in the store's types (text, integers, floats,
        bools and dates; None when missing): what ``pyarrow.Table.to_pydict`` gives, without pandas."""
        with cycle_collector_paused():
            return self._add(_from_columns(columns))

    def _add(self, cl: Columns) -> set[tuple]:
        seen, keep = self._seen, []
        for i, cid in enumerate(cl["claim_id"]):
            if cid not in seen:
                seen.add(cid)
                keep.append(i)
        if len(keep) < len(cl["claim_id"]):
            cl = {k: [v[i] for i in keep] for k, v in cl.items()}
        start = len(self._claims.get("claim_id", ()))
        for k, v in cl.items():
            self._claims.setdefault(k, []).extend(v)
        touched = set()
        for key, rows in _rows(self._claims, range(start, start + len(keep)), self._resolve, self._tags).items():
            self._blocks.setdefault(key, _Block(key)).insert(rows, self.settings)
            touched.add(key)
        return touched

    def result(self) -> Grouping:
        """Incidents and membership of everything added so far."""
        return _grouping(*self.result_columns())

    def result_columns(self) -> tuple[Columns, Columns]:
        """``result`` as columns (lists in the order of INCIDENT_COLUMNS and MEMBER_COLUMNS; no incident columns
        when there is no incident)."""
        with cycle_collector_paused():
            return _result(self._claims or _from_columns({"claim_id": []}), self._blocks, self.overrides,
                           self.settings)


def group(claims: pd.DataFrame, overrides: pd.DataFrame | None = None, settings: Settings | None = None,
          resolve: Resolver | None = None) -> Grouping:
    """Group claims (spec fields + ``published``) into incidents; see the module docstring for the rules.

    ``overrides``: rows (override_id, kind 'split'|'merge', seq, claim_id, side 'a'|'b' for splits).
    """
    idx = IncidentIndex(settings, overrides, resolve)
    idx.add(claims)
    return idx.result()


# --- tallies and cumulative series ----------------------------------------------------------------------------


def naive_total(claims: pd.DataFrame, category: str = "killed") -> int:
    """The plain sum of ``best`` over every counted claim (incident scope, not a sub-group, not a repeat)."""
    df = prepare(claims)
    sel = df[df["grouped"] & (df["category"] == category)]
    return int(pd.to_numeric(sel["best"], errors="coerce").fillna(0).sum())


def to_frame(claims: Iterable[Any], published: date | None = None) -> pd.DataFrame:
    """Claim objects (or dicts) -> a claims DataFrame with a ``published`` column."""
    rows = [c.to_dict() if hasattr(c, "to_dict") else dict(c) for c in claims]
    df = pd.DataFrame(rows)
    if "published" not in df.columns:
        df["published"] = published
    return df
