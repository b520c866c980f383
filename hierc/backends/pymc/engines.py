"""Sampling a PyMC model: with nutpie when it is installed (much faster), else with PyMC's NUTS."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import logging
import os
import sys
import time
import warnings

from hierc.errors import BackendError
from hierc.inference.sampling import SampleOptions, installed, record_effort
from hierc.language.vocabulary import Engine


def choose_engine(engine: Engine | str = Engine.AUTO) -> Engine:
    engine = Engine(engine)
    if engine is Engine.NUTPIE and not installed("nutpie"):
        raise BackendError("--engine nutpie needs the `nutpie` package: pip install nutpie, or use --engine pymc")
    if engine is Engine.AUTO:
        return Engine.NUTPIE if installed("nutpie") else Engine.PYMC
    return engine


def import_pymc():
    """PyMC, quietly: without BLAS, pytensor warns on import (nutpie compiles with numba and does not need it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pymc
        except ImportError as error:
            raise BackendError(f"the pymc backend needs PyMC, which cannot be imported ({error})") from None
    # and again when it compiles C code, as a log record and as a warning
    logging.getLogger("pytensor.tensor.blas").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS", category=UserWarning)
    return pymc


@contextlib.contextmanager
def sharing_the_cores(chains: int):
    """Chains sampled in parallel share the cores. Their BLAS calls (`X @ b` over every row) get
    cores // chains threads each: a multi-threaded BLAS per chain oversubscribes the cores, which made
    the row-by-row zero-sum model (200,000 rows) 1.5x slower per gradient with 2 chains on 2 cores.
    Freed data-sized arrays are reused, too (`_reuse_freed_arrays`)."""
    from threadpoolctl import threadpool_limits

    _reuse_freed_arrays()
    with threadpool_limits(limits=max(1, (os.cpu_count() or 1) // max(1, chains)), user_api="blas"):
        yield


def _reuse_freed_arrays() -> None:
    """Each gradient of a row-by-row model allocates arrays the size of the data. glibc serves such
    arrays with fresh memory maps, and zeroing their pages again at every gradient made the 200,000-row
    zero-sum model up to 2x slower; with a fixed threshold of 32 MiB (glibc's largest), freed arrays
    below it are reused. Process-wide; on other C libraries, nothing is changed."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 32 * 2**20)
    libc.mallopt(m_trim_threshold, 64 * 2**20)


# Where chains start: Stan's rule, uniform(-2, 2) on the unconstrained scale, whatever the priors. PyMC's own
# start, the prior's central value, put an sd with a wide prior (halfnormal(100)) near 80: on a poisson model
# whose sd is 0.036 a quarter of nutpie's chains never came back (R-hat 1.6); with this rule none stuck
# (docs/pymc.md, "Initial values").
START = 2.0
TRIES = 100  # starting points drawn per chain before giving up, as Stan


def _uniform_start(seed, width: int):
    import numpy as np

    return np.random.default_rng(seed).uniform(-START, START, width)


def _uniform_starts(model, options: SampleOptions) -> list[dict]:
    """One start per chain for PyMC's sampler, which takes the free variables' constrained values."""
    import numpy as np

    free = {rv.name for rv in model.free_RVs}
    outputs = [v for v in model.unobserved_value_vars if v.name in free]  # constrained, from the unconstrained
    constrained = model.compile_fn(outputs, inputs=model.value_vars, on_unused_input="ignore", point_fn=False)
    shapes = {name: np.shape(value) for name, value in model.initial_point().items()}
    logp, dlogp = model.compile_logp(), model.compile_dlogp()
    rng = np.random.default_rng(options.seed)
    starts = []
    for _ in range(options.chains):
        for _ in range(TRIES):  # as Stan: another draw where the density or its gradient is not finite
            point = {v.name: rng.uniform(-START, START, shapes[v.name]) for v in model.value_vars}
            if np.isfinite(logp(point)) and np.isfinite(dlogp(point)).all():
                break
        else:
            raise BackendError(f"no finite log density at {TRIES} random starting points; check the priors and data")
        values = constrained(*[point[v.name] for v in model.value_vars])
        starts.append({v.name: value for v, value in zip(outputs, values, strict=True)})
    return starts


def sample(model, options: SampleOptions, engine: Engine, progress: bool = True):
    """Posterior draws of a `pm.Model` as ArviZ InferenceData, warm-up discarded (its effort is recorded:
    `hierc.inference.sampling.record_effort`)."""
    with sharing_the_cores(options.chains):
        return _sample(model, options, engine, progress)


def _sample(model, options: SampleOptions, engine: Engine, progress: bool):
    if engine is Engine.NUTPIE:
        import nutpie

        compiled = nutpie.compile_pymc_model(model)
        width = compiled.n_dim  # nutpie asks for each chain's start on the unconstrained scale, with a seed
        compiled = dataclasses.replace(compiled, initial_point_func=lambda seed, *_: _uniform_start(seed, width))
        start = time.perf_counter()
        idata = nutpie.sample(
            compiled,
            draws=options.draws,
            tune=options.tune,
            chains=options.chains,
            seed=options.seed,
            target_accept=options.target_accept,
            save_warmup=True,
            progress_bar=progress,
        )
        record_effort(idata, time.perf_counter() - start)
        # nutpie also stores the unconstrained values (`sigma_log__`); PyMC's posterior, and hierc's, has none
        unconstrained = {v.name for v in model.value_vars} - {v.name for v in model.free_RVs}
        posterior = idata.posterior.drop_vars(unconstrained & set(idata.posterior.data_vars))
        used = {dim for variable in posterior.data_vars.values() for dim in variable.dims}
        idata.posterior = posterior.drop_vars([c for c in posterior.coords if c not in used])
        return idata
    pm = import_pymc()
    idata = pm.sample(
        draws=options.draws,
        tune=options.tune,
        chains=options.chains,
        random_seed=options.seed,
        target_accept=options.target_accept,
        progressbar=progress,
        model=model,
        discard_tuned_samples=False,
        init="adapt_diag",  # the starting points below, without PyMC's jitter around its own
        initvals=_uniform_starts(model, options),
    )
    return record_effort(idata, idata.posterior.attrs["sampling_time"])
