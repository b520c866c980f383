"""Property-based tests: specs generated across the whole language (tests/spec_strategies.py) meet
what tests/spec_checks.py asks of every valid spec.

The default run draws a fixed, small sample (derandomized, so a run is reproducible); the fuzz run
(`python -m pytest -m fuzz tests/test_fuzz.py`) draws thousands.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import hierc
import spec_checks
from spec_strategies import specs


@settings(max_examples=60)
@given(specs())
def test_generated_specs_pass_stanc_in_every_encoding_likelihood_and_parameterization(text):
    spec_checks.assert_stanc_accepts(spec_checks.stan_programs(hierc.loads(text)))


@settings(max_examples=200)
@given(specs())
def test_generated_specs_round_trip_and_compile_in_every_backend(text):
    spec_checks.assert_round_trips(text)
    spec_checks.outputs(text)


@settings(max_examples=12)
@given(text=specs())
def test_generated_pymc_scripts_build_the_in_process_model(tmp_path_factory, text):
    spec_checks.assert_script_is_the_model(hierc.loads(text), tmp_path_factory.mktemp("script"), "generated")


@settings(max_examples=2)
@given(st.lists(specs(), min_size=15, max_size=15))
def test_generated_output_is_the_same_in_every_process(texts):
    here = spec_checks.digests(texts)
    assert spec_checks.digests_in_subprocess(texts, "1") == here
    assert spec_checks.digests_in_subprocess(texts, "2") == here
