"""What the text classifier reads, built the same way at training and at inference: the subject and
the request itself (greeting, labelled data and signature removed), folded, plus topic tokens."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from ventanilla.classifier.layout import build_layout
from ventanilla.classifier.pipeline import clip_for_fields
from ventanilla.classifier.topic_lexicon import topic_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

MAX_TEXTCAT_CHARS = 8_000
MAX_SUBJECT_CHARS = 1_000
TINY_WORDS = 3
TINY_TOKEN = "tinytext"

_DIGITS = re.compile(r"\d")
# Words (keeping inner dots, dashes, slashes, apostrophes and @: "saacg.net", "0.0.0.0",
# "entrega-recepcion", addresses) and runs of punctuation.
_TOKEN = re.compile(r"\w(?:[\w.@/'-]*\w)?|[^\w\s]+")
_SPACE = re.compile(r"\s+")
# Header lines at the top of a quoted or forwarded block (folded), skipped before reading it.
_HISTORY_HEAD = re.compile(
    r"^(?:[-_=*\s]*$|-{2,}|_{5,}|\*{0,2}(?:de|from|enviado(?: el)?|sent|para|to|asunto|subject|fecha|date"
    r"|cc|cco)\s*:|el .{0,400}escribio:|on .{0,400}wrote:|(?:begin |inicio del )?(?:forwarded|mensaje"
    r" reenviado))"
)


def fold_for_textcat(text: str) -> str:
    """Lower-cased, accents folded, digits unified, whitespace collapsed, length capped."""
    text = text[: MAX_TEXTCAT_CHARS * 2].casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()[:MAX_TEXTCAT_CHARS]


def request_part(text: str) -> str:
    """The request a newest part makes: without greeting line, labelled data block and signature
    (as the field extractor's layout finds them); the whole text when nothing else is left."""
    layout = build_layout(clip_for_fields(text))
    end = layout.signature_start if layout.signature else len(layout.text)
    start = min(layout.body_start, end)
    chars = list(layout.text[start:end])
    for _field, first, last in layout.labelled:
        for i in range(max(first, start) - start, min(last, end) - start):
            chars[i] = " "
    request = "".join(chars)
    if not any(ch.isalnum() for ch in request):
        return layout.text
    return request


def history_body(quoted: str) -> str:
    """The text of a quoted or forwarded block without its header lines and quote marks."""
    lines = [line.lstrip("> \t") for line in quoted[: MAX_TEXTCAT_CHARS * 4].splitlines()]
    skip = 0
    while skip < len(lines) and skip < 20 and _HISTORY_HEAD.match(fold_for_textcat(lines[skip])):
        skip += 1
    return "\n".join(lines[skip:])


def classifier_text(subject: str, body: str, *, history: bool = False) -> str:
    """The classifier's input for a subject and a newest part (or a forwarded block if `history`)."""
    request = request_part(history_body(body) if history else body)
    folded = fold_for_textcat(subject[:MAX_SUBJECT_CHARS] + "\n" + request)
    extra = [topic_tokens(folded)]
    if len(request.split(maxsplit=TINY_WORDS)) <= TINY_WORDS:
        extra.append(TINY_TOKEN)  # "hola", "ok", "gracias": short texts are rarely requests
    return " ".join([folded, *filter(None, extra)])


def textcat_doc(vocab: Vocab, text: str) -> Doc:
    """The Doc the classifier reads for a `classifier_text`: a plain split into words and runs
    of punctuation (faster than the tokenizer, and as accurate here), at training and inference."""
    from spacy.tokens import Doc

    return Doc(vocab, words=_TOKEN.findall(text))
