"""The abstract syntax tree: what the user wrote, with source spans.

Nodes are frozen dataclasses holding tuples; spans are excluded from equality
so that trees parsed from differently formatted text compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hierc.language.source import Span


@dataclass(frozen=True)
class Node:
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)


# ---- leaves and calls --------------------------------------------------------


@dataclass(frozen=True)
class Name(Node):
    text: str


@dataclass(frozen=True)
class Number(Node):
    value: float
    text: str  # as written, so unparsing preserves `1` vs `1.0`


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Call(Node):
    func: Name
    args: tuple[Arg, ...] = ()


@dataclass(frozen=True)
class Arg(Node):
    name: Name | None
    value: Value


@dataclass(frozen=True)
class BinaryOp(Node):
    """Arithmetic in a call's argument, `x^2` in `I(x^2)`: `op` is one of `+ - * / ^`."""

    op: str
    left: Value
    right: Value


@dataclass(frozen=True)
class Negation(Node):
    """`-x` in a call's argument (a negative number is a Number)."""

    operand: Value


Value = Number | String | Name | Call | BinaryOp | Negation

# ---- formula -----------------------------------------------------------------

Atom = Name | Number | Call


@dataclass(frozen=True)
class Interaction(Node):
    """`a:b:c`"""

    factors: tuple[Atom, ...]


@dataclass(frozen=True)
class Product(Node):
    """`a*b`: shorthand for `a + b + a:b`."""

    operands: tuple[Atom | Interaction, ...]


@dataclass(frozen=True)
class GroupPart(Node):
    """One level of a grouping factor: `g`, or `a:b` for the interaction of two factors."""

    names: tuple[Name, ...]


@dataclass(frozen=True)
class GroupFactor(Node):
    """`g`, `a:b`, or the nesting `a/b` (which means `a` and `a:b`)."""

    parts: tuple[GroupPart, ...]


@dataclass(frozen=True)
class SignedTerm(Node):
    negated: bool
    term: Term


@dataclass(frozen=True)
class GroupTerm(Node):
    """`(terms | g)` (correlated) or `(terms || g)` (uncorrelated)."""

    terms: tuple[SignedTerm, ...]
    correlated: bool
    factor: GroupFactor


Term = Atom | Interaction | Product | GroupTerm


@dataclass(frozen=True)
class Response(Node):
    name: Name | Call  # a Call for a transformed response, `log(y)`
    additions: tuple[Call, ...] = ()


@dataclass(frozen=True)
class Formula(Node):
    response: Response
    terms: tuple[SignedTerm, ...]


# ---- statements --------------------------------------------------------------


@dataclass(frozen=True)
class ModelDecl(Node):
    name: Name


@dataclass(frozen=True)
class DataDecl(Node):
    path: String


@dataclass(frozen=True)
class FamilyDecl(Node):
    name: Name
    args: tuple[Arg, ...] = ()


@dataclass(frozen=True)
class PriorTarget(Node):
    """`b`, `b[x1]`, `sd(g)`, `sd(g)[x1]`, `cor(g)`, `sigma`, ..."""

    name: Name
    group: GroupFactor | None = None
    coefficient: Atom | Interaction | None = None


@dataclass(frozen=True)
class Truncation(Node):
    """`T[lower, upper]` after a prior's distribution; either bound may be None (left out)."""

    lower: Number | None
    upper: Number | None


@dataclass(frozen=True)
class PriorDecl(Node):
    target: PriorTarget
    distribution: Call
    truncation: Truncation | None = None


@dataclass(frozen=True)
class ParamDecl(Node):
    """`param = value` (the default for every grouping factor) or `param(g) = value`."""

    group: GroupFactor | None
    value: Name


Statement = ModelDecl | DataDecl | FamilyDecl | Formula | PriorDecl | ParamDecl


@dataclass(frozen=True)
class Spec(Node):
    statements: tuple[Statement, ...]
