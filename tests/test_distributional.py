"""Distributional formulas, `sigma ~ x`: an auxiliary parameter with predictors of its own, on its link's scale.

The log likelihood of every family whose auxiliary parameters may take a formula, from hierc's PyMC model and
from its per-row reference, against SciPy's with the parameter computed by hand; the language's rules and
messages; and recovery of known values (`-m equivalence`). Stan's forms with a vector of each auxiliary
parameter are checked against SciPy in tests/test_stan_fit.py, and Stan against PyMC on
specs/score_spread.hm in tests/test_backends_agree.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import special

import hierc
from conftest import ROOT
from hierc import naming
from hierc.data.design import bind
from hierc.errors import SpecError
from hierc.families import FAMILIES
from hierc.inference.per_row import log_likelihood
from hierc.language.vocabulary import Dist, Family, Link, ParamClass
from test_pymc_codegen import _likelihood_by_scipy

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pytensor's notice that it found no BLAS
    from hierc.backends.pymc.model import pymc_model

CASES = [
    (family, cls)
    for family, declaration in FAMILIES.items()
    if declaration.auxiliary_per_row
    for cls in declaration.auxiliary_classes
]
_VALUES = {"sigma": 1.7, "nu": 4.5, "phi": 2.5, "shape": 2.2, "zi": 0.3, "hu": 0.4}
_INVERSE = {Link.LOG: np.exp, Link.LOGIT: special.expit}


def _frame(family: Family, n: int = 50, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(0, 1, n), rng.uniform(0, 2, n)
    match FAMILIES[family].response.name:
        case "REAL":
            y = rng.normal(0.5, 1.5, n)
        case "POSITIVE":
            y = rng.gamma(2.0, 1.5, n)
        case "UNIT":
            y = rng.beta(2.0, 3.0, n)
        case _:
            y = rng.poisson(3.0, n)
    return pd.DataFrame({"y": y, "x": x, "z": z, "n": rng.integers(8, 15, n)})


@pytest.mark.parametrize(("family", "cls"), CASES, ids=lambda v: v.value)
def test_a_formula_of_an_auxiliary_parameter_gives_scipys_log_likelihood(family, cls):
    """PyMC's log likelihood and the per-row reference (LOO's) at one point, against SciPy's with the
    parameter's value on each row computed here: exp(Intercept + (z - mean z) * b), as brms's log link (the
    inverse logit for a probability, zi or hu)."""
    declaration = FAMILIES[family]
    response = "y | trials(n)" if declaration.needs_trials else "y"
    link = declaration.links[0]
    model = hierc.loads(f"{response} ~ 1 + x\n{cls.value} ~ 1 + z\nfamily {family.value}\n")
    frame = _frame(family)
    bound = bind(model, frame)
    pm_model = pymc_model(bound)
    likelihood = pm_model.compile_logp(vars=pm_model.observed_RVs, jacobian=False, mode="FAST_COMPILE")
    F = naming.names(model).formula(cls.value)
    intercept, b, intercept_aux, b_aux = (0.3 if link is not Link.IDENTITY else 1.2), 0.4, 0.5, -0.6
    point = pm_model.initial_point()
    point |= {"Intercept": np.array(intercept), "b": np.array([b])}
    point |= {F.intercept: np.array(intercept_aux), F.b: np.array([b_aux])}
    for name, value in _VALUES.items():  # the other auxiliary parameters, one value each
        if f"{name}_log__" in point:
            point[f"{name}_log__"] = np.array(np.log(value))
        if f"{name}_logodds__" in point:
            point[f"{name}_logodds__"] = np.array(special.logit(value))
    x, z, y = (frame[c].to_numpy() for c in ("x", "z", "y"))
    eta = intercept + (x - x.mean()) * b
    aux = dict(_VALUES) | {cls.value: _INVERSE[model.distributional[0].link](intercept_aux + (z - z.mean()) * b_aux)}
    trials = frame["n"].to_numpy()
    expected = _likelihood_by_scipy(family, link, y, eta, aux, trials)
    assert float(likelihood(point)) == pytest.approx(expected, rel=1e-12)

    draws = {  # the posterior of one draw at that point, under the shared names (intercepts at predictors = 0)
        "b_Intercept": intercept - x.mean() * b,
        "b": [b],
        F.b_intercept: intercept_aux - z.mean() * b_aux,
        F.b: [b_aux],
    } | {name: value for name, value in _VALUES.items() if name in declaration.auxiliary_classes and name != cls}
    posterior = xr.Dataset({name: (["chain", "draw", *(["k"] * np.ndim(v))], [[v]]) for name, v in draws.items()})
    per_row = log_likelihood(posterior, bound)
    assert per_row.sum() == pytest.approx(expected, rel=1e-12)


def test_a_formula_replaces_the_parameter_with_its_coefficients_and_their_priors():
    model = hierc.loads(
        "y ~ 1 + x\nsigma ~ 1 + z + C(a)\nfamily gaussian\nprior b ~ normal(0, 5)\nprior b(sigma)[z] ~ normal(0, 1)\n"
    )
    (formula,) = model.distributional
    assert (formula.dpar, formula.link, formula.intercept) == (ParamClass.SIGMA, Link.LOG, True)
    assert [t.label for t in formula.terms] == ["z", "a"]
    on = {p.on: p for p in model.priors}
    assert "sigma" not in on  # a value per row now, from the coefficients below
    assert on["b[x]"].arg("sigma") == 5.0  # `b` is the mean's coefficients only, as brms's class b
    assert on["b(sigma)[z]"].arg("sigma") == 1.0
    assert on["b(sigma)[a]"].distribution is Dist.NORMAL  # the default: 2.5 / sd(column), on the log scale
    assert on["b(sigma)[a]"].arg("sigma").factor == 2.5
    assert on["Intercept(sigma)"].distribution is Dist.STUDENT_T  # brms's default intercept of sigma
    assert hierc.summarize(model).count("sigma ~ 1 + z + C(a)") == 1


def test_a_probability_takes_the_logit_link_and_a_zero_familys_own_stan_function_its_vectors():
    model = hierc.loads("y ~ 1 + x\nzi ~ 1 + z\nfamily zero_inflated_negbinomial\n")
    assert model.distributional[0].link is Link.LOGIT
    program = hierc.compile_model(model, "stan")
    assert "vector[N] zi = inv_logit(Intercept_zi + Xc_zi * b_zi);" in program
    assert "zero_inflated_neg_binomial_2_log(mu, rep_vector(phi, N), zi)" in program
    assert "vector phi, vector zi" in program  # the overload, in the program only where a formula needs it
    plain = hierc.compile_model(hierc.loads("y ~ 1 + x\nfamily zero_inflated_negbinomial\n"), "stan")
    assert "vector phi, vector zi" not in plain


def test_a_formula_without_an_intercept_has_no_intercept_parameter():
    model = hierc.loads("y ~ 1 + x\nphi ~ 0 + z\nfamily beta\n")
    assert model.distributional[0].link is Link.LOG and not model.distributional[0].intercept
    assert [p.on for p in model.priors if p.target.dpar is ParamClass.PHI] == ["b(phi)[z]"]
    assert "Intercept_phi" not in hierc.compile_model(model, "stan")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("y ~ x\nsigma ~ z + (1 | g)\n", "takes population-level terms only"),
        ("y ~ x\nsigma ~ z\nsigma ~ w\n", "a second formula for `sigma`"),
        ("y ~ x\nnu ~ z\n", "a second formula for the response"),
        ("y ~ x\nsigma ~ z\nprior sigma ~ exponential(1)\n", "`sigma` has a formula of its own"),
        ("y ~ x\nsigma ~ z\nprior b(sigma)[w] ~ normal(0, 1)\n", "the formula for `sigma` has no coefficient `w`"),
        ("y ~ x\nsigma ~ 0 + z\nprior Intercept(sigma) ~ normal(0, 1)\n", "has no intercept"),
        ("y ~ x\nprior b(sigma) ~ normal(0, 1)\n", "the model has no formula for `sigma`"),
        ("y ~ x\nsigma ~ z\nprior b_Intercept(sigma) ~ normal(0, 1)\n", "at the means of its predictors"),
        ("y | se(s) ~ x\nsigma ~ z\n", "known standard errors"),
        ("y ~ x\nsigma | weights(w) ~ z\n", "response options belong to the response's formula"),
    ],
)
def test_what_a_distributional_formula_cannot_be(spec, message):
    with pytest.raises(SpecError) as raised:
        hierc.loads(spec)
    assert any(message in d.message for d in raised.value.diagnostics), raised.value


def test_a_stan_glm_takes_a_vector_of_sigma_but_not_of_phi():
    gaussian = hierc.compile_model(hierc.loads("y ~ 1 + x\nsigma ~ 1 + z\n"), "stan")
    assert "normal_id_glm(Xc, Intercept, b, sigma)" in gaussian
    assert "vector[N] sigma = exp(Intercept_sigma + Xc_sigma * b_sigma);" in gaussian
    negbinomial = hierc.compile_model(hierc.loads("y ~ 1 + x\nphi ~ 1 + z\nfamily negbinomial\n"), "stan")
    assert "_glm" not in negbinomial and "Y ~ neg_binomial_2_log(mu, phi);" in negbinomial


@pytest.mark.equivalence
@pytest.mark.parametrize("backend", ["pymc", "stan"])
def test_known_coefficients_of_sigma_are_recovered(backend):
    """Data simulated with log sigma = 0.75 + 0.05 class_size + 0.4 [project]: each true value inside its 95%
    interval."""
    rng = np.random.default_rng(7)
    n, levels = 600, 20
    school = rng.integers(0, levels, n)
    hours, size = rng.uniform(0, 10, n), rng.integers(15, 35, n).astype(float)
    method = rng.choice(["lecture", "project"], n)
    mu = 50 + 2 * hours + 5 * (method == "project") + rng.normal(0, 4, levels)[school]
    score = rng.normal(mu, np.exp(0.75 + 0.05 * size + 0.4 * (method == "project")))
    frame = pd.DataFrame({"score": score, "hours": hours, "class_size": size, "method": method})
    frame["school"] = [f"s{j}" for j in school]
    model = hierc.load(ROOT / "specs" / "score_spread.hm")
    idata = hierc.sample(model, hierc.bind_data(model, frame), backend, options=hierc.SampleOptions(seed=2))
    posterior = idata.posterior
    truths = {"b_sigma_Intercept": 0.75, "b_sigma": [0.05, 0.4], "b": [2.0, 5.0]}
    for name, truth in truths.items():
        draws = posterior[name].values.reshape(-1, *np.shape(truth))
        low, high = np.quantile(draws, [0.025, 0.975], axis=0)
        assert np.all((low < truth) & (truth < high)), (name, low, high)


def test_names_stay_apart_from_the_users():
    """A categorical term `sigma` (width `K_sigma`, unrolled coefficient `b_sigma`) and a grouping factor named
    like the formula's dim: every name distinct, the outputs keeping brms's spelling."""
    model = hierc.loads("y ~ 1 + C(sigma) + (1 | coef_sigma)\nsigma ~ 1 + C(sigma)\n")
    names = naming.names(model)
    F = names.formula("sigma")
    assert (F.b, F.intercept, F.b_intercept) == ("b_sigma", "Intercept_sigma", "b_sigma_Intercept")
    assert names.term("sigma").b != F.b and F.K != "K_sigma"
    assert F.coef_dim != names.group("coef_sigma").levels_dim


@pytest.mark.parametrize(
    "response",
    ["y | weights(w)", "y | cens(c)", "y | cens(c, y2)", "y | trunc(lb = -4)", "y | trunc(lb = -4, ub = c2)"],
)
def test_response_terms_read_each_rows_sigma(response, tmp_path):
    """Row by row (weights), by the rows of each censoring code, and over each row's range: PyMC's log
    likelihood is the per-row reference's, and the Stan program passes stanc in both encodings."""
    from test_stan_codegen import _stanc

    model = hierc.loads(f"{response} ~ 1 + x\nsigma ~ 1 + z\n")
    frame = _frame(Family.GAUSSIAN, seed=5)
    rng = np.random.default_rng(5)
    frame["w"] = rng.uniform(0.5, 2, len(frame))
    frame["c"] = rng.choice(["none", "right", "left"] + (["interval"] if "y2" in response else []), len(frame))
    frame["y2"] = frame["y"] + rng.uniform(0.1, 1, len(frame))
    frame["c2"] = frame["y"] + 1.0
    bound = bind(model, frame)
    pm_model = pymc_model(bound)
    likelihood = pm_model.compile_logp(vars=pm_model.observed_RVs, jacobian=False, mode="FAST_COMPILE")
    point = pm_model.initial_point() | {"Intercept": np.array(0.4), "b": np.array([0.3])}
    point |= {"Intercept_sigma": np.array(0.2), "b_sigma": np.array([-0.5])}
    x, z = frame["x"].to_numpy(), frame["z"].to_numpy()
    draws = {"b_Intercept": 0.4 - x.mean() * 0.3, "b": [0.3], "b_sigma_Intercept": 0.2 + z.mean() * 0.5}
    draws["b_sigma"] = [-0.5]
    posterior = xr.Dataset({name: (["chain", "draw", *(["k"] * np.ndim(v))], [[v]]) for name, v in draws.items()})
    ours = float(likelihood(point))
    weighted = ours + (float(pm_model.compile_logp(vars=[pm_model["weights"]])(point)) if "weights" in response else 0)
    assert weighted == pytest.approx(log_likelihood(posterior, bound).sum(), rel=1e-10)
    for encoding in ("vectorized", "unrolled"):
        _stanc(hierc.compile_model(model, "stan", encoding), tmp_path, f"program_{encoding}")


@pytest.mark.equivalence
def test_stan_and_pymc_agree_on_each_rows_sigma_with_every_response_term():
    """One program with weights, censoring and truncation: Stan's log density is PyMC's (one Stan build)."""
    from test_backends_agree import build, gaps

    model = hierc.loads("y | weights(w) + cens(c, y2) + trunc(lb = -4) ~ 1 + x\nsigma ~ 1 + z\n")
    frame = _frame(Family.GAUSSIAN, seed=5)
    rng = np.random.default_rng(5)
    frame["w"] = rng.uniform(0.5, 2, len(frame))
    frame["c"] = rng.choice(["none", "right", "left", "interval"], len(frame))
    frame["y2"] = frame["y"] + rng.uniform(0.1, 1, len(frame))
    bound = bind(model, frame)
    for jacobian in (True, False):
        values = gaps(build(model, bound), pymc_model(bound), jacobian)
        assert np.ptp(values) < 1e-8 * max(1.0, np.abs(values).max()), (jacobian, values)


@pytest.mark.equivalence
def test_stan_and_pymc_agree_on_a_formula_for_the_zero_part():
    """A zero-inflated negative binomial with a formula for zi: Stan's overload of its own function (phi a
    vector of one value) against PyMC's ZeroInflatedNegativeBinomial."""
    from fake_data import fake_frame
    from test_backends_agree import build, gaps

    model = hierc.loads("y ~ 1 + x + (1 | g)\nzi ~ 1 + z\nfamily zero_inflated_negbinomial\n")
    bound = bind(model, fake_frame(model, n=80, seed=3))
    for jacobian in (True, False):
        values = gaps(build(model, bound), pymc_model(bound), jacobian)
        assert np.ptp(values) < 1e-8 * max(1.0, np.abs(values).max()), (jacobian, values)
