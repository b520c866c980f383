"""What must hold for every valid spec, as functions the property tests and the fuzz run share.

- every Stan program hierc writes for it passes stanc: each encoding, each likelihood, the spec's
  own parameterizations and each uniform one;
- the PyMC script, run from its file, builds the model the in-process backend builds (same
  arrays, same log density at random points);
- the Bambi script compiles, or the spec is refused with a user error;
- the text round-trips through `unparse`, and the output of every backend is deterministic.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import hierc
from fake_data import fake_frame
from hierc.backends.stan.codegen import stan_program
from hierc.data.suffstats import why_not
from hierc.inference.compare import with_parameterization
from hierc.language.vocabulary import Encoding, Parameterization
from test_stan_codegen import STANC

UNIFORM = (Parameterization.NONCENTERED, Parameterization.CENTERED, Parameterization.ZEROSUM)


def stan_programs(model: hierc.ir.Model) -> list[str]:
    """Every distinct Stan program of the model: encodings × likelihoods × parameterizations."""
    variants = [model, *(with_parameterization(model, p) for p in UNIFORM)] if model.groups else [model]
    likelihoods = (False, True) if why_not(model) is None else (False,)
    programs = {
        stan_program(variant, encoding, suffstats): None
        for variant in variants
        for encoding in Encoding
        for suffstats in likelihoods
    }
    return list(programs)


def assert_stanc_accepts(programs: list[str]) -> None:
    """stanc, several at a time (each run takes tens of milliseconds)."""
    with tempfile.TemporaryDirectory() as folder:
        runs = []
        for i, program in enumerate(programs):
            source = Path(folder) / f"p{i}.stan"
            source.write_text(program)
            runs.append(
                subprocess.Popen(
                    [str(STANC), str(source), f"--o={folder}/p{i}.hpp"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for program, run in zip(programs, runs, strict=True):
            _, errors = run.communicate()
            assert run.returncode == 0, f"stanc rejected:\n{program}\n{errors}"


def assert_round_trips(text: str) -> None:
    spec = hierc.parse(text)
    assert hierc.parse(hierc.unparse(spec)) == spec
    assert hierc.lower(hierc.parse(hierc.unparse(spec))) == hierc.lower(spec)


def assert_script_is_the_model(model: hierc.ir.Model, folder: Path, name: str) -> None:
    """The PyMC script, imported from its file, builds the in-process model: same inputs, same log density."""
    from hierc.backends.pymc.model import pymc_model
    from hierc.backends.pymc.script import pymc_script
    from hierc.data.design import bind
    from pymc_helpers import import_script, logp_function, random_points
    from test_pymc_codegen import assert_same_inputs

    frame = fake_frame(model, n=50, levels=4)
    bound = bind(model, frame)
    for encoding in Encoding:
        path = folder / f"{name}_{encoding}.py"
        path.write_text(pymc_script(model, encoding))
        script = import_script(path, f"{name}_{encoding}")
        assert_same_inputs(*script.prepare(frame), bound)
        from_script, in_process = script.build_model(frame), pymc_model(bound, encoding)
        assert sorted(from_script.named_vars) == sorted(in_process.named_vars)
        script_logp, own_logp = logp_function(from_script), logp_function(in_process)
        # finite where the linear predictor is 0; around it, a probit or cloglog mean can round to 0 or 1
        # (beyond |eta| of about 8), where the density is -inf in every engine, Stan's too
        assert np.isfinite(own_logp(in_process.initial_point()))
        for point in [in_process.initial_point(), *random_points(in_process, n=2)]:
            own = own_logp(point)
            assert script_logp(point) == own or abs(script_logp(point) - own) <= 1e-9 * max(1.0, abs(own))


def outputs(text: str) -> dict[str, str]:
    """Every backend's output for a spec, or the user error it gives."""
    model = hierc.loads(text)
    out = {"summary": hierc.summarize(model)}
    for backend in ("stan", "pymc", "bambi"):
        for encoding in (Encoding.VECTORIZED, Encoding.UNROLLED) if backend != "bambi" else (None,):
            try:
                out[f"{backend}.{encoding}"] = hierc.compile_model(model, backend, encoding)
            except hierc.UserError as error:  # Bambi cannot express every model: a located error
                assert backend == "bambi", error.render()
                out[f"{backend}.{encoding}"] = "error: " + error.render()
    return out


def digests(texts: list[str]) -> list[dict[str, str]]:
    return [{k: hashlib.sha256(v.encode()).hexdigest() for k, v in outputs(t).items()} for t in texts]


def digests_in_subprocess(texts: list[str], hash_seed: str) -> list[dict[str, str]]:
    """`digests` in a fresh interpreter with its own string-hash seed."""
    here = Path(__file__).parent
    code = "import json, sys; from spec_checks import digests; print(json.dumps(digests(json.load(sys.stdin))))"
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(here)}
    result = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
