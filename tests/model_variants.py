"""Variants of the example models, for tests that cover every parameterization, family and link."""

from __future__ import annotations

from hierc.families import FAMILIES
from hierc.inference.compare import with_parameterization

FAMILY_LINKS = [(family, link) for family, info in FAMILIES.items() for link in info.links]

__all__ = ["FAMILY_LINKS", "with_parameterization"]
