"""A synthetic sender: a coherent person, job, public entity, town, state, phone, email and
SAACG.NET data, drawn from a seeded random generator."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from ventanilla.classifier.corpus import people, places
from ventanilla.classifier.corpus.noise import strip_accents

SUPPORT_PHONE_PREFIX = "33366955"  # the support desk's own lines (33-3669-5550 al 5559)


def slug(text: str) -> str:
    return "".join(c for c in strip_accents(text).lower().replace("ñ", "n") if c.isalnum())


@dataclass(frozen=True)
class Persona:
    female: bool
    name: str  # as the person writes it, no title
    title: str
    cargo: str
    ente: str
    ente_has_state: bool  # the entity's own name names the state
    town: str
    state: places.State
    phone: str  # 10 digits
    phone_ext: str
    email: str
    licence: str
    teamviewer_id: str
    teamviewer_password: str
    version: str


def _phone(rng: random.Random, state: places.State) -> str:
    while True:
        code = rng.choice(state.area_codes)
        number = code + "".join(rng.choice(string.digits) for _ in range(10 - len(code)))
        if not number.startswith(SUPPORT_PHONE_PREFIX) and number[len(code)] != "0":
            return number


def _licence(rng: random.Random, state: places.State) -> str:
    abbr = slug(state.name)[:3].upper()
    alnum = string.ascii_uppercase + string.digits
    shapes = (
        f"SAACG-{abbr}-{rng.randint(1, 9999):04d}",
        f"LIC-{rng.randint(2012, 2024)}-{rng.randint(1, 99999):05d}",
        "-".join("".join(rng.choice(alnum) for _ in range(4)) for _ in range(3)),
        f"MX-{rng.randint(1, 9999):04d}",
        str(rng.randint(100000, 999999)),
        f"SAACG{rng.randint(100, 9999)}",
        f"{abbr}-{rng.randint(1, 999):03d}-{rng.randint(2015, 2024)}",
    )
    licence = rng.choice(shapes)
    if not any(c.isdigit() for c in licence):
        licence += str(rng.randint(1, 9))
    return licence


def _password(rng: random.Random) -> str:
    length = rng.choice((4, 6, 6, 6, 8, 8))
    alphabet = string.ascii_lowercase + string.digits
    pw = "".join(rng.choice(alphabet) for _ in range(length))
    if rng.random() < 0.3:
        pw = pw[0].upper() + pw[1:]
    return pw


def _ente(rng: random.Random, state: places.State, town: str) -> tuple[str, bool]:
    roll = rng.random()
    cdmx = state.name == "Ciudad de México"
    if roll < 0.18:
        template = rng.choice(places.STATE_ENTES)
        ente = template.format(s=state.long_name)
        if cdmx:
            ente = ente.replace("del Estado de Ciudad de México", "de la Ciudad de México").replace(
                "de Ciudad de México", "de la Ciudad de México"
            )
        return ente, True
    if cdmx:
        return rng.choice(("Alcaldía {t}", "Alcaldía de {t}", "Alcaldía {t}, Dirección de Finanzas")).format(
            t=town
        ), False
    if roll < 0.33:
        acronym = "".join(w[0] for w in strip_accents(town).split() if w[0].isupper())
        return rng.choice(places.WATER_ENTES).format(t=town, a=acronym), False
    return rng.choice(places.MUNICIPAL_ENTES).format(t=town), False


def _email(rng: random.Random, first: str, surname: str, town: str) -> str:
    first_slug, surname_slug = slug(first.split()[0]), slug(surname)
    local = rng.choice(
        (
            f"{first_slug}.{surname_slug}",
            f"{first_slug[0]}{surname_slug}",
            f"{first_slug}{surname_slug}{rng.randint(1, 99)}",
            f"contabilidad.{slug(town)}",
            "tesoreria",
            "contabilidad",
            f"{first_slug}_{surname_slug}",
        )
    )
    domain = rng.choice((f"{slug(town)}.gob.mx", f"{slug(town)}.gob.mx", rng.choice(people.MAIL_PROVIDERS)))
    return f"{local}@{domain}"


def make_persona(rng: random.Random, state_name: str | None = None) -> Persona:
    """A random but internally consistent sender; `state_name` pins the state."""
    state = next((s for s in places.STATES if s.name == state_name), None) or rng.choice(places.STATES)
    female = rng.random() < 0.55
    first = rng.choice(people.FEMALE_NAMES if female else people.MALE_NAMES)
    surname1, surname2 = rng.sample(people.SURNAMES, 2)
    name = f"{first} {surname1} {surname2}" if rng.random() < 0.8 else f"{first} {surname1}"
    title = rng.choice(people.FEMALE_TITLES if female else people.MALE_TITLES)
    cargo = rng.choice(people.CARGOS)[1 if female else 0]
    town = rng.choice(state.towns)
    ente, ente_has_state = _ente(rng, state, town)
    ext = rng.choice(
        ("", "", "", str(rng.randint(1, 99)), str(rng.randint(100, 999)), str(rng.randint(1000, 2999)))
    )
    tv_digits = rng.choice((9, 10, 10))
    tv_first = rng.choice("123456789")
    return Persona(
        female=female,
        name=name,
        title=title,
        cargo=cargo,
        ente=ente,
        ente_has_state=ente_has_state,
        town=town,
        state=state,
        phone=_phone(rng, state),
        phone_ext=ext,
        email=_email(rng, first, surname1, town),
        licence=_licence(rng, state),
        teamviewer_id=tv_first + "".join(rng.choice(string.digits) for _ in range(tv_digits - 1)),
        teamviewer_password=_password(rng),
        version=rng.choice(("2023", "2024", "2025", "2025", "2026")),
    )
