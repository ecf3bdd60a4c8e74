"""A requester's whole conversation with the bot over the real python-telegram-bot stack and a local
Bot API: /start, a request missing data, the data in several short messages, `queued`; the
password kept secret; /nuevo; markup typed by the user shown as typed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from telegram_api import BotApi, private
from telegram_desk import TelegramDesk
from telegram_fixtures import any_desk, api, desk

__all__ = ["any_desk", "api", "desk"]
CHAT = 5550001
REQUEST = (
    "Buenos días, al generar la balanza de comprobación en el módulo de Contabilidad me aparece el error "
    '"referencia a objeto no establecida". Tenemos instalada la versión 2026.'
)
PASSWORD = "8jk2m4"
DATA = [
    "Mi nombre es Juan Pérez López",
    "Cargo: Tesorero Municipal",
    "Ente: H. Ayuntamiento de Zapopan, Zapopan, Jalisco",
    "Tel. 33 1234 5678, correo juan.perez@zapopan.gob.mx",
    "Licencia SAACG-JAL-0457",
    f"ID de TeamViewer: 1 234 567 890 contraseña: {PASSWORD}",
]


async def test_start_registers_the_menu_and_welcomes(api: BotApi, desk: TelegramDesk) -> None:
    api.push(private(CHAT, "/start", first_name="Juan"))
    (welcome,) = await desk.replies(1)
    assert welcome.startswith("¡Hola, Juan!") and "/ayuda" in welcome and "8:00" in welcome
    commands = json.loads(api.called("setMyCommands")[0].params["commands"])
    assert [c["command"] for c in commands] == ["start", "nuevo", "estado", "ayuda"]
    assert all(c["description"] for c in commands)
    (delete,) = api.called("deleteWebhook")
    assert delete.params.get("drop_pending_updates") in (None, "False", "false")  # never dropped
    api.push(private(CHAT, "/ayuda"))
    assert "/estado" in (await desk.replies(2))[1]
    assert desk.tickets() == []  # commands open no ticket


async def test_missing_data_dialogue_reaches_queued(api: BotApi, any_desk: TelegramDesk) -> None:
    desk = any_desk
    api.push(private(CHAT, REQUEST))
    (ack,) = await desk.replies(1)
    (ticket,) = desk.tickets()
    assert ticket.number in ack and ticket.state == "awaiting_info"
    # One message asks for everything missing, the email address included (no sender address).
    for wanted in ("Nombre completo", "Correo electrónico", "Número de licencia", "TeamViewer"):
        assert wanted in ack
    asked_before = len(ack.split("•"))
    for count, text in enumerate(DATA, start=2):
        api.push(private(CHAT, text))
        replies = await desk.replies(count)
        latest = replies[-1]
        if count < len(DATA) + 1:  # each answer asks only for what is still missing
            assert len(latest.split("•")) < asked_before, latest
            asked_before = len(latest.split("•"))
    replies = await desk.replies(len(DATA) + 2)
    await desk.settled()
    (ticket,) = desk.tickets()
    assert ticket.state == "queued" and ticket.missing == []
    assert "Sus datos están completos" in replies[-2]
    assert "borrar" in replies[-1]  # the advice to delete the message with the password
    assert all(PASSWORD not in text for text in replies)
    shown = desk.show(ticket.number)
    assert shown["fields"]["teamviewer_password"] == "********"
    assert (
        shown["fields"]["email"] == "juan.perez@zapopan.gob.mx" and shown["fields"]["phone"] == "3312345678"
    )
    assert shown["contact"]["telegram_chat_id"] == CHAT
    assert shown["contact"]["fields"]["name"] == "Juan Pérez López"
    assert PASSWORD not in json.dumps(shown, ensure_ascii=False)
    ins = [m["source_id"] for m in shown["messages"] if m["direction"] == "in"]
    outs = [m["source_id"] for m in shown["messages"] if m["direction"] == "out"]
    assert len(ins) == len(DATA) + 1 and all(s.startswith("tg:") for s in ins)
    assert len(outs) == len(DATA) + 2 and all(s.startswith("tg-out:") for s in outs)
    assert {row.message_id for row in desk.outbox()} == set(outs)
    with desk.app.sessions() as session:
        from ventanilla.store.tickets import get_ticket, ticket_secrets

        assert ticket_secrets(desk.app.box, get_ticket(session, ticket.number)) == {
            "teamviewer_password": PASSWORD
        }


async def test_known_requester_is_not_asked_again(api: BotApi, desk: TelegramDesk) -> None:
    api.push(private(CHAT, REQUEST))
    await desk.replies(1)
    api.push(private(CHAT, "\n".join(DATA)))
    await desk.replies(3)
    api.push(private(CHAT, "/nuevo"))
    prompt = (await desk.replies(4))[-1]
    assert "se conserva" in prompt
    api.push(
        private(
            CHAT,
            "¿Cómo registro el momento contable del devengado de una obra pública? Licencia SAACG-JAL-0457",
        )
    )
    ack = (await desk.replies(5))[-1]
    first, second = desk.tickets()
    assert second.number in ack and first.number not in ack
    for known in ("Nombre completo", "Correo electrónico", "Teléfono"):
        assert known not in ack
    assert first.state == "queued"  # left as it was
    api.push(private(CHAT, "Es para el módulo de Obra Pública"))
    await desk.replies(6)
    await desk.settled()
    assert len(desk.show(second.number)["messages"]) == 4  # two in, two out
    assert len(desk.show(first.number)["messages"]) == 5  # unchanged by the new ticket


async def test_markup_typed_by_the_user_comes_back_as_typed(api: BotApi, desk: TelegramDesk) -> None:
    name = "<b>Ana</b> *_[]()~`>#+-=|{}.!& <i>"
    api.push(private(CHAT, "/start", first_name=name))
    (welcome,) = await desk.replies(1)
    assert welcome.startswith(f"¡Hola, {name}!")
    call = api.sent()[0]
    assert call.params["parse_mode"] == "HTML" and "&lt;b&gt;Ana&lt;/b&gt;" in call.params["text"]
    api.push(private(CHAT, f"Mi nombre es {name}. {REQUEST} <script>alert(1)</script> *negrita* _x_"))
    (_, ack) = await desk.replies(2)
    await desk.settled()
    (ticket,) = desk.tickets()
    body = desk.show(ticket.number)["messages"][0]["body"]
    assert "<script>alert(1)</script> *negrita* _x_" in body
    assert ticket.number in ack
