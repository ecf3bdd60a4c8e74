"""Exactly once over restarts: updates waiting at Telegram while the desk is down are all handled
after it starts again, none twice; an update delivered again is counted, not handled again; the
webhook mode stores what Telegram posts with the right secret only."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from telegram_api import BotApi, private
from telegram_desk import TelegramDesk
from telegram_fixtures import api

from ventanilla.store.channel_state import get_state, set_state

__all__ = ["api"]
REQUEST = (
    "Buenos días, no puedo timbrar la nómina en el módulo de Nómina, me sale un error de conexión. "
    "Tenemos la versión 2026. Licencia SAACG-JAL-0457"
)


async def test_updates_waiting_during_a_restart_are_handled_once(
    api: BotApi, sqlite_url: str, tmp_path: Path
) -> None:
    chats = [5550100 + n for n in range(6)]
    first = await TelegramDesk(api, sqlite_url, tmp_path / "data").start()
    for chat in chats[:3]:
        api.push(private(chat, REQUEST))
    await first.replies(3)
    await first.settled()
    await first.stop()
    for chat in chats[3:]:  # sent while the desk is down: Telegram keeps them
        api.push(private(chat, REQUEST))
    assert len(api.pending()) == 3
    second = await TelegramDesk(api, sqlite_url, tmp_path / "data").start()
    try:
        await second.replies(6)
        await second.settled()
        await second.until(lambda: api.pending() == [], "Telegram to be told")
        tickets = second.tickets()
        assert sorted(t.requester for t in tickets) == [f"tg:{chat}" for chat in chats]
        incoming = second.incoming_ids()
        assert len(incoming) == len(set(incoming)) == 6
        assert sorted(int(c.params["chat_id"]) for c in api.sent()) == chats  # one reply each
    finally:
        await second.stop()


async def test_an_update_delivered_again_is_not_handled_twice(
    api: BotApi, sqlite_url: str, tmp_path: Path
) -> None:
    desk = await TelegramDesk(api, sqlite_url, tmp_path / "data").start()
    try:
        update_id = api.push(private(5550200, REQUEST))
        await desk.replies(1)
        await desk.settled()
        offset = await asyncio.to_thread(_offset, desk)
        assert offset == str(update_id + 1)
        await desk.stop()
        # Telegram delivers the same update again (the stored offset lost, e.g. a restored backup).
        await asyncio.to_thread(_forget_offset, desk)
        with api.cond:
            api.updates.append({"update_id": update_id, "message": private(5550200, REQUEST)})
            api.acknowledged = 0
        desk = await TelegramDesk(api, sqlite_url, tmp_path / "data").start()
        await desk.until(lambda: api.pending() == [], "the repeat to be taken")
        await desk.settled()
        (ticket,) = desk.tickets()
        (message,) = [m for m in desk.show(ticket.number)["messages"] if m["direction"] == "in"]
        assert message["source_id"] == f"tg:{update_id}" and message["duplicates"] == 1
        assert len(api.sent()) == 1
    finally:
        await desk.stop()


def _offset(desk: TelegramDesk) -> str | None:
    with desk.app.sessions() as session:
        return get_state(session, "telegram:offset")


def _forget_offset(desk: TelegramDesk) -> None:
    with desk.app.sessions.begin() as session:
        set_state(session, "telegram:offset", "0")


@pytest.mark.parametrize("secret_ok", [True, False])
async def test_webhook_stores_updates_posted_with_the_secret(
    api: BotApi, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret_ok: bool
) -> None:
    from worker_desk import free_port

    monkeypatch.setenv("VENTANILLA_TELEGRAM_WEBHOOK_SECRET", "s3cret-token_1")
    port = free_port()
    telegram = {"webhook_url": "https://bot.example/tg", "webhook_port": port}
    desk = await TelegramDesk(api, sqlite_url, tmp_path / "data", telegram).start()
    try:
        (hook,) = await desk.until(lambda: api.called("setWebhook"), "setWebhook")
        assert (
            hook.params["url"] == "https://bot.example/tg" and hook.params["secret_token"] == "s3cret-token_1"
        )
        update = {"update_id": 77, "message": private(5550300, REQUEST)}
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1" if secret_ok else "wrong"}
        async with httpx.AsyncClient() as client:
            for _ in range(20):
                try:
                    answer = await client.post(
                        f"http://127.0.0.1:{port}/", content=json.dumps(update), headers=headers
                    )
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
        assert answer.status_code == (200 if secret_ok else 403)
        if secret_ok:
            await desk.replies(1)
            await desk.settled()
            assert desk.incoming_ids() == ["tg:77"]
        else:
            assert desk.tickets() == [] and desk.pending_raw() == 0
    finally:
        await desk.stop()
