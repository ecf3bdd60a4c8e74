"""Splits the newest part of a request into its regions (body, labelled data block, signature),
with the text capped and folded once, so every extractor reads the same offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ventanilla.classifier.lexicon import CLOSINGS, DATA_LABELS, GREETINGS
from ventanilla.classifier.normalise import alternation, fold

HEAD_CHARS = 20_000
TAIL_CHARS = 3_000
MAX_SIGNATURE_LINES = 12
MAX_SIGNATURE_LINE = 120

# Quoted history that the caller may have left in (cut there).
_HISTORY = re.compile(
    r"^[ \t]*(?:>"
    r"|-{2,}[ \t]*(?:mensaje original|original message|forwarded message|mensaje reenviado)"
    r"|_{8,}[ \t]*\n(?:[ \t]*\n)*[ \t]*(?:de|from):"
    r"|(?:de|from):[^\n]{0,200}\n[ \t]*(?:enviado(?: el)?|fecha|sent|date|para|to):"
    r"|el [^\n]{4,300} escribio:"
    r"|on [^\n]{4,300} wrote:)",
    re.MULTILINE,
)
# Boilerplate that ends what a person wrote: disclaimers, mobile footers.
_BOILERPLATE = re.compile(
    r"^[ \t]*(?:aviso de (?:confidencialidad|privacidad)|confidencialidad:"
    r"|este (?:correo|mensaje)(?: electronico)?(?: y sus anexos)?"
    r" (?:es|son|puede ser|puede contener|contiene)"
    r" (?:informacion )?(?:confidencial|privad|privilegiad|para uso exclusivo|de uso exclusivo)"
    r"|la informacion (?:contenida en|de) este (?:correo|mensaje)|enviado desde mi |sent from my "
    r"|enviado desde outlook|get outlook|antes de imprimir|por favor considere el medio ambiente"
    r"|descarga outlook|obtener outlook|piense en el medio ambiente|no imprima este)",
    re.MULTILINE,
)
_CLOSING = re.compile(
    r"^[ \t\-*]*(?:" + alternation(CLOSINGS) + r")\b",
    re.MULTILINE,
)
_GREETING = re.compile(r"^[ \t]*(?:" + alternation(GREETINGS) + r")\b")
_LABEL_ALT = alternation(DATA_LABELS)
_LABEL = re.compile(
    r"(?:^|(?<=[|;•])|(?<=\s\s)|(?<=,\s)|(?<=\.\s))[ \t\-*•]*(" + _LABEL_ALT + r")[ \t]*[:=]", re.MULTILINE
)
_DASH_LABEL = re.compile(r"^[ \t*•]*(" + _LABEL_ALT + r")[ \t]+[-–][ \t]+")
_LABEL_START = re.compile(r"^[ \t\-*•]*(?:" + _LABEL_ALT + r")[ \t]*[:=]")
_LONE_CR = re.compile(r"\r")
_SENTENCE_END = re.compile(r"[.?!:]\s*$")
# An address line ending in an abbreviated state ("..., Tonalá, Jal.", "..., S.L.P.") is no sentence.
_ABBREVIATION_END = re.compile(r",\s*(?:[a-z]{1,5}\.\s?){1,3}$")


@dataclass(frozen=True)
class Line:
    start: int
    end: int


@dataclass
class Layout:
    """The regions of one text. Offsets index both `text` and `folded`."""

    text: str
    folded: str
    lines: list[Line]
    body_start: int = 0  # after the greeting line
    signature_start: int = 0  # where the signature block starts (len(text) when none)
    signature: list[Line] = field(default_factory=list)
    labelled: list[tuple[str, int, int]] = field(default_factory=list)  # (field, start, end)

    def line_text(self, line: Line) -> str:
        return self.text[line.start : line.end]

    def line_folded(self, line: Line) -> str:
        return self.folded[line.start : line.end]

    def in_signature(self, offset: int) -> bool:
        return offset >= self.signature_start

    def in_labelled(self, offset: int) -> bool:
        return any(start <= offset < end for _, start, end in self.labelled)


def cap_text(text: str) -> str:
    """At most the first HEAD_CHARS and the last TAIL_CHARS characters (the signature)."""
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n" + text[-TAIL_CHARS:]


def newest_part(text: str) -> str:
    """The text without any quoted history or trailing boilerplate still in it."""
    return _newest_part(text)[0]


def _newest_part(text: str) -> tuple[str, str]:
    text = _LONE_CR.sub("\n", cap_text(text).replace("\r\n", " \n")).replace("\x00", " ")
    folded = fold(text)
    cut = _HISTORY.search(folded)
    if cut:
        text, folded = text[: cut.start()], folded[: cut.start()]
    boiler = _BOILERPLATE.search(folded)
    if boiler:
        text, folded = text[: boiler.start()], folded[: boiler.start()]
    return text, folded


@lru_cache(maxsize=32)
def build_layout(raw: str) -> Layout:
    """The layout of `raw` (cached: the extractor and the cue detector read the same text)."""
    text, folded = _newest_part(raw)
    lines: list[Line] = []
    pos = 0
    for chunk in text.split("\n"):
        lines.append(Line(pos, pos + len(chunk)))
        pos += len(chunk) + 1
    layout = Layout(text=text, folded=folded, lines=lines, signature_start=len(text))
    _find_greeting(layout)
    _find_labels(layout)
    _find_signature(layout)
    return layout


def _find_greeting(layout: Layout) -> None:
    """The body starts after an opening greeting ("Buenos días, ..."), on its line or the next."""
    for line in layout.lines:
        folded = layout.line_folded(line)
        if not folded.strip():
            continue
        match = _GREETING.match(folded)
        if match and not _LABEL_START.match(folded):
            rest = folded[match.end() :]
            ends_line = len(rest.strip(" ,.;:!¡")) == 0 or (len(folded.strip()) <= 40 and "," not in rest)
            layout.body_start = line.end if ends_line else line.start + match.end()
        return


def _find_labels(layout: Layout) -> None:
    folded = layout.folded
    for line in layout.lines:
        segment = folded[line.start : line.end]
        dashed = _DASH_LABEL.match(segment)
        if dashed:
            start = line.start + dashed.end()
            if layout.text[start : line.end].strip():
                layout.labelled.append((DATA_LABELS[dashed.group(1)], start, line.end))
            continue
        if ":" not in segment and "=" not in segment:
            continue
        matches = list(_LABEL.finditer(segment))
        for i, match in enumerate(matches):
            value_end = matches[i + 1].start() if i + 1 < len(matches) else len(segment)
            name = DATA_LABELS[match.group(1)]
            start, end = line.start + match.end(), line.start + value_end
            if layout.text[start:end].strip():
                layout.labelled.append((name, start, end))


def _is_short(layout: Layout, line: Line) -> bool:
    text = layout.line_text(line).strip()
    return 0 < len(text) <= MAX_SIGNATURE_LINE and not text.endswith("?")


def _find_signature(layout: Layout) -> None:
    lines = layout.lines
    last = len(lines) - 1
    while last >= 0 and not layout.line_text(lines[last]).strip():
        last -= 1
    if last < 0:
        return
    first = next(i for i, ln in enumerate(lines) if layout.line_text(ln).strip())
    # A closing line ("Saludos", "Atentamente") opens the signature; the last one wins.
    # On the first line only a bare closing that is no greeting counts ("Atentamente" over a
    # signature and nothing else; not "Saludos, no abre el sistema").
    for index in range(last, max(first - 1, last - MAX_SIGNATURE_LINES - 2), -1):
        line = lines[index]
        folded = layout.line_folded(line)
        if len(folded.strip()) <= 70 and _CLOSING.match(folded):
            tail = _closing_tail(layout, line)
            if index == first and (tail or _GREETING.match(folded)):
                break
            rest = [ln for ln in lines[index + 1 : last + 1] if layout.line_text(ln).strip()]
            closed = ([tail] if tail else []) + rest
            if closed:
                layout.signature = closed[:MAX_SIGNATURE_LINES]
                layout.signature_start = closed[0].start
                return
            break
    # Otherwise a trailing block of short lines that do not read as sentences; a blank line inside
    # it ("Name / Cargo", blank, "Ente / Tel.") is crossed when the line above opens a signature.
    block: list[Line] = []
    index = last
    while index >= 0 and len(block) < MAX_SIGNATURE_LINES:
        line = lines[index]
        if not layout.line_text(line).strip():
            above = index - 1
            while above >= 0 and not layout.line_text(lines[above]).strip():
                above -= 1
            if (
                block
                and above >= 0
                and _block_line(layout, lines[above])
                and _signature_like(layout, lines[above])
            ):
                index = above
                continue
            break
        if not _block_line(layout, line):
            break
        block.insert(0, line)
        index -= 1
    for position, line in enumerate(block):
        if _signature_like(layout, line):
            layout.signature = block[position:]
            layout.signature_start = line.start
            return


def _block_line(layout: Layout, line: Line) -> bool:
    """A short line that does not read as a sentence (or is a labelled "Tel.: ..." line)."""
    text = layout.line_text(line).strip()
    if not text or not _is_short(layout, line):
        return False
    folded = layout.line_folded(line)
    if _LABEL_START.match(folded) or _DASH_LABEL.match(folded):
        return True
    sentence = _SENTENCE_END.search(text) and not _ABBREVIATION_END.search(folded.rstrip())
    return not (len(text) > 40 and sentence)


def _signature_like(layout: Layout, line: Line) -> bool:
    """A line that opens a signature: a person's name, a cargo, an ente, or contact data."""
    from ventanilla.classifier.sender import opens_signature

    return opens_signature(layout.line_text(line), layout.line_folded(line))


def _closing_tail(layout: Layout, line: Line) -> Line | None:
    """What follows a closing on its own line, e.g. "Saludos, Juan Pérez"."""
    match = _CLOSING.match(layout.line_folded(line))
    if not match:
        return None
    rest_start = line.start + match.end()
    rest = layout.text[rest_start : line.end]
    if not re.match(r"^\s*[,\-–:!]|^\.?\s", rest) or (
        rest[:1] == " " and not match.group(0).lstrip(" \t-*").startswith("at")
    ):
        return None
    stripped = rest.lstrip(" ,.;:-!")
    if not stripped.strip():
        return None
    return Line(line.end - len(stripped), line.end)
