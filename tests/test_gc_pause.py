"""The cycle collector is paused around extraction and grouping, and left as it was found."""
from __future__ import annotations

import gc

from extract import extract_claims
from extract.gc_pause import cycle_collector_paused


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
