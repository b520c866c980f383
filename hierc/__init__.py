"""hierc: a compiler for hierarchical Bayesian models.

import hierc
spec = hierc.parse_file("specs/radon.hm")    # the AST: what the user wrote
model = hierc.load("specs/radon.hm")         # the IR: what the model means
print(hierc.summarize(model))
print(hierc.compile_model(model, backend="stan"))   # Stan code, from the spec alone
print(hierc.compile_model(model, backend="pymc"))   # a standalone PyMC script
pm_model = hierc.pymc_model(model, frame)        # the PyMC model in-process, from a DataFrame
idata = hierc.sample(model, "radon.csv", backend="pymc")   # data as a CSV path or a DataFrame
report = hierc.diagnose(idata, model)            # divergences, R-hat, ESS, E-BFMI, advice, as data
hierc.pointwise(idata, model, frame)             # per-row log-likelihood for az.loo, computed after sampling
hierc.predict(idata, model, new_frame)           # the expected response for new rows (kind="response": draws)
prior = hierc.sample_prior(model, frame)         # exact prior and prior predictive draws
hierc.plot_diagnostics(idata, model, "plots")    # trace, rank and pair plots as PNG files
result = hierc.compare(model, frame, [hierc.Lowering("stan"), hierc.Lowering("pymc")])   # same posterior?
"""

__version__ = "0.1.0"

from hierc.api import (
    bambi_model,
    bind_data,
    compile_model,
    diagnose,
    plot_diagnostics,
    pointwise,
    predict,
    pymc_model,
    sample,
    sample_prior,
)
from hierc.errors import BackendError, CompilerBug, DataError, SpecError, UserError
from hierc.inference.compare import Lowering, compare
from hierc.inference.sampling import SampleOptions
from hierc.language import ir
from hierc.language.dump import dump
from hierc.language.lower import lower
from hierc.language.parser import parse, parse_file
from hierc.language.pipeline import load, loads
from hierc.language.summary import summarize
from hierc.language.unparse import unparse

__all__ = [
    "BackendError",
    "CompilerBug",
    "DataError",
    "Lowering",
    "SampleOptions",
    "SpecError",
    "UserError",
    "bambi_model",
    "bind_data",
    "compare",
    "compile_model",
    "diagnose",
    "dump",
    "ir",
    "load",
    "loads",
    "lower",
    "parse",
    "parse_file",
    "plot_diagnostics",
    "pointwise",
    "predict",
    "pymc_model",
    "sample",
    "sample_prior",
    "summarize",
    "unparse",
]
