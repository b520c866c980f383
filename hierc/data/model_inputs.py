"""The arrays a generated model reads, named as the generated code names them.

The Stan program's data block and the PyMC script's `make_model` take the
same variables: N, Y, n_thresholds, se, T, weights, cens, Y_upper, lb, ub, X,
offsets, K_<term> (widths of categorical terms), K, per grouping factor
N_<g>, J_<g> (the level of each observation), M_<g> and Z_<g>, and per
distributional formula X_<dpar>, K_<dpar> and offsets_<dpar>. Only the
level index differs: Stan counts from 1, Python from 0.
"""

from __future__ import annotations

from hierc import naming
from hierc.data.design import BoundData
from hierc.data.layout import layout, term_width, width_name


def model_inputs(bound: BoundData, first_level: int = 0, rows: bool = True) -> dict[str, object]:
    """The model's inputs from bound data; `first_level` is the index of a factor's first level (Stan: 1).

    Without `rows`, only the sizes: what a likelihood from sufficient statistics reads besides them.
    """
    model = bound.model
    data: dict[str, object] = {"N": bound.n}
    if rows:
        data["Y"] = bound.y
    if bound.model.thresholds:
        data[naming.THRESHOLDS] = len(bound.thresholds)
    if bound.se is not None and rows:
        data["se"] = bound.se
    if isinstance(model.response.trials, str) and rows:
        data["T"] = bound.trials
    all_terms = list(model.terms) + [t for block in model.groups for t in block.terms]
    all_terms += [t for formula in model.distributional for t in formula.terms]
    for term in all_terms:
        if term_width(term).symbols:
            data[width_name(term)] = bound.term_widths[term.label]
    if layout(model.terms)[0].symbols:
        data["K"] = bound.X.width
    if model.terms and rows:
        data["X"] = bound.X.matrix
    if bound.offset is not None and rows:
        data[naming.OFFSET] = bound.offset
    if bound.weights is not None and rows:
        data[naming.WEIGHTS] = bound.weights
    if bound.censored is not None and rows:
        data[naming.CENSORED] = bound.censored
    if bound.upper is not None and rows:
        data[naming.UPPER] = bound.upper
    for name, bounds in ((naming.LB, bound.lb), (naming.UB, bound.ub)):
        if bounds is not None and rows:
            data[name] = bounds
    for block in model.groups:
        G, group = naming.names(model).group(block.factor.label), bound.groups[block.factor.label]
        data[G.N] = len(group.levels)
        if rows:
            data[G.J] = group.index + first_level
        if layout(block.terms)[0].symbols:
            data[G.M] = group.design.width
        if block.terms and rows:
            data[G.Z] = group.design.matrix
    for formula in model.distributional:
        F, given = naming.names(model).formula(formula.label), bound.distributional[formula.label]
        if layout(formula.terms)[0].symbols:
            data[F.K] = given.X.width
        if formula.terms and rows:
            data[F.X] = given.X.matrix
        if given.offset is not None and rows:
            data[F.offsets] = given.offset
    return data
