"""The two record types of the corpus: a hand-written request core and a rendered message,
with loading and serialisation of their JSON Lines files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ventanilla.bot.errors import InvalidInput
from ventanilla.bot.model import FIELDS, LABELS

CORE_FILES: tuple[str, ...] = ("technical", "administrative", "normative", "other")
REGISTERS: frozenset[str] = frozenset({"formal", "chat", "any"})
VALID_LABELS: frozenset[str] = frozenset(str(label) for label in LABELS)


class CoreFormatError(InvalidInput):
    """A core (or its rendering) is invalid; the message names the core and the problem. Fix the core file."""


@dataclass(frozen=True)
class Core:
    id: str
    label: str
    register: str
    subject: str
    text: str
    fields: dict[str, str]
    whole: bool = False

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Message:
    id: str
    channel: str
    subject: str
    body: str
    sender: str
    label: str
    fields: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        record: dict[str, Any] = {
            "id": self.id,
            "channel": self.channel,
            "subject": self.subject,
            "body": self.body,
            "from": self.sender,
            "label": self.label,
            "fields": dict(sorted(self.fields.items())),
        }
        return json.dumps(record, ensure_ascii=False)


def parse_core(raw: dict[str, Any], where: str) -> Core:
    """Validate one decoded core object."""
    try:
        core = Core(
            id=str(raw["id"]),
            label=str(raw["label"]),
            register=str(raw.get("register", "any")),
            subject=str(raw.get("subject", "")),
            text=str(raw["text"]),
            fields={str(k): str(v) for k, v in dict(raw.get("fields", {})).items()},
            whole=bool(raw.get("whole", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CoreFormatError(f"{where}: {exc!r}") from exc
    if core.label not in VALID_LABELS:
        raise CoreFormatError(f"{where}: unknown label {core.label!r}")
    if core.register not in REGISTERS:
        raise CoreFormatError(f"{where}: unknown register {core.register!r}")
    unknown = set(core.fields) - set(FIELDS)
    if unknown:
        raise CoreFormatError(f"{where}: unknown fields {sorted(unknown)}")
    if not core.text.strip() and not core.whole:
        raise CoreFormatError(f"{where}: empty text")
    return core


def load_cores(cores_dir: Path) -> list[Core]:
    """Every core of the core files present in `cores_dir`, in file then line order; ids are unique."""
    cores: list[Core] = []
    for name in CORE_FILES:
        path = cores_dir / f"{name}.jsonl"
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CoreFormatError(f"{where}: {exc}") from exc
            cores.append(parse_core(raw, where))
    seen: set[str] = set()
    for core in cores:
        if core.id in seen:
            raise CoreFormatError(f"duplicate core id {core.id!r}")
        seen.add(core.id)
    return cores
