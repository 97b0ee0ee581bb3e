"""Filters ↔ URL query parameters (pure), and the interface strings of both languages."""
from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from dashboard import filters
from dashboard.i18n import STRINGS, label, t
from extract.store.db import LIST_FILTERS, Filters


def test_round_trip_of_a_full_view() -> None:
    f = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 3, 31), countries=("Syria",), places=("Idlib",),
                categories=("killed", "injured"), assets=("tank",), parties=("SDF", "civilians"),
                victim_types=("civilian",), claimants=("SOHR",), claimant_types=("ngo",), langs=("ar",),
                scopes=("incident",), exact_only=True, min_confidence=0.6)
    params = filters.to_params(f)
    assert params["from"] == ["2024-01-01"] and params["party"] == ["SDF", "civilians"] and params["exact"] == ["1"]
    assert filters.from_params(params) == f


def test_an_unfiltered_view_has_a_clean_url() -> None:
    assert filters.to_params(Filters()) == {}
    assert filters.from_params({}) == Filters()


def test_unreadable_values_are_ignored() -> None:
    f = filters.from_params({"from": ["yesterday"], "to": ["2024-02-30"], "conf": ["high"], "exact": ["maybe"],
                             "cat": ["killed", "", "killed"]})
    assert f == Filters(categories=("killed",))
    assert filters.from_params({"conf": ["7"]}).min_confidence is None
    assert filters.from_params({"conf": ["0"]}).min_confidence is None


def test_every_filter_has_a_parameter_and_a_label() -> None:
    assert set(LIST_FILTERS) <= set(filters.PARAMS)
    assert len(set(filters.PARAMS.values())) == len(filters.PARAMS)
    assert set(filters.ORDER) == set(LIST_FILTERS)
    for column in LIST_FILTERS.values():
        assert "f_" + column in STRINGS["en"]


text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@given(parties=st.lists(text, max_size=4, unique=True), claimants=st.lists(text, max_size=3, unique=True),
       conf=st.sampled_from([None, 0.05, 0.5, 1.0]), exact=st.booleans())
def test_round_trip_of_arbitrary_values(parties: list[str], claimants: list[str], conf: float | None,
                                        exact: bool) -> None:
    f = Filters(parties=tuple(parties), claimants=tuple(claimants), min_confidence=conf, exact_only=exact)
    assert filters.from_params(filters.to_params(f)) == f


def test_both_languages_have_the_same_keys() -> None:
    assert set(STRINGS["en"]) == set(STRINGS["ar"])


def test_both_languages_have_the_same_placeholders() -> None:
    for key, english in STRINGS["en"].items():
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", STRINGS["ar"][key])), key


def test_arabic_strings_are_arabic() -> None:
    arabic = [k for k, v in STRINGS["ar"].items() if re.search(r"[\u0600-\u06ff]", v)]
    assert len(arabic) > 0.9 * len(STRINGS["ar"])


def test_labels() -> None:
    assert t("n_claims", "ar", n=3) == "3 ادعاءً"
    assert t("page_map", "fr") == "Map"
    assert label("cat", "killed", "ar") == "قتلى"
    assert label("asset", "submarine", "en") == "submarine"
    assert label("cat", None, "en") == "Not known"
