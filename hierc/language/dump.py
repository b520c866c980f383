"""A stable, readable text dump of an AST or IR tree (used by `--dump` and the golden files).

A node that fits on one line is written inline, like a constructor call;
larger nodes are written one field per line, indented.
"""

from __future__ import annotations

import dataclasses
from enum import Enum

WIDTH = 100


def dump(node: object) -> str:
    return "\n".join(_lines(node, "")) + "\n"


def _fields(node: object) -> dict[str, object]:
    return {f.name: getattr(node, f.name) for f in dataclasses.fields(node) if f.compare}


def _inline(value: object) -> str:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, str):
        return repr(value)
    if dataclasses.is_dataclass(value):
        inner = ", ".join(f"{k}={_inline(v)}" for k, v in _fields(value).items())
        return f"{type(value).__name__}({inner})"
    if isinstance(value, tuple):
        return "(" + ", ".join(_inline(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _lines(value: object, pad: str) -> list[str]:
    inline = _inline(value)
    if len(pad) + len(inline) <= WIDTH or not (dataclasses.is_dataclass(value) or isinstance(value, tuple)):
        return [pad + inline]
    if isinstance(value, tuple):
        lines = []
        for item in value:
            first, *rest = _lines(item, pad + "  ")
            lines += [pad + "- " + first.lstrip(), *rest]
        return lines
    lines = [pad + type(value).__name__]
    for name, field_value in _fields(value).items():
        nested = _lines(field_value, pad + "    ")
        if len(nested) == 1 and len(pad) + len(name) + 4 + len(nested[0].lstrip()) <= WIDTH:
            lines.append(f"{pad}  {name}: {nested[0].lstrip()}")
        else:
            lines += [f"{pad}  {name}:", *nested]
    return lines
