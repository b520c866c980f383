"""Priors: checking the ones the user wrote, and choosing defaults for the rest.

Every parameter of the model gets exactly one prior. The most specific
explicit declaration wins (`sd(g)[x]` over `sd(g)` over `sd`); parameters
with none get the documented default, which may be scaled by statistics of
the data (see docs/language.md, "Default priors").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from hierc.errors import Diagnostics, all_of, did_you_mean, one_of
from hierc.families import FAMILIES
from hierc.language import ast, ir
from hierc.language.lower_formula import find_group, lower_coefficient, lower_group_factor
from hierc.language.source import Span
from hierc.language.vocabulary import (
    DISTRIBUTIONS,
    HALF_VERSION,
    PARAM_SUPPORT,
    Dist,
    Link,
    ParamClass,
    Stat,
    Support,
)

_CLASSES = {c.value: c for c in ParamClass}
UNCENTERED_INTERCEPT = ir.INTERCEPT_ORIGINAL  # `prior b_Intercept ~`: on the intercept at predictors = 0
_DISTS = {d.value: d for d in Dist}
_DIST_ALIASES = {
    "gaussian": Dist.NORMAL,
    "half_normal": Dist.HALFNORMAL,
    "half_cauchy": Dist.HALFCAUCHY,
    "half_student_t": Dist.HALFSTUDENT_T,
    "halft": Dist.HALFSTUDENT_T,
    "t": Dist.STUDENT_T,
    "studentt": Dist.STUDENT_T,
    "exp": Dist.EXPONENTIAL,
    "invgamma": Dist.INV_GAMMA,
    "inverse_gamma": Dist.INV_GAMMA,
    "lkj_corr": Dist.LKJ,
    "lkj_corr_cholesky": Dist.LKJ,
    "lkjcorr": Dist.LKJ,
}
_POSITIVE_DISTS = [d.value for d, info in DISTRIBUTIONS.items() if info.support is Support.POSITIVE]
_REAL_DISTS = [d.value for d, info in DISTRIBUTIONS.items() if info.support is Support.REAL]
_UNIT_DISTS = [d.value for d, info in DISTRIBUTIONS.items() if info.support is Support.UNIT]


def parameter_targets(model: ir.Model) -> list[ir.Target]:
    """Every parameter that needs a prior, in the order backends declare them."""
    # an ordinal model's thresholds share one prior, as brms's class Intercept
    targets = [ir.Target(ParamClass.INTERCEPT)] if model.intercept or model.thresholds else []
    targets += [ir.Target(ParamClass.B, None, term.label) for term in model.terms]
    for block in model.groups:
        label = block.factor.label
        targets += [ir.Target(ParamClass.SD, label, coef) for coef in block.coefficients]
        if block.correlated:
            targets.append(ir.Target(ParamClass.COR, label))
    targets += [ir.Target(cls) for cls in auxiliary_parameters(model)]
    for formula in model.distributional:
        targets += [ir.Target(ParamClass.INTERCEPT, dpar=formula.dpar)] if formula.intercept else []
        targets += [ir.Target(ParamClass.B, None, term.label, formula.dpar) for term in formula.terms]
    return targets


def auxiliary_parameters(model: ir.Model) -> tuple[ParamClass, ...]:
    """The auxiliary parameters that are one number each: not replaced by known standard errors, nor
    predicted by a formula of their own."""
    aux = FAMILIES[model.family].auxiliary_classes
    if model.response.se is not None:  # known standard errors replace sigma
        aux = tuple(cls for cls in aux if cls is not ParamClass.SIGMA)
    return tuple(cls for cls in aux if model.formula_of(cls) is None)


@dataclass(frozen=True)
class _Explicit:
    pattern: ir.Target  # group and coefficient may be None: the prior covers all of them
    distribution: Dist
    args: tuple[tuple[str, float], ...]
    label: str
    span: Span | None
    uncentered: bool = False  # `prior b_Intercept ~`
    truncation: tuple[float | None, float | None] = (None, None)

    def covers(self, target: ir.Target) -> bool:
        p = self.pattern
        return (
            p.cls is target.cls
            and p.dpar is target.dpar  # `b` is the mean's coefficients, `b(sigma)` sigma's: as brms's dpar
            and (p.group is None or p.group == target.group)
            and (p.coefficient is None or p.coefficient == target.coefficient)
        )

    @property
    def specificity(self) -> int:
        return (self.pattern.group is not None) + (self.pattern.coefficient is not None)


def check_distributions(decls: list[ast.PriorDecl], diags: Diagnostics) -> None:
    """The checks that need no model: for specs whose formula has errors."""
    for decl in decls:
        _distribution(decl.distribution, diags)


def resolve_priors(decls: list[ast.PriorDecl], model: ir.Model, diags: Diagnostics) -> tuple[ir.Prior, ...]:
    explicit: list[_Explicit] = []
    declared_on: dict[ir.Target, Span | None] = {}
    for decl in decls:
        pattern = _target(decl.target, model, diags)
        distribution = _distribution(decl.distribution, diags)
        if pattern is None or distribution is None:
            continue
        dist, args = distribution
        if not _fits(dist, args, pattern, decl, diags):
            continue
        if pattern in declared_on:
            first = declared_on[pattern]
            diags.error(
                decl.target.span,
                f"a second prior for `{pattern.label}`",
                f"the first is on line {first.line}" if first else None,
            )
            continue
        declared_on[pattern] = decl.span
        uncentered = decl.target.name.text == UNCENTERED_INTERCEPT
        label = UNCENTERED_INTERCEPT if uncentered else pattern.label
        written = ir.Prior(pattern, dist, args, ir.PriorSource.EXPLICIT, uncentered=uncentered)
        truncation = _truncation(decl, written, model, diags)
        if truncation is None:
            continue
        explicit.append(_Explicit(pattern, dist, args, label, decl.span, uncentered, truncation))

    priors = []
    for target in parameter_targets(model):
        covering = [e for e in explicit if e.covers(target)]
        if covering:
            chosen = max(covering, key=lambda e: e.specificity)
            source = ir.PriorSource.EXPLICIT
            priors.append(
                ir.Prior(
                    target,
                    chosen.distribution,
                    chosen.args,
                    source,
                    chosen.label,
                    chosen.span,
                    chosen.uncentered,
                    chosen.truncation,
                )
            )
        else:
            dist, args = default_prior(target, model)
            priors.append(ir.Prior(target, dist, args, ir.PriorSource.DEFAULT))
    _check_correlated_sds(priors, model, diags)
    return tuple(priors)


def _check_correlated_sds(priors: list[ir.Prior], model: ir.Model, diags: Diagnostics) -> None:
    """A correlated block's sds need a proper prior on all positive numbers: PyMC's `LKJCholeskyCov` starts
    from draws of it, and its transform keeps the sds positive, no more."""
    reported: set[Span | None] = set()
    for prior in priors:
        if prior.target.cls is not ParamClass.SD or not model.group(prior.target.group).correlated:
            continue
        if (prior.distribution is Dist.FLAT or prior.bounded) and prior.declared_at not in reported:
            reported.add(prior.declared_at)
            what = "a flat prior" if prior.distribution is Dist.FLAT else "a bounded prior"
            diags.error(
                prior.declared_at,
                f"`{prior.target.label}` is an sd of the correlated block of `{prior.target.group}`, whose sds "
                "need a proper prior on all positive numbers",
                f"e.g. `halfnormal(...)`; {what} suits the sds of uncorrelated (`||`) terms",
            )


def _truncation(
    decl: ast.PriorDecl, prior: ir.Prior, model: ir.Model, diags: Diagnostics
) -> tuple[float | None, float | None] | None:
    """The bounds of `T[lower, upper]` (None where left out); None if they cannot be used here."""
    node = decl.truncation
    lower, upper = (None, None) if node is None else (None if b is None else b.value for b in (node.lower, node.upper))
    if node is not None:
        problem = _truncation_problem(prior, lower, upper)
        if problem is not None:
            diags.error(node.span, *problem)
            return None
    prior = replace(prior, truncation=(lower, upper))
    low, high = prior.limits
    span = node.span if node is not None else decl.distribution.span
    if prior.bounded and prior.target.cls is ParamClass.INTERCEPT and (model.thresholds or prior.uncentered):
        what = "the ordered thresholds" if model.thresholds else "`b_Intercept`, the intercept at predictors = 0,"
        hint = None if model.thresholds else "bound `Intercept`, the intercept at the predictors' means"
        diags.error(span, f"{what} cannot be bounded", hint)
        return None
    if low >= high:
        diags.error(
            span,
            f"this prior leaves `{prior.target.label}` no values: it is {PARAM_SUPPORT[prior.target.cls].value}",
            "choose bounds within its support",
        )
        return None
    return lower, upper


def _truncation_problem(prior: ir.Prior, lower: float | None, upper: float | None) -> tuple[str, str | None] | None:
    """Why a prior cannot be truncated (message, hint), or None."""
    if lower is None and upper is None:
        return "`T[, ]` bounds nothing", "write a bound, e.g. `T[0, ]`, or leave `T[...]` out"
    if lower is not None and upper is not None and lower >= upper:
        return "the bounds of `T[lower, upper]` must be in order, lower below upper", None
    if prior.distribution is Dist.UNIFORM:
        return "a uniform prior is bounded by its arguments", "write the bounds as `uniform(lower, upper)`"
    if prior.distribution is Dist.FLAT:
        both = lower is not None and upper is not None
        hint = f"write `uniform({_number(lower)}, {_number(upper)})`" if both else "choose a proper prior"
        return "a flat prior cannot be truncated", hint
    if prior.target.cls is ParamClass.COR:
        return "a correlation matrix's prior cannot be truncated", None
    return None


# ---- defaults ----------------------------------------------------------------


def default_prior(target: ir.Target, model: ir.Model) -> tuple[Dist, tuple[tuple[str, ir.PriorValue], ...]]:
    """The documented default prior of one parameter.

    On an identity link, coefficients are on the scale of the response (of
    log(y) for a family such as lognormal), so their priors scale with its sd;
    otherwise they are on the link scale (unit 1). Slopes and their
    group-level sds are divided by sd(x) of their column. Auxiliary parameters
    take their family's default.
    """
    family = FAMILIES[model.family]
    mean, sd = family.location
    unit = sd if model.link is Link.IDENTITY else None
    per_x = Stat.PREDICTOR_SD if target.coefficient not in (None, ir.INTERCEPT) else None
    if target.dpar is not None:  # on the log or logit scale: brms's intercept prior, and slopes like it per sd(x)
        if target.cls is ParamClass.INTERCEPT:
            return Dist.STUDENT_T, (("nu", 3.0), ("mu", 0.0), ("sigma", 2.5))
        return Dist.NORMAL, (("mu", 0.0), ("sigma", _scaled(2.5, None, per_x)))
    match target.cls:
        case ParamClass.INTERCEPT:
            location = _scaled(1.0, mean) if unit else 0.0
            return Dist.NORMAL, (("mu", location), ("sigma", _scaled(2.5, unit)))
        case ParamClass.B:
            return Dist.NORMAL, (("mu", 0.0), ("sigma", _scaled(2.5, unit, per_x)))
        case ParamClass.SD:
            return Dist.HALFNORMAL, (("sigma", _scaled(2.5, unit, per_x)),)
        case ParamClass.COR:
            return Dist.LKJ, (("eta", 2.0),)
    if target.cls in family.auxiliary_classes:
        return family.auxiliary_of(target.cls).default(sd)
    raise ValueError(f"no default prior for {target.label}")


def _scaled(factor: float, numerator: Stat | None, denominator: Stat | None = None) -> ir.PriorValue:
    if numerator is None and denominator is None:
        return factor
    return ir.DataScaled(factor, numerator, denominator)


# ---- explicit priors ---------------------------------------------------------


def _target(node: ast.PriorTarget, model: ir.Model, diags: Diagnostics) -> ir.Target | None:
    name = node.name.text
    cls = ParamClass.INTERCEPT if name == UNCENTERED_INTERCEPT else _CLASSES.get(name)
    if cls is None:
        names = [*_CLASSES, UNCENTERED_INTERCEPT]
        diags.error(
            node.name.span,
            f"unknown parameter class `{name}`",
            did_you_mean(name, names) or f"priors are placed on {one_of(names)}",
        )
        return None

    group, dpar = None, None
    if node.group is not None and cls in (ParamClass.B, ParamClass.INTERCEPT):
        dpar = _dpar(node, cls, model, diags)
        if dpar is None:
            return None
    elif node.group is not None:
        if cls not in (ParamClass.SD, ParamClass.COR):
            diags.error(node.group.span, f"`{name}` does not take a grouping factor", f"write `prior {name} ~ ...`")
            return None
        factors = lower_group_factor(node.group, diags)
        if len(factors) != 1:
            diags.error(node.group.span, "name one grouping factor here", f"write `{name}(a)` or `{name}(a:b)`")
            return None
        group = find_group(factors[0], model.groups, node.group.span, diags)
        if group is None:
            return None

    coefficient = None
    if node.coefficient is not None:
        coefficient = _coefficient(node, cls, group, model, diags, dpar)
        if coefficient is None:
            return None

    target = ir.Target(cls, group, coefficient, dpar)
    return target if _exists(target, node, model, diags) else None


def _dpar(node: ast.PriorTarget, cls: ParamClass, model: ir.Model, diags: Diagnostics) -> ParamClass | None:
    """`b(sigma)`, `Intercept(sigma)`: the auxiliary parameter whose formula the coefficient is in."""
    name = node.name.text
    written = node.group.parts[0].names[0].text if len(node.group.parts) == 1 else ""
    formulas = [f.label for f in model.distributional]
    if name == UNCENTERED_INTERCEPT:
        diags.error(
            node.name.span,
            "a distributional formula's intercept takes its prior at the means of its predictors",
            f"write `prior Intercept({written}) ~ ...`",
        )
        return None
    formula = next((f for f in model.distributional if f.label == written), None)
    if formula is None:
        if formulas:
            hint = f"the model has formulas for {all_of(formulas)}"
        else:
            hint = f"`{name}(...)` names the parameter of a formula such as `sigma ~ x`; the model has none"
        diags.error(node.group.span, f"the model has no formula for `{written or '...'}`", hint)
        return None
    if cls is ParamClass.INTERCEPT and not formula.intercept:
        diags.error(node.span, f"the formula for `{written}` has no intercept", "`0 +` or `- 1` in it removes it")
        return None
    if cls is ParamClass.B and not formula.terms:
        diags.error(node.span, f"the formula for `{written}` has no coefficients `b`")
        return None
    return formula.dpar


def _coefficient(
    node: ast.PriorTarget,
    cls: ParamClass,
    group: str | None,
    model: ir.Model,
    diags: Diagnostics,
    dpar: ParamClass | None = None,
) -> str | None:
    span = node.coefficient.span
    if cls not in (ParamClass.B, ParamClass.SD):
        diags.error(span, f"`{cls.value}` has no coefficients to choose from", f"write `prior {cls.value} ~ ...`")
        return None
    if cls is ParamClass.SD and group is None:
        diags.error(span, "name the grouping factor of this sd", "write `sd(g)[...]`")
        return None
    if isinstance(node.coefficient, ast.Number):
        diags.error(span, f"`{node.coefficient.text}` is not a coefficient name", "name a term, e.g. `b[x1]`")
        return None
    if isinstance(node.coefficient, ast.Name) and node.coefficient.text == ir.INTERCEPT:
        label = ir.INTERCEPT
    else:
        term = lower_coefficient(node.coefficient, diags)
        if term is None:
            return None
        label = term.label
    if cls is ParamClass.B:
        within = f"({dpar.value})" if dpar else ""
        if label == ir.INTERCEPT:
            diags.error(
                span, "the intercept is not one of the `b` coefficients", f"write `prior Intercept{within} ~ ...`"
            )
            return None
        terms = model.formula_of(dpar).terms if dpar else model.terms
        known = [t.label for t in terms]
        where = "population-level coefficient"
    else:
        terms = model.group(group).terms
        known = list(model.group(group).coefficients)
        where = None
    if label != ir.INTERCEPT:  # `b:a` names the interaction the formula wrote as `a:b`
        same = [t.label for t in terms if sorted(f.label for f in t.factors) == sorted(f.label for f in term.factors)]
        label = same[0] if same else label
    if label not in known:
        hint = did_you_mean(label, known) or (f"the coefficients are {all_of(known)}" if known else None)
        message = f"there is no {where} `{label}`" if where else f"`{label}` does not vary by `{group}`"
        if dpar is not None:
            message = f"the formula for `{dpar.value}` has no coefficient `{label}`"
        diags.error(span, message, hint)
        return None
    return label


def _exists(target: ir.Target, node: ast.PriorTarget, model: ir.Model, diags: Diagnostics) -> bool:
    """Whether the model has parameters of this class (for this group) at all."""
    cls, span = target.cls, node.span
    if target.dpar is not None:  # `_dpar` checked its formula
        return True
    match cls:
        case ParamClass.INTERCEPT:
            if not (model.intercept or model.thresholds):
                diags.error(span, "the model has no intercept", "the formula removes it with `0` or `-1`")
            return model.intercept or model.thresholds
        case ParamClass.B:
            if not model.terms:
                diags.error(span, "the model has no population-level coefficients `b`")
            return bool(model.terms)
        case ParamClass.SD:
            if not model.groups:
                diags.error(span, "the model has no group-level terms, so no `sd`")
            return bool(model.groups)
        case ParamClass.COR:
            blocks = [b for b in model.groups if target.group in (None, b.factor.label)]
            if any(b.correlated for b in blocks):
                return True
            if target.group is None:
                diags.error(span, "the model has no correlated group-level effects, so no `cor`")
            elif blocks[0].intercept + len(blocks[0].terms) < 2:
                diags.error(span, f"`{target.group}` has a single varying coefficient, so no correlation")
            else:
                diags.error(
                    span,
                    f"the effects of `{target.group}` are uncorrelated (`||`), so there is no `cor({target.group})`",
                    "write `|` instead of `||` to model their correlation",
                )
            return False
    present = auxiliary_parameters(model)
    if cls in present:
        return True
    if model.formula_of(cls) is not None:
        diags.error(
            span,
            f"`{cls.value}` has a formula of its own, so its prior is on that formula's coefficients",
            f"write `prior Intercept({cls.value}) ~ ...` or `prior b({cls.value}) ~ ...` (on the "
            f"{model.formula_of(cls).link.value} scale)",
        )
        return False
    if cls is ParamClass.SIGMA and model.response.se is not None:
        diags.error(span, "`sigma` is not a parameter here: the response has known standard errors `se(...)`")
    else:
        having = [f.value for f, info in FAMILIES.items() if cls in info.auxiliary_classes]
        diags.error(
            span,
            f"the `{model.family.value}` family has no parameter `{cls.value}`",
            f"`{cls.value}` belongs to the {one_of(having)} famil{'y' if len(having) == 1 else 'ies'}",
        )
    return False


def _distribution(call: ast.Call, diags: Diagnostics) -> tuple[Dist, tuple[tuple[str, float], ...]] | None:
    name = call.func.text
    dist = _DISTS.get(name)
    if dist is None:
        alias = _DIST_ALIASES.get(name.lower())
        hint = f"did you mean `{alias.value}`?" if alias else did_you_mean(name, _DISTS)
        diags.error(call.func.span, f"unknown distribution `{name}`", hint or f"the distributions are {all_of(_DISTS)}")
        return None
    info = DISTRIBUTIONS[dist]
    keywords = {a.name.text for a in call.args if a.name is not None}
    choices = [(tuple(p.name for p in info.params), None)] + [(alt.names, alt) for alt in info.alternatives]
    names, alternative = next(
        ((n, alt) for n, alt in choices if keywords and keywords <= set(n) and alt is not None), choices[0]
    )
    signature = f"{name}({', '.join(names)})"
    known = {n for choice, _ in choices for n in choice}
    if len(choices) > 1 and keywords <= known and not any(keywords <= set(n) for n, _ in choices):
        ways = " or ".join(f"`{name}({', '.join(n)})`" for n, _ in choices)
        diags.error(call.span, f"`{name}` takes either of {ways}, not a mix of the two")
        return None
    if alternative is not None and len(keywords) < len(call.args):
        named = ", ".join(f"{n} = ..." for n in names)
        diags.error(call.span, f"name every argument of `{name}({', '.join(names)})`", f"write `{name}({named})`")
        return None
    defaults = {p.name: p.default for p in info.params if p.default is not None} if alternative is None else {}

    values: dict[str, float] = {}
    ok = True
    seen_keyword = False
    for position, arg in enumerate(call.args):
        seen_keyword = seen_keyword or arg.name is not None
        if arg.name is None:
            if seen_keyword:
                diags.error(arg.span, "a positional argument cannot follow a named one", f"write `{signature}`")
                return None
            if position >= len(names):
                diags.error(arg.span, f"too many arguments to `{name}`", f"write `{signature}`")
                return None
            key = names[position]
        else:
            key = arg.name.text
            if key not in names:
                diags.error(
                    arg.name.span,
                    f"`{name}` has no argument `{key}`",
                    did_you_mean(key, known) or f"write `{signature}`",
                )
                ok = False
                continue
            if key in values:
                diags.error(arg.span, f"argument `{key}` is given twice")
                ok = False
                continue
        if not isinstance(arg.value, ast.Number):
            diags.error(arg.value.span, f"the argument `{key}` of `{name}` must be a number")
            ok = False
            continue
        if not math.isfinite(arg.value.value):
            diags.error(arg.value.span, f"the argument `{key}` of `{name}` must be a finite number")
            ok = False
            continue
        values[key] = arg.value.value
        positive = alternative.positive if alternative else next(p.positive for p in info.params if p.name == key)
        if positive and arg.value.value <= 0:
            diags.error(arg.value.span, f"`{key}` of `{name}` must be positive")
            ok = False
    if not ok:
        return None
    missing = [n for n in names if n not in values and n not in defaults]
    if missing:
        diags.error(call.span, f"`{name}` is missing {one_of(missing)}", f"write `{signature}`")
        return None
    ordered = tuple(values.get(n, defaults.get(n)) for n in names)
    if dist is Dist.UNIFORM and ordered[0] >= ordered[1]:
        diags.error(call.span, f"`{name}(lower, upper)` needs lower below upper")
        return None
    if alternative is not None:
        given = ", ".join(f"{n} = {_number(v)}" for n, v in zip(names, ordered, strict=True))
        canonical = [p.name for p in info.params]
        try:
            ordered = alternative.convert(*ordered)
            bad = [
                f"{n} = {_number(v)}"
                for n, v, param in zip(canonical, ordered, info.params, strict=True)
                if not math.isfinite(v) or (param.positive and v <= 0)
            ]
        except (ZeroDivisionError, OverflowError):
            bad = [f"{' and '.join(canonical)} beyond the range of floating-point numbers"]
        if bad:
            diags.error(
                call.span,
                f"`{name}({given})` is not a distribution hierc can use: its usual parameters are {', '.join(bad)}",
                f"choose values nearer each other, or write the usual parameters `{name}({', '.join(canonical)})`",
            )
            return None
    return dist, tuple(zip((p.name for p in info.params), ordered, strict=True))


def _fits(dist: Dist, args, target: ir.Target, decl: ast.PriorDecl, diags: Diagnostics) -> bool:
    """Whether the distribution's support is the parameter's."""
    need, have = PARAM_SUPPORT[target.cls], DISTRIBUTIONS[dist].support
    if need is have or need in DISTRIBUTIONS[dist].also:
        return True
    span, name, label = decl.distribution.func.span, dist.value, target.label
    if need is Support.CORRELATION:
        diags.error(span, f"`{label}` is a correlation matrix; its prior is `lkj(eta)`", "e.g. `lkj(2)`")
    elif have is Support.CORRELATION:
        diags.error(span, f"`lkj` is a prior for correlation matrices (`cor`), not for `{label}`")
    elif need is Support.UNIT:
        diags.error(span, f"`{label}` is a probability, between 0 and 1; `{name}` is not", f"use {one_of(_UNIT_DISTS)}")
    elif have is Support.UNIT:
        fitting = _POSITIVE_DISTS if need is Support.POSITIVE else _REAL_DISTS
        diags.error(
            span, f"`{name}` is a distribution on (0, 1), but `{label}` is not a probability", f"use {one_of(fitting)}"
        )
    elif need is Support.POSITIVE:
        values = dict(args)
        half = HALF_VERSION.get(dist)
        if half is not None and values.get("mu") == 0:
            kept = ", ".join(_number(v) for k, v in args if k != "mu")
            hint = f"use `{half.value}({kept})`"
        else:
            hint = f"use a distribution on positive values: {one_of(_POSITIVE_DISTS)}"
        diags.error(span, f"`{name}` is a distribution on all real numbers, but `{label}` is positive", hint)
    else:
        diags.error(
            span,
            f"`{name}` is a distribution on positive values, but `{label}` can be any real number",
            f"use {one_of(_REAL_DISTS)}",
        )
    return False


def _number(value: float) -> str:
    return format(value, ".15g")
