"""The auxiliary parameters families share, with their meaning and default prior (docs/language.md)."""

from __future__ import annotations

from hierc.families.declaration import Auxiliary
from hierc.language.ir import DataScaled
from hierc.language.vocabulary import Dist, ParamClass

SIGMA = Auxiliary(
    ParamClass.SIGMA,
    "residual standard deviation",
    lambda sd: (Dist.EXPONENTIAL, (("rate", DataScaled(1.0, None, sd)),)),
)
NU = Auxiliary(
    ParamClass.NU,
    "degrees of freedom of the Student-t",
    lambda sd: (Dist.GAMMA, (("alpha", 2.0), ("beta", 0.1))),
)
PHI = Auxiliary(
    ParamClass.PHI,
    "overdispersion: variance mu + mu^2 / phi",
    lambda sd: (Dist.INV_GAMMA, (("alpha", 0.4), ("beta", 0.3))),
)
SHAPE = Auxiliary(
    ParamClass.SHAPE,
    "shape: the coefficient of variation is 1 / sqrt(shape)",
    lambda sd: (Dist.GAMMA, (("alpha", 0.01), ("beta", 0.01))),  # brms's default
)
