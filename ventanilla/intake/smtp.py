"""SMTP intake edge (aiosmtpd): accepts mail for the support addresses only and commits the raw
bytes to the store before answering 250; everything slow happens later in the worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Protocol

from aiosmtpd.smtp import SMTP, Envelope, Session

from ventanilla.bot.clock import Clock
from ventanilla.bot.errors import StoreError

log = logging.getLogger("ventanilla.intake.smtp")
MAX_LINE_BYTES = 1_048_576


class RawSink(Protocol):
    """Durably stores one received message; returns its id. Raises StoreError when it cannot.
    A sink that also has `submit(**same arguments) -> concurrent.futures.Future[int]` (group
    commit) is awaited through that instead of a thread."""

    def __call__(
        self,
        *,
        source: str,
        source_id: str | None,
        data: bytes,
        envelope: dict[str, Any],
        received_at: datetime,
    ) -> int: ...


class IntakeHandler:
    """aiosmtpd handler: RCPT only for our addresses, DATA committed before 250."""

    def __init__(
        self,
        *,
        addresses: Collection[str],
        max_message_bytes: int,
        sink: RawSink,
        clock: Clock,
        on_stored: Callable[[int], None] = lambda raw_id: None,
    ) -> None:
        self.addresses = frozenset(a.lower() for a in addresses)
        self.max_message_bytes = max_message_bytes
        self.sink = sink
        self.clock = clock
        self.on_stored = on_stored

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() not in self.addresses:
            log.info("smtp rcpt rejected: unknown recipient")
            return "550 5.1.1 Recipient address rejected: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        if isinstance(data, str):  # pragma: no cover - decode_data is off
            data = data.encode("utf-8", "surrogateescape")
        if len(data) > self.max_message_bytes:
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        mail_from = envelope.mail_from or ""
        meta = {
            "mail_from": "" if mail_from == "<>" else mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "peer": str(session.peer[0]) if session.peer else "",
            "helo": session.host_name or "",
        }
        try:
            raw_id = await self._store(data, meta)
        except StoreError as exc:
            log.warning("smtp message not stored, answered 451: %s", type(exc).__name__)
            return "451 4.3.0 Temporary local problem, please try again later"
        except Exception:  # any unexpected failure: never 250, never crash the server
            log.exception("smtp message not stored, answered 451")
            return "451 4.3.0 Temporary local problem, please try again later"
        log.info("smtp message stored raw_id=%s bytes=%d", raw_id, len(data))
        self.on_stored(raw_id)
        return f"250 2.0.0 OK queued as {raw_id}"

    async def _store(self, data: bytes, meta: dict[str, Any]) -> int:
        kwargs: dict[str, Any] = {
            "source": "smtp",
            "source_id": None,
            "data": data,
            "envelope": meta,
            "received_at": self.clock.now(),
        }
        submit = getattr(self.sink, "submit", None)
        if submit is not None:  # a group-committing sink (store.raw_batcher.RawBatcher)
            return int(await asyncio.wrap_future(submit(**kwargs)))
        return await asyncio.to_thread(self.sink, **kwargs)


class IntakeSMTP(SMTP):
    """aiosmtpd's SMTP with lines of up to MAX_LINE_BYTES: broken clients send HTML bodies on one
    line far beyond RFC 5321's 1,000 bytes, and such mail must reach the desk, not bounce with 500."""

    line_length_limit = MAX_LINE_BYTES


def smtp_factory(handler: IntakeHandler, *, hostname: str | None = None) -> Callable[[], SMTP]:
    """Protocol factory for `loop.create_server`: one aiosmtpd SMTP per connection."""

    def build() -> SMTP:
        return IntakeSMTP(
            handler,
            data_size_limit=handler.max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=hostname,
            ident="ventanilla ESMTP",
        )

    return build


async def start_smtp_server(
    handler: IntakeHandler, host: str, port: int, *, hostname: str | None = None
) -> asyncio.Server:
    """Listen on host:port and return the server (close it to stop accepting)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(smtp_factory(handler, hostname=hostname), host=host, port=port)
    log.info("smtp intake listening on %s:%d", host, port)
    return server
