"""Signatures, one-line chat sign-offs and "mis datos" blocks rendered from a persona; each
renderer returns the text and exactly the gold fields that text shows."""

from __future__ import annotations

import random

from ventanilla.classifier.corpus import places
from ventanilla.classifier.corpus.persona import Persona

Rendered = tuple[str, dict[str, str]]


def phone_text(rng: random.Random, number: str, ext: str) -> str:
    """The 10-digit number written in one of the many ways people write it, with its extension."""
    code_len = 2 if number[:2] in ("33", "55", "56", "81") else 3
    code, rest = number[:code_len], number[code_len:]
    half = len(rest) // 2 if code_len == 2 else 3
    a, b = rest[:half], rest[half:]
    body = rng.choice(
        (
            f"({code}) {a}-{b}",
            f"{code} {a} {b}",
            f"+52 1 {code} {a} {b}",
            f"+52 {code} {a} {b}",
            f"01 {code} {a} {b}" if code_len == 3 else f"01 ({code}) {a} {b}",
            f"{number}",
            f"{code}-{a}-{b}",
            f"{code}.{a}.{b}",
            f"({code}){a}{b}",
            f"{code} {rest[:3]} {rest[3:5]} {rest[5:]}",
        )
    )
    if ext:
        body += rng.choice(
            (f" ext. {ext}", f" Ext {ext}", f" extensión {ext}", f" x {ext}", f" Ext. {ext}", f", ext {ext}")
        )
    return body


def tv_id_text(rng: random.Random, tv_id: str) -> str:
    if rng.random() < 0.5:
        return tv_id
    if len(tv_id) == 10:
        return f"{tv_id[0]} {tv_id[1:4]} {tv_id[4:7]} {tv_id[7:]}"
    return f"{tv_id[:3]} {tv_id[3:6]} {tv_id[6:]}"


def _name_line(rng: random.Random, p: Persona) -> tuple[str, str]:
    """The name line (maybe with a title) and the gold name it shows."""
    name = p.name.upper() if rng.random() < 0.15 else p.name
    return (f"{p.title} {name}" if rng.random() < 0.55 else name), name


def _place(rng: random.Random, p: Persona, fields: dict[str, str]) -> str:
    """A town/state line; records city and state when written."""
    state_w = rng.choice(p.state.written)
    fields["city"] = p.town
    if rng.random() < 0.2:
        return p.town
    fields["state"] = p.state.name
    sep = rng.choice((", ", ", ", " ", " - "))
    return f"{p.town}{sep}{state_w}"


def _address(rng: random.Random, p: Persona, fields: dict[str, str]) -> list[str]:
    street = rng.choice(places.STREETS).format(n=rng.randint(1, 2500))
    colonia = rng.choice(places.COLONIAS)
    zip_code = f"C.P. {rng.randint(20000, 99999)}"
    place = _place(rng, p, fields)
    shape = rng.randrange(3)
    if shape == 0:
        return [f"{street}, {colonia}, {zip_code}", place]
    if shape == 1:
        return [f"{street}, {colonia}, {place}, {zip_code}"]
    return [f"{street}, {colonia}", f"{place}. {zip_code}"]


def signature(rng: random.Random, p: Persona, exclude: frozenset[str]) -> Rendered:
    """A multi-line email signature of random structure."""
    fields: dict[str, str] = {}
    lines: list[str] = []
    if "name" not in exclude:
        line, fields["name"] = _name_line(rng, p)
        lines.append(line)
    if "cargo" not in exclude and rng.random() < 0.8:
        lines.append(p.cargo)
        fields["cargo"] = p.cargo
    if "ente" not in exclude and rng.random() < 0.8:
        ente = p.ente.upper() if rng.random() < 0.1 else p.ente
        lines.append(ente)
        fields["ente"] = ente
        if p.ente_has_state and "state" not in exclude:
            fields["state"] = p.state.name
    if not exclude & {"city", "state"}:
        roll = rng.random()
        if roll < 0.4:
            lines.extend(_address(rng, p, fields))
        elif roll < 0.7:
            lines.append(_place(rng, p, fields))
    if "phone" not in exclude and rng.random() < 0.75:
        label = rng.choice(("Tel. ", "Tel: ", "Teléfono: ", "Tel ", "", "Cel. ", "T. ", "Oficina: "))
        lines.append(label + phone_text(rng, p.phone, p.phone_ext))
        fields["phone"] = p.phone
        if p.phone_ext:
            fields["phone_ext"] = p.phone_ext
    if "email" not in exclude and rng.random() < 0.45:
        lines.append(rng.choice(("", "Correo: ", "e-mail: ", "Email: ", "correo electrónico: ")) + p.email)
        fields["email"] = p.email
    if rng.random() < 0.05:
        lines.append(f"RFC: {_rfc(rng)}")
    return "\n".join(lines), fields


def _rfc(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVZ") for _ in range(3))
    born = f"{rng.randint(80, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return f"{letters}{born}{rng.choice('ABCDEF')}{rng.randint(1, 9)}{rng.choice('ABC0123')}"


def chat_signoff(rng: random.Random, p: Persona, exclude: frozenset[str]) -> Rendered:
    """A one-line sign-off as typed in a chat."""
    if "name" in exclude:
        return "", {}
    shape = rng.randrange(4)
    if shape == 0 or exclude & {"cargo", "ente"}:
        return rng.choice(("", "Att. ", "atte ", "- ")) + p.name, {"name": p.name}
    if shape == 1:
        return f"{p.name}, {p.cargo}", {"name": p.name, "cargo": p.cargo}
    if shape == 2:
        fields = {"name": p.name, "ente": p.ente}
        if p.ente_has_state:
            fields["state"] = p.state.name
        return f"{p.name} - {p.ente}", fields
    text = f"{p.name}\n{p.ente}\ntel {phone_text(rng, p.phone, '')}"
    fields = {"name": p.name, "ente": p.ente, "phone": p.phone}
    if p.ente_has_state:
        fields["state"] = p.state.name
    return text, fields


def chat_intro(rng: random.Random, p: Persona, exclude: frozenset[str]) -> Rendered:
    """'Soy ... de ...' at the start of a chat message."""
    if exclude & {"name", "ente"}:
        return "", {}
    fields = {"name": p.name, "ente": p.ente}
    if p.ente_has_state:
        fields["state"] = p.state.name
    text = rng.choice(
        ("soy {n} de {e}", "Soy {n}, de {e}.", "le escribe {n} del {e}", "mi nombre es {n}, {e}")
    )
    return text.format(n=p.name, e=p.ente), fields


def data_block(rng: random.Random, p: Persona, exclude: frozenset[str], offer: frozenset[str]) -> Rendered:
    """A 'Mis datos:' block; `offer` holds the SAACG fields (licence, version, teamviewer) it may add."""
    fields: dict[str, str] = {}
    lines = [
        rng.choice(
            (
                "Mis datos:",
                "Datos del usuario:",
                "Le comparto mis datos:",
                "DATOS:",
                "Mis datos para el registro:",
                "Datos de contacto",
            )
        )
    ]
    sep = rng.choice((": ", ": ", " - ", ":  "))

    def add(key: str, label: str, text: str, value: str, chance: float = 0.85) -> None:
        if key not in exclude and rng.random() < chance:
            lines.append(f"{label}{sep}{text}")
            fields[key] = value

    add("name", "Nombre", p.name, p.name, 1.0)
    add("cargo", "Cargo", p.cargo, p.cargo)
    add("ente", rng.choice(("Ente", "Ente público", "Dependencia", "Ente Público")), p.ente, p.ente)
    if "ente" in fields and p.ente_has_state and "state" not in exclude:
        fields["state"] = p.state.name
    add(
        "phone",
        rng.choice(("Teléfono", "Tel", "Tel.", "Celular")),
        phone_text(rng, p.phone, p.phone_ext),
        p.phone,
    )
    if "phone" in fields and p.phone_ext:
        fields["phone_ext"] = p.phone_ext
    add("city", rng.choice(("Ciudad", "Municipio", "Localidad")), p.town, p.town, 0.7)
    add("state", "Estado", rng.choice(p.state.written), p.state.name, 0.7)
    add("email", rng.choice(("Correo", "E-mail", "Email", "Correo electrónico")), p.email, p.email, 0.6)
    if "licence" in offer:
        add(
            "licence",
            rng.choice(("Licencia", "No. de licencia", "Número de licencia", "Licencia SAACG")),
            p.licence,
            p.licence,
            0.8,
        )
    if "version" in offer:
        add("version", rng.choice(("Versión", "Versión SAACG.NET", "Version")), p.version, p.version, 0.6)
    if "teamviewer" in offer and rng.random() < 0.6:
        add(
            "teamviewer_id",
            rng.choice(("ID TeamViewer", "ID de TeamViewer", "TeamViewer ID")),
            tv_id_text(rng, p.teamviewer_id),
            p.teamviewer_id,
            1.0,
        )
        if "teamviewer_id" in fields:
            add(
                "teamviewer_password",
                rng.choice(("Contraseña", "Contraseña TeamViewer", "Pass", "Clave")),
                p.teamviewer_password,
                p.teamviewer_password,
                0.9,
            )
    return "\n".join(lines), fields
