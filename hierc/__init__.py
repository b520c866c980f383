"""hierc: a compiler for hierarchical Bayesian models.

import hierc
spec = hierc.parse_file("specs/radon.hm")    # the AST: what the user wrote
model = hierc.load("specs/radon.hm")         # the IR: what the model means
print(hierc.summarize(model))
"""

__version__ = "0.1.0"

from hierc.dump import dump
from hierc.errors import CompilerBug, SpecError
from hierc.lower import lower
from hierc.parser import parse, parse_file
from hierc.pipeline import load, loads
from hierc.summary import summarize
from hierc.unparse import unparse

__all__ = [
    "CompilerBug",
    "SpecError",
    "dump",
    "load",
    "loads",
    "lower",
    "parse",
    "parse_file",
    "summarize",
    "unparse",
]
