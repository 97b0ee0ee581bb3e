"""The figure conventions table (extract/data/conventions.yaml): phrase kinds → low / best / high."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from extract.yaml_data import read_yaml


PATH = Path(__file__).parent / "data" / "conventions.yaml"


class Figure(NamedTuple):  # (a tuple: built faster than a frozen dataclass, which sets each field by a call)
    """A figure as a range, with the qualifier and the conventions row (None when the text gives the number)."""

    low: int
    best: int
    high: int | None
    qualifier: str
    convention: str | None


@lru_cache(maxsize=1)
def table() -> dict:
    """The conventions rows, loaded once."""
    return read_yaml(PATH)["rows"]


@lru_cache(maxsize=None)
def fixed(row: str) -> Figure:
    """The figure of a row with fixed numbers (several, dozens, singular, unquantified, …)."""
    r = table()[row]
    return Figure(r["low"], r["best"], r["high"], r["qualifier"], row)


def exact(n: int) -> Figure:
    """A number the text gives outright."""
    return Figure(n, n, n, "exact", None)


def qualified(row: str, n: int, m: int | None = None) -> Figure:
    """Apply a qualifier row (more_than, about, range, …) to the stated number n (and m for a range)."""
    r = table()[row]
    kind = r["kind"]
    if kind == "range":
        a, b = sorted((n, m if m is not None else n))
        return Figure(a, (a + b) // 2, b, r["qualifier"], row)
    s = max(r.get("min_spread", 0), round(n * r.get("spread", 0)))
    low, best, high = {
        "plus_one": (n + 1, n + 1, None),
        "floor": (n, n, None),
        "spread": (max(n - s, 0), n, n + s),
        "below": (max(n - s, 0), n, n),
        "upto": (min(1, n), n, n),
        "fewer": (min(1, max(n - 1, 0)), max(n - 1, 0), max(n - 1, 0)),
    }[kind]
    return Figure(low, best, high, r["qualifier"], row)
