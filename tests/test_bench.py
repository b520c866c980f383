"""The benchmark code at tiny sizes, so that it cannot rot unnoticed: every kind of row runs and is reported.
(No timing is checked: benchmarks are not tests.)"""

from __future__ import annotations

import csv
import subprocess
import sys

from conftest import ROOT


def test_bench_runs_at_tiny_sizes(tmp_path):
    out, table = tmp_path / "BENCHMARKS.md", tmp_path / "results.csv"
    command = [sys.executable, "-m", "bench", "--quick", "--only", "compile,sampling,scale", "--models", "zerosum"]
    command += ["--scale", "20x10"]  # one size of the curve: each of its rows is a process of its own
    command += ["--match", "pymc / vectorized|PyMC, vectorized|Bambi default"]
    command += ["--out", str(out), "--csv", str(table)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = out.read_text()
    for heading in ("## Compile latency", "## Sampling efficiency", "## Scale curve"):
        assert heading in report
    assert "| radon | " in report and "| zerosum_slopes | " in report  # the quick run's compile latency specs
    rows = list(csv.DictReader(table.open()))
    sampled = {row["lowering"]: row for row in rows if row["section"] == "sampling"}
    assert set(sampled) == {
        "hierc pymc / vectorized / zerosum / rows",
        "hierc pymc / vectorized / zerosum / suffstats",
        "hand-written PyMC, vectorized (report)",
        "Bambi default",
    }
    for row in sampled.values():
        assert not row["error"] and float(row["min_ess_bulk"]) > 0 and float(row["ms_per_1k_gradients"]) > 0
    assert "x the ESS/s of hand-written PyMC, vectorized (report)." in report
    assert "x the ESS/s of Bambi default." in report
    scaled = {(row["size"], row["lowering"]) for row in rows if row["section"] == "scale"}
    assert scaled == {("20x10", f"hierc pymc / vectorized / {likelihood}") for likelihood in ("rows", "suffstats")}
    assert "| 20 | 200 | hierc pymc / vectorized / suffstats |" in report
    compiled = [row for row in rows if row["section"] == "compile"]
    assert {row["lowering"] for row in compiled} == {"check", "stan", "pymc", "bambi"}


def test_profile_lists_the_operations_of_the_gradient():
    command = [sys.executable, "-m", "bench.profile", "--size", "10x10", "--likelihood", "suffstats", "--repeats", "2"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "zerosum 10x10, pymc / vectorized / suffstats: " in result.stdout
    assert "ms per log density and gradient" in result.stdout
    assert "<% time> <sum %> <apply time>" in result.stdout and "<Op name>" in result.stdout
