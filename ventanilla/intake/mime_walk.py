"""Walk a parsed MIME tree defensively: pick the readable body (plain text preferred, HTML converted)
and list every attachment; every accessor is guarded because malformed mail raises in odd places."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import TypeVar, cast

from ventanilla.bot.model import Attachment
from ventanilla.intake.elide import Elisions
from ventanilla.intake.html_text import html_to_text
from ventanilla.intake.text_decode import clean_line, decode_bytes, decode_header_value
from ventanilla.intake.tnef import unpack_tnef

MAX_TEXT_PART_BYTES = 4_000_000  # of one text part, decoded from its transfer encoding
MAX_PARTS = 500
MAX_DEPTH = 40
TNEF_NOTE = "Outlook TNEF (winmail.dat): contents not extracted; ask the sender to resend without RTF"
TNEF_UNPACKED_NOTE = "Outlook TNEF (winmail.dat): {count} file(s) extracted"
TNEF_FILE_NOTE = "extracted from winmail.dat"
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
_RAW_FILENAME = re.compile(r"""(?:file)?name\*?=\s*(?:"([^"]*)"|([^;\s]+))""", re.IGNORECASE)
_HTML_HINT = re.compile(rb"<\s*(html|body|div|p|br|table)\b", re.IGNORECASE)

T = TypeVar("T")


def _safe(call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except Exception:
        return default


@dataclass
class WalkResult:
    """What the walk found: body texts in order, whether they came from HTML, and attachments."""

    texts: list[str] = field(default_factory=list)
    html: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    payloads: list[bytes] = field(default_factory=list)
    parts_seen: int = 0
    truncated: bool = False
    # Body texts used only when the message has no other text (a winmail.dat's body).
    fallback_texts: list[str] = field(default_factory=list)
    fallback_html: bool = False
    elisions: Elisions | None = None  # the large base64 runs cut out before parsing


def content_type(part: Message) -> str:
    value = _safe(part.get_content_type, "application/octet-stream")
    return value.lower() if isinstance(value, str) else "application/octet-stream"


def _charset(part: Message) -> str | None:
    value = _safe(part.get_content_charset, None)
    return value if isinstance(value, str) else None


def _filename(part: Message) -> str:
    name = _safe(part.get_filename, None)
    if not isinstance(name, str):
        name = ""
        for header in ("content-disposition", "content-type"):
            raw = _raw_header(part, header)
            match = _RAW_FILENAME.search(raw)
            if match:
                name = match.group(1) or match.group(2) or ""
                break
    name = decode_header_value(name)
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]


def _raw_header(part: Message, name: str) -> str:
    try:
        return next((str(v) for k, v in part.raw_items() if k.lower() == name), "")
    except Exception:
        return ""


def _elided(part: Message, result: WalkResult) -> int | None:
    """The elided run (see intake.elide) that this part's body stands for, if any."""
    if result.elisions is None or not result.elisions.spans:
        return None
    raw: object = _safe(lambda: cast(object, part.get_payload()), None)
    return result.elisions.find(raw) if isinstance(raw, str) else None


def _base64(part: Message) -> bool:
    value = _safe(lambda: str(part.get("content-transfer-encoding", "")), "")
    return value.strip().lower() == "base64"


def _payload(part: Message, result: WalkResult) -> bytes:
    elided = _elided(part, result)
    if elided is not None and result.elisions is not None:
        run = result.elisions
        return run.decoded(elided) if _base64(part) else run.original(elided)
    data: object = _safe(lambda: part.get_payload(decode=True), None)
    if not isinstance(data, bytes):
        raw = _safe(lambda: cast(object, part.get_payload()), cast(object, ""))
        data = raw.encode("utf-8", errors="surrogateescape") if isinstance(raw, str) else b""
    return result.elisions.restore(data) if result.elisions is not None else data


def _message_size(part: Message) -> int:
    return _safe(lambda: len(part.as_bytes()), 0)


def _add_text(result: WalkResult, data: bytes, ctype: str, charset: str | None) -> None:
    truncated = len(data) > MAX_TEXT_PART_BYTES
    text = decode_bytes(data[:MAX_TEXT_PART_BYTES], charset, truncated=truncated)
    result.truncated = result.truncated or truncated
    if ctype == "text/html":
        text = html_to_text(text)
        result.html = True
    result.texts.append(text)


def _leaf(part: Message, result: WalkResult, keep: bool) -> None:
    ctype = content_type(part)
    disposition = _safe(part.get_content_disposition, None)
    filename = _filename(part)
    tnef = ctype in _TNEF_TYPES or filename.lower() == "winmail.dat"
    text = ctype in {"text/plain", "text/html"} and disposition != "attachment" and not filename
    elided = _elided(part, result)
    if elided is not None and result.elisions is not None and not (keep or tnef or text):
        # a large attachment nobody reads: its size is counted in place, its bytes never copied
        size = (
            result.elisions.decoded_size(elided) if _base64(part) else len(result.elisions.original(elided))
        )
        result.attachments.append(Attachment(filename or "attachment", ctype, size))
        return
    data = _payload(part, result)
    if text:
        _add_text(result, data, ctype, _charset(part))
        return
    if ctype.startswith("multipart/"):  # a multipart whose boundary never appears: salvage the text
        _add_text(result, data, "text/html" if _HTML_HINT.search(data[:4096]) else "text/plain", None)
        return
    if tnef:
        _tnef(result, filename or "winmail.dat", ctype, data, keep)
        return
    result.attachments.append(Attachment(filename or "attachment", ctype, len(data)))
    if keep:
        result.payloads.append(data)


def _tnef(result: WalkResult, filename: str, ctype: str, data: bytes, keep: bool) -> None:
    """List a winmail.dat, then the files inside it; keep its body text for a message without one."""
    contents = unpack_tnef(data)
    note = TNEF_NOTE if contents is None else TNEF_UNPACKED_NOTE.format(count=len(contents.files))
    result.attachments.append(Attachment(filename, ctype, len(data), note))
    if keep:
        result.payloads.append(data)
    if contents is None:
        return
    for name, payload in contents.files:
        name = clean_line(name.replace("\\", "/").rsplit("/", 1)[-1])[:255] or "attachment"
        guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
        result.attachments.append(Attachment(name, guessed, len(payload), TNEF_FILE_NOTE))
        if keep:
            result.payloads.append(payload)
    if contents.text.strip():
        result.fallback_texts.append(contents.text)
        result.fallback_html = result.fallback_html or contents.html


def _alternative(children: list[Message], result: WalkResult, depth: int, keep: bool) -> None:
    """Take one rendering of a multipart/alternative: plain text when it has words, else the richest."""
    options: list[WalkResult] = []
    for child in children:
        option = WalkResult(parts_seen=result.parts_seen, elisions=result.elisions)
        walk(child, option, depth + 1, keep)
        result.parts_seen = option.parts_seen
        options.append(option)
    with_text = [o for o in options if any(t.strip() for t in o.texts)]
    plain = [o for o in with_text if not o.html]
    chosen = plain[0] if plain else (with_text[-1] if with_text else (options[0] if options else None))
    if chosen is None:
        return
    result.texts.extend(chosen.texts)
    result.html = result.html or chosen.html
    result.attachments.extend(chosen.attachments)
    result.payloads.extend(chosen.payloads)
    result.fallback_texts.extend(chosen.fallback_texts)
    result.fallback_html = result.fallback_html or chosen.fallback_html
    result.truncated = result.truncated or any(o.truncated for o in options)


def walk(part: Message, result: WalkResult, depth: int = 0, keep: bool = False) -> None:
    """Collect body texts and attachments of `part` into `result`; `keep` also keeps attachment bytes."""
    result.parts_seen += 1
    if result.parts_seen > MAX_PARTS or depth > MAX_DEPTH:
        result.truncated = True
        return
    ctype = content_type(part)
    children: object = _safe(lambda: cast(object, part.get_payload()), None)
    if ctype.startswith("message/"):
        name = _filename(part) or ("forwarded.eml" if ctype == "message/rfc822" else ctype.split("/")[1])
        result.attachments.append(Attachment(name, ctype, _message_size(part)))
        if keep:
            result.payloads.append(_safe(part.as_bytes, b""))
        return
    if ctype.startswith("multipart/") and isinstance(children, list):
        messages = [child for child in children if isinstance(child, Message)]
        if ctype == "multipart/alternative":
            _alternative(messages, result, depth, keep)
            return
        for child in messages:
            walk(child, result, depth + 1, keep)
        return
    _leaf(part, result, keep)
