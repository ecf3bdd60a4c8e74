"""The Telegram channel's guarantees over the real python-telegram-bot stack and a local Bot API:
/estado tells a ticket's status to its own chat only; groups get one line; files are recorded with
their ids; voice notes get a request to write; a 429 is retried after `retry_after`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from telegram_api import BotApi, group, photo, private, voice
from telegram_desk import TelegramDesk
from telegram_fixtures import api, desk

__all__ = ["api", "desk"]
OWNER, STRANGER = 5550001, 5550002
REQUEST = (
    "Buenos días, al generar la balanza de comprobación en el módulo de Contabilidad me aparece el error "
    '"referencia a objeto no establecida". Tenemos instalada la versión 2026. Licencia SAACG-JAL-0457'
)


async def test_status_is_told_to_the_owner_only(api: BotApi, desk: TelegramDesk) -> None:
    api.push(private(OWNER, REQUEST))
    await desk.replies(1, OWNER)
    (ticket,) = desk.tickets()
    api.push(private(OWNER, "/estado"))
    api.push(private(OWNER, f"/estado@soporte_saacg_bot {ticket.number.lower()}"))
    _, current, by_number = await desk.replies(3, OWNER)
    for status in (current, by_number):
        assert ticket.number in status and "Estado:" in status
    # A stranger asking for that ticket learns exactly what a number that does not exist gets.
    missing = ticket.number[:-6] + "999999"
    api.push(private(STRANGER, f"/estado {ticket.number}"))
    api.push(private(STRANGER, f"/estado {missing}"))
    theirs, unknown = await desk.replies(2, STRANGER)
    assert theirs.replace(ticket.number, missing) == unknown
    assert "Estado:" not in theirs and "balanza" not in theirs
    await desk.settled()
    assert len(desk.tickets()) == 1
    shown = desk.show(ticket.number)
    assert [m["body"] for m in shown["messages"] if m["direction"] == "in"][1] == "/estado"
    assert all(m["from"] != f"tg:{STRANGER}" for m in shown["messages"])


async def test_a_group_gets_one_polite_line_and_nothing_else(api: BotApi, desk: TelegramDesk) -> None:
    first = api.push(group(-100200, OWNER, "/start"))
    second = api.push(group(-100200, STRANGER, REQUEST))
    (line,) = await desk.replies(1, -100200)
    assert "chats privados" in line and "\n" not in line.strip()
    await desk.settled()
    assert desk.tickets() == [] and len(api.sent(-100200)) == 1
    assert desk.handled_updates() == [f"tg:{first}", f"tg:{second}"]  # handled, not lost
    assert api.pending() == []


async def test_files_are_recorded_with_their_ids_and_voice_notes_asked_to_write(
    api: BotApi, desk: TelegramDesk
) -> None:
    api.push(private(OWNER, REQUEST))
    await desk.replies(1, OWNER)
    api.push(private(OWNER, photo=photo("AgACAgEAAxkBAAIBphoto"), caption="Así aparece el error"))
    api.push(
        private(
            OWNER,
            document={
                "file_id": "BQACAgEdoc",
                "file_unique_id": "AgADd",
                "file_name": "error.png",
                "mime_type": "image/png",
                "file_size": 5120,
            },
        )
    )
    api.push(private(OWNER, voice=voice()))
    replies = await desk.replies(4, OWNER)
    assert "notas de voz" in replies[-1] and "texto" in replies[-1]
    await desk.settled()
    (ticket,) = desk.tickets()
    shown = desk.show(ticket.number)
    files = [f for e in shown["events"] if e["kind"] == "telegram_files" for f in e["data"]["files"]]
    assert [(f["kind"], f["file_id"]) for f in files] == [
        ("photo", "AgACAgEAAxkBAAIBphoto"),  # the biggest size of the photo
        ("document", "BQACAgEdoc"),
        ("voice", "AwACAgEAAxkBAAIC"),
    ]
    incoming = [m for m in shown["messages"] if m["direction"] == "in"]
    assert incoming[1]["body"] == "Así aparece el error"
    assert incoming[2]["attachments"] == [
        {"filename": "error.png", "content_type": "image/png", "size": 5120}
    ]


async def test_a_429_is_retried_after_retry_after(api: BotApi, desk: TelegramDesk) -> None:
    api.fail_next("sendMessage", 429, retry_after=7)
    api.push(private(OWNER, "/start"))
    await desk.until(lambda: len(api.called("sendMessage")) == 1, "the refused send")
    row = await desk.until(lambda: [r for r in desk.outbox() if r.attempts == 1], "the retry scheduled")
    assert row[0].status == "pending" and "retry after 7" in (row[0].last_error or "")
    assert (row[0].next_attempt_at - desk.clock.now()).total_seconds() == 7
    desk.clock.advance(seconds=6)
    assert await desk.sender.send_due() == 0  # not before retry_after
    assert len(api.called("sendMessage")) == 1
    desk.clock.advance(seconds=1)
    desk.sender.wake()
    (welcome,) = await desk.replies(1, OWNER)
    assert welcome.startswith("¡Hola")
    await desk.settled()
    assert len(api.called("sendMessage")) == 2 and desk.outbox()[0].status == "sent"


async def test_a_specialists_reply_reaches_the_chat_as_written(api: BotApi, desk: TelegramDesk) -> None:
    from ventanilla.bot import staff
    from ventanilla.store.db import session_scope

    api.push(private(OWNER, REQUEST))
    await desk.replies(1, OWNER)
    (ticket,) = desk.tickets()
    said = "Abra <Configuración> & elija *Usuarios*; luego [Guardar]."
    with session_scope(desk.app.sessions) as session:
        office = staff.Desk(
            session, desk.app.settings, desk.app.templates, desk.app.box, desk.clock.now(), "staff:pedro"
        )
        staff.reply(office, ticket.number, said)
    desk.sender.wake()
    replies = await desk.replies(2, OWNER)
    assert said in replies[-1] and ticket.number in replies[-1]
