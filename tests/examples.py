"""Load the per-language examples files (extract/lang/<code>/examples.yaml) for the parametrised tests."""
from __future__ import annotations

from pathlib import Path

import yaml

LANG_DIR = Path(__file__).resolve().parent.parent / "extract" / "lang"
# Fields an expected claim may state; `subgroup`/`repeat` are true when subgroup_of/repeats is set.
CHECKABLE = {"category", "asset", "low", "best", "high", "qualifier", "convention", "quote", "victims", "party",
             "victim_type", "claimed_by", "claimant", "claimant_type", "self_reported", "scope", "negated", "rule",
             "subgroup", "repeat", "includes", "location", "country", "event_date"}


def load(code: str) -> dict:
    """The examples file of a language."""
    return yaml.safe_load((LANG_DIR / code / "examples.yaml").read_text(encoding="utf-8"))


def cases() -> list[tuple[str, str, dict]]:
    """(id, lang, example) for every example of every language; `nothing` texts expect no claim."""
    out = []
    for path in sorted(LANG_DIR.glob("*/examples.yaml")):
        code = path.parent.name
        data = load(code)
        for i, ex in enumerate(data.get("examples") or [], 1):
            out.append((f"{code}-{i:03d}", code, ex))
        for i, text in enumerate(data.get("nothing") or [], 1):
            out.append((f"{code}-nothing-{i:03d}", code, {"text": text, "claims": []}))
    return out
