"""weibull: y ~ weibull(shape, mean / Gamma(1 + 1 / shape)), y > 0, with mean exp(eta), as brms's log link.

brms (and Bambi) model the Weibull's mean: its scale is the mean over Gamma(1 + 1/shape). Stan's
`weibull(alpha, sigma)` and PyMC's `Weibull(alpha, beta)` take the shape and that scale.
"""

from __future__ import annotations

from hierc.families.declaration import (
    Auxiliary,
    Bambi,
    FamilyDeclaration,
    PyMC,
    ResponseKind,
    Stan,
    Template,
    scipy_reference,
)
from hierc.language.vocabulary import Dist, Family, Link, ParamClass


def _scale(mean, shape):
    from scipy import special

    return mean / special.gamma(1 + 1 / shape)


def _distribution(rows, mean, aux):
    from scipy import stats

    return stats.weibull_min(aux["shape"], scale=_scale(mean, aux["shape"]))


def _draw(rng, rows, mean, aux):
    return _scale(mean, aux["shape"]) * rng.weibull(aux["shape"])


WEIBULL_SHAPE = Auxiliary(
    ParamClass.SHAPE,
    "shape of the Weibull: above 1 the hazard rises, below 1 it falls",
    lambda sd: (Dist.GAMMA, (("alpha", 0.01), ("beta", 0.01))),  # brms's default
)


def _partial_mean(rows, mean, aux, c, above=False):
    import numpy as np
    from scipy import special

    shape = aux["shape"]
    part = special.gammaincc if above else special.gammainc
    return mean * part(
        1 + 1 / shape, (np.maximum(c, 0.0) / _scale(mean, shape)) ** shape
    )  # y = scale W^(1/shape), W ~ exp(1)


WEIBULL = FamilyDeclaration(
    Family.WEIBULL,
    links=(Link.LOG,),  # an identity link would let the mean go negative, where the density is zero
    auxiliary=(WEIBULL_SHAPE,),
    response=ResponseKind.POSITIVE,
    stan=Stan(
        "weibull({shape}, {mean} ./ tgamma(1 + 1 ./ {shape}))",
        on_link={Link.LOG: "weibull({shape}, exp({eta}) ./ tgamma(1 + 1 ./ {shape}))"},
    ),
    pymc=PyMC(
        Template("pm.Weibull", (("alpha", "{shape}"), ("beta", "{mean} / pt.gamma(1 + 1 / {shape})"))),
        log_ccdf="-((y / beta) ** alpha)",
    ),
    reference=scipy_reference(_distribution, _draw, partial_mean=_partial_mean),
    bambi=Bambi("weibull", {ParamClass.SHAPE: "alpha"}),
    censorable=True,
)
