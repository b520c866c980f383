"""hurdle_lognormal: a zero with probability hu, else y ~ lognormal(mu, sigma), y >= 0, as brms.

Amounts that are zero or positive (spending, rainfall, a cost that is often nothing): the linear predictor
is mu, the mean of log(y) for the positive values, and the expected response (1 - hu) exp(mu + sigma^2 / 2).
Its default priors are scaled by the mean and sd of log(y) over the positive values. PyMC's
`HurdleLogNormal` and Bambi's `hurdle_lognormal` take psi = 1 - hu.
"""

from __future__ import annotations

from hierc.families.declaration import Bambi, FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.families.lognormal import LOG_SIGMA
from hierc.families.zeros import HU, ROWS_WHERE_ZERO_REAL, stan_function
from hierc.language.vocabulary import Family, Link, Stat


def _log_density(rows, eta, mean, aux):
    import numpy as np
    from scipy import stats

    positive = np.where(rows.y > 0, rows.y, 1.0)  # any positive value: the zeros take the other branch
    log_positive = np.log1p(-aux["hu"]) + stats.lognorm.logpdf(positive, aux["sigma"], scale=np.exp(mean))
    return np.where(rows.y == 0, np.log(aux["hu"]) + 0 * mean, log_positive)


def _draw(rng, rows, mean, aux):
    return rng.lognormal(mean, aux["sigma"]) * (rng.uniform(size=mean.shape) >= aux["hu"])


def _expected(rows, mean, aux):
    import numpy as np

    return (1 - aux["hu"]) * np.exp(mean + aux["sigma"] ** 2 / 2)


STAN_FUNCTION = stan_function(
    "hurdle_lognormal",
    "real sigma, real hu",
    "hu",
    "n_zero * log(hu)",
    "lognormal_lpdf(y[rest] | eta[rest], sigma)",
    "hurdle lognormal: a zero with probability hu, else lognormal with log-scale mean eta and sd sigma",
    counts=False,
)

STAN_FUNCTION_PER_ROW = stan_function(
    "hurdle_lognormal",
    "vector sigma, vector hu",
    "hu",
    "sum(log(hu[zero]))",
    "lognormal_lpdf(y[rest] | eta[rest], sigma[rest])",
    "hurdle lognormal: a zero with probability hu, else lognormal with log-scale mean eta and sd sigma",
    counts=False,
    per_row=True,
)

HURDLE_LOGNORMAL = FamilyDeclaration(
    Family.HURDLE_LOGNORMAL,
    links=(Link.IDENTITY,),
    auxiliary=(LOG_SIGMA, HU),
    response=ResponseKind.NONNEGATIVE,
    stan=Stan(
        "hurdle_lognormal({eta}, {sigma}, {hu})",
        functions=(ROWS_WHERE_ZERO_REAL, STAN_FUNCTION),
        functions_per_row=(STAN_FUNCTION_PER_ROW,),
    ),
    pymc=PyMC(Template("pm.HurdleLogNormal", (("psi", "1 - {hu}"), ("mu", "{mean}"), ("sigma", "{sigma}")))),
    reference=Reference(_log_density, _draw, expected=_expected),
    bambi=Bambi("hurdle_lognormal", {LOG_SIGMA.cls: "sigma", HU.cls: "psi"}, complement=frozenset({HU.cls})),
    location=(Stat.LOG_POSITIVE_MEAN, Stat.LOG_POSITIVE_SD),
)
