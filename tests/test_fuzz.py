"""Fuzzing: whatever text or data a user gives, hierc answers with a model or a located user error.

- A bounded mutation fuzzer of the spec language: the example specs (mostly), the bad-spec corpus and
  tricky layouts, mutated (slices deleted, repeated and spliced; operators, keywords, odd characters and
  extreme numbers inserted; parentheses nested past the limit). Every input must load or raise a
  `SpecError` that renders; every model must compile in every backend (Bambi may refuse with a user
  error) and its Stan program must pass stanc.
- A data fuzzer: the example specs' fake data with one bad cell (missing, infinite, huge, a string, a
  level holding `:`); binding must succeed or raise a `DataError`, and what it writes for Stan must be
  strict JSON with 32-bit integers.
- Checking time grows linearly with the input, measured as ratios side by side in one run.

The default run is small and deterministic; `python -m pytest -m fuzz tests/test_fuzz.py` runs 10,000
spec mutants and 2,000 generated specs (`HIERC_FUZZ_SEED` picks the mutants, default 1).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import hierc
import spec_checks
from conftest import ROOT, SPECS
from fake_data import fake_frame
from hierc.backends.stan.codegen import stan_program
from hierc.backends.stan.data import stan_data, stan_data_json
from hierc.data.design import bind, read_table
from hierc.data.suffstats import why_not
from spec_strategies import specs

VALID = [p.read_text() for p in SPECS] + [
    "y ~ x\\\n  + z # a comment\n\n+ (1 + x || a/b)\nprior sd(a:b)[Intercept] ~ gamma(mu = 1, sigma = 0.5)\n",
    "######## banner ########\ny | trials(n) ~ C(c, ref = 'a\\'b') * log(x)\nfamily binomial(link = cloglog)\n",
]
INVALID = [p.read_text() for p in sorted((ROOT / "tests" / "bad").glob("*.hm"))]
TOKENS = [
    *"~|+-*:/()[],=#\"'\\ \t\n",
    "||",
    "\r",
    "\r\n",
    "\x0c",
    "\x0b",
    "\u2028",
    "\u0085",
    "\x00",
    "\ufeff",
    "é",
    "𝑥",
    "ß",
    "0",
    "1",
    "-1",
    ".5",
    "5.",
    "1e400",
    "-1e400",
    "1e-400",
    "99999999999999999999",
    "nan",
    "inf",
    "0x10",
    "log(",
    "exp(",
    "scale(",
    "C(",
    "I(",
    "poly(",
    "trials(",
    "se(",
    "weights(",
    "ref =",
    "link =",
    "model ",
    "data ",
    "family ",
    "prior ",
    "param ",
    "param(",
    "sd(",
    "cor(",
    "b[",
    "Intercept",
    "__",
    "gaussian",
    "binomial",
    "bernoulli",
    "lognormal",
    "normal(",
    "gamma(mu = ",
    "lkj(",
    "zerosum",
    "auto",
    '"""',
    "} functions {",
    "import os",
]
MAX_LENGTH = 8_000


def mutant(rng: random.Random) -> str:
    """One to four mutations of a seed text, kept under MAX_LENGTH characters."""
    text = rng.choice(VALID if rng.random() < 0.7 else INVALID)
    for _ in range(rng.randint(1, 4)):
        i, j = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        j = min(j, i + rng.randint(1, 12))
        match rng.randrange(7):
            case 0:  # delete a slice
                text = text[:i] + text[j:]
            case 1:  # insert tokens
                text = text[:i] + "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 3))) + text[i:]
            case 2:  # repeat a slice
                text = text[:j] + text[i:j] * rng.choice((1, 2, 10, 200)) + text[j:]
            case 3:  # splice in a piece of another seed
                other = rng.choice(VALID + INVALID)
                k = rng.randrange(len(other) + 1)
                text = text[:i] + other[k : k + rng.randint(1, 60)] + text[j:]
            case 4:  # nest a slice in calls, around the nesting limit
                depth = rng.choice((2, 39, 40, 41, 300))
                call = rng.choice(("log(", "C(", "(", "["))
                close = "]" if call == "[" else ")"
                text = text[:i] + call * depth + text[i:j] + close * depth + text[j:]
            case 5:  # replace a character with any character
                character = chr(rng.choice((rng.randrange(32, 127), rng.randrange(0x80, 0x2FFF))))
                text = text[:i] + character + text[i + 1 :]
            case 6:  # swap two lines
                lines = text.split("\n")
                a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[a], lines[b] = lines[b], lines[a]
                text = "\n".join(lines)
    return text[:MAX_LENGTH]


def check_text(text: str) -> tuple[str, list[str]]:
    """'model' or 'error' and the model's Stan programs; raises on anything but a located SpecError."""
    try:
        model = hierc.loads(text, "fuzz.hm")
    except hierc.SpecError as error:
        rendered = error.render()
        assert rendered.startswith("fuzz.hm"), rendered
        return "error", []
    spec_checks.outputs(text)
    return "model", [stan_program(model)]


def run_mutants(n: int, seed: int) -> dict:
    rng = random.Random(seed)
    outcomes: Counter = Counter()
    programs, slowest = [], (0.0, "")
    for _ in range(n):
        text = mutant(rng)
        start = time.perf_counter()
        try:
            outcome, stan = check_text(text)
        except Exception as error:  # noqa: BLE001 - any other exception is the finding
            raise AssertionError(f"{type(error).__name__}: {error}\ninput: {text!r}") from error
        slowest = max(slowest, (time.perf_counter() - start, text))
        outcomes[outcome] += 1
        programs += stan
    spec_checks.assert_stanc_accepts(list(dict.fromkeys(programs)))
    return {"inputs": n, **outcomes, "stan programs": len(set(programs)), "slowest": slowest}


def test_mutated_specs_load_or_fail_with_a_located_error():
    report = run_mutants(2_000, seed=0)
    assert report["model"] > 200 and report["error"] > 1_000, report  # both outcomes are exercised


def _bad_cells(frame: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    frame = frame.astype(object)
    column, row = rng.choice(list(frame.columns)), rng.randrange(len(frame))
    frame.loc[row, column] = rng.choice(
        [None, "", "NA", "inf", "-inf", "nan", 1e300, -1e300, 10**20, 3e9, -1, 0, 0.5, "x y", "a:b", "\r", "1,5", True]
    )
    return frame


def check_data(model, frame: pd.DataFrame, folder: Path) -> str:
    path = folder / "bad.csv"
    frame.to_csv(path, index=False)
    try:
        bound = bind(model, read_table(path), str(path))
    except hierc.DataError as error:
        assert error.render().startswith(str(path)), error.render()
        return "error"
    statistics = why_not(model) is None
    text = stan_data_json(bound, statistics=statistics)
    json.loads(text, parse_constant=_not_json)  # strict JSON (no NaN, no Infinity), as Stan reads it
    for name, value in stan_data(bound, statistics=statistics).items():
        array = np.asarray(value)
        if array.dtype.kind in "iu":
            assert np.all(np.abs(array) <= 2**31 - 1), name  # Stan's integers
    return "bound"


def _not_json(constant: str):
    raise AssertionError(f"the Stan data hold {constant}")


def test_bad_data_binds_or_fails_with_a_located_error(tmp_path):
    rng, outcomes = random.Random(0), Counter()
    for spec in SPECS:
        model = hierc.load(spec)
        for i in range(25):
            outcomes[check_data(model, _bad_cells(fake_frame(model, n=30, seed=i), rng), tmp_path)] += 1
    assert outcomes["error"] > 50 and outcomes["bound"] > 20, outcomes


def _seconds(function, text: str) -> float:
    """The fastest of five runs: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best


def _check(text: str) -> None:
    try:
        hierc.loads(text)
    except hierc.SpecError as error:
        error.render()


def _compile(text: str) -> None:
    model = hierc.loads(text)
    for backend in ("stan", "pymc"):
        hierc.compile_model(model, backend)


GROWTH = {
    "banner comment": (_check, lambda n: "#" * n + "\ny ~ x\n"),
    "comment lines ending in operators": (_check, lambda n: "y ~ x +\n" + "# + ~ |\n" * n + "  z\n"),
    "continuation lines": (_check, lambda n: "y ~ 1\n" + "".join(f"  + x{i}\n" for i in range(n))),
    "errors to render": (_check, lambda n: "y ~ x\n" + "".join(f"prior q{i} ~ normal(0, 1)\n" for i in range(n))),
    "a long name": (_check, lambda n: "y ~ x" + "x" * n + "\n"),
    "population terms": (_compile, lambda n: "y ~ " + " + ".join(f"x{i}" for i in range(n)) + "\n"),
    "grouping factors": (_compile, lambda n: "y ~ 1 + " + " + ".join(f"(1 | g{i})" for i in range(n)) + "\n"),
}


@pytest.mark.parametrize("case", GROWTH, ids=lambda c: c.replace(" ", "_"))
def test_time_grows_linearly_with_the_input(case):
    """Eight times the input may take at most 24 times as long (linear: 8; quadratic: 64)."""
    function, text = GROWTH[case]
    small, large = _seconds(function, text(150)), _seconds(function, text(1200))
    assert large < 24 * max(small, 1e-3), f"{case}: {small:.4f} s at n = 150, {large:.4f} s at n = 1200"


@pytest.mark.fuzz
def test_ten_thousand_mutated_specs():
    seed = int(os.environ.get("HIERC_FUZZ_SEED", "1"))
    report = run_mutants(10_000, seed)
    seconds, text = report.pop("slowest")
    print(f"\nseed {seed}: {report}; slowest {seconds:.3f} s for {len(text)} characters")
    assert seconds < 0.5 or _seconds(_check, text) < 0.5, f"{seconds:.3f} s to check {text!r}"


@pytest.mark.fuzz
@settings(max_examples=2_000, derandomize=False)
@given(specs())
def test_two_thousand_generated_specs(text):
    spec_checks.assert_round_trips(text)
    spec_checks.outputs(text)
    spec_checks.assert_stanc_accepts(spec_checks.stan_programs(hierc.loads(text)))


@pytest.mark.fuzz
@settings(max_examples=100, derandomize=False)
@given(text=specs())
def test_a_hundred_generated_pymc_scripts(tmp_path_factory, text):
    spec_checks.assert_script_is_the_model(hierc.loads(text), tmp_path_factory.mktemp("script"), "generated")
