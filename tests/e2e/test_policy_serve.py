"""The support policy as a requester meets it through `ventanilla serve` (issue 7): on an official
holiday the acknowledgement says when the request will be seen ("el jueves 17 de septiembre a las
8:00"); a trial licence gets the licence reply; an old version gets the unsupported-version reply.

`serve` runs for real, with one thing changed by the harness: its clock starts on Wednesday
16 September 2026 at 10:00 in Mexico City (Independence Day) and runs on from there."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import pytest
from conftest import SUPPORT, Relay, free_port, port_open, run_cli, send_mail, wait_until, write_config

START = "2026-09-16T10:00:00-06:00"  # a holiday (Día de la Independencia), a Wednesday
# Starts `serve` with its system clock shifted so that it begins at $E2E_CLOCK_START.
LAUNCHER = """
import os
from datetime import UTC, datetime
from ventanilla.bot import clock
offset = datetime.fromisoformat(os.environ["E2E_CLOCK_START"]) - datetime.now(UTC)
clock.SystemClock.now = lambda self: datetime.now(UTC) + offset
from ventanilla.bot.cli import main
main()
"""
SIGNATURE = (
    "\n\nSaludos cordiales\n\nJuan Pérez López\nTesorero Municipal\nH. Ayuntamiento de Zapopan\n"
    "Zapopan, Jalisco\nTel. 33 1234 5678\n"
)
REQUEST = (
    "Buenos días, al generar la balanza de comprobación en el módulo de Contabilidad me aparece el "
    'error "referencia a objeto no establecida". Tenemos instalada la versión {version}.\n'
    "Número de licencia: {licence}\nID de TeamViewer: 1 234 567 890\nContraseña de TeamViewer: 8jk2m4"
)
REGISTER = (
    "licence,entity,type,updates_until,holder_name,holder_email\n"
    "SAACG-JAL-0457,H. Ayuntamiento de Zapopan,purchased,2026-12-31,Juan Pérez,\n"
    "SAACG-JAL-0999,H. Ayuntamiento de Zapopan,trial,2026-12-31,Juan Pérez,\n"
)


@pytest.fixture
def serve(tmp_path: Path, relay: Relay) -> Iterator[tuple[Path, int]]:
    smtp_port = free_port()
    config = write_config(tmp_path, smtp_port, relay.port)
    register = tmp_path / "licences.csv"
    register.write_text(REGISTER, encoding="utf-8")
    imported = run_cli(config, "licences", "import", str(register))
    assert imported.returncode == 0, imported.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
    env |= {"PYTHONUNBUFFERED": "1", "E2E_CLOCK_START": START}
    log = (tmp_path / "serve.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, "--config", str(config), "serve"],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env=env,
    )

    def listening() -> bool:
        assert process.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")
        return port_open(smtp_port)

    try:
        wait_until(listening, "serve to accept SMTP connections", deadline=60)
        yield config, smtp_port
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def send(port: int, sender: str, body: str) -> str:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = sender, SUPPORT, "Error al generar la balanza"
    msg["Message-ID"] = make_msgid(domain="zapopan.gob.mx")
    msg.set_content(body + SIGNATURE)
    code, _ = send_mail(port, msg.as_bytes(), sender)
    assert code == 250
    return str(msg["Message-ID"])


def reply_to(relay: Relay, message_id: str) -> str:
    def found() -> str | None:
        for reply in relay.received:
            if reply["In-Reply-To"] == message_id:
                part = reply.get_body(("plain",))
                assert part is not None
                return " ".join(str(part.get_content()).split())
        return None

    text: str = wait_until(found, f"the reply to {message_id}")
    return text


def test_holiday_trial_licence_and_old_version(serve: tuple[Path, int], relay: Relay) -> None:
    config, port = serve
    in_order = send(
        port, "juan.perez@zapopan.gob.mx", REQUEST.format(version="2026", licence="SAACG-JAL-0457")
    )
    trial = send(port, "tesoreria@zapopan.gob.mx", REQUEST.format(version="2026", licence="SAACG-JAL-0999"))
    old = send(port, "contabilidad@zapopan.gob.mx", REQUEST.format(version="2022", licence="SAACG-JAL-0457"))

    text = reply_to(relay, in_order)
    assert "Su mensaje llegó fuera de nuestro horario de atención" in text
    assert (
        "Atenderemos su solicitud a partir de nuestra próxima apertura: "
        "el jueves 17 de septiembre a las 8:00." in text
    )
    assert "licencia de prueba" not in text and "Nos indica que utiliza la versión" not in text

    text = reply_to(relay, trial)
    assert "De acuerdo con nuestro registro, la licencia que nos indicó es una licencia de prueba." in text
    assert "el jueves 17 de septiembre a las 8:00" in text

    text = reply_to(relay, old)
    assert "Nos indica que utiliza la versión 2022 del SAACG.NET." in text
    assert "(en este momento, las versiones 2026 y 2025)" in text
    assert "Le recomendamos actualizar su sistema a la versión 2026" in text

    flagged = run_cli(config, "tickets", "list", "--flag", "licence_trial", "--json")
    assert flagged.returncode == 0, flagged.stderr
    assert '"requester": "tesoreria@zapopan.gob.mx"' in flagged.stdout
    old_version = run_cli(config, "tickets", "list", "--flag", "version_old", "--json")
    assert '"requester": "contabilidad@zapopan.gob.mx"' in old_version.stdout
