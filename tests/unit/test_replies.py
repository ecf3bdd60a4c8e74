"""The Spanish replies as a requester reads them: every template on both channels, what each says,
what it never says (secrets, internal reasons, other people's tickets), and the render contract."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import meta
from markupsafe import escape

import ventanilla
from ventanilla.bot.model import FIELDS, Channel, TicketState
from ventanilla.bot.replies import CONTRACT, TEMPLATES, Rendered, Reply, make_environment, render

MX = ZoneInfo("America/Mexico_City")
TEMPLATE_DIR = Path(ventanilla.__file__).parent / "templates"
NUMBER = "SAACG-2026-000123"
MONDAY_OPENING = datetime(2026, 1, 5, 8, 0, tzinfo=MX)
ENV = make_environment()

FULL: dict[str, dict[str, Any]] = {
    "acknowledgement": {
        "ticket_number": NUMBER,
        "label": "technical",
        "requester_name": "María Guadalupe Pérez",
        "missing": ["phone", "licence", "teamviewer_id", "teamviewer_password", "backup_done"],
        "triage": False,
        "out_of_hours": True,
        "next_opening": MONDAY_OPENING,
        "unsupported_version": "2022",
        "supported_versions": ["2026", "2025"],
        "accreditation_needed": True,
        "licence_problem": "expired",
    },
    "missing_data": {"ticket_number": NUMBER, "missing": ["city", "state"], "reminder": 2},
    "data_complete": {"ticket_number": NUMBER, "out_of_hours": True, "next_opening": MONDAY_OPENING},
    "assigned": {"ticket_number": NUMBER, "assignee": "Ing. Pedro Ruiz"},
    "escalated": {"ticket_number": NUMBER, "label": "technical"},
    "routed": {"ticket_number": NUMBER, "area": "normative"},
    "status": {
        "ticket_number": NUMBER,
        "state": TicketState.IN_PROGRESS,
        "assignee": "Ing. Pedro Ruiz",
        "missing": ["module"],
        "created_at": datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
    },
    "status_unknown": {"asked_number": "SAACG-2026-000999"},
    "staff_reply": {"ticket_number": NUMBER, "text": "Revise el menú Configuración.", "staff_name": "Pedro"},
    "closure": {"ticket_number": NUMBER, "note": "Se aplicó la actualización.", "reopen_days": 30},
    "reopened": {"ticket_number": NUMBER},
    "message_added": {"ticket_number": NUMBER},
    "help": {"requester_name": "Juan"},
    "welcome": {"requester_name": "Juan"},
}


def minimal(template: str) -> dict[str, Any]:
    """Only the variables the contract requires, with plain values."""
    values: dict[str, Any] = {
        "ticket_number": NUMBER,
        "missing": ["name"],
        "assignee": "Pedro",
        "state": "queued",
        "created_at": datetime(2026, 1, 5, 15, 0, tzinfo=UTC),
        "asked_number": "123",
        "text": "Listo.",
        "reopen_days": 15,
        "area": "administrative",
    }
    return {key: values[key] for key in CONTRACT[template].required}


def text_of(template: str, channel: Channel = Channel.EMAIL, **variables: Any) -> str:
    return render(ENV, Reply(template, variables), channel).text


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- every template, both channels -------------------------------------------------------------


def test_the_template_list_matches_the_files() -> None:
    assert set(FULL) == TEMPLATES
    for name in TEMPLATES:
        for path in (f"email/{name}.txt.j2", f"email/{name}.html.j2", f"telegram/{name}.txt.j2"):
            assert (TEMPLATE_DIR / path).is_file(), path


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("variables", ["full", "minimal"])
def test_every_template_renders_on_both_channels(template: str, channel: Channel, variables: str) -> None:
    given_vars = FULL[template] if variables == "full" else minimal(template)
    out = render(ENV, Reply(template, given_vars), channel)
    for text in (out.text, out.html or ""):
        assert "None" not in text
        assert "{{" not in text and "{%" not in text
        assert "teamviewer_" not in text  # field keys are never shown raw
    assert out.text.endswith("\n") and not out.text.endswith("\n\n")
    assert "\n\n\n" not in out.text
    assert all(line == line.rstrip() for line in out.text.splitlines())
    if "ticket_number" in CONTRACT[template].required:
        assert NUMBER in out.text
    if channel is Channel.TELEGRAM:  # `html`: the same text escaped for Telegram's HTML parse mode
        assert out.subject is None and out.html is not None and unescape(out.html) == out.text
    else:
        assert out.html is not None and out.html.startswith("<!DOCTYPE html>")
        assert out.subject and "\n" not in out.subject and "Ticket#" not in out.subject


def test_templates_use_only_contract_variables() -> None:
    for name in TEMPLATES:
        allowed = CONTRACT[name].names | {"channel"}
        for path in (f"email/{name}.txt.j2", f"email/{name}.html.j2", f"telegram/{name}.txt.j2"):
            source = (TEMPLATE_DIR / path).read_text(encoding="utf-8")
            used = meta.find_undeclared_variables(ENV.parse(source))
            assert used <= allowed, (path, used - allowed)


def test_no_template_reads_a_secret_looking_variable() -> None:
    secret = re.compile(r"password|secret|token|contrase", re.I)
    for path in TEMPLATE_DIR.rglob("*.j2"):
        used = meta.find_undeclared_variables(ENV.parse(path.read_text(encoding="utf-8")))
        assert not [name for name in used if secret.search(name)], path


# --- acknowledgement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "phrase"),
    [
        ("administrative", "consulta administrativa"),
        ("technical", "consulta de soporte técnico"),
        ("normative", "consulta de soporte normativo"),
    ],
)
def test_acknowledgement_names_the_type_of_request(label: str, phrase: str) -> None:
    for channel in Channel:
        text = text_of("acknowledgement", channel, ticket_number=NUMBER, label=label)
        assert f"Tipo de solicitud: {phrase}." in text
        assert "conservar este número" in text
        assert "revisada por nuestro personal" not in text


@pytest.mark.parametrize("label", ["", "other"])
def test_acknowledgement_in_triage_says_staff_will_route_it(label: str) -> None:
    text = text_of("acknowledgement", ticket_number=NUMBER, label=label, triage=label == "")
    assert "su solicitud será revisada por nuestro personal para canalizarla" in text.lower()
    assert "Tipo de solicitud" not in text


def test_triage_wins_over_a_suggested_label() -> None:
    text = text_of("acknowledgement", ticket_number=NUMBER, label="normative", triage=True)
    assert "canalizarla" in text and "soporte normativo" not in text


def test_acknowledgement_asks_for_exactly_the_missing_data_and_says_where() -> None:
    text = text_of(
        "acknowledgement", ticket_number=NUMBER, label="technical", missing=["version", "teamviewer_id"]
    )
    assert "Versión del SAACG.NET que tiene instalada (por ejemplo, 2025)" in text
    assert "ID de TeamViewer (lo encuentra en el SAACG.NET, menú Ayuda → Asistencia Remota)" in text
    for absent in (
        "Nombre completo",
        "Cargo",
        "Ente público",
        "Teléfono",
        "Número de licencia",
        "Contraseña",
    ):
        assert absent not in text
    example = re.findall(r"^ {4}(.+?): …$", text, re.M)
    assert example == ["Versión", "ID de TeamViewer"]
    assert "daremos curso a su solicitud" in text
    assert "Sus datos están completos" not in text


def test_the_answer_example_lists_every_missing_key_in_order() -> None:
    missing = ["email", "name", "description", "module", "state", "cargo", "ente", "city", "phone", "licence"]
    text = text_of("acknowledgement", Channel.TELEGRAM, ticket_number=NUMBER, missing=missing)
    example = re.findall(r"^([^•\n][^:\n]*): …$", text, re.M)
    assert example == [
        "Nombre",
        "Cargo",
        "Ente público",
        "Teléfono",
        "Ciudad",
        "Estado",
        "Correo electrónico",
        "Número de licencia",
        "Módulo",
        "Descripción",
    ]
    assert "Teléfono de contacto, con extensión si aplica" in text


def test_both_teamviewer_fields_are_asked_in_one_line_with_a_security_note() -> None:
    text = text_of("acknowledgement", ticket_number=NUMBER, missing=["teamviewer_password", "teamviewer_id"])
    assert (
        "- ID y contraseña de TeamViewer (los encuentra en el SAACG.NET, menú Ayuda → Asistencia Remota)."
        in text
    )
    assert text.count("\n- ") == 1
    assert "se guarda cifrada" in text


def test_backup_confirmation_is_asked_before_remote_assistance() -> None:
    text = text_of("missing_data", ticket_number=NUMBER, missing=["backup_done"])
    assert "respaldo reciente de su base de datos" in text
    assert "Respaldo de la base de datos: sí" in text


def test_phone_extension_is_never_asked_alone() -> None:
    text = text_of("acknowledgement", ticket_number=NUMBER, label="administrative", missing=["phone_ext"])
    assert "xtensión" not in text
    assert "Sus datos están completos" in text


def test_complete_data_is_queued_for_a_first_level_specialist() -> None:
    text = one_line(text_of("acknowledgement", ticket_number=NUMBER, label="normative", missing=[]))
    assert (
        "Sus datos están completos: su solicitud quedó en espera de ser atendida "
        "por un especialista de soporte de primer nivel" in text
    )
    assert "siguientes datos" not in text


def test_out_of_hours_says_when_it_will_be_seen() -> None:
    for channel in Channel:
        text = text_of(
            "acknowledgement", channel, ticket_number=NUMBER, out_of_hours=True, next_opening=MONDAY_OPENING
        )
        assert one_line(
            "Su mensaje llegó fuera de nuestro horario de atención, que es de lunes a viernes de 8:00 "
            "a 16:00 h (hora del centro de México). Atenderemos su solicitud a partir de nuestra "
            "próxima apertura: el lunes 5 de enero de 2026 a las 8:00."
        ) in one_line(text)


def test_next_opening_given_in_utc_is_shown_in_mexico_city_time() -> None:
    at = datetime(2026, 9, 17, 14, 0, tzinfo=UTC)
    text = text_of("data_complete", ticket_number=NUMBER, out_of_hours=True, next_opening=at)
    assert "el jueves 17 de septiembre de 2026 a las 8:00." in one_line(text)
    # Told from a message of the same year, the year goes unsaid.
    sent = datetime(2026, 9, 16, 18, 0, tzinfo=UTC)
    text = text_of(
        "data_complete", ticket_number=NUMBER, out_of_hours=True, next_opening=at, received_at=sent
    )
    assert "el jueves 17 de septiembre a las 8:00." in one_line(text)


def test_in_hours_there_is_no_out_of_hours_note() -> None:
    text = text_of("acknowledgement", ticket_number=NUMBER, out_of_hours=False, next_opening=None)
    assert "será atendida a partir" not in text


def test_unsupported_version_is_explained_politely() -> None:
    text = one_line(
        text_of(
            "acknowledgement",
            ticket_number=NUMBER,
            unsupported_version="2021",
            supported_versions=["2026", "2025"],
        )
    )
    assert "versión 2021" in text
    assert "la versión del ejercicio en curso y la del año inmediato anterior" in text
    assert "las versiones 2026 y 2025" in text


def test_accreditation_asks_for_the_oficio() -> None:
    text = text_of("acknowledgement", ticket_number=NUMBER, accreditation_needed=True)
    assert "oficio de acreditación" in text
    assert "formato específico que puede solicitar a nuestro personal de soporte" in text
    assert "oficio" not in text_of("acknowledgement", ticket_number=NUMBER)


def test_each_licence_problem_has_its_own_polite_note() -> None:
    notes = {}
    for problem in ("unknown", "trial", "expired"):
        text = text_of("acknowledgement", ticket_number=NUMBER, licence_problem=problem)
        assert "licencia adquirida a nombre de un ente público" in text
        notes[problem] = text
    assert "de prueba" in notes["trial"]
    assert "no se encuentran vigentes" in notes["expired"]
    assert "No nos fue posible localizar" in notes["unknown"]
    assert len(set(notes.values())) == 3


# --- follow-ups --------------------------------------------------------------------------------


def test_missing_data_answer_and_reminders_differ() -> None:
    answer = text_of("missing_data", ticket_number=NUMBER, missing=["city"], reminder=0)
    first = render(
        ENV,
        Reply("missing_data", {"ticket_number": NUMBER, "missing": ["city"], "reminder": 1}),
        Channel.EMAIL,
    )
    assert "Gracias por su respuesta" in answer
    assert "Le recordamos" in first.text
    assert first.subject is not None and first.subject.startswith("Recordatorio")
    assert "- Ciudad." in answer and "- Ciudad." in first.text
    assert "Estado de la República" not in answer


def test_assigned_names_the_specialist() -> None:
    assert "fue asignada a Lic. Ana Ruiz, especialista de soporte" in text_of(
        "assigned", ticket_number=NUMBER, assignee="Lic. Ana Ruiz"
    )


def test_escalated_says_times_may_vary_and_takes_no_internal_reason() -> None:
    text = one_line(text_of("escalated", ticket_number=NUMBER))
    assert "Soporte Técnico de Segundo Nivel" in text
    assert "los tiempos de atención pueden variar" in text
    with pytest.raises(ValueError, match="unknown variables"):
        text_of("escalated", ticket_number=NUMBER, reason="base de datos corrupta")


@pytest.mark.parametrize(
    ("state", "phrase"),
    [
        (TicketState.AWAITING_INFO, "En espera de los datos que le solicitamos"),
        (TicketState.QUEUED, "En espera de ser atendida por un especialista de soporte"),
        (TicketState.IN_PROGRESS, "En atención por un especialista de soporte"),
        (TicketState.ESCALATED, "En atención por Soporte Técnico de Segundo Nivel"),
        (TicketState.RESOLVED, "Resuelta"),
        (TicketState.CLOSED, "Cerrada"),
    ],
)
def test_status_tells_the_state_in_spanish(state: TicketState, phrase: str) -> None:
    created = datetime(2026, 1, 1, 5, 30, tzinfo=UTC)  # 31 December 2025, 23:30 in Mexico City
    for channel in Channel:
        text = text_of("status", channel, ticket_number=NUMBER, state=state.value, created_at=created)
        assert f"Estado: {phrase}\n" in text
        assert "Fecha de registro: miércoles 31 de diciembre de 2025 a las 23:30 h" in text
        assert "Especialista asignado" not in text


def test_status_lists_the_assignee_and_what_is_missing() -> None:
    text = text_of("status", Channel.TELEGRAM, **FULL["status"])
    assert "Especialista asignado: Ing. Pedro Ruiz" in text
    assert "• Módulo del sistema" in text


def test_status_unknown_reveals_nothing_about_the_ticket() -> None:
    plain = text_of("status_unknown", asked_number="SAACG-2026-000999")
    assert "No encontramos una solicitud con el número SAACG-2026-000999 asociada a este correo" in plain
    # Whatever the caller knows about the ticket, the answer is the same as for a number that does not exist.
    leaky = text_of(
        "status_unknown",
        asked_number="SAACG-2026-000999",
        ticket_number="SAACG-2026-000999",
        label="technical",
    )
    assert leaky == plain
    assert "Ticket#" not in plain
    chat = text_of("status_unknown", Channel.TELEGRAM, asked_number="")
    assert "No encontramos una solicitud abierta asociada a esta conversación." in chat


def test_staff_reply_is_verbatim_in_text_and_escaped_in_html() -> None:
    said = "Buen día:\n1. Abra <Configuración> & guarde.\n2. Reinicie."
    out = render(
        ENV, Reply("staff_reply", {"ticket_number": NUMBER, "text": said, "staff_name": "Ana"}), Channel.EMAIL
    )
    assert said in out.text
    assert out.html is not None
    assert "<Configuración>" not in out.html
    assert "Abra &lt;Configuración&gt; &amp; guarde.<br>" in out.html
    assert said in text_of("staff_reply", Channel.TELEGRAM, ticket_number=NUMBER, text=said)


def test_requester_supplied_values_are_escaped_in_html_only() -> None:
    name = 'Ana <img src=x onerror="alert(1)">'
    out = render(ENV, Reply("reopened", {"ticket_number": NUMBER, "requester_name": name}), Channel.EMAIL)
    assert f"Estimado(a) {name}:" in out.text
    assert out.html is not None and "<img" not in out.html and str(escape(name)) in out.html


def test_closure_says_how_to_reopen() -> None:
    text = one_line(text_of("closure", ticket_number=NUMBER, reopen_days=30, note="Quedó resuelto."))
    assert "ha sido cerrada" in text
    assert "Quedó resuelto." in text
    assert "puede reabrirla respondiendo a este mensaje dentro de los próximos 30 días" in text
    assert "nueva solicitud relacionada" in text
    assert "respondiendo a este mensaje dentro del próximo día;" in one_line(
        text_of("closure", ticket_number=NUMBER, reopen_days=1)
    )
    assert "Comentario" not in text_of("closure", ticket_number=NUMBER, reopen_days=30)


def test_email_footer_asks_to_keep_the_subject_with_the_tag() -> None:
    text = one_line(text_of("message_added", ticket_number=NUMBER))
    assert f"sin modificar el asunto: la etiqueta [Ticket#{NUMBER}]" in text
    assert "de lunes a viernes de 8:00 a 16:00 h" in text
    assert "Ticket#" not in text_of("message_added", Channel.TELEGRAM, ticket_number=NUMBER)


def test_telegram_help_lists_the_commands() -> None:
    text = text_of("help", Channel.TELEGRAM)
    for command in ("/nuevo", "/estado", "/ayuda"):
        assert f"\n{command} " in text
    assert "Ayuda → Asistencia Remota" in text
    assert "/ayuda" in text_of("welcome", Channel.TELEGRAM)


def test_greeting_uses_the_name_when_known() -> None:
    assert text_of("welcome", Channel.TELEGRAM, requester_name="Juan").startswith("¡Hola, Juan!")
    assert text_of("welcome", Channel.TELEGRAM).startswith("¡Hola!")
    assert text_of("reopened", ticket_number=NUMBER).startswith("Estimado(a) usuario(a):")


# --- the contract ------------------------------------------------------------------------------


def test_decide_style_variables_render() -> None:
    """The shape ventanilla.bot.decide builds for a new ticket in hours."""
    variables = {
        "ticket_number": NUMBER,
        "label": "",
        "requester_name": "",
        "out_of_hours": False,
        "next_opening": None,
        "missing": [],
        "triage": True,
        "unsupported_version": None,
        "supported_versions": [],
        "accreditation_needed": False,
        "licence_problem": None,
    }
    assert isinstance(render(ENV, Reply("acknowledgement", variables), Channel.EMAIL), Rendered)


@pytest.mark.parametrize(
    ("template", "variables", "message"),
    [
        ("nope", {}, "unknown reply template"),
        ("assigned", {"ticket_number": NUMBER}, "missing variables"),
        ("reopened", {"ticket_number": NUMBER, "teamviewer_password": "x1y2"}, "secret"),
        ("reopened", {"ticket_number": NUMBER, "api_token": "x"}, "secret"),
        ("reopened", {"ticket_number": NUMBER, "extra": 1}, "unknown variables"),
        ("missing_data", {"ticket_number": NUMBER, "missing": ["shoe_size"]}, "unknown fields"),
        ("data_complete", {"ticket_number": NUMBER, "out_of_hours": True}, "next_opening"),
        ("acknowledgement", {"ticket_number": NUMBER, "licence_problem": "stolen"}, "licence_problem"),
        ("acknowledgement", {"ticket_number": NUMBER, "unsupported_version": "2020"}, "supported_versions"),
        ("status", {"ticket_number": NUMBER, "state": "lost", "created_at": MONDAY_OPENING}, "lost"),
    ],
)
def test_contract_breaches_fail_loudly(template: str, variables: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(ENV, Reply(template, variables), Channel.EMAIL)


def test_every_field_key_can_be_asked_for() -> None:
    keys = [key for key in FIELDS if key != "phone_ext"] + ["description"]
    text = text_of("missing_data", Channel.TELEGRAM, ticket_number=NUMBER, missing=keys)
    assert text.count("\n• ") == len(keys) - 1  # the two TeamViewer fields share one line


def test_environment_is_strict_and_autoescapes_html_only() -> None:
    assert ENV.undefined is jinja2.StrictUndefined
    assert ENV.from_string("{{ x }}").render(x="<b>") == "<b>"
    with pytest.raises(jinja2.UndefinedError):
        ENV.from_string("{{ nothing }}").render()


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200))
def test_any_staff_text_reaches_the_requester_intact(said: str) -> None:
    said = said.strip() or "ok"
    out = render(ENV, Reply("staff_reply", {"ticket_number": NUMBER, "text": said}), Channel.TELEGRAM)
    assert said in out.text
    html = render(ENV, Reply("staff_reply", {"ticket_number": NUMBER, "text": said}), Channel.EMAIL).html
    assert html is not None and str(escape(said)) in html
