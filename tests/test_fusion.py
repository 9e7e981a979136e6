"""The review floor: precision is judged at the traffic base rate, not at the dev split's mix."""

import numpy as np

from comments.fusion import _lowest_with_precision


def test_when_base_rate_drops_then_the_review_floor_rises():
    rng = np.random.default_rng(0)
    truth = np.r_[np.ones(300), np.zeros(700)].astype(int)
    scores = np.r_[rng.beta(5, 2, 300), rng.beta(2, 5, 700)]
    at_dev_mix = _lowest_with_precision(scores, truth, 0.5, 0.3)
    at_traffic = _lowest_with_precision(scores, truth, 0.5, 0.02)
    assert at_dev_mix < at_traffic < 1.0
    flags = scores >= at_traffic
    tpr, fpr = flags[truth == 1].mean(), flags[truth == 0].mean()
    assert tpr * 0.02 / (tpr * 0.02 + fpr * 0.98) >= 0.5


def test_when_no_threshold_reaches_the_target_then_the_floor_is_one():
    truth = np.array([0, 1, 0, 1])
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    assert _lowest_with_precision(scores, truth, 0.99, 0.02) == 1.0


def test_when_gate_level_is_fitted_then_it_skips_at_most_the_allowed_share_of_caught_positives():
    from comments.fusion import GATE_MAX_RECALL_LOSS, gate_level

    rng = np.random.default_rng(1)
    baseline = rng.uniform(size=5000)
    rules_fire = rng.uniform(size=5000) < 0.2
    caught = rng.uniform(size=5000) < 0.4
    level = gate_level(baseline, rules_fire, caught)
    lost = (caught & ~rules_fire & (baseline < level)).sum()
    assert 0 < level < 1
    assert lost <= GATE_MAX_RECALL_LOSS * caught.sum()
    # one step higher would lose more than allowed
    higher = np.sort(baseline[caught & ~rules_fire])
    next_level = higher[higher > level].min()
    assert (caught & ~rules_fire & (baseline < next_level)).sum() > GATE_MAX_RECALL_LOSS * caught.sum()


def test_when_rules_catch_every_positive_then_the_gate_needs_no_baseline():
    from comments.fusion import gate_level

    caught = np.array([True, True, False])
    assert gate_level(np.array([0.1, 0.2, 0.9]), np.array([True, True, False]), caught) == 1.0


def test_when_a_label_is_hard_then_review_keeps_the_minimum_recall():
    from comments.fusion import REVIEW_MIN_RECALL, review_level

    rng = np.random.default_rng(2)
    truth = np.r_[np.ones(300), np.zeros(700)].astype(int)
    scores = np.r_[rng.beta(3, 2, 300), rng.beta(2, 3, 700)]  # heavy overlap: the floor sits near 1
    level, notes = review_level(scores, truth, at_recall=0.05)
    assert notes["floor"] > notes["recall_cap"] == level
    assert (scores[truth == 1] >= level).mean() >= REVIEW_MIN_RECALL - 1e-9


def test_when_a_label_is_easy_then_review_rises_to_the_precision_floor():
    from comments.fusion import review_level

    rng = np.random.default_rng(3)
    truth = np.r_[np.ones(300), np.zeros(700)].astype(int)
    scores = np.r_[rng.beta(8, 1, 300), rng.beta(1, 8, 700)]
    level, notes = review_level(scores, truth, at_recall=0.05)
    assert level == notes["floor"] < notes["recall_cap"]


def test_when_a_label_uses_its_own_scores_only_then_other_columns_keep_zero_weight_and_survive_json():
    from comments.fusion import Combiner, columns

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 9 + 4))
    y = (x[:, :3] + x[:, 3:6] > 0).astype(int)  # each label follows its own two model scores
    fitted = Combiner(["a", "b", "c", "d"], c=1.0, feature_set="own_scores").fit(x, y)
    for j in range(3):
        used = columns("own_scores", j, x.shape[1])
        assert used == [j, 3 + j, 6 + j]
        assert np.all(fitted.coef_[:, j, [i for i in range(x.shape[1]) if i not in used]] == 0)
        assert fitted.coef_[0, j, j] > 0 and np.all(fitted.coef_[:, j, 3 + j] > 0)
    back = Combiner.from_json(fitted.to_json(), {"a", "b", "c", "d"})
    assert back.feature_set == "own_scores" and np.array_equal(back.predict_proba(x), fitted.predict_proba(x))
    older = {k: v for k, v in fitted.to_json().items() if k != "feature_set"}  # fusion.json before feature sets
    older |= {"coef": fitted.coef_[0].tolist(), "intercept": fitted.intercept_[0].tolist()}  # and before groups
    loaded = Combiner.from_json(older, {"a", "b", "c", "d"})
    assert loaded.feature_set == "all" and np.array_equal(loaded.predict_proba(x), fitted.predict_proba(x))
    assert loaded.uses_transformer("other") and not fitted.uses_transformer("other")


def test_when_languages_follow_different_scores_then_each_group_gets_its_own_fit():
    from comments.fusion import Combiner

    rng = np.random.default_rng(5)
    x = rng.normal(size=(1200, 9))
    other = np.arange(1200) >= 800
    # English rows follow the transformer columns, the other rows the baseline columns
    y = np.where(other[:, None], x[:, 3:6] > 0, x[:, :3] > 0).astype(int)
    fitted = Combiner([], c=1.0, feature_set="own_scores").fit(x, y, other)
    for j in range(3):
        assert fitted.coef_[0, j, j] > 3 * abs(fitted.coef_[0, j, 3 + j])
        assert fitted.coef_[1, j, 3 + j] > 1 and fitted.coef_[1, j, j] == 0
    hits = (fitted.predict_proba(x, other) >= 0.5) == y
    assert hits.mean() > 0.95
    assert ((Combiner([], c=1.0, feature_set="own_scores").fit(x, y).predict_proba(x) >= 0.5) == y).mean() < 0.9
    back = Combiner.from_json(fitted.to_json(), set())
    assert np.array_equal(back.predict_proba(x, other), fitted.predict_proba(x, other))


def test_when_a_group_has_too_few_positives_then_it_falls_back_to_every_row():
    from comments.fusion import Combiner

    rng = np.random.default_rng(6)
    x = rng.normal(size=(500, 9))
    y = (x[:, :3] > 0).astype(int)
    other = np.zeros(500, bool)
    other[:10] = True  # ten rows cannot hold twenty of each class
    fitted = Combiner([], c=1.0, feature_set="own_scores").fit(x, y, other)
    every_row = Combiner([], c=1.0, feature_set="own_scores").fit(x, y, np.ones(500, bool))
    assert np.allclose(fitted.coef_[1], every_row.coef_[1])


def test_when_the_transformer_predicts_every_row_then_the_non_english_fit_still_leaves_it_out():
    from comments.fusion import Combiner

    rng = np.random.default_rng(7)
    x = rng.normal(size=(1000, 9))
    y = (x[:, :3] + 0.5 * x[:, 3:6] > 0).astype(int)
    other = np.arange(1000) >= 600
    fitted = Combiner([], c=1.0, feature_set="all").fit(x, y, other)
    assert np.all(np.abs(fitted.coef_[0, np.arange(3), np.arange(3)]) > 1)
    assert not fitted.coef_[1, :, :3].any()
    assert np.all(fitted.coef_[1, np.arange(3), 3 + np.arange(3)] > 0.1)


def test_when_the_fit_may_read_the_transformer_outside_english_then_it_does_and_says_so():
    from comments.fusion import Combiner

    rng = np.random.default_rng(7)
    x = rng.normal(size=(1000, 9))
    y = (x[:, :3] + 0.5 * x[:, 3:6] > 0).astype(int)
    other = np.arange(1000) >= 600
    fitted = Combiner([], c=1.0, feature_set="all", transformer_outside_english=True).fit(x, y, other)
    assert np.all(np.abs(fitted.coef_[1, np.arange(3), np.arange(3)]) > 1)
    assert fitted.uses_transformer("other")
    back = Combiner.from_json(fitted.to_json(), set())
    assert back.transformer_outside_english and back.uses_transformer("other")
    assert np.array_equal(back.predict_proba(x, other), fitted.predict_proba(x, other))
