"""The back half of the pipeline: IR → target code, and IR + data → posterior.

    code = hierc.compile_model(model, backend="stan", encoding="vectorized")
    bound = hierc.bind_data(model, "radon.csv")       # or a pandas DataFrame
    pm_model = hierc.pymc_model(model, bound)         # an in-process pm.Model
    bmb_model = hierc.bambi_model(model, bound)       # an in-process bmb.Model
    idata = hierc.sample(model, bound, backend="pymc")
    report = hierc.diagnose(idata, model)             # the sampler's health and advice, as data
    hierc.pointwise(idata, model, bound)              # per-row log-likelihood (for LOO), after sampling

Backend modules are imported only when used, so compiling to text never
loads a numerical or sampling library.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from hierc.errors import BackendError
from hierc.inference.sampling import SampleOptions
from hierc.language import ir
from hierc.language.vocabulary import Encoding, Likelihood

BACKENDS = ("stan", "pymc", "bambi")
ENGINES = {
    "stan": ("auto", "cmdstanpy", "pystan"),
    "pymc": ("auto", "nutpie", "pymc"),
    "bambi": ("auto", "nutpie", "pymc"),  # Bambi's PyMC model, sampled as the pymc backend's
}
ENCODED = ("stan", "pymc")  # backends with a choice of encoding; Bambi lays out its parameters itself


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


def encoding_of(backend: str, encoding: Encoding | str | None) -> Encoding | None:
    """The encoding a backend uses: vectorized unless told otherwise; none for Bambi."""
    if _backend(backend) in ENCODED:
        return Encoding(encoding or Encoding.VECTORIZED)
    if encoding is not None:
        raise BackendError(f"the {backend} backend has no encodings: Bambi lays out the parameters, one per term")
    return None


def uses_suffstats(model: ir.Model, backend: str, likelihood: Likelihood | str, bound=None) -> bool:
    """Whether the backend computes the model's likelihood from sufficient statistics (`hierc/data/suffstats.py`)."""
    from hierc.data import suffstats

    likelihood = Likelihood(likelihood)
    if _backend(backend) == "bambi":
        if likelihood is Likelihood.SUFFSTATS:
            raise BackendError(
                "--likelihood suffstats: the bambi backend computes the likelihood row by row; "
                "the stan and pymc backends can use sufficient statistics"
            )
        return False
    return suffstats.uses_suffstats(model, likelihood, bound)


def compile_model(
    model: ir.Model,
    backend: str = "stan",
    encoding: Encoding | str | None = None,
    likelihood: Likelihood | str = Likelihood.AUTO,
) -> str:
    """The model as target code: a Stan program, or a standalone PyMC or Bambi script."""
    encoding = encoding_of(backend, encoding)
    suffstats = uses_suffstats(model, backend, likelihood)
    if backend == "bambi":
        from hierc.backends.bambi.script import bambi_script

        return bambi_script(model)
    if backend == "pymc":
        from hierc.backends.pymc.script import pymc_script

        return pymc_script(model, encoding, suffstats)
    from hierc.backends.stan.codegen import stan_program

    return stan_program(model, encoding, suffstats)


def bind_data(model: ir.Model, data, spec_path: str | Path | None = None):
    """Bind data to a model: a DataFrame, a CSV path, or None for the spec's own `data "file"`."""
    from hierc.data.design import BoundData, bind, data_path, read_table

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
    model: ir.Model,
    data,
    encoding: Encoding | str = Encoding.VECTORIZED,
    spec_path: str | Path | None = None,
    likelihood: Likelihood | str = Likelihood.AUTO,
):
    """The model as an in-process `pm.Model` with data (a DataFrame, a CSV path, or bound data)."""
    from hierc.backends.pymc.engines import import_pymc
    from hierc.backends.pymc.model import pymc_model as build

    bound = bind_data(model, data, spec_path)
    suffstats = uses_suffstats(model, "pymc", likelihood, bound)
    import_pymc()
    return build(bound, Encoding(encoding), model, suffstats)


def bambi_model(model: ir.Model, data, spec_path: str | Path | None = None):
    """The model as an in-process `bmb.Model` with data (a DataFrame, a CSV path, or bound data)."""
    from hierc.backends.bambi.model import bambi_model as build
    from hierc.backends.pymc.engines import import_pymc

    bound = bind_data(model, data, spec_path)
    import_pymc()
    try:
        import bambi  # noqa: F401
    except ImportError as error:
        raise BackendError(f"the bambi backend needs Bambi, which cannot be imported ({error})") from None
    return build(bound, model)


def sample(
    model: ir.Model,
    data,
    backend: str = "stan",
    encoding: Encoding | str | None = None,
    engine: str = "auto",
    options: SampleOptions | None = None,
    spec_path: str | Path | None = None,
    likelihood: Likelihood | str = Likelihood.AUTO,
):
    """Sample the model's posterior given data; ArviZ InferenceData with the shared output names."""
    _engine(_backend(backend), engine)
    encoding = encoding_of(backend, encoding)
    options = options or SampleOptions()
    bound = bind_data(model, data, spec_path)
    suffstats = uses_suffstats(model, backend, likelihood, bound)
    if backend == "pymc":
        from hierc.backends.pymc import engines

        chosen = engines.choose_engine(engine)
        from hierc.backends.pymc.model import pymc_model as build

        engines.import_pymc()  # quietly: pytensor warns on import without BLAS
        idata = engines.sample(build(bound, encoding, model, suffstats), options, chosen)
    elif backend == "bambi":
        from hierc.backends.bambi.model import hierc_posterior
        from hierc.backends.pymc import engines

        chosen = engines.choose_engine(engine)
        bmb_model = bambi_model(model, bound)
        with warnings.catch_warnings():  # building compiles some graphs with pytensor, which warns without BLAS
            warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
            bmb_model.build()
            idata = engines.sample(bmb_model.backend.model, options, chosen)
        idata.posterior = hierc_posterior(idata.posterior, bound, model)
    else:
        from hierc.backends import outputs
        from hierc.backends.stan import engines
        from hierc.backends.stan.codegen import stan_program
        from hierc.backends.stan.data import stan_data

        chosen = engines.choose_engine(engine)
        program = stan_program(model, encoding, suffstats)
        data = stan_data(bound, rows=not suffstats, statistics=suffstats)
        idata = engines.sample(program, data, options, chosen, outputs.coords(bound), outputs.dims(model))
    idata.posterior.attrs.update({"created_by": "hierc", "hierc_backend": backend, "hierc_engine": chosen.value})
    idata.posterior.attrs["hierc_likelihood"] = (Likelihood.SUFFSTATS if suffstats else Likelihood.ROWS).value
    return idata


def pointwise(
    idata, model: ir.Model, data, log_likelihood: bool = True, predictive: bool = False, seed: int = 1, spec_path=None
):
    """Add the per-row log-likelihood (`log_likelihood`, for `az.loo`) and/or posterior predictive draws
    (`posterior_predictive`) to a posterior from `sample`: computed from the draws in a step of its own, so
    the sampler never pays for them, and the same for every backend and likelihood."""
    from hierc.inference.per_row import add_pointwise

    return add_pointwise(idata, bind_data(model, data, spec_path), log_likelihood, predictive, seed)


def diagnose(idata, model: ir.Model):
    """Divergences, R-hat, ESS, E-BFMI, tree depth and advice for a posterior from `sample`
    (a `hierc.inference.diagnostics.Diagnostics`: fields, `to_dict()`, and `text()` as `hierc sample` prints it)."""
    from hierc.inference.diagnostics import diagnose as run

    return run(idata, model)


def plot_diagnostics(idata, model: ir.Model, directory: str | Path, force: bool = False) -> list[Path]:
    """Trace, rank and pair plots of a posterior from `sample`, as PNG files in `directory`; their paths."""
    from hierc.views.diagnostic_plots import plot_diagnostics as draw

    return draw(idata, model, directory, force)
