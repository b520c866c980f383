"""A stable, readable text dump of an AST or IR tree (used by `--dump` and the golden files)."""

from __future__ import annotations

import dataclasses
from enum import Enum


def dump(node: object) -> str:
    return "\n".join(_lines(node, 0)) + "\n"


def _is_leaf(value: object) -> bool:
    if dataclasses.is_dataclass(value):
        return all(_is_leaf(v) for v in _fields(value).values())
    if isinstance(value, tuple):
        return all(not dataclasses.is_dataclass(v) and _is_leaf(v) for v in value)
    return True


def _fields(node: object) -> dict[str, object]:
    return {f.name: getattr(node, f.name) for f in dataclasses.fields(node) if f.compare}


def _scalar(value: object) -> str:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, str):
        return repr(value)
    if dataclasses.is_dataclass(value):
        inner = ", ".join(f"{k}={_scalar(v)}" for k, v in _fields(value).items())
        return f"{type(value).__name__}({inner})"
    if isinstance(value, tuple):
        return "(" + ", ".join(_scalar(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _lines(value: object, depth: int) -> list[str]:
    pad = "  " * depth
    if _is_leaf(value):
        return [pad + _scalar(value)]
    if isinstance(value, tuple):
        lines = []
        for item in value:
            item_lines = _lines(item, depth + 1)
            lines.append(pad + "- " + item_lines[0].lstrip())
            lines += item_lines[1:]
        return lines
    lines = [pad + type(value).__name__]
    for name, field_value in _fields(value).items():
        if _is_leaf(field_value):
            lines.append(f"{pad}  {name}: {_scalar(field_value)}")
        else:
            lines.append(f"{pad}  {name}:")
            lines += _lines(field_value, depth + 2)
    return lines
