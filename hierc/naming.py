"""The one naming scheme of generated parameters, shared by every backend.

A Stan posterior and a PyMC posterior line up variable by variable because
both backends take their names from here:

    Intercept            intercept on centred predictors     b_Intercept  on the original scale
    b                    population-level coefficients (dim `coef`)
    sd_<g>               group-level sds of factor g (dim `<g>__coef`, scalar for one column)
    r_<g>                group-level effects (dims `<g>`, `<g>__coef`)
    cor_<g>              correlation matrix of a correlated block
    sigma, nu, phi       auxiliary parameters

Grouping-factor and term labels become identifiers by `ident`: `a:b` is
`a__b`, `log(x)` is `log_x`. User names never contain `__`, so generated
names built with `__` cannot collide with them.
"""

from __future__ import annotations

import re

from hierc.language import ir

INTERCEPT = ir.INTERCEPT
INTERCEPT_ORIGINAL = "b_Intercept"
B = "b"
COEF_DIM = "coef"  # the population-level design columns
OBS_DIM = "__obs__"  # the observations (Bambi's name too); `__` keeps it apart from user names
RESPONSE = "y"  # the observed variable of a PyMC model


def ident(label: str) -> str:
    """An identifier for a term or grouping-factor label: `log(distance):season` → `log_distance__season`."""
    parts = []
    for part in label.split(":"):
        part = re.sub(r"[^A-Za-z0-9_]+", "_", part).strip("_")
        while "__" in part:
            part = part.replace("__", "_")
        parts.append(part)
    return "__".join(parts)


def sd(group: str) -> str:
    return f"sd_{ident(group)}"


def effects(group: str) -> str:
    return f"r_{ident(group)}"


def cor(group: str) -> str:
    return f"cor_{ident(group)}"


def levels_dim(group: str) -> str:
    return ident(group)


def coef_dim(group: str) -> str:
    return f"{ident(group)}__coef"


def b_term(term: str) -> str:
    """The unrolled encoding's coefficient of one population-level term."""
    return f"b_{ident(term)}"
