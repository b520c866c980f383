"""hurdle_poisson: a zero with probability hu, else y ~ poisson(mean) truncated to 1, 2, ..., as brms.

`mean` is the mean of the untruncated Poisson (brms's mu); the expected response is
(1 - hu) mean / (1 - exp(-mean)). PyMC's `HurdlePoisson` takes psi = 1 - hu.
"""

from __future__ import annotations

from hierc.families.declaration import Bambi, FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.families.zeros import HU, ROWS_WHERE_ZERO, hurdle, stan_function
from hierc.language.vocabulary import Family, Link


def _p_zero(mean):
    import numpy as np

    return np.exp(-mean)


def _log_density(rows, eta, mean, aux):
    from scipy import stats

    return hurdle(_p_zero, stats.poisson.logpmf(rows.y, mean), mean, aux["hu"], rows.y)


def _draw(rng, rows, mean, aux):
    from scipy import stats

    # the positive part by inversion of the truncated cdf: P(Y <= y | Y >= 1)
    u = rng.uniform(size=mean.shape)
    positive = stats.poisson.ppf(_p_zero(mean) + u * (1 - _p_zero(mean)), mean).clip(1)
    return positive * (rng.uniform(size=mean.shape) >= aux["hu"])


def _expected(rows, mean, aux):
    return (1 - aux["hu"]) * mean / (1 - _p_zero(mean))


STAN_FUNCTION = stan_function(
    "hurdle_poisson_log",
    "real hu",
    "hu",
    "n_zero * log(hu)",
    "poisson_log_lpmf(y[rest] | eta[rest]) - sum(log1m_exp(-exp(eta[rest])))",
    "hurdle Poisson, log mean eta: a zero with probability hu, else a Poisson count of at least 1",
)

STAN_FUNCTION_PER_ROW = stan_function(
    "hurdle_poisson_log",
    "vector hu",
    "hu",
    "sum(log(hu[zero]))",
    "poisson_log_lpmf(y[rest] | eta[rest]) - sum(log1m_exp(-exp(eta[rest])))",
    "hurdle Poisson, log mean eta: a zero with probability hu, else a Poisson count of at least 1",
    per_row=True,
)

HURDLE_POISSON = FamilyDeclaration(
    Family.HURDLE_POISSON,
    links=(Link.LOG,),
    auxiliary=(HU,),
    response=ResponseKind.COUNT,
    stan=Stan(
        "hurdle_poisson_log({eta}, {hu})",
        functions=(ROWS_WHERE_ZERO, STAN_FUNCTION),
        functions_per_row=(STAN_FUNCTION_PER_ROW,),
    ),
    pymc=PyMC(Template("pm.HurdlePoisson", (("psi", "1 - {hu}"), ("mu", "{mean}")))),
    reference=Reference(_log_density, _draw, expected=_expected),
    bambi=Bambi("hurdle_poisson", {HU.cls: "psi"}, complement=frozenset({HU.cls})),
)
