"""Replies as data (template name + variables) and the one Jinja environment that renders them
for email (text, HTML and a subject) or Telegram (plain text, and the same text for Telegram's
HTML parse mode). All Spanish lives in the templates.

Telegram messages go out with `parse_mode=HTML`: the telegram/ templates are rendered a second
time with autoescape, so every variable (a requester's name, a specialist's text) is escaped and a
requester's `<b>` or `*` shows as typed. The plain form is what the conversation keeps. Email HTML
is autoescaped too.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from ventanilla.bot.model import CONTACT_FIELDS, DESCRIPTION, FIELDS, Channel, Label, TicketState
from ventanilla.bot.settings import HoursSettings

DEFAULT_TIMEZONE = "America/Mexico_City"
# Telegram messages go out in this parse mode (see the module docstring).
TELEGRAM_PARSE_MODE = "HTML"

# Variables every template receives; render() fills the ones not given and sets `channel` itself.
COMMON_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {"ticket_number": "", "label": "", "requester_name": ""}
)


@dataclass(frozen=True)
class Reply:
    """What to say: a template name (one of TEMPLATES) and its variables (see CONTRACT)."""

    template: str
    variables: Mapping[str, Any]


@dataclass(frozen=True)
class Rendered:
    """A rendered reply. On Telegram `html` is the text escaped for TELEGRAM_PARSE_MODE and
    `subject` is None; the email `subject` carries no ticket tag (the composer adds it)."""

    text: str
    html: str | None
    subject: str | None = None


@dataclass(frozen=True)
class Contract:
    """The variables of one template: those a caller must give, and defaults for the others."""

    required: frozenset[str]
    defaults: Mapping[str, Any]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(COMMON_DEFAULTS) | self.required | frozenset(self.defaults)


def _contract(*required: str, **defaults: Any) -> Contract:
    return Contract(frozenset(required), MappingProxyType(defaults))


_HOURS = {"out_of_hours": False, "next_opening": None, "received_at": None}
# Support-policy notes (PRODUCT.md section 4) any reply to a requester's message may carry.
_POLICY = {
    "unsupported_version": None,
    "supported_versions": (),
    "accreditation_needed": False,
    "licence_problem": None,
}
AREAS: frozenset[str] = frozenset({"normative", "administrative"})
CONTRACT: Mapping[str, Contract] = MappingProxyType(
    {
        "acknowledgement": _contract("ticket_number", missing=(), triage=False, **_POLICY, **_HOURS),
        "missing_data": _contract("ticket_number", "missing", reminder=0, **_POLICY),
        "data_complete": _contract("ticket_number", **_HOURS, **_POLICY),
        "assigned": _contract("ticket_number", "assignee"),
        "escalated": _contract("ticket_number"),
        "routed": _contract("ticket_number", "area"),
        "status": _contract("ticket_number", "state", "created_at", assignee="", missing=()),
        "status_unknown": _contract("asked_number"),
        "staff_reply": _contract("ticket_number", "text", staff_name=""),
        "closure": _contract("ticket_number", "reopen_days", note=None, abandoned=False, missing=()),
        "reopened": _contract("ticket_number"),
        "message_added": _contract("ticket_number", **_POLICY),
        "help": _contract(),
        "welcome": _contract(),
        # Telegram only (telegram/ templates, no email form): see CHAT_TEMPLATES.
        "new_request": _contract(),
        "private_only": _contract(),
        "voice_note": _contract(),
        "secret_received": _contract(),
    }
)
# Replies that exist on Telegram only: /nuevo's prompt, the one line for group chats, the request
# to write instead of sending voice notes, the advice to delete a message holding a password.
CHAT_TEMPLATES: frozenset[str] = frozenset({"new_request", "private_only", "voice_note", "secret_received"})
TEMPLATES: frozenset[str] = frozenset(CONTRACT) - CHAT_TEMPLATES  # both channels

LICENCE_PROBLEMS: frozenset[str] = frozenset({"unknown", "trial", "expired", "other_entity"})
# Order in which missing data is asked for; phone_ext is never asked alone (the phone line asks for it).
MISSING_ORDER: tuple[str, ...] = (
    *(f for f in CONTACT_FIELDS if f != "phone_ext"),
    "licence",
    "module",
    "version",
    DESCRIPTION,
    "teamviewer_id",
    "teamviewer_password",
    "backup_done",
    "accreditation",  # the oficio de acreditación (bot/policy.py)
)
_ASKABLE = frozenset(FIELDS) | {DESCRIPTION, "accreditation"}
_SECRET_NAME = re.compile(r"pass(word|wd)?\b|password|secret|token|contrase|credential|api_?key", re.I)


def make_environment(
    timezone: str | ZoneInfo = DEFAULT_TIMEZONE, hours: HoursSettings | None = None
) -> jinja2.Environment:
    """The Jinja environment for every reply; dates are shown in `timezone` (the service zone) and
    the opening hours the replies state come from `hours` (the `[hours]` settings)."""
    tz = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ventanilla", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=(), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def fecha_larga(value: datetime) -> str:
        # The day and month names live in partials/fechas.j2; this only fixes the time zone.
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("fecha_larga needs an aware datetime")
        macro = env.get_template("partials/fechas.j2").module.fecha_larga  # type: ignore[attr-defined]
        return str(macro(value.astimezone(tz))).strip()

    def dia_y_hora(value: datetime, desde: datetime | None = None) -> str:
        # "lunes 7 de diciembre a las 8:00"; the year only when it is not the year of `desde`.
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("dia_y_hora needs an aware datetime")
        local = value.astimezone(tz)
        other_year = desde is None or desde.astimezone(tz).year != local.year
        macro = env.get_template("partials/fechas.j2").module.dia_y_hora  # type: ignore[attr-defined]
        return str(macro(local, other_year)).strip()

    schedule = hours or HoursSettings()
    env.globals["horario"] = {
        "weekdays": sorted(set(schedule.weekdays)),
        "opens": schedule.opens.removeprefix("0"),
        "closes": schedule.closes.removeprefix("0"),
        "mexico_city": str(tz) == DEFAULT_TIMEZONE,
    }
    env.filters["fecha_larga"] = fecha_larga
    env.filters["dia_y_hora"] = dia_y_hora
    env.filters["nl2br"] = nl2br
    return env


def nl2br(value: str) -> Markup:
    """Escapes `value` for HTML and keeps its line breaks."""
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Markup("<br>\n").join(escape(line) for line in lines)


def render(env: jinja2.Environment, reply: Reply, channel: Channel) -> Rendered:
    """Render `reply` for `channel`: email gives text, HTML and subject; Telegram plain text and
    the same text escaped for its HTML parse mode."""
    context = template_context(reply, channel)
    name = reply.template
    if channel is Channel.TELEGRAM:
        path = f"telegram/{name}.txt.j2"
        text = _tidy(env.get_template(path).render(context))
        html = _tidy(_escaping(env).get_template(path).render(context))
        return Rendered(text=text, html=html)
    if name in CHAT_TEMPLATES:
        raise ValueError(f"reply {name!r} exists on Telegram only")
    text = _tidy(env.get_template(f"email/{name}.txt.j2").render(context))
    html = env.get_template(f"email/{name}.html.j2").render(context)
    subject = " ".join(env.get_template("email/subject.txt.j2").render(context, template=name).split())
    return Rendered(text=text, html=html, subject=subject)


def template_context(reply: Reply, channel: Channel) -> dict[str, Any]:
    """The checked variables of `reply` with defaults filled in; raises ValueError on a breach
    of the contract (unknown template or variable, missing variable, secret-looking name)."""
    contract = CONTRACT.get(reply.template)
    if contract is None:
        raise ValueError(f"unknown reply template {reply.template!r}")
    given = dict(reply.variables)
    secret = sorted(k for k in given if _SECRET_NAME.search(k))
    if secret:
        raise ValueError(f"reply {reply.template!r}: secret-looking variables are never rendered: {secret}")
    unknown = sorted(set(given) - contract.names - {"channel"})
    if unknown:
        raise ValueError(f"reply {reply.template!r}: unknown variables {unknown}")
    absent = sorted(contract.required - set(given))
    if absent:
        raise ValueError(f"reply {reply.template!r}: missing variables {absent}")
    context: dict[str, Any] = {**COMMON_DEFAULTS, **contract.defaults, **given, "channel": channel.value}
    context["label"] = _label(context["label"])
    if reply.template == "status_unknown":
        # Says nothing about the number asked for: the same answer whether it is unknown or someone else's.
        context.update(ticket_number="", label="")
    if "missing" in context:
        context["missing"] = _missing(context["missing"])
    if "state" in context:
        context["state"] = TicketState(context["state"]).value
    if context.get("out_of_hours") and not isinstance(context.get("next_opening"), datetime):
        raise ValueError(f"reply {reply.template!r}: out_of_hours needs next_opening")
    problem = context.get("licence_problem")
    if problem is not None and problem not in LICENCE_PROBLEMS:
        allowed = sorted(LICENCE_PROBLEMS)
        raise ValueError(f"reply {reply.template!r}: licence_problem {problem!r} is not one of {allowed}")
    if "area" in context and context["area"] not in AREAS:
        raise ValueError(f"reply {reply.template!r}: area {context['area']!r} is not one of {sorted(AREAS)}")
    if context.get("unsupported_version") and not context.get("supported_versions"):
        raise ValueError(f"reply {reply.template!r}: unsupported_version needs supported_versions")
    return context


def _label(value: Any) -> str:
    text = str(value or "")
    return text if text in {str(label) for label in Label} else ""


def _missing(keys: Any) -> list[str]:
    wanted = {str(k) for k in keys}
    strange = sorted(wanted - _ASKABLE)
    if strange:
        raise ValueError(f"cannot ask for unknown fields {strange}")
    return [key for key in MISSING_ORDER if key in wanted]


_ESCAPING: weakref.WeakKeyDictionary[jinja2.Environment, jinja2.Environment] = weakref.WeakKeyDictionary()


def _escaping(env: jinja2.Environment) -> jinja2.Environment:
    """`env` with autoescape on for every template (its own template cache, same loader, filters
    and globals): the Telegram HTML form."""
    found = _ESCAPING.get(env)
    if found is None:
        found = _ESCAPING[env] = env.overlay(autoescape=True, cache_size=100)
    return found


_BLANK_RUN = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Plain text without trailing spaces or runs of blank lines, ending in one newline."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANK_RUN.sub("\n\n", lines).strip() + "\n"
