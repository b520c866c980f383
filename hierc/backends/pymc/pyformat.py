"""A small printer of Python statements in the layout Black and `ruff format` give them.

Generated scripts should read as if formatted by hand; the golden tests run
`ruff format --check` over them. Expressions are built as `Call`, `Seq` and
`Sum` trees of strings and printed last: a statement that does not fit on a
line is split at its outermost brackets, and an argument list that still
does not fit gets one argument per line with a trailing comma.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE_LENGTH = 100
INDENT = "    "


@dataclass(frozen=True)
class Call:
    """`func(arg, ...)`; keyword arguments are `Kw`."""

    func: str
    args: tuple


@dataclass(frozen=True)
class Kw:
    name: str
    value: object


@dataclass(frozen=True)
class Seq:
    """A list `[a, b]` or tuple `(a, b)`; a one-element tuple gets its comma."""

    items: tuple
    brackets: str = "[]"


@dataclass(frozen=True)
class Lambda:
    """`lambda params: body`."""

    params: str
    body: object


@dataclass(frozen=True)
class Sum:
    """`a + b + c`; split one term per line inside parentheses when too long."""

    parts: tuple


Expr = str | Call | Kw | Seq | Lambda | Sum


def call(func: str, *args, **kwargs) -> Call:
    """A call; keyword arguments whose value is None are left out."""
    return Call(func, tuple(args) + tuple(Kw(k, v) for k, v in kwargs.items() if v is not None))


def flat(expr: Expr) -> str:
    match expr:
        case str():
            return expr
        case Kw(name, value):
            return f"{name}={flat(value)}"
        case Call(func, args):
            return f"{func}({', '.join(flat(a) for a in args)})"
        case Seq(items, brackets):
            inner = ", ".join(flat(i) for i in items)
            if brackets == "()" and len(items) == 1:
                inner += ","
            return f"{brackets[0]}{inner}{brackets[1]}"
        case Lambda(params, body):
            return f"lambda {params}: {flat(body)}"
        case Sum(parts):
            return " + ".join(flat(p) for p in parts)
    raise TypeError(expr)


def statement(prefix: str, expr: Expr, depth: int, suffix: str = "") -> list[str]:
    """`prefix + expr + suffix` at indentation `depth`, split over lines as Black would."""
    indent = INDENT * depth
    line = f"{indent}{prefix}{flat(expr)}{suffix}"
    if len(line) <= LINE_LENGTH:
        return [line]
    match expr:
        case Kw(name, value):
            return statement(f"{prefix}{name}=", value, depth, suffix)
        case Lambda(params, body):
            return statement(f"{prefix}lambda {params}: ", body, depth, suffix)
        case Call(func, args):
            return _bracketed(f"{prefix}{func}(", list(args), ")" + suffix, depth)
        case Seq(items, brackets):
            return _bracketed(f"{prefix}{brackets[0]}", list(items), brackets[1] + suffix, depth)
        case Sum(parts):
            body = INDENT * (depth + 1) + flat(expr)
            lines = [f"{indent}{prefix}("]
            if len(body) <= LINE_LENGTH:
                lines.append(body)
            else:
                for i, part in enumerate(parts):
                    lines += statement("" if i == 0 else "+ ", part, depth + 1)
            return lines + [f"{indent}){suffix}"]
    return [line]  # an atom: nothing to split


def _bracketed(opening: str, items: list, closing: str, depth: int) -> list[str]:
    """Items on one line inside the brackets, else one per line with a trailing comma (none for a lone item)."""
    indent = INDENT * depth
    body = INDENT * (depth + 1) + ", ".join(flat(i) for i in items)
    lines = [f"{indent}{opening}"]
    if len(body) <= LINE_LENGTH:
        lines.append(body)
    else:
        for item in items:
            lines += statement("", item, depth + 1, "," if len(items) > 1 else "")
    return lines + [f"{indent}{closing}"]
