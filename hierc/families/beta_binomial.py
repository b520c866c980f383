"""beta_binomial: y ~ beta_binomial(n, mean * phi, (1 - mean) * phi) with `y | trials(n)`, as brms.

Successes out of n trials whose success probability varies from row to row as a beta with mean `mean` and
precision phi: the variance is n mean (1 - mean) (1 + (n - 1) / (1 + phi)), a binomial's when phi is large.
"""

from __future__ import annotations

from hierc.families.beta import PRECISION
from hierc.families.declaration import (
    Bambi,
    FamilyDeclaration,
    PyMC,
    ResponseKind,
    Stan,
    Template,
    scipy_reference,
)
from hierc.language.vocabulary import Family, Link, ParamClass


def _distribution(rows, mean, aux):
    from scipy import stats

    phi = aux["phi"]
    return stats.betabinom(rows.trials, mean * phi, (1 - mean) * phi)


def _draw(rng, rows, mean, aux):
    phi = aux["phi"]
    return rng.binomial(rows.trials, rng.beta(mean * phi, (1 - mean) * phi))


def _expected(rows, mean, aux):
    return rows.trials * mean  # successes, as brms's posterior_epred


BETA_BINOMIAL = FamilyDeclaration(
    Family.BETA_BINOMIAL,
    links=(Link.LOGIT, Link.PROBIT, Link.CLOGLOG),
    auxiliary=(PRECISION,),
    response=ResponseKind.COUNT,
    stan=Stan("beta_binomial({trials}, {mean} .* {phi}, (1 - {mean}) .* {phi})"),
    pymc=PyMC(
        Template("pm.BetaBinomial", (("n", "{trials}"), ("alpha", "{mean} * {phi}"), ("beta", "(1 - {mean}) * {phi}")))
    ),
    reference=scipy_reference(_distribution, _draw, expected=_expected),
    bambi=Bambi("beta_binomial", {ParamClass.PHI: "kappa"}),
    needs_trials=True,
)
