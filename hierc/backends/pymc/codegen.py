"""Lower a model's IR to PyMC: the `make_model` function of a generated script.

`make_model(inputs, coords)` takes the arrays named as in the Stan program's
data block (`hierc/data/model_inputs.py`, levels counted from 0) and the coords
named after the data, and returns a `pm.Model`. It reads like PyMC written by
hand: predictors and level indices are `pm.Data`, the linear predictor uses
matrix products and multiple indexing, effects have dims `(<g>, <g>__coef)`.

Parameterizations, per grouping factor:
- noncentered: standard-normal `z_<g>`, scaled by the sds (and the Cholesky
  factor from `pm.LKJCholeskyCov` when correlated);
- centered: `pm.Normal`, or `pm.MvNormal` with that Cholesky factor, of each
  level's coefficients `beta_<g>` around the population-level ones (0 for a
  coefficient without one), and `r_<g>` = `beta_<g>` less those;
- zerosum: `pm.ZeroSumNormal` whose last axis, where it puts the zero sum, is
  always the group levels: the effects are declared `(<g>__coef, <g>)` and
  transposed. Summing across the coefficients instead is the classic bug
  this layout rules out.

Both encodings have the same output names; the unrolled one reassembles `b`,
`sd_<g>` and `r_<g>` as deterministics, as the Stan backend does.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from hierc import naming
from hierc.backends import outputs
from hierc.backends.group_blocks import Block, by_factor, group_blocks, grouped_columns, runs, span
from hierc.backends.pymc.pyformat import Call, Kw, Lambda, Seq, Sum, call, flat, statement
from hierc.data.layout import Columns, Size, layout
from hierc.data.suffstats import predictors
from hierc.families import FAMILIES
from hierc.language import ir
from hierc.language.priors import auxiliary_parameters
from hierc.language.summary import number, scaled_text
from hierc.language.vocabulary import PARAM_SUPPORT, Dist, Encoding, Link, ParamClass, Parameterization, Stat, Support

# PyMC's name for each prior, and its arguments: (PyMC keyword, the IR's argument).
PYMC_DISTRIBUTIONS: dict[Dist, tuple[str, tuple[tuple[str, str], ...]]] = {
    Dist.NORMAL: ("Normal", (("mu", "mu"), ("sigma", "sigma"))),
    Dist.STUDENT_T: ("StudentT", (("nu", "nu"), ("mu", "mu"), ("sigma", "sigma"))),
    Dist.CAUCHY: ("Cauchy", (("alpha", "mu"), ("beta", "sigma"))),
    Dist.HALFNORMAL: ("HalfNormal", (("sigma", "sigma"),)),
    Dist.HALFCAUCHY: ("HalfCauchy", (("beta", "sigma"),)),
    Dist.HALFSTUDENT_T: ("HalfStudentT", (("nu", "nu"), ("sigma", "sigma"))),
    Dist.EXPONENTIAL: ("Exponential", (("lam", "rate"),)),
    Dist.GAMMA: ("Gamma", (("alpha", "alpha"), ("beta", "beta"))),
    Dist.INV_GAMMA: ("InverseGamma", (("alpha", "alpha"), ("beta", "beta"))),
    Dist.LOGNORMAL: ("LogNormal", (("mu", "mu"), ("sigma", "sigma"))),
    Dist.BETA: ("Beta", (("alpha", "alpha"), ("beta", "beta"))),
    Dist.FLAT: ("Flat", ()),  # `HalfFlat` on a positive parameter: see `pymc_name`
    Dist.UNIFORM: ("Uniform", (("lower", "lower"), ("upper", "upper"))),
}

_INVERSE_LINK = {
    Link.IDENTITY: "{}",
    Link.LOG: "pt.exp({})",
    Link.LOGIT: "pm.math.invlogit({})",
    Link.PROBIT: "0.5 * pt.erfc(-{} / np.sqrt(2))",  # Phi; pm.math.invprobit rounds sqrt(2) to float32
    Link.CLOGLOG: "-pt.expm1(-pt.exp({}))",  # 1 - exp(-exp(eta)), accurate near 0
}

# Statistics of the response for default priors: the model's name, and how it computes it from the inputs.
STATISTICS = {
    Stat.RESPONSE_MEAN: ("mean_Y", 'inputs["Y"].mean()'),
    Stat.RESPONSE_SD: ("sd_Y", 'inputs["Y"].std(ddof=1)'),
    Stat.LOG_RESPONSE_MEAN: ("mean_log_Y", 'np.log(inputs["Y"]).mean()'),
    Stat.LOG_RESPONSE_SD: ("sd_log_Y", 'np.log(inputs["Y"]).std(ddof=1)'),
    Stat.LOG_POSITIVE_MEAN: ("mean_log_pos_Y", 'np.log(inputs["Y"][inputs["Y"] > 0]).mean()'),
    Stat.LOG_POSITIVE_SD: ("sd_log_pos_Y", 'np.log(inputs["Y"][inputs["Y"] > 0]).std(ddof=1)'),
}


def pymc_name(prior: ir.Prior) -> str:
    """PyMC's (and Bambi's) name of a prior's distribution."""
    if prior.distribution is Dist.FLAT and PARAM_SUPPORT[prior.target.cls] is Support.POSITIVE:
        return "HalfFlat"
    return PYMC_DISTRIBUTIONS[prior.distribution][0]


def _numpy_number(value: float) -> str:
    """A bound in a NumPy array of floats: `0.0`, `np.inf`."""
    return repr(float(value)) if math.isfinite(value) else "np.inf" if value > 0 else "-np.inf"


class _Piece(NamedTuple):
    """Columns of a vector parameter that share one prior, and the sds of their design columns."""

    prior: ir.Prior
    columns: Columns
    column_sd: str | None


_LONGEST_SUM = 100  # terms of the linear predictor written as `a + b + ...`; more are stacked and summed
OBS = naming.OBS_DIM


def make_model_function(
    model: ir.Model, encoding: Encoding = Encoding.VECTORIZED, suffstats: bool = False
) -> list[str]:
    """The lines of `def make_model(inputs, coords)` for the model; with `suffstats`, its gaussian likelihood is
    computed from per-level sufficient statistics (`hierc/data/suffstats.py`)."""
    return _Function(model, Encoding(encoding), suffstats).render()


class _Function:
    def __init__(self, model: ir.Model, encoding: Encoding, suffstats: bool = False):
        self.model = model
        self.family = FAMILIES[model.family]
        self.unrolled = encoding is Encoding.UNROLLED
        self.suffstats = suffstats
        self.K, self.b_columns = layout(model.terms)
        self.has_X = bool(model.terms)
        self.centred = (model.intercept or model.thresholds) and self.has_X
        self.X = "Xc" if self.centred else "X"
        self.names = naming.names(model)
        self.z_width: dict[str, Size] = {}  # by grouping-factor label
        self.blocks: list[Block] = []
        for block in model.groups:
            pieces, z_width = group_blocks(block, encoding, self.names, model)
            self.z_width[block.factor.label] = z_width
            self.blocks += pieces
        self.needs: set[str] = set()  # statistics of the data and sizes the code uses
        self.body: list[str] = []  # lines inside `with pm.Model(...)`
        # each distributional formula's names, and the size and columns of its design matrix
        self.formulas = [(f, self.names.formula(f.label), *layout(f.terms)) for f in model.distributional]

    # ---- output ----------------------------------------------------------------

    def add(self, target: str | None, expr, comment: str | None = None) -> None:
        """A statement in the model body: `target = expr`, or `expr` alone."""
        if comment:
            self.body.append(f"{_indent(2)}# {comment}")
        self.body += statement(f"{target} = " if target else "", expr, 2)

    def note(self, comment: str) -> None:
        self.body += ["", f"{_indent(2)}# {comment}"]

    # ---- values ----------------------------------------------------------------

    def stat(self, usual: str) -> str:
        """The model's name of a statistic of the data (`sd_Y`)."""
        return self.names.statistic(usual)

    def size(self, size: Size) -> str:
        self.needs.update(size.symbols)
        return size.render()

    def value(self, value: ir.PriorValue, column_sd: str | None) -> str:
        """A prior argument; `column_sd` is the sd(x) of the coefficient's column(s)."""
        if not isinstance(value, ir.DataScaled):
            return number(value)
        names = {stat: self.stat(name) for stat, (name, _) in STATISTICS.items()} | {Stat.PREDICTOR_SD: column_sd}
        text = scaled_text(value, names)
        self.needs.update(names[s].split("[")[0] for s in (value.numerator, value.denominator) if s is not None)
        return text

    def distribution(
        self, prior: ir.Prior, column_sd: str | None = None, shift: str = "", **extra
    ) -> tuple[str, list[Kw]]:
        """The PyMC distribution of a prior; `shift` (` + ...`) moves its location."""
        name, params = pymc_name(prior), PYMC_DISTRIBUTIONS[prior.distribution][1]
        args = dict(prior.args)
        kwargs = [
            Kw(keyword, self.value(args[source], column_sd) + shift * (source == "mu")) for keyword, source in params
        ]
        extra_kwargs = [Kw(k, v) for k, v in extra.items() if v is not None]
        if not prior.truncated:
            return f"pm.{name}", kwargs + extra_kwargs
        # on the parameter's range: PyMC's `Truncated` normalizes the density and takes the range's transform;
        # float64 bounds, since PyTensor makes a Python number such as 10.0 a float32 constant
        low, high = (None if math.isinf(limit) else f"np.float64({number(limit)})" for limit in prior.limits)
        inner = Call(f"pm.{name}.dist", tuple(kwargs))
        return "pm.Truncated", [Kw("dist", inner), *call("", lower=low, upper=high).args, *extra_kwargs]

    def intercept_shift(self) -> str:
        """As the Stan backend's: for a prior on b_Intercept, the intercept at predictors = 0, the prior of
        Intercept given b is b_Intercept's moved by means_X' b (thresholds: by -means_X' b)."""
        m = self.model
        if not (self.centred and m.prior(ParamClass.INTERCEPT).uncentered):
            return ""
        b = naming.B
        if self.unrolled:
            b = _stack([(self.names.term(t.label).b, self.b_columns[t.label].size.is_one) for t in m.terms], "vector")
        shift = f"pt.dot(means_X, {b})"
        return f" - {shift}" if m.thresholds else f" + {shift}"

    def thresholds(self) -> None:
        """An ordinal model's thresholds: one prior on each, ordered (the transform is Stan's `ordered`), started
        in order (from equal values the transform has no start)."""
        count = f'inputs["{naming.THRESHOLDS}"]'
        func, kwargs = self.distribution(
            self.model.prior(ParamClass.INTERCEPT),
            shift=self.intercept_shift(),
            dims=f'"{naming.THRESHOLD_DIM}"',
            transform="pm.distributions.transforms.ordered",
            initval=f"np.linspace(-1, 1, {count})",
        )
        note = "thresholds between the categories" + (", at the means of the predictors" if self.centred else "")
        self.add(naming.INTERCEPT, Call(func, (f'"{naming.INTERCEPT}"', *kwargs)), note)

    def scalar_rv(
        self, name: str, prior: ir.Prior, comment: str | None = None, column_sd: str | None = None, shift: str = ""
    ) -> None:
        func, kwargs = self.distribution(prior, column_sd, shift)
        self.add(name, Call(func, (f'"{name}"', *kwargs)), comment)

    def vector_rv(self, name: str, pieces: list[_Piece], whole: Size, dims) -> None:
        """A vector parameter whose columns have these priors; one piece per run of columns with one prior."""
        shape = None if dims else self.size(whole)
        if len(pieces) == 1:
            prior, _, column_sd = pieces[0]
            func, kwargs = self.distribution(prior, column_sd, shape=shape, dims=dims)
            self.add(name, Call(func, (f'"{name}"', *kwargs)))
            return
        # different priors on different columns: one vector, its density the sum of theirs
        positive = pieces[0].prior.target.cls is ParamClass.SD
        transform = "pm.distributions.transforms.log" if positive else None
        if any(piece.prior.bounded for piece in pieces):  # each element to its own range, as Stan's vector bounds
            sizes = Seq(tuple(self.size(piece.columns.size) for piece in pieces))
            ends = [
                call("np.repeat", Seq(tuple(_numpy_number(piece.prior.limits[i]) for piece in pieces)), sizes)
                for i in (0, 1)
            ]
            bounds = Lambda("*_", Seq(tuple(ends), "()"))  # arrays, not numbers: as `bounds_fn`
            transform = call("pm.distributions.transforms.Interval", bounds_fn=bounds)
        self.add(
            name,
            call(
                "pm.CustomDist",
                f'"{name}"',
                dist=Lambda("size", self.concatenated(pieces)),
                signature='"->(k)"',
                transform=transform,
                shape=shape,
                dims=dims,
            ),
        )

    def concatenated(self, pieces: list[_Piece]) -> Call:
        dists = []
        for prior, columns, column_sd in pieces:
            func, kwargs = self.distribution(prior, column_sd, shape=self.size(columns.size))
            dists.append(Call(f"{func}.dist", tuple(kwargs)))
        return call("pt.concatenate", Seq(tuple(dists)))

    def vector_dist(self, pieces: list[_Piece], width: Size) -> Call:
        """The same priors as `vector_rv`, as an unregistered distribution (for `sd_dist`)."""
        if len(pieces) == 1:
            prior, _, column_sd = pieces[0]
            func, kwargs = self.distribution(prior, column_sd, shape=self.size(width))
            return Call(f"{func}.dist", tuple(kwargs))
        return call("pm.CustomDist.dist", dist=Lambda("size", self.concatenated(pieces)), signature='"->(k)"')

    # ---- the function ----------------------------------------------------------

    def render(self) -> list[str]:
        self.data()
        self.population()
        for block in self.blocks:
            self.group_effects(block)
        if self.suffstats:  # the likelihood from statistics reads the reassembled `b` and `r_<g>`
            self.reassembled()
            self.likelihood()
        else:
            self.likelihood()
            self.reassembled()
        head = [
            "def make_model(inputs: dict, coords: dict) -> pm.Model:",
            f'{_indent(1)}"""The PyMC model `{self.model.name}`, given the inputs and coords that `prepare` makes."""',
        ]
        return (
            head
            + self.preamble()
            + [f"{_indent(1)}with pm.Model(coords=coords) as model:"]
            + self.body[1:]
            + [f"{_indent(1)}return model"]
        )

    def preamble(self) -> list[str]:
        """Constants computed from the data before the model: statistics of default priors, sizes."""
        lines = []
        statistics = self.statistics() if self.suffstats else []
        stats = {self.stat(name): (expr, "for default priors") for name, expr in STATISTICS.values()}
        stats |= {
            self.stat("means_X"): ('inputs["X"].mean(axis=0)', "the intercept is at the means of the predictors"),
            self.stat("sd_X"): ('inputs["X"].std(axis=0, ddof=1)', "column sds, for default priors"),
        }
        for label in self.z_width:
            G = self.names.group(label)
            stats[G.sd_Z] = (f'inputs["{G.Z}"].std(axis=0, ddof=1)', "column sds, for default priors")
        for formula, F, _, _ in self.formulas:
            stats[F.means_X] = (f'inputs["{F.X}"].mean(axis=0)', f"the intercept of `{formula.label}` is at the means")
            stats[F.sd_X] = (f'inputs["{F.X}"].std(axis=0, ddof=1)', "column sds, for default priors")
            if formula.centred:
                self.needs.add(F.means_X)
        if self.centred:
            self.needs.add(self.stat("means_X"))
        for name, (expr, note) in stats.items():
            if name in self.needs:
                lines.append(f"{_indent(1)}{name} = {expr}  # {note}")
        for name in sorted(n for n in self.needs if n.startswith(("K", "M_", "N_"))):
            lines.append(f'{_indent(1)}{name} = inputs["{name}"]')
        return lines + statistics

    def statistics(self) -> list[str]:
        """The sufficient statistics of the likelihood, per level of the grouping factor (or of all rows)."""
        m, i = self.model, _indent(1)
        columns = ["ones" if part == "1" else f'inputs["{part}"]' for part in predictors(m)]
        if m.groups:
            G = self.names.group(m.groups[0].factor.label)
            level, levels, where = f'inputs["{G.J}"]', G.N, f"each level of `{m.groups[0].factor.label}`"
            self.needs.add(G.N)
        else:
            level, levels, where = "np.zeros(N, dtype=int)", "1", "all rows, as one level"
        weights = ['1 / inputs["se"] ** 2'] if m.response.se is not None else []
        lines = [f"{i}# sufficient statistics of the rows of {where}, for the likelihood (see below)"]
        lines.append(f'{i}N = inputs["N"]')
        if "ones" in columns:
            lines.append(f"{i}ones = np.ones(N)")
        lines += statement("W = ", call("np.column_stack", Seq(tuple(columns))), 1)
        lines[-1] += "  # the predictors of a row"
        lines += statement(
            "SS_yy, SS_Wy, SS_WW = ", call("sufficient_statistics", "W", 'inputs["Y"]', level, levels, *weights), 1
        )
        if m.response.se is not None:
            lines.append(f'{i}sum_log_se = np.log(inputs["se"]).sum()')
        return lines

    def data(self) -> None:
        m = self.model
        if self.suffstats:  # the likelihood reads the statistics, not the rows
            return
        self.note("data: predictors and level indices can be replaced with pm.set_data for predictions")
        if self.has_X:
            self.add("X", call("pm.Data", '"X"', 'inputs["X"]', dims=Seq((f'"{OBS}"', f'"{naming.COEF_DIM}"'), "()")))
            if self.centred:
                self.add("Xc", f"X - {self.stat('means_X')}")
        for block in m.groups:
            G = self.names.group(block.factor.label)
            self.add(G.J, call("pm.Data", f'"{G.J}"', f'inputs["{G.J}"]', dims=f'"{OBS}"'))
            if block.terms:
                self.add(G.Z, call("pm.Data", f'"{G.Z}"', f'inputs["{G.Z}"]'))
        if m.offsets:
            offsets = naming.OFFSET
            self.add(offsets, call("pm.Data", f'"{offsets}"', f'inputs["{offsets}"]', dims=f'"{OBS}"'))
        for formula, F, _, _ in self.formulas:
            if formula.terms:
                dims = Seq((f'"{OBS}"', f'"{F.coef_dim}"'), "()")
                self.add(F.X, call("pm.Data", f'"{F.X}"', f'inputs["{F.X}"]', dims=dims))
                if formula.centred:
                    self.add(F.Xc, f"{F.X} - {F.means_X}")
            if formula.offsets:
                self.add(F.offsets, call("pm.Data", f'"{F.offsets}"', f'inputs["{F.offsets}"]', dims=f'"{OBS}"'))
        if m.response.se is not None:
            self.add("se", call("pm.Data", '"se"', 'inputs["se"]', dims=f'"{OBS}"'))
        if isinstance(m.response.trials, str):
            self.add("T", call("pm.Data", '"T"', 'inputs["T"]', dims=f'"{OBS}"'))

    def population(self) -> None:
        m = self.model
        if not (m.intercept or m.thresholds or self.has_X):
            return
        self.note("population-level effects")
        shift = self.intercept_shift()  # the intercept's prior reads b: b comes first
        if not shift:
            self.intercept()
        self.coefficients()
        if shift:
            self.intercept(shift)

    def intercept(self, shift: str = "") -> None:
        m = self.model
        if m.intercept:
            note = "intercept at the means of the predictors" if self.centred else None
            if shift:
                note += "; its prior is on b_Intercept, the intercept at predictors = 0"
            self.scalar_rv(naming.INTERCEPT, m.prior(ParamClass.INTERCEPT), note, shift=shift)
        if m.thresholds:
            self.thresholds()

    def coefficients(self) -> None:
        m = self.model
        if not self.has_X:
            return
        if self.unrolled:
            for term in m.terms:
                columns = self.b_columns[term.label]
                piece = _Piece(
                    m.prior(ParamClass.B, None, term.label), columns, self.column_sd(self.stat("sd_X"), columns, self.K)
                )
                if columns.size.is_one:
                    self.scalar_rv(self.names.term(term.label).b, piece.prior, column_sd=piece.column_sd)
                else:
                    self.vector_rv(self.names.term(term.label).b, [piece], columns.size, None)
            return
        pieces = []
        for run in runs(m.terms, lambda t: m.prior(ParamClass.B, None, t.label)):
            columns = span([self.b_columns[t.label] for t in run])
            prior = m.prior(ParamClass.B, None, run[0].label)
            pieces.append(_Piece(prior, columns, self.column_sd(self.stat("sd_X"), columns, self.K)))
        self.vector_rv(naming.B, pieces, self.K, f'"{naming.COEF_DIM}"')

    def column_sd(self, name: str, columns: Columns, whole: Size) -> str:
        """The sds of some columns of X or Z: all of `name`, a part, or one (a scalar)."""
        if columns.size == whole and not columns.size.is_one:
            return name
        return f"{name}[{self.index(columns, whole)}]"

    def index(self, columns: Columns, whole: Size) -> str | None:
        """The 0-based NumPy index of some columns (None for all of them), noting the data sizes it uses."""
        self.needs.update(columns.start.symbols + columns.size.symbols)
        return columns.python_index(whole)

    # ---- group-level effects -----------------------------------------------------

    def group_effects(self, block: Block) -> None:
        m, n, G = self.model, block.names, block.group
        label = block.source.factor.label
        coefs = ", ".join(c.label for c in block.coefficients)
        self.note(f"group-level effects of `{label}`: {coefs}")
        levels = f'"{G.levels_dim}"'
        coef_dim = f'"{G.coef_dim}"'
        pieces = []
        for run in runs(block.coefficients, lambda c: m.prior(ParamClass.SD, label, c.label)):
            own = span([c.columns for c in run])
            column_sd = None
            if all(c.z for c in run):
                column_sd = self.column_sd(G.sd_Z, span([c.z for c in run]), self.z_width[label])
            pieces.append(_Piece(m.prior(ParamClass.SD, label, run[0].label), own, column_sd))
        sd = n.sd
        if block.source.correlated:
            self.correlated(block, pieces, levels, coef_dim)
            return
        if block.scalar:
            self.scalar_rv(sd, pieces[0].prior, "standard deviation of the effects", pieces[0].column_sd)
            axes = {"dims": levels}
            self.effects(block, axes, axes, "{sd}")
            return
        self.vector_rv(sd, pieces, block.width, coef_dim if block.whole else None)
        if block.whole:
            by_level = {"dims": Seq((levels, coef_dim), "()")}
            by_coefficient = {"dims": Seq((coef_dim, levels), "()")}
        else:  # one term's columns of an unrolled block: a matrix with no named columns
            self.needs.add(G.N)
            width = self.size(block.width)
            by_level = {"shape": Seq((G.N, width), "()")}
            by_coefficient = {"shape": Seq((width, G.N), "()")}
        self.effects(block, by_level, by_coefficient, "{sd}[:, None]")

    def effects(self, block: Block, by_level: dict, by_coefficient: dict, zero_sum_sigma: str) -> None:
        """The effects of an uncorrelated block, `r_<n>`, one row per level; `by_level` and `by_coefficient`
        are the dims (or shape) of a matrix of effects and of its transpose."""
        n = block.names
        sd, r, z = n.sd, n.effects, n.z
        named = by_level if "dims" in by_level else {}  # a deterministic takes dims, not a shape
        match block.source.parameterization:
            case Parameterization.NONCENTERED:
                self.add(z, call("pm.Normal", f'"{z}"', mu="0", sigma="1", **by_level), "standardised effects")
                self.add(r, call("pm.Deterministic", f'"{r}"', f"{z} * {sd}", **named))
            case Parameterization.CENTERED if block.around_population:
                population = self.population_coefficients(block)
                self.add(n.beta, call("pm.Normal", f'"{n.beta}"', mu=population, sigma=sd, **by_level))
                self.add(r, call("pm.Deterministic", f'"{r}"', f"{n.beta} - {population}", **named))
            case Parameterization.CENTERED:
                self.add(r, call("pm.Normal", f'"{r}"', mu="0", sigma=sd, **by_level))
            case Parameterization.ZEROSUM if block.scalar:
                zero_sum = call("pm.ZeroSumNormal", f'"{r}"', sigma=sd, **by_level)
                self.add(r, zero_sum, "effects, summing to zero over the levels")
            case Parameterization.ZEROSUM:
                zs = n.zs
                sigma = zero_sum_sigma.format(sd=sd)
                self.add(
                    zs,
                    call("pm.ZeroSumNormal", f'"{zs}"', sigma=sigma, **by_coefficient),
                    "one row per coefficient: the zero sum runs over the last axis, the levels",
                )
                self.add(r, call("pm.Deterministic", f'"{r}"', f"{zs}.T", **named))

    def population_coefficients(self, block: Block) -> str:
        """The population-level coefficients a centered block's levels vary around, 0 where a coefficient has
        none: a scalar for one column, else a vector over the block's columns."""
        segments = []  # (expression, one column)
        for c in block.coefficients:
            one = c.columns.size.is_one
            if c.counterpart is None:
                segments.append(("0.0" if one else flat(call("pt.zeros", self.size(c.columns.size))), one))
            elif c.counterpart == ir.INTERCEPT:
                segments.append((naming.INTERCEPT, True))
            elif self.unrolled:
                segments.append((self.names.term(c.counterpart).b, one))
            else:
                index = self.index(self.b_columns[c.counterpart], self.K)
                segments.append((f"{naming.B}[{index}]" if index else naming.B, one))
        if block.scalar:
            return segments[0][0]
        parts = [call("pt.stack", Seq(tuple(p))) if isinstance(p, list) else p for p in grouped_columns(segments)]
        return flat(parts[0] if len(parts) == 1 else call("pt.concatenate", Seq(tuple(parts))))

    def correlated(self, block: Block, pieces: list[_Piece], levels: str, coef_dim: str) -> None:
        m, n = self.model, block.names
        label = block.source.factor.label
        eta = m.prior(ParamClass.COR, label).arg("eta")
        chol, sd, r, cor = n.chol, n.sd, n.effects, n.cor
        self.add(
            f"{chol}, {cor}, {sd}",
            call(
                "pm.LKJCholeskyCov",
                f'"{chol}"',
                n=self.size(block.width),
                eta=number(eta),
                sd_dist=self.vector_dist(pieces, block.width),
                compute_corr="True",
                store_in_trace="False",
            ),
            "sds and LKJ-distributed correlations, as the Cholesky factor of the covariance",
        )
        cor_dims = Seq((coef_dim, f'"{block.group.cor_dim}"'), "()")
        self.add(None, call("pm.Deterministic", f'"{sd}"', sd, dims=coef_dim))
        self.add(None, call("pm.Deterministic", f'"{cor}"', cor, dims=cor_dims))
        dims = Seq((levels, coef_dim), "()")
        if block.around_population:
            population = self.population_coefficients(block)
            self.add(n.beta, call("pm.MvNormal", f'"{n.beta}"', mu=population, chol=chol, dims=dims))
            self.add(r, call("pm.Deterministic", f'"{r}"', f"{n.beta} - {population}", dims=dims))
        elif block.source.parameterization is Parameterization.CENTERED:
            self.add(r, call("pm.MvNormal", f'"{r}"', mu="0", chol=chol, dims=dims))
        else:
            self.add(n.z, call("pm.Normal", f'"{n.z}"', mu="0", sigma="1", dims=dims), "standardised effects")
            self.add(r, call("pm.Deterministic", f'"{r}"', f"{n.z} @ {chol}.T", dims=dims))

    # ---- likelihood ------------------------------------------------------------

    def auxiliary(self) -> None:
        for cls in auxiliary_parameters(self.model):
            self.scalar_rv(cls.value, self.model.prior(cls), self.family.auxiliary_of(cls).meaning)
        m = self.model
        for formula, F, K, columns in self.formulas:
            dpar = formula.dpar
            scale = f"on the {formula.link.value} scale"
            if formula.intercept:
                at = ", at the means of its predictors" if formula.centred else ""
                note = f"intercept of `{formula.label}`{at}, {scale}"
                self.scalar_rv(F.intercept, m.prior(ParamClass.INTERCEPT, dpar=dpar), note)
            if formula.terms:
                pieces = []
                for run in runs(formula.terms, lambda t, d=dpar: m.prior(ParamClass.B, None, t.label, d)):
                    own = span([columns[t.label] for t in run])
                    prior = m.prior(ParamClass.B, None, run[0].label, dpar)
                    pieces.append(_Piece(prior, own, self.column_sd(F.sd_X, own, K)))
                self.body.append(f"{_indent(2)}# coefficients of `{formula.label}`, {scale}")
                self.vector_rv(F.b, pieces, K, f'"{F.coef_dim}"')
            parts = [F.intercept] if formula.intercept else []
            parts += [f"{F.Xc if formula.centred else F.X} @ {F.b}"] if formula.terms else []
            parts += [F.offsets] if formula.offsets else []
            if parts == [F.intercept]:
                parts = [f'{F.intercept} * pt.ones(inputs["N"])']
            value = _INVERSE_LINK[formula.link].format(" + ".join(parts))
            self.add(F.value, value, f"`{formula.label}` on each row, from its formula")

    def linear_predictor(self) -> list[str]:
        m = self.model
        parts = [naming.INTERCEPT] if m.intercept else []
        if self.has_X and not self.unrolled:
            parts.append(f"{self.X} @ b")
        elif self.has_X:
            for term in m.terms:
                columns = self.b_columns[term.label]
                x = f"{self.X}[:, {self.index(columns, self.K) or ':'}]"
                parts.append(
                    f"{x} * {self.names.term(term.label).b}"
                    if columns.size.is_one
                    else f"{x} @ {self.names.term(term.label).b}"
                )
        for block in self.blocks:
            parts += self.block_terms(block)
        return parts + ([naming.OFFSET] if m.offsets else [])

    def block_terms(self, block: Block) -> list[str]:
        label, r = block.source.factor.label, block.names.effects
        J, Z = block.group.J, block.group.Z
        parts = []
        for c in block.coefficients:
            if c.z is None:
                parts.append(f"{r}[{J}]" if block.scalar else f"{r}[{J}, {self.index(c.columns, block.width)}]")
        slopes = [c for c in block.coefficients if c.z is not None]
        if slopes:
            own = span([c.columns for c in slopes])
            z_index = self.index(span([c.z for c in slopes]), self.z_width[label])
            z_expr = f"{Z}[:, {z_index}]" if z_index is not None else Z
            if block.scalar:
                parts.append(f"{r}[{J}] * {z_expr}")
            else:
                r_index = self.index(own, block.width)
                r_expr = f"{r}[{J}, {r_index}]" if r_index is not None else f"{r}[{J}]"
                parts.append(f"{r_expr} * {z_expr}" if own.size.is_one else f"({r_expr} * {z_expr}).sum(axis=1)")
        return parts

    def likelihood(self) -> None:
        m = self.model
        self.note("likelihood")
        self.auxiliary()
        if self.suffstats:
            self.likelihood_from_statistics()
            return
        parts = self.linear_predictor()
        if len(parts) > _LONGEST_SUM:  # Python compiles `a + b + ...` recursively: sum the rows' vectors at once
            scalar = parts[:1] if m.intercept else []
            parts = [*scalar, call("pt.sum", call("pt.stack", Seq(tuple(parts[len(scalar) :]))), axis="0")]
        eta = Sum(tuple(parts)) if parts else 'pt.zeros(inputs["N"])'
        self.add("eta", eta, "linear predictor")
        fills = {cls.value: cls.value for cls in self.family.auxiliary_classes}
        if m.response.se is not None:
            fills["sigma"] = "se"
        trials = "T" if isinstance(m.response.trials, str) else str(m.response.trials)
        fills |= {"eta": "eta", "mean": _INVERSE_LINK[m.link].format("eta"), "trials": trials}
        fills |= {"thresholds": naming.INTERCEPT} if m.thresholds else {}
        template = self.family.pymc.on_link.get(m.link, self.family.pymc.likelihood)
        if m.response.censored is not None or m.response.truncated:  # cdfs: of the distribution on its mean
            template = self.family.pymc.likelihood
        func, args = template.function, {keyword: value.format(**fills) for keyword, value in template.arguments}
        observed = call(func, f'"{self.names.response}"', **args, observed='inputs["Y"]', dims=f'"{OBS}"')
        if m.response.censored is not None or m.response.truncated:
            observed = self.censored(func, args)
        if m.response.weights is None:
            self.add(None, observed)
            return
        self.add("likelihood", observed)
        weighted = f'((inputs["{naming.WEIGHTS}"] - 1) * pm.logp(likelihood, inputs["Y"])).sum()'
        comment = "likelihood weights: each row's log density counts w times (the line above counts it once)"
        self.add(None, call("pm.Potential", f'"{naming.WEIGHTS}"', weighted), comment)

    def censored(self, distribution: str, args: dict[str, str]) -> Call:
        """The script's `censored` or `truncated` likelihood (`script_helpers.py`): each row by its censoring
        code, or over the probability of its range."""
        response, integer = self.model.response, self.family.response.integer
        helper, data = "truncated", []
        if response.censored is not None:
            helper, data = "censored", [f'inputs["{naming.CENSORED}"]']
            data += [f'inputs["{naming.UPPER}"]'] if response.upper is not None else []
        data += [f'lb=inputs["{naming.LB}"]'] if response.lb is not None else []
        data += [f'ub=inputs["{naming.UB}"]'] if response.ub is not None else []
        options = {"dtype": '"int64"'} if integer else {}
        keywords = ", ".join(["y", *args])
        exact = {"log_cdf": self.family.pymc.log_cdf, "log_ccdf": self.family.pymc.log_ccdf}
        options |= {name: f"lambda {keywords}: {body}" for name, body in exact.items() if body is not None}
        return call(
            helper,
            f'"{self.names.response}"',
            distribution,
            call("dict", **args),
            *data,
            observed='inputs["Y"]',
            dims=f'"{OBS}"',
            **options,
        )

    def likelihood_from_statistics(self) -> None:
        m, b = self.model, naming.B
        shared = []  # the coefficients every level shares: the intercept on the predictors as given, and b
        if m.intercept:
            means_X = self.stat("means_X")
            intercept = f"{naming.INTERCEPT} - pt.dot({means_X}, {b})" if self.centred else naming.INTERCEPT
            shared.append(f"pt.stack([{intercept}])")
        if self.has_X:
            shared.append(b)
        if m.intercept:
            expr = call("pt.concatenate", Seq(tuple(shared))) if self.has_X else shared[0]
            self.add("shared", expr, "the coefficients every level shares, on the predictors as given")
        shared_name = "shared" if m.intercept else b if self.has_X else None
        if m.groups:
            block = m.groups[0]
            G = self.names.group(block.factor.label)
            effects = G.effects
            if outputs.block_is_scalar(block):
                effects += "[:, None]"
            theta = effects
            if shared_name is not None:
                tiled = call("pt.tile", shared_name, Seq((G.N, "1"), "()"))
                theta = call("pt.concatenate", Seq((tiled, effects)), axis="1")
        else:
            theta = f"{shared_name}[None, :]"
        self.add("theta", theta, "the coefficients of each level on the columns of W")
        self.add(
            "cross",
            "(theta * SS_Wy).sum(axis=1)",
            "per level, the sum over its rows of w (Y - W theta)^2 = SS_yy - 2 theta'SS_Wy + theta'SS_WW theta",
        )
        self.add("quadratic", "(theta[:, :, None] * SS_WW * theta[:, None, :]).sum(axis=(1, 2))")
        self.add("squares", "SS_yy - 2 * cross + quadratic")
        constant = "-0.5 * N * np.log(2 * np.pi)"
        if m.response.se is not None:
            logp = f"{constant} - sum_log_se - 0.5 * squares.sum()"
            note = "the normal log density of every row, with weights w = 1 / se^2"
        else:
            logp = f"{constant} - N * pt.log(sigma) - squares.sum() / (2 * sigma**2)"
            note = "the normal log density of every row, normalizing constant included"
        self.add(None, call("pm.Potential", f'"{self.names.response}"', logp), note)

    def reassembled(self) -> None:
        """The shared output names: `b` and each factor's `sd`/`r` from unrolled pieces, `b_Intercept`."""
        m, out = self.model, []
        if self.unrolled and self.has_X:
            parts = [(self.names.term(t.label).b, self.b_columns[t.label].size.is_one) for t in m.terms]
            out.append((naming.B, _stack(parts, "vector"), f'"{naming.COEF_DIM}"'))
        pieces_of = by_factor(self.blocks)
        for block in m.groups:
            pieces = pieces_of[block.factor.label]
            if len(pieces) > 1:
                G = self.names.group(block.factor.label)
                levels, coef = f'"{G.levels_dim}"', f'"{G.coef_dim}"'
                sds = [(p.names.sd, p.scalar) for p in pieces]
                effects = [(p.names.effects, p.scalar) for p in pieces]
                out.append((G.sd, _stack(sds, "vector"), coef))
                out.append((G.effects, _stack(effects, "columns"), Seq((levels, coef), "()")))
        if self.centred and m.thresholds:  # P(y <= k) = F(Intercept[k] - (X - means_X) b)
            expr = f"Intercept + pt.dot({self.stat('means_X')}, b)"
            out.append((naming.INTERCEPT_ORIGINAL, expr, f'"{naming.THRESHOLD_DIM}"'))
        elif self.centred:
            out.append((naming.INTERCEPT_ORIGINAL, f"Intercept - pt.dot({self.stat('means_X')}, b)", None))
        for formula, F, _, _ in self.formulas:
            if formula.centred:
                out.append((F.b_intercept, f"{F.intercept} - pt.dot({F.means_X}, {F.b})", None))
        if not out:
            return
        self.note("outputs under the names every backend uses")
        for name, expr, dims in out:
            # b by b_Intercept; b and r_<g> by a likelihood from sufficient statistics
            used_later = name == naming.B and (self.centred or self.suffstats)
            used_later |= self.suffstats and any(name == self.names.group(g.factor.label).effects for g in m.groups)
            self.add(name if used_later else None, call("pm.Deterministic", f'"{name}"', expr, dims=dims))


def _stack(parts: list[tuple[str, bool]], how: str) -> str:
    """Scalars or vectors (`vector`), or vectors or matrices (`columns`), side by side."""
    if all(scalar for _, scalar in parts):
        axis = "" if how == "vector" else ", axis=1"
        return f"pt.stack([{', '.join(name for name, _ in parts)}]{axis})"
    if how == "vector":
        items = [f"{name}[None]" if scalar else name for name, scalar in parts]
        return f"pt.concatenate([{', '.join(items)}])"
    items = [f"{name}[:, None]" if scalar else name for name, scalar in parts]
    return f"pt.concatenate([{', '.join(items)}], axis=1)"


def _indent(depth: int) -> str:
    return "    " * depth
