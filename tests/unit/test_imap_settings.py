"""IMAP settings and reconnection pacing: keys that cannot work together are refused naming the
key; the reconnection delays grow, are jittered, never fall below half the first delay (no busy
loop) and never exceed the configured cap."""

from __future__ import annotations

import random
from typing import Any

import pytest

from ventanilla.bot.errors import ConfigError
from ventanilla.bot.settings import settings_from_dict
from ventanilla.intake.imap import Backoff

ENABLED = {"enabled": True, "host": "imap.example.org", "username": "soporte"}


@pytest.mark.parametrize(
    ("imap", "key"),
    [
        ({"enabled": True, "host": "imap.example.org"}, "imap.username"),
        (ENABLED | {"starttls": True}, "imap.starttls"),
        (ENABLED | {"processed_folder": "INBOX"}, "imap.processed_folder"),
        (ENABLED | {"folders": ["Soporte"], "processed_folder": "Soporte"}, "imap.processed_folder"),
        (ENABLED | {"timeout_seconds": 0}, "imap.timeout_seconds"),
        (ENABLED | {"reconnect_max_seconds": 0}, "imap.reconnect_max_seconds"),
    ],
)
def test_settings_that_cannot_work_are_refused_naming_the_key(imap: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        settings_from_dict({"imap": imap})
    assert error.value.key == key


def test_starttls_on_a_plain_connection_is_accepted() -> None:
    settings = settings_from_dict({"imap": ENABLED | {"ssl": False, "starttls": True, "port": 143}})
    assert (settings.imap.ssl, settings.imap.starttls) == (False, True)


def test_unset_password_variable_is_a_config_error_naming_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VENTANILLA_IMAP_PASSWORD", raising=False)
    with pytest.raises(ConfigError) as error:
        settings_from_dict({"imap": ENABLED}).imap.password()
    assert error.value.key == "imap.password_env"


def test_reconnection_delays_double_with_jitter_up_to_the_cap_and_restart_after_a_reset() -> None:
    backoff = Backoff(1.0, 30.0, random.Random(7))
    delays = [backoff.next() for _ in range(12)]
    bases = [min(30.0, 2.0**n) for n in range(12)]
    assert all(base / 2 <= delay <= base for delay, base in zip(delays, bases, strict=True))
    assert len(set(delays)) == len(delays)  # jittered: reconnecting clients do not march in step
    backoff.reset()
    assert 0.5 <= backoff.next() <= 1.0
