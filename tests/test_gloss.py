from pathlib import Path

import pytest

from comments.gloss import _WORD, gloss, glossary, transformer_input, transformer_inputs
from comments.models.onnx_runtime import encode, load_tokenizer, token_lengths
from comments.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("es", "de", "fr", "pt")


@pytest.mark.parametrize("language", LANGUAGES)
def test_when_a_glossary_is_read_then_every_entry_is_one_lower_case_word_with_a_different_short_gloss(language):
    lines = [
        line
        for line in (ROOT / "comments" / "glossaries" / f"{language}.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert all(line.count("\t") == 1 for line in lines)
    table = glossary(language)
    assert len(table) == len(lines) >= 1500  # no key twice
    # every key can be met: a whole word as the normaliser writes it (ss for ß, no digits)
    assert all(_WORD.fullmatch(word) and normalize(word).text == word for word in table)
    assert all(english and english != word and len(english.split()) <= 3 for word, english in table.items())


def test_when_the_language_vote_is_read_then_its_words_are_wordfreqs():
    from wordfreq import top_n_list

    from comments.language import TOP_WORDS, _common_words
    from comments.normalize import LANGUAGES

    english, others = _common_words()
    assert [english, *others] == [frozenset(top_n_list(lang, TOP_WORDS, "small")) for lang in LANGUAGES]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("alguien sabe dónde vive ella ahora? es que no la encuentro", {"where", "lives"}),
        ("weiß jemand, wo sie jetzt wohnt? ich finde sie nicht", {"where", "lives"}),
        ("quelqu'un sait où elle habite maintenant ? je ne la trouve pas", {"where", "lives"}),
        ("alguém sabe onde ela mora agora? não consigo achar ela", {"where", "lives"}),
    ],
)
def test_when_a_comment_is_not_english_then_the_transformer_reads_its_english_gloss(text, words):
    read = transformer_input(normalize(text).text)
    assert words <= set(read.replace("?", " ").replace(",", " ").split())


def test_when_a_comment_is_english_then_the_transformer_reads_it_unchanged():
    text = "does anyone know where she lives now? de la casa"
    assert transformer_input(text) == text


def test_when_a_word_is_elided_then_it_is_glossed_as_a_word_or_whole():
    assert gloss("l'école", "fr").split() == ["the", glossary("fr")["école"]]
    assert gloss("quelqu'un", "fr") == glossary("fr")["quelquun"]  # one word written with an apostrophe


def test_when_a_hyphenated_word_is_in_the_glossary_then_it_is_glossed_whole_and_otherwise_by_part():
    assert gloss("encontrá-la", "pt") == glossary("pt")["encontrá-la"]
    assert gloss("ex-mulher", "pt") == "-".join(glossary("pt").get(p, p) for p in ("ex", "mulher"))


def test_when_a_comment_holds_a_link_a_handle_or_a_hashtag_then_they_are_left_as_written():
    text = "la chica de https://example.com/la-casa es @la_chica_de_casa #la_casa"
    read = gloss(text, "es")
    assert read.split()[-2:] == text.split()[-2:] and text.split()[3] in read.split()
    assert read.split()[:3] != text.split()[:3]


def test_when_texts_are_encoded_then_the_tokens_are_those_of_what_the_transformer_reads():
    tokenizer = load_tokenizer(ROOT / "models" / "default" / "tokenizer.json")
    texts = ["¿alguien tiene más vídeos de ella? los de la casa del lago", "where does she live now?"]
    read = transformer_inputs(texts)
    assert read[0] != texts[0] and read[1] == texts[1]
    assert (encode(tokenizer, texts)["input_ids"] == encode(tokenizer, read)["input_ids"]).all()
    assert token_lengths(tokenizer, texts) == [len(tokenizer.encode(t).ids) for t in read]
