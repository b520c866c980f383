"""The benchmark run: compile latency, sampling efficiency, and the zero-sum model's scale curve.

Every sampling row runs in a fresh process (`bench/case.py`) with the same
chains, draws, tune and seed, and the default engine of its backend (nutpie
for PyMC and Bambi models, pystan or cmdstanpy for Stan). Figures:

- ESS/s: the minimum bulk ESS over the model's population-level parameters
  and sds (the summary's variables, not the per-level effects) divided by
  the sampling seconds (warm-up and draws; compilation excluded);
- total s: from loading the spec (or building the hand-written model) to
  the posterior, compilation included;
- ms/1k grad: sampling seconds per 1,000 gradient evaluations (leapfrog
  steps of warm-up and draws), the cost of one evaluation of the model;
- peak MB: the process's peak resident memory (with its child processes).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import hierc
from bench.data import ROOT, SPECS
from hierc.backends.features import unsupported
from hierc.inference.compare import with_parameterization
from hierc.language.vocabulary import Parameterization

ALL_SPECS = sorted((ROOT / "specs").glob("*.hm"))
PACKAGES = ["hierc", "numpy", "pymc", "pytensor", "nutpie", "pystan", "httpstan", "bambi", "arviz"]


@dataclass(frozen=True)
class Settings:
    chains: int = 2
    draws: int = 500
    tune: int = 500
    seed: int = 1
    zerosum: tuple[int, int] = (1000, 200)
    # (groups, rows per group): more groups at 200 rows, then 4x the rows per group at 1000 groups
    scale: tuple[tuple[int, int], ...] = ((100, 200), (300, 200), (1000, 200), (3000, 200), (1000, 800))
    scale_draws: int = 300  # per chain, and as many tuning steps: the curve needs the cost per gradient
    # the row-by-row likelihood's cost grows with the rows: in the curve, only up to this many rows, and
    # in the vectorized encoding (the contrast with the sufficient statistics, not every encoding)
    scale_rows_limit: int = 200_000
    compile_repeats: int = 5
    compile_specs: tuple[str, ...] = ()  # spec names whose compile latency is measured; empty: every spec


QUICK = Settings(
    chains=1,
    draws=30,
    tune=30,
    zerosum=(20, 10),
    scale=((10, 10), (20, 10)),
    scale_draws=20,
    compile_repeats=1,
    compile_specs=("radon", "zerosum_slopes"),
)


# Stan row by row over the zero-sum model's 200,000 rows takes more than 10 minutes per row at 2 chains;
# the scale curve measures its cost per gradient instead (1 chain, fewer draws).
MEASURED_IN_THE_SCALE_CURVE = {("zerosum", "stan", "rows")}


@dataclass
class Row:
    model: str
    label: str
    case: dict
    result: dict = field(default_factory=dict)


def sampling_cases(settings: Settings) -> list[Row]:
    common = {"chains": settings.chains, "draws": settings.draws, "tune": settings.tune, "seed": settings.seed}
    rows = []

    def hierc_rows(model: str, params: list[str | None], likelihoods: list[str], extra: dict | None = None) -> None:
        for param in params:
            for backend, encoding in [("stan", "vectorized"), ("stan", "unrolled"), ("pymc", "vectorized"),
                                      ("pymc", "unrolled"), ("bambi", None)]:  # fmt: skip
                for likelihood in likelihoods if backend != "bambi" else ["rows"]:
                    if (model, backend, likelihood) in MEASURED_IN_THE_SCALE_CURVE:
                        continue
                    parts = [f"hierc {backend}", encoding, param, likelihood if len(likelihoods) > 1 else None]
                    case = {"model": model, "kind": "hierc", "backend": backend, "encoding": encoding,
                            "param": param, "likelihood": likelihood, **common, **(extra or {})}  # fmt: skip
                    row = Row(model, " / ".join(p for p in parts if p), case)
                    if cannot := inexpressible(model, param, backend):
                        row.result = {"unsupported": cannot}
                    rows.append(row)

    def hand_written(model: str, variant: str, label: str, extra: dict | None = None) -> None:
        case = {"model": model, "kind": "hand", "variant": variant, **common, **(extra or {})}
        rows.append(Row(model, f"hand-written PyMC, {label}", case))

    hierc_rows("eight_schools", ["noncentered", "centered"], ["rows"])
    hand_written("eight_schools", "eight_schools", "non-centered")
    hierc_rows("radon", ["noncentered", "centered"], ["rows", "suffstats"])
    hand_written("radon", "radon", "non-centered, LKJ Cholesky")
    rows.append(Row("radon", "Bambi default", {"model": "radon", "kind": "bambi", **common}))
    size = {"size": list(settings.zerosum)}
    hierc_rows("zerosum", ["zerosum"], ["rows", "suffstats"], size)
    for variant in ("non_vectorized", "vectorized"):
        hand_written("zerosum", variant, f"{variant.replace('_', '-')} (report)", size)
    rows.append(Row("zerosum", "Bambi default", {"model": "zerosum", "kind": "bambi", **common, **size}))
    return rows


def inexpressible(model: str, param: str | None, backend: str) -> str | None:
    """Why the backend cannot express the benchmark model, if it cannot (its row is reported, not run)."""
    spec = hierc.load(ROOT / "specs" / f"{SPECS[model]}.hm")
    if param:
        spec = with_parameterization(spec, Parameterization(param))
    diagnostics = unsupported(spec, backend)
    return diagnostics[0].message if diagnostics else None


def scale_cases(settings: Settings) -> list[Row]:
    rows = []
    for groups, per_group in settings.scale:
        for backend in ("stan", "pymc"):
            for encoding in ("vectorized", "unrolled"):
                for likelihood in ("rows", "suffstats"):
                    if likelihood == "rows" and (
                        encoding != "vectorized" or groups * per_group > settings.scale_rows_limit
                    ):
                        continue
                    case = {
                        "model": "zerosum",
                        "kind": "hierc",
                        "backend": backend,
                        "encoding": encoding,
                        "likelihood": likelihood,
                        "size": [groups, per_group],
                        "chains": 1,
                        "draws": settings.scale_draws,
                        "tune": settings.scale_draws,
                        "seed": settings.seed,
                    }
                    rows.append(Row(f"{groups}x{per_group}", f"hierc {backend} / {encoding} / {likelihood}", case))
    return rows


def run_case(row: Row) -> None:
    """Run a row in a fresh process with empty compilation caches, so that its total time includes compiling."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "XDG_CACHE_HOME": cache}
        command = [sys.executable, "-m", "bench.case", json.dumps(row.case)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment)
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if "Error:" in line or "error:" in line]
        row.result = {"error": lines[-1] if lines else f"exit {result.returncode}"}
    else:
        row.result = json.loads(result.stdout.strip().splitlines()[-1])
    status = row.result.get("error") or f"ESS/s {ess_per_second(row):.1f}"
    print(f"  {row.model:14} {row.label:55} {time.perf_counter() - started:7.1f} s  {status}", file=sys.stderr)


def ess_per_second(row: Row) -> float:
    return row.result["min_ess_bulk"] / row.result["sampling_seconds"]


def ms_per_1k_gradients(row: Row) -> float:
    return 1e6 * row.result["sampling_seconds"] / row.result["gradient_evaluations"]


def compile_latency(settings: Settings) -> list[dict]:
    """Median wall time of whole `hierc compile` and `hierc check` processes, per spec and backend."""
    out, repeats = [], settings.compile_repeats
    for spec in [s for s in ALL_SPECS if not settings.compile_specs or s.stem in settings.compile_specs]:
        for command in (["check"], *(["compile", "--backend", b] for b in ("stan", "pymc", "bambi"))):
            times, failure = [], None
            for _ in range(repeats):
                start = time.perf_counter()
                result = subprocess.run(
                    [sys.executable, "-m", "hierc", command[0], str(spec), *command[1:]], capture_output=True, text=True
                )
                times.append(time.perf_counter() - start)
                if result.returncode != 0:
                    failure = result.stderr.strip().splitlines()[-1]
            what = "check" if command == ["check"] else command[-1]
            out.append({"spec": spec.stem, "command": what, "median_ms": 1000 * statistics.median(times),
                        "error": failure})  # fmt: skip
    return out


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line]
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kib / 1024**2:.0f} GiB"
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "date": datetime.date.today().isoformat(),
        "machine": f"{cpu}, {os.cpu_count()} cores, {memory} memory",
        "system": f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def _number(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def sampling_table(rows: list[Row]) -> list[str]:
    lines = [
        "| model | lowering | ESS/s | min bulk ESS | sampling s | total s | ms/1k grad | divergences | max R-hat "
        "| peak MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        r = row.result
        if "error" in r or "unsupported" in r:
            why = f"failed: {r['error']}" if "error" in r else f"n/a: {r['unsupported']}".replace("|", "\\|")
            lines.append(f"| {row.model} | {row.label} | {why} |||||||| |")
            continue
        lines.append(
            f"| {row.model} | {row.label} | {_number(ess_per_second(row))} | {_number(r['min_ess_bulk'], 0)} "
            f"| {_number(r['sampling_seconds'])} | {_number(r['total_seconds'])} | {_number(ms_per_1k_gradients(row))} "
            f"| {r['divergences']} | {r['max_rhat']:.3f} | {_number(r['peak_memory_mb'], 0)} |"
        )
    return lines


def ratios(rows: list[Row]) -> list[str]:
    """hierc's best row per model against each hand-written model and Bambi's default."""
    lines = []
    for model in dict.fromkeys(row.model for row in rows):
        ok = [row for row in rows if row.model == model and "min_ess_bulk" in row.result]
        ours = [row for row in ok if row.case["kind"] == "hierc"]
        if not ours:
            continue
        best = max(ours, key=ess_per_second)
        for reference in (row for row in ok if row.case["kind"] != "hierc"):
            ratio = ess_per_second(best) / ess_per_second(reference)
            lines.append(f"- {model}: hierc's fastest ({best.label}) has {ratio:.1f}x the ESS/s of {reference.label}.")
    return lines


def scale_table(rows: list[Row]) -> list[str]:
    lines = ["| groups | rows | lowering | ms/1k grad | sampling s | total s |", "|---:|---:|---|---:|---:|---:|"]
    for row in rows:
        r, groups, per_group = row.result, *row.case["size"]
        if "error" in r:
            lines.append(f"| {groups:,} | {groups * per_group:,} | {row.label} | failed: {r['error']} | | |")
            continue
        lines.append(
            f"| {groups:,} | {groups * per_group:,} | {row.label} | {_number(ms_per_1k_gradients(row))} "
            f"| {_number(r['sampling_seconds'])} | {_number(r['total_seconds'])} |"
        )
    return lines


def compile_table(latency: list[dict]) -> list[str]:
    commands = ["check", "stan", "pymc", "bambi"]
    lines = ["| spec | " + " | ".join(f"`{c}` ms" for c in commands) + " |", "|---|" + "---:|" * len(commands)]
    for spec in dict.fromkeys(item["spec"] for item in latency):
        cells = []
        for command in commands:
            item = next(i for i in latency if i["spec"] == spec and i["command"] == command)
            cells.append("n/a" if item["error"] else _number(item["median_ms"], 0))
        lines.append(f"| {spec} | " + " | ".join(cells) + " |")
    return lines


NOT_RUN = "Not measured in this run."


def report(settings: Settings, about: dict, latency, sampled: list[Row], scaled: list[Row]) -> str:
    groups, per_group = settings.zerosum
    lines = [
        "# Benchmarks",
        "",
        f"Measured {about['date']} with `{about['command']}`.",
        "",
        f"- Machine: {about['machine']}; {about['system']}.",
        f"- Packages: {about['packages']}.",
        f"- Sampling: {settings.chains} chains x ({settings.tune} tune + {settings.draws} draws), seed "
        f"{settings.seed}, every row in a fresh process; nutpie for PyMC and Bambi models, "
        "the Stan backend's engine (pystan without CmdStan) for Stan.",
        "- ESS/s: minimum bulk ESS over the population-level parameters and sds, per sampling second "
        "(compilation excluded). Total s: spec to posterior, compilation included. ms/1k grad: sampling "
        "seconds per 1,000 gradient evaluations. `suffstats`: the likelihood from per-level sufficient statistics "
        "(PyMC: the cross-products of each level; Stan: each level's rows compressed by a QR decomposition). "
        "Peak MB: the largest resident memory among the row's processes; for Stan rows that can be the C++ "
        "compiler's (every row compiles from scratch).",
        "",
        "## Compile latency",
        "",
        f"Median wall time of the whole process over {settings.compile_repeats} runs; n/a where the backend cannot "
        "express the spec.",
        "",
        *(compile_table(latency) if latency else [NOT_RUN]),
        "",
        "## Sampling efficiency",
        "",
        "Eight schools (the table in `specs/eight_schools.csv`), a radon-like model (85 counties, about 900 "
        f"homes) and the zero-sum slopes model ({groups:,} groups x {per_group} rows, simulated as the "
        "report describes). Bambi cannot express eight schools' known standard errors. The zero-sum model's "
        "Stan row-by-row likelihood is measured in the scale curve only (more than 10 minutes per row here).",
        "",
        *(sampling_table(sampled) if sampled else [NOT_RUN]),
        "",
        *ratios(sampled),
        "",
        "## Scale curve",
        "",
        f"The zero-sum model at growing numbers of groups, then of rows per group; 1 chain x "
        f"({settings.scale_draws} tune + {settings.scale_draws} draws). Row by row (`rows`) only in the "
        f"vectorized encoding and up to {settings.scale_rows_limit:,} rows: its cost grows with the rows.",
        "",
        *(scale_table(scaled) if scaled else [NOT_RUN]),
        "",
    ]
    return "\n".join(lines)


def write_csv(path: Path, latency: list[dict], rows: list[tuple[str, Row]]) -> None:
    fields = ["section", "model", "lowering", "size", "min_ess_bulk", "ess_per_second", "sampling_seconds",
              "total_seconds", "ms_per_1k_gradients", "gradient_evaluations", "divergences", "max_rhat",
              "peak_memory_mb", "error"]  # fmt: skip
    with path.open("w", newline="") as handle:
        out = csv.DictWriter(handle, fields)
        out.writeheader()
        for item in latency:
            out.writerow({"section": "compile", "model": item["spec"], "lowering": item["command"],
                          "total_seconds": item["median_ms"] / 1000, "error": item["error"]})  # fmt: skip
        for section, row in rows:
            r = row.result
            line = {"section": section, "model": row.case["model"], "lowering": row.label,
                    "size": "x".join(map(str, row.case.get("size", []))),
                    "error": r.get("error") or r.get("unsupported")}  # fmt: skip
            if "min_ess_bulk" in r:
                line.update({k: r[k] for k in fields if k in r})
                line.update(ess_per_second=ess_per_second(row), ms_per_1k_gradients=ms_per_1k_gradients(row))
            out.writerow(line)


def parse_size(text: str) -> tuple[int, int]:
    groups, per_group = text.split("x")
    return int(groups), int(per_group)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and chains: checks that everything runs")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="the Markdown report (default: %(default)s)")
    parser.add_argument("--csv", default=str(ROOT / "bench" / "results.csv"), help="the CSV (default: %(default)s)")
    parser.add_argument("--only", help="comma-separated sections to run: compile, sampling, scale (default: all)")
    parser.add_argument("--models", help="comma-separated: eight_schools, radon, zerosum (default: all)")
    parser.add_argument("--match", help="only the rows whose lowering contains one of these texts (a|b)")
    parser.add_argument("--chains", type=int, help="chains of the sampling rows (default: 2)")
    parser.add_argument("--draws", type=int, help="draws per chain of the sampling rows, as many tuning steps")
    parser.add_argument("--zerosum", help="the zero-sum model's size, GROUPSxROWS (default: 1000x200)")
    parser.add_argument(
        "--scale", help="comma-separated sizes of the scale curve, GROUPSxROWS (default: 100x200,...,1000x800)"
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else Settings()
    changes = {"chains": args.chains, "draws": args.draws, "tune": args.draws}
    if args.zerosum:
        changes["zerosum"] = parse_size(args.zerosum)
    if args.scale:
        changes["scale"] = tuple(parse_size(text) for text in args.scale.split(","))
    settings = dataclasses.replace(settings, **{k: v for k, v in changes.items() if v is not None})
    sections = set((args.only or "compile,sampling,scale").split(","))
    about = machine()
    about["command"] = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    print(f"{about['machine']}\n{about['packages']}", file=sys.stderr)
    latency = compile_latency(settings) if "compile" in sections else []
    sampled = sampling_cases(settings) if "sampling" in sections else []
    scaled = scale_cases(settings) if "scale" in sections else []
    if args.models:
        sampled = [row for row in sampled if row.model in args.models.split(",")]
    if args.match:
        texts = args.match.split("|")
        sampled, scaled = ([row for row in rows if any(t in row.label for t in texts)] for rows in (sampled, scaled))
    for row in sampled + scaled:
        if not row.result:  # those the backend cannot express are reported as such
            run_case(row)
    Path(args.out).write_text(report(settings, about, latency, sampled, scaled))
    write_csv(Path(args.csv), latency, [("sampling", r) for r in sampled] + [("scale", r) for r in scaled])
    print(f"wrote {args.out} and {args.csv}", file=sys.stderr)
    failed = [row for row in sampled + scaled if "error" in row.result]
    return 1 if failed else 0
