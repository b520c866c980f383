"""The Bambi model in-process, and its posterior under hierc's output names.

`bambi_model` runs the generated script's `build_model` on the data (the
script's text is executed in memory, as for the PyMC backend), after hierc's
own binding has checked the data, so data errors name the file and line.

Bambi names its variables after terms (`Intercept`, `C(sex)`, `1|county`,
`1|county_sigma`, `alpha`); `hierc_posterior` gathers them into hierc's
names (`b`, `r_county`, `sd_county`, `phi`), dims and coords, so that a
Bambi posterior lines up with the Stan and PyMC ones.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from hierc import naming
from hierc.backends import outputs
from hierc.backends.bambi import formula
from hierc.backends.bambi.script import bambi_script
from hierc.backends.outputs import block_is_scalar
from hierc.backends.pymc.model import script_namespace
from hierc.data.design import BoundData
from hierc.errors import CompilerBug
from hierc.language import ir
from hierc.language.priors import auxiliary_parameters


def bambi_model(bound: BoundData, model: ir.Model | None = None):
    """The `bmb.Model` of bound data's model, or of `model`: the same terms in another parameterization."""
    model = model or bound.model
    namespace = script_namespace(bambi_script(model), f"{model.name}_bambi")
    bmb_model = namespace["build_model"](bound.frame)
    _check_columns(bmb_model, bound, model)
    return bmb_model


def _check_columns(bmb_model, bound: BoundData, model: ir.Model) -> None:
    """Bambi's design has hierc's columns: the same number per term (the same coding)."""
    component = bmb_model.components[bmb_model.family.likelihood.parent]
    widths = {name: _width(term.data) for name, term in component.common_terms.items()}
    widths.update({name: _width(term.predictor) for name, term in component.group_specific_terms.items()})
    expected = {formula.term_name(t): bound.term_widths[t.label] for t in model.terms}
    for block in model.groups:
        expected.update({name: bound.term_widths.get(label, 1) for label, name in formula.group_terms(model, block)})
    if widths != expected:
        raise CompilerBug(f"Bambi's design columns {widths} are not hierc's {expected}")


def _width(data: np.ndarray) -> int:
    return 1 if data.ndim == 1 else data.shape[1]


def hierc_posterior(posterior: xr.Dataset, bound: BoundData, model: ir.Model | None = None) -> xr.Dataset:
    """A posterior of Bambi's model under hierc's output names, dims and coords."""
    model = model or bound.model
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]

    def columns(name: str) -> np.ndarray:  # chain x draw x columns
        return posterior[name].values.reshape(chains, draws, -1)

    values: dict[str, np.ndarray] = {}
    if model.intercept:
        values[naming.INTERCEPT] = posterior[formula.INTERCEPT].values.reshape(chains, draws)
    if model.terms:
        b = np.concatenate([columns(formula.term_name(t)) for t in model.terms], axis=2)
        values[naming.B] = b
        if model.intercept:
            values[naming.INTERCEPT_ORIGINAL] = values[naming.INTERCEPT] - b @ bound.X.matrix.mean(axis=0)
    for block in model.groups:
        label = block.factor.label
        levels = list(bound.groups[label].levels)
        sds, effects = [], []
        level_dim = f"{formula.group_column(model, block)}__factor_dim"
        for _, name in formula.group_terms(model, block):
            sds.append(columns(f"{name}_sigma"))
            bambi_levels = [str(level) for level in posterior[name].coords[level_dim].values]
            order = [bambi_levels.index(level) for level in levels]
            r = posterior[name].values.reshape(chains, draws, len(levels), -1)
            effects.append(r[:, :, order, :])
        sd, r = np.concatenate(sds, axis=2), np.concatenate(effects, axis=3)
        if block_is_scalar(block):
            sd, r = sd[:, :, 0], r[:, :, :, 0]
        values[naming.sd(model, label)], values[naming.effects(model, label)] = sd, r
    for cls in auxiliary_parameters(model):
        theirs = posterior[formula.auxiliary_name(model, cls)].values.reshape(chains, draws)
        values[cls.value] = formula.auxiliary_value(model, cls, theirs)
    for f in model.distributional:  # Bambi's `sigma_Intercept`, `sigma_x`: the intercept on centred predictors
        F, prefix = naming.names(model).formula(f.label), formula.auxiliary_name(model, f.dpar)
        if f.intercept:
            values[F.intercept] = posterior[f"{prefix}_{formula.INTERCEPT}"].values.reshape(chains, draws)
        if f.terms:
            b = np.concatenate([columns(f"{prefix}_{formula.term_name(t)}") for t in f.terms], axis=2)
            values[F.b] = b
            if f.intercept:
                means = bound.distributional[f.label].X.matrix.mean(axis=0)
                values[F.b_intercept] = values[F.intercept] - b @ means

    dims, coords = outputs.dims(model), outputs.coords(bound)
    data_vars = {name: (["chain", "draw", *dims.get(name, [])], array) for name, array in values.items()}
    used = {d for name in values for d in dims.get(name, [])}
    return xr.Dataset(
        data_vars,
        coords={
            "chain": posterior["chain"].values,
            "draw": posterior["draw"].values,
            **{d: coords[d] for d in used},
        },
        attrs=dict(posterior.attrs),
    )
