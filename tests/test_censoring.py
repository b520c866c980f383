"""Censored responses, `y | cens(c)` and `y | cens(c, y2)`, as brms's: a row's code says what is known of its
value: exactly y (none, 0), above y (right, 1), at most y (left, -1), or in (y, y2] (interval, 2). And
truncated ones, `y | trunc(lb = L, ub = U)`: each row's density over the probability of its range.

PyMC's censored likelihood and hierc's per-row reference are checked against SciPy's distributions, written
here for each family (their parameterizations as in test_pymc_codegen's densities); Stan's cdfs against SciPy
in test_stan_fit's batch program; Stan against PyMC on an example spec in test_backends_agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import special, stats

import hierc
from conftest import ROOT
from fake_data import fake_frame
from hierc.backends import features
from hierc.backends.pymc.model import pymc_model
from hierc.backends.stan.codegen import stan_program
from hierc.data.design import bind
from hierc.errors import DataError
from hierc.families import FAMILIES
from hierc.inference.per_row import log_likelihood
from hierc.language.vocabulary import Family, Link
from test_pymc_fit import FAST, assert_recovered
from test_stan_codegen import _stanc

CENSORABLE = [family for family, declaration in FAMILIES.items() if declaration.censorable]
AUX = {"sigma": 1.3, "nu": 5.0, "phi": 3.0, "shape": 2.2}


def scipy_distribution(family: Family, mean, aux: dict, trials=None):
    """The family's distribution of y given its mean, in SciPy's terms (brms's parameterizations)."""
    match family:
        case Family.GAUSSIAN:
            return stats.norm(mean, aux["sigma"])
        case Family.STUDENT_T:
            return stats.t(aux["nu"], mean, aux["sigma"])
        case Family.BINOMIAL:
            return stats.binom(trials, mean)
        case Family.POISSON:
            return stats.poisson(mean)
        case Family.NEGBINOMIAL:
            return stats.nbinom(aux["phi"], aux["phi"] / (aux["phi"] + mean))
        case Family.LOGNORMAL:
            return stats.lognorm(aux["sigma"], scale=np.exp(mean))
        case Family.GAMMA:
            return stats.gamma(aux["shape"], scale=mean / aux["shape"])
        case Family.EXPONENTIAL:
            return stats.expon(scale=mean)
        case Family.WEIBULL:
            return stats.weibull_min(aux["shape"], scale=mean / special.gamma(1 + 1 / aux["shape"]))
        case Family.BETA:
            return stats.beta(mean * aux["phi"], (1 - mean) * aux["phi"])
    raise AssertionError(family)


def censored_by_scipy(distribution, y, codes, upper) -> np.ndarray:
    """Each row's log probability of what is known of its value."""
    exact = distribution.logpmf(y) if hasattr(distribution, "logpmf") else distribution.logpdf(y)
    with np.errstate(divide="ignore"):  # the difference of whichever tail's probabilities is the larger
        upper_tail = distribution.cdf(y) > 0.5
        interval = np.where(
            upper_tail,
            np.log(distribution.sf(y) - distribution.sf(upper)),
            np.log(distribution.cdf(upper) - distribution.cdf(y)),
        )
    return np.select(
        [codes == 0, codes == 1, codes == -1, codes == 2],
        [exact, distribution.logsf(y), distribution.logcdf(y), interval],
    )


def _spec(family: Family) -> str:
    trials = " + trials(n)" if FAMILIES[family].needs_trials else ""
    return f"y | cens(c, up){trials} ~ 1 + x\nfamily {family.value}\n"


def at_a_point(model, bound):
    """PyMC's log density of each row at one point, SciPy's distribution of each row there, and the point as a
    one-draw posterior (for hierc's per-row reference)."""
    pm_model = pymc_model(bound)
    intercept, slope = (0.4, 0.2) if model.link is not Link.IDENTITY else (1.1, 0.3)
    point = pm_model.initial_point() | {"Intercept": np.array(intercept), "b": np.array([slope])}
    aux = {name: AUX[name] for name in AUX if f"{name}_log__" in point}
    point |= {f"{name}_log__": np.array(np.log(value)) for name, value in aux.items()}
    rows = pm_model.compile_logp(vars=pm_model.observed_RVs, sum=False, mode="FAST_COMPILE")(point)[0]
    x = bound.X.matrix[:, 0]
    b_intercept = intercept - slope * x.mean()  # hierc's intercept is at the mean of x
    eta = b_intercept + slope * x
    mean = {Link.IDENTITY: eta, Link.LOG: np.exp(eta), Link.LOGIT: special.expit(eta)}[model.link]
    draws = {"Intercept": [intercept], "b_Intercept": [b_intercept], "b": [[slope]], **{k: [v] for k, v in aux.items()}}
    posterior = xr.Dataset(
        {k: (["chain", "draw", *(["coef"] if k == "b" else [])], np.array([v])) for k, v in draws.items()}
    )
    return rows, scipy_distribution(model.family, mean, aux, bound.trials), posterior


@pytest.mark.parametrize("family", CENSORABLE, ids=lambda f: f.value)
def test_pymc_and_the_per_row_reference_have_scipys_censored_log_density(family):
    """At one point: PyMC's censored likelihood row by row, and hierc's per-row log-likelihood (the reference
    used after sampling) for the same values, against SciPy; every kind of row occurs."""
    model = hierc.loads(_spec(family))
    bound = bind(model, fake_frame(model, n=60, seed=4))
    assert set(bound.censored) == {0, 1, -1, 2}
    rows, distribution, posterior = at_a_point(model, bound)
    expected = censored_by_scipy(distribution, bound.y, bound.censored, bound.upper)
    np.testing.assert_allclose(rows, expected, rtol=1e-9)
    np.testing.assert_allclose(log_likelihood(posterior, bound)[0, 0], expected, rtol=1e-9)


def _beyond(distribution, log_p: float, integer: bool) -> float:
    """The first value where log P(Y > value) falls below log_p (a grid search by SciPy's accurate logsf)."""
    grid = np.arange(0.0, 20000.0) if integer else np.geomspace(1e-3, 1e300, 300_000)
    return float(grid[np.argmax(distribution.logsf(grid) < log_p)])


# the beta's tails end at 0 and 1, which a double reaches first
FAR_TAILED = [family for family in CENSORABLE if family is not Family.BETA]


@pytest.mark.parametrize("family", FAR_TAILED, ids=lambda f: f.value)
def test_far_in_a_tail_the_censored_log_density_stays_exact(family):
    """Right- and interval-censored rows where P(Y > y) is 1e-40 to 1e-150, and for the normal and Student's t
    left-censored ones as far in the lower tail: PyMC's own log(1 - cdf) is -inf there (its cdf rounds to 1),
    and its Student's t cdf too, and a difference of cdfs near 1 loses every digit; hierc's stays exact."""
    model = hierc.loads(_spec(family))
    n = 10
    frame = fake_frame(model, n=n, seed=4)
    point = pymc_model(bind(model, frame)).initial_point() | {"b": np.array([0.0])}
    aux = {name: 2.0 for name in AUX if f"{name}_log__" in point}
    point |= {f"{name}_log__": np.array(np.log(value)) for name, value in aux.items()}
    intercept = float(point["Intercept"])
    mean = {Link.IDENTITY: intercept, Link.LOG: np.exp(intercept), Link.LOGIT: special.expit(intercept)}[model.link]
    trials = 500 if FAMILIES[family].needs_trials else None  # room for a far tail
    one = scipy_distribution(family, mean, aux, trials)
    integer = FAMILIES[family].response.integer
    far = np.array([_beyond(one, np.log(p), integer) for p in np.geomspace(1e-40, 1e-150, n)])
    codes = np.array(["right"] * (n - 3) + ["interval"] * 3, dtype=object)  # intervals (y, y + a bit]
    if family in (Family.GAUSSIAN, Family.STUDENT_T):  # symmetric: the lower tail mirrors the upper
        far[:4], codes[:4] = 2 * mean - far[:4], "left"
    changed = frame.assign(y=far, c=codes, up=far + (1 if integer else 0.01 * far))
    if trials is not None:
        changed["n"] = trials
    bound = bind(model, changed)
    pm_model = pymc_model(bound)
    rows = pm_model.compile_logp(vars=pm_model.observed_RVs, sum=False, mode="FAST_COMPILE")(point)[0]
    expected = censored_by_scipy(scipy_distribution(family, mean, aux, trials), bound.y, bound.censored, bound.upper)
    assert np.all(expected < -80) and np.all(np.isfinite(expected))
    np.testing.assert_allclose(rows, expected, rtol=1e-9)


def test_the_censored_check_sees_a_wrong_kind_of_row():
    """The comparison has power: reading a right-censored row as left-censored changes its log density."""
    model = hierc.loads(_spec(Family.WEIBULL))
    frame = fake_frame(model, n=60, seed=4)
    flipped = frame.assign(c=frame["c"].replace({"right": "left", "left": "right"}))
    bound, other = bind(model, frame), bind(model, flipped)
    pm_model, pm_other = pymc_model(bound), pymc_model(other)
    point = pm_model.initial_point()
    logp = pm_model.compile_logp(vars=pm_model.observed_RVs, mode="FAST_COMPILE")(point)
    assert abs(logp - pm_other.compile_logp(vars=pm_other.observed_RVs, mode="FAST_COMPILE")(point)) > 1


@pytest.mark.parametrize("family", CENSORABLE, ids=lambda f: f.value)
def test_every_censored_program_passes_stanc(family, tmp_path):
    """Each kind of row vectorized, intervals row by row; with weights, every row in one loop."""
    for text in (_spec(family), _spec(family).replace("cens(c, up)", "cens(c) + weights(w)")):
        model = hierc.loads(text)
        for encoding in ("vectorized", "unrolled"):
            _stanc(stan_program(model, encoding), tmp_path, f"{family.value}_{encoding}")


@pytest.mark.equivalence  # two Stan builds; the default run compares specs/machine_failures.hm (right, left)
@pytest.mark.parametrize(
    "text",
    [
        "y | cens(c, up) ~ 1 + x + (1 | g)\nfamily poisson\n",  # intervals, row by row
        "y | cens(c, up) + weights(w) ~ 1 + x + (1 | g)\nfamily lognormal\n",  # weights: every row in a loop
    ],
    ids=["intervals", "weights"],
)
def test_stan_and_pymc_have_the_same_censored_log_density(text):
    from test_backends_agree import build, gaps

    model = hierc.loads(text)
    bound = bind(model, fake_frame(model, n=80, seed=3))
    assert set(bound.censored) == {0, 1, -1, 2}
    posterior, pm_model = build(model, bound), pymc_model(bound)
    for jacobian in (True, False):
        values = gaps(posterior, pm_model, jacobian)
        assert np.ptp(values) < 1e-8 * max(1.0, np.abs(values).max()), (jacobian, values)


def test_codes_are_brms_s_words_or_numbers():
    model = hierc.loads("y | cens(c, up) ~ 1\n")
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "c": ["none", "Right", -1, "interval"], "up": [0, 0, 0, 5.5]})
    bound = bind(model, frame)
    assert list(bound.censored) == [0, 1, -1, 2]
    assert list(bound.upper) == [1.0, 2.0, 3.0, 5.5]  # y where a row is not interval-censored


@pytest.mark.parametrize(
    ("spec", "frame", "message", "line"),
    [
        ("y | cens(c) ~ 1", {"y": [1.0, 2.0], "c": ["none", "censored"]}, "codes `c` must be none (0), right (1)", 3),
        (
            "y | cens(c) ~ 1",
            {"y": [1.0, 2.0], "c": [0, 3]},
            "must be none (0), right (1), left (-1) or interval (2)",
            3,
        ),
        ("y | cens(c) ~ 1", {"y": [1.0, 2.0], "c": [0, 2]}, "interval-censored rows need their upper bounds", 3),
        ("y | cens(c, u) ~ 1", {"y": [1.0, 2.0], "c": [0, 2], "u": [9, 1.5]}, "`u` of interval-censored rows", 3),
        ("y | cens(c, u) ~ 1", {"y": [1.0, 2.0], "c": [0, 2], "u": [9, None]}, "column `u` has a missing value", 3),
        (
            "y | cens(c) + trials(n) ~ 1\nfamily binomial",
            {"y": [1, 5], "c": [0, "right"], "n": [5, 5]},
            "a right-censored `y` must be below its number of trials",
            3,
        ),
        (
            "y | cens(c, u) ~ 1\nfamily poisson",
            {"y": [1, 2], "c": [0, 2], "u": [9, 4.5]},
            "must be whole numbers above `y`",
            3,
        ),
    ],
)
def test_bad_censoring_data_name_the_column_and_line(spec, frame, message, line):
    with pytest.raises(DataError) as caught:
        bind(hierc.loads(spec), pd.DataFrame(frame), "d.csv")
    assert message in caught.value.message
    assert caught.value.line == line


def failure_times(seed: int = 2, plants: int = 12, per_plant: int = 40) -> pd.DataFrame:
    """Weibull times (shape 1.8) with log mean 8 - 0.5 load plus a plant's effect (sd 0.3), censored at 2,000
    hours: about a third of the pumps are still running then."""
    rng = np.random.default_rng(seed)
    plant = np.repeat(np.arange(plants), per_plant)
    load = rng.uniform(0, 2, plant.size).round(2)
    mean = np.exp(8.0 - 0.5 * load + rng.normal(0, 0.3, plants)[plant])
    shape = 1.8
    hours = mean / special.gamma(1 + 1 / shape) * rng.weibull(shape, plant.size)
    running = hours > 2000
    return pd.DataFrame(
        {
            "hours": np.where(running, 2000.0, hours.round(1)),
            "censored": np.where(running, "right", "none"),
            "load": load,
            "plant": plant,
        }
    )


def test_censored_weibull_recovery():
    """The pumps still running at 2,000 hours count as lasting longer: the slope, the shape and the plants'
    sd are recovered; a model that took 2,000 for their failure time would not be (checked below)."""
    frame = failure_times()
    assert 0.2 < (frame["censored"] == "right").mean() < 0.5
    model = hierc.load(ROOT / "specs" / "machine_failures.hm")
    idata = hierc.sample(model, frame, backend="pymc", options=FAST)
    assert_recovered(idata, {"b": [-0.5], "shape": 1.8, "sd_plant": 0.3})
    ignored = hierc.loads((ROOT / "specs" / "machine_failures.hm").read_text().replace(" | cens(censored)", ""))
    naive = hierc.sample(ignored, frame, backend="pymc", options=FAST)
    assert float(naive.posterior["b_Intercept"].mean()) < float(idata.posterior["b_Intercept"].mean()) - 0.2


# ---- truncation ------------------------------------------------------------------------------------------

TRUNCATIONS = {"both": "trunc(lb = lo, ub = hi)", "lb": "trunc(lb = lo)", "ub": "trunc(ub = hi)"}


def _truncated_spec(family: Family, bounds: str) -> str:
    trials = " + trials(n)" if FAMILIES[family].needs_trials else ""
    return f"y | {TRUNCATIONS[bounds]}{trials} ~ 1 + x\nfamily {family.value}\n"


def log_inside(distribution, lb, ub, integer: bool) -> np.ndarray:
    """log P(lb <= Y <= ub) by SciPy's cdfs (a count's lb is the least value it takes)."""
    low = -np.inf if lb is None else lb - integer
    high = np.inf if ub is None else ub
    return np.log(distribution.cdf(high) - distribution.cdf(low))


def truncated_by_scipy(distribution, y, lb, ub, integer: bool) -> np.ndarray:
    """log p(y) - log P(lb <= Y <= ub)."""
    exact = distribution.logpmf(y) if integer else distribution.logpdf(y)
    return exact - log_inside(distribution, lb, ub, integer)


@pytest.mark.parametrize("bounds", TRUNCATIONS)
@pytest.mark.parametrize("family", CENSORABLE, ids=lambda f: f.value)
def test_pymc_and_the_per_row_reference_have_scipys_truncated_log_density(family, bounds):
    model = hierc.loads(_truncated_spec(family, bounds))
    bound = bind(model, fake_frame(model, n=50, seed=6))
    rows, distribution, posterior = at_a_point(model, bound)
    integer = FAMILIES[family].response.integer
    expected = truncated_by_scipy(distribution, bound.y, bound.lb, bound.ub, integer)
    np.testing.assert_allclose(rows, expected, rtol=1e-9)
    np.testing.assert_allclose(log_likelihood(posterior, bound)[0, 0], expected, rtol=1e-9)


@pytest.mark.parametrize("bounds", TRUNCATIONS)
@pytest.mark.parametrize("family", CENSORABLE, ids=lambda f: f.value)
def test_censored_and_truncated_rows_have_scipys_log_density(family, bounds):
    """Censoring within truncation: each row's censored term less log P(lb <= Y <= ub), as brms's."""
    model = hierc.loads(_truncated_spec(family, bounds).replace(" | ", " | cens(c, up) + ", 1))
    bound = bind(model, fake_frame(model, n=60, seed=4))
    assert set(bound.censored) == {0, 1, -1, 2}
    rows, distribution, posterior = at_a_point(model, bound)
    integer = FAMILIES[family].response.integer
    expected = censored_by_scipy(distribution, bound.y, bound.censored, bound.upper)
    expected -= log_inside(distribution, bound.lb, bound.ub, integer)
    np.testing.assert_allclose(rows, expected, rtol=1e-9)
    np.testing.assert_allclose(log_likelihood(posterior, bound)[0, 0], expected, rtol=1e-9)


@pytest.mark.parametrize("bounds", TRUNCATIONS)
@pytest.mark.parametrize("family", [Family.POISSON, Family.GAUSSIAN, Family.GAMMA], ids=lambda f: f.value)
def test_likelihood_weights_multiply_each_rows_truncated_log_density(family, bounds):
    """With `weights(w)`, the model's log density grows by sum((w - 1) * row), each row's truncated log
    density by SciPy's cdfs, over the same model without weights at the same point."""
    text = _truncated_spec(family, bounds)
    weighted = hierc.loads(text.replace(") ~", ") + weights(w) ~", 1))
    frame = fake_frame(weighted, n=40, seed=2)
    plain_model, weighted_model = pymc_model(bind(hierc.loads(text), frame)), pymc_model(bind(weighted, frame))
    point = plain_model.initial_point() | {"Intercept": np.array(0.4), "b": np.array([0.2])}
    aux = {name: AUX[name] for name in AUX if f"{name}_log__" in point}
    point |= {f"{name}_log__": np.array(np.log(value)) for name, value in aux.items()}
    bound = bind(weighted, frame)
    x = bound.X.matrix[:, 0]
    eta = 0.4 + 0.2 * (x - x.mean())
    mean = {Link.IDENTITY: eta, Link.LOG: np.exp(eta)}[weighted.link]
    integer = FAMILIES[family].response.integer
    rows = truncated_by_scipy(scipy_distribution(family, mean, aux), bound.y, bound.lb, bound.ub, integer)
    gap = weighted_model.compile_logp()(point) - plain_model.compile_logp()(point)
    assert gap == pytest.approx(((bound.weights - 1) * rows).sum(), rel=1e-9)


@pytest.mark.parametrize("bounds", TRUNCATIONS)
@pytest.mark.parametrize("family", CENSORABLE, ids=lambda f: f.value)
def test_the_expected_truncated_response_is_the_numerical_conditional_mean(family, bounds):
    """`hierc predict --kind mean` of a truncated response, E[y | lb <= y <= ub] from the family's closed-form
    partial means, against the ratio of SciPy's numerical integrals (sums for counts) of y p(y) and of p(y)
    over the range; neither side takes a difference of cdfs, which loses digits far in a tail."""
    from scipy import integrate

    from hierc.inference.per_row import _rows, _truncated_mean

    model = hierc.loads(_truncated_spec(family, bounds))
    bound = bind(model, fake_frame(model, n=8, seed=5))
    declaration = FAMILIES[family]
    link = {Link.IDENTITY: lambda v: v, Link.LOG: np.exp, Link.LOGIT: special.expit}[model.link]
    mean = link(np.linspace(-0.8, 1.2, bound.n) + (1.0 if model.link is Link.IDENTITY else 0.0))
    expected = declaration.reference.expected or (lambda rows, mean, aux: mean)
    ours = _truncated_mean(expected, declaration.reference, bound)(_rows(bound), mean, AUX)
    for i in range(bound.n):
        one = scipy_distribution(family, mean[i], AUX, None if bound.trials is None else bound.trials[i])
        lb = max(-np.inf if bound.lb is None else bound.lb[i], one.support()[0])
        ub = min(np.inf if bound.ub is None else bound.ub[i], one.support()[1])
        if declaration.response.integer:
            k = np.arange(lb, min(ub, lb + 5000) + 1)
            p = one.pmf(k)
            reference = (k * p).sum() / p.sum()
        else:
            options = {"epsabs": 0, "epsrel": 1e-12, "limit": 200}
            reference = integrate.quad(lambda v, one=one: v * one.pdf(v), lb, ub, **options)[0]
            reference /= integrate.quad(one.pdf, lb, ub, **options)[0]
        assert ours[i] == pytest.approx(reference, rel=1e-8), (i, ours[i], reference)


@pytest.mark.parametrize("family", [Family.POISSON, Family.GAUSSIAN], ids=lambda f: f.value)
def test_truncated_replicates_stay_in_range_with_the_truncated_distribution(family):
    """200,000 draws of one row: inside [lb, ub], with the mean of the truncated distribution (5 standard
    errors), the truncated mean by SciPy's `expect`."""
    from hierc.families import Rows
    from hierc.inference.per_row import _draw

    text = _truncated_spec(family, "both")
    model = hierc.loads(text)
    n = 200_000
    frame = pd.DataFrame({"y": [3] * n, "lo": [2] * n, "hi": [6] * n, "x": np.linspace(0, 1, n)})
    bound = bind(model, frame)
    aux = {"sigma": np.full(n, 2.0)}
    mean = np.full(n, 3.5)
    y = _draw(bound)(np.random.default_rng(3), Rows(None, None, None), mean, aux)
    assert y.min() >= 2 and y.max() <= 6
    one = scipy_distribution(family, 3.5, {"sigma": 2.0})
    truncated_mean = one.expect(lambda v: v, lb=2, ub=6, conditional=True)  # both ends included
    assert abs(y.mean() - truncated_mean) < 5 * y.std() / np.sqrt(n), (y.mean(), truncated_mean)


BAMBI_TRUNCATED = [family for family in CENSORABLE if not FAMILIES[family].needs_trials]
# Bambi's tolerance: it normalizes by PyMC's cdfs, where hierc has exact ones; PyMC's beta cdf is a series, its
# normal log cdf off by up to 3e-8 a row (checked against SciPy above); each row's error is that small, no more
BAMBI_CDF_TOLERANCE = {Family.BETA: 1e-6, Family.GAUSSIAN: 1e-7, Family.LOGNORMAL: 1e-7}


BAMBI_CENSORED = [f for f in CENSORABLE if not FAMILIES[f].response.integer and f is not Family.GAMMA]


@pytest.mark.parametrize("family", BAMBI_CENSORED, ids=lambda f: f.value)
def test_bambi_s_censored_response_is_hierc_s(family):
    """Bambi's `censored(y, c)` (PyMC's `Censored`) has hierc's log density for left- and right-censored rows of
    continuous families; the script turns brms's codes, in any spelling, into Bambi's words."""
    from test_bambi import assert_same_log_density

    model = hierc.loads(f"y | cens(c) ~ 1 + x + (1 | g)\nfamily {family.value}\n")
    assert not features.unsupported(model, "bambi")
    frame = fake_frame(model, n=60, seed=4)
    frame["c"] = frame["c"].map({"none": "None", "right": 1, "left": "LEFT"})  # brms's codes, as users write them
    assert set(bind(model, frame).censored) == {0, 1, -1}
    assert_same_log_density(model, frame, BAMBI_CDF_TOLERANCE.get(family, 1e-9))


def test_bambi_refuses_the_censoring_it_reads_otherwise():
    for text in (
        "y | cens(c) ~ 1 + x\nfamily poisson\n",
        "y | cens(c, up) ~ 1 + x\n",
        "y | cens(c) + trunc(lb = 0) ~ 1 + x\nfamily lognormal\n",
        "y | cens(c) ~ 1 + x\nfamily gamma\n",  # PyMC's log P(Y > y) is log(1 - cdf): -inf far out
    ):
        (diagnostic,) = features.unsupported(hierc.loads(text), "bambi")
        assert "censored counts, interval censoring" in diagnostic.message


@pytest.mark.parametrize("bounds", TRUNCATIONS)
@pytest.mark.parametrize("family", BAMBI_TRUNCATED, ids=lambda f: f.value)
def test_bambi_s_truncated_response_is_hierc_s(family, bounds):
    """Bambi's `truncated(y, lb=..., ub=...)` (PyMC's `Truncated`) has hierc's log density at random points;
    for counts, too, over P(lb <= Y <= ub)."""
    from test_bambi import assert_same_log_density

    model = hierc.loads(_truncated_spec(family, bounds))
    assert not features.unsupported(model, "bambi")
    assert_same_log_density(model, fake_frame(model, n=50, seed=6), BAMBI_CDF_TOLERANCE.get(family, 1e-9))


@pytest.mark.parametrize("family", CENSORABLE, ids=lambda f: f.value)
def test_every_truncated_program_passes_stanc(family, tmp_path):
    for bounds in TRUNCATIONS:
        model = hierc.loads(_truncated_spec(family, bounds))
        for encoding in ("vectorized", "unrolled"):
            _stanc(stan_program(model, encoding), tmp_path, f"{family.value}_{bounds}_{encoding}")
        weighted = hierc.loads(_truncated_spec(family, bounds).replace(") ~", ") + weights(w) ~", 1))
        _stanc(stan_program(weighted, "vectorized"), tmp_path, f"{family.value}_{bounds}_weighted")
        censored = _truncated_spec(family, bounds).replace(" | ", " | cens(c, up) + ", 1)
        for text, kind in ((censored, "censored"), (censored.replace(") ~", ") + weights(w) ~", 1), "both")):
            _stanc(stan_program(hierc.loads(text), "vectorized"), tmp_path, f"{family.value}_{bounds}_{kind}")


@pytest.mark.equivalence  # a Stan build each
@pytest.mark.parametrize(
    "text",
    [
        "y | trunc(lb = lo, ub = hi) ~ 1 + x + (1 | g)\nfamily poisson\n",  # both bounds: row by row
        "y | trunc(lb = lo) ~ 1 + x + (1 | g)\nfamily lognormal\n",  # one bound: vectorized
        "y | trunc(lb = lo, ub = hi) + weights(w) ~ 1 + x + (1 | g)\nfamily poisson\n",  # weights: row by row
        "y | cens(c, up) + trunc(lb = lo, ub = hi) ~ 1 + x + (1 | g)\nfamily gamma\n",
        "y | cens(c, up) + trunc(ub = hi) + weights(w) ~ 1 + x\nfamily negbinomial\n",
    ],
    ids=["both", "lb", "weighted", "censored", "censored-weighted"],
)
def test_stan_and_pymc_have_the_same_truncated_log_density(text):
    from test_backends_agree import build, gaps

    model = hierc.loads(text)
    bound = bind(model, fake_frame(model, n=80, seed=3))
    posterior, pm_model = build(model, bound), pymc_model(bound)
    for jacobian in (True, False):
        values = gaps(posterior, pm_model, jacobian)
        assert np.ptp(values) < 1e-8 * max(1.0, np.abs(values).max()), (jacobian, values)


@pytest.mark.parametrize(
    ("spec", "frame", "message"),
    [
        ("y | trunc(lb = lo) ~ 1", {"y": [1.0, 2.0], "lo": [0.0, 2.5]}, "`y` is below its truncation bound `lb`"),
        ("y | trunc(ub = 1.5) ~ 1", {"y": [1.0, 2.0]}, "`y` is above its truncation bound `ub`"),
        ("y | trunc(lb = lo, ub = hi) ~ 1", {"y": [1.0, 2.0], "lo": [0, 3], "hi": [2, 3]}, "`lb` must be below `ub`"),
        ("y | trunc(lb = 0) ~ 1\nfamily poisson", {"y": [1, 2]}, "`lb` of counts must be 1 or more"),
        ("y | trunc(lb = lo) ~ 1\nfamily poisson", {"y": [1, 2], "lo": [1, 1.5]}, "`lb` of counts must be whole"),
        (
            "y | cens(c) + trunc(ub = 2) ~ 1",
            {"y": [1.0, 2.0], "c": ["none", "right"]},
            "a right-censored `y` must be below its truncation bound `ub`",
        ),
        (
            "y | cens(c) + trunc(lb = 1) ~ 1",
            {"y": [1.0, 2.0], "c": ["left", "none"]},
            "a left-censored `y` must be above its truncation bound `lb`",
        ),
        (
            "y | cens(c, up) + trunc(ub = 3) ~ 1",
            {"y": [1.0, 2.0], "c": ["none", "interval"], "up": [1.0, 3.5]},
            "the upper bounds `up` of interval-censored rows must not exceed `ub`",
        ),
    ],
)
def test_bad_truncation_data_are_errors(spec, frame, message):
    with pytest.raises(DataError) as caught:
        bind(hierc.loads(spec), pd.DataFrame(frame), "d.csv")
    assert message in caught.value.message


def test_the_prior_predictive_draws_values_uncensored_and_truncated_within_bounds():
    """`hierc prior` simulates the value a censored row hides, and a truncated response within its bounds."""
    censored = hierc.load(ROOT / "specs" / "machine_failures.hm")
    draws = hierc.sample_prior(censored, failure_times(), draws=50, seed=2).prior_predictive["hours"].values
    assert draws.shape == (1, 50, 480) and np.all(np.isfinite(draws)) and np.all(draws > 0)
    assert not np.any(draws == 2000.0)  # values, not the censoring time a running pump reports
    model = hierc.loads("y | trunc(lb = lo, ub = hi) ~ 1 + x\n")
    frame = fake_frame(model, n=40, seed=1)
    replicated = hierc.sample_prior(model, frame, draws=50, seed=2).prior_predictive["y"].values
    assert np.all(replicated >= frame["lo"].to_numpy()) and np.all(replicated <= frame["hi"].to_numpy())
    # counts are drawn by rejection, which does not converge where the prior leaves the bounds improbable
    counts = hierc.loads("y | trunc(lb = lo, ub = hi) ~ 1 + x\nfamily poisson\nprior Intercept ~ normal(8, 1)\n")
    with pytest.raises(hierc.BackendError, match="did not converge"):
        hierc.sample_prior(counts, fake_frame(counts, n=40, seed=1), draws=50, seed=2)


@pytest.mark.equivalence  # a Stan build each
@pytest.mark.parametrize(
    "text",
    ["y | cens(c, up) ~ 1 + x\nfamily poisson\n", "y | trunc(lb = lo) ~ 1 + x\nfamily poisson\n"],
    ids=["censored", "truncated"],
)
def test_stan_samples_censored_and_truncated_counts(text):
    """Stan 2.35's vectorized poisson_lcdf and poisson_lccdf crash the sampler (the log density alone, which
    the comparisons above evaluate, does not show it): the programs write these cdfs themselves."""
    model = hierc.loads(text)
    options = hierc.SampleOptions(chains=1, draws=50, tune=50, seed=3)
    idata = hierc.sample(model, fake_frame(model, n=60, seed=2), backend="stan", options=options)
    assert idata.posterior["b"].shape == (1, 50, 1) and np.isfinite(idata.posterior["b"].values).all()
