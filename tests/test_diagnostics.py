"""The diagnostics report after a fit, its advice, and the diagnostic plots.

The statistics are checked on made-up draws, where the answer is known; the
advice on real fits: a centered radon model on sparse data (few homes per
county) must be told about the funnel in `county`, its noncentered twin must
not, and a noncentered factor whose levels the data pin down must be told to
try centered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hierc
from conftest import ROOT
from hierc.backends import outputs
from hierc.inference.sampling import SampleOptions, fit_report, import_arviz
from test_pymc_fit import run_hierc

FAST = SampleOptions(chains=2, draws=500, tune=500, seed=1)
CHAINS, DRAWS = 4, 500


def sparse_radon(seed: int = 7, counties: int = 85) -> pd.DataFrame:
    """Radon-like data with 1 to 4 homes per county and small county sds (0.3, 0.05): the classic funnel."""
    rng = np.random.default_rng(seed)
    county = np.repeat(np.arange(counties), rng.integers(1, 5, counties))
    effects = rng.normal(size=(counties, 2)) * np.array([0.3, 0.05])
    floor = rng.integers(0, 2, county.size)
    mu = 1.5 + effects[county, 0] + (-0.6 + effects[county, 1]) * floor
    return pd.DataFrame({"log_radon": rng.normal(mu, 0.7), "floor": floor, "county": [f"c{c:02d}" for c in county]})


def radon_spec(parameterization: str) -> hierc.ir.Model:
    text = (ROOT / "specs" / "radon_centered.hm").read_text()
    return hierc.loads(text.replace("param = centered", f"param = {parameterization}"), "radon_centered.hm")


def problems(report) -> dict[str, str | None]:
    return {a.problem: a.factor for a in report.advice}


# ---- made-up draws ----------------------------------------------------------------------------------


def made_up_fit(levels: dict[str, int], sds: dict[str, np.ndarray], diverging, effect_sd=1.0, backend="pymc", **stats):
    """InferenceData with `sd_g` and `r_g` for each factor, as `hierc.sample` names them."""
    rng = np.random.default_rng(0)
    posterior = {"Intercept": rng.normal(size=(CHAINS, DRAWS))}
    coords, dims = {}, {}
    for factor, count in levels.items():
        posterior[f"sd_{factor}"] = sds[factor]
        posterior[f"r_{factor}"] = rng.normal(size=(CHAINS, DRAWS, count)) * effect_sd
        coords[factor] = [f"{factor}{i}" for i in range(count)]
        dims[f"r_{factor}"] = [factor]
    sample_stats = {"diverging": diverging, "energy": rng.normal(size=(CHAINS, DRAWS)), **stats}
    idata = import_arviz().from_dict(posterior=posterior, sample_stats=sample_stats, coords=coords, dims=dims)
    idata.posterior.attrs["hierc_backend"] = backend
    return idata


def lognormal_sd(seed: int) -> np.ndarray:
    return np.exp(np.random.default_rng(seed).normal(-1, 1, (CHAINS, DRAWS)))


TWO_CENTERED = hierc.loads("model m\ny ~ 1 + (1 | a) + (1 | b)\nparam = centered\n")


def test_divergences_at_small_sd_name_that_factor():
    sds = {"a": lognormal_sd(1), "b": lognormal_sd(2)}
    diverging = np.zeros((CHAINS, DRAWS), bool)
    smallest = np.argsort(sds["a"].ravel())[:200]  # the lowest tenth of sd_a
    diverging.ravel()[np.random.default_rng(3).choice(smallest, 30, replace=False)] = True
    report = hierc.diagnose(made_up_fit({"a": 8, "b": 5}, sds, diverging), TWO_CENTERED)
    assert report.divergences == 30
    funnel_a, funnel_b = report.funnels
    assert funnel_a.parameter == "sd_a" and funnel_a.in_lowest_quarter == 30 and funnel_a.mean_quantile < 0.1
    assert funnel_a.found and not funnel_b.found  # sd_b is unrelated to where the divergences are
    advice = [a for a in report.advice if a.problem == "funnel"]
    assert [a.factor for a in advice] == ["a"]
    assert advice[0].message.startswith("the funnel in `a`: 30 of the 30 divergent transitions came where sd_a was")
    assert advice[0].fix == "write `param(a) = noncentered` (line 3 makes it centered)"
    assert "divergences" not in problems(report)  # explained by the funnel
    assert not report.ok


def test_divergences_anywhere_are_not_a_funnel():
    sds = {"a": lognormal_sd(1), "b": lognormal_sd(2)}
    diverging = np.zeros((CHAINS, DRAWS), bool)
    diverging.ravel()[np.random.default_rng(3).choice(CHAINS * DRAWS, 30, replace=False)] = True
    report = hierc.diagnose(made_up_fit({"a": 8, "b": 5}, sds, diverging), TWO_CENTERED)
    assert not any(f.found for f in report.funnels)
    assert problems(report)["divergences"] is None
    assert "Raise --target-accept" in report.text()


def test_bambi_is_told_to_make_every_factor_noncentered():
    """Bambi's `noncentered` is one setting for the whole model, so the fix is `param = noncentered`."""
    sds = {"a": lognormal_sd(1), "b": lognormal_sd(2)}
    diverging = np.zeros((CHAINS, DRAWS), bool)
    diverging.ravel()[np.argsort(sds["a"].ravel())[:30]] = True
    report = hierc.diagnose(made_up_fit({"a": 8, "b": 5}, sds, diverging, backend="bambi"), TWO_CENTERED)
    assert [a.fix for a in report.advice if a.problem == "funnel"] == [
        "write `param = noncentered` (line 3 makes it centered)"
    ]


def test_informative_levels_of_a_noncentered_factor_suggest_centered():
    model = hierc.loads("model m\ny ~ 1 + (1 | g)\n")  # noncentered by default
    sds = {"g": 1 + 0.05 * np.random.default_rng(1).normal(size=(CHAINS, DRAWS))}
    quiet = np.zeros((CHAINS, DRAWS), bool)
    pinned = hierc.diagnose(made_up_fit({"g": 6}, sds, quiet, effect_sd=0.1), model)
    assert pinned.shrinkage[0].ratio == pytest.approx(0.1, rel=0.1)
    (advice,) = [a for a in pinned.advice if a.problem == "informative"]
    assert advice.factor == "g" and advice.fix == "add `param(g) = centered` to the spec (the default is noncentered)"
    assert pinned.ok  # a suggestion for speed, not a problem
    loose = hierc.diagnose(made_up_fit({"g": 6}, sds, quiet, effect_sd=0.8), model)
    assert "informative" not in problems(loose)


@pytest.mark.parametrize(
    "stats",
    [
        {"tree_depth": np.where(np.arange(CHAINS * DRAWS).reshape(CHAINS, DRAWS) < 3, 10, 4)},  # Stan
        {"maxdepth_reached": np.arange(CHAINS * DRAWS).reshape(CHAINS, DRAWS) < 3},  # nutpie
        {"reached_max_treedepth": np.arange(CHAINS * DRAWS).reshape(CHAINS, DRAWS) < 3},  # PyMC
    ],
)
def test_tree_depth_saturation_from_every_engine(stats):
    model = hierc.loads("model m\ny ~ 1 + (1 | g)\n")
    fit = made_up_fit({"g": 4}, {"g": lognormal_sd(1)}, np.zeros((CHAINS, DRAWS), bool), **stats)
    report = hierc.diagnose(fit, model)
    assert report.tree_depth_saturated == 3 and problems(report)["tree_depth"] is None


def test_a_chain_stuck_far_out_is_named():
    """Three chains agree on an sd near 0.04; one sits at 40, where a halfnormal(100) prior let it start."""
    model = hierc.loads("model m\ny ~ 1 + (1 | g)\n")
    sd = np.abs(np.random.default_rng(2).normal(0.04, 0.01, (CHAINS, DRAWS)))
    sd[2] += 40
    report = hierc.diagnose(made_up_fit({"g": 4}, {"g": sd}, np.zeros((CHAINS, DRAWS), bool)), model)
    (apart,) = report.apart
    assert (apart.chain, apart.quantity) == (2, "sd_g") and apart.mean == pytest.approx(40.04, abs=0.01)
    (advice,) = [a for a in report.advice if a.problem == "r_hat"]
    assert "disagree. Chain 2 (mean 40) of the 4 sat apart from the others (median 0.0396)" in advice.message
    # chains that merely disagree, none alone: no chain is named
    sd = np.random.default_rng(3).normal(1.0, 0.1, (CHAINS, DRAWS)) + np.array([0, 0, 1, 1])[:, None]
    report = hierc.diagnose(made_up_fit({"g": 4}, {"g": np.abs(sd)}, np.zeros((CHAINS, DRAWS), bool)), model)
    assert report.max_rhat > 1.01 and report.apart == ()


def test_the_report_is_data():
    model = hierc.loads("model m\ny ~ 1 + (1 | g)\n")
    fit = made_up_fit({"g": 4}, {"g": lognormal_sd(1)}, np.zeros((CHAINS, DRAWS), bool))
    report = hierc.diagnose(fit, model)
    data = report.to_dict()
    assert data["chains"] == CHAINS and data["draws"] == DRAWS and data["divergences"] == 0
    assert len(data["e_bfmi"]) == CHAINS and data["e_bfmi"][0] == pytest.approx(2, rel=0.2)  # white-noise energy
    assert data["max_rhat"] < 1.01 and data["min_ess_bulk"] > 1000
    assert data["shrinkage"][0]["parameter"] == "sd_g"
    assert report.ok and report.advice == ()
    assert report.text().splitlines()[0] == "diagnostics"


# ---- real fits -------------------------------------------------------------------------------------


def test_the_centered_fit_on_sparse_data_is_told_about_the_county_funnel():
    model = radon_spec("centered")
    idata = hierc.sample(model, sparse_radon(), "pymc", options=FAST)
    report = hierc.diagnose(idata, model)
    (funnel,) = [a for a in report.advice if a.problem == "funnel"]
    assert funnel.factor == "county"
    assert funnel.fix == "write `param(county) = noncentered` (line 9 makes it centered)"
    assert not report.ok
    # the report names what the user wrote, never the engine's internals (`chol_county`, `sigma_log__`) ...
    shared = tuple(outputs.output_variables(model))
    for label in (report.max_rhat_at, report.min_ess_bulk_at, report.min_ess_tail_at):
        assert label.split("[")[0] in shared, label
    # ... and the summary table shows the same ESS for the same quantity (here an sd, which it lists)
    assert report.min_ess_bulk_at.startswith("sd_county[")
    table = fit_report(idata, outputs.summary_variables(model)).splitlines()
    (row,) = [line for line in table if line.startswith(report.min_ess_bulk_at + " ")]
    assert int(row.split()[-3]) == int(report.min_ess_bulk)


def test_the_noncentered_fit_on_the_same_data_is_not():
    model = radon_spec("noncentered")
    report = hierc.diagnose(hierc.sample(model, sparse_radon(), "pymc", options=FAST), model)
    assert report.funnels == ()  # only centered and zerosum factors have one
    assert not {"funnel", "informative", "divergences", "e_bfmi"} & set(problems(report))
    assert report.divergences == 0 and min(report.e_bfmi) > 0.3


def test_divergences_of_centered_eight_schools_in_stan_point_at_the_funnel():
    text = (ROOT / "specs" / "eight_schools.hm").read_text()
    model = hierc.loads(text.replace("param(school) = noncentered", "param(school) = centered"), "eight_schools.hm")
    options = SampleOptions(chains=4, draws=1000, tune=1000, seed=1)
    report = hierc.diagnose(hierc.sample(model, ROOT / "specs" / "eight_schools.csv", "stan", options=options), model)
    (funnel,) = report.funnels
    assert report.divergences >= 10 and funnel.z >= 3 and funnel.in_lowest_quarter > report.divergences / 2
    assert problems(report)["funnel"] == "school"


def test_informative_groups_of_a_noncentered_fit_suggest_centered():
    rng = np.random.default_rng(5)
    group = np.repeat(np.arange(10), 300)
    frame = pd.DataFrame({"y": rng.normal(rng.normal(0, 1, 10)[group], 0.5), "g": group})
    model = hierc.loads("model pinned\ny ~ 1 + (1 | g)\nparam(g) = noncentered\n")
    report = hierc.diagnose(hierc.sample(model, frame, "pymc", options=FAST), model)
    assert report.shrinkage[0].ratio < 0.1
    assert problems(report)["informative"] == "g"
    assert "write `param(g) = centered` (line 3 makes it noncentered)" in report.text()


def test_cli_prints_the_advice_and_writes_the_plots(tmp_path):
    from matplotlib.image import imread

    data = tmp_path / "sparse.csv"
    sparse_radon().to_csv(data, index=False)
    plots = tmp_path / "plots"
    command = ["sample", "specs/radon_centered.hm", "--data", str(data), "--backend", "pymc", "--chains", "2"]
    command += ["--draws", "300", "--tune", "300", "-o", str(tmp_path / "fit.nc"), "--plots", str(plots)]
    result = run_hierc(*command)
    assert result.returncode == 0, result.stderr
    assert "\ndiagnostics\n  divergent transitions" in result.stdout
    assert "- the funnel in `county`:" in result.stdout
    assert "  fix: write `param(county) = noncentered` (line 9 makes it centered)\n" in result.stdout
    names = sorted(p.name for p in plots.iterdir())
    assert names == ["pair_county.png", "rank.png", "trace.png"]
    for name in names:
        assert f"wrote {plots / name}" in result.stderr
        height, width, _ = imread(plots / name).shape
        assert width >= 800 and height >= 350
    assert run_hierc(*command).returncode == 0  # hierc's own pictures are replaced

    (plots / "rank.png").write_bytes(b"the user's own picture")
    blocked = run_hierc(*command)
    assert blocked.returncode == 2 and "Traceback" not in blocked.stderr
    assert "rank.png: exists and was not written by hierc; pass --force to replace it" in blocked.stderr
    assert (plots / "rank.png").read_bytes() == b"the user's own picture"


def test_plots_of_a_correlated_block_show_each_correlation_once(tmp_path):
    """A correlation matrix's diagonal is 1 up to rounding (as Stan computes it from its Cholesky factor), which
    made the density estimate of the trace plot overflow: the plots show the pairs below the diagonal only."""
    import arviz as az
    import xarray as xr

    model = hierc.load(ROOT / "specs" / "radon.hm")
    rng = np.random.default_rng(0)
    chains, draws, coefficients = 2, 50, ["Intercept", "floor"]
    cor = np.ones((chains, draws, 2, 2))
    cor[:, :, 0, 1] = cor[:, :, 1, 0] = rng.uniform(-0.5, 0.5, (chains, draws))
    cor[:, :, 0, 0] += rng.choice([0.0, 2.2e-16, -1.1e-16], (chains, draws))
    sample = ("chain", "draw")
    posterior = xr.Dataset(
        {
            "Intercept": (sample, rng.normal(size=(chains, draws))),
            "b": ((*sample, "coef"), rng.normal(size=(chains, draws, 1))),
            "sd_county": ((*sample, "county__coef"), rng.uniform(0.1, 1, (chains, draws, 2))),
            "r_county": ((*sample, "county", "county__coef"), rng.normal(size=(chains, draws, 3, 2))),
            "cor_county": ((*sample, "county__coef", "county__coef2"), cor),
            "sigma": (sample, rng.uniform(0.5, 1, (chains, draws))),
        },
        coords={"coef": ["floor"], "county__coef": coefficients, "county__coef2": coefficients, "county": list("abc")},
    )
    stats = xr.Dataset({"diverging": (sample, np.zeros((chains, draws), bool))})
    paths = hierc.plot_diagnostics(az.InferenceData(posterior=posterior, sample_stats=stats), model, tmp_path)
    assert [p.name for p in paths] == ["trace.png", "rank.png", "pair_county.png"]
    assert all(p.stat().st_size > 10_000 for p in paths)
