"""What a fit's draws say about the sampler, and what to change in the spec when something is wrong.

Every backend's posterior has the same names (`hierc.naming`) and its sample
statistics mark divergent transitions, energies and tree depths, so one report
serves them all:

- divergent transitions, R-hat, bulk and tail ESS, E-BFMI, tree-depth saturation;
- the funnel: divergent transitions that concentrate where a centered grouping
  factor's sd is small. With that sd near zero the factor's effects are squeezed
  together, and no single step size suits both the wide and the narrow part of
  the posterior. The report names the factor and suggests `param(g) = noncentered`;
- the converse: when the data pin down every level of a noncentered factor, its
  offsets are tied to the sd, and `param(g) = centered` samples better.
"""

from __future__ import annotations

import dataclasses
import itertools
import textwrap
import warnings
from dataclasses import dataclass

import numpy as np

from hierc import naming
from hierc.backends import backend as find_backend
from hierc.backends import outputs
from hierc.inference.sampling import divergences, import_arviz
from hierc.language import ir
from hierc.language.vocabulary import Backend, Parameterization

RHAT_MAX = 1.01
CHAIN_APART = 3.0  # within-chain sds between a chain's mean and the others' that make it apart
ESS_PER_CHAIN = 100  # bulk and tail ESS below this many per chain make the MCSE estimates unreliable
EBFMI_MIN = 0.3  # below this the momentum resampling cannot move the energy enough (Betancourt 2016)
STAN_MAX_DEPTH = 10  # Stan's default max_depth, which hierc does not change
FUNNEL_Z = 3.0  # one-sided z of the divergent draws' mean sd quantile below 0.5: a chance of about 0.1%
WIDTH = 100  # of the advice text
INFORMATIVE = 0.25  # a level's posterior sd below this fraction of the factor's sd: the data dominate its prior


@dataclass(frozen=True)
class Funnel:
    """The signs of a funnel along one group-level sd of a centered or zerosum factor.

    A funnel shows in two ways: divergent transitions where the sd is small, or,
    when the step size adapted to the neck, few or no divergences but chains stuck
    in it: the sd mixes badly, and E-BFMI is low or the few divergent transitions
    lean toward small values of the sd.
    """

    factor: str
    parameter: str  # `sd_county[floor]`
    in_lowest_quarter: int  # divergent transitions where the sd was below its 25% quantile
    mean_quantile: float  # the sd's mean quantile at the divergent transitions; 0.5 when unrelated, NaN if none
    z: float  # how far below 0.5, in standard errors; 0 without divergent transitions
    ess_bulk: float
    r_hat: float
    stuck: bool  # the sd's bulk ESS is below the minimum, and E-BFMI is low or the divergences lean low

    @property
    def found(self) -> bool:
        return self.z >= FUNNEL_Z or self.stuck


@dataclass(frozen=True)
class Shrinkage:
    """How well the data pin down the levels of a grouping factor, for one coefficient."""

    factor: str
    parameter: str  # `sd_county[floor]`
    ratio: float  # median over levels of (posterior sd of a level's effect) / (posterior median of the sd)

    @property
    def informative(self) -> bool:
        return self.ratio < INFORMATIVE


@dataclass(frozen=True)
class Advice:
    problem: str  # "funnel", "informative", "divergences", "r_hat", "ess", "e_bfmi", "tree_depth"
    message: str
    factor: str | None = None  # the grouping factor it is about; None: the whole fit
    fix: str | None = None  # what to write in the spec, e.g. `param(county) = noncentered`


@dataclass(frozen=True)
class ChainApart:
    """A chain whose draws of the quantity with the worst R-hat sit away from every other chain's."""

    chain: int  # the chain's coordinate in the posterior (ArviZ counts from 0)
    quantity: str
    mean: float  # this chain's mean of the quantity
    others: float  # the median of the other chains' means
    distance: float  # |mean - others| in within-chain sds: 3 or more is apart


@dataclass(frozen=True)
class Diagnostics:
    """The sampler's health after a fit, and advice; `text()` is what `hierc sample` prints."""

    chains: int
    draws: int
    divergences: int
    max_rhat: float
    max_rhat_at: str
    min_ess_bulk: float
    min_ess_bulk_at: str
    min_ess_tail: float
    min_ess_tail_at: str
    e_bfmi: tuple[float, ...]  # per chain
    tree_depth_saturated: int  # transitions that stopped at the maximum tree depth
    funnels: tuple[Funnel, ...]  # one per sd of the centered and zerosum factors
    shrinkage: tuple[Shrinkage, ...]  # noncentered factors
    advice: tuple[Advice, ...]
    apart: tuple[ChainApart, ...] = ()  # when the chains disagree: those that sit apart

    @property
    def ok(self) -> bool:
        """No problem that biases the posterior or makes its summaries unreliable."""
        return not any(a.problem != "informative" for a in self.advice)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def text(self) -> str:
        total = self.chains * self.draws
        ess_min = ESS_PER_CHAIN * self.chains
        rows = [
            (
                "divergent transitions",
                f"{self.divergences} ({self.divergences / total:.1%} of draws)",
                self.divergences == 0,
            ),
            ("max R-hat", f"{self.max_rhat:.3f} at {self.max_rhat_at}", not _rhat_too_high(self.max_rhat)),
            ("min bulk ESS", f"{self.min_ess_bulk:.0f} at {self.min_ess_bulk_at}", not self.min_ess_bulk < ess_min),
            ("min tail ESS", f"{self.min_ess_tail:.0f} at {self.min_ess_tail_at}", not self.min_ess_tail < ess_min),
            ("E-BFMI per chain", ", ".join(f"{v:.2f}" for v in self.e_bfmi), all(v >= EBFMI_MIN for v in self.e_bfmi)),
            (
                "max tree depth reached",
                f"{self.tree_depth_saturated} ({self.tree_depth_saturated / total:.1%} of draws)",
                self.tree_depth_saturated == 0,
            ),
        ]
        width = max(len(name) for name, _, _ in rows)
        value_width = max(len(value) for _, value, _ in rows)
        lines = ["diagnostics"]
        lines += [f"  {name:<{width}}  {value:<{value_width}}  {'ok' if ok else 'PROBLEM'}" for name, value, ok in rows]
        if self.advice:
            lines += ["", "advice"]
            for advice in self.advice:
                lines.append(textwrap.fill(advice.message, WIDTH, initial_indent="- ", subsequent_indent="  "))
                if advice.fix:
                    lines.append(f"  fix: {advice.fix}")
        return "\n".join(lines) + "\n"


def _rhat_too_high(value: float) -> bool:
    return round(value, 3) > RHAT_MAX  # as shown: 1.0104 is printed, and passes, as 1.010


def diagnose(idata, model: ir.Model) -> Diagnostics:
    """The diagnostics of a posterior that `hierc.sample` produced for `model`."""
    az = import_arviz()
    posterior = idata.posterior
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    # what the user wrote, by the shared names: never an engine's internals (`z_school`, `chol_county`)
    checked = posterior[[name for name in outputs.output_variables(model) if name in posterior]]
    diverging = _stat(idata, "diverging")
    diverging = np.zeros((chains, draws), bool) if diverging is None else diverging.astype(bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant quantities (a correlation's diagonal) give NaN, which we skip
        rhat, bulk, tail = az.rhat(checked), az.ess(checked, method="bulk"), az.ess(checked, method="tail")
        energy = _stat(idata, "energy")
        e_bfmi = tuple(float(v) for v in az.bfmi(energy)) if energy is not None else ()
    low_energy = any(v < EBFMI_MIN for v in e_bfmi)
    ess_min = ESS_PER_CHAIN * chains
    funnels = tuple(_funnels(posterior, diverging, model, rhat, bulk, low_energy, ess_min))
    report = Diagnostics(
        chains,
        draws,
        divergences(idata),
        *_extreme(rhat, max),
        *_extreme(bulk, min),
        *_extreme(tail, min),
        e_bfmi,
        _saturated(idata),
        funnels,
        tuple(_shrinkage(posterior, model)),
        (),
    )
    if _rhat_too_high(report.max_rhat):
        report = dataclasses.replace(report, apart=_chains_apart(checked, report.max_rhat_at))
    backend = posterior.attrs.get("hierc_backend")
    return dataclasses.replace(report, advice=tuple(_advice(report, model, backend)))


def _chains_apart(posterior, label: str) -> tuple[ChainApart, ...]:
    """The chains whose mean of the quantity `label` is 3 or more within-chain sds from the median of the
    other chains' means: a chain stuck where it started, or in a mode of its own."""
    for name in posterior.data_vars:
        variable = posterior[name]
        labels = _labels(variable)
        if label in labels:
            values = variable.transpose("chain", "draw", ...).values
            draws = values.reshape(values.shape[0], values.shape[1], -1)[:, :, labels.index(label)]
            break
    else:
        return ()
    means, spread = draws.mean(axis=1), np.median(draws.std(axis=1)) or 1.0
    out = []
    for i, (chain, mean) in enumerate(zip(posterior["chain"].values, means, strict=True)):
        others = float(np.median(np.delete(means, i)))
        distance = abs(mean - others) / spread
        if distance >= CHAIN_APART:
            out.append(ChainApart(int(chain), label, float(mean), others, float(distance)))
    return tuple(out) if len(out) < len(means) / 2 else ()  # a minority apart; else the chains simply disagree


def _stat(idata, name: str) -> np.ndarray | None:
    stats = getattr(idata, "sample_stats", None)
    if stats is None or name not in stats:
        return None
    return np.asarray(stats[name].transpose("chain", "draw").values)


def _saturated(idata) -> int:
    """Transitions that hit the maximum tree depth; each engine records it differently."""
    for flag in ("maxdepth_reached", "reached_max_treedepth"):  # nutpie, PyMC
        values = _stat(idata, flag)
        if values is not None:
            return int(values.sum())
    depth = _stat(idata, "tree_depth")  # Stan records the depth only
    return int((depth >= STAN_MAX_DEPTH).sum()) if depth is not None else 0


def _labels(variable) -> list[str]:
    """`name[a, b]` for every element of a posterior variable without its chain and draw axes."""
    axes = [d for d in variable.dims if d not in ("chain", "draw")]
    if not axes:
        return [variable.name]
    cells = itertools.product(*(variable[d].values for d in axes))  # in the order of `ravel`
    return [f"{variable.name}[{', '.join(str(c) for c in cell)}]" for cell in cells]


def _extreme(dataset, pick) -> tuple[float, str]:
    """The largest or smallest value over every element of every variable, NaN skipped, with its label."""
    found: list[tuple[float, str]] = []
    for name in dataset.data_vars:
        values = np.asarray(dataset[name].values, float).ravel()
        for label, value in zip(_labels(dataset[name]), values, strict=True):
            if np.isfinite(value):
                found.append((value, label))
    if not found:
        return float("nan"), "-"
    value, label = pick(found)
    return float(value), label


def _sd_columns(dataset, model: ir.Model, block: ir.GroupBlock):
    """(`sd_g[coef]`, its values) for every coefficient of a block, from a posterior or a per-variable statistic."""
    names = naming.names(model).group(block.factor.label)
    variable, coef = dataset[names.sd], names.coef_dim
    if coef not in variable.dims:
        yield variable.name, variable
        return
    for name in variable[coef].values:
        yield f"{variable.name}[{name}]", variable.sel({coef: name})


def _funnels(posterior, diverging, model: ir.Model, rhat, bulk, low_energy: bool, ess_min: float):
    from scipy.stats import rankdata

    n = int(diverging.sum())
    for block in model.groups:
        if block.parameterization is Parameterization.NONCENTERED:
            continue
        columns = zip(*(_sd_columns(data, model, block) for data in (posterior, rhat, bulk)), strict=True)
        for (parameter, draws), (_, r_hat), (_, ess) in columns:
            draws = np.asarray(draws.transpose("chain", "draw").values)
            quantile = (rankdata(draws.ravel()) - 0.5) / draws.size
            at_divergences = quantile[diverging.ravel()]
            mean = float(at_divergences.mean()) if n else float("nan")
            z = float((0.5 - mean) * np.sqrt(12 * n)) if n else 0.0  # a mean of n uniform quantiles: sd 1/sqrt(12n)
            ess, r_hat = float(ess), float(r_hat)
            stuck = ess < ess_min and (low_energy or mean < 0.5)  # NaN (no divergences) compares False
            yield Funnel(block.factor.label, parameter, int((at_divergences < 0.25).sum()), mean, z, ess, r_hat, stuck)


def _shrinkage(posterior, model: ir.Model):
    for block in model.groups:
        if block.parameterization is not Parameterization.NONCENTERED:
            continue
        names = naming.names(model).group(block.factor.label)
        effects = posterior[names.effects]
        # Relative to the mean over levels: the intercept's uncertainty shifts every level together, and it says
        # nothing about how well the data place one level against the others.
        level_sd = (effects - effects.mean(names.levels_dim)).std(("chain", "draw"))
        coef = names.coef_dim
        for parameter, draws in _sd_columns(posterior, model, block):
            levels = level_sd.sel({coef: draws[coef].item()}) if coef in level_sd.dims else level_sd
            ratio = float(np.median(levels.values) / np.median(draws.values))
            yield Shrinkage(block.factor.label, parameter, ratio)


def _advice(report: Diagnostics, model: ir.Model, backend: str | None):
    by_factor: dict[str, list[Funnel]] = {}
    for funnel in report.funnels:
        if funnel.found:
            by_factor.setdefault(funnel.factor, []).append(funnel)
    for label, funnels in by_factor.items():
        block = model.group(label)
        worst = max(funnels, key=lambda f: (f.z, -f.ess_bulk))
        if worst.z >= FUNNEL_Z:
            sign = (
                f"{worst.in_lowest_quarter} of the {report.divergences} divergent transitions came where "
                f"{worst.parameter} was in its lowest quarter (its mean quantile there is {worst.mean_quantile:.2f}, "
                "where 0.50 would mean unrelated)"
            )
        else:
            if any(v < EBFMI_MIN for v in report.e_bfmi):
                also = f"E-BFMI is low ({', '.join(f'{v:.2f}' for v in report.e_bfmi)})"
            else:
                also = (
                    f"the {report.divergences} divergent transitions lean toward its small values (mean quantile "
                    f"{worst.mean_quantile:.2f})"
                )
            sign = (
                f"{worst.parameter} mixes badly (bulk ESS {worst.ess_bulk:.0f}, R-hat {worst.r_hat:.2f}) and {also}, "
                "the signature of chains stuck in the funnel's neck"
            )
        zerosum = block.parameterization is Parameterization.ZEROSUM
        caveat = " (its effects then no longer sum to zero)" if zerosum else ""
        yield Advice(
            "funnel",
            f"the funnel in `{label}`: {sign}. Where that sd is small, the {block.parameterization.value} effects of "
            f"`{label}` are squeezed together and the sampler cannot follow them into the neck; the noncentered "
            f"parameterization samples standardized offsets instead, which keep their scale{caveat}.",
            label,
            _fix(model, block, Parameterization.NONCENTERED, backend),
        )
    if report.divergences and not by_factor:
        yield Advice(
            "divergences",
            f"{report.divergences} divergent transitions, not concentrated at small group-level sds: the posterior "
            "has a region the sampler cannot follow, and the draws there are biased. Raise --target-accept "
            "(e.g. 0.95), or look at the pair plots (--plots DIR) to see where they are.",
        )
    informative: dict[str, list[Shrinkage]] = {}
    for shrinkage in report.shrinkage:
        informative.setdefault(shrinkage.factor, []).append(shrinkage)
    for label, columns in informative.items():
        if all(c.informative for c in columns):
            worst = max(columns, key=lambda c: c.ratio)
            yield Advice(
                "informative",
                f"the data pin down every level of `{label}`: a level's effect has a posterior sd of "
                f"{worst.ratio:.2f} times {worst.parameter} (median over levels, below {INFORMATIVE} for every "
                f"coefficient). Noncentered offsets are then tightly tied to the sd, and the centered "
                f"parameterization usually samples such a factor faster.",
                label,
                _fix(model, model.group(label), Parameterization.CENTERED, backend),
            )
    if _rhat_too_high(report.max_rhat):
        which = ""
        if report.apart:
            chains = ", ".join(f"chain {a.chain} (mean {a.mean:.3g})" for a in report.apart)
            chains = chains[0].upper() + chains[1:]
            which = (
                f" {chains} of the {report.chains} sat apart from the others (median {report.apart[0].others:.3g}): "
                "stuck where it started or in a region of its own. If the spec gives that parameter a wide prior, "
                "a prior on the scale the data suggest keeps chains out of its far tail; otherwise sample again "
                "with another --seed to see whether the region is real."
            )
        yield Advice(
            "r_hat",
            f"R-hat {report.max_rhat:.3f} at {report.max_rhat_at} is above {RHAT_MAX}: the chains disagree.{which} "
            "Sample longer (--draws, --tune) or reparameterize.",
        )
    ess_min = ESS_PER_CHAIN * report.chains
    if min(report.min_ess_bulk, report.min_ess_tail) < ess_min:
        at = report.min_ess_bulk_at if report.min_ess_bulk <= report.min_ess_tail else report.min_ess_tail_at
        yield Advice(
            "ess",
            f"an effective sample size of {min(report.min_ess_bulk, report.min_ess_tail):.0f} at {at} is below "
            f"{ess_min} ({ESS_PER_CHAIN} per chain): its mean and quantiles are not yet reliable. Draw more.",
        )
    low = [f"{v:.2f}" for v in report.e_bfmi if v < EBFMI_MIN]
    if low and not by_factor:  # a funnel found above explains it
        yield Advice(
            "e_bfmi",
            f"E-BFMI {', '.join(low)} is below {EBFMI_MIN}: the sampler moves slowly between energy levels, which "
            "heavy tails or a funnel cause; reparameterize, or tighten the priors of the sds.",
        )
    if report.tree_depth_saturated:
        yield Advice(
            "tree_depth",
            f"{report.tree_depth_saturated} transitions stopped at the maximum tree depth: they are correct, but "
            "slow. Strong correlations between parameters, or weakly identified ones, cause this.",
        )


def _fix(model: ir.Model, block: ir.GroupBlock, to: Parameterization, backend: str | None) -> str:
    """The spec line to write, and which line chose the present parameterization."""
    others = [b for b in model.groups if b is not block and b.parameterization is not to]
    known = backend in [b.value for b in Backend]
    per_factor = not known or find_backend(backend).parameterization_per_factor
    if not per_factor and others and Parameterization.NONCENTERED in (to, *(b.parameterization for b in others)):
        line = f"param = {to.value}"  # e.g. Bambi's noncentered is one setting for every factor
    else:
        line = f"param({block.factor.label}) = {to.value}"
    if block.param_at is None:
        return f"add `{line}` to the spec (the default is {block.parameterization.value})"
    return f"write `{line}` (line {block.param_at.line} makes it {block.parameterization.value})"
