"""The data dict (and JSON) a generated Stan program reads."""

from __future__ import annotations

import json

import numpy as np

from hierc import naming
from hierc.design import BoundData
from hierc.stan.layout import layout, term_width, width_name


def stan_data(bound: BoundData) -> dict[str, object]:
    """Every variable of the program's data block, named as the program names them."""
    model = bound.model
    data: dict[str, object] = {"N": bound.n, "Y": bound.y}
    if bound.se is not None:
        data["se"] = bound.se
    if isinstance(model.response.trials, str):
        data["T"] = bound.trials
    for term in list(model.terms) + [t for block in model.groups for t in block.terms]:
        if term_width(term).symbols:
            data[width_name(term)] = bound.term_widths[term.label]
    if layout(model.terms)[0].symbols:
        data["K"] = bound.X.width
    if model.terms:
        data["X"] = bound.X.matrix
    for block in model.groups:
        g, group = naming.ident(block.factor.label), bound.groups[block.factor.label]
        data[f"N_{g}"] = len(group.levels)
        data[f"J_{g}"] = group.index + 1
        if layout(block.terms)[0].symbols:
            data[f"M_{g}"] = group.design.width
        if block.terms:
            data[f"Z_{g}"] = group.design.matrix
    return data


def plain(data: dict[str, object]) -> dict[str, object]:
    """The data with arrays as nested lists, as JSON and the engines take them."""
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in data.items()}


def stan_data_json(bound: BoundData) -> str:
    """The data as CmdStan's JSON, deterministic for the same data."""
    return json.dumps(plain(stan_data(bound)), separators=(",", ":")) + "\n"
