"""The Stan backend end to end, through pystan: log densities at random points, and a sampling run.

Each program is compiled once (about half a minute); httpstan caches builds by program text.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest
import stan
import xarray
from scipy import special, stats

import hierc
from conftest import ROOT
from fake_data import fake_frame
from hierc import naming
from hierc.backends.stan.codegen import _INVERSE_LINK, stan_program
from hierc.backends.stan.data import plain, stan_data
from hierc.data.design import bind
from hierc.data.layout import term_width
from hierc.families import FAMILIES, ResponseKind
from hierc.language.vocabulary import Encoding, Link

N_POINTS = 6


def build(program: str, data: dict) -> stan.model.Model:
    return stan.build(program, data=plain(data), random_seed=1)


def declared(program: str, block: str) -> list[str]:
    body = program.split(f"\n{block} {{\n", 1)[1].split("\n}\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\s*[^/\s].*?\b(\w+)(?: =.*)?;", body, re.MULTILINE)]


def parameter_values(posterior, program: str, unconstrained) -> dict[str, float]:
    """Constrained values of the parameters (not transformed parameters) by pystan's flat names."""
    names = posterior.constrained_param_names
    values = posterior.constrain_pars(list(unconstrained))
    own = set(declared(program, "parameters"))
    return {n: v for n, v in zip(names, values, strict=True) if n.split(".")[0] in own}


def context(values: dict[str, float]) -> dict[str, object]:
    """Flat pystan names (`zs_group.2.3`) back to named arrays, as Stan reads inits."""
    shapes: dict[str, tuple[int, ...]] = {}
    for name in values:
        base, *index = name.split(".")
        shape = tuple(int(i) for i in index)
        shapes[base] = tuple(max(a, b) for a, b in zip(shapes.get(base, shape), shape, strict=True))
    arrays = {base: np.zeros(shape) for base, shape in shapes.items()}
    for name, value in values.items():
        base, *index = name.split(".")
        arrays[base][tuple(int(i) - 1 for i in index)] = value
    return {base: a.tolist() if a.ndim else float(a) for base, a in arrays.items()}


def to_unrolled(model: hierc.ir.Model, bound, values: dict[str, float]) -> dict[str, float]:
    """Rename the vectorized program's parameter values to the unrolled program's parameters."""
    columns: dict[str, list[tuple[str, int, bool]]] = {}  # vector name -> per column (piece, index, piece is scalar)
    columns["b"] = [
        (naming.b_term(model, t.label), j, term_width(t).is_one)
        for t in model.terms
        for j in range(bound.term_widths[t.label])
    ]
    for block in model.groups:
        if block.correlated or len(block.coefficients) == 1:
            continue
        label, names = block.factor.label, naming.names(model)
        pieces = [(naming.INTERCEPT, 1, True)] if block.intercept else []
        pieces += [(t.label, bound.term_widths[t.label], term_width(t).is_one) for t in block.terms]
        columns[names.block(label).sd.removeprefix("sd_")] = [
            (names.block(label, coefficient).sd.removeprefix("sd_"), j, one)
            for coefficient, w, one in pieces
            for j in range(w)
        ]
    out = {}
    for name, value in values.items():
        base, *index = name.split(".")
        index = [int(i) for i in index]
        prefix, _, g = base.partition("_")
        if base == "b":
            piece, j, one = columns["b"][index[0] - 1]
            out[piece if one else f"{piece}.{j + 1}"] = value
        elif g in columns and prefix in ("sd", "z", "r", "zs", "beta"):
            column = index[0] if prefix in ("sd", "z") else index[1]
            rest = index[1:] if prefix in ("sd", "z") else index[:1]
            piece, j, one = columns[g][column - 1]
            parts = ([] if one else [str(j + 1)]) + [str(i) for i in rest]
            if prefix in ("r", "zs", "beta"):
                parts = [str(i) for i in rest] + ([] if one else [str(j + 1)])
            out[".".join([f"{prefix}_{piece}", *parts])] = value
        else:
            out[name] = value
    return out


# zero-sum and centered blocks in the default run; the binomial and Poisson specs with `-m equivalence`
@pytest.mark.parametrize(
    "spec",
    ["zerosum_slopes", "radon_centered"]
    + [pytest.param(s, marks=pytest.mark.equivalence) for s in ("seedling_binomial", "clinic_counts")],
)
def test_vectorized_and_unrolled_have_the_same_log_density(spec):
    model = hierc.load(ROOT / "specs" / f"{spec}.hm")
    bound = bind(model, fake_frame(model, n=80, seed=3))
    data = stan_data(bound)
    programs = {e: stan_program(model, e) for e in Encoding}
    vectorized, unrolled = (build(programs[e], data) for e in Encoding)
    rng = np.random.default_rng(7)
    own = set(declared(programs[Encoding.VECTORIZED], "parameters"))
    dimension = sum(n.split(".")[0] in own for n in vectorized.constrained_param_names)  # no Cholesky factors here
    differences = []
    for _ in range(N_POINTS):
        u = rng.normal(0, 0.7, dimension)
        values = parameter_values(vectorized, programs[Encoding.VECTORIZED], list(u))
        # the flat order round-trips, so the renaming below works on the right numbers
        assert np.allclose(vectorized.unconstrain_pars(context(values)), u)
        u_unrolled = unrolled.unconstrain_pars(context(to_unrolled(model, bound, values)))
        for adjust in (True, False):
            differences.append(
                (adjust, vectorized.log_prob(list(u), adjust) - unrolled.log_prob(list(u_unrolled), adjust))
            )
    for adjust in (True, False):
        d = np.array([v for a, v in differences if a is adjust])
        assert np.ptp(d) < 1e-8 * max(1.0, np.abs(d).max()), d


def pymc_extend_axis(free: np.ndarray) -> np.ndarray:
    """PyMC's ZeroSumTransform.backward (extend_axis) along axis 0, written out in NumPy."""
    n = free.shape[0] + 1
    total = free.sum(axis=0, keepdims=True)
    norm = total / (np.sqrt(n) + n)
    fill = norm - total / np.sqrt(n)
    return np.concatenate([free, fill], axis=0) - norm


def zero_sum_normal_logp(x: np.ndarray, sigma: float) -> float:
    """PyMC's ZeroSumNormal log density over the first axis (one zero-sum axis)."""
    n = x.shape[0]
    return float(np.sum(-0.5 * (x / sigma) ** 2) - (n - 1) * (math.log(math.sqrt(2 * math.pi)) + math.log(sigma)))


def test_zerosum_effects_are_pymcs_zero_sum_normal_over_the_groups():
    """The Stan encoding is PyMC's ZeroSumNormal over the group axis, transform and density both."""
    model = hierc.load(ROOT / "specs" / "zerosum_slopes.hm")
    bound = bind(model, fake_frame(model, n=90, levels=7, seed=5))
    program = stan_program(model, Encoding.VECTORIZED)
    posterior = build(program, stan_data(bound))
    J, Z, X, y = bound.groups["group"].index, bound.groups["group"].design.matrix, bound.X.matrix, bound.y
    rng = np.random.default_rng(11)
    gaps = []
    for _ in range(N_POINTS):
        u = rng.normal(0, 0.8, 3 + 3 + 6 * 3 + 1)
        names = posterior.constrained_param_names
        values = dict(zip(names, posterior.constrain_pars(list(u)), strict=True))
        b = np.array([values[f"b.{k}"] for k in (1, 2, 3)])
        sd = np.array([values[f"sd_group.{k}"] for k in (1, 2, 3)])
        sigma = values["sigma"]
        free = np.array([[values[f"zs_group.{i}.{k}"] for k in (1, 2, 3)] for i in range(1, 7)])
        r = np.array([[values[f"r_group.{i}.{k}"] for k in (1, 2, 3)] for i in range(1, 8)])
        assert np.allclose(r, pymc_extend_axis(free))  # the same map as PyMC's transform
        assert np.allclose(r.sum(axis=0), 0)  # each slope's effects sum to zero over the 7 groups
        assert not np.allclose(r.sum(axis=1), 0)  # and not across the slopes
        expected = (
            stats.norm.logpdf(b, 0, 2).sum()
            + stats.gamma.logpdf(sd, 4, scale=1 / 0.4).sum()
            + stats.halfnorm.logpdf(sigma, scale=200)
            + sum(zero_sum_normal_logp(r[:, k], sd[k]) for k in range(3))
            + stats.norm.logpdf(y, X @ b + np.sum(Z * r[J], axis=1), sigma).sum()
            + np.log(sd).sum()
            + np.log(sigma)  # Jacobians of the positive parameters; the zero-sum map adds none
        )
        gaps.append(posterior.log_prob(list(u), True) - expected)
    assert np.ptp(gaps) < 1e-8, gaps


def test_sample_from_the_command_line(tmp_path):
    output = tmp_path / "schools.nc"
    command = [sys.executable, "-m", "hierc", "sample", str(ROOT / "specs" / "eight_schools.hm")]
    command += ["--chains", "2", "--draws", "200", "--tune", "200", "--seed", "3", "-o", str(output)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^Intercept\s+-?\d", result.stdout, re.MULTILINE)
    assert re.search(r"^sd_school\s+\d", result.stdout, re.MULTILINE)
    assert "2 chains x 200 draws; divergent transitions: " in result.stdout
    assert "Sampling" in result.stderr  # progress is visible
    with xarray.open_dataset(output, group="posterior") as posterior:
        assert posterior["r_school"].dims == ("chain", "draw", "school")
        assert list(posterior["school"].values) == list("ABCDEFGH")
        assert posterior.sizes["draw"] == 200
        assert posterior.attrs["created_by"] == "hierc"
    # a second run may replace the file hierc wrote, but not a file the user wrote
    assert subprocess.run(command, capture_output=True, check=False, cwd=tmp_path).returncode == 0
    mine = tmp_path / "mine.nc"
    mine.write_text("my notes")
    result = subprocess.run(command[:-1] + [str(mine)], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "pass --force" in result.stderr
    assert mine.read_text() == "my notes"


def test_sample_from_python_labels_the_axes():
    model = hierc.load(ROOT / "specs" / "radon.hm")
    frame = fake_frame(model, n=60, levels=6, seed=2)
    options = hierc.SampleOptions(chains=1, draws=100, tune=100, seed=2)
    idata = hierc.sample(model, frame, backend="stan", options=options)
    posterior = idata.posterior
    assert list(posterior["coef"].values) == ["floor"]
    assert list(posterior["county__coef"].values) == ["Intercept", "floor"]
    assert posterior["r_county"].dims == ("chain", "draw", "county", "county__coef")
    assert posterior["cor_county"].shape == (1, 100, 2, 2)
    assert np.allclose(posterior["cor_county"].values[..., 0, 0], 1)
    # the original-scale intercept is the centred one minus the slope times the mean of floor
    mean_floor = frame["floor"].mean()
    expected = posterior["Intercept"] - posterior["b"].sel(coef="floor") * mean_floor
    assert np.allclose(posterior["b_Intercept"], expected)


def test_a_progress_message_cut_in_two_does_not_stop_a_chain():
    """httpstan reads the sampler's log in 8 KiB chunks and takes the progress from each chunk that holds
    `info:Iteration`; a chunk ending inside that message used to kill the chain (`pop from empty list`)."""
    import httpstan.views

    from hierc.backends.stan import engines

    engines._tolerate_split_progress_messages()
    engines._tolerate_split_progress_messages()  # idempotent: wrapped once
    pattern = httpstan.views.iteration_info_re
    assert isinstance(pattern.pattern, re.Pattern)
    whole = b'{"topic":"logger","values":["info:Iteration:  100 / 2000 [  5%]  (Warmup)"]}'
    assert pattern.findall(whole).pop() == b"Iteration:  100 / 2000 [  5%]  (Warmup)"
    assert pattern.findall(whole[:45]).pop() == b""  # cut after `info:Iteration`: no progress, no error


def test_a_chain_that_fails_is_a_clear_error(monkeypatch):
    """pystan reports a failed chain as a RuntimeError holding a C++ traceback; hierc says what Stan said."""
    from hierc.backends.stan import engines
    from hierc.inference.sampling import SampleOptions

    class Failing:
        def sample(self, **_):
            raise RuntimeError(
                "Exception during call to services function: `ValueError('Initialization failed.')`, "
                "traceback: `['  File ...']`"
            )

    monkeypatch.setattr(stan, "build", lambda *a, **k: Failing())
    with pytest.raises(hierc.BackendError) as caught:
        engines._sample_pystan("program", {}, SampleOptions(), {}, {})
    assert caught.value.render().startswith("error: Stan could not sample: Exception during call to services function")
    assert "Initialization failed." in str(caught.value) and "traceback" not in str(caught.value)


def test_routine_stan_messages_are_left_out_and_rejections_counted():
    import io

    from hierc.backends.stan.engines import _RoutineMessagesLeftOut

    console = io.StringIO()
    with _RoutineMessagesLeftOut(console):
        sys.stderr.write("Sampling:   0%\nSampling: 100% (800/800), done.\nMessages received during sampling:\n")
        for _ in range(2):
            sys.stderr.write(
                "  Gradient evaluation took 1.8e-05 seconds\n"
                "  1000 transitions using 10 leapfrog steps per transition would take 0.18 seconds.\n"
                "  Adjust your expectations accordingly!\n"
                "  Informational Message: The current Metropolis proposal is about to be rejected because of the "
                "following issue:\n  Exception: normal_lpdf: Scale parameter is 0, but must be positive! (in 'x')\n"
                "  If this warning occurs sporadically, such as for highly constrained variable types like "
                "covariance matrices, then the sampler is fine,\n"
                "  but if this warning occurs often then your model may be either severely ill-conditioned or "
                "misspecified.\n"
            )
        sys.stderr.write("  a message that matters\n")
    assert console.getvalue() == (
        "Sampling:   0%\nSampling: 100% (800/800), done.\nMessages from Stan during sampling:\n"
        "  a message that matters\n"
        "Stan rejected 2 proposals where a parameter left its support (usual early in warm-up; --verbose shows "
        "the messages)\n"
    )


def test_a_build_leaves_nothing_in_the_working_directory_and_names_the_interpreter_once(tmp_path, monkeypatch):
    import os

    from hierc.backends.stan.engines import _one_build_cache

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "executable", sys.prefix + "/bin/python3")
    with _one_build_cache():
        assert os.getcwd() != str(tmp_path)
        assert sys.executable == sys.prefix + "/bin/python"
        os.makedirs("build/temp")  # as the compiler does
    assert os.getcwd() == str(tmp_path) and list(tmp_path.iterdir()) == []
    assert sys.executable == sys.prefix + "/bin/python3"


_INVERSE = {Link.IDENTITY: lambda v: v, Link.LOG: np.exp, Link.LOGIT: special.expit, Link.PROBIT: special.ndtr}
_INVERSE[Link.CLOGLOG] = lambda v: -np.expm1(-np.exp(v))


def _family_cases() -> list[tuple]:
    """Every family x link x Stan form the backend writes: the sampling statement on the mean, the form on the
    linear predictor, the GLM function, and a censorable family's log cdf and log complementary cdf."""
    cases = []
    for family, declaration in FAMILIES.items():
        for link in declaration.links:
            forms = {"mean": declaration.stan.likelihood} if declaration.stan.likelihood else {}
            forms |= {"eta": declaration.stan.on_link[link]} if link in declaration.stan.on_link else {}
            forms |= {"glm": declaration.stan.glm[link]} if link in declaration.stan.glm else {}
            if declaration.censorable:
                forms |= {"lcdf": declaration.stan.likelihood, "lccdf": declaration.stan.likelihood}
            cases += [(family, link, form, template) for form, template in forms.items()]
            if declaration.auxiliary_classes and declaration.auxiliary_per_row:  # a vector of each, as a formula's
                per_row = {f: t for f, t in forms.items() if f != "glm" or declaration.stan.glm_per_row}
                cases += [(family, link, f"{form}, per row", template) for form, template in per_row.items()]
    return cases


def _family_program(cases: list[tuple]) -> str:
    """One program for every case: data pick the case, whose log density (constants kept) is the target."""
    auxiliary = sorted({cls.value for declaration in FAMILIES.values() for cls in declaration.auxiliary_classes})
    lines = ["data {", "  int N;", "  int which;", "  vector[N] y_real;", "  array[N] int y_int;", "  array[N] int T;"]
    lines += ["  vector[N] eta;", "  matrix[N, 1] X;", "  vector[1] b;", *(f"  real {name};" for name in auxiliary)]
    lines += [f"  vector[N] {name}_rows;" for name in auxiliary]  # each row's value, for the per-row forms
    lines.append("  vector[N] mean_eta;")  # the inverse link of eta, for the cdfs (below)
    lines.append("  ordered[3] thresholds;")
    functions = dict.fromkeys(
        f for declaration in FAMILIES.values() for f in declaration.stan.functions + declaration.stan.functions_per_row
    )
    lines = (["functions {", *functions, "}"] if functions else []) + lines
    # the cdfs read the mean as a model's local variable does, with autodiff: Stan 2.35's poisson_lcdf of data
    # alone (no parameter) reads freed memory; a generated model's `mu` is always such a local
    lines += ["}", "parameters {", "  real unused;", "}", "model {", "  vector[N] mean_local = mean_eta;"]
    for k, (family, link, form, template) in enumerate(cases, start=1):
        form, per_row = form.removesuffix(", per row"), form.endswith(", per row")
        fills = {name: f"{name}_rows" if per_row else name for name in auxiliary}
        fills |= {"eta": "eta", "alpha": "eta", "X": "X", "trials": "T", "thresholds": "thresholds"}
        cdf = form in ("lcdf", "lccdf")
        statement = template.format(**fills, mean="mean_local" if cdf else _INVERSE_LINK[link].format("eta"))
        name, arguments = statement.split("(", 1)
        integer = FAMILIES[family].response.integer
        function = form if cdf else "lpmf" if integer else "lpdf"
        density = f"{name}_{function}({'y_int' if integer else 'y_real'} | {arguments}"
        own = {"lcdf": FAMILIES[family].stan.log_cdf, "lccdf": FAMILIES[family].stan.log_ccdf}.get(form)
        if own is not None:  # the family's own cdf, as the program writes it for the rows of one kind
            y = "to_vector(y_int)" if integer else "y_real"
            density = f"sum({own.format(**fills, mean='mean_local', y=y)})"
        lines.append(f"  if (which == {k}) target += {density};")
    return "\n".join([*lines, "}", ""])


def test_every_family_link_and_form_has_scipys_log_density():
    """The Stan side of every family declaration, against SciPy (`_likelihood_by_scipy`): one program holds
    every case, and the data choose which one is the target."""
    for (family, link, form), ours, scipys in stan_and_scipy_log_densities():
        assert ours == pytest.approx(scipys, rel=1e-10), (family, link, form)


def stan_and_scipy_log_densities() -> list[tuple[tuple, float, float]]:
    """For every family x link x Stan form: Stan's log density (through pystan's log_prob) and SciPy's."""
    from test_censoring import scipy_distribution
    from test_pymc_codegen import _likelihood_by_scipy

    cases = _family_cases()
    program = _family_program(cases)
    rng = np.random.default_rng(4)
    n = 30
    eta, x, b = rng.uniform(-1.5, 1.5, n), rng.normal(size=(n, 1)), np.array([0.4])
    trials = rng.integers(1, 12, n)
    aux = {"sigma": 1.7, "nu": 4.5, "phi": 2.5, "shape": 2.2, "zi": 0.3, "hu": 0.4}
    responses = {
        ResponseKind.REAL: rng.normal(0.5, 1.5, n),
        ResponseKind.POSITIVE: rng.gamma(2.0, 1.5, n),
        ResponseKind.NONNEGATIVE: rng.gamma(2.0, 1.5, n) * rng.binomial(1, 0.7, n),
        ResponseKind.UNIT: rng.beta(2.0, 3.0, n),
        ResponseKind.BINARY: rng.integers(0, 2, n),
        ResponseKind.COUNT: rng.poisson(3.0, n) * rng.binomial(1, 0.7, n),  # zeros for the zero-inflated
        ResponseKind.ORDINAL: rng.integers(1, 5, n),  # 4 categories, between the 3 thresholds below
    }
    aux["thresholds"] = np.array([-0.8, 0.3, 1.5])
    # per row: the values scattered around the single ones, on the log or logit scale
    aux_rows = {
        name: value * np.exp(rng.normal(0, 0.3, n)) if name not in ("zi", "hu") else rng.uniform(0.1, 0.6, n)
        for name, value in aux.items()
        if name != "thresholds"
    }
    out = []
    for k, (family, link, form, _) in enumerate(cases, start=1):
        form, per_row = form.removesuffix(", per row"), form.endswith(", per row")
        values = aux | aux_rows if per_row else aux
        y = responses[FAMILIES[family].response]
        if FAMILIES[family].needs_trials:  # P(y > trials) is 0: a right-censored row is below its trials
            y = np.minimum(y, trials - (form == "lccdf"))
        integer = FAMILIES[family].response.integer
        data = {"N": n, "which": k, "y_real": np.ones(n) if integer else y, "y_int": y if integer else np.ones(n, int)}
        data |= {"T": trials, "eta": eta, "mean_eta": _INVERSE[link](eta), "X": x, "b": b}
        data |= {name: aux[name] for name in aux} | {f"{name}_rows": value for name, value in aux_rows.items()}
        total_eta = eta + x @ b if form == "glm" else eta
        expected = _likelihood_by_scipy(family, link, y, total_eta, values, trials)
        if form in ("lcdf", "lccdf"):  # the probabilities censored rows take, by SciPy's cdfs
            distribution = scipy_distribution(family, _INVERSE[link](eta), values, trials)
            expected = (distribution.logcdf(y) if form == "lcdf" else distribution.logsf(y)).sum()
        posterior = build(program, {k: np.asarray(v).tolist() if not np.isscalar(v) else v for k, v in data.items()})
        name = f"{form}, per row" if per_row else form
        out.append(((family, link, name), float(posterior.log_prob([0.0])), float(expected)))
    return out
