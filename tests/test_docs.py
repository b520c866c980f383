"""docs/language.md documents every family, link and distribution the code knows, and no other."""

from __future__ import annotations

import re

from conftest import ROOT
from hierc.families import FAMILIES
from hierc.language.vocabulary import DISTRIBUTIONS, Transform

DOC = (ROOT / "docs" / "language.md").read_text()


def _table_rows(heading: str) -> dict[str, str]:
    """The rows of the first table under a heading, by the name in their first cell."""
    section = DOC.split(heading, 1)[1]
    table = section[section.index("\n|") + 1 :].split("\n\n", 1)[0]
    return dict(re.findall(r"^\| `(\w+)` \|(.*)$", table, flags=re.M))


def test_families_table_matches_the_code():
    rows = _table_rows("## 4. Families and links")
    assert set(rows) == {f.value for f in FAMILIES}
    for family, info in FAMILIES.items():
        links_cell = rows[family.value].split("|")[1]
        assert re.findall(r"`(\w+)`", links_cell) == [link.value for link in info.links]


def test_distributions_table_matches_the_code():
    rows = _table_rows("## 6. Distributions")
    assert set(rows) == {d.value for d in DISTRIBUTIONS}
    for dist, info in DISTRIBUTIONS.items():
        arguments, support = rows[dist.value].split("|")[:2]
        assert re.findall(r"`(\w+)`", arguments)[: len(info.params)] == [p.name for p in info.params]
        assert support.strip() == info.support.value


def test_every_transform_is_documented():
    for transform in Transform:
        assert f"`{transform.value}" in DOC
