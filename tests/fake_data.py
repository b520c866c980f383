"""Fake data for any spec: every column the spec uses, with values its family and transforms accept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hierc.language import ir
from hierc.language.vocabulary import Family


def fake_frame(model: ir.Model, n: int = 60, levels: int = 5, seed: int = 0, group_signal: float = 0.0) -> pd.DataFrame:
    """`group_signal` > 0: each level of each group factor shifts the response's linear predictor (and each
    numeric group-level slope) by a normal(0, group_signal) draw, so the groups carry information; 0: they
    carry none (pure noise), the data set the default run's tests were written for."""
    rng = np.random.default_rng(seed)
    categorical = {
        f.variable: f.reference for t in _all_terms(model) for f in t.factors if isinstance(f, ir.Categorical)
    }
    numeric = {
        v for t in _all_terms(model) for f in t.factors if not isinstance(f, ir.Categorical) for v in f.variables
    }
    numeric |= {v for offset in model.offsets for v in offset.variables}
    numeric |= {v for f in model.distributional for offset in f.offsets for v in offset.variables}
    columns: dict[str, object] = {}
    for name in sorted(numeric):
        columns[name] = rng.uniform(0.5, 3.0, n).round(3)
    for name, reference in sorted(categorical.items()):
        columns[name] = rng.choice([reference or "a", "b", "c"], n)
    for block in model.groups:
        for name in block.factor.variables:
            columns.setdefault(name, rng.choice([f"{name}{i}" for i in range(levels)], n))
    response = model.response
    eta = _group_shift(model, columns, n, group_signal, seed)
    match model.family:
        case Family.GAUSSIAN | Family.STUDENT_T:
            y = rng.normal(1.0 + eta, 2.0, n).round(3)
        case Family.BERNOULLI:
            y = rng.integers(0, 2, n) if not group_signal else rng.binomial(1, _expit(eta))
        case Family.BINOMIAL | Family.BETA_BINOMIAL:
            trials = rng.integers(5, 15, n)
            p = _expit(np.log(0.4 / 0.6) + eta)
            y = rng.binomial(trials, p)
            if isinstance(response.trials, str):
                columns[response.trials] = trials
            else:
                y = rng.binomial(response.trials, p, n)
        case Family.POISSON | Family.NEGBINOMIAL:
            y = rng.poisson(4.0 * np.exp(eta), n)
        case (
            Family.ZERO_INFLATED_POISSON
            | Family.ZERO_INFLATED_NEGBINOMIAL
            | Family.HURDLE_POISSON
            | Family.HURDLE_NEGBINOMIAL
        ):
            y = rng.poisson(4.0 * np.exp(eta), n) * rng.binomial(1, 0.7, n)  # three in ten an extra zero
        case Family.LOGNORMAL:
            y = rng.lognormal(1.0 + eta, 0.6, n).round(3)
        case Family.HURDLE_LOGNORMAL:
            y = (rng.lognormal(1.0 + eta, 0.6, n) * rng.binomial(1, 0.7, n)).round(3)  # three in ten are zero
        case Family.GAMMA | Family.EXPONENTIAL | Family.WEIBULL:
            y = rng.gamma(3.0, 1.5 * np.exp(eta), n).round(3) + 0.001
        case Family.BETA:
            mean = _expit(np.log(0.4 / 0.6) + eta)
            y = rng.beta(5.0 * mean, 5.0 * (1 - mean), n).round(3).clip(0.001, 0.999)
        case Family.CUMULATIVE:  # 4 categories, thresholds -1, 0, 1.2 on the logistic scale
            y = 1 + (rng.logistic(eta, 1.0, n)[:, None] > np.array([-1.0, 0.0, 1.2])).sum(axis=1)
        case _:
            raise AssertionError(f"no fake response for the {model.family.value} family")
    if response.truncated:  # values within their bounds: columns around each value, or clipped to numbers
        integer = np.issubdtype(np.asarray(y).dtype, np.integer)
        if integer and response.lb is not None:
            y = np.maximum(y, 1 if isinstance(response.lb, str) else int(response.lb))
        if isinstance(response.lb, float):
            y = np.maximum(y, response.lb)
        if isinstance(response.ub, float):
            y = np.minimum(y, response.ub)
        step = 2 if integer else 0.5 * np.abs(y) + 0.2
        if isinstance(response.lb, str):
            columns[response.lb] = np.maximum(y - step, 1) if integer else np.round(y - step, 3)
        if isinstance(response.ub, str):
            columns[response.ub] = y + step if integer else np.round(y + step, 3)
    if response.transforms:  # `log(y) ~`: a positive column, in every transform's domain
        y = (np.abs(y) + 0.5).round(3)
    columns[response.variable] = y
    if response.se is not None:
        columns[response.se] = rng.uniform(0.5, 2.0, n).round(3)
    if response.weights is not None:
        columns[response.weights] = rng.uniform(0.0, 3.0, n).round(3)
    if response.censored is not None:  # half the rows observed, the others censored in every way
        codes = rng.choice([0, 0, 0, 1, -1, 2] if response.upper else [0, 0, 1, -1], n)
        columns[response.censored] = np.array(["none", "right", "interval", "left"], dtype=object)[codes]
    if response.upper is not None:
        step = 2 if np.issubdtype(np.asarray(y).dtype, np.integer) else 0.5 * np.abs(y) + 0.1
        columns[response.upper] = np.round(y + step, 3)
    return pd.DataFrame(columns)


def _group_shift(model: ir.Model, columns: dict, n: int, signal: float, seed: int) -> np.ndarray:
    """The groups' share of the linear predictor, from a generator of its own (the other columns stay the same)."""
    eta = np.zeros(n)
    if not signal:
        return eta
    rng = np.random.default_rng([seed, 1])
    for block in model.groups:
        slopes = [f.variable for t in block.terms for f in t.factors if isinstance(f, ir.Numeric)]
        for name in block.factor.variables:
            codes, _ = pd.factorize(np.asarray(columns[name]), sort=True)
            eta += rng.normal(0.0, signal, codes.max() + 1)[codes]
            for slope in slopes:
                eta += rng.normal(0.0, signal, codes.max() + 1)[codes] * np.asarray(columns[slope], float)
    return eta


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _all_terms(model: ir.Model) -> list[ir.Term]:
    dpar_terms = [t for formula in model.distributional for t in formula.terms]
    return list(model.terms) + [t for block in model.groups for t in block.terms] + dpar_terms
