"""Hand-written PyMC models, the reference for hierc's code: eight schools and radon as an expert writes
them (non-centered; the radon model with an LKJ Cholesky covariance), and the zero-sum report's two
models, written as it describes them.

`eight_schools`, `radon`: the specs' models, except that radon's intercept is the intercept of the
uncentered floor (hierc's is that of the centered one, as in brms).
`non_vectorized`: one slope, group sd and ZeroSumNormal per predictor.
`vectorized`: the corrected vectorized model, its ZeroSumNormal over dims
("predictor", "group") transposed, so the effects sum to zero over the
groups (the report's fix). `pm.Data` replaces the report's `pm.MutableData`,
which current PyMC no longer has.
"""

from __future__ import annotations

import pandas as pd
import pymc as pm

PARAMETERS = {
    "eight_schools": ["mu", "tau"],
    "radon": ["alpha", "beta", "sd_county", "cor_county", "sigma"],
    "non_vectorized": ["beta1", "beta2", "beta3", "tau1", "tau2", "tau3", "sigma"],
    "vectorized": ["beta", "tau", "sigma"],
}


def eight_schools(frame: pd.DataFrame) -> pm.Model:
    with pm.Model(coords={"school": frame["school"]}) as model:
        mu = pm.Normal("mu", 0, 5)
        tau = pm.HalfCauchy("tau", 5)
        theta_tilde = pm.Normal("theta_tilde", 0, 1, dims="school")
        theta = mu + tau * theta_tilde
        pm.Normal("y", mu=theta, sigma=frame["sigma"].to_numpy(), observed=frame["y"].to_numpy())
    return model


def radon(frame: pd.DataFrame) -> pm.Model:
    county_index, counties = pd.factorize(frame["county"])
    with pm.Model(coords={"county": counties, "effect": ["Intercept", "floor"]}) as model:
        county = pm.Data("county", county_index)
        floor = pm.Data("floor", frame["floor"])
        y = pm.Data("y", frame["log_radon"])

        alpha = pm.Normal("alpha", 1.5, 1)
        beta = pm.Normal("beta", -0.5, 1)
        chol, corr, sds = pm.LKJCholeskyCov("chol", n=2, eta=2, sd_dist=pm.HalfNormal.dist(1), compute_corr=True)
        pm.Deterministic("sd_county", sds)
        pm.Deterministic("cor_county", corr[0, 1])
        z = pm.Normal("z", 0, 1, dims=("effect", "county"))
        effects = (chol @ z).T
        sigma = pm.Exponential("sigma", 1)

        mu = alpha + effects[county, 0] + (beta + effects[county, 1]) * floor
        pm.Normal("y_obs", mu=mu, sigma=sigma, observed=y, shape=mu.shape)
    return model


def non_vectorized(frame: pd.DataFrame) -> pm.Model:
    coords = {"group": frame["group"].unique()}
    with pm.Model(coords=coords) as model:
        g = pm.Data("g", frame["group"])
        x1 = pm.Data("x1", frame["x1"])
        x2 = pm.Data("x2", frame["x2"])
        x3 = pm.Data("x3", frame["x3"])
        y = pm.Data("y", frame["y"])

        beta1 = pm.Normal("beta1", sigma=2.0)
        beta2 = pm.Normal("beta2", sigma=2.0)
        beta3 = pm.Normal("beta3", sigma=2.0)
        tau1 = pm.Gamma("tau1", mu=10.0, sigma=5.0)
        tau2 = pm.Gamma("tau2", mu=10.0, sigma=5.0)
        tau3 = pm.Gamma("tau3", mu=10.0, sigma=5.0)
        sigma = pm.HalfNormal("sigma", sigma=200.0)

        beta1_g = beta1 + tau1 * pm.ZeroSumNormal("epsilon_beta1_g", dims="group")
        beta2_g = beta2 + tau2 * pm.ZeroSumNormal("epsilon_beta2_g", dims="group")
        beta3_g = beta3 + tau3 * pm.ZeroSumNormal("epsilon_beta3_g", dims="group")

        mu = beta1_g[g] * x1 + beta2_g[g] * x2 + beta3_g[g] * x3
        pm.Normal("y_obs", mu=mu, sigma=sigma, observed=y, shape=mu.shape)
    return model


def vectorized(frame: pd.DataFrame) -> pm.Model:
    predictors = [column for column in frame.columns if column.startswith("x")]
    coords = {"group": frame["group"].unique(), "predictor": predictors}
    with pm.Model(coords=coords) as model:
        g = pm.Data("g", frame["group"])
        x = pm.Data("x", frame[predictors])
        y = pm.Data("y", frame["y"])

        beta = pm.Normal("beta", sigma=2.0, dims="predictor")
        tau = pm.Gamma("tau", mu=10.0, sigma=5.0, dims="predictor")
        sigma = pm.HalfNormal("sigma", sigma=200.0)

        epsilon_beta_g = pm.ZeroSumNormal("epsilon_beta_g", dims=["predictor", "group"]).T
        beta_g = beta + tau * epsilon_beta_g

        mu = (beta_g[g] * x).sum(axis=1)
        pm.Normal("y_obs", mu=mu, sigma=sigma, observed=y, shape=mu.shape)
    return model
