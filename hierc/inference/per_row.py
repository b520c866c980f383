"""Per-row quantities after sampling: the pointwise log-likelihood (for LOO), posterior predictive draws, and
predictions for new rows (`hierc/inference/prediction.py` codes them).

They are computed here, in NumPy, from the posterior's shared output names
(`b_Intercept` or `Intercept`, `b`, `r_<g>`, the auxiliary parameters) and
the bound data, once per draw: a separate step, so the sampler never pays
for them, and one that works the same for every backend and for a
likelihood from sufficient statistics, whose model has no per-row term.
"""

from __future__ import annotations

import functools

import numpy as np
import xarray as xr
from scipy import special

from hierc import naming
from hierc.data.design import BoundData
from hierc.errors import CompilerBug
from hierc.families import FAMILIES, Rows
from hierc.inference.sampling import import_arviz
from hierc.language.vocabulary import Link, NewLevels, PredictionKind

_INVERSE_LINK = {
    Link.IDENTITY: lambda eta: eta,
    Link.LOG: np.exp,
    Link.LOGIT: special.expit,
    Link.PROBIT: special.ndtr,
    Link.CLOGLOG: lambda eta: -np.expm1(-np.exp(eta)),
}


_CHUNK = 2**24  # values of eta per chunk of draws: bounds the memory of the intermediate arrays


def linear_predictor(
    draws: dict[str, np.ndarray], bound: BoundData, new_levels: NewLevels = NewLevels.ERROR, rng=None
) -> np.ndarray:
    """eta for every draw and row (draws x N), from the draws of the posterior's variables (first axis: draw).

    Levels the fit did not see (data bound for prediction) get effects by `new_levels`: drawn from
    the fitted population distribution with `rng`, or none."""
    model = bound.model
    intercept = (naming.INTERCEPT_ORIGINAL if model.terms else naming.INTERCEPT) if model.intercept else None
    eta = _population(draws, bound.n, intercept, naming.B if model.terms else None, bound.X.matrix, bound.offset)
    for block in model.groups:
        group = bound.groups[block.factor.label]
        r = draws[naming.effects(model, block.factor.label)]
        r = r if r.ndim == 3 else r[:, :, None]  # one column: a vector over levels
        if group.new_levels:
            new = _new_effects(draws, model, block, len(group.new_levels), new_levels, rng)
            r = np.concatenate([r, new], axis=1)
        columns = ([np.ones(bound.n)] if block.intercept else []) + ([group.design.matrix] if block.terms else [])
        eta += np.einsum("dnk,nk->dn", r[:, group.index, :], np.column_stack(columns))
    return eta


def _population(draws: dict[str, np.ndarray], n: int, intercept: str | None, b: str | None, X, offset) -> np.ndarray:
    """The population-level part of a linear predictor (draws x n): the intercept at predictors = 0, the
    coefficients `b` times the design matrix `X`, and the offsets (each None where there is none)."""
    some = next(iter(draws.values()))
    eta = np.zeros((len(some), n))
    if intercept is not None:
        eta += draws[intercept][:, None]
    if b is not None:
        eta += draws[b] @ X.T
    if offset is not None:
        eta += offset
    return eta


def _formula_predictor(draws: dict[str, np.ndarray], bound: BoundData, formula) -> np.ndarray:
    """A distributional formula's linear predictor for every draw and row (draws x N), on its link's scale."""
    F, given = naming.names(bound.model).formula(formula.label), bound.distributional[formula.label]
    intercept = (F.b_intercept if formula.terms else F.intercept) if formula.intercept else None
    return _population(draws, bound.n, intercept, F.b if formula.terms else None, given.X.matrix, given.offset)


def _new_effects(draws, model, block, count: int, new_levels: NewLevels, rng) -> np.ndarray:
    """Effects of `count` unseen levels, draws x count x coefficients: per draw, independent normal vectors
    with the fitted sds and, in a correlated block, the fitted correlation (a zero-sum factor too: a new
    level is not among the levels whose effects sum to zero); or zeros, the population-level prediction."""
    label = block.factor.label
    sd = draws[naming.sd(model, label)]
    sd = sd if sd.ndim == 2 else sd[:, None]
    shape = (sd.shape[0], count, sd.shape[1])
    if new_levels is NewLevels.POPULATION:
        return np.zeros(shape)
    if new_levels is not NewLevels.SAMPLE:
        raise CompilerBug(f"levels the fit did not see reached the linear predictor with new_levels={new_levels}")
    z = rng.standard_normal(shape)
    cor = naming.cor(model, label)
    if cor in draws:
        z = np.einsum("djk,dmk->dmj", np.linalg.cholesky(draws[cor]), z)
    return z * sd[:, None, :]


def _chunks(posterior: xr.Dataset, bound: BoundData):
    """(chain, slice of draws, the draws of every variable there): pieces small enough to hold eta."""
    size = max(1, _CHUNK // (bound.n * 4))
    for chain in range(posterior.sizes["chain"]):
        for start in range(0, posterior.sizes["draw"], size):
            where = slice(start, start + size)
            yield chain, where, {name: var.values[chain, where] for name, var in posterior.data_vars.items()}


def _pointwise(posterior: xr.Dataset, bound: BoundData, per_row, new_levels=NewLevels.ERROR, rng=None) -> np.ndarray:
    out = np.empty((posterior.sizes["chain"], posterior.sizes["draw"], bound.n))
    for chain, where, draws in _chunks(posterior, bound):
        out[chain, where] = per_row(draws, linear_predictor(draws, bound, new_levels, rng))
    return out


def _auxiliary(draws: dict[str, np.ndarray], bound: BoundData) -> dict[str, np.ndarray]:
    """The family's auxiliary parameters, one column of draws each, to broadcast over the rows; an ordinal
    model's thresholds on the predictors as given (draws x 1 x thresholds)."""
    model = bound.model
    family = FAMILIES[model.family]
    aux = {cls.value: draws[cls.value][:, None] for cls in family.auxiliary_classes if cls.value in draws}
    for formula in model.distributional:  # a parameter with a formula has a value per draw and row
        aux[formula.label] = _INVERSE_LINK[formula.link](_formula_predictor(draws, bound, formula))
    if model.thresholds:
        aux["thresholds"] = draws[naming.INTERCEPT_ORIGINAL if model.terms else naming.INTERCEPT][:, None, :]
    return aux


def _mean(bound: BoundData, eta: np.ndarray, aux: dict[str, np.ndarray]) -> np.ndarray:
    """The inverse link of the linear predictor; for an ordinal model, of each threshold less it: P(y <= k)
    for every threshold k (last axis)."""
    inverse = _INVERSE_LINK[bound.model.link]
    return inverse(aux["thresholds"] - eta[..., None]) if bound.model.thresholds else inverse(eta)


def _rows(bound: BoundData) -> Rows:
    return Rows(bound.y, bound.se, bound.trials, bound.censored, bound.upper)


def _log_between(frozen, low, high) -> np.ndarray:
    """log P(low < Y <= high) of a SciPy distribution, from the tail whose difference is accurate."""
    with np.errstate(divide="ignore", invalid="ignore"):
        below = frozen.logcdf(high) + np.log(-np.expm1(frozen.logcdf(low) - frozen.logcdf(high)))
        above = frozen.logsf(low) + np.log(-np.expm1(frozen.logsf(high) - frozen.logsf(low)))
        return np.where(frozen.cdf(low) > 0.5, above, below)


def _censored(density, distribution):
    """A family's log density where rows may be censored (brms's `cens`): an observed row's density, else the
    log probability of what is known of the value, from the family's SciPy distribution (`Reference`)."""

    def log_density(rows, eta, mean, aux):
        frozen = distribution(rows, mean, aux)
        y, codes = rows.y, rows.censored
        interval = _log_between(frozen, y, rows.upper if rows.upper is not None else y)  # unused without intervals
        observed = density(rows, eta, mean, aux)
        known = np.select([codes == 1, codes == -1, codes == 2], [frozen.logsf(y), frozen.logcdf(y), interval], 0.0)
        return np.where(codes == 0, observed, known)

    return log_density


def _range(bound: BoundData) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A truncated response's range (low, high]: low is lb for a continuous response, lb - 1 for counts."""
    integer = FAMILIES[bound.model.family].response.integer
    return (None if bound.lb is None else bound.lb - integer), bound.ub


def _log_range(frozen, low, high) -> np.ndarray:
    """log P(low < Y <= high), either side unbounded where None."""
    if high is None:
        return frozen.logsf(low)
    if low is None:
        return frozen.logcdf(high)
    return _log_between(frozen, low, high)


def _truncated(density, distribution, bound: BoundData):
    """A truncated family's log density (brms's `trunc`): the density over the probability of the range."""
    low, high = _range(bound)

    def log_density(rows, eta, mean, aux):
        return density(rows, eta, mean, aux) - _log_range(distribution(rows, mean, aux), low, high)

    return log_density


def _truncated_mean(expected, reference, bound: BoundData):
    """The expected value of a truncated response, E[y | low < y <= high] (brms's posterior_epred), from the
    family's partial means E[y; y <= c] and the probability of the range."""
    low, high = _range(bound)

    def mean_of(rows, mean, aux):
        frozen, partial = reference.distribution(rows, mean, aux), reference.partial_mean
        full = expected(rows, mean, aux)
        # from below (E[y; y <= high] - E[y; y <= low]), or above the median from above, which stays exact there
        below = (full if high is None else partial(rows, mean, aux, high)) - (
            0.0 if low is None else partial(rows, mean, aux, low)
        )
        above = (full if low is None else partial(rows, mean, aux, low, above=True)) - (
            0.0 if high is None else partial(rows, mean, aux, high, above=True)
        )
        upper_tail = frozen.cdf(low) > 0.5 if low is not None else False
        return np.where(upper_tail, above, below) / np.exp(_log_range(frozen, low, high))

    return mean_of


def _truncated_draw(distribution, bound: BoundData):
    """Draws of a truncated response: the quantile function at a uniform draw between the range's cdfs."""
    low, high = _range(bound)

    def draw(rng, rows, mean, aux):
        frozen = distribution(rows, mean, aux)
        bottom = 0.0 if low is None else frozen.cdf(low)
        top = 1.0 if high is None else frozen.cdf(high)
        u = rng.uniform(size=np.broadcast(bottom, top, mean).shape)
        return frozen.ppf(bottom + u * (top - bottom))

    return draw


def log_likelihood(posterior: xr.Dataset, bound: BoundData) -> np.ndarray:
    """log p(y_i | draw) for every draw and row: chain x draw x N, by the family's reference density; with
    likelihood weights, w_i log p(y_i | draw), each row's term of the log density (as brms's `log_lik`)."""
    model, rows = bound.model, _rows(bound)
    family = FAMILIES[model.family]
    density = family.reference.on_link.get(model.link, family.reference.log_density)
    if bound.censored is not None:
        density = _censored(density, family.reference.distribution)
    if model.response.truncated:
        density = _truncated(density, family.reference.distribution, bound)
    weights = 1.0 if bound.weights is None else bound.weights

    def per_row(draws: dict[str, np.ndarray], eta: np.ndarray) -> np.ndarray:
        aux = _auxiliary(draws, bound)
        return weights * density(rows, eta, _mean(bound, eta, aux), aux)

    return _pointwise(posterior, bound, per_row)


def predictive_draws(posterior: xr.Dataset, bound: BoundData, seed: int) -> np.ndarray:
    """One replicate of the response per draw and row: chain x draw x N."""
    rows, rng, draw = _rows(bound), np.random.default_rng(seed), _draw(bound)

    def per_row(draws: dict[str, np.ndarray], eta: np.ndarray) -> np.ndarray:
        aux = _auxiliary(draws, bound)
        return draw(rng, rows, _mean(bound, eta, aux), aux)

    return _pointwise(posterior, bound, per_row)


def predictions(
    posterior: xr.Dataset, bound: BoundData, kind: PredictionKind, new_levels: NewLevels, seed: int
) -> np.ndarray:
    """The expected response (`mean`) or one draw of the response (`response`) per draw and row: chain x
    draw x N, for data bound for prediction."""
    model, rows, rng = bound.model, _rows(bound), np.random.default_rng(seed)
    family = FAMILIES[model.family]
    expected = family.reference.expected or (lambda rows, mean, aux: mean)
    if model.response.truncated:
        expected = _truncated_mean(expected, family.reference, bound)
    outcome = expected if kind is PredictionKind.MEAN else functools.partial(_draw(bound), rng)

    def per_row(draws: dict[str, np.ndarray], eta: np.ndarray) -> np.ndarray:
        aux = _auxiliary(draws, bound)
        return outcome(rows, _mean(bound, eta, aux), aux)

    return _pointwise(posterior, bound, per_row, new_levels, rng)


def _draw(bound: BoundData):
    """The family's draws of the response; within its range where it is truncated (censoring hides values,
    and draws are of the values)."""
    reference = FAMILIES[bound.model.family].reference
    return _truncated_draw(reference.distribution, bound) if bound.model.response.truncated else reference.draw


def _group(posterior: xr.Dataset, bound: BoundData, values: np.ndarray) -> xr.Dataset:
    coords = {"chain": posterior["chain"].values, "draw": posterior["draw"].values, naming.OBS_DIM: bound.row_index}
    name = naming.names(bound.model).response
    return xr.Dataset({name: (["chain", "draw", naming.OBS_DIM], values)}, coords=coords)


def observed_data(bound: BoundData) -> xr.Dataset:
    """The response, for ArviZ's `observed_data` group (named as the per-row groups)."""
    name = naming.names(bound.model).response
    return xr.Dataset({name: ([naming.OBS_DIM], bound.y)}, coords={naming.OBS_DIM: bound.row_index})


def add_pointwise(idata, bound: BoundData, log_lik: bool = True, predictive: bool = False, seed: int = 1):
    """`idata` with the `log_likelihood` and/or `posterior_predictive` groups (one variable named after the
    response, dim `__obs__`) added or replaced: a new InferenceData sharing the other groups; `idata` itself is
    left as it was."""
    posterior = idata.posterior
    groups = {}
    if log_lik:
        groups["log_likelihood"] = _group(posterior, bound, log_likelihood(posterior, bound))
    if predictive:
        groups["posterior_predictive"] = _group(posterior, bound, predictive_draws(posterior, bound, seed))
    kept = {name: idata[name] for name in idata.groups() if name not in groups}
    return import_arviz().InferenceData(**kept, **groups)


def loo_text(idata) -> str:
    """The PSIS-LOO estimate from the `log_likelihood` group, in one line, with the count of unreliable rows."""
    import warnings

    az = import_arviz()
    with warnings.catch_warnings():  # the count of high Pareto k is in the line itself
        warnings.simplefilter("ignore")
        loo = az.loo(idata, pointwise=True)
    k = np.asarray(loo.pareto_k)
    good = float(loo.good_k)  # ArviZ's threshold for this many draws: min(1 - 1 / log10(draws), 0.7)
    return (
        f"LOO: elpd_loo {loo.elpd_loo:.1f} (se {loo.se:.1f}), p_loo {loo.p_loo:.1f}; "
        f"Pareto k above {good:.2g} at {int((k > good).sum())} of {k.size} rows\n"
    )
