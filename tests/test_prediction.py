"""Predictions for new rows: coded as the fitted rows were, levels matched by label, new levels by choice.

The reference for a prediction is computed here by hand from the posterior's labelled coordinates
(`r_g.sel(g="c05")`, `b.sel(coef="c[q]")`) and the fitted data's own mean and sd, never from hierc's
level numbering or its binding of the new rows.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

import hierc
from conftest import ROOT
from fake_data import fake_frame
from hierc import naming
from hierc.data.design import bind
from hierc.inference.prediction import record_coding
from test_pymc_fit import run_hierc

OPTIONS = hierc.SampleOptions(chains=1, draws=20, tune=30, seed=1)
SPEC = "y ~ 1 + x + C(c) + scale(z) + (1 + x | g)\n"


def radon_like(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n).round(3),
            "z": rng.uniform(1, 5, n).round(3),
            "c": rng.choice(["p", "q", "r"], n),
            "g": rng.choice([f"c{i:02d}" for i in range(12)], n),
        }
    )
    effect = {f"c{i:02d}": 0.3 * (i - 6) for i in range(12)}
    frame["y"] = (1 + 0.5 * frame.x + frame.g.map(effect) + rng.normal(size=n)).round(3)
    return frame


# every backend's posterior, under the shared names (Bambi has no correlated block: `||` there)
FITS = {"pymc": ("pymc", SPEC), "stan": ("pystan", SPEC), "bambi": ("pymc", SPEC.replace("|", "||"))}
_FITTED: dict = {}


def fit(backend: str):
    if backend not in _FITTED:
        engine, spec = FITS[backend]
        model, frame = hierc.loads(spec), radon_like()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITTED[backend] = model, frame, hierc.sample(model, frame, backend, engine=engine, options=OPTIONS)
    return _FITTED[backend]


@pytest.fixture(scope="module", params=list(FITS))
def every_backend(request):
    return fit(request.param)


@pytest.fixture(scope="module")
def fitted():
    return fit("pymc")


def by_hand(idata, fit_frame: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """The expected response of each row, per draw, from labelled coordinates and the fitted z's moments."""
    post = idata.posterior.stack(sample=("chain", "draw"))
    z = (rows.z - fit_frame.z.mean()) / fit_frame.z.std(ddof=1)
    out = []
    for (_, row), z_row in zip(rows.iterrows(), z, strict=True):
        b = post["b"]
        eta = post["b_Intercept"] + b.sel(coef="x") * row.x + b.sel(coef="scale(z)") * z_row
        if row.c != "p":
            eta = eta + b.sel(coef=f"c[{row.c}]")
        r = post["r_g"].sel(g=row.g)
        eta = eta + r.sel(g__coef="Intercept") + r.sel(g__coef="x") * row.x
        out.append(eta.values)
    return np.array(out).T  # draws x rows


def test_a_few_rows_of_some_levels_get_those_levels_effects(every_backend):
    """The reported bug: rows of c05 and c11 alone were given the effects of c00 and c01."""
    model, frame, idata = every_backend
    rows = frame[frame.g.isin(["c05", "c11"])].iloc[[3, 0, 2, 1]]  # held-out order, two levels only
    predicted = hierc.predict(idata, model, rows)
    values = predicted.predictions["y"].values.reshape(-1, len(rows))
    np.testing.assert_allclose(values, by_hand(idata, frame, rows), rtol=1e-12, atol=1e-12)
    assert list(predicted.predictions[naming.OBS_DIM].values) == list(rows.index)


def test_prediction_on_the_fitted_rows_is_the_fitted_mean(every_backend):
    model, frame, idata = every_backend
    values = hierc.predict(idata, model, frame.drop(columns="y")).predictions["y"].values
    np.testing.assert_allclose(values.reshape(-1, len(frame)), by_hand(idata, frame, frame), rtol=1e-12, atol=1e-12)


def test_the_per_row_log_likelihood_of_some_rows_is_theirs_in_the_whole(fitted):
    model, frame, idata = fitted
    whole = hierc.pointwise(idata, model, frame).log_likelihood["y"].values
    some = frame.iloc[[17, 4, 150]]
    part = hierc.pointwise(idata, model, some).log_likelihood["y"].values
    np.testing.assert_allclose(part, whole[:, :, [17, 4, 150]], rtol=1e-12)
    one = hierc.pointwise(idata, model, frame.iloc[[4]]).log_likelihood["y"].values  # every column constant
    np.testing.assert_allclose(one, whole[:, :, [4]], rtol=1e-12)
    assert "log_likelihood" not in idata.groups()  # the posterior is left as it was


def test_unseen_levels_are_errors_with_their_line_unless_asked_for(fitted):
    model, frame, idata = fitted
    rows = frame.head(5).copy()
    rows.loc[rows.index[[1, 3]], "g"] = "c99"
    with pytest.raises(hierc.DataError) as caught:
        hierc.predict(idata, model, rows)
    message = caught.value.render()
    assert message.startswith("<data>:3: error: the level 'c99' of `g` is not among the levels the model was fitted")
    assert "(also on lines 5)" in message and "--new-levels sample" in message
    with pytest.raises(hierc.DataError, match="the level 'c99' of `g` is not among") as caught:
        hierc.pointwise(idata, model, rows)
    assert caught.value.hint.startswith("the per-row log-likelihood and replicates are for the levels")
    population = hierc.predict(idata, model, rows, new_levels="population").predictions["y"].values
    post = idata.posterior.stack(sample=("chain", "draw"))
    expected = (
        by_hand(idata, frame, frame.head(5))[:, 1]
        - (
            post["r_g"].sel(g=frame.g.iloc[1], g__coef="Intercept")
            + post["r_g"].sel(g=frame.g.iloc[1], g__coef="x") * frame.x.iloc[1]
        ).values
    )
    np.testing.assert_allclose(population.reshape(-1, 5)[:, 1], expected, rtol=1e-12)
    rows.loc[rows.index[2], "c"] = "s"
    with pytest.raises(hierc.DataError, match=r"^`C\(c\)` has a level the model was not fitted with: 's'"):
        hierc.predict(idata, model, rows, new_levels="sample")


def test_a_new_level_of_a_correlated_block_has_the_population_spread():
    """With fixed sds (1, 0.5) and correlation 0.6, a new level's effect at x has variance
    1 + 0.25 x^2 + 2 * 0.6 * 0.5 x; rows of one new level share one effect, two new levels differ."""
    model, frame = hierc.loads(SPEC), radon_like()
    bound = bind(model, frame)
    draws = 8000
    idata = _posterior(bound, draws, sd=(1.0, 0.5), rho=0.6)
    rows = pd.DataFrame({"x": [2.0, 0.0, 2.0], "z": 3.0, "c": "p", "g": ["new1", "new1", "new2"]})
    sampled = hierc.predict(idata, model, rows, new_levels="sample", seed=5).predictions["y"].values[0]
    population = hierc.predict(idata, model, rows, new_levels="population").predictions["y"].values[0]
    effect = sampled - population
    # Monte Carlo: the sd of a variance estimate from 8,000 normal draws is about 1.6% of it; 5% is 3 sds
    assert np.var(effect[:, 0]) == pytest.approx(1 + 0.25 * 4 + 2 * 0.6 * 0.5 * 2, rel=0.05)
    assert np.var(effect[:, 1]) == pytest.approx(1.0, rel=0.05)
    intercept, slope = effect[:, 1], (effect[:, 0] - effect[:, 1]) / 2  # same level: one effect vector
    assert np.var(slope) == pytest.approx(0.25, rel=0.05)
    assert np.corrcoef(intercept, slope)[0, 1] == pytest.approx(0.6, abs=0.03)
    assert abs(np.corrcoef(effect[:, 0], effect[:, 2])[0, 1]) < 0.05  # two new levels: independent


def _posterior(bound, draws: int, sd, rho):
    """A posterior of SPEC's shape with fixed sds and correlation of the `g` block and zero elsewhere."""
    import arviz as az

    levels = list(bound.groups["g"].levels)
    coefs = ["Intercept", "x"]
    cor = np.array([[1.0, rho], [rho, 1.0]])
    shape = (1, draws)
    posterior = {
        "b_Intercept": np.zeros(shape),
        "b": np.zeros((*shape, bound.X.width)),
        "sd_g": np.broadcast_to(np.array(sd), (*shape, 2)).copy(),
        "cor_g": np.broadcast_to(cor, (*shape, 2, 2)).copy(),
        "r_g": np.zeros((*shape, len(levels), 2)),
        "sigma": np.ones(shape),
    }
    idata = az.from_dict(
        posterior=posterior,
        coords={"coef": list(bound.X.names), "g": levels, "g__coef": coefs, "g__coef2": coefs},
        dims={"b": ["coef"], "sd_g": ["g__coef"], "cor_g": ["g__coef", "g__coef2"], "r_g": ["g", "g__coef"]},
    )
    record_coding(idata, bound)
    return idata


def test_the_expected_response_of_the_families_that_are_not_their_mean():
    """binomial: trials * p (brms's posterior_epred); lognormal: exp(mu + sigma^2 / 2)."""
    for spec, frame, expected in [
        (
            "y | trials(n) ~ 1 + x\nfamily binomial",
            pd.DataFrame({"x": [0.0, 1.0, 2.0], "n": [10, 20, 30], "y": [1, 2, 3]}),
            lambda eta, rows: rows.n.to_numpy() * special.expit(eta),
        ),
        (
            "y ~ 1 + x\nfamily lognormal",
            pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, 2.0, 3.0]}),
            lambda eta, rows: np.exp(eta + 0.5**2 / 2),
        ),
    ]:
        import arviz as az

        model = hierc.loads(spec)
        bound = bind(model, frame)
        idata = az.from_dict(
            posterior={
                "b_Intercept": np.full((1, 4), 0.2),
                "b": np.full((1, 4, 1), 0.3),
                "sigma": np.full((1, 4), 0.5),
            },
            coords={"coef": ["x"]},
            dims={"b": ["coef"]},
        )
        record_coding(idata, bound)
        values = hierc.predict(idata, model, frame).predictions["y"].values[0]
        np.testing.assert_allclose(values, np.broadcast_to(expected(0.2 + 0.3 * frame.x.to_numpy(), frame), (4, 3)))


def test_a_posterior_of_another_formula_is_refused(fitted):
    _, frame, idata = fitted
    with pytest.raises(hierc.BackendError, match=r"the posterior was fitted with `y ~ 1 \+ x \+ C\(c\)"):
        hierc.predict(idata, hierc.loads("y ~ 1 + x + (1 + x | g)\n"), frame)


def test_predict_from_the_command_line(tmp_path):
    frame = radon_like()
    frame.to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "m.hm").write_text(SPEC)
    fit = run_hierc(
        "sample", str(tmp_path / "m.hm"), "--data", str(tmp_path / "data.csv"), "--backend", "pymc",
        "--engine", "pymc", "--chains", "1", "--draws", "20", "--tune", "30", "-o", str(tmp_path / "fit.nc"),
    )  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    new = frame.head(3).drop(columns="y").assign(g=["c05", "c99", "c05"])
    new.to_csv(tmp_path / "new.csv", index=False)
    command = ["predict", str(tmp_path / "m.hm"), "--posterior", str(tmp_path / "fit.nc"), "--data"]
    refused = run_hierc(*command, str(tmp_path / "new.csv"))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"{tmp_path / 'new.csv'}:3: error: the level 'c99' of `g`")
    result = run_hierc(
        *command, str(tmp_path / "new.csv"), "--new-levels", "sample", "--kind", "response", "-o",
        str(tmp_path / "pred.nc"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "y: draws of the response, 20 draws"
    assert lines[1].split() == ["mean", "sd", "5%", "95%"] and lines[2].split() == ["row"]
    assert [line.split()[0] for line in lines[3:6]] == ["0", "1", "2"]
    assert lines[6] == "new levels of `g` (sample): 'c99'"
    import arviz as az

    saved = az.from_netcdf(tmp_path / "pred.nc")
    assert saved.predictions["y"].shape == (1, 20, 3)
    assert json.loads(saved.predictions.attrs["hierc_unseen"]) == {"g": ["c99"]}
    again = run_hierc(
        *command, str(tmp_path / "new.csv"), "--new-levels", "population", "-o", str(tmp_path / "pred.nc")
    )
    assert again.returncode == 0, again.stderr  # hierc's own file: replaced without --force


def test_an_offset_is_read_from_the_new_rows():
    """visits_poisson has `offset(log(population))`: the expected count of a row is proportional to its
    population, draw by draw, since the offset is the new data's and has no coefficient."""
    model = hierc.load(ROOT / "specs" / "visits_poisson.hm")
    frame = fake_frame(model, n=80, levels=5, seed=2)
    idata = hierc.sample(model, frame, "pymc", options=OPTIONS)
    rows = frame.head(6).copy()
    doubled = rows.assign(population=2 * rows["population"])
    name = naming.names(model).response
    once = hierc.predict(idata, model, rows).predictions[name].values
    twice = hierc.predict(idata, model, doubled).predictions[name].values
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-12)
