"""The Stan and the PyMC lowering of a spec are one model: equal log densities at random points.

Points are drawn in PyMC's unconstrained space and mapped to Stan's
parameters (transposes only: PyMC keeps a factor's levels first, and its
zero-sum free values coefficient-first). Both backends use a log transform
for positive parameters and the same zero-sum map, so the two log densities,
with or without the Jacobian, differ by a constant (Stan drops normalizing
constants); the spread of the differences across points must vanish.

A correlated block is not compared here: Stan's parameters are the sds and a
Cholesky factor of the correlations, PyMC's `LKJCholeskyCov` the packed
Cholesky factor of the covariance, so the two densities live on different
spaces. Posterior agreement covers such blocks.
"""

from __future__ import annotations

import numpy as np
import pytest
import stan

import hierc
from conftest import ROOT, SPECS
from fake_data import fake_frame
from hierc.backends.pymc.model import pymc_model
from hierc.backends.stan.codegen import stan_program
from hierc.backends.stan.data import plain, stan_data
from hierc.data.design import bind
from hierc.language.vocabulary import Parameterization
from model_variants import with_parameterization

N_POINTS = 6
SPREAD = 0.4
SHARED = [p for p in SPECS if not any(block.correlated for block in hierc.load(p).groups)]


def stan_values(pm_model, point: dict[str, np.ndarray]) -> dict[str, object]:
    """A PyMC point as the constrained values of the Stan program's parameters."""
    values: dict[str, object] = {}
    for name, value in point.items():
        if name.endswith("_interval__"):  # a bounded prior's parameter: by the model's own transform
            rv = pm_model[name.removesuffix("_interval__")]
            values[rv.name] = pm_model.rvs_to_transforms[rv].backward(value, *rv.owner.inputs).eval()
        elif name.endswith("_log__"):
            values[name.removesuffix("_log__")] = np.exp(value)
        elif name.endswith("_logodds__"):  # a probability: zi, hu
            values[name.removesuffix("_logodds__")] = 1 / (1 + np.exp(-value))
        elif name.endswith("_ordered__"):  # the first value, then the logs of the steps
            values[name.removesuffix("_ordered__")] = np.cumsum(np.concatenate([value[:1], np.exp(value[1:])]))
        elif name.endswith("_zerosum__"):
            base = name.removesuffix("_zerosum__")
            values["zs_" + base.split("_", 1)[1]] = value.T  # (coef, level) to Stan's (level, coef)
        elif name.startswith("z_") and value.ndim == 2:
            values[name] = value.T  # Stan's z has a column per level
        else:
            values[name] = value
    return {k: np.asarray(v).tolist() for k, v in values.items()}


def test_every_spec_without_a_correlated_block_is_compared():
    assert {p.stem for p in SPECS} - {p.stem for p in SHARED} == {"radon"}


def gaps(posterior: stan.model.Model, pm_model, jacobian: bool) -> np.ndarray:
    """Stan's log density minus PyMC's at random points of PyMC's unconstrained space."""
    logp = pm_model.compile_logp(jacobian=jacobian, mode="FAST_COMPILE")
    rng = np.random.default_rng(5)
    start = pm_model.initial_point()
    out = []
    for _ in range(N_POINTS):
        point = {k: v + rng.normal(0, SPREAD, np.shape(v)) for k, v in start.items()}
        unconstrained = posterior.unconstrain_pars(stan_values(pm_model, point))
        out.append(posterior.log_prob(unconstrained, adjust_transform=jacobian) - logp(point))
    assert np.all(np.isfinite(out))
    return np.array(out)


def build(model: hierc.ir.Model, bound) -> stan.model.Model:
    return stan.build(stan_program(model), data=plain(stan_data(bound)), random_seed=1)


def cases() -> list:
    """Every spec in every parameterization; those the spec does not use need their own Stan build (about 45 s
    each), so they run with the full matrix (`-m equivalence`)."""
    out = []
    for spec in SHARED:
        model = hierc.load(spec)
        for parameterization in Parameterization if model.groups else [None]:
            variant = model if parameterization is None else with_parameterization(model, parameterization)
            marks = () if variant == model else pytest.mark.equivalence
            out.append(pytest.param(spec, parameterization, marks=marks, id=f"{spec.stem}-{parameterization}"))
    return out


@pytest.mark.parametrize(("spec", "parameterization"), cases())
def test_stan_and_pymc_have_the_same_log_density(spec, parameterization):
    model = hierc.load(spec)
    if parameterization is not None:
        model = with_parameterization(model, parameterization)
    bound = bind(model, fake_frame(model, n=80, seed=3))
    posterior, pm_model = build(model, bound), pymc_model(bound)
    for jacobian in (True, False):
        values = gaps(posterior, pm_model, jacobian)
        assert np.ptp(values) < 1e-8 * max(1.0, np.abs(values).max()), (jacobian, values)


def test_the_comparison_sees_a_different_prior():
    """The check has power: PyMC with another prior on the group-level sds is told apart from Stan."""
    text = (ROOT / "specs" / "zerosum_slopes.hm").read_text()
    changed = text.replace("gamma(mu = 10, sigma = 5)", "gamma(mu = 10, sigma = 4)")
    assert changed != text
    model, other = hierc.loads(text), hierc.loads(changed)
    bound = bind(model, fake_frame(model, n=80, seed=3))
    values = gaps(build(model, bound), pymc_model(bind(other, fake_frame(model, n=80, seed=3))), True)
    assert np.ptp(values) > 1e-3
