"""The words a pin is made of: codes stored in the database, labels shown to people (German source,
translated lazily in the request's language)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .i18n import s_l

CATEGORIES = {
    "divided": _l("Hier verläuft eine Glaswand"),
    "missing_meeting_place": _l("Hier fehlt ein Ort der Begegnung"),
    "meeting_place": _l("Hier kommt man gut zusammen"),
}
# Short labels for table headings and map popups (eleven columns on A4; full labels in the legend).
SHORT_CATEGORIES = {"divided": s_l("Glaswand"), "missing_meeting_place": s_l("Ort fehlt"),
                    "meeting_place": s_l("Begegnung")}
# The categories after which the form asks "Was trennt hier?": where people meet well, nothing does.
CATEGORIES_ASKING_WHAT_DIVIDES = ("divided", "missing_meeting_place")

DIMENSIONS = {
    "social": _l("Soziales Miteinander"),
    "generations": _l("Generationen (Jung und Alt)"),
    "origin": _l("Herkunft, Kultur, Sprache"),
    "income": _l("Einkommen"),
    "mobility": _l("Verkehr und Wege (Straßen, Bahn, fehlende Wege oder Busse)"),
    "other": _l("Etwas anderes"),
}

SHORT_DIMENSIONS = {"social": s_l("Soziales"), "generations": s_l("Generationen"), "origin": s_l("Herkunft"),
                    "income": s_l("Geld"), "mobility": s_l("Verkehr"), "other": s_l("Anderes")}

AGE_BANDS = {
    "under_18": _l("unter 18 Jahre"),
    "18_29": _l("18 bis 29 Jahre"),
    "30_49": _l("30 bis 49 Jahre"),
    "50_64": _l("50 bis 64 Jahre"),
    "65_plus": _l("65 Jahre und älter"),
}

YEARS_HERE = {
    "under_2": _l("weniger als 2 Jahre"),
    "2_to_10": _l("2 bis 10 Jahre"),
    "over_10": _l("mehr als 10 Jahre"),
    "always": _l("schon immer"),
}

# Moderation states of a pin's comment; a new pin starts pending.
PIN_STATUSES = ("pending", "published", "hidden")
INITIAL_PIN_STATUS = "pending"
# The states whose comment anyone but a moderator may read (pages, exports): approved ones only.
SHOWN_PIN_STATUSES = ("published",)

# What a moderator can do to a comment, and the status it leaves: redact edits out names, phone
# numbers or addresses and publishes the rest (the original stays only in the audit log).
MODERATION_ACTIONS = {
    "approve": ("published", "Freigeben"),
    "hide": ("hidden", "Verbergen"),
    "redact": ("published", "Schwärzen und freigeben"),
}
PIN_STATUS_LABELS = {"pending": _l("wartet auf Prüfung"), "published": _l("freigegeben"), "hidden": _l("verborgen")}

# Where a pin came from (staff see it: filters, counts, exports): the resident's own device, a
# workshop's join link, or a paper questionnaire typed in by staff (mapserver/paper/).
PIN_SOURCES = {"online": s_l("online"), "workshop": s_l("im Workshop"), "paper": s_l("auf Papier")}

# Where a pin is: 'exact' (set on the map), 'grid' (a paper sheet's grid field, at the field's
# centre: counted in cells and hotspots, left out of the dense clusters, where a stack of sheets
# for one field would be a "cluster" of identical points) or 'district' (chosen from lists, at
# the district's centre; counted per district and municipality, left out of cells, hotspots and
# clusters).
LOCATION_PRECISIONS = ("exact", "grid", "district")

COMMENT_MAX_LENGTH = 1000

# Each dimension's bit in the filter cube's dimension_mask (a pin may name several dimensions).
DIMENSION_BITS = {code: 1 << position for position, code in enumerate(DIMENSIONS)}

# Staff roles; one account may hold several.
ROLES = {
    "planner": "Planung",
    "facilitator": "Moderation von Workshops",
    "moderator": "Moderation von Kommentaren",
    "coordinator": "Koordination des Programms",  # the county's programme staff: answers, projects, actors
    "admin": "Verwaltung",
}

# Step two of the programme: ideas, answers, projects, local actors (mapserver/ideas,
# mapserver/projects, mapserver/actors).
# Where an idea came from: a resident's own device (the municipality page), a workshop (keyed in
# on the presentation by the facilitator, or sent from a phone through the join link), or a
# paper sheet typed in by staff.
IDEA_SOURCES = {"online": s_l("online"), "workshop": s_l("im Workshop"), "paper": s_l("auf Papier")}
# Ideas are moderated like comments: residents' ideas start pending; staff's start published.
IDEA_STATUSES = PIN_STATUSES
IDEA_TITLE_MAX_LENGTH = 120
IDEA_TEXT_MAX_LENGTH = 2000

# The public answer's states, in the order an idea usually passes them; nicht_umsetzbar needs a
# reason (the answer's text).
ANSWER_STATES = {
    "eingegangen": _l("eingegangen"),
    "in_pruefung": _l("in Prüfung"),
    "wird_umgesetzt": _l("wird umgesetzt"),
    "nicht_umsetzbar": _l("nicht umsetzbar"),
    "erledigt": _l("erledigt"),
}
ANSWER_STATES_NEEDING_A_REASON = ("nicht_umsetzbar",)

PROJECT_STATUSES = {
    "geplant": _l("geplant"),
    "laeuft": _l("läuft"),
    "pausiert": _l("pausiert"),
    "abgeschlossen": _l("abgeschlossen"),
    "abgebrochen": _l("abgebrochen"),
}
# Each project is accompanied professionally for one year from its start (by default).
ACCOMPANIMENT_MONTHS = 12

# Local actors and places ("existing resources are to be strengthened and linked").
ACTOR_KINDS = {
    "verein": _l("Verein"),
    "initiative": _l("Initiative"),
    "schule": _l("Schule oder Kita"),
    "kirchengemeinde": _l("Kirchengemeinde"),
    "treffpunkt": _l("Treffpunkt"),
    "verwaltung": _l("Verwaltung"),
    "sonstiges": _l("Sonstiges"),
}

# What the step-two audit log records (every answer and project change).
FOLLOWUP_SUBJECTS = ("idea", "answer", "answer_template", "project", "milestone", "update", "actor")
