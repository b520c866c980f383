"""negbinomial: y ~ neg_binomial_2(mean, phi), variance mean + mean^2 / phi (brms's and Stan's; PyMC's alpha)."""

from __future__ import annotations

from hierc.families.auxiliary import PHI
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


def negbinomial_log_density(y, mean, phi):
    from scipy import stats

    return stats.nbinom.logpmf(y, phi, phi / (phi + mean))


def negbinomial_p_zero(phi):
    """P(y = 0) as a function of the mean: (phi / (phi + mean))^phi."""
    return lambda mean: (phi / (phi + mean)) ** phi


def _distribution(rows, mean, aux):
    from scipy import stats

    return stats.nbinom(aux["phi"], aux["phi"] / (aux["phi"] + mean))


def _draw(rng, rows, mean, aux):
    return rng.negative_binomial(aux["phi"], aux["phi"] / (aux["phi"] + mean))


def _partial_mean(rows, mean, aux, c, above=False):
    from scipy import stats

    phi = aux["phi"]
    part = stats.nbinom.sf if above else stats.nbinom.cdf
    return mean * part(c - 1, phi + 1, phi / (phi + mean))  # k p(k; r, p) = mean p(k - 1; r + 1, p)


NEGBINOMIAL = FamilyDeclaration(
    Family.NEGBINOMIAL,
    aliases=("negative_binomial", "negativebinomial", "negbin", "nb"),
    links=(Link.LOG,),
    auxiliary=(PHI,),
    response=ResponseKind.COUNT,
    stan=Stan(
        "neg_binomial_2({mean}, {phi})",
        on_link={Link.LOG: "neg_binomial_2_log({eta}, {phi})"},
        glm={Link.LOG: "neg_binomial_2_log_glm({X}, {alpha}, b, {phi})"},
    ),
    pymc=PyMC(
        Template("pm.NegativeBinomial", (("mu", "{mean}"), ("alpha", "{phi}"))),
        log_ccdf="pt.log(pt.betainc(y + 1, alpha, mu / (mu + alpha)))",
    ),
    reference=scipy_reference(_distribution, _draw, partial_mean=_partial_mean),
    bambi=Bambi("negativebinomial", {PHI.cls: "alpha"}),
    censorable=True,
)
