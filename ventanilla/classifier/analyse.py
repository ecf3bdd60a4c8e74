"""Analyses one request: its label (from the subject and the newest part), the fields it carries
(from the newest part only, signature included) and what the required-data policy still misses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ventanilla.bot.model import Channel, Label
from ventanilla.bot.settings import RequiredSettings
from ventanilla.classifier.cues import Cues, detect_cues
from ventanilla.classifier.forwards import looks_forwarded, word_count
from ventanilla.classifier.pipeline import FIELDS_PIPE, TEXTCAT_PIPE, clip_for_fields, load_pipeline
from ventanilla.classifier.policy import missing_fields
from ventanilla.classifier.textcat_text import MAX_SUBJECT_CHARS, classifier_text, history_body, textcat_doc

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# A forward's cover note of at most this many words says nothing of its own.
NEARLY_EMPTY_WORDS = 8


@dataclass(frozen=True)
class MessageText:
    """The text of a message as the classifier needs it: `text` is the newest part (what the
    sender wrote now), `quoted` the quoted or forwarded history, `sender` the address or chat id."""

    channel: str
    subject: str
    text: str
    quoted: str = ""
    sender: str = ""


@dataclass(frozen=True)
class Analysis:
    """The outcome: label with its confidence (below the threshold: staff triage, the label is a
    suggestion), the normalised fields found, the fields still missing, cues and all label scores."""

    label: str
    confidence: float
    needs_triage: bool
    fields: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    cues: Cues = field(default_factory=Cues)
    scores: Mapping[str, float] = field(default_factory=dict)


def analyse(
    message: MessageText,
    known_fields: Mapping[str, str],
    policy: RequiredSettings,
    threshold: float,
    nlp: Language | None = None,
) -> Analysis:
    """Label, fields and missing data of `message`; never raises on any text."""
    nlp = nlp if nlp is not None else load_pipeline()
    subject = _clean(message.subject[:MAX_SUBJECT_CHARS])
    new = _clean(message.text)
    quoted = _clean(message.quoted)

    scores = predict_scores(nlp, classifier_text(subject, new))
    source = new
    if quoted and looks_forwarded(subject, new, quoted) and _says_nothing(nlp, new):
        source = quoted
        scores = predict_scores(nlp, classifier_text(subject, quoted, history=True))
    label, confidence = _best(scores)

    fields_doc = nlp.get_pipe(FIELDS_PIPE)(nlp.make_doc(clip_for_fields(new)))
    fields = dict(fields_doc._.fields or {})
    cues = _cues(label, subject, fields_doc if source is new else clip_for_fields(history_body(source)))
    sender_email = message.sender if message.channel == Channel.EMAIL and "@" in message.sender else None
    missing = missing_fields(label, fields, dict(known_fields), sender_email, cues, policy)
    return Analysis(
        label=label,
        confidence=confidence,
        needs_triage=confidence < threshold,
        fields=fields,
        missing=tuple(missing),
        cues=cues,
        scores=scores,
    )


def predict_scores(nlp: Language, folded: str) -> dict[str, float]:
    """The textcat's score for each label on a `classifier_text`; empty text is `other`."""
    if not any(ch.isalnum() for ch in folded):
        return {str(label): float(label == Label.OTHER) for label in Label}
    doc = nlp.get_pipe(TEXTCAT_PIPE)(textcat_doc(nlp.vocab, folded))
    return {str(label): float(doc.cats.get(str(label), 0.0)) for label in Label}


def _says_nothing(nlp: Language, cover: str) -> bool:
    """Whether a forward's cover note is nearly empty: a few words ("FYI", "le reenvío"), or
    text that by itself is no request (only courtesy and a signature) or is not clearly one."""
    if word_count(cover) <= NEARLY_EMPTY_WORDS:
        return True
    label, confidence = _best(predict_scores(nlp, classifier_text("", cover)))
    return label == Label.OTHER or confidence < 0.5


def _best(scores: Mapping[str, float]) -> tuple[str, float]:
    label = max(scores, key=lambda name: scores[name])
    return label, round(scores[label], 4)


def _cues(label: str, subject: str, body: Doc | str) -> Cues:
    """The cues of the part that gave the label; the subject can add the cue the policy of
    `label` reads (activation for administrative, database for technical)."""
    cues = detect_cues(body)
    wanted = {Label.ADMINISTRATIVE: "activation", Label.TECHNICAL: "database"}.get(Label(label))
    if subject and wanted and not getattr(cues, wanted) and getattr(detect_cues(subject), wanted):
        cues = replace(cues, **{wanted: True})
    return cues


def _clean(text: str) -> str:
    """`text` without lone surrogates (which cannot be encoded) and NUL characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", " ") if "\x00" in text else text
