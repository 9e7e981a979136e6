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
