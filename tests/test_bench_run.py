from bench.run import merge


def _entry(run, per_s=100.0):
    return {"run": run, "comments_per_s": per_s}


def test_a_partial_run_keeps_the_machine_of_every_run_still_cited_and_drops_the_rest():
    first = merge(
        {}, {s: _entry("r1") for s in ("rules_only", "normalize", "fused", "hf_pipeline")}, "r1", {"cpu": "A"}
    )
    assert first["machines"] == {"r1": {"cpu": "A"}}
    assert first["ratios"]["fused_vs_hf_pipeline"] == {"value": 1.0, "run": "r1"}

    second = merge(first, {"rules_only": _entry("r2", 50.0), "normalize": _entry("r2", 200.0)}, "r2", {"cpu": "B"})
    assert second["machines"] == {"r1": {"cpu": "A"}, "r2": {"cpu": "B"}}
    assert second["systems"]["fused"]["run"] == "r1" and second["systems"]["rules_only"]["run"] == "r2"
    assert second["ratios"] == {
        "fused_vs_hf_pipeline": {"value": 1.0, "run": "r1"},
        "rules_only_vs_normalize": {"value": 0.25, "run": "r2"},
    }

    third = merge(second, {"fused": _entry("r3"), "hf_pipeline": _entry("r3", 10.0)}, "r3", {"cpu": "C"})
    assert set(third["machines"]) == {"r2", "r3"}  # nothing measured in r1 is left
    assert third["ratios"]["fused_vs_hf_pipeline"] == {"value": 10.0, "run": "r3"}


def test_a_ratio_is_never_taken_between_runs():
    first = merge({}, {"fused": _entry("r1"), "hf_pipeline": _entry("r1")}, "r1", {})
    second = merge(first, {"fused": _entry("r2", 300.0)}, "r2", {})
    assert second["ratios"]["fused_vs_hf_pipeline"]["run"] == "r1"
