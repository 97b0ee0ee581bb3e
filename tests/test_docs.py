"""The README stays in step with the spec (../shared/spec/claims.md) and the conventions table."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extract.claim import FIELD_NAMES
from extract.conventions import table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SPEC = ROOT.parent / "shared" / "spec" / "claims.md"


def test_every_claim_field_is_described() -> None:
    missing = [f for f in FIELD_NAMES if f"`{f}`" not in README]
    assert not missing, f"README's claim table lacks {missing}"


@pytest.mark.skipif(not SPEC.exists(), reason="../shared/spec is not beside this checkout")
def test_claim_fields_match_the_spec() -> None:
    first_column, mentioned = set(), set()
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"\|\s*((?:`[a-z_]+`(?:,\s*)?)+)\s*\|", line):
            first_column |= set(re.findall(r"`([a-z_]+)`", m.group(1)))
            mentioned |= set(re.findall(r"`([a-z_]+)`", line))
    assert first_column, "no field table found in the spec"
    assert first_column <= set(FIELD_NAMES), f"spec fields missing from Claim: {first_column - set(FIELD_NAMES)}"
    assert set(FIELD_NAMES) <= mentioned, f"Claim fields the spec does not name: {set(FIELD_NAMES) - mentioned}"


def test_every_conventions_row_is_in_the_readme() -> None:
    missing = [row for row in table() if f"`{row}`" not in README]
    assert not missing, f"README's conventions table lacks rows {missing}"


def test_readme_gives_the_two_commands() -> None:
    assert "pip install -r requirements.txt && streamlit run streamlit_app.py" in README
    assert "pip install -r requirements-dev.txt && python -m pytest" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci and "requirements-dev.txt" in ci
