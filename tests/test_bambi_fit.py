"""The Bambi backend samples: recovery fits, the command line, the script on its own, and agreement with PyMC.

Bambi's PyMC model is sampled with nutpie, like the pymc backend's, and its
posterior is renamed to hierc's output names.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import xarray

import hierc
from conftest import ROOT
from fake_data import fake_frame
from test_pymc_fit import FAST, assert_recovered, radon_like, run_hierc, zero_sum_data


def test_radon_recovery_centered():
    """Uncorrelated county effects (`||`, centered): the simulated sds and slopes come back."""
    model = hierc.load(ROOT / "specs" / "radon_centered.hm")
    idata = hierc.sample(model, radon_like(), backend="bambi", options=FAST)
    assert list(idata.posterior["county__coef"].values) == ["Intercept", "floor"]
    assert_recovered(idata, {"b_Intercept": 1.5, "b": [-0.6], "sd_county": [0.4, 0.3], "sigma": 0.5})


def test_zero_sum_recovery():
    idata = hierc.sample(hierc.load(ROOT / "specs" / "zerosum_slopes.hm"), zero_sum_data(), "bambi", options=FAST)
    np.testing.assert_allclose(idata.posterior["r_group"].sum("group"), 0, atol=1e-6)  # over the groups
    assert_recovered(idata, {"sd_group": [10, 12, 8], "b": [1, 1.2, 0.8], "sigma": 20})


def test_cli_samples_eight_schools(tmp_path):
    out = tmp_path / "eight.nc"
    result = run_hierc(
        "sample", "specs/eight_schools.hm", "--backend", "bambi",
        "--chains", "2", "--draws", "200", "--tune", "300", "--seed", "4", "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "sd_school" in result.stdout and "2 chains x 200 draws; divergent transitions:" in result.stdout
    posterior = xarray.open_dataset(out, group="posterior")
    assert posterior.attrs["hierc_backend"] == "bambi" and posterior.attrs["hierc_engine"] == "nutpie"
    assert list(posterior["school"].values) == list("ABCDEFGH")


def test_bambi_has_no_encodings():
    result = run_hierc("compile", "specs/eight_schools.hm", "--backend", "bambi", "--encoding", "unrolled")
    assert result.returncode == 2
    assert result.stderr == "error: the bambi backend has no encodings: it lays out the parameters, one per term\n"


def test_an_unsupported_spec_fails_to_compile_without_a_traceback():
    result = run_hierc("compile", "specs/radon.hm", "--backend", "bambi")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("specs/radon.hm:6:25: error: the bambi backend cannot express correlated")
    assert "Traceback" not in result.stderr


def test_pymc_and_bambi_agree_on_eight_schools():
    result = run_hierc(
        "compare", "specs/eight_schools.hm", "--backends", "pymc,bambi",
        "--chains", "4", "--draws", "500", "--tune", "500", "--seed", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pymc/vectorized" in result.stdout and "bambi" in result.stdout
    assert result.stdout.rstrip().endswith(": agree")


def test_script_runs_on_its_own(tmp_path):
    """`python script.py data.csv out.nc` with only the script: Bambi builds the model and fits it."""
    script = tmp_path / "eight_schools_bambi.py"
    assert run_hierc("compile", "specs/eight_schools.hm", "--backend", "bambi", "-o", str(script)).returncode == 0
    out = tmp_path / "posterior.nc"
    result = subprocess.run(
        [sys.executable, str(script), str(ROOT / "specs" / "eight_schools.csv"), str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "1|school_sigma" in result.stdout and "Intercept" in result.stdout
    posterior = xarray.open_dataset(out, group="posterior")
    assert posterior["1|school"].sizes["school__factor_dim"] == 8


def test_a_reference_level_samples_with_nutpie():
    """`C(method, ref = "traditional")` and `scale(hours)`: the exam model samples and keeps hierc's columns."""
    model = hierc.load(ROOT / "specs" / "exam_logistic.hm")
    frame = fake_frame(model, n=200, levels=8, seed=4)
    idata = hierc.sample(model, frame, "bambi", options=FAST)
    assert list(idata.posterior["coef"].values) == ["method[b]", "method[c]", "scale(hours)"]
    assert idata.posterior.attrs["hierc_engine"] == "nutpie"
