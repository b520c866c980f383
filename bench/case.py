"""One benchmark row, in a process of its own (so that its peak memory is its own): `python -m bench.case JSON`.

It prints one JSON line: the sampler's figures for the case described by the
JSON argument (see `bench/run.py` for the fields).
"""

from __future__ import annotations

import json
import resource
import sys
import time
import warnings

import numpy as np

from bench import data, reference
from bench.data import ROOT, SPECS


def frame_of(case: dict):
    if case["model"] == "eight_schools":
        return data.eight_schools()
    if case["model"] == "radon":
        return data.radon()
    return data.zerosum_report(*case["size"])


def run(case: dict) -> dict:
    warnings.simplefilter("ignore")
    import arviz as az

    import hierc
    from hierc.backends.outputs import summary_variables
    from hierc.backends.pymc import engines
    from hierc.inference.compare import with_parameterization
    from hierc.language.vocabulary import Parameterization

    frame = frame_of(case)
    options = hierc.SampleOptions(chains=case["chains"], draws=case["draws"], tune=case["tune"], seed=case["seed"])
    start = time.perf_counter()  # from the spec (or the hand-written model) to the posterior
    model = hierc.load(ROOT / "specs" / f"{SPECS[case['model']]}.hm")
    if case.get("param"):
        model = with_parameterization(model, Parameterization(case["param"]))
    variables = summary_variables(model)
    if case["kind"] == "hierc":
        idata = hierc.sample(
            model, frame, case["backend"], case.get("encoding"), options=options, likelihood=case["likelihood"]
        )
    elif case["kind"] == "hand":
        idata = engines.sample(getattr(reference, case["variant"])(frame), options, engines.Engine.NUTPIE, False)
        variables = reference.PARAMETERS[case["variant"]]
    else:  # Bambi's default model: the same formula, Bambi's own priors and parameterization
        idata = bambi_default(model, frame, options)
    total = time.perf_counter() - start
    present = [v for v in variables if v in idata.posterior]
    ess = az.ess(idata.posterior[present], method="bulk")
    rhat = az.rhat(idata.posterior[present])
    attrs = idata.posterior.attrs
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return {
        "min_ess_bulk": float(min(np.min(ess[v].values) for v in present)),
        "max_rhat": float(max(np.max(rhat[v].values) for v in present)),
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "sampling_seconds": float(attrs["hierc_sampling_seconds"]),
        "gradient_evaluations": int(attrs["hierc_gradient_evaluations"]),
        "total_seconds": total,
        "peak_memory_mb": peak / 1024,  # ru_maxrss is in KiB on Linux
        "likelihood_used": attrs.get("hierc_likelihood", "rows"),
    }


def bambi_default(model, frame, options):
    import bambi as bmb

    import hierc
    from hierc.backends.bambi import formula
    from hierc.backends.bambi.model import hierc_posterior
    from hierc.backends.pymc import engines

    bound = hierc.bind_data(model, frame)
    prepared = frame.assign(**{c: frame[c].astype(str) for c in frame.columns if c in ("group", "county")})
    bmb_model = bmb.Model(formula.formula_text(model), prepared, family=model.family.value)
    bmb_model.build()
    idata = engines.sample(bmb_model.backend.model, options, engines.Engine.NUTPIE, False)
    attrs = dict(idata.posterior.attrs)
    idata.posterior = hierc_posterior(idata.posterior, bound, model)
    idata.posterior.attrs.update(attrs)
    return idata


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
