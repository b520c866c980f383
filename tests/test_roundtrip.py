"""parse(unparse(ast)) == ast, for every example spec and for tricky layouts."""

from __future__ import annotations

import pytest

from conftest import SPECS
from hierc import parse, parse_file, unparse


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_specs_round_trip(path):
    spec = parse_file(path)
    text = unparse(spec)
    assert parse(text) == spec
    assert unparse(parse(text)) == text  # the canonical layout is a fixed point


TRICKY = [
    "y ~ -1 + x",
    "y ~ x - 1",
    "y ~ 0 + a*b:c + log(scale(x))",
    'y ~ C(g, ref = "level one") + C(h, ref = 2)',
    "y | se(s) ~ 1 + (1 | a/b:c)",
    "y | trials(10) ~ x + (x || g) + (1 | a:b)",
    "y ~ x\nprior b[log(x):z] ~ normal(-1.5, 2e-3)\nprior sd(a:b)[Intercept] ~ gamma(mu = 1, sigma = 0.5)",
    'model m\ndata "a \\"quoted\\" name.csv"\nfamily bernoulli(link = probit)',
    "y ~ x + (1 | g)\nparam = zerosum\nparam(g) = centered",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_round_trip(text):
    spec = parse(text)
    assert parse(unparse(spec)) == spec


def test_equality_ignores_layout_and_comments():
    compact = parse("y~1+x+(1+x|g)\nprior b~normal(0,1)\n")
    spaced = parse("# a comment\n\ny ~ 1\n    + x\n    + (1 + x | g)   # trailing\n\nprior b ~ normal(0, 1)")
    assert compact == spaced
