"""Levels and routing from the staff command line (PRODUCT.md sections 4 and 7, issue 7): assign,
escalate with a reason, route to the normative or administrative area — each tells the requester
with its own template — and `tickets list` narrowed by level, area, assignee, state, label, flag
and age; `tickets show` carries the area and the policy flags; `stats` in JSON and as tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_staff_cli import SIGNATURE, TECHNICAL, Desk, open_staff_desk

from ventanilla.bot.clock import FrozenClock
from ventanilla.store.licences import import_csv

NORMATIVE = (
    "Buenos días, ¿en qué cuenta del plan de cuentas del CONAC debo registrar el devengado de las "
    "participaciones federales? Licencia: SAACG-JAL-0457, módulo de Contabilidad."
)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with open_staff_desk(tmp_path, FrozenClock(datetime.now(UTC) - timedelta(hours=3))) as opened:
        yield opened


def numbers(desk: Desk, *args: str) -> list[str]:
    return [t["number"] for t in desk.json("tickets", "list", *args)]


def test_route_to_the_normative_area_tells_the_requester_and_is_shown(desk: Desk) -> None:
    number, _, _ = desk.request()
    desk.invoke("tickets", "assign", number, "--to", "Pedro Ruiz")
    out = desk.invoke("tickets", "route", number, "--area", "normative", "--reason", "duda de registro")
    assert "route done; state queued" in out.stdout
    shown = desk.json("tickets", "show", number)
    assert (shown["area"], shown["assignee"], shown["state"], shown["level"]) == (
        "normative",
        None,
        "queued",
        1,
    )
    [event] = [e for e in shown["events"] if e["kind"] == "route"]
    assert event["data"] == {"from": None, "to": "normative", "reason": "duda de registro"}
    notice = desk.outbox(number)[-1]
    assert notice.template == "routed"
    assert "fue canalizada al área de Soporte Normativo" in " ".join(notice.body_text.split())
    assert "area normative" in desk.invoke("tickets", "show", number).stdout


def test_escalate_with_a_reason_then_route_to_administration(desk: Desk) -> None:
    number, _, _ = desk.request()
    desk.invoke("tickets", "escalate", number, "--reason", "falla en el servidor")
    shown = desk.json("tickets", "show", number)
    assert (shown["level"], shown["state"]) == (2, "escalated")
    assert desk.outbox(number)[-1].template == "escalated"
    desk.invoke("tickets", "route", number, "--area", "administrative")
    assert "Atención Administrativa" in desk.outbox(number)[-1].body_text


def test_route_refuses_an_unknown_area_and_a_closed_ticket(desk: Desk) -> None:
    number, _, _ = desk.request()
    from click.testing import CliRunner

    from ventanilla.bot.cli import cli

    result = CliRunner().invoke(
        cli, ["--config", str(desk.config), "tickets", "route", number, "--area", "x"]
    )
    assert result.exit_code != 0
    desk.invoke("tickets", "close", number)
    result = CliRunner().invoke(
        cli, ["--config", str(desk.config), "tickets", "route", number, "--area", "normative"]
    )
    assert result.exit_code != 0 and "closed" in str(result.exception)


def test_list_filters(desk: Desk) -> None:
    with desk.app.sessions.begin() as session:
        import_csv(
            session,
            "licence,entity,type,updates_until,holder_name,holder_email\n"
            "SAACG-JAL-0457,H. Ayuntamiento de Zapopan,trial,2027-12-31,Juan,\n",
        )
    first, _, _ = desk.request()
    second, _, _ = desk.request()
    third, _, _ = desk.request(NORMATIVE)
    desk.invoke("tickets", "assign", first, "--to", "pedro")
    desk.invoke("tickets", "escalate", second)
    desk.invoke("tickets", "route", third, "--area", "normative")
    assert numbers(desk, "--level", "2") == [second]
    assert numbers(desk, "--level", "1") == [first, third]
    assert numbers(desk, "--area", "normative") == [third]
    assert numbers(desk, "--area", "none") == [first, second]
    assert numbers(desk, "--assignee", "pedro") == [first]
    assert numbers(desk, "--assignee", "none") == [second, third]
    assert numbers(desk, "--state", "escalated") == [second]
    assert numbers(desk, "--label", "normative") == [third]
    assert numbers(desk, "--flag", "licence_trial") == [third]
    assert numbers(desk, "--older-than", "2h") == [first, second, third]
    assert numbers(desk, "--age", "4h") == []
    assert numbers(desk, "--level", "1", "--area", "normative", "--older-than", "1h") == [third]
    listed = desk.json("tickets", "list", "--area", "normative")[0]
    assert (listed["level"], listed["area"], listed["flags"]) == (1, "normative", ["licence_trial"])
    assert "flags: licence_trial" in desk.invoke("tickets", "show", third).stdout


def test_stats_json_and_tables_have_the_policy_figures(desk: Desk) -> None:
    complete, _, _ = desk.request(
        TECHNICAL
        + "\nLicencia: SAACG-JAL-0457\nID de TeamViewer: 123456789\nContraseña de TeamViewer: ab12cd"
    )
    incomplete, _, _ = desk.request()
    desk.clock.advance(minutes=5)
    desk.invoke("tickets", "reply", complete, "--text", "Revise la configuración.")
    desk.invoke("tickets", "escalate", incomplete)
    desk.invoke("tickets", "close", complete)
    summary = desk.json("stats")
    assert summary["by_level"] == {"1": 1, "2": 1}
    assert summary["complete_on_first_message"] == {"requests": 2, "complete": 1, "share": 0.5}
    human = summary["first_human_answer_business_minutes"]
    assert human["target_minutes"] == 20 and human["count"] == 2
    # The tickets came three hours ago (desk clock); staff acted now (the CLI's clock).
    assert human["within_target"] == 0 and human["within_target_share"] == 0.0
    assert 179 <= human["median"] <= 185
    assert summary["resolution_seconds"]["count"] == 1
    tables = desk.invoke("stats").stdout
    for heading in ("by_level", "by_area", "first level", "share complete on first message", "times"):
        assert heading in tables
    today = datetime.now(UTC).date()
    assert desk.json("stats", "--since", (today + timedelta(days=2)).isoformat())["tickets"] == 0
    _ = SIGNATURE
