"""The Stan backend's code, without compiling it to C++: golden files, stanc, data names."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpstan
import pytest

import hierc
from conftest import ROOT, SPECS
from fake_data import fake_frame
from hierc.backends.stan.codegen import stan_program
from hierc.backends.stan.data import stan_data
from hierc.data.design import bind
from hierc.data.suffstats import why_not
from hierc.families import FAMILIES
from hierc.language.vocabulary import Encoding, Parameterization
from model_variants import FAMILY_LINKS, with_parameterization

STANC = Path(httpstan.__file__).parent / "stanc"
ENCODINGS = list(Encoding)


GAUSSIAN = [spec for spec in SPECS if why_not(hierc.load(spec)) is None]  # likelihood from statistics too
CASES = [(spec, False) for spec in SPECS] + [(spec, True) for spec in GAUSSIAN]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    ("spec", "suffstats"), CASES, ids=[spec.stem + (".suffstats" if s else "") for spec, s in CASES]
)
def test_golden_stan(spec, suffstats, encoding, golden):
    name = f"{spec.stem}.{encoding}" + (".suffstats" if suffstats else "")
    golden(stan_program(hierc.load(spec), encoding, suffstats), ROOT / "tests" / "golden" / "stan" / f"{name}.stan")


def _stanc(program: str, tmp_path: Path, name: str) -> None:
    source = tmp_path / f"{name}.stan"
    source.write_text(program)
    result = subprocess.run(
        [str(STANC), str(source), f"--o={tmp_path / name}.hpp"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"stanc rejected:\n{program}\n{result.stderr}"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_program_passes_stanc(spec, tmp_path):
    """Every spec, in both encodings and in every parameterization of its grouping factors."""
    model = hierc.load(spec)
    parameterizations = list(Parameterization) if model.groups else [None]
    for parameterization in parameterizations:
        variant = model if parameterization is None else with_parameterization(model, parameterization)
        for encoding in ENCODINGS:
            for suffstats in (False, True) if spec in GAUSSIAN else (False,):
                name = f"{spec.stem}_{parameterization}_{encoding}_{suffstats}"
                _stanc(stan_program(variant, encoding, suffstats), tmp_path, name)


def test_stanc_catches_a_broken_program(tmp_path):
    with pytest.raises(AssertionError, match="stanc rejected"):
        _stanc("parameters { real x; } model { x ~ normal(0, 1) }", tmp_path, "broken")


def _data_block_names(program: str) -> set[str]:
    block = program.split("\ndata {\n", 1)[1].split("\n}\n", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\s*[^/].*?\b(\w+);", block, re.MULTILINE)}


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_data_dict_has_exactly_the_data_block(spec):
    model = hierc.load(spec)
    data = stan_data(bind(model, fake_frame(model)))
    assert set(data) == _data_block_names(stan_program(model))
    if spec in GAUSSIAN:  # the statistics, with every summary of the rows a prior might need
        data = stan_data(bind(model, fake_frame(model)), rows=False, statistics=True)
        declared = _data_block_names(stan_program(model, suffstats=True))
        assert declared <= set(data)
        assert {k for k in set(data) - declared if not k.startswith("sd_Z_")} <= {"mean_Y", "sd_Y", "sd_X", "means_X"}


def test_no_loop_over_observations():
    for spec in SPECS:
        for encoding in ENCODINGS:
            program = stan_program(hierc.load(spec), encoding)
            assert "in 1:N)" not in program and "1:N " not in program


def test_glm_functions_where_they_fit():
    expected = {
        "radon": "normal_id_glm(Xc, alpha, b, sigma)",
        "exam_logistic": "bernoulli_logit_glm(Xc, alpha, b)",
        "clinic_counts": "neg_binomial_2_log_glm(Xc, alpha, b, phi)",
        "visits_poisson": "poisson_log_glm(",
        "zerosum_slopes": "normal_id_glm(X, rows_dot_product(r_group[J_group], Z_group), b, sigma)",
    }
    for name, call in expected.items():
        assert call in stan_program(hierc.load(ROOT / "specs" / f"{name}.hm"))


def test_zerosum_runs_over_levels_in_both_encodings():
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    vectorized = stan_program(model, Encoding.VECTORIZED)
    assert "matrix[N_group - 1, 3] zs_group;" in vectorized  # levels are the rows: one column per slope
    assert "matrix[N_group, 3] r_group = zero_sum_extend(zs_group);" in vectorized
    unrolled = stan_program(model, Encoding.UNROLLED)
    for x in ("x1", "x2", "x3"):
        assert f"vector[N_group - 1] zs_group__{x};" in unrolled
    assert "sum_to_zero_vector" not in vectorized + unrolled


def test_generated_code_is_deterministic():
    model = hierc.load(ROOT / "specs" / "clinic_counts.hm")
    assert stan_program(model) == stan_program(hierc.load(ROOT / "specs" / "clinic_counts.hm"))


def test_default_priors_use_statistics_of_the_data():
    program = stan_program(hierc.load(ROOT / "specs" / "radon_centered.hm"))
    assert "Intercept ~ normal(mean_Y, 2.5 * sd_Y);" in program
    assert "b ~ normal(0, 2.5 * sd_Y / sd_X[1]);" in program
    assert "real sd_Y = sd(Y);" in program


@pytest.mark.parametrize(("family", "link"), FAMILY_LINKS, ids=lambda v: v.value)
def test_every_family_and_link_passes_stanc(family, link, tmp_path):
    response = "y | trials(n)" if FAMILIES[family].needs_trials else "y"
    # `1` alone: the linear predictor is a real; `C(c)` unrolled: its sds follow reals
    without_intercept = "1 + (1 | g)" if FAMILIES[family].thresholds else "0 + (1 | g)"  # ordinal: thresholds
    for formula in ("1 + x + (1 + x || g)", without_intercept, "1", "1 + C(c)", "1 + x + (1 + x + C(c) || g)"):
        text = f"{response} ~ {formula}\nfamily {family.value}(link = {link.value})\n"
        for encoding in ENCODINGS:
            _stanc(stan_program(hierc.loads(text), encoding), tmp_path, f"{family}_{link}_{encoding}")
