"""Which operations dominate the gradient of hierc's PyMC models: `python -m bench.profile`.

Compiles the log density and its gradient of a benchmark model with PyTensor's
profiler (its C backend: nutpie's numba functions have no per-operation
profile, but run the same graph) and prints the operations that take the most
time over repeated evaluations at one point.
"""

from __future__ import annotations

import argparse
import io
import time
import warnings

from bench.case import frame_of
from bench.data import ROOT, SPECS
from bench.run import parse_size


def profile(model_name: str, size: tuple[int, int], encoding: str, likelihood: str, repeats: int) -> str:
    warnings.simplefilter("ignore")
    import pytensor

    import hierc
    from hierc.backends.pymc.model import pymc_model

    model = hierc.load(ROOT / "specs" / f"{SPECS[model_name]}.hm")
    bound = hierc.bind_data(model, frame_of({"model": model_name, "size": list(size)}))
    pm_model = pymc_model(bound, encoding, suffstats=likelihood == "suffstats")
    logp = pm_model.logp()
    function = pytensor.function(
        pm_model.value_vars, [logp, *pytensor.gradient.grad(logp, pm_model.value_vars)], profile=True
    )
    point = pm_model.initial_point()
    values = [point[v.name] + 0.1 for v in pm_model.value_vars]
    start = time.perf_counter()
    for _ in range(repeats):
        function(*values)
    each = 1000 * (time.perf_counter() - start) / repeats
    out = io.StringIO()
    function.profile.summary(file=out, n_ops_to_print=8, n_apply_to_print=8)
    text = out.getvalue()
    ops = text[text.index("Ops\n---") : text.index("Here are tips")].rstrip()
    what = f"{model_name} {size[0]}x{size[1]}, pymc / {encoding} / {likelihood}"
    return f"{what}: {each:.2f} ms per log density and gradient\n\n{ops}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="zerosum", choices=sorted(SPECS))
    parser.add_argument("--size", default="1000x200", help="the zero-sum model's GROUPSxROWS (default: %(default)s)")
    parser.add_argument("--encoding", default="vectorized", choices=["vectorized", "unrolled"])
    parser.add_argument("--likelihood", default="rows", choices=["rows", "suffstats"])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    print(profile(args.model, parse_size(args.size), args.encoding, args.likelihood, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
