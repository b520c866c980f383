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
    Reference,
    ResponseKind,
    Stan,
    Template,
)
from hierc.language.vocabulary import Dist, Family, Link, ParamClass


def _log_density(rows, eta, mean, aux):
    from scipy import stats

    phi = aux["phi"]
    return stats.beta.logpdf(rows.y, mean * phi, (1 - mean) * phi)


def _draw(rng, rows, mean, aux):
    phi = aux["phi"]
    return rng.beta(mean * phi, (1 - mean) * phi)


PRECISION = Auxiliary(
    ParamClass.PHI,
    "precision: variance mu (1 - mu) / (1 + phi)",
    lambda sd: (Dist.GAMMA, (("alpha", 0.01), ("beta", 0.01))),  # brms's default
)

BETA = FamilyDeclaration(
    Family.BETA,
    links=(Link.LOGIT, Link.PROBIT, Link.CLOGLOG),
    auxiliary=(PRECISION,),
    response=ResponseKind.UNIT,
    stan=Stan("beta({mean} * {phi}, (1 - {mean}) * {phi})"),
    pymc=PyMC(Template("pm.Beta", (("alpha", "{mean} * {phi}"), ("beta", "(1 - {mean}) * {phi}")))),
    reference=Reference(_log_density, _draw),
    bambi=Bambi("beta", {ParamClass.PHI: "kappa"}),
)
