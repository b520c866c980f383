"""The `hierc` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hierc import __version__
from hierc.dump import dump
from hierc.errors import SpecError
from hierc.pipeline import load_source
from hierc.source import Source
from hierc.summary import summarize

USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hierc", description="A compiler for hierarchical Bayesian models.")
    parser.add_argument("--version", action="version", version=f"hierc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="parse and validate a spec, print a summary of the model",
        description="Parse and validate a spec and print a summary of the model it means.",
    )
    check.add_argument("spec", help="the .hm file")
    check.add_argument("--dump", choices=("ast", "ir"), help="print the syntax tree or the IR instead of the summary")
    return parser


def _read(path: str) -> Source:
    try:
        return Source.from_file(path)
    except FileNotFoundError:
        raise _Fail(f"{path}: error: no such file") from None
    except IsADirectoryError:
        raise _Fail(f"{path}: error: is a directory, not a spec file") from None
    except UnicodeDecodeError as error:
        raise _Fail(f"{path}: error: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise _Fail(f"{path}: error: cannot read: {error.strerror}") from None


class _Fail(Exception):
    """A user error that is not in spec text (a missing file, ...)."""


def _check(args: argparse.Namespace) -> None:
    source = _read(args.spec)
    spec, model = load_source(source)
    if args.dump == "ast":
        sys.stdout.write(dump(spec))
    elif args.dump == "ir":
        sys.stdout.write(dump(model))
    else:
        sys.stdout.write(summarize(model, source.name))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _check(args)
    except SpecError as error:
        print(error.render(), file=sys.stderr)
        return USER_ERROR
    except _Fail as error:
        print(error, file=sys.stderr)
        return USER_ERROR
    return 0
