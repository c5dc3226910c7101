"""The OpenAPI 3.1 description of the API; request schemas come from the pydantic models, so the
document cannot drift from what the server validates."""
from __future__ import annotations

from functools import cache

from ..services.pins import PinSubmission
from ..vocabulary import ANSWER_STATES, CATEGORIES, DIMENSIONS, IDEA_SOURCES, LOCATION_PRECISIONS, PIN_STATUSES

PROBLEM = {"$ref": "#/components/schemas/Problem"}

# What every public number is (services/disclosure.py), said once for each public path.
PUBLIC_NUMBERS = ("Alle öffentlichen Zahlen stammen aus der letzten freigegebenen Auswertung (ein neuer "
                  "öffentlicher Stand erst nach mindestens disclosure.release_min_new_pins neuen Pins) und sind "
                  "nach der Cell-Key-Methode leicht verändert: jede um höchstens disclosure.max_deviation "
                  "(Standard 2), dieselben Pins immer gleich. Zahlen unter k (privacy_k, Standard 5) sind null, "
                  "auch eine 0.")


def _problem_response(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {"schema": PROBLEM}}}


def _geojson_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}}


MUNICIPALITY_PARAMETER = {"name": "municipality", "in": "query", "required": True,
                          "schema": {"type": "string", "pattern": "^[0-9]{8}$"}, "description": "AGS der Gemeinde"}


@cache
def openapi_document() -> dict:
    """The whole document, built once per process."""
    submission_schema = PinSubmission.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = submission_schema.pop("$defs", {})
    pin_schema = {
        "type": "object",
        "required": ["id", "status", "category", "dimensions", "lat", "lon", "created_at", "location_precision",
                     "municipality", "district", "place"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "Die vom Gerät erzeugte UUID des Pins."},
            "status": {"type": "string", "enum": list(PIN_STATUSES),
                       "description": "Moderationsstatus; neue Pins sind `pending`."},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "dimensions": {"type": "array", "items": {"type": "string", "enum": list(DIMENSIONS)}},
            "lat": {"type": "number"}, "lon": {"type": "number"},
            "created_at": {"type": "string", "format": "date-time"},
            "location_precision": {"type": "string", "enum": list(LOCATION_PRECISIONS),
                                   "description": "`exact`: auf der Karte gesetzt; `district`: ohne Karte aus Listen "
                                                  "gewählt, am Mittelpunkt des Ortsteils (zählt für Ortsteil und "
                                                  "Gemeinde, nicht für Raster, Hotspots und Cluster)."},
            "municipality": {"type": "object", "required": ["ags", "name"],
                             "properties": {"ags": {"type": "string", "pattern": "^[0-9]{8}$"},
                                            "name": {"type": "string"}}},
            "district": {"type": ["object", "null"], "required": ["id", "name", "approximate"],
                         "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                        "approximate": {"type": "boolean",
                                                        "description": "true: ungefähre Grenzen (Voronoi-Zelle)."}}},
            "place": {"type": "string", "description": "Der Ort in Worten, wie die Person ihn liest: "
                                                       "„Lauenstein (Salzhemmendorf)“, oder die Gemeinde allein, "
                                                       "wenn der Ortsteil fehlt oder ihren Namen trägt."},
            "edit_url": {"type": ["string", "null"], "format": "uri",
                         "description": "Privater Link, über den die Person ihre Pins ansehen, ändern, löschen "
                                        "und herunterladen kann. Gesetzt in der ersten Antwort und bei einer "
                                        "Wiederholung mit demselben `edit_key`; sonst null. Nur sein Hash wird "
                                        "gespeichert."},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Glaswände API",
            "version": "1.0.0",
            "description": "Finde die Glaswände! – Pins setzen, Gemeinden und Ortsteile lesen. "
                           "Fehler kommen als application/problem+json (RFC 9457) mit deutschen Meldungen.",
        },
        "paths": {
            "/api/pins": {"post": {
                "summary": "Einen Pin setzen",
                "description": "Gemeinde und Ortsteil werden beim Speichern bestimmt. Dieselbe `id` erneut "
                               "gesendet liefert 200 und den gespeicherten Pin, nie ein Duplikat.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/PinSubmission"}}}},
                "responses": {
                    "201": {"description": "Pin gespeichert.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pin"}}}},
                    "200": {"description": "Diese id war schon gespeichert; das ist der gespeicherte Pin.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pin"}}}},
                    "400": _problem_response("Kein gültiges JSON oder kein JSON-Objekt."),
                    "413": _problem_response("Anfrage größer als GLASWAENDE_MAX_CONTENT_LENGTH (Standard 16 KB)."),
                    "415": _problem_response("Content-Type ist nicht application/json."),
                    "422": _problem_response("Felder fehlen, haben den falschen Typ, liegen außerhalb des "
                                             "Wertebereichs, oder der Punkt liegt außerhalb des Landkreises."),
                    "429": _problem_response("Zu viele Pins von diesem Gerät oder dieser Adresse; Retry-After "
                                             "sagt, wann wieder."),
                    "503": _problem_response("Die Datenbank antwortet gerade nicht; Retry-After sagt, wann es "
                                             "erneut versucht werden kann (dieselbe id: kein Duplikat)."),
                },
            }},
            "/api/municipalities": {"get": {
                "summary": "Die Gemeinden des Kreises",
                "responses": {"200": _geojson_response("Gemeinden mit AGS, Name, Einwohnerzahl, Fläche.")},
            }},
            "/api/place": {"get": {
                "summary": "Wo ein Punkt liegt",
                "description": "Gemeinde, Ortsteil und der Ort in Worten, so wie ein dort gesetzter Pin "
                               "eingeordnet würde (das Formular nennt damit den Ort und hält einen Punkt in "
                               "einer anderen Gemeinde an, bevor etwas gesendet wird).",
                "parameters": [{"name": "lat", "in": "query", "required": True,
                                "schema": {"type": "number", "minimum": -90, "maximum": 90}},
                               {"name": "lon", "in": "query", "required": True,
                                "schema": {"type": "number", "minimum": -180, "maximum": 180}}],
                "responses": {
                    "200": {"description": "Der Ort.", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["municipality", "district", "place"],
                        "properties": {"municipality": {"$ref": "#/components/schemas/Pin/properties/municipality"},
                                       "district": {"$ref": "#/components/schemas/Pin/properties/district"},
                                       "place": {"$ref": "#/components/schemas/Pin/properties/place"}}}}}},
                    "422": _problem_response("Keine gültigen Koordinaten, oder der Punkt liegt außerhalb des "
                                             "Landkreises."),
                },
            }},
            "/api/municipalities/{ags}/districts": {"get": {
                "summary": "Die Ortsteile einer Gemeinde",
                "parameters": [{"name": "ags", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[0-9]{8}$"}}],
                "responses": {
                    "200": _geojson_response("Ortsteile; `approximate` = ungefähre Grenzen."),
                    "404": _problem_response("Diese Gemeinde gehört nicht zum Kreis."),
                },
            }},
            "/api/stats/municipalities": {"get": {
                "summary": "Pins je Gemeinde (öffentlich, geschützt)",
                "description": "Ungefiltert, jede Gemeinde. " + PUBLIC_NUMBERS,
                "parameters": [],
                "responses": {"200": {"description": "Zahlen je Gemeinde.", "content": {"application/json": {
                                  "schema": {"$ref": "#/components/schemas/Statistics"}}}},
                              "404": _problem_response("Noch keine Auswertung berechnet."),
                              "422": _problem_response("Filter sind öffentlich nicht erlaubt.")},
            }},
            "/api/stats/districts": {"get": {
                "summary": "Pins je Ortsteil einer Gemeinde (öffentlich, geschützt)",
                "description": "Ungefiltert, jeder Ortsteil (keiner wird weggelassen). " + PUBLIC_NUMBERS,
                "parameters": [MUNICIPALITY_PARAMETER],
                "responses": {"200": {"description": "Zahlen je Ortsteil.", "content": {"application/json": {
                                  "schema": {"$ref": "#/components/schemas/Statistics"}}}},
                              "404": _problem_response("Gemeinde unbekannt oder noch keine Auswertung."),
                              "422": _problem_response("Gemeinde fehlt, oder ein Filter wurde angegeben "
                                                       "(öffentlich nicht erlaubt).")},
            }},
            "/api/hotspots": {"get": {
                "summary": "Sechseck-Zellen mit Hotspot-Klasse und Anzahl (öffentlich, geschützt)",
                "description": "hotspot_class: hot/cold, wenn die Zelle in einem Hotspot bzw. Coldspot der "
                               "räumlichen Scan-Statistik nach Kulldorff liegt (Poisson, Kreise bis max_radius_m, "
                               "Monte-Carlo mit run.replications Zufallsverteilungen, p < 0,05 für den ganzen "
                               "Landkreis), sonst none. confidence: 95 oder 99 (nur bei hot/cold), p_value: die "
                               "Obergrenze seiner Klasse (0,01 oder 0,05), hotspot: seine Nummer, expected_pins: erwartete Pins der Zelle "
                               "(run.baseline: nach Fläche oder Einwohnern, zur veröffentlichten Gesamtzahl). "
                               "Zellen mit weniger als k Pins fehlen, außer in einem Hotspot oder Coldspot (dann "
                               "pins null). " + PUBLIC_NUMBERS,
                "parameters": [MUNICIPALITY_PARAMETER],
                "responses": {"200": _geojson_response("Zellen als GeoJSON."),
                              "404": _problem_response("Gemeinde unbekannt oder noch keine Auswertung."),
                              "422": _problem_response("Gemeinde fehlt, oder ein Filter wurde angegeben "
                                                       "(öffentlich nicht erlaubt).")},
            }},
            "/api/ideas": {"get": {
                "summary": "Veröffentlichte Ideen einer Gemeinde mit der aktuellen öffentlichen Antwort",
                "description": "Nur freigegebene Ideen (Ideen von Bewohnerinnen und Bewohnern erst nach der "
                               "Moderation) und nur veröffentlichte Antworten (ein Entwurf nie); answer ist die "
                               "zuletzt veröffentlichte Antwort oder null. Keine Orte von Pins.",
                "parameters": [MUNICIPALITY_PARAMETER],
                "responses": {"200": {"description": "Die Ideen, neueste zuerst.", "content": {"application/json": {
                                  "schema": {"$ref": "#/components/schemas/IdeaList"}}}},
                              "404": _problem_response("Gemeinde unbekannt."),
                              "422": _problem_response("Gemeinde fehlt oder ist kein achtstelliger AGS.")},
            }},
            "/api/projects": {"get": {
                "summary": "Projekte einer Gemeinde (GeoJSON)",
                "description": "Je Projekt ein Feature: Geometrie ist das Gebiet des Projekts (Umrisse von Ortsteilen "
                               "oder Hotspots, Polygon oder MultiPolygon, oder null), nie ein Punkt eines Pins. "
                               "Eigenschaften: id, title, status (geplant, laeuft, pausiert, abgeschlossen, "
                               "abgebrochen), status_label, progress (0–100), start und accompaniment_end (Datum), "
                               "municipality {ags, name}, districts (Namen), partners (Namen), idea_ids "
                               "(veröffentlichte Ideen), url (die Seite des Projekts).",
                "parameters": [MUNICIPALITY_PARAMETER],
                "responses": {"200": _geojson_response("Die Projekte, neuester Beginn zuerst."),
                              "404": _problem_response("Gemeinde unbekannt."),
                              "422": _problem_response("Gemeinde fehlt oder ist kein achtstelliger AGS.")},
            }},
            "/api/actors": {"get": {
                "summary": "Lokale Akteure und Orte einer Gemeinde (GeoJSON, Ebene „Hier gibt es schon …“)",
                "description": "Vereine, Initiativen, Schulen, Kirchengemeinden, Treffpunkte, von der Koordination "
                               "gepflegt. Je Akteur ein Punkt: sein eigener, sonst die Mitte seines Ortsteils "
                               "(at_district_centre: true); ohne beides fehlt er. Eigenschaften: id, name, kind "
                               "(verein, initiative, schule, kirchengemeinde, treffpunkt, verwaltung, sonstiges), "
                               "kind_label, description, contact (öffentlich), district, at_district_centre.",
                "parameters": [MUNICIPALITY_PARAMETER],
                "responses": {"200": _geojson_response("Die Akteure, nach Name."),
                              "404": _problem_response("Gemeinde unbekannt."),
                              "422": _problem_response("Gemeinde fehlt oder ist kein achtstelliger AGS.")},
            }},
            "/api/openapi.json": {"get": {"summary": "Diese Beschreibung",
                                          "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        },
        "components": {"schemas": {
            **definitions,
            "PinSubmission": submission_schema,
            "Pin": pin_schema,
            "Problem": {
                "type": "object", "required": ["type", "title", "status", "detail", "errors"],
                "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                               "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
                },
            },
            "Counts": {"type": "object", "required": ["key", "name", "pins", "by_category", "by_dimension"],
                       "properties": {
                           "key": {"type": ["string", "integer"]}, "name": {"type": "string"},
                           "pins": {"type": ["integer", "null"], "minimum": 0},
                           "by_category": {"type": "object", "additionalProperties": {"type": ["integer", "null"]}},
                           "by_dimension": {"type": "object", "additionalProperties": {"type": ["integer", "null"]}},
                           "population": {"type": ["integer", "null"]}, "area_km2": {"type": ["number", "null"]},
                           "pins_per_1000_inhabitants": {"type": ["number", "null"]},
                           "pins_per_km2": {"type": ["number", "null"]}}},
            "Statistics": {"type": "object", "required": ["run", "privacy_k"],
                           "properties": {
                               "run": {"type": "object"}, "filter": {"type": "string"},
                               "privacy_k": {"type": "integer"},
                               "disclosure": {"type": "object", "properties": {
                                   "method": {"const": "cell_key"}, "k": {"type": "integer"},
                                   "max_deviation": {"type": "integer"}, "variance": {"type": "number"},
                                   "release_min_new_pins": {"type": "integer"}, "release_min_hours": {"type": "number"},
                                   "note": {"type": "string"}}},
                               "municipalities": {"type": "array", "items": {"$ref": "#/components/schemas/Counts"}},
                               "districts": {"type": "array", "items": {"$ref": "#/components/schemas/Counts"}}}},
            "IdeaList": {"type": "object", "required": ["municipality", "ideas"], "properties": {
                "municipality": {"type": "object", "required": ["ags", "name"],
                                 "properties": {"ags": {"type": "string"}, "name": {"type": "string"}}},
                "ideas": {"type": "array", "items": {"$ref": "#/components/schemas/Idea"}}}},
            "Idea": {"type": "object",
                     "required": ["id", "title", "text", "municipality", "districts", "dimensions", "source",
                                  "workshop_id", "created", "support_count", "answer", "url"],
                     "properties": {
                         "id": {"type": "integer"}, "title": {"type": "string"}, "text": {"type": "string"},
                         "municipality": {"type": "object", "required": ["ags", "name"],
                                          "properties": {"ags": {"type": "string"}, "name": {"type": "string"}}},
                         "districts": {"type": "array", "items": {"type": "object", "required": ["id", "name"],
                                       "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}},
                         "dimensions": {"type": "array", "items": {"type": "string", "enum": list(DIMENSIONS)}},
                         "source": {"type": "string", "enum": list(IDEA_SOURCES)},
                         "workshop_id": {"type": ["integer", "null"]},
                         "created": {"type": "string", "format": "date"},
                         "support_count": {"type": "integer", "minimum": 0,
                                           "description": "Unterstützungen, je Gerät eine."},
                         "answer": {"oneOf": [{"type": "null"}, {
                             "type": "object", "required": ["state", "text", "institution", "published_at"],
                             "properties": {"state": {"type": "string", "enum": list(ANSWER_STATES)},
                                            "text": {"type": "string"}, "institution": {"type": "string"},
                                            "published_at": {"type": "string", "format": "date-time"}}}]},
                         "url": {"type": "string", "format": "uri"}}},
            "FeatureCollection": {"type": "object", "required": ["type", "features"],
                                  "properties": {"type": {"const": "FeatureCollection"},
                                                 "features": {"type": "array"},
                                                 "attribution": {"type": "string"}}},
        }},
    }
