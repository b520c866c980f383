"""lognormal: log(y) ~ normal(mu, sigma), y > 0; the linear predictor is mu, the mean of log(y), as in brms and Stan.

Its default priors are scaled by the mean and sd of log(y), the scale the coefficients are on.
"""

from __future__ import annotations

from dataclasses import replace

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
from hierc.language.vocabulary import Family, Link, Stat


def _distribution(rows, mean, aux):
    import numpy as np
    from scipy import stats

    return stats.lognorm(aux["sigma"], scale=np.exp(mean))


def _draw(rng, rows, mean, aux):
    return rng.lognormal(mean, aux["sigma"])


def _expected(rows, mean, aux):
    import numpy as np

    return np.exp(mean + aux["sigma"] ** 2 / 2)  # the mean of y, not its median exp(mu)


LOG_SIGMA = replace(SIGMA, meaning="standard deviation of log(y)")


def _partial_mean(rows, mean, aux, c, above=False):
    import numpy as np
    from scipy import stats

    sigma = aux["sigma"]
    with np.errstate(divide="ignore"):
        z = (np.log(c) - mean - sigma**2) / sigma
    return _expected(rows, mean, aux) * (stats.norm.sf(z) if above else stats.norm.cdf(z))


LOGNORMAL = FamilyDeclaration(
    Family.LOGNORMAL,
    aliases=("log_normal",),
    links=(Link.IDENTITY,),
    auxiliary=(LOG_SIGMA,),
    response=ResponseKind.POSITIVE,
    stan=Stan("lognormal({mean}, {sigma})"),
    pymc=PyMC(
        Template("pm.LogNormal", (("mu", "{mean}"), ("sigma", "{sigma}"))),
        log_cdf="log_normal_cdf((pt.log(y) - mu) / sigma)",
        log_ccdf="log_normal_cdf((mu - pt.log(y)) / sigma)",
    ),
    reference=scipy_reference(_distribution, _draw, expected=_expected, partial_mean=_partial_mean),
    bambi=Bambi("lognormal", {LOG_SIGMA.cls: "sigma"}, custom="LogNormal"),
    location=(Stat.LOG_RESPONSE_MEAN, Stat.LOG_RESPONSE_SD),
    censorable=True,
)
