"""Builds the torture corpus: one `NN-<hazard>.eml` per hazard of issue 6 (automatic mail of every kind
PRODUCT.md section 6 names, hostile and broken MIME, header injection) and `expected.toml`, the outcome
each must have. Re-runnable: `python tests/data/mail/build.py` rewrites both from the table CASES.
The two large messages (1 MB body, 20 MB message) are made at test time by `large_messages()`.

Placeholders the end-to-end test replaces before sending: OUR_REPLY_ID (the Message-ID of the desk's
reply to the first message, which the bounces report on)."""

from __future__ import annotations

import base64
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUPPORT = "soporte@saacg.example"
OUR_REPLY_ID = "OUR-REPLY-ID@saacg.example"
SEED_SENDER = "juan.perez@zapopan.gob.mx"
SEED_ID = "torture-01-seed@zapopan.gob.mx"
DATE = "Wed, 04 Mar 2026 10:00:00 -0600"

REQUEST = (
    "Buenos días,\n\n"
    "Al generar la balanza de comprobación en el módulo de Contabilidad me aparece el error "
    '"referencia a objeto no establecida". Tenemos instalada la versión 2026.\n\n'
    "Saludos cordiales\n\nJuan Pérez López\nTesorero Municipal\nH. Ayuntamiento de Zapopan\n"
    "Zapopan, Jalisco\nTel. 33 1234 5678\n"
)
OOO = "Estaré fuera de la oficina hasta el lunes 9 de marzo, con acceso limitado al correo.\n"


@dataclass(frozen=True)
class Case:
    """One message of the corpus and what must become of it."""

    name: str
    build: Callable[[Case], bytes]
    outcome: str  # "ticket", "dead_letter" or "recorded_not_answered"
    reply: bool
    reason: str
    mail_from: str | None = None  # SMTP MAIL FROM; None: the From address; "" the null sender
    message_id: str | None = ""  # "" = the default <torture-NN@...>; None = the message has none
    checks: dict[str, object] = field(default_factory=dict)

    @property
    def number(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def sender(self) -> str:
        return f"persona{self.number}@ente{self.number}.gob.mx"

    @property
    def mid(self) -> str:
        return self.message_id if self.message_id else f"torture-{self.number}@ente{self.number}.gob.mx"


def crlf(text: str, charset: str = "utf-8") -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode(charset, "surrogateescape")


def head(
    case: Case,
    subject: str = "Error al generar la balanza de comprobación",
    *,
    sender: str | None = None,
    extra: str = "",
    content_type: str | None = "text/plain; charset=utf-8",
    thread: bool = False,
) -> str:
    lines = [f"From: {sender or case.sender}", f"To: {SUPPORT}", f"Subject: {subject}", f"Date: {DATE}"]
    if case.message_id is not None:
        lines.append(f"Message-ID: <{case.mid}>")
    if thread:
        lines += [f"In-Reply-To: <{SEED_ID}>", f"References: <{SEED_ID}>"]
    if content_type:
        lines += ["MIME-Version: 1.0", f"Content-Type: {content_type}"]
    return "\n".join(lines) + ("\n" + extra.strip("\n") if extra else "") + "\n\n"


def human(case: Case, **kwargs: object) -> bytes:
    return crlf(head(case, **kwargs) + REQUEST)  # type: ignore[arg-type]


def automatic(subject: str, extra: str = "", *, sender: str | None = None, thread: bool = False) -> Callable[[Case], bytes]:
    def build(case: Case) -> bytes:
        return crlf(head(case, subject, sender=sender, extra=extra, thread=thread) + OOO)

    return build


def seed(case: Case) -> bytes:
    return crlf(head(case, sender=f"Juan Pérez <{SEED_SENDER}>") + REQUEST)


# ----- delivery reports


def dsn(case: Case, *, action: str, status: str, returned: str, report: str = "delivery-status") -> bytes:
    """A bounce as Postfix or Exchange writes it: multipart/report with the returned headers."""
    return crlf(
        head(
            case,
            "Undelivered Mail Returned to Sender" if action == "failed" else "Aviso de retraso en la entrega",
            sender="MAILER-DAEMON@mx.zapopan.gob.mx",
            content_type=f'multipart/report; report-type={report}; boundary="dsn-b"',
        )
        + "--dsn-b\nContent-Type: text/plain; charset=utf-8\n\n"
        "This is the mail system at host mx.zapopan.gob.mx.\nYour message could not be delivered.\n\n"
        "--dsn-b\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.zapopan.gob.mx\nArrival-Date: Wed,  4 Mar 2026 10:00:00 -0600\n\n"
        f"Final-Recipient: rfc822; {SEED_SENDER}\nOriginal-Recipient: rfc822;{SEED_SENDER}\n"
        f"Action: {action}\nStatus: {status}\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <juan.perez@zapopan.gob.mx>: Recipient address rejected:\n"
        " User unknown in virtual mailbox table\n\n"
        + returned
        + "--dsn-b--\n"
    )


def returned_headers(message_id: str) -> str:
    return (
        "--dsn-b\nContent-Type: text/rfc822-headers\n\n"
        f"From: Soporte SAACG.NET <{SUPPORT}>\nTo: {SEED_SENDER}\n"
        "Subject: [Ticket#SAACG-2026-000001] RE: Error al generar la balanza\n"
        f"Message-ID: <{message_id}>\nAuto-Submitted: auto-replied\n\n"
    )


def returned_message(message_id: str) -> str:
    return (
        "--dsn-b\nContent-Type: message/rfc822\n\n"
        f"From: Soporte SAACG.NET <{SUPPORT}>\nTo: someone@elsewhere.example\nSubject: Aviso\n"
        f"Message-ID:\n <{message_id}>\n\nTexto del mensaje devuelto.\n\n"
    )


def plain_bounce(case: Case) -> bytes:
    """qmail's failure notice: plain text, the returned message inline."""
    return crlf(
        head(case, "failure notice", sender="MAILER-DAEMON@correo.ente11.gob.mx")
        + "Hi. This is the qmail-send program at correo.ente11.gob.mx.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        f"<{SEED_SENDER}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        f"Return-Path: <{SUPPORT}>\nFrom: {SUPPORT}\nTo: {SEED_SENDER}\nMessage-ID: <{OUR_REPLY_ID}>\n"
        "Subject: [Ticket#SAACG-2026-000001] RE: Error\n\nEstimado usuario...\n"
    )


def read_receipt(case: Case) -> bytes:
    return crlf(
        head(
            case,
            "Leído: [Ticket#SAACG-2026-000001] RE: Error al generar la balanza",
            content_type='multipart/report; report-type=disposition-notification; boundary="m"',
        )
        + "--m\nContent-Type: text/plain; charset=utf-8\n\nSu mensaje fue leído.\n"
        "--m\nContent-Type: message/disposition-notification\n\n"
        f"Final-Recipient: rfc822;{case.sender}\nOriginal-Message-ID: <{OUR_REPLY_ID}>\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\n\n--m--\n"
    )


# ----- hostile MIME


def multipart(case: Case, body: str, *, ctype: str = 'multipart/mixed; boundary="B"', **kwargs: object) -> bytes:
    return crlf(head(case, content_type=ctype, **kwargs) + body)  # type: ignore[arg-type]


def truncated(case: Case) -> bytes:
    return multipart(case, "--B\nContent-Type: text/plain; charset=utf-8\n\n" + REQUEST + "\n--B\nContent-Type: applic")


def no_boundary(case: Case) -> bytes:
    return multipart(case, "--B\nContent-Type: text/plain\n\n" + REQUEST + "--B--\n", ctype="multipart/mixed")


def boundary_missing(case: Case) -> bytes:
    return multipart(case, "Preámbulo sin partes.\n" + REQUEST, ctype='multipart/alternative; boundary="nunca"')


def broken_base64(case: Case) -> bytes:
    encoded = base64.encodebytes(REQUEST.encode()).decode()
    broken = encoded[:200] + "!!@@##" + encoded[200:-10] + "=\n===\n"
    return crlf(head(case, extra="Content-Transfer-Encoding: base64") + broken)


def broken_qp(case: Case) -> bytes:
    body = REQUEST.replace("ó", "=C3=B3").replace("é", "=C3=").replace("í", "=ZZ") + "=\n=4\n"
    return crlf(head(case, extra="Content-Transfer-Encoding: quoted-printable") + body)


def unknown_charset(case: Case) -> bytes:
    ctype = "text/plain; charset=x-klingon-8"
    return head(case, content_type=ctype).replace("\n", "\r\n").encode() + REQUEST.replace("\n", "\r\n").encode("cp1252")


def lying_charset(case: Case) -> bytes:
    return head(case, content_type="text/plain; charset=utf-8").replace("\n", "\r\n").encode() + REQUEST.replace(
        "\n", "\r\n"
    ).encode("latin-1")


def null_bytes(case: Case) -> bytes:
    raw = crlf(head(case, "Error\x00 al generar\x00 la balanza") + REQUEST.replace("módulo", "mó\x00dulo"))
    return raw


def eight_bit_no_mime(case: Case) -> bytes:
    return (head(case, "Error en la versión", content_type=None).replace("\n", "\r\n")).encode("latin-1") + (
        REQUEST.replace("\n", "\r\n").encode("latin-1")
    )


def tnef(body: str, files: list[tuple[str, bytes]]) -> bytes:
    """A winmail.dat as Outlook writes it (TNEF version, code page, body, attachments)."""

    def obj(level: int, name: int, kind: int, data: bytes) -> bytes:
        return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)

    out = struct.pack("<IH", 0x223E9F78, 1)
    out += obj(1, 0x9006, 0x8, struct.pack("<I", 0x10000))
    out += obj(1, 0x9007, 0x6, struct.pack("<II", 1252, 0))
    out += obj(1, 0x800C, 0x2, body.replace("\n", "\r\n").encode("cp1252"))
    for name, data in files:
        out += obj(2, 0x9002, 0x6, bytes(14))
        out += obj(2, 0x8010, 0x1, name.encode() + b"\x00")
        out += obj(2, 0x800F, 0x6, data)
    return out


TNEF_FILES = [("oficio.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8), ("captura.png", b"\x89PNG\r\n\x1a\n" + bytes(900))]


def winmail_part(body: str) -> str:
    data = base64.encodebytes(tnef(body, TNEF_FILES)).decode()
    return (
        '--B\nContent-Type: application/ms-tnef; name="winmail.dat"\n'
        'Content-Disposition: attachment; filename="winmail.dat"\nContent-Transfer-Encoding: base64\n\n'
        + data
    )


def tnef_with_text(case: Case) -> bytes:
    body = "--B\nContent-Type: text/plain; charset=utf-8\n\n" + REQUEST + winmail_part("Texto en RTF.") + "--B--\n"
    return multipart(case, body)


def tnef_only(case: Case) -> bytes:
    return multipart(case, winmail_part(REQUEST) + "--B--\n")


def nested_rfc822(case: Case) -> bytes:
    inner = f"From: otro@ente.gob.mx\nSubject: Reenviado\nMessage-ID: <inner-{case.number}@x>\n\nTexto interno.\n"
    for level in range(3):
        inner = (
            f'From: nivel{level}@ente.gob.mx\nSubject: Fwd\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="n{level}"\n\n'
            f"--n{level}\nContent-Type: text/plain\n\nVa reenviado.\n--n{level}\nContent-Type: message/rfc822\n\n{inner}\n--n{level}--\n"
        )
    body = "--B\nContent-Type: text/plain; charset=utf-8\n\n" + REQUEST + "--B\nContent-Type: message/rfc822\n\n" + inner + "--B--\n"
    return multipart(case, body)


def long_subject(case: Case) -> bytes:
    words = ("Error al generar la balanza de comprobación en Contabilidad " * 40)[:2000]
    folded, line = [], ""
    for word in words.split(" "):
        if len(line) + len(word) > 70:
            folded.append(line)
            line = ""
        line += (" " if line else "") + word
    folded.append(line)
    return crlf(head(case, "\n ".join(folded)) + REQUEST)


def injected_subject(case: Case) -> bytes:
    payload = base64.b64encode("Error\r\nBcc: victima@example.com\r\nX-Injected: yes".encode()).decode()
    return crlf(head(case, f"=?utf-8?b?{payload}?=") + REQUEST)


def injected_display_name(case: Case) -> bytes:
    name = "=?utf-8?q?Juan=0D=0ABcc:_victima@example.com=0D=0AX-Injected:_yes?="
    return crlf(head(case, sender=f"{name} <{case.sender}>") + REQUEST)


def reply_to_and_cc(case: Case) -> bytes:
    extra = "Reply-To: atacante@example.com\nCc: victima@example.com, otra@example.com\nBcc: oculto@example.com"
    return crlf(head(case, extra=extra) + REQUEST)


def two_from(case: Case) -> bytes:
    return crlf(head(case, sender=f"{case.sender}, segundo@example.com") + REQUEST)


def bare_newlines(case: Case) -> bytes:
    return head(case).encode() + REQUEST.replace("\n", "\r").encode() + b"\n\n\r\r\n" + b"x" * 5000 + b"\n"


def no_from(case: Case) -> bytes:
    return crlf(f"To: {SUPPORT}\nSubject: Sin remitente\nMessage-ID: <{case.mid}>\n\n" + REQUEST)


def not_email(case: Case) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def html_script(case: Case) -> bytes:
    html = (
        "<html><head><script>alert(1)</script><style>p{}</style></head><body>"
        + "".join(f"<p>{line}</p>" for line in REQUEST.splitlines())
        + '<img src="x" onerror="alert(2)"></body></html>'
    )
    return crlf(head(case, content_type="text/html; charset=utf-8") + html)


def deep_nesting(case: Case) -> bytes:
    depth = 60
    opening = "".join(f'--d{i}\nContent-Type: multipart/mixed; boundary="d{i + 1}"\n\n' for i in range(depth))
    closing = "".join(f"--d{i}--\n" for i in reversed(range(depth + 1)))
    body = opening + f"--d{depth}\nContent-Type: text/plain\n\nMensaje profundo.\n" + closing
    return crlf(head(case, content_type='multipart/mixed; boundary="d0"') + "--d0\nContent-Type: text/plain; charset=utf-8\n\n" + REQUEST + body)


def many_parts(case: Case) -> bytes:
    parts = "".join(f'--B\nContent-Type: application/octet-stream; name="p{i}.bin"\n\nx{i}\n' for i in range(700))
    return multipart(case, "--B\nContent-Type: text/plain; charset=utf-8\n\n" + REQUEST + parts + "--B--\n")


def hostile_ids(case: Case) -> bytes:
    refs = " ".join(f"<ref-{i}@ente.gob.mx>" for i in range(300))
    extra = (
        f"In-Reply-To: <evil\u00e9@x> <a@b>\nReferences: {refs} <spaces in id@x> <\"quoted\"@x> <{'a' * 900}@x>"
    )
    return crlf(head(case, extra=extra) + REQUEST)


def duplicate_headers(case: Case) -> bytes:
    extra = "Subject: Segundo asunto\nContent-Type: text/html\nFrom: intruso@example.com"
    return crlf(head(case, extra=extra) + REQUEST)


def utf16_body(case: Case) -> bytes:
    return head(case, content_type="text/plain; charset=utf-16").replace("\n", "\r\n").encode() + REQUEST.encode("utf-16")


def encoded_words_broken(case: Case) -> bytes:
    return crlf(head(case, "=?utf-8?B?RXJyb3IgZW4gbGEg?= =?x-unknown?Q?versi=F3n?= =?utf-8?B?!!!?=") + REQUEST)


def huge_header(case: Case) -> bytes:
    extra = "X-Basura: " + "\n ".join("a" * 70 for _ in range(1000))
    return crlf(head(case, extra=extra) + REQUEST)


def control_chars_in_address(case: Case) -> bytes:
    return crlf(head(case, sender=f'"Juan\x07\x1b[31m" <{case.sender}>') + REQUEST)


def encoded_word_message_id(case: Case) -> bytes:
    """A Message-ID that Python's email package would decode into a CR LF in our In-Reply-To."""
    return crlf(head(case) + REQUEST)


def double_encoded_subject(case: Case) -> bytes:
    """Decoded once, the subject is an encoded word hiding CR LF Bcc: (the email package decodes it)."""
    inner = "=?utf-8?q?Error=0D=0ABcc:_victima@example.com=0D=0AX-Injected:_yes?="
    return crlf(head(case, f"=?utf-8?b?{base64.b64encode(inner.encode()).decode()}?=") + REQUEST)


def spam_bulk(case: Case) -> bytes:
    extra = (
        "List-Unsubscribe: <mailto:baja@boletin.example>, <https://boletin.example/baja>\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\nFeedback-ID: 123:campana:boletin"
    )
    return crlf(head(case, "¡Ofertas de fin de año en cursos de contabilidad!", extra=extra) + "Aproveche 50% de descuento.\n")


CASES: list[Case] = [
    Case("01-seed-request", seed, "ticket", True, "a person's request; later messages thread on it",
         mail_from=SEED_SENDER, message_id=SEED_ID),
    # ----- automatic mail (PRODUCT.md section 6)
    Case("02-auto-submitted-in-thread", automatic("Aviso", "Auto-Submitted: auto-replied", thread=True),
         "recorded_not_answered", False, "Auto-Submitted: auto-replied in the thread of 01"),
    Case("03-auto-submitted-generated", automatic("Aviso", "Auto-Submitted: auto-generated"),
         "dead_letter", False, "Auto-Submitted: auto-generated, no ticket"),
    Case("04-precedence-bulk", automatic("Boletín", "Precedence: bulk"), "dead_letter", False, "Precedence: bulk"),
    Case("05-precedence-junk", automatic("Oferta", "Precedence: junk"), "dead_letter", False, "Precedence: junk"),
    Case("06-precedence-list-in-thread", automatic("Lista", "Precedence: list", thread=True),
         "recorded_not_answered", False, "Precedence: list in the thread of 01"),
    Case("07-x-auto-response-suppress", automatic("Aviso", "X-Auto-Response-Suppress: OOF, AutoReply"),
         "dead_letter", False, "Exchange marks its own automatic mail"),
    Case("08-list-id", automatic("Foro de contadores", "List-Id: Contadores <contadores.lists.example>"),
         "dead_letter", False, "mailing list"),
    Case("09-list-unsubscribe-bulk", spam_bulk, "dead_letter", False, "List-Unsubscribe with bulk signs (spam)"),
    Case("10-list-unsubscribe-alone", lambda c: human(c, extra="List-Unsubscribe: <mailto:baja@ente10.gob.mx>"),
         "ticket", True, "a person's mail through a gateway that adds List-Unsubscribe: answered"),
    Case("11-plain-text-bounce-of-our-reply", plain_bounce, "recorded_not_answered", False,
         "qmail failure notice quoting our reply: recorded on its ticket", mail_from="",
         checks={"undeliverable": True}),
    Case("12-dsn-bounce-of-our-reply",
         lambda c: dsn(c, action="failed", status="5.1.1", returned=returned_headers(OUR_REPLY_ID)),
         "recorded_not_answered", False, "multipart/report about our reply: marks it undeliverable",
         mail_from="", checks={"undeliverable": True}),
    Case("13-dsn-bounce-unknown-message",
         lambda c: dsn(c, action="failed", status="5.1.1", returned=returned_message("ajeno-1@otro.example")),
         "dead_letter", False, "a bounce of a message that is not ours", mail_from=""),
    Case("14-postmaster", automatic("Aviso del servidor", sender="postmaster@ente14.gob.mx"),
         "dead_letter", False, "postmaster sender"),
    Case("15-empty-return-path", lambda c: human(c), "dead_letter", False,
         "null sender (MAIL FROM:<>) even though it looks human", mail_from=""),
    Case("16-our-own-address", automatic("Aviso", sender=SUPPORT), "dead_letter", False, "sent by our own address",
         mail_from=SUPPORT),
    Case("17-respuesta-automatica-in-thread",
         automatic("Respuesta automática: Error al generar la balanza", thread=True),
         "recorded_not_answered", False, "Spanish auto-reply subject, in the thread of 01"),
    Case("18-fuera-de-la-oficina", automatic("Fuera de la oficina"), "dead_letter", False, "Spanish out of office"),
    Case("19-no-se-puede-entregar", automatic("No se puede entregar: Error"), "dead_letter", False,
         "Spanish bounce subject"),
    Case("20-automatic-reply-english", automatic("Automatic reply: License activation"), "dead_letter", False,
         "English auto-reply subject"),
    Case("21-undeliverable-english", automatic("Undeliverable: Solicitud"), "dead_letter", False,
         "English bounce subject"),
    Case("22-read-receipt", read_receipt, "dead_letter", False, "read receipt (disposition notification)"),
    Case("23-dsn-delayed",
         lambda c: dsn(c, action="delayed", status="4.4.1", returned=returned_headers(OUR_REPLY_ID)),
         "recorded_not_answered", False, "a delay notice about our reply: recorded, reply not marked",
         mail_from="", checks={"undeliverable": False}),
    Case("24-x-loop-our-address", automatic("Aviso", f"X-Loop: {SUPPORT}"), "dead_letter", False,
         "X-Loop names our address"),
    # ----- hostile MIME
    Case("25-truncated-multipart", truncated, "ticket", True, "cut in the middle of a part"),
    Case("26-multipart-without-boundary", no_boundary, "ticket", True, "multipart with no boundary parameter"),
    Case("27-boundary-never-appears", boundary_missing, "ticket", True, "declared boundary never used"),
    Case("28-broken-base64", broken_base64, "ticket", True, "invalid base64 characters and padding"),
    Case("29-broken-quoted-printable", broken_qp, "ticket", True, "invalid =XX escapes"),
    Case("30-unknown-charset", unknown_charset, "ticket", True, "charset=x-klingon-8 (cp1252 bytes)"),
    Case("31-lying-charset", lying_charset, "ticket", True, "declares utf-8, is latin-1"),
    Case("32-null-bytes", null_bytes, "ticket", True, "NUL bytes in subject and body"),
    Case("33-eight-bit-without-mime", eight_bit_no_mime, "ticket", True, "latin-1 bytes, no MIME headers"),
    Case("34-tnef-with-text", tnef_with_text, "ticket", True, "text part plus winmail.dat with two files",
         checks={"attachments": ["winmail.dat", "oficio.pdf", "captura.png"]}),
    Case("35-tnef-only", tnef_only, "ticket", True, "only a winmail.dat: the body comes from it",
         checks={"attachments": ["winmail.dat", "oficio.pdf", "captura.png"], "body_contains": "balanza"}),
    Case("36-nested-message-rfc822", nested_rfc822, "ticket", True, "forwarded message nested three deep"),
    Case("37-subject-2000-chars", long_subject, "ticket", True, "2,000-character subject: reply subject capped"),
    Case("38-header-injection-subject", injected_subject, "ticket", True, "CR LF Bcc: in an encoded-word subject"),
    Case("39-header-injection-display-name", injected_display_name, "ticket", True,
         "CR LF Bcc: in the From display name"),
    Case("40-reply-to-and-cc", reply_to_and_cc, "ticket", True, "Reply-To, Cc, Bcc never become recipients"),
    Case("41-two-from-addresses", two_from, "ticket", True, "From with two addresses: only the first answered"),
    Case("42-bare-cr-and-long-line", bare_newlines, "ticket", True, "bare CR line ends and a 5,000-byte line"),
    Case("43-no-from-null-sender", no_from, "dead_letter", False, "no From and MAIL FROM:<>: no usable sender",
         mail_from="", checks={"dead_letter_reason": "no sender"}),
    Case("44-not-an-email", not_email, "dead_letter", False, "binary bytes, no headers", message_id=None,
         checks={"dead_letter_reason": "headers"}),
    Case("45-html-with-script", html_script, "ticket", True, "HTML only, with script and event handlers"),
    Case("46-deep-nesting", deep_nesting, "ticket", True, "multipart nested 60 levels"),
    Case("47-seven-hundred-parts", many_parts, "ticket", True, "700 parts"),
    Case("48-hostile-message-ids", hostile_ids, "ticket", True, "300 references, non-ASCII and 900-char ids"),
    Case("49-duplicate-headers", duplicate_headers, "ticket", True, "two Subject, Content-Type and From"),
    Case("50-utf16-body", utf16_body, "ticket", True, "UTF-16 text body"),
    Case("51-broken-encoded-words", encoded_words_broken, "ticket", True, "unknown and broken RFC 2047 words"),
    Case("52-huge-header", huge_header, "ticket", True, "one header folded over 1,000 lines"),
    Case("53-control-chars-in-name", control_chars_in_address, "ticket", True, "terminal escapes in the name"),
    Case("54-no-message-id", lambda c: human(c), "ticket", True, "no Message-ID: a synthetic one", message_id=None),
    Case("55-encoded-word-message-id", encoded_word_message_id, "ticket", True,
         "a Message-ID hiding CR LF Bcc: in an encoded word: left out of the reply's threading",
         message_id="=?utf-8?q?a=0D=0ABcc:_victima@example.com?=", checks={"threaded": False}),
    Case("56-double-encoded-subject", double_encoded_subject, "ticket", True,
         "subject decoding to an encoded word that hides CR LF Bcc:"),
]

# Made at test time (too big to commit): name -> (outcome, reply, reason).
LARGE = {
    "90-body-1mb": ("ticket", True, "a 1 MB text body"),
    "91-message-20mb": ("ticket", True, "a 20 MB message (15 MB attachment in base64), under the 25 MB limit"),
}


ATTACHMENT_BYTES = 15 * 1024 * 1024  # 20.3 MiB once in base64: SMTP's limit counts encoded bytes


def large_messages() -> dict[str, bytes]:
    """The 1 MB body and the 20 MB message (a 15 MB attachment), built in memory."""
    body_case = Case("90-body-1mb", human, "ticket", True, "")
    filler = ("El sistema muestra un error al generar la póliza de ingresos. " * 16_500)[:1_000_000]
    body = crlf(head(body_case) + REQUEST + "\n" + filler + "\n")
    att_case = Case("91-message-20mb", human, "ticket", True, "")
    blob = base64.encodebytes(bytes(range(256)) * (ATTACHMENT_BYTES // 256)).decode()
    attachment = multipart(
        att_case,
        "--B\nContent-Type: text/plain; charset=utf-8\n\n" + REQUEST
        + '--B\nContent-Type: application/octet-stream; name="respaldo.bak"\n'
        "Content-Transfer-Encoding: base64\n\n" + blob + "--B--\n",
    )
    return {"90-body-1mb": body, "91-message-20mb": attachment}


def large_sender(name: str) -> str:
    number = name.split("-", 1)[0]
    return f"persona{number}@ente{number}.gob.mx"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_string(str(value))


def expected_toml() -> str:
    lines = [
        "# What must become of each message of the torture corpus (written by build.py; edit CASES there).",
        "# outcome: ticket | dead_letter | recorded_not_answered (automatic mail kept on its ticket).",
        "# mail_from: the SMTP envelope sender (\"\" = the null sender). message_id: \"\" when it has none.",
        "",
    ]
    for case in CASES:
        lines.append(f"[{_toml_string(case.name)}]")
        lines.append(f"file = {_toml_string(case.name + '.eml')}")
        lines.append(f"outcome = {_toml_string(case.outcome)}")
        lines.append(f"reply = {_toml_value(case.reply)}")
        lines.append(f"reason = {_toml_string(case.reason)}")
        sender = case.sender if case.name != "01-seed-request" else SEED_SENDER
        lines.append(f"mail_from = {_toml_string(sender if case.mail_from is None else case.mail_from)}")
        lines.append(f"message_id = {_toml_string(case.mid if case.message_id is not None else '')}")
        for key, value in case.checks.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    for name, (outcome, reply, reason) in LARGE.items():
        lines += [
            f"[{_toml_string(name)}]",
            "generated = true  # by build.large_messages() at test time",
            f"outcome = {_toml_string(outcome)}",
            f"reply = {_toml_value(reply)}",
            f"reason = {_toml_string(reason)}",
            f"mail_from = {_toml_string(large_sender(name))}",
            f"message_id = {_toml_string(Case(name, human, outcome, reply, reason).mid)}",
            "",
        ]
    return "\n".join(lines)


def build() -> dict[str, bytes]:
    return {case.name + ".eml": case.build(case) for case in CASES}


def main() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    for name, data in build().items():
        (HERE / name).write_bytes(data)
    (HERE / "expected.toml").write_text(expected_toml(), encoding="utf-8")
    print(f"wrote {len(CASES)} messages and expected.toml to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
