"""`ventanilla dead-letters replay ID` after a fix: a request that broke a step of the worker three
times is a dead letter with the reason; once the bug is fixed, replaying it through the command line
opens the ticket and queues the acknowledgement, exactly once. The older `--replay ID` option still
works, and an unknown id is one line and exit 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError
from worker_desk import REQUESTER, Desk, email

from ventanilla.bot.cli import cli, main
from ventanilla.bot.errors import StoreError
from ventanilla.bot.pipeline import Context, Job
from ventanilla.bot.steps import STEPS
from ventanilla.bot.worker import MAX_ATTEMPTS, Worker


def _bug(ctx: Context, job: Job) -> None:
    raise RuntimeError("a bug in a new step")


@pytest.fixture
def desk(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Desk, Path]]:
    opened = Desk.open(sqlite_url, tmp_path / "data")
    config = tmp_path / "ventanilla.toml"
    config.write_text(
        f'[service]\ndata_dir = "{tmp_path / "data"}"\n\n[store]\nurl = "{sqlite_url}"\n', encoding="utf-8"
    )
    try:
        yield opened, config
    finally:
        opened.close()


def _cli(config: Path, *args: str) -> str:
    from ventanilla.bot.cli import _register

    _register()
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _break_then_fix(desk: Desk) -> tuple[Worker, int]:
    """Deliver a request to a worker with a bug; return the fixed worker and the dead letter's id."""
    desk.worker = Worker(desk.app.sessions, desk.app.context, [("bug", _bug), *STEPS])
    desk.deliver(email())
    (letter,) = desk.dead_letters()
    assert "RuntimeError: a bug in a new step" in letter["reason"]
    assert desk.tickets() == [] and desk.outbox() == []
    return Worker(desk.app.sessions, desk.app.context, STEPS), int(letter["id"])


@pytest.mark.parametrize("form", [["replay", "{id}"], ["--replay", "{id}"]])
def test_replay_after_the_fix_opens_the_ticket_once(desk: tuple[Desk, Path], form: list[str]) -> None:
    opened, config = desk
    fixed, letter_id = _break_then_fix(opened)
    listed = json.loads(_cli(config, "dead-letters", "--json"))
    assert [item["id"] for item in listed] == [letter_id]

    said = _cli(config, "dead-letters", *[part.format(id=letter_id) for part in form])
    assert said.startswith(f"dead letter {letter_id} queued again")
    assert json.loads(_cli(config, "dead-letters", "--json")) == []
    fixed.process_pending()

    (ticket,) = opened.tickets()
    assert ticket.requester == REQUESTER
    assert [row.template for row in opened.outbox()] == ["acknowledgement"]
    assert opened.dead_letters() == []
    fixed.process_pending()  # nothing left to handle twice
    assert len(opened.outbox()) == 1 and len(opened.tickets()) == 1


def test_replaying_an_unknown_dead_letter_is_one_line_and_exit_1(
    desk: tuple[Desk, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, config = desk
    with pytest.raises(SystemExit) as exited:
        main(["--config", str(config), "dead-letters", "replay", "999"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == "ventanilla: error: dead letter 999 does not exist\n"


def _database_lost(ctx: Context, job: Job) -> None:
    raise OperationalError("INSERT …", {}, Exception("server closed the connection unexpectedly"))


def test_a_database_failure_is_not_counted_against_the_message(desk: tuple[Desk, Path]) -> None:
    opened, _config = desk
    opened.worker = Worker(opened.app.sessions, opened.app.context, [("lost", _database_lost), *STEPS])
    with pytest.raises(StoreError):
        opened.deliver(email())
    for _ in range(MAX_ATTEMPTS):  # more failures than a message may cost: still not its fault
        with pytest.raises(StoreError):
            opened.worker.process_pending()
    assert opened.dead_letters() == [] and opened.tickets() == []
    opened.worker = Worker(opened.app.sessions, opened.app.context, STEPS)  # the database is back
    opened.worker.process_pending()
    assert len(opened.tickets()) == 1 and len(opened.outbox()) == 1
