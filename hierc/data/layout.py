"""Sizes and column ranges of code that is written before the data are known.

A numeric term has one design column; a term with a categorical factor has
as many as its contrasts, known only from the data, so its width is a data
variable `K_<term>`. A `Size` is a constant plus such widths, and renders as
an expression Stan and Python read alike: `2`, `K_season`, `1 + K_season`.
Columns are numbered from 1, as in Stan; `python_index` gives the 0-based
index for generated Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from hierc import naming
from hierc.language import ir


@dataclass(frozen=True)
class Size:
    const: int = 0
    symbols: tuple[str, ...] = ()

    def __add__(self, other: Size) -> Size:
        return Size(self.const + other.const, self.symbols + other.symbols)

    @property
    def is_one(self) -> bool:
        return self.const == 1 and not self.symbols

    @property
    def is_zero(self) -> bool:
        return self.const == 0 and not self.symbols

    def render(self) -> str:
        parts = list(self.symbols)
        if self.const or not parts:
            parts.insert(0, str(self.const))
        return " + ".join(parts)


@dataclass(frozen=True)
class Columns:
    """Columns `start .. start + size - 1` (1-based) of a matrix or vector."""

    start: Size
    size: Size

    def index(self, whole: Size) -> str | None:
        """The Stan index for these columns: `3`, `2:(1 + K_season)`, or None for all of `whole`."""
        if self.size == whole and self.start == Size(1):
            return None
        if self.size.is_one:
            return self.start.render()
        return self.range()

    def element_index(self, whole: Size) -> str | None:
        """Like `index`, but one column is always indexed: `X[:, 1]` is a vector, `X` a matrix."""
        return self.start.render() if self.size.is_one else self.index(whole)

    def python_index(self, whole: Size) -> str | None:
        """The 0-based NumPy index, one column always indexed: `0`, `1:1 + K_season`, None for all of `whole`."""
        start = self.start + Size(-1)
        if self.size.is_one:
            return start.render()
        if self.size == whole and self.start == Size(1):
            return None
        low, high = "" if start.is_zero else start.render(), (start + self.size).render()
        colon = " : " if " " in low + high else ":"  # as Black writes a slice of expressions
        return f"{low}{colon}{high}"

    def range(self) -> str:
        end = self.start + self.size + Size(-1)
        return f"{_bracket(self.start.render())}:{_bracket(end.render())}"


def _bracket(text: str) -> str:
    return f"({text})" if " " in text else text


def term_width(term: ir.Term) -> Size:
    return Size(0, (width_name(term),)) if term.columns is None else Size(term.columns)


def width_name(term: ir.Term) -> str:
    """The data variable holding the number of design columns of a term with a categorical factor."""
    return f"K_{naming.ident(term.label)}"


def layout(terms: tuple[ir.Term, ...], first: Size = Size(1)) -> tuple[Size, dict[str, Columns]]:
    """The total width of the terms' columns and each term's columns."""
    position, spans = first, {}
    total = Size(0)
    for term in terms:
        width = term_width(term)
        spans[term.label] = Columns(position, width)
        position, total = position + width, total + width
    return total, spans
