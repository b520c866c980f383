"""Generated names never collide, whatever the user names their variables (`hierc/naming.py`).

Each case is a spec whose user names, spelled the usual way, would give two things one name, and a
twin: the same model with neutral names. The spec must compile to Stan programs that stanc accepts
in every encoding, and to a PyMC model (in-process and from the standalone script) whose log density
equals the twin's at random points, and whose prior draws convert to InferenceData with the same
variables and shapes. A wrong reference (a prior reading a parameter instead of a statistic of the
data) or a shared dim changes the log density or the shapes; a duplicate name fails to build.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import hierc
from fake_data import fake_frame
from hierc import naming
from hierc.backends.pymc.script import pymc_script
from hierc.backends.stan.codegen import stan_program
from hierc.data.design import bind
from hierc.data.suffstats import why_not
from hierc.language.vocabulary import Encoding
from pymc_helpers import import_script, logp_function, random_points
from test_pymc_codegen import assert_same_inputs
from test_stan_codegen import _stanc

# (spec, its twin, the columns to rename for the twin)
CASES = {
    "group Y: sd_Y is also sd(y)": ("y ~ 1 + (1 | Y)", "y ~ 1 + (1 | G)", {"Y": "G"}),
    "group X: sd_X is also the sds of X": ("y ~ 1 + x + (1 | X)", "y ~ 1 + x + (1 | G)", {"X": "G"}),
    "group Z_g: sd_Z_g is also the sds of Z_g": (
        "y ~ 1 + x + (1 + x | g) + (1 | Z_g)",
        "y ~ 1 + x + (1 + x | g) + (1 | h)",
        {"Z_g": "h"},
    ),
    "group g:coef: its levels' dim is g's coefficients' dim": (
        "y ~ 1 + x + (1 + x | g) + (1 | g:coef)",
        "y ~ 1 + x + (1 + x | g) + (1 | g:k)",
        {"coef": "k"},
    ),
    "group coef: its levels' dim is the coefficients' dim": (
        "y ~ 1 + x + (1 | coef)",
        "y ~ 1 + x + (1 | g)",
        {"coef": "g"},
    ),
    "group chain: its levels' dim is ArviZ's chain": ("y ~ 1 + (1 | chain)", "y ~ 1 + (1 | g)", {"chain": "g"}),
    "term levels next to group x: the script's x_levels": (
        "y ~ 1 + (1 | x) + (1 + levels | h)",
        "y ~ 1 + (1 | u) + (1 + v | h)",
        {"x": "u", "levels": "v"},
    ),
    "groups J_a and a_levels: the script's J_a_levels": (
        "y ~ 1 + (1 | J_a) + (1 | a_levels)",
        "y ~ 1 + (1 | p) + (1 | q)",
        {"J_a": "p", "a_levels": "q"},
    ),
    "groups a and a_names: the script's Z_a_names": (
        "y ~ 1 + x + (1 + x | a) + (1 + x | a_names)",
        "y ~ 1 + x + (1 + x | p) + (1 + x | q)",
        {"a": "p", "a_names": "q"},
    ),
    "group a:b next to the unrolled piece of b in a": (
        "y ~ 1 + b + (1 + b || a) + (1 | a:b)\nparam = centered",
        "y ~ 1 + b + (1 + b || a) + (1 | a:b)\nparam = centered",
        {},
    ),
    "group a:levels next to a read by a term: Bambi's a__levels": (
        "y ~ 1 + a + (1 | a) + (1 | a:levels)",
        "y ~ 1 + a + (1 | a) + (1 | a:lv)",
        {"levels": "lv"},
    ),
}
IDS = list(CASES)


def _pymc(text: str, frame, encoding: Encoding):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hierc.pymc_model(hierc.loads(text), frame, encoding, likelihood="rows")


@pytest.mark.parametrize("case", IDS)
def test_stanc_accepts_every_encoding_and_likelihood(case, tmp_path):
    model = hierc.loads(CASES[case][0])
    likelihoods = [False] + ([True] if why_not(model) is None else [])
    for encoding in Encoding:
        for suffstats in likelihoods:
            _stanc(stan_program(model, encoding, suffstats), tmp_path, f"{encoding}_{suffstats}")


@pytest.mark.parametrize("encoding", list(Encoding))
@pytest.mark.parametrize("case", IDS)
def test_pymc_model_is_its_twins(case, encoding):
    text, twin, renamed = CASES[case]
    frame = fake_frame(hierc.loads(text), n=80, levels=4)
    ours, theirs = _pymc(text, frame, encoding), _pymc(twin, frame.rename(columns=renamed), encoding)
    assert [v.type.shape for v in ours.value_vars] == [v.type.shape for v in theirs.value_vars]
    ours_logp, theirs_logp = logp_function(ours), logp_function(theirs)
    for point in random_points(ours):
        mapped = {b.name: point[a.name] for a, b in zip(ours.value_vars, theirs.value_vars, strict=True)}
        assert np.isfinite(ours_logp(point))
        assert ours_logp(point) == pytest.approx(theirs_logp(mapped), abs=1e-8)


@pytest.mark.parametrize("case", IDS)
def test_prior_draws_have_the_twins_variables_and_shapes(case):
    """InferenceData of the prior: every variable and dim of the twin, under this model's names."""
    import pymc as pm

    text, twin, renamed = CASES[case]
    frame = fake_frame(hierc.loads(text), n=80, levels=4)
    shapes = []
    for spec, data in ((text, frame), (twin, frame.rename(columns=renamed))):
        with _pymc(spec, data, Encoding.VECTORIZED), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prior = pm.sample_prior_predictive(draws=3, random_seed=1).prior
        # each variable's shape, and how many distinct dims it has (a shared dim would make it fewer)
        shapes.append(sorted((prior[name].shape, len(set(prior[name].dims))) for name in prior.data_vars))
    ours, theirs = shapes
    assert ours == theirs


@pytest.mark.parametrize("case", IDS)
def test_the_script_builds_the_in_process_model(case, tmp_path):
    text = CASES[case][0]
    model = hierc.loads(text)
    frame = fake_frame(model, n=80, levels=4)
    for encoding in Encoding:
        path = tmp_path / f"script_{encoding}.py"
        path.write_text(pymc_script(model, encoding))
        script = import_script(path, f"naming_{IDS.index(case)}_{encoding}")
        assert_same_inputs(*script.prepare(frame), bind(model, frame))
        from_script, in_process = script.build_model(frame), _pymc(text, frame, encoding)
        assert {k: v.shape for k, v in from_script.initial_point().items()} == {
            k: v.shape for k, v in in_process.initial_point().items()
        }
        assert sorted(from_script.named_vars) == sorted(in_process.named_vars)
        script_logp, own_logp = logp_function(from_script), logp_function(in_process)
        for point in random_points(in_process, n=2):
            assert script_logp(point) == pytest.approx(own_logp(point), abs=1e-9)


def test_bambi_gets_both_grouping_columns():
    """`(1 | a)` with `a` read by a term, and `(1 | a:levels)`: two group terms, hierc's log density."""
    from test_bambi import assert_same_log_density

    model = hierc.loads(CASES["group a:levels next to a read by a term: Bambi's a__levels"][0])
    assert len(set(naming.names(model).bambi_columns.values())) == 2
    assert_same_log_density(model, fake_frame(model, n=80, levels=4))


def test_names_keep_their_usual_spelling_without_a_clash():
    names = naming.names(hierc.load("specs/radon.hm")).group("county")
    assert (names.sd, names.effects, names.levels_dim, names.coef_dim, names.J) == (
        "sd_county",
        "r_county",
        "county",
        "county__coef",
        "J_county",
    )


def test_a_clash_gives_the_later_name_a_suffix():
    names = naming.names(hierc.loads("y ~ 1 + (1 | Y)"))
    assert names.group("Y").sd == "sd_Y"  # the output keeps its name
    assert names.statistic("sd_Y") == "sd_Y__2"  # hierc's own statistic yields
    bound = bind(hierc.loads("y ~ 1 + (1 | chain)"), fake_frame(hierc.loads("y ~ 1 + (1 | chain)")))
    assert naming.names(bound.model).group("chain").levels_dim == "chain__2"
