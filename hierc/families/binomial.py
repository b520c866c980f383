"""binomial: y ~ binomial(n, mean) with `y | trials(n)`."""

from __future__ import annotations

from hierc.families.declaration import (
    Bambi,
    FamilyDeclaration,
    PyMC,
    ResponseKind,
    Stan,
    Template,
    scipy_reference,
)
from hierc.language.vocabulary import Family, Link


def _distribution(rows, mean, aux):
    from scipy import stats

    return stats.binom(rows.trials, mean)


def _log_density_on_logit(rows, eta, mean, aux):
    from scipy import special

    y, n = rows.y, rows.trials
    choose = special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1)
    return choose + y * special.log_expit(eta) + (n - y) * special.log_expit(-eta)


def _draw(rng, rows, mean, aux):
    return rng.binomial(rows.trials, mean)


def _expected(rows, mean, aux):
    return rows.trials * mean  # successes, as brms's posterior_epred


def _partial_mean(rows, mean, aux, c, above=False):
    from scipy import stats

    part = stats.binom.sf if above else stats.binom.cdf
    return rows.trials * mean * part(c - 1, rows.trials - 1, mean)  # k C(n, k) = n C(n - 1, k - 1)


BINOMIAL = FamilyDeclaration(
    Family.BINOMIAL,
    links=(Link.LOGIT, Link.PROBIT, Link.CLOGLOG),
    auxiliary=(),
    response=ResponseKind.COUNT,
    stan=Stan(
        "binomial({trials}, {mean})",
        on_link={Link.LOGIT: "binomial_logit({trials}, {eta})"},
        glm={Link.LOGIT: "binomial_logit_glm({trials}, {X}, {alpha}, b)"},
    ),
    pymc=PyMC(
        Template("pm.Binomial", (("n", "{trials}"), ("p", "{mean}"))),
        on_link={Link.LOGIT: Template("binomial_logit", (("n", "{trials}"), ("eta", "{eta}")))},  # a script helper
        log_ccdf="pt.log(pt.betainc(y + 1, n - y, p))",  # y below n: a right-censored row has a success to come
    ),
    reference=scipy_reference(
        _distribution,
        _draw,
        on_link={Link.LOGIT: _log_density_on_logit},
        expected=_expected,
        partial_mean=_partial_mean,
    ),
    bambi=Bambi("binomial"),
    needs_trials=True,
    censorable=True,
)
