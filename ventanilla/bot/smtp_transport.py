"""Email transport of the outbox: hands a row to the outbound SMTP relay with aiosmtplib."""

from __future__ import annotations

import aiosmtplib

from ventanilla.bot.clock import Clock
from ventanilla.bot.compose import build_email, new_message_id
from ventanilla.bot.errors import DeliveryError, PermanentDeliveryError
from ventanilla.bot.settings import OutboundSettings
from ventanilla.store.schema import OutboxRow


class SmtpTransport:
    """Permanent failure only when the relay refuses the recipient (5xx to every RCPT) or the
    message itself (5xx to DATA); any other refusal or error is retried."""

    def __init__(self, settings: OutboundSettings, password: str | None, clock: Clock) -> None:
        self.settings = settings
        self.password = password
        self.clock = clock

    async def send(self, row: OutboxRow) -> None:
        message = build_email(
            from_address=self.settings.from_address,
            from_name=self.settings.from_name,
            recipient=row.recipient,
            subject=row.subject,
            message_id=row.message_id or new_message_id(self.settings.from_address),
            body_text=row.body_text,
            body_html=row.body_html,
            headers=row.headers or {},
            date=row.created_at,
        )
        try:
            await aiosmtplib.send(
                message,
                sender=self.settings.from_address,
                recipients=[row.recipient],
                hostname=self.settings.host,
                port=self.settings.port,
                username=self.settings.username or None,
                password=self.password if self.settings.username else None,
                start_tls=self.settings.starttls,
                use_tls=False,
                timeout=self.settings.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            if exc.recipients and all(500 <= refused.code < 600 for refused in exc.recipients):
                raise PermanentDeliveryError(f"relay refused {row.recipient}: {exc}") from exc
            raise DeliveryError(f"relay deferred {row.recipient}: {exc}") from exc
        except aiosmtplib.SMTPDataError as exc:
            if 500 <= exc.code < 600:
                raise PermanentDeliveryError(f"relay refused the message: {exc.code} {exc.message}") from exc
            raise DeliveryError(f"relay deferred the message: {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Everything else (greeting, HELO, AUTH, MAIL FROM refused, even with 5xx) is a problem
            # of the relay or of our settings, not of this message: retried, never failed for good.
            raise DeliveryError(f"relay {self.settings.host}:{self.settings.port}: {exc}") from exc
