import json
from pathlib import Path

from comments.models.card import render_card

DEFAULT = Path("models/default")


def _metrics() -> dict:
    return json.loads((DEFAULT / "metrics.json").read_text(encoding="utf-8"))


def test_the_shipped_model_card_is_rendered_from_its_metrics():
    assert (DEFAULT / "MODEL_CARD.md").read_text(encoding="utf-8") == render_card(_metrics())


def test_the_card_says_when_the_cpu_lacks_the_instructions_that_speed_int8_up():
    m = _metrics()
    m["machine"]["int8_instructions"] = ["avx2"]
    assert "no VNNI or AMX" in render_card(m)
    m["machine"]["int8_instructions"] = ["avx512_vnni", "avx2"]
    card = render_card(m)
    assert "no VNNI" not in card and "avx512_vnni, avx2" in card
    assert "Its int8 products saturate" not in card
    m["machine"] |= {"int8_instructions": ["avx2"], "int8_products_exact": False}
    assert "Its int8 products saturate" in render_card(m)
    m["machine"]["int8_products_exact"] = True
    assert "Its int8 products saturate" not in render_card(m)
    m["machine"].pop("int8_instructions")  # metrics written before the field, or no /proc/cpuinfo
    assert f"**{m['benchmark']['speedup']}×**." in render_card(m)


def test_the_card_names_each_parity_limit_int8_misses():
    m = _metrics()
    m["parity"]["int8"] |= {"max_abs_diff": 0.3, "flip_rate": 0.002}
    card = render_card(m)
    assert "outside the limits: largest score change.**" in card
    m["parity"]["int8"] |= {"max_abs_diff": 0.3, "flip_rate": 0.01}
    assert "outside the limits: largest score change and decisions flipped at 0.5.**" in render_card(m)
    m["parity"]["int8"] |= {"max_abs_diff": 0.01, "flip_rate": 0.001}
    assert "int8 is within the limits." in render_card(m)


def test_when_int8_misses_the_bound_then_the_card_says_how_far_torch_moves_in_float64():
    m = _metrics()
    m["parity"]["int8"] |= {"max_abs_diff": 0.3, "flip_rate": 0.002}
    for key in ("torch_fp32_vs_fp64", "int8_vs_torch_fp64"):  # a bundle from before the measurement
        m["parity"].pop(key, None)
    assert "float64" not in render_card(m)
    own = {"rows": 1000, "max_abs_diff": 0.45, "mean_abs_diff": 0.0007, "flip_rate": 0.0013}
    m["parity"] |= {"torch_fp32_vs_fp64": own, "int8_vs_torch_fp64": own | {"max_abs_diff": 0.09}}
    card = render_card(m)
    assert "computed in float64 instead of fp32, differs by up to 0.45 (mean 0.00070, 0.130% of" in card
    assert "and int8 from the float64 scores by up to 0.09 (mean 0.00070)" in card


def test_the_card_says_how_many_of_the_labelled_train_rows_the_transformer_saw():
    m = _metrics() | {"train_rows_used": 100, "train_rows_available": 150}
    m |= {"train_positives_used": 40, "train_positives_available": 40}
    assert "saw 100 of the 150 train rows, 40 of the 40 that carry a label, for at most" in render_card(m)
    for key in ("train_positives_used", "train_positives_available"):  # a bundle from before the count
        del m[key]
    assert "saw 100 of the 150 train rows for at most" in render_card(m)
    assert "saw all 150 train rows" in render_card(m | {"train_rows_used": 150})


def test_the_card_says_whether_fine_tuning_mimicked_the_int8_rounding():
    m = _metrics()
    assert m["int8_aware"] and "computes what the int8 export computes" in render_card(m)
    card = render_card(m | {"int8_aware": False})
    assert "did not mimic the int8 rounding" in card and "computes what the int8 export computes" not in card
