"""The whole front end in one place: source text → AST → IR."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hierc.errors import SpecError
from hierc.language import ast, ir
from hierc.language.identifiers import sanitize_model_name
from hierc.language.lower import lower
from hierc.language.parser import parse
from hierc.language.source import Source


def load_source(source: Source) -> tuple[ast.Spec, ir.Model]:
    """Parse and lower one spec; every user error is a SpecError that can render itself."""
    try:
        spec = parse(source.text, source.name)
        default_name = sanitize_model_name(Path(source.name).stem) if source.name != "<string>" else "model"
        return spec, replace(lower(spec, default_name), source=source)
    except SpecError as error:
        raise error.with_source(source) from None


def load(path: str | Path) -> ir.Model:
    """The IR of the spec in a file."""
    return load_source(Source.from_file(path))[1]


def loads(text: str, name: str = "<string>") -> ir.Model:
    """The IR of spec text."""
    return load_source(Source(text, name))[1]
