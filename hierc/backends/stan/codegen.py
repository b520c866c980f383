"""Lower a model's IR to a Stan program, from the spec alone (the data come later).

The program reads like one written by hand: every block and variable has a
comment, the linear predictor is built with multiple indexing and
`rows_dot_product` (never a loop over observations), and the GLM functions
are used where family and link allow. Sizes that depend on the data (the
number of levels, the columns of a categorical term) are data variables.

With `suffstats`, a gaussian likelihood with identity link reads the rows
compressed per level (`hierc/data/suffstats.py`): at most one row per distinct
predictor column and level, with the same sum of squares. hierc computes them
when it binds the data; the likelihood is the row-by-row one on the compressed
rows, plus the constants that make it the density of all the rows.

Two encodings, one model:
- vectorized: `vector[K] b`, one sd vector and one effects matrix per
  grouping factor;
- unrolled: one parameter per population-level term, and per coefficient of
  an uncorrelated group block; generated quantities reassemble `b`, `sd_<g>`
  and `r_<g>` so that both encodings give the same output names. A
  correlated block is one joint distribution, so it is the same in both.

A distributional formula (`sigma ~ x`) is the same in both encodings: its
coefficients are one vector, and the parameter's value on every row one
vector computed before the likelihood, which the family's template reads as
it reads a single value.
"""

from __future__ import annotations

import math

from hierc import naming
from hierc.backends.group_blocks import Block, by_factor, group_blocks, grouped_columns, runs, span
from hierc.data.layout import Columns, Size, layout, width_name
from hierc.data.suffstats import predictors
from hierc.families import FAMILIES, ResponseKind
from hierc.language import ir
from hierc.language.priors import auxiliary_parameters
from hierc.language.summary import formula_text, number, scaled_text, truncation_text
from hierc.language.vocabulary import (
    Dist,
    Encoding,
    Link,
    ParamClass,
    Parameterization,
    Stat,
)

_COMMENT_COLUMN_MAX = 60

# Stan's name and arguments for each prior; `0` is the location of a half distribution.
_STAN_DIST: dict[Dist, tuple[str, tuple[str, ...]]] = {
    Dist.NORMAL: ("normal", ("mu", "sigma")),
    Dist.STUDENT_T: ("student_t", ("nu", "mu", "sigma")),
    Dist.CAUCHY: ("cauchy", ("mu", "sigma")),
    Dist.HALFNORMAL: ("normal", ("0", "sigma")),
    Dist.HALFCAUCHY: ("cauchy", ("0", "sigma")),
    Dist.HALFSTUDENT_T: ("student_t", ("nu", "0", "sigma")),
    Dist.EXPONENTIAL: ("exponential", ("rate",)),
    Dist.GAMMA: ("gamma", ("alpha", "beta")),
    Dist.INV_GAMMA: ("inv_gamma", ("alpha", "beta")),
    Dist.LOGNORMAL: ("lognormal", ("mu", "sigma")),
    Dist.BETA: ("beta", ("alpha", "beta")),
    Dist.LKJ: ("lkj_corr_cholesky", ("eta",)),
    Dist.UNIFORM: ("uniform", ("lower", "upper")),
}


def _bounds(limits: tuple[float, float]) -> str:
    """A declaration's bounds, `<lower=0>`, from a parameter's range (nothing where it is all real numbers)."""
    pairs = zip(("lower", "upper"), limits, strict=True)
    sides = [f"{side}={number(value)}" for side, value in pairs if math.isfinite(value)]
    return f"<{', '.join(sides)}>" if sides else ""


_INVERSE_LINK = {
    Link.IDENTITY: "{}",
    Link.LOG: "exp({})",
    Link.LOGIT: "inv_logit({})",
    Link.PROBIT: "Phi({})",
    Link.CLOGLOG: "inv_cloglog({})",
}

# How the program declares a response, by the values it takes.
_RESPONSE_TYPE = {
    ResponseKind.REAL: "vector[N]",
    ResponseKind.POSITIVE: "vector<lower=0>[N]",
    ResponseKind.NONNEGATIVE: "vector<lower=0>[N]",
    ResponseKind.UNIT: "vector<lower=0, upper=1>[N]",
    ResponseKind.BINARY: "array[N] int<lower=0, upper=1>",
    ResponseKind.COUNT: "array[N] int<lower=0>",
    ResponseKind.ORDINAL: f"array[N] int<lower=1, upper={naming.THRESHOLDS} + 1>",
}

_POSITIVE_Y = "Y[rows_where_zero(Y, 0, N - count_zeros(Y))]"

# Statistics of the response for default priors: the program's name, how it computes it, what it is.
_STATISTICS = {
    Stat.RESPONSE_MEAN: ("mean_Y", "mean(Y)", "mean of Y"),
    Stat.RESPONSE_SD: ("sd_Y", "sd(Y)", "sd of Y"),
    Stat.LOG_RESPONSE_MEAN: ("mean_log_Y", "mean(log(Y))", "mean of log(Y)"),
    Stat.LOG_RESPONSE_SD: ("sd_log_Y", "sd(log(Y))", "sd of log(Y)"),
    # over the positive values of Y, which a function of the hurdle families finds
    Stat.LOG_POSITIVE_MEAN: ("mean_log_pos_Y", f"mean(log({_POSITIVE_Y}))", "mean of log(Y) where Y > 0"),
    Stat.LOG_POSITIVE_SD: ("sd_log_pos_Y", f"sd(log({_POSITIVE_Y}))", "sd of log(Y) where Y > 0"),
}

CENSORING_FUNCTIONS = """\
  // the number of rows whose censoring code is `code`
  int count_code(array[] int codes, int code) {
    int n = 0;
    for (i in 1:size(codes)) {
      n += codes[i] == code;
    }
    return n;
  }
  // the rows whose censoring code is `code`, in order
  array[] int rows_with_code(array[] int codes, int code) {
    int n = count_code(codes, code);
    array[n] int rows = rep_array(0, n);
    int j = 1;
    for (i in 1:size(codes)) {
      if (codes[i] == code) {
        rows[j] = i;
        j += 1;
      }
    }
    return rows;
  }"""

# The rows of each censoring code, and the term of the log density each kind of row adds (brms's `cens`).
_CENSORED_ROWS = (
    (0, "rows_observed", "{density}", "observed: the density"),
    (1, "rows_right", "lccdf", "right-censored (the value is above Y): the log complementary cdf"),
    (-1, "rows_left", "lcdf", "left-censored (the value is at most Y): the log cdf"),
)

ZERO_SUM_FUNCTIONS = {
    "vector": """\
  // N - 1 free values -> N values that sum to zero. The map is an isometry
  // (a Householder reflection), the one PyMC's ZeroSumNormal uses, so free
  // values ~ normal(0, s) give exactly ZeroSumNormal(s) over the N values.
  vector zero_sum_extend(vector free) {
    int n = rows(free) + 1;
    real total = sum(free);
    real shift = total / (sqrt(n) + n);
    return append_row(free, shift - total / sqrt(n)) - shift;
  }""",
    "matrix": """\
  // N - 1 free rows -> N rows, each column summing to zero over the rows
  // (levels), by the same isometry as for a vector.
  matrix zero_sum_extend(matrix free) {
    int n = rows(free) + 1;
    row_vector[cols(free)] total = rep_row_vector(1, rows(free)) * free;
    row_vector[cols(free)] shift = total / (sqrt(n) + n);
    return append_row(free, shift - total / sqrt(n)) - rep_matrix(shift, n);
  }""",
}


class _Lines:
    """Lines of one program block, with end-of-line comments aligned."""

    def __init__(self) -> None:
        self.items: list[tuple[str | _Lines, str | None]] = []

    def add(self, code: str, comment: str | None = None) -> None:
        self.items.append((code, comment))

    def note(self, comment: str) -> None:
        self.items.append(("", comment))

    def nest(self, opening: str, body: _Lines) -> None:
        """`opening {`, the body indented one step, `}`."""
        self.add(f"{opening} {{".lstrip())
        self.items.append((body, None))
        self.add("}")

    def render(self, indent: str = "  ") -> list[str]:
        commented = [c for c, note in self.items if isinstance(c, str) and c and note]
        widths = [len(c) for c in commented if len(c) <= _COMMENT_COLUMN_MAX]
        column = max(widths, default=0)
        lines = []
        for code, note in self.items:
            if isinstance(code, _Lines):
                lines += code.render(indent + "  ")
            elif not code:
                lines.append(f"{indent}// {note}" if note else "")
            elif note and len(code) > _COMMENT_COLUMN_MAX:
                lines += [f"{indent}// {note}", *_wrap(code, indent)]
            elif note:
                lines.append(f"{indent}{code:<{column}}  // {note}")
            else:
                lines += _wrap(code, indent)
        return lines


def _wrap(code: str, indent: str, limit: int = 100) -> list[str]:
    """A long sum broken before its top-level `+`s, continuation lines indented."""
    if len(indent) + len(code) <= limit:
        return [indent + code]
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(code):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if depth == 0 and code.startswith(" + ", i):
            pieces.append(code[start:i])
            start = i + 1
    pieces.append(code[start:])
    lines, current = [], pieces[0]
    for piece in pieces[1:]:
        if len(indent) + len(current) + len(piece) + 1 > limit:
            lines.append(current)
            current = "    " + piece
        else:
            current += " " + piece
    return [indent + line for line in lines + [current]]


def stan_program(model: ir.Model, encoding: Encoding = Encoding.VECTORIZED, suffstats: bool = False) -> str:
    """The Stan program of a model, as text; with `suffstats`, its likelihood reads sufficient statistics."""
    return _Program(model, Encoding(encoding), suffstats).render()


class _Program:
    def __init__(self, model: ir.Model, encoding: Encoding, suffstats: bool = False):
        self.model = model
        self.family = FAMILIES[model.family]
        self.suffstats = suffstats
        self.unrolled = encoding is Encoding.UNROLLED
        self.encoding = encoding
        self.K, self.b_columns = layout(model.terms)
        self.has_X = bool(model.terms)
        self.centred = (model.intercept or model.thresholds) and self.has_X
        self.qr = "_qr" if suffstats else ""  # the suffix of the compressed rows' names
        self.X = "X_qr" if suffstats else "Xc" if self.centred else "X"
        self.K_text = "K" if self.K.symbols else self.K.render()
        self.names = naming.names(model)
        self.z_width: dict[str, Size] = {}  # by grouping-factor label
        self.blocks = [b for block in model.groups for b in self._blocks(block)]
        self.needs: set[str] = set()  # statistics of the data the priors use
        self.bound_vectors = _Lines()  # transformed data: each element's bounds, where a vector's differ
        self.functions: set[str] = set()
        # each distributional formula's names, and the size and columns of its design matrix
        self.formulas = [(f, self.names.formula(f.label), *layout(f.terms)) for f in model.distributional]

    # ---- structure ---------------------------------------------------------------

    def _blocks(self, block: ir.GroupBlock) -> list[Block]:
        blocks, z_width = group_blocks(block, self.encoding, self.names, self.model)
        self.z_width[block.factor.label] = z_width
        return blocks

    def stat(self, usual: str) -> str:
        """The program's name of a statistic of the data (`sd_Y`)."""
        return self.names.statistic(usual)

    def z_text(self, label: str) -> str:
        """The number of columns of a grouping factor's Z as the program writes it."""
        return self.names.group(label).M if self.z_width[label].symbols else self.z_width[label].render()

    def formula_K(self, F: naming.FormulaNames, K: Size) -> str:
        """The number of columns of a distributional formula's X as the program writes it."""
        return F.K if K.symbols else K.render()

    # ---- values ------------------------------------------------------------------

    def value(self, value: ir.PriorValue, column_sd: str | None, vector: bool) -> str:
        """A prior argument; `column_sd` is the sd(x) of the coefficient's column(s)."""
        if not isinstance(value, ir.DataScaled):
            return number(value)
        names = {stat: self.stat(name) for stat, (name, _, _) in _STATISTICS.items()} | {Stat.PREDICTOR_SD: column_sd}
        divide = "./" if vector and value.denominator is Stat.PREDICTOR_SD else "/"
        text = scaled_text(value, names, divide)
        self.needs.update(names[s].split("[")[0] for s in (value.numerator, value.denominator) if s is not None)
        return text

    def sampling(
        self, target: str, prior: ir.Prior, column_sd: str | None = None, vector: bool = False, shift: str = ""
    ) -> tuple[str, str | None]:
        """`target ~ prior`, and a comment where the prior is truncated; `shift` (` + ...`) moves the prior's
        location."""
        if prior.distribution is Dist.FLAT:  # uniform over the declared support: nothing to add
            return f"// {target} ~ flat: improper, uniform over its support", None
        name, params = _STAN_DIST[prior.distribution]
        args = dict(prior.args)
        rendered = [p if p == "0" else self.value(args[p], column_sd, vector) + (shift * (p == "mu")) for p in params]
        note = None
        if prior.truncated:  # its normalizing constant is a constant: the arguments are numbers
            note = f"truncated to{truncation_text(prior.truncation) or ' its range'} by the declaration"
        return f"{target} ~ {name}({', '.join(rendered)});", note

    def intercept_shift(self) -> str:
        """For a prior on b_Intercept, the intercept at predictors = 0: Intercept = b_Intercept + means_X' b
        (thresholds: b_Intercept - means_X' b), so the prior of Intercept given b is b_Intercept's moved by
        that much. The map from (b_Intercept, b) to (Intercept, b) is a shift: its Jacobian is 1."""
        m = self.model
        if not (self.centred and m.prior(ParamClass.INTERCEPT).uncentered):
            return ""
        b = naming.B
        if self.unrolled:  # the coefficients' vector is assembled only in generated quantities
            b = _stack([(self.names.term(t.label).b, self.b_columns[t.label].size) for t in m.terms], "row")
        shift = f"dot_product({self.stat('means_X')}, {b})"
        return f" - {shift}" if m.thresholds else f" + {shift}"

    # ---- program -----------------------------------------------------------------

    def render(self) -> str:
        model_block = self.model_block()  # first: it records which statistics and functions are needed
        generated = self.generated_quantities()
        parameters = self.parameters()
        transformed_parameters = self.transformed_parameters()
        sections = [
            ("functions", self.functions_block()),
            ("data", self.data()),
            ("transformed data", self.transformed_data()),
            ("parameters", parameters),
            ("transformed parameters", transformed_parameters),
            ("model", model_block),
            ("generated quantities", generated),
        ]
        lines = [
            f"// Model `{self.model.name}`, generated by hierc ({self.encoding.value} encoding).",
            f"// {formula_text(self.model)}",
            f"// family {self.model.family.value}, link {self.model.link.value}",
        ]
        if self.suffstats:
            lines.append("// likelihood from the rows compressed per level (hierc data writes them)")
        for title, body in sections:
            if isinstance(body, _Lines):
                body = body.render()
            if body:
                lines += [f"{title} {{", *body, "}"]
        return "\n".join(lines) + "\n"

    def functions_block(self) -> list[str]:
        zero_sum = [ZERO_SUM_FUNCTIONS[kind] for kind in ("vector", "matrix") if kind in self.functions]
        censoring = [CENSORING_FUNCTIONS] if self.model.response.censored is not None else []
        own = self.family.stan.functions + (self.family.stan.functions_per_row if self.formulas else ())
        return zero_sum + censoring + list(dict.fromkeys(own))

    def data(self) -> _Lines:
        m, out = self.model, _Lines()
        out.add("int<lower=1> N;", "number of observations")
        rows = not self.suffstats  # the statistics replace the rows
        if rows:
            self.response_data(out)
        declared: set[str] = set()
        dpar_terms = [t for f in m.distributional for t in f.terms]
        for term in list(m.terms) + [t for block in m.groups for t in block.terms] + dpar_terms:
            name = width_name(term)
            if term.columns is None and name not in declared:
                declared.add(name)
                out.add(f"int<lower=1> {name};", f"design columns of `{term.label}` (its contrasts)")
        if self.K.symbols:
            out.add("int<lower=1> K;", f"number of population-level design columns: {self.K.render()}")
        if self.has_X and rows:
            labels = ", ".join(t.label for t in m.terms)
            out.add(f"matrix[N, {self.K_text}] X;", f"population-level design matrix: {labels}")
        if m.offsets and rows:
            labels = " + ".join(f"offset({o.label})" for o in m.offsets)
            out.add(f"vector[N] {naming.OFFSET};", f"{labels}: added to the linear predictor")
        for block in m.groups:
            label, G = block.factor.label, self.names.group(block.factor.label)
            out.note(f"grouping factor `{label}`")
            out.add(f"int<lower=1> {G.N};", "number of levels")
            if rows:
                out.add(f"array[N] int<lower=1, upper={G.N}> {G.J};", "level of each observation")
            if self.z_width[label].symbols:
                out.add(f"int<lower=1> {G.M};", f"number of group-level design columns: {self.z_width[label].render()}")
            if block.terms and rows:
                labels = ", ".join(t.label for t in block.terms)
                out.add(f"matrix[N, {self.z_text(label)}] {G.Z};", f"group-level design matrix: {labels}")
        for formula, F, K, _ in self.formulas:
            out.note(f"the formula of `{formula.label}`")
            if K.symbols:
                out.add(f"int<lower=1> {F.K};", f"number of its design columns: {K.render()}")
            if formula.terms:
                labels = ", ".join(t.label for t in formula.terms)
                out.add(f"matrix[N, {self.formula_K(F, K)}] {F.X};", f"its design matrix: {labels}")
            if formula.offsets:
                labels = " + ".join(f"offset({o.label})" for o in formula.offsets)
                out.add(f"vector[N] {F.offsets};", f"{labels}: added to its linear predictor")
        if self.suffstats:
            self.statistics_data(out)
        return out

    def response_data(self, out: _Lines) -> None:
        m = self.model
        if m.thresholds:
            out.add(f"int<lower=1> {naming.THRESHOLDS};", "number of thresholds: the categories of Y less one")
        out.add(f"{_RESPONSE_TYPE[self.family.response]} Y;", f"response `{m.response.label}`")
        if m.response.se is not None:
            out.add("vector<lower=0>[N] se;", f"known standard errors `{m.response.se}`")
        if isinstance(m.response.trials, str):
            out.add("array[N] int<lower=1> T;", f"number of trials `{m.response.trials}`")
        if m.response.weights is not None:
            out.add(f"vector<lower=0>[N] {naming.WEIGHTS};", f"likelihood weights `{m.response.weights}`")
        if m.response.censored is not None:
            note = f"censoring `{m.response.censored}`: 0 none, 1 right, -1 left, 2 interval"
            out.add(f"array[N] int<lower=-1, upper=2> {naming.CENSORED};", note)
        kind = "array[N] int" if self.family.response.integer else "vector[N]"
        if m.response.upper is not None:
            out.add(f"{kind} {naming.UPPER};", f"upper bounds `{m.response.upper}` of the interval-censored rows")
        for bound, value in ((naming.LB, m.response.lb), (naming.UB, m.response.ub)):
            if value is not None:
                out.add(f"{kind} {bound};", f"truncation bound `{bound} = {_bound_text(value)}` of each row")

    def statistics_data(self, out: _Lines) -> None:
        """The rows compressed per level, and the summaries of the rows that the program cannot compute without them."""
        m = self.model
        divided = " / se" if m.response.se is not None else ""
        columns = ", ".join(dict.fromkeys(predictors(m)))
        where = f"each level of `{m.groups[0].factor.label}`" if m.groups else "the data"
        how = ", divided by se, compressed" if divided else " compressed"
        out.note(f"the rows of {where}{how} by a QR decomposition (hierc does it when it")
        out.note(f"binds the data): at most one row per distinct column of [{columns}], with the same sum of")
        out.note("(Y - mu)^2 as the level's rows for every value of the coefficients, less a constant (the")
        out.note("level's part of SS_rest)")
        out.add("int<lower=1> N_qr;", "number of compressed rows")
        out.add("vector[N_qr] Y_qr;", f"response `{m.response.label}`{divided}, compressed")
        if "1" in predictors(m):
            out.add("vector[N_qr] intercept_qr;", "the intercept's column of 1s, compressed")
        if self.has_X:
            centred = " with centred columns" if self.centred else ""
            out.add(f"matrix[N_qr, {self.K_text}] X_qr;", f"population-level design matrix{centred}, compressed")
        for block in m.groups:
            label, G = block.factor.label, self.names.group(block.factor.label)
            out.add(f"array[N_qr] int<lower=1, upper={G.N}> {G.J_qr};", "level of each compressed row")
            if block.terms:
                out.add(f"matrix[N_qr, {self.z_text(label)}] {G.Z_qr};", "group-level design matrix, compressed")
        out.add("real<lower=0> SS_rest;", "the rest of (Y - mu)^2, which no coefficient changes")
        if m.response.se is not None:
            out.add("real sum_log_se;", f"sum of log(se) over the rows, se = `{m.response.se}`")
        summaries = {
            self.stat("means_X"): (
                f"vector[{self.K_text}] {self.stat('means_X')};",
                "column means of X: the intercept is at the means",
            ),
            **{
                self.stat(n): (f"real {self.stat(n)};", f"{what}, for default priors")
                for n, _, what in _STATISTICS.values()
            },
            self.stat("sd_X"): (f"vector[{self.K_text}] {self.stat('sd_X')};", "column sds of X, for default priors"),
        }
        for label in self.z_width:
            G = self.names.group(label)
            summaries[G.sd_Z] = (f"vector[{self.z_text(label)}] {G.sd_Z};", f"column sds of {G.Z}, for default priors")
        for name, (declaration, note) in summaries.items():
            if name in self.needs or (name == self.stat("means_X") and self.centred):
                out.add(declaration, note)

    def transformed_data(self) -> _Lines:
        m, out = self.model, _Lines()
        if self.bound_vectors.items:
            out.note("bounds of the parameters whose elements' priors have different ranges")
            out.items += self.bound_vectors.items
        if self.suffstats:  # the statistics and summaries of the rows are data
            return out
        if isinstance(m.response.trials, int):
            out.add(f"array[N] int T = rep_array({m.response.trials}, N);", "number of trials")
        if m.response.lb is not None and self.family.response.integer:
            out.add("array[N] int lb_below;", "lb - 1: a count is at least lb when it is above lb - 1")
            out.add("for (n in 1:N) lb_below[n] = lb[n] - 1;")
        if m.response.censored is not None:
            codes = [(code, rows) for code, rows, _, _ in _CENSORED_ROWS]
            codes += [(2, "rows_interval")] if m.response.upper is not None else []
            for code, rows in codes:
                cens = naming.CENSORED
                out.add(f"array[count_code({cens}, {code})] int {rows} = rows_with_code({cens}, {code});")
        for usual, value, _ in _STATISTICS.values():
            name = self.stat(usual)
            if name in self.needs:
                out.add(f"real {name} = {value};", "for default priors")
        K = self.K_text
        steps = []
        means_X, sd_X = self.stat("means_X"), self.stat("sd_X")
        if self.centred:
            out.add(f"vector[{K}] {means_X};", "column means of X")
            out.add(f"matrix[N, {K}] Xc;", "X with centred columns: the intercept is at the means")
            steps += [f"{means_X}[k] = mean(X[:, k]);", f"Xc[:, k] = X[:, k] - {means_X}[k];"]
        if sd_X in self.needs:
            out.add(f"vector[{K}] {sd_X};", "column sds of X, for default priors")
            steps.append(f"{sd_X}[k] = sd(X[:, k]);")
        if steps:
            loop = _Lines()
            for step in steps:
                loop.add(step)
            out.nest(f"for (k in 1:{K})", loop)
        for label in self.z_width:
            G = self.names.group(label)
            if G.sd_Z in self.needs:
                out.add(f"vector[{self.z_text(label)}] {G.sd_Z};", f"column sds of {G.Z}, for default priors")
                out.add(f"for (k in 1:{self.z_text(label)}) {G.sd_Z}[k] = sd({G.Z}[:, k]);")
        for formula, F, K, _ in self.formulas:
            K_text, steps = self.formula_K(F, K), _Lines()
            if formula.centred:
                out.add(f"vector[{K_text}] {F.means_X};", f"column means of {F.X}")
                out.add(f"matrix[N, {K_text}] {F.Xc};", f"{F.X} with centred columns")
                steps.add(f"{F.means_X}[k] = mean({F.X}[:, k]);")
                steps.add(f"{F.Xc}[:, k] = {F.X}[:, k] - {F.means_X}[k];")
            if F.sd_X in self.needs:
                out.add(f"vector[{K_text}] {F.sd_X};", f"column sds of {F.X}, for default priors")
                steps.add(f"{F.sd_X}[k] = sd({F.X}[:, k]);")
            if steps.items:
                out.nest(f"for (k in 1:{K_text})", steps)
        return out

    def parameters(self) -> _Lines:
        m, out = self.model, _Lines()
        if m.intercept:
            note = "intercept at the means of the predictors" if self.centred else "intercept"
            out.add(f"real{_bounds(m.prior(ParamClass.INTERCEPT).limits)} Intercept;", note)
        if m.thresholds:
            note = "thresholds between the categories" + (", at the means of the predictors" if self.centred else "")
            out.add(f"ordered[{naming.THRESHOLDS}] Intercept;", note)
        if self.has_X and not self.unrolled:
            pieces = [(self.b_columns[t.label], m.prior(ParamClass.B, None, t.label)) for t in m.terms]
            bounds = self.vector_bounds(naming.B, pieces, self.K_text)
            out.add(f"vector{bounds}[{self.K_text}] b;", "population-level coefficients")
        elif self.has_X:
            for term in m.terms:
                size = self.b_columns[term.label].size
                bounds = _bounds(m.prior(ParamClass.B, None, term.label).limits)
                decl = f"real{bounds}" if size.is_one else f"vector{bounds}[{size.render()}]"
                out.add(f"{decl} {self.names.term(term.label).b};", f"coefficient of `{term.label}`")
        for block in self.blocks:
            self.block_parameters(block, out)
        for cls in auxiliary_parameters(m):
            out.add(f"real{_bounds(m.prior(cls).limits)} {cls.value};", self.family.auxiliary_of(cls).meaning)
        for formula, F, K, columns in self.formulas:
            scale = f"on the {formula.link.value} scale"
            if formula.intercept:
                bounds = _bounds(m.prior(ParamClass.INTERCEPT, dpar=formula.dpar).limits)
                at = ", at the means of its predictors" if formula.centred else ""
                out.add(f"real{bounds} {F.intercept};", f"intercept of `{formula.label}`{at}, {scale}")
            if formula.terms:
                pieces = [(columns[t.label], m.prior(ParamClass.B, None, t.label, formula.dpar)) for t in formula.terms]
                bounds = self.vector_bounds(F.b, pieces, self.formula_K(F, K))
                out.add(f"vector{bounds}[{self.formula_K(F, K)}] {F.b};", f"coefficients of `{formula.label}`, {scale}")
        return out

    def vector_bounds(self, name: str, pieces: list[tuple[Columns, ir.Prior]], whole: str) -> str:
        """The bounds of a vector parameter of size `whole` whose columns have these priors: on each side, a
        number where all have the same bound, else a vector of each element's (`lower_b`), made in transformed
        data; an infinite bound leaves its element unbounded on that side."""
        sides = []
        for i, side in enumerate(("lower", "upper")):
            values = {prior.limits[i] for _, prior in pieces}
            if len(values) == 1:
                value = values.pop()
                sides += [f"{side}={number(value)}"] if math.isfinite(value) else []
                continue
            vector = f"{side}_{name}"
            infinite = "negative_infinity()" if i == 0 else "positive_infinity()"
            self.bound_vectors.add(f"vector[{whole}] {vector} = rep_vector({infinite}, {whole});")
            for columns, prior in pieces:
                value = prior.limits[i]
                if math.isinf(value):
                    continue
                size = columns.size
                filled = number(value) if size.is_one else f"rep_vector({number(value)}, {size.render()})"
                index = columns.element_index(Size())  # never all of the vector: the bounds differ
                self.bound_vectors.add(f"{vector}[{index}] = {filled};", f"the {side} bound of `{prior.target.label}`")
            sides.append(f"{side}={vector}")
        return f"<{', '.join(sides)}>" if sides else ""

    def block_parameters(self, block: Block, out: _Lines) -> None:
        n, g, w = block.names, block.group, block.width.render()
        coefs = ", ".join(c.label for c in block.coefficients)
        out.note(f"`{block.source.factor.label}`: {coefs}")
        label = block.source.factor.label
        pieces = [(c.columns, self.model.prior(ParamClass.SD, label, c.label)) for c in block.coefficients]
        if block.scalar:
            out.add(f"real{_bounds(pieces[0][1].limits)} {n.sd};", "standard deviation of the effects")
        else:
            bounds = self.vector_bounds(n.sd, pieces, w)
            out.add(f"vector{bounds}[{w}] {n.sd};", "standard deviations of the effects")
        match block.source.parameterization, block.scalar:
            case Parameterization.NONCENTERED, True:
                out.add(f"vector[{g.N}] {n.z};", "standardised effects")
            case Parameterization.NONCENTERED, False:
                out.add(f"matrix[{w}, {g.N}] {n.z};", "standardised effects, one column per level")
            case Parameterization.CENTERED, True if block.around_population:
                out.add(f"vector[{g.N}] {n.beta};", f"each level's `{block.coefficients[0].label}`")
            case Parameterization.CENTERED, True:
                out.add(f"vector[{g.N}] {n.effects};", "effects")
            case Parameterization.CENTERED, False if block.around_population:
                declared = f"array[{g.N}] row_vector[{w}]" if block.source.correlated else f"matrix[{g.N}, {w}]"
                out.add(f"{declared} {n.beta};", "each level's coefficients, one row per level")
            case Parameterization.CENTERED, False if block.source.correlated:
                out.add(f"array[{g.N}] row_vector[{w}] {n.effects};", "effects, one row per level")
            case Parameterization.CENTERED, False:
                out.add(f"matrix[{g.N}, {w}] {n.effects};", "effects, one row per level")
            case Parameterization.ZEROSUM, True:
                out.add(f"vector[{g.N} - 1] {n.zs};", "free values of the zero-sum effects")
            case Parameterization.ZEROSUM, False:
                out.add(f"matrix[{g.N} - 1, {w}] {n.zs};", "free values of the zero-sum effects, per column")
        if block.source.correlated:
            out.add(f"cholesky_factor_corr[{w}] {n.L};", "Cholesky factor of their correlation matrix")

    def transformed_parameters(self) -> _Lines:
        out = _Lines()
        for block in self.blocks:
            n, g, w = block.names, block.group, block.width.render()
            effects = f"vector[{g.N}] {n.effects}" if block.scalar else f"matrix[{g.N}, {w}] {n.effects}"
            match block.source.parameterization:
                case Parameterization.CENTERED if block.around_population and block.scalar:
                    population = self.population_coefficients(block)
                    out.add(f"{effects} = {n.beta} - {population};", "effects: each level's less the population's")
                case Parameterization.CENTERED if block.around_population:
                    beta = f"to_matrix({n.beta})" if block.source.correlated else n.beta
                    rows = f"rep_matrix({self.population_coefficients(block)}, {g.N})"
                    out.add(f"{effects} = {beta} - {rows};", "effects: each level's coefficients less the population's")
                case Parameterization.NONCENTERED if block.scalar:
                    out.add(f"{effects} = {n.sd} * {n.z};", f"effects of `{block.source.factor.label}`")
                case Parameterization.NONCENTERED if block.source.correlated:
                    out.add(f"{effects} = (diag_pre_multiply({n.sd}, {n.L}) * {n.z})';", "correlated effects")
                case Parameterization.NONCENTERED:
                    out.add(f"{effects} = (diag_pre_multiply({n.sd}, {n.z}))';", "effects, one row per level")
                case Parameterization.ZEROSUM:
                    self.functions.add("vector" if block.scalar else "matrix")
                    out.add(f"{effects} = zero_sum_extend({n.zs});", "effects, summing to zero over the levels")
        return out

    def model_block(self) -> _Lines:
        out = _Lines()
        out.note("priors")
        self.priors(out)
        out.note("group-level effects")
        for block in self.blocks:
            self.block_density(block, out)
        out.note("likelihood")
        self.likelihood(out)
        return out

    def priors(self, out: _Lines) -> None:
        m = self.model
        if m.intercept or m.thresholds:
            out.add(*self.sampling("Intercept", m.prior(ParamClass.INTERCEPT), shift=self.intercept_shift()))
        if self.unrolled:
            for term in m.terms:
                out.add(*self.b_prior(self.names.term(term.label).b, self.b_columns[term.label], term.label))
        else:
            for run in runs(m.terms, lambda t: m.prior(ParamClass.B, None, t.label)):
                columns = span([self.b_columns[t.label] for t in run])
                index = columns.index(self.K)
                out.add(*self.b_prior("b" + (f"[{index}]" if index else ""), columns, run[0].label))
        for block in self.blocks:
            label = block.source.factor.label
            for run in runs(block.coefficients, lambda c, label=label: m.prior(ParamClass.SD, label, c.label)):
                own = span([c.columns for c in run])
                z = span([c.z for c in run]) if all(c.z for c in run) else None
                prior = m.prior(ParamClass.SD, label, run[0].label)
                index = own.index(block.width)
                target = block.names.sd + (f"[{index}]" if index else "")
                column_sd, vector = None, not own.size.is_one
                if z is not None:
                    z_index = z.element_index(self.z_width[label])
                    column_sd = block.group.sd_Z + (f"[{z_index}]" if z_index else "")
                out.add(*self.sampling(target, prior, column_sd, vector))
            if block.source.correlated:
                out.add(*self.sampling(block.names.L, m.prior(ParamClass.COR, label)))
        for cls in auxiliary_parameters(m):
            out.add(*self.sampling(cls.value, m.prior(cls)))
        for formula, F, K, columns in self.formulas:
            if formula.intercept:
                out.add(*self.sampling(F.intercept, m.prior(ParamClass.INTERCEPT, dpar=formula.dpar)))
            for run in runs(formula.terms, lambda t, d=formula.dpar: m.prior(ParamClass.B, None, t.label, d)):
                own = span([columns[t.label] for t in run])
                index, element = own.index(K), own.element_index(K)
                column_sd = F.sd_X + (f"[{element}]" if element else "")
                prior = m.prior(ParamClass.B, None, run[0].label, formula.dpar)
                out.add(*self.sampling(F.b + (f"[{index}]" if index else ""), prior, column_sd, not own.size.is_one))

    def b_prior(self, target: str, columns: Columns, term: str) -> tuple[str, str | None]:
        """The prior of the coefficients of columns `columns` of X."""
        index = columns.element_index(self.K)
        column_sd = self.stat("sd_X") + (f"[{index}]" if index else "")
        return self.sampling(target, self.model.prior(ParamClass.B, None, term), column_sd, not columns.size.is_one)

    def block_density(self, block: Block, out: _Lines) -> None:
        n, g, w = block.names, block.group, block.width.render()
        match block.source.parameterization:
            case Parameterization.NONCENTERED if block.scalar:
                out.add(f"{n.z} ~ std_normal();")
            case Parameterization.NONCENTERED:
                out.add(f"to_vector({n.z}) ~ std_normal();")
            case Parameterization.CENTERED if block.around_population and block.scalar:
                out.add(f"{n.beta} ~ normal({self.population_coefficients(block)}, {n.sd});")
            case Parameterization.CENTERED if block.around_population and block.source.correlated:
                scale = f"diag_pre_multiply({n.sd}, {n.L})"
                out.add(f"{n.beta} ~ multi_normal_cholesky({self.population_coefficients(block)}, {scale});")
            case Parameterization.CENTERED if block.around_population:
                location = f"to_vector(rep_matrix({self.population_coefficients(block)}, {g.N}))"
                out.add(
                    f"to_vector({n.beta}) ~ normal({location}, to_vector(rep_matrix({n.sd}', {g.N})));",
                    f"column j has sd {n.sd}[j]",
                )
            case Parameterization.CENTERED if block.scalar:
                out.add(f"{n.effects} ~ normal(0, {n.sd});")
            case Parameterization.CENTERED if block.source.correlated:
                scale = f"diag_pre_multiply({n.sd}, {n.L})"
                out.add(f"{n.effects} ~ multi_normal_cholesky(rep_row_vector(0, {w}), {scale});")
            case Parameterization.CENTERED:
                out.add(
                    f"to_vector({n.effects}) ~ normal(0, to_vector(rep_matrix({n.sd}', {g.N})));",
                    f"column j has sd {n.sd}[j]",
                )
            case Parameterization.ZEROSUM if block.scalar:
                out.add(f"{n.zs} ~ normal(0, {n.sd});")
            case Parameterization.ZEROSUM:
                out.add(
                    f"to_vector({n.zs}) ~ normal(0, to_vector(rep_matrix({n.sd}', {g.N} - 1)));",
                    f"column j has sd {n.sd}[j]",
                )

    def population_coefficients(self, block: Block) -> str:
        """The population-level coefficients a centered block's levels vary around, 0 where a coefficient has
        none: a real for one column, else a row vector."""
        segments = []  # (expression, one column)
        for c in block.coefficients:
            one = c.columns.size.is_one
            if c.counterpart is None:
                segments.append(("0" if one else f"rep_row_vector(0, {c.columns.size.render()})", one))
            elif c.counterpart == ir.INTERCEPT:
                segments.append(("Intercept", True))
            elif self.unrolled:
                b = self.names.term(c.counterpart).b
                segments.append((b if one else f"{b}'", one))
            else:
                index = self.b_columns[c.counterpart].element_index(self.K)
                b = f"b[{index}]" if index else "b"
                segments.append((b if one else f"{b}'", one))
        if block.scalar:
            return segments[0][0]
        parts = [f"[{', '.join(p)}]" if isinstance(p, list) else p for p in grouped_columns(segments)]
        joined = parts[0]
        for part in parts[1:]:
            joined = f"append_col({joined}, {part})"
        return joined

    def effects_terms(self, out: _Lines) -> list[str]:
        """The group-level parts of the linear predictor."""
        parts = []
        for block in self.blocks:
            n, g = block.names, block.group
            r = n.effects
            if (
                block.source.parameterization is Parameterization.CENTERED
                and block.source.correlated
                and not (block.around_population)
            ):
                r = n.effects_matrix
                out.add(f"matrix[{g.N}, {block.width.render()}] {r} = to_matrix({n.effects});")
            parts += self.block_terms(block, r)
        return parts

    def block_terms(self, block: Block, r: str) -> list[str]:
        label, qr = block.source.factor.label, self.qr
        J, Z = (block.group.J_qr, block.group.Z_qr) if qr else (block.group.J, block.group.Z)
        intercepts = [c for c in block.coefficients if c.z is None]
        slopes = [c for c in block.coefficients if c.z is not None]
        parts = []
        for c in intercepts:
            effect = f"{r}[{J}]" if block.scalar else f"{r}[{J}, {c.columns.start.render()}]"
            parts.append(f"intercept_qr .* {effect}" if qr else effect)
        if slopes:
            own = span([c.columns for c in slopes])
            z = span([c.z for c in slopes])
            z_index = z.element_index(self.z_width[label])
            z_expr = f"{Z}[:, {z_index}]" if z_index else Z
            r_index = own.index(block.width)
            r_expr = f"{r}[{J}, {r_index}]" if r_index else f"{r}[{J}]"
            if own.size.is_one:
                parts.append(f"{r_expr} .* {z_expr}")
            else:
                parts.append(f"rows_dot_product({r_expr}, {z_expr})")
        return parts

    def formula_values(self, out: _Lines) -> None:
        """Each distributional formula's parameter on every row: the inverse link of its linear predictor."""
        for formula, F, _, _ in self.formulas:
            parts = [F.intercept] if formula.intercept else []
            parts += [f"{F.Xc if formula.centred else F.X} * {F.b}"] if formula.terms else []
            parts += [F.offsets] if formula.offsets else []
            if parts == [F.intercept]:
                parts = [f"rep_vector({F.intercept}, N)"]
            eta = " + ".join(parts)
            note = f"`{formula.label}` on each row, from its formula"
            out.add(f"vector[N] {F.value} = {_INVERSE_LINK[formula.link].format(eta)};", note)

    def likelihood(self, out: _Lines) -> None:
        m = self.model
        self.formula_values(out)
        intercept = ["intercept_qr * Intercept" if self.qr else "Intercept"] if m.intercept else []
        groups = self.effects_terms(out) + ([naming.OFFSET] if m.offsets else [])
        offset = intercept + groups
        n = f"N{self.qr}"
        weighted = m.response.weights is not None
        per_row = weighted or m.response.censored is not None or m.response.truncated  # GLMs: all rows alike
        fits = not self.formulas or self.family.stan.glm_per_row  # a GLM takes one auxiliary value, or a vector
        glm = self.family.stan.glm.get(m.link) if self.has_X and not self.unrolled and not per_row and fits else None
        if glm is not None:
            alpha = " + ".join(offset) if offset else "0"
            if len(offset) > 1 or (self.qr and offset):
                out.add(f"vector[{n}] alpha = {alpha};", "linear predictor without X * b, which the GLM adds")
                alpha = "alpha"
            self.observe(glm.format(X=self.X, alpha=alpha, **self.fills("")), out)
            return
        if self.has_X and not self.unrolled:
            population = [f"{self.X} * b"]
        else:
            population = [self.unrolled_column(term) for term in m.terms]
        parts = intercept + population + groups
        if intercept and parts == intercept:  # a real: the vector of N copies of it
            parts = [f"rep_vector({intercept[0]}, {n})"] if not self.qr else parts
        mu = " + ".join(parts) if parts else f"rep_vector(0, {n})"
        out.add(f"vector[{n}] mu = {mu};", "linear predictor")
        stan = self.family.stan
        template = stan.on_link.get(m.link, stan.likelihood)
        if m.response.censored is not None:  # cdfs are of the distribution on its mean: no form on eta
            self.observe_censored(stan.likelihood, out)
        elif weighted:
            self.observe_weighted(template, out)
        elif m.response.truncated:  # all of its normalizing constant: the truncation's term below keeps its own
            density = "lpmf" if self.family.response.integer else "lpdf"
            out.add(f"target += {self.cdf_term(stan.likelihood, density, 'Y')};")
        else:
            self.observe(template.format(**self.fills("mu")), out)
        if m.response.truncated:
            self.truncation(stan.likelihood, out)

    def observe_weighted(self, template: str, out: _Lines) -> None:
        """Each row's log density times its weight. Stan has no vectorized density per row, so this is a loop; it
        passes one-row slices (`Y[n:n]`, `mu[n:n]`), which every family's vectorized signature takes."""
        fills = self.fills("mu[n:n]", "n:n") | {"trials": "T[n:n]"}
        if self.model.response.se is not None:
            fills["sigma"] = "se[n:n]"
        name, arguments = template.format(**fills).split("(", 1)
        density = "lpmf" if self.family.response.integer else "lpdf"
        body = _Lines()
        body.add(f"target += {naming.WEIGHTS}[n] * {name}_{density}(Y[n:n] | {arguments};")
        out.note("each row's log density times its likelihood weight")
        out.nest("for (n in 1:N)", body)

    def cdf_term(self, template: str, function: str, y: str, rows: str | None = None) -> str:
        """`name_function(y[rows] | arguments at rows)`: a term of the distribution on its mean at some rows (`n`:
        one row; None: all); a cdf the family writes itself, summed over the rows."""
        fills = self.fills_at(rows) if rows else self.fills("mu")
        at = f"{y}[{rows}]" if rows else y
        own = {"lcdf": self.family.stan.log_cdf, "lccdf": self.family.stan.log_ccdf}.get(function)
        if own is not None:
            one = rows == "n"
            value = own.format(**fills, y=at if one else f"to_vector({at})")
            return value if one else f"sum({value})"
        name, arguments = template.format(**fills).split("(", 1)
        return f"{name}_{function}({at} | {arguments}"

    def between(self, template: str, low: str, high: str, sign: str, *first: str) -> _Lines:
        """`target += sign log P(low[n] < Y <= high[n])` for row n: the difference of the cdfs, or above the
        median that of the complementary cdfs, whichever is accurate."""
        body = _Lines()
        for line in first:
            body.add(line)
        body.add(f"real below = {self.cdf_term(template, 'lcdf', low, 'n')};")
        above = f"log_diff_exp({self.cdf_term(template, 'lccdf', low, 'n')},"
        body.add(f"if (below > -log2()) target += {sign}{above}")
        body.add(f"    {self.cdf_term(template, 'lccdf', high, 'n')});")
        body.add(f"else target += {sign}log_diff_exp({self.cdf_term(template, 'lcdf', high, 'n')}, below);")
        return body

    def observe_censored(self, template: str, out: _Lines) -> None:
        """Each kind of row (`cens`) by its own term: observed rows by the density, censored ones by the cdf, each
        kind vectorized over its rows; an interval's difference of cdfs, and likelihood weights, row by row."""
        density = "lpmf" if self.family.response.integer else "lpdf"
        if self.model.response.weights is not None:
            weight = f"{naming.WEIGHTS}[n] * "
            body = _Lines()
            for i, (code, _, function, _) in enumerate(_CENSORED_ROWS):
                keyword = "if" if i == 0 else "else if"
                value = self.cdf_term(template, function.format(density=density), "Y", "n")
                body.add(f"{keyword} ({naming.CENSORED}[n] == {code}) target += {weight}{value};")
            if self.model.response.upper is not None:
                body.nest("else", self.between(template, "Y", naming.UPPER, weight))
            out.note("each row's log density (a censored row's cdf) times its likelihood weight")
            out.nest("for (n in 1:N)", body)
            return
        for _, rows, function, note in _CENSORED_ROWS:
            out.add(f"target += {self.cdf_term(template, function.format(density=density), 'Y', rows)};", note)
        if self.model.response.upper is not None:
            body = self.between(template, "Y", naming.UPPER, "", "int n = rows_interval[i];")
            out.note("interval-censored (Y < value <= Y_upper), row by row: Stan's lcdf of a vector is one sum")
            out.nest("for (i in 1:size(rows_interval))", body)

    def truncation(self, template: str, out: _Lines) -> None:
        """Less each row's log probability of its range (`trunc`), after the rows' own terms (density or, where
        censored, cdf): vectorized for one bound; row by row for two, and with likelihood weights."""
        response = self.model.response
        low = "lb_below" if self.family.response.integer else naming.LB  # counts: P(Y >= lb) = P(Y > lb - 1)
        if response.weights is not None:
            weight = f"{naming.WEIGHTS}[n] * "
            body = _Lines()
            if response.ub is None:
                body.add(f"target += -{weight}{self.cdf_term(template, 'lccdf', low, 'n')};")
            elif response.lb is None:
                body.add(f"target += -{weight}{self.cdf_term(template, 'lcdf', naming.UB, 'n')};")
            else:
                body = self.between(template, low, naming.UB, f"-{weight}")
            out.note("truncation: each row over the probability of its range, times its likelihood weight")
            out.nest("for (n in 1:N)", body)
        elif response.ub is None:
            out.add(f"target += -{self.cdf_term(template, 'lccdf', low)};", "truncation: over P(Y >= lb)")
        elif response.lb is None:
            out.add(f"target += -{self.cdf_term(template, 'lcdf', naming.UB)};", "truncation: over P(Y <= ub)")
        else:
            out.note("truncation: over P(lb <= Y <= ub), row by row")
            out.nest("for (n in 1:N)", self.between(template, low, naming.UB, "-"))

    def fills_at(self, rows: str) -> dict[str, str]:
        """The templates' pieces at some rows (`rows_right`, `n`): the linear predictor, se and trials there."""
        fills = self.fills(f"mu[{rows}]", rows) | {"trials": f"T[{rows}]"}
        if self.model.response.se is not None:
            fills["sigma"] = f"se[{rows}]"
        return fills

    def observe(self, call: str, out: _Lines) -> None:
        """`Y ~ call`; on compressed rows, the log density of all N rows, normalizing constant included."""
        if not self.qr:
            out.add(f"Y ~ {call};")
            return
        name, arguments = call.split("(", 1)
        out.add(f"target += {name}_lpdf(Y_qr | {arguments};", "the compressed rows")
        if self.model.response.se is not None:  # the compressed rows are divided by se: sd 1
            rest = "-0.5 * (N - N_qr) * log(2 * pi()) - sum_log_se - 0.5 * SS_rest"
        else:
            rest = "-(N - N_qr) * (log(sigma) + 0.5 * log(2 * pi())) - SS_rest / (2 * square(sigma))"
        out.add(f"target += {rest};", "the constants that make it the density of all N rows")

    def unrolled_column(self, term: ir.Term) -> str:
        index = self.b_columns[term.label].element_index(self.K)
        x = f"{self.X}[:, {index}]" if index else self.X
        return f"{x} * {self.names.term(term.label).b}"

    def fills(self, eta: str, rows: str | None = None) -> dict[str, str]:
        """What the family's templates name: the linear predictor, the mean, the trials, the auxiliary parameters
        (a parameter with a formula at `rows`: all of them for None)."""
        m = self.model
        fills = {cls.value: cls.value for cls in self.family.auxiliary_classes}
        if self.formulas and self.family.stan.functions_per_row:  # the overload takes a vector of each
            count = "N" if rows is None else "1" if rows == "n:n" else f"size({rows})"
            fills = {name: f"rep_vector({name}, {count})" for name in fills}
        fills |= {f.label: f"{F.value}[{rows}]" if rows else F.value for f, F, _, _ in self.formulas}
        if m.response.se is not None:  # known standard errors; the compressed rows are divided by se
            fills["sigma"] = "1.0" if self.qr else "se"
        fills |= {"thresholds": naming.INTERCEPT} if m.thresholds else {}
        return fills | {"eta": eta, "mean": _INVERSE_LINK[m.link].format(eta), "trials": "T"}

    def generated_quantities(self) -> _Lines:
        m, out = self.model, _Lines()
        if self.unrolled and self.has_X:
            parts = [(self.names.term(t.label).b, self.b_columns[t.label].size) for t in m.terms]
            out.add(f"vector[{self.K_text}] b = {_stack(parts, 'row')};", "population-level coefficients")
        pieces_of = by_factor(self.blocks)
        for block in m.groups:
            pieces = pieces_of[block.factor.label]
            if len(pieces) > 1:
                G = self.names.group(block.factor.label)
                width = sum((p.width for p in pieces), Size(0)).render()
                sds = [(p.names.sd, p.width) for p in pieces]
                effects = [(p.names.effects, p.width) for p in pieces]
                out.add(f"vector[{width}] {G.sd} = {_stack(sds, 'row')};", f"sds of `{block.factor.label}`")
                out.add(f"matrix[{G.N}, {width}] {G.effects} = {_stack(effects, 'col')};", "effects, one row per level")
        if self.centred and m.thresholds:  # P(y <= k) = F(Intercept[k] - (X - means_X) * b)
            means_X = self.stat("means_X")
            out.add(
                f"vector[{naming.THRESHOLDS}] b_Intercept = Intercept + dot_product({means_X}, b);",
                "thresholds at predictors = 0",
            )
        elif self.centred:
            means_X = self.stat("means_X")
            out.add(f"real b_Intercept = Intercept - dot_product({means_X}, b);", "intercept at predictors = 0")
        for formula, F, _, _ in self.formulas:
            if formula.centred:
                note = f"intercept of `{formula.label}` at predictors = 0"
                out.add(f"real {F.b_intercept} = {F.intercept} - dot_product({F.means_X}, {F.b});", note)
        for block in self.blocks:
            if block.source.correlated:
                w = block.width.render()
                out.add(
                    f"corr_matrix[{w}] {block.names.cor} = multiply_lower_tri_self_transpose({block.names.L});",
                    f"correlations of `{block.source.factor.label}`",
                )
        return out


def _bound_text(value: float | str) -> str:
    return number(value) if isinstance(value, float) else value


def _stack(parts: list[tuple[str, Size]], how: str) -> str:
    """Parts (reals or vectors) stacked into a vector (`row`) or a matrix of columns (`col`)."""
    if how == "row":  # neighbouring reals make one vector: Stan has no append_row(real, real)
        chunks: list[list[tuple[str, Size]]] = []
        for part in parts:
            if chunks and part[1].is_one and all(size.is_one for _, size in chunks[-1]):
                chunks[-1].append(part)
            else:
                chunks.append([part])
        parts = [
            ("[" + ", ".join(name for name, _ in chunk) + "]'", Size(2))
            if chunk[0][1].is_one and (len(chunk) > 1 or len(chunks) == 1)  # reals, or a lone real: a vector
            else chunk[0]
            for chunk in chunks
        ]
    text = parts[0][0]
    for name, _ in parts[1:]:
        text = f"append_{how}({text}, {name})"
    return text
