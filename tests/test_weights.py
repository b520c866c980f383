"""Likelihood weights `y | weights(w)`: each row's log density counts w times, as brms's `weights`.

The independent reference: with whole-number weights, the weighted model is the unweighted model of the
data with every row repeated w times, so the two log densities are equal at every point (after moving the
intercept, which is at the means of the predictors, from one data set's means to the other's).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import hierc
from fake_data import fake_frame
from hierc.backends.pymc.model import pymc_model
from hierc.data.design import bind
from hierc.inference.per_row import log_likelihood
from test_backends_agree import build, gaps

# (response options besides the weights, the rest of the spec); explicit priors: the default ones are scaled
# by statistics of the data, which the repeated rows change
CASES = [
    ("", "~ 1 + x + (1 | g)\nprior Intercept ~ normal(0, 3)\nprior b ~ normal(0, 2)\nprior sigma ~ exponential(1)"),
    ("se(s)", "~ 1 + (1 | g)\nprior Intercept ~ normal(0, 3)"),
    ("trials(n)", "~ 1 + x\nfamily binomial(link = probit)\nprior Intercept ~ normal(0, 3)\nprior b ~ normal(0, 2)"),
    ("", "~ 1 + x + (1 | g)\nfamily zero_inflated_negbinomial\nprior Intercept ~ normal(0, 3)\nprior b ~ normal(0, 2)"),
    ("", "~ 0 + x + (1 | g)\nfamily hurdle_poisson\nprior b ~ normal(0, 2)"),
]
PRIORS = "\nprior sd ~ halfnormal(1)"


def spec(options: str, rest: str, weighted: bool) -> str:
    parts = [o for o in (options, "weights(w)" if weighted else "") if o]
    return "y" + (" | " + " + ".join(parts) if parts else "") + " " + rest + (PRIORS if "(1 | g)" in rest else "")


def weighted_and_repeated(options: str, rest: str):
    weighted, plain = hierc.loads(spec(options, rest, True)), hierc.loads(spec(options, rest, False))
    frame = fake_frame(weighted, n=30, levels=4, seed=2)
    frame["w"] = np.random.default_rng(3).integers(1, 4, len(frame))  # whole numbers: rows to repeat
    repeated = frame.loc[frame.index.repeat(frame["w"])].reset_index(drop=True)
    return bind(weighted, frame), bind(plain, repeated)


@pytest.mark.parametrize(("options", "rest"), CASES)
def test_whole_number_weights_are_repeated_rows(options, rest):
    weighted, repeated = weighted_and_repeated(options, rest)
    pm_weighted, pm_repeated = pymc_model(weighted), pymc_model(repeated)
    logp_weighted, logp_repeated = pm_weighted.compile_logp(), pm_repeated.compile_logp()
    shift = weighted.X.matrix.mean(axis=0) - repeated.X.matrix.mean(axis=0) if weighted.model.terms else 0
    rng = np.random.default_rng(4)
    start = pm_weighted.initial_point()
    for _ in range(5):
        point = {name: value + rng.normal(0, 0.5, np.shape(value)) for name, value in start.items()}
        moved, prior_gap = dict(point), 0.0
        if "Intercept" in point and weighted.model.terms:  # the same intercept at the predictors' zero
            moved["Intercept"] = point["Intercept"] - np.dot(shift, point["b"])
            # the prior normal(0, 3) on it, at either value
            prior_gap = stats.norm.logpdf(point["Intercept"], 0, 3) - stats.norm.logpdf(moved["Intercept"], 0, 3)
        assert logp_weighted(point) - prior_gap == pytest.approx(logp_repeated(moved), rel=1e-10, abs=1e-8)


def test_the_pointwise_log_likelihood_is_weighted():
    """Each row's term, w log p(y | draw) as brms's `log_lik`: LOO over the weighted model's terms."""
    options, rest = CASES[0]
    weighted = hierc.loads(spec(options, rest, True))
    frame = fake_frame(weighted, n=20, levels=4, seed=2)
    draws = {
        "b_Intercept": np.full((1, 2), 0.4), "b": np.full((1, 2, 1), -0.2), "sigma": np.full((1, 2), 1.3),
        "sd_g": np.full((1, 2), 0.5), "r_g": np.linspace(-1, 1, 8).reshape(1, 2, 4),
    }  # fmt: skip
    dims = {"b": ["coef"], "r_g": ["g"]}
    posterior = xr.Dataset({k: (["chain", "draw", *dims.get(k, [])], v) for k, v in draws.items()})
    bound = bind(weighted, frame)
    plain = bind(hierc.loads(spec(options, rest, False)), frame)
    np.testing.assert_allclose(
        log_likelihood(posterior, bound), frame["w"].to_numpy() * log_likelihood(posterior, plain)
    )


def test_stan_and_pymc_weigh_alike():
    """One weighted Stan program (its loop over one-row slices, through a family function Stan lacks) against
    PyMC's weighted model, at random points: the gap is a constant (Stan drops normalizing constants)."""
    options, rest = CASES[3]
    model = hierc.loads(spec(options, rest, True))
    bound = bind(model, fake_frame(model, n=40, levels=4, seed=3))
    posterior, pm_model = build(model, bound), pymc_model(bound)
    for jacobian in (True, False):
        values = gaps(posterior, pm_model, jacobian)
        assert np.ptp(values) < 1e-8 * max(1.0, np.abs(values).max()), (jacobian, values)
