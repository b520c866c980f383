"""Recovery on simulated data for every family (`bench/recovery.py`): the data are drawn with NumPy from
each family's brms parameterization, independently of hierc, and fitted with hierc's default priors.

About 73 true values are each checked against their posterior's central 95% interval; were the posteriors
calibrated, about 4 would fall outside by chance, and more than 9 with probability below 0.5%. The test
asks for at most 9, and none outside its central 99.9% interval (3.3 sds, a gross error).
"""

from __future__ import annotations

import pytest

from bench.recovery import TRUTH, recover


@pytest.mark.equivalence  # 18 fits, about 3 minutes
def test_every_family_recovers_the_values_that_made_its_data():
    outside, gross = [], []
    for family in TRUTH:
        for label, truth, mean, low, high in recover(family, "pymc"):
            if not low <= truth <= high:
                outside.append((family.value, label, truth, mean, low, high))
                sd = (high - low) / (2 * 1.96)  # the interval of a posterior near normal
                if abs(truth - mean) > 3.29 * sd:
                    gross.append(outside[-1])
    assert len(outside) <= 9, outside
    assert not gross, gross
