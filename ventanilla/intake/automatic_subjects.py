"""Subject lexicon of automatic mail (auto-replies, out-of-office notes, bounces, read receipts) in
Spanish and English, as clients and mail servers actually write them; compared accent-folded, lower-case."""

from __future__ import annotations

# The subject starts with one of these.
AUTOMATIC_SUBJECT_PREFIXES: tuple[str, ...] = (
    # auto-replies and out-of-office
    "respuesta automatica",
    "autorespuesta",
    "auto-respuesta",
    "auto respuesta",
    "fuera de la oficina",
    "fuera de oficina",
    "ausente de la oficina",
    "aviso de ausencia",
    "estoy fuera de la oficina",
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "out of office",
    "out of the office",
    "vacation reply",
    # bounces and delivery reports
    "no se puede entregar",
    "no se pudo entregar",
    "mensaje no entregado",
    "correo no entregado",
    "no entregado:",
    "error en la entrega",
    "entrega fallida",
    "notificacion de estado de entrega",
    "notificacion del estado del envio",
    "undeliverable",
    "undelivered mail",
    "delivery status notification",
    "delivery failure",
    "delivery has failed",
    "failure notice",
    "mail delivery failed",
    "mail delivery failure",
    "mail delivery subsystem",
    "returned mail",
    "message not delivered",
    "delivery notification",
    "warning: could not send message",
    # read receipts
    "leido:",
    "no leido:",
    "read:",
    "not read:",
    "read receipt",
    "confirmacion de lectura",
)

# The subject contains one of these anywhere (specific enough not to appear in a human subject).
AUTOMATIC_SUBJECT_PHRASES: tuple[str, ...] = (
    "(respuesta automatica)",
    "(auto-reply)",
    "(autoreply)",
    "undelivered mail returned to sender",
    "delivery status notification (failure)",
    "notificacion del estado del envio (error)",
    "returning message to sender",
)
