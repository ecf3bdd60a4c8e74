"""Fixtures of the worker tests: a desk (see worker_desk.py) on SQLite, or on every store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from worker_desk import Desk


def _open(url: str, tmp_path: Path) -> Iterator[Desk]:
    opened = Desk.open(url, tmp_path / "data")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def lite_desk(sqlite_url: str, tmp_path: Path) -> Iterator[Desk]:
    """A desk on SQLite."""
    yield from _open(sqlite_url, tmp_path)


@pytest.fixture
def any_desk(store_url: str, tmp_path: Path) -> Iterator[Desk]:
    """A desk on each store (SQLite, PostgreSQL when its binaries exist)."""
    yield from _open(store_url, tmp_path)


@pytest.fixture
def desk(lite_desk: Desk) -> Desk:
    return lite_desk
