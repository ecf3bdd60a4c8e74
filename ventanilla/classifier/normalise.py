"""Accent folding and one small pure normaliser per field: each takes the text as found and
returns the field's normal form (fields_spec.md), or None when the text is not a valid value."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import phonenumbers

from ventanilla.classifier.lexicon import MODULES, STATE_ABBREVIATIONS, STATE_NAMES, TITLES


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x41, 0x5B):
        table[code] = chr(code + 32)
    for code in range(0xC0, 0x250):
        ch = chr(code)
        base = unicodedata.normalize("NFKD", ch)[0].lower()
        if len(base) == 1 and base.isascii() and base.isalpha():
            table[code] = base
    table[ord("ª")] = "a"
    table[ord("º")] = "o"
    return table


_FOLD = _fold_table()
_FOLD_CHARS = {chr(code): base for code, base in _FOLD.items() if code >= 0x80}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_char(match: re.Match[str]) -> str:
    char = match.group()
    return _FOLD_CHARS.get(char, char)


def fold(text: str) -> str:
    """Lower-case text without accents; the result has the same length as `text`, so offsets
    found in it are offsets in `text` (the only character that lower() lengthens, "İ", is folded
    to "i" first)."""
    if text.isascii():
        return text.lower()
    return _NON_ASCII.sub(_fold_char, text).lower()


_EDGE_PUNCT = " \t\r\n\f\v.,;:-–—_*·|/\\\"'`´()[]{}<>«»“”‘’!¡?¿#~^"


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of `words` (longest first), written as a trie so that the engine tries
    one branch per character instead of every word at every position."""
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return "(?:" + build(trie) + ")"


def at_word_start(text: str, index: int) -> bool:
    """Whether `index` starts a word (what a leading \\b would say, without slowing the scan)."""
    return index == 0 or not (text[index - 1].isalnum() or text[index - 1] == "_")


def word_matches(
    pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> Iterator[re.Match[str]]:
    """Matches of `pattern` that start a word. Patterns are written without a leading \\b, which
    would stop the regex engine from skipping ahead to a possible first character."""
    for match in pattern.finditer(text, pos, len(text) if endpos is None else endpos):
        if at_word_start(text, match.start()):
            yield match


def word_search(
    pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> re.Match[str] | None:
    return next(word_matches(pattern, text, pos, endpos), None)


def clean_text(raw: str) -> str:
    """Collapse whitespace and trim punctuation from both ends (keeps a closing ")" of an acronym
    and the dot of an abbreviation at the end, e.g. "Depto.", "(SAPAL)")."""
    text = " ".join(raw.split())
    text = text.strip(_EDGE_PUNCT)
    if not text:
        return ""
    tail = raw.rstrip(" \t\r\n.,;:")
    if tail.endswith(")") and "(" in text and text.count("(") > text.count(")"):
        text += ")"
    return text


_TITLE_RE = re.compile(
    r"^(?:(?:"
    + "|".join(sorted((re.escape(t).replace(r"\.", r"\.\s*") for t in TITLES), key=len, reverse=True))
    + r")(?:\.|\s|$)\s*)+"
)


def strip_titles(name: str) -> str:
    """The name without leading honorific/academic titles ("Lic.", "C.P.", "Mtra." ...)."""
    cleaned = clean_text(name)
    folded = fold(cleaned)
    match = _TITLE_RE.match(folded)
    if match and match.end() < len(cleaned):
        cleaned = cleaned[match.end() :]
    return clean_text(cleaned)


_NON_DIGIT = re.compile(r"\D")
_SUPPORT_PHONES = frozenset(f"333669555{d}" for d in range(10))


def phone_digits(raw: str) -> str | None:
    """The 10 national digits of a Mexican phone written in any usual way, else None."""
    digits = _NON_DIGIT.sub("", raw)
    if raw.lstrip().startswith("+") and not digits.startswith("52"):
        return None
    if len(digits) == 13 and digits.startswith("521"):
        digits = digits[3:]
    elif (len(digits) == 12 and digits.startswith("52")) or (len(digits) == 12 and digits.startswith("01")):
        digits = digits[2:]
    elif len(digits) == 13 and digits[:3] in ("044", "045"):
        digits = digits[3:]
    if len(digits) != 10 or digits[0] in "01":
        return None
    return digits


@lru_cache(maxsize=4096)
def normalise_phone(raw: str) -> str | None:
    """10 digits (no country code, 01, spaces, dashes or parentheses) of a valid MX number."""
    digits = phone_digits(raw)
    if digits is None:
        return None
    try:
        number = phonenumbers.parse(digits, "MX")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    national = str(number.national_number)
    return national if len(national) == 10 else None


def is_support_phone(digits: str) -> bool:
    """The support lines of the process (33-3669-5550 to 5559)."""
    return digits in _SUPPORT_PHONES


def normalise_extension(raw: str) -> str | None:
    digits = _NON_DIGIT.sub("", raw)
    return digits if 1 <= len(digits) <= 6 else None


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-,]+", "", fold(text))


_STATE_COMPACT: dict[str, str] = {_compact(k): v for k, v in STATE_NAMES.items()}
_ABBR_COMPACT: dict[str, str] = {_compact(k): v for k, v in STATE_ABBREVIATIONS.items()}


def normalise_state(raw: str, slot: bool = False) -> str | None:
    """The short official name of the state written as `raw`. Abbreviations and "México" alone
    count only when `slot` says the text stands where a state is expected."""
    key = _compact(raw)
    if not key or len(key) > 40:
        return None
    found = _STATE_COMPACT.get(key)
    if found:
        return found
    for prefix in ("estadode", "edode", "estadolibreysoberanode"):
        if key.startswith(prefix) and key != prefix:
            rest = key[len(prefix) :]
            found = _STATE_COMPACT.get(rest) or _ABBR_COMPACT.get(rest)
            if found:
                return found
    if slot:
        return _ABBR_COMPACT.get(key)
    return None


def normalise_module(raw: str) -> str | None:
    """The canonical SAACG.NET module named by `raw` ("módulo de nómina" -> "Nómina")."""
    key = " ".join(fold(raw).replace("modulo", " ").split())
    for prefix in ("de ", "del ", "de la ", "el ", "la "):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return MODULES.get(key)


_LICENCE_OK = re.compile(r"^[A-Z0-9]+(?:[-/. ][A-Z0-9]+)*$")


def normalise_licence(raw: str) -> str | None:
    """Upper-case licence code; must contain a digit and not be a bare year."""
    code = raw.strip(_EDGE_PUNCT).upper()
    if not (2 <= len(code) <= 40) or not _LICENCE_OK.match(code) or not any(c.isdigit() for c in code):
        return None
    if re.fullmatch(r"(?:19|20)\d\d", code):
        return None
    return code


def normalise_teamviewer_id(raw: str) -> str | None:
    digits = _NON_DIGIT.sub("", raw)
    return digits if 9 <= len(digits) <= 10 else None


_EMAIL = re.compile(
    r"^[a-z0-9][a-z0-9._%+\-]*@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9\-]+)*\.[a-z]{2,}$"
)


def normalise_email(raw: str) -> str | None:
    address = raw.strip(_EDGE_PUNCT).lower()
    return address if len(address) <= 254 and _EMAIL.match(address) else None


def normalise_version(raw: str) -> str | None:
    """The four-digit year of a SAACG.NET version (2000-2099)."""
    match = re.search(r"(?<!\d)(20\d\d)(?!\d)", raw)
    return match.group(1) if match else None
