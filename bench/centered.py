"""Centered against noncentered on informative and on sparse groups: bulk ESS per second of the quantities the
parameterization moves (Intercept, b, the sds), through Stan and PyMC.

    python -m bench.centered [--chains 4 --draws 1000 --seeds 1,2]

Prints one row per data set, backend, parameterization and seed: the minimum bulk ESS over Intercept, b and
the sds, the sampling seconds, their ratio, and divergent transitions. Run it with another checkout's hierc
on PYTHONPATH to set two versions side by side on the same data.
"""

from __future__ import annotations

import argparse
import warnings

import arviz as az
import numpy as np
import pandas as pd

import hierc

SPEC = "y ~ 1 + x + (1 + x || g)\nprior sd(g) ~ halfnormal(1)\nparam = {param}\n"


def groups(levels: int, rows: list[int], seed: int = 0) -> pd.DataFrame:
    """Intercepts 1.5 + effects of sd 0.5, slopes -0.7 + effects of sd 0.3, residual sd 0.75."""
    rng = np.random.default_rng(seed)
    sizes = np.resize(rows, levels)
    level = np.repeat(np.arange(levels), sizes)
    intercepts, slopes = rng.normal(0, 0.5, levels), rng.normal(0, 0.3, levels)
    x = rng.normal(size=level.size)
    y = 1.5 + intercepts[level] + (-0.7 + slopes[level]) * x + rng.normal(0, 0.75, level.size)
    return pd.DataFrame({"g": [f"g{i:03d}" for i in level], "x": x.round(4), "y": y.round(4)})


DATA = {
    "informative (200 groups x 20 rows)": lambda: groups(200, [20]),
    "sparse (85 groups x 1-4 rows)": lambda: groups(85, [1, 2, 3, 4]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--backends", default="stan,pymc")
    args = parser.parse_args()
    print("data | backend | param | seed | min bulk ESS (Intercept, b, sd) | seconds | ESS/s | divergent")
    for data_name, make in DATA.items():
        frame = make()
        for backend in args.backends.split(","):
            for param in ("centered", "noncentered"):
                model = hierc.loads(SPEC.format(param=param))
                for seed in (int(s) for s in args.seeds.split(",")):
                    options = hierc.SampleOptions(chains=args.chains, draws=args.draws, tune=args.draws, seed=seed)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        idata = hierc.sample(model, frame, backend, options=options, likelihood="rows")
                    ess = az.ess(idata, var_names=["Intercept", "b", "sd_g"], method="bulk")
                    smallest = min(float(ess[name].min()) for name in ess.data_vars)
                    seconds = float(idata.posterior.attrs["hierc_sampling_seconds"])
                    divergent = int(idata.sample_stats["diverging"].sum())
                    print(
                        f"{data_name} | {backend} | {param} | {seed} | {smallest:.0f} | {seconds:.1f} | "
                        f"{smallest / seconds:.0f} | {divergent}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
