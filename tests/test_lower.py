"""Lowering AST → IR: desugaring, resolved defaults and priors."""

from __future__ import annotations

import pytest

from hierc import SpecError, loads
from hierc.language import ir
from hierc.language.vocabulary import Dist, Family, Link, ParamClass, Parameterization, Stat, Transform


def labels(model: ir.Model) -> list[str]:
    return [t.label for t in model.terms]


def test_implicit_and_removed_intercept():
    assert loads("y ~ x").intercept
    assert loads("y ~ 1 + x").intercept
    assert not loads("y ~ 0 + x").intercept
    assert not loads("y ~ x - 1").intercept
    assert not loads("y ~ -1 + x").intercept


def test_product_expands_to_main_effects_and_interactions():
    assert labels(loads("y ~ a*b")) == ["a", "b", "a:b"]
    assert labels(loads("y ~ a*b*c")) == ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]
    assert labels(loads("y ~ a:b*c")) == ["a:b", "c", "a:b:c"]


def test_transforms_nest_innermost_first():
    model = loads("y ~ log(scale(x))")
    (term,) = model.terms
    assert term.factors == (ir.Numeric("x", (Transform.SCALE, Transform.LOG)),)
    assert term.label == "log(scale(x))"


def test_categorical_with_reference_level():
    model = loads('y ~ C(trt, ref = "control") + C(dose)')
    assert [t.factors for t in model.terms] == [(ir.Categorical("trt", "control"),), (ir.Categorical("dose", None),)]
    assert labels(model) == ["trt", "dose"]


def test_group_term_gets_its_implicit_intercept():
    (block,) = loads("y ~ x + (x | g)").groups
    assert block.intercept and block.coefficients == ("Intercept", "x") and block.correlated


def test_group_term_without_intercept():
    (block,) = loads("y ~ x + (0 + x | g)").groups
    assert not block.intercept and block.coefficients == ("x",)


def test_single_coefficient_block_has_no_correlation():
    (block,) = loads("y ~ (1 | g)").groups
    assert not block.correlated


def test_double_bar_is_uncorrelated():
    (block,) = loads("y ~ (1 + x || g)").groups
    assert not block.correlated


def test_nesting_expands_to_two_factors():
    model = loads("y ~ (1 | a/b)")
    assert [b.factor.variables for b in model.groups] == [("a",), ("a", "b")]
    assert [b.factor.label for b in model.groups] == ["a", "a:b"]


def test_three_level_nesting_and_interaction_parts():
    model = loads("y ~ (1 | a/b/c) + (1 | d:e)")
    assert [b.factor.label for b in model.groups] == ["a", "a:b", "a:b:c", "d:e"]


def test_crossed_factors():
    model = loads("y ~ (1 | a) + (1 | b)")
    assert [b.factor.label for b in model.groups] == ["a", "b"]


def test_default_family_link_and_parameterization():
    model = loads("y ~ x + (1 | g)")
    assert (model.family, model.link) == (Family.GAUSSIAN, Link.IDENTITY)
    assert model.groups[0].parameterization is Parameterization.NONCENTERED


@pytest.mark.parametrize(
    ("family", "link"),
    [("bernoulli", Link.LOGIT), ("poisson", Link.LOG), ("negbinomial", Link.LOG), ("student_t", Link.IDENTITY)],
)
def test_default_links(family, link):
    assert loads(f"y ~ x\nfamily {family}").link is link


def test_explicit_link():
    assert loads("y ~ x\nfamily bernoulli(link = probit)").link is Link.PROBIT
    assert loads("y ~ x\nfamily bernoulli(probit)").link is Link.PROBIT


def test_global_and_per_factor_parameterization():
    model = loads("y ~ (1 | a) + (1 | b) + (1 | c/d)\nparam = centered\nparam(b) = zerosum\nparam(c:d) = noncentered")
    assert {b.factor.label: b.parameterization.value for b in model.groups} == {
        "a": "centered",
        "b": "zerosum",
        "c": "centered",
        "c:d": "noncentered",
    }


def test_param_on_nesting_applies_to_both_levels():
    model = loads("y ~ (1 | a/b)\nparam(a/b) = zerosum")
    assert all(b.parameterization is Parameterization.ZEROSUM for b in model.groups)


def test_zerosum_allowed_on_uncorrelated_and_single_coefficient_blocks():
    model = loads("y ~ x + (1 + x || g) + (1 | h)\nparam = zerosum")
    assert all(b.parameterization is Parameterization.ZEROSUM for b in model.groups)


def test_every_parameter_has_exactly_one_prior_in_declaration_order():
    model = loads("y ~ x + (1 + x | g)\nfamily student_t")
    assert [p.target.label for p in model.priors] == [
        "Intercept",
        "b[x]",
        "sd(g)[Intercept]",
        "sd(g)[x]",
        "cor(g)",
        "sigma",
        "nu",
    ]
    assert all(p.source is ir.PriorSource.DEFAULT for p in model.priors)


def test_se_response_has_no_sigma_and_negbinomial_has_phi():
    assert "sigma" not in [p.target.label for p in loads("y | se(s) ~ 1").priors]
    assert [p.target.label for p in loads("y ~ 1\nfamily negbinomial").priors] == ["Intercept", "phi"]


def test_most_specific_prior_wins():
    model = loads(
        "y ~ x + z + (1 + x || g) + (1 | h)\n"
        "prior b ~ normal(0, 1)\n"
        "prior b[z] ~ normal(0, 5)\n"
        "prior sd ~ halfnormal(3)\n"
        "prior sd(g) ~ halfnormal(2)\n"
        "prior sd(g)[x] ~ exponential(1)\n"
    )
    got = {p.target.label: (p.distribution.value, p.args, p.declared_as) for p in model.priors}
    assert got["b[x]"] == ("normal", (("mu", 0.0), ("sigma", 1.0)), "b")
    assert got["b[z]"] == ("normal", (("mu", 0.0), ("sigma", 5.0)), "b[z]")
    assert got["sd(g)[Intercept]"] == ("halfnormal", (("sigma", 2.0),), "sd(g)")
    assert got["sd(g)[x]"] == ("exponential", (("rate", 1.0),), "sd(g)[x]")
    assert got["sd(h)[Intercept]"] == ("halfnormal", (("sigma", 3.0),), "sd")


def test_gamma_mean_sd_is_converted_to_shape_rate():
    model = loads("y ~ 0 + x + (0 + x || g)\nprior sd(g) ~ gamma(mu = 10, sigma = 5)")
    prior = model.prior(ParamClass.SD, "g", "x")
    assert prior.distribution is Dist.GAMMA
    assert prior.args == (("alpha", 4.0), ("beta", 0.4))


def test_keyword_arguments_and_location_default():
    prior = loads("y ~ x\nprior b ~ normal(sigma = 2)").prior(ParamClass.B, None, "x")
    assert prior.args == (("mu", 0.0), ("sigma", 2.0))
    prior = loads("y ~ x\nprior b ~ student_t(sigma = 2, nu = 4, mu = 1)").prior(ParamClass.B, None, "x")
    assert prior.args == (("nu", 4.0), ("mu", 1.0), ("sigma", 2.0))


def test_default_priors_scale_with_the_data_on_identity_link():
    model = loads("y ~ x + (1 + x || g)")
    sd_y, sd_x, mean_y = Stat.RESPONSE_SD, Stat.PREDICTOR_SD, Stat.RESPONSE_MEAN
    assert model.prior(ParamClass.INTERCEPT).args == (
        ("mu", ir.DataScaled(1.0, mean_y)),
        ("sigma", ir.DataScaled(2.5, sd_y)),
    )
    assert model.prior(ParamClass.B, None, "x").args == (("mu", 0.0), ("sigma", ir.DataScaled(2.5, sd_y, sd_x)))
    assert model.prior(ParamClass.SD, "g", "Intercept").args == (("sigma", ir.DataScaled(2.5, sd_y)),)
    assert model.prior(ParamClass.SD, "g", "x").args == (("sigma", ir.DataScaled(2.5, sd_y, sd_x)),)
    assert model.prior(ParamClass.SIGMA).args == (("rate", ir.DataScaled(1.0, None, sd_y)),)


def test_default_priors_on_the_link_scale_otherwise():
    model = loads("y ~ x + (1 | g)\nfamily bernoulli")
    assert model.prior(ParamClass.INTERCEPT).args == (("mu", 0.0), ("sigma", 2.5))
    assert model.prior(ParamClass.B, None, "x").args == (
        ("mu", 0.0),
        ("sigma", ir.DataScaled(2.5, None, Stat.PREDICTOR_SD)),
    )
    assert model.prior(ParamClass.SD, "g", "Intercept").args == (("sigma", 2.5),)


def test_prior_on_interaction_in_either_order():
    for written in ("a:b", "b:a"):
        model = loads(
            f"y ~ a*b + (1 + a:b || g)\nprior b[{written}] ~ normal(0, 1)\nprior sd(g)[{written}] ~ halfnormal(1)"
        )
        assert model.prior(ParamClass.B, None, "a:b").declared_as == "b[a:b]"
        assert model.prior(ParamClass.SD, "g", "a:b").declared_as == "sd(g)[a:b]"


def test_trials_column_or_constant():
    assert loads("k | trials(n) ~ x\nfamily binomial").response.trials == "n"
    assert loads("k | trials(20) ~ x\nfamily binomial").response.trials == 20


def test_model_name_defaults_to_the_file_stem():
    assert loads("y ~ x", "specs/my-model.hm").name == "my_model"
    assert loads("model custom\ny ~ x", "specs/my-model.hm").name == "custom"


def test_all_errors_are_reported_at_once():
    with pytest.raises(SpecError) as caught:
        loads("y ~ x + x\nfamily gausian\nprior sigma ~ normal(0, 1)\nprior b ~ halfcauchy(1)")
    messages = [d.message for d in caught.value.diagnostics]
    assert messages == ["duplicate term `x`: it is already in the formula", "unknown family `gausian`"]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("y ~ x\nfamily lognormall\n", "did you mean `lognormal`?"),
        ("y ~ x\nfamily studnet_t\n", "did you mean `student_t`?"),
        ("y ~ x\nfamily zero_one_inflated_beta\n", None),  # not `zero_inflated_negbinomial`
        ("y ~ x\nprior b ~ nromal(0, 1)\n", "did you mean `normal`?"),
        ("y ~ x\nprior b ~ unifrom(0, 1)\n", "did you mean `uniform`?"),
    ],
)
def test_a_suggestion_is_a_typing_slip_away_or_none(text, hint):
    with pytest.raises(SpecError) as caught:
        loads(text)
    given = caught.value.diagnostics[0].hint
    if hint is None:
        assert "did you mean" not in given
    else:
        assert given.startswith(hint)
