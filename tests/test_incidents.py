"""Grouping claims into incidents (extract/incidents.py): rules, range, determinism, incremental, overrides."""
from __future__ import annotations

import random

import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from extract.incidents import (IncidentIndex, Settings, group, naive_total, places_compatible,
                               sides_compatible)

# A small hand-made hierarchy, so that these tests pin the grouping rules, not the gazetteer's data.
GAZ = {
    "Syria": ("Syria", None, None),
    "Idlib": ("Syria", "Idlib", None),
    "Ariha": ("Syria", "Idlib", "Ariha"),
    "Saraqib": ("Syria", "Idlib", "Saraqib"),
    "Raqqa": ("Syria", "Raqqa", None),
    "Tabqa": ("Syria", "Raqqa", "Tabqa"),
    "Mosul": ("Iraq", "Nineveh", "Mosul"),
}


def resolve(place, country, lat=None, lon=None):
    return GAZ.get(place) or ((country, None, None) if country else None)


def claim(cid, doc, best, place="Ariha", day=1, **kw):
    row = dict(claim_id=cid, doc=doc, category="killed", low=best, best=best, high=best, qualifier="exact",
               place=place, country=GAZ[place][0] if place in GAZ else None, victim_type="civilian", party=None,
               claimant=None, claimed_by=None, claimant_type="media", self_reported=None, confidence=0.9,
               event_date=None, published=f"2024-03-{day:02d}", scope="incident", subgroup_of=None, repeats=None)
    row.update(kw)
    return row


def run(rows, **kw):
    return group(pd.DataFrame(rows), resolve=resolve, **kw)


def together(g, a, b):
    m = dict(zip(g.members["claim_id"], g.members["incident_id"]))
    return m[a] == m[b]


# --- grouping rules ---------------------------------------------------------------------------------------------


def test_reports_of_one_event_from_several_documents_form_one_incident():
    g = run([claim("a", "d1", 5), claim("b", "d2", 6), claim("c", "d3", 5, place="Idlib")])
    assert len(g.incidents) == 1
    inc = g.incidents.iloc[0]
    assert (inc["n_claims"], inc["n_docs"], inc["place"], inc["admin1"]) == (3, 3, "Ariha", "Idlib")


def test_town_and_governorate_are_compatible_but_two_towns_are_not():
    assert places_compatible(GAZ["Ariha"], GAZ["Idlib"]) and places_compatible(GAZ["Idlib"], GAZ["Syria"])
    assert not places_compatible(GAZ["Ariha"], GAZ["Saraqib"])
    assert not places_compatible(GAZ["Ariha"], GAZ["Tabqa"])
    g = run([claim("a", "d1", 5), claim("b", "d2", 5, place="Saraqib"), claim("c", "d3", 5, place="Tabqa")])
    assert len(g.incidents) == 3


@pytest.mark.parametrize("change, apart", [
    (dict(published="2024-03-03"), False),         # two days later: inside the default window
    (dict(published="2024-03-04"), True),          # three days later: outside it
    (dict(best=40, low=40, high=40), True),        # 5 vs 40: figures incompatible
    (dict(best=15, low=15, high=15), False),       # 5 vs 15: a rising toll
    (dict(category="injured"), True),
    (dict(victim_type="combatant", party="SDF"), True),
    (dict(victim_type="unknown"), False),          # unknown side goes with civilians
    (dict(place="Mosul"), True),                   # another country
    (dict(event_date="2024-02-20"), True),         # the text dates it weeks earlier
])
def test_each_rule_keeps_claims_apart_or_not(change, apart):
    b = claim("b", "d2", 5)
    b.update(change)
    g = run([claim("a", "d1", 5), b])
    assert together(g, "a", "b") is not apart


def test_window_is_configurable():
    rows = [claim("a", "d1", 5), claim("b", "d2", 5, day=6)]
    assert not together(run(rows), "a", "b")
    assert together(run(rows, settings=Settings(window_days=5)), "a", "b")


def test_only_a_town_bridges_days_of_report_lag():
    # the same town a day apart: one event reported late; a governorate a day apart: it sees events every day
    assert together(run([claim("a", "d1", 5, day=3), claim("b", "d2", 5, day=4)]), "a", "b")
    gov = [claim("a", "d1", 5, place="Idlib", day=3), claim("b", "d2", 5, place="Idlib", day=4)]
    assert not together(run(gov), "a", "b")
    assert together(run(gov, settings=Settings(coarse_window_days=1)), "a", "b")
    assert together(run([claim("a", "d1", 5, place="Idlib", day=3), claim("b", "d2", 5, place="Idlib", day=3)]),
                    "a", "b")
    # a governorate-level report joins a town's incident on its own day only
    town_then_gov = [claim("a", "d1", 5, day=3), claim("b", "d2", 5, place="Idlib", day=4)]
    assert not together(run(town_then_gov), "a", "b")


def test_sides_of_combatants():
    assert sides_compatible("combatants", "SDF") and not sides_compatible("SDF", "Islamic State")
    assert not sides_compatible("civilians", "combatants") and sides_compatible(None, "civilians")


def test_vague_figures_join_without_widening_the_figure_check():
    rows = [claim("a", "d1", 5), claim("b", "d2", 12, low=12, high=99, qualifier="vague"), claim("c", "d3", 60)]
    g = run(rows)
    assert together(g, "a", "b") and not together(g, "a", "c")


def test_every_member_has_a_reason():
    g = run([claim("a", "d1", 5), claim("b", "d2", 6, place="Idlib")])
    reasons = dict(zip(g.members["claim_id"], g.members["reason"]))
    assert reasons["a"] == "first report"
    assert "place Idlib ~ Ariha" in reasons["b"] and "figure 6 ~ 5-5" in reasons["b"]


# --- the incident's range ----------------------------------------------------------------------------------------


def test_range_low_from_lowest_credible_high_from_highest_best_from_most_reliable():
    g = run([
        claim("a", "d1", 4, claimant="Local News", claimant_type="media"),
        claim("b", "d2", 9, claimant="SOHR", claimant_type="ngo"),
        claim("c", "d3", 7, claimant="Civil Defence", claimant_type="medical"),
        claim("d", "d4", 3, claimant="Rumour", claimant_type="media", confidence=0.2),  # not credible
        claim("e", "d5", 12, low=12, high=None, qualifier="at_least", claimant="X", claimant_type="witness"),
    ])
    inc = g.incidents.iloc[0]
    assert (inc["low"], inc["best"], inc["high"]) == (4, 7, 12)
    assert inc["best_claimant"] == "Civil Defence" and inc["best_claim_id"] == "c"
    assert (inc["spread_low"], inc["spread_high"], inc["n_claimants"]) == (3, 12, 5)


def test_a_rising_toll_from_one_claimant_supersedes_its_earlier_figure():
    g = run([claim("a", "d1", 3, claimant="SOHR", claimant_type="ngo"),
             claim("b", "d2", 8, claimant="SOHR", claimant_type="ngo", day=2),
             claim("c", "d3", 5, claimant="Local", claimant_type="media", day=2)])
    inc = g.incidents.iloc[0]
    assert (inc["low"], inc["best"], inc["high"]) == (5, 8, 8)  # SOHR's 3 is superseded by its own 8


def test_unnamed_claimants_speak_once_per_document_and_type():
    # "the hospital now says 8 ... the hospital had announced 5 in the evening": one voice, its higher figure
    g = run([claim("a", "d1", 8, claimed_by="the hospital", claimant_type="medical"),
             claim("b", "d1", 5, claimed_by="the hospital in the evening", claimant_type="medical"),
             claim("c", "d2", 6, claimed_by="a witness", claimant_type="witness")])
    inc = g.incidents.iloc[0]
    assert (inc["low"], inc["best"], inc["high"], inc["n_claimants"]) == (6, 8, 8, 2)
    assert inc["best_claimant"] == "the hospital"


def test_enemy_figures_rank_below_everything():
    g = run([claim("a", "d1", 20, victim_type="combatant", party="SDF", claimant="Amaq", claimant_type="armed_group",
                   self_reported=False),
             claim("b", "d2", 10, victim_type="combatant", party="SDF", claimant="Hawar",
                   claimant_type="media")])
    assert g.incidents.iloc[0]["best"] == 10


@pytest.mark.parametrize("na", [pd.NA, None, float("nan")])
def test_missing_self_reported_and_claimant_type_do_not_break_the_figures(na):
    """A store's claims come with NA in nullable columns (DuckDB's boolean self_reported): still grouped, and a
    missing self_reported is not an enemy claim."""
    rows = [claim("a", "d1", 20, claimant="Amaq", claimant_type="armed_group", self_reported=na),
            claim("b", "d2", 10, claimant="Hawar", claimant_type=na, self_reported=na),
            claim("c", "d3", 14, claimant="X", claimant_type="government", self_reported="false")]
    df = pd.DataFrame(rows).astype({"self_reported": object, "claimant_type": object})
    g = group(df, resolve=resolve)
    assert len(g.incidents) == 1 and g.incidents.iloc[0]["best"] == 20  # armed_group beats unknown and the enemy
    df["self_reported"] = pd.array([pd.NA, pd.NA, False], dtype="boolean")
    assert group(df, resolve=resolve).incidents.iloc[0]["best"] == 20


def test_subgroups_and_repeats_follow_their_claim_and_are_not_counted():
    g = run([claim("a", "d1", 5), claim("k", "d1", 3, subgroup_of="a"), claim("r", "d1", 5, repeats="a")])
    assert len(g.incidents) == 1 and g.incidents.iloc[0]["best"] == 5
    roles = dict(zip(g.members["claim_id"], zip(g.members["role"], g.members["counted"])))
    assert roles == {"a": ("report", True), "k": ("subgroup", False), "r": ("repeat", False)}


def test_cumulative_tolls_are_never_added_to_incidents():
    base = [claim("a", "d1", 5), claim("b", "d2", 6)]
    cum = [claim("t1", "d3", 2000, scope="cumulative", claimant="MoH", day=1),
           claim("t2", "d4", 2100, scope="cumulative", claimant="MoH", day=2),
           claim("t3", "d5", 1900, scope="cumulative", claimant="UN", day=2)]
    g0, g1 = run(base), run(base + cum)
    pd.testing.assert_frame_equal(g0.incidents, g1.incidents)
    assert not set(g1.members["claim_id"]) & {"t1", "t2", "t3"}


def test_naive_sum_against_incident_sum():
    rows = [claim("a", "d1", 5), claim("b", "d2", 6), claim("c", "d3", 4), claim("z", "d4", 3, place="Tabqa")]
    g = run(rows)
    inc = int(g.incidents.loc[g.incidents["category"] == "killed", "best"].sum())
    assert (naive_total(pd.DataFrame(rows)), inc) == (18, 8)


def test_undated_claims_are_incidents_of_their_own():
    g = run([claim("a", "d1", 5, published=None), claim("b", "d2", 5, published=None)])
    assert len(g.incidents) == 2 and g.incidents["first_date"].isna().all()


# --- determinism and incremental grouping -------------------------------------------------------------------------


def synthetic(n, seed):
    rnd = random.Random(seed)
    places = list(GAZ)
    rows = []
    for i in range(n):
        best = rnd.choice([0, 1, 2, 3, 5, 8, 13, 30, 100])
        rows.append(claim(f"c{i:04d}", f"d{rnd.randrange(n // 2 + 1)}", best, place=rnd.choice(places),
                          day=rnd.randint(1, 20), category=rnd.choice(["killed", "killed", "injured"]),
                          victim_type=rnd.choice(["civilian", "unknown", "combatant"]),
                          claimant=rnd.choice([None, "SOHR", "SANA", "Amaq"]),
                          claimant_type=rnd.choice(["ngo", "government", "media"])))
    return rows


def test_ids_and_result_do_not_depend_on_row_order():
    rows = synthetic(300, 1)
    a = run(rows)
    shuffled = rows[:]
    random.Random(2).shuffle(shuffled)
    b = run(shuffled)
    pd.testing.assert_frame_equal(a.incidents, b.incidents)
    pd.testing.assert_frame_equal(a.members, b.members)
    assert a.incidents["incident_id"].is_unique and 1 < len(a.incidents) < 300


@hsettings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(1, 199), max_size=6))
def test_incremental_equals_batch(seed, cuts):
    rows = synthetic(200, seed)
    random.Random(seed).shuffle(rows)  # batches arrive out of date order (backfills)
    batch = run(rows)
    idx = IncidentIndex(resolve=resolve)
    bounds = [0, *sorted(set(cuts)), len(rows)]
    for lo, hi in zip(bounds, bounds[1:]):
        idx.add(pd.DataFrame(rows[lo:hi]))
    idx.add(pd.DataFrame(rows[:10]))  # re-ingest of claims already seen changes nothing
    inc = idx.result()
    pd.testing.assert_frame_equal(batch.incidents, inc.incidents)
    pd.testing.assert_frame_equal(batch.members, inc.members)


# --- overrides ----------------------------------------------------------------------------------------------------


def overrides(*rows):
    return pd.DataFrame(rows, columns=["override_id", "kind", "seq", "claim_id", "side"])


def test_split_keeps_claims_apart_through_regrouping_and_new_claims():
    rows = [claim("a", "d1", 5), claim("b", "d2", 6), claim("c", "d3", 5)]
    assert len(run(rows).incidents) == 1
    ov = overrides(("s1", "split", 1, "c", "a"), ("s1", "split", 1, "a", "b"), ("s1", "split", 1, "b", "b"))
    g = run(rows, overrides=ov)
    assert not together(g, "a", "c") and together(g, "a", "b")
    # re-ingest with a new report: the split still holds, and the new claim may join either side
    g2 = run(rows + [claim("n", "d9", 5, place="Idlib")], overrides=ov)
    assert not together(g2, "a", "c") and len(g2.incidents) == 2


def test_merge_joins_incidents_the_rules_kept_apart_and_survives_regrouping():
    rows = [claim("a", "d1", 5), claim("b", "d2", 5, place="Saraqib")]
    ov = overrides(("m1", "merge", 1, "a", None), ("m1", "merge", 1, "b", None))
    g = run(rows, overrides=ov)
    assert len(g.incidents) == 1 and together(g, "a", "b")
    assert g.members.set_index("claim_id").loc["b", "reason"].startswith("merged by an analyst")
    idx = IncidentIndex(overrides=ov, resolve=resolve)
    idx.add(pd.DataFrame(rows[:1]))
    idx.add(pd.DataFrame(rows[1:] + [claim("c", "d3", 6)]))
    assert together(idx.result(), "a", "b")


def test_the_later_of_a_merge_and_a_split_wins():
    rows = [claim("a", "d1", 5), claim("b", "d2", 5)]
    split = [("s", "split", 1, "a", "a"), ("s", "split", 1, "b", "b")]
    merge_later = [("m", "merge", 2, "a", None), ("m", "merge", 2, "b", None)]
    merge_earlier = [("m", "merge", 0, "a", None), ("m", "merge", 0, "b", None)]
    assert together(run(rows, overrides=overrides(*split, *merge_later)), "a", "b")
    assert not together(run(rows, overrides=overrides(*split, *merge_earlier)), "a", "b")
