"""zero_inflated_poisson: a zero with probability zi, else y ~ poisson(mean), as brms (PyMC's psi is 1 - zi)."""

from __future__ import annotations

from hierc.families.declaration import Bambi, FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.families.zeros import ROWS_WHERE_ZERO, ZI, stan_function, zero_inflated
from hierc.language.vocabulary import Family, Link


def _p_zero(mean):
    import numpy as np

    return np.exp(-mean)


def _log_density(rows, eta, mean, aux):
    from scipy import stats

    return zero_inflated(_p_zero, stats.poisson.logpmf(rows.y, mean), mean, aux["zi"], rows.y)


def _draw(rng, rows, mean, aux):
    return rng.poisson(mean) * (rng.uniform(size=mean.shape) >= aux["zi"])


def _expected(rows, mean, aux):
    return (1 - aux["zi"]) * mean


STAN_FUNCTION = stan_function(
    "zero_inflated_poisson_log",
    "real zi",
    "zi",
    "sum(log_sum_exp(log(zi), log1m(zi) - exp(eta[zero])))",
    "poisson_log_lpmf(y[rest] | eta[rest])",
    "zero-inflated Poisson, log mean eta: a zero with probability zi, else a Poisson count",
)

STAN_FUNCTION_PER_ROW = stan_function(
    "zero_inflated_poisson_log",
    "vector zi",
    "zi",
    "sum(log_sum_exp(log(zi[zero]), log1m(zi[zero]) - exp(eta[zero])))",
    "poisson_log_lpmf(y[rest] | eta[rest])",
    "zero-inflated Poisson, log mean eta: a zero with probability zi, else a Poisson count",
    per_row=True,
)

ZERO_INFLATED_POISSON = FamilyDeclaration(
    Family.ZERO_INFLATED_POISSON,
    aliases=("zip", "zeroinflatedpoisson"),
    links=(Link.LOG,),
    auxiliary=(ZI,),
    response=ResponseKind.COUNT,
    stan=Stan(
        "zero_inflated_poisson_log({eta}, {zi})",
        functions=(ROWS_WHERE_ZERO, STAN_FUNCTION),
        functions_per_row=(STAN_FUNCTION_PER_ROW,),
    ),
    pymc=PyMC(Template("pm.ZeroInflatedPoisson", (("psi", "1 - {zi}"), ("mu", "{mean}")))),
    reference=Reference(_log_density, _draw, expected=_expected),
    bambi=Bambi("zero_inflated_poisson", {ZI.cls: "psi"}, complement=frozenset({ZI.cls})),
)
