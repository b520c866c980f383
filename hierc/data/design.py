"""Data binding: a model's IR plus a table of data gives arrays every backend can use.

This is the only place that looks at data. It builds the population-level
design matrix X (treatment coding, interactions as column products,
transforms), one index and design matrix Z per grouping factor, the response
and its `se`/`trials`, and the statistics the default priors are scaled by.
Backends take these arrays as they are, so every backend sees the same
columns, the same levels in the same order, and the same statistics.

Every problem with the data is a DataError naming the file, the column and,
for a bad value, the CSV line it is on.
"""

from __future__ import annotations

import itertools
import json
import operator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from hierc.errors import DataError, did_you_mean
from hierc.families import FAMILIES, ResponseKind
from hierc.language import ir
from hierc.language.vocabulary import Stat, Transform

_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": operator.pow}
_FIRST_DATA_LINE = 2  # CSV line of row 0: line 1 is the header
_SHOWN_LINES = 5


@dataclass(frozen=True)
class Design:
    """Design columns of a list of terms: the matrix, each column's name, and each term's columns."""

    matrix: np.ndarray  # N x K, float
    names: tuple[str, ...]  # `floor`, `season[summer]`, `log(distance):season[summer]`
    spans: dict[str, slice]  # term label -> its columns

    @property
    def width(self) -> int:
        return self.matrix.shape[1]


@dataclass(frozen=True)
class GroupData:
    """One grouping factor: its levels and, per observation, the level it belongs to.

    Data bound for prediction list the fitted levels first, in the fitted order, then the levels the
    fit did not see (`fitted` says how many were fitted)."""

    levels: tuple[str, ...]
    index: np.ndarray  # 0-based level of each observation
    design: Design  # columns of the block's terms; the intercept column is implicit
    fitted: int = -1  # the first `fitted` levels are the fitted ones; -1: all of them

    def __post_init__(self) -> None:
        if self.fitted < 0:
            object.__setattr__(self, "fitted", len(self.levels))

    @property
    def coefficient_names(self) -> tuple[str, ...]:
        return self.design.names

    @property
    def new_levels(self) -> tuple[str, ...]:
        return self.levels[self.fitted :]


@dataclass(frozen=True)
class FormulaData:
    """The design of a distributional formula (`sigma ~ x`): its columns, and its offsets summed per row."""

    X: Design
    offset: np.ndarray | None = None


@dataclass(frozen=True)
class DataCoding:
    """What binding learned from the data a model is fitted to, and new data must be coded with for
    prediction: the levels and reference level of each categorical predictor, the mean and sd behind
    each `center(...)` and `scale(...)`, and the levels of each grouping factor. Stored with a posterior
    (`to_json`), so prediction never recomputes them from the new rows."""

    categorical: dict[str, tuple[tuple[str, ...], str]]  # variable -> (levels, reference)
    moments: dict[str, tuple[float, float]]  # `scale(log(x))` -> (mean, sd) of `log(x)` in the fitted data
    groups: dict[str, tuple[str, ...]]  # grouping factor label -> levels
    categories: tuple[str, ...] = ()  # an ordinal response's categories, in their order (y = 1..K)
    # `poly(x, 3)` -> the recurrence of its orthogonal polynomials over the fitted data: (alpha, norm2), as R's
    polynomials: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = field(default_factory=dict)
    # `bs(x, 5)` -> its knots, from the fitted data: (the inner knots, the lower and upper boundary knots)
    splines: dict[str, tuple[tuple[float, ...], float, float]] = field(default_factory=dict)

    def to_json(self) -> str:
        fields = {"categorical": self.categorical, "moments": self.moments, "groups": self.groups}
        fields |= {"categories": self.categories, "polynomials": self.polynomials, "splines": self.splines}
        return json.dumps(fields, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DataCoding:
        data = json.loads(text)
        return cls(
            {k: (tuple(levels), reference) for k, (levels, reference) in data["categorical"].items()},
            {k: (float(mean), float(sd)) for k, (mean, sd) in data["moments"].items()},
            {k: tuple(levels) for k, levels in data["groups"].items()},
            tuple(data.get("categories", ())),
            {k: (tuple(alpha), tuple(norm2)) for k, (alpha, norm2) in data.get("polynomials", {}).items()},
            {k: (tuple(inner), low, high) for k, (inner, low, high) in data.get("splines", {}).items()},
        )


@dataclass(frozen=True)
class BoundData:
    model: ir.Model
    y: np.ndarray | None  # None: new data for prediction without the response
    se: np.ndarray | None
    trials: np.ndarray | None
    X: Design
    groups: dict[str, GroupData]  # by grouping-factor label, in model order
    term_widths: dict[str, int]  # term label -> number of design columns
    frame: pd.DataFrame = field(repr=False, compare=False)  # the table as given, for backends that read it
    coding: DataCoding | None = field(default=None, repr=False, compare=False)
    offset: np.ndarray | None = None  # the sum of the model's offsets per row; None without any
    weights: np.ndarray | None = None  # the likelihood weights of `y | weights(w)`; None without
    # `y | cens(c, y2)`: each row's censoring code (CENSORING), and the upper bounds (Y itself where not interval)
    censored: np.ndarray | None = None
    upper: np.ndarray | None = None
    # `y | trunc(lb, ub)`: each row's bounds (None: that side unbounded)
    lb: np.ndarray | None = None
    ub: np.ndarray | None = None
    distributional: dict[str, FormulaData] = field(default_factory=dict)  # by parameter (`sigma`)

    @property
    def n(self) -> int:
        return len(self.frame)

    @property
    def row_index(self) -> np.ndarray:
        """The rows' labels, the coordinates of the row dim in a posterior: the table's own index (0, 1, ...
        for a CSV file)."""
        return np.asarray(self.frame.index)

    def stat(self, stat: Stat) -> float:
        """A statistic of the response; sd(x) is per column, see `column_sd`."""
        match stat:
            case Stat.RESPONSE_MEAN:
                return float(np.mean(self.y))
            case Stat.RESPONSE_SD:
                return float(np.std(self.y, ddof=1))
            case Stat.LOG_RESPONSE_MEAN:
                return float(np.mean(np.log(self.y)))
            case Stat.LOG_RESPONSE_SD:
                return float(np.std(np.log(self.y), ddof=1))
            case Stat.LOG_POSITIVE_MEAN:
                return float(np.mean(np.log(self.y[self.y > 0])))
            case Stat.LOG_POSITIVE_SD:
                return float(np.std(np.log(self.y[self.y > 0]), ddof=1))
        raise ValueError(stat)

    @property
    def thresholds(self) -> tuple[str, ...]:
        """An ordinal response's thresholds, each named by the categories it separates: `1|2`, `2|3`, ..."""
        categories = self.coding.categories
        return tuple(f"{below}|{above}" for below, above in zip(categories, categories[1:], strict=False))

    def group_coefficient_names(self, label: str) -> tuple[str, ...]:
        block = self.model.group(label)
        return ((ir.INTERCEPT,) if block.intercept else ()) + self.groups[label].coefficient_names


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV data file; problems are DataErrors."""
    path = Path(path)
    try:
        header = pd.read_csv(path, header=None, nrows=1, dtype=str).iloc[0].tolist()
        twice = sorted({name for name in header if header.count(name) > 1}, key=header.index)
        if twice:
            raise DataError(f"the column `{twice[0]}` appears twice in the header", str(path), line=1)
        return pd.read_csv(path)
    except FileNotFoundError:
        raise DataError("no such data file", str(path)) from None
    except IsADirectoryError:
        raise DataError("is a directory, not a data file", str(path)) from None
    except pd.errors.EmptyDataError:
        raise DataError("the data file is empty", str(path)) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise DataError(f"cannot read the data file as CSV: {error}", str(path)) from None


def data_error(message: str, where: str, rows: np.ndarray | None = None, hint: str | None = None) -> DataError:
    """An error about the data, on the CSV line of the first of `rows` (0-based positions), naming a few more."""
    if rows is None or len(rows) == 0:
        return DataError(message, where, hint=hint)
    lines = [int(r) + _FIRST_DATA_LINE for r in rows[:_SHOWN_LINES]]
    more = f" and {len(rows) - _SHOWN_LINES} more" if len(rows) > _SHOWN_LINES else ""
    if len(lines) > 1:
        message += f" (also on lines {', '.join(map(str, lines[1:]))}{more})"
    return DataError(message, where, line=lines[0], hint=hint)


def orthogonal_recurrence(x: np.ndarray, degree: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The Stieltjes recurrence of the polynomials orthogonal over the points x: P_0 = 1, P_1 = x - alpha_0,
    P_k+1 = (x - alpha_k) P_k - (norm2_k / norm2_k-1) P_k-1, with norm2_k = sum(P_k^2); R's poly keeps the same
    (alpha, c(1, norm2)) for predict."""
    previous, current = np.zeros_like(x), np.ones_like(x)
    alpha: list[float] = []
    norm2 = [1.0, float(len(x))]
    for k in range(degree):
        alpha.append(float(np.sum(x * current**2) / norm2[-1]))
        previous, current = current, (x - alpha[k]) * current - (norm2[-1] / norm2[-2] if k else 0.0) * previous
        norm2.append(float(np.sum(current**2)))
    return tuple(alpha), tuple(norm2)


def spline_knots(x: np.ndarray, df: int, degree: int) -> tuple[tuple[float, ...], float, float]:
    """R's knots for `bs(x, df, degree)`: df - degree inner knots at equally spaced quantiles of x (R's default
    quantile, NumPy's linear), and the boundary knots at its range."""
    quantiles = np.linspace(0, 1, df - degree + 2)[1:-1]
    return tuple(float(k) for k in np.quantile(x, quantiles)), float(np.min(x)), float(np.max(x))


def spline_basis(x: np.ndarray, inner: tuple[float, ...], low: float, high: float, degree: int) -> np.ndarray:
    """The B-spline basis with these knots, its first column dropped (R's `intercept = FALSE`), by formulae."""
    from formulae.transforms import BSpline

    return BSpline()(np.asarray(x, dtype=float), knots=list(inner), degree=degree, lower_bound=low, upper_bound=high)


def orthogonal_polynomials(x: np.ndarray, alpha: tuple[float, ...], norm2: tuple[float, ...]) -> np.ndarray:
    """The columns P_1 .. P_degree at x, each divided by its norm over the fitted data (R's predict.poly)."""
    columns = [np.ones_like(x), x - alpha[0]]
    for k in range(1, len(alpha)):
        columns.append((x - alpha[k]) * columns[k] - norm2[k + 1] / norm2[k] * columns[k - 1])
    return np.column_stack([columns[k] / np.sqrt(norm2[k + 1]) for k in range(1, len(alpha) + 1)])


def bind(model: ir.Model, frame: pd.DataFrame, where: str = "<data>", fitted: DataCoding | None = None) -> BoundData:
    """Bind a table of data to a model. `where` names the data in messages (the CSV path).

    With `fitted`, the coding of the data the model was fitted to, the rows are new data to predict for:
    they are coded as the fitted data were (levels matched by label, `scale` by the fitted moments), the
    response is optional, and grouping factors may have levels the fit did not see."""
    return _Binder(model, frame, where, fitted).bind()


class _Binder:
    def __init__(self, model: ir.Model, frame: pd.DataFrame, where: str, fitted: DataCoding | None):
        self.model, self.frame, self.where, self.fitted = model, frame, where, fitted
        self.coding = DataCoding({}, {}, {})  # what this binding learns, for prediction later
        self.categories: tuple[str, ...] = ()  # an ordinal response's, learned with it

    def fail(self, message: str, rows: np.ndarray | None = None, hint: str | None = None) -> DataError:
        return data_error(message, self.where, rows, hint)

    # ---- columns ---------------------------------------------------------------

    def column(self, name: str) -> pd.Series:
        if list(self.frame.columns).count(name) > 1:
            raise self.fail(f"the data have two columns `{name}`")
        if name not in self.frame.columns:
            columns = [str(c) for c in self.frame.columns]
            hint = did_you_mean(name, columns) or f"the columns are {', '.join(f'`{c}`' for c in columns[:20])}"
            raise self.fail(f"the spec uses the column `{name}`, which the data do not have", hint=hint)
        series = self.frame[name]
        missing = np.flatnonzero(series.isna().to_numpy())
        if len(missing):
            raise self.fail(
                f"column `{name}` has a missing value",
                missing,
                hint="remove or fill the rows with missing values; hierc does not drop rows silently",
            )
        return series

    def numeric(self, name: str) -> np.ndarray:
        series = self.column(name)
        if series.dtype == bool:
            return series.to_numpy(dtype=float)
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            value = series.iloc[bad[0]]
            value = value.item() if isinstance(value, np.generic) else value  # `inf`, not `np.float64(inf)`
            raise self.fail(
                f"column `{name}` must be numeric, but has the value {value!r}",
                bad,
                hint=f"for a categorical predictor write `C({name})`" if isinstance(value, str) else None,
            )
        return values

    def level_labels(self, name: str) -> tuple[np.ndarray, list[str]]:
        """The level of each row as a label, and the levels in sorted order (numbers numerically)."""
        series = self.column(name)
        values = series.to_numpy()
        unique = pd.unique(series)
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        ordered = sorted(unique, key=float) if numeric else sorted(unique, key=str)
        labels = {v: _label(v) for v in ordered}
        return np.array([labels[v] for v in values], dtype=object), [labels[v] for v in ordered]

    # ---- predictors ------------------------------------------------------------

    def factor_columns(self, factor: ir.Factor) -> list[tuple[str, np.ndarray]]:
        if isinstance(factor, ir.Categorical):
            row_labels, levels = self.level_labels(factor.variable)
            if self.fitted is None:
                reference = self.reference(factor, levels)
            else:
                levels, reference = self.fitted.categorical[factor.variable]
                self.require(
                    np.isin(row_labels, levels),
                    f"`C({factor.variable})` has a level the model was not fitted with",
                    hint=f"the fitted levels are {', '.join(repr(level) for level in levels[:20])}",
                    value=row_labels,
                )
            self.coding.categorical[factor.variable] = (tuple(levels), reference)
            return [
                (f"{factor.variable}[{level}]", (row_labels == level).astype(float))
                for level in levels
                if level != reference
            ]
        if isinstance(factor, ir.Basis):
            values = self.factor_columns(factor.base)[0][1]
            columns = (
                self.polynomial(factor, values) if isinstance(factor, ir.Polynomial) else self.spline(factor, values)
            )
            return [(f"{factor.label}[{k}]", column) for k, column in enumerate(columns.T, start=1)]
        if isinstance(factor, ir.Expression):
            values = np.broadcast_to(self.arithmetic(factor.expression), (len(self.frame),)).astype(float)
            bad = np.flatnonzero(~np.isfinite(values))
            if len(bad):
                raise self.fail(f"`{factor.label}` is not a finite number in some rows", bad)
            return [(factor.label, values)]
        values = self.numeric(factor.variable)
        label = factor.variable
        for transform in factor.transforms:
            label = f"{transform.value}({label})"
            values = self.transform(transform, values, label)
        return [(label, values)]

    def arithmetic(self, node: ir.Arithmetic) -> np.ndarray | float:
        """The values of `I(...)`'s expression, row by row (inf and nan are caught by the caller). Numbers stay
        scalars, so that `x^2` is numpy's `x ** 2.0`, as the generated script computes it."""
        with np.errstate(all="ignore"):
            match node:
                case ir.Column(name=name):
                    return self.numeric(name)
                case ir.Constant(value=value):
                    return np.float64(value)  # a float (numpy's `x ** 2.0` is x * x), with numpy's inf and nan
                case ir.Negated(operand=operand):
                    return -self.arithmetic(operand)
                case ir.Applied(transform=transform, operand=operand):
                    values = np.broadcast_to(self.arithmetic(operand), (len(self.frame),)).astype(float)
                    return self.transform(transform, values, ir.render(node))
                case ir.Binary(op=op, left=left, right=right):
                    return _ARITHMETIC[op](self.arithmetic(left), self.arithmetic(right))
        raise TypeError(f"not arithmetic: {node!r}")

    def polynomial(self, factor: ir.Polynomial, x: np.ndarray) -> np.ndarray:
        """R's `poly(x, degree)`: N x degree orthonormal columns over the fitted data, by the three-term
        recurrence whose coefficients (alpha, norm2) are kept to compute the same polynomials of new data."""
        if self.fitted is not None:
            alpha, norm2 = self.fitted.polynomials[factor.label]
        else:
            distinct = len(np.unique(x))
            if factor.degree >= distinct:
                raise self.fail(
                    f"`{factor.label}` needs more distinct values of `{factor.base.label}` than its degree, "
                    f"but it has {distinct}",
                    hint=f"lower the degree below {distinct}",
                )
            alpha, norm2 = orthogonal_recurrence(x, factor.degree)
            self.coding.polynomials[factor.label] = (alpha, norm2)
        return orthogonal_polynomials(x, alpha, norm2)

    def spline(self, factor: ir.Spline, x: np.ndarray) -> np.ndarray:
        """R's `bs(x, df, degree)` by formulae's `bs`: N x df columns of the B-spline basis whose inner knots lie
        at quantiles of the fitted data and boundary knots at its range; the knots are kept for new data
        (beyond the boundary knots, the polynomials of the outer pieces go on, as R's)."""
        if self.fitted is not None:
            inner, low, high = self.fitted.splines[factor.label]
        else:
            distinct = len(np.unique(x))
            if factor.df - factor.degree + 2 > distinct:
                raise self.fail(
                    f"`{factor.label}` places {factor.df - factor.degree} inner knots between the ends of "
                    f"`{factor.base.label}`, which has only {distinct} distinct values",
                    hint=f"lower `df` to {max(factor.degree, factor.degree + distinct - 2)} or less",
                )
            inner, low, high = spline_knots(x, factor.df, factor.degree)
            self.coding.splines[factor.label] = (inner, low, high)
        return spline_basis(x, inner, low, high, factor.degree)

    def reference(self, factor: ir.Categorical, levels: list[str]) -> str:
        if len(levels) < 2:
            raise self.fail(
                f"the categorical predictor `C({factor.variable})` has only one level ({levels[0]!r}) in the data",
                hint=f"a categorical predictor needs at least two levels; remove `C({factor.variable})`",
            )
        reference = factor.reference if factor.reference is not None else levels[0]
        if reference not in levels:
            shown = ", ".join(repr(level) for level in levels[:20])
            raise self.fail(
                f"reference level {reference!r} of `C({factor.variable})` does not occur in the data",
                hint=f"the levels are {shown}",
            )
        return reference

    def moments(self, values: np.ndarray, label: str) -> tuple[float, float]:
        """The mean and sd of a `center`/`scale` input: the fitted data's, also for new data."""
        if self.fitted is not None:
            return self.fitted.moments[label]
        moments = (float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0)
        self.coding.moments[label] = moments
        return moments

    def transform(self, transform: Transform, values: np.ndarray, label: str) -> np.ndarray:
        domain = {
            Transform.LOG: (values > 0, "positive values"),
            Transform.LOG1P: (values > -1, "values above -1"),
            Transform.SQRT: (values >= 0, "non-negative values"),
        }
        if transform in domain:
            ok, needed = domain[transform]
            bad = np.flatnonzero(~ok)
            if len(bad):
                raise self.fail(f"`{label}` needs {needed}, but a value is {values[bad[0]]:g}", bad)
        with np.errstate(over="ignore"):
            match transform:
                case Transform.LOG:
                    return np.log(values)
                case Transform.LOG1P:
                    return np.log1p(values)
                case Transform.EXP:
                    result = np.exp(values)
                case Transform.SQRT:
                    return np.sqrt(values)
                case Transform.CENTER:
                    return values - self.moments(values, label)[0]
                case Transform.SCALE:
                    mean, sd = self.moments(values, label)
                    if not sd > 0:
                        raise self.fail(f"`{label}` cannot be computed: the column is constant")
                    return (values - mean) / sd
        bad = np.flatnonzero(~np.isfinite(result))
        if len(bad):
            raise self.fail(f"`{label}` overflows", bad)
        return result

    def design(self, terms: tuple[ir.Term, ...]) -> Design:
        names: list[str] = []
        columns: list[np.ndarray] = []
        spans: dict[str, slice] = {}
        for term in terms:
            start = len(names)
            per_factor = [self.factor_columns(f) for f in term.factors]
            for combination in itertools.product(*per_factor):
                names.append(":".join(name for name, _ in combination))
                columns.append(np.prod([values for _, values in combination], axis=0))
            spans[term.label] = slice(start, len(names))
        matrix = np.column_stack(columns) if columns else np.zeros((len(self.frame), 0))
        return Design(matrix, tuple(names), spans)

    # ---- response, groups ------------------------------------------------------

    def weights(self) -> np.ndarray | None:
        """The likelihood weights; new rows to predict for need none."""
        name = self.model.response.weights
        if name is None or (self.fitted is not None and name not in self.frame.columns):
            return None
        weights = self.numeric(name)
        self.require(weights >= 0, f"weights `{name}` must be zero or positive", value=weights.tolist())
        return weights

    def censoring(self, y: np.ndarray | None, trials: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The censoring code of each row, and the upper bounds (y where a row is not interval-censored); new
        rows to predict for need neither."""
        response = self.model.response
        name = response.censored
        if name is None or y is None:
            return None, None
        series = self.column(name)
        words = {word: code for code, word in CENSORING.items()}
        text = series.astype(str).str.strip().str.lower()
        numbers = pd.to_numeric(series, errors="coerce")
        codes = np.where(text.isin(list(words)), text.map(words), numbers).astype(float)
        spelled = [f"{word} ({code})" for code, word in CENSORING.items()]
        spelled = ", ".join(spelled[:-1]) + f" or {spelled[-1]}"
        self.require(
            np.isin(codes, list(CENSORING)),
            f"the censoring codes `{name}` must be {spelled}",
            value=np.array(series.tolist(), dtype=object),
        )
        codes = codes.astype(np.int64)
        if trials is not None:  # P(y > trials) is 0: no value lies above
            self.require(
                (codes != 1) | (y < trials),
                f"a right-censored `{response.variable}` must be below its number of trials",
            )
        interval = codes == 2
        if response.upper is None:
            self.require(~interval, f"interval-censored rows need their upper bounds: write `cens({name}, y2)`")
            return codes, None
        bounds = pd.to_numeric(self.column(response.upper), errors="coerce").to_numpy(dtype=float)
        integer = FAMILIES[self.model.family].response.integer
        ok = np.isfinite(bounds) & (bounds > y) & ((bounds == np.round(bounds)) if integer else True)
        what = "whole numbers " if integer else ""
        self.require(
            ok | ~interval,
            f"the upper bounds `{response.upper}` of interval-censored rows must be {what}above `{response.variable}`",
            value=np.array(self.frame[response.upper].tolist(), dtype=object),
        )
        upper = np.where(interval, bounds, y)  # a bound only where interval-censored: the others read y
        return codes, upper.astype(np.int64) if integer else upper

    def truncation(
        self, y: np.ndarray | None, codes: np.ndarray | None, upper: np.ndarray | None
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Each row's truncation bounds; the response must lie within them (new rows to predict for too), and a
        censored row's range must reach inside them."""
        response = self.model.response
        kind = FAMILIES[self.model.family].response
        integer = kind.integer
        bounds = []
        for side, value in (("lb", response.lb), ("ub", response.ub)):
            if value is None:
                bounds.append(None)
                continue
            values = self.numeric(value) if isinstance(value, str) else np.full(len(self.frame), value)
            if integer:
                self.require(values == np.round(values), f"the truncation bound `{side}` of counts must be whole")
            if integer and side == "lb":  # counts are never below 0: a bound of 0 or less bounds nothing
                self.require(values >= 1, "the truncation bound `lb` of counts must be 1 or more")
            bounds.append(values.astype(np.int64) if integer else values)
        lb, ub = bounds
        if lb is not None and ub is not None:
            self.require(lb < ub, "the truncation bound `lb` must be below `ub`", value=np.array(lb.tolist()))
        name = f"the response `{response.variable}`"
        if y is not None and lb is not None:
            self.require(y >= lb, f"{name} is below its truncation bound `lb`", value=np.array(y.tolist()))
        if y is not None and ub is not None:
            self.require(y <= ub, f"{name} is above its truncation bound `ub`", value=np.array(y.tolist()))
        if codes is not None and ub is not None:  # P(Y > ub) is 0
            self.require(
                (codes != 1) | (y < ub),
                f"a right-censored `{response.variable}` must be below its truncation bound `ub`",
            )
            if upper is not None:
                self.require(
                    (codes != 2) | (upper <= ub),
                    f"the upper bounds `{response.upper}` of interval-censored rows must not exceed `ub`",
                    value=np.array(upper.tolist()),
                )
        if codes is not None and lb is not None and not integer:  # P(Y <= lb) is 0 (for counts, P(Y = lb))
            self.require(
                (codes != -1) | (y > lb),
                f"a left-censored `{response.variable}` must be above its truncation bound `lb`",
            )
        if integer:
            return lb, ub
        # a bound beyond the family's support bounds nothing: at the support's end, where its cdfs are defined
        low, high = kind.support
        return tuple(None if side is None else np.clip(side, low, high) for side in (lb, ub))

    def response(self) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        response = self.model.response
        se = trials = None
        kind = FAMILIES[self.model.family].response
        if self.fitted is not None and response.variable not in self.frame.columns:
            y = None  # new rows to predict for: the response is what is unknown
        elif kind is ResponseKind.ORDINAL:
            y = self.ordinal(response.variable)
        else:
            y = self.factor_columns(response.values)[0][1]  # the column, transformed as `log(y) ~` says
        if response.se is not None:
            se = self.numeric(response.se)
            self.require(se > 0, f"known standard errors `{response.se}` must be positive")
        if response.trials is not None:
            if isinstance(response.trials, int):
                trials = np.full(len(self.frame), response.trials, dtype=np.int64)
            else:
                trials_values = self.numeric(response.trials)
                self.require(
                    (trials_values >= 1) & (trials_values == np.round(trials_values)) & (trials_values <= MAX_INT),
                    f"trials `{response.trials}` must be whole numbers from 1 to {MAX_INT}",
                )
                trials = trials_values.astype(np.int64)
        if y is None:
            return y, se, trials
        name, family = f"response `{response.label}`", self.model.family.value
        if kind.integer and kind is not ResponseKind.ORDINAL:
            self.require((y >= 0) & (y == np.round(y)), f"the {name} of a {family} model must be {ResponseKind.COUNT}")
            self.require(y <= MAX_INT, f"the {name} must be at most {MAX_INT}, Stan's largest integer")
            y = y.astype(np.int64)
        if kind is ResponseKind.BINARY:
            self.require(y <= 1, f"the {name} of a {family} model must be {kind}")
        if kind is ResponseKind.POSITIVE:
            self.require(y > 0, f"the {name} of a {family} model must be {kind}")
        if kind is ResponseKind.NONNEGATIVE:
            self.require(y >= 0, f"the {name} of a {family} model must be {kind}")
            if (y > 0).sum() < 2:  # the default priors are scaled by the sd of the positive values' logs
                raise self.fail(f"the {name} of a {family} model needs at least two positive values")
        if kind is ResponseKind.UNIT:
            self.require((y > 0) & (y < 1), f"the {name} of a {family} model must be {kind}")
        if trials is not None:
            self.require(y <= trials, f"the {name} cannot exceed its number of trials")
        with np.errstate(over="ignore", invalid="ignore"):
            if not np.isfinite(np.std(y.astype(float))):
                raise self.fail(f"the {name} has values too large to compute with (up to {_magnitude(y)})")
        return y, se, trials

    def ordinal(self, name: str) -> np.ndarray:
        """An ordinal response as categories 1..K: an ordered pandas Categorical (K: its categories, the
        unobserved included), or whole numbers from 1 (K: the largest). New data take the fit's categories."""
        series = self.column(name)
        what = f"the response `{name}` of a {self.model.family.value} model"
        if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered:
            categories = tuple(_label(c) for c in series.cat.categories)
            y = series.cat.codes.to_numpy().astype(np.int64) + 1
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = series.to_numpy(dtype=float)
            self.require(
                np.isfinite(values) & (values >= 1) & (values == np.round(values)) & (values <= MAX_INT),
                f"{what} must be {ResponseKind.ORDINAL}",
                value=series.to_numpy(),
            )
            y = values.astype(np.int64)
            categories = tuple(str(k) for k in range(1, int(y.max()) + 1))
        else:
            raise self.fail(
                f"{what} must be {ResponseKind.ORDINAL}; `{name}` has labels in no given order",
                hint="code the categories 1, 2, ... in their order, or pass a DataFrame whose column is "
                "`pd.Categorical(..., categories=[...], ordered=True)`",
            )
        if self.fitted is not None:
            categories = self.fitted.categories
            self.require(y <= len(categories), f"{what} has more categories than the fitted model's {len(categories)}")
        elif len(categories) < 2:
            raise self.fail(f"{what} needs at least two categories; the data have one")
        self.categories = categories
        return y

    def require(self, ok: np.ndarray, message: str, hint: str | None = None, value: np.ndarray | None = None) -> None:
        """Every row must be ok; else an error on the first bad line, showing its `value` if given."""
        bad = np.flatnonzero(~ok)
        if len(bad):
            if value is not None:
                message += f": {value[bad[0]]!r}"
            raise self.fail(message, bad, hint)

    def group(self, block: ir.GroupBlock) -> GroupData:
        per_variable = [self.level_labels(v) for v in block.factor.variables]
        for variable, (labels, levels) in zip(block.factor.variables, per_variable, strict=True):
            joined = [level for level in levels if ":" in level] if len(per_variable) > 1 else []
            if joined:
                raise self.fail(
                    f"the level {joined[0]!r} of `{variable}` holds `:`, which joins the levels of "
                    f"`{block.factor.label}`",
                    np.flatnonzero(labels == joined[0]),
                    hint="rename the levels",
                )
        codes = np.column_stack([_codes(labels, levels) for labels, levels in per_variable])
        observed, index = np.unique(codes, axis=0, return_inverse=True)  # combinations in sorted order
        levels = tuple(
            ":".join(per_variable[i][1][code] for i, code in enumerate(combination)) for combination in observed
        )
        label = block.factor.label
        if self.fitted is None:
            self.coding.groups[label] = levels
            return GroupData(levels, index.reshape(-1), self.design(block.terms))
        fitted = self.fitted.groups[label]  # the fitted levels first, then those the fit did not see
        known = set(fitted)
        levels = fitted + tuple(level for level in levels if level not in known)
        position = {level: i for i, level in enumerate(levels)}
        row_labels = [":".join(parts) for parts in zip(*(p[0] for p in per_variable), strict=True)]
        row_levels = np.array([position[level] for level in row_labels])
        return GroupData(levels, row_levels.astype(np.int64), self.design(block.terms), len(fitted))

    def bind(self) -> BoundData:
        if len(self.frame) == 0:
            raise self.fail("the data have no rows")
        y, se, trials = self.response()
        X = self.design(self.model.terms)
        groups = {block.factor.label: self.group(block) for block in self.model.groups}
        distributional = {f.label: self.formula(f) for f in self.model.distributional}
        designs = [X] + [g.design for g in groups.values()] + [f.X for f in distributional.values()]
        if self.fitted is None:  # a fit needs variation; a prediction may be for one row
            for design in designs:
                self.check_columns(design)
        widths = {label: s.stop - s.start for d in designs for label, s in d.spans.items()}
        offset = self.offset(self.model.offsets)
        coding = self.fitted or replace(self.coding, categories=self.categories)
        censored, upper = self.censoring(y, trials)
        lb, ub = self.truncation(y, censored, upper)
        return BoundData(
            self.model,
            y,
            se,
            trials,
            X,
            groups,
            widths,
            self.frame,
            coding,
            offset,
            self.weights(),
            censored,
            upper,
            lb,
            ub,
            distributional,
        )

    def offset(self, offsets: tuple[ir.NumericFactor, ...]) -> np.ndarray | None:
        """The sum of some offsets per row, each one column transformed as a predictor is; None without any."""
        return np.sum([self.factor_columns(o)[0][1] for o in offsets], axis=0) if offsets else None

    def formula(self, formula: ir.Distributional) -> FormulaData:
        return FormulaData(self.design(formula.terms), self.offset(formula.offsets))

    def check_columns(self, design: Design) -> None:
        """Default priors divide by each column's sd; a constant column has no information anyway."""
        if len(self.frame) < 2:
            raise self.fail("the data need at least two rows")
        for name, column in zip(design.names, design.matrix.T, strict=True):
            with np.errstate(over="ignore", invalid="ignore"):
                spread = np.std(column)
            if not np.isfinite(spread):
                raise self.fail(
                    f"the design column `{name}` has values too large to compute with (up to {_magnitude(column)})",
                    hint="rescale the variable, e.g. to thousands or millions",
                )
            if not spread > 0:
                raise self.fail(f"the design column `{name}` is constant in the data", hint="remove the term")


MAX_INT = 2**31 - 1  # Stan's integers have 32 bits

# brms's censoring codes: y is exact (none), an upper bound of the value (left), a lower bound (right: the
# value is above y), or the lower end of an interval (y, y2] (interval)
CENSORING = {0: "none", 1: "right", -1: "left", 2: "interval"}


def _magnitude(values: np.ndarray) -> str:
    return format(float(np.max(np.abs(values))), ".3g")


def _label(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _codes(labels: np.ndarray, levels: list[str]) -> np.ndarray:
    position = {level: i for i, level in enumerate(levels)}
    return np.array([position[label] for label in labels], dtype=np.int64)
