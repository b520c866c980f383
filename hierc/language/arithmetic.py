"""Writing the arithmetic of `I(...)` back as text, with the parentheses its precedence needs.

`^` binds tightest and groups to the right (`x^-1`, `2^x^2` is `2^(x^2)`), then unary `-`
(`-x^2` is `-(x^2)`), then `*` and `/`, then `+` and `-`, both grouping to the left: R's rules,
which are also Python's with `**` for `^`. The syntax tree and the IR both write through `render`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OPERATORS = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}
NEGATION = 3  # unary minus, and a negative number written with its sign
ATOM = 5  # a name, a number, a call, or anything in parentheses

# What `split` says a node is: ("binary", op, left, right), ("negated", operand) or ("atom", text).
Split = Callable[[Any], tuple]


NEEDED, ALL, NONE = "needed", "all", "none"  # which parentheses `render` writes


def render(node: Any, split: Split, power: str = "^", parens: str = NEEDED) -> str:
    """The expression as text; `power` spells `^`. `parens`: those precedence needs; ALL around every
    operand that is not an atom (for formulae, which reads `-2 ** x` as `(-2) ** x`); NONE (formulae's names
    of `I(...)` terms have none)."""
    return _text(node, split, power, parens)[0]


def _text(node: Any, split: Split, power: str, parens: str) -> tuple[str, int]:
    kind, *parts = split(node)
    if kind == "binary":
        op, left, right = parts
        (left_text, left_rank), (right_text, right_rank) = (_text(n, split, power, parens) for n in (left, right))
        own = OPERATORS[op]
        if op == "^":
            left_needed, right_needed = left_rank < ATOM, right_rank < NEGATION
        else:
            left_needed, right_needed = left_rank < own, right_rank <= own
        spaced = power if op == "^" else f" {op} "
        left_text = _wrap(left_text, left_rank, left_needed, parens)
        return left_text + spaced + _wrap(right_text, right_rank, right_needed, parens), own
    if kind == "negated":
        text, rank = _text(parts[0], split, power, parens)
        return "-" + _wrap(text, rank, rank < NEGATION, parens), NEGATION
    text = parts[0]
    return text, NEGATION if text.startswith("-") else ATOM  # a negative number reads as a negation


def _wrap(text: str, rank: int, needed: bool, parens: str) -> str:
    wanted = {NEEDED: needed, ALL: rank < ATOM, NONE: False}[parens]
    return f"({text})" if wanted else text
