"""gaussian: y ~ normal(mean, sigma); with `y | se(s)`, sigma is the known s."""

from __future__ import annotations

from hierc.families.auxiliary import SIGMA
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


def _sd(rows, aux):
    return rows.se if rows.se is not None else aux["sigma"]


def _distribution(rows, mean, aux):
    from scipy import stats

    return stats.norm(mean, _sd(rows, aux))


def _draw(rng, rows, mean, aux):
    return rng.normal(mean, _sd(rows, aux))


def _partial_mean(rows, mean, aux, c, above=False):
    from scipy import stats

    sd = _sd(rows, aux)
    z = (c - mean) / sd
    if above:
        return mean * stats.norm.sf(z) + sd * stats.norm.pdf(z)
    return mean * stats.norm.cdf(z) - sd * stats.norm.pdf(z)


GAUSSIAN = FamilyDeclaration(
    Family.GAUSSIAN,
    aliases=("normal",),
    links=(Link.IDENTITY, Link.LOG),
    auxiliary=(SIGMA,),
    response=ResponseKind.REAL,
    stan=Stan(
        "normal({mean}, {sigma})", glm={Link.IDENTITY: "normal_id_glm({X}, {alpha}, b, {sigma})"}, glm_per_row=True
    ),
    pymc=PyMC(
        Template("pm.Normal", (("mu", "{mean}"), ("sigma", "{sigma}"))),
        log_cdf="log_normal_cdf((y - mu) / sigma)",
        log_ccdf="log_normal_cdf((mu - y) / sigma)",
    ),
    reference=scipy_reference(_distribution, _draw, partial_mean=_partial_mean),
    bambi=Bambi("gaussian", {SIGMA.cls: "sigma"}),
    allows_se=True,
    suffstats_link=Link.IDENTITY,
    censorable=True,
)
