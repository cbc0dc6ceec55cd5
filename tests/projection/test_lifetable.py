from __future__ import annotations

import numpy as np

from laosp.projection.lifetable import calibrate_alpha, life_expectancy, survival_for_e0


def test_the_calibrated_table_has_the_target_life_expectancy() -> None:
    targets = np.array([[35.0, 55.5], [68.2, 88.0]])
    assert np.allclose(life_expectancy(calibrate_alpha(targets)), targets, atol=1e-6)


def test_survival_ratios_are_probabilities_and_fall_with_mortality() -> None:
    low, high = survival_for_e0(np.array([55.0, 80.0])).by_age
    assert np.all((low > 0) & (low <= 1))
    assert np.all((high > 0) & (high <= 1))
    assert np.all(low < high)
