"""`ventanilla report --html FILE` (issue 7): one self-contained page for a week or a month, with
the first-level figures and four charts embedded as PNG; headless Chromium renders it."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from test_staff_cli import Desk, open_staff_desk

from ventanilla.bot.cli import cli
from ventanilla.bot.clock import FrozenClock
from ventanilla.bot.report import period_for

MX = ZoneInfo("America/Mexico_City")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with open_staff_desk(
        tmp_path, FrozenClock(datetime(2026, 11, 30, 9, 0, tzinfo=MX)), always_open=False
    ) as opened:
        yield opened


def report(desk: Desk, path: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["--config", str(desk.config), "report", "--html", str(path), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def test_the_week_report_is_one_page_with_its_charts(desk: Desk, tmp_path: Path) -> None:
    for _ in range(5):
        desk.request()
        desk.request("¿En qué cuenta del CONAC registro el devengado de participaciones? Licencia: X-1")
        desk.clock.advance(days=1)
    page = report(desk, tmp_path / "week.html", "--week", "--since", "2026-11-30")
    assert page.startswith("<!DOCTYPE html>") and "support report 2026-11-30 – 2026-12-06" in page
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 4
    assert all(base64.b64decode(image).startswith(PNG) for image in images)
    assert "http://" not in page and "https://" not in page  # self-contained
    assert '<div class="v">10</div><div>Tickets</div>' in page
    assert "20-minute target" in page
    empty = report(desk, tmp_path / "month.html", "--month", "--since", "2026-01-01")
    assert '<div class="v">0</div><div>Tickets</div>' in empty and len(re.findall("base64,", empty)) == 4


def test_periods() -> None:
    today = date(2026, 12, 4)
    week = period_for("week", None, today, MX)
    assert (week.first, week.last) == (date(2026, 11, 28), today)
    month = period_for("month", date(2026, 2, 1), today, MX)
    assert (month.first, month.last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_for("month", None, today, MX).first == date(2026, 12, 1)
    assert week.end - week.start == timedelta(days=7)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="headless Chromium not installed")
def test_headless_chromium_renders_the_report(desk: Desk, tmp_path: Path) -> None:
    for _ in range(3):
        desk.request()
        desk.clock.advance(hours=20)
    page = tmp_path / "report.html"
    report(desk, page, "--week", "--since", "2026-11-30")
    shot = tmp_path / "report.png"
    profile = tmp_path / "chromium-profile"
    subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
            f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    data = shot.read_bytes()
    assert data.startswith(PNG) and len(data) > 50_000  # a page with charts, not a blank one
