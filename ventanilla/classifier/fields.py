"""Field extraction as a spaCy component (`ventanilla_fields`, result in `doc._.fields`) and as
`extract_fields(text)`: signature, labelled data block and inline cues, each value normalised."""

from __future__ import annotations

import itertools
import re
import threading
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from ventanilla.classifier import contact, entity, places, sender, ticketdata
from ventanilla.classifier.datablock import labelled_fields
from ventanilla.classifier.layout import HEAD_CHARS, Layout, build_layout, cap_text
from ventanilla.classifier.lexicon import ACCENTED, MODULES, NOT_MODULES, WEAK_MODULE_VARIANTS
from ventanilla.classifier.normalise import phone_digits
from ventanilla.classifier.signature import read_letterhead, read_signature

if TYPE_CHECKING:
    from spacy.vocab import Vocab

FACTORY = "ventanilla_fields"
TEXT_KEY = "ventanilla_text"
_MODULE_CUE = re.compile(
    r"(?:(?:modulos?|sistema|submodulo|apartado|pantalla|reporte|catalogo|menu|opcion|cursos?|diplomado"
    r"|taller|capacitacion)\s+(?:de\s+|del\s+|de\s+la\s+|en\s+)?"
    r"|(?:^|[\n.,;:]\s*|\s)en\s+(?:el\s+|la\s+)?)$"
)
_NO_MODULE = "-"


def _variants(phrase: str) -> list[str]:
    options = [sorted({word, ACCENTED.get(word, word)}) for word in phrase.split()]
    return [" ".join(combo) for combo in itertools.product(*options)]


def build_module_matcher(vocab: Vocab, make_doc: Any) -> PhraseMatcher:
    """Module variants (and phrases that only look like one), matched on lower-case tokens."""
    matcher = PhraseMatcher(vocab, attr="LOWER")
    for variant in list(MODULES) + list(NOT_MODULES):
        key = variant if variant in MODULES else _NO_MODULE
        matcher.add(f"{key}", [make_doc(v) for v in _variants(variant)])
    return matcher


class FieldExtractor:
    """The `ventanilla_fields` component: stores a dict of normalised fields in `doc._.fields`."""

    def __init__(self, nlp: Language, name: str = FACTORY) -> None:
        self.name = name
        self._modules = build_module_matcher(nlp.vocab, nlp.make_doc)
        if not Doc.has_extension("fields"):
            Doc.set_extension("fields", default=None)

    def __call__(self, doc: Doc) -> Doc:
        doc._.fields = self.extract(doc)
        return doc

    def extract(self, doc: Doc) -> dict[str, str]:
        # Joining the tokens back is a fifth of the work: a caller that has the text may put it in
        # doc.user_data[TEXT_KEY]; detect_cues(doc) reads it from there too.
        given = doc.user_data.get(TEXT_KEY)
        text = given if isinstance(given, str) else doc.text
        doc.user_data[TEXT_KEY] = text
        layout = build_layout(text)
        found, taken = extract_from_layout(layout)
        if "module" not in found:
            module = self._module(doc, len(text), layout, taken)
            if module:
                found["module"] = module
        return found

    def _module(self, doc: Doc, length: int, layout: Layout, taken: list[tuple[int, int]]) -> str | None:
        """The first module named with a cue ("módulo de ..."), else the first unambiguous one,
        outside the signature and the cargo/ente phrases."""
        limit = min(layout.signature_start, len(layout.text), HEAD_CHARS, length)
        if limit <= 0 or len(doc) == 0:
            return None
        span = doc.char_span(0, limit, alignment_mode="contract") or doc[:0]
        matches = sorted(self._modules(span), key=lambda m: (m[1], -m[2]))
        blocked = [(s, e) for m, s, e in matches if doc.vocab.strings[m] == _NO_MODULE]
        for match_id, start, end in matches:
            key = doc.vocab.strings[match_id]
            if key == _NO_MODULE or any(s <= start and end <= e for s, e in blocked):
                continue
            first, last = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
            if any(first < b and last > a for a, b in taken):
                continue
            if key not in WEAK_MODULE_VARIANTS or _MODULE_CUE.search(
                layout.folded[max(0, first - 30) : first]
            ):
                return MODULES[key]
        return None


def extract_from_layout(layout: Layout) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """Every field but a module without a "Módulo:" label (that one needs the tokens), and the
    offsets of the cargo/ente/city phrases found, which the module search skips."""
    text, folded = layout.text, layout.folded
    fields, spans = labelled_fields(layout)
    signed = _sender_fields(layout, fields, spans)
    found_places = places.find_places(text, folded)
    place = places.pick_state(found_places, layout.signature_start)
    if place:
        fields.setdefault("state", place.state)
        if place.slot and "city" not in fields:
            city = places.city_before(text, folded, place.separator)
            if city:
                fields["city"] = city
    if "city" not in fields:
        for other in found_places:
            city = places.city_before(text, folded, other.separator) if other.slot else None
            if city:
                fields["city"] = city
                break

    for key in ("city", "state"):
        if key in signed and key not in fields:
            fields[key] = signed[key].value
            spans.append((signed[key].start, signed[key].end))
    if "city" not in fields:
        city, state = places.city_by_postcode(text)
        fields["city"] = city or ""
        if state and "state" not in fields:
            fields["state"] = state
    if "state" not in fields and fields.get("ente"):
        fields["state"] = places.state_in_ente(fields["ente"]) or ""
    _ticket_fields(layout, fields)
    if "phone" not in fields:
        phone, extension = contact.find_phones(text, folded, layout.signature_start)
        if phone and phone.value != fields.get("teamviewer_id"):
            fields["phone"] = phone.value
        if extension and "phone_ext" not in fields:
            fields["phone_ext"] = extension
    if "email" not in fields:
        address = contact.find_email(text, [(s, e) for _, s, e in layout.labelled], layout.signature_start)
        if address:
            fields["email"] = address
    return {k: v for k, v in fields.items() if v}, spans


def _sender_fields(
    layout: Layout, fields: dict[str, str], spans: list[tuple[int, int]]
) -> dict[str, entity.Found]:
    """name, cargo, ente (and a city line) from the signature, else from inline phrases."""
    text, folded = layout.text, layout.folded
    signed = read_signature(layout)
    name = signed.get("name") or sender.find_inline_name(text, folded, 0, len(text))
    if name:
        fields.setdefault("name", name.value)
    cargo = signed.get("cargo") or sender.find_cargo(text, folded, 0, len(text))
    if cargo is None and name is not None:
        after = _AFTER_NAME.match(folded, name.end)
        if after:
            cargo = sender.cargo_at(text, folded, after.end())
    if cargo:
        fields.setdefault("cargo", cargo.value)
        spans.append((cargo.start, cargo.end))
    ente = signed.get("ente")
    if ente is None:
        for anchor in (cargo, name):
            after = _ENTE_AFTER.match(folded, anchor.end) if anchor else None
            if after:
                ente = entity.ente_here(text, folded, after.end())
                if ente:
                    break
    if ente is None:
        ente = read_letterhead(layout)
    if ente is None:
        ente = entity.find_ente(text, folded, layout.body_start, len(text), mode="body")
    if ente:
        fields.setdefault("ente", ente.value)
        spans.append((ente.start, ente.end))
    return signed


_AFTER_NAME = re.compile(r"\s*[,(\-–]\s*(?:y\s+)?(?:soy\s+)?(?:el\s+|la\s+)?")
_ENTE_AFTER = re.compile(r"\s*(?:[,(\-–]\s*)?(?:(?:del|de la|de|en el|en la|en)\s+)?(?:la\s+|el\s+)?")


def _ticket_fields(layout: Layout, fields: dict[str, str]) -> None:
    text, folded = layout.text, layout.folded
    licence = ticketdata.find_licence(text, folded)
    if licence and phone_digits(licence) != licence:
        fields["licence"] = licence
    tv = ticketdata.find_teamviewer_id(folded)
    if tv:
        fields["teamviewer_id"] = tv[0]
    password = ticketdata.find_teamviewer_password(text, folded, tv[1] if tv else None)
    if password:
        fields["teamviewer_password"] = password
    version = ticketdata.find_version(folded)
    if version:
        fields["version"] = version
    if ticketdata.find_backup_done(folded):
        fields["backup_done"] = "true"


@Language.factory(FACTORY)
def make_field_extractor(nlp: Language, name: str) -> FieldExtractor:
    return FieldExtractor(nlp, name)


_lock = threading.Lock()
_pipeline: list[Language] = []


def _blank_pipeline() -> Language:
    with _lock:
        if not _pipeline:
            import spacy

            nlp = spacy.blank("es")
            nlp.add_pipe(FACTORY)
            _pipeline.append(nlp)
        return _pipeline[0]


def extract_fields(text: str) -> dict[str, str]:
    """The normalised fields of `text` (the newest part of a request), via a cached blank pipeline."""
    nlp = _blank_pipeline()
    capped = cap_text(text)
    doc = nlp.make_doc(capped)
    doc.user_data[TEXT_KEY] = capped
    result: dict[str, str] = nlp.get_pipe(FACTORY)(doc)._.fields
    return result
