"""Do two lowerings of a spec give the same posterior? Sample each, compare every scalar quantity.

A lowering is a backend, an encoding and, optionally, one parameterization for
every grouping factor. All are sampled from the same data with the same
options. For every scalar output (each element of `b`, `sd_<g>`, `r_<g>`, the
off-diagonal correlations, `sigma`, ...) and each of four statistics (mean,
sd, 5% and 95% quantiles), the difference between a lowering and the first
one is divided by its Monte Carlo standard error, from both sides:

    z = (s_a - s_b) / sqrt(mcse_a^2 + mcse_b^2)

With M comparisons in all, the verdict is "agree" when every |z| is below
the two-sided Bonferroni threshold Phi^-1(1 - alpha / (2 M)): if the
lowerings are the same model, the chance of a false alarm is at most alpha
(default 1%), however many quantities there are.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from dataclasses import dataclass
from statistics import NormalDist

from hierc.backends import backend as find_backend
from hierc.backends.outputs import output_variables
from hierc.errors import BackendError
from hierc.inference.sampling import SampleOptions, divergences, import_arviz
from hierc.language import ir
from hierc.language.vocabulary import Encoding, Engine, Likelihood, Parameterization

STATISTICS = ("mean", "sd", "q05", "q95")


@dataclass(frozen=True)
class Lowering:
    backend: str
    encoding: Encoding | None = None  # None: vectorized, or none for Bambi
    parameterization: Parameterization | None = None  # None: as the spec says
    likelihood: Likelihood = Likelihood.AUTO

    @property
    def label(self) -> str:
        from hierc.api import encoding_of

        encoding = encoding_of(self.backend, self.encoding)
        parts = [self.backend] + ([encoding.value] if encoding else [])
        if self.parameterization is not None:
            parts.append(self.parameterization.value)
        if self.likelihood is not Likelihood.AUTO:
            parts.append(self.likelihood.value)
        return "/".join(parts)


@dataclass(frozen=True)
class Row:
    quantity: str
    statistic: str
    values: tuple[float, ...]  # per lowering
    z: tuple[float, ...]  # per lowering after the first, against the first


@dataclass
class Comparison:
    labels: tuple[str, ...]  # the posteriors compared, the reference first
    rows: list[Row]
    seconds: tuple[float, ...]  # spec to posterior, per lowering
    threshold: float
    alpha: float
    posteriors: list  # InferenceData per lowering

    @property
    def max_z(self) -> float:
        return max((abs(z) for row in self.rows for z in row.z), default=0.0)

    @property
    def agree(self) -> bool:
        return self.max_z < self.threshold

    def worst(self, n: int = 10) -> list[Row]:
        return sorted(self.rows, key=lambda row: -max(abs(z) for z in row.z))[:n]

    def report(self, shown: int = 40) -> str:
        """A side-by-side table of the summary quantities' means and sds, the largest |z|, and the verdict."""
        labels = self.labels
        by_quantity: dict[str, dict[str, Row]] = {}
        for row in self.rows:
            by_quantity.setdefault(row.quantity, {})[row.statistic] = row
        lines = []
        width = max([len("quantity")] + [len(q) for q in by_quantity])
        columns = [max(len(label), 17) for label in labels]
        header = f"{'quantity':<{width}}  " + "  ".join(f"{lab:>{w}}" for lab, w in zip(labels, columns, strict=True))
        lines += [header + "  max |z|", "-" * (len(header) + 9)]
        summary = [q for q in by_quantity if not q.startswith("r_")]  # all of them, then effects up to `shown`
        listed = (summary + [q for q in by_quantity if q.startswith("r_")])[: max(shown, len(summary))]
        for quantity in listed:
            stats = by_quantity[quantity]
            if "mean" not in stats or "sd" not in stats:
                continue
            cells = [f"{stats['mean'].values[i]:.3g} ± {stats['sd'].values[i]:.2g}" for i in range(len(labels))]
            worst = max(abs(z) for row in stats.values() for z in row.z)
            lines.append(
                f"{quantity:<{width}}  "
                + "  ".join(f"{c:>{w}}" for c, w in zip(cells, columns, strict=True))
                + f"  {worst:7.2f}"
            )
        if len(by_quantity) > len(listed):
            lines.append(f"... and {len(by_quantity) - len(listed)} more quantities (all compared)")
        lines.append("")
        if not any(math.isnan(s) for s in self.seconds):
            times = ", ".join(f"{label} {s:.1f} s" for label, s in zip(labels, self.seconds, strict=True))
            lines.append(f"time from spec to posterior: {times}")
        counts = [divergences(idata) for idata in self.posteriors]
        if any(counts):
            shown_counts = ", ".join(f"{label} {n}" for label, n in zip(labels, counts, strict=True))
            lines.append(f"divergent transitions (they bias a posterior): {shown_counts}")
        m = sum(len(row.z) for row in self.rows)
        verdict = "agree" if self.agree else "DIFFER"
        lines.append(
            f"{len(by_quantity)} quantities x {len(STATISTICS)} statistics, {m} z-scores; max |z| {self.max_z:.2f}, "
            f"threshold {self.threshold:.2f} (false-alarm rate {self.alpha:g}): {verdict}"
        )
        if not self.agree:
            lines.append("largest differences:")
            for row in self.worst(5):
                z = max(row.z, key=abs)
                values = ", ".join(f"{v:.4g}" for v in row.values)
                lines.append(f"  {row.quantity} {row.statistic}: {values} (z = {z:.2f})")
        return "\n".join(lines) + "\n"


def with_parameterization(model: ir.Model, parameterization: Parameterization) -> ir.Model:
    """The model with every group block in one parameterization; zerosum leaves correlated blocks as they are."""
    blocks = tuple(
        block
        if parameterization is Parameterization.ZEROSUM and block.correlated
        else dataclasses.replace(block, parameterization=parameterization)
        for block in model.groups
    )
    return dataclasses.replace(model, groups=blocks)


def compare(
    model: ir.Model,
    data,
    lowerings: list[Lowering],
    options: SampleOptions | None = None,
    alpha: float = 0.01,
    spec_path=None,
) -> Comparison:
    """Sample the model through each lowering and compare the posteriors; the first lowering is the reference."""
    from hierc.api import bind_data, compile_model, sample

    if len(lowerings) < 2:
        raise BackendError("a comparison needs at least two lowerings (backends, encodings or parameterizations)")
    if not 0 < alpha < 1:
        raise BackendError(f"--alpha must be between 0 and 1, not {alpha}")
    options = options or SampleOptions()
    bound = bind_data(model, data, spec_path)
    variants = [
        model if lowering.parameterization is None else with_parameterization(model, lowering.parameterization)
        for lowering in lowerings
    ]
    for lowering, variant in zip(lowerings, variants, strict=True):  # every lowering can run, before any samples
        compile_model(variant, lowering.backend, lowering.encoding, lowering.likelihood)
        find_backend(lowering.backend).choose_engine(Engine.AUTO)
    posteriors, seconds = [], []
    for lowering, variant in zip(lowerings, variants, strict=True):
        start = time.perf_counter()
        posteriors.append(
            sample(variant, bound, lowering.backend, lowering.encoding, options=options, likelihood=lowering.likelihood)
        )
        seconds.append(time.perf_counter() - start)
    return compare_posteriors(model, posteriors, [lowering.label for lowering in lowerings], seconds, alpha)


def compare_posteriors(model: ir.Model, posteriors: list, labels: list[str], seconds=None, alpha: float = 0.01):
    """Compare posteriors that use hierc's output names (the first is the reference); also for hand-written
    models that name their variables the same way."""
    rows = _rows(model, posteriors)
    m = sum(len(row.z) for row in rows)
    threshold = NormalDist().inv_cdf(1 - alpha / (2 * max(m, 1)))
    seconds = tuple(seconds) if seconds is not None else tuple(math.nan for _ in labels)
    return Comparison(tuple(labels), rows, seconds, threshold, alpha, posteriors)


def _rows(model: ir.Model, posteriors: list) -> list[Row]:
    names = output_variables(model)
    stats = [_statistics(idata, names) for idata in posteriors]
    rows = []
    for quantity in stats[0]:
        if not all(quantity in s for s in stats):
            continue
        for statistic in STATISTICS:
            values = [s[quantity][statistic] for s in stats]
            if all(se == 0 for _, se in values):
                continue  # a constant (a diagonal of a correlation matrix)
            ref, ref_se = values[0]
            z = tuple((v - ref) / math.sqrt(se**2 + ref_se**2) for v, se in values[1:])
            rows.append(Row(quantity, statistic, tuple(v for v, _ in values), z))
    return rows


def _statistics(idata, names: list[str]) -> dict[str, dict[str, tuple[float, float]]]:
    """Per scalar quantity (`b[floor]`): each statistic and its Monte Carlo standard error."""
    az = import_arviz()
    posterior = idata.posterior[[n for n in names if n in idata.posterior]]
    estimates = {
        "mean": (posterior.mean(("chain", "draw")), az.mcse(posterior, method="mean")),
        "sd": (posterior.std(("chain", "draw")), _mcse_sd(posterior)),
        "q05": (posterior.quantile(0.05, ("chain", "draw")), az.mcse(posterior, method="quantile", prob=0.05)),
        "q95": (posterior.quantile(0.95, ("chain", "draw")), az.mcse(posterior, method="quantile", prob=0.95)),
    }
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for name in posterior.data_vars:
        variable = posterior[name]
        dims = [d for d in variable.dims if d not in ("chain", "draw")]
        axes = [list(enumerate(variable[d].values)) for d in dims]
        for combination in itertools.product(*axes):
            positions = [i for i, _ in combination]
            if name.startswith("cor_") and not positions[0] < positions[1]:
                continue  # the diagonal is 1, the lower triangle repeats the upper
            index = {d: value for d, (_, value) in zip(dims, combination, strict=True)}
            label = name + (f"[{', '.join(str(v) for v in index.values())}]" if index else "")
            out[label] = {
                stat: (float(value[name].sel(index)), float(se[name].sel(index)))
                for stat, (value, se) in estimates.items()
            }
    return out


def _mcse_sd(posterior):
    """The Monte Carlo standard error of the posterior sd, by the delta method on the variance (ArviZ's own
    `mcse(method="sd")` fails on vector variables with this NumPy)."""
    az = import_arviz()
    squared = (posterior - posterior.mean(("chain", "draw"))) ** 2
    variance_se = (squared.var(("chain", "draw")) / az.ess(squared, method="mean")) ** 0.5
    return variance_se / (2 * posterior.std(("chain", "draw")))
