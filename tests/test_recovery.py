"""Recovery on simulated data for every family (`bench/recovery.py`): the data are drawn with NumPy from
each family's brms parameterization, independently of hierc, and fitted with hierc's default priors.

About 73 true values are each checked against their posterior's central 95% interval; were the posteriors
calibrated, about 4 would fall outside by chance, and more than 9 with probability below 0.5%. The test
asks for at most 9, and none outside its central 99.9% interval (3.3 sds, a gross error).
"""

from __future__ import annotations

import pytest

from bench.recovery import DISTRIBUTIONAL, TRUTH, recover


def _misses(families, distributional: bool = False) -> tuple[list, list]:
    """The true values outside their 95% interval, and those outside their 99.9% interval too."""
    outside, gross = [], []
    for family in families:
        for label, truth, mean, low, high in recover(family, "pymc", distributional):
            if not low <= truth <= high:
                outside.append((family.value, label, truth, mean, low, high))
                sd = (high - low) / (2 * 1.96)  # the interval of a posterior near normal
                if abs(truth - mean) > 3.29 * sd:
                    gross.append(outside[-1])
    return outside, gross


@pytest.mark.equivalence  # 18 fits, about 3 minutes
def test_every_family_recovers_the_values_that_made_its_data():
    outside, gross = _misses(TRUTH)
    assert len(outside) <= 9, outside
    assert not gross, gross


@pytest.mark.equivalence  # 13 fits, about 4 minutes
def test_every_formula_of_an_auxiliary_parameter_recovers_its_coefficients():
    """One auxiliary parameter per family varies with z (`bench.recovery --distributional`): 70 values, about 3.5
    outside by chance, more than 9 with probability below 0.5%."""
    outside, gross = _misses(DISTRIBUTIONAL, distributional=True)
    assert len(outside) <= 9, outside
    assert not gross, gross
