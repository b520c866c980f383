"""AST → IR: resolve every statement of a spec into one explicit model.

This is the only module that sees both trees. It reports every user error
it finds (not just the first) as one SpecError.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hierc.errors import Diagnostics, all_of, did_you_mean, one_of
from hierc.families import FAMILIES
from hierc.language import ast, ir
from hierc.language.identifiers import model_name_problem
from hierc.language.lower_formula import (
    LoweredFormula,
    PendingBlock,
    find_group,
    lower_formula,
    lower_group_factor,
)
from hierc.language.priors import check_distributions, resolve_priors
from hierc.language.source import Span
from hierc.language.unparse import unparse_term
from hierc.language.vocabulary import (
    DEFAULT_PARAMETERIZATION,
    PARAM_SUPPORT,
    RESERVED_PARAMETERIZATIONS,
    Family,
    Link,
    ParamClass,
    Parameterization,
    Support,
)

_FAMILIES = {f.value: f for f in Family}
_FAMILY_ALIASES = {alias: f.name for f in FAMILIES.values() for alias in f.aliases}
_LINKS = {link.value: link for link in Link}
_PARAMETERIZATIONS = {p.value: p for p in Parameterization}


@dataclass
class _Statements:
    model: ast.ModelDecl | None = None
    data: ast.DataDecl | None = None
    family: ast.FamilyDecl | None = None
    formula: ast.Formula | None = None
    distributional: list[ast.Formula] = field(default_factory=list)  # `sigma ~ x`, after the response's
    priors: list[ast.PriorDecl] = field(default_factory=list)
    params: list[ast.ParamDecl] = field(default_factory=list)


def lower(spec: ast.Spec, default_name: str = "model") -> ir.Model:
    """The IR of a parsed spec; raises SpecError listing every problem found."""
    diags = Diagnostics()
    statements = _collect(spec, diags)
    name = _model_name(statements.model, default_name, diags)
    data_file = _data_file(statements.data, diags)
    family, link = _family(statements.family, diags)
    if statements.formula is None:
        diags.error(None, "the spec has no formula", "add one, e.g. `y ~ 1 + x + (1 | g)`")
        diags.raise_if_any()
    distributional = _formulas_of_parameters(statements.distributional, family, diags)
    formula = lower_formula(statements.formula, diags, tuple(distributional))
    _check_response_options(statements.formula.response, family, diags)
    distributional = _distributional(formula, family, diags)
    if diags.items:  # without a sound formula, check what does not depend on it
        check_distributions(statements.priors, diags)
        for decl in statements.params:
            _parameterization(decl.value, diags)
        diags.raise_if_any()

    thresholds = FAMILIES[family].thresholds
    if thresholds and not formula.intercept:
        diags.error(
            statements.formula.span,
            f"a {family.value} model cannot remove the intercept: its thresholds take the intercept's place",
            "leave out `0 +` or `- 1`",
        )
        diags.raise_if_any()
    blocks = _parameterize(formula.blocks, statements.params, diags)
    model = ir.Model(
        name=name,
        data_file=data_file,
        response=formula.response,
        family=family,
        link=link,
        intercept=formula.intercept and not thresholds,
        terms=formula.terms,
        groups=blocks,
        priors=(),
        offsets=formula.offsets,
        thresholds=thresholds,
        distributional=distributional,
        family_at=statements.family.span if statements.family else None,
    )
    priors = resolve_priors(statements.priors, model, diags)
    diags.raise_if_any()
    return replace(model, priors=priors)


def _collect(spec: ast.Spec, diags: Diagnostics) -> _Statements:
    found = _Statements()
    singles = {ast.ModelDecl: "model", ast.DataDecl: "data", ast.FamilyDecl: "family", ast.Formula: "formula"}
    for statement in spec.statements:
        if isinstance(statement, ast.PriorDecl):
            found.priors.append(statement)
        elif isinstance(statement, ast.Formula) and found.formula is not None:
            found.distributional.append(statement)
        elif isinstance(statement, ast.ParamDecl):
            found.params.append(statement)
        else:
            slot = singles[type(statement)]
            first = getattr(found, slot)
            if first is not None:
                what = "a second formula" if slot == "formula" else f"a second `{slot}` statement"
                diags.error(statement.span, f"{what}; a spec has one", f"the first is on line {first.span.line}")
            else:
                setattr(found, slot, statement)
    return found


def _formulas_of_parameters(formulas: list[ast.Formula], family: Family, diags: Diagnostics) -> list[ast.Formula]:
    """The formulas after the response's that name an auxiliary parameter of the family (`sigma ~ x`); each
    other one is an error."""
    declaration = FAMILIES[family]
    classes = [cls.value for cls in declaration.auxiliary_classes]
    kept = []
    for formula in formulas:
        name = formula.response.name
        written = name.text if isinstance(name, ast.Name) else None
        if written in classes:
            kept.append(formula)
            continue
        if classes:
            hint = f"a formula after it gives a parameter of the {family.value} family, {one_of(classes)}, predictors"
        else:
            hint = f"the {family.value} family has no parameter besides the mean to give a formula"
        diags.error(formula.span, "a second formula for the response; a spec has one", hint)
    return kept


def _distributional(formula: LoweredFormula, family: Family, diags: Diagnostics) -> tuple[ir.Distributional, ...]:
    """Each formula of an auxiliary parameter, at most one each, on the log scale for a positive parameter and
    the logit scale for a probability (brms's defaults)."""
    declaration = FAMILIES[family]
    response = formula.response
    found: dict[ParamClass, ir.Distributional] = {}
    for predictor in formula.distributional:
        name = predictor.name.text
        cls = ParamClass(name)
        if not declaration.auxiliary_per_row:
            diags.error(
                predictor.span,
                f"`{name}` of the {family.value} family cannot have a formula: the family's Stan density takes "
                f"one value of `{name}`",
                f"give `{name}` a prior instead: `prior {name} ~ ...`",
            )
            continue
        if cls in found:
            diags.error(predictor.span, f"a second formula for `{name}`", "combine them into one")
            continue
        if cls is ParamClass.SIGMA and response.se is not None:
            diags.error(predictor.span, "`sigma` is not a parameter here: the response has known standard errors")
            continue
        link = Link.LOGIT if PARAM_SUPPORT[cls] is Support.UNIT else Link.LOG
        found[cls] = ir.Distributional(
            cls, link, predictor.intercept, predictor.terms, predictor.offsets, written_at=predictor.span
        )
    return tuple(found[cls] for cls in declaration.auxiliary_classes if cls in found)


def _model_name(decl: ast.ModelDecl | None, default: str, diags: Diagnostics) -> str:
    if decl is None:
        return default
    problem = model_name_problem(decl.name.text)
    if problem:
        diags.error(decl.name.span, *problem)
    return decl.name.text


def _data_file(decl: ast.DataDecl | None, diags: Diagnostics) -> str | None:
    if decl is None:
        return None
    if not decl.path.value.strip():
        diags.error(decl.path.span, "the data file name is empty")
    return decl.path.value


def _family(decl: ast.FamilyDecl | None, diags: Diagnostics) -> tuple[Family, Link]:
    if decl is None:
        return Family.GAUSSIAN, FAMILIES[Family.GAUSSIAN].links[0]
    name = decl.name.text
    family = _FAMILIES.get(name)
    if family is None:
        alias = _FAMILY_ALIASES.get(name.lower())
        hint = f"did you mean `{alias.value}`?" if alias else did_you_mean(name, _FAMILIES)
        diags.error(decl.name.span, f"unknown family `{name}`", hint or f"the families are {all_of(_FAMILIES)}")
        return Family.GAUSSIAN, Link.IDENTITY
    links = FAMILIES[family].links
    link = links[0]
    for position, arg in enumerate(decl.args):
        if arg.name is not None and arg.name.text != "link":
            diags.error(
                arg.name.span,
                f"unknown family option `{arg.name.text}`",
                did_you_mean(arg.name.text, ["link"]) or "the only option is `link`",
            )
            continue
        if position > 0:
            diags.error(
                arg.span, "a family takes one option, its link", f"write `family {name}(link = {links[0].value})`"
            )
            continue
        if not isinstance(arg.value, ast.Name):
            diags.error(
                arg.value.span, "the link is a name such as `logit`", f"write `family {name}(link = {links[0].value})`"
            )
            continue
        given = _LINKS.get(arg.value.text)
        if given not in links:
            allowed = one_of([link.value for link in links])
            if given is None:
                hint = (
                    did_you_mean(arg.value.text, [link.value for link in links])
                    or f"the `{name}` family takes {allowed}"
                )
                diags.error(arg.value.span, f"unknown link `{arg.value.text}`", hint)
            else:
                diags.error(arg.value.span, f"the `{name}` family has no `{given.value}` link", f"it takes {allowed}")
            continue
        link = given
    return family, link


def _check_response_options(node: ast.Response, family: Family, diags: Diagnostics) -> None:
    info = FAMILIES[family]
    spans = {call.func.text: call.span for call in node.additions}
    if "se" in spans and not info.allows_se:
        allowed = one_of([f.value for f, i in FAMILIES.items() if i.allows_se])
        diags.error(
            spans["se"],
            f"known standard errors `se(...)` are not available for the `{family.value}` family",
            f"they work with the {allowed} family",
        )
    if "trials" in spans and not info.needs_trials:
        counted = one_of([f.value for f, declaration in FAMILIES.items() if declaration.needs_trials])
        diags.error(
            spans["trials"], f"`trials(...)` is for the {counted} family, not `{family.value}`", "add `family binomial`"
        )
    if "trunc" in spans and not info.censorable:
        truncatable = [f.value for f, i in FAMILIES.items() if i.censorable]
        diags.error(
            spans["trunc"],
            f"truncation `trunc(...)` is not available for the `{family.value}` family",
            f"it works with the {one_of(truncatable)} families",
        )
    if "cens" in spans and not info.censorable:
        censorable = [f.value for f, i in FAMILIES.items() if i.censorable]
        diags.error(
            spans["cens"],
            f"censoring `cens(...)` is not available for the `{family.value}` family",
            f"it works with the {one_of(censorable)} families",
        )
    misspelled_trials = any(did_you_mean(option, ["trials"]) for option in spans)  # has its own error
    if info.needs_trials and "trials" not in spans and not misspelled_trials:
        diags.error(
            node.span,
            f"the `{family.value}` family needs the number of trials: `{unparse_term(node.name)} | trials(n)`",
            "for 0/1 outcomes, use `family bernoulli`",
        )
    if isinstance(node.name, ast.Call):  # a transformed response
        if info.response.integer:
            diags.error(
                node.name.span,
                f"the response of a `{family.value}` model is {info.response}, which a transform would not keep",
                "model the column itself",
            )
        for option in ("cens", "trunc"):
            if option in spans:
                diags.error(
                    spans[option],
                    f"`{option}(...)` of a transformed response is not supported",
                    "transform the response and its bounds in the data",
                )


def _parameterize(
    blocks: tuple[PendingBlock, ...], decls: list[ast.ParamDecl], diags: Diagnostics
) -> tuple[ir.GroupBlock, ...]:
    default, default_decl = DEFAULT_PARAMETERIZATION, None
    chosen: dict[str, tuple[Parameterization, ast.ParamDecl]] = {}
    for decl in decls:
        value = _parameterization(decl.value, diags)
        if decl.group is None:
            if default_decl is not None:
                diags.error(
                    decl.span, "a second default `param = ...`", f"the first is on line {default_decl.span.line}"
                )
            elif value is not None:
                default, default_decl = value, decl
            continue
        for factor in lower_group_factor(decl.group, diags):
            label = find_group(factor, blocks, decl.group.span, diags)
            if label is None:
                continue
            if label in chosen:
                diags.error(
                    decl.span, f"a second `param({label})`", f"the first is on line {chosen[label][1].span.line}"
                )
            elif value is not None:
                chosen[label] = (value, decl)

    result = []
    for block in blocks:
        value, decl = chosen.get(block.factor.label, (default, default_decl))
        if value is Parameterization.ZEROSUM and block.correlated:
            span: Span | None = decl.value.span if decl else block.span
            label = block.factor.label
            diags.error(
                span,
                f"zerosum cannot be used for the correlated group term `{block.source_text}`",
                f"make its effects uncorrelated with `||`, or set `param({label}) = noncentered`",
            )
        result.append(
            ir.GroupBlock(
                block.factor,
                block.intercept,
                block.terms,
                block.correlated,
                value,
                written_at=block.span,
                param_at=decl.value.span if decl else None,
            )
        )
    return tuple(result)


def _parameterization(name: ast.Name, diags: Diagnostics) -> Parameterization | None:
    value = _PARAMETERIZATIONS.get(name.text)
    if value is None:
        if name.text in RESERVED_PARAMETERIZATIONS:
            diags.error(
                name.span,
                f"`{name.text}` is reserved for a future version of hierc",
                f"choose {one_of(_PARAMETERIZATIONS)}",
            )
        else:
            diags.error(
                name.span,
                f"unknown parameterization `{name.text}`",
                did_you_mean(name.text, _PARAMETERIZATIONS) or f"choose {one_of(_PARAMETERIZATIONS)}",
            )
    return value
