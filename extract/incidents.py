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
from dataclasses import dataclass, field
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
    """Same place, or one contains the other (unknown parts are compatible with anything). ``_Block._sweep``
    inlines this rule, and that of ``sides_compatible``."""
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
    at: int  # its row in the claims' columns
    admin: str | None  # key[1]
    log_best: float  # log1p(best)


@dataclass(slots=True)
class _Open:
    """An incident while the sweep can still add to it."""

    incident_id: str
    anchor: int
    side: str | None = None
    key: PlaceKey | None = None
    depth: int = -1
    place: str | None = None
    min_best: int | None = None
    max_best: int | None = None
    log_mid: float = 0.0  # log1p of the middle of min_best..max_best
    tags: set[tuple[str, str]] = field(default_factory=set)

    def add(self, r: _Row) -> None:
        if self.side is None or (self.side == COMBATANTS and r.side is not None and r.side != COMBATANTS):
            self.side = r.side
        if r.depth > self.depth:
            self.key, self.depth, self.place = r.key, r.depth, r.place
        if not r.vague:
            b, lo, hi = r.best, self.min_best, self.max_best
            if lo is None:
                self.min_best = self.max_best = b
                self.log_mid = math.log1p(b)  # log1p((b + b) / 2)
            elif b < lo or b > hi:
                lo, hi = (b, hi) if b < lo else (lo, b)
                self.min_best, self.max_best, self.log_mid = lo, hi, math.log1p((lo + hi) / 2)
        if r.tags:
            self.tags.update(r.tags)


_ORDER = attrgetter("day", "claim_id")


def _id_prefix(block: tuple) -> str:
    """What ``_incident_id`` hashes before the claim id."""
    return "|".join(str(x) for x in block) + "|"


def _incident_id(prefix: str, claim_id: str) -> str:
    """The id of the incident a claim opens in the block of ``prefix`` (``_id_prefix``)."""
    return "inc-" + hashlib.sha1((prefix + claim_id).encode("utf-8")).hexdigest()[:16]


def _conflicts(inc_tags: set[tuple[str, str]], tags: tuple[tuple[str, str], ...]) -> bool:
    return any((oid, "b" if s == "a" else "a") in inc_tags for oid, s in tags)


def _reason(inc: _Open, r: _Row) -> str:
    """Why a claim joined an incident, for analysts."""
    figure = ("figure not compared (vague)" if r.vague or inc.min_best is None
              else f"figure {r.best} ~ {inc.min_best}-{inc.max_best}")
    return (f"side {r.side or 'unknown'} ~ {inc.side or 'unknown'}; place {r.place or 'unknown'} ~ "
            f"{inc.place or 'unknown'}; {r.day - inc.anchor} day(s) after the first report; {figure}")


class _Block:
    """The claims of one (category, asset, country) block, sorted, with their incident assignment."""

    __slots__ = ("key", "prefix", "rows", "assign", "reasons")

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.prefix = _id_prefix(key)
        self.rows: list[_Row] = []
        self.assign: list[str] = []
        self.reasons: list[str] = []

    def insert(self, new: list[_Row], settings: Settings) -> None:
        """Add rows and re-sweep from the first new one; everything before it keeps its assignment."""
        new.sort(key=_ORDER)
        if not self.rows:  # a block's first rows (every block of a window in the store's regroup)
            self._sweep(new, [], settings)
            return
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
                if iid != _incident_id(self.prefix, r.claim_id):
                    continue  # its first member is earlier: opened before the window, so closed
                inc = wanted[iid] = _Open(iid, r.day)
            inc.add(r)
        return list(wanted.values())

    def _sweep(self, rows: list[_Row], opened: list[_Open], settings: Settings) -> None:
        """Assign each of ``rows`` (sorted) to the best-matching open incident, or a new one: the rules of the
        module docstring, the best match being the lowest (exact place, figure closeness, lag, incident id)."""
        by_admin: dict[str | None, deque[_Open]] = {}
        for inc in opened:
            by_admin.setdefault(inc.key[1] if inc.key else None, deque()).append(inc)
        w, coarse_w = settings.window_days, settings.coarse_window_days
        factor, slack = settings.figure_factor, settings.figure_slack
        prefix = self.prefix
        keep_row, keep_assign, keep_reason = self.rows.append, self.assign.append, self.reasons.append
        for r in rows:
            day, key, side, admin, tags = r.day, r.key, r.side, r.admin, r.tags
            coarse = r.depth < 3
            figure = None if r.vague else r.best
            if admin is None:
                pools: Iterable[deque[_Open]] = list(by_admin.values())
            else:
                pools = [q for q in (by_admin.get(admin), by_admin.get(None)) if q is not None]
            best: tuple | None = None
            chosen: _Open | None = None
            for q in pools:
                while q and day - q[0].anchor > w:
                    q.popleft()
                for inc in q:
                    lag = day - inc.anchor
                    if lag > w or (lag > coarse_w and (coarse or inc.depth < 3)):
                        continue  # a governorate sees events every day: only a town bridges the days of report lag
                    s = inc.side  # sides: unknown goes with anything, ``combatants`` with any combatant party
                    if not (s is None or side is None or s == side or (s == COMBATANTS and side != CIVILIANS)
                            or (side == COMBATANTS and s != CIVILIANS)):
                        continue
                    k = inc.key  # places: one contains the other (unknown parts go with anything)
                    if k is None or key is None:
                        if k is not key:
                            continue
                    elif not ((k[0] is None or key[0] is None or k[0] == key[0])
                              and (k[1] is None or key[1] is None or k[1] == key[1])
                              and (k[2] is None or key[2] is None or k[2] == key[2])):
                        continue
                    if tags and inc.tags and _conflicts(inc.tags, tags):
                        continue
                    lo = inc.min_best
                    if figure is None or lo is None:
                        closeness = 0.0
                    else:
                        hi = inc.max_best
                        if (hi if hi > figure else figure) > factor * (lo if lo < figure else figure) + slack:
                            continue  # figures a <= b are compatible when b <= factor * a + slack
                        closeness = abs(r.log_best - inc.log_mid)
                    s = (0 if k == key else 1, closeness, lag, inc.incident_id)
                    if best is None or s < best:
                        best, chosen = s, inc
            if chosen is None:
                chosen = _Open(_incident_id(prefix, r.claim_id), day)
                reason = "first report"
                by_admin.setdefault(admin, deque()).append(chosen)
            else:
                reason = _reason(chosen, r)
                if admin is not None and (chosen.key is None or chosen.key[1] is None):
                    by_admin.setdefault(admin, deque()).append(chosen)  # now also found by its governorate
            chosen.add(r)
            keep_row(r)
            keep_assign(chosen.incident_id)
            keep_reason(reason)


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


def _from_arrow(table: Any) -> Columns:
    """Claims given as a ``pyarrow.Table`` of the store's types (text, integers, floats, bools, dates; nulls when
    missing; any column but ``claim_id`` may be missing) as plain columns, with the derived ones. Numbers and dates
    are converted by Arrow, column by column (no ``date`` object per claim)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n, names, nan = table.num_rows, set(table.column_names), math.nan

    def floats(name: str, to: Any = None) -> list[float]:
        col = table.column(name)
        if to is not None:
            col = col.cast(to)
        return pc.fill_null(col.cast(pa.float64()), nan).to_numpy().tolist()

    cl: Columns = {name: table.column(name).to_pylist() if name in names else [_DEFAULTS.get(name)] * n
                   for name in _TEXT}
    for name in _NUMBERS:
        default = _DEFAULTS.get(name)
        cl[name] = floats(name) if name in names else [nan if default is None else float(default)] * n
    cl["self_reported"] = table.column("self_reported").to_pylist() if "self_reported" in names else [None] * n
    event, published = ((floats(name, pa.int32()) if name in names else [nan] * n)  # date32: days since 1970
                        for name in ("event_date", "published"))
    return _derive(cl, event, published)


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
    grouped, ids, places, countries, lat, lon = (cl[n] for n in ("grouped", "claim_id", "place", "country", "lat",
                                                                 "lon"))
    categories, assets, days, bests, sides, qualifiers = (cl[n] for n in ("category", "asset", "day", "best", "side",
                                                                          "qualifier"))
    log1p = math.log1p
    for i in at:
        if not grouped[i]:
            continue
        cid, place, country, la, lo = ids[i], places[i] or None, countries[i] or None, lat[i], lon[i]
        key = resolve(place, country, None if la != la else la, None if lo != lo else lo)  # NaN: one cache key
        d = depth.get(key)
        if d is None:
            d = depth[key] = _depth(key)
        block = (categories[i], assets[i] or "", key[0] if key else "")
        day = days[i]
        if day != day:  # NaN: undated
            block, day = block + (cid,), _NO_DAY
        b = bests[i]
        b = int(b) if b == b else 0
        rows = out.get(block)
        if rows is None:
            rows = out[block] = []
        rows.append(_Row(int(day), cid, sides[i], key, d, place or country, b, qualifiers[i] in VAGUE_QUALIFIERS,
                         tags.get(cid, ()) if tags else (), i, key[1] if key else None, log1p(b)))
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


_RANK = {t: i for i, t in enumerate(RELIABILITY)}


def _range(cl: Columns, members: list[_Row], settings: Settings) -> tuple[int, int, int, int, int, int, int, int, int]:
    """The figures of an incident of several reports (``members``, in a deterministic order), by the rule in
    docs/incidents.md: each claimant's latest report counts; ``low`` is the lowest credible one's, ``high`` the
    highest, ``best`` the (lower) median of the latest reports of the most reliable claimant type. Returns low,
    high, best, the row of the report ``best`` comes from, n_claims, n_docs, n_claimants, spread_low and
    spread_high."""
    bests, report_days, days, keys = cl["best"], cl["report_day"], cl["day"], cl["claimant_key"]
    # claimant -> its latest report, then the larger figure, then the later one: (day, best, position, row)
    latest: dict[Any, tuple[float, int, int, int]] = {}
    for p, r in enumerate(members):
        i = r.at
        b = 0 if (b := bests[i]) != b else int(b)
        d = report_days[i]
        if d != d:
            d = -1.0 if (d := days[i]) != d else d
        k = keys[i]
        cur = latest.get(k)
        if cur is None or (d, b, p) > cur[:3]:
            latest[k] = (d, b, p, i)
    lows, highs, confidence, types, self_reported = (cl[c] for c in ("low", "high", "confidence", "claimant_type",
                                                                     "self_reported"))
    min_confidence = settings.min_confidence
    lo = credible_lo = hi = spread_lo = spread_hi = None
    first_rank = len(RELIABILITY) + 1
    ranked: list[tuple[float, int, int, int]] = []  # the latest reports of the most reliable claimant type
    for report in latest.values():
        d, b, p, i = report
        low = 0 if (x := lows[i]) != x else int(x)
        top = int(h) if (h := highs[i]) == h else b
        if lo is None or low < lo:
            lo = low
        if ((1.0 if (c := confidence[i]) != c else c) >= min_confidence
                and (credible_lo is None or low < credible_lo)):
            credible_lo = low
        if hi is None or top > hi:
            hi = top
        if spread_lo is None or b < spread_lo:
            spread_lo = b
        if spread_hi is None or b > spread_hi:
            spread_hi = b
        t = types[i]
        enemy = self_reported[i] is False and t in ("government", "armed_group")
        rank = ENEMY_CLAIM_RANK if enemy else _RANK.get(t, len(RELIABILITY) - 1)
        if rank < first_rank:
            first_rank, ranked = rank, [report]
        elif rank == first_rank:
            ranked.append(report)
    if credible_lo is not None:  # the credible reports' low; every report's when none is credible
        lo = credible_lo
    hi = max(hi, lo)
    last_day = max(d for d, _, _, _ in ranked)
    ranked = sorted((b, p, i) for d, b, p, i in ranked if d == last_day)
    b, _, pick = ranked[(len(ranked) - 1) // 2]
    docs = cl["doc"]
    return (lo, hi, min(max(b, lo), hi), pick, len(members), len({docs[r.at] for r in members}), len(latest),
            spread_lo, spread_hi)


def _day_date(d: float) -> date | None:
    return None if d != d else date.fromordinal(_EPOCH + int(d))


_EPOCH = date(1970, 1, 1).toordinal()


def _result(cl: Columns, blocks: dict[tuple, _Block], overrides: pd.DataFrame | None,
            settings: Settings) -> tuple[Columns, Columns]:
    """Incidents and members (as columns, empty when no claim is in an incident) of the swept ``blocks``."""
    rows: list[_Row] = []
    incs: list[str] = []
    reasons: list[str] = []
    for key in sorted(blocks):  # a fixed order, whatever order the claims came in
        b = blocks[key]
        rows += b.rows
        incs += b.assign
        reasons += b.reasons
    ids = [r.claim_id for r in rows]
    if overrides is not None and not overrides.empty:
        cats: dict[str, str] = {}
        for key in sorted(blocks):
            for iid in blocks[key].assign:
                cats.setdefault(iid, key[0])
        merged = _apply_merges(dict(zip(ids, incs)), overrides, cats)
        if merged:
            reasons = [("merged by an analyst; " + rs) if i in merged else rs for i, rs in zip(incs, reasons)]
            incs = [merged.get(i, i) for i in incs]
    by_inc: dict[str, list[_Row]] = {}
    for r, iid in zip(rows, incs):
        m = by_inc.get(iid)
        if m is None:
            by_inc[iid] = [r]
        else:
            m.append(r)
    final = dict(zip(ids, incs))
    mem = {"claim_id": ids, "incident_id": incs, "role": ["report"] * len(ids), "counted": [True] * len(ids),
           "reason": reasons}
    for col, role in (("subgroup_of", "subgroup"), ("repeats", "repeat")):
        follow = sorted((cid, of) for cid, of, sc in zip(cl["claim_id"], cl[col], cl["scope"])
                        if of not in (None, "") and sc != "cumulative" and of in final)
        mem["claim_id"] += [cid for cid, _ in follow]
        mem["incident_id"] += [final[of] for _, of in follow]
        mem["role"] += [role] * len(follow)
        mem["counted"] += [False] * len(follow)
        mem["reason"] += [f"{role} of claim {of}" for _, of in follow]
    if not by_inc:
        return {}, mem
    categories, assets, days, sides, claim_ids, labels = (cl[c] for c in ("category", "asset", "day", "side",
                                                                          "claim_id", "claimant_label"))
    lows, bests, highs = cl["low"], cl["best"], cl["high"]
    dates: dict[float, date | None] = {}
    out = []  # one row per incident, in the order of INCIDENT_COLUMNS
    for iid in sorted(by_inc):
        m = by_inc[iid]
        lead = m[0].at  # the first member: the incident's category and asset
        if len(m) == 1:  # most incidents: one report
            i, where = lead, m[0]
            lo = 0 if (x := lows[i]) != x else int(x)
            b = 0 if (x := bests[i]) != x else int(x)
            hi = max(int(h) if (h := highs[i]) == h else b, lo)
            lo, hi, b, pick, n_claims, n_docs, n_claimants, spread_lo, spread_hi = (
                lo, hi, min(max(b, lo), hi), i, 1, 1, 1, b, b)
            first = last = days[i]
            side = sides[i]
        else:
            lo, hi, b, pick, n_claims, n_docs, n_claimants, spread_lo, spread_hi = _range(cl, m, settings)
            first = last = math.nan
            side, side_rank, where = None, -1, m[0]
            for r in m:
                i = r.at
                d = days[i]
                if d == d:
                    if first != first or d < first:
                        first = d
                    if last != last or d > last:
                        last = d
                s = sides[i]
                rank = 0 if not isinstance(s, str) else (1 if s == COMBATANTS else 2)
                if rank >= side_rank:  # the most telling side (a party, then combatants); the last member on a tie
                    side_rank, side = rank, s
                if r.depth > where.depth:  # the place: the most specific of its members' (they lie on one chain)
                    where = r
        if (first_date := dates.get(first)) is None:
            first_date = dates[first] = _day_date(first)
        if (last_date := dates.get(last)) is None:
            last_date = dates[last] = _day_date(last)
        k = where.key
        out.append((iid, categories[lead], assets[lead], side, k[0] if k else None, k[1] if k else None, where.place,
                    first_date, last_date, lo, b, hi, claim_ids[pick], labels[pick], n_claims, n_docs, n_claimants,
                    spread_lo, spread_hi))
    return {c: list(v) for c, v in zip(INCIDENT_COLUMNS, zip(*out))}, mem


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

    def add_arrow(self, claims: Any) -> set[tuple]:
        """``add`` for claims given as a ``pyarrow.Table`` in the store's types (text, integers, floats, bools and
        dates), without pandas."""
        with cycle_collector_paused():
            return self._add(_from_arrow(claims))

    def _add(self, cl: Columns) -> set[tuple]:
        seen, ids = self._seen, cl["claim_id"]
        new = set(ids)
        if len(new) == len(ids) and seen.isdisjoint(new):  # the usual case: no claim seen before
            seen |= new
        else:
            keep = []
            for i, cid in enumerate(ids):
                if cid not in seen:
                    seen.add(cid)
                    keep.append(i)
            cl = {k: [v[i] for i in keep] for k, v in cl.items()}
        start = len(self._claims.get("claim_id", ()))
        if start:
            for k, v in cl.items():
                self._claims[k].extend(v)
        else:
            self._claims = cl
        touched = set()
        for key, rows in _rows(self._claims, range(start, start + len(cl["claim_id"])), self._resolve,
                               self._tags).items():
            self._blocks.setdefault(key, _Block(key)).insert(rows, self.settings)
            touched.add(key)
        return touched

    def result(self) -> Grouping:
        """Incidents and membership of everything added so far."""
        return _grouping(*self.result_columns())

    def result_columns(self) -> tuple[Columns, Columns]:
        """``result`` as columns (lists in the order of INCIDENT_COLUMNS and MEMBER_COLUMNS; no incident columns
        when there is no incident)."""
        if not self._claims:
            return {}, {c: [] for c in MEMBER_COLUMNS}
        with cycle_collector_paused():
            return _result(self._claims, self._blocks, self.overrides, self.settings)


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
