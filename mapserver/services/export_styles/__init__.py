"""How QGIS shows a planner export (services/exports.py).

- The columns' German titles and value lists, beside the codes the files keep (`divided`,
  `18_29`): `Field` and `Domain`.
- In the GeoPackage, the schema extension's tables: `gpkg_data_columns` (title and description
  of every column; GDAL >= 3.7 reads the name as the field's alternative name) and
  `gpkg_data_column_constraints` (one `enum` per value list, with its German labels: GDAL's coded
  field domains, which GDAL 3.6 reads too).
- A QGIS layer style (QML, from the templates beside this module, filled per dataset) stored as
  the layer's default in `layer_styles`, the table QGIS itself writes: categories, classes,
  value maps and aliases, so that QGIS 3.28 LTR (GDAL 3.6, which reads no aliases from a
  GeoPackage) shows the German titles and labels as well.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ...map_style import CATEGORY_COLOURS, HOTSPOT_COLOURS, HOTSPOT_LABELS, PLANNER_HEXAGONS, SEQUENTIAL

TEMPLATES = Path(__file__).parent
# The key QGIS's value map uses for NULL (QgsValueMapFieldFormatter::NULL_VALUE).
QGIS_NULL = "{2839923C-8B7D-419E-B84B-CA2FE9B80EC7}"
NO_PINS_COLOUR = "#ffffff"

TEXT, INTEGER, REAL, BOOLEAN, DATETIME = "text", "integer", "real", "boolean", "datetime"


@dataclass(frozen=True)
class Domain:
    """A value list: codes with their labels (staff language); null_label names an empty value."""

    name: str
    description: str
    values: dict[str, str]
    null_label: str | None = None

    def label(self, code) -> str | None:
        if code is None:
            return self.null_label
        return self.values.get(code, code)


@dataclass(frozen=True)
class Field:
    """One exported column: its stable name, type, German title and, where its values are codes,
    the value list that labels them."""

    name: str
    kind: str
    alias: str
    description: str = ""
    domain: str | None = None


@dataclass
class StyleRange:
    lower: float
    upper: float
    label: str
    colour: str


@dataclass
class StyleRule:
    filter: str
    label: str
    colour: str
    outline: str = "#000000"
    outline_style: str = "solid"
    outline_width: str = "0.6"
    style: str = "solid"
    alpha: float = 1.0


def qgis_colour(colour: str, alpha: int = 255) -> str:
    """"#b2182b" (or "#000") -> "178,24,43,255", as QGIS writes colours."""
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return ",".join(str(int(value[n:n + 2], 16)) for n in (0, 2, 4)) + f",{alpha}"


_ENVIRONMENT = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                  undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                  keep_trailing_newline=True)
_ENVIRONMENT.filters["qgis_colour"] = qgis_colour


def class_breaks(values: list[float], classes: int = 5) -> list[float]:
    """Upper bounds of quantile classes of the non-zero values (as on the planners' map)."""
    ordered = sorted(v for v in values if v)
    if not ordered:
        return []
    return sorted({ordered[min(len(ordered) - 1, int(len(ordered) * (i + 1) / classes) - 1)] for i in range(classes)})


def pin_ranges(counts: list[int], no_pins: str) -> list[StyleRange]:
    """Classes of pin counts for a graduated style: "no pins" in white, then up to five quantile
    classes in the sequential palette."""
    breaks = class_breaks(counts)
    ranges = [StyleRange(0, 0, no_pins, NO_PINS_COLOUR)]
    lower = 0
    for n, upper in enumerate(breaks):
        colour = SEQUENTIAL[round(n * (len(SEQUENTIAL) - 1) / max(len(breaks) - 1, 1))]
        label = f"{int(lower) + 1}" if int(lower) + 1 == int(upper) else f"{int(lower) + 1} – {int(upper)}"
        ranges.append(StyleRange(lower, upper, label, colour))
        lower = upper
    return ranges


def hotspot_rules(other_cells: str) -> list[StyleRule]:
    """One rule per hotspot class of the map's legend, then every other cell as an outline."""
    rules = []
    for (side, confidence), colour in HOTSPOT_COLOURS.items():
        border = PLANNER_HEXAGONS["borders"][side]
        rules.append(StyleRule(filter=f"\"hotspot_class\" = '{side}' AND \"confidence\" = {confidence}",
                               label=str(HOTSPOT_LABELS[(side, confidence)]), colour=colour,
                               outline=border["color"], outline_style="dash" if border.get("dashArray") else "solid",
                               alpha=PLANNER_HEXAGONS["hotspot_opacity"]))
    rules.append(StyleRule(filter="ELSE", label=other_cells, colour="#ffffff", outline="#8c8c8c",
                           outline_width="0.15", style="no"))
    return rules


def _rule_key(label: str) -> str:
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"glaswaende-style:{label}")) + "}"


def qml(dataset: str, fields: list[Field], domains: dict[str, Domain], **context) -> str:
    """The QGIS layer style of one export (templates `<dataset>.qml`)."""
    template = _ENVIRONMENT.get_template(f"{dataset}.qml")
    return template.render(fields=fields, domains=domains, null_key=QGIS_NULL, category_colours=CATEGORY_COLOURS,
                           rule_key=_rule_key, **context)


# The GeoPackage schema extension's tables as GDAL creates them (GeoPackage 1.2).
_SCHEMA_TABLES = (
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
    "definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))",
    "CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT UNIQUE, "
    "title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
    "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))",
    "CREATE TABLE gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, "
    "value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, "
    "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))",
)
SCHEMA_EXTENSION = "http://www.geopackage.org/spec121/#extension_schema"
# The table QGIS stores layer styles in (QgsOgrProviderUtils::saveStyle), and registers as
# attributes, as QGIS does through GDAL.
_LAYER_STYLES = (
    "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, f_table_catalog TEXT(256), "
    "f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), "
    "styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), "
    "update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)


def _utc_now() -> str:
    """Now as the GeoPackage standard writes a DATETIME (UTC, milliseconds, Z)."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def describe_geopackage(path: Path, layer: str, geometry_column: str, fields: list[Field],
                        domains: dict[str, Domain], style_name: str, style: str, style_description: str) -> None:
    """Add to a GeoPackage GDAL has written: the columns' titles and descriptions, the value
    lists of the coded columns, and the layer style as the layer's default."""
    used = {f.domain for f in fields if f.domain}
    connection = sqlite3.connect(path)
    try:
        with connection:
            for statement in _SCHEMA_TABLES:
                connection.execute(statement)
            connection.executemany(
                "INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')",
                [("gpkg_data_columns", SCHEMA_EXTENSION), ("gpkg_data_column_constraints", SCHEMA_EXTENSION)])
            for name in sorted(used):
                domain = domains[name]
                # GDAL keeps a domain's own description in a row of this name.
                rows = [(f"_{name}_domain_description", "enum", "", domain.description)]
                rows += [(name, "enum", code, label) for code, label in domain.values.items()]
                connection.executemany(
                    "INSERT INTO gpkg_data_column_constraints (constraint_name, constraint_type, value, description) "
                    "VALUES (?, ?, ?, ?)", rows)
            connection.executemany(
                "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description, constraint_name) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(layer, f.name, f.alias, f.alias, f.description or None, f.domain) for f in fields])
            connection.execute(_LAYER_STYLES)
            connection.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                "VALUES ('layer_styles', 'attributes', 'layer_styles', '', ?)", (_utc_now(),))
            connection.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES ('layer_styles', 1)")
            connection.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
                "styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', NULL, ?)",
                (layer, geometry_column, style_name, style, style_description, _utc_now()))
    finally:
        connection.close()
