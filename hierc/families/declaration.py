"""What a family declares: everything any part of hierc needs to know about it, in one place.

A family is one `Family` declaration (a module of this package per family).
The language reads its links, auxiliary parameters and response kind; data
binding reads the response kind; each backend reads its own piece, a
template it fills in (Stan, PyMC, Bambi); `per_row` and the tests read the
NumPy/SciPy reference. No other module asks which family a model has.

Templates name the pieces a backend fills in: `{eta}` the linear predictor,
`{mean}` the inverse link applied to it, `{trials}` the number of trials,
`{thresholds}` an ordinal family's ordered thresholds, and each auxiliary
parameter by its class (`{sigma}`, `{nu}`, `{phi}`). An auxiliary parameter
with a formula of its own (`sigma ~ x`) fills in a vector of one value per
row, so Stan templates multiply and divide elementwise (`.*`, `./`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import hierc.language.vocabulary as vocabulary
from hierc.language.vocabulary import Dist, Link, ParamClass, Stat

PriorArgs = tuple[tuple[str, object], ...]  # (argument name, float or ir.DataScaled), as in ir.Prior


class ResponseKind(StrEnum):
    """The values a family's response takes; binding checks them, backends declare them."""

    REAL = "real numbers"
    POSITIVE = "positive numbers"
    NONNEGATIVE = "numbers zero or above"
    UNIT = "numbers between 0 and 1, neither included"
    BINARY = "0 or 1"
    COUNT = "counts (0, 1, 2, ...)"
    ORDINAL = "ordered categories: whole numbers 1, 2, ..., K, or an ordered pandas Categorical"

    @property
    def integer(self) -> bool:
        return self in (ResponseKind.BINARY, ResponseKind.COUNT, ResponseKind.ORDINAL)

    @property
    def support(self) -> tuple[float, float]:
        """The least and greatest values, ends included where the family's cdfs take them."""
        if self is ResponseKind.REAL:
            return -math.inf, math.inf
        return 0.0, 1.0 if self is ResponseKind.UNIT else math.inf


@dataclass(frozen=True)
class Auxiliary:
    """A distributional parameter besides the mean: positive, or a probability (its support is its class's)."""

    cls: ParamClass
    meaning: str  # the comment beside it in generated code
    # its default prior, given the statistic that is the response's sd on the family's scale
    default: Callable[[Stat], tuple[Dist, PriorArgs]]


@dataclass(frozen=True)
class Template:
    """A call with keyword arguments, each a template: PyMC's `pm.Normal(mu=..., sigma=...)`."""

    function: str
    arguments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Stan:
    # the sampling statement's right-hand side, e.g. "normal({mean}, {sigma})"; None where every link has
    # its form on the linear predictor (an ordinal family's)
    likelihood: str | None
    on_link: dict[Link, str] = field(default_factory=dict)  # Stan's forms on the linear predictor
    glm: dict[Link, str] = field(default_factory=dict)  # GLM functions, which add `{X} * b` themselves
    # whether the GLM function takes a vector of the auxiliary parameter (one from a formula): Stan's
    # normal_id_glm does, neg_binomial_2_log_glm does not
    glm_per_row: bool = False
    # definitions of the functions the templates call where Stan has none (the program keeps each once)
    functions: tuple[str, ...] = ()
    # their overloads taking a vector of each auxiliary parameter, for a model where one has a formula
    functions_per_row: tuple[str, ...] = ()
    # a censored or truncated row's log P(Y <= {y}) and log P(Y > {y}) where Stan's own cdfs cannot be used,
    # elementwise in {y} and the templates' pieces
    log_cdf: str | None = None
    log_ccdf: str | None = None


@dataclass(frozen=True)
class PyMC:
    likelihood: Template | None  # None where every link has its form on the linear predictor
    on_link: dict[Link, Template] = field(default_factory=dict)
    # a censored row's log P(Y <= y) and log P(Y > y), in `y` and the likelihood's keywords, where PyMC's own
    # are inexact: PyMC takes log(1 - cdf) for most log complementary cdfs (-inf beyond about -37), and its
    # normal cdfs compute sqrt(2) in float32 (off by 1e-7)
    log_cdf: str | None = None
    log_ccdf: str | None = None


@dataclass(frozen=True)
class Bambi:
    family: str  # Bambi's family name
    auxiliary: dict[ParamClass, str] = field(default_factory=dict)  # Bambi's names of the auxiliary parameters
    # for a family Bambi does not ship: the PyMC distribution of a custom `bmb.Family`, whose
    # parameters are the mean's (`mu`) and the auxiliary ones, by their Bambi names
    custom: str | None = None
    # auxiliary parameters Bambi writes as 1 minus hierc's (its psi, the probability of the count part,
    # is 1 - zi or 1 - hu): their beta prior's shapes swap, and their draws are 1 - Bambi's
    complement: frozenset[ParamClass] = frozenset()


@dataclass(frozen=True)
class Rows:
    """What a reference function reads of the bound data: the response and its additions."""

    y: object
    se: object
    trials: object
    censored: object = None  # `cens` codes (CENSORING in hierc/data/design.py), or None
    upper: object = None  # the upper bounds of interval-censored rows


@dataclass(frozen=True)
class Reference:
    """NumPy/SciPy versions of the likelihood, used after sampling (`per_row`) and by the tests.

    `log_density(rows, eta, mean, aux)` is log p(y_i) per draw and row;
    `draw(rng, rows, mean, aux)` one replicate of the response.
    `aux` maps each auxiliary parameter's name to its draws, shaped to broadcast over the rows (an ordinal
    family's thresholds too, as `thresholds`, with one more axis: the thresholds, last);
    `expected(rows, mean, aux)` the expected response, where it is not the inverse link of eta (`mean`).
    """

    log_density: Callable
    draw: Callable
    on_link: dict[Link, Callable] = field(default_factory=dict)  # numerically better forms on eta
    expected: Callable | None = None
    # `distribution(rows, mean, aux)`: SciPy's frozen distribution of each row's y (a censored row needs its cdf)
    distribution: Callable | None = None
    # `partial_mean(rows, mean, aux, c, above=False)`: E[y; y <= c], the part of the mean at or below c, in
    # closed form (with `above`, E[y; y > c], from the complementary functions: exact far in the upper tail);
    # a truncated response's expected value is their difference at its bounds over P(lb <= y <= ub)
    partial_mean: Callable | None = None


def scipy_reference(distribution: Callable, draw: Callable, **others) -> Reference:
    """A reference whose log density is that of a SciPy distribution (`Reference.distribution`)."""

    def log_density(rows, eta, mean, aux):
        frozen = distribution(rows, mean, aux)
        return frozen.logpmf(rows.y) if hasattr(frozen, "logpmf") else frozen.logpdf(rows.y)

    return Reference(log_density, draw, distribution=distribution, **others)


@dataclass(frozen=True)
class FamilyDeclaration:
    name: vocabulary.Family
    links: tuple[Link, ...]  # the first is the default
    auxiliary: tuple[Auxiliary, ...]
    response: ResponseKind
    stan: Stan
    pymc: PyMC
    reference: Reference
    bambi: Bambi | None  # None: Bambi has no such family
    aliases: tuple[str, ...] = ()  # names users reach for that mean this family, for hints
    allows_se: bool = False  # `y | se(s)`: known standard errors replace `sigma`
    needs_trials: bool = False  # `y | trials(n)`
    # statistics of the response that data-scaled default priors use: its mean and sd on the
    # scale of the linear predictor with identity link
    location: tuple[Stat, Stat] = (Stat.RESPONSE_MEAN, Stat.RESPONSE_SD)
    suffstats_link: Link | None = None  # the link under which the likelihood has sufficient statistics
    # ordinal: K - 1 ordered thresholds (named `Intercept`, as brms) take the intercept's place, and
    # P(y <= k) = F(Intercept[k] - eta) with F the inverse link; eta has no intercept
    thresholds: bool = False
    # `y | cens(c)`: Stan's and PyMC's cdfs of the distribution on its mean take vectors of rows, and
    # `Reference.distribution` is SciPy's
    censorable: bool = False

    @property
    def auxiliary_classes(self) -> tuple[ParamClass, ...]:
        return tuple(a.cls for a in self.auxiliary)

    @property
    def auxiliary_per_row(self) -> bool:
        """Whether an auxiliary parameter may take a formula (a value per row): every template takes one, and
        a family with Stan functions of its own has their overloads for vectors."""
        return not self.stan.functions or bool(self.stan.functions_per_row)

    def auxiliary_of(self, cls: ParamClass) -> Auxiliary:
        return next(a for a in self.auxiliary if a.cls is cls)
