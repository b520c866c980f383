"""How closely each backend's log density matches an independent reference: the figures behind the tests.

For every family and link: PyMC's log likelihood of an intercept-only model against SciPy's
(tests/test_pymc_codegen.py), and Stan's for every form the Stan backend writes (the sampling statement
on the mean, the form on the linear predictor, the GLM function, the log cdfs of censored rows) through
pystan's `log_prob`, in one program (tests/test_stan_fit.py). For every censorable family: PyMC's per-row
log density of censored, truncated, and censored-and-truncated responses against SciPy's
(tests/test_censoring.py). Each figure is the worst relative difference |ours - SciPy's| / |SciPy's|
(per row for the response terms).

    python -m bench.logp_agreement

The tests assert these within 1e-12 (PyMC's families), 1e-10 (Stan's) and 1e-9 (rows); this prints what
they are.
"""

from __future__ import annotations

import contextlib
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the references live with the tests

import hierc  # noqa: E402
from hierc.data.design import bind  # noqa: E402
from hierc.families import FAMILIES  # noqa: E402


def _relative(ours, reference) -> float:
    ours, reference = np.asarray(ours, float), np.asarray(reference, float)
    return float(np.max(np.abs(ours - reference) / np.maximum(np.abs(reference), 1e-300)))


def families() -> None:
    from model_variants import FAMILY_LINKS
    from test_pymc_codegen import pymc_and_scipy_likelihoods
    from test_stan_fit import stan_and_scipy_log_densities

    stan = defaultdict(dict)
    with contextlib.redirect_stdout(sys.stderr):  # pystan's "Building..." for each case
        densities = stan_and_scipy_log_densities()
    for (family, link, form), ours, scipys in densities:
        stan[family, link][form] = _relative(ours, scipys)
    print("| family | link | PyMC vs SciPy | Stan vs SciPy, by form |")
    print("| --- | --- | --- | --- |")
    for family, link in FAMILY_LINKS:
        pymc = _relative(*pymc_and_scipy_likelihoods(family, link))
        forms = ", ".join(f"{form} {value:.1e}" for form, value in stan[family, link].items())
        print(f"| {family.value} | {link.value} | {pymc:.1e} | {forms} |", flush=True)


def response_terms() -> None:
    from fake_data import fake_frame
    from test_censoring import (
        CENSORABLE,
        TRUNCATIONS,
        _spec,
        _truncated_spec,
        at_a_point,
        censored_by_scipy,
        log_inside,
        truncated_by_scipy,
    )

    print("\n| family | cens(c, y2) | trunc: both, lb, ub | cens + trunc: both, lb, ub |")
    print("| --- | --- | --- | --- |")
    for family in CENSORABLE:
        integer = FAMILIES[family].response.integer
        model = hierc.loads(_spec(family))
        bound = bind(model, fake_frame(model, n=60, seed=4))
        rows, distribution, _ = at_a_point(model, bound)
        censored = _relative(rows, censored_by_scipy(distribution, bound.y, bound.censored, bound.upper))
        truncated, both = [], []
        for bounds in TRUNCATIONS:
            model = hierc.loads(_truncated_spec(family, bounds))
            bound = bind(model, fake_frame(model, n=50, seed=6))
            rows, distribution, _ = at_a_point(model, bound)
            truncated.append(_relative(rows, truncated_by_scipy(distribution, bound.y, bound.lb, bound.ub, integer)))
            model = hierc.loads(_truncated_spec(family, bounds).replace(" | ", " | cens(c, up) + ", 1))
            bound = bind(model, fake_frame(model, n=60, seed=4))
            rows, distribution, _ = at_a_point(model, bound)
            expected = censored_by_scipy(distribution, bound.y, bound.censored, bound.upper)
            both.append(_relative(rows, expected - log_inside(distribution, bound.lb, bound.ub, integer)))
        cells = [f"{censored:.1e}", ", ".join(f"{v:.1e}" for v in truncated), ", ".join(f"{v:.1e}" for v in both)]
        print(f"| {family.value} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    families()
    response_terms()
