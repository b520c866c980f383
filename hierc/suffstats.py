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
O(rows * P) per gradient.

It applies when every group-level term belongs to one grouping factor (or
there is none: one "level" holding every row), to gaussian models with
identity link, with or without known standard errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hierc import ir
from hierc.errors import BackendError
from hierc.vocabulary import Family, Likelihood, Link

if TYPE_CHECKING:
    from hierc.design import BoundData


def why_not(model: ir.Model) -> str | None:
    """Why the model's likelihood cannot be computed from sufficient statistics; None when it can."""
    if model.family is not Family.GAUSSIAN or model.link is not Link.IDENTITY:
        return f"the {model.family.value} family with {model.link.value} link has no sufficient statistics here"
    if len(model.groups) > 1:
        labels = ", ".join(f"`{b.factor.label}`" for b in model.groups)
        return f"the group-level terms belong to {len(model.groups)} grouping factors ({labels}), not one"
    return None


def predictors(model: ir.Model) -> list[str]:
    """The blocks of columns of W, a row's predictors, in order: `1` (an intercept), `X`, `Z_<g>`."""
    from hierc import naming

    parts = (["1"] if model.intercept else []) + (["X"] if model.terms else [])
    for block in model.groups:
        parts += (["1"] if block.intercept else []) + ([f"Z_{naming.ident(block.factor.label)}"] if block.terms else [])
    return parts


def width(bound: BoundData) -> int:
    """P: the columns of W."""
    from hierc.model_inputs import model_inputs

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


def statistics(bound: BoundData) -> dict[str, object]:
    """The statistics as the Stan program reads them, and the constants its priors and intercept need.

    Per level of the grouping factor: SS_yy (sum w y^2), SS_Wy (W'wy) and SS_WW
    (W'wW); without a grouping factor, one of each over all rows. Alongside:
    P, the columns of W; sum_log_se with known standard errors (the weights are
    1/se^2); and the summaries of the rows that the program would otherwise
    compute from them (means_X, mean_Y, sd_Y, sd_X, sd_Z_<g>).
    """
    import numpy as np

    from hierc import naming
    from hierc.model_inputs import model_inputs
    from hierc.pymc.script_helpers import sufficient_statistics

    model, n = bound.model, bound.n
    inputs = model_inputs(bound)
    W = np.column_stack([np.ones(n) if part == "1" else inputs[part] for part in predictors(model)])
    level, levels = np.zeros(n, dtype=np.int64), 1
    out: dict[str, object] = {"P": W.shape[1]}
    for block in model.groups:
        g, group = naming.ident(block.factor.label), bound.groups[block.factor.label]
        level, levels = group.index, len(group.levels)
        if block.terms:
            out[f"sd_Z_{g}"] = inputs[f"Z_{g}"].std(axis=0, ddof=1)
    weights = None if bound.se is None else 1 / bound.se**2
    yy, Wy, WW = sufficient_statistics(W, bound.y, level, levels, weights)
    if model.groups:
        out.update(SS_yy=yy, SS_Wy=Wy, SS_WW=WW)
    else:
        out.update(SS_yy=float(yy[0]), SS_Wy=Wy[0], SS_WW=WW[0])
    if bound.se is not None:
        out["sum_log_se"] = float(np.log(bound.se).sum())
    out["mean_Y"], out["sd_Y"] = float(np.mean(bound.y)), float(np.std(bound.y, ddof=1))
    if model.terms:
        out["means_X"] = bound.X.matrix.mean(axis=0)
        out["sd_X"] = bound.X.matrix.std(axis=0, ddof=1)
    return out
