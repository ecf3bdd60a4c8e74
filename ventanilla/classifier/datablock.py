"""Fields of a labelled data block ("Nombre: ...", "Cargo - ...", "Municipio: ...", "Tel: ..."):
the label says which field, the value is normalised like any other."""

from __future__ import annotations

import re

from ventanilla.classifier.entity import ENTE_HEAD
from ventanilla.classifier.layout import Layout
from ventanilla.classifier.normalise import (
    clean_text,
    fold,
    normalise_email,
    normalise_extension,
    normalise_module,
    normalise_phone,
    normalise_state,
    strip_titles,
)
from ventanilla.classifier.sender import person_name

_PHONE_PART = re.compile(r"[\s\d()+.\-]+")
_EXTENSION = re.compile(r"(?:ext|extension|x)\.?\s*[:#]?\s*(\d{1,6})", re.IGNORECASE)
_TV_CONTEXT = re.compile(r"team\s?viewer|\btv\b|\bid\b|remot")


def labelled_name(raw: str) -> str | None:
    """A "Nombre:" value: titles stripped, kept as written even when not capitalised."""
    if len(raw) > 70 or "@" in raw or any(ch.isdigit() for ch in raw):
        return None
    return person_name(raw, 1) or strip_titles(raw) or None


def labelled_fields(layout: Layout) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """The fields of the labelled lines, first value of each field, and the spans of the
    cargo/ente/city values (the module search skips them)."""
    fields: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    for key, start, end in layout.labelled:
        raw = clean_text(layout.text[start:end])
        if not raw:
            continue
        if key == "name":
            value = labelled_name(raw)
        elif key == "ente" and normalise_state(raw, slot=True):
            key, value = "state", normalise_state(raw, slot=True)
        elif key == "city" and ENTE_HEAD.match(fold(raw)):
            key, value = "ente", raw
        elif key == "city":
            city, _, state = raw.partition(",")
            value = clean_text(city)
            if state and "state" not in fields:
                fields["state"] = normalise_state(state, slot=True) or ""
        elif key == "ente":
            head, comma, tail = raw.rpartition(",")
            tail_state = normalise_state(tail, slot=True) if comma and head.strip() else None
            value = clean_text(head) if tail_state else raw
            if tail_state and "state" not in fields:
                fields["state"] = tail_state
        elif key == "cargo":
            value = raw
        elif key == "state":
            value = normalise_state(raw, slot=True)
        elif key == "phone":
            match = _PHONE_PART.match(raw)
            value = normalise_phone(match.group(0)) if match else None
            ext = _EXTENSION.search(fold(raw))
            if value and ext and "phone" not in fields:
                fields["phone_ext"] = normalise_extension(ext.group(1)) or ""
        elif key == "module":
            value = normalise_module(raw)
        elif key == "email":
            value = normalise_email(raw)
        elif key == "teamviewer_password":
            value = raw.split()[0] if _TV_CONTEXT.search(layout.folded) and len(raw.split()) == 1 else None
        else:
            value = None
        if value and key not in fields:
            fields[key] = value
            if key in ("cargo", "ente", "city"):
                spans.append((start, end))
    return {k: v for k, v in fields.items() if v}, spans
