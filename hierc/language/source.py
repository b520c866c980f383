"""Source text and positions in it."""

from __future__ import annotations

from dataclasses import dataclass
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

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def end_span(self) -> Span:
        """A one-character span just past the last character, for errors at end of input."""
        lines = self.text.splitlines() or [""]
        last = len(lines)
        column = len(lines[-1]) + 1
        return Span(last, column, last, column + 1)
