"""The `hierc` command line."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hierc import __version__
from hierc.api import bind_data, compile_model, encoding_of, sample, uses_suffstats
from hierc.errors import UserError
from hierc.language.dump import dump
from hierc.language.pipeline import data_path, load_source, read_source
from hierc.language.summary import summarize
from hierc.language.vocabulary import Backend, Encoding, Engine, Likelihood, NewLevels, Parameterization, PredictionKind
from hierc.output_files import IMAGE_SUFFIXES, check_writable, write_text

BACKENDS = [b.value for b in Backend]

USER_ERROR = 2
DIFFER = 1  # `hierc compare`: the posteriors differ


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hierc", description="A compiler for hierarchical Bayesian models.")
    parser.add_argument("--version", action="version", version=f"hierc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = _command(
        commands,
        "check",
        "parse and validate a spec, print a summary of the model",
        "Parse and validate a spec and print a summary of the model it means.",
    )
    check.add_argument("--dump", choices=("ast", "ir"), help="print the syntax tree or the IR instead of the summary")

    compile_ = _command(
        commands,
        "compile",
        "write the model as code for a backend",
        "Write the model as code for a backend, from the spec alone (no data needed).",
    )
    _backend_options(compile_, Likelihood.ROWS)
    _output_option(compile_, "the file to write (default: standard output)")

    graph = _command(
        commands,
        "graph",
        "draw the model as a graphical model (DOT, PNG, SVG or PDF)",
        "Draw the model as a probabilistic graphical model: priors, group-level effects in a plate per grouping "
        "factor, the observed response shaded. The format is the output's extension: .dot (also printed without "
        "-o), .png, .svg or .pdf. With --data, the plates show how many levels and rows there are.",
    )
    _data_option(graph)
    _output_option(graph, "the file to write (default: DOT on standard output)")

    data = _command(
        commands,
        "data",
        "write the Stan data JSON for a spec and a data file",
        "Bind data to a spec and write the data JSON its Stan program reads (for CmdStan and others).",
    )
    _data_option(data)
    _likelihood_option(
        data,
        "rows: the observations; suffstats: the rows compressed per level instead (at most one per distinct "
        "predictor column); auto: both, where compression applies, so the file fits the program "
        "`hierc compile` writes with any --likelihood (default: rows, as `hierc compile`)",
        Likelihood.ROWS,
    )
    _output_option(data, "the JSON file to write (default: standard output)")

    sample = _command(
        commands,
        "sample",
        "fit the model to data, save the posterior and print a summary",
        "Compile, bind data, sample, save ArviZ InferenceData (NetCDF) and print a summary.",
    )
    _data_option(sample)
    _backend_options(sample, Likelihood.AUTO)
    sample.add_argument(
        "--engine",
        choices=[e.value for e in Engine],
        default="auto",
        help="stan: cmdstanpy when CmdStan is installed, else pystan; pymc and bambi: nutpie when installed, "
        "else pymc (default: auto)",
    )
    _sampling_options(sample)
    sample.add_argument(
        "--log-likelihood",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="store the per-row log-likelihood (computed after sampling, for az.loo and az.compare) and print "
        "the LOO estimate (default: yes)",
    )
    sample.add_argument(
        "--predictive", action="store_true", help="also store posterior predictive draws of the response, per row"
    )
    sample.add_argument(
        "--prior",
        action="store_true",
        help="draw from the prior instead (exactly, by forward simulation; --draws of them), with the response it "
        "predicts for each row: groups `prior`, `prior_predictive`, `observed_data`; prints a summary",
    )
    sample.add_argument(
        "--plots",
        metavar="DIR",
        help="also write trace, rank and pair plots (sd against one group effect) as PNG files into DIR",
    )
    _output_option(sample, "the NetCDF file to write (default: <spec name>_<backend>.nc)")

    predict = _command(
        commands,
        "predict",
        "predict the response for new rows from a posterior of `hierc sample`",
        "Predict for the rows of a data file from a posterior that `hierc sample` saved: the expected response "
        "(--kind mean) or draws of it (--kind response), per posterior draw and row. The rows are coded as the "
        "fitted data were (levels matched by label, scale() by the fitted means and sds); their response column "
        "may be absent. Prints each row's mean, sd, 5% and 95% quantiles; -o saves every draw as InferenceData "
        "(group `predictions`, named after the response).",
    )
    predict.add_argument("--posterior", metavar="NC", required=True, help="the posterior `hierc sample` saved")
    predict.add_argument("--data", metavar="CSV", required=True, help="the rows to predict for")
    predict.add_argument(
        "--kind",
        choices=[k.value for k in PredictionKind],
        default=PredictionKind.MEAN.value,
        help="mean: the expected response (brms's posterior_epred); response: draws from the likelihood "
        "(default: mean)",
    )
    predict.add_argument(
        "--new-levels",
        choices=[n.value for n in NewLevels],
        default=NewLevels.ERROR.value,
        help="a level of a grouping factor the fit did not see: sample its effects from the fitted population "
        "distribution, give it none (population), or refuse (error; the default)",
    )
    predict.add_argument("--seed", type=int, default=1, help="random seed for draws (default: 1)")
    _output_option(predict, "the NetCDF file to write (default: only print the table)")

    compare = _command(
        commands,
        "compare",
        "sample through several backends, encodings or parameterizations and compare the posteriors",
        "Sample the model through every combination of the given backends, encodings and parameterizations, "
        "compare each posterior with the first (mean, sd, 5% and 95% quantiles of every scalar quantity, "
        "z-scores from both Monte Carlo standard errors) and print a verdict. Exit status 1 when they differ.",
    )
    _data_option(compare)
    compare.add_argument("--backends", default="stan,pymc", help="comma-separated (default: stan,pymc)")
    compare.add_argument(
        "--encodings", default="vectorized", help="comma-separated: vectorized, unrolled (default: vectorized)"
    )
    compare.add_argument(
        "--params",
        help="comma-separated parameterizations for every grouping factor, e.g. centered,noncentered "
        "(default: as the spec says)",
    )
    compare.add_argument(
        "--likelihoods",
        default="auto",
        help="comma-separated: auto, rows, suffstats (default: auto); e.g. rows,suffstats sets the row-by-row "
        "likelihood against the one from sufficient statistics",
    )
    _sampling_options(compare)
    compare.add_argument(
        "--alpha", type=float, default=0.01, help="false-alarm rate of the whole comparison (default: 0.01)"
    )
    return parser


def _sampling_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--chains", type=int, default=4, help="number of chains (default: 4)")
    command.add_argument("--draws", type=int, default=1000, help="draws per chain after warm-up (default: 1000)")
    command.add_argument("--tune", type=int, default=1000, help="warm-up iterations per chain (default: 1000)")
    command.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    command.add_argument("--target-accept", type=float, default=0.8, help="target acceptance rate (default: 0.8)")
    command.add_argument(
        "--verbose", action="store_true", help="show every message of the engine, the routine ones too"
    )


def _command(commands, name: str, help_text: str, description: str) -> argparse.ArgumentParser:
    """A subcommand that takes a spec file."""
    command = commands.add_parser(name, help=help_text, description=description)
    command.add_argument("spec", help="the .hm file")
    return command


def _backend_options(command: argparse.ArgumentParser, likelihood: Likelihood) -> None:
    """--backend, --encoding and --likelihood; `compile` writes the row-by-row likelihood unless told, the code a
    person would write and edit, `sample` the cheaper one."""
    command.add_argument("--backend", choices=BACKENDS, default=Backend.STAN.value, help="the target (default: stan)")
    command.add_argument(
        "--encoding",
        choices=[e.value for e in Encoding],
        help="stan and pymc: vectorized (default), vector and matrix parameters; unrolled, one parameter per term",
    )
    _likelihood_option(
        command,
        "stan and pymc, gaussian models with identity link and at most one grouping factor: suffstats computes "
        "the likelihood from per-level sufficient statistics (the same density, far cheaper with many rows per "
        "level); rows, row by row; auto: suffstats where it applies and, given data, where it is cheaper "
        f"(default: {likelihood})",
        likelihood,
    )


def _likelihood_option(command: argparse.ArgumentParser, help_text: str, default: Likelihood) -> None:
    command.add_argument("--likelihood", choices=[v.value for v in Likelihood], default=default.value, help=help_text)


def _data_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--data", metavar="CSV", help="the data file (default: the spec's `data` statement)")


def _output_option(command: argparse.ArgumentParser, help_text: str) -> None:
    command.add_argument("-o", "--output", metavar="FILE", help=help_text)
    command.add_argument("--force", action="store_true", help="replace FILE even if hierc did not write it")


class _Fail(Exception):
    """A user error that is not in spec text (a missing file, ...)."""


def _run(args: argparse.Namespace) -> int | None:
    source = read_source(args.spec)
    spec, model = load_source(source)
    if args.command == "compile":
        _emit(args, model, compile_model(model, args.backend, args.encoding, args.likelihood))
    elif args.command == "data":
        from hierc.backends.stan.data import stan_data_json

        statistics = uses_suffstats(model, Backend.STAN, args.likelihood)  # decided as `compile` decides: from the spec
        rows = args.likelihood != Likelihood.SUFFSTATS
        _emit(args, model, stan_data_json(bind_data(model, args.data, args.spec), rows, statistics))
    elif args.command == "sample":
        _sample(args, model)
    elif args.command == "graph":
        _graph(args, model)
    elif args.command == "compare":
        return _compare(args, model)
    elif args.command == "predict":
        _predict(args, model)
    elif args.dump == "ast":
        sys.stdout.write(dump(spec))
    elif args.dump == "ir":
        sys.stdout.write(dump(model))
    else:
        sys.stdout.write(summarize(model, source.name))


def _inputs(args: argparse.Namespace, model) -> tuple[str | Path | None, ...]:
    """The files a command reads: the spec, and the data it names or the command gives."""
    return (args.spec, getattr(args, "data", None) or data_path(model, args.spec))


def _emit(args: argparse.Namespace, model, text: str) -> None:
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_text(args.output, text, args.force, inputs=_inputs(args, model))
        print(f"wrote {args.output}", file=sys.stderr)


def _graph(args: argparse.Namespace, model) -> None:
    from hierc.views.graph import build_graph, to_dot

    with_data = args.data or data_path(model, args.spec)  # --data, or the spec's own `data` line
    bound = bind_data(model, args.data, args.spec) if with_data else None
    graph = build_graph(model, bound)
    suffix = Path(args.output).suffix.lower() if args.output else ".dot"
    if suffix in (".dot", ".gv"):
        _emit(args, model, to_dot(graph))
        return
    if suffix not in IMAGE_SUFFIXES:
        raise _Fail(f"error: cannot tell the format of `{args.output}`: use .dot, .png, .svg or .pdf")
    from hierc.views.graph_render import render

    output = check_writable(args.output, args.force, inputs=_inputs(args, model))
    render(graph, output)
    print(f"wrote {output}", file=sys.stderr)


def _sample(args: argparse.Namespace, model) -> None:
    from hierc.backends.outputs import summary_variables
    from hierc.inference.diagnostics import diagnose
    from hierc.inference.sampling import fit_report

    options = _options(args)
    if args.prior and args.plots:
        raise _Fail("error: --plots draws a fit's diagnostics, and --prior does not fit")
    default = f"{Path(args.spec).stem}_{'prior' if args.prior else args.backend}.nc"
    output = check_writable(args.output or default, args.force, inputs=_inputs(args, model))
    if args.plots:
        from hierc.views.diagnostic_plots import plot_files

        plot_files(model, args.plots, args.force)  # before sampling, which a refusal later would waste
    bound = bind_data(model, args.data, args.spec)
    if args.prior:
        _sample_prior(args, model, bound, output)
        return
    with _stage(f"sampling with the {args.backend} backend"):
        idata = sample(model, bound, args.backend, args.encoding, args.engine, options, likelihood=args.likelihood)
    if args.log_likelihood or args.predictive:
        from hierc.inference.per_row import add_pointwise

        with _stage("computing the per-row " + ("log-likelihood" if args.log_likelihood else "replicates")):
            idata = add_pointwise(idata, bound, args.log_likelihood, args.predictive, seed=args.seed)
    partial = output.with_name(output.name + ".partial")
    idata.to_netcdf(str(partial))
    partial.replace(output)  # atomic: a reader of the old file, or an interrupted write, never sees half a file
    sys.stdout.write(fit_report(idata, summary_variables(model)))
    sys.stdout.write("\n" + diagnose(idata, model).text())
    if args.log_likelihood:
        from hierc.inference.per_row import loo_text

        sys.stdout.write("\n" + loo_text(idata))
    print(f"posterior saved to {output}", file=sys.stderr)
    if args.plots:
        from hierc.views.diagnostic_plots import plot_diagnostics

        for path in plot_diagnostics(idata, model, args.plots, args.force):
            print(f"wrote {path}", file=sys.stderr)


@contextlib.contextmanager
def _stage(what: str):
    """A line on stderr when a step starts and one with its time when it ends, terminal or not."""
    print(f"{what} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    yield
    print(f"{what}: done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


def _predict(args: argparse.Namespace, model) -> None:
    from hierc.api import predict
    from hierc.inference.prediction import prediction_table
    from hierc.inference.sampling import import_arviz

    output = (
        check_writable(args.output, args.force, inputs=(*_inputs(args, model), args.posterior)) if args.output else None
    )
    posterior = Path(args.posterior)
    if not posterior.is_file():
        raise _Fail(f"error: {posterior}: no such posterior file")
    try:
        idata = import_arviz().from_netcdf(str(posterior))
    except (OSError, ValueError) as error:
        raise _Fail(f"error: {posterior}: cannot read it as a posterior (NetCDF): {error}") from None
    result = predict(idata, model, args.data, args.kind, args.new_levels, args.seed)
    sys.stdout.write(prediction_table(result, model))
    if output is not None:
        partial = output.with_name(output.name + ".partial")
        result.to_netcdf(str(partial))
        partial.replace(output)
        print(f"predictions saved to {output}", file=sys.stderr)


def _sample_prior(args: argparse.Namespace, model, bound, output: Path) -> None:
    from hierc.api import sample_prior
    from hierc.inference.prior import prior_report

    idata = sample_prior(model, bound, args.draws, args.seed)
    partial = output.with_name(output.name + ".partial")
    idata.to_netcdf(str(partial))
    partial.replace(output)
    sys.stdout.write(prior_report(idata, model))
    print(f"prior saved to {output}", file=sys.stderr)


def _options(args: argparse.Namespace):
    from hierc.inference.sampling import SampleOptions

    return SampleOptions(args.chains, args.draws, args.tune, args.seed, args.target_accept, args.verbose)


def _choices(text: str, allowed, what: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    for part in chosen:
        if part not in allowed:
            raise _Fail(f"error: unknown {what} `{part}`; choose from {', '.join(allowed)}")
    return chosen


def _compare(args: argparse.Namespace, model) -> int:
    from hierc.inference.compare import Lowering, compare

    backends = _choices(args.backends, BACKENDS, "backend")
    encodings = _choices(args.encodings, [e.value for e in Encoding], "encoding")
    params = _choices(args.params, [p.value for p in Parameterization], "parameterization") if args.params else [None]
    likelihoods = _choices(args.likelihoods, [v.value for v in Likelihood], "likelihood")
    lowerings = [
        Lowering(backend, encoding, Parameterization(param) if param else None, Likelihood(likelihood))
        for backend in backends
        for encoding in ([Encoding(e) for e in encodings] if encoding_of(backend, None) else [None])
        for param in params
        for likelihood in likelihoods
    ]
    comparison = compare(model, args.data, lowerings, _options(args), args.alpha, spec_path=args.spec)
    sys.stdout.write(comparison.report())
    return 0 if comparison.agree else DIFFER


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        status = _run(args)
    except UserError as error:
        print(error.render(), file=sys.stderr)
        return USER_ERROR
    except _Fail as error:
        print(error, file=sys.stderr)
        return USER_ERROR
    return status or 0
