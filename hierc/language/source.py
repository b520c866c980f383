"""Source text and positions in it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Span:
    """A region of source text; lines and columns are 1-based, `end_column` is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to(self, other: Span) -> Span:
        """The span from the start of `self` to the end of `other`."""
        return Span(self.line, self.column, other.end_line, other.end_column)


@dataclass(frozen=True)
class Source:
    """The text of one spec and the name it is shown under in messages."""

    text: str
    name: str = "<string>"

    @classmethod
    def from_file(cls, path: str | Path) -> Source:
        path = Path(path)
        return cls(path.read_text(encoding="utf-8"), str(path))

    @cached_property
    def lines(self) -> list[str]:
        """The lines as the parser counts them: split at `\n` only (not at form feeds or U+2028), once."""
        text = self.text[:-1] if self.text.endswith("\n") else self.text
        return [line.removesuffix("\r") for line in text.split("\n")] if text else []

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def end_span(self) -> Span:
        """A one-character span just past the last character, for errors at end of input."""
        lines = self.lines or [""]
        last = len(lines)
        column = len(lines[-1]) + 1
        return Span(last, column, last, column + 1)
