"""Demo data for training and a newcomer's first look (`glaswaende demo seed`): a uniform
background of pins over every municipality, compact clusters where a village marks one place
together (geodata/counties/<key>/demo.json), short German comments in every moderation state,
self-descriptions on part of the pins, a workshop and the demo staff account.

Everything is drawn from one random generator seeded with `seed`: the same seed on the same
boundaries and the same day gives the same pins. Demo pins are told from residents' pins by their client id alone
(uuid5 of DEMO_NAMESPACE and the pin's number); every other pin is a real one, and a seeding
leaves real pins alone unless it is told to remove them.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import Connection

from ..db import sql
from ..errors import GlaswaendeError
from ..geo import shape_from_wkb
from ..vocabulary import (AGE_BANDS, CATEGORIES, DIMENSIONS, INITIAL_PIN_STATUS, MODERATION_ACTIONS, PIN_STATUS_LABELS,
                          ROLES)
from . import accounts, workshops

# Never change it: it is how the demo pins of earlier seedings are recognised.
DEMO_NAMESPACE = uuid.UUID("dac7c143-e2a3-577d-a4e0-33e3e0a53b8f")
# Demo pins are numbered from 0; a seeding may plant at most this many (checked).
DEMO_PIN_LIMIT = 50_000
DEFAULT_SEED = 3252

ACCOUNT_NAME = "demo"
ACCOUNT_ROLES = ("planner", "facilitator", "moderator", "coordinator")
PASSWORD_BYTES = 12  # secrets.token_urlsafe: 16 characters

BACKGROUND_PINS_PER_KM2 = 3.0
CLUSTER_PINS = (40, 100)  # per cluster, both included
CLUSTER_SIGMA_M = (100.0, 200.0)  # standard deviation of the normal spread around the site
# A cluster's share of pins with its leading category, and with its leading dimension.
CLUSTER_LEADING_CATEGORY_SHARE = 0.8
CLUSTER_LEADING_DIMENSION_SHARE = 0.85
PERIOD_DAYS = 42  # pins arrive over the last six weeks
CLUSTER_DAYS = 14  # a village marks its place within two weeks (after a meeting, a notice)
# Of the cluster pins in the workshop's municipality, this share was sent through its link that evening.
WORKSHOP_SHARE = 0.3
COMMENT_SHARE = {"background": 0.25, "cluster": 0.5}
SITE_COMMENT_SHARE = 0.7  # of a cluster pin's comments: about the site itself, not a general one
OFF_TOPIC_SHARE = 0.05  # of all comments: what moderators hide
SUFFIX_SHARE = 0.35  # residents repeat each other, but rarely word for word
SELF_DESCRIPTION_SHARE = 0.45
SITE_AGE_BAND_SHARE = 0.6  # of a cluster's self-descriptions: from its age bands, where it names some
# A moderator looks at a comment this many hours after it arrived (within a week); one not yet
# looked at is pending, so the queue holds the last days' comments.
REVIEW_HOURS = (2.0, 168.0)

CATEGORY_WEIGHTS = {"divided": 0.4, "missing_meeting_place": 0.35, "meeting_place": 0.25}
DIMENSION_WEIGHTS = {"social": 0.25, "generations": 0.22, "origin": 0.18, "income": 0.1, "mobility": 0.2, "other": 0.05}
DIMENSION_COUNT_WEIGHTS = (0.25, 0.55, 0.2)  # how many dimensions a pin names: none, one, two
AGE_BAND_WEIGHTS = {"under_18": 0.08, "18_29": 0.17, "30_49": 0.3, "50_64": 0.25, "65_plus": 0.2}
YEARS_HERE_WEIGHTS = {"under_2": 0.12, "2_to_10": 0.3, "over_10": 0.38, "always": 0.2}
# Local hour a pin is sent at: little in the morning, most in the evening.
HOUR_WEIGHTS = {7: 2, 8: 3, 9: 3, 10: 3, 11: 3, 12: 4, 13: 4, 14: 3, 15: 3, 16: 4, 17: 5, 18: 7, 19: 8, 20: 9, 21: 7, 22: 4}
WORKSHOP_EVENING = (dt.time(18, 30), 150)  # start, minutes

# Short, as residents write. By category, then by the pin's first dimension ("": on none in
# particular); a pin without dimensions takes any comment of its category.
COMMENTS = {
    "divided": {
        "mobility": (
            "Die Unterführung am Bahnhof ist abends unheimlich, da geht keiner mehr durch.",
            "Die Bundesstraße teilt den Ort. Rüber kommt man nur an der Ampel, und die ist weit weg.",
            "Nach 19 Uhr fährt kein Bus mehr. Wer kein Auto hat, bleibt zu Hause.",
            "Kein Radweg ins Nachbardorf, die Kinder fahren auf der Landstraße.",
            "Der Bahnübergang ist ständig zu. Die andere Seite vom Ort kennt man kaum.",
            "Der Gehweg hört einfach auf. Mit Rollator oder Kinderwagen kommt man hier nicht weiter.",
            "Ohne Auto ist man hier abgehängt, gerade die Älteren.",
        ),
        "generations": (
            "Die Jugendlichen hängen an der Bushaltestelle rum, weil es sonst nichts gibt. Die Älteren beschweren sich nur.",
            "Im Seniorenkreis sind alle über 70, die Jüngeren kommen nie dazu.",
            "Der Bolzplatz ist abgesperrt, seit sich Anwohner über den Lärm beschwert haben.",
            "Junge Familien und die Alten im Ort reden kaum miteinander.",
            "Für die Jugend wird hier nichts gemacht, und dann wundert man sich, dass alle wegziehen.",
        ),
        "origin": (
            "In der Siedlung wohnen viele Familien aus Syrien und der Ukraine, aber im Verein sieht man sie nie.",
            "Beim Bäcker wird man schief angeguckt, wenn man kein Deutsch spricht.",
            "Die Zugezogenen bleiben unter sich, die Alteingesessenen auch.",
            "Es gibt keinen Ort, wo man einfach mal mit den neuen Nachbarn ins Gespräch kommt.",
            "Meine Nachbarin kommt aus Eritrea, sie kennt nach drei Jahren noch niemanden hier.",
        ),
        "income": (
            "Oben die Einfamilienhäuser, unten die Wohnblocks. Die Kinder spielen nicht zusammen.",
            "Der Vereinsbeitrag ist für viele Familien hier einfach zu hoch.",
            "Seit die Mieten gestiegen sind, ziehen die Jungen weg.",
            "Wer hier im Block wohnt, wird von den anderen nicht ernst genommen.",
        ),
        "social": (
            "Seit Corona trifft man sich nicht mehr. Jeder macht seins.",
            "Hier kennt keiner mehr seine Nachbarn.",
            "Wer nicht im Schützenverein ist, gehört nicht richtig dazu.",
            "In unserer Straße grüßt man sich, aber mehr auch nicht.",
        ),
        "other": (
            "Das Dorffest gibt es nicht mehr, seit sich keiner mehr kümmert.",
            "Die Kirche ist zu, der Laden ist zu. Was bleibt da noch?",
        ),
        "": (
            "Hier ist irgendwie eine unsichtbare Grenze, schwer zu beschreiben.",
            "Auf der einen Straßenseite kennt man sich, auf der anderen nicht.",
        ),
    },
    "missing_meeting_place": {
        "social": (
            "Seit die Gaststätte zu ist, gibt es keinen Ort mehr, wo man sich trifft.",
            "Ein kleines Café wäre schön, wo man ohne Verabredung hingehen kann.",
            "Das Dorfgemeinschaftshaus ist fast immer abgeschlossen.",
            "Früher gab es hier einen Dorfladen, da hat man sich getroffen. Jetzt fehlt das.",
        ),
        "generations": (
            "Für Jugendliche gibt es hier gar nichts, keinen Jugendraum, keinen Bolzplatz.",
            "Eine Bank mit Schatten auf dem Weg zum Friedhof würde vielen Älteren helfen.",
            "Ein Spielplatz, wo auch Eltern und Großeltern gern sitzen, fehlt.",
            "Ein Raum, wo die Jungen den Alten mit dem Handy helfen und umgekehrt. Das wär's.",
        ),
        "origin": (
            "Ein Sprachcafé wäre toll, wo man Deutsch üben und Leute kennenlernen kann.",
            "Wo sollen die neuen Familien Anschluss finden? Es gibt keinen Treffpunkt.",
            "Ein Fest, zu dem alle etwas zu essen mitbringen. Platz wäre hier genug.",
        ),
        "income": (
            "Ein Ort, an dem man sitzen kann, ohne Geld auszugeben. Hier kostet alles was.",
            "Eine Tauschbörse oder ein offener Treff wäre gut für Familien mit wenig Geld.",
        ),
        "mobility": (
            "Eine Mitfahrbank an der Hauptstraße, dann kämen auch Ältere mal in den Nachbarort.",
            "Ein Bürgerbus am Wochenende, dann könnte man auch mal zu Veranstaltungen.",
        ),
        "other": (
            "Hier auf der Wiese könnte man gut einen Treffpunkt machen.",
        ),
        "": (
            "Hier fehlt einfach ein Platz zum Zusammensitzen.",
            "Der leere Laden hier wäre ideal für einen Treffpunkt.",
        ),
    },
    "meeting_place": {
        "social": (
            "Beim Dorffest kommen wirklich alle zusammen, das ist jedes Jahr schön.",
            "Der Wochenmarkt am Samstag ist der Treffpunkt im Ort.",
            "Beim Bäcker morgens erfährt man alles, da treffen sich alle.",
        ),
        "generations": (
            "Im Repair-Café helfen die Jungen den Alten mit dem Handy und die Alten den Jungen mit dem Fahrrad.",
            "Auf dem Spielplatz treffen sich Omas, Papas und Kinder aus allen Straßen.",
        ),
        "origin": (
            "Der interkulturelle Garten ist super, da lernt man sich beim Gärtnern kennen.",
            "Beim Fußball im Verein spielen alle zusammen, egal woher.",
        ),
        "income": (
            "Die Bücherei ist ein guter Ort, da sitzen auch Leute, die sonst nirgends hingehen.",
        ),
        "mobility": (
            "An der Bushaltestelle trifft man immer jemanden, den man kennt.",
        ),
        "other": (
            "Das Gemeindehaus ist offen für alle, die Kirche macht hier viel.",
        ),
        "": (
            "Hier ist es schön, hier trifft man sich gern.",
            "Die Feuerwehr macht hier jedes Jahr ein Fest, da ist der ganze Ort da.",
        ),
    },
}
# Appended now and then, so that the queue does not read like a copy: by category.
SUFFIXES = {
    "divided": (" Schade eigentlich.", " Das war früher anders.", " Da muss sich was tun!", " Geht vielen hier so."),
    "missing_meeting_place": (" Das wäre wirklich schön.", " Ich würde mithelfen.", " Wäre toll, wenn sich da was tut."),
    "meeting_place": (" Davon bräuchten wir mehr!", " Bitte unbedingt erhalten.", " Weiter so!"),
}
# What moderators hide: off-topic, rude, advertising.
OFF_TOPIC_COMMENTS = (
    "Die da oben machen doch eh, was sie wollen!!!",
    "So ein Quatsch, wer hat sich das ausgedacht?",
    "Mein Nachbar ist ein Idiot, der parkt immer vor meiner Einfahrt.",
    "Günstige Solaranlagen gibt es unter www.sonnen-schnaeppchen.example, jetzt anrufen!",
    "test test",
    "asdf",
    "Alles Geldverschwendung.",
    "Wann wird endlich die Hundesteuer abgeschafft?",
    "Wer hat meinen Schlüssel gefunden? Blauer Anhänger, bitte melden.",
    "Das liest doch sowieso niemand.",
    "Verkaufe Kinderfahrrad, 20 Zoll, fast neu. Bei Interesse melden.",
    "!!!!!!!",
    "Schönes Wetter heute.",
)
# Comments with a name, a phone number or an address: never published as they are, they wait for
# a moderator to redact them. Each is used once. The telephone numbers are from the ranges the
# Bundesnetzagentur keeps for fiction (030 23125, 040 66969, 069 90009 …), so nobody is called.
PERSONAL_COMMENTS = (
    "Frau Meyer aus der Lindenstraße organisiert das Seniorencafé, einfach anrufen: 040 66969 412.",
    "Wer beim Sprachcafé mitmachen will: bei Ahmad melden, 030 23125 789.",
    "Herr Schröder vom Ortsrat kümmert sich seit Jahren nicht um den Spielplatz.",
    "Die Familie Kowalski in Nr. 12 lässt ihre Hunde frei laufen, deshalb geht keiner mehr in den Park.",
    "Ich bin Jana Becker und würde gern einen Jugendtreff aufmachen. Meldet euch: jana.becker@example.org",
    "Ruft beim Heimatverein an (Klaus Wiegand, 069 90009 531), die haben einen Raum, der leer steht.",
    "Herr Yılmaz vom Kiosk kennt hier alle, mit dem sollte man reden.",
    "Meine Nummer für den Nachbarschaftskreis: 0221 4710 264 (Petra).",
    "Dr. Hoffmann in der Bahnhofstraße 7 würde ihren Garten für ein Nachbarschaftsfest öffnen.",
    "Bei Fragen zum Mittagstisch: Sabine Krüger, 089 99998 170.",
)
# The moderation action that leaves each status (approve publishes, hide hides).
MODERATION_FOR_STATUS = {status_after: action for action, (status_after, _) in MODERATION_ACTIONS.items()
                         if action != "redact"}


class DemoRefused(GlaswaendeError):
    """The database holds real pins and the seeding was not told to remove them."""

    def __init__(self, real_pins: int):
        super().__init__(
            f"In der Datenbank {'ist' if real_pins == 1 else 'sind'} {real_pins_phrase(real_pins)} (nicht aus "
            "Demodaten). Demodaten gehören in eine eigene Datenbank (make demo nutzt glaswaende_demo). Nichts wurde "
            "geändert. Wenn diese Pins wirklich gelöscht werden sollen, rufen Sie den Befehl mit --force auf.")
        self.real_pins = real_pins


class DemoDataProblem(GlaswaendeError):
    """The county's boundaries or its demo.json do not allow a seeding."""


def german_number(value: float) -> str:
    """2.391, 3,5: as German writes numbers."""
    return format_decimal(value, locale="de_DE")


def real_pins_phrase(n: int) -> str:
    """"1 echter Pin", "12 echte Pins" (nominative)."""
    return f"{german_number(n)} echter Pin" if n == 1 else f"{german_number(n)} echte Pins"


def demo_client_id(number: int) -> uuid.UUID:
    """The client id of demo pin number `number`."""
    return uuid.uuid5(DEMO_NAMESPACE, f"pin/{number}")


@cache
def demo_client_ids() -> tuple[uuid.UUID, ...]:
    """Every client id a demo pin can have."""
    return tuple(demo_client_id(n) for n in range(DEMO_PIN_LIMIT))


@dataclass(frozen=True)
class ClusterSite:
    """A place a village marks together: an Ortsteil's centre, or a point of the border between
    two municipalities (nearest to the midpoint of two Ortsteile, one on each side)."""

    name: str
    category: str
    dimension: str
    comments: tuple[str, ...]
    age_bands: tuple[str, ...] = ()
    municipality_ags: str | None = None
    ortsteil: str | None = None
    border: tuple[str, str] | None = None
    near: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DemoPlaces:
    """What geodata/counties/<key>/demo.json says: the clusters and the workshop."""

    clusters: tuple[ClusterSite, ...] = ()
    workshop_ags: str | None = None  # None: the first active municipality
    workshop_title: str | None = None
    workshop_days_ago: int = 10


def _known(value, vocabulary, what: str, where: str):
    if value not in vocabulary:
        raise DemoDataProblem(f"{where}: unbekannte {what} {value!r} (erlaubt: {', '.join(vocabulary)}).")
    return value


def load_places(geodata_dir: Path, county_key: str) -> DemoPlaces:
    """The county's demo.json; a county without one gets a background and a workshop only."""
    path = geodata_dir / county_key / "demo.json"
    if not path.exists():
        return DemoPlaces()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        clusters = []
        for entry in data.get("clusters", []):
            where = f"{path.name}, Häufung {entry.get('name')!r}"
            if ("ortsteil" in entry) == ("border" in entry):
                raise DemoDataProblem(f"{where}: bitte entweder ortsteil oder border angeben.")
            if "border" in entry and (len(entry["border"]) != 2 or len(entry.get("near", [])) != 2
                                      or [n[0] for n in entry["near"]] != list(entry["border"])):
                raise DemoDataProblem(f"{where}: border nennt zwei Gemeinden, near je einen Ortsteil davon "
                                      "(in derselben Reihenfolge).")
            clusters.append(ClusterSite(
                name=entry["name"],
                category=_known(entry["category"], CATEGORIES, "Kategorie", where),
                dimension=_known(entry["dimension"], DIMENSIONS, "Dimension", where),
                comments=tuple(entry.get("comments", ())),
                age_bands=tuple(_known(a, AGE_BANDS, "Altersgruppe", where) for a in entry.get("age_bands", ())),
                municipality_ags=entry.get("municipality_ags"), ortsteil=entry.get("ortsteil"),
                border=tuple(entry["border"]) if "border" in entry else None,
                near=tuple(tuple(n) for n in entry.get("near", ()))))
        workshop = data.get("workshop", {})
        return DemoPlaces(tuple(clusters), workshop.get("municipality_ags"), workshop.get("title"),
                          int(workshop.get("days_ago", 10)))
    except (KeyError, TypeError, ValueError) as error:
        raise DemoDataProblem(f"{path} ist unvollständig oder kein gültiges JSON: {error}") from None


@dataclass(frozen=True)
class PinCounts:
    demo: int
    real: int


def count_pins(conn: Connection, county_key: str) -> PinCounts:
    """The county's demo pins and real (residents') pins."""
    row = conn.execute(sql("demo/pin_counts"), {"county_key": county_key, "demo_ids": list(demo_client_ids())}).one()
    return PinCounts(row.demo_pins, row.real_pins)


@dataclass
class PlantedCluster:
    name: str
    category: str
    dimension: str
    pins: int
    sigma_m: float
    x: float
    y: float


@dataclass
class SeedReport:
    """What a seeding stored and removed; summary() in German."""

    seed: int
    pins_by_municipality: dict[str, int]  # name -> pins stored there
    background_pins: int
    clusters: list[PlantedCluster]
    comments_by_status: dict[str, int]
    personal_comments: int
    self_descriptions: int
    workshop: dict
    workshop_pins: int
    removed: PinCounts
    removed_runs: int
    account_created: bool
    password: str | None = None  # made here (not given): the caller shows it once
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    @property
    def pins(self) -> int:
        return sum(self.pins_by_municipality.values())

    def summary(self) -> str:
        comments = sum(self.comments_by_status.values())
        states = ", ".join(f"{PIN_STATUS_LABELS[s]} {german_number(n)}" for s, n in self.comments_by_status.items())
        lines = [
            f"Demodaten angelegt (Startwert {self.seed}): {german_number(self.pins)} Pins, "
            f"gesendet vom {format_date(self.first_day, 'dd.MM.yyyy', locale='de')} "
            f"bis {format_date(self.last_day, 'dd.MM.yyyy', locale='de')}.",
            f"  Hintergrund: {german_number(self.background_pins)} Pins, gleichmäßig verteilt "
            f"({german_number(BACKGROUND_PINS_PER_KM2)} je km²).",
        ]
        if self.clusters:
            lines.append(f"  {german_number(len(self.clusters))} Häufungen "
                         f"({german_number(sum(c.pins for c in self.clusters))} Pins):")
            lines += [f"    {c.name}: {german_number(c.pins)} Pins, {CATEGORIES[c.category]} – {DIMENSIONS[c.dimension]}"
                      for c in self.clusters]
        lines += [
            "  Je Gemeinde: " + ", ".join(f"{name} {german_number(n)}" for name, n in self.pins_by_municipality.items()) + ".",
            f"  Kommentare: {german_number(comments)} ({states}); {german_number(self.personal_comments)} davon mit Namen oder "
            "Telefonnummer warten auf das Schwärzen.",
            f"  Freiwillige Angaben (Alter, Wohndauer): {german_number(self.self_descriptions)} Pins.",
            f"  Workshop „{self.workshop['title']}“ am {format_date(self.workshop['held_on'], 'dd.MM.yyyy', locale='de')} "
            f"({self.workshop['municipality_name']}), Code {self.workshop['join_code']}: "
            f"{german_number(self.workshop_pins)} Pins über seinen Link.",
        ]
        removed = [f"{german_number(self.removed.demo)} frühere Demo-Pins"]
        if self.removed.real:
            removed.append(real_pins_phrase(self.removed.real))
        removed.append(f"{german_number(self.removed_runs)} {'Auswertung' if self.removed_runs == 1 else 'Auswertungen'}")
        lines.append("  Entfernt: " + ", ".join(removed) + ".")
        roles = ", ".join(ROLES[r] for r in ACCOUNT_ROLES)
        lines.append(f"  Konto {ACCOUNT_NAME} {'angelegt' if self.account_created else 'erneuert'} ({roles}).")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Municipality:
    ags: str
    name: str
    active: bool
    geom: object  # shapely (Multi)Polygon in metres


def _municipalities(conn: Connection, county_key: str) -> list[_Municipality]:
    rows = conn.execute(sql("demo/municipalities"), {"county_key": county_key}).all()
    return [_Municipality(r.ags, r.name, r.active, shape_from_wkb(r.geom)) for r in rows]


def _site_position(conn: Connection, site: ClusterSite) -> tuple[float, float]:
    if site.border is not None:
        (first_ags, first_ortsteil), (second_ags, second_ortsteil) = site.near
        row = conn.execute(sql("demo/border_site"), {
            "first_ags": first_ags, "second_ags": second_ags,
            "first_ortsteil": first_ortsteil, "second_ortsteil": second_ortsteil}).first()
        if row is None:
            raise DemoDataProblem(f"Häufung {site.name!r}: die Gemeinden {' und '.join(site.border)} haben keine "
                                  "gemeinsame Grenze, oder die Ortsteile fehlen.")
    else:
        row = conn.execute(sql("demo/ortsteil_site"), {"ags": site.municipality_ags, "name": site.ortsteil}).first()
        if row is None:
            raise DemoDataProblem(f"Häufung {site.name!r}: den Ortsteil {site.ortsteil!r} gibt es in der Gemeinde "
                                  f"{site.municipality_ags} nicht. Sind die Grenzen importiert (glaswaende import-boundaries)?")
    return row.x, row.y


@dataclass
class _Pin:
    """One planned pin (coordinates in metres)."""

    x: float
    y: float
    category: str
    dimensions: list[str]
    created_at: dt.datetime
    source: str  # "background" or "cluster"
    comment: str | None = None
    comment_kind: str = "ordinary"  # "ordinary", "off_topic", "personal"
    age_band: str | None = None
    years_here: str | None = None
    in_workshop: bool = False
    status: str = INITIAL_PIN_STATUS
    action: str | None = None
    moderated_at: dt.datetime | None = None


class _Draw:
    """The seeded generator and the choices made from it."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def weighted(self, weights: dict):
        keys = list(weights)
        p = np.array([weights[k] for k in keys], dtype=float)
        return keys[int(self.rng.choice(len(keys), p=p / p.sum()))]

    def one_of(self, values):
        return values[int(self.rng.integers(len(values)))]

    def moment(self, first_day: dt.date, days: int, zone: ZoneInfo) -> dt.datetime:
        """A local time of day on one of `days` days from `first_day`."""
        day = first_day + dt.timedelta(days=int(self.rng.integers(days)))
        return dt.datetime.combine(day, dt.time(self.weighted(HOUR_WEIGHTS), int(self.rng.integers(60)),
                                                int(self.rng.integers(60))), zone)

    def uniform_in(self, polygon, n: int) -> tuple[np.ndarray, np.ndarray]:
        """n points uniformly at random in the polygon (rejection from its bounding box)."""
        shapely.prepare(polygon)
        west, south, east, north = polygon.bounds
        xs, ys, found = [], [], 0
        while found < n:
            x = self.rng.uniform(west, east, 2 * n + 16)
            y = self.rng.uniform(south, north, 2 * n + 16)
            inside = shapely.contains_xy(polygon, x, y)
            xs.append(x[inside])
            ys.append(y[inside])
            found += int(inside.sum())
        return np.concatenate(xs)[:n], np.concatenate(ys)[:n]

    def normal_around(self, x: float, y: float, sigma: float, n: int, within) -> tuple[np.ndarray, np.ndarray]:
        """n points spread normally around (x, y), redrawn where they fall outside `within`."""
        xs, ys, found = [], [], 0
        while found < n:
            px = self.rng.normal(x, sigma, n)
            py = self.rng.normal(y, sigma, n)
            inside = shapely.contains_xy(within, px, py)
            xs.append(px[inside])
            ys.append(py[inside])
            found += int(inside.sum())
        return np.concatenate(xs)[:n], np.concatenate(ys)[:n]

    def dimensions(self, leading: str | None = None) -> list[str]:
        if leading is not None and self.chance(CLUSTER_LEADING_DIMENSION_SHARE):
            chosen = [leading]
            if self.chance(0.2):
                chosen.append(self.weighted({k: w for k, w in DIMENSION_WEIGHTS.items() if k != leading}))
            return chosen
        count = self.weighted(dict(enumerate(DIMENSION_COUNT_WEIGHTS)))
        chosen: list[str] = []
        while len(chosen) < count:
            dimension = self.weighted({k: w for k, w in DIMENSION_WEIGHTS.items() if k not in chosen})
            chosen.append(dimension)
        return chosen

    def general_comment(self, category: str, dimensions: list[str]) -> str:
        """A comment on the pin's category and first dimension; without one, any of the category."""
        pool = COMMENTS[category]
        texts = pool[dimensions[0]] if dimensions and dimensions[0] in pool else tuple(
            text for texts in pool.values() for text in texts)
        text = self.one_of(texts)
        if self.chance(SUFFIX_SHARE):
            text += self.one_of(SUFFIXES[category])
        return text

    def self_description(self, pin: _Pin, age_bands: tuple[str, ...]) -> None:
        if not self.chance(SELF_DESCRIPTION_SHARE):
            return
        which = self.weighted({"both": 0.7, "age": 0.15, "years": 0.15})
        if which in ("both", "age"):
            pin.age_band = (self.one_of(age_bands) if age_bands and self.chance(SITE_AGE_BAND_SHARE)
                            else self.weighted(AGE_BAND_WEIGHTS))
        if which in ("both", "years"):
            pin.years_here = self.weighted(YEARS_HERE_WEIGHTS)


def _plan(draw: _Draw, municipalities: list[_Municipality], sites: list[tuple[ClusterSite, float, float]],
          today: dt.date, zone: ZoneInfo, workshop_ags: str, workshop_day: dt.date
          ) -> tuple[list[_Pin], list[PlantedCluster]]:
    """Every pin up to the end of the day before `today` (and moderated by then): the data depend
    on the seed and the day alone, not on the minute of the run."""
    cutoff = dt.datetime.combine(today, dt.time(), zone)
    first_day = today - dt.timedelta(days=PERIOD_DAYS)
    pins: list[_Pin] = []
    for municipality in municipalities:
        n = round(municipality.geom.area / 1e6 * BACKGROUND_PINS_PER_KM2)
        xs, ys = draw.uniform_in(municipality.geom, n)
        for x, y in zip(xs, ys):
            category = draw.weighted(CATEGORY_WEIGHTS)
            pin = _Pin(float(x), float(y), category, draw.dimensions(), draw.moment(first_day, PERIOD_DAYS, zone),
                       "background")
            if draw.chance(COMMENT_SHARE["background"]):
                pin.comment = draw.general_comment(category, pin.dimensions)
            draw.self_description(pin, ())
            pins.append(pin)

    county = shapely.union_all([m.geom for m in municipalities])
    shapely.prepare(county)
    workshop_area = next(m.geom for m in municipalities if m.ags == workshop_ags)
    shapely.prepare(workshop_area)
    planted = []
    for site, x, y in sites:
        n = int(draw.rng.integers(CLUSTER_PINS[0], CLUSTER_PINS[1] + 1))
        sigma = float(draw.rng.uniform(*CLUSTER_SIGMA_M))
        window_start = today - dt.timedelta(days=int(draw.rng.integers(CLUSTER_DAYS, PERIOD_DAYS + 1)))
        xs, ys = draw.normal_around(x, y, sigma, n, county)
        for px, py in zip(xs, ys):
            leading = draw.chance(CLUSTER_LEADING_CATEGORY_SHARE)
            category = site.category if leading else draw.weighted(CATEGORY_WEIGHTS)
            pin = _Pin(float(px), float(py), category, draw.dimensions(site.dimension if leading else None),
                       draw.moment(window_start, CLUSTER_DAYS, zone), "cluster")
            if draw.chance(COMMENT_SHARE["cluster"]):
                pin.comment = (draw.one_of(site.comments) if leading and site.comments and draw.chance(SITE_COMMENT_SHARE)
                               else draw.general_comment(category, pin.dimensions))
            draw.self_description(pin, site.age_bands)
            if shapely.contains_xy(workshop_area, px, py) and draw.chance(WORKSHOP_SHARE):
                start, minutes = WORKSHOP_EVENING
                pin.created_at = (dt.datetime.combine(workshop_day, start, zone)
                                  + dt.timedelta(minutes=float(draw.rng.uniform(0, minutes))))
                pin.in_workshop = True
            pins.append(pin)
        planted.append(PlantedCluster(site.name, site.category, site.dimension, n, sigma, x, y))

    commented = [pin for pin in pins if pin.comment is not None]
    for pin in commented:
        if draw.chance(OFF_TOPIC_SHARE):
            pin.comment, pin.comment_kind = draw.one_of(OFF_TOPIC_COMMENTS), "off_topic"
    ordinary_background = [i for i, pin in enumerate(pins) if pin.source == "background" and pin.comment_kind == "ordinary"
                           and pin.comment is not None]
    chosen = draw.rng.choice(len(ordinary_background), size=min(len(PERSONAL_COMMENTS), len(ordinary_background)),
                             replace=False)
    for text, position in zip(PERSONAL_COMMENTS, sorted(int(c) for c in chosen)):
        pins[ordinary_background[position]].comment = text
        pins[ordinary_background[position]].comment_kind = "personal"
    for pin in commented:
        if pin.comment_kind == "personal":
            continue  # waits for a moderator to redact it
        looked_at = pin.created_at + dt.timedelta(hours=float(draw.rng.uniform(*REVIEW_HOURS)))
        if looked_at < cutoff:
            pin.status = "hidden" if pin.comment_kind == "off_topic" else "published"
            pin.action = MODERATION_FOR_STATUS[pin.status]
            pin.moderated_at = looked_at
    return pins, planted


def _demo_account(conn: Connection, password: str) -> tuple[accounts.Account, bool]:
    roles = list(ACCOUNT_ROLES)
    account_id = accounts.reset_account(conn, ACCOUNT_NAME, password, roles)
    created = account_id is None
    if created:
        account_id = accounts.create_account(conn, ACCOUNT_NAME, password, roles)
    return accounts.Account(account_id, ACCOUNT_NAME, frozenset(roles)), created


def seed(conn: Connection, county_key: str, geodata_dir: Path, *, seed: int = DEFAULT_SEED,
         today: dt.date | None = None, time_zone: str = "Europe/Berlin", password: str | None = None,
         force: bool = False) -> SeedReport:
    """Replace the county's demo data (pins, workshop, account) with a new seeding, sent over the
    six weeks before `today` (default: today); real pins make it refuse (DemoRefused) unless
    `force`, which removes them too. Run it in one transaction: a refusal or a failure then
    changes nothing."""
    zone = ZoneInfo(time_zone)
    today = today or dt.datetime.now(zone).date()
    counts = count_pins(conn, county_key)
    if counts.real and not force:
        raise DemoRefused(counts.real)
    municipalities = _municipalities(conn, county_key)
    if not municipalities:
        raise DemoDataProblem(f"Für den Kreis {county_key} sind keine Gemeinden importiert. Bitte zuerst "
                              "glaswaende import-boundaries ausführen.")
    places = load_places(geodata_dir, county_key)
    by_ags = {m.ags: m for m in municipalities}
    workshop_ags = places.workshop_ags or next((m.ags for m in municipalities if m.active), municipalities[0].ags)
    if workshop_ags not in by_ags:
        raise DemoDataProblem(f"Die Gemeinde {workshop_ags} des Demo-Workshops gehört nicht zum Kreis {county_key}.")
    sites = [(site, *_site_position(conn, site)) for site in places.clusters]

    made_password = None
    if password is None:
        password = made_password = secrets.token_urlsafe(PASSWORD_BYTES)
    account, created = _demo_account(conn, password)

    removed_row = conn.execute(sql("demo/pins_delete"), {
        "county_key": county_key, "demo_ids": list(demo_client_ids()), "include_real": force}).one()
    removed = PinCounts(removed_row.demo_pins, removed_row.real_pins)
    removed_runs = len(conn.execute(sql("demo/aggregate_runs_delete"), {"county_key": county_key}).all())
    conn.execute(sql("hotspots/orphan_pin_cubes_drop"))
    conn.execute(sql("demo/workshops_delete"), {"account_id": account.id})

    workshop_day = today - dt.timedelta(days=places.workshop_days_ago)
    title = places.workshop_title or f"Glaswände-Werkstatt {by_ags[workshop_ags].name}"
    workshop_id = workshops.create_workshop(conn, county_key, account,
                                            workshops.WorkshopInput(title, workshop_day, workshop_ags, None))

    pins, planted = _plan(_Draw(seed), municipalities, sites, today, zone, workshop_ags, workshop_day)
    if len(pins) > DEMO_PIN_LIMIT:
        raise DemoDataProblem(f"{german_number(len(pins))} Demo-Pins sind mehr als die {german_number(DEMO_PIN_LIMIT)}, "
                              "die sich als Demodaten erkennen lassen.")
    stored = conn.execute(sql("demo/pins_insert"), {
        "client_ids": [demo_client_id(n) for n in range(len(pins))],
        "xs": [p.x for p in pins], "ys": [p.y for p in pins],
        "categories": [p.category for p in pins], "dimensions": [",".join(p.dimensions) for p in pins],
        "comments": [p.comment for p in pins], "age_bands": [p.age_band for p in pins],
        "years_here": [p.years_here for p in pins], "created_at": [p.created_at for p in pins],
        "statuses": [p.status for p in pins], "actions": [p.action for p in pins],
        "moderated_at": [p.moderated_at for p in pins], "in_workshop": [p.in_workshop for p in pins],
        "workshop_id": workshop_id, "actor_id": account.id, "county_key": county_key,
    }).all()
    if sum(r.pins for r in stored) != len(pins):
        raise DemoDataProblem(f"Nur {german_number(sum(r.pins for r in stored))} von {german_number(len(pins))} Demo-Pins liegen "
                              "in einer Gemeinde des Kreises; nichts wurde gespeichert.")

    comments_by_status = {status: 0 for status in PIN_STATUS_LABELS}
    for pin in pins:
        if pin.comment is not None:
            comments_by_status[pin.status] += 1
    return SeedReport(
        seed=seed,
        pins_by_municipality={by_ags[r.municipality_ags].name: r.pins for r in stored},
        background_pins=sum(1 for p in pins if p.source == "background"),
        clusters=planted,
        comments_by_status=comments_by_status,
        personal_comments=sum(1 for p in pins if p.comment_kind == "personal"),
        self_descriptions=sum(1 for p in pins if p.age_band is not None or p.years_here is not None),
        workshop=workshops.workshop(conn, workshop_id),
        workshop_pins=sum(r.workshop_pins for r in stored),
        removed=removed, removed_runs=removed_runs, account_created=created, password=made_password,
        first_day=min(p.created_at for p in pins).astimezone(zone).date(),
        last_day=max(p.created_at for p in pins).astimezone(zone).date(),
    )
