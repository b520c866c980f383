"""gamma: y ~ gamma(shape, shape / mean), y > 0, with mean exp(eta) and shape `shape`, as brms's log link.

The variance is mean^2 / shape. Stan's `gamma(alpha, beta)` and PyMC's `Gamma(alpha, beta)` take the shape
and the rate shape / mean.
"""

from __future__ import annotations

from hierc.families.auxiliary import SHAPE
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

    return stats.gamma(aux["shape"], scale=mean / aux["shape"])


def _draw(rng, rows, mean, aux):
    return rng.gamma(aux["shape"], mean / aux["shape"])


def _partial_mean(rows, mean, aux, c, above=False):
    import numpy as np
    from scipy import special

    part = special.gammaincc if above else special.gammainc
    return mean * part(aux["shape"] + 1, np.maximum(c, 0.0) * aux["shape"] / mean)  # y f(y; k, s) = k s f(y; k + 1, s)


GAMMA = FamilyDeclaration(
    Family.GAMMA,
    aliases=("Gamma",),
    links=(Link.LOG,),  # an identity link would let the mean go negative, where the density is zero
    auxiliary=(SHAPE,),
    response=ResponseKind.POSITIVE,
    stan=Stan("gamma({shape}, {shape} ./ {mean})", on_link={Link.LOG: "gamma({shape}, {shape} .* exp(-{eta}))"}),
    pymc=PyMC(
        Template("pm.Gamma", (("alpha", "{shape}"), ("beta", "{shape} / {mean}"))),
        on_link={Link.LOG: Template("pm.Gamma", (("alpha", "{shape}"), ("beta", "{shape} * pt.exp(-{eta})")))},
        log_ccdf="pt.log(pt.gammaincc(alpha, beta * y))",
    ),
    reference=scipy_reference(_distribution, _draw, partial_mean=_partial_mean),
    bambi=Bambi("gamma", {SHAPE.cls: "alpha"}),
    censorable=True,
)
