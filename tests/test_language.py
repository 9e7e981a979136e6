import pytest

from comments.language import is_english


@pytest.mark.parametrize(
    "text",
    [
        "¿Alguien tiene más videos de Lucía? Los de la casa del lago.",
        "Danke, dass du das teilst. Viel Kraft dir.",
        "C'est Manon, la fille des vidéos du camping. Tout le monde le sait.",
        "Alguém tem a pasta completa? Troco por material novo, chama no privado.",
    ],
)
def test_when_a_comment_is_spanish_german_french_or_portuguese_then_it_is_not_english(text):
    assert not is_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "does anyone have the rest of the lake house set? dm me",
        "man she was so good in that movie",  # "man", "was", "so", "in" are German too; English wins
        "https://www.facebook.com/video.php?v=1&set=vb.2 @someone #tag",  # links, handles, tags only
        "lol",
        "",
    ],
)
def test_when_a_comment_is_english_slang_or_has_no_words_then_it_is_english(text):
    assert is_english(text)


def test_when_a_comment_is_one_long_link_then_it_is_english():
    assert is_english("https://example.com/" + "x" * 10_000)
    assert not is_english("x" * 10_000 + " alguien tiene la carpeta de ella")
