"""hurdle_negbinomial: a zero with probability hu, else neg_binomial_2(mean, phi) truncated to 1, 2, ..., as brms.

`mean` is the mean of the untruncated negative binomial; PyMC's `HurdleNegativeBinomial` takes psi = 1 - hu.
"""

from __future__ import annotations

from hierc.families.auxiliary import PHI
from hierc.families.declaration import Bambi, FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.families.negbinomial import negbinomial_log_density, negbinomial_p_zero
from hierc.families.zeros import HU, ROWS_WHERE_ZERO, hurdle, stan_function
from hierc.language.vocabulary import Family, Link


def _log_density(rows, eta, mean, aux):
    p_zero = negbinomial_p_zero(aux["phi"])
    return hurdle(p_zero, negbinomial_log_density(rows.y, mean, aux["phi"]), mean, aux["hu"], rows.y)


def _draw(rng, rows, mean, aux):
    from scipy import stats

    phi = aux["phi"]
    p, p_zero = phi / (phi + mean), negbinomial_p_zero(phi)(mean)
    u = rng.uniform(size=mean.shape)
    positive = stats.nbinom.ppf(p_zero + u * (1 - p_zero), phi, p).clip(1)
    return positive * (rng.uniform(size=mean.shape) >= aux["hu"])


def _expected(rows, mean, aux):
    return (1 - aux["hu"]) * mean / (1 - negbinomial_p_zero(aux["phi"])(mean))


STAN_FUNCTION = stan_function(
    "hurdle_neg_binomial_2_log",
    "real phi, real hu",
    "hu",
    "n_zero * log(hu)",
    "neg_binomial_2_log_lpmf(y[rest] | eta[rest], phi) - sum(log1m_exp(-phi * log1p_exp(eta[rest] - log(phi))))",
    "hurdle negative binomial, log mean eta: a zero with probability hu, else neg_binomial_2 of at least 1",
)

STAN_FUNCTION_PER_ROW = stan_function(
    "hurdle_neg_binomial_2_log",
    "vector phi, vector hu",
    "hu",
    "sum(log(hu[zero]))",
    "neg_binomial_2_log_lpmf(y[rest] | eta[rest], phi[rest])"
    " - sum(log1m_exp(-phi[rest] .* log1p_exp(eta[rest] - log(phi[rest]))))",
    "hurdle negative binomial, log mean eta: a zero with probability hu, else neg_binomial_2 of at least 1",
    per_row=True,
)

HURDLE_NEGBINOMIAL = FamilyDeclaration(
    Family.HURDLE_NEGBINOMIAL,
    aliases=("hurdle_negative_binomial", "hurdlenegativebinomial"),
    links=(Link.LOG,),
    auxiliary=(PHI, HU),
    response=ResponseKind.COUNT,
    stan=Stan(
        "hurdle_neg_binomial_2_log({eta}, {phi}, {hu})",
        functions=(ROWS_WHERE_ZERO, STAN_FUNCTION),
        functions_per_row=(STAN_FUNCTION_PER_ROW,),
    ),
    pymc=PyMC(Template("pm.HurdleNegativeBinomial", (("psi", "1 - {hu}"), ("mu", "{mean}"), ("alpha", "{phi}")))),
    reference=Reference(_log_density, _draw, expected=_expected),
    bambi=Bambi("hurdle_negativebinomial", {PHI.cls: "alpha", HU.cls: "psi"}, complement=frozenset({HU.cls})),
)
