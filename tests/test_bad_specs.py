"""The bad-spec corpus: every file in tests/bad/ must fail with exactly the errors it announces.

Each file starts with one `# expect: LINE:COL: MESSAGE` comment per expected
error, in source order; the test compares them with the diagnostics hierc
reports (message and location), and checks that every diagnostic renders
with its source line and a caret.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hierc import SpecError
from hierc.language.pipeline import load_source
from hierc.language.source import Source

BAD = Path(__file__).parent / "bad"
CASES = sorted(BAD.glob("*.hm"))
_EXPECT = re.compile(r"# expect: (?:(\d+):(\d+)|-): (.*)")


def _expected(source: Source) -> list[tuple[int | None, int | None, str]]:
    found = []
    for line in source.text.splitlines():
        match = _EXPECT.match(line)
        if match:
            row, col, message = match.groups()
            found.append((int(row) if row else None, int(col) if col else None, message.strip()))
    return found


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_bad_spec(path: Path):
    source = Source.from_file(path)
    expected = _expected(source)
    assert expected, f"{path.name} announces no `# expect:` line"
    with pytest.raises(SpecError) as caught:
        load_source(source)
    error = caught.value
    actual = [
        (d.span.line if d.span else None, d.span.column if d.span else None, d.message) for d in error.diagnostics
    ]
    assert actual == expected
    rendered = error.render()
    for diagnostic in error.diagnostics:
        if diagnostic.span is not None:
            location = f"{path}:{diagnostic.span.line}:{diagnostic.span.column}: error: {diagnostic.message}"
            assert location in rendered
            assert source.line(diagnostic.span.line).expandtabs(1) in rendered
    assert "^" in rendered or all(d.span is None for d in error.diagnostics)
