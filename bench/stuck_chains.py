"""Chains stuck at a wide prior's scale: a poisson model with one level per row and priors a hundred times
wider than the posterior, sampled with several seeds by every engine; counts the chains that never came back.

    python -m bench.stuck_chains [--seeds 1,2,3,4 --chains 4 --engines nutpie,pymc,pystan]

The posterior of `sd_yr` is about 0.036 +- 0.024; a chain whose mean of `sd_yr` is above 0.5 sits at the
prior's scale (halfnormal(100)). Prints one row per engine and seed: stuck chains, the largest R-hat over
Intercept, b and sd_yr, and the smallest bulk ESS.
"""

from __future__ import annotations

import argparse
import warnings

import arviz as az
import numpy as np
import pandas as pd

import hierc

SPEC = (
    "C ~ 1 + year + year2 + year3 + (1 | yr)\nfamily poisson\n"
    "prior Intercept ~ normal(0, 100)\nprior b ~ normal(0, 100)\nprior sd ~ halfnormal(100)\n"
)
STUCK = 0.5  # a chain's mean sd_yr above this sits at the prior's scale


def data(seed: int = 1) -> pd.DataFrame:
    """40 years of counts on a cubic trend in the year, with a small extra variation per year (sd 0.04)."""
    rng = np.random.default_rng(seed)
    yr = (np.arange(40) - 19.5) / 11.5
    eta = 4.2 + 1.1 * yr - 0.2 * yr**2 - 0.25 * yr**3 + rng.normal(0, 0.04, 40)
    frame = pd.DataFrame({"C": rng.poisson(np.exp(eta)), "year": yr, "year2": yr**2, "year3": yr**3})
    frame["yr"] = np.arange(40)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4")
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--engines", default="nutpie,pymc,pystan")
    args = parser.parse_args()
    model, frame = hierc.loads(SPEC), data()
    print("engine | seed | stuck chains | max R-hat | min bulk ESS")
    for engine in args.engines.split(","):
        backend = "stan" if engine in ("pystan", "cmdstanpy") else "pymc"
        for seed in (int(s) for s in args.seeds.split(",")):
            options = hierc.SampleOptions(chains=args.chains, draws=args.draws, tune=args.draws, seed=seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                idata = hierc.sample(model, frame, backend, engine=engine, options=options)
            names = ["Intercept", "b", "sd_yr"]
            stuck = int((idata.posterior["sd_yr"].mean("draw").values > STUCK).sum())
            r_hat = max(float(v.max()) for v in az.rhat(idata, var_names=names).data_vars.values())
            ess = min(float(v.min()) for v in az.ess(idata, var_names=names, method="bulk").data_vars.values())
            print(f"{engine} | {seed} | {stuck} of {args.chains} | {r_hat:.2f} | {ess:.0f}", flush=True)


if __name__ == "__main__":
    main()
