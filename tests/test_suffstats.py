"""The likelihood from sufficient statistics is the row-by-row likelihood: the same log density, normalizing
constant included, at random points, for every gaussian spec in both encodings and both backends; and the
same draws."""

from __future__ import annotations

import json

import numpy as np
import pytest
import stan

import hierc
from conftest import ROOT, SPECS
from fake_data import fake_frame
from hierc.backends.pymc.model import pymc_model
from hierc.backends.stan.codegen import stan_program
from hierc.backends.stan.data import plain, stan_data
from hierc.data.suffstats import uses_suffstats, why_not
from pymc_helpers import assert_formatted_and_lint_clean, import_script, logp_function, random_points
from test_pymc_fit import radon_like, run_hierc, zero_sum_data

GAUSSIAN = [spec for spec in SPECS if why_not(hierc.load(spec)) is None]
MORE = {
    "no_groups": "model no_groups\ny ~ 1 + x + C(a)\n",
    "no_intercept": "model no_intercept\ny ~ 0 + x + (0 + x | g)\n",
    "categorical_slopes": "model categorical_slopes\ny ~ 1 + x + C(a) + (1 + C(a) || g)\nparam = centered\n",
    "known_se_slopes": "model known_se_slopes\ny | se(s) ~ 1 + x + (1 + x | g)\n",
}


def models():
    yield from ((spec.stem, hierc.load(spec)) for spec in GAUSSIAN)
    yield from ((name, hierc.loads(text)) for name, text in MORE.items())


def bound_data(model):
    frame = fake_frame(model, n=240, levels=12, seed=3)
    if model.response.se is not None:
        frame[model.response.se] = np.random.default_rng(1).uniform(0.5, 3, len(frame))
    return hierc.bind_data(model, frame)


def test_every_gaussian_spec_is_covered():
    assert [spec.stem for spec in GAUSSIAN] == ["eight_schools", "radon", "radon_centered", "zerosum_slopes"]


@pytest.mark.parametrize("encoding", ["vectorized", "unrolled"])
@pytest.mark.parametrize(("name", "model"), list(models()), ids=[name for name, _ in models()])
def test_same_log_density_as_row_by_row(name, model, encoding):
    bound = bound_data(model)
    rows, suffstats = pymc_model(bound, encoding), pymc_model(bound, encoding, suffstats=True)
    assert not any(v.name == "y" for v in suffstats.observed_RVs)  # no per-row term in the sampler's density
    by_rows, by_statistics = logp_function(rows), logp_function(suffstats)
    for point in random_points(rows):
        np.testing.assert_allclose(by_statistics(point), by_rows(point), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(("name", "model"), list(models()), ids=[name for name, _ in models()])
def test_compressed_rows_have_every_level_s_sum_of_squares(name, model):
    """The rows Stan reads, compressed per level: for random coefficients, the sum over them of (Y - W theta)^2
    (divided by se^2 where known), plus SS_rest, is the sum over the rows themselves."""
    from hierc import naming
    from hierc.data.model_inputs import model_inputs
    from hierc.data.suffstats import compressed_rows

    bound = bound_data(model)
    rows, compressed = model_inputs(bound), compressed_rows(bound)
    names = naming.names(model)
    X = rows.get("X")
    if X is not None and model.intercept:  # the program centres X
        X = X - X.mean(axis=0)
    rng = np.random.default_rng(6)
    for _ in range(4):
        intercept = rng.normal() if model.intercept else 0.0
        b = rng.normal(size=X.shape[1]) if X is not None else None
        mu = intercept + (X @ b if b is not None else 0.0)
        mu_qr = intercept * compressed.get("intercept_qr", 0.0) + (compressed["X_qr"] @ b if b is not None else 0.0)
        for block in model.groups:
            G, group = names.group(block.factor.label), bound.groups[block.factor.label]
            r = rng.normal(size=(len(group.levels), len(bound.group_coefficient_names(block.factor.label))))
            level, level_qr = group.index, compressed[G.J_qr] - 1
            ones, ones_qr = np.ones(bound.n), compressed.get("intercept_qr")
            Z = [ones[:, None]] if block.intercept else []
            Z_qr = [ones_qr[:, None]] if block.intercept else []
            if block.terms:
                Z, Z_qr = Z + [rows[G.Z]], Z_qr + [compressed[G.Z_qr]]
            mu = mu + (r[level] * np.hstack(Z)).sum(axis=1)
            mu_qr = mu_qr + (r[level_qr] * np.hstack(Z_qr)).sum(axis=1)
        scale = bound.se if bound.se is not None else 1.0
        by_rows = (((bound.y - mu) / scale) ** 2).sum()
        by_compressed = ((compressed["Y_qr"] - mu_qr) ** 2).sum() + compressed["SS_rest"]
        assert by_compressed == pytest.approx(by_rows, rel=1e-12)
    if name == "radon":  # a slope that is also a population-level term: the rank of W, 2 rows per level (not 3)
        assert compressed["N_qr"] == 2 * len(bound.groups["county"].levels)


# Stan: every spec vectorized; unrolled, where the linear predictor is built term by term, for a few. Each case
# builds two programs (about 45 s each): the default run keeps a correlated block with QR and a zero-sum one, the
# full matrix (known se, unrolled, ...) runs with `-m equivalence`. The rows they read are checked for every model
# above, without Stan.
DEFAULT_STAN_CASES = {
    ("radon", "vectorized"),
    ("zerosum_slopes", "vectorized"),
}
STAN_CASES = [(name, model, "vectorized") for name, model in models()]
STAN_CASES += [(name, model, "unrolled") for name, model in models() if name in ("zerosum_slopes", "known_se_slopes")]
STAN_CASES = [
    pytest.param(
        name,
        model,
        encoding,
        id=f"{name}-{encoding}",
        marks=() if (name, encoding) in DEFAULT_STAN_CASES else pytest.mark.equivalence,
    )
    for name, model, encoding in STAN_CASES
]


def stan_point(posterior: stan.model.Model) -> np.ndarray:
    """An unconstrained point of the program: Stan's random initial values, one draw without warm-up."""
    fit = posterior.sample(num_chains=1, num_samples=1, num_warmup=0)
    values = {name: np.asarray(fit[name])[..., 0].reshape(fit.dims[i]) for i, name in enumerate(fit.param_names)}
    return np.asarray(posterior.unconstrain_pars({k: v.tolist() for k, v in values.items()}))


@pytest.mark.parametrize(("name", "model", "encoding"), STAN_CASES)
def test_stan_same_log_density_as_row_by_row(name, model, encoding):
    """Stan's `Y ~ normal(...)` drops the constants -N log(2 pi) / 2 (and -sum log se), which the program from
    statistics keeps: the two differ by exactly that, at every point."""
    bound = bound_data(model)
    rows = stan.build(stan_program(model, encoding), data=plain(stan_data(bound)), random_seed=1)
    data = stan_data(bound, rows=False, statistics=True)
    assert not {"Y", "X", "se"} & data.keys() and not any(k.startswith(("J_", "Z_")) for k in data if "_qr" not in k)
    suffstats = stan.build(stan_program(model, encoding, suffstats=True), data=plain(data), random_seed=1)
    constant = -0.5 * bound.n * np.log(2 * np.pi) - (np.log(bound.se).sum() if bound.se is not None else 0)
    start, rng = stan_point(rows), np.random.default_rng(2)
    for _ in range(5):
        point = (start + rng.normal(0, 0.4, start.size)).tolist()
        for jacobian in (True, False):
            by_rows = rows.log_prob(point, adjust_transform=jacobian)
            np.testing.assert_allclose(suffstats.log_prob(point, jacobian) - constant, by_rows, rtol=1e-12, atol=1e-9)


def test_stan_data_fit_either_program(tmp_path):
    """`hierc data` writes the rows and, where the statistics apply, the statistics, so that the data file fits
    the program `hierc compile` writes with either likelihood."""
    frame = radon_like(counties=10, per_county=6)
    frame.to_csv(tmp_path / "radon.csv", index=False)
    written = {}
    for likelihood in ("auto", "rows", "suffstats"):
        result = run_hierc("data", "specs/radon.hm", "--data", str(tmp_path / "radon.csv"), "--likelihood", likelihood)
        assert result.returncode == 0, result.stderr
        written[likelihood] = json.loads(result.stdout)
    compressed = {"N_qr", "Y_qr", "intercept_qr", "X_qr", "J_county_qr", "Z_county_qr", "SS_rest"}
    assert {"Y", "X", "J_county", "Z_county", "means_X"} | compressed <= written["auto"].keys()
    assert not compressed & written["rows"].keys() and "Y" not in written["suffstats"]
    assert written["auto"]["Y_qr"] == written["suffstats"]["Y_qr"] and written["auto"]["Y"] == written["rows"]["Y"]
    visits = ROOT / "specs" / "visits_poisson.hm"
    fake_frame(hierc.load(visits), n=50, levels=5, seed=1).to_csv(tmp_path / "visits.csv", index=False)
    poisson = run_hierc("data", str(visits), "--data", str(tmp_path / "visits.csv"))
    assert poisson.returncode == 0 and "Y_qr" not in json.loads(poisson.stdout)


def test_the_control_differs():
    """The test above would notice a wrong statistic: drop one row's contribution and the densities part."""
    model = hierc.load(ROOT / "specs" / "radon.hm")
    frame = fake_frame(model, n=240, levels=12, seed=3)
    rows = pymc_model(hierc.bind_data(model, frame), "vectorized")
    fewer = pymc_model(hierc.bind_data(model, frame.iloc[1:]), "vectorized", suffstats=True)
    point = random_points(rows)[0]
    assert abs(logp_function(rows)(point) - logp_function(fewer)(point)) > 0.1


def test_where_it_applies():
    assert why_not(hierc.load(ROOT / "specs" / "visits_poisson.hm")).startswith("the poisson family with log link")
    two = hierc.loads("model two\ny ~ 1 + (1 | a) + (1 | b)\n")
    assert why_not(two) == "the group-level terms belong to 2 grouping factors (`a`, `b`), not one"
    assert why_not(hierc.loads("model crossed\ny ~ 1 + (1 | a/b)\n")) is not None  # nested: two factors


def test_auto_chooses_by_cost():
    """levels x P^2 operations against rows x P: sufficient statistics when rows outnumber levels x P."""
    model = hierc.load(ROOT / "specs" / "radon.hm")  # P = 4: 1, floor, 1, floor
    dense = hierc.bind_data(model, radon_like(counties=20, per_county=15))  # 300 rows > 20 x 4
    sparse = hierc.bind_data(model, radon_like(counties=80, per_county=3))  # 240 rows < 80 x 4
    assert uses_suffstats(model, "auto", dense) and not uses_suffstats(model, "auto", sparse)
    assert uses_suffstats(model, "auto") and not uses_suffstats(model, "rows", dense)


def test_same_draws_as_row_by_row():
    """The same density, so the same seed gives the same draws, up to rounding (here the sampler's trajectories
    stay close; in a funnel they can part, as any rounding change can)."""
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    options = hierc.SampleOptions(chains=1, draws=200, tune=200, seed=5)
    rows = hierc.sample(model, zero_sum_data(), "pymc", options=options)
    suffstats = hierc.sample(model, zero_sum_data(), "pymc", options=options, likelihood="suffstats")
    assert suffstats.posterior.attrs["hierc_likelihood"] == "suffstats"
    for name in ("b", "sd_group", "sigma", "r_group"):
        np.testing.assert_allclose(suffstats.posterior[name], rows.posterior[name], atol=1e-6)


def test_scripts_read_like_hand_written_code_and_run_on_their_own(tmp_path):
    frame = radon_like(counties=10, per_county=6)
    model = hierc.load(ROOT / "specs" / "radon.hm")
    for spec in GAUSSIAN:
        for encoding in ("vectorized", "unrolled"):
            code = hierc.compile_model(hierc.load(spec), "pymc", encoding, likelihood="suffstats")
            assert "sufficient_statistics(" in code and "pm.Potential(" in code
            (tmp_path / f"{spec.stem}_{encoding}.py").write_text(code)
    assert_formatted_and_lint_clean(tmp_path)
    script = import_script(tmp_path / "radon_vectorized.py", "radon_suffstats_script")
    in_process = pymc_model(hierc.bind_data(model, frame), "vectorized", suffstats=True)
    point = random_points(in_process)[0]
    np.testing.assert_allclose(logp_function(script.build_model(frame))(point), logp_function(in_process)(point))


def test_cli_refuses_what_does_not_apply():
    poisson = run_hierc("compile", "specs/visits_poisson.hm", "--backend", "pymc", "--likelihood", "suffstats")
    assert poisson.returncode == 2 and "Traceback" not in poisson.stderr
    assert poisson.stderr == (
        "error: --likelihood suffstats does not apply: the poisson family with log link has no sufficient "
        "statistics here\n"
    )
    bambi = run_hierc("compile", "specs/radon.hm", "--backend", "bambi", "--likelihood", "suffstats")
    assert bambi.returncode == 2 and "the bambi backend computes the likelihood row by row" in bambi.stderr
    auto = run_hierc("compile", "specs/visits_poisson.hm", "--backend", "pymc", "--likelihood", "auto")
    assert auto.returncode == 0 and "pm.Poisson(" in auto.stdout
