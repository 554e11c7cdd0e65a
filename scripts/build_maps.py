"""Build the map outlines the site draws (``agreements/data/maps/``) from openly licensed sources.

Run once, by hand, when a source changes; the output is committed and the sources are not.
See ``agreements/data/maps/SOURCES.md`` for what each source is, its licence and how the
four Papua provinces of 2022 are handled.

    python scripts/build_maps.py INDONESIA_JS WORLD_GEOJSON

INDONESIA_JS   ``packages/indonesia/index.js`` of github.com/VictorCazanave/svg-maps
               (MapSVG's map of Indonesia's 34 provinces, CC BY 4.0): one SVG path per
               province, keyed by ISO 3166-2 code, in relative ``m``/``z`` commands.
WORLD_GEOJSON  ``110m/cultural/ne_110m_admin_0_countries.json`` of Natural Earth (public domain),
               e.g. from github.com/martynafford/natural-earth-geojson.

Writes ``indonesia.json`` and ``world.json``: {"viewBox": "...", "shapes": {code: path}}. Each
path is simplified (Douglas–Peucker) and rounded to one decimal of the view box; coordinates
are written relative to the previous *rounded* point, so rounding never drifts.
"""

import csv
import json
import math
import re
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
OUT = BASE / "agreements" / "data" / "maps"
COUNTRIES = BASE / "partners" / "data" / "countries.csv"
TOLERANCE = {"indonesia": 0.35, "world": 0.6}
# The world map: longitude -180..180 and latitude 84..-58 (Antarctica left out), equirectangular.
WORLD_WIDTH, NORTH, SOUTH = 1000.0, 84.0, -58.0


def simplify(points, tolerance):
    """Douglas–Peucker over a closed ring, keeping its first and last point."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        far, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            if length:
                distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length
            else:
                distance = math.hypot(x - x1, y - y1)
            if distance > far:
                far, index = distance, i
        if index is not None and far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def path_of(rings, tolerance, min_size):
    """An SVG path of closed rings (lists of absolute points), each simplified and rounded."""
    parts = []
    previous = (0.0, 0.0)
    for ring in rings:
        xs, ys = [x for x, _y in ring], [y for _x, y in ring]
        if max(xs) - min(xs) < min_size and max(ys) - min(ys) < min_size:
            continue  # an islet smaller than a pixel or so
        ring = simplify(ring, tolerance)
        rounded = []
        for x, y in ring:
            point = (round(x, 1), round(y, 1))
            if not rounded or point != rounded[-1]:
                rounded.append(point)
        if len(rounded) < 3:
            continue
        steps = []
        for x, y in rounded:
            steps.append(f"{x - previous[0]:.1f},{y - previous[1]:.1f}")
            previous = (x, y)
        parts.append("m" + " ".join(steps) + "z")
        previous = rounded[0]  # after "z" the current point is the ring's start
    return "".join(
        part.replace(".0,", ",").replace(".0 ", " ").replace(".0z", "z") for part in parts
    )


def rings_of_relative_path(d):
    """Absolute rings of a path made of relative ``m`` (with implicit line-tos) and ``z``."""
    rings, current, start = [], None, (0.0, 0.0)
    x, y = 0.0, 0.0
    for command, body in re.findall(r"([mz])([^mz]*)", d):
        if command == "z":
            if current:
                rings.append(current)
            current = None
            x, y = start
            continue
        numbers = [float(n) for n in re.findall(r"-?\d*\.?\d+(?:e-?\d+)?", body)]
        pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
        if current:
            rings.append(current)
        x, y = x + pairs[0][0], y + pairs[0][1]
        start = (x, y)
        current = [start]
        for dx, dy in pairs[1:]:
            x, y = x + dx, y + dy
            current.append((x, y))
    if current:
        rings.append(current)
    return rings


def indonesia(source):
    text = Path(source).read_text()
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])
    shapes = {}
    for location in data["locations"]:
        code = location["id"].upper()  # "ID-KI"
        shapes[code] = path_of(
            rings_of_relative_path(location["path"]), TOLERANCE["indonesia"], 0.8
        )
    return {"viewBox": data["viewBox"], "shapes": dict(sorted(shapes.items()))}


def project(lon, lat):
    x = (lon + 180.0) / 360.0 * WORLD_WIDTH
    y = (NORTH - lat) / 360.0 * WORLD_WIDTH
    return x, y


def alpha2_of_alpha3():
    """ISO 3166-1 alpha-3 → alpha-2, from the register's own country list."""
    with COUNTRIES.open(newline="", encoding="utf-8") as handle:
        return {row["alpha3"]: row["code"] for row in csv.DictReader(handle)}


def world(source):
    data = json.loads(Path(source).read_text())
    alpha2 = alpha2_of_alpha3()
    shapes = {}
    for feature in data["features"]:
        props = feature["properties"]
        code = props["ISO_A2"]
        if code == "-99":  # France and Norway, coded by their overseas parts in Natural Earth
            code = alpha2.get(props.get("ADM0_A3"), "-99")
        if code in ("-99", "AQ"):
            continue
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        rings = [[project(lon, lat) for lon, lat in polygon[0]] for polygon in polygons]
        shapes[code] = path_of(rings, TOLERANCE["world"], 1.0)
    height = (NORTH - SOUTH) / 360.0 * WORLD_WIDTH
    return {
        "viewBox": f"0 0 {WORLD_WIDTH:.0f} {height:.0f}",
        "shapes": dict(sorted(shapes.items())),
    }


def main(indonesia_js, world_geojson):
    OUT.mkdir(parents=True, exist_ok=True)
    for name, built in (("indonesia", indonesia(indonesia_js)), ("world", world(world_geojson))):
        target = OUT / f"{name}.json"
        target.write_text(json.dumps(built, separators=(",", ":"), sort_keys=True) + "\n")
        print(f"{target.name}: {len(built['shapes'])} shapes, {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
