"""`prior b_Intercept ~ ...`: the intercept's prior at predictors = 0, the parameter still the centred intercept.

The log density of such a model, less that of the same model with the prior on the centred intercept,
is SciPy's log density of the prior at b_Intercept = Intercept - means_X' b (thresholds: + means_X' b)
less that at Intercept, at random points of both encodings. Stan's side is checked by the example spec
specs/machine_failures.hm (tests/test_backends_agree.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import hierc
from fake_data import fake_frame
from hierc.backends.pymc.model import pymc_model
from hierc.data.design import bind
from pymc_helpers import logp_function, random_points

CASES = {
    "gaussian": ("y ~ 1 + x + C(c) + (1 | g)\n", 1.0),
    "cumulative": ("y ~ 1 + x + C(c)\nfamily cumulative\n", -1.0),  # the thresholds are shifted the other way
}


@pytest.mark.parametrize("encoding", ["vectorized", "unrolled"])
@pytest.mark.parametrize("case", CASES)
def test_the_prior_is_scipys_at_b_intercept(case, encoding):
    text, sign = CASES[case]
    centred = hierc.loads(text + "prior Intercept ~ normal(0.5, 2)\n")
    uncentered = hierc.loads(text + "prior b_Intercept ~ normal(0.5, 2)\n")
    assert uncentered.prior(hierc.ir.ParamClass.INTERCEPT).uncentered
    frame = fake_frame(centred, n=50, seed=2)
    frame["x"] += 2.0  # a mean far from 0: the intercepts at the means and at 0 differ
    bound = bind(centred, frame)
    first, second = pymc_model(bound, encoding), pymc_model(bind(uncentered, frame), encoding)
    logp_first, logp_second = logp_function(first), logp_function(second)
    means = bound.X.matrix.mean(axis=0)
    graphs = first.replace_rvs_by_values([first["Intercept"], first["b"]])  # their values at a point
    values = first.compile_fn(graphs, inputs=first.value_vars, on_unused_input="ignore")
    for point in random_points(first):
        intercept, b = values(point)
        intercept = np.atleast_1d(intercept)
        at_zero = intercept - sign * means @ b
        expected = stats.norm(0.5, 2).logpdf(at_zero).sum() - stats.norm(0.5, 2).logpdf(intercept).sum()
        assert logp_second(point) - logp_first(point) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_b_intercept_needs_an_intercept_and_only_one_prior():
    with pytest.raises(hierc.SpecError, match="the model has no intercept"):
        hierc.loads("y ~ 0 + x\nprior b_Intercept ~ normal(0, 1)\n")
    with pytest.raises(hierc.SpecError, match="a second prior"):
        hierc.loads("y ~ 1 + x\nprior Intercept ~ normal(0, 1)\nprior b_Intercept ~ normal(0, 1)\n")
