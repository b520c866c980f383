"""bernoulli: y ~ bernoulli(mean), y in {0, 1}."""

from __future__ import annotations

from hierc.families.declaration import Bambi, FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.language.vocabulary import Family, Link


def _log_density(rows, eta, mean, aux):
    from scipy import stats

    return stats.bernoulli.logpmf(rows.y, mean)


def _log_density_on_logit(rows, eta, mean, aux):
    import numpy as np
    from scipy import special

    return np.where(rows.y == 1, special.log_expit(eta), special.log_expit(-eta))


def _draw(rng, rows, mean, aux):
    return rng.binomial(1, mean)


BERNOULLI = FamilyDeclaration(
    Family.BERNOULLI,
    aliases=("logistic", "binary"),
    links=(Link.LOGIT, Link.PROBIT, Link.CLOGLOG),
    auxiliary=(),
    response=ResponseKind.BINARY,
    stan=Stan(
        "bernoulli({mean})",
        on_link={Link.LOGIT: "bernoulli_logit({eta})"},
        glm={Link.LOGIT: "bernoulli_logit_glm({X}, {alpha}, b)"},
    ),
    pymc=PyMC(
        Template("pm.Bernoulli", (("p", "{mean}"),)),
        on_link={Link.LOGIT: Template("bernoulli_logit", (("eta", "{eta}"),))},  # a script helper
    ),
    reference=Reference(_log_density, _draw, on_link={Link.LOGIT: _log_density_on_logit}),
    bambi=Bambi("bernoulli"),
)
