"""How the maps look, defined once: the palettes, the hotspot classes with their colours and
labels, and how hexagon cells are drawn. Python reads these constants (the planners' folium map,
the poster, the presentation's data); the browser reads the same values from the page's
`data-map-style` attribute (browser_style()). No folium here: services import this module."""
from __future__ import annotations

from .i18n import s_l

# Colour-blind-safe palettes (ColorBrewer RdBu, diverging; viridis, sequential).
# A hotspot is significant at 95 % or 99 %; there is no "tendency" class: below 95 % a place is
# not a hotspot, and the pages say so in words.
HOTSPOT_COLOURS = {
    ("hot", 99): "#b2182b", ("hot", 95): "#ef8a62",
    ("cold", 95): "#67a9cf", ("cold", 99): "#2166ac",
}
# Lazy: translated into the staff language where they are shown (str() them for JSON and files).
HOTSPOT_LABELS = {
    ("hot", 99): s_l("Hotspot, 99 % Konfidenz"), ("hot", 95): s_l("Hotspot, 95 % Konfidenz"),
    ("cold", 95): s_l("Coldspot, 95 % Konfidenz"), ("cold", 99): s_l("Coldspot, 99 % Konfidenz"),
}
# Pins by category in the same diverging colours (the exports' QGIS styles): a glass wall in the
# hotspots' red, a missing meeting place in their orange, a good meeting place in the coldspots' blue.
CATEGORY_COLOURS = {
    "divided": HOTSPOT_COLOURS[("hot", 99)],
    "missing_meeting_place": HOTSPOT_COLOURS[("hot", 95)],
    "meeting_place": HOTSPOT_COLOURS[("cold", 99)],
}
# Every sequential layer runs one way: light = few, dark = many (viridis from yellow to purple).
SEQUENTIAL = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"]
# The heatmap in the same viridis and the same direction (leaflet.heat's default rainbow is not
# colour-blind safe): low density light yellow, high density dark purple.
HEAT_GRADIENT = dict(zip((0.2, 0.4, 0.6, 0.8, 1.0), SEQUENTIAL))

# How hexagon cells are drawn (static/js/hexagons.js draws them from their centres), as Leaflet
# path options. Not by colour alone: hotspots have a solid border, coldspots a dashed one.
# The planners' map: the grid's cells bordered in their own colour, hotspots in black.
PLANNER_HEXAGONS = {
    "grid_opacity": 0.6,
    "hotspot_opacity": 0.75,
    "borders": {"hot": {"color": "#000", "weight": 2}, "cold": {"color": "#000", "weight": 2, "dashArray": "5 4"}},
}
# The projector: stronger fills, hotspots bordered in white, the workshop's live cells in orange.
PRESENTATION_HEXAGONS = {
    "grid_opacity": 0.7,
    "grid_border": {"color": "#333", "weight": 1},
    "hotspot_opacity": 0.85,
    "borders": {"hot": {"color": "#fff", "weight": 2}, "cold": {"color": "#fff", "weight": 2, "dashArray": "6 5"}},
    "live_border": {"color": "#ff6d00", "weight": 6},
}


def hotspot_key(properties: dict) -> tuple[str, int] | None:
    """Which legend entry a cell belongs to (None: in no hotspot or coldspot)."""
    if properties.get("hotspot_class") not in ("hot", "cold") or properties.get("confidence") is None:
        return None
    return properties["hotspot_class"], properties["confidence"]


def hotspot_class_name(key: tuple[str, int]) -> str:
    """A legend entry's name in the browser: ("hot", 99) -> "hot-99"."""
    side, confidence = key
    return f"{side}-{confidence}"


def browser_style() -> dict:
    """What the presentation's script draws with, for its `data-map-style` attribute (JSON)."""
    return {
        "sequential": SEQUENTIAL,
        "heat_gradient": {str(stop): colour for stop, colour in HEAT_GRADIENT.items()},
        "hotspot_colours": {hotspot_class_name(key): colour for key, colour in HOTSPOT_COLOURS.items()},
        "hexagons": PRESENTATION_HEXAGONS,
    }
