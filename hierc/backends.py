"""The back half of the pipeline: IR → target code, and IR + data → posterior.

    code = hierc.compile_model(model, backend="stan", encoding="vectorized")
    bound = hierc.bind_data(model, "radon.csv")       # or a pandas DataFrame
    pm_model = hierc.pymc_model(model, bound)         # an in-process pm.Model
    idata = hierc.sample(model, bound, backend="pymc")

Backend modules are imported only when used, so compiling to text never
loads a numerical or sampling library.
"""

from __future__ import annotations

from pathlib import Path

from hierc import ir
from hierc.errors import BackendError
from hierc.sampling import SampleOptions
from hierc.vocabulary import Encoding

BACKENDS = ("stan", "pymc")
ENGINES = {"stan": ("auto", "cmdstanpy", "pystan"), "pymc": ("auto", "nutpie", "pymc")}


def _backend(name: str) -> str:
    if name not in BACKENDS:
        raise BackendError(f"unknown backend `{name}`; the backends are {', '.join(BACKENDS)}")
    return name


def _engine(backend: str, engine: str) -> str:
    if engine not in ENGINES[backend]:
        raise BackendError(
            f"`{engine}` is not an engine of the {backend} backend; its engines are {', '.join(ENGINES[backend])}"
        )
    return engine


def compile_model(model: ir.Model, backend: str = "stan", encoding: Encoding | str = Encoding.VECTORIZED) -> str:
    """The model as target code: a Stan program, or a standalone PyMC script."""
    if _backend(backend) == "pymc":
        from hierc.pymc.script import pymc_script

        return pymc_script(model, Encoding(encoding))
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


def pymc_model(
    model: ir.Model, data, encoding: Encoding | str = Encoding.VECTORIZED, spec_path: str | Path | None = None
):
    """The model as an in-process `pm.Model` with data (a DataFrame, a CSV path, or bound data)."""
    from hierc.pymc.engines import import_pymc
    from hierc.pymc.model import pymc_model as build

    bound = bind_data(model, data, spec_path)
    import_pymc()
    return build(bound, Encoding(encoding), model)


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
    _engine(_backend(backend), engine)
    options = options or SampleOptions()
    bound = bind_data(model, data, spec_path)
    if backend == "pymc":
        from hierc.pymc import engines

        chosen = engines.choose_engine(engine)
        idata = engines.sample(pymc_model(model, bound, encoding), options, chosen)
    else:
        from hierc import outputs
        from hierc.stan import engines
        from hierc.stan.data import stan_data

        chosen = engines.choose_engine(engine)
        program = compile_model(model, backend, encoding)
        idata = engines.sample(program, stan_data(bound), options, chosen, outputs.coords(bound), outputs.dims(model))
    idata.posterior.attrs.update({"created_by": "hierc", "hierc_backend": backend, "hierc_engine": chosen.value})
    return idata
