"""Flags for personal data in comments (mapserver/moderation/flags.py): phone numbers, e-mail
addresses, IBANs, street and house number, names. Random examples from fixed seeds, embedded in
ordinary sentences, must be found with their exact span; ordinary comments must not be flagged."""
from __future__ import annotations

import random

import pytest

from mapserver.moderation import flags
from mapserver.moderation.flags import find, iban_valid

SEEDS = range(8)
BEFORE = ["", "Bitte melden: ", "Hier ist es gefährlich, ", "Kontakt ", "Die Ampel ist kaputt. ", "(", "„"]
AFTER = ["", ".", " danke!", ", bitte zurückrufen", " – schöne Grüße", ")", "“", " in Hameln"]


def _embedded(rng: random.Random, span: str) -> tuple[str, int]:
    before = rng.choice(BEFORE)
    return before + span + rng.choice(AFTER), len(before)


def _assert_found(text: str, start: int, span: str, kind: str) -> None:
    found = [(f.kind, f.start, f.end) for f in find(text)]
    assert (kind, start, start + len(span)) in found, (text, found)


def _phone(rng: random.Random) -> str:
    area = rng.choice(["5151", "5042", "5153", "151", "160", "170", "176", "30", "40", "511", "5154"])
    number = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 8)))
    number = str(rng.randint(1, 9)) + number[1:]
    style = rng.randrange(7)
    if style == 0:
        return f"0{area} {number}"
    if style == 1:
        return f"0{area}/{number}"
    if style == 2:
        return f"0{area}-{number[:3]}-{number[3:]}"
    if style == 3:
        return f"+49 {area} {number}"
    if style == 4:
        return f"+49 (0){area} {number[:2]} {number[2:4]} {number[4:]}"
    if style == 5:
        return f"0049{area}{number}"
    return f"0{area} / {number}"


@pytest.mark.parametrize("seed", SEEDS)
def test_phone_numbers_in_german_formats_are_found(seed):
    rng = random.Random(seed)
    for _ in range(40):
        phone = _phone(rng)
        text, start = _embedded(rng, phone)
        _assert_found(text, start, phone, "phone")


def test_a_number_after_a_word_for_phone_is_found_without_area_code():
    for text, span in [("Tel. 12 34 56", "12 34 56"), ("Handy: 1234567", "1234567"),
                       ("Telefon 55 66 77 bitte", "55 66 77")]:
        _assert_found(text, text.index(span), span, "phone")


@pytest.mark.parametrize("seed", SEEDS)
def test_e_mail_addresses_are_found(seed):
    rng = random.Random(100 + seed)
    for _ in range(30):
        user = rng.choice(["peter", "p.meier", "anna-lena", "info", "k_schulz", "max+karte", "x1"])
        domain = rng.choice(["example.de", "t-online.de", "mail.hameln.de", "gmx.net", "web.de"])
        address = rng.choice(["{u}@{d}", "{u} (at) {d}", "{u}[at]{d}", "{u} @ {d}"]).format(u=user, d=domain)
        if " @ " in address:
            address = address.replace(" @ ", "@")
        text, start = _embedded(rng, address)
        _assert_found(text, start, address, "email")


def _iban(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(18))
    check = 98 - int("".join(str(int(c, 36)) for c in body + "DE00")) % 97
    return f"DE{check:02d}{body}"


@pytest.mark.parametrize("seed", SEEDS)
def test_ibans_with_a_correct_check_sum_are_found_with_or_without_spaces(seed):
    rng = random.Random(200 + seed)
    for _ in range(30):
        iban = _iban(rng)
        assert iban_valid(iban)
        shown = " ".join(iban[i:i + 4] for i in range(0, 22, 4)) if rng.random() < 0.5 else iban
        text, start = _embedded(rng, "IBAN: " + shown)
        _assert_found(text, start + len("IBAN: "), shown, "iban")
        # One digit off: the check sum fails, so it is no IBAN (and no phone number either).
        wrong = iban[:10] + str((int(iban[10]) + 1) % 10) + iban[11:]
        assert not iban_valid(wrong)
        assert [f.kind for f in find("Konto " + wrong)] in ([], ["phone"])


STREETS = ["Hauptstraße", "Bahnhofstr.", "Deisterallee", "Lange Str.", "Hamelner Straße", "Kirchweg", "Am Markt",
           "An der Kirche", "Zum Bahnhof", "Mühlengasse", "Breiter Weg", "Osterstraße", "Im Winkel", "Lindenring"]


@pytest.mark.parametrize("seed", SEEDS)
def test_street_and_house_number_are_found(seed):
    rng = random.Random(300 + seed)
    for _ in range(40):
        address = f"{rng.choice(STREETS)} {rng.randint(1, 199)}{rng.choice(['', '', 'a', 'b'])}"
        before = rng.choice(["Ich wohne ", "Adresse: ", "", "Wir sind in der "])
        text = before + address + rng.choice(["", ".", ", 31785 Hameln", " in Hameln", " und bin oft da"])
        _assert_found(text, len(before), address, "address")


@pytest.mark.parametrize("seed", SEEDS)
def test_names_after_a_title_and_first_name_with_surname_are_found(seed):
    rng = random.Random(400 + seed)
    first_names, surnames = flags.names()
    first_names, surnames = sorted(first_names), sorted(surnames)
    for _ in range(40):
        surname = rng.choice(surnames)
        name = rng.choice([f"Herr {surname}", f"Frau {surname}", f"Herrn {surname}", f"Frau Dr. {surname}",
                           f"Dr. {surname}", f"{rng.choice(first_names)} {surname}", f"Familie {surname}"])
        text, start = _embedded(rng, name)
        _assert_found(text, start, name, "name")


def test_the_names_file_has_a_sensible_size():
    first_names, surnames = flags.names()
    assert 150 <= len(first_names) <= 5000 and 100 <= len(surnames) <= 5000
    assert {"Peter", "Anna", "Hans"} <= first_names and {"Müller", "Schmidt", "Meier"} <= surnames


ORDINARY = [
    "Am Markt fehlt eine Bank", "Der Bus 12 fährt selten", "Tempo 30 auf der Hauptstraße wäre gut",
    "Die Hauptstraße 30 km/h, bitte", "Am Markt 3 Bänke mehr wären schön", "Im Jahr 2020 wurde die Brücke gebaut",
    "Bundesstraße 1 ist viel zu laut", "Der Radweg 2 km weiter endet plötzlich", "31785 Hameln",
    "Am 01.12.2026 um 10:00 war es voll", "Zwischen 7 und 9 Uhr staut es sich", "Linie 20 alle 60 Minuten",
    "Die Sanierung kostet 1.200.000 Euro", "Die Bus-Linie 41 fährt 12 mal am Tag", "Als Frau Angst im Dunkeln",
    "Herr der Ringe läuft im Kino", "Der Spielplatz 2 ist kaputt", "Parkplatz 3 Stunden frei",
    "Ab 18:30 Uhr fährt kein Bus mehr", "Die B 217 ist gefährlich", "Seit 2019 fehlt der Zebrastreifen",
    "In 5 Minuten am Bahnhof", "Etwa 150 Meter ohne Gehweg", "Der Zug um 07:12 ist immer voll",
    "Wir brauchen 20 Stellplätze", "Die Ampel schaltet nach 90 Sekunden", "Es sind 0,5 km bis zur Schule",
    "Am Montag 5 Autos falsch geparkt", "Zur Schule 2 Kilometer zu Fuß", "Die Kreuzung B1/B217 ist unübersichtlich",
    "Der Weg 3 mal so lang wie nötig", "Am Wochenende 10 bis 12 Uhr Markt", "Rund 3000 Menschen pendeln täglich",
    "Die Mauer ist 2 m hoch", "Gleis 2 hat keinen Aufzug", "Haus 4 der Schule ist nicht barrierefrei",
    "Die Straße 5 mal überquert", "Bitte Tempo 50 statt 70", "Der Bus fährt ab 6 Uhr", "Im Winter glatt",
    "Frau mit Kinderwagen kommt nicht durch", "Anna findet den Weg schön", "Peter und ich gehen oft hier",
    "Der Markt ist am Samstag", "Hameln, Pyrmont und Aerzen", "Ein Glaswand-Gefühl an der Kreuzung",
]


def test_ordinary_comments_are_not_flagged():
    assert {text: [(f.kind, f.text) for f in find(text)] for text in ORDINARY if find(text)} == {}


@pytest.mark.parametrize("seed", SEEDS)
def test_random_ordinary_comments_are_not_flagged(seed):
    rng = random.Random(500 + seed)
    templates = ["Der Bus {n} fährt selten", "Tempo {n} auf der Hauptstraße", "Linie {n} kommt alle {m} Minuten",
                 "Hier fehlen {n} Bänke", "Am Markt fehlt seit {y} eine Bank", "Nach {n} Uhr ist es dunkel",
                 "Die Ampel braucht {n} Sekunden", "{n} km bis zum Bahnhof", "Seit {y} keine Änderung",
                 "Am {d}.{mo}.{y} war hier ein Unfall", "Von {n}:{m2} bis {m}:{m2} Uhr Stau",
                 "Bahnhofstraße: {n} km/h sind zu schnell", "{n} Kinder gehen hier täglich zur Schule",
                 "Der Radweg endet nach {n} Metern", "Etwa {big} Autos am Tag"]
    for _ in range(200):
        text = rng.choice(templates).format(
            n=rng.randint(1, 99), m=rng.randint(1, 59), m2=f"{rng.randint(0, 59):02d}", y=rng.randint(1990, 2030),
            d=rng.randint(1, 28), mo=rng.randint(1, 12), big=f"{rng.randint(1, 99)}.{rng.randint(0, 999):03d}")
        assert find(text) == (), (text, find(text))


def test_overlapping_rules_keep_one_flag_the_stronger_kind():
    text = "Konto DE89 3704 0044 0532 0130 00, Mail peter.meier@example.de, Frau Meier, 0151 23456789"
    assert [f.kind for f in find(text)] == ["iban", "email", "name", "phone"]
    assert [f.text for f in find(text)] == ["DE89 3704 0044 0532 0130 00", "peter.meier@example.de", "Frau Meier",
                                           "0151 23456789"]


def test_segments_cut_the_text_at_the_flags_and_add_up_to_it():
    text = "Herr Müller wohnt Hauptstraße 12, Tel. 05151 12345."
    pieces = flags.segments(text, find(text))
    assert "".join(piece for piece, _ in pieces) == text
    assert [(piece, flag.kind) for piece, flag in pieces if flag] == [
        ("Herr Müller", "name"), ("Hauptstraße 12", "address"), ("05151 12345", "phone")]


@pytest.mark.parametrize("text", ["", None, "x", "0", "@", "DE", "Herr", "Am", "🙂 0151 2345678 🙂",
                                  "a" * 1000, "0" * 1000, "Herr " * 200, "@." * 300])
def test_odd_texts_give_no_error(text):
    result = find(text)
    assert isinstance(result, tuple)
    if text == "🙂 0151 2345678 🙂":
        assert [(f.kind, f.start, f.end) for f in result] == [("phone", 2, 14)]
