"""The one-page HTML report for staff (in English, like the CLI): the figures of `ventanilla stats`
for a week or a month, with charts drawn by matplotlib (Agg backend) and embedded as base64 PNG,
so the file is self-contained and opens in any browser without a network."""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ventanilla.bot.stats import TicketFacts, summarise

COLOURS = {
    "technical": "#1f5f8b",
    "normative": "#7a4ea3",
    "administrative": "#2e8b57",
    "other": "#9aa0a6",
}


@dataclass(frozen=True)
class Period:
    """Days [first, last] in the service time zone."""

    first: date
    last: date
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=self.tz)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def period_for(kind: str, since: date | None, today: date, tz: ZoneInfo) -> Period:
    """A "week" (7 days) or "month" (calendar month) starting on `since`; without `since`, the
    period that ends today (the last 7 days, or the current month so far)."""
    if kind not in ("week", "month"):
        raise ValueError(f"period must be week or month, not {kind!r}")
    if kind == "week":
        first = since or today - timedelta(days=6)
        return Period(first, first + timedelta(days=6), tz)
    first = since or today.replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = min(_same_day_next_month(first, following) - timedelta(days=1), following - timedelta(days=1))
    return Period(first, last if since else today, tz)


def _same_day_next_month(first: date, following: date) -> date:
    try:
        return following.replace(day=first.day)
    except ValueError:
        return following + timedelta(days=31)


def render_report(
    facts: Sequence[TicketFacts], period: Period, *, target_minutes: int, title: str = "ventanilla"
) -> str:
    """The HTML page of the report."""
    summary = summarise(facts, target_minutes)
    charts = [
        ("Requests per day, by type", _daily_chart(facts, period)),
        ("Tickets by channel and by state", _volumes_chart(summary)),
        (f"First human answer (business minutes) against the {target_minutes}-minute target",
         _answer_chart(facts, target_minutes)),
        ("Resolution time (business hours)", _resolution_chart(facts)),
    ]  # fmt: skip
    complete = summary["complete_on_first_message"]
    human = summary["first_human_answer_business_minutes"]
    cards = [
        ("Tickets", str(summary["tickets"])),
        ("Complete on first message", _share(complete["share"])),
        (f"Human answer ≤ {target_minutes} min", _share(human["within_target_share"])),
        ("Median first human answer", _number(human["median"], "min")),
        ("Median resolution", _number(summary["resolution_business_hours"]["median"], "h")),
        ("Second level", str(summary["by_level"].get("2", 0))),
        ("Closed as abandoned", str(summary["abandoned"])),
    ]
    heading = f"{title}: support report {period.first.isoformat()} – {period.last.isoformat()}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(heading)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
        '<p class="note">Times to the first human answer and resolution count business hours only'
        f" (the first-level schedule, {html.escape(str(period.tz))}).</p>",
        '<div class="cards">',
        *(f'<div class="card"><div class="v">{html.escape(v)}</div><div>{html.escape(k)}</div></div>'
          for k, v in cards),
        "</div>",
        '<div class="charts">',
        *(f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{png}">'
          f"<figcaption>{html.escape(name)}</figcaption></figure>" for name, png in charts),
        "</div>",
        _volume_table(summary),
        "</body></html>",
    ]  # fmt: skip
    return "\n".join(parts) + "\n"


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1150px}"
    "h1{font-size:22px;margin:0 0 4px}.note{color:#57606a;font-size:13px}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}"
    ".card{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:120px;font-size:12px}"
    ".card .v{font-size:22px;font-weight:600}"
    ".charts{display:grid;grid-template-columns:1fr 1fr;gap:12px}"
    "figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:6px}"
    "figure img{width:100%}figcaption{font-size:12px;color:#57606a}"
    "table{border-collapse:collapse;margin-top:12px;font-size:13px}"
    "td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}"
)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _number(value: float | None, unit: str) -> str:
    return "–" if value is None else f"{value:.1f} {unit}"


def _volume_table(summary: dict[str, Any]) -> str:
    rows = []
    for key in ("by_label", "by_channel", "by_state", "by_level", "by_area"):
        cells = ", ".join(f"{html.escape(k or '-')}: {v}" for k, v in summary[key].items()) or "–"
        rows.append(f"<tr><th>{key.removeprefix('by_')}</th><td>{cells}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def _figure() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(5.6, 3.2), dpi=100, layout="constrained")


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _daily_chart(facts: Sequence[TicketFacts], period: Period) -> str:
    fig = _figure()
    ax = fig.subplots()
    days = period.days()
    bottom = [0] * len(days)
    for label, colour in COLOURS.items():
        per_day = Counter(f.created_at.astimezone(period.tz).date() for f in facts if f.label == label)
        counts = [per_day.get(d, 0) for d in days]
        ax.bar(range(len(days)), counts, bottom=bottom, color=colour, label=label)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    step = max(1, len(days) // 10)
    ax.set_xticks(range(0, len(days), step), [d.strftime("%d %b") for d in days[::step]], fontsize=8)
    ax.set_ylabel("tickets")
    ax.legend(fontsize=7, frameon=False)
    return _png(fig)


def _volumes_chart(summary: dict[str, Any]) -> str:
    fig = _figure()
    left, right = fig.subplots(1, 2)
    for ax, key, colour in ((left, "by_channel", "#1f5f8b"), (right, "by_state", "#c4661f")):
        items = summary[key]
        ax.barh(list(items) or ["none"], list(items.values()) or [0], color=colour)
        ax.set_title(key.removeprefix("by_"), fontsize=9)
        ax.tick_params(labelsize=8)
    return _png(fig)


def _answer_chart(facts: Sequence[TicketFacts], target: int) -> str:
    fig = _figure()
    ax = fig.subplots()
    minutes = [f.human_answer_seconds / 60 for f in facts if f.human_answer_seconds is not None]
    if minutes:
        ax.hist(minutes, bins=min(20, max(5, len(minutes))), color="#2e8b57")
    else:
        ax.text(0.5, 0.5, "no human answers in this period", ha="center", transform=ax.transAxes)
    ax.axvline(target, color="#d1242f", linestyle="--", label=f"target {target} min")
    ax.set_xlabel("business minutes")
    ax.set_ylabel("tickets")
    ax.legend(fontsize=7, frameon=False)
    return _png(fig)


def _resolution_chart(facts: Sequence[TicketFacts]) -> str:
    fig = _figure()
    ax = fig.subplots()
    by_label = {
        label: [f.resolution_business_seconds / 3600 for f in facts
                if f.label == label and f.resolution_business_seconds is not None]
        for label in COLOURS
    }  # fmt: skip
    present = {k: v for k, v in by_label.items() if v}
    if present:
        ax.boxplot(list(present.values()), tick_labels=list(present))
        ax.tick_params(labelsize=8)
    else:
        ax.text(0.5, 0.5, "no resolved tickets in this period", ha="center", transform=ax.transAxes)
    ax.set_ylabel("business hours")
    return _png(fig)
