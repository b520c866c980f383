"""The `hierc` command: exit codes, output, no tracebacks, and a light import path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SPECS


def hierc(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hierc", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_check_every_example_spec(path):
    result = hierc("check", str(path.relative_to(ROOT)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("model ")
    assert "priors" in result.stdout and result.stderr == ""


def test_check_prints_the_summary():
    result = hierc("check", "specs/radon.hm")
    assert result.stdout == (ROOT / "tests" / "golden" / "radon.summary").read_text()


@pytest.mark.parametrize("kind", ["ast", "ir"])
def test_dump(kind):
    result = hierc("check", "specs/eight_schools.hm", "--dump", kind)
    assert result.returncode == 0
    assert result.stdout == (ROOT / "tests" / "golden" / f"eight_schools.{kind}").read_text()


def test_user_error_exits_2_without_traceback(tmp_path):
    spec = tmp_path / "bad.hm"
    spec.write_text("y ~ x\nprior sigma ~ halfnormall(5)\n")
    result = hierc("check", str(spec))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"{spec}:2:15: error: unknown distribution `halfnormall`")
    assert "did you mean `halfnormal`?" in result.stderr
    assert "Traceback" not in result.stderr


def test_several_errors_are_all_shown(tmp_path):
    spec = tmp_path / "bad.hm"
    spec.write_text("y ~ x + x\nfamily gausian\n")
    result = hierc("check", str(spec))
    assert result.returncode == 2
    assert ":1:9: error: duplicate term" in result.stderr and ":2:8: error: unknown family" in result.stderr
    assert result.stderr.rstrip().endswith("2 errors")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing.hm", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: (d / "latin1.hm").write_bytes(b"y ~ \xe9\n") and d / "latin1.hm", "not UTF-8 text"),
    ],
)
def test_unreadable_spec_files(tmp_path, setup, message):
    result = hierc("check", str(setup(tmp_path)))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_exit_2():
    assert hierc().returncode == 2
    assert hierc("check", "specs/radon.hm", "--dump", "yaml").returncode == 2


def test_check_imports_nothing_heavy():
    """`hierc check` must start fast: no numerical or sampling library on its import path."""
    code = (
        "import sys, json, io, contextlib\n"
        "from hierc.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['check', 'specs/radon.hm'])\n"
        "print(json.dumps(sorted(m for m in sys.modules if '.' not in m)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(result.stdout))
    heavy = {"pymc", "bambi", "stan", "httpstan", "arviz", "numpy", "pandas", "pytensor", "formulae", "cmdstanpy"}
    assert not loaded & heavy


def test_readme_shows_the_real_output():
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("$ hierc check specs/radon.hm\n", 1)[1].split("```", 1)[0]
    assert shown == hierc("check", "specs/radon.hm").stdout
