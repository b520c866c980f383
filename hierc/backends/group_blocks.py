"""Group-level effects as the generated code declares them, shared by the code generators.

In the vectorized encoding a grouping factor's effects are one block: one sd
vector and one effects matrix with a column per coefficient. In the unrolled
encoding an uncorrelated block is split into one block per coefficient
(`sd_<g>__<coef>`, `r_<g>__<coef>`, as `hierc/naming.py` spells them); a correlated block is one joint
distribution and stays whole. Column positions are `Columns` of the block
and of the factor's design matrix Z, whose width may depend on the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from hierc import naming
from hierc.data.layout import Columns, Size, layout
from hierc.language import ir
from hierc.language.vocabulary import Encoding


@dataclass(frozen=True)
class Coefficient:
    label: str
    columns: Columns  # in the block's sd vector / effects matrix
    z: Columns | None  # in the factor's Z matrix; None for the intercept
    counterpart: str | None = None  # its population-level coefficient (`ir.Model.population_coefficients`)


@dataclass(frozen=True)
class Block:
    """Group-level effects as declared: a whole block, or one coefficient of it (unrolled)."""

    source: ir.GroupBlock
    names: naming.BlockNames  # its sd, effects, standardised effects, ...
    group: naming.GroupNames  # the names of its factor: levels, level index, design matrix, ...
    coefficients: tuple[Coefficient, ...]
    width: Size
    around_population: bool = False  # its coefficients `beta` are the parameters (`ir.Model.varies_around_population`)

    @property
    def whole(self) -> bool:
        """All of the factor's coefficients, named after the factor alone."""
        return len(self.coefficients) == len(self.source.coefficients)

    @property
    def scalar(self) -> bool:
        """One column: a real sd and a vector of effects."""
        return self.width.is_one


def group_blocks(
    block: ir.GroupBlock, encoding: Encoding, names: naming.Names, model: ir.Model
) -> tuple[list[Block], Size]:
    """The blocks one grouping factor's effects are declared as, and the width of its Z matrix."""
    label = block.factor.label
    population, around = model.population_coefficients, model.varies_around_population(block)
    group = names.group(label)
    z_total, z_columns = layout(block.terms)
    first = Size(2) if block.intercept else Size(1)
    _, own = layout(block.terms, first)
    coefficients = [Coefficient(ir.INTERCEPT, Columns(Size(1), Size(1)), None)] if block.intercept else []
    coefficients += [Coefficient(t.label, own[t.label], z_columns[t.label]) for t in block.terms]
    coefficients = [replace(c, counterpart=c.label if c.label in population else None) for c in coefficients]
    width = sum((c.columns.size for c in coefficients), Size(0))
    whole = Block(block, names.block(label), group, tuple(coefficients), width, around)
    if encoding is Encoding.VECTORIZED or block.correlated or len(coefficients) == 1:
        return [whole], z_total
    pieces = [
        Block(
            block,
            names.block(label, c.label),
            group,
            (replace(c, columns=Columns(Size(1), c.columns.size)),),
            c.columns.size,
            around and c.counterpart is not None,
        )
        for c in coefficients
    ]
    return pieces, z_total


def by_factor(blocks: list[Block]) -> dict[str, list[Block]]:
    """The blocks of each grouping factor, by its label, in order."""
    out: dict[str, list[Block]] = {}
    for block in blocks:
        out.setdefault(block.source.factor.label, []).append(block)
    return out


def runs(items, prior_of: Callable) -> list[list]:
    """Consecutive items whose priors are the same distribution with the same arguments."""
    out: list[list] = []
    previous = None
    for item in items:
        prior = prior_of(item)
        key = (prior.distribution, prior.args)
        if out and key == previous:
            out[-1].append(item)
        else:
            out.append([item])
        previous = key
    return out


def span(columns: list[Columns]) -> Columns:
    """Adjacent column ranges as one."""
    return Columns(columns[0].start, sum((c.size for c in columns), Size(0)))


def grouped_columns(segments: list[tuple[str, bool]]) -> list[list[str] | str]:
    """Expressions of adjacent column ranges, `(expression, one column)`, with runs of single columns gathered
    into lists (a backend writes each as one literal vector) and wider ranges as they are."""
    out: list[list[str] | str] = []
    for expression, one in segments:
        if one and out and isinstance(out[-1], list):
            out[-1].append(expression)
        else:
            out.append([expression] if one else expression)
    return out
