"""A readable summary of a model's IR, printed by `hierc check`."""

from __future__ import annotations

import json
from collections.abc import Mapping

from hierc.errors import CompilerBug
from hierc.language import ir
from hierc.language.vocabulary import DISTRIBUTIONS, Stat


def number(value: float) -> str:
    return format(value, ".15g")


def scaled_text(value: ir.DataScaled, names: Mapping[Stat, str | None], divide: str = "/") -> str:
    """`factor * numerator / denominator`, each statistic spelled as `names` says (in a summary or in code)."""
    for stat in (value.numerator, value.denominator):
        if stat is not None and names.get(stat) is None:
            raise CompilerBug(f"no name for {stat}")
    if value.numerator is None:
        text = number(value.factor)
    elif value.factor == 1:
        text = names[value.numerator]
    else:
        text = f"{number(value.factor)} * {names[value.numerator]}"
    if value.denominator is not None:
        text = f"{text} {divide} {names[value.denominator]}"
    return text


def prior_value(value: ir.PriorValue, model: ir.Model, coefficient: str | None) -> str:
    """`2.5 * sd(y) / sd(x)` with the model's own names for y and x."""
    if not isinstance(value, ir.DataScaled):
        return number(value)
    names = {
        Stat.RESPONSE_MEAN: f"mean({model.response.label})",
        Stat.RESPONSE_SD: f"sd({model.response.label})",
        Stat.LOG_RESPONSE_MEAN: f"mean(log({model.response.label}))",
        Stat.LOG_RESPONSE_SD: f"sd(log({model.response.label}))",
        Stat.LOG_POSITIVE_MEAN: f"mean(log({model.response.label}[{model.response.label} > 0]))",
        Stat.LOG_POSITIVE_SD: f"sd(log({model.response.label}[{model.response.label} > 0]))",
        Stat.PREDICTOR_SD: f"sd({coefficient})",
    }
    return scaled_text(value, names)


def prior_text(prior: ir.Prior, model: ir.Model) -> str:
    if not prior.args:  # `flat`
        return prior.distribution.value
    args = ", ".join(prior_value(v, model, prior.target.coefficient) for _, v in prior.args)
    return f"{prior.distribution.value}({args})" + truncation_text(prior.truncation)


def truncation_text(bounds: tuple[float | None, float | None]) -> str:
    """` T[0, ]` for a truncated prior; nothing where it is not."""
    if bounds == (None, None):
        return ""
    lower, upper = ("" if b is None else number(b) for b in bounds)
    return f" T[{lower}, {upper}]"


def string_literal(text: str) -> str:
    """A user's string as a double-quoted literal with every quote, backslash and control or line-breaking
    character escaped: safe on one line of a comment or docstring of any generated code."""
    literal = json.dumps(text, ensure_ascii=False)
    return literal.translate({c: f"\\u{c:04x}" for c in (0x85, 0x2028, 0x2029)})


def factor_text(factor: ir.Factor) -> str:
    if isinstance(factor, ir.Categorical):
        return (
            f"C({factor.variable}, ref = {string_literal(factor.reference)})"
            if factor.reference
            else f"C({factor.variable})"
        )
    return factor.label


def term_text(term: ir.Term) -> str:
    return ":".join(factor_text(f) for f in term.factors)


def group_block_text(block: ir.GroupBlock) -> str:
    parts = ["1" if block.intercept else "0"] + [term_text(t) for t in block.terms]
    bar = "||" if len(parts) > 1 and not block.correlated else "|"
    return f"({' + '.join(parts)} {bar} {block.factor.label})"


def response_text(response: ir.Response) -> str:
    options = []
    if response.se is not None:
        options.append(f"se({response.se})")
    if response.trials is not None:
        options.append(f"trials({response.trials})")
    if response.weights is not None:
        options.append(f"weights({response.weights})")
    if response.censored is not None:
        options.append(f"cens({', '.join(filter(None, (response.censored, response.upper)))})")
    if response.truncated:
        bounds = [(k, v) for k, v in (("lb", response.lb), ("ub", response.ub)) if v is not None]
        options.append(f"trunc({', '.join(f'{k} = {number(v) if isinstance(v, float) else v}' for k, v in bounds)})")
    return response.label + (" | " + " + ".join(options) if options else "")


def formula_text(model: ir.Model) -> str:
    """The model's formula as resolved: `log_radon ~ 1 + floor + (1 + floor | county)`."""
    parts = ["1" if model.intercept or model.thresholds else "0"] + [term_text(t) for t in model.terms]
    parts += [f"offset({offset.label})" for offset in model.offsets]
    parts += [group_block_text(b) for b in model.groups]
    texts = [f"{response_text(model.response)} ~ {' + '.join(parts)}"]
    return "; ".join(texts + [distributional_text(f) for f in model.distributional])


def distributional_text(formula: ir.Distributional) -> str:
    """`sigma ~ 1 + x`, a distributional formula as resolved."""
    parts = ["1" if formula.intercept else "0"] + [term_text(t) for t in formula.terms]
    parts += [f"offset({offset.label})" for offset in formula.offsets]
    return f"{formula.label} ~ {' + '.join(parts)}"


def summarize(model: ir.Model, source_name: str | None = None) -> str:
    lines = [f"model {model.name}" + (f"  ({source_name})" if source_name else "")]
    if model.data_file is not None:
        lines.append(f"  data      {model.data_file}")
    lines.append(f"  response  {response_text(model.response)}")
    lines.append(f"  family    {model.family.value}, link {model.link.value}")

    lines += ["", "population-level terms"]
    if model.intercept:
        lines.append("  Intercept")
    if model.thresholds:
        lines.append("  Intercept  (the K - 1 ordered thresholds between the K categories of the response)")
    for term in model.terms:
        kinds = [
            f"{f.variable}: categorical, reference {'level ' + repr(f.reference) if f.reference else 'the first level'}"
            for f in term.factors
            if isinstance(f, ir.Categorical)
        ]
        lines.append(f"  {term_text(term)}" + (f"  ({'; '.join(kinds)})" if kinds else ""))
    for offset in model.offsets:
        lines.append(f"  offset({offset.label})  (coefficient 1)")
    if not model.intercept and not model.terms and not model.offsets:
        lines.append("  (none)")

    if model.groups:
        lines += ["", "group-level terms"]
    for block in model.groups:
        if block.correlated:
            structure = "correlated (LKJ prior on a Cholesky factor)"
        else:
            structure = "uncorrelated" if len(block.coefficients) > 1 else "one coefficient, no correlation"
        lines += [
            f"  {block.factor.label}  {group_block_text(block)}",
            f"    coefficients      {', '.join(block.coefficients)}",
            f"    structure         {structure}",
            f"    parameterization  {block.parameterization.value}",
        ]

    for formula in model.distributional:
        lines += ["", f"formula of {formula.label}, link {formula.link.value}"]
        lines.append(f"  {distributional_text(formula)}")
        if formula.centred:
            lines.append("  (its Intercept at the means of its predictors)")

    lines += ["", "priors"]
    width = max(len(p.on) for p in model.priors)
    texts = [prior_text(p, model) for p in model.priors]
    text_width = max(len(t) for t in texts)
    for prior, text in zip(model.priors, texts, strict=True):
        if prior.source is ir.PriorSource.EXPLICIT:
            where = f" (line {prior.declared_at.line})" if prior.declared_at else ""
            origin = f"explicit: prior {prior.declared_as}{where}"
        else:
            origin = "default"
        if not DISTRIBUTIONS[prior.distribution].proper:
            origin += "; improper (the data must identify it)"
        lines.append(f"  {prior.on:<{width}}  ~ {text:<{text_width}}  {origin}")
    return "\n".join(lines) + "\n"
