"""Builds the training corpus: loads the hand-written cores, splits them by core into train and
dev, renders each core a few times and writes `train.jsonl` and `dev.jsonl`.

Run: `python -m ventanilla.classifier.corpus.build [--cores DIR] [--out DIR] [--seed N]`."""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ventanilla.classifier.corpus.model import Core, CoreFormatError, Message, load_cores
from ventanilla.classifier.corpus.render import render
from ventanilla.classifier.corpus.verify import missing_gold

SEED = 20250303
DEV_SHARE = 0.2
TOTAL_TARGET = 2600
LABEL_SHARE: dict[str, float] = {"technical": 0.30, "administrative": 0.25, "normative": 0.25, "other": 0.20}
SHORT_WORDS = 8  # cores this short are rendered more often
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CORES = PACKAGE_DIR / "cores"
DEFAULT_OUT = PACKAGE_DIR.parent / "data"


def split_cores(cores: Sequence[Core], seed: int) -> tuple[list[Core], list[Core]]:
    """About DEV_SHARE of each label's cores (chosen by a seeded shuffle of ids) go to dev."""
    by_label: dict[str, list[Core]] = defaultdict(list)
    for core in cores:
        by_label[core.label].append(core)
    dev_ids: set[str] = set()
    for label, group in sorted(by_label.items()):
        ids = sorted(c.id for c in group)
        random.Random(f"{seed}:split:{label}").shuffle(ids)
        dev_ids.update(ids[: round(len(ids) * DEV_SHARE)])
    return [c for c in cores if c.id not in dev_ids], [c for c in cores if c.id in dev_ids]


def render_counts(cores: Sequence[Core], seed: int) -> dict[str, int]:
    """How many messages each core yields: each label aims at its share of TOTAL_TARGET; short cores
    get more renderings (up to 6), others 1-4, whole messages at most 2."""
    by_label: dict[str, list[Core]] = defaultdict(list)
    for core in cores:
        by_label[core.label].append(core)
    counts: dict[str, int] = {}
    for label, group in by_label.items():
        weights = {c.id: 0.5 if c.whole else 1.6 if c.word_count <= SHORT_WORDS else 1.0 for c in group}
        scale = LABEL_SHARE[label] * TOTAL_TARGET / sum(weights.values())
        for core in group:
            wanted = weights[core.id] * scale
            rng = random.Random(f"{seed}:count:{core.id}")
            whole_part = int(wanted) + (1 if rng.random() < wanted - int(wanted) else 0)
            cap = 2 if core.whole else 6 if core.word_count <= SHORT_WORDS else 4
            counts[core.id] = max(1, min(cap, whole_part))
    return counts


def build(cores: Sequence[Core], seed: int = SEED) -> tuple[list[Message], list[Message]]:
    """Render train and dev messages; raises CoreFormatError if a gold field is not in its message."""
    train_cores, dev_cores = split_cores(cores, seed)
    counts = render_counts(cores, seed)
    splits: list[list[Message]] = []
    for group in (train_cores, dev_cores):
        messages = [render(core, i, seed, group) for core in group for i in range(counts[core.id])]
        for message in messages:
            missing = missing_gold(message)
            if missing:
                raise CoreFormatError(f"{message.id}: gold {missing} not found in the rendered text")
        random.Random(f"{seed}:order:{len(splits)}").shuffle(messages)
        splits.append(messages)
    return splits[0], splits[1]


def write_jsonl(path: Path, messages: Sequence[Message]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(m.to_json() + "\n" for m in messages), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cores", type=Path, default=DEFAULT_CORES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    try:
        cores = load_cores(args.cores)
        train, dev = build(cores, args.seed)
    except CoreFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_jsonl(args.out / "train.jsonl", train)
    write_jsonl(args.out / "dev.jsonl", dev)
    for name, messages in (("train", train), ("dev", dev)):
        per_label: dict[str, int] = defaultdict(int)
        for m in messages:
            per_label[m.label] += 1
        shares = ", ".join(f"{k}={v}" for k, v in sorted(per_label.items()))
        print(f"{name}: {len(messages)} messages ({shares})")
    print(f"cores: {len(cores)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
