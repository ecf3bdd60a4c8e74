"""The JSON Lines records of `ventanilla classify`, `evaluate` and `train`: one object a line with
"id", "channel", "subject", "body", "from", and, when labelled, "label" and "fields"."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ventanilla.bot.model import Channel, Label
from ventanilla.classifier.analyse import MessageText
from ventanilla.intake.quoting import split_quoted


class RecordError(ValueError):
    """A line is not a usable record; the message says why."""


@dataclass(frozen=True)
class Record:
    """One input line: its id (any JSON value), the message, and the gold label/fields if given."""

    id: Any
    message: MessageText
    label: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


def parse_line(line: str, labelled: bool = False) -> Record:
    """The record on `line`; RecordError when it is not JSON, not an object or lacks a body."""
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise RecordError(f"not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise RecordError("not a JSON object")
    return record_from_object(obj, labelled)


def record_from_object(obj: Mapping[str, Any], labelled: bool = False) -> Record:
    body = obj.get("body")
    if not isinstance(body, str):
        raise RecordError('missing "body" (a string)')
    subject = obj.get("subject") or ""
    sender = obj.get("from") or ""
    channel = obj.get("channel") or Channel.EMAIL
    if not isinstance(subject, str) or not isinstance(sender, str) or not isinstance(channel, str):
        raise RecordError('"subject", "from" and "channel" must be strings')
    if channel not in set(Channel):
        raise RecordError(f'"channel" must be "email" or "telegram", not {channel!r}')
    new, quoted = split_quoted(body)
    message = MessageText(channel=channel, subject=subject, text=new, quoted=quoted, sender=sender)
    label = obj.get("label")
    fields = obj.get("fields") or {}
    if labelled:
        if label not in set(Label):
            raise RecordError(f'"label" must be one of {", ".join(Label)}')
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            raise RecordError('"fields" must be an object of strings')
    return Record(
        id=obj.get("id"),
        message=message,
        label=label if isinstance(label, str) else None,
        fields={str(k): v for k, v in fields.items()} if isinstance(fields, dict) else {},
    )


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line of `path`; OSError when it cannot be read."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield number, line


def read_labelled(path: Path) -> list[Record]:
    """Every labelled record of `path`; a malformed line raises RecordError naming its number."""
    records = []
    for number, line in read_lines(path):
        try:
            records.append(parse_line(line, labelled=True))
        except RecordError as exc:
            raise RecordError(f"{path}:{number}: {exc}") from None
    return records
