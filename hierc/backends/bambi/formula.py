"""The model in Bambi's terms: the formula, family and link, and the name of every Bambi term.

Bambi reads formulas with formulae, so most of the spec's formula carries
over as written. The differences, and why:

- `(1 + x || g)` is written `(1 + x | g)`: Bambi's group-level effects are
  always uncorrelated (correlated blocks are rejected before this point).
- `scale(x)` is written `zscore(x)`, a function the script defines: formulae's
  own `scale` divides by the sd with denominator n, the spec's by n - 1.
- `C(x, ref = "a")` is `C(x)` on a column the script makes an ordered
  categorical, its levels in hierc's order (numbers numerically) with the
  reference first: formulae drops the first category. (A reference written
  into the formula, `C(x, Treatment('a'))`, would put a comma into the names
  of Bambi's variables and dims, and nutpie cannot store such a dim.)
- A grouping factor `a:b` is a column of the observed combinations, named
  `a__b`, which the script adds: formulae's `a:b` would also make levels for
  combinations that never occur, and each would get an effect of its own.
  Every grouping column holds text labels; where a term also reads the
  variable, the labels go to a column of their own, `g__levels`.
- A known standard error `y | se(s)` is the distributional formula
  `sigma ~ 0 + offset(log(s))`: sigma is then s itself, with no parameter.
- A distributional formula names the parameter as Bambi does (`alpha ~ x`
  for negbinomial's `phi`), with a log link: hierc's.
- `y | trials(n)` is formulae's `p(y, n)`.
- `I(x^2)` is `I(x ** 2)`, with parentheses around every operand that is not a name or a number:
  formulae reads `-2 ** x` as `(-2) ** x`. formulae names the term without any parentheses (two terms
  so named alike already have one name in hierc, and are an error).
- Bambi's zero-inflated and hurdle families take psi, the probability of the count part: 1 - zi (or 1 - hu),
  whose beta prior has the shapes of zi's swapped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from hierc import naming
from hierc.backends.pymc.pyformat import Call, Kw, Seq
from hierc.errors import CompilerBug
from hierc.families import FAMILIES
from hierc.families import declaration as families
from hierc.language import arithmetic, ir
from hierc.language.vocabulary import Dist, ParamClass, Transform


def family_name(model: ir.Model) -> str:
    """Bambi's name of the model's family (declared with the family, `hierc/families/`)."""
    return _declared(model).family


def auxiliary_name(model: ir.Model, cls: ParamClass) -> str:
    """Bambi's name of one of the family's parameters besides the mean."""
    return _declared(model).auxiliary[cls]


def auxiliary_value(model: ir.Model, cls: ParamClass, value):
    """Bambi's value of one of the family's parameters besides the mean, from hierc's (or back: the map is its
    own inverse): the same, or 1 minus it where Bambi's is the probability of the other part (psi = 1 - zi)."""
    return 1 - value if cls in _declared(model).complement else value


def auxiliary_prior(model: ir.Model, cls: ParamClass) -> ir.Prior:
    """The prior of Bambi's parameter: hierc's, with a beta's shapes swapped where Bambi's is 1 minus hierc's."""
    prior = model.prior(cls)
    if cls not in _declared(model).complement:
        return prior
    if prior.distribution is not Dist.BETA:  # the one distribution on (0, 1)
        raise CompilerBug(f"a prior on {cls.value} that is not a beta: {prior.distribution.value}")
    return replace(prior, args=(("alpha", prior.arg("beta")), ("beta", prior.arg("alpha"))))


def custom_family(model: ir.Model) -> Call | None:
    """`bmb.Family(...)` for a family Bambi does not ship (None for one it does): its PyMC distribution,
    with the mean `mu` on the model's link and the positive auxiliary parameters on a log link."""
    bambi = _declared(model)
    if bambi.custom is None:
        return None
    params = ["mu", *(bambi.auxiliary[cls] for cls in FAMILIES[model.family].auxiliary_classes)]
    links = ", ".join([f'"mu": "{model.link.value}"', *(f'"{name}": "log"' for name in params[1:])])
    likelihood = Call(
        "bmb.Likelihood",
        (f'"{bambi.custom}"', Kw("params", Seq(tuple(f'"{p}"' for p in params))), Kw("parent", '"mu"')),
    )
    return Call("bmb.Family", (f'"{bambi.family}"', likelihood, Kw("link", f"{{{links}}}")))


def _declared(model: ir.Model) -> families.Bambi:
    bambi = FAMILIES[model.family].bambi
    if bambi is None:  # the feature table rejects such a model before it reaches the Bambi backend
        raise CompilerBug(f"Bambi has no family {model.family.value}")
    return bambi


# How a formula written for formulae calls each transform.
TRANSFORM = {
    Transform.LOG: "log",
    Transform.LOG1P: "log1p",
    Transform.EXP: "exp",
    Transform.SQRT: "sqrt",
    Transform.CENTER: "center",
    Transform.SCALE: "zscore",
}
# The functions among those that Bambi's namespace lacks; the script passes them as `extra_namespace`.
EXTRA_FUNCTIONS = {"log1p": "np.log1p", "sqrt": "np.sqrt", "zscore": "zscore"}

INTERCEPT = "Intercept"  # Bambi's name for the intercept, on centred predictors as in hierc


def factor_text(factor: ir.Factor, parens: str = arithmetic.ALL) -> str:
    """The factor in the formula; with `parens=NONE`, as formulae names it."""
    if isinstance(factor, ir.Categorical):
        return f"C({factor.variable})"
    if isinstance(factor, ir.Polynomial):
        return f"poly({factor_text(factor.base, parens)}, {factor.degree})"
    if isinstance(factor, ir.Spline):
        return f"bs({factor_text(factor.base, parens)}, df={factor.df}, degree={factor.degree})"
    if isinstance(factor, ir.Expression):
        function = TRANSFORM.get
        power = " ** "
        return f"I({ir.render(factor.expression, str, function, ir.python_number, power, parens)})"
    text = factor.variable
    for transform in factor.transforms:
        text = f"{TRANSFORM[transform]}({text})"
    return text


def term_text(term: ir.Term) -> str:
    """The term as the formula writes it."""
    return ":".join(factor_text(f) for f in term.factors)


def term_name(term: ir.Term) -> str:
    """Bambi's name for the term's coefficients: formulae's text of it, which drops the parentheses in
    `I(...)`."""
    return ":".join(factor_text(f, arithmetic.NONE) for f in term.factors)


def group_column(model: ir.Model, block: ir.GroupBlock) -> str:
    """The data column of a grouping factor's labels: the variable itself, a new column `a__b` for `a:b`,
    or `g__levels` when a term of the formula also reads `g` (as a number or a category)."""
    return naming.names(model).bambi_columns[block.factor.label]


def group_terms(model: ir.Model, block: ir.GroupBlock) -> list[tuple[str, str]]:
    """(hierc coefficient label, Bambi term name) for each term of a group block, in the block's order."""
    g = group_column(model, block)
    pairs = [(ir.INTERCEPT, f"1|{g}")] if block.intercept else []
    return pairs + [(term.label, f"{term_name(term)}|{g}") for term in block.terms]


def _all_terms(model: ir.Model) -> list[ir.Term]:
    dpar_terms = [t for formula in model.distributional for t in formula.terms]
    return [*model.terms, *(t for block in model.groups for t in block.terms), *dpar_terms]


def functions_used(model: ir.Model) -> list[str]:
    """The names of `EXTRA_FUNCTIONS` the formulas call."""
    offsets = [*model.offsets, *(o for formula in model.distributional for o in formula.offsets)]
    texts = [term_text(term) for term in _all_terms(model)] + [factor_text(offset) for offset in offsets]
    texts.append(response_text(model))
    used = {name for text in texts for name in re.findall(r"(\w+)\(", text)}
    return [name for name in EXTRA_FUNCTIONS if name in used]


def categorical_predictors(model: ir.Model) -> dict[str, str | None]:
    """The categorical predictors, each with its reference level (None: the first level)."""
    return {f.variable: f.reference for t in _all_terms(model) for f in t.factors if isinstance(f, ir.Categorical)}


def response_text(model: ir.Model) -> str:
    response = model.response
    if FAMILIES[model.family].needs_trials:
        return f"p({response.variable}, {response.trials})"
    text = factor_text(response.values)
    if response.censored is not None:  # Bambi's `censored`, PyMC's `Censored`; `prepare` spells the codes
        return f"censored({text}, {response.censored})"
    if response.truncated:  # Bambi's `truncated`, PyMC's `Truncated`: for counts too, over P(lb <= Y <= ub)
        bounds = [(side, value) for side, value in (("lb", response.lb), ("ub", response.ub)) if value is not None]
        text = f"truncated({text}, {', '.join(f'{side}={_bound(value)}' for side, value in bounds)})"
    return text


def _bound(value: float | str) -> str:
    """A truncation bound: a column, or a number as formulae reads it."""
    return value if isinstance(value, str) else ir.python_number(ir.Constant(value, repr(value)))


def formula_text(model: ir.Model) -> str:
    """The main formula."""
    parts = ["1" if model.intercept else "0"] + [term_text(t) for t in model.terms]
    parts += [f"offset({factor_text(offset)})" for offset in model.offsets]  # formulae's offset, coefficient 1
    for block in model.groups:
        inside = ["1" if block.intercept else "0"] + [term_text(t) for t in block.terms]
        parts.append(f"({' + '.join(inside)} | {group_column(model, block)})")
    return f"{response_text(model)} ~ {' + '.join(parts)}"


def distributional_formulas(model: ir.Model) -> list[str]:
    """The formulas of the auxiliary parameters, by Bambi's names: with known standard errors, sigma is the
    `se` column itself."""
    if model.response.se is not None:
        return [f"sigma ~ 0 + offset(log({model.response.se}))"]
    texts = []
    for formula in model.distributional:
        parts = ["1" if formula.intercept else "0"] + [term_text(t) for t in formula.terms]
        parts += [f"offset({factor_text(offset)})" for offset in formula.offsets]
        texts.append(f"{auxiliary_name(model, formula.dpar)} ~ {' + '.join(parts)}")
    return texts
