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


# Bounded priors: `T[lower, upper]` truncates a prior, `uniform(a, b)` bounds its parameter; the parameter is
# declared within its range (Stan's bounds, PyMC's interval transforms), element by element within a vector.
BOUNDED = (
    "y ~ 1 + x + C(c) + (1 + x || g)\n"
    "prior b[x] ~ normal(0.5, 1) T[0, ]\n"
    "prior b[C(c)] ~ normal(0, 2) T[-1, 3]\n"
    "prior Intercept ~ normal(1, 5) T[-10, 10]\n"
    "prior sd(g)[x] ~ halfnormal(1) T[, 2]\n"
    "prior sigma ~ uniform(0, 10)\n"
)


def _truncated(distribution, low: float, high: float):
    """SciPy's log density of a distribution truncated to [low, high]."""
    return lambda v: distribution.logpdf(v) - np.log(distribution.cdf(high) - distribution.cdf(low))


def _stan_log_jacobian(value: np.ndarray, low: float, high: float) -> np.ndarray:
    """log |d value / d unconstrained| of Stan's transforms: lb + exp(u), ub - exp(u), lb + (ub - lb) inv_logit(u)."""
    if np.isfinite(low) and np.isfinite(high):
        return np.log((value - low) * (high - value) / (high - low))
    if np.isfinite(low):
        return np.log(value - low)
    if np.isfinite(high):
        return np.log(high - value)
    return np.zeros_like(value)


def test_bounded_priors_are_scipys_truncated_densities_on_stans_transforms():
    """Each parameter's prior term is SciPy's truncated density at its value, and its Jacobian term that of
    Stan's transform for the element's range (a vector's elements each their own), at random points."""
    model = hierc.loads(BOUNDED)
    bound = bind(model, fake_frame(model, n=40, seed=1))
    pm_model = pymc_model(bound)
    k_c = bound.X.matrix.shape[1] - 1
    sd_y = np.std(bound.y, ddof=1)
    inf = np.inf
    # each parameter: per element, (log density, low, high)
    expected = {
        "Intercept": [(_truncated(stats.norm(1, 5), -10, 10), -10, 10)],
        "b": [(_truncated(stats.norm(0.5, 1), 0, inf), 0, inf)] + [(_truncated(stats.norm(0, 2), -1, 3), -1, 3)] * k_c,
        "sd_g": [(stats.halfnorm(scale=2.5 * sd_y).logpdf, 0, inf), (_truncated(stats.halfnorm(scale=1), 0, 2), 0, 2)],
        "sigma": [(stats.uniform(0, 10).logpdf, 0, 10)],
    }
    rvs = [pm_model[name] for name in expected]
    graphs = pm_model.replace_rvs_by_values(rvs)
    values = pm_model.compile_fn(graphs, inputs=pm_model.value_vars, on_unused_input="ignore")
    terms = {
        name: [pm_model.compile_logp(vars=[pm_model[name]], jacobian=j, mode="FAST_COMPILE") for j in (False, True)]
        for name in expected
    }
    residuals = {name: [] for name in expected}
    for point in random_points(pm_model):
        for (name, elements), value in zip(expected.items(), values(point), strict=True):
            value = np.atleast_1d(value)
            assert all(low < v < high for v, (_, low, high) in zip(value, elements, strict=True)), (name, value)
            density = sum(logpdf(v) for v, (logpdf, _, _) in zip(value, elements, strict=True))
            jacobian = sum(_stan_log_jacobian(v, low, high) for v, (_, low, high) in zip(value, elements, strict=True))
            without, with_jacobian = (float(term(point)) for term in terms[name])
            residuals[name].append((without - density, with_jacobian - without - jacobian))
    # PyMC makes a script's numbers float32 constants (2.5, log(b - a) of the bounds) and its normal cdf is off
    # by about 1e-8: its normalizing constants differ from SciPy's by a constant, which leaves the posterior
    for name, pairs in residuals.items():
        for values_ in np.transpose(pairs):
            assert np.ptp(values_) < 1e-12 and abs(np.mean(values_)) < 1e-7, (name, values_)


def test_bounded_programs_pass_stanc_in_both_encodings(tmp_path):
    from hierc.backends.stan.codegen import stan_program
    from test_stan_codegen import _stanc

    model = hierc.loads(BOUNDED)
    for encoding in ("vectorized", "unrolled"):
        program = stan_program(model, encoding)
        _stanc(program, tmp_path, encoding)
    assert "vector<lower=lower_b, upper=upper_b>[K] b;" in stan_program(model, "vectorized")
    assert "real<lower=0, upper=10> sigma;" in program


@pytest.mark.equivalence  # two Stan builds
@pytest.mark.parametrize("encoding", ["vectorized", "unrolled"])
def test_stan_and_pymc_have_the_same_log_density_with_bounded_priors(encoding):
    import stan

    from hierc.backends.stan.codegen import stan_program
    from hierc.backends.stan.data import plain, stan_data
    from test_backends_agree import gaps

    model = hierc.loads(BOUNDED)
    bound = bind(model, fake_frame(model, n=60, seed=3))
    posterior = stan.build(stan_program(model, encoding), data=plain(stan_data(bound)), random_seed=1)
    pm_model = pymc_model(bound, encoding)
    for jacobian in (True, False):
        values = gaps(posterior, pm_model, jacobian)
        assert np.ptp(values) < 1e-8 * max(1.0, np.abs(values).max()), (jacobian, values)


def test_a_uniform_prior_within_the_support_is_bambis_uniform():
    model = hierc.loads("y ~ 1 + x\nprior b ~ uniform(-5, 5)\nprior sigma ~ uniform(0, 10)\n")
    assert_same_log_density(model, fake_frame(model, n=40, seed=2))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prior b ~ normal(0, 1) T[1, 0]", "must be in order"),
        ("prior b ~ normal(0, 1) T[, ]", "bounds nothing"),
        ("prior b ~ uniform(0, 1) T[0, 1]", "bounded by its arguments"),
        ("prior b ~ flat T[0, 1]", "a flat prior cannot be truncated"),
        ("prior b ~ uniform(1, 0)", "needs lower below upper"),
        ("prior sigma ~ uniform(-2, -1)", "leaves `sigma` no values"),
        ("prior sigma ~ exponential(1) T[, -1]", "leaves `sigma` no values"),
        ("prior b_Intercept ~ normal(0, 1) T[0, ]", "cannot be bounded"),
    ],
)
def test_bad_bounds_are_located_errors(text, message):
    with pytest.raises(hierc.SpecError, match=message) as caught:
        hierc.loads("y ~ 1 + x\n" + text + "\n")
    assert caught.value.diagnostics[0].span.line == 2


def test_bounds_that_a_backend_cannot_declare_are_errors():
    with pytest.raises(hierc.SpecError, match="ordered thresholds cannot be bounded"):
        hierc.loads("y ~ 1 + x\nfamily cumulative\nprior Intercept ~ uniform(-5, 5)\n")
    with pytest.raises(hierc.SpecError, match="need a proper prior on all positive numbers"):
        hierc.loads("y ~ 1 + (1 + x | g)\nprior sd ~ halfnormal(1) T[, 3]\n")
    with pytest.raises(hierc.SpecError, match="cannot be truncated"):
        hierc.loads("y ~ 1 + (1 + x | g)\nprior cor ~ lkj(2) T[0, 1]\n")


def test_the_encodings_agree_with_bounded_coefficients():
    """The unrolled model (a parameter per term, each `pm.Truncated`) has the vectorized model's log density
    (one vector under an interval transform of each element's bounds), Jacobians included."""
    from test_pymc_codegen import unrolled_point

    model = hierc.loads(BOUNDED.replace("prior sd(g)[x] ~ halfnormal(1) T[, 2]\n", ""))
    bound = bind(model, fake_frame(model, n=40, seed=1))
    vectorized, unrolled = pymc_model(bound, "vectorized"), pymc_model(bound, "unrolled")
    logp_vectorized, logp_unrolled = logp_function(vectorized), logp_function(unrolled)
    differences = [logp_vectorized(p) - logp_unrolled(unrolled_point(bound, p)) for p in random_points(vectorized)]
    np.testing.assert_allclose(differences, 0, atol=1e-8)
