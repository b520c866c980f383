"""The posterior every backend produces: variable names, their dims and coordinates.

Names come from `hierc.naming`; this module says which of them a model has,
which are scalars, and how their axes are labelled (design-column names,
group levels), so that posteriors from different backends line up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hierc import naming
from hierc.language import ir
from hierc.language.priors import auxiliary_parameters

if TYPE_CHECKING:  # the code generators use this module, and must not load numpy
    from hierc.data.design import BoundData


def block_is_scalar(block: ir.GroupBlock) -> bool:
    """One design column: the sd is a scalar and the effects a vector over levels."""
    if block.intercept:
        return not block.terms
    return len(block.terms) == 1 and block.terms[0].columns == 1


def dims(model: ir.Model) -> dict[str, list[str]]:
    """The dims of every non-scalar output variable."""
    out: dict[str, list[str]] = {}
    if model.thresholds:
        out[naming.INTERCEPT] = [naming.THRESHOLD_DIM]
        if model.terms:
            out[naming.INTERCEPT_ORIGINAL] = [naming.THRESHOLD_DIM]
    if model.terms:
        out[naming.B] = [naming.COEF_DIM]
    for block in model.groups:
        label = block.factor.label
        names = naming.names(model).group(label)
        levels, coef = names.levels_dim, names.coef_dim
        if block_is_scalar(block):
            out[names.effects] = [levels]
        else:
            out[names.sd] = [coef]
            out[names.effects] = [levels, coef]
        if block.correlated:
            out[names.cor] = [coef, names.cor_dim]
    for formula in model.distributional:
        F = naming.names(model).formula(formula.label)
        if formula.terms:
            out[F.b] = [F.coef_dim]
    return out


def coords(bound: BoundData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if bound.model.thresholds:
        out[naming.THRESHOLD_DIM] = list(bound.thresholds)
    if bound.model.terms:
        out[naming.COEF_DIM] = list(bound.X.names)
    for block in bound.model.groups:
        label = block.factor.label
        group = naming.names(bound.model).group(label)
        out[group.levels_dim] = list(bound.groups[label].levels)
        if not block_is_scalar(block):
            names = list(bound.group_coefficient_names(label))
            out[group.coef_dim] = names
            if block.correlated:
                out[group.cor_dim] = names
    for formula in bound.model.distributional:
        if formula.terms:
            dim = naming.names(bound.model).formula(formula.label).coef_dim
            out[dim] = list(bound.distributional[formula.label].X.names)
    return out


def summary_variables(model: ir.Model) -> list[str]:
    """The variables a fit summary shows: everything but the per-level effects."""
    intercept = model.intercept or model.thresholds
    names = [naming.INTERCEPT] if intercept else []
    if intercept and model.terms:
        names.append(naming.INTERCEPT_ORIGINAL)
    if model.terms:
        names.append(naming.B)
    for block in model.groups:
        names.append(naming.sd(model, block.factor.label))
        if block.correlated:
            names.append(naming.cor(model, block.factor.label))
    names += [cls.value for cls in auxiliary_parameters(model)]
    for formula in model.distributional:
        F = naming.names(model).formula(formula.label)
        names += [F.intercept] if formula.intercept else []
        names += [F.b_intercept] if formula.centred else []
        names += [F.b] if formula.terms else []
    return names


def output_variables(model: ir.Model) -> list[str]:
    """Every variable a posterior of any backend holds under a shared name: the summary's and the effects."""
    return summary_variables(model) + [naming.effects(model, block.factor.label) for block in model.groups]
