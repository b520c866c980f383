"""student_t: y ~ student_t(nu, mean, sigma)."""

from __future__ import annotations

from hierc.families.auxiliary import NU, SIGMA
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

    return stats.t(aux["nu"], mean, aux["sigma"])


def _draw(rng, rows, mean, aux):
    import numpy as np

    return mean + aux["sigma"] * rng.standard_t(np.broadcast_to(aux["nu"], mean.shape))


def _partial_mean(rows, mean, aux, c, above=False):
    from scipy import stats

    nu, sigma = aux["nu"], aux["sigma"]
    z = (c - mean) / sigma
    # E[T; T <= z] = -(nu + z^2) / (nu - 1) f(z) for the standard t: an antiderivative of z f(z), nu != 1
    tail = sigma * (nu + z**2) / (nu - 1) * stats.t.pdf(z, nu)
    return mean * stats.t.sf(z, nu) + tail if above else mean * stats.t.cdf(z, nu) - tail


STUDENT_T = FamilyDeclaration(
    Family.STUDENT_T,
    aliases=("student", "t", "studentt"),
    links=(Link.IDENTITY, Link.LOG),
    auxiliary=(SIGMA, NU),
    response=ResponseKind.REAL,
    stan=Stan("student_t({nu}, {mean}, {sigma})"),
    pymc=PyMC(
        Template("pm.StudentT", (("nu", "{nu}"), ("mu", "{mean}"), ("sigma", "{sigma}"))),
        log_cdf="student_t_log_cdf((y - mu) / sigma, nu)",
        log_ccdf="student_t_log_cdf((mu - y) / sigma, nu)",
    ),
    reference=scipy_reference(_distribution, _draw, partial_mean=_partial_mean),
    bambi=Bambi("t", {SIGMA.cls: "sigma", NU.cls: "nu"}),
    censorable=True,
)
