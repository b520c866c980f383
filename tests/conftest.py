from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.hm"))

# Property-based tests draw the same examples in every run (the fuzz run asks for fresh ones), keep no
# example database in the checkout, and may take seconds per example (stanc, pytensor).
settings.register_profile(
    "hierc", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("hierc")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files under tests/golden/ from the current output, then review `git diff`",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """compare(text, path): assert text equals the golden file, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def compare(text: str, path: Path) -> None:
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"missing golden file {path}; run `pytest --update-golden`"
        assert text == path.read_text(encoding="utf-8"), (
            f"{path} differs; run `pytest --update-golden` and review the diff"
        )

    return compare
