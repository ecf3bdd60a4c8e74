"""A TeamViewer password sent in a request, through the real `serve`: it appears nowhere in clear —
not in the SQLite files (database, -wal, -shm), not in the log file or serve's output, not in any
message the relay received (wire form or decoded), not in `tickets show|list`, `dead-letters`,
`stats` or the corrections export — except in `tickets show --reveal`."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

from conftest import (
    REQUEST,
    REQUESTER,
    SUPPORT,
    Relay,
    Serve,
    free_port,
    run_cli,
    send_mail,
    wait_until,
)

PASSWORD = "Qz7mK2pX"  # sent in the request (subject and body)
NEW_PASSWORD = "w8Rt5nLa"  # sent later in the thread, replacing the first
SECRETS = (PASSWORD, NEW_PASSWORD)


def _config(folder: Path, smtp_port: int, relay_port: int) -> Path:
    config = folder / "ventanilla.toml"
    config.write_text(
        f'[service]\ndata_dir = "{folder / "data"}"\nlog_file = "{folder / "service.log"}"\n'
        'log_level = "DEBUG"\n\n'
        f"[smtp_intake]\nport = {smtp_port}\n\n[outbound]\nport = {relay_port}\n",
        encoding="utf-8",
    )
    return config


def _mail(subject: str, body: str, *, in_reply_to: str | None = None, **headers: str) -> tuple[bytes, str]:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"Juan Pérez <{REQUESTER}>"
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="zapopan.gob.mx")
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes(), str(msg["Message-ID"])


def _found_in_bytes(data: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in data]


def _found_in_replies(relay: Relay) -> list[str]:
    found = []
    for reply in relay.received:
        texts = [reply.as_string()]
        texts += [str(part.get_content()) for part in reply.walk() if part.get_content_maintype() == "text"]
        found += [f"{reply['Subject']}: {s}" for s in SECRETS for t in texts if s in t]
    return found


def test_a_password_sent_in_a_request_appears_nowhere_in_clear(
    tmp_path: Path, relay: Relay, start_serve: Callable[[Path, int], Serve]
) -> None:
    port = free_port()
    config = _config(tmp_path, port, relay.port)
    serve = start_serve(config, port)

    body = REQUEST + f"\nID de TeamViewer: 1 234 567 890\nContraseña de TeamViewer: {PASSWORD}\n"
    request, request_id = _mail(f"Falla en Contabilidad, TeamViewer contraseña {PASSWORD}", body)
    assert send_mail(port, request, REQUESTER)[0] == 250
    (ack,) = relay.wait_for(1)
    # The thread goes on: the password changed, said in the subject and the body.
    change, _ = _mail(
        f"RE: {ack['Subject']} nueva contraseña {NEW_PASSWORD}",
        f"Buen día, la contraseña de TeamViewer cambió.\nContraseña de TeamViewer: {NEW_PASSWORD}\n"
        f"\n> Contraseña de TeamViewer: {PASSWORD}\n",
        in_reply_to=str(ack["Message-ID"]),
    )
    assert send_mail(port, change, REQUESTER)[0] == 250
    # An out-of-office quoting the password, tied to no ticket: a dead letter (raw bytes kept).
    stray, _ = _mail(
        "Respuesta automática: fuera de la oficina",
        f"Estaré fuera hasta el lunes. Contraseña de TeamViewer: {PASSWORD}\n",
        Auto_Submitted="auto-replied",
    )
    assert send_mail(port, stray, REQUESTER)[0] == 250
    wait_until(
        lambda: json.loads(run_cli(config, "dead-letters", "--json").stdout or "[]"), "the dead letter"
    )
    number = json.loads(run_cli(config, "tickets", "list", "--json").stdout)[0]["number"]
    wait_until(
        lambda: len(json.loads(run_cli(config, "tickets", "show", number, "--json").stdout)["messages"]) >= 3,
        "the change of password on the ticket",
    )

    outputs = {
        args: run_cli(config, *args)
        for args in (
            ("tickets", "show", number, "--json"),
            ("tickets", "show", number),
            ("tickets", "list", "--json"),
            ("tickets", "list"),
            ("dead-letters", "--json"),
            ("dead-letters",),
            ("stats", "--json"),
            ("tickets", "corrections"),
        )
    }
    data = tmp_path / "data"
    while_running = {p.name: _found_in_bytes(p.read_bytes()) for p in data.iterdir() if p.is_file()}
    assert serve.stop() == 0
    after_stop = {p.name: _found_in_bytes(p.read_bytes()) for p in data.iterdir() if p.is_file()}

    assert {"ventanilla.db", "ventanilla.db-wal"} <= set(while_running), while_running
    assert not any(while_running.values()), while_running
    assert not any(after_stop.values()), after_stop
    for log in (tmp_path / "service.log", tmp_path / "serve-0.log"):
        text = log.read_bytes()
        assert b"decision" in text  # the log is there and tells the decisions
        assert _found_in_bytes(text) == [], log
    assert _found_in_replies(relay) == []
    for args, done in outputs.items():
        assert done.returncode == 0, (args, done.stderr)
        assert not [s for s in SECRETS if s in done.stdout + done.stderr], args

    revealed = run_cli(config, "tickets", "show", number, "--json", "--reveal")
    shown = json.loads(revealed.stdout)
    assert shown["fields"]["teamviewer_password"] == NEW_PASSWORD  # staff see it when they ask
    assert PASSWORD in revealed.stdout  # the first message, unmasked
    assert request_id.strip("<>") == shown["messages"][0]["source_id"]
