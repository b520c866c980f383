"""exponential: y ~ exponential(1 / mean), y > 0, with mean exp(eta), as brms's log link.

Stan's `exponential` and PyMC's `Exponential` take the rate, 1 / mean.
"""

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

    return stats.expon(scale=mean)


def _draw(rng, rows, mean, aux):
    return rng.exponential(mean)


def _partial_mean(rows, mean, aux, c, above=False):
    import numpy as np
    from scipy import special

    return mean * (special.gammaincc if above else special.gammainc)(
        2, np.maximum(c, 0.0) / mean
    )  # the gamma's with shape 1


EXPONENTIAL = FamilyDeclaration(
    Family.EXPONENTIAL,
    links=(Link.LOG,),  # an identity link would let the mean go negative, where the density is zero
    auxiliary=(),
    response=ResponseKind.POSITIVE,
    stan=Stan("exponential(inv({mean}))", on_link={Link.LOG: "exponential(exp(-{eta}))"}),
    pymc=PyMC(
        Template("pm.Exponential", (("lam", "1 / {mean}"),)),
        on_link={Link.LOG: Template("pm.Exponential", (("lam", "pt.exp(-{eta})"),))},
        log_ccdf="-lam * y",
    ),
    reference=scipy_reference(_distribution, _draw, partial_mean=_partial_mean),
    bambi=Bambi("exponential"),
    censorable=True,
)
