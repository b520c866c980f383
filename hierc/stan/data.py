"""The data dict (and JSON) a generated Stan program reads."""

from __future__ import annotations

import json

import numpy as np

from hierc.design import BoundData
from hierc.model_inputs import model_inputs


def stan_data(bound: BoundData) -> dict[str, object]:
    """Every variable of the program's data block, named as the program names them."""
    return model_inputs(bound, first_level=1)


def plain(data: dict[str, object]) -> dict[str, object]:
    """The data with arrays as nested lists, as JSON and the engines take them."""
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in data.items()}


def stan_data_json(bound: BoundData) -> str:
    """The data as CmdStan's JSON, deterministic for the same data."""
    return json.dumps(plain(stan_data(bound)), separators=(",", ":")) + "\n"
