"""Greetings, closings, disclaimers and quoted/forwarded history blocks that wrap a request, plus
`newest_part`, which cuts a rendered body at its first history marker."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

GREETINGS_FORMAL: tuple[str, ...] = (
    "Buen día.",
    "Buenos días,",
    "Buenas tardes.",
    "Estimados, buen día:",
    "A quien corresponda:",
    "Estimado equipo de soporte:",
    "Lic. buenas tardes",
    "Buen día, Ing.",
    "Muy buenos días.",
    "Estimados señores:",
    "Hola, buen día.",
    "Buenas tardes, estimados.",
    "Saludos cordiales.",
    "Área de Soporte Técnico SAACG.NET\nPresente",
    "Atención: Soporte SAACG.NET",
    "Buen dia",
)
GREETINGS_CHAT: tuple[str, ...] = (
    "Hola",
    "hola buen dia",
    "Buenas",
    "buenas tardes",
    "Buen día",
    "hola!",
    "Qué tal, buen día",
    "buenos dias",
    "Hola buenas tardes",
    "oiga",
    "Buenas noches",
    "hola soporte",
)
# Request openers; never used for the label "other".
INTROS: tuple[str, ...] = (
    "Por medio del presente me permito solicitar su apoyo con lo siguiente:",
    "Por este conducto les escribo para solicitar su apoyo.",
    "Les escribo para pedir su ayuda con lo siguiente.",
    "Me comunico con ustedes porque tenemos la siguiente situación:",
    "Solicito de la manera más atenta su apoyo con lo siguiente:",
    "Espero que se encuentren bien. Les comento:",
    "Disculpen la molestia,",
    "Por medio del presente reciba un cordial saludo, y a la vez le solicito lo siguiente:",
)
CLOSINGS_FORMAL: tuple[str, ...] = (
    "Quedo al pendiente.",
    "Saludos.",
    "Gracias de antemano.",
    "Atentamente",
    "Sin más por el momento, agradezco su atención.",
    "Quedo atenta a sus comentarios.",
    "Quedo atento a sus comentarios.",
    "Saludos cordiales",
    "Agradezco su apoyo.",
    "Muchas gracias.",
    "Reciba un cordial saludo.",
    "Atentamente,",
    "Gracias, saludos",
    "Quedo en espera de su respuesta.",
    "ATENTAMENTE",
)
CLOSINGS_CHAT: tuple[str, ...] = (
    "gracias",
    "Gracias!",
    "le encargo",
    "quedo al pendiente",
    "grx",
    "saludos",
    "muchas gracias",
    "me avisa porfa",
    "gracias de antemano",
    "",
)
# Short secondary requests; the main request decides the label.
ASIDES: tuple[str, ...] = (
    "P.D. Aprovecho para preguntar si ya está disponible la factura de la actualización.",
    "Por cierto, ¿cuándo abren inscripciones para el próximo curso?",
    "P.D. ¿Me podrían enviar la cotización del curso de implementación?",
    "Aprovecho también para pedirles el estado de cuenta de nuestros pagos.",
    "Otra cosa: ¿tienen fechas del próximo curso presencial?",
)
DISCLAIMERS: tuple[str, ...] = (
    "Este correo electrónico y sus anexos son confidenciales y están dirigidos exclusivamente a su "
    "destinatario. Si usted lo recibió por error, notifique al remitente y elimínelo de su sistema.",
    "AVISO DE CONFIDENCIALIDAD: La información contenida en este mensaje es privada y confidencial. "
    "Queda prohibida su distribución o copia sin autorización.",
    "Antes de imprimir este correo piense en el medio ambiente.",
    "Enviado desde mi iPhone",
    "Enviado desde Outlook para Android",
    "La información de este correo es responsabilidad exclusiva de quien lo emite. Aviso de privacidad "
    "disponible en el portal oficial del ente.",
)
# What the support desk wrote earlier; appears only inside history.
SUPPORT_REPLIES: tuple[str, ...] = (
    "Buen día, para poder atenderle le solicitamos su número de licencia, versión del sistema y el ID y "
    "contraseña de TeamViewer (Ayuda -> Asistencia Remota).\n\nSaludos,\nSoporte Técnico SAACG.NET\n"
    "Tel. 33-3669-5550 opción 1",
    "Estimado usuario: su solicitud quedó registrada con el ticket SAACG-2025-000412. En breve un "
    "especialista se comunicará con usted.\nÁrea de Soporte SAACG.NET",
    "Buenas tardes. Le comentamos que la atención se brinda de 8:00 a 16:00 hrs de lunes a viernes. "
    "Favor de marcar al 33 3669 5550 al 5559, opción 1.\nAtentamente\nSoporte SAACG.NET",
    "Hola, ¿nos confirma si ya cuenta con respaldo de la base de datos antes de conectarnos?\n"
    "Soporte 1er nivel",
    "Le compartimos la liga del manual del módulo. Cualquier duda quedamos a sus órdenes.\nCapacitación, "
    "Asesoría y Soporte Técnico SAACG.NET",
)
GENERIC_SUBJECTS: dict[str, tuple[str, ...]] = {
    "technical": (
        "Soporte",
        "Soporte técnico",
        "Falla en el sistema",
        "Error SAACG.NET",
        "Ayuda",
        "URGENTE",
        "Consulta",
        "Problema con el sistema",
        "solicitud de soporte",
        "",
    ),
    "administrative": ("Consulta", "Solicitud", "Información", "SAACG.NET", ""),
    "normative": ("Consulta", "Duda", "Consulta normativa", "Duda contable", ""),
    "other": ("", "Soporte", "SAACG"),
}
REPLY_PREFIXES: tuple[str, ...] = ("RE: ", "Re: ", "RV: ", "RE: RV: ", "Fwd: ", "FW: ", "RE: RE: ")

_DAYS = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
_DAYS_LONG = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")
_MONTHS_LONG = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)

HISTORY_MARKER = re.compile(
    r"^(?:-{3,}\s*Mensaje original\s*-{3,}|-{5,}\s*Forwarded message\s*-{5,}"
    r"|-{5,}\s*Mensaje reenviado\s*-{5,}|_{20,}|El .{5,120} escribió:|>.*)\s*$",
    re.MULTILINE,
)


def newest_part(body: str) -> str:
    """The text above the first quoted or forwarded history block."""
    match = HISTORY_MARKER.search(body)
    return body if match is None else body[: match.start()]


def _when(rng: random.Random) -> tuple[date, int, int]:
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(3 * 365))
    return day, rng.randint(7, 19), rng.randint(0, 59)


def outlook_block(rng: random.Random, who: str, address: str, to: str, subject: str, text: str) -> str:
    day, hour, minute = _when(rng)
    long_day = f"{_DAYS_LONG[day.weekday()]}, {day.day} de {_MONTHS_LONG[day.month - 1]} de {day.year}"
    if rng.random() < 0.5:
        head = (
            f"-----Mensaje original-----\nDe: {who} [mailto:{address}]\nEnviado el: {long_day} "
            f"{hour % 12 or 12:02d}:{minute:02d} {'a. m.' if hour < 12 else 'p. m.'}"
        )
    else:
        head = f"{'_' * 32}\nDe: {who} <{address}>\nEnviado: {long_day} {hour}:{minute:02d}"
    return f"{head}\nPara: {to}\nAsunto: {subject}\n\n{text}"


def gmail_quote(rng: random.Random, who: str, address: str, text: str) -> str:
    day, hour, minute = _when(rng)
    stamp = f"{_DAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year} a las {hour}:{minute:02d}"
    head = f"El {stamp}, {who} <{address}> escribió:"
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    return f"{head}\n{quoted}"


def gmail_forward(rng: random.Random, who: str, address: str, to: str, subject: str, text: str) -> str:
    day, hour, minute = _when(rng)
    marker = rng.choice(("---------- Forwarded message ---------", "---------- Mensaje reenviado ---------"))
    stamp = f"{_DAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}, {hour}:{minute:02d}"
    return f"{marker}\nDe: {who} <{address}>\nDate: {stamp}\nSubject: {subject}\nTo: <{to}>\n\n{text}"
