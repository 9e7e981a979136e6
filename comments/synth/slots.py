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
PHONE_FORMATS = (
    "({area}) 555-01{nn}",
    "{area}-555-01{nn}",
    "555-01{nn}",
    "+1 {area} 555 01{nn}",
    "07700 900{nnn}",
    "+44 7700 900{nnn}",
)


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

    def person(self, locale: str | None = None) -> dict[str, str]:
        """Draw one fictional person: names, a handle and an e-mail address."""
        loc = locale or self.rng.choice(NAME_LOCALES)
        fk = self.fakers[loc]
        first = fk.first_name_female() if self.rng.random() < 0.92 else fk.first_name_male()
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

    def town(self) -> str:
        """An invented town name."""
        r = self.rng
        return f"{r.choice(TOWN_PREFIXES)}{r.choice(TOWN_STEMS)}{r.choice(TOWN_SUFFIXES)}"

    def phone(self) -> str:
        """A phone number in a range reserved for fiction."""
        fmt = self.rng.choice(PHONE_FORMATS)
        return fmt.format(
            area=self.rng.choice(("212", "312", "415", "503", "617", "702", "808", "919")),
            nn=f"{self.rng.randint(0, 99):02d}",
            nnn=f"{self.rng.randint(0, 999):03d}",
        )

    def values(self, language: str = "en", locale: str | None = None) -> dict[str, str]:
        """All slot values for one comment; days and relatives in the comment's language."""
        r = self.rng
        p = self.person(locale)
        street_name = f"{r.choice(STREET_PARTS)}{r.choice(STREET_MIDDLE)} {r.choice(STREET_TYPES)}"
        town = self.town()
        school_base = r.choice((town.split()[-1], p["last_name"], r.choice(STREET_PARTS)))
        token = "".join(r.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
        path = r.choice(("f", "s", "d", "x", "v", "g"))
        other = self.person(locale)
        series = r.sample(SERIES, 2)
        brands = [x for x in PLATFORMS if not x.startswith("the ")] if language != "en" else PLATFORMS
        return {
            **p,
            "name2": other["name"],
            "first_name2": other["first_name"],
            "town": town,
            "town2": self.town(),
            "school": f"{school_base} {r.choice(SCHOOL_TYPES)}",
            "street_name": street_name,
            "street": f"{r.randint(2, 9800)} {street_name}",
            "phone": self.phone(),
            "url": f"https://{r.choice(RESERVED_DOMAINS)}/{path}/{token}",
            "app": r.choice(APPS),
            "platform": r.choice(brands),
            "series": series[0],
            "series2": series[1],
            "time": r.choice(TIMES),
            "day": r.choice(DAYS[language]),
            "age": str(r.randint(14, 27)),
            "year": str(r.randint(2006, 2022)),
            "number": str(r.choice((3, 5, 10, 12, 20, 40, 50, 80, 100, 200, 300))),
            "price": r.choice(("$20", "$50", "30 bucks", "$15", "€25", "$100", "10 dollars", "$5 a file")),
            "workplace": r.choice(
                (
                    f"the {r.choice(STREET_PARTS)} {r.choice(WORKPLACE_KINDS)}",
                    f"{p['last_name']}'s {r.choice(WORKPLACE_KINDS)}",
                    f"the {town.split()[-1]} {r.choice(WORKPLACE_KINDS)}",
                )
            ),
            "relative": r.choice(RELATIVES[language]),
            "movie": f"The {r.choice(MOVIE_WORDS)} {r.choice(MOVIE_WORDS)}",
            "item": r.choice(ITEMS),
            "org": r.choice(ORGS),
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
