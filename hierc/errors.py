"""User errors with source locations, and how they are rendered.

A `SpecError` is something the user wrote wrong; it carries one or more
diagnostics, each pointing at a span. Bugs in hierc itself are `CompilerBug`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from hierc.language.source import Source, Span


@dataclass(frozen=True)
class Diagnostic:
    message: str
    span: Span | None
    hint: str | None = None

    def render(self, source: Source) -> str:
        if self.span is None:
            return f"{source.name}: error: {self.message}" + (f"\n  = hint: {self.hint}" if self.hint else "")
        span = self.span
        head = f"{source.name}:{span.line}:{span.column}: error: {self.message}"
        text = source.line(span.line).expandtabs(1)
        width = span.end_column - span.column if span.end_line == span.line else len(text) - span.column + 1
        gutter = " " * len(str(span.line))
        lines = [
            head,
            f"{gutter} |",
            f"{span.line} | {text}",
            f"{gutter} | {' ' * (span.column - 1)}{'^' * max(width, 1)}",
        ]
        if self.hint:
            lines.append(f"{gutter} = hint: {self.hint}")
        return "\n".join(lines)


class UserError(Exception):
    """Something the user gave hierc is wrong; `render()` is the whole message for the terminal."""

    def render(self) -> str:
        return str(self)


class SpecError(UserError):
    """One or more errors in a spec, in source order."""

    def __init__(self, diagnostics: Iterable[Diagnostic], source: Source | None = None):
        self.diagnostics = tuple(sorted(diagnostics, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)))
        self.source = source
        super().__init__(self.diagnostics[0].message if self.diagnostics else "invalid spec")

    def with_source(self, source: Source) -> SpecError:
        return SpecError(self.diagnostics, source)

    def render(self) -> str:
        source = self.source or Source("")
        parts = [d.render(source) for d in self.diagnostics]
        if len(parts) > 1:
            parts.append(f"{len(parts)} errors")
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.render() if self.source else super().__str__()


class DataError(UserError):
    """A problem with the data bound to a spec: a missing column, a bad value, an unreadable file."""

    def __init__(self, message: str, where: str, line: int | None = None, hint: str | None = None):
        self.message, self.where, self.line, self.hint = message, where, line, hint
        super().__init__(message)

    def render(self) -> str:
        location = f"{self.where}:{self.line}" if self.line is not None else self.where
        return f"{location}: error: {self.message}" + (f"\n  = hint: {self.hint}" if self.hint else "")


class BackendError(UserError):
    """A backend or engine cannot do what was asked (not installed, cannot express a feature, ...)."""

    def render(self) -> str:
        return f"error: {self}"


class CompilerBug(Exception):
    """An internal inconsistency in hierc, never the user's fault."""


class Diagnostics:
    """Collects errors during a pass, so a user sees all of them at once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, span: Span | None, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(message, span, hint))

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(self.items)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelled name, or None when nothing is close."""
    candidates = list(candidates)
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return f"did you mean `{lowered[word.lower()]}`?"
    # a few typing slips, not a shared prefix: `uniform` is not `normal`, `zero_one_inflated_beta` not
    # `zero_inflated_negbinomial`
    allowed = max(1, len(word) // 4)
    distances = {c: _edits(word.lower(), c.lower()) for c in candidates}
    close = [c for c in candidates if distances[c] <= allowed]
    if not close:
        return None
    best = min(close, key=lambda c: (distances[c], -difflib.SequenceMatcher(None, word, c).ratio()))
    return f"did you mean `{best}`?"


def _edits(a: str, b: str) -> int:
    """The least number of insertions, deletions, substitutions and swaps of neighbours turning a into b."""
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def one_of(candidates: Iterable[str], conjunction: str = "or") -> str:
    """`a`, `b` or `c`"""
    names = [f"`{c}`" for c in candidates]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def all_of(candidates: Iterable[str]) -> str:
    """`a`, `b` and `c`"""
    return one_of(candidates, "and")
