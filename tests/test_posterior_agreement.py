"""The full posterior-agreement matrix: `python -m pytest -m equivalence` (not in the default run).

Each case samples one data set through several lowerings (Stan and PyMC in
both encodings, and Bambi where it can express the spec) and requires
`hierc.compare`'s verdict "agree": every |z| below the Bonferroni threshold
for a 1% false-alarm rate across all of the case's comparisons. The
1000-group zero-sum model of the user report runs at its real scale (1000
groups x 200 rows) in both encodings, with the likelihood from sufficient
statistics in both backends and row by row in PyMC; its group-level sds must come out near
the simulated (10, 12, 8), and the report's own vectorized model, whose zero
sum runs across the predictors, must be flagged. Expect about 45 minutes on
2 cores.
"""

from __future__ import annotations

import numpy as np
import nutpie
import pytest

import hierc
from conftest import ROOT, SPECS
from fake_data import fake_frame
from hierc import Lowering
from hierc.backends import features
from hierc.inference.compare import compare_posteriors
from hierc.inference.sampling import SampleOptions
from hierc.language.vocabulary import Encoding, Likelihood, Parameterization
from reported_models import GROUP_SDS, report_data, reported_vectorized_model

pytestmark = pytest.mark.equivalence

# target_accept 0.95: the matrix compares models, not samplers, and divergences bias a posterior
OPTIONS = SampleOptions(chains=4, draws=1000, tune=1000, seed=8, target_accept=0.95)
REPORT_SCALE = SampleOptions(chains=2, draws=1000, tune=1000, seed=8)


def data_for(spec):
    model = hierc.load(spec)
    if model.data_file:
        return model, None
    return model, fake_frame(model, n=200, levels=8, seed=4)


def check(comparison) -> None:
    print(comparison.report())
    assert comparison.agree, comparison.report()


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_backends_and_encodings_agree(spec):
    model, frame = data_for(spec)
    lowerings = [Lowering(b, e) for b in ("stan", "pymc") for e in Encoding]
    if not features.unsupported(model, "bambi"):
        lowerings.append(Lowering("bambi"))
    check(hierc.compare(model, frame, lowerings, OPTIONS, spec_path=spec))


@pytest.mark.parametrize("spec", [p for p in SPECS if hierc.load(p).groups], ids=lambda p: p.stem)
def test_centered_and_noncentered_agree(spec):
    # Data whose groups carry information, where both forms sample well. Where they carry little (pure noise,
    # or eight schools' eight estimates) the centered form meets the funnel and diverges: a sampler's failure,
    # which `hierc diagnose` reports, not a difference between the models. That they are the same model is
    # proved exactly in test_pymc_codegen (the log density after the map between them).
    model = hierc.load(spec)
    frame = fake_frame(model, n=800, levels=8, seed=4, group_signal=0.7)
    lowerings = [
        Lowering("pymc", Encoding.VECTORIZED, p) for p in (Parameterization.CENTERED, Parameterization.NONCENTERED)
    ]
    check(hierc.compare(model, frame, lowerings, OPTIONS, spec_path=spec))


@pytest.fixture(scope="module")
def report_scale():
    frame = report_data(groups=1000, per_group=200)
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    lowerings = [Lowering("pymc", e, likelihood=Likelihood.SUFFSTATS) for e in Encoding]
    lowerings += [Lowering("stan", likelihood=Likelihood.SUFFSTATS), Lowering("pymc", likelihood=Likelihood.ROWS)]
    return model, frame, hierc.compare(model, frame, lowerings, REPORT_SCALE)


def test_the_reported_model_at_scale_agrees_across_encodings_backends_and_likelihoods(report_scale):
    _, _, comparison = report_scale
    check(comparison)
    for idata in comparison.posteriors:
        sds = idata.posterior["sd_group"].mean(("chain", "draw")).values
        np.testing.assert_allclose(sds, GROUP_SDS, rtol=0.15)


def test_the_reported_bug_is_flagged_at_scale(report_scale):
    model, frame, comparison = report_scale
    compiled = nutpie.compile_pymc_model(reported_vectorized_model(frame))
    reported = nutpie.sample(compiled, chains=2, draws=1000, tune=1000, seed=8, progress_bar=False)
    control = compare_posteriors(model, [comparison.posteriors[0], reported], ["hierc", "reported"])
    print(control.report(shown=10))
    assert not control.agree
