"""Webhook mode of the Telegram listener: a small HTTP endpoint (behind the operator's HTTPS proxy)
that Telegram posts updates to. A post without the right secret token header gets 403; an update
is answered 200 only once stored, else 500 and Telegram posts it again (the worker's register of
`tg:<update_id>` makes a repeat harmless)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging

from ventanilla.bot.channels import Intake
from ventanilla.bot.settings import TelegramSettings
from ventanilla.intake.telegram_parse import SOURCE, UPDATE_KINDS, update_bytes
from ventanilla.store.db import session_scope
from ventanilla.store.intake import new_raw_row

log = logging.getLogger("ventanilla.telegram")
SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_BODY = 1_048_576
HEADER_TIMEOUT = 30.0


async def serve_webhook(intake: Intake, settings: TelegramSettings, stop: asyncio.Event) -> None:
    """Accept posts on webhook_host:webhook_port until `stop`."""
    secret = settings.webhook_secret()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status = await _handle(intake, secret, reader)
        except (TimeoutError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            status = 400
        except Exception as exc:  # the store is down: Telegram posts the update again later
            log.warning("telegram webhook: update not stored: %s", type(exc).__name__)
            status = 500
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 413: "Too Large", 500: "Error"}[status]
        with contextlib.suppress(OSError):
            head = f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            writer.write(head.encode())
            await writer.drain()
            writer.close()

    server = await asyncio.start_server(handle, settings.webhook_host, settings.webhook_port)
    log.info("telegram webhook listening on %s:%d", settings.webhook_host, settings.webhook_port)
    async with server:
        await stop.wait()


async def _handle(intake: Intake, secret: str, reader: asyncio.StreamReader) -> int:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEADER_TIMEOUT)
    request_line, *lines = head.decode("latin-1").split("\r\n")
    if not request_line.startswith("POST "):
        return 400
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
    if not hmac.compare_digest(headers.get(SECRET_HEADER, "").encode(), secret.encode()):
        return 403
    length = int(headers.get("content-length", "0"))
    if length > MAX_BODY:
        return 413
    body = await asyncio.wait_for(reader.readexactly(length), HEADER_TIMEOUT)
    update = json.loads(body)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return 400
    if any(isinstance(update.get(kind), dict) for kind in UPDATE_KINDS):
        raw_id = await asyncio.to_thread(_store, intake, update)
        intake.stored(raw_id)
    return 200


def _store(intake: Intake, update: dict[str, object]) -> int:
    app = intake.app
    row = new_raw_row(
        app.box,
        source=SOURCE,
        source_id=f"tg:{update['update_id']}",
        data=update_bytes(update),
        envelope={},
        received_at=app.clock.now(),
    )
    with app.gate.priority(), session_scope(app.sessions) as session:
        session.add(row)
        session.flush()
        return row.id
