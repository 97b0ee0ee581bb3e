"""The cycle collector is paused around extraction, grouping and ingest, and left as it was found."""
from __future__ import annotations

import gc

from extract import extract_claims
from extract.gc_pause import call_paused, cycle_collector_paused


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()


def test_a_call_runs_with_the_collector_paused_and_restores_it() -> None:
    assert call_paused(gc.isenabled) is False
    assert gc.isenabled()
    try:
        call_paused(int, "x")  # raises: the collector is restored all the same
    except ValueError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        assert call_paused(max, 2, 3) == 3
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()


def test_extraction_leaves_the_collector_on_and_makes_no_cycles() -> None:
    gc.collect()
    gc.disable()
    try:
        claims = extract_claims("قتل 3 مدنيين وأصيب 5 آخرون في قصف على حلب.\n\nThree people were killed in Mosul.")
        assert len(claims) == 3
        assert gc.collect() == 0  # nothing the collector would have had to find
    finally:
        gc.enable()
    extract_claims("Two soldiers were wounded.")
    assert gc.isenabled()


def test_ingest_runs_with_the_collector_paused_and_restores_it(tmp_path) -> None:
    from extract.store.ingest import ingest_texts

    seen: list[bool] = []

    def texts():  # read by the ingest as it runs
        for t in ("Three people were killed in Mosul.", "قتل 3 مدنيين في قصف على حلب."):
            seen.append(gc.isenabled())
            yield t

    report = ingest_texts(texts(), tmp_path / "t.duckdb", workers=1)
    assert report.added == 2 and seen == [False, False]  # its readers, extraction, writes and regroup: no passes
    assert gc.isenabled()  # a long-lived caller (the dashboard) gets its collector back
