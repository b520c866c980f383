"""poisson: y ~ poisson(mean)."""

from __future__ import annotations

from hierc.families.declaration import Bambi, FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.language.vocabulary import Family, Link


def _log_density(rows, eta, mean, aux):
    from scipy import stats

    return stats.poisson.logpmf(rows.y, mean)


def _draw(rng, rows, mean, aux):
    return rng.poisson(mean)


POISSON = FamilyDeclaration(
    Family.POISSON,
    links=(Link.LOG,),
    auxiliary=(),
    response=ResponseKind.COUNT,
    stan=Stan(
        "poisson({mean})",
        on_link={Link.LOG: "poisson_log({eta})"},
        glm={Link.LOG: "poisson_log_glm({X}, {alpha}, b)"},
    ),
    pymc=PyMC(Template("pm.Poisson", (("mu", "{mean}"),))),
    reference=Reference(_log_density, _draw),
    bambi=Bambi("poisson"),
)
