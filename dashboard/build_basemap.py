"""Build dashboard/basemap.json, the offline base map drawn under the Map page's points.

Plotly's geo maps fetch their coastlines from a CDN at run time; the dashboard must work offline, so it
draws land and borders itself from this file (a Scattergeo fill and line trace). Source: the npm package
``world-atlas`` 2.0.2 (``countries-110m.json``, Natural Earth 1:110m, public domain; package under the ISC
licence). Get it with ``npm pack world-atlas@2.0.2`` and run::

    python -m dashboard.build_basemap package/countries-110m.json

Coordinates are rounded to 0.1° and repeated points dropped (about 130 kB).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("basemap.json")
STEP = 0.1


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Delta-decoded, de-quantised arcs as (lon, lat) lists."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def _thin(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Round to STEP and drop points that round onto the previous one."""
    out: list[tuple[float, float]] = []
    for lon, lat in points:
        p = (round(round(lon / STEP) * STEP, 1), round(round(lat / STEP) * STEP, 1))
        if not out or p != out[-1]:
            out.append(p)
    return out


def _ring(arcs: list[list[tuple[float, float]]], refs: list[int]) -> list[tuple[float, float]]:
    """A polygon ring from arc references (negative ``~i`` means arc ``i`` reversed)."""
    pts: list[tuple[float, float]] = []
    for r in refs:
        seg = arcs[r] if r >= 0 else arcs[~r][::-1]
        pts.extend(seg if not pts else seg[1:])
    return pts


def _flatten(lines: list[list[tuple[float, float]]]) -> dict[str, list[float | None]]:
    lon: list[float | None] = []
    lat: list[float | None] = []
    for line in lines:
        if len(line) < 2:
            continue
        lon.extend(p[0] for p in line)
        lat.extend(p[1] for p in line)
        lon.append(None)
        lat.append(None)
    return {"lon": lon, "lat": lat}


def build(topojson_path: str) -> dict:
    """Land rings (Antarctica left out) and every arc as a border/coast line."""
    topo = json.loads(Path(topojson_path).read_text(encoding="utf-8"))
    arcs = _decode_arcs(topo)
    land_rings = []
    for geom in topo["objects"]["land"]["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for poly in polys:
            outer = _thin(_ring(arcs, poly[0]))
            if len(outer) >= 4 and min(p[1] for p in outer) > -60:
                land_rings.append(outer)
    lines = [_thin(a) for a in arcs if min(p[1] for p in a) > -60]
    return {
        "source": "world-atlas 2.0.2 countries-110m (Natural Earth, public domain)",
        "land": _flatten(land_rings),
        "lines": _flatten(lines),
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(sys.argv[1]), separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} kB)")
