"""The chart builders: pure, DataFrame in, Plotly figure out; escaped hover text; an offline map."""
from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts, data, render
from dashboard.i18n import actor_label


def _series() -> pd.DataFrame:
    return pd.DataFrame({
        "period": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 1, 1)],
        "party": ["SDF", "SDF", None],
        "claims": [2, 1, 1], "low": [10, 5, 3], "best": [12, 5, 3], "high": [20, None, 3], "open_high": [0, 1, 0],
    })


def test_time_series_has_a_band_and_a_line_per_party() -> None:
    fig = charts.time_series(data.with_high_shown(_series()), "en", "t")
    lines = [tr for tr in fig.data if tr.mode == "lines+markers"]
    assert sorted(tr.name for tr in lines) == ["(party not stated)", "SDF"]
    bands = [tr for tr in fig.data if tr.fill == "tonexty"]
    assert len(bands) == 2
    sdf_top = next(tr for tr in fig.data if tr.legendgroup == "SDF" and tr.fill is None and tr.mode == "lines")
    assert list(sdf_top.y) == [20, 5]  # the open figure's band reaches at least its best


def test_a_party_seen_in_one_period_gets_whiskers_for_its_range() -> None:
    df = pd.DataFrame({"period": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 1, 1)], "party": ["SDF", "SDF", "RSF"],
                       "claims": [1, 1, 1], "low": [10, 5, 100], "best": [12, 5, 100], "high": [20, 5, 999],
                       "open_high": [0, 0, 0]})
    lines = {tr.name: tr for tr in charts.time_series(data.with_high_shown(df), "en", "t").data
             if tr.mode == "lines+markers"}
    assert list(lines["RSF"].error_y.array) == [899] and list(lines["RSF"].error_y.arrayminus) == [0]
    assert lines["SDF"].error_y.array is None  # two periods: the band shows the range


def test_the_arabic_interface_names_actors_in_arabic() -> None:
    lines = [tr.name for tr in charts.time_series(data.with_high_shown(_series()), "ar", "t").data
             if tr.mode == "lines+markers"]
    assert sorted(lines) == sorted(["(الطرف غير مذكور)", "قوات سوريا الديمقراطية"])
    bars = charts.grouped_bars(pd.DataFrame({"party": ["civilians", "Unlisted Brigade"], "best": [3, 4]}), "ar", "t",
                               x="party", y="best")
    assert list(bars.data[0].x) == ["مدنيون", "Unlisted Brigade"]  # a name the actors file lacks stays as stored
    assert actor_label("Ukrainian General Staff", "ar") == "هيئة الأركان العامة الأوكرانية"  # a claimant
    assert actor_label("Ukrainian General Staff", "en") == "Ukrainian General Staff"


def test_every_actor_has_an_arabic_display_name() -> None:
    import yaml

    from extract.actors import PATH

    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    for a in data["actors"] + data["claimants"]:
        assert any("\u0621" <= ch <= "\u064a" for ch in a.get("name_ar", "")), a["name"]


def test_high_shown_never_below_best() -> None:
    shown = data.with_high_shown(_series())
    assert (shown["high_shown"] >= shown["best"]).all()
    assert list(shown["high_shown"]) == [20, 5, 3]


def test_cumulative_lines_one_per_claimant_with_escaped_quotes() -> None:
    df = data.with_high_shown(pd.DataFrame({
        "claimant": ["SOHR", "SOHR", None], "party": ["civilians", "civilians", None], "country": ["Syria"] * 3,
        "day": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 1, 5)], "claims": [1, 1, 1], "low": [100, 120, 9],
        "best": [100, 130, 9], "high": [100, None, 9], "open_high": [0, 1, 0],
        "quote": ["100 killed", "<b onmouseover=x>130</b> killed", "9 dead"]}))
    fig = charts.cumulative_lines(df, "en", "t")
    assert [tr.name for tr in fig.data] == ["SOHR · civilians · Syria",
                                            "(claimant not stated) · (party not stated) · Syria"]
    sohr = fig.data[0]
    assert list(sohr.y) == [100, 130] and list(sohr.error_y.arrayminus) == [0, 10]
    assert "<b " not in sohr.customdata[1][2] and "&lt;b onmouseover=x&gt;" in sohr.customdata[1][2]
    assert charts.cumulative_lines(df.iloc[0:0], "ar", "t").layout.annotations  # empty: a note, no error
    assert fig.layout.yaxis.type != "log"
    wide = df.assign(best=[100, 130, 60000], low=[100, 120, 60000], high_shown=[100, 130, 60000])
    assert charts.cumulative_lines(wide, "en", "t").layout.yaxis.type == "log"  # tens beside tens of thousands


def test_ranges_whiskers() -> None:
    df = data.with_high_shown(pd.DataFrame({"claimant": ["SOHR", None], "claimant_type": ["ngo", "unknown"],
                                            "low": [10, 4], "best": [12, 4], "high": [20, 4], "open_high": [0, 0]}))
    fig = charts.ranges(df, "ar", "t", by=("claimant",), colour_by="claimant_type")
    sohr = next(tr for tr in fig.data if "المرصد السوري لحقوق الإنسان" in tr.y)  # SOHR, by its Arabic name
    assert list(sohr.error_x.array) == [8] and list(sohr.error_x.arrayminus) == [2]
    assert sohr.name == "منظمة غير حكومية"
    assert any("(الجهة غير مذكورة)" in tr.y for tr in fig.data)


def test_grouped_bars_names_coded_values() -> None:
    df = pd.DataFrame({"party": ["SDF", "SDF", None], "self_reported": [True, False, True], "best": [3, 4, 5]})
    fig = charts.grouped_bars(df, "en", "t", x="party", y="best", colour="self_reported",
                              colour_names={"True": "own", "False": "enemy"})
    assert sorted(tr.name for tr in fig.data) == ["enemy", "own"]
    own = next(tr for tr in fig.data if tr.name == "own")
    assert list(own.x) == ["SDF", "(party not stated)"]


@pytest.mark.parametrize("build", [
    lambda df: charts.time_series(df, "en", "t"),
    lambda df: charts.ranges(df, "en", "t", by=("claimant",)),
    lambda df: charts.grouped_bars(df, "en", "t", x="party", y="best"),
    lambda df: charts.incident_map(df, "en", "t"),
])
def test_empty_frames_give_a_figure(build) -> None:  # type: ignore[no-untyped-def]
    fig = build(pd.DataFrame(columns=["period", "party", "claimant", "low", "best", "high_shown", "open_high",
                                      "lat", "lon", "category"]))
    assert isinstance(fig, go.Figure)


def _places() -> pd.DataFrame:
    return pd.DataFrame({
        "place": ["Idlib", "Gaza"], "country": ["Syria", "Palestine"], "lat": [35.9, 31.5], "lon": [36.6, 34.5],
        "category": ["killed", "injured"], "claims": [3, 1], "low": [10, 2], "best": [12, 2], "high": [None, 2],
        "sentence": ["<img src=x onerror=alert(1)> 12 killed", "2 injured"], "quote": ["12 killed", "2 injured"],
        "claimant": ["SOHR", None], "lang": ["en", "en"],
    })


def test_equipment_keeps_one_colour_per_kind_across_charts() -> None:
    over_time = pd.DataFrame({"period": ["2025-01", "2025-01"], "asset": ["tank", "drone"], "best": [2, 5]})
    by_party = pd.DataFrame({"party": ["RSF", "RSF", "SDF"], "asset": ["drone", "building", "tank"], "best": [1, 2, 3]})
    colours = [{tr.name: tr.marker.color for tr in charts.grouped_bars(df, "en", "t", x=x, y="best", colour="asset",
                                                                        stacked=True).data}
               for df, x in ((over_time, "period"), (by_party, "party"))]
    assert colours[0]["Drones"] == colours[1]["Drones"] and colours[0]["Tanks"] == colours[1]["Tanks"]
    assert len(set(charts.ASSET_COLOURS.values())) == len(charts.ASSET_COLOURS)


def test_map_frame_is_widened_to_a_tall_cluster_of_places() -> None:
    lon0, lon1 = charts._wide_enough(30.0, 40.0, 10.0, 50.0)  # Sudan to Ukraine: far taller than wide
    assert lon0 < 30.0 and lon1 > 40.0 and (lon0 + lon1) / 2 == 35.0 and lon1 - lon0 > 80
    assert charts._wide_enough(-10.0, 60.0, 30.0, 35.0) == [-10.0, 60.0]  # already wide: kept
    fig = charts.incident_map(_places(), "en", "t")
    lon, lat = fig.layout.geo.lonaxis.range, fig.layout.geo.lataxis.range
    assert lon[1] - lon[0] >= lat[1] - lat[0]


def test_map_is_offline_and_escapes_hover_text() -> None:
    fig = charts.incident_map(_places(), "en", "t")
    assert all(isinstance(tr, go.Scattergeo) for tr in fig.data)
    geo = fig.layout.geo
    # no layer that makes plotly.js fetch topojson from a CDN
    assert not any(getattr(geo, f"show{layer}") for layer in ("land", "coastlines", "countries", "ocean", "lakes",
                                                             "rivers", "subunits"))
    assert not any(getattr(tr, "locationmode", None) for tr in fig.data)
    base = fig.data[0]
    assert base.fill == "toself" and len(base.lon) > 1000
    points = [tr for tr in fig.data if tr.mode == "markers"]
    assert sorted(tr.name for tr in points) == ["Injured", "Killed"]
    killed = next(tr for tr in points if tr.name == "Killed")
    assert "&lt;img" in killed.text[0] and "<img" not in killed.text[0]
    assert "12 (10–?)" in killed.text[0]
    injured = next(tr for tr in points if tr.name == "Injured")
    assert killed.marker.size[0] > injured.marker.size[0]


def test_builders_do_not_change_their_input() -> None:
    df = _places()
    before = df.copy()
    charts.incident_map(df, "en", "t")
    pd.testing.assert_frame_equal(df, before)


# ---------------------------------------------------------------- evidence rendering (dashboard/render.py)

def test_highlight_escapes_and_marks() -> None:
    out = render.highlight("<b>5</b> killed & more", [(3, 4, "killed")], "en")
    assert out == '<span dir="ltr">&lt;b&gt;<mark class="tally-fig" data-cat="killed">5</mark>&lt;/b&gt; killed &amp; more</span>'


def test_highlight_skips_bad_and_overlapping_spans() -> None:
    out = render.highlight("abcdef", [(0, 3, "killed"), (2, 4, "injured"), (5, 99, "x"), (4, 4, "y")], "ar")
    assert out.count("<mark") == 1 and out.startswith('<span dir="rtl">')


@pytest.mark.parametrize("url,ok", [
    ("https://example.org/a?b=1", True), ("http://example.org", True), ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False), ("data:text/html,x", False), ("//evil.org", False), ("/relative", False),
    ('https://x.org/"onmouseover="alert(1)', False), (None, False), ("ftp://x.org", False),
])
def test_only_http_links(url: object, ok: bool) -> None:
    assert (render.safe_url(url) is not None) == ok
    assert ('href="' in render.link(url, "t")) == ok


def test_evidence_table_highlights_the_quote_in_its_sentence() -> None:
    row = {"sentence": "قتل 5 عناصر <script>", "quote": "5 عناصر", "category": "killed", "lang": "ar", "best": 5,
           "low": 5, "high": None, "qualifier": "exact", "title": "<i>t</i>", "url": "javascript:x"}
    out = render.evidence_table([row], {k: k for k in ("sentence", "figure", "victims", "claimant", "article")})
    assert '<div dir="rtl">قتل <mark class="tally-fig" data-cat="killed">5 عناصر</mark> &lt;script&gt;</div>' in out
    english = render.evidence_table([{**row, "sentence": "5 killed", "quote": "5", "lang": "en"}],
                                    {k: k for k in ("sentence", "figure", "victims", "claimant", "article")})
    assert "<td class='sent'><div dir=\"ltr\">" in english  # whatever the interface's direction
    assert "5–?" in out and "&lt;i&gt;t&lt;/i&gt;" in out and "javascript" not in out
    assert "· ·" not in out and "· </div>" not in out
    assert "<code" not in out  # no rule recorded: no rule line


def test_evidence_table_names_the_rule_and_what_it_matches() -> None:
    row = {"sentence": "5 killed", "quote": "5 killed", "category": "killed", "lang": "en", "best": 5, "low": 5,
           "high": 5, "rule": "en.number.passive", "rule_doc": '"30 killed" <b>'}
    out = render.evidence_table([row], {k: k for k in ("sentence", "figure", "victims", "claimant", "article", "rule")})
    assert 'rule: <code title="&quot;30 killed&quot; &lt;b&gt;">en.number.passive</code>' in out


def test_article_marks_every_claim() -> None:
    text = "a 5 killed\n\nb 3 injured"
    out = render.article_html(text, [{"start": 2, "end": 10, "category": "killed"},
                                     {"start": 14, "end": 23, "category": "injured"}], "en")
    assert out.count("<mark") == 2 and 'class="tally-article"' in out
