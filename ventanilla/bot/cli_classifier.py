"""The classifier commands: `classify` and `evaluate` read JSON Lines messages, `train` rebuilds the
model. spaCy and the model are imported only when one of them runs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ventanilla.bot.cli import CliContext, pass_cli

if TYPE_CHECKING:
    from spacy.language import Language

    from ventanilla.classifier.analyse import Analysis
    from ventanilla.classifier.records import Record


def _numbered_lines(file: str | None) -> Iterator[tuple[int, str]]:
    """(number, text) of each non-blank input line, from FILE (read at once) or stdin (streamed).
    Undecodable bytes become U+FFFD, so such a line is reported, never fatal."""
    from ventanilla.classifier.records import read_lines

    if file and file != "-":
        try:
            return iter(list(read_lines(Path(file))))
        except OSError as exc:
            raise click.ClickException(f"cannot read {file}: {exc.strerror or exc}") from None
    return _stdin_lines()


def _stdin_lines() -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        line = raw.decode("utf-8", errors="replace")
        if line.strip():
            yield number, line


def _nlp(ctx: CliContext) -> Language:
    from ventanilla.classifier.pipeline import load_pipeline

    return load_pipeline(ctx.settings.classifier.model or None)


def _analyse(ctx: CliContext, nlp: Language, record: Record) -> Analysis:
    from ventanilla.classifier.analyse import analyse

    return analyse(
        record.message,
        {},
        ctx.settings.required,
        ctx.settings.classifier.threshold,
        nlp=nlp,
    )


def _emit(obj: dict[str, Any]) -> None:
    line = json.dumps(obj, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape: keep it escaped
        line = json.dumps(obj)
    click.echo(line)


@click.command("classify")
@click.argument("file", required=False, metavar="[FILE]")
@pass_cli
def classify_command(ctx: CliContext, file: str | None) -> None:
    """Label JSON Lines messages (FILE or stdin) and print one JSON line for each, in order:
    {"id", "label", "confidence", "fields", "missing"}. A malformed line prints
    {"id": null, "line": N, "error": "..."} and the rest still run."""
    from ventanilla.classifier.records import RecordError, parse_line

    lines = _numbered_lines(file)
    nlp = _nlp(ctx)
    for number, line in lines:
        try:
            record = parse_line(line)
        except RecordError as exc:
            _emit({"id": None, "line": number, "error": str(exc)})
            continue
        result = _analyse(ctx, nlp, record)
        _emit(
            {
                "id": record.id,
                "label": result.label,
                "confidence": result.confidence,
                "fields": dict(result.fields),
                "missing": list(result.missing),
            },
        )


@click.command("evaluate")
@click.argument("file", metavar="FILE")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
@pass_cli
def evaluate_command(ctx: CliContext, file: str, as_json: bool) -> None:
    """Score the classifier on labelled JSON Lines (classify's input plus "label" and "fields"):
    accuracy, macro-F1, per-label and per-field precision/recall/F1, field micro-F1."""
    from ventanilla.classifier.evaluate import Outcome, format_report, score
    from ventanilla.classifier.records import RecordError, parse_line

    lines = list(_numbered_lines(file))
    nlp = _nlp(ctx)
    outcomes = []
    skipped = []
    for number, line in lines:
        try:
            record = parse_line(line, labelled=True)
        except RecordError as exc:
            skipped.append(number)
            click.echo(f"ventanilla: line {number} skipped: {exc}", err=True)
            continue
        result = _analyse(ctx, nlp, record)
        outcomes.append(
            Outcome(
                gold_label=str(record.label),
                gold_fields=record.fields,
                label=result.label,
                fields=result.fields,
                needs_triage=result.needs_triage,
            )
        )
    report = score(outcomes)
    if as_json:
        click.echo(json.dumps({**report.as_dict(), "skipped_lines": skipped}, ensure_ascii=False))
    else:
        click.echo(format_report(report))
        if skipped:
            click.echo(f"skipped lines: {', '.join(map(str, skipped))}")


@click.command("train")
@click.option(
    "--corrections",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Staff corrections exported by the store (JSON Lines, same shape as the corpus).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Where to write the model (default: the bundled model directory).",
)
@click.option(
    "--corpus",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Training corpus (default: the bundled train.jsonl).",
)
def train_command(corrections: str | None, output: str | None, corpus: str | None) -> None:
    """Rebuild the classifier model from the training corpus plus staff corrections (fixed seed)."""
    from ventanilla.bot.errors import InvalidInput
    from ventanilla.classifier.pipeline import MODEL_DIR
    from ventanilla.classifier.records import RecordError
    from ventanilla.classifier.train import TRAIN_CORPUS, train

    try:
        report = train(
            corpus=Path(corpus) if corpus else TRAIN_CORPUS,
            corrections=Path(corrections) if corrections else None,
            output=Path(output) if output else MODEL_DIR,
        )
    except RecordError as exc:
        raise InvalidInput(str(exc)) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read or write {exc.filename}: {exc.strerror}") from None
    labels = ", ".join(f"{k} {v}" for k, v in sorted(report.by_label.items()))
    click.echo(
        f"trained on {report.examples} examples + {report.corrections} corrections ({labels}); "
        f"model written to {report.output}"
    )


COMMANDS: list[click.Command] = [classify_command, evaluate_command, train_command]
