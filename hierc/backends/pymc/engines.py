"""Sampling a PyMC model: with nutpie when it is installed (much faster), else with PyMC's NUTS."""

from __future__ import annotations

import contextlib
import ctypes
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


def sample(model, options: SampleOptions, engine: Engine, progress: bool = True):
    """Posterior draws of a `pm.Model` as ArviZ InferenceData, warm-up discarded (its effort is recorded:
    `hierc.inference.sampling.record_effort`)."""
    with sharing_the_cores(options.chains):
        return _sample(model, options, engine, progress)


def _sample(model, options: SampleOptions, engine: Engine, progress: bool):
    if engine is Engine.NUTPIE:
        import nutpie

        compiled = nutpie.compile_pymc_model(model)
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
    )
    return record_effort(idata, idata.posterior.attrs["sampling_time"])
