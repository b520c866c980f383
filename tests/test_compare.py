"""`hierc compare`: posterior agreement between lowerings, and a negative control that must be flagged."""

from __future__ import annotations

import subprocess
import sys
from statistics import NormalDist

import numpy as np
import nutpie
import pytest

import hierc
from conftest import ROOT
from fake_data import fake_frame
from hierc.inference.compare import compare_posteriors, with_parameterization
from hierc.inference.sampling import SampleOptions, import_arviz
from hierc.language.vocabulary import Parameterization
from reported_models import report_data, reported_vectorized_model


def test_stan_and_pymc_agree_on_eight_schools():
    result = subprocess.run(
        [sys.executable, "-m", "hierc", "compare", "specs/eight_schools.hm", "--backends", "stan,pymc",
         "--chains", "4", "--draws", "500", "--tune", "500", "--seed", "2"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stan/vectorized" in result.stdout and "pymc/vectorized" in result.stdout
    assert "10 quantities x 4 statistics, 40 z-scores" in result.stdout
    assert result.stdout.rstrip().endswith(": agree")


def test_the_reported_bug_is_flagged():
    """Zero sum across the predictors (the report's vectorized model) against hierc's model: flagged."""
    frame = report_data(groups=100, per_group=40, sigma=20, seed=3)
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    options = SampleOptions(chains=2, draws=500, tune=500, seed=5)
    ours = hierc.sample(model, frame, backend="pymc", options=options)
    compiled = nutpie.compile_pymc_model(reported_vectorized_model(frame))
    theirs = nutpie.sample(compiled, chains=2, draws=500, tune=500, seed=5, progress_bar=False)
    comparison = compare_posteriors(model, [ours, theirs], ["hierc", "reported"])
    assert not comparison.agree
    assert comparison.max_z > 3 * comparison.threshold
    assert "DIFFER" in comparison.report()
    assert any(row.quantity.startswith("sd_group") for row in comparison.worst(10))


def test_unknown_names_in_the_lists_are_errors():
    result = subprocess.run(
        [sys.executable, "-m", "hierc", "compare", "specs/eight_schools.hm", "--backends", "stan,bambo"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2
    assert "error: unknown backend `bambo`; choose from stan, pymc" in result.stderr


def test_a_lowering_that_cannot_express_the_spec_is_refused_before_any_sampling(tmp_path):
    """Bambi has no correlated effects: the comparison stops before Stan samples (or builds) anything."""
    frame = fake_frame(hierc.load(ROOT / "specs" / "radon.hm"), n=40)
    frame.to_csv(tmp_path / "radon.csv", index=False)
    result = subprocess.run(
        [sys.executable, "-m", "hierc", "compare", "specs/radon.hm", "--data", str(tmp_path / "radon.csv"),
         "--backends", "stan,bambi"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the bambi backend cannot express correlated group-level effects" in result.stderr
    assert "Building" not in result.stderr and "Sampling" not in result.stderr


def synthetic(shift: float, seed: int):
    """Independent draws (4 chains x 1000) of Intercept ~ N(shift, 1) and sd_school ~ |N(0, 3)|."""
    rng = np.random.default_rng(seed)
    posterior = {"Intercept": rng.normal(shift, 1, (4, 1000)), "sd_school": np.abs(rng.normal(0, 3, (4, 1000)))}
    return import_arviz().from_dict(posterior=posterior)


def test_z_scores_and_threshold():
    model = hierc.load(ROOT / "specs" / "eight_schools.hm")
    same = compare_posteriors(model, [synthetic(0, 1), synthetic(0, 2)], ["a", "b"])
    assert len(same.rows) == 2 * 4  # two quantities, four statistics each
    assert same.threshold == pytest.approx(NormalDist().inv_cdf(1 - 0.01 / 16))
    assert same.agree and same.max_z < 4
    shifted = compare_posteriors(model, [synthetic(0, 1), synthetic(0.3, 2)], ["a", "b"])
    assert not shifted.agree
    row = shifted.worst(1)[0]
    assert (row.quantity, row.statistic) in {("Intercept", "mean"), ("Intercept", "q05"), ("Intercept", "q95")}
    # the mean's z is the difference over the two Monte Carlo errors: about 0.3 / sqrt(2 / 4000)
    mean = next(r for r in shifted.rows if (r.quantity, r.statistic) == ("Intercept", "mean"))
    assert 9 < mean.z[0] < 17


def test_a_parameterization_is_a_different_pymc_model():
    """Bound data are shared between parameterizations; the model built is the variant's."""
    model = hierc.load(ROOT / "specs" / "radon_centered.hm")
    bound = hierc.bind_data(model, fake_frame(model, n=60, seed=1))
    noncentered = with_parameterization(model, Parameterization.NONCENTERED)
    assert "z_county__Intercept" in hierc.pymc_model(noncentered, bound, "unrolled").named_vars
    assert "z_county__Intercept" not in hierc.pymc_model(model, bound, "unrolled").named_vars
