import random

import pytest

from comments.errors import ConfigurationError
from comments.synth.grammar import NEGATIVE_KINDS, expand, load_families, parse_families


def _family(**overrides):
    entry = {"id": "neg_x", "labels": [], "kind": "everyday", "templates": ["a {town}", "b [c|d]", "e"]}
    return {**entry, **overrides}


def test_when_template_is_expanded_then_alternatives_and_slots_are_filled():
    rng = random.Random(0)
    seen = {expand("[one|two] {town}[ now|]", {"town": "Elkton"}, rng) for _ in range(50)}
    assert seen == {"one Elkton now", "two Elkton now", "one Elkton", "two Elkton"}


@pytest.mark.parametrize(
    ("template", "message"),
    [("hi {nickname}", "unknown slot"), ("[a|[b]]", "nested"), ("[a|b", "unbalanced"), ("x {town", "stray")],
)
def test_when_template_is_malformed_then_loading_names_the_problem(template, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_families([_family(templates=[template, "b", "c"])], "t.yaml")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"labels": ["grooming"]}, "unknown label"),
        ({"kind": "misc"}, "needs kind"),
        ({"templates": ["a", "b"]}, "at least 3"),
        ({"id": "Bad Id"}, "snake_case"),
        ({"translations": {"it": ["ciao"]}}, "translation language"),
        ({"relabel": {"e": "victim_identification"}}, "relabel maps a template"),
        ({"relabel": {"e": ["grooming"]}}, "unknown label"),
        ({"relabel": {"e": {"labels": [], "unless": []}}}, "non-empty list `unless`"),
        ({"relabel": {"e": {"labels": [], "when": ["x"]}}}, "non-empty list `unless`"),
        ({"relabel": {"e": {"labels": [], "unless": ["qq"]}}}, "'qq' is not in the template"),
        ({"relabel": ["e"]}, "relabel maps a template"),
    ],
)
def test_when_family_breaks_the_format_then_it_is_refused(overrides, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_families([_family(**overrides)], "t.yaml")


def test_when_ids_repeat_across_files_then_loading_fails(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("- {id: neg_x, labels: [], kind: everyday, templates: [a, b, c]}\n")
    with pytest.raises(ConfigurationError, match="defined twice"):
        load_families(tmp_path)


def test_shipped_families_cover_every_label_and_negative_kind():
    families = load_families()
    for label in ("victim_identification", "promotion", "safety_concern"):
        assert sum(label in f.labels for f in families) >= 80, label
    negatives = [f for f in families if not f.labels]
    assert len(negatives) >= 150
    for kind in NEGATIVE_KINDS:
        assert sum(f.kind == kind for f in negatives) >= 8, kind


def test_when_relabel_names_no_template_of_the_family_then_loading_fails(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "- {id: neg_x, labels: [], kind: everyday, templates: [a, b, c], relabel: {d: []}}\n"
    )
    with pytest.raises(ConfigurationError, match="neg_x: relabel names no template of the family: 'd'"):
        load_families(tmp_path)


def _folder_with_translations(tmp_path, name: str, text: str):
    (tmp_path / "a.yaml").write_text(
        "- {id: neg_x, labels: [], kind: everyday, templates: [a, b, c], translations: {es: [uno]}}\n"
    )
    (tmp_path / "translations").mkdir()
    (tmp_path / "translations" / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_when_a_translations_file_adds_templates_then_the_family_has_them_after_its_own(tmp_path):
    folder = _folder_with_translations(tmp_path, "es.yaml", 'neg_x: ["dos {town}", "tres"]\n')
    (family,) = load_families(folder)
    assert family.templates["es"] == ("uno", "dos {town}", "tres")
    assert family.templates["en"] == ("a", "b", "c")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("it.yaml", "neg_x: [ciao]\n", "named after a language"),
        ("es.yaml", "neg_y: [hola]\n", "no family has the id 'neg_y'"),
        ("es.yaml", "neg_x: []\n", "non-empty list"),
        ("es.yaml", "neg_x: ['hola {apodo}']\n", "unknown slot"),
        ("es.yaml", "- neg_x\n", "mapping"),
        ("es.yaml", "neg_x: [hola]\nneg_x: [adiós]\n", "es.yaml: 'neg_x' is given twice"),
    ],
)
def test_when_a_translations_file_is_wrong_then_loading_says_where(tmp_path, name, text, message):
    folder = _folder_with_translations(tmp_path, name, text)
    with pytest.raises(ConfigurationError, match=message):
        load_families(folder)


@pytest.mark.parametrize("language", ["es", "de", "fr", "pt"])
def test_when_a_comment_is_not_english_then_its_times_places_prices_and_orgs_are_not_english(language):
    from comments.synth.slots import ORGS, PER_FILE_PRICES, PRICES, TIMES, SlotFiller

    filler = SlotFiller(random.Random(5))
    values = [filler.values(language) for _ in range(200)]
    assert not {v["time"] for v in values} & set(TIMES)
    assert not {v["org"] for v in values} & set(ORGS)
    assert {v["price"] for v in values} <= {*PRICES[language], PER_FILE_PRICES[language]}
    assert not any(v["workplace"].startswith("the ") or "'s " in v["workplace"] for v in values)
    assert all(v["street_name"] and v["street_name"] in v["street"] for v in values)
    english = [filler.values("en") for _ in range(50)]
    assert {v["time"] for v in english} <= set(TIMES) and {v["org"] for v in english} <= set(ORGS)


@pytest.mark.parametrize(
    ("language", "template", "value", "expected"),
    [
        ("es", "lo reporté a {org}, De {org}", "el NCMEC", "lo reporté al NCMEC, Del NCMEC"),
        ("fr", "j'habite à {town}, près de {town}", "Le Val", "j'habite au Val, près du Val"),
        ("fr", "signalez à {org}", "les modérateurs", "signalez aux modérateurs"),
        ("pt", "denunciei em {org} e por {org}", "a polícia", "denunciei na polícia e pela polícia"),
        ("pt", "fala a {org}", "o Conselho", "fala ao Conselho"),
        ("es", "a {org}", "la policía", "a la policía"),
        ("en", "tell a {org}", "el NCMEC", "tell a el NCMEC"),
    ],
)
def test_when_a_value_starts_with_an_article_then_the_preposition_before_it_contracts(
    language, template, value, expected
):
    values = {"org": value, "town": value}
    assert expand(template, values, random.Random(0), language) == expected


@pytest.mark.parametrize(
    ("language", "template"),
    [("fr", "de le chemin à le {town}"), ("es", "a el parque de el {town}"), ("pt", "em o parque de o {town}")],
)
def test_when_an_article_is_written_in_the_template_then_it_is_not_contracted(language, template):
    assert expand(template, {"town": "X"}, random.Random(0), language) == template.replace("{town}", "X")


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("dans la {street_name}", "avenue des Lilas", "dans l'avenue des Lilas"),
        ("le dossier de {first_name}", "Agnès", "le dossier d'Agnès"),
        ("dans la {street_name}", "rue des Lilas", "dans la rue des Lilas"),
    ],
)
def test_when_a_french_value_starts_with_a_vowel_then_the_word_before_it_elides(template, value, expected):
    values = {"street_name": value, "first_name": value}
    assert expand(template, values, random.Random(0), "fr") == expected
    assert expand(template, values, random.Random(0), "es") == template.format(**values)


def test_when_a_comment_is_benign_then_it_is_never_priced_per_file():
    from comments.synth.slots import PER_FILE_PRICES, SlotFiller

    filler = SlotFiller(random.Random(2))
    for language, per_file in PER_FILE_PRICES.items():
        assert per_file not in {filler.values(language, benign=True)["price"] for _ in range(200)}
        assert per_file in {filler.values(language)["price"] for _ in range(200)}
