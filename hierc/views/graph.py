"""The model as a probabilistic graphical model: nodes, edges and plates, from the spec alone.

One `Graph` is built from the IR and drawn two ways: as Graphviz DOT text
(`to_dot`), and as a picture by matplotlib (`hierc/views/graph_render.py`), so
that PNG, SVG and PDF need nothing outside pip.

The conventions of the lecture notes on graphical models: random variables
are circles, observed ones shaded, deterministic ones boxes, fixed inputs
(the design matrices, known standard errors, trials) small dots. The group
effects of a grouping factor sit in a plate over its levels; a factor whose
variables include another's (`a:b` after `a`, as `a/b` gives) sits in a plate
inside that one. A noncentered factor shows its offsets `z_<g>` as random and
its effects `r_<g>` as deterministic; a centered one whose levels vary around
population coefficients, each level's coefficients `beta_<g>` as random.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from hierc import naming
from hierc.language import ir
from hierc.language.priors import auxiliary_parameters
from hierc.language.summary import prior_text
from hierc.language.vocabulary import Parameterization
from hierc.output_files import GENERATED_MARKER

if TYPE_CHECKING:  # `hierc graph FILE.dot` runs without numpy
    from hierc.data.design import BoundData

OBSERVATIONS = "obs"  # the plate over the rows of the data
MEAN = "mu"


class Kind(StrEnum):
    RANDOM = "random"
    OBSERVED = "observed"
    DETERMINISTIC = "deterministic"
    FIXED = "fixed"


class Row(StrEnum):
    """Where a node is drawn, top to bottom."""

    PRIOR = "prior"
    OFFSET = "offset"
    EFFECT = "effect"
    MEAN = "mean"
    DATA = "data"


@dataclass(frozen=True)
class Node:
    name: str
    kind: Kind
    row: Row
    plate: str | None = None
    column: str | None = None  # the grouping factor it is drawn under, if any
    note: str = ""  # a second line: the prior, or "zero-sum"


@dataclass(frozen=True)
class Plate:
    name: str
    label: str
    parent: str | None = None


@dataclass
class Graph:
    name: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    plates: list[Plate] = field(default_factory=list)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)


def _prior_note(model: ir.Model, priors: list[ir.Prior]) -> str:
    """`~ normal`, or the whole prior when there is one; nothing when the entries differ in family."""
    distributions = {p.distribution for p in priors}
    if len(priors) == 1:
        at_zero = " at predictors = 0" if priors[0].uncentered and model.terms else ""  # `prior b_Intercept ~`
        return "~ " + prior_text(priors[0], model) + at_zero
    if len(distributions) == 1:
        return f"~ {next(iter(distributions)).value}"
    return ""


def _parent_plate(block: ir.GroupBlock, model: ir.Model) -> str | None:
    """The plate of the largest factor whose variables are a proper subset of this one's: `a` for `a:b`."""
    mine = set(block.factor.variables)
    outer = [b for b in model.groups if set(b.factor.variables) < mine]
    if not outer:
        return None
    return max(outer, key=lambda b: len(b.factor.variables)).factor.label


def build_graph(model: ir.Model, bound: BoundData | None = None) -> Graph:
    """The graphical model of a spec; with data, the plates say how many levels and rows there are."""
    graph = Graph(model.name)
    priors_of = lambda cls, group=None, dpar=None: [  # noqa: E731
        p
        for p in model.priors
        if p.target.cls is cls and p.target.dpar is dpar and (group is None or p.target.group == group)
    ]

    def add(node: Node, *parents: str) -> None:
        graph.nodes.append(node)
        graph.edges += [(parent, node.name) for parent in parents]

    rows = f" ({bound.n})" if bound is not None else ""
    graph.plates.append(Plate(OBSERVATIONS, f"observations{rows}"))
    means: list[str] = []
    if model.intercept:
        add(Node(naming.INTERCEPT, Kind.RANDOM, Row.PRIOR, note=_prior_note(model, priors_of(ir.ParamClass.INTERCEPT))))
        means.append(naming.INTERCEPT)
    if model.terms:
        add(Node(naming.B, Kind.RANDOM, Row.PRIOR, note=_prior_note(model, priors_of(ir.ParamClass.B))))
        add(Node("X", Kind.FIXED, Row.MEAN, OBSERVATIONS))
        means += [naming.B, "X"]
    if model.offsets:  # fixed inputs of the mean, with coefficient 1
        add(Node(naming.OFFSET, Kind.FIXED, Row.MEAN, OBSERVATIONS))
        means.append(naming.OFFSET)

    for block in model.groups:
        label = block.factor.label
        levels = f" ({len(bound.groups[label].levels)})" if bound is not None else ""
        graph.plates.append(Plate(label, f"{label}{levels}", _parent_plate(block, model)))
        sd, effects = naming.sd(model, label), naming.effects(model, label)
        add(Node(sd, Kind.RANDOM, Row.PRIOR, column=label, note=_prior_note(model, priors_of(ir.ParamClass.SD, label))))
        scales = [sd]
        if block.correlated:
            cor = naming.cor(model, label)
            add(
                Node(
                    cor,
                    Kind.RANDOM,
                    Row.PRIOR,
                    column=label,
                    note=_prior_note(model, priors_of(ir.ParamClass.COR, label)),
                )
            )
            scales.append(cor)
        if block.parameterization is Parameterization.NONCENTERED:
            offsets = naming.names(model).block(label).z
            add(Node(offsets, Kind.RANDOM, Row.OFFSET, label, label, "~ normal(0, 1)"))
            add(Node(effects, Kind.DETERMINISTIC, Row.EFFECT, label, label), offsets, *scales)
        elif model.varies_around_population(block):  # each level's coefficients, around the population's
            population = [c for c in block.coefficients if c in model.population_coefficients]
            around = [naming.INTERCEPT if c == ir.INTERCEPT else naming.B for c in population]
            around = list(dict.fromkeys(around))
            coefficients = naming.names(model).block(label).beta
            add(Node(coefficients, Kind.RANDOM, Row.OFFSET, label, label), *around, *scales)
            add(Node(effects, Kind.DETERMINISTIC, Row.EFFECT, label, label), coefficients, *around)
        else:
            note = "zero-sum" if block.parameterization is Parameterization.ZEROSUM else ""
            add(Node(effects, Kind.RANDOM, Row.EFFECT, label, label, note), *scales)
        means.append(effects)
        if block.terms:
            design = naming.names(model).group(label).Z
            add(Node(design, Kind.FIXED, Row.MEAN, OBSERVATIONS))
            means.append(design)

    add(Node(MEAN, Kind.DETERMINISTIC, Row.MEAN, OBSERVATIONS, note=f"link: {model.link.value}"), *means)
    likelihood = [MEAN]
    if model.thresholds:  # an ordinal model's thresholds cut the latent mean into the categories
        note = ", ".join(filter(None, [_prior_note(model, priors_of(ir.ParamClass.INTERCEPT)), "ordered"]))
        add(Node(naming.INTERCEPT, Kind.RANDOM, Row.DATA, note=note))
        likelihood.append(naming.INTERCEPT)
    for cls in auxiliary_parameters(model):
        add(Node(cls.value, Kind.RANDOM, Row.DATA, note=_prior_note(model, priors_of(cls))))
        likelihood.append(cls.value)
    for formula in model.distributional:  # a parameter with a formula: a value per row, as the mean
        F, inputs = naming.names(model).formula(formula.label), []
        if formula.intercept:
            note = _prior_note(model, priors_of(ir.ParamClass.INTERCEPT, dpar=formula.dpar))
            add(Node(F.intercept, Kind.RANDOM, Row.PRIOR, note=note))
            inputs.append(F.intercept)
        if formula.terms:
            add(
                Node(
                    F.b, Kind.RANDOM, Row.PRIOR, note=_prior_note(model, priors_of(ir.ParamClass.B, dpar=formula.dpar))
                )
            )
            add(Node(F.X, Kind.FIXED, Row.MEAN, OBSERVATIONS))
            inputs += [F.b, F.X]
        if formula.offsets:
            add(Node(F.offsets, Kind.FIXED, Row.MEAN, OBSERVATIONS))
            inputs.append(F.offsets)
        add(Node(F.value, Kind.DETERMINISTIC, Row.MEAN, OBSERVATIONS, note=f"link: {formula.link.value}"), *inputs)
        likelihood.append(F.value)
    response = model.response
    for fixed in (response.se, response.trials if isinstance(response.trials, str) else None, response.weights):
        if fixed is not None:
            add(Node(fixed, Kind.FIXED, Row.DATA, OBSERVATIONS))
            likelihood.append(fixed)
    add(Node(response.label, Kind.OBSERVED, Row.DATA, OBSERVATIONS, note=model.family.value), *likelihood)
    return graph


# ---- DOT -----------------------------------------------------------------------

_DOT_STYLE = {
    Kind.RANDOM: 'shape=ellipse, style=filled, fillcolor="white"',
    Kind.OBSERVED: 'shape=ellipse, style=filled, fillcolor="gray80"',
    Kind.DETERMINISTIC: 'shape=box, style="rounded,filled", fillcolor="white"',
    Kind.FIXED: "shape=point, width=0.08",
}


def _quote(text: str) -> str:
    """A DOT string; a newline in the text is a line break of the label."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_node(node: Node, indent: str) -> str:
    if node.kind is Kind.FIXED:
        return f"{indent}{_quote(node.name)} [{_DOT_STYLE[node.kind]}, xlabel={_quote(node.name)}];"
    label = node.name + (f"\n{node.note}" if node.note else "")
    return f"{indent}{_quote(node.name)} [{_DOT_STYLE[node.kind]}, label={_quote(label)}];"


def to_dot(graph: Graph) -> str:
    """Graphviz DOT text: `dot -Tpng` draws it, and so do the many tools that read DOT."""
    lines = [
        f"// {GENERATED_MARKER}: the model {graph.name} as a graphical model",
        f"digraph {_quote(graph.name)} {{",
        "  rankdir=TB;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  graph [fontname="Helvetica", fontsize=10, labeljust="r", labelloc="b"];',
    ]
    lines += [_dot_node(n, "  ") for n in graph.nodes if n.plate is None]

    def plate(p: Plate, indent: str) -> list[str]:
        inner = [f"{indent}subgraph {_quote('cluster_' + p.name)} {{", f"{indent}  label={_quote(p.label)};"]
        inner += [_dot_node(n, indent + "  ") for n in graph.nodes if n.plate == p.name]
        for child in graph.plates:
            if child.parent == p.name:
                inner += plate(child, indent + "  ")
        return inner + [f"{indent}}}"]

    for p in graph.plates:
        if p.parent is None:
            lines += plate(p, "  ")
    lines += [f"  {_quote(a)} -> {_quote(b)};" for a, b in graph.edges]
    return "\n".join(lines) + "\n}\n"
