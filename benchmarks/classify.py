"""Speed of `analyse` on one core over a few thousand varied messages, next to the bare
`spacy.blank("es")` tokenizer over the same texts (the floor), and the model's load time.

Run: .venv/bin/python benchmarks/classify.py [--messages N] [--model DIR]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "ventanilla" / "classifier" / "data"
LOAD_SNIPPET = (
    "import time, sys; t = time.perf_counter(); "
    "from ventanilla.classifier.pipeline import load_pipeline; "
    "load_pipeline(sys.argv[1] or None); print(time.perf_counter() - t)"
)


def _messages(count: int, data: Path) -> list[dict[str, str]]:
    """`count` varied messages: every corpus line (train and dev), shuffled, repeated if needed,
    plus a few odd ones (empty, emoji, long, binary-ish)."""
    rows: list[dict[str, str]] = []
    for name in ("dev.jsonl", "train.jsonl"):
        path = data / name
        if path.is_file():
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if not rows:
        sys.exit(f"no corpus in {data}; run python -m ventanilla.classifier.corpus.build")
    rng = random.Random(7)
    rng.shuffle(rows)
    odd = [
        {"channel": "telegram", "subject": "", "body": ""},
        {"channel": "telegram", "subject": "", "body": "🙏🙏 gracias 👍"},
        {"channel": "email", "subject": "x", "body": "\x00\x01\x02 ÿþ binary \ufffd" * 50},
        {"channel": "email", "subject": "largo", "body": rows[0]["body"] * 40},
    ]
    picked = (rows * (count // len(rows) + 1))[: count - len(odd)] + odd
    return picked


def _one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return "not pinned (no sched_setaffinity)"


def _rate(run: Callable[[], object], count: int, repeats: int = 3) -> float:
    """Items per second of the best of `repeats` runs (the least disturbed by other processes)."""
    best = min(_timed(run) for _ in range(repeats))
    return count / best


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _load_time(model: str) -> float:
    """Seconds to import the package and load the model, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", LOAD_SNIPPET, model], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--model", default="", help="model directory (default: the bundled one)")
    parser.add_argument("--data", default=str(DATA), help="folder with train.jsonl / dev.jsonl")
    args = parser.parse_args()
    pinning = _one_core()

    import spacy

    from ventanilla.bot.settings import RequiredSettings
    from ventanilla.classifier.analyse import MessageText, analyse
    from ventanilla.classifier.pipeline import load_pipeline
    from ventanilla.intake.quoting import split_quoted

    rows = _messages(args.messages, Path(args.data))
    loads = [_load_time(args.model) for _ in range(3)]
    nlp = load_pipeline(args.model or None)
    policy = RequiredSettings()
    messages = []
    for row in rows:
        new, quoted = split_quoted(row["body"])
        sender = row.get("from", "")
        messages.append(MessageText(row["channel"], row["subject"], new, quoted, sender))
    texts = [f"{row['subject']}\n{row['body']}" for row in rows]

    blank = spacy.blank("es")
    for text in texts[:200]:
        blank.tokenizer(text)
    floor = _rate(lambda: [blank.tokenizer(text) for text in texts], len(texts))

    for message in messages[:200]:
        analyse(message, {}, policy, 0.6, nlp=nlp)
    rate = _rate(lambda: [analyse(m, {}, policy, 0.6, nlp=nlp) for m in messages], len(messages))

    def split_and_analyse() -> None:
        for row in rows:
            new, quoted = split_quoted(row["body"])
            analyse(MessageText(row["channel"], row["subject"], new, quoted), {}, policy, 0.6, nlp=nlp)

    full = _rate(split_and_analyse, len(rows))

    size = sum(p.stat().st_size for p in Path(nlp.path or ".").rglob("*") if p.is_file()) if nlp.path else 0
    chars = sum(map(len, texts)) / len(texts)
    print(f"messages           {len(messages)} (mean {chars:.0f} chars), {pinning}, best of 3 runs")
    print(f"tokenizer floor    {floor:10.0f} msg/s   spacy.blank('es').tokenizer")
    print(f"analyse            {rate:10.0f} msg/s   ({rate / floor:.2f} x floor; target >= 1000)")
    print(f"split + analyse    {full:10.0f} msg/s   ({full / floor:.2f} x floor)")
    print(f"model load         {min(loads):10.2f} s       (fresh interpreter, import included; target < 2)")
    print(f"model size         {size / 1e6:10.1f} MB      {nlp.path}")


if __name__ == "__main__":
    main()
