"""A local HTTP server speaking the Telegram Bot API, for tests: it records every call, serves
scripted updates to getUpdates (long polling, offsets acknowledged as Telegram does), answers
getMe, setMyCommands, deleteWebhook, setWebhook and sendMessage, can answer 429 with retry_after,
and checks HTML parse-mode text as Telegram does (a stray "<" is refused with 400)."""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456:TEST-token"
BOT_ID = 123456
_TAGS = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler|blockquote)(\s[^>]*)?>")


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def shown(self) -> str:
        """The text as the user sees it in the chat (markup applied, entities decoded)."""
        text = str(self.params.get("text", ""))
        if self.params.get("parse_mode") == "HTML":
            return html.unescape(_TAGS.sub("", text))
        return text


@dataclass
class BotApi:
    """The state of the fake Bot API; `url` is the base_url for `[telegram]`."""

    port: int = 0
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # method -> (code, retry)
    acknowledged: int = 0  # highest offset a getUpdates was asked with
    cond: threading.Condition = field(default_factory=threading.Condition)
    closing: bool = False
    _update_ids: Any = field(default_factory=lambda: itertools.count(1000))
    _message_ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # ----- scripting

    def push(self, message: dict[str, Any], kind: str = "message") -> int:
        """Queue an update holding `message`; returns its update_id."""
        with self.cond:
            update_id = next(self._update_ids)
            self.updates.append({"update_id": update_id, kind: message})
            self.cond.notify_all()
            return update_id

    def fail_next(self, method: str, code: int = 429, retry_after: int = 1) -> None:
        with self.cond:
            self.failures.setdefault(method, []).append((code, retry_after))

    def sent(self, chat_id: int | None = None) -> list[Call]:
        with self.cond:
            return [
                c
                for c in self.calls
                if c.method == "sendMessage" and (chat_id is None or int(c.params["chat_id"]) == chat_id)
            ]

    def called(self, method: str) -> list[Call]:
        with self.cond:
            return [c for c in self.calls if c.method == method]

    def pending(self) -> list[int]:
        """Update ids Telegram still holds (not acknowledged by an offset)."""
        with self.cond:
            return [u["update_id"] for u in self.updates if u["update_id"] >= self.acknowledged]

    def wait_sent(self, count: int, chat_id: int | None = None, deadline: float = 30.0) -> list[Call]:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            found = self.sent(chat_id)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{count} messages not sent to {chat_id}; got {[c.shown for c in self.sent()]}")

    # ----- answering

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.cond:
            self.calls.append(Call(method, params))
            queued = self.failures.get(method)
            if queued:
                code, retry = queued.pop(0)
                if code == 429:
                    return 429, {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {retry}",
                        "parameters": {"retry_after": retry},
                    }
                return code, {"ok": False, "error_code": code, "description": "Scripted failure"}
        if method == "getMe":
            return 200, _ok(
                {"id": BOT_ID, "is_bot": True, "first_name": "Soporte SAACG", "username": "soporte_saacg_bot"}
            )
        if method in ("setMyCommands", "deleteWebhook", "setWebhook"):
            return 200, _ok(True)
        if method == "getUpdates":
            return 200, _ok(self._get_updates(params))
        if method == "sendMessage":
            return self._send_message(params)
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        end = time.monotonic() + timeout
        with self.cond:
            self.acknowledged = max(self.acknowledged, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self.closing and time.monotonic() < end:
                self.cond.wait(max(0.0, min(0.1, end - time.monotonic())))
            return list(self.updates[: int(params.get("limit") or 100)])

    def _send_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML" and "<" in _TAGS.sub("", text):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: can't parse entities"}
        if len(text) > 4096:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        chat_id = int(params["chat_id"])
        return 200, _ok(
            {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Soporte SAACG"},
                "text": text,
            }
        )


def _ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


class _Handler(BaseHTTPRequestHandler):
    api: BotApi

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if len(raw) < length:  # the client died mid-request (kill -9): Telegram never got it
            return
        body = raw.decode("utf-8")
        prefix = f"/bot{TOKEN}/"
        if not self.path.startswith(prefix):
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        params: dict[str, Any] = {}
        if body and self.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(body)
        elif body:
            params = dict(parse_qsl(body, keep_blank_values=True))
        code, payload = self.api.answer(self.path[len(prefix) :], params)
        self._reply(code, payload)

    do_GET = do_POST

    def _reply(self, code: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a poll given up on
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


class BotApiServer:
    """Runs a BotApi on 127.0.0.1 in a thread: `with BotApiServer() as api: ...`."""

    def __init__(self) -> None:
        self.api = BotApi()
        handler = type("Handler", (_Handler,), {"api": self.api})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.api.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, name="bot-api", daemon=True)

    def __enter__(self) -> BotApi:
        self.thread.start()
        return self.api

    def __exit__(self, *exc: object) -> None:
        with self.api.cond:
            self.api.closing = True
            self.api.cond.notify_all()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


# ----- what users send


def private(
    chat_id: int, text: str = "", *, first_name: str = "Juan", message_id: int = 1, **extra: Any
) -> dict[str, Any]:
    """A message in the private chat of user `chat_id`."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": 1772640000,
        "chat": {"id": chat_id, "type": "private", "first_name": first_name},
        "from": {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "es"},
        **extra,
    }
    if text:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return message


def group(chat_id: int, user_id: int, text: str) -> dict[str, Any]:
    return {
        "message_id": 7,
        "date": 1772640000,
        "chat": {"id": chat_id, "type": "group", "title": "Tesorería"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Ana"},
        "text": text,
    }


def photo(file_id: str = "AgACAgEAAxkBAAIB") -> list[dict[str, Any]]:
    return [
        {
            "file_id": f"{file_id}-small",
            "file_unique_id": "AQADs",
            "width": 90,
            "height": 60,
            "file_size": 1200,
        },
        {"file_id": file_id, "file_unique_id": "AQADb", "width": 1280, "height": 800, "file_size": 98765},
    ]


def voice() -> dict[str, Any]:
    return {"file_id": "AwACAgEAAxkBAAIC", "file_unique_id": "AgADv", "duration": 4, "mime_type": "audio/ogg"}
