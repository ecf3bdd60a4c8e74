"""Field extraction from the newest part of a request: signatures of many shapes, labelled data
blocks, inline phrases, and numbers that only look like fields."""

from __future__ import annotations

import pytest
import spacy

from ventanilla.classifier.fields import FACTORY, extract_fields

OUTLOOK = """Buenos días,

Al generar la póliza de egresos en el módulo de Contabilidad marca error de conexión.
Mi licencia es SAACG-JAL-0457, versión 2025. ID de TeamViewer: 1 234 567 890, contraseña: 8jk2m4.
Ya hice un respaldo de la base de datos.

Saludos cordiales,

L.C.P. María Guadalupe Hernández Ruiz
Contadora General
H. Ayuntamiento de Zapopan
Av. Hidalgo 400, Col. Centro, C.P. 45100, Zapopan, Jal.
Tel. (33) 3818-2200 ext. 1234
mghernandez@zapopan.gob.mx

AVISO DE CONFIDENCIALIDAD: Este correo electrónico y sus anexos son confidenciales. Si usted lo
recibió por error, comuníquese al 33 1111 2222 o escriba a privacidad@zapopan.gob.mx.
"""


def test_outlook_signature_with_disclaimer() -> None:
    assert extract_fields(OUTLOOK) == {
        "name": "María Guadalupe Hernández Ruiz",
        "cargo": "Contadora General",
        "ente": "H. Ayuntamiento de Zapopan",
        "city": "Zapopan",
        "state": "Jalisco",
        "phone": "3338182200",
        "phone_ext": "1234",
        "email": "mghernandez@zapopan.gob.mx",
        "licence": "SAACG-JAL-0457",
        "version": "2025",
        "module": "Contabilidad",
        "teamviewer_id": "1234567890",
        "teamviewer_password": "8jk2m4",
        "backup_done": "true",
    }


def test_chat_one_liner() -> None:
    text = (
        "soy Juan Pérez López, tesorero del municipio de Tonalá, Jalisco, tel 3312345678, "
        "mi licencia es SAACG-JAL-0457"
    )
    assert extract_fields(text) == {
        "name": "Juan Pérez López",
        "cargo": "tesorero",
        "ente": "municipio de Tonalá",
        "city": "Tonalá",
        "state": "Jalisco",
        "phone": "3312345678",
        "licence": "SAACG-JAL-0457",
    }


def test_name_and_ente_at_the_end_of_a_chat_line() -> None:
    fields = extract_fields(
        "no encuentro donde dar de alta una cuenta en el catalogo Roberto Guerrero - Sistema de Agua "
        "Potable y Alcantarillado de Navojoa (SAPAN)"
    )
    assert fields["name"] == "Roberto Guerrero"
    assert fields["ente"] == "Sistema de Agua Potable y Alcantarillado de Navojoa (SAPAN)"


def test_colon_data_block() -> None:
    text = """No puedo timbrar la nómina de la segunda quincena.

Nombre: Lic. Ana López Soto
Cargo: Auxiliar Contable
Ente: Sistema de Agua Potable y Alcantarillado de León (SAPAL)
Tel: 477 123 4567 ext. 45
Ciudad: León
Estado: Gto.
Correo: ANA.LOPEZ@SAPAL.GOB.MX
"""
    assert extract_fields(text) == {
        "name": "Ana López Soto",
        "cargo": "Auxiliar Contable",
        "ente": "Sistema de Agua Potable y Alcantarillado de León (SAPAL)",
        "phone": "4771234567",
        "phone_ext": "45",
        "city": "León",
        "state": "Guanajuato",
        "email": "ana.lopez@sapal.gob.mx",
        "module": "Nómina",
    }


def test_dash_data_block_with_ticket_data() -> None:
    text = """Al exportar el reporte a Excel las cantidades salen como texto.
Le comparto mis datos:
Nombre - Gerardo Domínguez Soto
Cargo - Jefe del Depto. de Contabilidad
Dependencia - Gobierno Municipal de Tepatitlán de Morelos
Teléfono - 378 916 2743 extensión 75
Municipio - Tepatitlán de Morelos
Estado - JALISCO
Licencia SAACG - 508350
Versión - 2024
TeamViewer ID - 442 857 3185
Clave - nlkyiq
"""
    fields = extract_fields(text)
    assert fields["name"] == "Gerardo Domínguez Soto"
    assert fields["cargo"] == "Jefe del Depto. de Contabilidad"
    assert fields["ente"] == "Gobierno Municipal de Tepatitlán de Morelos"
    assert fields["city"] == "Tepatitlán de Morelos"
    assert fields["state"] == "Jalisco"
    assert (fields["phone"], fields["phone_ext"]) == ("3789162743", "75")
    assert (fields["licence"], fields["version"]) == ("508350", "2024")
    assert (fields["teamviewer_id"], fields["teamviewer_password"]) == ("4428573185", "nlkyiq")


def test_all_capitals_signature() -> None:
    text = """BUENAS TARDES, EL SISTEMA NO ME DEJA CERRAR EL MES DE MARZO EN PRESUPUESTO.

ATENTAMENTE
C.P. JOSÉ LUIS RAMÍREZ GARCÍA
TESORERO MUNICIPAL
H. AYUNTAMIENTO DE SAN PEDRO TLAQUEPAQUE
TLAQUEPAQUE, JALISCO
TEL. 33 1057 6000
"""
    fields = extract_fields(text)
    assert fields["name"] == "JOSÉ LUIS RAMÍREZ GARCÍA"
    assert fields["cargo"] == "TESORERO MUNICIPAL"
    assert fields["ente"] == "H. AYUNTAMIENTO DE SAN PEDRO TLAQUEPAQUE"
    assert (fields["city"], fields["state"]) == ("TLAQUEPAQUE", "Jalisco")
    assert fields["phone"] == "3310576000"
    assert fields["module"] == "Presupuesto"


def test_signature_without_accents() -> None:
    text = """no puedo entrar al modulo de nomina, me marca usuario bloqueado
saludos
Jose Angel Nunez Pena
Encargado de Sistemas
Municipio de Leon
Leon, Gto.
cel 477 555 1212
"""
    fields = extract_fields(text)
    assert fields["name"] == "Jose Angel Nunez Pena"
    assert fields["cargo"] == "Encargado de Sistemas"
    assert fields["ente"] == "Municipio de Leon"
    assert (fields["city"], fields["state"]) == ("Leon", "Guanajuato")
    assert fields["phone"] == "4775551212"
    assert fields["module"] == "Nómina"


def test_state_variants_in_address_slots() -> None:
    cases = {
        "Toluca, Edo. de Méx.": ("Toluca", "México"),
        "Toluca, México": ("Toluca", "México"),
        "Guadalajara, Jalisco, México": ("Guadalajara", "Jalisco"),
        "Monterrey, N.L.": ("Monterrey", "Nuevo León"),
        "León, Gto., C.P. 37000": ("León", "Guanajuato"),
        "Coyoacán, CDMX": ("Coyoacán", "Ciudad de México"),
        "Morelia, Michoacán de Ocampo": ("Morelia", "Michoacán"),
        "Chetumal, Q. Roo": ("Chetumal", "Quintana Roo"),
        "Colima, Col.": ("Colima", "Colima"),
        "Cajeme Son.": ("Cajeme", "Sonora"),
    }
    for place, (city, state) in cases.items():
        text = f"El reporte de balanza no abre.\n\nSaludos\nAna Ruiz Soto\nContadora General\n{place}\n"
        fields = extract_fields(text)
        assert (fields.get("city"), fields.get("state")) == (city, state), place


def test_leon_alone_is_a_city_not_nuevo_leon() -> None:
    fields = extract_fields("Saludos\nPedro Gómez Ruiz\nAuxiliar Contable\nLeón, Gto.")
    assert fields["state"] == "Guanajuato"
    assert fields["city"] == "León"


def test_mexico_alone_in_running_text_is_not_a_state() -> None:
    fields = extract_fields("En México las reglas del CONAC aplican a todos los entes. ¿Qué cuenta uso?")
    assert "state" not in fields


def test_negatives_are_not_fields() -> None:
    text = (
        "Buenos días. Les envío el folio 45873 del pago, RFC MZA850101AB3, CURP GODE561231HDFRRN09, "
        "por un importe de $12,345.67 según la factura A-1234 del 15/03/2025, ejercicio 2024. "
        "Contestamos el Oficio No. TES/123/2025 y registramos en la cuenta 1.1.2.3 y la 5121. "
        "La transferencia fue a la CLABE 012345678901234567, cuenta 0123456789. "
        "Ya llamé al 33-3669-5550 opción 1 de soporte y no contestan."
    )
    assert extract_fields(text) == {}


def test_postal_code_versus_title() -> None:
    fields = extract_fields(
        "Saludos\nC.P. Juan Pérez Ruiz\nTesorero\nAv. Juárez 10, C.P. 45100, Zapopan, Jal.\n"
    )
    assert fields["name"] == "Juan Pérez Ruiz"
    assert fields["city"] == "Zapopan"
    assert "phone" not in fields


def test_plain_year_is_not_a_version_and_licence_needs_a_cue() -> None:
    fields = extract_fields(
        "En enero 2025 del ejercicio 2024 el folio 2023-118 no aparece. Código A7F3-22K9."
    )
    assert "version" not in fields
    assert "licence" not in fields
    assert extract_fields("Tenemos el SAACG.NET 2025 instalado")["version"] == "2025"
    assert extract_fields("uso la v2024 del sistema")["version"] == "2024"
    assert extract_fields("No. de licencia: lic-2019-00871")["licence"] == "LIC-2019-00871"
    assert extract_fields("Lic. 100245 vence pronto")["licence"] == "100245"
    assert "licence" not in extract_fields("Lic. Juan Pérez solicita apoyo")


def test_teamviewer_password_needs_a_remote_access_context() -> None:
    fields = extract_fields("TV 987654321 pass: ab12cd")
    assert (fields["teamviewer_id"], fields["teamviewer_password"]) == ("987654321", "ab12cd")
    assert "teamviewer_password" not in extract_fields(
        "Olvidé la contraseña: abc123 del correo institucional"
    )
    assert extract_fields("mi ID es 123 456 789")["teamviewer_id"] == "123456789"


def test_backup_negation() -> None:
    assert extract_fields("Se respaldó la BD ayer")["backup_done"] == "true"
    assert extract_fields("contamos con respaldo de ayer")["backup_done"] == "true"
    assert "backup_done" not in extract_fields("No tengo respaldo de la base")
    assert "backup_done" not in extract_fields("¿Cómo hago un respaldo de la base?")


def test_module_is_the_subject_not_the_signature_department() -> None:
    signature = "Saludos\nAna Ruiz Soto\nJefa del Depto. de Contabilidad\n"
    text = "En el módulo de Obra Pública no se guarda el contrato.\n\n" + signature
    assert extract_fields(text)["module"] == "Obra Pública"
    assert "module" not in extract_fields(signature)


def test_support_phone_counts_only_outside_the_process_quote() -> None:
    assert "phone" not in extract_fields("Marqué al 33 3669 5550 opción 1 de soporte y nadie contesta.")
    assert extract_fields("Saludos\nAna Ruiz Soto\nTel. 33 1234 5678 x 12")["phone_ext"] == "12"


def test_quoted_history_left_in_is_ignored() -> None:
    text = (
        "Gracias, quedo atento.\n\n-----Mensaje original-----\n"
        "De: Otro <otro@x.mx>\nEnviado: lunes\nTel. 33 9999 8888\n"
    )
    assert extract_fields(text) == {}


def test_disclaimers_and_mobile_footers_end_the_text_but_a_sentence_does_not() -> None:
    assert extract_fields("Enviado desde mi iPhone\nTel. 33 1234 5678") == {}
    text = "Este correo es para solicitar la activación de la licencia 100245.\nTel. 33 1234 5678"
    assert extract_fields(text) == {"licence": "100245", "phone": "3312345678"}


def test_component_on_a_blank_pipeline() -> None:
    nlp = spacy.blank("es")
    nlp.add_pipe(FACTORY)
    doc = nlp("Hola, mi correo es Juan.Perez@Tonala.gob.mx")
    assert doc._.fields == {"email": "juan.perez@tonala.gob.mx"}


# Layouts of real-world signatures and phrasing (general rules, each with made-up data).


def test_a_rule_line_over_a_signature_is_not_quoted_history() -> None:
    text = (
        "Les envío el comprobante del pago.\n\n_____________________________\n"
        "Ing. Pablo Rentería Soto – Director de Ingresos\nMunicipio de Tecate\nTel. 665 654 1000 ext. 22"
    )
    fields = extract_fields(text)
    assert fields["name"] == "Pablo Rentería Soto"
    assert fields["cargo"] == "Director de Ingresos"
    assert fields["phone_ext"] == "22"
    outlook = (
        "Gracias.\n\n________________________________\nDe: Otro <o@x.mx>\nEnviado: lunes\nTel. 33 9999 8888"
    )
    assert extract_fields(outlook) == {}


def test_signature_block_ending_in_an_address_with_an_abbreviated_state() -> None:
    text = (
        "¿Podrían reenviar la factura?\n\nQuedo a la orden.\n\nIng. Laura Peña Ríos\n"
        "Coordinadora de Recursos Materiales\nInstituto Municipal de la Juventud de Ocotlán\n"
        "Av. Universidad 1115, Centro, 47800 Ocotlán, Jal.\nTel. 392 925 0000 Ext. 17"
    )
    fields = extract_fields(text)
    assert fields["name"] == "Laura Peña Ríos"
    assert fields["cargo"] == "Coordinadora de Recursos Materiales"
    assert fields["ente"] == "Instituto Municipal de la Juventud de Ocotlán"
    assert (fields["city"], fields["state"]) == ("Ocotlán", "Jalisco")


def test_signature_blocks_split_by_blank_lines_or_opened_on_the_first_line() -> None:
    expected = {
        "name": "Pedro Ruiz Gómez",
        "cargo": "Tesorero Municipal",
        "ente": "H. Ayuntamiento de Amatitán",
    }
    without_closing = (
        "No se guarda la póliza de diario.\n\nLic. Pedro Ruiz Gómez\n\nTesorero Municipal\n"
        "H. Ayuntamiento de Amatitán\n\nTel. 374 745 0001"
    )
    only_signature = "Atentamente\n\nLic. Pedro Ruiz Gómez\nTesorero Municipal\n\nH. Ayuntamiento de Amatitán"
    for text in (without_closing, only_signature):
        assert expected.items() <= extract_fields(text).items()
    assert "module" in extract_fields("Saludos, no abre el módulo de nómina\nPedro Ruiz Gómez")


def test_middle_dot_separates_place_and_phone() -> None:
    text = (
        "Saludos\nMarta Solís Vega\nContadora | Municipio de Silao\nSilao, Gto. · Tel. (472) 722 0110 ext. 9"
    )
    fields = extract_fields(text)
    assert (fields["city"], fields["state"], fields["phone"]) == ("Silao", "Guanajuato", "4727220110")


def test_cargo_joins_two_areas_with_y_but_stops_at_a_sentence() -> None:
    signature = "Saludos\nRaúl Meza Ortiz\nDirector de Planeación y Desarrollo Urbano\nMunicipio de Tala"
    assert extract_fields(signature)["cargo"] == "Director de Planeación y Desarrollo Urbano"
    assert (
        extract_fields("soy el Director de Egresos y Quiero saber el costo")["cargo"] == "Director de Egresos"
    )
    assert extract_fields("SOY TESORERO MUNICIPAL Y TENGO UN PROBLEMA")["cargo"] == "TESORERO MUNICIPAL"
    assert extract_fields("Soy asesor externo de varios municipios de la sierra")["cargo"] == "asesor externo"


def test_abbreviated_and_less_common_cargos() -> None:
    assert (
        extract_fields("Saludos\nLuis Mora Peña\nSubcontadora\nMunicipio de Tala")["cargo"] == "Subcontadora"
    )
    caps = extract_fields("ATTE.\nLUIS MORA PEÑA\nAUX. CONTABLE\nDIF MUNICIPAL DE TALA")
    assert caps["cargo"] == "AUX. CONTABLE"
    assert "city" not in caps
    assert (
        extract_fields("Saludos\nLuis Mora Peña\nDir. de Egresos\nMunicipio de Tala")["cargo"]
        == "Dir. de Egresos"
    )


@pytest.mark.parametrize(
    "ente",
    [
        "H. XXV Ayuntamiento de Compostela",
        "R. Ayuntamiento de General Escobedo",
        "Mpio. de Tlajomulco de Zúñiga",
        "Gobierno del Municipio de Celaya",
    ],
)
def test_ente_heads_of_numbered_and_abbreviated_ayuntamientos(ente: str) -> None:
    assert extract_fields(f"Saludos\nAna Ruiz Soto\nTesorera\n{ente}")["ente"] == ente


def test_letterhead_of_an_oficio_names_the_ente() -> None:
    text = (
        "INSTITUTO MUNICIPAL DE CULTURA DE ZAPOTLÁN EL GRANDE, JAL.\nOFICIO No. IMC/12/2025\n"
        "ASUNTO: Solicitud de cotización\n\nPor este conducto solicito la cotización del curso.\n\n"
        "ATENTAMENTE\n\nLIC. ROSA VERA PAZ\nDIRECTORA"
    )
    fields = extract_fields(text)
    assert fields["ente"] == "INSTITUTO MUNICIPAL DE CULTURA DE ZAPOTLÁN EL GRANDE"
    assert fields["name"] == "ROSA VERA PAZ"
    assert "ente" not in extract_fields("SAPASA\nEstaré fuera de la oficina hasta el lunes.")


def test_department_line_before_the_municipality() -> None:
    same_line = extract_fields("Saludos\nAtte. Contraloría Ayuntamiento de Tamazula")
    assert same_line["ente"] == "Ayuntamiento de Tamazula"
    two_lines = "Saludos\nEva Ríos Paz\nSubdirectora\nSecretaría de Administración\nMunicipio de Apodaca"
    assert extract_fields(two_lines)["ente"] == "Municipio de Apodaca"
    state = "Saludos\nEva Ríos Paz\nAnalista\nSecretaría de Finanzas del Gobierno del Estado de Colima"
    assert extract_fields(state)["ente"] == "Secretaría de Finanzas del Gobierno del Estado de Colima"


def test_a_time_zone_is_not_a_place() -> None:
    text = "Enviado: 11/03/2025 10:02 (UTC-06:00) Guadalajara, Ciudad de México, Monterrey"
    assert not {"city", "state"} & extract_fields(text).keys()


def test_razon_social_of_invoice_data_is_the_ente() -> None:
    fields = extract_fields(
        "Datos de facturación:\nRazón social: Municipio de Comonfort, Guanajuato\nRFC: MCO850101AA1"
    )
    assert (fields["ente"], fields["state"]) == ("Municipio de Comonfort", "Guanajuato")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "buenas tardes, habla Rosa Vera Paz del ayuntamiento de Tuxcueca, no abre el sistema",
            {"name": "Rosa Vera Paz", "ente": "ayuntamiento de Tuxcueca"},
        ),
        (
            "El que suscribe, L.C.P. Omar Gil Luna, Tesorero Municipal del H. Ayuntamiento de Tala, solicito",
            {"name": "Omar Gil Luna", "cargo": "Tesorero Municipal", "ente": "H. Ayuntamiento de Tala"},
        ),
        (
            "La suscrita Ana Ruiz Soto, en mi carácter de Contadora General del Municipio de Tala, solicito",
            {"name": "Ana Ruiz Soto", "cargo": "Contadora General", "ente": "Municipio de Tala"},
        ),
        (
            "Mis datos: Ana Ruiz Soto, Tesorera, Municipio de Tala, 384 123 4567",
            {"name": "Ana Ruiz Soto", "cargo": "Tesorera", "ente": "Municipio de Tala"},
        ),
        (
            "Buen día. Me comunico del Municipio de Tuxpan, Veracruz. No abre el sistema.",
            {"ente": "Municipio de Tuxpan", "state": "Veracruz"},
        ),
    ],
)
def test_inline_phrases_that_introduce_the_sender(text: str, expected: dict[str, str]) -> None:
    assert expected.items() <= extract_fields(text).items()
