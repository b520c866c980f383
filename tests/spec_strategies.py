"""Hypothesis strategies: valid specs across the whole language, for tests/test_properties.py.

Specs are valid by construction, not by filtering: each variable has one form per spec (numeric,
transformed or categorical), terms are kept only while their expansion repeats no term, every
grouping factor appears once, and priors and parameterizations address only what the model has.
Transforms and arithmetic keep `tests/fake_data.py`'s values (positive, in [0.5, 3]) in their domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from hypothesis import strategies as st

from hierc.families import FAMILIES
from hierc.language.vocabulary import PARAM_SUPPORT, Family, Parameterization, Support

NUMERIC = ("x", "z", "w")
CATEGORICAL = ("c", "d")
GROUPING = ("g", "h", "k")
INNER = ("log", "log1p", "sqrt", "exp")  # positive stays positive
OUTER = ("center", "scale")
ARITHMETIC = (
    "I({v}^2)",
    "I(-{v} * 2 + 1)",
    "I(({form} + 1) / 2^{v})",
    "poly({form}, 2)",
    "bs({form}, 3, degree = 2)",
    "I(scale({v}^-1))",
)

REAL_PRIORS = (
    "normal(0, 2.5)",
    "normal(mu = 1, sigma = 3)",
    "student_t(3, 0, 2)",
    "cauchy(0, 1)",
    "normal(-0.5, .5)",
    "flat",
)
BOUNDED_REAL = ("normal(0, 1) T[0, ]", "student_t(3, 0, 2) T[-1, 4]", "cauchy(0, 1) T[, 2.5]", "uniform(-3, 3)")
POSITIVE_PRIORS = (
    "halfnormal(2)",
    "halfcauchy(1)",
    "halfstudent_t(3, 1.5)",
    "exponential(1)",
    "gamma(2, 0.5)",
    "gamma(mu = 2, sigma = 1)",
    "inv_gamma(2, 1)",
    "lognormal(0, 1)",
    "flat()",
    "halfnormal(1) T[, 3]",
    "gamma(2, 1) T[0.5, ]",
    "uniform(0, 5)",
)
# a correlated block's sds: proper, on all positive numbers
PROPER_POSITIVE = tuple(p for p in POSITIVE_PRIORS if not p.startswith(("flat", "uniform")) and " T[" not in p)
CORRELATION_PRIORS = ("lkj(2)", "lkj(eta = 1)", "lkj(4.5)")
UNIT_PRIORS = ("beta(1, 1)", "beta(2, 5)", "beta(alpha = 0.5, beta = 0.5)", "uniform(0, 0.5)", "beta(2, 2) T[, 0.6]")
PRIORS_ON = {Support.REAL: REAL_PRIORS, Support.POSITIVE: POSITIVE_PRIORS, Support.UNIT: UNIT_PRIORS}


@dataclass
class _Formula:
    """Terms written so far, with the set of variables of every term they expand to."""

    forms: dict[str, str]
    written: list[str] = field(default_factory=list)
    expanded: set[frozenset[str]] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)  # prior-target labels of the written `:` terms

    def add(self, groups: list[list[str]]) -> None:
        """A product of `:` groups, e.g. [[a], [b, c]] for `a*b:c`; dropped if it would repeat a term."""
        expansion = {
            frozenset(v for group in subset for v in group)
            for k in range(1, len(groups) + 1)
            for subset in combinations(groups, k)
        }
        if expansion & self.expanded:
            return
        self.expanded |= expansion
        self.written.append("*".join(":".join(self.forms[v] for v in group) for group in groups))
        if len(groups) == 1:
            self.labels.append(":".join(_label(self.forms[v], v) for v in groups[0]))


def _label(form: str, variable: str) -> str:
    return variable if form.startswith("C(") else form


@st.composite
def _forms(draw) -> dict[str, str]:
    forms = {}
    for v in NUMERIC:
        inner = draw(st.sampled_from(("", *INNER)))
        outer = draw(st.sampled_from(("", "", *OUTER)))
        form = f"{inner}({v})" if inner else v
        forms[v] = f"{outer}({form})" if outer else form
        if draw(st.integers(0, 3)) == 0:  # arithmetic or polynomials, written as hierc writes them back
            forms[v] = draw(st.sampled_from(ARITHMETIC)).format(v=v, form=form)
    for v in CATEGORICAL:
        forms[v] = draw(st.sampled_from((f"C({v})", f'C({v}, ref = "b")', f"C({v}, ref = c)", f"C({v}, ref='a')")))
    return forms


@st.composite
def _terms(draw, formula: _Formula, most: int) -> None:
    variables = NUMERIC + CATEGORICAL
    for _ in range(draw(st.integers(0, most))):
        chosen = draw(st.lists(st.sampled_from(variables), min_size=1, max_size=3, unique=True))
        cuts = draw(st.sets(st.integers(1, len(chosen) - 1))) if len(chosen) > 1 else set()
        bounds = [0, *sorted(cuts), len(chosen)]
        formula.add([chosen[a:b] for a, b in zip(bounds, bounds[1:], strict=False)])


_INTERCEPT = {"": True, "1 + ": True, "0 + ": False, "-1 + ": False}


@st.composite
def specs(draw) -> str:
    """The text of a valid spec."""
    family = draw(st.sampled_from(sorted(FAMILIES)))
    declaration = FAMILIES[family]
    link = draw(st.sampled_from(declaration.links))
    forms = draw(_forms())

    response = "y"
    has_sigma_replaced = False
    if declaration.needs_trials:
        response += draw(st.sampled_from((" | trials(n)", " | trials(12)")))
    elif declaration.allows_se and draw(st.booleans()):
        response += " | se(s)"
        has_sigma_replaced = True
    if draw(st.integers(0, 3)) == 0:
        response += (" + " if "|" in response else " | ") + "weights(w)"

    population = _Formula(forms)
    draw(_terms(population, 3))
    # an ordinal family's thresholds take the intercept's place: it cannot be removed
    starts = [s for s in sorted(_INTERCEPT) if _INTERCEPT[s] or not declaration.thresholds]
    start = draw(st.sampled_from(starts))
    has_intercept = _INTERCEPT[start]
    trailing = ""
    if has_intercept and start == "" and population.written and not declaration.thresholds and draw(st.booleans()):
        trailing, has_intercept = " - 1", False

    blocks = []  # (factor as written, grouping factors it makes, correlated with 2+ terms, coefficient labels)
    taken: set[frozenset[str]] = set()
    for _ in range(draw(st.integers(0, 3))):
        variables = draw(st.lists(st.sampled_from(GROUPING), min_size=1, max_size=2, unique=True))
        nested = len(variables) == 2 and draw(st.booleans())
        factors = [frozenset(variables[:1]), frozenset(variables)] if nested else [frozenset(variables)]
        if any(f in taken for f in factors):
            continue
        inner = _Formula(forms)
        draw(_terms(inner, 2))
        block_start = draw(st.sampled_from(sorted(_INTERCEPT)))
        if not inner.written and not _INTERCEPT[block_start]:
            block_start = "1 + "
        coefficients = (["Intercept"] if _INTERCEPT[block_start] else []) + inner.labels
        n_terms = len(inner.expanded) + _INTERCEPT[block_start]  # `a*b` is three terms
        body = (block_start + " + ".join(inner.written)).removesuffix(" + ") or "1"
        correlated = draw(st.booleans())
        written = ("/" if nested else ":").join(variables)
        blocks.append((written, factors, correlated and n_terms >= 2, coefficients))
        taken.update(factors)
        population.written.append(f"({body} {'|' if correlated else '||'} {written})")

    if not has_intercept and not population.written:  # `y ~ 0` has no term at all: an error
        start, has_intercept = "", True
    rhs = (start + " + ".join(population.written)).removesuffix(" + ") or "1"
    lines = [f"{response} ~ {rhs}{trailing}"]
    if draw(st.booleans()):
        lines.insert(0, f"model m{draw(st.integers(0, 99))}  # the model's name")
    if family.value != "gaussian" or link is not declaration.links[0] or draw(st.booleans()):
        implicit = link is declaration.links[0] and draw(st.booleans())  # the default link, not written
        lines.append(f"family {family.value}" + ("" if implicit else f"(link = {link.value})"))

    # priors: a subset of the targets this model has
    targets: list[tuple[str, tuple[str, ...]]] = []
    has_terms = any(not t.startswith("(") for t in population.written)
    if has_intercept:  # the ordered thresholds take no bounds
        targets.append(("Intercept", REAL_PRIORS + (() if family is Family.CUMULATIVE else BOUNDED_REAL)))
    if has_terms:
        targets.append(("b", REAL_PRIORS + BOUNDED_REAL))
        targets += [(f"b[{label}]", REAL_PRIORS + BOUNDED_REAL) for label in population.labels]
    if blocks:
        targets.append(("sd", PROPER_POSITIVE if any(b[2] for b in blocks) else POSITIVE_PRIORS))
    for written, factors, correlated, coefficients in blocks:
        names = [":".join(sorted(f, key=written.replace("/", ":").split(":").index)) for f in factors]
        sd_priors = PROPER_POSITIVE if correlated else POSITIVE_PRIORS
        for name in names:
            targets.append((f"sd({name})", sd_priors))
            targets += [(f"sd({name})[{c}]", sd_priors) for c in coefficients]
            if correlated:
                targets.append((f"cor({name})", CORRELATION_PRIORS))
    if any(b[2] for b in blocks):
        targets.append(("cor", CORRELATION_PRIORS))
    # a formula for one auxiliary parameter (`sigma ~ ...`), after the response's: its coefficients take
    # the parameter's priors
    free = [a.cls.value for a in declaration.auxiliary if not (has_sigma_replaced and a.cls.value == "sigma")]
    distributional, parameter = None, None
    if free and declaration.auxiliary_per_row and draw(st.integers(0, 2)) == 0:
        parameter = draw(st.sampled_from(free))
        own = _Formula(forms)
        draw(_terms(own, 2))
        own_start = draw(st.sampled_from(sorted(_INTERCEPT))) if own.written else "1 + "
        distributional = f"{parameter} ~ " + ((own_start + " + ".join(own.written)).removesuffix(" + ") or "1")
        if _INTERCEPT[own_start]:
            targets.append((f"Intercept({parameter})", REAL_PRIORS + BOUNDED_REAL))
        if own.written:
            targets.append((f"b({parameter})", REAL_PRIORS + BOUNDED_REAL))
            targets += [(f"b({parameter})[{label}]", REAL_PRIORS + BOUNDED_REAL) for label in own.labels]
    for auxiliary in declaration.auxiliary:
        if auxiliary.cls.value in free and auxiliary.cls.value != parameter:
            targets.append((auxiliary.cls.value, PRIORS_ON[PARAM_SUPPORT[auxiliary.cls]]))
    chosen = draw(st.lists(st.sampled_from(targets), unique_by=lambda t: t[0], max_size=4)) if targets else []
    for target, choices in chosen:
        lines.append(f"prior {target} ~ {draw(st.sampled_from(choices))}")

    # parameterizations: zerosum only where the block is not correlated
    values = [p.value for p in Parameterization]
    if blocks and draw(st.booleans()):
        allowed = [v for v in values if v != "zerosum" or not any(b[2] for b in blocks)]
        lines.append(f"param = {draw(st.sampled_from(allowed))}")
    for written, _, correlated, _ in blocks:
        if draw(st.integers(0, 2)) == 0:
            allowed = [v for v in values if v != "zerosum" or not correlated]
            lines.append(f"param({written}) = {draw(st.sampled_from(allowed))}")

    order = draw(st.permutations(range(len(lines))))
    lines = [lines[i] for i in order] + ([distributional] if distributional else [])
    return "\n".join(lines) + "\n"
