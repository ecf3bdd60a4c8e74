"""Unpack Outlook TNEF (`winmail.dat`) with tnefparse: the files inside and the body text. The
stream is checked and rebuilt with only the objects we read before tnefparse sees it, because the
library trusts counts in the data (a hostile count makes it loop for hours)."""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from typing import Any

from tnefparse import TNEF
from tnefparse.mapi import IMESSAGE_SIG

from ventanilla.intake.html_text import html_to_text
from ventanilla.intake.text_decode import codec_name, decode_bytes

MAX_TNEF_BYTES = 32 * 1024 * 1024
MAX_OBJECTS = 2_000
MAX_COPY_BYTES = 512 * 1024 * 1024  # tnefparse copies the rest of the stream once per object
MAX_MAPI_PROPERTIES = 2_000
MAX_FILES = 100
_SIGNATURE = 0x223E9F78
_MIN_OBJECT = 12  # tnefparse reads objects while more than this many bytes remain
_CODEPAGE = 0x9007
_MAPI_PROPS, _ATTACHMENT = 0x9003, 0x9005
_ATTACHMENT_START = 0x9002
# Objects we read; everything else (recipient tables, dates, sender…) is left out of the rebuilt stream.
_KEPT = frozenset({0x800C, 0x800F, 0x8010, _ATTACHMENT_START, _MAPI_PROPS, _ATTACHMENT, _CODEPAGE})
_LEVEL_ATTACHMENT = 2


@dataclass(frozen=True)
class TnefContents:
    """What a winmail.dat holds: its files (name, bytes) and its body as text ("" when only RTF)."""

    files: tuple[tuple[str, bytes], ...]
    text: str
    html: bool


def _objects(data: bytes) -> list[tuple[int, int, int, int]] | None:
    """(level, name, start, end) of each object, read as tnefparse will read them; None when the
    stream is not TNEF or would cost tnefparse too much."""
    if len(data) < 6 or len(data) > MAX_TNEF_BYTES or struct.unpack_from("<I", data)[0] != _SIGNATURE:
        return None
    found: list[tuple[int, int, int, int]] = []
    offset = 6
    while offset + _MIN_OBJECT < len(data):
        level, name, _kind, size = struct.unpack_from("<BHHI", data, offset)
        end = offset + min(len(data) - offset, size + 11)
        found.append((level, name, offset, end))
        offset = end
        if len(found) > MAX_OBJECTS or len(found) * len(data) > MAX_COPY_BYTES:
            return None
    return found


def _plausible(data: bytes, name: int) -> bool:
    body = data[9:-2]
    if name in (_MAPI_PROPS, _ATTACHMENT):
        if len(body) < 4 or struct.unpack_from("<I", body)[0] > MAX_MAPI_PROPERTIES:
            return False
        return IMESSAGE_SIG not in body  # embedded Outlook items make tnefparse recurse unchecked
    if name == _CODEPAGE:
        return len(body) >= 4 and codec_name(f"cp{struct.unpack_from('<I', body)[0]}") is not None
    return True


def _rebuilt(data: bytes) -> bytes | None:
    objects = _objects(data)
    if objects is None:
        return None
    kept = [data[:6]]
    in_attachment = False
    for level, name, start, end in objects:
        in_attachment = in_attachment or name == _ATTACHMENT_START
        if name not in _KEPT or (level == _LEVEL_ATTACHMENT and not in_attachment):
            continue
        if _plausible(data[start:end], name):
            kept.append(data[start:end])
    return b"".join(kept)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return decode_bytes(value.rstrip(b"\x00"), None)
    return value.rstrip("\x00") if isinstance(value, str) else ""


def _filename(attachment: Any, index: int) -> str:
    for attribute in ("long_filename", "name"):
        try:
            value = getattr(attachment, attribute)
            name = _text(value() if callable(value) else value)
        except Exception:
            continue
        if name.strip():
            return name.strip()
    return f"attachment-{index}"


def unpack_tnef(data: bytes) -> TnefContents | None:
    """The files and body text of a winmail.dat, or None when it cannot be read safely."""
    stream = _rebuilt(data)
    if stream is None:
        return None
    logging.getLogger("tnefparse").setLevel(logging.ERROR)  # hostile data makes it warn per byte
    try:
        parsed = TNEF(stream, do_checksum=False)
        files = tuple(
            (_filename(a, i), a.data if isinstance(a.data, bytes) else b"")
            for i, a in enumerate(parsed.attachments[:MAX_FILES], start=1)
        )
        plain, html = _text(parsed.body), _text(parsed.htmlbody)
    except Exception:
        return None
    if plain.strip():
        return TnefContents(files, plain, html=False)
    if html.strip():
        return TnefContents(files, html_to_text(html), html=True)
    return TnefContents(files, "", html=False)
