"""The intermediate representation: what a model means.

Everything is explicit here: `a*b` is expanded, `(x | g)` carries its
intercept, nesting `a/b` is two grouping factors, and every parameter has its
prior (explicit or default), link and parameterization. Backends read only
this; none of them sees user syntax.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from hierc.language import arithmetic
from hierc.language.source import Source, Span
from hierc.language.vocabulary import (
    DISTRIBUTIONS,
    PARAM_SUPPORT,
    Dist,
    Family,
    Link,
    ParamClass,
    Parameterization,
    Stat,
    Transform,
)

INTERCEPT = "Intercept"  # the coefficient label of an intercept, population or group level
INTERCEPT_ORIGINAL = "b_Intercept"  # the population intercept at predictors = 0 (`Intercept` is at their means)


@dataclass(frozen=True)
class Numeric:
    """A numeric predictor, with transforms applied innermost first: log(scale(x)) is (SCALE, LOG)."""

    variable: str
    transforms: tuple[Transform, ...] = ()

    @property
    def label(self) -> str:
        text = self.variable
        for transform in self.transforms:
            text = f"{transform.value}({text})"
        return text

    columns = 1  # design columns

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.variable,)


# ---- arithmetic of `I(...)` ----------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str


@dataclass(frozen=True)
class Constant:
    value: float
    text: str  # as written


@dataclass(frozen=True)
class Negated:
    operand: Arithmetic


@dataclass(frozen=True)
class Binary:
    op: str  # `+ - * / ^`
    left: Arithmetic
    right: Arithmetic


@dataclass(frozen=True)
class Applied:
    """A transform (`log`, `scale`, ...) of a sub-expression."""

    transform: Transform
    operand: Arithmetic


Arithmetic = Column | Constant | Negated | Binary | Applied


def render(
    node: Arithmetic,
    column: Callable[[str], str] = str,
    function: Callable[[Transform], str] = lambda t: t.value,
    constant: Callable[[Constant], str] = lambda c: c.text,
    power: str = "^",
    parens: str = arithmetic.NEEDED,
) -> str:
    """An expression as text: `column`, `function` and `constant` spell the columns, transforms and numbers,
    `power` the `^`; `parens` as `arithmetic.render`'s."""

    def split(node: Arithmetic) -> tuple:
        match node:
            case Column(name=name):
                return "atom", column(name)
            case Constant():
                return "atom", constant(node)
            case Negated(operand=operand):
                return "negated", operand
            case Binary(op=op, left=left, right=right):
                return "binary", op, left, right
            case Applied(transform=transform, operand=operand):
                return "atom", f"{function(transform)}({render(operand, column, function, constant, power, parens)})"
        raise TypeError(f"not arithmetic: {node!r}")

    return arithmetic.render(node, split, power, parens)


def python_number(constant: Constant) -> str:
    """A number as Python (and formulae) reads it: no exponent, which formulae cannot parse."""
    from decimal import Decimal  # only the backends write numbers so; `hierc check` need not load it

    text = format(Decimal(repr(constant.value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def columns_of(node: Arithmetic) -> tuple[str, ...]:
    match node:
        case Column(name=name):
            return (name,)
        case Negated(operand=operand) | Applied(operand=operand):
            return columns_of(operand)
        case Binary(left=left, right=right):
            return tuple(dict.fromkeys(columns_of(left) + columns_of(right)))
    return ()


@dataclass(frozen=True)
class Expression:
    """`I(...)`: arithmetic on numeric columns, one design column."""

    expression: Arithmetic

    columns = 1

    @property
    def label(self) -> str:
        return f"I({render(self.expression)})"

    @property
    def variables(self) -> tuple[str, ...]:
        return columns_of(self.expression)


@dataclass(frozen=True)
class Polynomial:
    """`poly(x, degree)`: orthogonal polynomials of a numeric predictor, as R's `poly`: `degree` columns
    `poly(x, 3)[1]`, ... orthonormal over the fitted data (their recurrence is kept for new data)."""

    base: Numeric | Expression
    degree: int

    @property
    def label(self) -> str:
        return f"poly({self.base.label}, {self.degree})"

    @property
    def columns(self) -> int:
        return self.degree

    @property
    def variables(self) -> tuple[str, ...]:
        return self.base.variables


@dataclass(frozen=True)
class Spline:
    """`bs(x, df)`: a B-spline basis of a numeric predictor, as R's `splines::bs` (no intercept column): `df`
    columns `bs(x, 5)[1]`, ..., piecewise polynomials of `degree` (default 3) joined at df - degree inner
    knots, at quantiles of the fitted data (the knots are kept for new data)."""

    base: Numeric | Expression
    df: int
    degree: int = 3

    @property
    def label(self) -> str:
        degree = f", degree = {self.degree}" if self.degree != 3 else ""
        return f"bs({self.base.label}, {self.df}{degree})"

    @property
    def columns(self) -> int:
        return self.df

    @property
    def variables(self) -> tuple[str, ...]:
        return self.base.variables


@dataclass(frozen=True)
class Categorical:
    """A categorical predictor, treatment-coded against `reference` (None: the first level in sorted order)."""

    variable: str
    reference: str | None = None

    columns = None  # one per level but the reference: known once data are bound

    @property
    def label(self) -> str:
        return self.variable

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.variable,)


Factor = Numeric | Expression | Polynomial | Spline | Categorical
Basis = Polynomial | Spline  # several columns computed from one numeric predictor
NumericFactor = Numeric | Expression  # a factor of one numeric column: an offset, or what `poly` expands


@dataclass(frozen=True)
class Term:
    """A main effect (one factor) or an interaction (several)."""

    factors: tuple[Factor, ...]
    written_at: Span | None = field(default=None, compare=False)  # the formula text it comes from

    @property
    def label(self) -> str:
        return ":".join(f.label for f in self.factors)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for f in self.factors for v in f.variables))

    @property
    def columns(self) -> int | None:
        """The number of design columns, the product of its factors'; None where the data tell (contrasts)."""
        widths = [f.columns for f in self.factors]
        return None if None in widths else math.prod(widths)


@dataclass(frozen=True)
class Response:
    variable: str
    se: str | None = None  # column of known standard errors: `y | se(s)`
    trials: str | int | None = None  # column or constant number of trials: `y | trials(n)`
    weights: str | None = None  # column of likelihood weights: `y | weights(w)`
    # `y | cens(c)` or `cens(c, y2)`: a column of censoring codes, and one of the interval-censored rows' upper bounds
    censored: str | None = None
    upper: str | None = None
    # `y | trunc(lb = 0, ub = 100)`: the bounds of a truncated response, numbers or columns (None: unbounded)
    lb: float | str | None = None
    ub: float | str | None = None
    se_at: Span | None = field(default=None, compare=False)
    weights_at: Span | None = field(default=None, compare=False)
    censored_at: Span | None = field(default=None, compare=False)
    truncated_at: Span | None = field(default=None, compare=False)
    # `log(y) ~ ...`: the model is for the transformed column, applied innermost first
    transforms: tuple[Transform, ...] = ()

    @property
    def truncated(self) -> bool:
        return self.lb is not None or self.ub is not None

    @property
    def values(self) -> Numeric:
        """The response as a numeric column, transformed."""
        return Numeric(self.variable, self.transforms)

    @property
    def label(self) -> str:
        return self.values.label


@dataclass(frozen=True)
class GroupingFactor:
    """A grouping factor; several variables for an interaction such as `a:b` (also from nesting `a/b`)."""

    variables: tuple[str, ...]

    @property
    def label(self) -> str:
        return ":".join(self.variables)


@dataclass(frozen=True)
class GroupBlock:
    """The group-level effects of one grouping factor."""

    factor: GroupingFactor
    intercept: bool
    terms: tuple[Term, ...]
    correlated: bool  # `|`: LKJ prior on a Cholesky factor; `||`: independent
    parameterization: Parameterization
    written_at: Span | None = field(default=None, compare=False)  # the group term
    param_at: Span | None = field(default=None, compare=False)  # the `param` value that chose it; None: default

    @property
    def coefficients(self) -> tuple[str, ...]:
        return ((INTERCEPT,) if self.intercept else ()) + tuple(t.label for t in self.terms)


@dataclass(frozen=True)
class Distributional:
    """`sigma ~ x`: a linear predictor for an auxiliary parameter of the family, on its link's scale (brms's
    distributional formula). Its intercept is at the means of its predictors, as the mean's."""

    dpar: ParamClass
    link: Link  # log for a positive parameter, logit for a probability
    intercept: bool
    terms: tuple[Term, ...]
    offsets: tuple[NumericFactor, ...] = ()
    written_at: Span | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.dpar.value

    @property
    def centred(self) -> bool:
        return self.intercept and bool(self.terms)


@dataclass(frozen=True)
class DataScaled:
    """factor * numerator / denominator, the statistics taken from the bound data."""

    factor: float
    numerator: Stat | None = None
    denominator: Stat | None = None


PriorValue = float | DataScaled


class PriorSource(StrEnum):
    EXPLICIT = "explicit"
    DEFAULT = "default"


@dataclass(frozen=True)
class Target:
    """The parameter a prior is on: `b[x1]`, `sd(g)[Intercept]`, `cor(g)`, `sigma`, ..."""

    cls: ParamClass
    group: str | None = None
    coefficient: str | None = None
    # `b(sigma)[x]`, `Intercept(sigma)`: a coefficient of an auxiliary parameter's formula (None: the mean's)
    dpar: ParamClass | None = None

    @property
    def label(self) -> str:
        text = self.cls.value
        if self.dpar is not None:
            text += f"({self.dpar.value})"
        if self.group is not None:
            text += f"({self.group})"
        if self.coefficient is not None:
            text += f"[{self.coefficient}]"
        return text


@dataclass(frozen=True)
class Prior:
    target: Target
    distribution: Dist
    args: tuple[tuple[str, PriorValue], ...]  # canonical argument names, in order
    source: PriorSource
    # for explicit priors: the declaration it came from (`b` covers every `b[...]`)
    declared_as: str | None = None
    declared_at: Span | None = field(default=None, compare=False)
    # `prior b_Intercept ~ ...`: the intercept's prior is on its value at predictors = 0 (brms's
    # `0 + Intercept`), not at their means; the parameter stays the centred intercept
    uncentered: bool = False
    # `~ normal(0, 1) T[0, ]`: the prior truncated to these bounds (None: that side is open)
    truncation: tuple[float | None, float | None] = (None, None)

    def arg(self, name: str) -> PriorValue:
        return dict(self.args)[name]

    @property
    def limits(self) -> tuple[float, float]:
        """The range of the parameter under this prior: its own support, the distribution's (a uniform's
        bounds), and the truncation, intersected."""
        low, high = PARAM_SUPPORT[self.target.cls].limits
        own_low, own_high = self.distribution_limits
        low, high = max(low, own_low), min(high, own_high)
        lower, upper = self.truncation
        return max(low, -math.inf if lower is None else lower), min(high, math.inf if upper is None else upper)

    @property
    def distribution_limits(self) -> tuple[float, float]:
        """The support of the prior's distribution on this parameter (a flat prior's is the parameter's)."""
        if self.distribution is Dist.UNIFORM:
            return float(self.arg("lower")), float(self.arg("upper"))
        if self.distribution is Dist.FLAT:
            return PARAM_SUPPORT[self.target.cls].limits
        return DISTRIBUTIONS[self.distribution].support.limits

    @property
    def bounded(self) -> bool:
        """Whether the parameter's range is narrower than its class's: its declaration needs the bounds."""
        return self.limits != PARAM_SUPPORT[self.target.cls].limits

    @property
    def truncated(self) -> bool:
        """Whether the range is narrower than the distribution's: its density needs normalizing over it."""
        return self.limits != self.distribution_limits

    @property
    def on(self) -> str:
        """What the prior is on, as a spec writes it: `b[x]`, `b_Intercept`."""
        return INTERCEPT_ORIGINAL if self.uncentered else self.target.label


@dataclass(frozen=True)
class Model:
    name: str
    data_file: str | None
    response: Response
    family: Family
    link: Link
    intercept: bool  # in the linear predictor
    terms: tuple[Term, ...]  # population-level, intercept excluded
    groups: tuple[GroupBlock, ...]
    priors: tuple[Prior, ...]  # one per parameter, in a fixed order
    # `offset(log(exposure))`: columns added to the linear predictor with coefficient 1, as brms's `offset()`
    offsets: tuple[NumericFactor, ...] = ()
    # an ordinal family's ordered thresholds, `Intercept`, in place of the intercept (which is then False)
    thresholds: bool = False
    # formulas of auxiliary parameters (`sigma ~ x`), in the family's order; the others are one number each
    distributional: tuple[Distributional, ...] = ()
    family_at: Span | None = field(default=None, compare=False)  # the `family` statement
    source: Source | None = field(default=None, compare=False)  # the spec's text, to show where a backend fails

    def prior(
        self, cls: ParamClass, group: str | None = None, coefficient: str | None = None, dpar: ParamClass | None = None
    ) -> Prior:
        target = Target(cls, group, coefficient, dpar)
        if target not in self._priors_by_target:
            raise KeyError(target.label)
        return self._priors_by_target[target]

    @cached_property
    def _priors_by_target(self) -> dict[Target, Prior]:
        return {prior.target: prior for prior in self.priors}

    @property
    def data_columns(self) -> list[str]:
        """The columns of the data the model reads, each once, in the order the spec first uses them."""
        response = self.response
        options = (response.se, response.trials, response.weights, response.censored, response.upper)
        options += (response.lb, response.ub)
        columns = [response.variable] + [v for v in options if isinstance(v, str)]
        all_terms = list(self.terms) + [t for block in self.groups for t in block.terms]
        columns += [v for term in all_terms for v in term.variables]
        columns += [v for offset in self.offsets for v in offset.variables]
        columns += [v for block in self.groups for v in block.factor.variables]
        for formula in self.distributional:
            columns += [v for term in formula.terms for v in term.variables]
            columns += [v for offset in formula.offsets for v in offset.variables]
        return list(dict.fromkeys(columns))

    @property
    def population_coefficients(self) -> frozenset[str]:
        """The labels of the population-level coefficients, `Intercept` included: a group-level coefficient
        with one of these labels varies around it (hierc codes a term alike in both places)."""
        return frozenset(t.label for t in self.terms) | ({INTERCEPT} if self.intercept else frozenset())

    def varies_around_population(self, block: GroupBlock) -> bool:
        """A centered factor with a coefficient that has a population-level counterpart: its levels'
        coefficients `beta_<g>` are the parameters, and its effects `r_<g>` are those less the population's."""
        centered = block.parameterization is Parameterization.CENTERED
        return centered and any(c in self.population_coefficients for c in block.coefficients)

    def formula_of(self, dpar: ParamClass) -> Distributional | None:
        """The formula of an auxiliary parameter, or None where it is one number."""
        return next((f for f in self.distributional if f.dpar is dpar), None)

    def group(self, label: str) -> GroupBlock:
        for block in self.groups:
            if block.factor.label == label:
                return block
        raise KeyError(label)
