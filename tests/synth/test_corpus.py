"""The default corpus (60,000 rows, seed 13) against the issue's bounds and the content rules."""

import re
import unicodedata

import pytest

from comments.invariance import surface_rates
from comments.labels import LABELS
from comments.normalize import normalize
from comments.synth import DEFAULT_ROWS, DEFAULT_SEED
from comments.synth.grammar import load_families
from tests.conftest import ROOT

RESERVED_HOST = re.compile(r"(^|\.)(example\.(com|org|net)|[a-z0-9-]+\.(example|test|invalid))$")
PHONE = re.compile(r"(?<![\w/])\+?\(?\d[\d ().-]{6,}\d")
DEFANGED_DOT = re.compile(r"\s?[\[(]\.[\])]\s?")
RESERVED_PHONE = re.compile(r"(55501\d\d|7700900\d{3})$")
HOSTS = re.compile(
    r"(?:https?://|www\.|[\w.+-]@)([a-z0-9.-]+\.[a-z]{2,})|\b([a-z0-9-]+\.(?:com|net|org|io|me|ly|gg|to|co|ru|nz|cc|xyz))\b"
)


def graphic_terms():
    terms = []
    for line in (ROOT / "tests/data/graphic_terms.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            word = re.escape(line.rstrip("*"))
            # not right after punctuation the punct_insert evasion, or a leetspeak letter, put inside a
            # word ("ave-nue", "cont!nue")
            terms.append(rf"(?<!\w[.\-_*!$])\b{word}" + ("" if line.endswith("*") else r"\b"))
    return re.compile("|".join(terms), re.I)


def content_violations(texts):
    """Yield (text, reason) for every text that breaks a content rule."""
    graphic = graphic_terms()
    for text in texts:
        folded = DEFANGED_DOT.sub(".", unicodedata.normalize("NFKC", text).casefold())  # "vault[.]xyz" too
        folded += "\n" + normalize(text).text  # and as the normaliser reads it: "vault dot xyz", "hxxp://…"
        if m := graphic.search(folded):
            yield text, f"graphic term {m.group()!r}"
        for m in PHONE.finditer(folded):
            digits = re.sub(r"\D", "", m.group())
            if len(digits) >= 7 and not RESERVED_PHONE.search(digits):
                yield text, f"phone {m.group()!r} outside the fiction ranges"
        for m in HOSTS.finditer(folded):
            host = m.group(1) or m.group(2)
            if not RESERVED_HOST.search(host):
                yield text, f"host {host!r} is not a reserved domain"


def test_size_and_positive_share(default_corpus):
    df = default_corpus
    assert len(df) == DEFAULT_ROWS >= 30_000
    positive = df[list(LABELS)].any(axis=1).mean()
    assert 0.20 <= positive <= 0.30
    for label in LABELS:
        assert 0.06 <= df[label].mean() <= 0.16, label


def test_multi_label_combinations_are_present(default_corpus):
    df = default_corpus
    vi_sc = (df.victim_identification & df.safety_concern).sum()
    vi_pr = (df.victim_identification & df.promotion).sum()
    assert vi_sc >= 300 and vi_pr >= 100


def test_languages_styles_and_evasions_are_within_bounds(default_corpus):
    df = default_corpus
    assert (df.language != "en").mean() >= 0.08
    assert set(df.language) == {"en", "es", "de", "fr", "pt"}
    assert 0.12 <= (df.evasion != "none").mean() <= 0.18
    assert df.evasion.nunique() == 9
    styles = df["style"].value_counts(normalize=True)
    assert 0.30 <= styles["clean"] <= 0.50 and styles.min() >= 0.03


def test_the_final_punctuation_says_nothing_about_the_label(default_corpus):
    """The templates ended as their writers ended them: a quarter of the negatives with a full stop and
    almost no positive, and no positive with "!"; the model learnt that either means benign
    (models/RELEASES.md, `comments invariance`)."""
    synthetic = default_corpus[default_corpus.id.str.startswith("syn-")]
    rates = surface_rates(synthetic).set_index("style")
    assert 0.25 <= rates.at["ends with a full stop", "promotion"] <= 0.40
    assert 0.05 <= rates.at["ends with !", "promotion"] <= 0.12
    assert rates.at["ends with a full stop", "largest gap"] < 0.05
    assert rates.at["ends with !", "largest gap"] < 0.02


def test_split_shares_are_near_70_15_15(default_corpus):
    shares = default_corpus.split.value_counts(normalize=True)
    assert 0.60 <= shares["train"] <= 0.80
    assert 0.10 <= shares["dev"] <= 0.22 and 0.10 <= shares["test"] <= 0.22


def test_whole_corpus_obeys_the_content_rules(default_corpus):
    clean = default_corpus[default_corpus.evasion == "none"].text
    graphic = graphic_terms()
    problems = list(content_violations(clean))
    problems += [
        (t, "graphic") for t in default_corpus.text if graphic.search(unicodedata.normalize("NFKC", t).casefold())
    ]
    assert not problems, problems[:10]


def test_family_templates_hold_no_hard_coded_identifiers():
    problems = []
    for family in load_families():
        texts = [t for items in family.templates.values() for t in items]
        problems += [(family.id, *p) for p in content_violations(texts)]
        problems += [(family.id, t, "digits run") for t in texts if re.search(r"\d{4,}", t)]
    assert not problems, problems[:10]


@pytest.mark.parametrize(
    "text",
    [
        "she is nude in the set",
        "call 415-867-5309",
        "see https://realsite.com/x",
        "mail me a@gmail.com",
        "mega.nz/abc",
        "on the mirror at vault[.]xyz",
    ],
)
def test_when_text_breaks_a_content_rule_then_the_check_catches_it(text):
    assert list(content_violations([text]))


@pytest.mark.parametrize(
    "text",
    ["call (212) 555-0143", "https://files.example/x/ab12", "kd@example.org", "07700 900123", "at vault[.]example"],
)
def test_when_text_uses_reserved_identifiers_then_the_check_passes_it(text):
    assert not list(content_violations([text]))


def test_committed_data_card_matches_the_default_corpus(default_corpus):
    from comments.synth.card import render_card
    from comments.synth.generate import with_handwritten

    committed = (ROOT / "data/DATA_CARD.md").read_text(encoding="utf-8")
    expected = render_card(with_handwritten(default_corpus), DEFAULT_ROWS, DEFAULT_SEED)
    assert committed == expected, "run `make data` and commit data/DATA_CARD.md"


# A template's article or preposition that does not agree with the localised place after it
# (a street with its house number is an address and takes none)
ARTICLE_CLASHES = re.compile(
    r"\b(?:(?:en|a|de|por) (?:Instituto|Colegio|IES|Liceo)"
    r"|(?:en|de|por) (?:Calle|Avenida|Travesía) (?:de los|de las|del|de la) \w+\b(?! \d)"
    r"|(?:na|da) (?:Colégio|Instituto)|(?:no|do) (?:Rua|Avenida|Travessa)"
    r"|(?:à|de) (?:Collège|Lycée)|(?:le|du|au) (?:rue|allée|avenue|impasse)"
    r"|(?:im|dem|den) \w+-?(?:Realschule|Schule)|im (?:Grundschule|Gesamtschule))\b"
)


def test_non_english_rows_put_agreeing_articles_before_localised_places(default_corpus):
    rows = default_corpus[(default_corpus.language != "en") & (default_corpus.evasion == "none")].text
    clashes = [t for t in rows if ARTICLE_CLASHES.search(t)]
    assert not clashes, clashes[:10]
