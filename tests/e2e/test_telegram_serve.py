"""`ventanilla serve` with Telegram enabled, as a user and an operator see it: a chat conversation
through a local Bot API, `tickets show` with `tg:`/`tg-out:` ids, a kill -9 in the middle with
updates waiting (none lost, none twice), and a missing token refused in one line."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from telegram_api import TOKEN, BotApi, BotApiServer, private

# The e2e helpers, loaded by path: the bare name `conftest` may be another folder's in a full run.
_spec = importlib.util.spec_from_file_location("e2e_helpers", Path(__file__).with_name("conftest.py"))
assert _spec is not None and _spec.loader is not None
helpers = importlib.util.module_from_spec(_spec)
sys.modules["e2e_helpers"] = helpers
_spec.loader.exec_module(helpers)
Serve, free_port, run_cli = helpers.Serve, helpers.free_port, helpers.run_cli
wait_until, write_config = helpers.wait_until, helpers.write_config

TOKEN_ENV = "TEST_TELEGRAM_TOKEN"  # serve's environment drops VENTANILLA_* variables
REQUEST = (
    "Buenos días, al generar la balanza de comprobación en el módulo de Contabilidad me aparece el error "
    '"referencia a objeto no establecida". Tenemos instalada la versión 2026.'
)
DATA = (
    "Juan Pérez López\nTesorero Municipal\nH. Ayuntamiento de Zapopan\nZapopan, Jalisco\n"
    "Tel. 33 1234 5678\njuan.perez@zapopan.gob.mx\nLicencia SAACG-JAL-0457\n"
    "ID de TeamViewer: 1 234 567 890\nContraseña de TeamViewer: 8jk2m4"
)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with BotApiServer() as running:
        yield running


def telegram_config(tmp_path: Path, api: BotApi) -> tuple[Path, int]:
    smtp_port = free_port()
    extra = (
        f'\n[telegram]\nenabled = true\ntoken_env = "{TOKEN_ENV}"\nbase_url = "http://127.0.0.1:{api.port}"\n'
        "poll_timeout_seconds = 1\n\n[hours]\nalways_open = true\n"
    )
    return write_config(tmp_path, smtp_port, free_port(), extra), smtp_port


def show(config: Path, number: str) -> dict[str, object]:
    done = run_cli(config, "tickets", "show", number, "--json")
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_a_chat_conversation_through_serve(
    api: BotApi, tmp_path: Path, start_serve: Callable[[Path, int], Serve]
) -> None:
    config, smtp_port = telegram_config(tmp_path, api)
    serve = start_serve(config, smtp_port)
    api.push(private(7001, REQUEST))
    (ack,) = api.wait_sent(1, 7001)
    assert ack.params["parse_mode"] == "HTML" and "Correo electrónico" in ack.shown
    number = next(word for word in ack.shown.split() if word.startswith("SAACG-"))
    api.push(private(7001, DATA))
    api.push(private(7001, "/estado"))
    sent = api.wait_sent(4, 7001)
    assert "Sus datos están completos" in sent[1].shown and "borrar" in sent[2].shown
    assert number in sent[3].shown and "8jk2m4" not in "".join(c.shown for c in sent)
    assert serve.stop() == 0
    ticket = show(config, number)
    assert (
        ticket["state"] == "queued" and ticket["channel"] == "telegram" and ticket["requester"] == "tg:7001"
    )
    messages = ticket["messages"]
    assert isinstance(messages, list)
    assert [m["source_id"][:3] for m in messages if m["direction"] == "in"] == ["tg:"] * 3
    assert all(m["source_id"].startswith("tg-out:") for m in messages if m["direction"] == "out")
    assert "8jk2m4" not in json.dumps(ticket, ensure_ascii=False)


def test_kill_in_the_middle_loses_nothing_and_repeats_nothing(
    api: BotApi, tmp_path: Path, start_serve: Callable[[Path, int], Serve]
) -> None:
    config, smtp_port = telegram_config(tmp_path, api)
    chats = [7100 + n for n in range(12)]
    serve = start_serve(config, smtp_port)
    for chat in chats[:6]:
        api.push(private(chat, REQUEST))
    wait_until(lambda: len(api.sent()) >= 2, "the first replies")
    serve.kill()  # kill -9 while updates are being taken
    for chat in chats[6:]:
        api.push(private(chat, REQUEST))
    serve = start_serve(config, smtp_port)
    wait_until(lambda: {int(c.params["chat_id"]) for c in api.sent()} == set(chats), "a reply to every chat")
    wait_until(lambda: api.pending() == [], "every update acknowledged")
    assert serve.stop() == 0
    listed = run_cli(config, "tickets", "list", "--json")
    tickets = json.loads(listed.stdout)
    assert sorted(t["requester"] for t in tickets) == [f"tg:{chat}" for chat in chats]  # one each
    for ticket in tickets:
        incoming = [m for m in show(config, ticket["number"])["messages"] if m["direction"] == "in"]
        assert len(incoming) == 1


def test_serve_refuses_to_start_without_the_token(tmp_path: Path, api: BotApi) -> None:
    config, _ = telegram_config(tmp_path, api)
    config.write_text(config.read_text().replace(TOKEN_ENV, "TEST_TELEGRAM_TOKEN_UNSET"), encoding="utf-8")
    done = run_cli(config, "serve")
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "telegram.token_env" in done.stderr
    assert api.calls == []
