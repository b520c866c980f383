"""poisson: y ~ poisson(mean)."""

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

    return stats.poisson(mean)


def _draw(rng, rows, mean, aux):
    return rng.poisson(mean)


def _partial_mean(rows, mean, aux, c, above=False):
    from scipy import stats

    return mean * (stats.poisson.sf if above else stats.poisson.cdf)(c - 1, mean)  # k p(k) = mean p(k - 1)


POISSON = FamilyDeclaration(
    Family.POISSON,
    links=(Link.LOG,),
    auxiliary=(),
    response=ResponseKind.COUNT,
    stan=Stan(
        "poisson({mean})",
        on_link={Link.LOG: "poisson_log({eta})"},
        glm={Link.LOG: "poisson_log_glm({X}, {alpha}, b)"},
        # Stan 2.35's poisson_lcdf and poisson_lccdf of vectors crash when sampling: the same, by the
        # regularized incomplete gamma functions, P(Y <= y) = Q(y + 1, mean)
        log_cdf="log(gamma_q({y} + 1, {mean}))",
        log_ccdf="log(gamma_p({y} + 1, {mean}))",
    ),
    pymc=PyMC(
        Template("pm.Poisson", (("mu", "{mean}"),)),
        log_ccdf="pt.log(pt.gammainc(y + 1, mu))",  # P(Y > y) = P(Gamma(y + 1, 1) < mu)
    ),
    reference=scipy_reference(_distribution, _draw, partial_mean=_partial_mean),
    bambi=Bambi("poisson"),
    censorable=True,
)
