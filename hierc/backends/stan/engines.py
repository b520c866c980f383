"""Running a Stan program: with cmdstanpy when CmdStan is installed, else with pystan (works offline)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from hierc.backends.stan.data import plain
from hierc.errors import BackendError
from hierc.inference.sampling import SampleOptions, import_arviz, installed, record_effort
from hierc.language.vocabulary import Engine


def cmdstan_found() -> bool:
    """Whether cmdstanpy is installed and finds a CmdStan installation."""
    try:
        import cmdstanpy
    except ImportError:
        return False
    try:
        cmdstanpy.cmdstan_path()
    except (ValueError, RuntimeError):
        return False
    return True


def choose_engine(engine: Engine | str = Engine.AUTO) -> Engine:
    engine = Engine(engine)
    if engine is Engine.CMDSTANPY and not cmdstan_found():
        raise BackendError(
            "--engine cmdstanpy needs cmdstanpy and a CmdStan installation, and none was found "
            "(set CMDSTAN or install CmdStan); use --engine pystan, which works offline"
        )
    if engine is Engine.PYSTAN and not installed("stan"):
        raise BackendError("--engine pystan needs the `pystan` package: pip install pystan")
    if engine is Engine.AUTO:
        if cmdstan_found():
            return Engine.CMDSTANPY
        if installed("stan"):
            return Engine.PYSTAN
        raise BackendError("sampling Stan programs needs cmdstanpy with CmdStan, or pystan: pip install pystan")
    return engine


def sample(program: str, data: dict[str, object], options: SampleOptions, engine: Engine, coords, dims):
    """Compile (cached by program text) and sample; the posterior as ArviZ InferenceData."""
    if engine is Engine.CMDSTANPY:
        return _sample_cmdstanpy(program, data, options, coords, dims)
    return _sample_pystan(program, data, options, coords, dims)


def _sample_pystan(program, data, options: SampleOptions, coords, dims):
    import stan

    az = import_arviz()
    _tolerate_split_progress_messages()
    with _one_build_cache(), contextlib.redirect_stdout(sys.stderr):  # pystan's "Building..." is not the report
        posterior = stan.build(program, data=plain(data), random_seed=options.seed)
    start = time.perf_counter()
    console = contextlib.nullcontext() if options.verbose else _RoutineMessagesLeftOut(sys.stderr)
    try:
        with console:
            fit = posterior.sample(
                num_chains=options.chains,
                num_samples=options.draws,
                num_warmup=options.tune,
                delta=options.target_accept,
                save_warmup=True,
            )
    except RuntimeError as error:  # pystan's report of a failed chain: the sampler's own words
        message = str(error).split(", traceback:", 1)[0].strip()
        raise BackendError(
            f"Stan could not sample: {message}\n  = hint: try another --seed, or priors that keep the parameters "
            "where the data are"
        ) from error
    seconds = time.perf_counter() - start
    idata = az.from_pystan(posterior=fit, posterior_model=posterior, coords=coords, dims=dims, save_warmup=True)
    return record_effort(idata, seconds)


@contextlib.contextmanager
def _one_build_cache():
    """Build where nothing is left behind, under a name every process of this environment shares.

    httpstan names a build after the program and `sys.executable`, so `python` and `python3` of one
    virtual environment (the `hierc` command and a Python session) built the same program twice: the
    interpreter is named here as `<sys.prefix>/bin/python`. Its compiler writes temporary objects to
    `./build`: the build runs in a temporary directory, not in the user's.
    """
    executable, folder = sys.executable, os.getcwd()
    canonical = Path(sys.prefix) / "bin" / "python"
    with tempfile.TemporaryDirectory(prefix="hierc_build_") as scratch:
        try:
            if canonical.exists():
                sys.executable = str(canonical)
            os.chdir(scratch)
            yield
        finally:
            os.chdir(folder)
            sys.executable = executable


class _RoutineMessagesLeftOut(io.TextIOBase):
    """pystan's console output during sampling, less what is routine: each chain's gradient timing, and the
    proposals Stan rejected because a parameter left its support (counted, then one line; usual early in
    warm-up). Progress and any other message pass through. A context that stands in for stderr."""

    ROUTINE = ("Gradient evaluation took", "1000 transitions using", "Adjust your expectations accordingly!")
    REJECTED = "Informational Message: The current Metropolis proposal is about to be rejected"
    REJECTION_DETAIL = ("Exception:", "If this warning occurs sporadically", "but if this warning occurs often")
    HEADER = "Messages received during sampling:"

    def __init__(self, out):
        self.out, self.pending, self.rejected, self.header_due = out, "", 0, False
        self.redirect = contextlib.redirect_stderr(self)

    def __enter__(self):
        self.redirect.__enter__()
        return self

    def __exit__(self, *exc):
        self.redirect.__exit__(*exc)
        self._line(self.pending)
        if self.rejected:
            self.out.write(
                f"Stan rejected {self.rejected} proposals where a parameter left its support (usual early in "
                "warm-up; --verbose shows the messages)\n"
            )
        return False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self.pending = re.split(r"(?<=[\n\r])", self.pending + text)
        for line in lines:
            self._line(line)
        return len(text)

    def _line(self, line: str) -> None:
        body = line.strip()
        if body == self.HEADER:
            self.header_due = True
        elif body.startswith(self.REJECTED):
            self.rejected += 1
        elif not body.startswith(self.ROUTINE + self.REJECTION_DETAIL) and line:
            if self.header_due and body:
                self.out.write("Messages from Stan during sampling:\n")
                self.header_due = False
            self.out.write(line)
            self.out.flush()


class _ProgressPattern:
    """httpstan's pattern of a progress message, for a message cut in two.

    httpstan (4.13) reads the sampler's log in chunks of 8,192 bytes and reads the progress from every
    chunk that holds `info:Iteration` with `pattern.findall(chunk).pop()`; when a chunk ends inside
    such a message, nothing matches and the chain dies with `IndexError('pop from empty list')`. Many
    log lines (a chain's warnings about rejected proposals, at some seeds) make that likely. A chunk
    without a whole progress message here reports an empty progress, which pystan skips.
    """

    def __init__(self, pattern):
        self.pattern = pattern

    def findall(self, message: bytes) -> list[bytes]:
        return self.pattern.findall(message) or [b""]


def _tolerate_split_progress_messages() -> None:
    import httpstan.views

    if not isinstance(httpstan.views.iteration_info_re, _ProgressPattern):
        httpstan.views.iteration_info_re = _ProgressPattern(httpstan.views.iteration_info_re)


def _sample_cmdstanpy(program, data, options: SampleOptions, coords, dims):  # pragma: no cover - needs CmdStan
    import cmdstanpy

    az = import_arviz()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hierc" / "stan"
    cache.mkdir(parents=True, exist_ok=True)
    stan_file = cache / f"model_{hashlib.sha256(program.encode()).hexdigest()[:16]}.stan"
    if not stan_file.exists():
        stan_file.write_text(program, encoding="utf-8")
    model = cmdstanpy.CmdStanModel(stan_file=str(stan_file))
    start = time.perf_counter()
    fit = model.sample(
        data=plain(data),
        chains=options.chains,
        iter_sampling=options.draws,
        iter_warmup=options.tune,
        seed=options.seed,
        adapt_delta=options.target_accept,
        show_progress=True,
        save_warmup=True,
    )
    seconds = time.perf_counter() - start
    return record_effort(az.from_cmdstanpy(posterior=fit, coords=coords, dims=dims, save_warmup=True), seconds)
