"""Spanish gazetteers for the rule-based extractor: states, SAACG.NET modules, cargos, honorific
titles and the keywords that open the name of a public entity. Every entry is folded (lower-case,
no accents) unless it says otherwise; the extractor folds the text the same way."""

from __future__ import annotations

# The 32 states, short official names (the normal form of the `state` field).
STATES: tuple[str, ...] = (
    "Aguascalientes", "Baja California", "Baja California Sur", "Campeche", "Chiapas", "Chihuahua",
    "Ciudad de México", "Coahuila", "Colima", "Durango", "Guanajuato", "Guerrero", "Hidalgo", "Jalisco",
    "México", "Michoacán", "Morelos", "Nayarit", "Nuevo León", "Oaxaca", "Puebla", "Querétaro",
    "Quintana Roo", "San Luis Potosí", "Sinaloa", "Sonora", "Tabasco", "Tamaulipas", "Tlaxcala",
    "Veracruz", "Yucatán", "Zacatecas",
)  # fmt: skip

# Full names and long variants, safe anywhere in a text (folded, spaces as written).
# "Mexico" alone is NOT here: it is ambiguous (country, city) and only counts in a state slot.
STATE_NAMES: dict[str, str] = {
    "aguascalientes": "Aguascalientes",
    "baja california sur": "Baja California Sur",
    "baja california": "Baja California",
    "campeche": "Campeche",
    "chiapas": "Chiapas",
    "chihuahua": "Chihuahua",
    "ciudad de mexico": "Ciudad de México",
    "cd. de mexico": "Ciudad de México",
    "cd de mexico": "Ciudad de México",
    "cdmx": "Ciudad de México",
    "cd. mx.": "Ciudad de México",
    "cd mx": "Ciudad de México",
    "distrito federal": "Ciudad de México",
    "coahuila de zaragoza": "Coahuila",
    "coahuila": "Coahuila",
    "colima": "Colima",
    "durango": "Durango",
    "guanajuato": "Guanajuato",
    "guerrero": "Guerrero",
    "hidalgo": "Hidalgo",
    "jalisco": "Jalisco",
    "estado de mexico": "México",
    "edo. de mexico": "México",
    "edo de mexico": "México",
    "edo. de mex.": "México",
    "edo. de mex": "México",
    "edo de mex": "México",
    "edo. mex.": "México",
    "edo. mex": "México",
    "edo mex": "México",
    "edomex": "México",
    "michoacan de ocampo": "Michoacán",
    "michoacan": "Michoacán",
    "morelos": "Morelos",
    "nayarit": "Nayarit",
    "nuevo leon": "Nuevo León",
    "nvo. leon": "Nuevo León",
    "nvo leon": "Nuevo León",
    "oaxaca": "Oaxaca",
    "puebla": "Puebla",
    "queretaro de arteaga": "Querétaro",
    "queretaro": "Querétaro",
    "quintana roo": "Quintana Roo",
    "san luis potosi": "San Luis Potosí",
    "sinaloa": "Sinaloa",
    "sonora": "Sonora",
    "tabasco": "Tabasco",
    "tamaulipas": "Tamaulipas",
    "tlaxcala": "Tlaxcala",
    "veracruz de ignacio de la llave": "Veracruz",
    "veracruz": "Veracruz",
    "yucatan": "Yucatán",
    "zacatecas": "Zacatecas",
}

# Abbreviations, and words that are states only in a state slot (after "City," at the end of an
# address, or in "Estado: ..."). Keys are folded and written without dots or spaces.
STATE_ABBREVIATIONS: dict[str, str] = {
    "ags": "Aguascalientes", "bc": "Baja California", "bcn": "Baja California",
    "bcs": "Baja California Sur", "camp": "Campeche", "cam": "Campeche", "chis": "Chiapas",
    "chs": "Chiapas", "chih": "Chihuahua", "df": "Ciudad de México", "cdmx": "Ciudad de México",
    "coah": "Coahuila", "col": "Colima", "dgo": "Durango", "gto": "Guanajuato", "gro": "Guerrero",
    "hgo": "Hidalgo", "jal": "Jalisco", "mex": "México", "edomex": "México", "edomex.": "México",
    "mich": "Michoacán", "mor": "Morelos", "nay": "Nayarit", "nl": "Nuevo León", "oax": "Oaxaca",
    "pue": "Puebla", "qro": "Querétaro", "qroo": "Quintana Roo", "qr": "Quintana Roo",
    "slp": "San Luis Potosí", "sin": "Sinaloa", "son": "Sonora", "tab": "Tabasco",
    "tamps": "Tamaulipas", "tamp": "Tamaulipas", "tam": "Tamaulipas", "tlax": "Tlaxcala",
    "ver": "Veracruz", "yuc": "Yucatán", "zac": "Zacatecas", "mexico": "México",
}  # fmt: skip

# SAACG.NET modules: folded variant -> canonical name. Longer variants win over shorter ones.
MODULES: dict[str, str] = {
    "contabilidad": "Contabilidad",
    "contable": "Contabilidad",
    "polizas": "Contabilidad",
    "presupuesto de egresos": "Presupuesto",
    "presupuesto": "Presupuesto",
    "presupuestal": "Presupuesto",
    "egresos": "Presupuesto",
    "ley de ingresos": "Ingresos",
    "ingresos": "Ingresos",
    "recaudacion": "Ingresos",
    "tesoreria": "Tesorería",
    "bancos": "Tesorería",
    "caja": "Tesorería",
    "conciliacion bancaria": "Tesorería",
    "obra publica": "Obra Pública",
    "obras publicas": "Obra Pública",
    "obras": "Obra Pública",
    "bienes patrimoniales": "Bienes Patrimoniales",
    "bienes muebles": "Bienes Patrimoniales",
    "patrimonio": "Bienes Patrimoniales",
    "patrimonial": "Bienes Patrimoniales",
    "inventario de bienes": "Bienes Patrimoniales",
    "inventarios": "Bienes Patrimoniales",
    "activo fijo": "Bienes Patrimoniales",
    "nomina": "Nómina",
    "nominas": "Nómina",
    "adquisiciones": "Adquisiciones",
    "compras": "Adquisiciones",
    "requisiciones": "Adquisiciones",
    "cuenta publica": "Cuenta Pública",
    "disciplina financiera": "Disciplina Financiera",
    "ldf": "Disciplina Financiera",
    "usuarios y permisos": "Configuración",
    "configuracion": "Configuración",
}
# Variants too common as plain words to count without "módulo de" / "en el módulo".
WEAK_MODULE_VARIANTS: frozenset[str] = frozenset(
    {"contable", "presupuestal", "patrimonial", "inventarios", "caja", "obras", "compras", "ingresos",
     "configuracion", "polizas"}
)  # fmt: skip

# Words that open a cargo (folded). The cargo runs on to the end of its line or phrase.
CARGO_HEADS: tuple[str, ...] = (
    "tesorero", "tesorera", "subtesorero", "subtesorera", "contador", "contadora", "contralor",
    "contralora", "director", "directora", "subdirector", "subdirectora", "jefe", "jefa", "auxiliar",
    "encargado", "encargada", "sindico", "sindica", "presidente", "presidenta", "oficial mayor",
    "coordinador", "coordinadora", "analista", "asesor", "asesora", "secretario", "secretaria tecnica",
    "administrador", "administradora", "regidor", "regidora", "titular", "responsable", "capturista",
    "asistente", "gerente", "enlace", "supervisor", "supervisora", "tecnico", "tecnica", "ejecutivo",
    "ejecutiva", "operador", "operadora", "cajero", "cajera", "recaudador", "recaudadora",
    "almacenista", "comisario", "delegado", "delegada", "subjefe", "subjefa", "ingeniero de soporte",
    "programador", "programadora", "desarrollador", "desarrolladora", "soporte tecnico", "contable",
    "ayudante", "secretario particular", "secretaria particular", "secretario del ayuntamiento",
    "secretaria del ayuntamiento", "tesoreria municipal",
)  # fmt: skip

# Honorific and academic titles stripped from names (folded, without the final dot).
TITLES: tuple[str, ...] = (
    "lic", "licenciado", "licenciada", "lcda", "lcdo", "c.p", "cp", "l.c.p", "lcp", "l.c", "c.p.a",
    "l.c.p.f", "l.a", "l.a.e", "l.e", "l.i", "ing", "ingeniero", "ingeniera", "mtro", "mtra",
    "maestro", "maestra", "m.a", "m.c", "m.i", "m.f", "m.a.p", "mba", "dr", "dra", "doctor", "doctora",
    "arq", "profr", "profra", "prof", "c", "ciudadano", "ciudadana", "sr", "sra", "srita", "don",
    "dona", "psic", "abog", "q.f.b", "mvz", "ing.", "t.s.u", "tsu", "contador publico",
)  # fmt: skip

# Words that open the name of a public entity (folded).
ENTE_HEADS: tuple[str, ...] = (
    "h. ayuntamiento", "h ayuntamiento", "honorable ayuntamiento", "ayuntamiento", "municipio",
    "sistema", "organismo", "comision", "junta", "instituto", "secretaria de", "dif", "sapa",
    "universidad", "poder judicial", "poder legislativo", "congreso", "consejo", "fideicomiso",
    "patronato", "tribunal", "fiscalia", "auditoria superior", "gobierno del estado",
    "gobierno municipal", "presidencia municipal", "colegio de", "comite", "servicios de salud",
    "direccion de pensiones", "procuraduria", "agua potable", "o.p.d", "opd", "conalep", "cecyte",
    "tesoreria municipal", "tesoreria de", "coordinacion general", "alcaldia", "centro de",
    "hospital", "museo", "radio", "televisora", "parque", "zoologico", "desarrollo integral",
)  # fmt: skip

# Lines that close the body and open the signature (folded, matched at the start of a line).
CLOSINGS: tuple[str, ...] = (
    "atentamente", "atte", "att", "saludos", "saludos cordiales", "un saludo", "reciba un cordial saludo",
    "quedo atento", "quedo atenta", "quedo a sus ordenes", "quedo al pendiente", "quedo en espera",
    "quedamos atentos", "gracias", "muchas gracias", "mil gracias", "de antemano gracias",
    "cordialmente", "sin mas por el momento", "sin otro particular", "agradezco", "le agradezco",
    "en espera de su respuesta", "en espera de", "que tenga buen dia", "respetuosamente",
    "un cordial saludo", "cordial saludo", "bendiciones", "excelente dia", "buen dia", "slds", "sds",
)  # fmt: skip

# Greetings that open a message (folded, matched at the start of a line).
GREETINGS: tuple[str, ...] = (
    "hola", "buenos dias", "buenas tardes", "buenas noches", "buen dia", "estimado", "estimada",
    "estimados", "a quien corresponda", "que tal", "saludos", "soporte", "ing.", "lic.", "sres",
    "senores", "muy buenos dias", "muy buenas tardes", "equipo de soporte",
)  # fmt: skip

# Labels of a data block: folded label -> field.
DATA_LABELS: dict[str, str] = {
    "nombre": "name",
    "nombre completo": "name",
    "solicitante": "name",
    "contacto": "name",
    "cargo": "cargo",
    "puesto": "cargo",
    "ente": "ente",
    "ente publico": "ente",
    "municipio": "city",
    "dependencia": "ente",
    "entidad": "ente",
    "organismo": "ente",
    "institucion": "ente",
    "ayuntamiento": "ente",
    "tel": "phone",
    "tel.": "phone",
    "telefono": "phone",
    "tel. oficina": "phone",
    "celular": "phone",
    "cel": "phone",
    "movil": "phone",
    "whatsapp": "phone",
    "telefono de contacto": "phone",
    "ciudad": "city",
    "localidad": "city",
    "poblacion": "city",
    "estado": "state",
    "entidad federativa": "state",
    "correo": "email",
    "correo electronico": "email",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "modulo": "module",
    "contrasena": "teamviewer_password",
    "contrasena de teamviewer": "teamviewer_password",
    "contrasena teamviewer": "teamviewer_password",
    "contrasena tv": "teamviewer_password",
    "clave": "teamviewer_password",
    "password": "teamviewer_password",
    "nombre del ente": "ente",
    "telefono oficina": "phone",
    "tel oficina": "phone",
    "telefono celular": "phone",
    "lugar": "city",
}

# Accented spellings of module words, so a matcher on lower-case tokens finds either.
ACCENTED: dict[str, str] = {
    "nomina": "nómina",
    "nominas": "nóminas",
    "tesoreria": "tesorería",
    "publica": "pública",
    "publicas": "públicas",
    "configuracion": "configuración",
    "recaudacion": "recaudación",
    "polizas": "pólizas",
    "conciliacion": "conciliación",
    "armonizacion": "armonización",
    "modulo": "módulo",
}
# Phrases that contain a module word but name something else (matched, then ignored).
NOT_MODULES: tuple[str, ...] = (
    "contabilidad gubernamental", "tesoreria municipal", "consejo nacional de armonizacion contable",
    "armonizacion contable", "direccion de egresos", "departamento de contabilidad",
    "ley general de contabilidad gubernamental", "ingresos propios", "caja chica",
)  # fmt: skip
