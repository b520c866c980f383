"""The families: one declaration each (`declaration.py` says what a declaration holds).

To add a family: name it in `vocabulary.Family`, write its module here, and
list it in `FAMILIES`. docs/architecture.md walks through an example.
"""

from __future__ import annotations

from hierc.families.bernoulli import BERNOULLI
from hierc.families.beta import BETA
from hierc.families.beta_binomial import BETA_BINOMIAL
from hierc.families.binomial import BINOMIAL
from hierc.families.cumulative import CUMULATIVE
from hierc.families.declaration import FamilyDeclaration, ResponseKind, Rows
from hierc.families.exponential import EXPONENTIAL
from hierc.families.gamma import GAMMA
from hierc.families.gaussian import GAUSSIAN
from hierc.families.hurdle_lognormal import HURDLE_LOGNORMAL
from hierc.families.hurdle_negbinomial import HURDLE_NEGBINOMIAL
from hierc.families.hurdle_poisson import HURDLE_POISSON
from hierc.families.lognormal import LOGNORMAL
from hierc.families.negbinomial import NEGBINOMIAL
from hierc.families.poisson import POISSON
from hierc.families.student_t import STUDENT_T
from hierc.families.weibull import WEIBULL
from hierc.families.zero_inflated_negbinomial import ZERO_INFLATED_NEGBINOMIAL
from hierc.families.zero_inflated_poisson import ZERO_INFLATED_POISSON
from hierc.language.vocabulary import Family

FAMILIES: dict[Family, FamilyDeclaration] = {
    f.name: f
    for f in (
        GAUSSIAN,
        STUDENT_T,
        BERNOULLI,
        BINOMIAL,
        POISSON,
        NEGBINOMIAL,
        LOGNORMAL,
        GAMMA,
        EXPONENTIAL,
        WEIBULL,
        BETA,
        BETA_BINOMIAL,
        ZERO_INFLATED_POISSON,
        ZERO_INFLATED_NEGBINOMIAL,
        HURDLE_POISSON,
        HURDLE_NEGBINOMIAL,
        HURDLE_LOGNORMAL,
        CUMULATIVE,
    )
}


def declaration(family: Family) -> FamilyDeclaration:
    return FAMILIES[family]


__all__ = ["FAMILIES", "FamilyDeclaration", "ResponseKind", "Rows", "declaration"]
