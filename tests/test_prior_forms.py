"""Priors beyond a distribution on a parameter: `flat`, and `b_Intercept`, the intercept at predictors = 0.

`prior b_Intercept ~ ...` keeps the centred intercept as the parameter. The log density of such a
model, less that of the same model with the prior on the centred intercept, is SciPy's log density
of the prior at b_Intercept = Intercept - means_X' b (thresholds: + means_X' b) less that at
Intercept, at random points of both encodings. Stan's side is checked by the example spec
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
from test_bambi import assert_same_log_density

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


FLAT = "y ~ 1 + x + (1 | g)\nprior Intercept ~ flat\nprior b ~ flat\nprior sd ~ flat()\n"
PROPER = "y ~ 1 + x + (1 | g)\nprior Intercept ~ normal(1, 3)\nprior b ~ normal(0, 2)\nprior sd ~ halfnormal(1.5)\n"


@pytest.mark.parametrize("encoding", ["vectorized", "unrolled"])
def test_a_flat_prior_adds_nothing_to_the_log_density(encoding):
    """The flat model's log density is the proper model's less SciPy's log densities of those priors (the sd's
    log transform has the same Jacobian in both); Bambi's `Flat` and `HalfFlat` give the same."""
    flat, proper = hierc.loads(FLAT), hierc.loads(PROPER)
    frame = fake_frame(flat, n=40, seed=1)
    first, second = pymc_model(bind(flat, frame), encoding), pymc_model(bind(proper, frame), encoding)
    graphs = second.replace_rvs_by_values([second["Intercept"], second["b"], second["sd_g"]])
    values = second.compile_fn(graphs, inputs=second.value_vars, on_unused_input="ignore")
    logp_flat, logp_proper = logp_function(first), logp_function(second)
    residuals = []
    for point in random_points(second):
        intercept, b, sd = values(point)
        priors = stats.norm(1, 3).logpdf(intercept) + stats.norm(0, 2).logpdf(b).sum()
        priors += stats.halfnorm(scale=1.5).logpdf(sd)
        residuals.append(logp_flat(point) - (logp_proper(point) - priors))
    # PyMC's normalizing constants differ from SciPy's by about 2e-8 per density: a constant, no more
    assert np.ptp(residuals) < 1e-10 and abs(np.mean(residuals)) < 1e-7
    if encoding == "vectorized":
        assert_same_log_density(flat, frame)


def test_a_flat_prior_is_said_to_be_improper_and_has_no_prior_draws():
    model = hierc.loads(FLAT)
    assert hierc.summarize(model).count("; improper") == 3
    with pytest.raises(hierc.BackendError, match="improper"):
        hierc.sample_prior(model, fake_frame(model, n=20, seed=1), draws=10, seed=1)
    with pytest.raises(hierc.SpecError, match="correlation matrix"):
        hierc.loads("y ~ 1 + (1 + x | g)\nprior cor ~ flat\n")
    with pytest.raises(hierc.SpecError, match="probability"):
        hierc.loads("y ~ 1\nfamily zero_inflated_poisson\nprior zi ~ flat\n")
    # PyMC's LKJCholeskyCov starts from draws of the sds' prior: a correlated block's need a proper one
    with pytest.raises(hierc.SpecError, match="need a proper prior") as caught:
        hierc.loads("y ~ 1 + x + (1 + x | g)\nprior sd ~ flat\n")
    assert caught.value.diagnostics[0].span.line == 2 and len(caught.value.diagnostics) == 1
