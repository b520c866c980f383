"""The zero-sum report's two PyMC models, written as it describes them: the reference for hierc's code.

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
    "non_vectorized": ["beta1", "beta2", "beta3", "tau1", "tau2", "tau3", "sigma"],
    "vectorized": ["beta", "tau", "sigma"],
}


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
