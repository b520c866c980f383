"""Sufficient statistics: a gaussian likelihood with identity link that costs per level, not per row.

The mean of row i is W_i theta_j, where W_i holds the row's predictors (1 for
the intercept, the columns of X, then 1 and the columns of Z_g for the
group-level terms) and theta_j the coefficients of its level j: the intercept
and b, shared, then r_g[j]. Over the rows of level j, with weights w = 1/se^2
(or 1, and sigma instead),

    sum w (y - W theta)^2 = yy_j - 2 theta' Wy_j + theta' WW_j theta

where yy_j = sum w y^2, Wy_j = W' w y and WW_j = W' diag(w) W. So the log
density, normalizing constant included, is a function of these statistics:
the same function as row by row, computed in O(levels * P^2) instead of
O(rows * P) per gradient. The PyMC backend computes the likelihood from these
cross-products, as tensors.

Stan evaluates a vectorized expression over rows much faster than a loop over
levels, so the Stan backend reads the same information in another form: the
rows of each level compressed by a QR decomposition to at most one row per
distinct column of W before X is centred (`compressed_rows`): the centred
columns are combinations of those and the column of 1s, and a group-level
slope's column is often the population-level one. The sum of squares is the
same for every theta. This form is also the more accurate one: it does not subtract
large cross-products from each other.

It applies when every group-level term belongs to one grouping factor (or
there is none: one "level" holding every row), to gaussian models with
identity link, with or without known standard errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hierc.errors import BackendError
from hierc.families import FAMILIES
from hierc.language import ir
from hierc.language.vocabulary import Likelihood, ParamClass

if TYPE_CHECKING:
    from hierc.data.design import BoundData


def why_not(model: ir.Model) -> str | None:
    """Why the model's likelihood cannot be computed from sufficient statistics; None when it can."""
    if FAMILIES[model.family].suffstats_link is not model.link:
        return f"the {model.family.value} family with {model.link.value} link has no sufficient statistics here"
    if len(model.groups) > 1:
        labels = ", ".join(f"`{b.factor.label}`" for b in model.groups)
        return f"the group-level terms belong to {len(model.groups)} grouping factors ({labels}), not one"
    if model.offsets:
        return "the model has an offset, which the statistics of the rows do not hold"
    if model.response.weights is not None:
        return "the rows have likelihood weights, which the statistics of the rows do not hold"
    if model.response.censored is not None:
        return "some rows may be censored, which the statistics of the rows do not hold"
    if model.formula_of(ParamClass.SIGMA) is not None:
        return "sigma has a formula: each row has its own sd, which the statistics of the rows do not hold"
    return None


def predictors(model: ir.Model) -> list[str]:
    """The blocks of columns of W, a row's predictors, in order: `1` (an intercept), `X`, `Z_<g>`."""
    from hierc import naming

    parts = (["1"] if model.intercept else []) + (["X"] if model.terms else [])
    for block in model.groups:
        design = naming.names(model).group(block.factor.label).Z
        parts += (["1"] if block.intercept else []) + ([design] if block.terms else [])
    return parts


def width(bound: BoundData) -> int:
    """P: the columns of W."""
    from hierc.data.model_inputs import model_inputs

    inputs = model_inputs(bound)
    return sum(1 if part == "1" else inputs[part].shape[1] for part in predictors(bound.model))


def uses_suffstats(model: ir.Model, likelihood: Likelihood | str, bound: BoundData | None = None) -> bool:
    """Whether to compute the likelihood from sufficient statistics.

    `auto` does where it applies and, when the data are known, where it is cheaper:
    levels * P^2 operations instead of rows * P, so when there are more rows than
    levels * P.
    """
    likelihood = Likelihood(likelihood)
    reason = why_not(model)
    if likelihood is Likelihood.SUFFSTATS and reason:
        raise BackendError(f"--likelihood suffstats does not apply: {reason}")
    if likelihood is not Likelihood.AUTO:
        return likelihood is Likelihood.SUFFSTATS
    if reason:
        return False
    if bound is None:
        return True
    levels = len(bound.groups[model.groups[0].factor.label].levels) if model.groups else 1
    return bound.n > levels * width(bound)


def compressed_rows(bound: BoundData) -> dict[str, object]:
    """The rows compressed per level, as the Stan program reads them, and the constants its priors need.

    W = U B, U the d distinct columns of W with X uncentred and B exact (0s, 1s and
    the means of X). Per level j, the QR decomposition of the level's [U Y] (rows
    divided by se when the standard errors are known) gives an upper-triangular R
    with at most d + 1 rows. As Q has orthonormal columns, sum (Y - W theta)^2
    over the level's rows equals (R_y - R_U B theta)^2 summed over R's rows, for
    every theta: R's first d rows become the compressed rows (Y_qr, and W's
    columns R_U B: intercept_qr, X_qr, Z_<g>_qr), and its last row, which has no
    U part, adds the constant R[d, d]^2 to SS_rest.

    Alongside: N_qr, the compressed rows; J_<g>_qr, their levels; sum_log_se with
    known standard errors; and the summaries of the rows that the program would
    otherwise compute from them (means_X, mean_Y, sd_Y, sd_X, sd_Z_<g>).
    """
    import numpy as np

    from hierc import naming
    from hierc.data.model_inputs import model_inputs

    model, n = bound.model, bound.n
    inputs = model_inputs(bound)
    parts = {"1": np.ones((n, 1))}
    level, levels, out = np.zeros(n, dtype=np.int64), 1, {}
    names = naming.names(model)
    qr_names = {"1": "intercept_qr", "X": "X_qr"}
    if model.terms:  # the program centres X when there is an intercept: below, W's X is U's minus its means
        means_X, sd_X = names.statistic("means_X"), names.statistic("sd_X")
        out[means_X], out[sd_X] = inputs["X"].mean(axis=0), inputs["X"].std(axis=0, ddof=1)
        parts["X"] = inputs["X"]
    for block in model.groups:
        G, group = names.group(block.factor.label), bound.groups[block.factor.label]
        level, levels = group.index, len(group.levels)
        if block.terms:
            parts[G.Z], qr_names[G.Z] = inputs[G.Z], G.Z_qr
            out[G.sd_Z] = inputs[G.Z].std(axis=0, ddof=1)
    blocks = list(dict.fromkeys(predictors(model)))  # the intercept's column of 1s once, whoever multiplies it
    U, B = _distinct_columns(np.column_stack([parts[b] for b in blocks]))
    if model.terms and model.intercept:  # the centred X: each column minus its mean times the column of 1s
        start = sum(parts[b].shape[1] for b in blocks[: blocks.index("X")])
        ones = int(np.flatnonzero(B[:, 0])[0])  # the intercept's column is W's first
        for k, mean in enumerate(out[names.statistic("means_X")]):
            B[ones, start + k] -= mean
    y = bound.y
    if bound.se is not None:
        U, y = U / bound.se[:, None], y / bound.se
    d = U.shape[1]
    R, level_of, rest = _compress(np.column_stack([U, y]), level, levels)
    out.update(N_qr=len(R), Y_qr=R[:, d], SS_rest=rest)
    columns = R[:, :d] @ B
    for b in blocks:
        width = parts[b].shape[1]
        out[qr_names[b]], columns = (columns[:, 0] if b == "1" else columns[:, :width]), columns[:, width:]
    if model.groups:
        out[names.group(model.groups[0].factor.label).J_qr] = level_of
    if bound.se is not None:
        out["sum_log_se"] = float(np.log(bound.se).sum())
    out[names.statistic("mean_Y")] = float(np.mean(bound.y))
    out[names.statistic("sd_Y")] = float(np.std(bound.y, ddof=1))
    return out


def _distinct_columns(V):
    """(U, B) with V = U B: U holds V's distinct columns once, B (0s and 1s) says which column is which."""
    import numpy as np

    distinct: dict[bytes, int] = {}
    source = [distinct.setdefault(column.tobytes(), len(distinct)) for column in V.T]
    B = np.zeros((len(distinct), V.shape[1]))
    B[source, np.arange(V.shape[1])] = 1.0
    return V[:, [source.index(i) for i in range(len(distinct))]], B


def _compress(A, level, levels: int):
    """Per level, R of the QR decomposition of the level's rows of A, less its last row.

    Returns R's rows stacked, the level of each (from 1), and the square of the
    last column's entry in the dropped rows, summed: those rows are 0 elsewhere.
    """
    import numpy as np

    d = A.shape[1] - 1
    kept, level_of, rest = [], [], 0.0
    by_level = np.split(np.argsort(level, kind="stable"), np.cumsum(np.bincount(level, minlength=levels))[:-1])
    for j, rows in enumerate(by_level):
        if len(rows):
            R = np.linalg.qr(A[rows], mode="r")
            kept.append(R[:d])
            level_of += [j + 1] * len(R[:d])
            rest += float(R[d, d] ** 2) if len(R) > d else 0.0
    return np.vstack(kept), np.array(level_of), rest
