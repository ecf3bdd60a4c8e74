"""The exception hierarchy of ventanilla, rooted in one VentanillaError.

Each exception says what the user or operator should do about it.
"""

from __future__ import annotations


class VentanillaError(Exception):
    """Base of every error ventanilla raises on purpose."""


class ConfigError(VentanillaError):
    """The configuration is invalid; the message names the key. Fix the file and restart."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"config key {key!r}: {problem}")
        self.key = key
        self.problem = problem


class StoreError(VentanillaError):
    """The store could not be read or written; check the database and retry."""


class StoreUnavailable(StoreError):
    """The store is down or locked; the sender should retry later (SMTP 451)."""


class DecryptionError(VentanillaError):
    """Stored data cannot be decrypted with the configured key (security.key_env): set the key it was
    written with. Not a StoreError: the database itself is fine, so the worker dead-letters such a
    message instead of waiting for the store to come back."""


class NotFound(VentanillaError):
    """A ticket, message or licence that was asked for does not exist."""


class InvalidInput(VentanillaError):
    """A command was given a value it cannot use; the message says which."""


class MalformedMessage(VentanillaError):
    """An incoming message cannot be parsed; it goes to the dead letters with this reason."""


class ModelError(VentanillaError):
    """The classifier model is missing or broken; run `ventanilla train`."""


class DeliveryError(VentanillaError):
    """An outgoing message could not be handed to the relay or the Bot API; it will be retried
    (not before `retry_after` seconds when the channel said so, e.g. a Telegram 429)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """The relay refused the message for good (5xx, e.g. unknown recipient); it is not retried and
    stays in the outbox as failed, for staff to see."""
