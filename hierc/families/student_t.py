"""student_t: y ~ student_t(nu, mean, sigma)."""

from __future__ import annotations

from hierc.families.auxiliary import NU, SIGMA
from hierc.families.declaration import Bambi, FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.language.vocabulary import Family, Link


def _log_density(rows, eta, mean, aux):
    from scipy import stats

    return stats.t.logpdf(rows.y, aux["nu"], mean, aux["sigma"])


def _draw(rng, rows, mean, aux):
    import numpy as np

    return mean + aux["sigma"] * rng.standard_t(np.broadcast_to(aux["nu"], mean.shape))


STUDENT_T = FamilyDeclaration(
    Family.STUDENT_T,
    aliases=("student", "t", "studentt"),
    links=(Link.IDENTITY, Link.LOG),
    auxiliary=(SIGMA, NU),
    response=ResponseKind.REAL,
    stan=Stan("student_t({nu}, {mean}, {sigma})"),
    pymc=PyMC(Template("pm.StudentT", (("nu", "{nu}"), ("mu", "{mean}"), ("sigma", "{sigma}")))),
    reference=Reference(_log_density, _draw),
    bambi=Bambi("t", {SIGMA.cls: "sigma", NU.cls: "nu"}),
)
