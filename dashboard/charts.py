"""Pure chart builders: a DataFrame (as dashboard.data shapes it) in, a Plotly figure out. No Streamlit, no SQL.

Every builder takes the interface language for its labels and copes with an empty frame (an empty figure
with a note) so that a page never fails on no data.
"""
from __future__ import annotations

import functools
import html
import json
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import actor_label, label, t
from dashboard.render import CATEGORY_COLOURS

BASEMAP = Path(__file__).with_name("basemap.json")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
           "#bcbd22", "#7f7f7f")
FONT = "Noto Sans Arabic, Segoe UI, Tahoma, Arial, sans-serif"
#: One colour per kind of equipment, the same in every chart whatever kinds it holds and in what order.
ASSET_COLOURS = dict(zip(("tank", "armoured_vehicle", "vehicle", "aircraft", "helicopter", "drone", "artillery",
                          "air_defence", "boat", "building", "weapons"), PALETTE + ("#393b79",)))


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(fig: go.Figure, title: str, lang: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": html.escape(title), "x": 1 if lang == "ar" else 0, "xanchor": "right" if lang == "ar" else "left"},
        height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10}, font={"family": FONT},
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0}, hovermode="closest",
    )
    return fig


def _empty(title: str, lang: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=html.escape(t("no_rows", lang)), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, lang, height=260)


def _name(value: object, fallback_key: str, lang: str) -> str:
    """A value as shown: an actor's name in the interface language, a missing value named by ``fallback_key``."""
    return actor_label(value, lang, fallback_key)


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def time_series(df: pd.DataFrame, lang: str, title: str) -> go.Figure:
    """Best figure per period, one line per party, each with a shaded low–high band.

    Columns: period, party, low, best, high_shown (the band's top), open_high (claims with no upper bound).
    """
    if df.empty:
        return _empty(title, lang)
    fig = go.Figure()
    for i, (party, g) in enumerate(df.groupby(df["party"].fillna(""), sort=False)):
        g = g.sort_values("period")
        name = _name(party, "unknown_party", lang)
        colour = _colour(i)
        fig.add_trace(go.Scatter(x=g["period"], y=g["high_shown"], mode="lines", line={"width": 0},
                                 legendgroup=name, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=g["period"], y=g["low"], mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(colour, 0.18), legendgroup=name, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=g["period"], y=g["best"], mode="lines+markers", name=name, legendgroup=name,
            line={"color": colour, "width": 2},
            customdata=list(zip(g["low"], g["high_shown"], g["open_high"])),
            error_y=_whiskers(g, colour) if len(g) == 1 else None,
            hovertemplate=(f"{html.escape(name)}<br>%{{x|%Y-%m-%d}}<br>{t('col_best', lang)}: %{{y:,}}"
                           f"<br>{t('col_range', lang)}: %{{customdata[0]:,}}–%{{customdata[1]:,}}"
                           "<extra></extra>"),
        ))
    fig.update_yaxes(rangemode="tozero", title=t("col_best", lang))
    return _layout(fig, title, lang)


def _whiskers(g: pd.DataFrame, colour: str) -> dict:
    """Low–high whiskers for a party seen in one period only, where a band (an area between two points) cannot
    be drawn."""
    return {"type": "data", "symmetric": False, "array": list(g["high_shown"] - g["best"]),
            "arrayminus": list(g["best"] - g["low"]), "color": colour, "thickness": 1.5, "width": 6}


def cumulative_lines(df: pd.DataFrame, lang: str, title: str) -> go.Figure:
    """Running tolls over time, one line per claimant × party × country (never summed with each other), each
    point with its low–high whisker and the quote it came from.

    Columns: claimant, party, country, day, low, best, high_shown, quote.
    """
    if df.empty:
        return _empty(title, lang)
    fig = go.Figure()
    keys = [df["claimant"].fillna(""), df["party"].fillna(""), df["country"].fillna("")]
    for i, ((claimant, party, country), g) in enumerate(df.groupby(keys, sort=False)):
        g = g.sort_values("day")
        name = " · ".join([_name(claimant, "unknown_claimant", lang), _name(party, "unknown_party", lang),
                           _name(country, "not_known", lang)])
        colour = _colour(i)
        fig.add_trace(go.Scatter(
            x=g["day"], y=g["best"], mode="lines+markers", name=name,
            line={"color": colour, "width": 1, "dash": "dot"},
            marker={"size": 9, "color": colour},
            error_y={"type": "data", "symmetric": False, "array": (g["high_shown"] - g["best"]).clip(lower=0),
                     "arrayminus": (g["best"] - g["low"]).clip(lower=0), "thickness": 1.5, "width": 4},
            customdata=list(zip(g["low"], g["high_shown"], [_wrap(str(q or "")) for q in g["quote"]])),
            hovertemplate=(f"{html.escape(name)}<br>%{{x|%Y-%m-%d}}<br>{t('col_best', lang)}: %{{y:,}}"
                           f"<br>{t('col_range', lang)}: %{{customdata[0]:,}}–%{{customdata[1]:,}}"
                           "<br>%{customdata[2]}<extra></extra>"),
        ))
    best = pd.to_numeric(df["best"], errors="coerce")
    if best.min() > 0 and best.max() >= 100 * best.min():  # tolls of tens beside tolls of tens of thousands
        fig.update_yaxes(type="log", title=t("col_best_log", lang))
    else:
        fig.update_yaxes(rangemode="tozero", title=t("col_best", lang))
    return _layout(fig, title, lang)


def _row_label(row: pd.Series, by: Sequence[str], lang: str) -> str:
    parts = []
    for col in by:
        value = row[col]
        if col == "category":
            parts.append(label("cat", value, lang))
        elif col == "claimant":
            parts.append(_name(value, "unknown_claimant", lang))
        elif col == "party":
            parts.append(_name(value, "unknown_party", lang))
        else:
            parts.append(_name(value, "not_known", lang))
    return " · ".join(parts)


def ranges(df: pd.DataFrame, lang: str, title: str, by: Sequence[str], colour_by: str | None = None) -> go.Figure:
    """Horizontal dot-and-whisker chart: one row per combination of ``by`` (best as the dot, low–high as the
    whisker), one trace per value of ``colour_by``.

    Columns: the ``by`` columns, low, best, high_shown, and ``colour_by`` when given.
    """
    if df.empty:
        return _empty(title, lang)
    df = df.assign(_row=[_row_label(r, by, lang) for _, r in df.iterrows()])
    fig = go.Figure()
    groups = df.groupby(df[colour_by].astype("string").fillna(""), sort=False) if colour_by else [("", df)]
    prefix = {"category": "cat", "claimant_type": "ct", "victim_type": "vt"}.get(colour_by or "")
    for i, (key, g) in enumerate(groups):
        colour = CATEGORY_COLOURS.get(str(key), _colour(i)) if colour_by == "category" else _colour(i)
        name = label(prefix, key, lang) if prefix and key else _name(key, "not_known", lang)
        fig.add_trace(go.Scatter(
            x=g["best"], y=g["_row"], mode="markers", name=name, marker={"size": 11, "color": colour},
            error_x={"type": "data", "symmetric": False, "array": (g["high_shown"] - g["best"]).clip(lower=0),
                     "arrayminus": (g["best"] - g["low"]).clip(lower=0), "thickness": 2, "width": 6},
            customdata=list(zip(g["low"], g["high_shown"])),
            hovertemplate=(f"%{{y}}<br>{t('col_best', lang)}: %{{x:,}}<br>{t('col_range', lang)}: "
                           "%{customdata[0]:,}–%{customdata[1]:,}<extra>" + html.escape(name) + "</extra>"),
            showlegend=bool(colour_by),
        ))
    fig.update_xaxes(rangemode="tozero", title=t("col_best", lang))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, title, lang, height=max(300, 90 + 30 * df["_row"].nunique()))


def grouped_bars(df: pd.DataFrame, lang: str, title: str, x: str, y: str, colour: str | None = None,
                 colour_names: dict[str, str] | None = None, stacked: bool = False,
                 x_names: dict[str, str] | None = None) -> go.Figure:
    """Bars of ``y`` per ``x``, one series per value of ``colour``; ``colour_names`` and ``x_names`` give
    display names to coded values. A missing party or value is named as such, never dropped.
    Without ``colour``: one series, no legend."""
    if df.empty:
        return _empty(title, lang)
    fig = go.Figure()
    groups = df.groupby(df[colour].astype("string").fillna(""), sort=False) if colour else [("", df)]
    for i, (key, g) in enumerate(groups):
        name = (colour_names or {}).get(key) or (label("asset", key, lang) if colour == "asset" and key
                                                  else _name(key, "not_known", lang))
        fig.add_trace(go.Bar(
            x=g[x] if x == "period" else [(x_names or {}).get(v, _name(v, "unknown_party", lang)) for v in g[x]],
            y=g[y], name=name,
            marker={"color": {"category": CATEGORY_COLOURS, "asset": ASSET_COLOURS}.get(colour or "", {}).get(key, _colour(i))},
            hovertemplate=f"%{{x}}<br>{html.escape(name)}: %{{y:,}}<extra></extra>",
        ))
    fig.update_layout(barmode="stack" if stacked else "group", showlegend=bool(colour))
    fig.update_yaxes(rangemode="tozero", title=t("col_best", lang) if y == "best" else t("col_claims", lang))
    return _layout(fig, title, lang)


@functools.cache
def _basemap() -> dict:
    return json.loads(BASEMAP.read_text(encoding="utf-8"))


#: Width over height of the map's frame (the page's width, 560 px high): the places' box is widened to it.
MAP_ASPECT = 2.0


def _wide_enough(lon0: float, lon1: float, lat0: float, lat1: float, aspect: float = MAP_ASPECT) -> list[float]:
    """A longitude range around [lon0, lon1] at least ``aspect`` times as wide as [lat0, lat1] is tall on a Mercator
    map, so that a tall cluster of places (Ukraine to Sudan) fills the frame instead of a narrow strip of it."""
    def y(lat: float) -> float:
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))
    need = aspect * (y(lat1) - y(lat0))
    if lon1 - lon0 >= need:
        return [lon0, lon1]
    mid = (lon0 + lon1) / 2
    return [max(mid - need / 2, -180.0), min(mid + need / 2, 180.0)]


def incident_map(df: pd.DataFrame, lang: str, title: str) -> go.Figure:
    """Incidents on an offline geo map: land and borders drawn from dashboard/basemap.json (no tiles, no CDN),
    one marker per place × category sized by best and coloured by category, with the evidence on hover.

    Columns: place, country, lat, lon, category, claims, low, best, high, sentence, quote, claimant.
    """
    base = _basemap()
    fig = go.Figure()
    fig.add_trace(go.Scattergeo(lon=base["land"]["lon"], lat=base["land"]["lat"], mode="lines", fill="toself",
                                fillcolor="#eceae4", line={"width": 0}, hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scattergeo(lon=base["lines"]["lon"], lat=base["lines"]["lat"], mode="lines",
                                line={"width": 0.6, "color": "#9a9a9a"}, hoverinfo="skip", showlegend=False))
    if not df.empty:
        top = max(float(df["best"].max()), 1.0)
        for cat, g in df.groupby("category", sort=False):
            sizes = (8 + 40 * (g["best"].clip(lower=0) / top) ** 0.5).round(1)
            hover = [
                f"<b>{html.escape(_name(r.place, 'not_known', lang))}</b> ({html.escape(_name(r.country, 'not_known', lang))})"
                f"<br>{html.escape(label('cat', cat, lang))}: {int(r.best):,} "
                f"({int(r.low):,}–{'?' if pd.isna(r.high) else f'{int(r.high):,}'}), "
                f"{int(r.claims)} {html.escape(t('col_claims', lang))}"
                f"<br>{html.escape(_name(r.claimant, 'unknown_claimant', lang))}: «{_wrap(str(r.quote))}»"
                f"<br><i>{_wrap(str(r.sentence))}</i>"
                for r in g.itertuples()
            ]
            fig.add_trace(go.Scattergeo(
                lon=g["lon"], lat=g["lat"], mode="markers", name=label("cat", cat, lang),
                marker={"size": sizes, "color": CATEGORY_COLOURS.get(cat, "#333"), "opacity": 0.75,
                        "line": {"width": 0.5, "color": "white"}},
                text=hover, hovertemplate="%{text}<extra></extra>",
            ))
    geo = {"showland": False, "showcoastlines": False, "showcountries": False, "showocean": False,
           "showlakes": False, "showrivers": False, "showframe": False, "bgcolor": "#dfe9f2",
           "projection": {"type": "natural earth"}}
    if not df.empty:
        pad = 3.0
        lat0, lat1 = max(float(df["lat"].min()) - pad, -80.0), min(float(df["lat"].max()) + pad, 80.0)
        geo["lonaxis"] = {"range": _wide_enough(float(df["lon"].min()) - pad, float(df["lon"].max()) + pad, lat0, lat1)}
        geo["lataxis"] = {"range": [lat0, lat1]}
        geo["projection"] = {"type": "mercator"}
    fig.update_layout(geo=geo)
    return _layout(fig, title, lang, height=560)


def _wrap(text: str, width: int = 80, limit: int = 320) -> str:
    """A long sentence shortened, escaped and broken into lines for a hover box."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "<br>".join(html.escape(text[i:i + width]) for i in range(0, len(text), width))
