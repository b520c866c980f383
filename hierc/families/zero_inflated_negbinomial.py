"""zero_inflated_negbinomial: a zero with probability zi, else y ~ neg_binomial_2(mean, phi), as brms."""

from __future__ import annotations

from hierc.families.auxiliary import PHI
from hierc.families.declaration import Bambi, FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.families.negbinomial import negbinomial_log_density, negbinomial_p_zero
from hierc.families.zeros import ROWS_WHERE_ZERO, ZI, stan_function, zero_inflated
from hierc.language.vocabulary import Family, Link


def _log_density(rows, eta, mean, aux):
    p_zero = negbinomial_p_zero(aux["phi"])
    return zero_inflated(p_zero, negbinomial_log_density(rows.y, mean, aux["phi"]), mean, aux["zi"], rows.y)


def _draw(rng, rows, mean, aux):
    phi = aux["phi"]
    return rng.negative_binomial(phi, phi / (phi + mean)) * (rng.uniform(size=mean.shape) >= aux["zi"])


def _expected(rows, mean, aux):
    return (1 - aux["zi"]) * mean


STAN_FUNCTION = stan_function(
    "zero_inflated_neg_binomial_2_log",
    "real phi, real zi",
    "zi",
    "sum(log_sum_exp(log(zi), log1m(zi) - phi * log1p_exp(eta[zero] - log(phi))))",
    "neg_binomial_2_log_lpmf(y[rest] | eta[rest], phi)",
    "zero-inflated negative binomial, log mean eta: a zero with probability zi, else neg_binomial_2",
)

STAN_FUNCTION_PER_ROW = stan_function(
    "zero_inflated_neg_binomial_2_log",
    "vector phi, vector zi",
    "zi",
    "sum(log_sum_exp(log(zi[zero]), log1m(zi[zero]) - phi[zero] .* log1p_exp(eta[zero] - log(phi[zero]))))",
    "neg_binomial_2_log_lpmf(y[rest] | eta[rest], phi[rest])",
    "zero-inflated negative binomial, log mean eta: a zero with probability zi, else neg_binomial_2",
    per_row=True,
)

ZERO_INFLATED_NEGBINOMIAL = FamilyDeclaration(
    Family.ZERO_INFLATED_NEGBINOMIAL,
    aliases=("zinb", "zero_inflated_negative_binomial", "zeroinflatednegativebinomial"),
    links=(Link.LOG,),
    auxiliary=(PHI, ZI),
    response=ResponseKind.COUNT,
    stan=Stan(
        "zero_inflated_neg_binomial_2_log({eta}, {phi}, {zi})",
        functions=(ROWS_WHERE_ZERO, STAN_FUNCTION),
        functions_per_row=(STAN_FUNCTION_PER_ROW,),
    ),
    pymc=PyMC(Template("pm.ZeroInflatedNegativeBinomial", (("psi", "1 - {zi}"), ("mu", "{mean}"), ("alpha", "{phi}")))),
    reference=Reference(_log_density, _draw, expected=_expected),
    bambi=Bambi("zero_inflated_negativebinomial", {PHI.cls: "alpha", ZI.cls: "psi"}, complement=frozenset({ZI.cls})),
)
