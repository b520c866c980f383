"""Fake data for any spec: every column the spec uses, with values its family and transforms accept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hierc.language import ir
from hierc.language.vocabulary import Family


def fake_frame(model: ir.Model, n: int = 60, levels: int = 5, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    categorical = {
        f.variable: f.reference for t in _all_terms(model) for f in t.factors if isinstance(f, ir.Categorical)
    }
    numeric = {f.variable for t in _all_terms(model) for f in t.factors if isinstance(f, ir.Numeric)}
    numeric |= {offset.variable for offset in model.offsets}
    columns: dict[str, object] = {}
    for name in sorted(numeric):
        columns[name] = rng.uniform(0.5, 3.0, n).round(3)
    for name, reference in sorted(categorical.items()):
        columns[name] = rng.choice([reference or "a", "b", "c"], n)
    for block in model.groups:
        for name in block.factor.variables:
            columns.setdefault(name, rng.choice([f"{name}{i}" for i in range(levels)], n))
    response = model.response
    match model.family:
        case Family.GAUSSIAN | Family.STUDENT_T:
            y = rng.normal(1.0, 2.0, n).round(3)
        case Family.BERNOULLI:
            y = rng.integers(0, 2, n)
        case Family.BINOMIAL | Family.BETA_BINOMIAL:
            trials = rng.integers(5, 15, n)
            y = rng.binomial(trials, 0.4)
            if isinstance(response.trials, str):
                columns[response.trials] = trials
            else:
                y = rng.binomial(response.trials, 0.4, n)
        case Family.POISSON | Family.NEGBINOMIAL:
            y = rng.poisson(4.0, n)
        case Family.LOGNORMAL:
            y = rng.lognormal(1.0, 0.6, n).round(3)
        case Family.GAMMA | Family.EXPONENTIAL | Family.WEIBULL:
            y = rng.gamma(3.0, 1.5, n).round(3) + 0.001
        case Family.BETA:
            y = rng.beta(2.0, 3.0, n).round(3).clip(0.001, 0.999)
        case _:
            raise AssertionError(f"no fake response for the {model.family.value} family")
    columns[response.variable] = y
    if response.se is not None:
        columns[response.se] = rng.uniform(0.5, 2.0, n).round(3)
    return pd.DataFrame(columns)


def _all_terms(model: ir.Model) -> list[ir.Term]:
    return list(model.terms) + [t for block in model.groups for t in block.terms]
