import hashlib
import random

import pytest

from comments.labels import LABELS
from comments.synth.evasions import EVASIONS, apply_evasion, possible_evasions
from comments.synth.generate import COLUMNS, HANDWRITTEN_COPIES, generate, with_handwritten, write_corpus
from comments.synth.grammar import parse_families
from comments.synth.styles import ENDINGS, STYLES, apply_style, sentence_end
from tests.conftest import data_rows


@pytest.fixture(scope="module")
def small():
    return generate(3000, 7)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_when_seed_is_repeated_then_parquet_bytes_are_identical(tmp_path):
    a = write_corpus(generate(800, 5), tmp_path / "a")
    b = write_corpus(generate(800, 5), tmp_path / "b")
    assert _digest(a) == _digest(b)


def test_when_seed_changes_then_corpus_changes(small):
    other = generate(3000, 8)
    assert (small.text != other.text).mean() > 0.9


def test_columns_are_in_the_documented_order(small):
    assert tuple(small.columns) == COLUMNS
    for label in LABELS:
        assert set(small[label].unique()) <= {0, 1}


def test_when_split_by_family_then_no_family_crosses_splits(small):
    splits_per_family = small.groupby("family")["split"].nunique()
    assert splits_per_family.max() == 1
    train = set(small[small.split == "train"].family)
    assert not train & set(small[small.split == "test"].family)
    assert not train & set(small[small.split == "dev"].family)


def test_every_split_holds_every_label(small):
    for split in ("train", "dev", "test"):
        part = small[small.split == split]
        for label in LABELS:
            assert part[label].sum() > 0, (split, label)


def test_texts_are_unique(small):
    assert small.text.is_unique


@pytest.mark.parametrize("style", STYLES)
def test_when_style_is_applied_then_text_stays_nonempty(style):
    import random

    out = apply_style("Does anyone know where the rest of the folder went? please", style, random.Random(1))
    assert out.strip()
    if style == "allcaps":
        assert out == out.upper()


@pytest.mark.parametrize("kind", EVASIONS)
def test_when_evasion_is_applied_then_text_changes(kind):
    import random

    text = "the Lakeside set is on telegram, call (212) 555-0143"
    assert kind in possible_evasions(text)
    assert apply_evasion(text, kind, random.Random(3)) != text


def test_a_random_link_path_never_holds_three_letters_in_a_row():
    import random
    import re

    from comments.synth.slots import SlotFiller

    filler = SlotFiller(random.Random(7))
    paths = [filler.values()["url"].rsplit("/", 1)[1] for _ in range(3000)]
    assert all(len(p) == 6 for p in paths)
    assert not [p for p in paths if re.search(r"[A-Za-z]{3}", p)]
    assert len(set(paths)) > 2900  # still random


def test_a_share_of_first_names_are_recent_given_names_in_the_locales_language():
    import random

    from comments.synth.slots import MODERN_FIRST_NAMES, SlotFiller

    filler = SlotFiller(random.Random(7))
    for locale in ("en_US", "es_MX", "de_DE", "fr_FR", "pt_BR"):
        firsts = [filler.person(locale)["first_name"] for _ in range(600)]
        share = sum(f in MODERN_FIRST_NAMES[locale[:2]] for f in firsts) / len(firsts)
        assert 0.2 < share < 0.5, (locale, share)


def test_no_recent_given_name_appears_in_the_challenge_set():
    """The challenge set must test names the generator never drew, not these. Words as people type
    them: accents count ("Mía" is a name, "mía" a Spanish word) and a handle is one word (@lea_vrtn)."""
    import re

    from comments.synth.slots import MODERN_FIRST_NAMES

    def words(text: str) -> set[str]:
        return set(re.findall(r"\w+", text.lower()))

    challenge = set().union(*(words(r["text"]) for r in data_rows("challenge.jsonl")))
    names = set().union(*(words(name) for names in MODERN_FIRST_NAMES.values() for name in names))
    assert not names & challenge


def test_the_person_of_a_comment_has_the_gender_its_words_give_them():
    """ "she's {name} now" never draws a boy's name, "the boy in the set is {name}" never a girl's."""
    import re

    from faker import Faker

    from comments.synth.generate import iter_rows
    from comments.synth.grammar import Family
    from comments.synth.slots import MODERN_FIRST_NAMES, NAME_LOCALES

    def names(kind: str) -> set[str]:
        lists = [next(p for p in Faker(loc).providers if hasattr(p, kind)) for loc in NAME_LOCALES]
        return set().union(*(getattr(p, kind) for p in lists))

    female = names("first_names_female") | set().union(*MODERN_FIRST_NAMES.values())
    male = names("first_names_male")
    families = [
        Family("vi_her", frozenset({"victim_identification"}), "t", {"en": ('she is "{first_name}" now',)}),
        Family("vi_him", frozenset({"victim_identification"}), "t", {"en": ('the boy is "{first_name}"',)}),
        Family("neg_x", frozenset(), "everyday", {"en": ('"{first_name}" made soup',)}),
        Family("vi_either", frozenset({"victim_identification"}), "t", {"en": ('[she|he] was "{first_name}" then',)}),
    ]
    rows = list(iter_rows(rows=3000, seed=3, families=families))
    shapes = {
        "vi_her": r'"(.+)"',
        "vi_him": r'"(.+)"',
        "neg_x": r'"(.+)"',
        "vi_either": r'\b(s?he) was "(.+)"',
    }
    firsts = {fam: [] for fam in [*shapes, "vi_either_she", "vi_either_he"]}
    for row in rows:
        if row["evasion"] == "none" and row["style"] == "clean":
            m = re.search(shapes[row["family"]], row["text"])
            key = row["family"] + (f"_{m.group(1)}" if row["family"] == "vi_either" else "")
            firsts[key].append(m.group(m.lastindex))
    assert len(firsts["vi_her"]) > 40 and len(firsts["vi_him"]) > 40 and len(firsts["vi_either_he"]) > 20
    # The alternative chosen ("[she|he]") decides, not the words the template could have had.
    for fam, names in (("vi_her", female), ("vi_either_she", female), ("vi_him", male), ("vi_either_he", male)):
        assert all(f in names for f in firsts[fam]), (fam, set(firsts[fam]) - names)
    # Where the words give no gender, boys still appear.
    assert any(f in male - female for f in firsts["neg_x"])


@pytest.mark.parametrize(
    ("text", "language", "gender"),
    [
        ("she's {name} now", "en", "female"),
        ("the boy in the set is {name}", "en", "male"),
        ("{name} from the set", "en", None),
        ("she told him about {name}", "en", None),  # two people: left to chance
        ("la chica del set es {name}, vive en un pueblo chico", "es", "female"),  # "chico" is also "small"
        ("el chico del set es {name}", "es", "male"),
        ("das ist eine junge {name} aus {town}", "de", None),  # "junge" is also "young"
        ("der Junge aus dem Set ist {name}", "de", "male"),
        ("c'est {name}, la fille du set", "fr", "female"),
        ("a {name} dos vídeos tem um menino agora", "pt", "female"),  # the article names her, "menino" her son
        ("o {first_name} do set", "pt", "male"),
    ],
)
def test_template_gender_reads_the_words_of_each_language(text, language, gender):
    from comments.synth.grammar import template_gender

    assert template_gender(text, language) == gender


def test_hand_written_rows_join_train_only_each_twice_with_their_labels(small):
    corpus = with_handwritten(small)
    added = corpus.iloc[len(small) :]
    assert corpus.iloc[: len(small)].equals(small)
    assert tuple(corpus.columns) == COLUMNS and corpus.id.is_unique
    assert set(added.split) == {"train"} and set(added.family) == {"handwritten"}
    assert added.text.value_counts().eq(HANDWRITTEN_COPIES).all()
    for label in LABELS:
        assert added[label].dtype == small[label].dtype and 100 <= added[label].sum() / HANDWRITTEN_COPIES


def _relabelled(third: str, relabel: dict, rows: int):
    """A corpus of two small families, before and after `relabel` is given to the first; the text must not move."""
    vi = ["that's {name} from the set", "the {series} girl is {name}", third]
    entries = [
        {"id": "vi_x", "labels": ["victim_identification"], "kind": "k", "templates": vi},
        {"id": "neg_x", "labels": [], "kind": "everyday", "templates": ["a {town}", "b [c|d]", "e {name}"]},
    ]
    before = generate(rows, 3, parse_families(entries, "t.yaml"))
    entries[0]["relabel"] = relabel
    after = generate(rows, 3, parse_families(entries, "t.yaml"))
    assert after.text.equals(before.text)
    return before, after


def test_when_a_template_is_relabelled_then_only_its_rows_change_labels_and_no_text_changes():
    before, after = _relabelled("qq {name}", {"qq {name}": []}, 400)
    moved = after.text.str.lower().str.contains("qq")
    assert moved.sum() > 10
    assert (before[moved].victim_identification == 1).all() and (after[moved].victim_identification == 0).all()
    assert after[~moved].equals(before[~moved])


def test_when_a_relabel_has_phrases_that_keep_the_family_labels_then_only_rows_without_them_move():
    third = "[she's|the kid from those pics is] {name}"
    before, after = _relabelled(third, {third: {"labels": [], "unless": ["the kid from those pics"]}}, 600)
    lower = after.text.str.lower()
    moved, material = before.victim_identification != after.victim_identification, lower.str.contains("those pics")
    assert moved.sum() > 10 and material.sum() > 10 and (after[material].victim_identification == 1).all()
    assert (after[moved].victim_identification == 0).all() and not (moved & material).any()
    assert after[~moved].equals(before[~moved])


def test_a_comment_ends_with_a_full_stop_an_exclamation_mark_or_nothing_whatever_its_template_wrote():
    rng = random.Random(5)
    ends = [
        sentence_end(t, rng) for t in ("who has the set", "who has the set.", "who has the set!!") for _ in range(400)
    ]
    shares = {end: ends.count("who has the set" + end) / len(ends) for end, _ in ENDINGS}
    assert set(ends) == {"who has the set" + end for end, _ in ENDINGS}
    for end, share in ENDINGS:
        assert abs(shares[end] - share) < 0.04, (end, shares)
    for text in ("who has the set?", "wait for it...", "go say hi 😈", '"the set"', "¡vamos equipo!"):
        assert sentence_end(text, rng) == text  # other endings stay


def test_when_the_drawn_ending_is_taken_then_another_one_is_used():
    every = {"who has the set" + end for end, _ in ENDINGS}
    for seed in range(10):
        drawn = sentence_end("who has the set", random.Random(seed))
        other = sentence_end("who has the set", random.Random(seed), {drawn})
        assert other in every - {drawn}
        assert sentence_end("who has the set", random.Random(seed), every - {other}) == other
