"""Mexican states, their written variants, area codes and municipalities, and the public
entities (entes) built from them, for the synthetic signatures of the training corpus."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    name: str  # canonical short official name (fields_spec.md)
    written: tuple[str, ...]  # how senders write it in an address or signature
    long_name: str  # as used inside an entity name: "Secretaría de Finanzas del Estado de ..."
    area_codes: tuple[str, ...]
    towns: tuple[str, ...]  # municipalities whose name is not the state's own name


def _state(name: str, written: str, long_name: str, codes: str, towns: str) -> State:
    return State(name, tuple(written.split("|")), long_name, tuple(codes.split()), tuple(towns.split("|")))


STATES: tuple[State, ...] = (
    _state(
        "Aguascalientes",
        "Aguascalientes|Ags.|AGS.|AGUASCALIENTES",
        "Aguascalientes",
        "449 465",
        "Jesús María|Calvillo|Rincón de Romos|Pabellón de Arteaga|San Francisco de los Romo",
    ),
    _state(
        "Baja California",
        "Baja California|B.C.|BC|BAJA CALIFORNIA",
        "Baja California",
        "664 686 646",
        "Tijuana|Mexicali|Ensenada|Tecate|Playas de Rosarito",
    ),
    _state(
        "Baja California Sur",
        "Baja California Sur|BCS|B.C.S.|BAJA CALIFORNIA SUR",
        "Baja California Sur",
        "612 624 613",
        "La Paz|Los Cabos|Comondú|Loreto|Mulegé",
    ),
    _state(
        "Campeche",
        "Campeche|Camp.|CAMPECHE",
        "Campeche",
        "981 938 982",
        "Carmen|Champotón|Escárcega|Calkiní|Hecelchakán",
    ),
    _state(
        "Chiapas",
        "Chiapas|Chis.|CHIAPAS",
        "Chiapas",
        "961 962 967",
        "Tuxtla Gutiérrez|Tapachula|San Cristóbal de las Casas|Comitán de Domínguez|Palenque",
    ),
    _state(
        "Chihuahua",
        "Chihuahua|Chih.|CHIHUAHUA",
        "Chihuahua",
        "614 656 639",
        "Juárez|Delicias|Cuauhtémoc|Hidalgo del Parral|Nuevo Casas Grandes",
    ),
    _state(
        "Ciudad de México",
        "CDMX|Ciudad de México|D.F.|Cd. de México|CIUDAD DE MEXICO",
        "Ciudad de México",
        "55 56",
        "Coyoacán|Tlalpan|Iztapalapa|Benito Juárez|Azcapotzalco",
    ),
    _state(
        "Coahuila",
        "Coahuila|Coah.|Coahuila de Zaragoza|COAHUILA",
        "Coahuila de Zaragoza",
        "844 871 866",
        "Saltillo|Torreón|Monclova|Piedras Negras|Ramos Arizpe",
    ),
    _state(
        "Colima",
        "Colima|Col.|COLIMA",
        "Colima",
        "312 314",
        "Manzanillo|Tecomán|Villa de Álvarez|Armería|Comala",
    ),
    _state(
        "Durango",
        "Durango|Dgo.|DURANGO",
        "Durango",
        "618 871 674",
        "Gómez Palacio|Lerdo|Santiago Papasquiaro|Pueblo Nuevo|Canatlán",
    ),
    _state(
        "Guanajuato",
        "Guanajuato|Gto.|GTO.|GUANAJUATO",
        "Guanajuato",
        "477 462 461 473",
        "León|Irapuato|Celaya|Salamanca|San Miguel de Allende|Dolores Hidalgo|Silao",
    ),
    _state(
        "Guerrero",
        "Guerrero|Gro.|GUERRERO",
        "Guerrero",
        "744 747 733",
        "Acapulco de Juárez|Chilpancingo de los Bravo|Iguala de la Independencia|Taxco de Alarcón|"
        "Zihuatanejo de Azueta",
    ),
    _state(
        "Hidalgo",
        "Hidalgo|Hgo.|HIDALGO",
        "Hidalgo",
        "771 775 778",
        "Pachuca de Soto|Tulancingo de Bravo|Tula de Allende|Huejutla de Reyes|Actopan",
    ),
    _state(
        "Jalisco",
        "Jalisco|Jal.|JAL.|JALISCO",
        "Jalisco",
        "33 341 378 322",
        "Zapopan|Tlaquepaque|Tonalá|Tlajomulco de Zúñiga|Zapotlanejo|Lagos de Moreno|Ameca|"
        "Tepatitlán de Morelos|Puerto Vallarta|Ocotlán",
    ),
    _state(
        "México",
        "Estado de México|Edo. de Méx.|EDOMEX|Edomex|Edo. Méx.",
        "México",
        "722 55 595",
        "Toluca|Metepec|Naucalpan de Juárez|Tecámac|Texcoco|Zinacantepec|Ixtapaluca|Atlacomulco",
    ),
    _state(
        "Michoacán",
        "Michoacán|Mich.|Michoacan de Ocampo|Michoacán de Ocampo|MICHOACAN",
        "Michoacán de Ocampo",
        "443 452 351",
        "Morelia|Uruapan|Zamora|Zitácuaro|Pátzcuaro|Apatzingán|Cuitzeo",
    ),
    _state(
        "Morelos",
        "Morelos|Mor.|MORELOS",
        "Morelos",
        "777 735",
        "Cuernavaca|Jiutepec|Cuautla|Temixco|Yautepec",
    ),
    _state(
        "Nayarit",
        "Nayarit|Nay.|NAYARIT",
        "Nayarit",
        "311 319",
        "Tepic|Bahía de Banderas|Santiago Ixcuintla|Compostela|Tuxpan",
    ),
    _state(
        "Nuevo León",
        "Nuevo León|N.L.|Nuevo Leon|NL|NUEVO LEÓN",
        "Nuevo León",
        "81 826",
        "Monterrey|San Nicolás de los Garza|Guadalupe|Apodaca|Santa Catarina|Linares",
    ),
    _state(
        "Oaxaca",
        "Oaxaca|Oax.|OAXACA",
        "Oaxaca",
        "951 971 954",
        "Salina Cruz|Juchitán de Zaragoza|Santa Lucía del Camino|Tuxtepec|Huajuapan de León",
    ),
    _state(
        "Puebla",
        "Puebla|Pue.|PUEBLA",
        "Puebla",
        "222 238 231",
        "Tehuacán|San Pedro Cholula|Atlixco|San Martín Texmelucan|Teziutlán",
    ),
    _state(
        "Querétaro",
        "Querétaro|Qro.|QRO.|Queretaro|QUERÉTARO",
        "Querétaro",
        "442 427",
        "San Juan del Río|Corregidora|El Marqués|Tequisquiapan|Cadereyta de Montes",
    ),
    _state(
        "Quintana Roo",
        "Quintana Roo|Q. Roo|Q.Roo|QUINTANA ROO",
        "Quintana Roo",
        "998 983 984",
        "Benito Juárez|Othón P. Blanco|Solidaridad|Cozumel|Felipe Carrillo Puerto",
    ),
    _state(
        "San Luis Potosí",
        "San Luis Potosí|S.L.P.|SLP|San Luis Potosi",
        "San Luis Potosí",
        "444 481",
        "Soledad de Graciano Sánchez|Ciudad Valles|Matehuala|Rioverde|Tamazunchale",
    ),
    _state(
        "Sinaloa",
        "Sinaloa|Sin.|SINALOA",
        "Sinaloa",
        "667 669 668",
        "Culiacán|Mazatlán|Ahome|Guasave|Navolato",
    ),
    _state(
        "Sonora", "Sonora|Son.|SONORA", "Sonora", "662 644 631", "Hermosillo|Cajeme|Nogales|Navojoa|Guaymas"
    ),
    _state(
        "Tabasco",
        "Tabasco|Tab.|TABASCO",
        "Tabasco",
        "993 917",
        "Villahermosa|Cárdenas|Comalcalco|Macuspana|Paraíso",
    ),
    _state(
        "Tamaulipas",
        "Tamaulipas|Tamps.|TAMAULIPAS",
        "Tamaulipas",
        "834 899 833 867",
        "Reynosa|Matamoros|Nuevo Laredo|Tampico|Ciudad Madero|Altamira",
    ),
    _state(
        "Tlaxcala",
        "Tlaxcala|Tlax.|TLAXCALA",
        "Tlaxcala",
        "246 241",
        "Apizaco|Huamantla|Chiautempan|Calpulalpan|Zacatelco",
    ),
    _state(
        "Veracruz",
        "Veracruz|Ver.|Veracruz de Ignacio de la Llave|VERACRUZ",
        "Veracruz de Ignacio de la Llave",
        "229 228 921 782",
        "Xalapa|Coatzacoalcos|Córdoba|Orizaba|Poza Rica de Hidalgo|Papantla|Boca del Río",
    ),
    _state(
        "Yucatán",
        "Yucatán|Yuc.|Yucatan|YUCATÁN",
        "Yucatán",
        "999 985",
        "Mérida|Valladolid|Tizimín|Progreso|Umán",
    ),
    _state(
        "Zacatecas",
        "Zacatecas|Zac.|ZACATECAS",
        "Zacatecas",
        "492 493",
        "Fresnillo|Guadalupe|Jerez|Sombrerete|Río Grande",
    ),
)

# Every written variant (lower-case) → canonical state name; used by tests and gold checks.
STATE_VARIANTS: dict[str, str] = {w.lower(): s.name for s in STATES for w in s.written}
STATE_VARIANTS.update({s.name.lower(): s.name for s in STATES})

# Municipal entities: {t} is the town.
MUNICIPAL_ENTES: tuple[str, ...] = (
    "H. Ayuntamiento de {t}",
    "Municipio de {t}",
    "Ayuntamiento de {t}",
    "Gobierno Municipal de {t}",
    "Presidencia Municipal de {t}",
    "H. Ayuntamiento Constitucional de {t}",
    "Municipio de {t}",
    "H. Ayuntamiento de {t}",
    "Sistema DIF Municipal de {t}",
    "DIF Municipal de {t}",
    "Sistema para el Desarrollo Integral de la Familia del Municipio de {t}",
    "Instituto Municipal de las Mujeres de {t}",
    "Instituto Municipal del Deporte de {t}",
    "Instituto Municipal de Planeación de {t}",
    "Consejo Municipal del Deporte de {t}",
)
# Water utilities: {t} town, {a} acronym built from the town's initials.
WATER_ENTES: tuple[str, ...] = (
    "Sistema de Agua Potable y Alcantarillado de {t} (SAPA{a})",
    "Junta Municipal de Agua Potable y Alcantarillado de {t} (JUMAPA{a})",
    "Junta de Agua Potable y Alcantarillado Municipal de {t} (JAPAM)",
    "Organismo Operador de Agua Potable de {t}",
    "Sistema Intermunicipal de Agua Potable y Alcantarillado (SIAPA)",
    "Comisión de Agua Potable y Alcantarillado de {t}",
)
# State-level entities: {s} is the state's long name; these carry the state in their name.
STATE_ENTES: tuple[str, ...] = (
    "Comisión Estatal del Agua de {s}",
    "Secretaría de Finanzas del Estado de {s}",
    "Secretaría de Salud del Estado de {s}",
    "Instituto Electoral del Estado de {s}",
    "Comisión Estatal de Derechos Humanos de {s}",
    "Instituto de Pensiones del Estado de {s}",
    "Tribunal de Justicia Administrativa del Estado de {s}",
    "Sistema DIF Estatal {s}",
    "Instituto de Transparencia del Estado de {s}",
    "Colegio de Bachilleres del Estado de {s}",
    "Instituto de Infraestructura Física Educativa de {s}",
    "Universidad Tecnológica de {s}",
)

STREETS: tuple[str, ...] = (
    "Av. Hidalgo No. {n}",
    "Calle Morelos #{n}",
    "Av. Juárez {n}",
    "Independencia No. {n}",
    "Plaza Principal s/n",
    "Calle 5 de Mayo No. {n}",
    "Av. Revolución {n}",
    "Portal Guerrero No. {n}",
    "Calle Allende #{n}",
    "Blvd. Adolfo López Mateos {n}",
    "Av. Constitución No. {n}",
    "Calle Zaragoza {n}",
    "Palacio Municipal s/n",
    "Av. Vallarta {n}",
    "Calle Nicolás Bravo No. {n}",
    "Jardín Hidalgo {n}",
)
COLONIAS: tuple[str, ...] = (
    "Col. Centro",
    "Zona Centro",
    "Col. Centro Histórico",
    "Barrio de San Juan",
    "Col. Las Américas",
    "Fracc. Jardines del Valle",
    "Col. Moderna",
    "Col. Reforma",
    "Centro",
)
