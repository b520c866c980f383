"""Recovery on simulated data, one fit per family: does the posterior cover the values that made the data?

Each family's data are drawn here with NumPy, independently of hierc (its brms parameterization written
out: e.g. the gamma's scale mean / shape, the Weibull's mean / Γ(1 + 1/shape), the hurdle's zero-truncated
counts by rejection), from `y ~ 1 + x + (1 | g)` with 600 rows and 15 groups: intercept at x = 0
(`b_Intercept`; the thresholds for `cumulative`), slope `b[x]`, the groups' sd `sd_g` and the family's
auxiliary parameters. Each model is fitted with the PyMC backend (2 chains of 600 draws after 600 tuning
steps) under hierc's default priors, and the table shows each true value with the posterior mean and
central 95% interval.

With `--distributional`, one auxiliary parameter of each family that has one varies with a second
predictor z: log(parameter) (logit for `zi` and `hu`) is its value above plus 0.4 z, and the model has
the formula `parameter ~ 1 + z` (`DISTRIBUTIONAL` says which parameter); the table shows that formula's
intercept at z = 0 and slope.

    python -m bench.recovery [--family NAME ...] [--backend pymc|stan] [--distributional]

prints the table and exits with status 1 if a true value lies outside its 95% interval.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd
from scipy import special

import hierc
from hierc.language.vocabulary import Family

N, GROUPS, SLOPE, GROUP_SD = 600, 15, 0.5, 0.4
THRESHOLDS = [-1.0, 0.2, 1.3]

# per family: the intercept at x = 0 on the link scale, and the auxiliary parameters' true values
TRUTH: dict[Family, tuple[float, dict[str, float]]] = {
    Family.GAUSSIAN: (1.0, {"sigma": 0.8}),
    Family.STUDENT_T: (1.0, {"sigma": 0.8, "nu": 5.0}),
    Family.BERNOULLI: (-0.3, {}),
    Family.BINOMIAL: (-0.5, {}),
    Family.POISSON: (1.0, {}),
    Family.NEGBINOMIAL: (1.0, {"phi": 3.0}),
    Family.LOGNORMAL: (1.0, {"sigma": 0.5}),
    Family.GAMMA: (1.0, {"shape": 3.0}),
    Family.EXPONENTIAL: (1.0, {}),
    Family.WEIBULL: (1.0, {"shape": 2.0}),
    Family.BETA: (-0.3, {"phi": 10.0}),
    Family.BETA_BINOMIAL: (-0.3, {"phi": 8.0}),
    Family.ZERO_INFLATED_POISSON: (1.0, {"zi": 0.3}),
    Family.ZERO_INFLATED_NEGBINOMIAL: (1.0, {"phi": 3.0, "zi": 0.3}),
    Family.HURDLE_POISSON: (1.0, {"hu": 0.3}),
    Family.HURDLE_NEGBINOMIAL: (1.0, {"phi": 3.0, "hu": 0.3}),
    Family.HURDLE_LOGNORMAL: (1.0, {"sigma": 0.5, "hu": 0.3}),
    Family.CUMULATIVE: (0.0, {}),
}
TRIALS = 10
# the parameter given a formula with --distributional, and its slope on z (log or logit scale)
DISTRIBUTIONAL: dict[Family, str] = {
    Family.GAUSSIAN: "sigma",
    Family.STUDENT_T: "sigma",
    Family.NEGBINOMIAL: "phi",
    Family.LOGNORMAL: "sigma",
    Family.GAMMA: "shape",
    Family.WEIBULL: "shape",
    Family.BETA: "phi",
    Family.BETA_BINOMIAL: "phi",
    Family.ZERO_INFLATED_POISSON: "zi",
    Family.ZERO_INFLATED_NEGBINOMIAL: "zi",
    Family.HURDLE_POISSON: "hu",
    Family.HURDLE_NEGBINOMIAL: "hu",
    Family.HURDLE_LOGNORMAL: "hu",
}
DPAR_SLOPE = 0.4
_PROBABILITIES = ("zi", "hu")


def _link(name: str, value: float) -> float:
    """A parameter's value on its formula's scale: logit for a probability, log otherwise."""
    return float(special.logit(value) if name in _PROBABILITIES else np.log(value))


def _positive_counts(rng: np.random.Generator, draw, size: int) -> np.ndarray:
    """Draws of a count distribution given that it is above 0 (a hurdle's non-zeros), by rejection."""
    out = draw(size)
    while np.any(out == 0):
        zero = out == 0
        out[zero] = draw(size)[zero]
    return out


def simulate(family: Family, seed: int = 1, distributional: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    intercept, aux = TRUTH[family]
    x = rng.normal(0.0, 1.0, N)
    g = rng.integers(0, GROUPS, N)
    eta = intercept + SLOPE * x + rng.normal(0.0, GROUP_SD, GROUPS)[g]
    columns = {"x": x, "g": g}
    if distributional:  # the parameter varies by row with z (drawn after the rest: the same x, g, effects)
        name, z = DISTRIBUTIONAL[family], rng.normal(0.0, 1.0, N)
        inverse = special.expit if name in _PROBABILITIES else np.exp
        aux = aux | {name: inverse(_link(name, aux[name]) + DPAR_SLOPE * z)}
        columns["z"] = z
    exp, expit = np.exp(eta), special.expit(eta)
    match family:
        case Family.GAUSSIAN:
            y = rng.normal(eta, aux["sigma"])
        case Family.STUDENT_T:
            y = eta + aux["sigma"] * rng.standard_t(aux["nu"], N)
        case Family.BERNOULLI:
            y = rng.binomial(1, expit)
        case Family.BINOMIAL:
            y = rng.binomial(TRIALS, expit)
        case Family.POISSON:
            y = rng.poisson(exp)
        case Family.NEGBINOMIAL:
            y = rng.negative_binomial(aux["phi"], aux["phi"] / (aux["phi"] + exp))
        case Family.LOGNORMAL:
            y = np.exp(rng.normal(eta, aux["sigma"]))
        case Family.GAMMA:
            y = rng.gamma(aux["shape"], exp / aux["shape"])
        case Family.EXPONENTIAL:
            y = rng.exponential(exp)
        case Family.WEIBULL:
            y = exp / special.gamma(1 + 1 / aux["shape"]) * rng.weibull(aux["shape"], N)
        case Family.BETA:
            y = rng.beta(expit * aux["phi"], (1 - expit) * aux["phi"])
        case Family.BETA_BINOMIAL:
            y = rng.binomial(TRIALS, rng.beta(expit * aux["phi"], (1 - expit) * aux["phi"]))
        case Family.ZERO_INFLATED_POISSON:
            y = rng.poisson(exp) * (rng.uniform(size=N) >= aux["zi"])
        case Family.ZERO_INFLATED_NEGBINOMIAL:
            counts = rng.negative_binomial(aux["phi"], aux["phi"] / (aux["phi"] + exp))
            y = counts * (rng.uniform(size=N) >= aux["zi"])
        case Family.HURDLE_POISSON:
            y = _positive_counts(rng, lambda size: rng.poisson(exp, size), N) * (rng.uniform(size=N) >= aux["hu"])
        case Family.HURDLE_NEGBINOMIAL:
            p = aux["phi"] / (aux["phi"] + exp)
            positive = _positive_counts(rng, lambda size: rng.negative_binomial(aux["phi"], p, size), N)
            y = positive * (rng.uniform(size=N) >= aux["hu"])
        case Family.HURDLE_LOGNORMAL:
            y = np.exp(rng.normal(eta, aux["sigma"])) * (rng.uniform(size=N) >= aux["hu"])
        case Family.CUMULATIVE:  # P(y <= k) = logistic(threshold_k - eta)
            y = 1 + (rng.logistic(eta, 1.0, N)[:, None] > np.array(THRESHOLDS)).sum(axis=1)
    columns["y"] = y
    if family in (Family.BINOMIAL, Family.BETA_BINOMIAL):
        columns["n"] = np.full(N, TRIALS)
    return pd.DataFrame(columns)


def spec(family: Family, distributional: bool = False) -> str:
    trials = " | trials(n)" if family in (Family.BINOMIAL, Family.BETA_BINOMIAL) else ""
    formula = f"{DISTRIBUTIONAL[family]} ~ 1 + z\n" if distributional else ""
    return f"y{trials} ~ 1 + x + (1 | g)\n{formula}family {family.value}\n"


def truths(family: Family, distributional: bool = False) -> dict[str, float]:
    intercept, aux = TRUTH[family]
    out = {f"b_Intercept[{k + 1}]": t for k, t in enumerate(THRESHOLDS)} if family is Family.CUMULATIVE else {}
    out |= {"b_Intercept": intercept} if family is not Family.CUMULATIVE else {}
    out |= {"b[x]": SLOPE, "sd_g": GROUP_SD} | aux
    if distributional:
        name = DISTRIBUTIONAL[family]
        del out[name]
        out |= {f"b_{name}_Intercept": _link(name, aux[name]), f"b_{name}[z]": DPAR_SLOPE}
    return out


def draws_of(posterior, label: str) -> np.ndarray:
    name, _, index = label.partition("[")
    values = posterior[name]
    if index and not index[:-1].isdigit():  # one coefficient, `b[x]`: the only column
        values = values.isel({d: 0 for d in values.dims[2:]})
    elif index:
        values = values[..., int(index[:-1]) - 1]
    return np.asarray(values).reshape(-1)


def recover(family: Family, backend: str, distributional: bool = False) -> list[tuple[str, float, float, float, float]]:
    model = hierc.loads(spec(family, distributional))
    options = hierc.SampleOptions(chains=2, draws=600, tune=600, seed=1)
    idata = hierc.sample(model, simulate(family, distributional=distributional), backend=backend, options=options)
    rows = []
    for label, truth in truths(family, distributional).items():
        draws = draws_of(idata.posterior, label)
        low, high = np.quantile(draws, [0.025, 0.975])
        rows.append((label, truth, float(draws.mean()), float(low), float(high)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", action="append", choices=[f.value for f in TRUTH], help="default: every family")
    parser.add_argument("--backend", default="pymc", choices=["pymc", "stan"])
    parser.add_argument("--distributional", action="store_true", help="a formula for one auxiliary parameter")
    args = parser.parse_args(argv)
    families = [Family(f) for f in args.family] if args.family else list(TRUTH)
    if args.distributional:
        families = [f for f in families if f in DISTRIBUTIONAL]
    print(f"| family | parameter | true | posterior mean | 95% interval | covered | ({args.backend}) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    missed = 0
    for family in families:
        start = time.perf_counter()
        rows = recover(family, args.backend, args.distributional)
        seconds = time.perf_counter() - start
        for i, (label, truth, mean, low, high) in enumerate(rows):
            covered = low <= truth <= high
            missed += not covered
            took = f"{seconds:.0f} s" if i == 0 else ""
            print(
                f"| {family.value if i == 0 else ''} | {label} | {truth:g} | {mean:.3g} | [{low:.3g}, {high:.3g}] "
                f"| {'yes' if covered else 'NO'} | {took} |",
                flush=True,
            )
    print(f"\n{missed} true values outside their 95% interval")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
