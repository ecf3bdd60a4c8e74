"""The torture corpus (tests/data/mail: one message per hazard, outcomes in expected.toml) sent to
`ventanilla serve` over real SMTP: every message ends as a ticket event or a dead letter as expected,
automatic mail is never answered, every reply has well-formed headers and exactly one recipient (the
From address) and carries nothing from the input's headers, a bounce of our reply marks it
undeliverable on its ticket, and serve is still alive at the end and exits 0 on SIGTERM."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from types import ModuleType
from typing import Any

from conftest import Relay, Serve, free_port, run_cli, send_mail, wait_until, write_config

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
SEED = "01-seed-request"
# Every header a reply of the desk may have (the relay adds X-Envelope-To).
REPLY_HEADERS = {
    "from", "to", "subject", "date", "message-id", "auto-submitted", "x-auto-response-suppress",
    "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding",
    "x-envelope-to",
}  # fmt: skip


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("torture_build", CORPUS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _corpus(build: ModuleType) -> tuple[dict[str, dict[str, Any]], dict[str, bytes]]:
    expected: dict[str, dict[str, Any]] = tomllib.loads((CORPUS / "expected.toml").read_text("utf-8"))
    raws = {name: (CORPUS / e["file"]).read_bytes() for name, e in expected.items() if not e.get("generated")}
    raws.update(build.large_messages())
    assert set(raws) == set(expected)
    return expected, raws


def _json(config: Path, *args: str) -> Any:
    result = run_cli(config, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _check_reply_headers(reply: EmailMessage, allowed_recipients: set[str]) -> str:
    """The reply's only recipient, after checking every header is one of ours and one line."""
    for name, value in reply.items():
        assert name.lower() in REPLY_HEADERS, f"unexpected header {name}: {value!r}"
        assert "\r" not in str(value) and "\n" not in str(value), (name, value)
    for name in ("From", "To", "Subject", "Message-ID", "Auto-Submitted"):
        assert len(reply.get_all(name) or []) == 1, name
    recipients = getaddresses([str(reply["To"])])
    envelope = [a.strip() for a in str(reply["X-Envelope-To"]).split(",")]
    assert len(recipients) == 1 and envelope == [recipients[0][1]], (reply["To"], envelope)
    assert recipients[0][1] in allowed_recipients, recipients
    assert reply["Auto-Submitted"] == "auto-replied"
    assert len(str(reply["Subject"])) <= 250
    return recipients[0][1]


def _synthetic_id(raw: bytes) -> str:
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@ventanilla.invalid"


def test_every_hostile_message_is_accounted_for_and_automatic_mail_never_answered(
    tmp_path: Path, relay: Relay, start_serve: Callable[[Path, int], Serve]
) -> None:
    build = _builder()
    expected, raws = _corpus(build)
    assert len(raws) >= 40
    port = free_port()
    serve = start_serve(write_config(tmp_path, port, relay.port), port)
    config = serve.config

    # The first request gets a reply; the bounces in the corpus report on that reply.
    code, _ = send_mail(port, raws[SEED], expected[SEED]["mail_from"])
    assert code == 250
    (ack,) = relay.wait_for(1)
    our_reply_id = str(ack["Message-ID"]).strip("<>")
    for name, entry in expected.items():
        if name == SEED:
            continue
        raws[name] = raws[name].replace(build.OUR_REPLY_ID.encode(), our_reply_id.encode())
        code, answer = send_mail(port, raws[name], entry["mail_from"])
        assert code == 250, (name, code, answer)
        if not entry["message_id"] and entry["outcome"] != "dead_letter":
            entry["message_id"] = _synthetic_id(raws[name])

    wanted_replies = sum(1 for e in expected.values() if e["reply"])
    wanted_dead = sum(1 for e in expected.values() if e["outcome"] == "dead_letter")

    def settled() -> list[dict[str, Any]] | None:
        letters: list[dict[str, Any]] = _json(config, "dead-letters")
        done = len(relay.received) >= wanted_replies and len(letters) >= wanted_dead
        return letters if done else None

    try:
        letters = wait_until(settled, "every message handled", deadline=60)
    except AssertionError:  # the checks below say which message is missing
        letters = _json(config, "dead-letters")

    # Every message accounted for: a dead letter, or a message on a ticket.
    unmatched = list(letters)
    for name, entry in expected.items():
        if entry["outcome"] != "dead_letter":
            continue
        by_id = [d for d in unmatched if entry["message_id"] and d["source_id"] == entry["message_id"]]
        by_reason = [d for d in unmatched if entry.get("dead_letter_reason", "\0") in d["reason"]]
        found = by_id or by_reason
        assert found, f"{name}: no dead letter among {unmatched}"
        unmatched.remove(found[0])
    assert unmatched == [], unmatched

    numbers = [t["number"] for t in _json(config, "tickets", "list")]
    with ThreadPoolExecutor(max_workers=8) as pool:  # one CLI process per ticket, side by side
        details = pool.map(lambda number: _json(config, "tickets", "show", number), numbers)
        shown = dict(zip(numbers, details, strict=True))
    incoming = {
        m["source_id"]: (number, m)
        for number, ticket in shown.items()
        for m in ticket["messages"]
        if m["direction"] == "in"
    }
    seed_ticket = incoming[expected[SEED]["message_id"]][0]
    for name, entry in expected.items():
        if entry["outcome"] == "dead_letter":
            assert entry["message_id"] not in incoming, name
            continue
        assert entry["message_id"] in incoming, f"{name}: on no ticket"
        number, message = incoming[entry["message_id"]]
        if entry["outcome"] == "recorded_not_answered":
            assert number == seed_ticket and message["automatic"], (name, message["automatic"])
        else:
            assert not message["automatic"], (name, message["automatic"])
        names = [a["filename"] for a in message["attachments"]]
        assert names[: len(entry.get("attachments", []))] == entry.get("attachments", []), (name, names)
        assert entry.get("body_contains", "") in message["body"], name

    # Replies: one per message that expects one, to its From address only, with our headers only.
    answerable = {e["mail_from"] for e in expected.values() if e["reply"]}
    replies = relay.received
    by_recipient = {str(r["X-Envelope-To"]): r for r in replies}
    unanswered = [n for n, e in expected.items() if e["reply"] and e["mail_from"] not in by_recipient]
    assert unanswered == [], f"no reply to {unanswered}: {serve.log_text()}"
    for name, entry in expected.items():
        if entry["reply"]:  # in the thread of the message it answers, unless its id was hostile
            threaded = entry.get("threaded", True)
            in_reply_to = by_recipient[entry["mail_from"]]["In-Reply-To"]
            assert (in_reply_to == f"<{entry['message_id']}>") if threaded else in_reply_to is None, name
    assert len(replies) == wanted_replies, sorted(str(r["To"]) for r in replies)
    answered = [_check_reply_headers(reply, answerable) for reply in replies]
    assert sorted(answered) == sorted(answerable)

    # The bounces of our reply (11, 12) mark it undeliverable once; the delay notice (23) does not.
    undeliverable = [e for e in shown[seed_ticket]["events"] if e["kind"] == "undeliverable"]
    assert [e["data"]["message_id"] for e in undeliverable] == [our_reply_id]
    assert undeliverable[0]["data"]["status"] == "5.1.1"

    assert serve.running()
    assert serve.stop() == 0
