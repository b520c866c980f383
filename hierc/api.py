"""The back half of the pipeline: IR → target code, and IR + data → posterior.

    code = hierc.compile_model(model, backend="stan", encoding="vectorized")
    bound = hierc.bind_data(model, "radon.csv")       # or a pandas DataFrame
    pm_model = hierc.pymc_model(model, bound)         # an in-process pm.Model
    bmb_model = hierc.bambi_model(model, bound)       # an in-process bmb.Model
    idata = hierc.sample(model, bound, backend="pymc")
    report = hierc.diagnose(idata, model)             # the sampler's health and advice, as data
    hierc.pointwise(idata, model, bound)              # per-row log-likelihood (for LOO), after sampling
    hierc.predict(idata, model, new_frame)            # predictions for new rows, coded as the fitted ones
    hierc.sample_prior(model, bound)                  # exact prior and prior predictive draws

Backend modules are imported only when used, so compiling to text never
loads a numerical or sampling library.
"""

from __future__ import annotations

from pathlib import Path

from hierc.backends import backend as find_backend
from hierc.errors import BackendError, DataError
from hierc.inference.sampling import SampleOptions
from hierc.language import ir
from hierc.language.pipeline import data_path
from hierc.language.vocabulary import Backend, Encoding, Engine, Likelihood, NewLevels, PredictionKind


def encoding_of(backend: Backend | str, encoding: Encoding | str | None) -> Encoding | None:
    """The encoding a backend uses: vectorized unless told otherwise; none for a backend without encodings."""
    target = find_backend(backend)
    if target.encodings:
        return Encoding(encoding or Encoding.VECTORIZED)
    if encoding is not None:
        raise BackendError(f"the {target.name} backend has no encodings: it lays out the parameters, one per term")
    return None


def engine_of(backend: Backend | str, engine: Engine | str) -> Engine:
    """The engine asked for, checked against the backend's engines."""
    target = find_backend(backend)
    allowed = (Engine.AUTO, *target.engines)
    if engine not in [e.value for e in allowed]:
        raise BackendError(
            f"`{engine}` is not an engine of the {target.name} backend; its engines are "
            f"{', '.join(e.value for e in allowed)}"
        )
    return Engine(engine)


def uses_suffstats(model: ir.Model, backend: Backend | str, likelihood: Likelihood | str, bound=None) -> bool:
    """Whether the backend computes the model's likelihood from sufficient statistics (`hierc/data/suffstats.py`)."""
    from hierc.data import suffstats

    likelihood, target = Likelihood(likelihood), find_backend(backend)
    if not target.suffstats:
        if likelihood is Likelihood.SUFFSTATS:
            able = [b.value for b in Backend if find_backend(b).suffstats]
            raise BackendError(
                f"--likelihood suffstats: the {target.name} backend computes the likelihood row by row; "
                f"the {' and '.join(able)} backends can use sufficient statistics"
            )
        return False
    return suffstats.uses_suffstats(model, likelihood, bound)


def compile_model(
    model: ir.Model,
    backend: Backend | str = Backend.STAN,
    encoding: Encoding | str | None = None,
    likelihood: Likelihood | str = Likelihood.ROWS,
) -> str:
    """The model as target code: a Stan program, or a standalone PyMC or Bambi script; the likelihood row by
    row unless asked for sufficient statistics (`likelihood="suffstats"`, or `"auto"`: where they apply)."""
    encoding = encoding_of(backend, encoding)
    return find_backend(backend).compile(model, encoding, uses_suffstats(model, backend, likelihood))


def bind_data(model: ir.Model, data, spec_path: str | Path | None = None):
    """Bind data to a model: a DataFrame, a CSV path, or None for the spec's own `data "file"`."""
    from hierc.data.design import BoundData, bind

    if isinstance(data, BoundData):
        return data
    return bind(model, *_table(model, data, spec_path))


def _table(model: ir.Model, data, spec_path):
    """The table of `data` and its name in messages: a DataFrame as it is, a CSV path read, None the spec's
    own `data "file"`."""
    from hierc.data.design import read_table

    if data is None:
        data = data_path(model, spec_path)
        if data is None:
            raise BackendError('this needs data: give a CSV file (--data FILE), or add `data "file.csv"` to the spec')
    if isinstance(data, str | Path):
        return read_table(data), str(data)
    return data, "<data>"


def pymc_model(
    model: ir.Model,
    data,
    encoding: Encoding | str = Encoding.VECTORIZED,
    spec_path: str | Path | None = None,
    likelihood: Likelihood | str = Likelihood.ROWS,
):
    """The model as an in-process `pm.Model` with data (a DataFrame, a CSV path, or bound data): an ordinary
    PyMC model whose observed variable is named after the response, so PyMC's `sample_posterior_predictive`,
    `compute_log_likelihood` and `sample_prior_predictive` work on it. `likelihood="suffstats"` (or `"auto"`)
    computes a gaussian likelihood from sufficient statistics instead, as `sample` does, with no observed
    variable."""
    bound = bind_data(model, data, spec_path)
    suffstats = uses_suffstats(model, Backend.PYMC, likelihood, bound)
    return find_backend(Backend.PYMC).build(model, bound, Encoding(encoding), suffstats)


def bambi_model(model: ir.Model, data, spec_path: str | Path | None = None):
    """The model as an in-process `bmb.Model` with data (a DataFrame, a CSV path, or bound data)."""
    return find_backend(Backend.BAMBI).build(model, bind_data(model, data, spec_path))


def sample(
    model: ir.Model,
    data,
    backend: Backend | str = Backend.STAN,
    encoding: Encoding | str | None = None,
    engine: Engine | str = Engine.AUTO,
    options: SampleOptions | None = None,
    spec_path: str | Path | None = None,
    likelihood: Likelihood | str = Likelihood.AUTO,
):
    """Sample the model's posterior given data; ArviZ InferenceData with the shared output names."""
    target = find_backend(backend)
    engine = engine_of(backend, engine)
    encoding = encoding_of(backend, encoding)
    options = options or SampleOptions()
    bound = bind_data(model, data, spec_path)
    suffstats = uses_suffstats(model, backend, likelihood, bound)
    chosen = target.choose_engine(engine)
    idata = target.sample(model, bound, encoding, suffstats, chosen, options)
    from hierc.inference.per_row import observed_data
    from hierc.inference.prediction import record_coding

    record_coding(idata, bound)
    if "observed_data" in idata.groups():  # each backend's own, if any: replaced by one layout for all
        delattr(idata, "observed_data")
    idata.add_groups(observed_data=observed_data(bound))
    idata.posterior.attrs.update({"created_by": "hierc", "hierc_backend": target.name.value})
    idata.posterior.attrs["hierc_engine"] = chosen.value
    idata.posterior.attrs["hierc_likelihood"] = (Likelihood.SUFFSTATS if suffstats else Likelihood.ROWS).value
    return idata


def sample_prior(model: ir.Model, data, draws: int = 1000, seed: int = 1, spec_path: str | Path | None = None):
    """Exact draws from the prior and the response they predict for each row of `data`: InferenceData with
    `prior` (the shared output names), `prior_predictive` and `observed_data` groups, the same for every
    backend (drawn by forward simulation of hierc's model; it needs PyMC)."""
    from hierc.inference.prior import sample_prior as draw

    if draws < 1:
        raise BackendError(f"--draws must be at least 1, not {draws}")
    return draw(bind_data(model, data, spec_path), draws, seed)


def pointwise(
    idata, model: ir.Model, data, log_likelihood: bool = True, predictive: bool = False, seed: int = 1, spec_path=None
):
    """The posterior from `sample` with the per-row log-likelihood (`log_likelihood`, for `az.loo`) and/or
    posterior predictive draws (`posterior_predictive`) of the rows of `data` added: a new InferenceData,
    computed from the draws in a step of its own (the sampler never pays for them), the same for every
    backend and likelihood. The rows are coded as the fitted data were: levels are matched by label."""
    from hierc.data.design import BoundData
    from hierc.inference.per_row import add_pointwise
    from hierc.inference.prediction import CODING, bind_new, refuse_new_levels

    if isinstance(data, BoundData) or CODING not in idata.posterior.attrs:
        bound = bind_data(model, data, spec_path)
    else:  # coded as the fitted rows were
        frame, where = _table(model, data, spec_path)
        bound = bind_new(idata, model, frame, where)
        refuse_new_levels(
            bound,
            where,
            "the per-row log-likelihood and replicates are for the levels the model was "
            "fitted with; hierc.predict predicts for new levels",
        )
        if bound.y is None:
            raise DataError(f"the data have no column `{model.response.variable}`, the response", where)
    return add_pointwise(idata, bound, log_likelihood, predictive, seed)


def predict(
    idata,
    model: ir.Model,
    data,
    kind: PredictionKind | str = PredictionKind.MEAN,
    new_levels: NewLevels | str = NewLevels.ERROR,
    seed: int = 1,
    spec_path=None,
):
    """Predictions for the rows of `data` (a DataFrame or a CSV path; the response may be absent) from a
    posterior of `sample`: InferenceData with a `predictions` group holding the expected response
    (`kind="mean"`, brms's posterior_epred) or draws of it (`"response"`), under the response's name, per
    draw and row. Levels are matched by label to the fitted ones; a level the fit did not see is an error
    (`new_levels="error"`), gets effects drawn from the fitted population (`"sample"`), or none
    (`"population"`)."""
    from hierc.inference.prediction import bind_new
    from hierc.inference.prediction import predict as run

    frame, where = _table(model, data, spec_path)
    bound = bind_new(idata, model, frame, where)
    return run(idata, bound, PredictionKind(kind), NewLevels(new_levels), seed, where)


def diagnose(idata, model: ir.Model):
    """Divergences, R-hat, ESS, E-BFMI, tree depth and advice for a posterior from `sample`
    (a `hierc.inference.diagnostics.Diagnostics`: fields, `to_dict()`, and `text()` as `hierc sample` prints it)."""
    from hierc.inference.diagnostics import diagnose as run

    return run(idata, model)


def plot_diagnostics(idata, model: ir.Model, directory: str | Path, force: bool = False) -> list[Path]:
    """Trace, rank and pair plots of a posterior from `sample`, as PNG files in `directory`; their paths."""
    from hierc.views.diagnostic_plots import plot_diagnostics as draw

    return draw(idata, model, directory, force)
