"""The benchmark data: the eight schools table, a radon-like simulation, and the zero-sum report's simulation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
# the spec of each benchmark model, in specs/
SPECS = {"eight_schools": "eight_schools", "radon": "radon", "zerosum": "zerosum_slopes"}


def eight_schools() -> pd.DataFrame:
    return pd.read_csv(ROOT / "specs" / "eight_schools.csv")


def radon(counties: int = 85, seed: int = 3) -> pd.DataFrame:
    """Like the Minnesota radon survey: 85 counties of very unequal sizes (about 900 homes), floor 0/1,
    county intercepts and floor effects correlated 0.5 (sds 0.35 and 0.3), residual sd 0.75."""
    rng = np.random.default_rng(seed)
    sizes = np.maximum(1, np.round(rng.lognormal(np.log(6), 1.0, counties))).astype(int)
    sizes = np.maximum(1, np.round(sizes * 900 / sizes.sum())).astype(int)
    sd = np.array([0.35, 0.3])
    cov = np.diag(sd) @ np.array([[1, 0.5], [0.5, 1]]) @ np.diag(sd)
    effects = rng.multivariate_normal([0, 0], cov, counties)
    county = np.repeat(np.arange(counties), sizes)
    floor = (rng.random(county.size) < 0.2).astype(float)
    mu = 1.5 + effects[county, 0] + (-0.7 + effects[county, 1]) * floor
    y = mu + rng.normal(0, 0.75, county.size)
    return pd.DataFrame({"county": [f"c{c:02d}" for c in county], "floor": floor, "log_radon": y})


def zerosum_report(groups: int = 1000, per_group: int = 200) -> pd.DataFrame:
    """The report's `generate_data`, draw for draw: per group, the three slopes, then x1, x2, x3 and the noise."""
    rng = np.random.default_rng(seed=42)
    means, sds, sigma = (1, 1.2, 0.8), (10, 12, 8), 100
    columns = {"group": [], "y": [], "x1": [], "x2": [], "x3": []}
    for i in range(groups):
        slopes = [rng.normal(loc=m, scale=s) for m, s in zip(means, sds, strict=True)]
        x = [rng.normal(size=per_group) for _ in range(3)]
        eps = rng.normal(size=per_group)
        y = slopes[0] * x[0] + slopes[1] * x[1] + slopes[2] * x[2] + sigma * eps
        columns["group"] += [i] * per_group
        columns["y"] += y.tolist()
        for k in range(3):
            columns[f"x{k + 1}"] += x[k].tolist()
    return pd.DataFrame(columns)
