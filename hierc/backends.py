"""The back half of the pipeline: IR → target code, and IR + data → posterior.

    code = hierc.compile_model(model, backend="stan", encoding="vectorized")
    bound = hierc.bind_data(model, "radon.csv")       # or a pandas DataFrame
    idata = hierc.sample(model, bound, backend="stan")

Backend modules are imported only when used, so compiling to Stan text never
loads a numerical or sampling library.
"""

from __future__ import annotations

from pathlib import Path

from hierc import ir
from hierc.errors import BackendError
from hierc.sampling import SampleOptions
from hierc.vocabulary import Encoding

BACKENDS = ("stan",)


def _backend(name: str) -> str:
    if name not in BACKENDS:
        raise BackendError(f"unknown backend `{name}`; the backends are {', '.join(BACKENDS)}")
    return name


def compile_model(model: ir.Model, backend: str = "stan", encoding: Encoding | str = Encoding.VECTORIZED) -> str:
    """The model as target code: a Stan program."""
    _backend(backend)
    from hierc.stan.codegen import stan_program

    return stan_program(model, Encoding(encoding))


def bind_data(model: ir.Model, data, spec_path: str | Path | None = None):
    """Bind data to a model: a DataFrame, a CSV path, or None for the spec's own `data "file"`."""
    from hierc.design import BoundData, bind, data_path, read_table

    if isinstance(data, BoundData):
        return data
    if data is None:
        path = data_path(model, spec_path)
        if path is None:
            raise BackendError('this needs data: give a CSV file (--data FILE), or add `data "file.csv"` to the spec')
        data = path
    if isinstance(data, str | Path):
        return bind(model, read_table(data), str(data))
    return bind(model, data)


def sample(
    model: ir.Model,
    data,
    backend: str = "stan",
    encoding: Encoding | str = Encoding.VECTORIZED,
    engine: str = "auto",
    options: SampleOptions | None = None,
    spec_path: str | Path | None = None,
):
    """Sample the model's posterior given data; ArviZ InferenceData with the shared output names."""
    _backend(backend)
    from hierc import outputs
    from hierc.stan import engines
    from hierc.stan.data import stan_data

    bound = bind_data(model, data, spec_path)
    chosen = engines.choose_engine(engine)
    program = compile_model(model, backend, encoding)
    idata = engines.sample(
        program, stan_data(bound), options or SampleOptions(), chosen, outputs.coords(bound), outputs.dims(model)
    )
    idata.posterior.attrs.update({"created_by": "hierc", "hierc_backend": backend, "hierc_engine": chosen.value})
    return idata
