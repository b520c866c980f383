"""Variants of the example models, for tests that cover every parameterization, family and link."""

from __future__ import annotations

import dataclasses

import hierc
from hierc.vocabulary import FAMILIES, Parameterization

FAMILY_LINKS = [(family, link) for family, info in FAMILIES.items() for link in info.links]


def with_parameterization(model: hierc.ir.Model, parameterization: Parameterization) -> hierc.ir.Model:
    """The model with every group block in one parameterization (zerosum skips correlated blocks)."""
    blocks = tuple(
        block
        if parameterization is Parameterization.ZEROSUM and block.correlated
        else dataclasses.replace(block, parameterization=parameterization)
        for block in model.groups
    )
    return dataclasses.replace(model, groups=blocks)
