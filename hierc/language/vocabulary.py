"""The closed sets of the language and what is known about each member.

Everything a spec may name (families, links, distributions, transforms,
parameterizations, parameter classes) is an Enum here, with a table of its
properties. Lowering and every backend read these tables; none of them
compares bare strings.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Link(StrEnum):
    IDENTITY = "identity"
    LOG = "log"
    LOGIT = "logit"
    PROBIT = "probit"
    CLOGLOG = "cloglog"


class ParamClass(StrEnum):
    """Classes of parameters that priors are placed on."""

    INTERCEPT = "Intercept"
    B = "b"
    SD = "sd"
    COR = "cor"
    SIGMA = "sigma"
    NU = "nu"
    PHI = "phi"
    SHAPE = "shape"
    ZI = "zi"
    HU = "hu"


class Family(StrEnum):
    """The families; what each is and how every backend writes it: `hierc/families/`."""

    GAUSSIAN = "gaussian"
    STUDENT_T = "student_t"
    BERNOULLI = "bernoulli"
    BINOMIAL = "binomial"
    POISSON = "poisson"
    NEGBINOMIAL = "negbinomial"
    LOGNORMAL = "lognormal"
    GAMMA = "gamma"
    EXPONENTIAL = "exponential"
    WEIBULL = "weibull"
    BETA = "beta"
    BETA_BINOMIAL = "beta_binomial"
    ZERO_INFLATED_POISSON = "zero_inflated_poisson"
    ZERO_INFLATED_NEGBINOMIAL = "zero_inflated_negbinomial"
    HURDLE_POISSON = "hurdle_poisson"
    HURDLE_NEGBINOMIAL = "hurdle_negbinomial"
    HURDLE_LOGNORMAL = "hurdle_lognormal"
    CUMULATIVE = "cumulative"


class Parameterization(StrEnum):
    """How the group-level effects of one grouping factor are encoded."""

    CENTERED = "centered"
    NONCENTERED = "noncentered"
    ZEROSUM = "zerosum"


DEFAULT_PARAMETERIZATION = Parameterization.NONCENTERED
RESERVED_PARAMETERIZATIONS = ("auto",)


class Encoding(StrEnum):
    """How a backend writes the parameters of a model; both encodings are the same model."""

    VECTORIZED = "vectorized"  # vectors and matrices of parameters, multiple indexing
    UNROLLED = "unrolled"  # one parameter per term, as a person writes it by hand


class Likelihood(StrEnum):
    """How a gaussian likelihood with identity link is computed; both give the same density."""

    ROWS = "rows"  # one term per observation
    SUFFSTATS = "suffstats"  # from per-level sufficient statistics of the rows
    AUTO = "auto"  # suffstats where it applies and is cheaper


class Backend(StrEnum):
    """The targets a model is lowered to (`hierc/backends/`)."""

    STAN = "stan"
    PYMC = "pymc"
    BAMBI = "bambi"


class Engine(StrEnum):
    """The samplers; each backend says which of them it runs (`auto`: the best one installed)."""

    AUTO = "auto"
    CMDSTANPY = "cmdstanpy"
    PYSTAN = "pystan"
    NUTPIE = "nutpie"
    PYMC = "pymc"


class NewLevels(StrEnum):
    """What a prediction does for a level of a grouping factor that the fit did not see."""

    SAMPLE = "sample"  # effects drawn from the fitted population distribution, per draw
    POPULATION = "population"  # no group-level effect: the population-level prediction
    ERROR = "error"  # refuse


class PredictionKind(StrEnum):
    MEAN = "mean"  # the expected response (brms's posterior_epred)
    RESPONSE = "response"  # a draw of the response from the likelihood (brms's posterior_predict)


class Transform(StrEnum):
    """Functions that may be applied to a numeric predictor in a formula."""

    LOG = "log"
    LOG1P = "log1p"
    EXP = "exp"
    SQRT = "sqrt"
    SCALE = "scale"  # (x - mean(x)) / sd(x), statistics of the data
    CENTER = "center"  # x - mean(x)


CATEGORICAL = "C"  # `C(x)` or `C(x, ref = level)` marks a categorical predictor


class Support(StrEnum):
    REAL = "real"
    POSITIVE = "positive"
    UNIT = "between 0 and 1"
    CORRELATION = "correlation matrix"

    @property
    def limits(self) -> tuple[float, float]:
        """The least and greatest value of a scalar of this support."""
        return {Support.REAL: (-math.inf, math.inf), Support.UNIT: (0.0, 1.0)}.get(self, (0.0, math.inf))


PARAM_SUPPORT: dict[ParamClass, Support] = {
    ParamClass.INTERCEPT: Support.REAL,
    ParamClass.B: Support.REAL,
    ParamClass.SD: Support.POSITIVE,
    ParamClass.COR: Support.CORRELATION,
    ParamClass.SIGMA: Support.POSITIVE,
    ParamClass.NU: Support.POSITIVE,
    ParamClass.PHI: Support.POSITIVE,
    ParamClass.SHAPE: Support.POSITIVE,
    ParamClass.ZI: Support.UNIT,
    ParamClass.HU: Support.UNIT,
}


class Dist(StrEnum):
    NORMAL = "normal"
    STUDENT_T = "student_t"
    CAUCHY = "cauchy"
    HALFNORMAL = "halfnormal"
    HALFCAUCHY = "halfcauchy"
    HALFSTUDENT_T = "halfstudent_t"
    EXPONENTIAL = "exponential"
    GAMMA = "gamma"
    INV_GAMMA = "inv_gamma"
    LOGNORMAL = "lognormal"
    BETA = "beta"
    LKJ = "lkj"
    FLAT = "flat"  # improper: uniform over the parameter's support
    UNIFORM = "uniform"  # on (lower, upper): the parameter is bounded there


@dataclass(frozen=True)
class DistParam:
    name: str
    positive: bool = True
    default: float | None = None


@dataclass(frozen=True)
class Reparameterization:
    """Another set of arguments a distribution accepts, converted to its canonical ones."""

    names: tuple[str, ...]
    convert: Callable[..., tuple[float, ...]]
    positive: bool = True


@dataclass(frozen=True)
class DistInfo:
    params: tuple[DistParam, ...]  # canonical arguments, in positional order
    support: Support
    alternatives: tuple[Reparameterization, ...] = ()
    also: tuple[Support, ...] = ()  # other supports it may be put on (flat: any real or positive parameter)
    proper: bool = True


_LOCATION = DistParam("mu", positive=False, default=0.0)


def _gamma_from_mean_sd(mu: float, sigma: float) -> tuple[float, float]:
    return mu * mu / (sigma * sigma), mu / (sigma * sigma)


DISTRIBUTIONS: dict[Dist, DistInfo] = {
    Dist.NORMAL: DistInfo((_LOCATION, DistParam("sigma")), Support.REAL),
    Dist.STUDENT_T: DistInfo((DistParam("nu"), _LOCATION, DistParam("sigma")), Support.REAL),
    Dist.CAUCHY: DistInfo((_LOCATION, DistParam("sigma")), Support.REAL),
    Dist.HALFNORMAL: DistInfo((DistParam("sigma"),), Support.POSITIVE),
    Dist.HALFCAUCHY: DistInfo((DistParam("sigma"),), Support.POSITIVE),
    Dist.HALFSTUDENT_T: DistInfo((DistParam("nu"), DistParam("sigma")), Support.POSITIVE),
    Dist.EXPONENTIAL: DistInfo((DistParam("rate"),), Support.POSITIVE),
    Dist.GAMMA: DistInfo(
        (DistParam("alpha"), DistParam("beta")),
        Support.POSITIVE,
        (Reparameterization(("mu", "sigma"), _gamma_from_mean_sd),),
    ),
    Dist.INV_GAMMA: DistInfo((DistParam("alpha"), DistParam("beta")), Support.POSITIVE),
    Dist.LOGNORMAL: DistInfo((_LOCATION, DistParam("sigma")), Support.POSITIVE),
    Dist.BETA: DistInfo((DistParam("alpha"), DistParam("beta")), Support.UNIT),
    Dist.LKJ: DistInfo((DistParam("eta"),), Support.CORRELATION),
    Dist.FLAT: DistInfo((), Support.REAL, also=(Support.POSITIVE,), proper=False),
    Dist.UNIFORM: DistInfo(
        (DistParam("lower", positive=False), DistParam("upper", positive=False)),
        Support.REAL,
        also=(Support.POSITIVE, Support.UNIT),
    ),
}

# For a real-valued distribution put on a positive parameter: the one to use instead.
HALF_VERSION = {
    Dist.NORMAL: Dist.HALFNORMAL,
    Dist.CAUCHY: Dist.HALFCAUCHY,
    Dist.STUDENT_T: Dist.HALFSTUDENT_T,
}


class Stat(StrEnum):
    """Statistics of the data that default priors are scaled by; computed when data are bound."""

    RESPONSE_MEAN = "mean(y)"
    RESPONSE_SD = "sd(y)"
    LOG_RESPONSE_MEAN = "mean(log(y))"  # for families whose linear predictor is on the scale of log(y)
    LOG_RESPONSE_SD = "sd(log(y))"
    LOG_POSITIVE_MEAN = "mean(log(y[y > 0]))"  # the same over the positive values (a hurdle's zeros aside)
    LOG_POSITIVE_SD = "sd(log(y[y > 0]))"
    PREDICTOR_SD = "sd(x)"  # of the design-matrix column(s) of the coefficient the prior is on
