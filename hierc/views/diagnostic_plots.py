"""Pictures of a fit, as PNG files: trace and rank plots of the summary quantities, and per grouping factor
a pair plot of its sd against one level's effect, with the divergent transitions marked: the funnel, when
there is one, is the shape of the points.

Figures are made with `matplotlib.figure.Figure`, not pyplot, so drawing them
neither needs a display nor changes the caller's matplotlib state.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from hierc import naming
from hierc.backends.outputs import summary_variables
from hierc.errors import BackendError
from hierc.inference.sampling import import_arviz
from hierc.language import ir
from hierc.output_files import GENERATED_MARKER, check_writable

DPI = 100


def plot_files(model: ir.Model, directory: str | Path, force: bool = False) -> list[Path]:
    """The files `plot_diagnostics` writes, after checking that writing them loses nothing."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise BackendError(f"{directory}: exists and is not a directory; --plots needs a directory")
    names = ["trace.png", "rank.png"] + [f"pair_{_levels(model, b)}.png" for b in model.groups]
    return [check_writable(directory / name, force) for name in names]


def plot_diagnostics(idata, model: ir.Model, directory: str | Path, force: bool = False) -> list[Path]:
    """Write `trace.png`, `rank.png` and `pair_<g>.png` for every grouping factor into `directory`."""
    paths = plot_files(model, directory, force)  # all checked before any is written
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackendError(f"{directory}: cannot create the directory: {error.strerror}") from None
    names = [v for v in summary_variables(model) if v in idata.posterior]
    scalars = _without_the_constant_correlations(idata, model)
    drawings = [lambda: _trace(scalars, names), lambda: _rank(scalars, names)]
    drawings += [lambda block=block: _pair(idata, model, block) for block in model.groups]
    az = import_arviz()
    for path, draw in zip(paths, drawings, strict=True):
        with warnings.catch_warnings(), az.rc_context({"plot.max_subplots": 200}):
            warnings.simplefilter("ignore")
            figure = draw()
        figure.savefig(str(path), format="png", metadata={"Software": f"{GENERATED_MARKER}: the fit of {model.name}"})
    return paths


def _without_the_constant_correlations(idata, model: ir.Model):
    """The posterior with each correlation matrix as its correlations below the diagonal, one per pair of
    coefficients: the diagonal is 1 (up to rounding, which makes a density estimate of it overflow), and the
    upper triangle repeats the lower."""
    az = import_arviz()
    posterior = idata.posterior
    for block in model.groups:
        group = naming.names(model).group(block.factor.label)
        if group.cor not in posterior:
            continue
        cor, coefficients = posterior[group.cor], list(posterior[group.coef_dim].values)
        pairs = [(i, j) for i in range(len(coefficients)) for j in range(i)]
        values = np.stack([cor.values[..., i, j] for i, j in pairs], axis=-1)
        labels = [f"{coefficients[i]}:{coefficients[j]}" for i, j in pairs]
        pair_dim = f"{group.cor_dim}_pairs"
        posterior = (
            posterior.drop_vars(group.cor)
            .assign({group.cor: (("chain", "draw", pair_dim), values)})
            .assign_coords({pair_dim: labels})
        )
    stats = {"sample_stats": idata.sample_stats} if "sample_stats" in idata.groups() else {}
    return az.InferenceData(posterior=posterior, **stats)


def _cells(idata, names: list[str]) -> int:
    """How many scalar quantities the variables hold."""
    posterior = idata.posterior
    return sum(int(np.prod([posterior[v].sizes[d] for d in posterior[v].dims[2:]])) for v in names)


def _trace(idata, names: list[str]):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 2.2 * len(names)), dpi=DPI)
    axes = figure.subplots(len(names), 2, squeeze=False)
    import_arviz().plot_trace(idata, var_names=names, compact=True, axes=axes)
    figure.tight_layout()
    return figure


def _rank(idata, names: list[str]):
    from matplotlib.figure import Figure

    cells = _cells(idata, names)
    columns = min(cells, 3)
    rows = -(-cells // columns)
    figure = Figure(figsize=(4 * columns, 3 * rows), dpi=DPI)
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    import_arviz().plot_rank(idata, var_names=names, ax=axes[:cells])
    for unused in axes[cells:]:
        unused.set_visible(False)
    figure.tight_layout()
    return figure


def _levels(model: ir.Model, block: ir.GroupBlock) -> str:
    return naming.names(model).group(block.factor.label).levels_dim


def _pair(idata, model: ir.Model, block: ir.GroupBlock):
    """The factor's sd against the effect of its least-determined level, one panel per coefficient."""
    from matplotlib.figure import Figure

    label = block.factor.label
    posterior = idata.posterior
    names = naming.names(model).group(label)
    sd, effects = posterior[names.sd], posterior[names.effects]
    levels, coef = names.levels_dim, names.coef_dim
    coefficients = list(sd[coef].values) if coef in sd.dims else [None]
    stats = getattr(idata, "sample_stats", None)
    diverging = (
        np.asarray(stats["diverging"].values, bool).ravel()
        if stats is not None and "diverging" in stats
        else np.zeros(sd.sizes["chain"] * sd.sizes["draw"], bool)
    )
    figure = Figure(figsize=(4.5 * len(coefficients), 4), dpi=DPI)
    axes = figure.subplots(1, len(coefficients), squeeze=False)[0]
    for ax, name in zip(axes, coefficients, strict=True):
        column = {coef: name} if name is not None else {}
        sd_draws = np.asarray(sd.sel(column).values).ravel()
        effect = effects.sel(column)
        level = effect[levels].values[int(effect.std(("chain", "draw")).argmax())]  # the widest funnel
        effect_draws = np.asarray(effect.sel({levels: level}).values).ravel()
        ax.scatter(effect_draws[~diverging], sd_draws[~diverging], s=4, alpha=0.3, color="C0", label="draws")
        if diverging.any():
            ax.scatter(
                effect_draws[diverging], sd_draws[diverging], s=12, color="C3", label=f"divergent ({diverging.sum()})"
            )
        suffix = f"[{level}, {name}]" if name is not None else f"[{level}]"
        ax.set_xlabel(f"{effects.name}{suffix}")
        ax.set_ylabel(sd.name + (f"[{name}]" if name is not None else ""))
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right", fontsize=8)
    figure.suptitle(f"`{label}`: the sd against its least-determined level's effect", fontsize=11)
    figure.tight_layout()
    return figure
