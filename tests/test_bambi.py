"""The Bambi backend without sampling: golden scripts, unsupported features, and Bambi's log density.

Bambi builds its PyMC model itself, from a formula and priors. The log
density tests check that model against hierc's own PyMC model: at random
points of hierc's model, mapped to Bambi's variables by name, the two log
densities (Jacobians and normalizing constants included) must be equal.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hierc
from conftest import ROOT, SPECS
from fake_data import fake_frame
from hierc import naming
from hierc.backends import features
from hierc.backends.bambi import formula
from hierc.backends.bambi.model import bambi_model, hierc_posterior
from hierc.backends.bambi.script import bambi_script
from hierc.backends.pymc.model import pymc_model
from hierc.data.design import bind
from hierc.families import FAMILIES
from hierc.language import priors
from hierc.language.vocabulary import PARAM_SUPPORT, Link, Parameterization, Support
from model_variants import FAMILY_LINKS, with_parameterization
from pymc_helpers import assert_formatted_and_lint_clean, import_script, logp_function, random_points, zero_sum_dims

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pymc as pm
    import pytensor.tensor as pt

GOLDEN = ROOT / "tests" / "golden" / "bambi"
SUPPORTED = [spec for spec in SPECS if not features.unsupported(hierc.load(spec), "bambi")]
UNSUPPORTED = [spec for spec in SPECS if spec not in SUPPORTED]
CATEGORICAL_SLOPES = "y ~ 1 + x + C(c) + (1 + C(c) + x || g)\nprior sd(g)[x] ~ exponential(1)\n"
# Bambi computes the mean first and its log afterwards: `sigmoid(x)` (logit), `0.5 + 0.5 * erf(x / sqrt(2))`
# with sqrt(2) in float32 (probit), `1 - exp(-exp(x))` (cloglog); hierc passes `logit_p`, and writes
# `0.5 * erfc(-x / sqrt(2))` and `-expm1(-exp(x))`. The log densities are then about 1e-9 (logit) and 1e-7 apart.
LINK_TOLERANCE = {Link.LOGIT: 1e-8, Link.PROBIT: 1e-6, Link.CLOGLOG: 1e-6}


def test_the_example_specs_split_as_the_feature_table_says():
    # censoring; cumulative; correlated county effects
    assert [s.stem for s in UNSUPPORTED] == ["machine_failures", "ordinal_survey", "radon"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_golden_bambi(spec, golden, monkeypatch):
    """A script for each spec Bambi can express; for the others, the error message."""
    monkeypatch.chdir(ROOT)  # messages name the spec as given: specs/radon.hm
    model = hierc.load(spec.relative_to(ROOT))
    if spec in SUPPORTED:
        golden(bambi_script(model), GOLDEN / f"{spec.stem}.py")
    else:
        with pytest.raises(hierc.SpecError) as error:
            bambi_script(model)
        golden(error.value.render() + "\n", GOLDEN / f"{spec.stem}.error")


def test_an_unsupported_feature_is_named_with_its_location_and_the_backends_that_have_it(monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(hierc.SpecError) as error:
        hierc.compile_model(hierc.load("specs/radon.hm"), "bambi")
    text = error.value.render()
    assert text.startswith("specs/radon.hm:6:25: error: the bambi backend cannot express correlated group-level")
    assert "(1 + floor | county)" in text and "the stan and pymc backends can express it" in text
    assert "write `||`" in text


def test_scripts_are_formatted_and_lint_clean(tmp_path):
    for spec in SUPPORTED:
        (tmp_path / f"{spec.stem}.py").write_text(bambi_script(hierc.load(spec)))
    assert_formatted_and_lint_clean(tmp_path)


# ---- the feature table -----------------------------------------------------------


def test_the_docs_show_the_feature_table_of_the_code():
    assert features.table() in (ROOT / "docs" / "backends.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("feature", features.FEATURES, ids=lambda f: f.name)
def test_each_backend_compiles_a_feature_exactly_when_the_table_says_it_can(feature):
    model = hierc.loads(feature.example)
    for backend in features.ALL:
        if backend in feature.backends:
            hierc.compile_model(model, backend)
        else:
            with pytest.raises(hierc.SpecError) as error:
                hierc.compile_model(model, backend)
            assert f"cannot express {feature.name}" in str(error.value.render())


# ---- log densities ------------------------------------------------------------------


def bambi_point(bound, hierc_model: pm.Model, bmb_pm: pm.Model, point: dict) -> dict:
    """A point of hierc's PyMC model as values of Bambi's parameters (transformed as Bambi's are)."""
    model = bound.model
    names = [n for n in naming_outputs(model) if n in hierc_model.named_vars]
    graphs = hierc_model.replace_rvs_by_values([hierc_model[n] for n in names])  # values at the point, not draws
    inputs = hierc_model.value_vars
    outputs = hierc_model.compile_fn(graphs, inputs=inputs, on_unused_input="ignore", mode="FAST_COMPILE")
    values = dict(zip(names, outputs(point), strict=True))
    out: dict[str, np.ndarray] = {}
    if model.intercept:
        out[formula.INTERCEPT] = values[naming.INTERCEPT]
    for term in model.terms:
        out[formula.term_name(term)] = values[naming.B][bound.X.spans[term.label]]
    for block in model.groups:
        label = block.factor.label
        sd = np.atleast_1d(values[naming.sd(model, label)])
        levels = list(bound.groups[label].levels)
        r = values[naming.effects(model, label)].reshape(len(levels), -1)
        bambi_levels = list(bmb_pm.coords[f"{formula.group_column(model, block)}__factor_dim"])
        r = r[[levels.index(level) for level in bambi_levels]]
        spans = [slice(0, 1)] if block.intercept else []
        shift = int(block.intercept)
        spans += [slice(s.start + shift, s.stop + shift) for s in bound.groups[label].design.spans.values()]
        for (_, name), columns in zip(formula.group_terms(model, block), spans, strict=True):
            out[f"{name}_sigma"] = sd[columns]
            if block.parameterization is Parameterization.NONCENTERED:
                out[f"{name}_offset"] = r[:, columns] / sd[columns]
            else:
                out[name] = r[:, columns]
    for cls in priors.auxiliary_parameters(model):
        out[formula.auxiliary_name(model, cls)] = formula.auxiliary_value(model, cls, values[cls.value])
    for f in model.distributional:  # `sigma_Intercept`, `sigma_x`
        F, prefix = naming.names(model).formula(f.label), formula.auxiliary_name(model, f.dpar)
        if f.intercept:
            out[f"{prefix}_{formula.INTERCEPT}"] = values[F.intercept]
        for term in f.terms:
            out[f"{prefix}_{formula.term_name(term)}"] = values[F.b][bound.distributional[f.label].X.spans[term.label]]

    shapes = bmb_pm.eval_rv_shapes()
    mapped = {}
    for rv in bmb_pm.free_RVs:
        value = np.reshape(out.pop(rv.name), shapes[rv.name])
        transform = bmb_pm.rvs_to_transforms.get(rv)
        if transform is not None:
            value = transform.forward(pt.as_tensor(value), *rv.owner.inputs).eval()
        mapped[bmb_pm.rvs_to_values[rv].name] = value
    assert not out, f"values without a Bambi parameter: {sorted(out)}"
    return mapped


def naming_outputs(model) -> list[str]:
    names = [naming.INTERCEPT, naming.B]
    names += [
        n
        for block in model.groups
        for n in (naming.sd(model, block.factor.label), naming.effects(model, block.factor.label))
    ]
    names += [cls.value for cls in priors.auxiliary_parameters(model)]
    formulas = [naming.names(model).formula(f.label) for f in model.distributional]
    return names + [name for F in formulas for name in (F.intercept, F.b)]


def assert_same_log_density(model, frame, rel: float = 1e-9) -> list[float]:
    bound = bind(model, frame)
    hierc_pm = pymc_model(bound, model=model)
    bmb = bambi_model(bound, model)
    bmb.build()
    bmb_pm = bmb.backend.model
    hierc_logp, bambi_logp = logp_function(hierc_pm), logp_function(bmb_pm)
    pairs = []
    for point in random_points(hierc_pm):
        pairs.append((hierc_logp(point), bambi_logp(bambi_point(bound, hierc_pm, bmb_pm, point))))
    ours, theirs = np.array(pairs).T
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(theirs, ours, rtol=rel)
    return list(ours - theirs)


@pytest.mark.parametrize("spec", SUPPORTED, ids=lambda p: p.stem)
def test_bambi_has_hierc_s_log_density(spec):
    """Bambi's model of each spec is hierc's model: the same log density at random points."""
    model = hierc.load(spec)
    assert_same_log_density(model, fake_frame(model, n=80, levels=6), LINK_TOLERANCE.get(model.link, 1e-9))


@pytest.mark.parametrize("parameterization", list(Parameterization))
def test_bambi_has_hierc_s_log_density_with_categorical_slopes(parameterization):
    model = with_parameterization(hierc.loads(CATEGORICAL_SLOPES), parameterization)
    if features.unsupported(model, "bambi"):
        assert parameterization is Parameterization.ZEROSUM
        return
    assert_same_log_density(model, fake_frame(model, n=80, levels=6))


# the families Bambi can express (the feature table refuses the others, and its test compiles them)
@pytest.mark.parametrize(
    ("family", "link"), [(f, link) for f, link in FAMILY_LINKS if FAMILIES[f].bambi], ids=lambda v: v.value
)
def test_every_family_and_link_matches(family, link):
    response = "y | trials(n)" if FAMILIES[family].needs_trials else "y"
    # a skewed prior on zi and hu, whose Bambi version is 1 - psi: the prior's shapes must swap
    probabilities = [cls for cls in FAMILIES[family].auxiliary_classes if PARAM_SUPPORT[cls] is Support.UNIT]
    priors = "".join(f"prior {cls.value} ~ beta(2, 5)\n" for cls in probabilities)
    model = hierc.loads(f"{response} ~ 1 + x + (1 | g)\nfamily {family.value}(link = {link.value})\n{priors}")
    assert_same_log_density(model, fake_frame(model, n=60), LINK_TOLERANCE.get(link, 1e-9))


@pytest.mark.parametrize(
    ("family", "cls"),
    [
        (f, cls)
        for f, d in FAMILIES.items()
        if d.bambi and d.auxiliary_per_row
        for cls in d.auxiliary_classes
        if cls not in d.bambi.complement  # a formula for zi or hu: the feature table refuses it
    ],
    ids=lambda v: v.value,
)
def test_every_auxiliary_formula_matches(family, cls):
    """A formula for each auxiliary parameter Bambi has, with a categorical term: Bambi's parameter of that name
    (`alpha ~ ...` for negbinomial's phi), its priors per parameter, and the data-scaled default of its slope."""
    response = "y | trials(n)" if FAMILIES[family].needs_trials else "y"
    model = hierc.loads(f"{response} ~ 1 + x + (1 | g)\n{cls.value} ~ 1 + z + C(c)\nfamily {family.value}\n")
    assert_same_log_density(model, fake_frame(model, n=60), LINK_TOLERANCE.get(model.link, 1e-9))


def test_the_log_density_check_can_fail():
    """One prior changed on Bambi's side only: the check sees it."""
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    other = hierc.loads((ROOT / "specs" / "zerosum_slopes.hm").read_text().replace("halfnormal(200)", "halfnormal(20)"))
    frame = fake_frame(model, n=80, levels=6)
    bound = bind(model, frame)
    hierc_pm = pymc_model(bound)
    bmb = bambi_model(bind(other, frame))
    bmb.build()
    point = random_points(hierc_pm)[0]
    mapped = bambi_point(bound, hierc_pm, bmb.backend.model, point)
    assert abs(logp_function(hierc_pm)(point) - logp_function(bmb.backend.model)(mapped)) > 1


def test_awkward_data():
    """Levels 1 < 2 < 10 in hierc's order and 1 < 10 < 2 in Bambi's, whole floats as group labels, `a:b` with a
    combination that never occurs, a numeric reference level, transforms, and an interaction."""
    text = "y ~ 1 + x * C(c, ref = 2) + log(z) + scale(x):z + (1 + x || a:b) + (1 | d)\nparam = centered\n"
    model = hierc.loads(text)
    rng = np.random.default_rng(3)
    n = 90
    frame = pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "x": rng.normal(size=n),
            "z": rng.uniform(1, 5, n),
            "c": rng.choice([1, 2, 10], n),
            "a": rng.choice([10, 2, 1], n),
            "b": rng.choice(["u", "v"], n),
            "d": rng.choice([1.0, 2.0, 10.0], n),
        }
    )
    frame = frame[~((frame.a == 2) & (frame.b == "v"))]
    assert len(bind(model, frame).groups["a:b"].levels) == 5
    assert_same_log_density(model, frame)


def test_zero_sum_is_over_the_levels():
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    frame = fake_frame(model, n=600, seed=5).assign(group=np.repeat(np.arange(200), 3))
    bmb = bambi_model(bind(model, frame))
    bmb.build()
    found = zero_sum_dims(bmb.backend.model)
    assert sorted(found) == ["x1|group", "x2|group", "x3|group"]
    assert all(dims == ("group__factor_dim",) for dims in found.values()), found


def test_the_posterior_gets_hierc_s_names():
    """Prior draws of Bambi's model, renamed: each level's effect is the one Bambi has under its label."""
    text = "y ~ 1 + x + C(c) + (1 + C(c) || g) + (1 | h)\n"
    model = hierc.loads(text)
    frame = fake_frame(model, n=80).assign(g=np.random.default_rng(1).choice([1, 2, 10], 80))
    bound = bind(model, frame)
    bmb = bambi_model(bound)
    bmb.build()
    with bmb.backend.model:
        prior = pm.sample_prior_predictive(draws=7, random_seed=2).prior
    posterior = hierc_posterior(prior, bound)
    assert list(posterior["r_g"].coords["g"].values) == ["1", "2", "10"]
    assert list(posterior["r_g"].coords["g__coef"].values) == ["Intercept", "c[b]", "c[c]"]
    ten = posterior["r_g"].sel(g="10")
    np.testing.assert_array_equal(ten.sel(g__coef="Intercept"), prior["1|g"].sel(g__factor_dim="10"))
    np.testing.assert_array_equal(ten.sel(g__coef="c[c]"), prior["C(c)|g"].sel(g__factor_dim="10")[..., 1])
    np.testing.assert_array_equal(posterior["sd_h"], prior["1|h_sigma"])
    means = bound.X.matrix.mean(axis=0)
    expected = posterior["Intercept"].values - posterior["b"].values @ means
    np.testing.assert_allclose(posterior["b_Intercept"].values, expected)
    assert list(posterior["b"].coords["coef"].values) == ["x", "c[b]", "c[c]"]


def test_the_script_builds_the_in_process_model(tmp_path):
    model = hierc.load(ROOT / "specs" / "clinic_counts.hm")
    path = tmp_path / "clinic_counts_bambi.py"
    path.write_text(bambi_script(model))
    script = import_script(path, "clinic_counts_bambi")
    frame = fake_frame(model, n=80, levels=6)
    from_script = script.build_model(frame)
    from_script.build()
    in_process = bambi_model(bind(model, frame))
    in_process.build()
    point = random_points(in_process.backend.model)[0]
    assert logp_function(from_script.backend.model)(point) == logp_function(in_process.backend.model)(point)


@pytest.mark.parametrize("spec", SUPPORTED, ids=lambda p: p.stem)
def test_no_name_of_bambi_s_model_has_a_comma(spec):
    """nutpie stores dims as comma-separated text: a comma in the dim names of a sampled variable breaks it."""
    model = hierc.load(spec)
    bmb = bambi_model(bind(model, fake_frame(model, n=40)))
    bmb.build()
    sampled = [*bmb.backend.model.free_RVs, *bmb.backend.model.deterministics]
    names = [rv.name for rv in sampled] + list(bmb.backend.model.coords)
    assert not [name for name in names if "," in name]


def test_a_variable_that_is_both_a_predictor_and_a_grouping_factor():
    """`d` is a number in the formula and labels in `(1 | d)`; `c` a category and labels: each keeps both."""
    model = hierc.loads("y ~ 1 + d + C(c) + (1 | c) + (1 | d)\n")
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {"y": rng.normal(size=60), "d": rng.choice([1.0, 2.0, 10.0], 60), "c": rng.choice([1, 2, 10], 60)}
    )
    assert "(1 | c__levels) + (1 | d__levels)" in formula.formula_text(model)
    assert_same_log_density(model, frame)
