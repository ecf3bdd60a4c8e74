"""The listeners and outbox transports `serve` runs, chosen from the settings in one place. A
listener stores what it receives through `Intake` (durably, before acknowledging it to its
channel) and runs until told to stop; a transport delivers outbox rows of one channel."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ventanilla.bot.app import App
from ventanilla.bot.outbox_sender import Transport
from ventanilla.bot.smtp_transport import SmtpTransport
from ventanilla.store.raw_batcher import RawBatcher


@dataclass(frozen=True)
class Intake:
    """What `serve` lends every listener."""

    app: App
    batcher: RawBatcher  # group-committing raw store (SMTP); a listener may also write its own rows
    stored: Callable[[int], None]  # call from any thread once raw message `id` is committed


class Listener(Protocol):
    """A channel's receiving side. `run` returns once `stop` is set (after finishing what it has
    taken); it never raises for a channel failure: it logs, backs off and retries."""

    name: str

    async def run(self, stop: asyncio.Event) -> None: ...


def listeners(intake: Intake) -> list[Listener]:
    """The enabled listeners other than SMTP intake (which serve starts itself)."""
    settings = intake.app.settings
    found: list[Listener] = []
    if settings.imap.enabled:
        from ventanilla.intake.imap import ImapListener

        found.append(ImapListener(intake))
    if settings.telegram.enabled:
        from ventanilla.intake.telegram import TelegramListener

        found.append(TelegramListener(intake))
    return found


def transports(app: App) -> dict[str, Transport]:
    """Outbox transports by channel name ("email", "telegram")."""
    settings = app.settings
    found: dict[str, Transport] = {
        "email": SmtpTransport(settings.outbound, settings.secret(settings.outbound.password_env), app.clock)
    }
    if settings.telegram.enabled:
        from ventanilla.bot.telegram_transport import TelegramTransport

        found["telegram"] = TelegramTransport(app)
    return found
