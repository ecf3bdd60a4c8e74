"""parse_email on real-looking mail from Spanish and English clients, lying charsets, hostile input."""

from __future__ import annotations

import base64
import quopri
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.bot.errors import MalformedMessage
from ventanilla.bot.model import Channel, InboundMessage
from ventanilla.intake.email_parse import MAX_TEXT_CHARS, attachment_payloads, parse_email

AT = datetime(2026, 3, 3, 16, 12, tzinfo=UTC)


def parse(raw: bytes, **kwargs: object) -> InboundMessage:
    return parse_email(raw, source="smtp", received_at=AT, **kwargs)  # type: ignore[arg-type]


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


OUTLOOK_ES_REPLY = crlf(
    """Received: from mail.zapopan.gob.mx (mail.zapopan.gob.mx [201.1.2.3])
From: =?iso-8859-1?Q?Ana_P=E9rez_N=FA=F1ez?= <Ana.Perez@Zapopan.gob.mx>
To: Soporte SAACG <soporte@saacg.example>
CC: "Contabilidad, Jefatura" <jefatura.conta@zapopan.gob.mx>
Subject: =?iso-8859-1?Q?RE:_[Ticket#SAACG-2026-000123]_Activaci=F3n_de_licencia?=
Thread-Topic: =?iso-8859-1?Q?Activaci=F3n_de_licencia?=
Date: Tue, 3 Mar 2026 16:10:02 +0000
Message-ID: <SN6PR01MB4110D3C2A1B@SN6PR01MB4110.namprd01.prod.outlook.com>
References: <root@zapopan.gob.mx> <20260303.000123.1@saacg.example>
In-Reply-To: <20260303.000123.1@saacg.example>
Accept-Language: es-MX, en-US
Content-Language: es-MX
MIME-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="_000_SN6PR01MB4110D3C2A1B_"

--_000_SN6PR01MB4110D3C2A1B_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

Buenas tardes,

Le comparto el n=FAmero de licencia: SAACG-JAL-0457. La versi=F3n instalada=
 es 2026.

Saludos cordiales
L.C.P. Ana P=E9rez N=FA=F1ez
Tesorera Municipal
H. Ayuntamiento de Zapopan
Tel. (33) 3818-2200 ext. 1234

________________________________
De: Soporte SAACG <soporte@saacg.example>
Enviado: martes, 3 de marzo de 2026 09:15
Para: Ana P=E9rez N=FA=F1ez <Ana.Perez@Zapopan.gob.mx>
Asunto: [Ticket#SAACG-2026-000123] Activaci=F3n de licencia

Estimada usuaria: para continuar necesitamos su n=FAmero de licencia.
--_000_SN6PR01MB4110D3C2A1B_
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Buenas tardes,</p><p>HTML que no se usa</p></body></html>
--_000_SN6PR01MB4110D3C2A1B_--
"""
)


def test_outlook_spanish_reply_separates_new_part_and_keeps_signature() -> None:
    message = parse(OUTLOOK_ES_REPLY, envelope_from="ana.perez@zapopan.gob.mx", raw_id=7)
    assert message.channel is Channel.EMAIL
    assert message.external_id == "SN6PR01MB4110D3C2A1B@SN6PR01MB4110.namprd01.prod.outlook.com"
    assert message.sender == "ana.perez@zapopan.gob.mx"
    assert message.sender_name == "Ana Pérez Núñez"
    assert message.subject == "RE: [Ticket#SAACG-2026-000123] Activación de licencia"
    assert message.text.startswith("Buenas tardes,")
    assert "SAACG-JAL-0457. La versión instalada es 2026." in message.text
    assert message.text.endswith("Tel. (33) 3818-2200 ext. 1234")
    assert message.quoted.startswith("________________________________\nDe: Soporte SAACG")
    assert "necesitamos su número de licencia" in message.quoted
    assert "necesitamos" not in message.text
    assert message.html is False
    assert message.to == ("soporte@saacg.example",)
    assert message.cc == ("jefatura.conta@zapopan.gob.mx",)
    assert message.in_reply_to == ("20260303.000123.1@saacg.example",)
    assert message.references == ("root@zapopan.gob.mx", "20260303.000123.1@saacg.example")
    assert message.return_path == "ana.perez@zapopan.gob.mx"
    assert message.raw_id == 7
    assert message.received_at == AT
    assert message.attachments == ()


GMAIL_ES_REPLY = crlf(
    """MIME-Version: 1.0
Date: Tue, 3 Mar 2026 10:20:31 -0600
References: <20260303.000124.1@saacg.example>
In-Reply-To: <20260303.000124.1@saacg.example>
Message-ID: <CAJ+8x2ZfQ=ab12@mail.gmail.com>
Subject: Re: [Ticket#SAACG-2026-000124] Error al timbrar
From: Jorge Luis Medina <jl.medina.tesoreria@gmail.com>
To: soporte@saacg.example
Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

"""
    + base64.encodebytes(
        (
            "Hola, le mando el ID de TeamViewer: 1 234 567 890.\r\n\r\nJorge Luis Medina\r\n"
            "Auxiliar Contable, DIF Municipal de Colima\r\n\r\n"
            "El mar, 3 mar 2026 a las 9:15, Soporte SAACG (<soporte@saacg.example>)\r\n"
            "escribió:\r\n\r\n> Estimado usuario:\r\n> ¿Podría indicarnos su ID de TeamViewer?\r\n>\r\n"
        ).encode()
    ).decode("ascii")
    + """
--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">Hola</div>
--000000000000a1b2c3--
"""
)


def test_gmail_spanish_reply_with_wrapped_attribution() -> None:
    message = parse(GMAIL_ES_REPLY)
    assert message.sender == "jl.medina.tesoreria@gmail.com"
    assert message.sender_name == "Jorge Luis Medina"
    assert message.text == (
        "Hola, le mando el ID de TeamViewer: 1 234 567 890.\n\nJorge Luis Medina\n"
        "Auxiliar Contable, DIF Municipal de Colima"
    )
    assert message.quoted.startswith("El mar, 3 mar 2026 a las 9:15, Soporte SAACG")
    assert "¿Podría indicarnos" in message.quoted
    assert message.return_path is None


APPLE_MAIL = crlf(
    """From: "Rocío Hernández" <rocio.hdz@icloud.com>
Content-Type: text/plain;
\tcharset=utf-8
Content-Transfer-Encoding: quoted-printable
Mime-Version: 1.0 (1.0)
Date: Tue, 3 Mar 2026 11:02:14 -0600
Subject: Re: Curso de Cuenta =?utf-8?Q?P=C3=BAblica?=
Message-Id: <8D2F3C1E-55A1-4F0B-9C2B-1A2B3C4D5E6F@icloud.com>
References: <curso-2026@saacg.example>
In-Reply-To: <curso-2026@saacg.example>
To: soporte@saacg.example
X-Mailer: iPhone Mail (21D61)

"""
    + quopri.encodestring(
        "Me interesa inscribir a dos personas.\n\nEnviado desde mi iPhone\n\n"
        "> El 2 mar 2026, a las 18:40, Soporte SAACG <soporte@saacg.example> escribió:\n"
        ">\n> Le compartimos el temario del curso.\n".encode()
    ).decode("ascii")
)


def test_apple_mail_iphone_reply() -> None:
    message = parse(APPLE_MAIL)
    assert message.sender_name == "Rocío Hernández"
    assert message.subject == "Re: Curso de Cuenta Pública"
    assert message.text == "Me interesa inscribir a dos personas.\n\nEnviado desde mi iPhone"
    assert message.quoted.startswith("> El 2 mar 2026")


OUTLOOK_HTML_ONLY = crlf(
    """From: Tesoreria Municipal <tesoreria@tlaquepaque.gob.mx>
To: soporte@saacg.example
Subject: No abre el modulo de nomina
Message-ID: <html-only-1@tlaquepaque.gob.mx>
MIME-Version: 1.0
Content-Type: text/html; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

<html xmlns:o=3D"urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=3D"Content-Type" content=3D"text/html; charset=3Dwindows-1252">
<style><!-- p.MsoNormal {margin:0cm; font-family:"Calibri"} --></style>
<script>document.location=3D'http://evil.example/'</script>
<!--[if gte mso 9]><xml><o:shapedefaults v:ext=3D"edit" spidmax=3D"1026" /></xml><![endif]-->
</head><body lang=3DES-MX><div class=3DWordSection1>
<p class=3DMsoNormal>Buen d=EDa:<o:p></o:p></p>
<p class=3DMsoNormal><o:p>&nbsp;</o:p></p>
<p class=3DMsoNormal>Al entrar al m=F3dulo de <b>N=F3mina</b> aparece &quot;Error 500&quot;.<o:p></o:p></p>
<p class=3DMsoNormal>Atentamente,<br>C.P. Luis Garc=EDa<br>Director de Egresos<o:p></o:p></p>
<div style=3D"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">
<p class=3DMsoNormal><b>De:</b> Soporte SAACG &lt;soporte@saacg.example&gt;<br>
<b>Enviado:</b> lunes, 2 de marzo de 2026 17:00<br><b>Para:</b> Tesoreria Municipal<br>
<b>Asunto:</b> Aviso de actualizaci=F3n<o:p></o:p></p></div>
<p class=3DMsoNormal>Texto anterior del aviso.<o:p></o:p></p></div></body></html>
"""
)


def test_html_only_outlook_mail_becomes_readable_text() -> None:
    message = parse(OUTLOOK_HTML_ONLY)
    assert message.html is True
    assert message.text == (
        'Buen día:\n\nAl entrar al módulo de Nómina aparece "Error 500".\n\n'
        "Atentamente,\nC.P. Luis García\nDirector de Egresos"
    )
    assert message.quoted.startswith("De: Soporte SAACG <soporte@saacg.example>")
    assert "Texto anterior" in message.quoted
    for leaked in ("evil.example", "MsoNormal", "<p", "<o:p", "shapedefaults", "&nbsp;"):
        assert leaked not in message.text + message.quoted


def plain(body: bytes, content_type: str = "text/plain", extra: str = "") -> bytes:
    head = (
        "From: Usuario <usuario@ente.gob.mx>\nTo: soporte@saacg.example\nSubject: Prueba\n"
        f"Message-ID: <p-1@ente.gob.mx>\nMIME-Version: 1.0\n{extra}"
    )
    if content_type:
        head += f"Content-Type: {content_type}\nContent-Transfer-Encoding: 8bit\n"
    return head.encode("ascii") + b"\n" + body


SPANISH = "Señora contadora: la versión 2026 no abre el módulo de Nómina. ¿Qué hago?"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (SPANISH.encode("utf-8"), 'text/plain; charset="iso-8859-1"'),  # declared latin-1, is utf-8
        (SPANISH.encode("latin-1"), "text/plain; charset=utf-8"),  # declared utf-8, is latin-1
        (SPANISH.encode("cp1252"), "text/plain"),  # no charset parameter
        (SPANISH.encode("latin-1"), ""),  # no Content-Type at all
        (SPANISH.encode("latin-1"), "text/plain; charset=x-unknown"),
        (SPANISH.encode("utf-8"), "text/plain; charset=x-unknown"),
        (SPANISH.encode("utf-8"), "text/plain; charset=us-ascii"),
        (SPANISH.encode("cp1252"), 'text/plain; charset="windows-1252"'),
    ],
)
def test_declared_missing_or_lying_charsets_decode_to_the_right_text(body: bytes, content_type: str) -> None:
    assert parse(plain(body, content_type)).text == SPANISH


def test_rfc2047_from_and_subject_in_spanish_including_split_characters() -> None:
    split = "Contraseña".encode()
    first, second = split[:7], split[7:]  # cuts the two-byte "ñ" in half
    subject = (
        f"=?UTF-8?B?{base64.b64encode(first).decode()}?=\n =?UTF-8?B?{base64.b64encode(second).decode()}?="
        " de =?iso-8859-1?q?TeamViewer_y_versi=F3n?="
    )
    raw = (
        "From: =?UTF-8?Q?Mar=C3=ADa_Jos=C3=A9_Ort=C3=ADz?= <MJ.Ortiz@Leon.gob.mx>\n"
        f"Subject: {subject}\n\nHola"
    ).encode("ascii")
    message = parse(raw)
    assert message.sender == "mj.ortiz@leon.gob.mx"
    assert message.sender_name == "María José Ortíz"
    assert message.subject == "Contraseña de TeamViewer y versión"


def test_eight_bit_bytes_in_headers_are_read_as_utf8_or_latin1() -> None:
    raw = (
        b"From: Jos\xe9 N\xfa\xf1ez <jose@ente.gob.mx>\n"
        b"Subject: Solicitud de activaci\xc3\xb3n\n"
        b"Content-Type: text/plain; charset=utf-8\n\nHola"
    )
    message = parse(raw)
    assert message.sender_name == "José Núñez"
    assert message.subject == "Solicitud de activación"


def test_header_injection_in_subject_cannot_add_lines() -> None:
    raw = (
        b"From: a@ente.gob.mx\n"
        b"Subject: =?utf-8?q?Hola=0D=0ABcc:_victima@example.com=0D=0A=0D=0Acuerpo?=\n"
        b"Message-ID: <id-with\x00nul@ente.gob.mx>\n\ntexto"
    )
    message = parse(raw)
    assert message.subject == "Hola Bcc: victima@example.com cuerpo"
    assert all(ch not in message.subject + message.external_id for ch in "\r\n\x00")


def test_base64_and_quoted_printable_bodies_and_attachments_are_listed_and_kept() -> None:
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40
    tnef = b"\x78\x9f\x3e\x22" + b"\x00" * 500
    raw = crlf(
        """From: Compras <compras@ente.gob.mx>
To: soporte@saacg.example
Subject: Factura de actualizacion
Message-ID: <att-1@ente.gob.mx>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Adjunto el oficio y la factura de la actualizaci=C3=B3n.
--b1
Content-Type: application/pdf; name="=?utf-8?Q?oficio_acreditaci=C3=B3n.pdf?="
Content-Disposition: attachment; filename*=utf-8''oficio%20acreditaci%C3%B3n.pdf
Content-Transfer-Encoding: base64

"""
        + base64.encodebytes(pdf).decode()
        + """--b1
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Disposition: attachment; filename="winmail.dat"
Content-Transfer-Encoding: base64

"""
        + base64.encodebytes(tnef).decode()
        + "--b1--\n"
    )
    message = parse(raw)
    assert message.text == "Adjunto el oficio y la factura de la actualización."
    names = [(a.filename, a.content_type, a.size) for a in message.attachments]
    assert names == [
        ("oficio acreditación.pdf", "application/pdf", len(pdf)),
        ("winmail.dat", "application/ms-tnef", len(tnef)),
    ]
    assert "TNEF" in message.attachments[1].note
    assert [data for _, data in attachment_payloads(raw)] == [pdf, tnef]


def test_thirty_megabyte_attachment_is_listed_with_its_size() -> None:
    big = bytes(30 * 1024 * 1024)
    raw = (
        b"From: a@ente.gob.mx\nSubject: respaldo\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nVa el respaldo.\n'
        b'--B\nContent-Type: application/octet-stream; name="respaldo.bak"\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(big) + b"--B--\n"
    )
    message = parse(raw)
    assert message.text == "Va el respaldo."
    assert [(a.filename, a.size) for a in message.attachments] == [("respaldo.bak", len(big))]


def test_huge_text_body_is_capped_not_rejected() -> None:
    body = ("Renglón de prueba con acentos: año, versión.\n" * 40_000).encode("utf-8")  # ~1.8 MB
    message = parse(plain(body, "text/plain; charset=utf-8"))
    assert len(message.text) == MAX_TEXT_CHARS
    assert message.text.startswith("Renglón de prueba")


def test_broken_multipart_boundary_salvages_the_text() -> None:
    raw = crlf(
        """From: a@ente.gob.mx
Subject: sin frontera
Content-Type: multipart/mixed; boundary="no-aparece"

--otra-frontera
Content-Type: text/plain

El sistema marca error al cerrar el mes.
--otra-frontera--
"""
    )
    message = parse(raw)
    assert "El sistema marca error al cerrar el mes." in message.text


def test_missing_message_id_gets_a_stable_synthetic_id() -> None:
    raw = b"From: a@ente.gob.mx\nSubject: x\n\nhola"
    first, second = parse(raw), parse(raw)
    assert first.external_id == second.external_id
    assert first.external_id.startswith("sha256-") and first.external_id.endswith("@ventanilla.invalid")
    assert parse(raw + b"!").external_id != first.external_id


def test_null_sender_and_return_path_header() -> None:
    raw = b"Return-Path: <>\nFrom: MAILER-DAEMON@mx.ente.gob.mx\nSubject: Undeliverable\n\nx"
    assert parse(raw).return_path == ""
    assert parse(raw, envelope_from="").return_path == ""
    assert parse(raw, envelope_from="Bounce@Mx.Example").return_path == "bounce@mx.example"


def test_missing_from_falls_back_to_envelope_sender() -> None:
    raw = b"To: soporte@saacg.example\nSubject: sin remitente\n\nhola"
    assert parse(raw, envelope_from="Quien@Ente.gob.mx").sender == "quien@ente.gob.mx"
    with pytest.raises(MalformedMessage, match="no sender"):
        parse(raw)


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"hola, esto no es un correo"]
)
def test_bytes_that_are_not_an_email_are_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse(raw)


MUTATION_BASE = [OUTLOOK_ES_REPLY, GMAIL_ES_REPLY, APPLE_MAIL, OUTLOOK_HTML_ONLY]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_any_bytes_parse_or_are_malformed(raw: bytes) -> None:
    try:
        message = parse(raw)
    except MalformedMessage:
        return
    assert "@" in message.sender
    assert "\n" not in message.subject


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MUTATION_BASE), st.integers(0, 10_000), st.integers(0, 200), st.binary(max_size=60))
def test_mutated_real_mail_parses_or_is_malformed(base: bytes, at: int, cut: int, insert: bytes) -> None:
    at %= len(base) + 1
    raw = base[:at] + insert + base[at + cut :]
    try:
        message = parse(raw)
    except MalformedMessage:
        return
    assert message.sender == message.sender.lower()
