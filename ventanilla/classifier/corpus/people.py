"""Mexican first names, surnames, academic titles and job titles (cargos) used to build the
synthetic senders of the training corpus."""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


MALE_NAMES: tuple[str, ...] = _split(
    "José|Juan|Luis|Carlos|Jorge|Francisco|Alejandro|Miguel Ángel|José Luis|Juan Carlos|Jesús|Raúl|Ricardo|"
    "Fernando|Eduardo|Roberto|Sergio|Arturo|Héctor|Javier|Óscar|Rubén|Salvador|Gerardo|Martín|Víctor Hugo|"
    "Ramón|Alfredo|Enrique|Ernesto|Gustavo|Hugo|Ignacio|Joel|Julio César|Manuel|Mario|Omar|Pedro|Rafael|"
    "Rodrigo|Adrián|Andrés|Efraín|Gilberto|Isidro|Jaime|Leonardo|Marco Antonio|Noé|Ulises|Abraham"
)
FEMALE_NAMES: tuple[str, ...] = _split(
    "María|Guadalupe|María Guadalupe|Ana|Ana Karen|Verónica|Mónica|Patricia|Laura|Claudia|Alejandra|"
    "Leticia|Adriana|Rosa María|Gabriela|Martha|Silvia|Elizabeth|Norma|Araceli|Yolanda|Sandra|Erika|"
    "Karla|Lucía|Beatriz|Diana|Fabiola|Itzel|Jazmín|Liliana|Lorena|Marisol|Nancy|Noemí|Paola|Rocío|"
    "Sofía|Teresa|Vanessa|Xóchitl|Yesenia|Brenda|Cecilia|Elvia|Irma|Juana|Miriam|Reyna|Susana"
)
SURNAMES: tuple[str, ...] = _split(
    "Hernández|García|Martínez|López|González|Pérez|Rodríguez|Sánchez|Ramírez|Cruz|Flores|Gómez|Morales|"
    "Vázquez|Jiménez|Reyes|Díaz|Torres|Gutiérrez|Ruiz|Mendoza|Aguilar|Ortiz|Moreno|Castillo|Romero|"
    "Álvarez|Méndez|Chávez|Rivera|Juárez|Ramos|Domínguez|Herrera|Medina|Castro|Vargas|Guzmán|Velázquez|"
    "Muñoz|Rojas|de la Cruz|Salazar|Contreras|Luna|Ortega|Santiago|Guerrero|Estrada|Bautista|Cortés|Soto|"
    "Alvarado|Espinoza|Lara|Ávila|Ríos|Cervantes|Figueroa|Ibarra|Pacheco|Villalobos|Zúñiga|Orozco|Navarro|"
    "Solís|Valencia|Padilla|Cárdenas|Fuentes|Maldonado|Quintero|Barajas|Ochoa|Delgado|Camacho|Trejo|"
    "Magaña|Anaya|Zamora|Sandoval|Carrillo|Nuño|Arellano|Villaseñor|Íñiguez|Pulido|de León|Uc|Canché"
)
# Titles written before a name; they are never part of the gold `name`.
MALE_TITLES: tuple[str, ...] = _split("Lic.|L.C.P.|C.P.|Ing.|Mtro.|Dr.|Arq.|Profr.|C.|LCP")
FEMALE_TITLES: tuple[str, ...] = _split("Lic.|L.C.P.|C.P.|Ing.|Mtra.|Dra.|Arq.|Profra.|C.|LCP")

# Cargos as (masculine, feminine).
CARGOS: tuple[tuple[str, str], ...] = (
    ("Tesorero Municipal", "Tesorera Municipal"),
    ("Contador General", "Contadora General"),
    ("Auxiliar Contable", "Auxiliar Contable"),
    ("Director de Egresos", "Directora de Egresos"),
    ("Jefe del Depto. de Contabilidad", "Jefa del Depto. de Contabilidad"),
    ("Encargado de Sistemas", "Encargada de Sistemas"),
    ("Director de Finanzas", "Directora de Finanzas"),
    ("Coordinador de Contabilidad", "Coordinadora de Contabilidad"),
    ("Auxiliar Administrativo", "Auxiliar Administrativa"),
    ("Jefe de Informática", "Jefa de Informática"),
    ("Director de Administración", "Directora de Administración"),
    ("Subdirector de Contabilidad", "Subdirectora de Contabilidad"),
    ("Analista de Sistemas", "Analista de Sistemas"),
    ("Encargado de la Hacienda Pública Municipal", "Encargada de la Hacienda Pública Municipal"),
    ("Contralor Municipal", "Contralora Municipal"),
    ("Jefe de Recursos Humanos", "Jefa de Recursos Humanos"),
    ("Director Administrativo", "Directora Administrativa"),
    ("Responsable de Contabilidad", "Responsable de Contabilidad"),
    ("Auxiliar de Tesorería", "Auxiliar de Tesorería"),
    ("Encargado del Área Contable", "Encargada del Área Contable"),
    ("Coordinador Administrativo", "Coordinadora Administrativa"),
    ("Jefe de Control Presupuestal", "Jefa de Control Presupuestal"),
    ("Soporte Técnico", "Soporte Técnico"),
    ("Director de Obras Públicas", "Directora de Obras Públicas"),
    ("Encargado de Nómina", "Encargada de Nómina"),
    ("Administrador", "Administradora"),
    ("Gerente Administrativo", "Gerente Administrativa"),
    ("Titular de la Unidad de Finanzas", "Titular de la Unidad de Finanzas"),
)

MAIL_PROVIDERS: tuple[str, ...] = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "live.com.mx")
