"""The shipped pipeline: batching must not change a result."""

import json
import shutil
from pathlib import Path

import pytest

from comments.labels import LABELS
from comments.pipeline import CHUNK, load_pipeline
from tests.conftest import ROOT, data_rows


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline(ROOT / "models/default")


@pytest.fixture(scope="module")
def texts():
    rows = data_rows("challenge.jsonl")
    return [r["text"] for r in rows[: 2 * CHUNK + 17]]


def test_when_a_batch_spans_several_chunks_then_each_result_equals_scoring_it_alone(pipeline, texts):
    batched = pipeline.score_batch(texts)
    assert [r.to_dict() for r in batched] == [pipeline.score(t).to_dict() for t in texts]
    assert any(r.transformer_ran for r in batched) and not all(r.transformer_ran for r in batched)


def test_when_the_gate_is_bypassed_then_the_transformer_scores_every_comment(pipeline, texts):
    assert all(r.transformer_ran for r in pipeline.score_batch(texts, run_all=True))
    assert pipeline.score_batch([]) == []


def _non_english_challenge():
    from comments.language import non_english

    rows = data_rows("challenge.jsonl")
    texts = [r["text"] for r in rows if r["language"] != "en"]
    other = non_english(texts)
    assert other.sum() >= 20
    return [t for t, o in zip(texts, other, strict=True) if o]


def _with_other_fit(tmp_path, change) -> Path:
    """A copy of the shipped bundle whose combiner's fit outside English `change` rewrote."""
    from comments.models.bundle import rehash_manifest

    bundle = tmp_path / "changed"
    shutil.copytree(ROOT / "models/default", bundle)
    fusion = json.loads((bundle / "fusion.json").read_text(encoding="utf-8"))
    change(fusion)
    (bundle / "fusion.json").write_text(json.dumps(fusion), encoding="utf-8")
    rehash_manifest(bundle)
    return bundle


def test_when_the_fit_outside_english_leaves_the_transformer_out_then_it_does_not_run_there(tmp_path):
    def leave_out(fusion):
        fusion["transformer_outside_english"] = False
        for row in fusion["coef"]["other"]:
            row[: len(LABELS)] = [0.0] * len(LABELS)

    without = load_pipeline(_with_other_fit(tmp_path, leave_out))
    texts = _non_english_challenge()
    assert not any(r.transformer_ran for r in without.score_batch(texts))
    assert all(r.transformer_ran for r in without.score_batch(texts, run_all=True))


def test_when_a_fit_from_before_the_choice_reads_the_transformer_outside_english_then_it_runs_there(tmp_path):
    def read_it(fusion):
        del fusion["transformer_outside_english"]
        fusion["coef"]["other"], fusion["intercept"]["other"] = fusion["coef"]["en"], fusion["intercept"]["en"]

    reading = load_pipeline(_with_other_fit(tmp_path, read_it))
    assert any(r.transformer_ran for r in reading.score_batch(_non_english_challenge()))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("that's Kayla Dorsey from the beach vids, her number is 555-0142", ["Kayla", "Dorsey"]),
        ("the girl from the lakehouse set is Dana Pike, her insta is @danap_22", ["Dana", "Pike"]),
        ("anyone have more of kayla dorsey? dm me", ["kayla", "dorsey"]),
        ("yeah it's Nevaeh from the sunflower set, works at the laundromat", ["Nevaeh"]),
        ("that's k4yla d0rsey from the lakehouse set", ["k4yla", "d0rsey"]),
        ("that's \u202eyesroD alyaK\u202c from the lakehouse set", ["alyaK", "yesroD"]),
        ("that's K\u0430yla D\u043ersey from the lakehouse set", ["yla", "rsey"]),
        ("that's Kay\u200bla Dor\u200bsey from the lakehouse set", ["Kay", "Dor", "\u200b"]),
        ("that's N e v a e h from the sunflower set", ["N e v", "a e h"]),
        ("the girl in the set is K a y l a D o r s e y, dm for the folder", ["K a y", "D o r"]),
        ("that's n.e.v.a.e.h from the lakehouse set, she's at Pinecrest", ["n.e.v", "a.e.h"]),
        ("oh look, its corliss from the vids all grown up", ["corliss"]),
        ("thats jazlynn from the sunflower set, she lives on elm", ["jazlynn"]),
        ("it\u2019s corliss from the vids all grown up", ["corliss"]),
        ("that's Nev aeh from the sunflower set, she lives in Ohio now", ["Nev", "aeh"]),
        ("saw nevaeh brightwater from the lakehouse set at the mall, she lives on 5th", ["nevaeh", "brightwater"]),
        ("saw nevaeh-brightwater from the lakehouse set at the mall, she lives on 5th", ["nevaeh", "brightwater"]),
    ],
)
def test_when_a_flagged_comment_names_someone_then_reviewers_see_no_name(pipeline, text, names):
    result = pipeline.score(text)
    assert result.decision != "allow"
    assert "[NAME]" in result.masked_text
    assert not any(name in result.masked_text for name in names), result.masked_text


@pytest.mark.parametrize("material", ["set", "s3t", "s e t", "sets", "folders"])
def test_when_an_unknown_word_after_its_names_material_then_it_stays_visible(pipeline, material):
    result = pipeline.score(f"lol its treehouse {material} all over again, who has the folder")
    assert result.decision != "allow" and f"treehouse {material}" in result.masked_text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Nevaeh weren't you in the pickering set? just asking", "weren't"),  # a contraction's head
        ("NEVAEH WEREN'T YOU IN THE PICKERING SET? JUST ASKING", "WEREN'T"),
        ("nеw lіnkѕ fоr thе јunіоr расk, сhесk mу bіо", "fоr thе"),  # look-alike letters, no name
        ("Wenn du nochmal vor Gericht aussagst, finden wir dich. Versprochen.", "aussagst"),  # a verb form
    ],
)
def test_when_unknown_words_are_no_names_then_they_stay_visible(pipeline, text, kept):
    result = pipeline.score(text)
    assert result.decision != "allow" and kept in result.masked_text, result.masked_text


def test_when_an_operator_overrides_the_thresholds_then_decisions_follow_the_file(tmp_path, monkeypatch):
    from comments.errors import ModelLoadError
    from comments.settings import get_settings

    text = "the girl from the lakehouse set is Dana Pike, she works at Cobble Cafe"
    assert load_pipeline(ROOT / "models/default").score(text).decision == "remove"
    lenient = tmp_path / "thresholds.json"
    lenient.write_text(json.dumps({lab: {"review": 0.999, "remove": 1.0} for lab in LABELS}), encoding="utf-8")
    monkeypatch.setenv("COMMENTS_THRESHOLDS_FILE", "")  # an empty value is no override
    get_settings.cache_clear()
    assert load_pipeline(ROOT / "models/default").score(text).decision == "remove"
    monkeypatch.setenv("COMMENTS_THRESHOLDS_FILE", str(lenient))
    get_settings.cache_clear()
    try:
        result = load_pipeline(ROOT / "models/default").score(text)
        assert result.decision == ("review" if max(result.scores.values()) >= 0.999 else "allow")
        lenient.write_text(json.dumps({"promotion": {"review": 0.9, "remove": 0.5}}), encoding="utf-8")
        with pytest.raises(ModelLoadError, match="must map each of"):
            load_pipeline(ROOT / "models/default")
    finally:
        get_settings.cache_clear()


def test_when_fusion_json_is_not_in_the_manifest_then_the_bundle_is_refused(tmp_path):
    from comments.errors import ModelLoadError

    bundle = tmp_path / "unlisted"
    shutil.copytree(ROOT / "models/default", bundle)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]["fusion.json"]
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="comments fuse"):
        load_pipeline(bundle)
