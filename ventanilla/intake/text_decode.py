"""Turn untrusted bytes and header values into clean text: declared, missing or lying charsets,
RFC 2047 encoded words, raw 8-bit header bytes and control characters."""

from __future__ import annotations

import binascii
import codecs
import re

from charset_normalizer import from_bytes

# Charsets that decode any byte sequence, so a wrong declaration never fails on its own:
# text that is valid UTF-8 under one of these labels is taken as UTF-8.
_PERMISSIVE = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252", "iso8859-15", "cp850"})
# Candidates for undeclared or unknown charsets; a full detection run guesses badly on short Spanish text.
_GUESS_CANDIDATES = ["cp1252", "iso8859_15", "cp850"]
_GUESS_SAMPLE_BYTES = 200_000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_LINE_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\x85\u2028\u2029]+")
_SPACES = re.compile(r"[ \u00a0]{2,}")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def codec_name(declared: str | None) -> str | None:
    """The Python codec for a declared charset, or None when missing or unknown."""
    if not declared:
        return None
    label = declared.strip().strip("\"'").lower()
    if label in {"x-unknown", "unknown", "unknown-8bit", "x-user-defined", "default", "8bit"}:
        return None
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def _utf8(data: bytes, truncated: bool) -> str | None:
    """Strict UTF-8; when we cut the data short, one character cut off at the very end is tolerated."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if truncated and error.reason == "unexpected end of data" and error.start >= len(data) - 3:
            try:
                return data[: error.start].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None


def _guess(data: bytes) -> str:
    best = from_bytes(data[:_GUESS_SAMPLE_BYTES], cp_isolation=_GUESS_CANDIDATES).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")


def decode_bytes(data: bytes, declared: str | None, *, truncated: bool = False) -> str:
    """Decode `data` whose charset is claimed to be `declared`; never raises, prefers salvage.

    `truncated` says the caller cut the data at a size cap, possibly inside a character."""
    if data.isascii():
        codec = codec_name(declared)
        if codec in {"utf-7", "utf-16", "utf-16-le", "utf-16-be", "utf-32"} or (
            codec is not None and codec.startswith(("iso2022", "hz"))
        ):
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, ValueError):
                pass
        return data.decode("ascii")
    codec = codec_name(declared)
    if codec is None or codec in _PERMISSIVE or codec == "utf-8":
        text = _utf8(data, truncated)
        if text is not None:
            return text
        if codec is None or codec == "utf-8":
            return _guess(data)
        if codec in {"ascii", "latin-1", "iso8859-1"}:
            codec = "cp1252"  # what senders labelling text latin-1 or ascii actually use
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, ValueError):
        return _guess(data)


def clean_line(text: str, limit: int = 998) -> str:
    """One line of text: line breaks and tabs become spaces, control characters go, spaces collapse."""
    text = _LINE_BREAKS.sub(" ", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()[:limit]


def clean_text(text: str) -> str:
    """Multi-line text: newlines normalised to \\n, other control characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", text.replace("\t", "    "))


def raw_header_bytes(raw: str) -> bytes:
    """The bytes of a header value as received (the parser keeps 8-bit bytes as surrogates)."""
    return raw.encode("utf-8", errors="surrogateescape")


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding in "bB":
            return binascii.a2b_base64(payload + "=" * (-len(payload) % 4))
        return binascii.a2b_qp(payload, header=True)
    except (binascii.Error, ValueError):
        return None


def decode_encoded_words(value: str) -> str:
    """Decode RFC 2047 words; adjacent words of one charset are joined before decoding, so a
    character split across two words survives. An undecodable word is kept as written."""
    out: list[str] = []
    run: bytearray = bytearray()
    run_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal run, run_charset
        if run:
            out.append(decode_bytes(bytes(run), run_charset))
        run, run_charset = bytearray(), None

    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        charset = match.group(1).split("*", 1)[0]
        data = _word_bytes(match.group(2), match.group(3))
        pos = match.end()
        if data is None:
            flush()
            out.append(between + match.group(0))
            continue
        if run and between.strip() == "" and charset.lower() == (run_charset or "").lower():
            run += data
            continue
        if not (run and between.strip() == ""):
            flush()
            out.append(between)
        else:
            flush()
        run, run_charset = bytearray(data), charset
    flush()
    out.append(value[pos:])
    return "".join(out)


def decode_header_value(raw: str) -> str:
    """Unfold and decode one raw header value (8-bit bytes and RFC 2047 words); a single clean line."""
    value = raw if raw.isascii() else decode_bytes(raw_header_bytes(raw), None)
    value = _FOLD.sub("", value)
    if "=?" in value:
        value = decode_encoded_words(value)
    return clean_line(value)
