"""Fixtures of the Telegram integration tests: the local Bot API and a desk talking to it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from telegram_api import TOKEN, BotApi, BotApiServer
from telegram_desk import TelegramDesk


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    monkeypatch.setenv("VENTANILLA_TELEGRAM_TOKEN", TOKEN)
    with BotApiServer() as running:
        yield running


@pytest.fixture
async def desk(api: BotApi, sqlite_url: str, tmp_path: Path) -> AsyncIterator[TelegramDesk]:
    running = await TelegramDesk(api, sqlite_url, tmp_path / "data").start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def any_desk(api: BotApi, store_url: str, tmp_path: Path) -> AsyncIterator[TelegramDesk]:
    """A desk on each store (SQLite, PostgreSQL when its binaries exist)."""
    running = await TelegramDesk(api, store_url, tmp_path / "data").start()
    try:
        yield running
    finally:
        await running.stop()
