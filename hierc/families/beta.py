"""beta: y ~ beta(mean * phi, (1 - mean) * phi), 0 < y < 1, with precision phi, as brms.

The variance is mean (1 - mean) / (1 + phi). Stan's `beta` and PyMC's `Beta(alpha, beta)` take the two
shapes; Bambi's `beta` calls phi `kappa`.
"""

from __future__ import annotations

from hierc.families.declaration import (
    Auxiliary,
    Bambi,
    FamilyDeclaration,
    PyMC,
    ResponseKind,
    Stan,
    Template,
    scipy_reference,
)
from hierc.language.vocabulary import Dist, Family, Link, ParamClass


def _distribution(rows, mean, aux):
    from scipy import stats

    phi = aux["phi"]
    return stats.beta(mean * phi, (1 - mean) * phi)


def _draw(rng, rows, mean, aux):
    phi = aux["phi"]
    return rng.beta(mean * phi, (1 - mean) * phi)


PRECISION = Auxiliary(
    ParamClass.PHI,
    "precision: variance mu (1 - mu) / (1 + phi)",
    lambda sd: (Dist.GAMMA, (("alpha", 0.01), ("beta", 0.01))),  # brms's default
)


def _partial_mean(rows, mean, aux, c, above=False):
    import numpy as np
    from scipy import special

    phi = aux["phi"]
    part = special.betaincc if above else special.betainc
    inside = np.clip(c, 0.0, 1.0)  # a bound outside (0, 1) bounds nothing
    return mean * part(mean * phi + 1, (1 - mean) * phi, inside)  # y f(y; a, b) = mean f(y; a + 1, b)


BETA = FamilyDeclaration(
    Family.BETA,
    links=(Link.LOGIT, Link.PROBIT, Link.CLOGLOG),
    auxiliary=(PRECISION,),
    response=ResponseKind.UNIT,
    stan=Stan("beta({mean} .* {phi}, (1 - {mean}) .* {phi})"),
    pymc=PyMC(
        Template("pm.Beta", (("alpha", "{mean} * {phi}"), ("beta", "(1 - {mean}) * {phi}"))),
        log_ccdf="pm.logcdf(pm.Beta.dist(alpha=beta, beta=alpha), 1 - y)",  # 1 - y is beta(beta, alpha)
    ),
    reference=scipy_reference(_distribution, _draw, partial_mean=_partial_mean),
    bambi=Bambi("beta", {ParamClass.PHI: "kappa"}),
    censorable=True,
)
