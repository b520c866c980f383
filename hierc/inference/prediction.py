"""Predictions for new rows from a posterior of `hierc sample`.

New rows must be coded as the fitted rows were: the same contrast columns for
each categorical level, `center`/`scale` by the fitted means and sds, and each
grouping factor's levels matched by label to the fitted ones. `hierc sample`
stores that coding (`hierc.data.design.DataCoding`) and the formula it was
fitted with in the posterior's attributes; prediction reads them back, never
recomputing them from the new rows. A level the fit did not see gets effects
by the user's choice (`NewLevels`).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from hierc import naming
from hierc.data.design import BoundData, DataCoding, bind, data_error
from hierc.errors import BackendError
from hierc.language import ir
from hierc.language.summary import formula_text
from hierc.language.vocabulary import NewLevels, PredictionKind

CODING = "hierc_data_coding"  # attributes of the posterior group
FORMULA = "hierc_formula"

NEW_LEVEL_HINT = (
    "choose what a new level gets: `--new-levels sample` draws its effects from the fitted population "
    "distribution, `--new-levels population` gives it none (new_levels= in Python)"
)


def fitted_formula(model: ir.Model) -> str:
    """What a posterior must have been fitted with to predict for this model: the formula, family and link."""
    return f"{formula_text(model)}; family {model.family.value}(link = {model.link.value})"


def record_coding(idata, bound: BoundData) -> None:
    """Store how the fitted data were coded, and the formula, with the posterior (`hierc sample` does)."""
    idata.posterior.attrs[CODING] = bound.coding.to_json()
    idata.posterior.attrs[FORMULA] = fitted_formula(bound.model)


def fitted_coding(idata, model: ir.Model) -> DataCoding:
    """The coding stored with a posterior, checked against the model's formula."""
    attrs = idata.posterior.attrs
    if CODING not in attrs:
        raise BackendError(
            "the posterior does not record how its data were coded (levels, reference levels, `scale` "
            "statistics), which prediction needs; sample it again with `hierc sample`"
        )
    if attrs.get(FORMULA) != fitted_formula(model):
        raise BackendError(
            f"the posterior was fitted with `{attrs.get(FORMULA)}`, but the spec says `{fitted_formula(model)}`"
        )
    return DataCoding.from_json(attrs[CODING])


def bind_new(idata, model: ir.Model, frame: pd.DataFrame, where: str) -> BoundData:
    """New rows, coded as the posterior's data were."""
    return bind(model, frame, where, fitted_coding(idata, model))


def refuse_new_levels(bound: BoundData, where: str, hint: str = NEW_LEVEL_HINT) -> None:
    """A DataError on the first row whose level of a grouping factor the fit did not see."""
    for label, group in bound.groups.items():
        if group.new_levels:
            first = group.index[np.flatnonzero(group.index >= group.fitted)[0]]
            level, rows = group.levels[first], np.flatnonzero(group.index == first)
            more = len(group.new_levels) - 1
            also = f" (and {more} other new level{'s' * (more > 1)})" if more else ""
            message = f"the level {level!r} of `{label}` is not among the levels the model was fitted with{also}"
            raise data_error(message, where, rows, hint)


def predict(
    idata,
    bound: BoundData,
    kind: PredictionKind = PredictionKind.MEAN,
    new_levels: NewLevels = NewLevels.ERROR,
    seed: int = 1,
    where: str = "<data>",
):
    """InferenceData whose `predictions` group holds, under the response's name, the expected response
    (`mean`) or draws of it (`response`) for every posterior draw and new row (dim `__obs__`, the rows'
    index as coordinates)."""
    from hierc.inference.per_row import predictions
    from hierc.inference.sampling import import_arviz

    if new_levels is NewLevels.ERROR:
        refuse_new_levels(bound, where)
    posterior = idata.posterior
    values = predictions(posterior, bound, kind, new_levels, seed)
    coords = {"chain": posterior["chain"].values, "draw": posterior["draw"].values, naming.OBS_DIM: bound.row_index}
    name = naming.names(bound.model).response
    dataset = xr.Dataset({name: (["chain", "draw", naming.OBS_DIM], values)}, coords=coords)
    unseen = {label: list(g.new_levels) for label, g in bound.groups.items() if g.new_levels}
    dataset.attrs.update(
        created_by="hierc", hierc_kind=kind.value, hierc_new_levels=new_levels.value, hierc_unseen=json.dumps(unseen)
    )
    return import_arviz().InferenceData(predictions=dataset)


def prediction_table(result, model: ir.Model) -> str:
    """Each row's mean, sd, 5% and 95% quantiles over the draws, and which levels were new."""
    dataset = result.predictions
    values = dataset[naming.names(model).response].values
    draws = values.reshape(-1, values.shape[-1])
    table = pd.DataFrame(
        {
            "mean": draws.mean(axis=0),
            "sd": draws.std(axis=0, ddof=1) if len(draws) > 1 else np.nan,
            "5%": np.quantile(draws, 0.05, axis=0),
            "95%": np.quantile(draws, 0.95, axis=0),
        },
        index=pd.Index(dataset[naming.OBS_DIM].values, name="row"),
    )
    kind = PredictionKind(dataset.attrs["hierc_kind"])
    what = "expected response" if kind is PredictionKind.MEAN else "draws of the response"
    lines = [f"{model.response.label}: {what}, {len(draws)} draws", table.to_string(float_format="{:.4g}".format)]
    for label, levels in json.loads(dataset.attrs["hierc_unseen"]).items():
        how = dataset.attrs["hierc_new_levels"]
        shown = ", ".join(map(repr, levels[:10])) + (f" and {len(levels) - 10} more" if len(levels) > 10 else "")
        lines.append(f"new levels of `{label}` ({how}): {shown}")
    return "\n".join(lines) + "\n"
