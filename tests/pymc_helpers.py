"""Helpers for tests of PyMC models: importing generated scripts, log densities at random points."""

from __future__ import annotations

import importlib.util
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
    return model.compile_logp(mode="FAST_COMPILE")


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
