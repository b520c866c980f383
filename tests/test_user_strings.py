"""No string a user writes can change the code hierc generates: it reaches comments and docstrings only as an
escaped literal (`hierc.language.summary.string_literal`)."""

from __future__ import annotations

import ast

import pandas as pd
import pytest

import hierc
from test_stan_codegen import _stanc


@pytest.mark.parametrize(
    "reference", ['b\r"""\rimport os\r"""', "b\r} functions { real evil() { return 1; }", "b\\\u2028\u0085\f"]
)
def test_a_reference_level_cannot_break_out_of_comments_or_docstrings(reference, tmp_path):
    """The reference level is the one string a user writes that generated code quotes, in comments and
    docstrings too: whatever it holds, the code has the statements it has for a plain level."""
    spec = 'y ~ 1 + C(c, ref = "{}") + (1 | g)\n'
    plain, odd = (
        hierc.loads(spec.format("b")),
        hierc.loads(spec.format(reference.replace("\\", "\\\\").replace('"', '\\"'))),
    )
    assert odd.terms[0].factors[0].reference == reference
    for backend in ("pymc", "bambi"):
        ours, theirs = (hierc.compile_model(m, backend) for m in (odd, plain))
        assert "\r" not in ours
        assert [type(s) for s in ast.parse(ours).body] == [type(s) for s in ast.parse(theirs).body]
        assert ast.get_docstring(ast.parse(ours)).count("\n") == ast.get_docstring(ast.parse(theirs)).count("\n")
    program = hierc.compile_model(odd, "stan")
    assert program.count("\n") == hierc.compile_model(plain, "stan").count("\n") and "\r" not in program
    _stanc(program, tmp_path, "reference")


@pytest.mark.parametrize("backend", ["pymc", "bambi"])
def test_a_script_refuses_levels_that_would_merge(backend):
    """`p:q` with `r` and `p` with `q:r` would both be the level `p:q:r` of `a:b`: the standalone scripts
    refuse, as hierc's own binding does, instead of merging two levels."""
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0], "a": ["p", "p:q", "p"], "b": ["q:r", "r", "q:r"]})
    namespace = {"__name__": "merging"}
    exec(compile(hierc.compile_model(hierc.loads("y ~ 1 + (1 | a:b)"), backend), "merging", "exec"), namespace)
    build = namespace["prepare"] if backend == "pymc" else namespace["build_model"]
    with pytest.raises(ValueError, match="level 'p:q' of a holds `:`, the separator of a:b"):
        build(frame)
