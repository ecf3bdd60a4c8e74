"""Turns one core into one email or chat message: greeting, the request, closing, signature or
data block, noise and, for some emails, quoted or forwarded history. Gold fields follow exactly
what was rendered in the newest part."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ventanilla.bot.model import CONTACT_FIELDS
from ventanilla.classifier.corpus import noise, signatures, wrappers
from ventanilla.classifier.corpus.model import Core, Message
from ventanilla.classifier.corpus.persona import Persona, make_persona, slug

SUPPORT_ADDRESS = "soporte@saacg.example"
# SAACG data a "mis datos" block may add, by label.
OFFERS: dict[str, frozenset[str]] = {
    "technical": frozenset({"licence", "version", "teamviewer"}),
    "normative": frozenset({"licence", "version"}),
    "administrative": frozenset({"licence"}),
    "other": frozenset(),
}
_CUES = {
    "licence": r"licen",
    "version": r"versi|saacg(?:\.net)? ?20|v20",
    "teamviewer": r"teamv|remot|anydesk",
}


@dataclass
class Segment:
    text: str
    fields: dict[str, str]
    typed: bool = True  # typed now by the sender (noise applies), as opposed to a pasted signature


def _offer(core: Core) -> frozenset[str]:
    keep = set()
    for key in OFFERS[core.label]:
        present = key in core.fields or (key == "teamviewer" and "teamviewer_id" in core.fields)
        if not present and not re.search(_CUES[key], core.text, re.IGNORECASE):
            keep.add(key)
    return frozenset(keep)


def _exclude(core: Core) -> frozenset[str]:
    return frozenset(set(core.fields) & set(CONTACT_FIELDS))


def _persona(rng: random.Random, core: Core) -> Persona:
    return make_persona(rng, core.fields.get("state"))


def _email_segments(rng: random.Random, core: Core, p: Persona) -> list[Segment]:
    chat = core.register == "chat"
    segs: list[Segment] = []
    if rng.random() < 0.85:
        segs.append(Segment(rng.choice(wrappers.GREETINGS_CHAT if chat else wrappers.GREETINGS_FORMAL), {}))
    if core.label != "other" and not chat and rng.random() < 0.15:
        segs.append(Segment(rng.choice(wrappers.INTROS), {}))
    segs.append(Segment(core.text, dict(core.fields)))
    if core.label != "other" and rng.random() < 0.05:
        segs.append(Segment(rng.choice(wrappers.ASIDES), {}))
    if rng.random() < 0.75:
        segs.append(Segment(rng.choice(wrappers.CLOSINGS_FORMAL), {}))
    exclude = _exclude(core)
    if "name" not in exclude:
        roll = rng.random()
        if roll < 0.6:
            segs.append(Segment(*signatures.signature(rng, p, exclude), typed=False))
        elif roll < 0.8:
            segs.append(Segment(*signatures.data_block(rng, p, exclude, _offer(core)), typed=False))
        elif roll < 0.9:
            segs.append(Segment(*signatures.chat_signoff(rng, p, exclude), typed=False))
    if rng.random() < 0.1:
        segs.append(Segment(rng.choice(wrappers.DISCLAIMERS), {}, typed=False))
    return segs


def _chat_segments(rng: random.Random, core: Core, p: Persona) -> list[Segment]:
    segs: list[Segment] = []
    exclude = _exclude(core)
    if rng.random() < 0.5:
        segs.append(Segment(rng.choice(wrappers.GREETINGS_CHAT), {}))
    if rng.random() < 0.15:
        segs.append(Segment(*signatures.chat_intro(rng, p, exclude)))
    segs.append(Segment(core.text, dict(core.fields)))
    if rng.random() < 0.4:
        segs.append(Segment(rng.choice(wrappers.CLOSINGS_CHAT), {}))
    roll = rng.random()
    if "name" in exclude or any("name" in s.fields for s in segs):
        pass
    elif roll < 0.25:
        segs.append(Segment(*signatures.chat_signoff(rng, p, exclude), typed=False))
    elif roll < 0.37:
        segs.append(Segment(*signatures.data_block(rng, p, exclude, _offer(core)), typed=False))
    return [s for s in segs if s.text]


def _apply_noise(rng: random.Random, segs: list[Segment], chat: bool) -> None:
    strip = rng.random() < (0.4 if chat else 0.12)
    lower = chat and rng.random() < 0.3
    upper = not lower and rng.random() < 0.04
    typo = rng.random() < (0.35 if chat else 0.22)
    for seg in segs:
        if not seg.typed and not (strip and rng.random() < 0.3):
            continue
        if strip:
            seg.text, seg.fields = noise.charwise(noise.strip_accents, seg.text, seg.fields)
        if not seg.typed:
            continue
        if lower:
            seg.text, seg.fields = noise.charwise(str.lower, seg.text, seg.fields)
        if upper and len(seg.text) > 25:
            seg.text, seg.fields = noise.charwise(str.upper, seg.text, seg.fields)
        if typo and len(seg.text) > 25:
            seg.text = noise.typos(rng, seg.text, seg.fields, rng.randint(1, 3))


def _join(rng: random.Random, segs: Sequence[Segment], chat: bool) -> str:
    if chat:
        sep = rng.choice(("\n", " ", "\n", ", "))
        out = segs[0].text
        for seg in segs[1:]:
            if not seg.typed and "\n" in seg.text:
                out += "\n" + seg.text
            elif sep == ", ":
                out = out.rstrip(".") + sep + seg.text
            else:
                out += sep + seg.text
        return out.strip()
    out = segs[0].text
    for prev, seg in itertools.pairwise(segs):
        tight = (not seg.typed and prev.typed and len(prev.text) < 40) or rng.random() < 0.15
        out += ("\n" if tight else "\n\n") + seg.text
    return out


def _history(rng: random.Random, core: Core, pool: Sequence[Core], subject: str) -> tuple[str, str]:
    """A quoted or forwarded block written by someone else, and the subject prefix to use."""
    other = make_persona(rng)
    if rng.random() < 0.45:
        text, who, address = rng.choice(wrappers.SUPPORT_REPLIES), "Soporte SAACG.NET", SUPPORT_ADDRESS
    else:
        past = rng.choice([c for c in pool if c.id != core.id] or list(pool))
        text = past.text
        if not past.whole:
            sig, _ = signatures.signature(rng, other, frozenset())
            text = f"{rng.choice(wrappers.GREETINGS_FORMAL)}\n\n{past.text}\n\nSaludos\n{sig}"
        who, address = other.name, other.email
    kind = rng.random()
    if kind < 0.4:
        return wrappers.outlook_block(
            rng, who, address, SUPPORT_ADDRESS, subject or "Soporte", text
        ), rng.choice(("RE: ", "RV: ", "RE: RE: "))
    if kind < 0.75:
        return wrappers.gmail_quote(rng, who, address, text), "Re: "
    return wrappers.gmail_forward(
        rng, who, address, "contabilidad@" + slug(other.town) + ".gob.mx", subject or "Soporte", text
    ), rng.choice(("Fwd: ", "FW: ", "RV: "))


def _gold(segs: Sequence[Segment]) -> dict[str, str]:
    gold: dict[str, str] = {}
    for seg in segs:
        for key, value in seg.fields.items():
            gold.setdefault(key, value)
    return gold


def _channel(rng: random.Random, core: Core) -> str:
    share = {"chat": 0.85, "formal": 0.05, "any": 0.0 if core.whole else 0.4}[core.register]
    return "telegram" if rng.random() < share else "email"


def render(core: Core, index: int, seed: int, history_pool: Sequence[Core]) -> Message:
    """The `index`-th rendering of `core`; the same arguments always give the same message."""
    rng = random.Random(f"{seed}:{core.id}:{index}")
    p = _persona(rng, core)
    channel = _channel(rng, core)
    msg_id = f"{core.id}-{index + 1}"
    office = rng.choice(("contabilidad", "tesoreria", "sistemas"))
    sender = (
        ""
        if channel == "telegram"
        else (p.email if rng.random() < 0.75 else f"{office}@{slug(p.town)}.gob.mx")
    )
    if core.whole:
        seg = Segment(core.text, dict(core.fields))
        if rng.random() < 0.15:
            seg.text, seg.fields = noise.charwise(noise.strip_accents, seg.text, seg.fields)
        return Message(
            msg_id,
            channel,
            core.subject if channel == "email" else "",
            seg.text,
            sender,
            core.label,
            seg.fields,
        )
    chat = channel == "telegram"
    segs = _chat_segments(rng, core, p) if chat else _email_segments(rng, core, p)
    _apply_noise(rng, segs, chat)
    body = _join(rng, segs, chat)
    subject = ""
    if not chat:
        subject = (
            core.subject
            if core.subject and rng.random() < 0.8
            else rng.choice(wrappers.GENERIC_SUBJECTS[core.label])
        )
        if rng.random() < 0.08:
            subject = subject.lower()
        if rng.random() < 0.12:
            body = noise.loosen_lines(rng, body)
        if history_pool and rng.random() < 0.35:
            history, prefix = _history(rng, core, history_pool, subject)
            body = f"{body}\n\n{history}"
            subject = prefix + subject
    return Message(msg_id, channel, subject, body, sender, core.label, _gold(segs))
