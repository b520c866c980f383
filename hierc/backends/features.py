"""What each backend can express, feature by feature, and where a spec uses one its backend cannot.

The Stan and PyMC backends express the whole language. Bambi's model
structure is fixed by Bambi, so a few features have no Bambi equivalent;
compiling a spec that uses one fails with the feature, its place in the
spec, and the backends that can express it.

`FEATURES` is the table shown in docs/backends.md (the tests compare the two,
and compile every row's example spec with every backend), so the table
cannot say something the code does not do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hierc.errors import Diagnostic, SpecError
from hierc.families import FAMILIES
from hierc.language import ir
from hierc.language.source import Span
from hierc.language.summary import prior_text
from hierc.language.vocabulary import Backend, Family, Parameterization

ALL = tuple(Backend)


@dataclass(frozen=True)
class Use:
    """One place a model uses a feature."""

    span: Span | None
    what: str  # the spec's text there, e.g. "`(1 + floor | county)`"
    hint: str | None = None  # how to write it for every backend


@dataclass(frozen=True)
class Feature:
    name: str
    backends: tuple[Backend, ...]  # those that can express it
    example: str  # a spec that uses it, compiled with every backend by the tests
    bambi: str  # how the Bambi backend writes it, or why it cannot
    uses: Callable[[ir.Model], list[Use]] = lambda model: []  # needed where some backend lacks the feature


def _correlated(model: ir.Model) -> list[Use]:
    return [
        Use(block.written_at, f"the group term of `{block.factor.label}`", "write `||` for uncorrelated effects")
        for block in model.groups
        if block.correlated
    ]


def _mixed_parameterizations(model: ir.Model) -> list[Use]:
    noncentered = [b for b in model.groups if b.parameterization is Parameterization.NONCENTERED]
    others = [b for b in model.groups if b.parameterization is not Parameterization.NONCENTERED]
    if not noncentered or not others:
        return []
    names = ", ".join(f"`{b.factor.label}`" for b in noncentered)
    return [
        Use(
            block.param_at or block.written_at,
            f"`param({block.factor.label}) = {block.parameterization.value}` next to noncentered {names}",
            "give every grouping factor the noncentered parameterization, or none of them",
        )
        for block in others
    ]


def _zerosum_several_columns(model: ir.Model) -> list[Use]:
    return [
        Use(
            block.param_at or block.written_at,
            f"zerosum for `{block.factor.label}`, whose term `{term.label}` has several columns",
            f"set `param({block.factor.label}) = centered` or `noncentered`",
        )
        for block in model.groups
        if block.parameterization is Parameterization.ZEROSUM
        for term in block.terms
        if term.columns != 1
    ]


def _named_like_a_parameter(model: ir.Model) -> list[Use]:
    """Population-level terms that Bambi would name like one of the family's parameters (`sigma`, `alpha`)."""
    from hierc.backends.bambi import formula  # the Bambi backend's names, which this table describes

    bambi = FAMILIES[model.family].bambi
    taken = set(bambi.auxiliary.values()) if bambi else set()
    return [
        Use(term.written_at, f"`{term.label}`", "rename the column")
        for term in model.terms
        if formula.term_name(term) in taken
    ]


def _terms_where(model: ir.Model, test) -> list[Use]:
    """The terms, population or group level, with a factor that passes `test`."""
    terms = [*model.terms, *(t for block in model.groups for t in block.terms)]
    return [Use(term.written_at, f"`{term.label}`") for term in terms if any(test(f) for f in term.factors)]


def _basis(model: ir.Model) -> list[Use]:
    return _terms_where(model, lambda factor: isinstance(factor, ir.Basis))


def _division(model: ir.Model) -> list[Use]:
    return _terms_where(model, lambda factor: "/" in factor.label)


def _renamed_auxiliaries() -> str:
    """Which auxiliary parameters Bambi names otherwise, from the families' declarations."""
    renamed = [
        f"`{family.value}`'s `{cls.value}` is "
        + ("1 − " if cls in declaration.bambi.complement else "")
        + f"Bambi's `{name}`"
        for family, declaration in FAMILIES.items()
        if declaration.bambi
        for cls, name in declaration.bambi.auxiliary.items()
        if name != cls.value
    ]
    return ", ".join(renamed)


def _weighted(model: ir.Model) -> list[Use]:
    weights = model.response.weights
    return [] if weights is None else [Use(model.response.weights_at, f"`weights({weights})`")]


def _censored_beyond_bambi(model: ir.Model) -> list[Use]:
    response = model.response
    if response.censored is None:
        return []
    written = f"`cens({', '.join(filter(None, (response.censored, response.upper)))})`"
    if FAMILIES[model.family].response.integer:
        return [Use(response.censored_at, f"{written} of counts")]
    if model.family is Family.GAMMA:
        return [Use(response.censored_at, f"{written} of the gamma family")]
    if response.upper is not None:
        return [Use(response.censored_at, f"{written}, interval-censored")]
    if response.truncated:
        return [Use(response.censored_at, f"{written} with `trunc(...)`")]
    return []


def _truncated_trials(model: ir.Model) -> list[Use]:
    counted = FAMILIES[model.family].needs_trials
    return [Use(model.response.truncated_at, "`trunc(...)`")] if model.response.truncated and counted else []


def _truncated_prior(model: ir.Model) -> list[Use]:
    seen = {prior.declared_at: prior for prior in model.priors if prior.truncated}
    return [Use(span, f"`prior {prior.declared_as} ~ {prior_text(prior, model)}`") for span, prior in seen.items()]


def _uncentered_intercept_prior(model: ir.Model) -> list[Use]:
    if not model.terms:  # without predictors the intercepts at 0 and at the means are one
        return []
    return [Use(prior.declared_at, "`prior b_Intercept ~ ...`") for prior in model.priors if prior.uncentered]


def _ordinal(model: ir.Model) -> list[Use]:
    return [Use(model.family_at, f"`family {model.family.value}`")] if model.thresholds else []


def _every_level_coded(model: ir.Model) -> list[Use]:
    """Categorical factors formulae codes with a column for every level.

    formulae (like patsy) drops a reference level of a categorical factor
    only where the rest of the term is already in the formula before it (the
    intercept being the empty term); hierc always drops it.
    """
    # an ordinal model's formula writes the `1` its thresholds replace
    population = (model.intercept or model.thresholds, model.terms)
    parts = [population] + [(block.intercept, block.terms) for block in model.groups]
    uses = []
    for intercept, terms in parts:
        earlier: list[frozenset[ir.Factor]] = [frozenset()] if intercept else []
        for term in terms:
            factors = frozenset(term.factors)
            categorical = [f for f in term.factors if isinstance(f, ir.Categorical)]
            if any(factors - {f} not in earlier for f in categorical):
                uses.append(
                    Use(
                        term.written_at,
                        f"`{term.label}`",
                        "add the intercept (or the rest of the interaction) before it",
                    )
                )
            earlier.append(factors)
    return uses


def _probability_formula(model: ir.Model) -> list[Use]:
    bambi = FAMILIES[model.family].bambi
    complement = bambi.complement if bambi else frozenset()
    return [Use(f.written_at, f"the formula of `{f.label}`") for f in model.distributional if f.dpar in complement]


FEATURES: tuple[Feature, ...] = (
    Feature(
        "population-level terms, interactions and transforms",
        ALL,
        "y ~ 1 + log(x) * z + scale(w) + center(v) + sqrt(u) + exp(t) + log1p(s)",
        "the formula as written; `scale(x)` is `zscore(x)`, since formulae's `scale` divides by the sd with n",
    ),
    Feature(
        "arithmetic `I(x^2)`, `I(x * z)`, `I(log(x) - 1)`",
        ALL,
        "y ~ 1 + I(x^2) + I((log(x) - 1) * z * 0.01)",
        "`I(x ** 2)`, every operand that is not a name or a number in parentheses",
    ),
    Feature(
        "a division in `I(...)`: `I(x / 100)`",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + I(x / 100)",
        "Bambi names a PyMC variable by the term, and PyMC's names cannot contain `/`: write `I(x * 0.01)`",
        _division,
    ),
    Feature(
        "orthogonal polynomials `poly(x, 3)` or B-splines `bs(x, 5)`",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + poly(x, 3) + bs(z, 4)",
        "Bambi names the term's dim `poly(x, 3)_dim`, and nutpie cannot store a dim whose name has a comma",
        _basis,
    ),
    Feature(
        "categorical predictors `C(x)`, `C(x, ref = ...)`, treatment-coded",
        ALL,
        'y ~ 1 + C(a, ref = "b") * x',
        "`C(a)`, on a column the script makes an ordered categorical with the reference level first",
    ),
    Feature(
        "a categorical factor whose reference level formulae keeps: `0 + C(a)`, `x:C(a)` without `x`",
        (Backend.STAN, Backend.PYMC),
        "y ~ 0 + C(a)",
        "formulae codes such a factor with a column for every level; hierc always drops the reference",
        _every_level_coded,
    ),
    Feature(
        "uncorrelated group-level effects `(1 + x || g)`",
        ALL,
        "y ~ 1 + x + (1 + x || g)",
        "`(1 + x | g)`: Bambi's group-level effects are uncorrelated",
    ),
    Feature(
        "correlated group-level effects `(1 + x | g)`",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + x + (1 + x | g)",
        "Bambi has no correlated group-level effects",
        _correlated,
    ),
    Feature(
        "crossed, nested and interacted grouping factors `(1 | a) + (1 | b)`, `a/b`, `a:b`",
        ALL,
        "y ~ 1 + (1 | a/b) + (1 | c)",
        "`a:b` is one column of the observed combinations, `a__b`",
    ),
    Feature(
        "a predictor named like a parameter of its family in Bambi (`sigma`, `nu`, `alpha`)",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + sigma",
        "Bambi's priors name the terms and the family's parameters in one dictionary",
        _named_like_a_parameter,
    ),
    Feature(
        "a prior on the intercept at predictors = 0, `prior b_Intercept ~ ...` (brms's `0 + Intercept`)",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + x\nprior b_Intercept ~ normal(0, 5)",
        "Bambi's intercept prior is on the intercept at the predictors' means",
        _uncentered_intercept_prior,
    ),
    Feature(
        "a truncated prior, `normal(0, 1) T[0, ]`, or a uniform prior reaching beyond its parameter's support",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + x\nprior b ~ normal(0, 1) T[0, ]",
        "Bambi's priors are PyMC distributions by name; it has no truncated ones",
        _truncated_prior,
    ),
    Feature(
        "the ordinal family `cumulative`",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + x\nfamily cumulative",
        "Bambi's `cumulative` has its thresholds' prior at predictors = 0, hierc's (as brms's) at the predictors' "
        "means: another model",
        _ordinal,
    ),
    Feature(
        "every other family and link",
        ALL,
        "y ~ 1 + x\nfamily bernoulli(link = cloglog)",
        "`family=` and `link=`; " + _renamed_auxiliaries(),
    ),
    Feature(
        "known standard errors `y | se(s)`",
        ALL,
        "y | se(s) ~ 1 + (1 | g)",
        "a distributional formula `sigma ~ 0 + offset(log(s))`",
    ),
    Feature(
        "binomial trials `y | trials(n)`",
        ALL,
        "y | trials(n) ~ 1 + x\nfamily binomial",
        "`p(y, n)`",
    ),
    Feature(
        "likelihood weights `y | weights(w)`",
        (Backend.STAN, Backend.PYMC),
        "y | weights(w) ~ 1 + x",
        "Bambi's likelihoods take no weights",
        _weighted,
    ),
    Feature(
        "left- and right-censored responses `y | cens(c)`",
        ALL,
        "y | cens(c) ~ 1 + x",
        "`censored(y, c)`, PyMC's `Censored`; the script spells the codes as Bambi's words",
    ),
    Feature(
        "censored counts, interval censoring `y | cens(c, y2)`, censoring with truncation, a censored gamma",
        (Backend.STAN, Backend.PYMC),
        "y | cens(c, y2) ~ 1 + x",
        "Bambi's `censored()` is PyMC's `Censored`, which reads a right-censored count as P(Y >= y), not brms's "
        "P(Y > y), has neither intervals nor truncation, and takes the gamma's log P(Y > y) as log(1 - cdf), "
        "-inf far in the tail",
        _censored_beyond_bambi,
    ),
    Feature(
        "truncated responses `y | trunc(lb = L, ub = U)`",
        ALL,
        "y | trunc(lb = 0) ~ 1 + x",
        "`truncated(y, lb=L, ub=U)`",
    ),
    Feature(
        "a truncated binomial response `y | trials(n) + trunc(...)`",
        (Backend.STAN, Backend.PYMC),
        "y | trials(n) + trunc(lb = 1) ~ 1 + x\nfamily binomial",
        "Bambi's binomial response is `p(y, n)`, which `truncated()` cannot take",
        _truncated_trials,
    ),
    Feature(
        "every prior distribution, and the data-scaled default priors",
        ALL,
        "y ~ 1 + x + (1 | g)\nprior sd(g) ~ inv_gamma(3, 2)\nprior b ~ student_t(3, 0, 1)",
        "a `bmb.Prior` for every term, defaults included, scaled by the design columns of Bambi's model",
    ),
    Feature(
        "a distributional formula for an auxiliary parameter, `sigma ~ x`",
        ALL,
        "y ~ 1 + x\nsigma ~ 1 + C(a)",
        '`bmb.Formula(FORMULA, SIGMA)`, `SIGMA = "sigma ~ 1 + C(a)"` with Bambi\'s name of the parameter, a log '
        "link, and priors per parameter",
    ),
    Feature(
        "a formula for the zero part's probability, `zi ~ x` or `hu ~ x`",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + x\nzi ~ 1 + z\nfamily zero_inflated_poisson",
        "Bambi's `psi` is 1 - zi: its formula would have the negatives of hierc's coefficients, each prior "
        "mirrored, which hierc's Bambi script does not write",
        _probability_formula,
    ),
    Feature(
        "`param = noncentered` or `centered` for all grouping factors",
        ALL,
        "y ~ 1 + (1 | a) + (1 | b)\nparam = centered",
        "`noncentered=True` or `False`",
    ),
    Feature(
        "`param(g) = zerosum`, each coefficient summing to zero over the levels",
        ALL,
        "y ~ 0 + x + (0 + x || g)\nparam(g) = zerosum",
        '`bmb.Prior("ZeroSumNormal", sigma=...)`, with `noncentered=False`',
    ),
    Feature(
        "noncentered grouping factors next to centered or zerosum ones",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + (1 | a) + (1 | b)\nparam(a) = centered",
        "Bambi's `noncentered` is one setting for the whole model",
        _mixed_parameterizations,
    ),
    Feature(
        "zerosum for a group-level term of several columns `(0 + C(a) || g)`, `(1 + poly(x, 2) || g)`",
        (Backend.STAN, Backend.PYMC),
        "y ~ 1 + (1 + C(a) || g)\nparam(g) = zerosum",
        "Bambi's `ZeroSumNormal` would sum over the term's columns instead of the levels",
        _zerosum_several_columns,
    ),
)


def unsupported(model: ir.Model, backend: Backend | str) -> list[Diagnostic]:
    """One diagnostic for each place the model uses a feature the backend cannot express."""
    diagnostics = []
    for feature in FEATURES:
        if backend in feature.backends:
            continue
        others = f"the {' and '.join(feature.backends)} backends can express it"
        for use in feature.uses(model):
            message = f"the {backend} backend cannot express {feature.name}: {use.what}"
            hint = f"{feature.bambi}; {others}" + (f", or {use.hint}" if use.hint else "")
            diagnostics.append(Diagnostic(message, use.span, hint))
    return diagnostics


def check_supported(model: ir.Model, backend: Backend | str) -> None:
    """Raise a SpecError listing every use of a feature the backend cannot express."""
    diagnostics = unsupported(model, backend)
    if diagnostics:
        raise SpecError(diagnostics, model.source)


def table() -> str:
    """The feature × backend table of docs/backends.md, in Markdown."""
    lines = ["| feature | stan | pymc | bambi | in Bambi |", "| --- | :-: | :-: | :-: | --- |"]
    for feature in FEATURES:
        cells = [feature.name, *("yes" if b in feature.backends else "no" for b in ALL), feature.bambi]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
