"""Lowering the formula: AST terms → IR terms, intercepts and group blocks.

Desugaring happens here: `a*b` becomes `a + b + a:b`, `(x | g)` gets its
implicit intercept, and `(1 | a/b)` becomes blocks for `a` and `a:b`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

from hierc import naming
from hierc.errors import Diagnostics, all_of, did_you_mean, one_of
from hierc.language import ast, ir
from hierc.language.identifiers import identifier_problem
from hierc.language.source import Span
from hierc.language.unparse import unparse_term
from hierc.language.vocabulary import CATEGORICAL, Transform

_TRANSFORMS = {t.value: t for t in Transform}
_CATEGORICAL_ALIASES = {"factor", "as_factor", "as.factor", "categorical", "cat", "c"}


@dataclass(frozen=True)
class PendingBlock:
    """A group block before its parameterization is known."""

    factor: ir.GroupingFactor
    intercept: bool
    terms: tuple[ir.Term, ...]
    correlated: bool
    span: Span | None
    source_text: str  # e.g. `(1 + x | g)`, for messages


@dataclass(frozen=True)
class LoweredPredictor:
    """A distributional formula's right-hand side (`sigma ~ x`), before its parameter is resolved."""

    name: ast.Name  # the parameter it is for, as written
    intercept: bool
    terms: tuple[ir.Term, ...]
    offsets: tuple[ir.NumericFactor, ...]
    span: Span | None


@dataclass(frozen=True)
class LoweredFormula:
    response: ir.Response
    intercept: bool
    terms: tuple[ir.Term, ...]
    blocks: tuple[PendingBlock, ...]
    offsets: tuple[ir.NumericFactor, ...] = ()
    distributional: tuple[LoweredPredictor, ...] = ()


def check_name(name: ast.Name, diags: Diagnostics) -> bool:
    problem = identifier_problem(name.text)
    if problem:
        diags.error(name.span, *problem)
    return problem is None


def lower_formula(
    formula: ast.Formula, diags: Diagnostics, distributional: tuple[ast.Formula, ...] = ()
) -> LoweredFormula:
    """The response's formula, and the formulas of auxiliary parameters (`sigma ~ x`) after it."""
    response = _lower_response(formula.response, diags)
    intercept, terms, group_terms = _lower_terms(formula.terms, diags, inside_group=False)
    term_spans = list(terms)
    offsets = _offsets(formula.terms, diags)
    term_spans += [(ir.Term((offset,)), span) for offset, span in offsets]  # checked as predictors are

    blocks: list[PendingBlock] = []
    seen_factors: set[frozenset[str]] = set()
    for group_term in group_terms:
        g_intercept, g_terms, _ = _lower_terms(group_term.terms, diags, inside_group=True)
        term_spans += g_terms
        if not g_intercept and not g_terms:
            diags.error(group_term.span, "this group term has no terms", "write `(1 | g)` for varying intercepts")
            continue
        g_terms_only = tuple(term for term, _ in g_terms)
        # `(1 | g)` has no correlation to model, whatever its bar
        correlated = group_term.correlated and (int(g_intercept) + len(g_terms_only)) > 1
        for factor in lower_group_factor(group_term.factor, diags):
            block = PendingBlock(
                factor, g_intercept, g_terms_only, correlated, group_term.span, unparse_term(group_term)
            )
            key = frozenset(factor.variables)  # `a:b` and `b:a` group alike
            if key in seen_factors:
                diags.error(
                    group_term.span,
                    f"grouping factor `{factor.label}` appears in more than one group term",
                    f"combine them into one, e.g. `(1 + x | {factor.label})`, "
                    f"or `(1 + x || {factor.label})` for uncorrelated effects",
                )
                continue
            seen_factors.add(key)
            blocks.append(block)

    predictors = [_lower_predictor(f, diags) for f in distributional]
    for predictor in predictors:
        term_spans += [(term, term.written_at) for term in predictor.terms]
        term_spans += [(ir.Term((offset,)), predictor.span) for offset in predictor.offsets]
    _check_variable_kinds(term_spans, diags)
    if not intercept and not terms and not group_terms and not offsets:
        hint = f"write `{response.variable} ~ 1` for an intercept-only model"
        diags.error(formula.span, "the model has no terms", hint)
    _check_response_unused(formula.response, response.variable, term_spans, group_terms, diags)
    return LoweredFormula(
        response,
        intercept,
        tuple(term for term, _ in terms),
        tuple(blocks),
        tuple(offset for offset, _ in offsets),
        tuple(predictors),
    )


def _lower_predictor(formula: ast.Formula, diags: Diagnostics) -> LoweredPredictor:
    """`sigma ~ 1 + x + offset(z)`: population-level terms and offsets; group-level terms are not (yet) part of
    a distributional formula."""
    name = formula.response.name  # a parameter's name: the caller kept only those
    if formula.response.additions:
        diags.error(formula.response.additions[0].span, "response options belong to the response's formula")
    intercept, terms, group_terms = _lower_terms(formula.terms, diags, inside_group=False)
    for group_term in group_terms:
        diags.error(
            group_term.span,
            f"a formula for `{name.text}` takes population-level terms only: group-level terms in it are not supported",
            "move the group term to the response's formula, or leave it out",
        )
    offsets = _offsets(formula.terms, diags)
    if not intercept and not terms and not offsets:
        diags.error(formula.span, "this formula has no terms", "write `~ 1` for one value")
    return LoweredPredictor(
        name,
        intercept,
        tuple(term for term, _ in terms),
        tuple(offset for offset, _ in offsets),
        formula.span,
    )


def lower_group_factor(node: ast.GroupFactor, diags: Diagnostics) -> tuple[ir.GroupingFactor, ...]:
    """`g` → (g,); `a:b` → (a:b,); `a/b` → (a, a:b)."""
    factors: list[ir.GroupingFactor] = []
    variables: tuple[str, ...] = ()
    for part in node.parts:
        for name in part.names:
            check_name(name, diags)
            if name.text in variables:
                diags.error(name.span, f"`{name.text}` appears twice in the grouping factor")
            else:
                variables += (name.text,)
        factors.append(ir.GroupingFactor(variables))
    return tuple(factors)


def find_group(factor: ir.GroupingFactor, blocks, span: Span | None, diags: Diagnostics) -> str | None:
    """The label of the model's block for `factor` (`b:a` finds `a:b`), or None after reporting it missing."""
    for block in blocks:
        if set(block.factor.variables) == set(factor.variables):
            return block.factor.label
    known = [block.factor.label for block in blocks]
    hint = did_you_mean(factor.label, known) or (
        f"its grouping factors are {all_of(known)}" if known else "it has no group-level terms"
    )
    diags.error(span, f"the model has no grouping factor `{factor.label}`", hint)
    return None


def lower_coefficient(node: ast.Atom | ast.Interaction, diags: Diagnostics) -> ir.Term | None:
    """The term a coefficient name in `b[...]` or `sd(g)[...]` refers to."""
    factors = _interaction_factors(node, diags)
    return ir.Term(factors) if factors else None


# ---- response ----------------------------------------------------------------


# The transforms a response may have: those that need no statistics of the data.
RESPONSE_TRANSFORMS = (Transform.LOG, Transform.LOG1P, Transform.EXP, Transform.SQRT)


def _response_column(node: ast.Name | ast.Call, diags: Diagnostics) -> tuple[ast.Name, tuple[Transform, ...]]:
    """`log(sqrt(y))` → (y, (SQRT, LOG)): the column, and its transforms innermost first."""
    transforms: list[Transform] = []
    while isinstance(node, ast.Call):
        func = node.func.text
        allowed = [t.value for t in RESPONSE_TRANSFORMS]
        if func not in allowed:
            hint = (
                "transform the response in the data"
                if func in _TRANSFORMS or func == ARITHMETIC
                else did_you_mean(func, allowed) or f"they are {all_of(allowed)}"
            )
            diags.error(node.func.span, f"a response may be transformed by {one_of(allowed)}, not `{func}`", hint)
            break
        if (
            len(node.args) != 1
            or node.args[0].name is not None
            or not isinstance(node.args[0].value, (ast.Name, ast.Call))
        ):
            diags.error(node.span, f"`{func}` of the response takes one argument, the response's column")
            break
        transforms.insert(0, _TRANSFORMS[func])
        node = node.args[0].value
    if isinstance(node, ast.Call):  # reported above
        return ast.Name("y", span=node.span), ()
    return node, tuple(transforms)


def _lower_response(node: ast.Response, diags: Diagnostics) -> ir.Response:
    column, transforms = _response_column(node.name, diags)
    check_name(column, diags)
    options: dict[str, str | int] = {}
    for call in node.additions:
        kind = call.func.text
        if kind not in RESPONSE_OPTIONS:
            diags.error(
                call.func.span,
                f"unknown response option `{kind}`",
                did_you_mean(kind, RESPONSE_OPTIONS)
                or f"the response options are {all_of(form for form, _ in RESPONSE_OPTIONS.values())}",
            )
            continue
        if kind in options:
            diags.error(call.span, f"`{kind}(...)` is given twice")
            continue
        value = _response_option_value(call, diags)
        if value is not None:
            options[kind] = value
    spans = {call.func.text: call.span for call in node.additions}
    censored, upper = options.get("cens", (None, None))
    lb, ub = options.get("trunc", (None, None))
    return ir.Response(
        column.text,
        options.get("se"),
        options.get("trials"),
        options.get("weights"),
        censored,
        upper,
        lb,
        ub,
        se_at=spans.get("se"),
        weights_at=spans.get("weights"),
        censored_at=spans.get("cens"),
        truncated_at=spans.get("trunc"),
        transforms=transforms,
    )


# The response options: how each is written, and what its argument is.
RESPONSE_OPTIONS = {
    "se": ("se(s)", "`se(s)`, where s is a column of standard errors"),
    "trials": ("trials(n)", "`trials(n)`, with a column or a number"),
    "weights": ("weights(w)", "`weights(w)`, where w is a column of weights"),
    "cens": (
        "cens(c)",
        "`cens(c)` or `cens(c, y2)`: c a column of censoring codes, y2 the upper bounds of interval-censored rows",
    ),
    "trunc": ("trunc(lb = L, ub = U)", "`trunc(lb = 0)`, `trunc(ub = 100)` or both, each a number or a column"),
}


MAX_TRIALS = 2**31 - 1  # Stan's integers have 32 bits


def _response_option_value(call: ast.Call, diags: Diagnostics) -> str | int | tuple | None:
    kind = call.func.text
    usage = RESPONSE_OPTIONS[kind][1]
    if kind == "cens":
        return _censoring_columns(call, usage, diags)
    if kind == "trunc":
        return _truncation_bounds(call, usage, diags)
    if len(call.args) != 1 or call.args[0].name is not None:
        diags.error(call.span, f"`{kind}` takes one argument", f"write {usage}")
        return None
    value = call.args[0].value
    if isinstance(value, ast.Name):
        return value.text if check_name(value, diags) else None
    if kind == "trials" and isinstance(value, ast.Number):
        if 1 <= value.value <= MAX_TRIALS and value.value == int(value.value):
            return int(value.value)
        diags.error(value.span, f"the number of trials must be a whole number from 1 to {MAX_TRIALS}")
        return None
    diags.error(value.span, f"invalid argument to `{kind}`", f"write {usage}")
    return None


def _censoring_columns(call: ast.Call, usage: str, diags: Diagnostics) -> tuple[str, str | None] | None:
    """`cens(c)` or `cens(c, y2)`: the column of codes, and the column of upper bounds or None."""
    if not 1 <= len(call.args) <= 2 or any(arg.name is not None for arg in call.args):
        diags.error(call.span, "`cens` takes one or two columns", f"write {usage}")
        return None
    names = []
    for arg in call.args:
        if not isinstance(arg.value, ast.Name):
            diags.error(arg.value.span, "invalid argument to `cens`", f"write {usage}")
            return None
        if not check_name(arg.value, diags):
            return None
        names.append(arg.value.text)
    if len(names) == 2 and names[0] == names[1]:
        diags.error(call.args[1].span, f"`{names[0]}` is both the censoring codes and the upper bounds")
        return None
    return names[0], names[1] if len(names) == 2 else None


def _truncation_bounds(call: ast.Call, usage: str, diags: Diagnostics) -> tuple | None:
    """`trunc(lb = L, ub = U)`: (lb, ub), each a number, a column name or None."""
    bounds: dict[str, float | str] = {}
    for arg in call.args:
        if arg.name is None or arg.name.text not in ("lb", "ub"):
            where = arg.name.span if arg.name is not None else arg.span
            diags.error(where, "`trunc` takes the bounds by name, `lb` and `ub`", f"write {usage}")
            return None
        if arg.name.text in bounds:
            diags.error(arg.span, f"`{arg.name.text}` is given twice")
            return None
        if isinstance(arg.value, ast.Number):
            bounds[arg.name.text] = float(arg.value.value)
        elif isinstance(arg.value, ast.Name) and check_name(arg.value, diags):
            bounds[arg.name.text] = arg.value.text
        else:
            diags.error(arg.value.span, "a truncation bound is a number or a column", f"write {usage}")
            return None
    if not bounds:
        diags.error(call.span, "`trunc` needs a bound", f"write {usage}")
        return None
    lb, ub = bounds.get("lb"), bounds.get("ub")
    if isinstance(lb, float) and isinstance(ub, float) and not lb < ub:
        diags.error(call.span, f"the truncation bounds are empty: lb = {lb:g} is not below ub = {ub:g}")
        return None
    return lb, ub


# ---- terms -------------------------------------------------------------------


def _lower_terms(
    signed_terms: tuple[ast.SignedTerm, ...], diags: Diagnostics, *, inside_group: bool
) -> tuple[bool, list[tuple[ir.Term, Span | None]], list[ast.GroupTerm]]:
    """(intercept?, [(term, span)], group terms) for one sum of terms."""
    intercept: bool | None = None
    intercept_span: Span | None = None
    terms: list[tuple[ir.Term, Span | None]] = []
    seen: dict[frozenset[str], ir.Term] = {}
    named: dict[str, ir.Term] = {}  # by the identifier generated code gives the term (`b_log_x`, `x_log_x`)
    group_terms: list[ast.GroupTerm] = []

    for signed in signed_terms:
        node = signed.term
        if isinstance(node, ast.Number):
            wanted = _intercept_choice(signed, diags)
            if wanted is None:
                continue
            if intercept is not None and wanted != intercept:
                diags.error(
                    signed.span,
                    "conflicting intercept: the formula both includes and removes it",
                    f"it was already {'included' if intercept else 'removed'} at column {intercept_span.column}"
                    if intercept_span
                    else None,
                )
            intercept, intercept_span = wanted, signed.span
        elif isinstance(node, ast.GroupTerm):
            if inside_group:
                diags.error(node.span, "group terms cannot be nested inside a group term")
            elif signed.negated:
                diags.error(signed.span, "a group term cannot be removed with `-`")
            else:
                group_terms.append(node)
        elif _is_offset(node):
            if inside_group:
                diags.error(node.span, "an offset belongs to the population level, not inside a group term")
            elif signed.negated:
                diags.error(signed.span, "an offset cannot be removed with `-`")
        elif signed.negated:
            diags.error(
                signed.span,
                "only the intercept can be removed with `-`",
                "to leave a term out, delete it from the formula",
            )
        else:
            for factors in _expand(node, diags):
                term = ir.Term(factors, node.span)
                key = _key(factors)
                if key in seen:
                    shown = "" if term.label == seen[key].label else f" (as `{seen[key].label}`)"
                    diags.error(node.span, f"duplicate term `{term.label}`: it is already in the formula{shown}")
                    continue
                same_name = named.get(naming.ident(term.label))
                if same_name is not None and same_name.label != term.label:  # equal labels: checked later
                    arithmetic = any(isinstance(f, ir.Expression) for t in (term, same_name) for f in t.factors)
                    diags.error(
                        node.span,
                        f"the terms `{same_name.label}` and `{term.label}` would have the same name "
                        f"`{naming.ident(term.label)}` in generated code",
                        "names drop parentheses: write one of them out, e.g. `I(x^2 + 2 * x)` for `I(x * (x + 2))`"
                        if arithmetic
                        else "rename the column",
                    )
                    continue
                seen[key] = term
                named[naming.ident(term.label)] = term
                terms.append((term, node.span))
    return (True if intercept is None else intercept), terms, group_terms


OFFSET = "offset"


def _is_offset(node) -> bool:
    return isinstance(node, ast.Call) and node.func.text == OFFSET


def _offsets(
    signed_terms: tuple[ast.SignedTerm, ...], diags: Diagnostics
) -> list[tuple[ir.NumericFactor, Span | None]]:
    """The population-level `offset(x)` terms: a numeric column, transformed or not, with coefficient 1."""
    offsets: list[tuple[ir.NumericFactor, Span | None]] = []
    for signed in signed_terms:
        call = signed.term
        if signed.negated or not _is_offset(call):
            continue
        if len(call.args) != 1 or call.args[0].name is not None or isinstance(call.args[0].value, ast.Number):
            diags.error(call.span, "`offset` takes one argument, a numeric column or a transform of one")
            continue
        factor = _factor(call.args[0].value, diags)
        if isinstance(factor, ir.Categorical):
            diags.error(call.span, f"an offset must be numeric; `{factor.variable}` is categorical here")
        elif isinstance(factor, ir.Basis):
            diags.error(call.span, f"an offset is one column, not the columns of `{factor.label}`")
        elif factor is not None and factor in [offset for offset, _ in offsets]:
            diags.error(call.span, f"duplicate offset `{factor.label}`")
        elif factor is not None:
            offsets.append((factor, call.span))
    return offsets


def _key(factors: tuple[ir.Factor, ...]) -> frozenset[ir.Factor]:
    """Terms are the same whatever the order of their factors: `a:b` is `b:a`."""
    return frozenset(factors)


def _intercept_choice(signed: ast.SignedTerm, diags: Diagnostics) -> bool | None:
    number = signed.term
    assert isinstance(number, ast.Number)
    if number.value == 1 and not signed.negated:
        return True
    if (number.value == 0 and not signed.negated) or (number.value == 1 and signed.negated):
        return False
    diags.error(
        signed.span if signed.negated else number.span,
        f"`{'-' if signed.negated else ''}{number.text}` is not a term",
        "write `1` to include the intercept, `0` or `-1` to remove it",
    )
    return None


MAX_PRODUCT_TERMS = 1023  # `a*b*...` with 10 factors; each more doubles the terms


def _expand(node: ast.Term, diags: Diagnostics) -> list[tuple[ir.Factor, ...]]:
    """The interactions a term stands for: `a*b` → [(a,), (b,), (a, b)]."""
    if not isinstance(node, ast.Product):
        factors = _interaction_factors(node, diags)
        return [factors] if factors else []
    operands = [_interaction_factors(op, diags) for op in node.operands]
    if not all(operands):
        return []
    for position, (operand, factors) in enumerate(zip(node.operands, operands, strict=True)):
        if _key(factors) in map(_key, operands[:position]):
            diags.error(operand.span, f"`{unparse_term(operand)}` appears twice in the product")
            return []
    if 2 ** len(operands) - 1 > MAX_PRODUCT_TERMS:
        diags.error(
            node.span,
            f"this product of {len(operands)} factors expands to {2 ** len(operands) - 1} terms, more than "
            f"{MAX_PRODUCT_TERMS}",
            "write the interactions the model needs with `:`",
        )
        return []
    expanded = []
    for size in range(1, len(operands) + 1):
        for chosen in combinations(operands, size):
            merged: list[ir.Factor] = []
            for factors in chosen:
                merged += [f for f in factors if f not in merged]
            expanded.append(tuple(merged))
    return expanded


def _interaction_factors(node, diags: Diagnostics) -> tuple[ir.Factor, ...] | None:
    atoms = node.factors if isinstance(node, ast.Interaction) else (node,)
    factors: list[ir.Factor] = []
    ok = True
    for atom in atoms:
        factor = _factor(atom, diags)
        if factor is None:
            ok = False
        elif any(f.label == factor.label for f in factors):
            diags.error(atom.span, f"`{factor.label}` appears twice in the interaction")
            ok = False
        else:
            factors.append(factor)
    return tuple(factors) if ok else None


def _factor(atom, diags: Diagnostics) -> ir.Factor | None:
    if isinstance(atom, ast.Name):
        return ir.Numeric(atom.text) if check_name(atom, diags) else None
    if isinstance(atom, ast.Number):
        diags.error(atom.span, f"a number (`{atom.text}`) cannot be part of an interaction")
        return None
    if isinstance(atom, ast.GroupTerm):
        diags.error(atom.span, "a group term cannot be part of an interaction")
        return None
    if isinstance(atom, (ast.BinaryOp, ast.Negation)):
        text = unparse_term(atom)
        diags.error(atom.span, "arithmetic in a formula goes inside `I(...)`", f"write `I({text})`")
        return None
    if isinstance(atom, ast.Call):
        func = atom.func.text
        if func == CATEGORICAL:
            return _categorical(atom, diags)
        if func == ARITHMETIC:
            return _expression(atom, diags)
        if func == POLYNOMIAL:
            return _polynomial(atom, diags)
        if func == SPLINE:
            return _spline(atom, diags)
        if func == OFFSET:
            diags.error(atom.span, "an offset is a term of its own", "add it to the formula: `+ offset(...)`")
            return None
        if func in _TRANSFORMS:
            return _transformed(atom, _TRANSFORMS[func], diags)
        functions = [*_TRANSFORMS, CATEGORICAL, ARITHMETIC, POLYNOMIAL, SPLINE, OFFSET]
        if func in _CATEGORICAL_ALIASES:
            hint = f"write `C({_first_arg_text(atom)})` for a categorical predictor"
        elif func in _NOT_YET:
            hint = f"{_NOT_YET[func]} are not in the language yet: compute the columns in the data"
        else:
            hint = did_you_mean(func, functions) or f"the functions are {all_of(functions)}"
        diags.error(atom.func.span, f"unknown function `{func}` in formula", hint)
        return None
    raise TypeError(f"unexpected formula node {atom!r}")


_NOT_YET = {
    "bs": "splines",
    "ns": "splines",
    "s": "splines",
    "mo": "monotonic effects",
}


def _first_arg_text(call: ast.Call) -> str:
    if call.args and isinstance(call.args[0].value, ast.Name):
        return call.args[0].value.text
    return "x"


def _transformed(call: ast.Call, transform: Transform, diags: Diagnostics) -> ir.Numeric | None:
    if len(call.args) != 1 or call.args[0].name is not None:
        diags.error(call.span, f"`{transform.value}` takes one argument, a numeric predictor")
        return None
    inner = call.args[0].value
    if isinstance(inner, (ast.BinaryOp, ast.Negation)) or _is_call(inner, ARITHMETIC):
        argument = inner.args[0].value if _is_call(inner, ARITHMETIC) and len(inner.args) == 1 else inner
        text = f"{transform.value}({unparse_term(argument)})"
        diags.error(call.span, f"`{transform.value}` of arithmetic goes inside `I(...)`", f"write `I({text})`")
        return None
    if not isinstance(inner, (ast.Name, ast.Call)):
        diags.error(inner.span, f"`{transform.value}` applies to a predictor, not to a constant")
        return None
    factor = _factor(inner, diags)
    if factor is None:
        return None
    if isinstance(factor, ir.Categorical):
        diags.error(
            call.span, f"`{transform.value}` cannot be applied to the categorical predictor `{factor.variable}`"
        )
        return None
    if isinstance(factor, ir.Basis):
        diags.error(call.span, f"`{transform.value}` cannot be applied to the columns of `{factor.label}`")
        return None
    return ir.Numeric(factor.variable, factor.transforms + (transform,))


def _is_call(node, func: str) -> bool:
    return isinstance(node, ast.Call) and node.func.text == func


ARITHMETIC = "I"
POLYNOMIAL = "poly"
SPLINE = "bs"
_ARITHMETIC_USAGE = "e.g. `I(x^2)`, `I(x * z)`, `I(log(x) / 100)`"


def _expression(call: ast.Call, diags: Diagnostics) -> ir.Expression | None:
    """`I(...)`: arithmetic with `+ - * / ^` on numeric columns, numbers and the transforms."""
    if len(call.args) != 1 or call.args[0].name is not None:
        diags.error(call.span, "`I` takes one argument, an arithmetic expression", _ARITHMETIC_USAGE)
        return None
    expression = _arithmetic(call.args[0].value, diags)
    if expression is None:
        return None
    if not ir.columns_of(expression):
        diags.error(call.span, f"`{unparse_term(call)}` is a constant, not a predictor", "use a column in it")
        return None
    return ir.Expression(expression)


def _arithmetic(node: ast.Value, diags: Diagnostics) -> ir.Arithmetic | None:
    match node:
        case ast.Name():
            return ir.Column(node.text) if check_name(node, diags) else None
        case ast.Number(value=value, text=text):
            if not math.isfinite(value):
                diags.error(node.span, f"the number `{text}` is too large")
                return None
            return ir.Constant(value, text)
        case ast.Negation(operand=operand):
            inner = _arithmetic(operand, diags)
            return None if inner is None else ir.Negated(inner)
        case ast.BinaryOp(op=op, left=left, right=right):
            sides = _arithmetic(left, diags), _arithmetic(right, diags)  # both, to report errors in either
            return None if None in sides else ir.Binary(op, *sides)
        case ast.Call(func=func) if func.text in _TRANSFORMS:
            if len(node.args) != 1 or node.args[0].name is not None:
                diags.error(node.span, f"`{func.text}` takes one argument")
                return None
            inner = _arithmetic(node.args[0].value, diags)
            return None if inner is None else ir.Applied(_TRANSFORMS[func.text], inner)
        case ast.Call(func=func):
            if func.text == CATEGORICAL:
                message, hint = "a categorical predictor cannot be part of arithmetic", None
            elif func.text == ARITHMETIC:
                message, hint = "`I(...)` inside `I(...)`", "write the arithmetic without the inner `I`"
            else:
                message = f"unknown function `{func.text}` in `I(...)`"
                hint = did_you_mean(func.text, _TRANSFORMS) or f"the functions are {all_of(_TRANSFORMS)}"
            diags.error(func.span, message, hint)
            return None
    diags.error(node.span, "`I(...)` holds arithmetic on columns and numbers", _ARITHMETIC_USAGE)
    return None


def _polynomial(call: ast.Call, diags: Diagnostics) -> ir.Polynomial | None:
    """`poly(x, degree)`: R's orthogonal polynomials of a numeric predictor."""
    usage = "write `poly(x, degree)`, e.g. `poly(x, 3)`"
    raw = next((arg for arg in call.args if arg.name is not None and arg.name.text == "raw"), None)
    if raw is not None:
        diags.error(raw.span, "hierc's `poly` is orthogonal only", "for raw powers write `x + I(x^2) + I(x^3)`")
        return None
    named_ok = [
        arg.name is None or (position == 1 and arg.name.text == "degree") for position, arg in enumerate(call.args)
    ]
    if len(call.args) != 2 or not all(named_ok):
        diags.error(call.span, "`poly` takes a numeric predictor and a degree", usage)
        return None
    base = _factor(call.args[0].value, diags)
    degree = call.args[1].value
    if not isinstance(degree, ast.Number) or degree.value != int(degree.value) or degree.value < 1:
        diags.error(degree.span, "the degree of a polynomial is a whole number, 1 or more", usage)
        return None
    if base is None:
        return None
    if not isinstance(base, (ir.Numeric, ir.Expression)):
        diags.error(
            call.args[0].span,
            f"`poly` applies to a numeric predictor, not to `{unparse_term(call.args[0].value)}`",
            usage,
        )
        return None
    return ir.Polynomial(base, int(degree.value))


def _spline(call: ast.Call, diags: Diagnostics) -> ir.Spline | None:
    """`bs(x, df)` or `bs(x, df, degree = 2)`: R's B-spline basis of a numeric predictor."""
    usage = "write `bs(x, df)`, e.g. `bs(x, 5)`, or `bs(x, 5, degree = 2)`"
    names = [arg.name.text if arg.name is not None else None for arg in call.args]
    if "knots" in names:
        diags.error(call.span, "hierc places the knots itself, at quantiles of the data", "give `df`: " + usage)
        return None
    positional = [arg for arg in call.args[1:] if arg.name is None]
    named = {arg.name.text: arg for arg in call.args[1:] if arg.name is not None}
    given = {"df": positional[0]} if positional else {}
    if (
        not call.args
        or names[0] is not None
        or len(positional) > 1
        or (positional and call.args[1].name is not None)  # a positional argument after a named one
        or not set(named) <= {"df", "degree"}
        or (positional and "df" in named)
        or len(named) + len(positional) != len(call.args) - 1
    ):
        diags.error(call.span, "`bs` takes a numeric predictor, its number of columns `df`, and a `degree`", usage)
        return None
    given |= {name: arg for name, arg in named.items()}
    if "df" not in given:
        diags.error(call.span, "`bs` needs its number of columns, `df`", usage)
        return None
    numbers = {}
    for what, arg in given.items():
        value = arg.value
        if not isinstance(value, ast.Number) or value.value != int(value.value) or value.value < 1:
            diags.error(value.span, f"`{what}` of a B-spline is a whole number, 1 or more", usage)
            return None
        numbers[what] = int(value.value)
    degree = numbers.get("degree", 3)
    if numbers["df"] < degree:
        diags.error(
            call.span,
            f"a B-spline of degree {degree} has at least {degree} columns, not {numbers['df']}",
            f"write `df = {degree}` or more",
        )
        return None
    base = _factor(call.args[0].value, diags)
    if base is None:
        return None
    if not isinstance(base, (ir.Numeric, ir.Expression)):
        diags.error(
            call.args[0].span,
            f"`bs` applies to a numeric predictor, not to `{unparse_term(call.args[0].value)}`",
            usage,
        )
        return None
    return ir.Spline(base, numbers["df"], degree)


def _categorical(call: ast.Call, diags: Diagnostics) -> ir.Categorical | None:
    usage = 'write `C(x)`, or `C(x, ref = "level")` to choose the reference level'
    positional = [a for a in call.args if a.name is None]
    if not positional or not isinstance(positional[0].value, ast.Name) or len(positional) > 1:
        diags.error(call.span, "`C` takes one predictor name", usage)
        return None
    if call.args[0].name is not None:
        diags.error(call.args[0].span, "the predictor comes first in `C(...)`", usage)
        return None
    name = positional[0].value
    if not check_name(name, diags):
        return None
    reference = None
    for position, arg in enumerate(call.args[1:], start=1):
        if any(a.name.text == arg.name.text for a in call.args[1:position]):
            diags.error(arg.span, f"argument `{arg.name.text}` is given twice")
            return None
        if arg.name.text != "ref":
            diags.error(
                arg.name.span,
                f"unknown argument `{arg.name.text}` of `C`",
                did_you_mean(arg.name.text, ["ref"]) or usage,
            )
            return None
        value = arg.value
        if isinstance(value, ast.String):
            reference = value.value
        elif isinstance(value, ast.Number):
            reference = value.text
        elif isinstance(value, ast.Name):
            reference = value.text
        else:
            diags.error(value.span, "the reference level is a name, a number or a quoted string", usage)
            return None
    return ir.Categorical(name.text, reference)


# ---- whole-formula checks ----------------------------------------------------


def _check_variable_kinds(term_spans: list[tuple[ir.Term, Span | None]], diags: Diagnostics) -> None:
    """A variable is either numeric or categorical, with one reference level, throughout the formula."""
    first: dict[str, ir.Categorical | None] = {}  # variable -> how it is used first (None: as a number)
    for term, span in term_spans:
        for factor in term.factors:
            for variable in factor.variables:
                use = factor if isinstance(factor, ir.Categorical) else None
                seen = first.setdefault(variable, use)
                if (seen is None) != (use is None):
                    diags.error(
                        span,
                        f"`{variable}` is used both as a numeric and as a categorical predictor",
                        f"use `C({variable})` everywhere, or nowhere",
                    )
                    first[variable] = use
                elif use is not None and seen.reference != use.reference:
                    diags.error(span, f"`C({variable})` is given different reference levels")
                    first[variable] = use


def _check_response_unused(
    response: ast.Response,
    name: str,
    term_spans: list[tuple[ir.Term, Span | None]],
    group_terms: list[ast.GroupTerm],
    diags: Diagnostics,
) -> None:
    for term, span in term_spans:
        if name in term.variables:
            diags.error(span, f"the response `{name}` is also used as a predictor")
    for group_term in group_terms:
        for part in group_term.factor.parts:
            for part_name in part.names:
                if part_name.text == name:
                    diags.error(part_name.span, f"the response `{name}` is also used as a grouping factor")
    for option in response.additions:
        for arg in option.args:
            if isinstance(arg.value, ast.Name) and arg.value.text == name:
                diags.error(arg.value.span, f"the response `{name}` is also its own `{option.func.text}` column")
