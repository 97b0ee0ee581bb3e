"""The command line: extract --jsonl, ingest, export, and the documentation of every option."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from extract import extract_claims
from extract.__main__ import PARSERS
from extract.claim import FIELD_NAMES

ROOT = Path(__file__).resolve().parent.parent
EN = "At least 12 civilians were killed in an airstrike on Gaza on Monday, the health ministry said."
AR = "قتل 15 مدنيا وأصيب 30 آخرون في قصف على مدينة الرقة أمس بحسب المرصد السوري."


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_jsonl_prints_claims_only_and_reports_bad_inputs(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "rows.jsonl").write_text(
        json.dumps({"id": "r1", "text": AR}, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    (tmp_path / "rows.csv").write_text(f'id,text\nc1,"{EN}"\n', encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    inputs = [str(tmp_path / n) for n in ("a.txt", "rows.jsonl", "missing.txt", "bin.txt", "rows.csv")]
    result = run("--jsonl", *inputs)
    assert result.returncode != 0
    lines = result.stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert all(tuple(r) == FIELD_NAMES for r in rows)
    expected = (len(extract_claims(EN, doc="a")) * 2 + len(extract_claims(AR, doc="r1")))
    assert len(rows) == expected
    assert {r["doc"] for r in rows} <= {inputs[0], "r1", "c1"}
    for r in rows:  # offsets index the input text
        text = EN if r["doc"] in (inputs[0], "c1") else AR
        assert text[r["start"]:r["end"]] == r["quote"]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3
    assert f"{tmp_path / 'rows.jsonl'}:2" in errors[0] and "malformed JSON" in errors[0]
    assert str(tmp_path / "missing.txt") in errors[1] and "No such file" in errors[1]
    assert str(tmp_path / "bin.txt") in errors[2] and "binary" in errors[2]


def test_jsonl_exit_status_is_zero_when_all_inputs_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    result = run("--jsonl", str(tmp_path / "a.txt"))
    assert result.returncode == 0 and result.stderr == ""


def test_ingest_then_export_round_trip(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"---\ndate: 2024-03-05\n---\n{EN}", encoding="utf-8")
    (corpus / "b.txt").write_text(AR, encoding="utf-8")
    (corpus / "bad.json").write_text("{", encoding="utf-8")
    dbfile = tmp_path / "t.duckdb"
    ingest = run("ingest", str(corpus), "--db", str(dbfile), "--workers", "1", "--batch-size", "1")
    assert ingest.returncode == 1 and ingest.stdout == ""
    assert "added 2" in ingest.stderr and "bad.json: malformed JSON" in ingest.stderr
    again = run("ingest", str(corpus / "*.txt"), "--db", str(dbfile), "--no-progress")
    assert again.returncode == 0 and "added 0" in again.stderr and "duplicates 2" in again.stderr

    out = tmp_path / "claims.csv"
    exported = run("export", "--db", str(dbfile), "--what", "claims", "--out", str(out), "--lang", "en")
    assert exported.returncode == 0, exported.stderr
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert len(df) == len(extract_claims(EN)) and set(df.lang) <= {"en"}
    parquet = tmp_path / "articles.parquet"
    assert run("export", "--db", str(dbfile), "--what", "articles", "--out", str(parquet)).returncode == 0
    assert len(pd.read_parquet(parquet)) == 2
    tally = run("export", "--db", str(dbfile), "--what", "tally", "--format", "csv", "--out", "-",
                "--from", "2024-01-01", "--to", "2030-12-31", "--min-confidence", "0")
    assert tally.returncode == 0
    pd.read_csv(io.StringIO(tally.stdout.lstrip("\ufeff")))


def test_export_of_a_missing_store_says_so(tmp_path: Path) -> None:
    result = run("export", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "No database" in result.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("command", sorted(PARSERS))
def test_every_option_is_documented(command: str) -> None:
    docs = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "README.md", ROOT / "docs" / "cli.md")
                   if p.exists())
    options = [s for a in PARSERS[command]()._actions for s in a.option_strings if s not in ("-h", "--help")]
    assert options
    missing = [o for o in options if f"`{o}" not in docs]
    assert not missing, f"{command}: options not in README.md or docs/cli.md: {missing}"
