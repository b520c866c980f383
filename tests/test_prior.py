"""The prior and the prior predictive: exact draws whose moments are the priors'."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hierc
from conftest import ROOT
from test_pymc_fit import run_hierc

DRAWS = 4000
SPEC = """y ~ 1 + x + (1 + x | g)
prior Intercept ~ normal(1, 2)
prior b ~ normal(0, 0.5)
prior sd ~ halfnormal(1.5)
prior cor ~ lkj(2)
prior sigma ~ exponential(2)
"""


def _frame(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    return pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(list("abcde"), n), "y": rng.normal(size=n)})


def test_prior_draws_have_the_priors_moments():
    """Monte Carlo tolerances: with 4,000 independent draws a mean is within 0.1 sd of its value with
    probability above 1 - 1e-10, and a variance within 10% (for these light-tailed draws) at least as surely."""
    frame = _frame()
    idata = hierc.sample_prior(hierc.loads(SPEC), frame, draws=DRAWS, seed=3)
    prior = idata.prior
    assert set(prior.data_vars) == {"Intercept", "b_Intercept", "b", "sd_g", "cor_g", "r_g", "sigma"}
    assert float(prior["Intercept"].mean()) == pytest.approx(1, abs=0.2)
    assert float(prior["Intercept"].std()) == pytest.approx(2, rel=0.05)
    assert float(prior["b"].std()) == pytest.approx(0.5, rel=0.05)
    assert float(prior["sd_g"].mean()) == pytest.approx(1.5 * np.sqrt(2 / np.pi), rel=0.05)
    assert float(prior["sigma"].mean()) == pytest.approx(0.5, rel=0.05)
    r = prior["cor_g"].sel(g__coef="Intercept", g__coef2="x").values.ravel()
    assert np.var(r) == pytest.approx(1 / (2 * 2 + 1), rel=0.1)  # lkj(2) in two dims: (r + 1) / 2 ~ beta(2, 2)
    # the response: E y_i = E Intercept = 1 (x is centred in the intercept); Var y_i = Var Intercept +
    # Var b (x_i - mean x)^2 + E sd_Intercept^2 + 2 cov + E sd_x^2 x_i^2 + E sigma^2, cov = 0 (E cor = 0)
    y = idata.prior_predictive["y"].values.reshape(DRAWS, len(frame))
    x = frame.x.to_numpy()
    expected = 4 + 0.25 * (x - x.mean()) ** 2 + 1.5**2 * (1 + x**2) + 2 * 0.5**2
    assert float(y.mean()) == pytest.approx(1, abs=0.2)
    assert np.mean(y.var(axis=0) / expected) == pytest.approx(1, abs=0.1)
    np.testing.assert_array_equal(idata.observed_data["y"].values, frame.y.to_numpy())


def test_sample_prior_from_the_command_line(tmp_path):
    import arviz as az

    _frame().to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "m.hm").write_text(SPEC)
    result = run_hierc(
        "sample", str(tmp_path / "m.hm"), "--data", str(tmp_path / "data.csv"), "--prior", "--draws", "300",
        "--backend", "stan", "-o", str(tmp_path / "prior.nc"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("prior: 300 exact draws\n")
    assert "cor_g[Intercept, x]" in result.stdout and "\nr_g[" not in result.stdout  # not the effects
    assert "prior predictive `y`: mean" in result.stdout
    saved = az.from_netcdf(tmp_path / "prior.nc")
    assert sorted(saved.groups()) == ["observed_data", "prior", "prior_predictive"]
    assert saved.prior_predictive["y"].shape == (1, 300, 40)
    refused = run_hierc("sample", str(ROOT / "specs" / "radon.hm"), "--prior", "--plots", str(tmp_path / "p"))
    assert refused.returncode == 2 and "--prior does not fit" in refused.stderr


def test_a_prior_on_b_intercept_is_on_the_intercept_at_predictors_zero():
    """`prior b_Intercept ~ normal(1, 2)`: b_Intercept's draws have that prior's moments, and Intercept's are
    shifted by means_X' b (x has mean 3 here, so the two differ)."""
    frame = _frame().assign(x=lambda d: d.x + 3.0)
    text = SPEC.replace("prior Intercept ~", "prior b_Intercept ~")
    idata = hierc.sample_prior(hierc.loads(text), frame, draws=DRAWS, seed=3)
    prior = idata.prior
    assert float(prior["b_Intercept"].mean()) == pytest.approx(1, abs=0.2)
    assert float(prior["b_Intercept"].std()) == pytest.approx(2, rel=0.05)
    # Var Intercept = Var b_Intercept + mean(x)^2 Var b, b and b_Intercept independent
    expected = np.sqrt(4 + frame.x.mean() ** 2 * 0.25)
    assert float(prior["Intercept"].std()) == pytest.approx(expected, rel=0.05)
