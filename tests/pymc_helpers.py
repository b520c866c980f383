"""Helpers for tests of generated Python scripts and PyMC models: layout, imports, log densities at random points."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import warnings

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pytensor's notice that it found no BLAS
    import pymc as pm

N_POINTS = 5


def import_script(path, name: str):
    """Import a generated script from its file, as a user would."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def logp_function(model: pm.Model):
    """The model's log density, the sum of its terms taken here: FAST_COMPILE runs PyTensor's Python
    implementation, whose elementwise sum takes at most 32 terms (NumPy's limit for a ufunc)."""
    terms = model.compile_logp(sum=False, mode="FAST_COMPILE")
    return lambda point: float(sum(np.sum(term) for term in terms(point)))


def random_points(model: pm.Model, n: int = N_POINTS, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Points in the unconstrained space around the initial point."""
    rng = np.random.default_rng(seed)
    start = model.initial_point()
    return [{k: v + rng.normal(0, 0.4, np.shape(v)) for k, v in start.items()} for _ in range(n)]


def zero_sum_dims(pm_model: pm.Model) -> dict[str, tuple[str, ...]]:
    """For each ZeroSumNormal variable, the dims it sums to zero over (its last `n_zerosum_axes` dims)."""
    out = {}
    for rv in pm_model.free_RVs:
        op = rv.owner.op
        if type(op).__name__ == "ZeroSumNormalRV":
            dims = pm_model.named_vars_to_dims[rv.name]
            out[rv.name] = tuple(dims[len(dims) - op.ndim_supp :])
    return out


def assert_formatted_and_lint_clean(folder) -> None:
    """The scripts in a folder read like hand-written code: `ruff format` and `ruff check` find nothing."""
    ruff = [sys.executable, "-m", "ruff"]
    formatted = subprocess.run(
        [*ruff, "format", "--isolated", "--line-length", "100", "--check", "--diff", str(folder)],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    # E501: a long formula in a docstring is the user's own line
    select = ["--select", "E,F,W,B,I,UP", "--ignore", "E501", "--line-length", "100"]
    linted = subprocess.run([*ruff, "check", "--isolated", *select, str(folder)], capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout + linted.stderr
