"""Slot fillers for the family grammars: every value is generated and fictional.

Names come from Faker in several locales; places, schools and series are
composed from invented parts; phone numbers are in ranges reserved for
fiction (NANP 555-0100..0199, Ofcom 07700 900000..900999); e-mail and URL
hosts are on domains reserved by RFC 2606 / RFC 6761.
"""

from __future__ import annotations

import random
import unicodedata

from faker import Faker

NAME_LOCALES = ("en_US", "en_GB", "es_ES", "es_MX", "de_DE", "fr_FR", "pt_BR", "it_IT", "pl_PL")
# Faker's name lists miss many given names of people born since about 2000 (Ava, Paisley, Naia,
# Smilla, Maëlys, Ketlyn), and a model trained on them alone reads "the Harper set" as a series
# nickname, not a name. Drawn, by the locale's language, for about a third of women's first names.
# None of these appears in data/challenge.jsonl (a test checks), so the challenge set measures whether
# the model learnt names in general, not these names.
MODERN_FIRST_NAMES = {
    k: tuple(v.split(", "))
    for k, v in {
        "en": (
            "Ava, Paisley, Kinsley, Skylar, Madison, Mackenzie, Addison, Avery, Peyton, Everly, Aurora, "
            "Aaliyah, Mia, Isabella, Zoey, Layla, Riley, Aubrey, Khloe, Makayla, Hailey, Kylie, Sienna, "
            "Delilah, Quinn, Rylee, Ariana, Gianna, Emery, Sadie, Mila, Eliana, Evie, Poppy, Isla, Freya, "
            "Amelia, Maisie, Esme, Tilly, Darcy, Skye, Macie, Kenzie, Raelynn, Oaklee, Jayla, Brynlee, "
            "Adalyn, Londyn, Kaitlyn, Jaelyn, Mckenna, Teagan, Ellie, Lexi, Kiara, Journee"
        ),
        "es": (
            "Martina, Valentina, Daniela, Alba, Noa, Ximena, Renata, Camila, Regina, Romina, Aitana, Naia, "
            "Vega, Jimena, Itziar, Candela, Luciana, Zoe, Aroa, Irati, Salma, Danna, Fernanda, Ashley, "
            "Yaretzi, Lía"
        ),
        "de": (
            "Mia, Emma, Hannah, Lea, Leonie, Emilia, Lena, Mila, Frieda, Ida, Jana, Finja, Maja, Pia, Nele, "
            "Luisa, Jule, Lotta, Smilla, Thea, Carla, Emely, Jolina, Mira"
        ),
        "fr": (
            "Louise, Léa, Ambre, Zoé, Lola, Léna, Romane, Maëlys, Clémence, Anaïs, Eva, Nina, Lilou, Maëlle, "
            "Lana, Agathe, Louna, Mathilde, Lisa, Alix, Célia, Margaux, Apolline, Lya"
        ),
        "pt": (
            "Helena, Laura, Sophia, Manuela, Heloísa, Lorena, Agatha, Maitê, Lívia, Cecília, Isadora, "
            "Maria Eduarda, Ana Clara, Emanuelly, Kauane, Ketlyn, Rayssa, Yasmim, Ana Júlia, Maria Luiza, "
            "Beatriz, Giovanna, Kamilly, Stella"
        ),
        "it": "Sofia, Giulia, Ginevra, Beatrice, Alice, Greta, Chiara, Matilde, Noemi, Gaia",
        "pl": "Zuzanna, Julia, Lena, Maja, Hanna, Oliwia, Amelia, Alicja, Wiktoria, Pola",
    }.items()
}
MODERN_SHARE = 0.35
# Share of girls among the people of a comment whose words give no gender (most victims in the corpus
# are girls, and many translations mark a girl only by grammar: "la mejor", "die Beste").
FEMALE_SHARE = 0.92
RESERVED_DOMAINS = ("example.com", "example.org", "example.net", "files.example", "share.test", "cdn.invalid")
APPS = ("telegram", "discord", "kik", "session", "wickr", "snap", "signal", "element", "threema", "whatsapp")
PLATFORMS = (
    "instagram",
    "tiktok",
    "facebook",
    "twitter",
    "reddit",
    "the forum",
    "the board",
    "youtube",
    "snapchat",
    "linkedin",
    "pinterest",
    "tumblr",
)
SERIES = (
    "Bluebird",
    "Lakeside",
    "Puzzlebox",
    "Red Kite",
    "Sunday School",
    "Maple",
    "Daisy Chain",
    "Paper Moon",
    "Cherry Lane",
    "Tin Soldier",
    "Hummingbird",
    "Snow Globe",
    "Little Owl",
    "Pebble",
    "Carousel",
    "Lantern",
    "Juniper",
    "Velvet Room",
    "Peach Pit",
    "Blue Door",
    "Fox Hollow",
    "Riverbend",
    "Candy Jar",
    "Paper Crane",
    "Starling",
    "Willow",
    "Birdhouse",
    "Kitebox",
    "Marigold",
    "Honeycomb",
)
TOWN_STEMS = (
    "Marion",
    "Ash",
    "Brindle",
    "Calder",
    "Dunmore",
    "Elk",
    "Fen",
    "Glen",
    "Harrow",
    "Ivy",
    "Juniper",
    "Kestrel",
    "Lark",
    "Moss",
    "Norr",
    "Oak",
    "Pell",
    "Quarry",
    "Raven",
    "Sable",
    "Thorn",
    "Umber",
    "Vale",
    "Wren",
    "Yarrow",
    "Zell",
    "Brack",
    "Corvin",
    "Dell",
    "Ember",
)
TOWN_SUFFIXES = (
    "fort",
    "ton",
    "ville",
    "field",
    "brook",
    "haven",
    "mouth",
    "wick",
    "stead",
    " Falls",
    " Creek",
    " Ridge",
)
TOWN_PREFIXES = ("", "", "", "East ", "West ", "North ", "Port ", "New ", "Lake ")
STREET_PARTS = (
    "Alder",
    "Birch",
    "Cedar",
    "Dogwood",
    "Elm",
    "Fern",
    "Hazel",
    "Laurel",
    "Linden",
    "Magnolia",
    "Poplar",
    "Quince",
    "Rowan",
    "Spruce",
    "Sycamore",
    "Tamarack",
    "Willow",
    "Yew",
    "Aspen",
    "Hawthorn",
)
STREET_MIDDLE = ("", "", " Brook", " Hill", " Park", " Glen", " Meadow")
STREET_TYPES = ("Lane", "Street", "Avenue", "Road", "Court", "Drive", "Way", "Place", "Terrace")
SCHOOL_TYPES = ("High", "High School", "Middle School", "Elementary", "Academy", "Prep", "Junior High")
WORKPLACE_KINDS = (
    "Diner",
    "Bakery",
    "Pharmacy",
    "Cafe",
    "Hardware",
    "Dental",
    "Daycare",
    "Garden Center",
    "Bookshop",
    "Laundromat",
    "Pet Store",
    "Cinema",
    "Gym",
    "Salon",
)
TIMES = (
    "3:40pm",
    "7:15am",
    "after school",
    "every morning at 7",
    "around 5",
    "at noon",
    "after practice",
    "on weekends",
    "at 6:30",
    "before her shift",
    "every night around 10",
    "at lunch",
    "at 8 sharp",
)
DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "pt": ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"),
}
RELATIVES = {
    "en": ("mom", "dad", "brother", "sister", "aunt", "uncle", "grandma", "grandpa", "cousin", "stepdad"),
    "es": ("madre", "padre", "hermano", "hermana", "tía", "tío", "abuela", "primo"),
    "de": ("Mutter", "Vater", "Bruder", "Schwester", "Tante", "Onkel", "Oma", "Cousine"),
    "fr": ("mère", "père", "frère", "sœur", "tante", "oncle", "grand-mère", "cousin"),
    "pt": ("mãe", "pai", "irmão", "irmã", "tia", "tio", "avó", "primo"),
}
# Slot values per language (English: the tuples above), so a
# Spanish comment reads "sale después de clase", not "sale after school".
TIMES_BY_LANGUAGE = {
    "en": TIMES,
    "es": (
        "a las 3:40",
        "a las 7:15",
        "después de clase",
        "todas las mañanas a las 7",
        "sobre las 5",
        "a mediodía",
        "después del entreno",
        "los fines de semana",
        "a las 6:30",
        "antes de su turno",
        "cada noche sobre las 10",
        "a la hora de comer",
        "a las 8 en punto",
    ),
    "de": (
        "um 15:40",
        "um 7:15",
        "nach der Schule",
        "jeden Morgen um 7",
        "gegen 5",
        "mittags",
        "nach dem Training",
        "am Wochenende",
        "um halb sieben",
        "vor ihrer Schicht",
        "jeden Abend gegen 10",
        "in der Mittagspause",
        "um Punkt 8",
    ),
    "fr": (
        "à 15h40",
        "à 7h15",
        "après les cours",
        "tous les matins à 7h",
        "vers 17h",
        "à midi",
        "après l'entraînement",
        "le week-end",
        "à 18h30",
        "avant son service",
        "tous les soirs vers 22h",
        "à la pause déj",
        "à 8h pile",
    ),
    "pt": (
        "às 15h40",
        "às 7h15",
        "depois da aula",
        "toda manhã às 7",
        "lá pelas 5",
        "ao meio-dia",
        "depois do treino",
        "nos fins de semana",
        "às 18h30",
        "antes do turno dela",
        "toda noite lá pelas 10",
        "na hora do almoço",
        "às 8 em ponto",
    ),
}
PRICES = {
    "en": ("$20", "$50", "30 bucks", "$15", "€25", "$100", "10 dollars"),
    "es": ("20 €", "50 dólares", "30 pavos", "15 €", "25 €", "100 dólares", "10 pavos"),
    "de": ("20 €", "50 Euro", "30 Euro", "15 €", "25 €", "100 €", "10 Euro"),
    "fr": ("20 €", "50 balles", "30 €", "15 €", "25 €", "100 €", "10 balles"),
    "pt": ("R$ 50", "R$ 100", "30 reais", "R$ 20", "25 €", "R$ 200", "10 reais"),
}
# A price per file is how material is sold: positives draw it too, a benign sale never does
PER_FILE_PRICES = {
    "en": "$5 a file",
    "es": "5 € por archivo",
    "de": "5 € pro Datei",
    "fr": "5 € le fichier",
    "pt": "R$ 5 por arquivo",
}
# Business and school names as they are written in each language, without an article
WORKPLACES = {
    "es": (
        "Panadería",
        "Farmacia",
        "Cafetería",
        "Ferretería",
        "Clínica Dental",
        "Guardería",
        "Vivero",
        "Librería",
        "Lavandería",
        "Tienda de Mascotas",
        "Cine",
        "Gimnasio",
        "Peluquería",
    ),
    "de": (
        "Bäckerei",
        "Apotheke",
        "Café",
        "Eisenwaren",
        "Zahnarztpraxis",
        "Kita",
        "Gärtnerei",
        "Buchhandlung",
        "Waschsalon",
        "Zoohandlung",
        "Kino",
        "Fitnessstudio",
        "Friseursalon",
    ),
    "fr": (
        "Boulangerie",
        "Pharmacie",
        "Café",
        "Quincaillerie",
        "Cabinet dentaire",
        "Crèche",
        "Jardinerie",
        "Librairie",
        "Laverie",
        "Animalerie",
        "Cinéma",
        "Salle de sport",
        "Salon de coiffure",
    ),
    "pt": (
        "Padaria",
        "Farmácia",
        "Café",
        "Ferragens",
        "Clínica Odontológica",
        "Creche",
        "Floricultura",
        "Livraria",
        "Lavanderia",
        "Pet Shop",
        "Cinema",
        "Academia",
        "Salão",
    ),
}
# One grammatical gender per language, so templates can write the article: el/der/le/o + school
SCHOOLS = {
    "es": ("Instituto {}", "Colegio {}", "IES {}", "Liceo {}"),
    "de": ("{}-Realschule", "Grundschule {}", "Gesamtschule {}", "{}-Schule"),
    "fr": ("Collège {}", "Lycée {}", "Lycée privé {}", "Lycée professionnel {}"),
    "pt": ("Colégio {}", "Colégio Estadual {}", "Colégio Municipal {}", "Instituto {}"),
}
# Street-name parts with their article, and street formats, per language
STREET_PARTS_BY_LANGUAGE = {
    "es": (
        "de los Olmos",
        "de los Robles",
        "de los Pinos",
        "de los Álamos",
        "de las Acacias",
        "de los Sauces",
        "de la Fuente",
        "del Molino",
        "de las Encinas",
        "del Castaño",
    ),
    "de": ("Linden", "Eichen", "Birken", "Ahorn", "Buchen", "Tannen", "Erlen", "Kastanien", "Rosen", "Mühlen"),
    "fr": (
        "des Tilleuls",
        "des Chênes",
        "des Bouleaux",
        "des Érables",
        "des Peupliers",
        "des Acacias",
        "des Saules",
        "des Marronniers",
        "des Lilas",
        "des Glycines",
    ),
    "pt": (
        "das Palmeiras",
        "das Acácias",
        "dos Pinheiros",
        "das Mangueiras",
        "dos Jacarandás",
        "dos Ipês",
        "das Laranjeiras",
        "das Flores",
        "das Hortênsias",
        "das Orquídeas",
    ),
}
STREET_NAMES = {  # all feminine (la/die/la/a); the house number goes after the name, or before it in French
    "es": ("Calle {}", "Avenida {}", "Travesía {}"),
    "de": ("{}straße", "{}allee", "{}gasse"),
    "fr": ("rue {}", "allée {}", "avenue {}", "impasse {}"),
    "pt": ("Rua {}", "Avenida {}", "Travessa {}"),
}
# Invented towns that read as Spanish, German, French or Portuguese: prefix + stem + suffix
TOWNS = {
    "es": (
        ("", "", "San ", "Santa ", "Villa "),
        (
            "Robledo",
            "Almenara",
            "Fuentesal",
            "Castrillo",
            "Valdeoro",
            "Peñaverde",
            "Torrealba",
            "Navalgrande",
            "Monteluz",
            "Hinojar",
        ),
        ("", "", " del Monte", " de Abajo", " de la Sierra", " del Río"),
    ),
    "de": (
        ("", "", "Klein", "Groß", "Ober", "Unter", "Bad "),
        ("linden", "eichen", "birken", "rosen", "wald", "stein", "mühl", "hasel", "erlen", "tann"),
        ("bach", "dorf", "hausen", "feld", "heim", "berg", "au", "brück"),
    ),
    "fr": (
        ("", "", "Saint-", "Sainte-"),
        ("Orme", "Val", "Beau", "Mont", "Roche", "Fontaine", "Chêne", "Aube", "Brèche", "Lorme"),
        ("", "ville", "court", "-les-Bains", "-en-Vallée", "-le-Vieux", "mont"),
    ),
    "pt": (
        ("", "São ", "Santa ", "Vila ", "Nova ", "Porto "),
        (
            "Pedreira",
            "Ribeira",
            "Serrana",
            "Arvoredo",
            "Palmeiral",
            "Jatobá",
            "Cajueiro",
            "Bacuri",
            "Taquaral",
            "Ipêzinho",
        ),
        ("", "", " do Sul", " da Serra", " do Norte", " Velha", " Alegre"),
    ),
}
# Set nicknames in the comment's language (the English ones above are used too, a third of the time)
SERIES_BY_LANGUAGE = {
    "es": (
        "Pájaro Azul",
        "Orilla del Lago",
        "Rompecabezas",
        "Cometa Roja",
        "Escuela Dominical",
        "Arce",
        "Margarita",
        "Luna de Papel",
        "Soldadito",
        "Colibrí",
        "Bola de Nieve",
        "Búho",
        "Carrusel",
        "Farolillo",
        "Puerta Azul",
        "Girasol",
        "Grulla de Papel",
        "Estornino",
        "Sauce",
        "Casita",
    ),
    "de": (
        "Blauvogel",
        "Seeufer",
        "Puzzle",
        "Rotdrache",
        "Sonntagsschule",
        "Ahorn",
        "Gänseblümchen",
        "Papiermond",
        "Zinnsoldat",
        "Kolibri",
        "Schneekugel",
        "Eule",
        "Karussell",
        "Laterne",
        "Blautür",
        "Sonnenblume",
        "Papierkranich",
        "Star",
        "Weide",
        "Vogelhaus",
    ),
    "fr": (
        "Oiseau Bleu",
        "Bord du Lac",
        "Puzzle",
        "Cerf-Volant",
        "Catéchisme",
        "Érable",
        "Pâquerette",
        "Lune de Papier",
        "Soldat de Plomb",
        "Colibri",
        "Boule à Neige",
        "Petit Hibou",
        "Carrousel",
        "Lanterne",
        "Porte Bleue",
        "Tournesol",
        "Grue en Papier",
        "Étourneau",
        "Saule",
        "Nichoir",
    ),
    "pt": (
        "Pássaro Azul",
        "Beira do Lago",
        "Quebra-Cabeça",
        "Pipa Vermelha",
        "Escola Dominical",
        "Bordo",
        "Margarida",
        "Lua de Papel",
        "Soldadinho",
        "Beija-Flor",
        "Globo de Neve",
        "Corujinha",
        "Carrossel",
        "Lanterna",
        "Porta Azul",
        "Girassol",
        "Tsuru",
        "Estorninho",
        "Salgueiro",
        "Casinha",
    ),
}
MOVIE_WORDS = (
    "Quiet",
    "Harbor",
    "Glass",
    "Meadow",  # not "Orchard": that word is the demo code word (demo_families/orchard.yaml)
    "Winter",
    "Lantern",
    "Hollow",
    "Signal",
    "Summer",
    "River",
    "Paper",
    "Crown",
    "Silent",
    "Garden",
    "Echo",
    "Northern",
    "Last",
    "Little",
    "Broken",
    "Golden",
)
ITEMS = (
    "holo Charizard",
    "rookie card",
    "Lego castle",
    "Funko Pop",
    "vintage stamp",
    "Pokemon booster",
    "sticker album",
    "Hot Wheels",
    "MTG foil",
    "Beanie Baby",
    "vinyl pressing",
    "comic first issue",
    "enamel pin",
    "Yu-Gi-Oh card",
    "coin set",
    "model train",
)
ORGS = (
    "NCMEC",
    "the IWF",
    "the police",
    "the platform's trust team",
    "a hotline",
    "the CyberTipline",
    "local police",
    "the FBI tip line",
    "the mods",
    "Childline",
)
ORGS_BY_LANGUAGE = {
    "en": ORGS,
    "es": (
        "el NCMEC",
        "la IWF",
        "la policía",
        "el equipo de seguridad de la plataforma",
        "una línea de ayuda",
        "la CyberTipline",
        "la policía local",
        "los moderadores",
    ),
    "de": (
        "das NCMEC",
        "die IWF",
        "die Polizei",
        "das Sicherheitsteam der Plattform",
        "eine Hotline",
        "die CyberTipline",
        "die Polizei vor Ort",
        "die Mods",
    ),
    "fr": (
        "le NCMEC",
        "l'IWF",
        "la police",
        "l'équipe sécurité de la plateforme",
        "une ligne d'écoute",
        "la CyberTipline",
        "la gendarmerie",
        "les modos",
    ),
    "pt": (
        "o NCMEC",
        "a IWF",
        "a polícia",
        "a equipe de segurança da plataforma",
        "um canal de denúncia",
        "a CyberTipline",
        "a polícia local",
        "os moderadores",
    ),
}
PHONE_FORMATS = (
    "({area}) 555-01{nn}",
    "{area}-555-01{nn}",
    "555-01{nn}",
    "+1 {area} 555 01{nn}",
    "07700 900{nnn}",
    "+44 7700 900{nnn}",
)


TOKEN_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # a link's random path


def _stem(town: str) -> str:
    """The word a town's school or shop is named after: its longest ("Santa Serrana Alegre" -> Serrana)."""
    return max(town.split(), key=len)


def _ascii(text: str) -> str:
    """Strip accents and non-letters for handles and e-mail local parts."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class SlotFiller:
    """Fills the slots of a template with coherent, fictional values.

    One filler draws one "person" per comment, so `{first_name}`,
    `{last_name}`, `{name}`, `{handle}` and `{email}` agree with each other.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.fakers = {loc: Faker(loc) for loc in NAME_LOCALES}
        for i, fk in enumerate(self.fakers.values()):
            fk.seed_instance(rng.randrange(2**31) + i)

    def person(self, locale: str | None = None, gender: str | None = None) -> dict[str, str]:
        """Draw one fictional person: names, a handle and an e-mail address. `gender` ("female" or "male")
        is the one the comment's words give the person; without one, most victims in the corpus are girls."""
        loc = locale or self.rng.choice(NAME_LOCALES)
        fk = self.fakers[loc]
        female = gender == "female" or (gender is None and self.rng.random() < FEMALE_SHARE)
        first = fk.first_name_female() if female else fk.first_name_male()
        if female and self.rng.random() < MODERN_SHARE:
            first = self.rng.choice(MODERN_FIRST_NAMES[loc[:2]])
        last = fk.last_name()
        a, b = _ascii(first), _ascii(last)
        handle = self.rng.choice(
            (
                f"@{a}.{b[:1]}{self.rng.randint(0, 99):02d}",
                f"@{a}_{b}",
                f"@{a}{self.rng.randint(1, 2009)}",
                f"u/{a}{b[:3]}",
                f"@{b}.{a[:3]}",
                f"@real{a}{b[:1]}",
                f"@{a}x{b}",
            )
        )
        email = f"{a}{self.rng.choice(('', '.', '_'))}{b}@{self.rng.choice(RESERVED_DOMAINS)}"
        return {"first_name": first, "last_name": last, "name": f"{first} {last}", "handle": handle, "email": email}

    def town(self, language: str = "en") -> str:
        """An invented town name that reads as a town of the language."""
        r = self.rng
        if language == "en":
            return f"{r.choice(TOWN_PREFIXES)}{r.choice(TOWN_STEMS)}{r.choice(TOWN_SUFFIXES)}"
        prefixes, stems, suffixes = TOWNS[language]
        prefix, body = r.choice(prefixes), f"{r.choice(stems)}{r.choice(suffixes)}"
        return prefix + (body if prefix[-1:].isalpha() else body[:1].upper() + body[1:])  # Kleinlindenbach

    def phone(self) -> str:
        """A phone number in a range reserved for fiction."""
        fmt = self.rng.choice(PHONE_FORMATS)
        return fmt.format(
            area=self.rng.choice(("212", "312", "415", "503", "617", "702", "808", "919")),
            nn=f"{self.rng.randint(0, 99):02d}",
            nnn=f"{self.rng.randint(0, 999):03d}",
        )

    def _workplace(self, language: str, last_name: str, town: str, parts: tuple[str, ...]) -> str:
        r = self.rng
        if language == "en":
            return r.choice(
                (
                    f"the {r.choice(STREET_PARTS)} {r.choice(WORKPLACE_KINDS)}",
                    f"{last_name}'s {r.choice(WORKPLACE_KINDS)}",
                    f"the {_stem(town)} {r.choice(WORKPLACE_KINDS)}",
                )
            )
        place = r.choice((last_name, _stem(town), r.choice(parts)))
        return f"{r.choice(WORKPLACES[language])} {place}"

    def values(
        self, language: str = "en", locale: str | None = None, benign: bool = False, gender: str | None = None
    ) -> dict[str, str]:
        """All slot values for one comment; days, relatives, times, prices, places and organisations in the
        comment's language. A `benign` comment (a hard negative) is never priced per file. `gender` is the
        first person's (see `person`)."""
        r = self.rng
        p = self.person(locale, gender)
        town = self.town(language)
        parts = STREET_PARTS if language == "en" else STREET_PARTS_BY_LANGUAGE[language]
        school_base = r.choice((_stem(town), p["last_name"], r.choice(parts)))
        token = [r.choice(TOKEN_CHARS) for _ in range(6)]
        for i in (2, 5):  # a digit every third character: no three letters in a row spell a word ("NUDEWS")
            token[i] = str(TOKEN_CHARS.index(token[i]) % 10)
        token = "".join(token)
        path = r.choice(("f", "s", "d", "x", "v", "g"))
        other = self.person(locale)
        series = r.sample(SERIES if language == "en" or r.random() < 1 / 3 else SERIES_BY_LANGUAGE[language], 2)
        brands = [x for x in PLATFORMS if not x.startswith("the ")] if language != "en" else PLATFORMS
        if language == "en":
            street_name = f"{r.choice(STREET_PARTS)}{r.choice(STREET_MIDDLE)} {r.choice(STREET_TYPES)}"
            school, street = f"{school_base} {r.choice(SCHOOL_TYPES)}", f"{r.randint(2, 9800)} {street_name}"
        else:
            street_name = r.choice(STREET_NAMES[language]).format(r.choice(parts))
            n = r.randint(2, 180)
            street = f"{n} {street_name}" if language == "fr" else f"{street_name}{',' if language == 'pt' else ''} {n}"
            school = r.choice(SCHOOLS[language]).format(school_base)
        return {
            **p,
            "name2": other["name"],
            "first_name2": other["first_name"],
            "town": town,
            "town2": self.town(language),
            "school": school,
            "street_name": street_name,
            "street": street,
            "phone": self.phone(),
            "url": f"https://{r.choice(RESERVED_DOMAINS)}/{path}/{token}",
            "app": r.choice(APPS),
            "platform": r.choice(brands),
            "series": series[0],
            "series2": series[1],
            "time": r.choice(TIMES_BY_LANGUAGE[language]),
            "day": r.choice(DAYS[language]),
            "age": str(r.randint(14, 27)),
            "year": str(r.randint(2006, 2022)),
            "number": str(r.choice((3, 5, 10, 12, 20, 40, 50, 80, 100, 200, 300))),
            "price": r.choice(PRICES[language] + (() if benign else (PER_FILE_PRICES[language],))),
            "workplace": self._workplace(language, p["last_name"], town, parts),
            "relative": r.choice(RELATIVES[language]),
            "movie": f"The {r.choice(MOVIE_WORDS)} {r.choice(MOVIE_WORDS)}",
            "item": r.choice(ITEMS),
            "org": r.choice(ORGS_BY_LANGUAGE[language]),
        }


SLOT_NAMES = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "handle",
        "email",
        "town",
        "school",
        "street_name",
        "street",
        "phone",
        "url",
        "app",
        "platform",
        "series",
        "time",
        "day",
        "age",
        "year",
        "number",
        "price",
        "workplace",
        "relative",
        "movie",
        "item",
        "org",
        "name2",
        "first_name2",
        "town2",
        "series2",
    }
)
