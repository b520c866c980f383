"""Helpers that generated PyMC and Bambi scripts carry, so that they run on their own.

The code generator copies the functions below into each script, after the
script's imports; this module is never imported by hierc at compile time.
They build the same design columns, levels and level order as hierc's own
data binding (`hierc/data/design.py`): treatment coding against a reference level,
interactions as products of columns, levels sorted (numbers numerically), and
for a grouping factor `a:b` the combinations that occur in the data.
The logit-scale binomial and bernoulli likelihoods are here because PyMC's
are not numerically stable in every compile mode.
"""

import itertools

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

# --- helpers: from here on, the module's text is copied into generated scripts ---


def require_columns(data: pd.DataFrame, names: list[str]) -> None:
    """Fail clearly on a missing column or a missing value: the model never drops rows silently."""
    missing = [name for name in names if name not in data.columns]
    if missing:
        raise ValueError(f"the data lack the column(s) {', '.join(missing)}")
    incomplete = [name for name in names if data[name].isna().any()]
    if incomplete:
        raise ValueError(f"missing values in the column(s) {', '.join(incomplete)}")


def numeric(data: pd.DataFrame, name: str) -> np.ndarray:
    return data[name].to_numpy(dtype=float)


def whole_numbers(data: pd.DataFrame, name: str) -> np.ndarray:
    return data[name].to_numpy(dtype=np.int64)


def ordinal(data: pd.DataFrame, name: str) -> tuple[np.ndarray, list[str]]:
    """An ordinal response as categories 1..K, and the names of its K - 1 thresholds (`low|high`, by the
    categories they separate): an ordered pandas Categorical (all its categories), or whole numbers from 1
    (K: the largest)."""
    series = data[name]
    if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered:
        y = series.cat.codes.to_numpy().astype(np.int64) + 1
        categories = [_label(c) for c in series.cat.categories]
    else:
        y = series.to_numpy(dtype=np.int64)
        if y.min() < 1:
            message = f"the ordinal response {name} must be whole numbers from 1, or ordered"
            raise ValueError(message)
        categories = [str(k) for k in range(1, y.max() + 1)]
    pairs = zip(categories[:-1], categories[1:], strict=True)
    return y, [f"{low}|{high}" for low, high in pairs]


def center(values: np.ndarray) -> np.ndarray:
    return values - values.mean()


def scale(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / values.std(ddof=1)


def column(name: str, values: np.ndarray) -> tuple[list[str], list[np.ndarray]]:
    """One named design column."""
    return [name], [values]


def poly(name: str, x: np.ndarray, degree: int) -> tuple[list[str], list[np.ndarray]]:
    """R's poly(x, degree): columns `name[1]`.. of polynomials orthonormal over these data."""
    previous, current, norm2 = np.zeros_like(x), np.ones_like(x), [1.0, float(len(x))]
    columns = []
    for k in range(degree):
        alpha = np.sum(x * current**2) / norm2[-1]
        ratio = norm2[-1] / norm2[-2] if k else 0.0
        previous, current = current, (x - alpha) * current - ratio * previous
        norm2.append(float(np.sum(current**2)))
        columns.append(current / np.sqrt(norm2[-1]))
    return [f"{name}[{k}]" for k in range(1, degree + 1)], columns


def bs(name: str, x: np.ndarray, df: int, degree: int) -> tuple[list[str], list[np.ndarray]]:
    """R's bs(x, df, degree) by formulae's: columns `name[1]`.. of the B-spline basis whose df - degree
    inner knots lie at quantiles of these data and boundary knots at their range, less its first column."""
    from formulae.transforms import BSpline

    knots = list(np.quantile(x, np.linspace(0, 1, df - degree + 2)[1:-1]))
    basis = BSpline()(x, knots=knots, degree=degree, lower_bound=x.min(), upper_bound=x.max())
    return [f"{name}[{k}]" for k in range(1, df + 1)], list(basis.T)


def level_labels(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's level as a label, and the levels' labels in sorted order (numbers numerically)."""
    unique = pd.unique(series)
    numbers = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    ordered = sorted(unique, key=float) if numbers else sorted(unique, key=str)
    labels = {value: _label(value) for value in ordered}
    rows = np.array([labels[value] for value in series.to_numpy()], dtype=object)
    return rows, [labels[value] for value in ordered]


def _positions(rows: np.ndarray, levels: list[str]) -> np.ndarray:
    position = {level: i for i, level in enumerate(levels)}
    return np.array([position[label] for label in rows], dtype=np.int64)


def _label(value) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def contrasts(data: pd.DataFrame, name: str, reference: str | None = None) -> tuple[list, list]:
    """Treatment coding of a categorical predictor: a 0/1 column `name[level]` per other level."""
    rows, levels = level_labels(data[name])
    reference = levels[0] if reference is None else reference
    kept = [level for level in levels if level != reference]
    return [f"{name}[{level}]" for level in kept], [(rows == level).astype(float) for level in kept]


def interaction(*factors: tuple[list, list]) -> tuple[list, list]:
    """Products of the factors' columns, all combinations, the first factor's varying slowest."""
    names, columns = [], []
    for combination in itertools.product(*(zip(*factor, strict=True) for factor in factors)):
        names.append(":".join(name for name, _ in combination))
        columns.append(np.prod([values for _, values in combination], axis=0))
    return names, columns


def design(*terms: tuple[list, list]) -> tuple[np.ndarray, list[str]]:
    """The design matrix of some terms (one row per observation) and its column names."""
    names = [name for term in terms for name in term[0]]
    return np.column_stack([values for term in terms for values in term[1]]), names


def group_index(data: pd.DataFrame, *names: str) -> tuple[np.ndarray, list[str]]:
    """The 0-based level of each row of a grouping factor, and its levels (`a:b`: as observed)."""
    per_variable = [_joinable(level_labels(data[name]), name, names) for name in names]
    codes = np.column_stack([_positions(rows, levels) for rows, levels in per_variable])
    observed, index = np.unique(codes, axis=0, return_inverse=True)
    levels = [":".join(per_variable[i][1][code] for i, code in enumerate(row)) for row in observed]
    return index.reshape(-1), levels


def group_labels(data: pd.DataFrame, *names: str) -> np.ndarray:
    """Each row's level of a grouping factor as text, `a:b` levels joined by `:`, as hierc labels them."""
    per_variable = [_joinable(level_labels(data[name]), name, names)[0] for name in names]
    return np.array([":".join(parts) for parts in zip(*per_variable, strict=True)], dtype=object)


def _joinable(labels: tuple[np.ndarray, list[str]], name: str, names: tuple[str, ...]):
    """A variable's labels, which `:` joins into the levels of an interaction `a:b`: none may hold `:`."""
    joined = [level for level in labels[1] if ":" in level] if len(names) > 1 else []
    if joined:
        interaction = ":".join(names)
        raise ValueError(f"level {joined[0]!r} of {name} holds `:`, the separator of {interaction}")
    return labels


def categories(data: pd.DataFrame, name: str, reference: str | None = None) -> pd.Categorical:
    """A categorical predictor as labels in hierc's level order, the reference level first.

    The categories are ordered, so formulae keeps their order and treats the first as the reference.
    """
    rows, levels = level_labels(data[name])
    reference = levels[0] if reference is None else reference
    if reference not in levels:
        raise ValueError(f"the reference level {reference!r} of {name} is not in the data")
    ordered = [reference, *(level for level in levels if level != reference)]
    return pd.Categorical(rows, categories=ordered, ordered=True)


def sufficient_statistics(W: np.ndarray, y: np.ndarray, level: np.ndarray, levels: int, w=None):
    """Per level, sum w y^2, W'wy and W'wW: all that a gaussian likelihood needs from the rows."""
    w = np.ones(len(y)) if w is None else w

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(level, weights=w * values, minlength=levels)

    Wy = np.column_stack([total(y * column) for column in W.T])
    WW = np.empty((levels, W.shape[1], W.shape[1]))
    for a in range(W.shape[1]):
        for b in range(a + 1):
            WW[:, a, b] = WW[:, b, a] = total(W[:, a] * W[:, b])
    return total(y * y), Wy, WW


def binomial_logit(name: str, n, eta, **kwargs):
    """A binomial response with success probability inv_logit(eta), like Stan's `binomial_logit`.

    `pm.Binomial(logit_p=eta)` takes log(inv_logit(eta)) after rounding, so its log density is -inf
    beyond |eta| of about 37 (`pm.Bernoulli` too, where PyTensor's rewrites do not run); written with
    softplus, it stays finite for any eta.
    """

    def logp(value, n, eta):
        choose = pt.gammaln(n + 1) - pt.gammaln(value + 1) - pt.gammaln(n - value + 1)
        return choose - value * pt.softplus(-eta) - (n - value) * pt.softplus(eta)

    def random(n, eta, rng=None, size=None):
        return rng.binomial(n, np.exp(-np.logaddexp(0, -eta)), size=size)

    return pm.CustomDist(name, n, eta, logp=logp, random=random, dtype="int64", **kwargs)


def bernoulli_logit(name: str, eta, **kwargs):
    """A 0/1 response with success probability inv_logit(eta): one trial of `binomial_logit`."""
    return binomial_logit(name, 1, eta, **kwargs)


def ordered_logistic(name: str, eta, cutpoints, **kwargs):
    """An ordinal response 1..K with P(y <= k) = inv_logit(cutpoints[k] - eta), like Stan's
    `ordered_logistic`. PyMC's `OrderedLogistic` takes the log of differences of probabilities,
    -inf far out; this log density is computed on the log scale and stays finite.
    """

    def log_cdf(x):
        return -pt.softplus(-x)

    def cdf(x):
        return 1 / (1 + np.exp(-x))

    return _ordinal(name, eta, cutpoints, log_cdf, cdf, **kwargs)


def ordered_probit(name: str, eta, cutpoints, **kwargs):
    """An ordinal response 1..K with P(y <= k) = Phi(cutpoints[k] - eta), like Stan's
    `ordered_probit` (PyMC's `OrderedProbit` is off by up to 1e-7 per row)."""
    from scipy.special import ndtr

    return _ordinal(name, eta, cutpoints, lambda x: log_normal_cdf(x), ndtr, **kwargs)


def log_normal_cdf(x):
    """log Phi(x), exact to rounding: each of two formulas where it is accurate, their inputs kept
    where they are finite. PyMC's normal cdfs take sqrt(2) in float32: off by up to 1e-7."""
    low, high = pt.minimum(x, -1.0), pt.maximum(x, -1.0)
    left = pt.log(pt.erfcx(-low / np.sqrt(2.0)) / 2) - low**2 / 2
    return pt.switch(x < -1.0, left, pt.log1p(-pt.erfc(high / np.sqrt(2.0)) / 2))


def _ordinal(name: str, eta, cutpoints, log_cdf, cdf, **kwargs):
    """The category y lies between cutpoints y - 1 and y (the first and last have one of them);
    log P(y) is log(F(upper) - F(lower)), from the tail of the symmetric F that keeps it accurate."""

    def logp(value, eta, cutpoints):
        last = cutpoints.shape[-1]  # the highest category, counted from 0
        k = value - 1
        cuts = pt.broadcast_to(cutpoints, (*value.shape, last))  # each row's cutpoints

        def cut(index):
            return pt.take_along_axis(cuts, index[..., None], axis=-1)[..., 0]

        upper = cut(pt.minimum(k, last - 1)) - eta
        lower = cut(pt.maximum(k - 1, 0)) - eta
        first, final = pt.eq(k, 0), pt.eq(k, last)
        lower = pt.switch(first | final, upper - 1, lower)  # unused there: apart from upper, finite
        tail = upper + lower > 0
        big = pt.switch(tail, log_cdf(-lower), log_cdf(upper))
        small = pt.switch(tail, log_cdf(-upper), log_cdf(lower))
        middle = big + pt.log1mexp(small - big)
        return pt.switch(first, log_cdf(upper), pt.switch(final, log_cdf(-upper), middle))

    def random(eta, cutpoints, rng=None, size=None):
        below = cdf(np.asarray(cutpoints) - np.asarray(eta)[..., None])  # P(y <= k)
        shape = tuple(size) if size is not None else below.shape[:-1]
        below = np.broadcast_to(below, (*shape, below.shape[-1]))
        return 1 + (below < rng.uniform(size=shape)[..., None]).sum(-1)

    kwargs |= {"signature": "(),(k)->()", "dtype": "int64"}  # a category per row
    return pm.CustomDist(name, eta, cutpoints, logp=logp, random=random, **kwargs)


def censoring(data: pd.DataFrame, name: str) -> np.ndarray:
    """brms's censoring codes: 0 or none, 1 or right (the value is above y), -1 or left (at most
    y), 2 or interval."""
    words = {"none": 0, "right": 1, "left": -1, "interval": 2}
    text = data[name].astype(str).str.strip().str.lower()
    numbers = pd.to_numeric(data[name], errors="coerce")
    codes = np.where(text.isin(list(words)), text.map(words), numbers)
    if not np.isin(codes, list(words.values())).all():
        raise ValueError(f"the censoring codes {name} must be none, right, left or interval")
    return codes.astype(np.int64)


def upper_bounds(data: pd.DataFrame, name: str, cens: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The upper bounds of interval-censored rows; the other rows read y (unused)."""
    bounds = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
    return np.where(cens == 2, bounds, y).astype(y.dtype)


def student_t_log_cdf(x, nu):
    """log P(T <= x) for Student's t with nu degrees of freedom, from the tail x is in: P(T > |x|)
    is I(nu / (nu + x^2); nu / 2, 1 / 2) / 2, exact far out, where PyMC's cdf rounds."""
    tail = 0.5 * pt.betainc(nu / 2, 0.5, nu / (nu + x**2))
    return pt.switch(x < 0, pt.log(tail), pt.log1p(-tail))


def censored(
    name,
    dist,
    params: dict,
    cens,
    upper=None,
    lb=None,
    ub=None,
    log_cdf=None,
    log_ccdf=None,
    **kwargs,
):
    """A response some of whose rows are censored (brms's `cens`). By its code, a row's log
    likelihood is the distribution's log density (0), log P(Y > y) (1: right-censored),
    log P(Y <= y) (-1: left-censored) or log P(y < Y <= upper) (2: interval-censored). Each kind
    is computed on its own rows only. Where truncated too (`lb`, `ub`), each row's term is less
    log P(lb <= Y <= ub). `log_cdf(y, **params)` and `log_ccdf` replace PyMC's where given."""
    cens = np.asarray(cens)
    rows = {code: np.flatnonzero(cens == code) for code in (0, 1, -1, 2)}
    n, names = len(cens), list(params)
    integer = kwargs.get("dtype") == "int64"

    def logp(value, *values):
        out = pt.zeros(n)
        for code, at in rows.items():
            if not len(at):
                continue
            here = {k: pt.broadcast_to(v, (n,))[at] for k, v in zip(names, values, strict=True)}
            below, above, part = _tails(dist, here, log_cdf, log_ccdf)
            y = value[at]
            if code == 0:
                term = pm.logp(part, y)
            elif code == 1:
                term = above(y)
            elif code == -1:
                term = below(y)
            else:
                term = _log_between(below, above, y, pt.as_tensor(np.asarray(upper)[at]))
            out = pt.set_subtensor(out[at], term)
        if lb is None and ub is None:
            return out
        below, above, _ = _tails(dist, dict(zip(names, values, strict=True)), log_cdf, log_ccdf)
        return out - _log_inside(below, above, lb, ub, integer)

    def values(*values_and_size):  # draws of the value itself, uncensored (within any bounds)
        *values, size = values_and_size
        here = dict(zip(names, values, strict=True))
        if lb is None and ub is None:
            return dist.dist(**here, size=size)
        return pm.Truncated.dist(dist.dist(**here), lower=lb, upper=ub, size=size)

    return pm.CustomDist(name, *params.values(), dist=values, logp=logp, **kwargs)


def _tails(dist, here, log_cdf, log_ccdf):
    """log P(Y <= y) and log P(Y > y) of the distribution with parameters `here` (the exact
    forms where given, else PyMC's), and the distribution itself."""
    part = dist.dist(**here)

    def below(y):
        return log_cdf(y, **here) if log_cdf else pm.logcdf(part, y)

    def above(y):
        return log_ccdf(y, **here) if log_ccdf else pm.logccdf(part, y)

    return below, above, part


def _log_inside(below, above, lb, ub, integer):
    """log P(lb <= Y <= ub), either bound None where unbounded (for counts P(Y > lb - 1))."""
    low = None if lb is None else pt.as_tensor(lb - 1 if integer else lb)
    if ub is None:
        return above(low)
    if lb is None:
        return below(pt.as_tensor(ub))
    return _log_between(below, above, low, pt.as_tensor(ub))


def _log_between(below, above, low, high):
    """log P(low < Y <= high) from log P(Y <= y) and log P(Y > y): P(Y <= high) - P(Y <= low), or
    above the median P(Y > low) - P(Y > high), whichever difference is accurate."""
    upper_tail = below(low) > np.log(0.5)
    # the unused difference gets a harmless -1: its gradient, masked, is finite
    low_gap = pt.switch(upper_tail, -1.0, below(low) - below(high))
    high_gap = pt.switch(upper_tail, above(high) - above(low), -1.0)
    lower_tail = below(high) + pt.log1mexp(low_gap)
    return pt.switch(upper_tail, above(low) + pt.log1mexp(high_gap), lower_tail)


def truncated(name, dist, params: dict, lb=None, ub=None, log_cdf=None, log_ccdf=None, **kwargs):
    """A truncated response (brms's `trunc`): each row's log density less log P(lb <= Y <= ub),
    either bound None where unbounded. `log_cdf` and `log_ccdf` replace PyMC's where given."""
    names = list(params)
    integer = kwargs.get("dtype") == "int64"

    def logp(value, *values):
        below, above, part = _tails(dist, dict(zip(names, values, strict=True)), log_cdf, log_ccdf)
        return pm.logp(part, value) - _log_inside(below, above, lb, ub, integer)

    def values(*values_and_size):  # draws within the bounds
        *values, size = values_and_size
        part = dist.dist(**dict(zip(names, values, strict=True)))
        return pm.Truncated.dist(part, lower=lb, upper=ub, size=size)

    return pm.CustomDist(name, *params.values(), dist=values, logp=logp, **kwargs)
