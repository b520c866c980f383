"""What every backend's sampler shares: the options, and the report printed after a fit."""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass

from hierc.errors import BackendError


@dataclass(frozen=True)
class SampleOptions:
    chains: int = 4
    draws: int = 1000  # per chain, after tuning
    tune: int = 1000  # warm-up iterations per chain
    seed: int = 1
    target_accept: float = 0.8
    verbose: bool = False  # every message of the engine, routine ones included

    def __post_init__(self) -> None:
        for name in ("chains", "draws"):
            if getattr(self, name) < 1:
                raise BackendError(f"--{name} must be at least 1, not {getattr(self, name)}")
        if self.tune < 0:
            raise BackendError(f"--tune cannot be negative, not {self.tune}")
        if not 0 < self.target_accept < 1:
            raise BackendError(f"--target-accept must be between 0 and 1, not {self.target_accept}")


def installed(module: str) -> bool:
    """Whether a package can be imported, without importing it."""
    return importlib.util.find_spec(module) is not None


def import_arviz():
    """ArviZ, without its notice about a future refactor on every import."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            import arviz
        except ImportError as error:
            raise BackendError(f"sampling needs ArviZ, which cannot be imported ({error})") from None
    return arviz


def record_effort(idata, seconds: float):
    """Record the sampler's effort in the posterior's attrs, then drop the warm-up draws.

    `hierc_sampling_seconds`: warm-up and draws, compilation excluded;
    `hierc_gradient_evaluations`: leapfrog steps of warm-up and draws, each one
    gradient of the log density. Their ratio is the cost of one gradient.
    """
    steps = sum(
        int(idata[group]["n_steps"].sum())
        for group in ("warmup_sample_stats", "sample_stats")
        if group in idata.groups()
    )
    for group in [g for g in idata.groups() if g.startswith("warmup_")]:
        delattr(idata, group)
    for group in idata.groups():  # the warm-up is gone; a bool attribute is not valid netCDF either
        idata[group].attrs.pop("save_warmup", None)
    idata.posterior.attrs.update(hierc_sampling_seconds=round(seconds, 3), hierc_gradient_evaluations=steps)
    return idata


def divergences(idata) -> int:
    stats = getattr(idata, "sample_stats", None)
    if stats is None or "diverging" not in stats:
        return 0
    return int(stats["diverging"].sum())


def fit_report(idata, variables: list[str]) -> str:
    """The summary table (mean, sd, 94% HDI, ESS, R-hat) and the number of divergent transitions.

    `hierc.inference.diagnostics` judges the fit; this only shows it."""
    az = import_arviz()
    present = [v for v in variables if v in idata.posterior]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = az.summary(idata, var_names=present, hdi_prob=0.94, kind="all", round_to=3)
    table = table[["mean", "sd", "hdi_3%", "hdi_97%", "ess_bulk", "ess_tail", "r_hat"]]
    table = table.drop(index=repeated_correlations(idata.posterior), errors="ignore")
    table = table.astype({"ess_bulk": int, "ess_tail": int})
    posterior = idata.posterior
    n_chains, n_draws = posterior.sizes["chain"], posterior.sizes["draw"]
    count = divergences(idata)
    lines = [table.to_string(), ""]
    lines.append(f"{n_chains} chains x {n_draws} draws; divergent transitions: {count}")
    return "\n".join(lines) + "\n"


def repeated_correlations(posterior) -> set[str]:
    """The summary labels of `cor_g[a, b]` on or below the diagonal: a constant 1, or `cor_g[b, a]` again."""
    out = set()
    for name in posterior.data_vars:
        if name.startswith("cor_"):
            variable = posterior[name]
            names = [str(v) for v in variable[variable.dims[-1]].values]
            out |= {f"{name}[{a}, {b}]" for i, a in enumerate(names) for b in names[: i + 1]}
    return out
