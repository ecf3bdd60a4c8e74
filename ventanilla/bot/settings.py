"""Settings: one TOML file read once into frozen dataclasses, validated at start.

Every error names the offending key (`section.key`). Secrets are never in the file:
the file names the environment variables that hold them.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ventanilla.bot.errors import ConfigError
from ventanilla.bot.model import DESCRIPTION, FIELDS, LABELS

CONFIG_ENV = "VENTANILLA_CONFIG"


@dataclass(frozen=True)
class ServiceSettings:
    data_dir: str = "data"
    timezone: str = "America/Mexico_City"
    log_file: str = ""  # "": stderr only
    log_level: str = "INFO"


@dataclass(frozen=True)
class StoreSettings:
    url: str = ""  # "": SQLite file in data_dir


@dataclass(frozen=True)
class TicketSettings:
    prefix: str = "SAACG"
    reopen_window_days: int = 30


@dataclass(frozen=True)
class SmtpIntakeSettings:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8025
    addresses: tuple[str, ...] = ("soporte@saacg.example",)
    max_message_bytes: int = 26214400


@dataclass(frozen=True)
class ImapSettings:
    enabled: bool = False
    host: str = ""
    port: int = 993
    ssl: bool = True
    starttls: bool = False  # with ssl = false: upgrade the plain connection (STARTTLS)
    username: str = ""
    password_env: str = "VENTANILLA_IMAP_PASSWORD"
    folder: str = "INBOX"
    folders: tuple[str, ...] = ()  # more folders besides `folder`
    idle: bool = True
    poll_seconds: int = 60
    processed_folder: str = ""  # "": mark \Seen, else move there
    timeout_seconds: int = 30  # connecting and each command
    reconnect_max_seconds: int = 300  # longest wait between reconnection attempts

    def password(self) -> str:
        """The IMAP password from the environment variable `password_env`; ConfigError when unset."""
        value = os.environ.get(self.password_env)
        if not value:
            raise ConfigError("imap.password_env", f"environment variable {self.password_env} is not set")
        return value


@dataclass(frozen=True)
class TelegramSettings:
    enabled: bool = False
    token_env: str = "VENTANILLA_TELEGRAM_TOKEN"
    base_url: str = ""  # Bot API base URL override ("": api.telegram.org), e.g. a local Bot API server
    poll_timeout_seconds: int = 30  # long polling: seconds getUpdates waits for news
    webhook_url: str = ""  # "": long polling; else the public HTTPS URL Telegram posts updates to
    webhook_secret_env: str = "VENTANILLA_TELEGRAM_WEBHOOK_SECRET"  # secret token header, checked
    webhook_host: str = "127.0.0.1"  # where the webhook listener binds (behind the HTTPS proxy)
    webhook_port: int = 8443

    def token(self) -> str:
        """The bot token from the environment variable `token_env`; ConfigError when unset."""
        value = os.environ.get(self.token_env)
        if not value:
            raise ConfigError("telegram.token_env", f"environment variable {self.token_env} is not set")
        return value

    def webhook_secret(self) -> str:
        """The webhook secret token from `webhook_secret_env`; ConfigError when unset or invalid."""
        value = os.environ.get(self.webhook_secret_env) or ""
        if not value:
            raise ConfigError(
                "telegram.webhook_secret_env", f"environment variable {self.webhook_secret_env} is not set"
            )
        if len(value) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in value):
            raise ConfigError("telegram.webhook_secret_env", "1-256 characters A-Z, a-z, 0-9, _ and - only")
        return value


@dataclass(frozen=True)
class OutboundSettings:
    host: str = "127.0.0.1"
    port: int = 25
    from_address: str = "soporte@saacg.example"
    from_name: str = "Soporte SAACG.NET"
    username: str = ""
    password_env: str = "VENTANILLA_SMTP_PASSWORD"
    starttls: bool = False
    timeout_seconds: int = 30
    max_auto_replies_per_recipient: int = 10
    auto_reply_window_minutes: int = 180
    retry_initial_seconds: float = 5.0
    retry_max_seconds: float = 600.0


@dataclass(frozen=True)
class ReminderSettings:
    max: int = 2
    interval_hours: int = 24


@dataclass(frozen=True)
class HoursSettings:
    always_open: bool = False
    opens: str = "08:00"
    closes: str = "16:00"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    holidays: bool = True  # Mexican official holidays closed
    closed_days: tuple[str, ...] = ()  # extra closed dates, "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD"


@dataclass(frozen=True)
class PolicySettings:
    """The support policy of PRODUCT.md section 4 beyond hours and required data."""

    previous_versions: int = 1  # supported: the current exercise's version and this many before it
    first_answer_target_minutes: int = 20  # first-level target for a human answer, in business hours


@dataclass(frozen=True)
class ClassifierSettings:
    threshold: float = 0.6
    model: str = ""  # "": the bundled model


@dataclass(frozen=True)
class SecuritySettings:
    key_env: str = "VENTANILLA_SECRET_KEY"


@dataclass(frozen=True)
class RequiredSettings:
    """The required-data policy (PRODUCT.md section 3). Field names as in section 3,
    plus "description" (the request says what the problem is)."""

    all: tuple[str, ...] = ("name", "cargo", "ente", "phone", "city", "state", "email")
    administrative: tuple[str, ...] = ()
    administrative_activation: tuple[str, ...] = ("licence",)
    technical: tuple[str, ...] = (
        "licence",
        "module",
        "version",
        DESCRIPTION,
        "teamviewer_id",
        "teamviewer_password",
    )
    technical_database: tuple[str, ...] = ("backup_done",)
    normative: tuple[str, ...] = ("licence", "module", DESCRIPTION)
    other: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    service: ServiceSettings = field(default_factory=ServiceSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    tickets: TicketSettings = field(default_factory=TicketSettings)
    smtp_intake: SmtpIntakeSettings = field(default_factory=SmtpIntakeSettings)
    imap: ImapSettings = field(default_factory=ImapSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    outbound: OutboundSettings = field(default_factory=OutboundSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    hours: HoursSettings = field(default_factory=HoursSettings)
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    required: RequiredSettings = field(default_factory=RequiredSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)

    @property
    def data_path(self) -> Path:
        return Path(self.service.data_dir)

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{self.data_path / 'ventanilla.db'}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.service.timezone)

    def secret(self, env_name: str) -> str | None:
        """The value of the environment variable `env_name`, or None when unset or empty."""
        return os.environ.get(env_name) or None


def load_settings(path: str | Path | None = None) -> Settings:
    """Read `path`, else $VENTANILLA_CONFIG, else return the built-in defaults."""
    chosen = path or os.environ.get(CONFIG_ENV)
    if not chosen:
        return Settings()
    try:
        with open(chosen, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("--config", f"file {str(chosen)!r} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("--config", f"{chosen} is not valid TOML: {exc}") from None
    return settings_from_dict(data)


def settings_from_dict(data: dict[str, Any]) -> Settings:
    settings: Settings = _build(Settings, data, "")
    _validate(settings)
    return settings


def _build(cls: type, data: Any, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(prefix.rstrip("."), "must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    for key in data:
        if key not in known:
            raise ConfigError(f"{prefix}{key}", "unknown key")
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        hint = hints[f.name]
        key = f"{prefix}{f.name}"
        if is_dataclass(hint):
            values[f.name] = _build(hint, data[f.name], f"{key}.")  # type: ignore[arg-type]
        else:
            values[f.name] = _coerce(hint, data[f.name], key)
    return cls(**values)


def _coerce(hint: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item,) = {a for a in typing.get_args(hint) if a is not Ellipsis}
        if not isinstance(value, list):
            raise ConfigError(key, f"must be a list of {item.__name__}")
        return tuple(_coerce(item, v, key) for v in value)
    if origin in (typing.Union, types.UnionType):
        raise ConfigError(key, "unsupported type")  # pragma: no cover - no such field yet
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, "must be true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "must be an integer")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, "must be a number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(key, "must be a string")
        return value
    raise ConfigError(key, "unsupported type")  # pragma: no cover


def _validate(s: Settings) -> None:
    try:
        ZoneInfo(s.service.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("service.timezone", f"unknown time zone {s.service.timezone!r}") from None
    if s.service.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("service.log_level", "must be DEBUG, INFO, WARNING or ERROR")
    prefix = s.tickets.prefix
    if not (prefix.replace("_", "").isalnum() and prefix.isascii() and prefix == prefix.upper()):
        raise ConfigError("tickets.prefix", "must be upper-case ASCII letters and digits, e.g. SAACG")
    for name, port in (
        ("smtp_intake.port", s.smtp_intake.port),
        ("imap.port", s.imap.port),
        ("outbound.port", s.outbound.port),
    ):
        if not 0 <= port <= 65535:
            raise ConfigError(name, "must be a TCP port (0-65535)")
    if s.smtp_intake.enabled and not s.smtp_intake.addresses:
        raise ConfigError("smtp_intake.addresses", "needs at least one support address")
    for addr in s.smtp_intake.addresses:
        if "@" not in addr:
            raise ConfigError("smtp_intake.addresses", f"{addr!r} is not an email address")
    if s.smtp_intake.max_message_bytes < 1024:
        raise ConfigError("smtp_intake.max_message_bytes", "must be at least 1024")
    if "@" not in s.outbound.from_address:
        raise ConfigError("outbound.from_address", "must be an email address")
    if s.imap.enabled and not s.imap.host:
        raise ConfigError("imap.host", "required when imap.enabled is true")
    if s.imap.enabled and not s.imap.username:
        raise ConfigError("imap.username", "required when imap.enabled is true")
    if s.imap.poll_seconds < 1:
        raise ConfigError("imap.poll_seconds", "must be at least 1")
    if s.imap.ssl and s.imap.starttls:
        raise ConfigError("imap.starttls", "cannot be combined with imap.ssl (implicit TLS)")
    if s.imap.processed_folder and s.imap.processed_folder in (s.imap.folder, *s.imap.folders):
        raise ConfigError("imap.processed_folder", "must not be one of the folders read")
    if s.imap.timeout_seconds < 1:
        raise ConfigError("imap.timeout_seconds", "must be at least 1")
    if s.imap.reconnect_max_seconds < 1:
        raise ConfigError("imap.reconnect_max_seconds", "must be at least 1")
    if not 0 <= s.telegram.poll_timeout_seconds <= 50:
        raise ConfigError("telegram.poll_timeout_seconds", "must be between 0 and 50")
    for key in ("base_url", "webhook_url"):
        url = getattr(s.telegram, key)
        if url and not url.startswith(("http://", "https://")):
            raise ConfigError(f"telegram.{key}", f"{url!r} is not an http(s) URL")
    if not 0 <= s.telegram.webhook_port <= 65535:
        raise ConfigError("telegram.webhook_port", "must be a TCP port (0-65535)")
    if s.reminders.max < 0:
        raise ConfigError("reminders.max", "must be 0 or more")
    if s.reminders.interval_hours < 1:
        raise ConfigError("reminders.interval_hours", "must be at least 1")
    if not 0.0 <= s.classifier.threshold <= 1.0:
        raise ConfigError("classifier.threshold", "must be between 0 and 1")
    for key in ("opens", "closes"):
        value = getattr(s.hours, key)
        hh, _, mm = value.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise ConfigError(f"hours.{key}", f"{value!r} is not HH:MM")
    for day in s.hours.weekdays:
        if not 0 <= day <= 6:
            raise ConfigError("hours.weekdays", "days are 0 (Monday) to 6 (Sunday)")
    for closed in s.hours.closed_days:
        first, _, last = closed.partition("..")
        try:
            start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
        except ValueError:
            raise ConfigError(
                "hours.closed_days", f"{closed!r} is not YYYY-MM-DD nor YYYY-MM-DD..YYYY-MM-DD"
            ) from None
        if end < start or (end - start).days > 366:
            raise ConfigError("hours.closed_days", f"{closed!r}: the range must run forward, a year at most")
    if s.policy.previous_versions < 0:
        raise ConfigError("policy.previous_versions", "must be 0 or more")
    if s.policy.first_answer_target_minutes < 1:
        raise ConfigError("policy.first_answer_target_minutes", "must be at least 1")
    allowed = set(FIELDS) | {DESCRIPTION}
    for f in fields(s.required):
        for name in getattr(s.required, f.name):
            if name not in allowed:
                raise ConfigError(f"required.{f.name}", f"unknown field {name!r}")
    assert {str(label) for label in LABELS} <= {f.name for f in fields(s.required)}
