"""Per-row log-likelihood and posterior predictive, computed after sampling from the posterior's shared names:
the same numbers PyMC computes from its own model, for every family and link of the specs."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import xarray as xr
from scipy import special

import hierc
from conftest import ROOT, SPECS
from fake_data import fake_frame
from hierc import naming
from hierc.families import FAMILIES
from hierc.inference.per_row import add_pointwise, log_likelihood
from hierc.language.vocabulary import PARAM_SUPPORT, Link, ParamClass, Support
from model_variants import FAMILY_LINKS
from test_pymc_fit import run_hierc, zero_sum_data

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pytensor's notice that it found no BLAS
    import pymc as pm

OPTIONS = hierc.SampleOptions(chains=1, draws=20, tune=30, seed=1)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_log_likelihood_is_pymcs(spec):
    model = hierc.load(spec)
    bound = hierc.bind_data(model, fake_frame(model, n=90, levels=6, seed=3))
    idata = hierc.sample(model, bound, "pymc", engine="pymc", options=OPTIONS, likelihood="rows")
    pm_model = hierc.pymc_model(model, bound)
    # PyMC removes the transforms first, which it refuses for a model with initial values (an ordinal model's
    # thresholds start in order); they play no part in the log-likelihood
    pm_model.rvs_to_initial_values = dict.fromkeys(pm_model.rvs_to_initial_values)
    expected = pm.compute_log_likelihood(
        idata.copy(),
        model=pm_model,
        progressbar=False,  # rows by default: observed
    )
    idata = add_pointwise(idata, bound, log_lik=True, predictive=True, seed=2)
    name = naming.names(model).response  # the response's name, in PyMC's model as in the per-row groups
    np.testing.assert_allclose(idata.log_likelihood[name], expected.log_likelihood[name], rtol=1e-10, atol=1e-10)
    assert list(idata.observed_data[name].values) == list(bound.y)
    replicate = idata.posterior_predictive[name].values
    assert replicate.shape == (1, 20, bound.n) and np.isfinite(replicate).all()


def test_predictive_draws_follow_the_model():
    """Replicates from a well-fit gaussian model scatter around the data with the fitted residual sd."""
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    frame = zero_sum_data()
    idata = hierc.sample(model, frame, "pymc", options=hierc.SampleOptions(chains=1, draws=100, tune=200, seed=3))
    assert idata.posterior.attrs["hierc_likelihood"] == "suffstats"  # no per-row term in the sampler's model
    with_replicates = hierc.pointwise(idata, model, frame, log_likelihood=False, predictive=True, seed=4)
    assert "posterior_predictive" not in idata.groups()  # a new object; the posterior is left as it was
    residuals = with_replicates.posterior_predictive["y"].values - frame["y"].to_numpy()
    sigma = float(idata.posterior["sigma"].mean())
    # y_rep - y = e' - e: two independent residuals (plus the small posterior spread of the means)
    assert abs(residuals.std() / (np.sqrt(2) * sigma) - 1) < 0.05
    assert "log_likelihood" not in with_replicates.groups()


def test_sample_cli_prints_loo_and_saves_the_groups(tmp_path):
    import arviz as az

    frame = zero_sum_data()
    frame.to_csv(tmp_path / "data.csv", index=False)
    result = run_hierc(
        "sample", str(ROOT / "specs" / "zerosum_slopes.hm"), "--data", str(tmp_path / "data.csv"),
        "--backend", "stan", "--chains", "1", "--draws", "100", "--tune", "100",
        "--predictive", "-o", str(tmp_path / "fit.nc"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # ArviZ's threshold for 100 draws: min(1 - 1 / log10(100), 0.7) = 0.5
    loo = r"^LOO: elpd_loo (-?[\d.]+) \(se [\d.]+\), p_loo [\d.]+; Pareto k above 0\.5 at \d+ of (\d+) rows$"
    match = re.search(loo, result.stdout, re.MULTILINE)
    assert match and int(match.group(2)) == len(frame)
    saved = az.from_netcdf(tmp_path / "fit.nc")
    assert saved.posterior.attrs["hierc_likelihood"] == "suffstats"
    assert saved.log_likelihood["y"].shape == (1, 100, len(frame))
    assert saved.posterior_predictive["y"].shape == (1, 100, len(frame))
    assert float(saved.log_likelihood["y"].sum(axis=2).mean()) == pytest.approx(float(match.group(1)), rel=0.05)
    # ArviZ's own functions, on the file as it is
    assert az.loo(saved).elpd_loo == pytest.approx(float(match.group(1)), abs=0.05)
    assert list(az.compare({"a": saved, "b": saved}).index) in (["a", "b"], ["b", "a"])
    import matplotlib

    matplotlib.use("Agg")
    az.plot_ppc(saved, num_pp_samples=20)
    matplotlib.pyplot.savefig(tmp_path / "ppc.png")
    assert (tmp_path / "ppc.png").stat().st_size > 10_000
    np.testing.assert_array_equal(saved.observed_data["y"].values, frame["y"].to_numpy())
    without = run_hierc(
        "sample", str(ROOT / "specs" / "zerosum_slopes.hm"), "--data", str(tmp_path / "data.csv"),
        "--backend", "stan", "--chains", "1", "--draws", "100", "--tune", "100", "--no-log-likelihood",
        "-o", str(tmp_path / "fit.nc"),
    )  # fmt: skip
    assert without.returncode == 0 and "LOO" not in without.stdout
    assert "log_likelihood" not in az.from_netcdf(tmp_path / "fit.nc").groups()


@pytest.mark.parametrize(("family", "link"), FAMILY_LINKS, ids=lambda v: v.value)
def test_every_family_and_links_reference_is_pymcs_log_density(family, link):
    """The NumPy/SciPy reference of each family and link (used after sampling, for every backend) against
    PyMC's own per-row log density of hierc's model, at a few draws."""
    response = "y | trials(n)" if FAMILIES[family].needs_trials else "y"
    model = hierc.loads(f"{response} ~ 1\nfamily {family.value}(link = {link.value})\n")
    bound = hierc.bind_data(model, fake_frame(model, n=40, seed=5))
    pm_model = hierc.pymc_model(model, bound)
    per_row = pm_model.compile_logp(vars=pm_model.observed_RVs, sum=False, mode="FAST_COMPILE")
    rng = np.random.default_rng(2)
    aux = [cls.value for cls in FAMILIES[family].auxiliary_classes]
    probabilities = {name for name in aux if PARAM_SUPPORT[ParamClass(name)] is Support.UNIT}  # zi, hu
    thresholds = FAMILIES[family].thresholds  # 3 of them, ordered
    draws = {"Intercept": np.sort(rng.uniform(-1.5, 1.5, (3, 3))) if thresholds else rng.uniform(-0.8, 0.8, 3)}
    draws |= {name: rng.uniform(0.1, 0.9, 3) if name in probabilities else rng.uniform(1.2, 3.5, 3) for name in aux}
    posterior = xr.Dataset(
        {name: (["chain", "draw", *(["threshold"] * (v.ndim - 1))], v[None]) for name, v in draws.items()}
    )
    ours = log_likelihood(posterior, bound)[0]
    for d in range(3):
        point = {"Intercept": draws["Intercept"][d]}
        if thresholds:  # the ordered transform's free values
            c = draws["Intercept"][d]
            point = {"Intercept_ordered__": np.concatenate([c[:1], np.log(np.diff(c))])}
        for name in aux:
            if name in probabilities:
                point[f"{name}_logodds__"] = special.logit(draws[name][d])
            else:
                point[f"{name}_log__"] = np.log(draws[name][d])
        np.testing.assert_allclose(ours[d], per_row(point)[0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("family", "link"), FAMILY_LINKS, ids=lambda v: v.value)
def test_every_familys_replicates_follow_its_density_and_expected_response(family, link):
    """The reference's `draw` (posterior predictive) against its own `log_density` and `expected` (the
    prediction of the mean): 200,000 draws at one mean; the sample mean, and for counts the frequency of
    each common value, within 5 standard errors."""
    from hierc.families import Rows
    from hierc.inference.per_row import _INVERSE_LINK

    reference = FAMILIES[family].reference
    n, trials = 200_000, 7
    eta = 1.5 if link is Link.IDENTITY else 0.4
    values = {"sigma": 0.8, "nu": 5.0, "phi": 3.0, "shape": 2.5, "zi": 0.3, "hu": 0.4}
    aux = {cls.value: np.full(n, values[cls.value]) for cls in FAMILIES[family].auxiliary_classes}
    mean = np.full(n, _INVERSE_LINK[link](eta))
    if FAMILIES[family].thresholds:  # the mean is P(y <= k) at each threshold k
        aux["thresholds"] = np.tile([-0.8, 0.3, 1.5], (n, 1))
        mean = _INVERSE_LINK[link](aux["thresholds"] - eta)
    rows = Rows(y=None, se=None, trials=np.full(n, trials))
    y = reference.draw(np.random.default_rng(11), rows, mean, aux)
    expected = (reference.expected or (lambda rows, mean, aux: mean))(rows, mean, aux)[0]
    assert abs(y.mean() - expected) < 5 * y.std() / np.sqrt(n), (y.mean(), expected)
    if FAMILIES[family].response.integer:
        seen, counts = np.unique(y, return_counts=True)
        common = seen[counts >= 500]
        k = len(common)
        rows_k = Rows(y=common, se=None, trials=np.full(k, trials))
        p = np.exp(reference.log_density(rows_k, np.full(k, eta), mean[:k], {a: v[:k] for a, v in aux.items()}))
        frequency = counts[counts >= 500] / n
        np.testing.assert_array_less(np.abs(frequency - p), 5 * np.sqrt(p * (1 - p) / n))
