"""Grouping speed: ``python bench/incident_speed.py [--claims N] [--batches B]``; prints figures, asserts nothing.

Synthetic claims over 3 years, 20 countries x 14 governorates x 30 towns, several reports per event, in one
batch (``group``) and then as B incremental batches in publication order (``IncidentIndex.add``). Single-threaded;
``*_cpu_seconds`` is the process's CPU time (the wall-clock figure grows when the machine is shared).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.incidents import IncidentIndex, group  # noqa: E402

COUNTRIES, ADMINS, TOWNS = 20, 14, 30


def resolve(place: str | None, country: str | None, lat: float | None = None,
            lon: float | None = None) -> tuple[str | None, str | None, str | None] | None:
    """The synthetic gazetteer: ``C3/A5/T7`` is town T7 in governorate A5 of country C3."""
    if not place:
        return (country, None, None) if country else None
    parts = place.split("/")
    return (parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None)


def synthetic_claims(n: int, seed: int = 7) -> pd.DataFrame:
    """n claims: events with 1-8 reports each, figures spread around the event's toll, some vague places."""
    rng = np.random.default_rng(seed)
    n_events = n // 3
    ev_day = rng.integers(0, 3 * 365, n_events)
    ev_c, ev_a, ev_t = rng.integers(0, COUNTRIES, n_events), rng.integers(0, ADMINS, n_events), \
        rng.integers(0, TOWNS, n_events)
    ev_toll = rng.geometric(0.15, n_events)
    ev = rng.integers(0, n_events, n)
    level = rng.choice(3, n, p=[0.1, 0.3, 0.6])  # country, governorate, town named
    c, a, t = ev_c[ev].astype(str), ev_a[ev].astype(str), ev_t[ev].astype(str)
    place = np.where(level == 2, np.char.add(np.char.add(np.char.add(np.char.add(np.char.add("C", c), "/A"), a),
                                                         "/T"), t),
                     np.where(level == 1, np.char.add(np.char.add(np.char.add("C", c), "/A"), a), ""))
    best = np.maximum(0, (ev_toll[ev] * rng.uniform(0.6, 1.4, n)).round()).astype(int)
    published = pd.Timestamp("2022-01-01") + pd.to_timedelta(ev_day[ev] + rng.integers(0, 3, n), unit="D")
    return pd.DataFrame({
        "claim_id": [f"c{i:08d}" for i in range(n)], "doc": [f"d{i // 2:08d}" for i in range(n)],
        "category": rng.choice(["killed", "injured", "captured"], n, p=[0.6, 0.3, 0.1]),
        "low": best, "best": best, "high": best, "qualifier": "exact",
        "place": np.where(place == "", None, place), "country": np.char.add("C", c),
        "victim_type": rng.choice(["civilian", "combatant", "unknown"], n),
        "claimant": rng.choice(["SOHR", "SANA", "Amaq", "Civil Defence", "Reuters"], n),
        "claimant_type": rng.choice(["ngo", "government", "armed_group", "medical", "media"], n),
        "confidence": 0.8, "published": published.date, "event_date": None, "scope": "incident",
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=1_000_000, help="number of synthetic claims (default 1,000,000)")
    ap.add_argument("--batches", type=int, default=20, help="incremental batches for the second run (default 20)")
    args = ap.parse_args()
    claims = synthetic_claims(args.claims)
    t0, c0 = time.perf_counter(), time.process_time()
    g = group(claims, resolve=resolve)
    batch_s, batch_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"claims={len(claims)} incidents={len(g.incidents)} batch_seconds={batch_s:.1f} "
          f"batch_cpu_seconds={batch_cpu:.1f} claims_per_second={len(claims) / batch_s:,.0f}")
    ordered = claims.sort_values("published", kind="stable")
    idx = IncidentIndex(resolve=resolve)
    t0, c0 = time.perf_counter(), time.process_time()
    for part in np.array_split(np.arange(len(ordered)), args.batches):
        idx.add(ordered.iloc[part])
    adds = time.perf_counter() - t0
    inc = idx.result()
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    same = inc.incidents.equals(g.incidents) and inc.members.equals(g.members)
    print(f"batches={args.batches} incremental_add_seconds={adds:.1f} incremental_total_seconds={total:.1f} "
          f"incremental_total_cpu_seconds={total_cpu:.1f} incremental_equals_batch={same}")


if __name__ == "__main__":
    main()
