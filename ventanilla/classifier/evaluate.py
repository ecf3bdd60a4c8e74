"""Scores predictions against gold labels and fields: accuracy, macro-F1 and per-label
precision/recall/F1; per-field precision/recall/F1 and micro-F1 over normalised values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ventanilla.bot.model import FIELDS, LABELS

_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = " \t\n.,;:!?¡¿\"'()[]{}<>«»“”‘’-–—_*/\\|"


def normalise_value(value: str) -> str:
    """A field value as compared: casefolded, accents folded, whitespace collapsed,
    surrounding punctuation stripped."""
    folded = unicodedata.normalize("NFKD", str(value).casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _SPACE.sub(" ", folded).strip(_EDGE_PUNCT)


@dataclass(frozen=True)
class Score:
    """Counts and derived precision, recall and F1 of one label or field."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(frozen=True)
class Report:
    count: int
    accuracy: float
    macro_f1: float
    labels: dict[str, Score]
    fields: dict[str, Score]
    fields_micro: Score
    triage: int  # predictions below the confidence threshold

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "labels": {name: s.as_dict() for name, s in self.labels.items()},
            "fields_micro": self.fields_micro.as_dict(),
            "fields": {name: s.as_dict() for name, s in self.fields.items()},
            "triage": self.triage,
        }


@dataclass(frozen=True)
class Outcome:
    """One scored message: gold and predicted label and fields."""

    gold_label: str
    gold_fields: Mapping[str, str]
    label: str
    fields: Mapping[str, str]
    needs_triage: bool = False


def score(outcomes: Sequence[Outcome]) -> Report:
    """The report over `outcomes`; labels are the four of the product, fields those of section 3
    plus any other field name that occurs in gold or predictions."""
    label_counts = {str(label): [0, 0, 0] for label in LABELS}
    names = list(FIELDS) + sorted({n for o in outcomes for n in (*o.gold_fields, *o.fields)} - set(FIELDS))
    field_counts = {name: [0, 0, 0] for name in names}
    correct = 0
    for o in outcomes:
        if o.label == o.gold_label:
            correct += 1
            label_counts.setdefault(o.label, [0, 0, 0])[0] += 1
        else:
            label_counts.setdefault(o.label, [0, 0, 0])[1] += 1
            label_counts.setdefault(o.gold_label, [0, 0, 0])[2] += 1
        for name in names:
            gold = o.gold_fields.get(name)
            pred = o.fields.get(name)
            if gold is not None and pred is not None and normalise_value(gold) == normalise_value(pred):
                field_counts[name][0] += 1
                continue
            if pred is not None:
                field_counts[name][1] += 1
            if gold is not None:
                field_counts[name][2] += 1
    labels = {name: Score(*c) for name, c in label_counts.items()}
    fields = {name: Score(*c) for name, c in field_counts.items() if any(c)}
    micro = Score(*(sum(c[i] for c in field_counts.values()) for i in range(3)))
    official = [labels[str(label)] for label in LABELS]
    return Report(
        count=len(outcomes),
        accuracy=correct / len(outcomes) if outcomes else 0.0,
        macro_f1=sum(s.f1 for s in official) / len(official),
        labels=labels,
        fields=fields,
        fields_micro=micro,
        triage=sum(o.needs_triage for o in outcomes),
    )


def format_report(report: Report) -> str:
    """The report as an aligned plain-text table."""
    lines = [
        f"messages   {report.count}",
        f"accuracy   {report.accuracy:.4f}",
        f"macro-F1   {report.macro_f1:.4f}   (over {', '.join(map(str, LABELS))})",
        f"triage     {report.triage}   (confidence below the threshold)",
        "",
        f"{'label':<22}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}",
    ]
    lines += [_row(name, s) for name, s in report.labels.items()]
    lines += ["", f"{'field':<22}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    lines += [_row(name, s) for name, s in report.fields.items()]
    lines.append(_row("micro (all fields)", report.fields_micro))
    return "\n".join(lines)


def _row(name: str, s: Score) -> str:
    return f"{name:<22}{s.precision:>10.4f}{s.recall:>10.4f}{s.f1:>10.4f}{s.support:>9}"
