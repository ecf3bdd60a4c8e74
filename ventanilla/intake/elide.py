"""Cut large base64 bodies out of raw mail before the email package parses it, so that a 20 MB
attachment is not copied a dozen times (text, lines, joined payload, decoded bytes): each long run
of base64 lines becomes one placeholder line, and the MIME walk asks for its size (counted in
place, without decoding) or, only for the parts it reads, its decoded bytes."""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

MIN_ELIDED_BYTES = 256 * 1024
_LINE = re.compile(rb"[A-Za-z0-9+/]{16,998}={0,2}[ \t]*\r?\n")
_LAST_LINE = re.compile(rb"[A-Za-z0-9+/=]{1,15}[ \t]*\r?\n?")
_PLACEHOLDER = re.compile(r"^\s*ventanilla-elided-(\d{1,6})\s*$")
_PLACEHOLDER_BYTES = re.compile(rb"ventanilla-elided-(\d{1,6})(?:\r?\n)?")


@dataclass(frozen=True)
class Elisions:
    """The raw message and where its elided runs were (start, end byte offsets)."""

    raw: bytes
    spans: tuple[tuple[int, int], ...]

    def find(self, payload: str | bytes) -> int | None:
        """The run a part's raw payload stands for, or None when it is an ordinary payload."""
        if len(payload) > 64:
            return None
        text = payload.decode("ascii", "replace") if isinstance(payload, bytes) else payload
        match = _PLACEHOLDER.match(text)
        index = int(match.group(1)) if match else -1
        return index if 0 <= index < len(self.spans) else None

    def original(self, index: int) -> bytes:
        start, end = self.spans[index]
        return self.raw[start:end]

    def decoded_size(self, index: int) -> int:
        """The size of the run once decoded, counted in place: no copy of the run is made."""
        start, end = self.spans[index]
        spaces = sum(self.raw.count(ch, start, end) for ch in (b"\r", b"\n", b" ", b"\t"))
        padding = self.raw.count(b"=", max(start, end - 8), end)
        return max(0, (end - start - spaces) // 4 * 3 - padding)

    def decoded(self, index: int) -> bytes:
        """The run decoded from base64 (a broken tail is padded, as mail clients do)."""
        data = self.original(index)
        try:
            return binascii.a2b_base64(data)
        except binascii.Error:
            compact = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
            return binascii.a2b_base64(compact[: len(compact) // 4 * 4])

    def restore(self, data: bytes) -> bytes:
        """`data` with every placeholder line replaced by the run it stands for."""
        if not self.spans or b"ventanilla-elided-" not in data:
            return data

        def original(match: re.Match[bytes]) -> bytes:
            index = int(match.group(1))
            return self.original(index) if index < len(self.spans) else match.group()

        return _PLACEHOLDER_BYTES.sub(original, data)


def _runs(raw: bytes) -> list[tuple[int, int]]:
    """Runs of base64 lines of MIN_ELIDED_BYTES or more, line by line (a regular expression over
    the whole run would keep a backtracking record per line: 100 MB for a 20 MB attachment)."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    position, size = 0, len(raw)
    while position < size:
        end = raw.find(b"\n", position)
        end = size if end < 0 else end + 1
        if _LINE.fullmatch(raw, position, end):
            start = position if start is None else start
        elif start is not None:
            stop = end if _LAST_LINE.fullmatch(raw, position, end) else position
            if stop - start >= MIN_ELIDED_BYTES:
                spans.append((start, stop))
            start = None
        position = end
    if start is not None and size - start >= MIN_ELIDED_BYTES:
        spans.append((start, size))
    return spans


def elide(raw: bytes) -> tuple[bytes, Elisions]:
    """`raw` with each run of base64 lines of MIN_ELIDED_BYTES or more replaced by a placeholder."""
    spans = _runs(raw) if len(raw) >= MIN_ELIDED_BYTES else []
    if not spans:
        return raw, Elisions(raw, ())
    pieces: list[bytes] = []
    position = 0
    for index, (start, end) in enumerate(spans):
        pieces += [raw[position:start], b"ventanilla-elided-%d\r\n" % index]
        position = end
    pieces.append(raw[position:])
    return b"".join(pieces), Elisions(raw, tuple(spans))
