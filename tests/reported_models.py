"""The user report's zero-sum slopes model, written by hand, and its simulated data.

`report_data` simulates exactly as the report does (slopes 1, 1.2, 0.8;
group-level sds 10, 12, 8; residual sd 100); smaller `sigma` gives more
information per group. `reported_vectorized_model` is the report's
vectorized model with its bug: `pm.ZeroSumNormal` over dims
("group", "predictor") sums to zero over its last axis, the predictors. Its
variables carry hierc's output names, so `hierc.compare_posteriors` can
set it against a model hierc generated.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pytensor's notice that it found no BLAS
    import pymc as pm

SLOPES = (1.0, 1.2, 0.8)
GROUP_SDS = (10.0, 12.0, 8.0)


def report_data(groups: int, per_group: int, sigma: float = 100.0, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(groups), per_group)
    x = rng.normal(size=(group.size, 3))
    slopes = np.array(SLOPES) + rng.normal(size=(groups, 3)) * np.array(GROUP_SDS)
    y = (slopes[group] * x).sum(axis=1) + rng.normal(0, sigma, group.size)
    return pd.DataFrame({"group": group, "y": y, "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]})


def reported_vectorized_model(frame: pd.DataFrame) -> pm.Model:
    """The report's vectorized model, zero sum across the predictors instead of the groups."""
    levels, group = np.unique(frame["group"], return_inverse=True)
    x = frame[["x1", "x2", "x3"]].to_numpy()
    coords = {"group": [str(v) for v in levels], "group__coef": ["x1", "x2", "x3"], "coef": ["x1", "x2", "x3"]}
    with pm.Model(coords=coords) as model:
        b = pm.Normal("b", mu=0, sigma=2, dims="coef")
        sd = pm.Gamma("sd_group", mu=10, sigma=5, dims="group__coef")
        sigma = pm.HalfNormal("sigma", sigma=200)
        epsilon = pm.ZeroSumNormal("epsilon", dims=("group", "group__coef"))  # the bug
        effects = pm.Deterministic("r_group", sd * epsilon, dims=("group", "group__coef"))
        mu = ((b + effects[group]) * x).sum(axis=1)
        pm.Normal("y", mu=mu, sigma=sigma, observed=frame["y"].to_numpy())
    return model
