"""The whole front end in one place: source text → AST → IR."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hierc.errors import Diagnostic, SpecError
from hierc.language import ast, ir
from hierc.language.identifiers import sanitize_model_name
from hierc.language.lower import lower
from hierc.language.parser import parse
from hierc.language.source import Source


def data_path(model: ir.Model, spec_path: str | Path | None) -> Path | None:
    """The spec's `data "file"`, relative to the spec's folder."""
    if model.data_file is None:
        return None
    path = Path(model.data_file)
    if not path.is_absolute() and spec_path is not None:
        path = Path(spec_path).parent / path
    return path


def read_source(path: str | Path) -> Source:
    """A spec file's text; a file that cannot be read is a SpecError naming it."""
    try:
        return Source.from_file(path)
    except FileNotFoundError:
        problem = "no such file"
    except IsADirectoryError:
        problem = "is a directory, not a spec file"
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 text ({error.reason} at byte {error.start})"
    except OSError as error:
        problem = f"cannot read: {error.strerror}"
    raise SpecError([Diagnostic(problem, None)], Source("", str(path)))


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
    return load_source(read_source(path))[1]


def loads(text: str, name: str = "<string>") -> ir.Model:
    """The IR of spec text."""
    return load_source(Source(text, name))[1]
