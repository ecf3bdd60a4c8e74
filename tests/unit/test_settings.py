"""Settings: the built-in defaults are exactly config.example.toml, every invalid value is refused with
an error naming its key, and the command line turns a bad file into one line and exit 1."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

from ventanilla.bot.errors import ConfigError
from ventanilla.bot.settings import CONFIG_ENV, Settings, load_settings, settings_from_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def _keys(obj: Any, prefix: str = "") -> set[str]:
    """Every `section.key` of a settings dataclass."""
    found: set[str] = set()
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            found |= _keys(value, f"{prefix}{f.name}.")
        else:
            found.add(f"{prefix}{f.name}")
    return found


def _toml_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for key, value in data.items():
        if isinstance(value, dict):
            found |= _toml_keys(value, f"{prefix}{key}.")
        else:
            found.add(f"{prefix}{key}")
    return found


def test_defaults_are_the_values_of_config_example_toml() -> None:
    assert load_settings(EXAMPLE) == Settings()


def test_config_example_toml_lists_every_key_with_a_comment() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert _toml_keys(tomllib.loads(text)) == _keys(Settings())
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            above = lines[number - 1].strip()
            assert above.startswith("#") or "=" in above, f"key without a comment: {line}"


def test_section_9_keys_exist_with_their_documented_defaults() -> None:
    s = Settings()
    assert (s.service.data_dir, s.service.timezone, s.store.url, s.tickets.prefix) == (
        "data", "America/Mexico_City", "", "SAACG",
    )  # fmt: skip
    assert (s.smtp_intake.enabled, s.smtp_intake.host, s.smtp_intake.port) == (True, "127.0.0.1", 8025)
    assert s.smtp_intake.addresses == ("soporte@saacg.example",)
    assert s.smtp_intake.max_message_bytes == 26214400
    assert (s.imap.enabled, s.imap.port, s.imap.ssl, s.imap.folder, s.imap.idle) == (
        False, 993, True, "INBOX", True,
    )  # fmt: skip
    assert (s.imap.poll_seconds, s.imap.processed_folder, s.imap.password_env) == (
        60, "", "VENTANILLA_IMAP_PASSWORD",
    )  # fmt: skip
    assert (s.telegram.enabled, s.telegram.token_env, s.telegram.base_url) == (
        False, "VENTANILLA_TELEGRAM_TOKEN", "",
    )  # fmt: skip
    assert (s.outbound.host, s.outbound.port, s.outbound.from_address) == (
        "127.0.0.1", 25, "soporte@saacg.example",
    )  # fmt: skip
    assert (s.outbound.max_auto_replies_per_recipient, s.outbound.auto_reply_window_minutes) == (10, 180)
    assert (s.reminders.max, s.reminders.interval_hours) == (2, 24)
    assert (s.hours.always_open, s.hours.closed_days) == (False, ())
    assert s.classifier.threshold == 0.6
    assert s.security.key_env == "VENTANILLA_SECRET_KEY"
    assert s.store_url.startswith("sqlite:///") and s.store_url.endswith("ventanilla.db")


def test_without_a_file_the_environment_variable_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert load_settings() == Settings()
    config = tmp_path / "c.toml"
    config.write_text('[tickets]\nprefix = "SOP"\n[reminders]\nmax = 0\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    loaded = load_settings()
    assert loaded.tickets.prefix == "SOP"
    assert loaded.reminders.max == 0
    assert loaded.service == Settings().service


def test_values_are_taken_and_coerced() -> None:
    s = settings_from_dict(
        {
            "smtp_intake": {"addresses": ["a@x.example", "b@x.example"], "port": 0},
            "classifier": {"threshold": 1},
            "hours": {"closed_days": ["2026-12-24"], "always_open": True},
        }
    )
    assert s.smtp_intake.addresses == ("a@x.example", "b@x.example")
    assert s.classifier.threshold == 1.0 and isinstance(s.classifier.threshold, float)
    assert s.hours.closed_days == ("2026-12-24",)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"colour": {}}, "colour"),
        ({"service": {"colour": "blue"}}, "service.colour"),
        ({"required": {"legal": ["name"]}}, "required.legal"),
        ({"service": "data"}, "service"),
        ({"smtp_intake": {"port": "8025"}}, "smtp_intake.port"),
        ({"smtp_intake": {"port": 25.5}}, "smtp_intake.port"),
        ({"smtp_intake": {"enabled": "yes"}}, "smtp_intake.enabled"),
        ({"smtp_intake": {"addresses": "soporte@saacg.example"}}, "smtp_intake.addresses"),
        ({"smtp_intake": {"addresses": [1]}}, "smtp_intake.addresses"),
        ({"reminders": {"max": True}}, "reminders.max"),
        ({"classifier": {"threshold": "0.6"}}, "classifier.threshold"),
        ({"tickets": {"prefix": 7}}, "tickets.prefix"),
        ({"service": {"timezone": "America/Atlantis"}}, "service.timezone"),
        ({"service": {"timezone": ""}}, "service.timezone"),
        ({"service": {"log_level": "LOUD"}}, "service.log_level"),
        ({"tickets": {"prefix": "SAA CG"}}, "tickets.prefix"),
        ({"tickets": {"prefix": "Soporte"}}, "tickets.prefix"),
        ({"smtp_intake": {"port": 70000}}, "smtp_intake.port"),
        ({"imap": {"port": -1}}, "imap.port"),
        ({"outbound": {"port": 65536}}, "outbound.port"),
        ({"smtp_intake": {"addresses": []}}, "smtp_intake.addresses"),
        ({"smtp_intake": {"addresses": ["soporte"]}}, "smtp_intake.addresses"),
        ({"smtp_intake": {"max_message_bytes": 10}}, "smtp_intake.max_message_bytes"),
        ({"outbound": {"from_address": "soporte"}}, "outbound.from_address"),
        ({"imap": {"enabled": True}}, "imap.host"),
        ({"imap": {"poll_seconds": 0}}, "imap.poll_seconds"),
        ({"reminders": {"max": -1}}, "reminders.max"),
        ({"reminders": {"interval_hours": 0}}, "reminders.interval_hours"),
        ({"classifier": {"threshold": 1.5}}, "classifier.threshold"),
        ({"hours": {"opens": "8am"}}, "hours.opens"),
        ({"hours": {"closes": "24:00"}}, "hours.closes"),
        ({"hours": {"weekdays": [7]}}, "hours.weekdays"),
        ({"hours": {"closed_days": ["2026-02-30"]}}, "hours.closed_days"),
        ({"hours": {"closed_days": ["24/12/2026"]}}, "hours.closed_days"),
        ({"hours": {"closed_days": "2026-12-24"}}, "hours.closed_days"),
        ({"required": {"technical": ["licence", "serial"]}}, "required.technical"),
    ],
)
def test_an_invalid_value_is_refused_naming_its_key(data: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_dict(data)
    assert caught.value.key == key
    assert repr(key) in str(caught.value)


def test_a_missing_or_malformed_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[service\ndata_dir = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken)


def _ventanilla(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from ventanilla.bot.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ('[hours]\nclosed_days = ["2026-13-01"]\n', "hours.closed_days"),
        ("[smtp_intake]\nport = 99999\n", "smtp_intake.port"),
        ('[service]\nzone = "UTC"\n', "service.zone"),
    ],
)
def test_the_cli_refuses_a_bad_config_with_one_line_naming_the_key(
    tmp_path: Path, content: str, key: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[store]\nurl = "sqlite:///{tmp_path}/v.db"\n' + content, encoding="utf-8")
    done = _ventanilla("--config", str(bad), "tickets", "list", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert key in lines[0]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "v.db").exists()
