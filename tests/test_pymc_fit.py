"""The PyMC backend end to end: parameter recovery on simulated data, the CLI, and the script run on its own.

Recovery fits use nutpie with 2 chains x 500 draws after 500 tuning steps.
Tolerance: each posterior mean within 3 posterior sds of the value the data
were simulated from (posterior sd, not Monte Carlo error, dominates at this
size: 2 x 500 draws give an MCSE of about 0.05 sd). With 3 sds a correct
model fails one check in about 370 by chance; the seeds are fixed.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray

import hierc
from conftest import ROOT
from hierc.backends.outputs import summary_variables
from hierc.data.design import bind
from hierc.inference.sampling import SampleOptions, fit_report

FAST = SampleOptions(chains=2, draws=500, tune=500, seed=11)


def assert_recovered(idata, truth: dict[str, float | list[float]]) -> None:
    posterior = idata.posterior
    for name, value in truth.items():
        draws = posterior[name].stack(sample=("chain", "draw"))
        mean, sd = draws.mean("sample").values, draws.std("sample").values
        z = np.abs(mean - np.asarray(value)) / sd
        assert np.all(z < 3), f"{name}: posterior mean {mean} (sd {sd}) is {z} sds from {value}"
    assert float(idata.sample_stats["diverging"].sum()) <= 5


def radon_like(seed: int = 4, counties: int = 80, per_county: int = 15) -> pd.DataFrame:
    """Varying intercepts and floor effects by county, correlated (0.5)."""
    rng = np.random.default_rng(seed)
    sd, cor = np.array([0.4, 0.3]), 0.5
    cov = np.diag(sd) @ np.array([[1, cor], [cor, 1]]) @ np.diag(sd)
    effects = rng.multivariate_normal([0, 0], cov, counties)
    county = np.repeat(np.arange(counties), per_county)
    floor = rng.integers(0, 2, county.size)
    mu = 1.5 + effects[county, 0] + (-0.6 + effects[county, 1]) * floor
    return pd.DataFrame({"log_radon": rng.normal(mu, 0.5), "floor": floor, "county": county})


def test_radon_recovery_vectorized():
    model = hierc.load(ROOT / "specs" / "radon.hm")
    idata = hierc.sample(model, radon_like(), backend="pymc", options=FAST)
    assert idata.posterior.attrs["hierc_backend"] == "pymc"
    assert idata.posterior["r_county"].dims == ("chain", "draw", "county", "county__coef")
    assert list(idata.posterior["county__coef"].values) == ["Intercept", "floor"]
    assert_recovered(idata, {"b_Intercept": 1.5, "b": [-0.6], "sd_county": [0.4, 0.3], "sigma": 0.5})
    report = fit_report(idata, summary_variables(model))
    assert "cor_county[Intercept, floor]" in report  # the one correlation, not its repeat or the diagonal
    assert "cor_county[floor, Intercept]" not in report and "cor_county[floor, floor]" not in report


def zero_sum_data(seed: int = 2, groups: int = 100, per_group: int = 40) -> pd.DataFrame:
    """The user report's simulation, smaller and less noisy: slopes (1, 1.2, 0.8) varying by group with
    sds (10, 12, 8), residual sd 20."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(groups), per_group)
    x = rng.normal(size=(group.size, 3))
    slopes = np.array([1, 1.2, 0.8]) + rng.normal(size=(groups, 3)) * np.array([10, 12, 8])
    y = (slopes[group] * x).sum(axis=1) + rng.normal(0, 20, group.size)
    return pd.DataFrame({"group": group, "y": y, "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]})


def test_zero_sum_recovery_unrolled():
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    idata = hierc.sample(model, zero_sum_data(), backend="pymc", encoding="unrolled", options=FAST)
    effects = idata.posterior["r_group"]
    np.testing.assert_allclose(effects.sum("group"), 0, atol=1e-6)  # zero sum over the groups, every draw
    assert_recovered(idata, {"sd_group": [10, 12, 8], "b": [1, 1.2, 0.8], "sigma": 20})


def test_poisson_recovery():
    rng = np.random.default_rng(3)
    region = np.repeat(np.arange(30), 20)
    age = rng.uniform(20, 80, region.size)
    sex = rng.choice(["f", "m"], region.size)
    population = rng.integers(200, 5000, region.size)  # exposure: the rate is per resident
    eta = np.log(population) - 4 + 0.01 * (age - 50) + 0.3 * (sex == "m") + rng.normal(0, 0.25, 30)[region]
    frame = pd.DataFrame({"visits": rng.poisson(np.exp(eta)), "age": age, "sex": sex, "region": region})
    frame["population"] = population
    idata = hierc.sample(hierc.load(ROOT / "specs" / "visits_poisson.hm"), frame, backend="pymc", options=FAST)
    assert list(idata.posterior["coef"].values) == ["age", "sex[m]"]
    assert_recovered(idata, {"b": [0.01, 0.3], "sd_region": 0.25})
    # the intercept is log(rate per resident) at the mean age and sex; without the offset it would be about 3
    assert abs(float(idata.posterior["Intercept"].mean()) - (-4 + 0.3 * (sex == "m").mean())) < 0.15


def run_hierc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hierc", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("engine", ["nutpie", "pymc"])
def test_cli_samples_eight_schools(engine, tmp_path):
    out = tmp_path / "eight.nc"
    result = run_hierc(
        "sample", "specs/eight_schools.hm", "--backend", "pymc", "--engine", engine,
        "--chains", "2", "--draws", "200", "--tune", "300", "--seed", "4", "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "sd_school" in result.stdout and "2 chains x 200 draws; divergent transitions:" in result.stdout
    posterior = xarray.open_dataset(out, group="posterior")
    assert posterior.attrs["created_by"] == "hierc" and posterior.attrs["hierc_engine"] == engine
    assert posterior["r_school"].sizes == {"chain": 2, "draw": 200, "school": 8}


def test_engine_of_another_backend_is_a_clear_error():
    result = run_hierc("sample", "specs/eight_schools.hm", "--backend", "pymc", "--engine", "pystan")
    assert result.returncode == 2
    assert "error: `pystan` is not an engine of the pymc backend; its engines are auto, nutpie, pymc" in result.stderr


def test_script_runs_on_its_own(tmp_path):
    """`python script.py data.csv out.nc` with only the script: it prepares the data, samples and saves."""
    script = tmp_path / "eight_schools_model.py"
    assert run_hierc("compile", "specs/eight_schools.hm", "--backend", "pymc", "-o", str(script)).returncode == 0
    out = tmp_path / "posterior.nc"
    result = subprocess.run(
        [sys.executable, str(script), str(ROOT / "specs" / "eight_schools.csv"), str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "sd_school" in result.stdout and "r_school" not in result.stdout
    posterior = xarray.open_dataset(out, group="posterior")
    assert list(posterior["school"].values) == list("ABCDEFGH")


@pytest.mark.parametrize("chains", [1, 2, 4])
def test_parallel_chains_share_the_cores_blas_threads(chains):
    from threadpoolctl import threadpool_info

    from hierc.backends.pymc.engines import sharing_the_cores

    def blas_threads():
        return {info["filepath"]: info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}

    before = blas_threads()
    assert before, "numpy loads a BLAS"
    with sharing_the_cores(chains):
        inside = blas_threads()
    assert set(inside.values()) == {max(1, os.cpu_count() // chains)}
    assert blas_threads() == before


def test_wide_priors_do_not_leave_chains_stuck_at_the_priors_scale():
    """A poisson model with one level per row and priors 100 times wider than the posterior (sd_yr is about
    0.036): chains started at the prior's central value (sd near 80) stayed there in 7 of 8 seeds of 4 chains;
    started by Stan's rule, uniform(-2, 2) on the unconstrained scale, none of 32 did (docs/pymc.md). Eight
    chains: with a quarter of chains stuck, all eight come back by chance one time in ten."""
    rng = np.random.default_rng(1)
    yr = (np.arange(40) - 19.5) / 11.5
    eta = 4.2 + 1.1 * yr - 0.2 * yr**2 - 0.25 * yr**3 + rng.normal(0, 0.04, 40)
    frame = pd.DataFrame({"C": rng.poisson(np.exp(eta)), "year": yr, "year2": yr**2, "year3": yr**3})
    frame["yr"] = np.arange(40)
    model = hierc.loads(
        "C ~ 1 + year + year2 + year3 + (1 | yr)\nfamily poisson\n"
        "prior Intercept ~ normal(0, 100)\nprior b ~ normal(0, 100)\nprior sd ~ halfnormal(100)\n"
    )
    for engine in ("nutpie", "pymc"):
        options = hierc.SampleOptions(chains=8, draws=200, tune=300, seed=3)
        idata = hierc.sample(model, frame, "pymc", engine=engine, options=options)
        per_chain = idata.posterior["sd_yr"].mean("draw").values
        assert (per_chain < 0.5).all(), (engine, per_chain)


def survey_ratings(seed: int = 5, branches: int = 30, per_branch: int = 25) -> pd.DataFrame:
    """Ratings 1..5 from a latent satisfaction, logistic around eta, cut at four thresholds (at predictors 0)."""
    rng = np.random.default_rng(seed)
    branch = np.repeat(np.arange(branches), per_branch)
    wait = rng.uniform(0, 30, branch.size).round(1)
    channel = rng.choice(["app", "phone", "visit"], branch.size)
    eta = -0.08 * wait + 0.6 * (channel == "phone") - 0.4 * (channel == "visit") + rng.normal(0, 0.5, branches)[branch]
    rating = 1 + (rng.logistic(eta)[:, None] > np.array([-3.0, -1.8, -0.7, 0.6])).sum(axis=1)
    return pd.DataFrame({"rating": rating, "wait": wait, "channel": channel, "branch": branch})


def test_ordinal_recovery():
    frame = survey_ratings()
    assert set(frame["rating"]) == {1, 2, 3, 4, 5}
    model = hierc.load(ROOT / "specs" / "ordinal_survey.hm")
    idata = hierc.sample(model, frame, backend="pymc", options=FAST)
    assert list(idata.posterior["threshold"].values) == ["1|2", "2|3", "3|4", "4|5"]
    # the true -0.08 wait in the basis of `poly(wait, 2)`: a constant, which shifts the thresholds, plus c1 P1
    P = bind(model, frame).X.matrix[:, :2]
    (c0, c1, c2), *_ = np.linalg.lstsq(np.column_stack([np.ones(len(frame)), P]), -0.08 * frame["wait"], rcond=None)
    assert abs(c2) < 1e-12
    thresholds = np.array([-3.0, -1.8, -0.7, 0.6]) - c0
    assert_recovered(idata, {"b_Intercept": list(thresholds), "b": [c1, 0.0, 0.6, -0.4], "sd_branch": 0.5})
