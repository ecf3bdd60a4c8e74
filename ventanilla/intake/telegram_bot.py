"""The python-telegram-bot `Bot` both Telegram edges use (listener and outbox transport), built from
`[telegram]` settings, and the command menu registered with setMyCommands."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from jinja2 import Environment
from telegram import Bot, BotCommand
from telegram.request import HTTPXRequest

from ventanilla.bot.settings import TelegramSettings

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
COMMANDS_TEMPLATE = "telegram/_commands.txt.j2"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0  # getUpdates adds its long-poll timeout to this


def api_base(base_url: str) -> str:
    """The prefix the token is appended to: "" gives api.telegram.org; a server root such as
    "http://127.0.0.1:8081" (a local Bot API server) gets the usual "/bot" appended."""
    if not base_url:
        return DEFAULT_BASE_URL
    url = base_url.rstrip("/")
    if "{token}" in url or urlsplit(url).path.endswith("/bot"):
        return url
    return f"{url}/bot"


def redacted(error: BaseException, token: str) -> str:
    """An error's text with the bot token hidden: python-telegram-bot puts it in some messages
    (InvalidToken) and URLs, and the token is a secret that never reaches a log."""
    text = str(error) or type(error).__name__
    return text.replace(token, "<token>") if token else text


def make_bot(settings: TelegramSettings) -> Bot:
    """A Bot for the token named by `settings.token_env` (ConfigError when unset)."""
    # Opt in to python-telegram-bot's timedelta durations (RetryAfter.retry_after…): without it each
    # such value raises a PTBDeprecationWarning in v22.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    token = settings.token()
    request = HTTPXRequest(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
    polling = HTTPXRequest(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
    return Bot(token, base_url=api_base(settings.base_url), request=request, get_updates_request=polling)


def bot_commands(templates: Environment) -> list[BotCommand]:
    """The command menu (/start, /nuevo, /estado, /ayuda) as the template words it."""
    text = templates.get_template(COMMANDS_TEMPLATE).render()
    commands: list[BotCommand] = []
    for line in text.splitlines():
        name, sep, description = line.partition(":")
        if sep and name.strip():
            commands.append(BotCommand(name.strip(), description.strip()))
    return commands
