"""Topic lexicon of the text classifier: words and phrases typical of each kind of request,
taken from the support process and the vocabulary of Mexican government accounting. Each hit adds
a topic token to the classifier's text, so words seen rarely in training still count for their topic."""

from __future__ import annotations

import re
from typing import Any

# Folded patterns (lower-case, no accents, digits as 0); each is a word-start prefix unless it
# ends with a space or "$". Keep the lists broad and general: they are priors, not rules.
TOPICS: dict[str, tuple[str, ...]] = {
    "administrative": (
        "factur", "cfdi de (la|el) (pago|licencia|actualizacion|curso)", "pago", "pague", "pagar",
        "pagamos", "pagado de la (licencia|actualizacion)", "cobr", "costo", "precio", "importe",
        "cotiza", "tarifa", "descuento", "comprobante de pago", "ficha de deposito", "deposit",
        "referencia bancaria", "datos bancarios", "cuenta bancaria (de|para) (pago|deposito)",
        "reembols", "devolucion del pago", "curso", "capacitacion", "inscrib", "inscripc", "diplomado",
        "taller", "temario", "sede", "constancia", "cupo", "activar", "activacion", "activen",
        "clave de activacion", "codigo de activacion", "renova", "renovacion", "vigencia",
        "actualizacion anual", "aportacion", "licencia vencida", "adquirir", "adquisicion del sistema",
        "compra del sistema", "comprar", "version de prueba", "demostracion", "informes del sistema",
        "informacion del sistema", "requisitos", "oficio", "convenio", "contrato", "acreditacion",
        "proveedor", "situacion fiscal", "alta de proveedor", "asesoria", "cita", "visita", "agenda",
        "transferir la licencia", "cambio de titular", "nombre de la licencia", "cuanto cuesta",
        "cuanto sale", "cuesta", "vence", "vencimiento", "contratar", "agregar el modulo", "funciona en",
        "compatible", "en la nube", "correo de contacto", "datos de contacto de la licencia", "sin costo",
        "licencias adicionales", "orden de compra", "recibo de pago", "estado de cuenta",
        "licencia no vigente", "licencia vigente",
    ),
    "technical": (
        "error", "falla", "fallo", "no abre", "no carga", "no deja", "no me deja", "no puedo", "no podemos",
        "no aparece", "no aparecen", "no sale", "no salen", "no muestra", "no genera", "no imprime",
        "no guarda", "no funciona", "no jala", "no responde", "no conecta", "no encuentra", "ya no",
        "se traba", "se cierra", "se congela", "se queda", "se borr", "se perdi", "trab", "congel",
        "lent", "tarda", "excepcion", "marca ", "aparece un mensaje", "pantalla", "boton", "ventana",
        "imprim", "impresora", "instal", "reinstal", "desinstal", "servidor", "sql", "base de datos",
        "conexion", "conectar", "red ", "usuario", "contrasena", "acceso", "accesar", "entrar al sistema",
        "permiso", "teamviewer", "anydesk", "remot", "windows", "equipo", "computadora", "laptop",
        "xml", "timbr", "descarg", "export", "import", "excel", "pdf", "archivo", "captur", "guardar",
        "duplic", "respald", "restaur", "reporte", "consulta de", "menu", "opcion", "como hago para",
        "donde encuentro", "donde esta", "en que pantalla", "en que menu", "pasos para", "cargar",
        "actualizar el sistema", "actualizacion del sistema", "parche", "version 0000 no", "vista previa",
        "sale ", "salen ", "cortad", "vaci", "en ceros", "rechaza", "layout", "antivirus", "bloque",
        "bitacora", "reimprim", "no cuadra", "descuadr", "cada rato", "validacion", "uuid", "se cierra",
        "no me sale", "no se ve", "no se puede", "pantalla en blanco", "se reinicia", "despues de actualizar",
        "mensaje de error", "bloquead", "se tarda", "no avanza", "no termina",
    ),
    "normative": (
        "registr", "asiento", "momento contable", "momentos contables", "devengad", "comprometid",
        "ejercid", "recaudad", "modificado", "presupuestal", "presupuestari", "cuenta contable",
        "cuentas contables", "cuenta de orden", "cuentas de orden", "plan de cuentas", "en que cuenta",
        "que cuenta", "cual cuenta", "conac", "lgcg", "ley general de contabilidad", "disciplina financiera",
        "ldf", "clasificador", "objeto del gasto", "cog", "cri", "rubro", "partida", "capitulo",
        "norma", "normativ", "lineamiento", "criterio", "armoniz", "cuenta publica", "estados financieros",
        "estado financiero", "postura fiscal", "balance presupuestario", "depreci", "amortiz",
        "baja de bienes", "baja de activo", "patrimonio", "hacienda publica", "resultado de ejercicio",
        "reclasific", "provision", "pasivo", "activo", "anticipo", "deudores", "acreedores", "retencion",
        "afecta el presupuesto", "afectar el presupuesto", "afectacion", "afecta presupuesto",
        "participaciones", "aportaciones federales", "fortamun", "fais", "reintegr", "ingresos propios",
        "subsidio", "transferencias", "indicador", "trimestral", "sevac", "gasto", "egreso",
        "ingreso", "fondo", "obligacion", "deuda", "cancelacion de", "ajuste", "cierre del ejercicio",
        "aguinaldo", "prima vacacional", "finiquito contable", "isr retenido", "cuotas",
        "se debe registrar", "como se registra", "como registro", "como se contabiliza", "contabiliz",
        "que procede", "tratamiento contable", "se compromete", "se afecta", "que momento", "por pagar",
        "deudores diversos", "impuesto", "remuneraciones", "saldos", "entrega-recepcion",
        "entrega recepcion", "adeudos", "arrendamiento", "bienes muebles", "bienes inmuebles", "donacion",
        "comodato", "que partida", "corresponde a la", "gasto corriente", "conciliacion contable",
        "matriz de conversion", "guia contabilizadora", "instructivo de manejo", "vida util",
        "parametros de estimacion", "fideicomiso", "deuda publica", "emprestito", "remanente", "economias",
        "adecuacion", "ampliacion presupuestal", "reduccion presupuestal", "transferencia presupuestal",
        "resultado del ejercicio", "resultados de ejercicios anteriores", "duda contable", "duda normativa",
        "se debe traspasar", "se debe reconocer", "se debe revelar",
    ),
    "other": (
        "agradec", "fuera de la oficina", "fuera de oficina", "vacaciones", "regreso el",
        "ausente", "respuesta automatica", "mensaje automatico", "boletin", "suscri", "invitacion",
        "invita", "ceremonia", "promocion", "oferta", "felicidades", "felicita", "feliz", "ya quedo",
        "ya se resolvio", "quedo resuelto", "enterad", "recibido", "de acuerdo", "ok$", "excelente",
        "perfecto", "gana ", "premio", "prueba$", "no entregado", "no se pudo entregar",
        "no pudo ser entregado",
        "notificacion de entrega", "entrega fallida", "buzon", "destinatario", "newsletter", "webinar",
        "ignorar", "por error", "haga clic", "de clic", "da clic", "http", "www", "enlace", "darse de baja",
        "cumpleanos", "aniversario", "aceptado:", "rechazado:", "me encuentro fuera", "ausencia",
        "incapacidad", "no estare", "acuso de recibo", "acuso recibo", "confirmo de recibido",
        "confirmo la recepcion", "confirmo que recibi", "confirmo que ya recibi",
    ),
}  # fmt: skip
MAX_HITS = 3


_END = "\x01"  # marks a pattern that must end at a word boundary


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a topic: literal patterns merged into a character trie (fast to match),
    patterns with groups kept as they are."""
    literal = []
    grouped = []
    for p in patterns:
        if "(" in p:
            grouped.append(p.replace(" ", r"\s+"))
        elif p.endswith(("$", " ")):
            literal.append(p[:-1].rstrip() + _END)
        else:
            literal.append(p)
    return re.compile(r"\b(?:" + "|".join([*grouped, _trie(literal)]) + ")")


def _trie(words: list[str]) -> str:
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node_regex(root)


def _node_regex(node: dict[str, Any]) -> str:
    alternatives = []
    for ch in sorted(k for k in node if k):
        piece = r"\b" if ch == _END else r"\s+" if ch == " " else re.escape(ch)
        alternatives.append(piece + _node_regex(node[ch]))
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if "" in node else body


_PATTERNS = {topic: _compile(patterns) for topic, patterns in TOPICS.items()}


def topic_tokens(folded: str) -> str:
    """One token per lexicon hit (at most MAX_HITS per topic) for the folded text, e.g. "topicadm"."""
    tokens = []
    for topic, pattern in _PATTERNS.items():
        hits = len({m.group(0) for m in pattern.finditer(folded)})
        tokens += [f"topic{topic[:4]}"] * min(hits, MAX_HITS)
    return " ".join(tokens)
