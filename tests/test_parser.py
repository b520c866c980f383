"""Parsing: statements, line continuation, comments, spans, and syntax errors."""

from __future__ import annotations

import pytest

from hierc import SpecError, parse
from hierc.language import ast
from hierc.language.source import Span


def formula(text: str) -> ast.Formula:
    (statement,) = parse(text).statements
    assert isinstance(statement, ast.Formula)
    return statement


def test_statements_in_any_order_with_comments_and_blank_lines():
    spec = parse("# header\n\nprior b ~ normal(0, 1)  # why\nmodel m\n\n\ny ~ x\nfamily poisson\n")
    assert [type(s).__name__ for s in spec.statements] == ["PriorDecl", "ModelDecl", "Formula", "FamilyDecl"]


@pytest.mark.parametrize(
    "text",
    [
        "y ~ a +\n  b",  # the line ends with an operator
        "y ~ a\n  + b",  # the next line starts with one
        "y ~ a + (1 +\n b | g) - 1 + b",  # inside parentheses
        "y ~ a \\\n + b",  # explicit continuation
        "y ~ a\n  # a comment between the lines\n  + b",
        "y ~ a +\r\n  b\r\n",  # Windows line endings
    ],
)
def test_a_statement_may_span_lines(text):
    assert len(parse(text).statements) == 1


def test_keywords_are_ordinary_names_inside_a_formula():
    f = formula("y ~ model + data + family + prior + param + (1 | model)")
    assert [t.term.text for t in f.terms[:5]] == ["model", "data", "family", "prior", "param"]


def test_spans_point_at_the_source():
    f = formula("y ~ 1 + log(x)")
    call = f.terms[1].term
    assert call.span == Span(1, 9, 1, 15)
    assert call.func.span == Span(1, 9, 1, 12)
    assert f.response.name.span == Span(1, 1, 1, 2)


def test_bar_kinds_and_nesting():
    f = formula("y ~ (1 | a/b:c) + (x || g)")
    first, second = (t.term for t in f.terms)
    assert first.correlated and not second.correlated
    assert [[n.text for n in part.names] for part in first.factor.parts] == [["a"], ["b", "c"]]


def test_numbers_and_strings():
    spec = parse('data "dir/file \\"x\\".csv"\ny ~ x\nprior b ~ normal(-1.5e-2, .5)')
    assert spec.statements[0].path.value == 'dir/file "x".csv'
    args = spec.statements[2].distribution.args
    assert [(a.value.value, a.value.text) for a in args] == [(-0.015, "-1.5e-2"), (0.5, ".5")]


@pytest.mark.parametrize(
    ("text", "message", "location"),
    [
        ("y ~ a b", "unexpected name `b`; expected", (1, 7)),
        ("y x", "expected `~` after the response, found name `x`", (1, 3)),
        ("y ~ (1 | g", "`(` is never closed", (1, 5)),
        ("y ~ a)", "unmatched `)`", (1, 6)),
        ("y ~ a $ b", "unexpected character `$`", (1, 7)),
        ("y ~ a +", "unexpected end of line", (1, 8)),
        ("+ y ~ a", "unexpected `+` at the start of a statement", (1, 1)),
        ("y ~ a model m", "unexpected `model`; expected end of line", (1, 7)),
    ],
)
def test_syntax_errors_are_friendly_and_located(text, message, location):
    with pytest.raises(SpecError) as caught:
        parse(text)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message.startswith(message)
    assert (diagnostic.span.line, diagnostic.span.column) == location


def test_missing_plus_gets_a_hint():
    with pytest.raises(SpecError) as caught:
        parse("y ~ a b")
    assert "is a `+` missing?" in caught.value.diagnostics[0].hint


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("prior(normal(0, 1), class = b)", "write `prior b ~ normal(0, 1)`"),
        ("prior(normal(0, 1), class = b, coef = x)  # slope", "write `prior b[x] ~ normal(0, 1)`"),
        ('prior(exponential(2), class = "sd", group = "g")', "write `prior sd(g) ~ exponential(2)`"),
        ("prior(gamma(2, 0.1), class = nu)", "write `prior nu ~ gamma(2, 0.1)`"),
        ("prior(normal(0, 1), class = b, lb = 0)", "write `prior b ~ normal(0, 1) T[0, ]`"),
        ("prior(normal(0, 1), class = b, coef = x, lb = -1, ub = 2.5)", "write `prior b[x] ~ normal(0, 1) T[-1, 2.5]`"),
        ("prior(normal(0, 1))", "e.g. `prior b ~ normal(0, 1)` or `prior sd(g) ~ halfnormal(1)`"),
    ],
)
def test_brms_prior_syntax_gets_the_line_to_write(line, hint):
    with pytest.raises(SpecError) as caught:
        parse(f"y ~ 1 + x\n{line}\n")
    assert caught.value.diagnostics[0].hint == hint


def test_a_banner_comment_after_a_statement_parses():
    """Blank lines and comments between statements are skipped without backtracking (it was exponential in `#`)."""
    spec = parse("y ~ x\n" + "#" * 200 + "\n" + "#" * 200 + "\nfamily poisson\n")
    assert [type(s).__name__ for s in spec.statements] == ["Formula", "FamilyDecl"]


def test_nesting_deeper_than_the_limit_is_a_located_error():
    text = "y ~ 1 + " + "log(" * 5000 + "x" + ")" * 5000
    with pytest.raises(SpecError) as caught:
        parse(text)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == "brackets nest more than 40 deep here"
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 9 + 4 * 40 + 3)


def test_the_parse_table_is_cached_only_where_no_one_else_can_write(tmp_path, monkeypatch):
    """Lark unpickles its cache: it lives in the user's own cache folder, never in a shared one."""
    import os

    from hierc.language.parser import _grammar_text, _private_cache_file

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "private"))
    path = _private_cache_file(_grammar_text())
    assert path is not None and path.startswith(str(tmp_path / "private" / "hierc"))
    assert os.stat(tmp_path / "private" / "hierc").st_mode & 0o777 == 0o700
    shared = tmp_path / "shared"
    (shared / "hierc").mkdir(parents=True)
    os.chmod(shared / "hierc", 0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    assert _private_cache_file(_grammar_text()) is None


def test_arithmetic_inside_a_call_has_rs_precedence():
    """`^` binds tightest and to the right, then unary minus, then `* /`, then `+ -` (both to the left)."""

    def argument(text: str) -> ast.Value:
        return formula(f"y ~ I({text})").terms[0].term.args[0].value

    x, two = ast.Name("x"), ast.Number(2.0, "2")
    assert argument("-x^2") == ast.Negation(ast.BinaryOp("^", x, two))
    assert argument("2^x^2") == ast.BinaryOp("^", two, ast.BinaryOp("^", x, two))
    assert argument("x - 2 - x") == ast.BinaryOp("-", ast.BinaryOp("-", x, two), x)
    assert argument("x + 2 * x") == ast.BinaryOp("+", x, ast.BinaryOp("*", two, x))
    assert argument("(x + 2) / x") == ast.BinaryOp("/", ast.BinaryOp("+", x, two), x)
    assert argument("x^-2") == ast.BinaryOp("^", x, ast.Number(-2.0, "-2"))
    assert argument("(-2)^x") == ast.BinaryOp("^", ast.Number(-2.0, "-2"), x)
    assert len(parse("y ~ I(x ^\n 2) + I(x\n * 2)").statements) == 1  # `^` continues a line, as `*` does


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("y ~ x^2", "arithmetic in a formula goes inside `I(...)`, e.g. `I(x^2)`"),
        ("y ~ I(x**2)", "a power is written with `^`, e.g. `I(x^2)`"),
    ],
)
def test_a_power_gets_a_hint(text, hint):
    with pytest.raises(SpecError) as caught:
        parse(text)
    assert caught.value.diagnostics[0].hint == hint
