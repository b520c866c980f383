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
    return len(block.terms) == 1 and all(isinstance(f, ir.Numeric) for f in block.terms[0].factors)


def dims(model: ir.Model) -> dict[str, list[str]]:
    """The dims of every non-scalar output variable."""
    out: dict[str, list[str]] = {}
    if model.terms:
        out[naming.B] = [naming.COEF_DIM]
    for block in model.groups:
        label = block.factor.label
        levels, coef = naming.levels_dim(label), naming.coef_dim(label)
        if block_is_scalar(block):
            out[naming.effects(label)] = [levels]
        else:
            out[naming.sd(label)] = [coef]
            out[naming.effects(label)] = [levels, coef]
        if block.correlated:
            out[naming.cor(label)] = [coef, coef + "2"]
    return out


def coords(bound: BoundData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if bound.model.terms:
        out[naming.COEF_DIM] = list(bound.X.names)
    for block in bound.model.groups:
        label = block.factor.label
        out[naming.levels_dim(label)] = list(bound.groups[label].levels)
        if not block_is_scalar(block):
            names = list(bound.group_coefficient_names(label))
            out[naming.coef_dim(label)] = names
            if block.correlated:
                out[naming.coef_dim(label) + "2"] = names
    return out


def summary_variables(model: ir.Model) -> list[str]:
    """The variables a fit summary shows: everything but the per-level effects."""
    names = [naming.INTERCEPT] if model.intercept else []
    if model.intercept and model.terms:
        names.append(naming.INTERCEPT_ORIGINAL)
    if model.terms:
        names.append(naming.B)
    for block in model.groups:
        names.append(naming.sd(block.factor.label))
        if block.correlated:
            names.append(naming.cor(block.factor.label))
    names += [cls.value for cls in auxiliary_parameters(model)]
    return names
