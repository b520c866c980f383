"""The data dict (and JSON) a generated Stan program reads."""

from __future__ import annotations

import json

import numpy as np

from hierc.data import suffstats
from hierc.data.design import BoundData
from hierc.data.model_inputs import model_inputs
from hierc.output_files import JSON_MARKER


def stan_data(bound: BoundData, rows: bool = True, statistics: bool = False) -> dict[str, object]:
    """Every variable of the program's data block, named as the program names them.

    `rows`: the observations, as a row-by-row likelihood reads them; `statistics`:
    the rows compressed per level (`hierc/data/suffstats.py`). With both, the data
    fit either program, and each reads the variables it declares.
    """
    data = model_inputs(bound, first_level=1, rows=rows)
    if statistics:
        data.update(suffstats.compressed_rows(bound))
    return data


def plain(data: dict[str, object]) -> dict[str, object]:
    """The data with arrays as nested lists, as JSON and the engines take them."""
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in data.items()}


def stan_data_json(bound: BoundData, rows: bool = True, statistics: bool = False) -> str:
    """The data as CmdStan's JSON, deterministic for the same data; its first key says hierc wrote it."""
    data = {JSON_MARKER: 1, **plain(stan_data(bound, rows, statistics))}
    return json.dumps(data, separators=(",", ":")) + "\n"
