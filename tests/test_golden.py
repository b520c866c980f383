"""Golden files for every example spec: its AST dump, IR dump and `hierc check` summary.

Regenerate with `pytest tests/test_golden.py --update-golden` and review `git diff tests/golden`.
"""

from __future__ import annotations

import pytest

from conftest import ROOT, SPECS
from hierc import dump, summarize
from hierc.language.pipeline import load_source
from hierc.language.source import Source

GOLDEN = ROOT / "tests" / "golden"


def test_there_are_example_specs():
    assert len(SPECS) >= 6


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_golden_dumps(path, golden):
    source = Source(path.read_text(encoding="utf-8"), f"specs/{path.name}")
    spec, model = load_source(source)
    golden(dump(spec), GOLDEN / f"{path.stem}.ast")
    golden(dump(model), GOLDEN / f"{path.stem}.ir")
    golden(summarize(model, source.name), GOLDEN / f"{path.stem}.summary")


def test_no_stale_golden_files():
    stems = {p.stem for p in SPECS}
    stale = sorted(p.name for p in GOLDEN.rglob("*") if p.is_file() and p.name.split(".")[0] not in stems)
    assert not stale, f"golden files without a spec: {stale}"
