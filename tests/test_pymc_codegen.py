"""The PyMC backend without sampling: golden scripts, their layout, their data preparation, log densities.

Log densities are compiled in pytensor's FAST_COMPILE mode: no C compiler
runs, so each model takes well under a second.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import hierc
from conftest import ROOT, SPECS
from fake_data import fake_frame
from hierc import naming
from hierc.backends.pymc.model import inputs_and_coords, pymc_model
from hierc.backends.pymc.script import pymc_script
from hierc.data.design import bind
from hierc.data.suffstats import why_not
from hierc.families import FAMILIES
from hierc.language.vocabulary import Encoding, Family, Link, ParamClass, Parameterization
from model_variants import FAMILY_LINKS, with_parameterization
from pymc_helpers import assert_formatted_and_lint_clean, import_script, logp_function, random_points, zero_sum_dims

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pytensor's notice that it found no BLAS
    import pymc as pm

ENCODINGS = list(Encoding)
# categorical slopes: design columns whose number is known only from the data
CATEGORICAL_SLOPES = "y ~ 1 + x + C(c) + (1 + C(c) + x || g)\nprior sd(g)[x] ~ exponential(1)\n"

GOLDEN = ROOT / "tests" / "golden" / "pymc"


GAUSSIAN = [spec for spec in SPECS if why_not(hierc.load(spec)) is None]  # likelihood from statistics too
CASES = [(spec, False) for spec in SPECS] + [(spec, True) for spec in GAUSSIAN]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    ("spec", "suffstats"), CASES, ids=[spec.stem + (".suffstats" if s else "") for spec, s in CASES]
)
def test_golden_pymc(spec, suffstats, encoding, golden):
    name = f"{spec.stem}.{encoding}" + (".suffstats" if suffstats else "")
    golden(pymc_script(hierc.load(spec), encoding, suffstats), GOLDEN / f"{name}.py")


def test_scripts_are_formatted_and_lint_clean(tmp_path):
    """The scripts read like hand-written code: `ruff format` would change nothing, `ruff check` finds nothing."""
    for spec in SPECS:
        for encoding in ENCODINGS:
            (tmp_path / f"{spec.stem}_{encoding}.py").write_text(pymc_script(hierc.load(spec), encoding))
    assert_formatted_and_lint_clean(tmp_path)


def assert_same_inputs(script_inputs: dict, script_coords: dict, bound) -> None:
    inputs, coords = inputs_and_coords(bound)
    assert sorted(script_inputs) == sorted(inputs)
    for name, value in inputs.items():
        np.testing.assert_array_equal(np.asarray(script_inputs[name]), np.asarray(value), err_msg=name)
        assert np.asarray(script_inputs[name]).dtype.kind == np.asarray(value).dtype.kind, name
    assert sorted(script_coords) == sorted(coords)
    for name, values in coords.items():
        assert list(script_coords[name]) == list(values), name


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_script_builds_the_in_process_model(spec, encoding, tmp_path):
    """The emitted script, imported from its file, prepares the same arrays as hierc's binding and
    builds a model whose log density equals the in-process model's at random points."""
    model = hierc.load(spec)
    frame = fake_frame(model, n=80, levels=6)
    path = tmp_path / f"{spec.stem}_{encoding}.py"
    path.write_text(pymc_script(model, encoding))
    script = import_script(path, f"script_{spec.stem}_{encoding}")

    bound = bind(model, frame)
    assert_same_inputs(*script.prepare(frame), bound)
    from_script = script.build_model(frame)
    in_process = pymc_model(bound, encoding)
    assert sorted(from_script.named_vars) == sorted(in_process.named_vars)
    script_logp, own_logp = logp_function(from_script), logp_function(in_process)
    for point in random_points(in_process):
        assert np.isfinite(own_logp(point))
        assert script_logp(point) == pytest.approx(own_logp(point), abs=1e-9)


def test_data_preparation_matches_the_binding_on_awkward_data():
    """Numeric levels sort numerically (2 before 10), whole floats print as integers, `a:b` levels are the
    observed combinations, a chosen reference level, transforms and an interaction with a categorical."""
    text = (
        'y ~ 1 + x * C(c, ref = "m") + log(z) + scale(x):z + (1 + x || a:b) + (1 | d)\nprior sd(a:b) ~ halfnormal(1)\n'
    )
    model = hierc.loads(text)
    rng = np.random.default_rng(3)
    n = 90
    frame = pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "x": rng.normal(size=n),
            "z": rng.uniform(1, 5, n),
            "c": rng.choice(["k", "m", "q"], n),
            "a": rng.choice([10, 2, 1], n),
            "b": rng.choice(["u", "v"], n),
            "d": rng.choice([1.0, 2.0, 10.0], n),
        }
    )
    namespace = {"__name__": "awkward"}
    exec(compile(pymc_script(model), "awkward", "exec"), namespace)
    inputs, coords = namespace["prepare"](frame)
    assert coords["d"] == ["1", "2", "10"]
    assert coords["a__b"][:2] == ["1:u", "1:v"]
    assert coords["coef"][:3] == ["x", "c[k]", "c[q]"]
    assert_same_inputs(inputs, coords, bind(model, frame))


def unrolled_point(bound, point: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A point of the vectorized model as values of the unrolled model's parameters: `b` split by term,
    and the sds and effects (or level coefficients) of each uncorrelated block split by coefficient."""
    model = bound.model
    out = dict(point)
    if model.terms:  # a bounded prior's values are transformed element by element alike in both encodings
        b = out.pop("b") if "b" in out else out.pop("b_interval__")
        for term in model.terms:
            columns = b[bound.X.spans[term.label]]
            suffix = "_interval__" if model.prior(ParamClass.B, None, term.label).bounded else ""
            out[naming.b_term(model, term.label) + suffix] = columns[0] if len(columns) == 1 else columns
    for block in model.groups:
        if block.correlated or len(block.coefficients) == 1:
            continue
        label = block.factor.label
        names, group = naming.names(model), bound.groups[label]
        whole = names.block(label)
        spans = [(naming.INTERCEPT, slice(0, 1))] if block.intercept else []
        shift = int(block.intercept)
        spans += [
            (t.label, slice(s.start + shift, s.stop + shift))
            for t, s in zip(block.terms, group.design.spans.values(), strict=True)
        ]
        for vectorized, axis, unrolled in [
            (f"{whole.sd}_log__", 0, lambda piece, width: f"{piece.sd}_log__"),
            (whole.z, 1, lambda piece, width: piece.z),
            (whole.effects, 1, lambda piece, width: piece.effects),
            (whole.beta, 1, lambda piece, width: piece.beta),
            # a zero-sum piece: r_ for one column, zs_ for several
            (f"{whole.zs}_zerosum__", 0, lambda piece, width: f"{piece.effects if width == 1 else piece.zs}_zerosum__"),
        ]:
            if vectorized not in out:
                continue
            values = out.pop(vectorized)
            for coefficient, columns in spans:
                piece = np.take(values, range(columns.start, columns.stop), axis=axis)
                width = columns.stop - columns.start
                out[unrolled(names.block(label, coefficient), width)] = piece.squeeze(axis) if width == 1 else piece
    return out


@pytest.mark.parametrize("parameterization", list(Parameterization))
@pytest.mark.parametrize("spec", [*SPECS, CATEGORICAL_SLOPES], ids=lambda p: getattr(p, "stem", "categorical_slopes"))
def test_encodings_have_the_same_log_density(spec, parameterization):
    """In every parameterization, the unrolled model's log density (Jacobians included) equals the vectorized
    model's at random points mapped between their parameters: one model, two encodings."""
    model = hierc.load(spec) if spec is not CATEGORICAL_SLOPES else hierc.loads(CATEGORICAL_SLOPES)
    if model.groups:
        model = with_parameterization(model, parameterization)
    elif parameterization is not Parameterization.NONCENTERED:
        pytest.skip("no grouping factor")
    bound = bind(model, fake_frame(model))
    vectorized, unrolled = pymc_model(bound, Encoding.VECTORIZED), pymc_model(bound, Encoding.UNROLLED)
    vectorized_logp, unrolled_logp = logp_function(vectorized), logp_function(unrolled)
    differences = []
    for point in random_points(vectorized):
        mapped = unrolled_point(bound, point)
        assert sorted(mapped) == sorted(unrolled.initial_point())
        differences.append(vectorized_logp(point) - unrolled_logp(mapped))
    assert np.all(np.isfinite(differences))
    np.testing.assert_allclose(differences, 0, atol=1e-8)


def test_a_long_linear_predictor_is_one_sum(monkeypatch):
    """Past `_LONGEST_SUM` terms, the linear predictor sums the stacked terms: Python compiles `a + b + ...`
    recursively, and a few thousand terms exhaust its stack. Stacked (here from 10 terms on), it has the
    density of the vectorized `X @ b`."""
    from hierc.backends.pymc import codegen

    monkeypatch.setattr(codegen, "_LONGEST_SUM", 10)
    model = hierc.loads("y ~ 1 + " + " + ".join(f"x{i}" for i in range(15)))
    script = pymc_script(model, Encoding.UNROLLED)
    assert "pt.sum(" in script and "pt.stack(" in script
    bound = bind(model, fake_frame(model, n=150))
    vectorized, unrolled = pymc_model(bound, Encoding.VECTORIZED), pymc_model(bound, Encoding.UNROLLED)
    vectorized_logp, unrolled_logp = logp_function(vectorized), logp_function(unrolled)
    for point in random_points(vectorized, n=2):
        assert vectorized_logp(point) == pytest.approx(unrolled_logp(unrolled_point(bound, point)), abs=1e-8)


def test_a_script_with_3000_grouping_factors_compiles():
    model = hierc.loads("y ~ 1 + " + " + ".join(f"(1 | g{i})" for i in range(3000)))
    compile(pymc_script(model, Encoding.VECTORIZED), "crossed", "exec")


def _likelihood_by_scipy(family: Family, link: Link, y, eta: float, aux: dict, trials) -> float:
    inverse = {
        Link.IDENTITY: lambda v: v,
        Link.LOG: np.exp,
        Link.LOGIT: lambda v: 1 / (1 + np.exp(-v)),
        Link.PROBIT: stats.norm.cdf,
        Link.CLOGLOG: lambda v: 1 - np.exp(-np.exp(v)),
    }
    mean = inverse[link](eta)
    match family:
        case Family.GAUSSIAN:
            return stats.norm.logpdf(y, mean, aux["sigma"]).sum()
        case Family.STUDENT_T:
            return stats.t.logpdf(y, aux["nu"], mean, aux["sigma"]).sum()
        case Family.BERNOULLI:
            return stats.bernoulli.logpmf(y, mean).sum()
        case Family.BINOMIAL:
            return stats.binom.logpmf(y, trials, mean).sum()
        case Family.POISSON:
            return stats.poisson.logpmf(y, mean).sum()
        case Family.NEGBINOMIAL:
            phi = aux["phi"]
            return stats.nbinom.logpmf(y, phi, phi / (phi + mean)).sum()
        case Family.LOGNORMAL:
            return stats.lognorm.logpdf(y, aux["sigma"], scale=np.exp(mean)).sum()
        case Family.GAMMA:  # mean and shape: rate shape / mean
            return stats.gamma.logpdf(y, aux["shape"], scale=mean / aux["shape"]).sum()
        case Family.EXPONENTIAL:
            return stats.expon.logpdf(y, scale=mean).sum()
        case Family.WEIBULL:  # mean and shape: scale mean / Gamma(1 + 1 / shape)
            scale = mean / special.gamma(1 + 1 / aux["shape"])
            return stats.weibull_min.logpdf(y, aux["shape"], scale=scale).sum()
        case Family.BETA:  # mean and precision phi
            return stats.beta.logpdf(y, mean * aux["phi"], (1 - mean) * aux["phi"]).sum()
        case Family.BETA_BINOMIAL:
            return stats.betabinom.logpmf(y, trials, mean * aux["phi"], (1 - mean) * aux["phi"]).sum()
        case Family.CUMULATIVE:  # P(y <= k) = F(threshold k - eta), F the logistic or normal cdf
            cdf = stats.logistic.cdf if link is Link.LOGIT else stats.norm.cdf
            cuts = np.concatenate([[-np.inf], aux["thresholds"], [np.inf]])
            return np.log(cdf(cuts[y] - eta) - cdf(cuts[y - 1] - eta)).sum()
    if family is Family.HURDLE_LOGNORMAL:  # zero with probability hu, else lognormal
        positive = stats.lognorm.pdf(np.where(y > 0, y, 1.0), aux["sigma"], scale=np.exp(mean))
        return np.log(np.where(y == 0, aux["hu"], (1 - aux["hu"]) * positive)).sum()
    # zero-inflated and hurdle counts: the probability of each count from the count family's pmf
    count = (
        stats.poisson(mean) if "poisson" in family.value else stats.nbinom(aux["phi"], aux["phi"] / (aux["phi"] + mean))
    )
    if family.value.startswith("zero_inflated"):  # an extra zero with probability zi
        return np.log(aux["zi"] * (y == 0) + (1 - aux["zi"]) * count.pmf(y)).sum()
    if family.value.startswith("hurdle"):  # zero with probability hu, else the count given it is positive
        return np.log(np.where(y == 0, aux["hu"], (1 - aux["hu"]) * count.pmf(y) / count.sf(0))).sum()
    raise AssertionError(family)


@pytest.mark.parametrize(("family", "link"), FAMILY_LINKS, ids=lambda v: v.value)
def test_every_family_and_link_has_the_right_likelihood(family, link):
    """The likelihood of an intercept-only model against SciPy's, at a chosen intercept and auxiliaries."""
    ours, scipys = pymc_and_scipy_likelihoods(family, link)
    assert ours == pytest.approx(scipys, rel=1e-12)


def pymc_and_scipy_likelihoods(family: Family, link: Link) -> tuple[float, float]:
    """PyMC's log likelihood of an intercept-only model of the family, and SciPy's, at one point."""
    response = "y | trials(n)" if FAMILIES[family].needs_trials else "y"
    model = hierc.loads(f"{response} ~ 1\nfamily {family.value}(link = {link.value})\n")
    frame = fake_frame(model, n=40)
    pm_model = pymc_model(bind(model, frame))
    observed = pm_model.observed_RVs
    likelihood = pm_model.compile_logp(vars=observed, jacobian=False, mode="FAST_COMPILE")
    intercept = 0.3 if link is not Link.IDENTITY else 1.2
    aux = {"sigma": 1.7, "nu": 4.5, "phi": 2.5, "shape": 2.2, "zi": 0.3, "hu": 0.4}
    point = pm_model.initial_point()
    if FAMILIES[family].thresholds:  # no intercept: eta is 0; the ordered transform's free values
        intercept, aux["thresholds"] = 0.0, np.array([-0.8, 0.3, 1.5])
        point["Intercept_ordered__"] = np.array([-0.8, np.log(1.1), np.log(1.2)])
    else:
        point["Intercept"] = np.array(intercept)
    for name, value in aux.items():
        if f"{name}_log__" in point:
            point[f"{name}_log__"] = np.array(np.log(value))
        if f"{name}_logodds__" in point:
            point[f"{name}_logodds__"] = np.array(np.log(value / (1 - value)))
    y = frame["y"].to_numpy()
    trials = frame["n"].to_numpy() if "n" in frame else None
    return float(likelihood(point)), float(_likelihood_by_scipy(family, link, y, intercept, aux, trials))


@pytest.mark.parametrize("family", [Family.BERNOULLI, Family.BINOMIAL], ids=lambda v: v.value)
def test_logit_likelihoods_stay_finite_far_out(family):
    """Stan's `binomial_logit` is finite for any eta; PyMC's `Binomial(logit_p=eta)` is -inf beyond |eta| of
    about 37 (`Bernoulli` too, without PyTensor's rewrites), so hierc writes its own. The per-row log density
    against the closed form on eta."""
    response = "y | trials(n)" if FAMILIES[family].needs_trials else "y"
    model = hierc.loads(f"{response} ~ 0 + x\nfamily {family.value}\n")
    x = np.array([40.0, -40.0, 50.0, -800.0, 0.3, 700.0])
    if family is Family.BINOMIAL:
        y, n = np.array([0, 5, 2, 3, 1, 4]), np.full(6, 5)
    else:
        y, n = np.array([0, 1, 1, 0, 1, 1]), np.ones(6, dtype=int)
    frame = pd.DataFrame({"y": y, "x": x, "n": n})
    pm_model = pymc_model(bind(model, frame))
    likelihood = pm_model.compile_logp(vars=pm_model.observed_RVs, sum=False, mode="FAST_COMPILE")
    rows = likelihood({"b": np.array([1.0])})[0]
    choose = special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1)
    expected = choose + y * special.log_expit(x) + (n - y) * special.log_expit(-x)
    np.testing.assert_allclose(rows, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_zero_sum_is_over_the_groups_at_1000_groups(encoding):
    """The user report's bug cannot happen: every ZeroSumNormal of the 1000-group zero-sum model sums over
    the group levels, and prior draws of r_group sum to zero over the groups, not over the predictors."""
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    frame = fake_frame(model, n=3000, seed=5).assign(group=np.repeat(np.arange(1000), 3))
    bound = bind(model, frame)
    assert len(bound.groups["group"].levels) == 1000
    pm_model = pymc_model(bound, encoding)
    found = zero_sum_dims(pm_model)
    assert found and all(dims == ("group",) for dims in found.values()), found
    draw = pm.draw(pm_model["r_group"], random_seed=1)
    assert draw.shape == (1000, 3)
    np.testing.assert_allclose(draw.sum(axis=0), 0, atol=1e-6)
    assert np.abs(draw.sum(axis=1)).max() > 1


def test_the_zero_sum_check_flags_the_reported_bug():
    """The check above can fail: the report's layout, dims ("group", "predictor"), sums over the predictors."""
    with pm.Model(coords={"group": range(1000), "predictor": ["x1", "x2", "x3"]}) as wrong:
        pm.ZeroSumNormal("epsilon_beta_g", dims=("group", "predictor"))
    assert zero_sum_dims(wrong) == {"epsilon_beta_g": ("predictor",)}


CENTERED_CASES = [
    *(spec for spec in SPECS if hierc.load(spec).groups),
    CATEGORICAL_SLOPES,
    # correlated, with a categorical term and a column (z) that has no population-level counterpart, crossed
    "y ~ 1 + x + C(c) + (1 + x + C(c) + z | g) + (1 | h)\n",
    "y ~ 0 + x + (1 + x | g)\n",  # no population intercept: the group intercepts vary around 0
]


def _at_point(pm_model: pm.Model, names: list[str]):
    """The model's variables `names` as a function of a point of its value variables."""
    outs = pm_model.replace_rvs_by_values([pm_model[name] for name in names])
    return pm_model.compile_fn(outs, inputs=pm_model.value_vars, on_unused_input="ignore", mode="FAST_COMPILE")


@pytest.mark.parametrize("spec", CENTERED_CASES, ids=lambda p: getattr(p, "stem", None) or p.split(" ~")[1][:24])
def test_centered_is_the_noncentered_model_after_the_exact_map(spec):
    """The centered parameterization samples each level's coefficients `beta = population + r` around the
    population's; the noncentered one standardised effects `z` with `r = sd * z` (`z @ chol'` when correlated).
    Mapping a noncentered point to `beta`, the centered log density is the noncentered one less the log
    Jacobian of z -> beta, N_levels * (sum log sd + log det(cor) / 2) per factor, at every point."""
    model = hierc.load(spec) if isinstance(spec, type(ROOT)) else hierc.loads(spec)
    centered = with_parameterization(model, Parameterization.CENTERED)
    noncentered = with_parameterization(model, Parameterization.NONCENTERED)
    frame = fake_frame(model, n=70, levels=5, seed=2)
    pm_centered, pm_noncentered = pymc_model(bind(centered, frame)), pymc_model(bind(noncentered, frame))
    names = naming.names(model)
    groups = [names.block(block.factor.label) for block in model.groups]
    outputs = [name for block in groups for name in (block.effects, block.sd)]
    outputs += [block.cor for block, source in zip(groups, model.groups, strict=True) if source.correlated]
    derived = _at_point(pm_noncentered, outputs)
    centered_effects = _at_point(pm_centered, [block.effects for block in groups])
    centered_logp, noncentered_logp = logp_function(pm_centered), logp_function(pm_noncentered)
    # levels' coefficients `beta` where a coefficient has a population-level counterpart (an ordinal model's
    # `(1 | g)` has none: its thresholds are not an intercept of eta)
    around = any(centered.varies_around_population(block) for block in centered.groups)
    assert any(block.beta in pm_centered.named_vars for block in groups) == around
    for point in random_points(pm_noncentered, n=4, seed=3):
        values = dict(zip(outputs, derived(point), strict=True))
        mapped = {name: value for name, value in point.items() if not name.startswith("z_")}
        # centered r at beta = 0 (and r = 0 where there is no beta) is minus the population's coefficients
        zero = {**mapped, **{b.beta: np.zeros_like(values[b.effects]) for b in groups}}
        zero |= {b.effects: np.zeros_like(values[b.effects]) for b in groups}
        zero = {name: value for name, value in zero.items() if name in {v.name for v in pm_centered.value_vars}}
        minus_population = dict(zip([b.effects for b in groups], centered_effects(zero), strict=True))
        log_jacobian = 0.0
        for block in groups:
            r, sd = values[block.effects], np.atleast_1d(values[block.sd])
            is_beta = block.beta in pm_centered.named_vars
            mapped[block.beta if is_beta else block.effects] = r - minus_population[block.effects] if is_beta else r
            log_det_cor = np.linalg.slogdet(values[block.cor])[1] if block.cor in values else 0.0
            log_jacobian += r.shape[0] * (np.log(sd).sum() + log_det_cor / 2)
        assert sorted(mapped) == sorted(pm_centered.initial_point())
        np.testing.assert_allclose(centered_logp(mapped), noncentered_logp(point) - log_jacobian, rtol=1e-10)
