"""The PyMC model in-process: the generated `make_model` run on hierc's own data binding.

The script's text is compiled and executed in a fresh namespace (no file is
written) and its `make_model` is called with the arrays of `hierc.data.design`.
So the in-process model is the script's model, and a user's data errors are
reported by hierc's binding, with file and line.
"""

from __future__ import annotations

import linecache

from hierc import naming
from hierc.backends import outputs
from hierc.backends.pymc.script import pymc_script
from hierc.data.design import BoundData
from hierc.data.model_inputs import model_inputs
from hierc.language import ir
from hierc.language.vocabulary import Encoding


def script_namespace(code: str, name: str) -> dict:
    """Execute a generated script as a module that is not `__main__`; its functions by name."""
    filename = f"<hierc pymc script {name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)  # tracebacks show the code
    namespace: dict = {"__name__": f"hierc_pymc_{name}"}
    exec(compile(code, filename, "exec"), namespace)  # noqa: S102 - the code is hierc's own output
    return namespace


def inputs_and_coords(bound: BoundData) -> tuple[dict, dict]:
    """What `make_model` takes, from hierc's binding of the data."""
    coords = {naming.OBS_DIM: bound.row_index, **outputs.coords(bound)}
    return model_inputs(bound), coords


def pymc_model(
    bound: BoundData,
    encoding: Encoding | str = Encoding.VECTORIZED,
    model: ir.Model | None = None,
    suffstats: bool = False,
):
    """The `pm.Model` of bound data's model, or of `model`: the same terms in another parameterization."""
    model = model or bound.model
    encoding = Encoding(encoding)
    name = f"{model.name}_{encoding.value}" + ("_suffstats" if suffstats else "")
    namespace = script_namespace(pymc_script(model, encoding, suffstats), name)
    return namespace["make_model"](*inputs_and_coords(bound))
