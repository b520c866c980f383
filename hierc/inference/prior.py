"""The prior and the prior predictive: what the spec's priors say before the data are seen.

The prior is drawn exactly, by forward simulation, not by a sampler: each
parameter from its prior, the group-level effects from theirs, the response
from the likelihood. hierc's PyMC model does the simulation
(`pm.sample_prior_predictive`) whichever backend fits the posterior: every
backend is the same model (`tests/test_backends_agree.py`), with the same
data-scaled default priors. The groups hold the shared output names only,
as a posterior does, so `prior` and `posterior` line up in ArviZ.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from hierc import naming
from hierc.backends import backend as find_backend
from hierc.backends import outputs
from hierc.data.design import BoundData
from hierc.errors import BackendError
from hierc.inference.per_row import observed_data
from hierc.inference.sampling import import_arviz, repeated_correlations
from hierc.language.vocabulary import DISTRIBUTIONS, Backend, Encoding


def sample_prior(bound: BoundData, draws: int, seed: int):
    """InferenceData with `prior` (the shared output names), `prior_predictive` (the response, per draw and
    row) and `observed_data` groups."""
    from hierc.backends.pymc.engines import import_pymc

    improper = [p for p in bound.model.priors if not DISTRIBUTIONS[p.distribution].proper]
    if improper:
        raise BackendError(
            f"the prior of `{improper[0].on}` is `{improper[0].distribution.value}`, which is improper: it has no "
            "draws; give it a proper prior to simulate from the prior"
        )
    pm = import_pymc()
    model = find_backend(Backend.PYMC).build(bound.model, bound, Encoding.VECTORIZED, suffstats=False)
    logger = logging.getLogger("pymc")
    level = logger.level
    logger.setLevel(logging.WARNING)  # not its list of the variables it draws
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            drawn = pm.sample_prior_predictive(draws=draws, model=model, random_seed=seed)
    except pm.exceptions.TruncationError as error:  # counts within bounds are drawn by rejection
        raise BackendError(
            "the prior predictive of the truncated response did not converge: PyMC draws counts within "
            "their bounds by rejection, and under these priors the bounds hold almost no probability; "
            "give priors that put the response's mean nearer its bounds"
        ) from error
    finally:
        logger.setLevel(level)
    kept = outputs.output_variables(bound.model)
    prior = drawn.prior[[name for name in kept if name in drawn.prior]]
    for dataset in (prior, drawn.prior_predictive):
        dataset.attrs.clear()
        dataset.attrs.update(created_by="hierc", hierc_draws="exact draws by forward simulation")
    return import_arviz().InferenceData(
        prior=prior, prior_predictive=drawn.prior_predictive, observed_data=observed_data(bound)
    )


def prior_report(idata, model) -> str:
    """The prior mean, sd and 90% interval of what a fit summary shows, then the prior predictive of the
    response beside the data's own range."""
    az = import_arviz()
    shown = [name for name in outputs.summary_variables(model) if name in idata.prior]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = az.summary(idata, group="prior", var_names=shown, kind="stats", hdi_prob=0.9, round_to=3)
    table = table.drop(index=repeated_correlations(idata.prior), errors="ignore")
    response = naming.names(model).response
    replicated = idata.prior_predictive[response].values.ravel()
    observed = idata.observed_data[response].values
    low, high = np.quantile(replicated, [0.05, 0.95])
    lines = [
        f"prior: {idata.prior.sizes['draw']} exact draws",
        table.to_string(),
        "",
        f"prior predictive `{response}`: mean {replicated.mean():.4g}, sd {replicated.std():.4g}, "
        f"90% of draws in [{low:.4g}, {high:.4g}]; the data: mean {observed.mean():.4g}, sd {observed.std():.4g}, "
        f"range [{observed.min():.4g}, {observed.max():.4g}]",
    ]
    return "\n".join(lines) + "\n"
