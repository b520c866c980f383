"""Draw a `Graph` with matplotlib: PNG, SVG or PDF from pip-installed packages only.

The layout follows the model's structure rather than a general graph
layout: priors on top, then offsets, group effects in their plates, the
mean and the fixed inputs, and the observed response at the bottom. Each
grouping factor has its own column, a nested factor's right after its
parent's, so a parent's plate encloses its children's and nothing else.
"""

from __future__ import annotations

import math
from pathlib import Path

from hierc.output_files import GENERATED_MARKER
from hierc.views.graph import OBSERVATIONS, Graph, Kind, Node, Plate, Row

ROW_ORDER = (Row.PRIOR, Row.OFFSET, Row.EFFECT, Row.MEAN, Row.DATA)
DX, DY = 1.9, 1.25  # spacing of columns and rows, in inches
HEIGHT = 0.5  # of a node
MARGIN = 0.22  # between a plate and what it holds
FORMATS = ("png", "svg", "pdf")


def _width(node: Node) -> float:
    return max(0.75, 0.105 * len(node.name) + 0.3, 0.08 * len(node.note) + 0.3)


def _columns(graph: Graph) -> list[str | None]:
    """Left to right: population-level priors, each grouping factor (children after parents), auxiliaries."""
    order: list[str] = []

    def visit(plate: Plate) -> None:
        order.append(plate.name)
        for child in graph.plates:
            if child.parent == plate.name:
                visit(child)

    for plate in graph.plates:
        if plate.parent is None and any(n.column == plate.name for n in graph.nodes):
            visit(plate)
    return order


def layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """The centre of every node, in inches."""
    rows = [row for row in ROW_ORDER if any(n.row is row for n in graph.nodes)]
    depth = max((_depth(graph, p) for p in graph.plates if p.name != OBSERVATIONS), default=0)
    y_of, y = {}, 0.0
    for i, row in enumerate(reversed(rows)):  # bottom up, with room for the plates of the group effects
        if i:
            below = rows[len(rows) - i]
            y += DY
            if below is Row.MEAN and row in (Row.EFFECT, Row.OFFSET):
                y += depth * (MARGIN + 0.15)
            if below in (Row.EFFECT, Row.OFFSET) and row is Row.PRIOR:
                y += depth * MARGIN
        y_of[row] = y
    position: dict[str, tuple[float, float]] = {}
    top = [n for n in graph.nodes if n.row is Row.PRIOR and n.column is None]  # Intercept, b
    for column in _columns(graph):
        top += [n for n in graph.nodes if n.column == column and n.row is Row.PRIOR]
    x, previous = 0.0, None
    for node in top:  # left to right, wide nodes further apart
        if previous is not None:
            x += max(DX, (_width(previous) + _width(node)) / 2 + 0.35)
        position[node.name] = (x, y_of[Row.PRIOR])
        previous = node
    for column in _columns(graph):
        xs = [position[n.name][0] for n in graph.nodes if n.column == column and n.row is Row.PRIOR]
        for node in graph.nodes:
            if node.column == column and node.row is not Row.PRIOR:
                position[node.name] = (sum(xs) / len(xs), y_of[node.row])
    x += DX
    middle = (x - DX) / 2
    family = [n for n in graph.nodes if n.row is Row.DATA and n.kind is Kind.RANDOM]
    for i, node in enumerate(family):  # the family's parameters, beside the response, outside its plate
        position[node.name] = (middle + DX * 1.6, y_of[Row.DATA] + i * DY)
    fixed = [n for n in graph.nodes if n.kind is Kind.FIXED]
    for node in graph.nodes:
        if node.row in (Row.MEAN, Row.DATA) and node.kind in (Kind.DETERMINISTIC, Kind.OBSERVED):
            position[node.name] = (middle, y_of[node.row])
    # a distributional formula's parameter (after the mean) to the right, its fixed inputs beside it
    beside = [n for n in graph.nodes if n.row is Row.MEAN and n.kind is Kind.DETERMINISTIC][1:]
    for i, node in enumerate(beside):
        x = middle + DX * 2.2 * (i + 1)
        position[node.name] = (x, y_of[Row.MEAN])
        inputs = [n for n in fixed if (n.name, node.name) in graph.edges]
        for j, dot in enumerate(inputs):
            position[dot.name] = (x + DX * (0.7 + j * 0.45), y_of[Row.MEAN])
        fixed = [n for n in fixed if n not in inputs]
    for row in (Row.MEAN, Row.DATA):
        dots = [n for n in fixed if n.row is row]
        for i, node in enumerate(dots):
            side = -1 if i % 2 == 0 else 1
            position[node.name] = (middle + side * DX * (0.7 + i // 2 * 0.45), y_of[row])
    return position


def _depth(graph: Graph, plate: Plate) -> int:
    """How many plates enclose this one's contents, itself included."""
    parent = next((p for p in graph.plates if p.name == plate.parent), None)
    return 1 + (_depth(graph, parent) if parent else 0)


def _half_size(node: Node) -> tuple[float, float]:
    if node.kind is Kind.FIXED:
        return 0.05, 0.05
    return _width(node) / 2, (HEIGHT + (0.14 if node.note else 0)) / 2


def _plate_boxes(graph: Graph, position) -> dict[str, tuple[float, float, float, float]]:
    """(left, bottom, right, top) of every plate, children inside their parents."""
    boxes: dict[str, tuple[float, float, float, float]] = {}

    def box(plate: Plate) -> tuple[float, float, float, float]:
        parts = []
        for node in graph.nodes:
            if node.plate == plate.name:
                (x, y), (w, h) = position[node.name], _half_size(node)
                parts.append((x - w, y - h, x + w, y + h))
        parts += [box(child) for child in graph.plates if child.parent == plate.name]
        left, bottom = min(p[0] for p in parts) - MARGIN, min(p[1] for p in parts) - MARGIN - 0.15
        right, top = max(p[2] for p in parts) + MARGIN, max(p[3] for p in parts) + MARGIN
        boxes[plate.name] = (left, bottom, right, top)
        return boxes[plate.name]

    for plate in graph.plates:
        if plate.parent is None:
            box(plate)
    return boxes


def _edge_point(centre, towards, node: Node) -> tuple[float, float]:
    """Where the line from a node's centre towards another point leaves the node's ellipse."""
    (x, y), (tx, ty) = centre, towards
    angle = math.atan2(ty - y, tx - x)
    a, b = _half_size(node)
    r = a * b / math.hypot(b * math.cos(angle), a * math.sin(angle))
    return x + r * math.cos(angle), y + r * math.sin(angle)


def render(graph: Graph, path: str | Path) -> None:
    """Write the picture; the format is the file's extension: .png, .svg or .pdf."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Ellipse, FancyBboxPatch, Rectangle

    position = layout(graph)
    boxes = _plate_boxes(graph, position)
    nodes = {n.name: n for n in graph.nodes}
    xs = [x + side * _half_size(nodes[name])[0] for name, (x, _) in position.items() for side in (-1, 1)]
    xs += [b[0] for b in boxes.values()] + [b[2] for b in boxes.values()]
    ys = [p[1] for p in position.values()] + [b[1] for b in boxes.values()] + [b[3] for b in boxes.values()]
    left, right, bottom, top = min(xs) - 0.4, max(xs) + 0.4, min(ys) - 0.5, max(ys) + 0.5
    figure = Figure(figsize=(right - left, top - bottom), dpi=150)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)
    axes.set_aspect("equal")
    axes.axis("off")

    labels = {p.name: p.label for p in graph.plates}
    for name, (x0, y0, x1, y1) in boxes.items():
        axes.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, linewidth=1.0, edgecolor="0.35"))
        axes.text(x1 - 0.08, y0 + 0.08, labels[name], ha="right", va="bottom", fontsize=8, color="0.25")
    for parent, child in graph.edges:
        start = _edge_point(position[parent], position[child], nodes[parent])
        end = _edge_point(position[child], position[parent], nodes[child])
        axes.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={"arrowstyle": "-|>", "color": "0.2", "linewidth": 0.9, "shrinkA": 0, "shrinkB": 0},
        )
    for node in graph.nodes:
        x, y = position[node.name]
        w, h = _half_size(node)
        if node.kind is Kind.FIXED:
            axes.add_patch(Ellipse((x, y), 0.12, 0.12, color="black"))
            axes.text(x + 0.1, y + 0.08, node.name, fontsize=8, ha="left", va="bottom")
            continue
        if node.kind is Kind.DETERMINISTIC:
            patch = FancyBboxPatch(
                (x - w, y - h),
                2 * w,
                2 * h,
                boxstyle="round,pad=0,rounding_size=0.12",
                facecolor="white",
                edgecolor="black",
            )
        else:
            face = "0.8" if node.kind is Kind.OBSERVED else "white"
            patch = Ellipse((x, y), 2 * w, 2 * h, facecolor=face, edgecolor="black")
        axes.add_patch(patch)
        if node.note:  # a second line inside the node, as in the DOT label
            axes.text(x, y + 0.08, node.name, ha="center", va="center", fontsize=9)
            axes.text(x, y - 0.12, node.note, ha="center", va="center", fontsize=7, color="0.3")
        else:
            axes.text(x, y, node.name, ha="center", va="center", fontsize=9)
    fmt = Path(path).suffix.lstrip(".").lower()
    key = {"png": "Software", "svg": "Creator", "pdf": "Creator"}[fmt]  # marks the file as hierc's to replace
    figure.savefig(str(path), format=fmt, metadata={key: f"{GENERATED_MARKER}: the model {graph.name}"})
