"""Every name hierc generates, handed out from one namespace per model.

A Stan posterior and a PyMC posterior line up variable by variable because
every backend takes its names from here:

    Intercept            intercept on centred predictors     b_Intercept  on the original scale
                         (an ordinal model's thresholds: dim `threshold`)
    b                    population-level coefficients (dim `coef`)
    sd_<g>               group-level sds of factor g (dim `<g>__coef`, scalar for one column)
    r_<g>                group-level effects (dims `<g>`, `<g>__coef`)
    cor_<g>              correlation matrix of a correlated block (dims `<g>__coef`, `<g>__coef2`)
    sigma, nu, phi       auxiliary parameters
    Intercept_sigma, b_sigma (dim `coef_sigma`), b_sigma_Intercept
                         an auxiliary parameter's formula (`sigma ~ x`), as the mean's

and so do the names a backend keeps to itself: data (`N_<g>`, `J_<g>`,
`Z_<g>`, `K_<term>`), statistics for default priors (`sd_Y`, `sd_Z_<g>`),
unrolled pieces (`sd_<g>__<coef>`), and the locals of generated scripts.

Labels become identifiers by `ident` (`a:b` is `a__b`, `log(x)` is
`log_x`), so names built from different labels can be spelled alike: a
grouping factor `Y` wants `sd_Y`, the name of sd(y); `(1 | a:b)` wants
`sd_a__b`, the name of the piece of coefficient `b` of factor `a`; `(1 | coef)`
wants the dim `coef`. `names(model)` therefore hands names out like a
compiler's symbol table: in a fixed order (names fixed by hierc, then the
outputs, then the rest), each gets its usual spelling unless that is already
taken, and else the first free `<spelling>__2`, `__3`, ... No two things
ever get one name, whatever the user calls their variables, and a model
whose names do not clash keeps the usual ones.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from hierc.errors import CompilerBug
from hierc.language import ir

INTERCEPT = ir.INTERCEPT
INTERCEPT_ORIGINAL = ir.INTERCEPT_ORIGINAL
B = "b"
OFFSET = "offsets"  # the data of a model's offsets, summed per row (`offset` is a Stan keyword)
WEIGHTS = "weights"  # the likelihood weights of `y | weights(w)`
CENSORED = "cens"  # the censoring code of each row of `y | cens(c)`
UPPER = "Y_upper"  # the upper bounds of interval-censored rows, `y | cens(c, y2)`
LB, UB = "lb", "ub"  # the bounds of a truncated response, `y | trunc(lb = L, ub = U)`
THRESHOLDS = "n_thresholds"  # an ordinal model's number of thresholds, K - 1 for K categories
THRESHOLD_DIM = "threshold"  # the dim of an ordinal model's thresholds `Intercept` and `b_Intercept`
COEF_DIM = "coef"  # the population-level design columns
OBS_DIM = "__obs__"  # the observations (Bambi's name too); `__` keeps it apart from user names

# Identifiers the generated code uses in every model: the data, parameters and locals of Stan
# programs, and the modules, helpers, arguments and locals of generated scripts.
FIXED = frozenset(
    {
        INTERCEPT, INTERCEPT_ORIGINAL, B, "sigma", "nu", "phi", "shape", "zi", "hu",
        "N", "Y", "X", "Xc", "K", "T", "se", "mu", "alpha", OFFSET, WEIGHTS, THRESHOLDS, CENSORED, UPPER, LB, UB,
        "ordinal", "Y_thresholds", "count_code", "rows_with_code", "below", "lb_below",
        "rows_observed", "rows_right", "rows_left", "rows_interval",
        "N_qr", "Y_qr", "X_qr", "intercept_qr", "SS_rest", "sum_log_se", "zero_sum_extend",
        "np", "pd", "pm", "pt", "sys", "az", "bmb", "json", "make_model", "build_model", "prepare", "fit",
        "inputs", "coords", "data", "frame", "model", "priors", "family", "idata", "names", "X_names",
        "eta", "shared", "theta", "cross", "quadratic", "squares", "ones", "W", "SS_yy", "SS_Wy", "SS_WW",
        "require_columns", "numeric", "whole_numbers", "center", "scale", "zscore", "column", "level_labels", "poly",
        "contrasts", "interaction", "design", "group_index", "group_labels", "categories",
        "sufficient_statistics", "column_sds", "count_zeros", "rows_where_zero", "likelihood",
        "ordered_logistic", "ordered_probit", "censored", "censoring", "upper_bounds", "truncated", "bounds",
    }
)  # fmt: skip
# Names a posterior or a PyMC model holds whatever the model, and ArviZ's dims: a dim may not be
# spelled like any variable (xarray would take the variable for its coordinate).
FIXED_VARIABLES = frozenset(
    {INTERCEPT, INTERCEPT_ORIGINAL, B, "sigma", "nu", "phi", "shape", "zi", "hu", "X", "se", OFFSET, WEIGHTS}
    | {COEF_DIM, OBS_DIM, THRESHOLD_DIM, "chain", "draw"}
)

# Statistics of the data for default priors and centring, by their usual names.
STATISTICS = ("mean_Y", "sd_Y", "mean_log_Y", "sd_log_Y", "mean_log_pos_Y", "sd_log_pos_Y", "means_X", "sd_X")


_OPERATOR_WORDS = {"+": "plus", "-": "minus", "*": "times", "/": "div", "^": "pow"}


def ident(label: str) -> str:
    """An identifier for a term or grouping-factor label: `log(distance):season` → `log_distance__season`."""
    parts = []
    for part in label.split(":"):
        part = re.sub(r"[-+*/^]", lambda op: f"_{_OPERATOR_WORDS[op.group()]}_", part)  # `I(x^2)` → `I_x_pow_2`
        part = re.sub(r"[^A-Za-z0-9_]+", "_", part).strip("_")
        while "__" in part:
            part = part.replace("__", "_")
        parts.append(part)
    return "__".join(parts)


@dataclass(frozen=True)
class GroupNames:
    """The names of one grouping factor's outputs, dims, data and script locals."""

    sd: str
    effects: str
    cor: str
    levels_dim: str
    coef_dim: str
    cor_dim: str  # the second axis of the correlation matrix
    N: str  # number of levels
    J: str  # level of each observation
    M: str  # number of columns of Z, when it depends on the data
    Z: str  # group-level design matrix
    J_qr: str  # level of each compressed row
    Z_qr: str  # Z's compressed rows
    sd_Z: str  # column sds of Z, for default priors
    levels: str  # the PyMC script's labels of the levels
    Z_names: str  # the PyMC script's names of Z's columns


@dataclass(frozen=True)
class BlockNames:
    """The names of a block of group-level effects: a whole factor, or one coefficient of it (unrolled)."""

    sd: str
    effects: str
    cor: str
    z: str  # standardised effects (noncentered)
    zs: str  # free values of zero-sum effects
    L: str  # Cholesky factor of the correlations (Stan)
    chol: str  # Cholesky factor of the covariance (PyMC)
    effects_matrix: str  # centered correlated effects as a matrix
    beta: str = ""  # centered around population coefficients: each level's coefficients


@dataclass(frozen=True)
class FormulaNames:
    """The names of a distributional formula's outputs, data and locals (`sigma ~ x`)."""

    intercept: str  # at the means of its predictors
    b: str
    b_intercept: str  # at predictors = 0
    coef_dim: str
    X: str
    X_names: str  # the PyMC script's names of X's columns
    Xc: str  # X with centred columns
    K: str  # number of columns of X, when it depends on the data
    means_X: str
    sd_X: str  # column sds of X, for default priors
    offsets: str
    value: str  # the parameter's value on each row


@dataclass(frozen=True)
class TermNames:
    b: str  # the term's coefficient in the unrolled encoding
    K: str  # its number of design columns, when it depends on the data
    x: str  # the PyMC script's columns of the term


class Names:
    """Every generated name of one model (`names(model)`).

    Two scopes: identifiers (of Stan programs and generated scripts, and the
    variables of posteriors and PyMC models), and dims, which must differ
    from each other and from every variable, but not from a script's locals.
    """

    def __init__(self, model: ir.Model):
        self._identifiers: set[str] = set(FIXED)
        self._dims: set[str] = set(FIXED_VARIABLES)
        self._columns: set[str] = set()  # columns a Bambi script adds to the data
        self.groups: dict[str, GroupNames] = {}
        self.blocks: dict[tuple[str, str | None], BlockNames] = {}
        self.terms: dict[str, TermNames] = {}
        self.formulas: dict[str, FormulaNames] = {}
        self.bambi_columns: dict[str, str] = {}
        variable, identifier, dim = self._variable, self._identifier, self._dim
        outputs = {}
        for block in model.groups:
            g = ident(block.factor.label)
            coef = dim(f"{g}__coef")
            outputs[block.factor.label] = dict(
                sd=variable(f"sd_{g}"),
                effects=variable(f"r_{g}"),
                cor=variable(f"cor_{g}"),
                levels_dim=dim(g),
                coef_dim=coef,
                cor_dim=dim(f"{coef}2"),
            )
        formula_outputs = {
            f.label: dict(
                intercept=variable(f"Intercept_{f.label}"),
                b=variable(f"b_{f.label}"),
                b_intercept=variable(f"b_{f.label}_Intercept"),
                coef_dim=dim(f"coef_{f.label}"),
            )
            for f in model.distributional
        }
        dpar_terms = [t for f in model.distributional for t in f.terms]
        for term in [*model.terms, *(t for block in model.groups for t in block.terms), *dpar_terms]:
            if term.label not in self.terms:
                t = ident(term.label)
                width = f"K_{t}"  # `layout` spells it so too: no other name starts with `K_`
                if width in self._identifiers:
                    raise CompilerBug(f"two terms are named {t}")
                self.terms[term.label] = TermNames(variable(f"b_{t}"), identifier(width), identifier(f"x_{t}"))
        self.statistics = {usual: identifier(usual) for usual in STATISTICS}
        for f in model.distributional:
            self.formulas[f.label] = FormulaNames(
                **formula_outputs[f.label],
                X=variable(f"X_{f.label}"),
                X_names=identifier(f"X_{f.label}_names"),
                Xc=identifier(f"Xc_{f.label}"),
                K=identifier(f"K_{f.label}"),
                means_X=identifier(f"means_X_{f.label}"),
                sd_X=identifier(f"sd_X_{f.label}"),
                offsets=variable(f"offsets_{f.label}"),
                value=f.label,  # fixed: no parameter has its name when a formula gives its values
            )
        for block in model.groups:
            label, g = block.factor.label, ident(block.factor.label)
            group = GroupNames(
                **outputs[label],
                N=identifier(f"N_{g}"),
                J=variable(f"J_{g}"),
                M=identifier(f"M_{g}"),
                Z=variable(f"Z_{g}"),
                J_qr=identifier(f"J_{g}_qr"),
                Z_qr=identifier(f"Z_{g}_qr"),
                sd_Z=identifier(f"sd_Z_{g}"),
                levels=identifier(f"{g}_levels"),
                Z_names=identifier(f"Z_{g}_names"),
            )
            self.groups[label] = group
            self.blocks[(label, None)] = BlockNames(
                group.sd,
                group.effects,
                group.cor,
                z=variable(f"z_{g}"),
                zs=variable(f"zs_{g}"),
                L=variable(f"L_{g}"),
                chol=variable(f"chol_{g}"),
                effects_matrix=identifier(f"r_{g}_matrix"),
                beta=variable(f"beta_{g}"),
            )
        for block in model.groups:  # the pieces of the unrolled encoding, whether or not it is used
            label, g = block.factor.label, ident(block.factor.label)
            if block.correlated or len(block.coefficients) == 1:
                continue
            for coefficient in block.coefficients:
                piece = f"{g}__{ident(coefficient)}"
                sd, effects, z, zs, beta = (variable(f"{kind}_{piece}") for kind in ("sd", "r", "z", "zs", "beta"))
                self.blocks[(label, coefficient)] = BlockNames(sd, effects, "", z, zs, "", "", "", beta)
        read = {v for term in [*model.terms, *(t for b in model.groups for t in b.terms)] for v in term.variables}
        for block in model.groups:
            self.bambi_columns[block.factor.label] = self._bambi_column(block, read)
        # the observed variable of a PyMC model and of the per-row groups of a posterior (`log_likelihood`,
        # `posterior_predictive`, `observed_data`): the response's own name unless a generated name has it;
        # allocated last, so that no other name depends on it
        response = model.response
        self.response = variable(ident(response.label) if response.transforms else response.variable)

    @staticmethod
    def _fresh(name: str, *taken: set[str]) -> str:
        """`name`, or the first of `name__2`, `name__3`, ... that none of the sets holds; added to the first."""
        fresh, k = name, 1
        while any(fresh in names for names in taken):
            k += 1
            fresh = f"{name}__{k}"
        taken[0].add(fresh)
        return fresh

    def _identifier(self, name: str) -> str:
        return self._fresh(name, self._identifiers)

    def _variable(self, name: str) -> str:
        """An identifier that is also a variable of a posterior or a PyMC model."""
        fresh = self._fresh(name, self._identifiers, self._dims)
        self._dims.add(fresh)
        return fresh

    def _dim(self, name: str) -> str:
        return self._fresh(name, self._dims)

    def _bambi_column(self, block: ir.GroupBlock, read: set[str]) -> str:
        """The data column of a grouping factor's labels in a Bambi script: the variable itself, a new
        column `a__b` for `a:b`, or `g__levels` when a term of the formula also reads `g` (in `read`)."""
        variables = block.factor.variables
        if len(variables) == 1:
            if variables[0] not in read:
                return variables[0]  # the user's column; the columns the script adds hold `__`
            return self._fresh(f"{variables[0]}__levels", self._columns)
        return self._fresh(ident(block.factor.label), self._columns)

    def group(self, label: str) -> GroupNames:
        return self.groups[label]

    def block(self, label: str, coefficient: str | None = None) -> BlockNames:
        """A whole factor's block (`coefficient` None) or the piece of one coefficient."""
        return self.blocks[(label, coefficient)]

    def term(self, label: str) -> TermNames:
        return self.terms[label]

    def formula(self, dpar: str) -> FormulaNames:
        """The names of the formula of an auxiliary parameter (`sigma`)."""
        return self.formulas[dpar]

    def statistic(self, usual: str) -> str:
        """The name of a statistic of the data, by its usual name (`sd_Y`)."""
        return self.statistics[usual]


_NAMES: dict[int, tuple[weakref.ref, Names]] = {}  # by the model's identity: hashing a large model is slow


def names(model: ir.Model) -> Names:
    """Every generated name of a model; the same for every backend, from the model alone."""
    known = _NAMES.get(id(model))
    if known is not None and known[0]() is model:
        return known[1]
    key = id(model)
    result = Names(model)
    _NAMES[key] = (weakref.ref(model, lambda _: _NAMES.pop(key, None)), result)
    return result


def sd(model: ir.Model, group: str) -> str:
    return names(model).group(group).sd


def effects(model: ir.Model, group: str) -> str:
    return names(model).group(group).effects


def cor(model: ir.Model, group: str) -> str:
    return names(model).group(group).cor


def b_term(model: ir.Model, term: str) -> str:
    """The unrolled encoding's coefficient of one population-level term."""
    return names(model).term(term).b
