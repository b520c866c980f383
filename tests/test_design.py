"""Data binding: design matrices, levels, statistics, and every data error with its location."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hierc
from conftest import ROOT
from fake_data import fake_frame
from hierc.data.design import DataCoding, bind, read_table
from hierc.errors import DataError
from hierc.language.vocabulary import Stat


def model(text: str) -> hierc.ir.Model:
    return hierc.loads(text)


def test_treatment_coding_interactions_and_transforms():
    m = model("y ~ 1 + log(d) * C(season) + scale(x) + (1 + x | g)")
    frame = pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "d": [1.0, 2.0, 4.0, 8.0, 1.0, 2.0],
            "season": ["winter", "summer", "spring", "winter", "summer", "spring"],
            "x": [1.0, 2.0, 3.0, 4.0, 5.0, 7.0],
            "g": [3, 1, 2, 3, 10, 1],
        }
    )
    bound = bind(m, frame)
    assert bound.X.names == (
        "log(d)",
        "season[summer]",
        "season[winter]",
        "log(d):season[summer]",
        "log(d):season[winter]",
        "scale(x)",
    )
    X = bound.X.matrix
    assert np.allclose(X[:, 0], np.log(frame["d"]))
    assert np.allclose(X[:, 1], frame["season"] == "summer")  # `spring`, first in sorted order, is the reference
    assert np.allclose(X[:, 4], np.log(frame["d"]) * (frame["season"] == "winter"))
    assert np.isclose(X[:, 5].std(ddof=1), 1) and np.isclose(X[:, 5].mean(), 0)
    assert bound.term_widths == {"log(d)": 1, "season": 2, "log(d):season": 2, "scale(x)": 1, "x": 1}
    group = bound.groups["g"]
    assert group.levels == ("1", "2", "3", "10")  # numbers in numeric order
    assert list(group.index) == [2, 0, 1, 2, 3, 0]
    assert bound.group_coefficient_names("g") == ("Intercept", "x")


def test_reference_level_and_interacting_grouping_factors():
    m = model('y ~ C(method, ref = "old") + (1 | school:grader)')
    frame = pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.0, 4.0],
            "method": ["new", "old", "alt", "old"],
            "school": ["s1", "s1", "s2", "s2"],
            "grader": ["b", "a", "a", "a"],
        }
    )
    bound = bind(m, frame)
    assert bound.X.names == ("method[alt]", "method[new]")
    assert bound.groups["school:grader"].levels == ("s1:a", "s1:b", "s2:a")
    assert list(bound.groups["school:grader"].index) == [1, 0, 2, 2]


def test_response_statistics_for_default_priors():
    m = model("y ~ x")
    bound = bind(m, pd.DataFrame({"y": [1.0, 2.0, 6.0], "x": [0.0, 1.0, 3.0]}))
    assert bound.stat(Stat.RESPONSE_MEAN) == 3.0
    assert np.isclose(bound.stat(Stat.RESPONSE_SD), np.std([1, 2, 6], ddof=1))


@pytest.mark.parametrize(
    ("spec", "frame", "message", "line"),
    [
        ("y ~ x", {"y": [1.0, 2.0], "z": [1.0, 2.0]}, "the spec uses the column `x`, which the data do not have", None),
        ("y ~ x", {"y": [1.0, 2.0, 3.0], "x": [1.0, None, 3.0]}, "column `x` has a missing value", 3),
        (
            "y ~ x",
            {"y": [1.0, 2.0, 3.0], "x": ["1", "2", "big"]},
            "column `x` must be numeric, but has the value 'big'",
            4,
        ),
        (
            "y ~ x",
            {"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0, float("inf")]},
            "`x` must be numeric, but has the value inf",
            4,
        ),
        ("y ~ log(x)", {"y": [1.0, 2.0, 3.0], "x": [1.0, 0.0, -2.0]}, "`log(x)` needs positive values", 3),
        ('y ~ C(m, ref = "z")', {"y": [1.0, 2.0], "m": ["a", "b"]}, "reference level 'z' of `C(m)`", None),
        ("y ~ C(m)", {"y": [1.0, 2.0], "m": ["a", "a"]}, "has only one level", None),
        ("y ~ x\nfamily bernoulli", {"y": [0, 1, 2], "x": [1.0, 2.0, 3.0]}, "must be 0 or 1", 4),
        ("y ~ x\nfamily poisson", {"y": [0, 1.5, 2], "x": [1.0, 2.0, 3.0]}, "must be counts", 3),
        ("y | se(s) ~ 1", {"y": [1.0, 2.0], "s": [1.0, -1.0]}, "must be positive", 3),
        ("y | weights(w) ~ 1", {"y": [1.0, 2.0], "w": [1.0, -0.5]}, "weights `w` must be zero or positive: -0.5", 3),
        ("y | weights(w) ~ 1", {"y": [1.0, 2.0], "w": [1.0, float("nan")]}, "`w`", 3),
        ("y | trials(n) ~ 1\nfamily binomial", {"y": [3, 9], "n": [5, 5]}, "cannot exceed its number of trials", 3),
        ("y ~ x", {"y": [1.0, 2.0], "x": [4.0, 4.0]}, "the design column `x` is constant", None),
        # Stan's integers have 32 bits: a larger count would be written as a wrong number
        ("y ~ x\nfamily poisson", {"y": [1, 2, 1e300], "x": [1.0, 2.0, 3.0]}, "at most 2147483647", 4),
        ("y ~ x\nfamily poisson", {"y": [1, 2, 10**20], "x": [1.0, 2.0, 3.0]}, "at most 2147483647", 4),
        (
            "y | trials(n) ~ 1\nfamily binomial",
            {"y": [3, 4], "n": [5, 3e9]},
            "trials `n` must be whole numbers from 1 to 2147483647",
            3,
        ),
        ("y ~ x\nfamily cumulative", {"y": [1, 0, 2], "x": [1.0, 2.0, 3.0]}, "must be ordered categories", 3),
        ("y ~ x\nfamily cumulative", {"y": [1, 2.5, 2], "x": [1.0, 2.0, 3.0]}, "must be ordered categories", 3),
        ("y ~ x\nfamily cumulative", {"y": ["lo", "hi"], "x": [1.0, 2.0]}, "has labels in no given order", None),
        ("y ~ x\nfamily cumulative", {"y": [1, 1], "x": [1.0, 2.0]}, "needs at least two categories", None),
        # levels p:q with r, and p with q:r, would both be p:q:r
        (
            "y ~ 1 + (1 | a:b)",
            {"y": [1.0, 2.0, 3.0], "a": ["p", "p:q", "p"], "b": ["q:r", "r", "q:r"]},
            "the level 'p:q' of `a` holds `:`, which joins the levels of `a:b`",
            3,
        ),
        ("y ~ I(x / z)", {"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0, 3.0], "z": [1.0, 0.0, 2.0]}, "`I(x / z)` is not a", 3),
        ("y ~ I((-x)^0.5)", {"y": [1.0, 2.0], "x": [-1.0, 2.0]}, "`I((-x)^0.5)` is not a finite number", 3),
        ("y ~ I(log(x - 1))", {"y": [1.0, 2.0], "x": [3.0, 1.0]}, "`log(x - 1)` needs positive values", 3),
        ("y ~ poly(x, 3)", {"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0, 2.0]}, "more distinct values of `x`", None),
        (
            "y ~ bs(x, 5)",
            {"y": [1.0, 2.0, 3.0, 4.0], "x": [1.0, 2.0, 2.0, 3.0]},
            "places 2 inner knots between the ends of `x`, which has only 3 distinct values",
            None,
        ),
        # sd(x) and sd(y) overflow: the default priors would be degenerate
        ("y ~ x", {"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0, -1e300]}, "`x` has values too large", None),
        ("y ~ x", {"y": [1.0, 2.0, 1e300], "x": [1.0, 2.0, 3.0]}, "`y` has values too large", None),
    ],
)
def test_data_errors_name_the_column_and_line(spec, frame, message, line):
    with pytest.raises(DataError) as caught:
        bind(model(spec), pd.DataFrame(frame), "d.csv")
    error = caught.value
    assert message in error.message
    assert error.line == line
    assert error.render().startswith(f"d.csv:{line}: error: " if line else "d.csv: error: ")


def test_a_misspelled_column_gets_a_suggestion():
    with pytest.raises(DataError) as caught:
        bind(model("y ~ flor"), pd.DataFrame({"y": [1.0, 2.0], "floor": [0.0, 1.0]}), "d.csv")
    assert caught.value.hint == "did you mean `floor`?"


def test_several_bad_lines_are_listed():
    with pytest.raises(DataError) as caught:
        bind(model("y ~ x"), pd.DataFrame({"y": [1.0] * 9, "x": [None] * 9}), "d.csv")
    assert "(also on lines 3, 4, 5, 6 and 4 more)" in caught.value.message


def test_read_table_errors(tmp_path):
    with pytest.raises(DataError, match="no such data file"):
        read_table(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        read_table(empty)
    twice = tmp_path / "twice.csv"
    twice.write_text("y,x,x\n1,2,3\n")
    with pytest.raises(DataError, match="the column `x` appears twice in the header"):
        read_table(twice)
    with pytest.raises(DataError, match="the data have two columns `x`"):
        bind(model("y ~ x"), pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 1.0, 0.0]], columns=["y", "x", "x"]))


def test_every_spec_binds_fake_data():
    for spec in sorted((ROOT / "specs").glob("*.hm")):
        m = hierc.load(spec)
        bound = bind(m, fake_frame(m))
        assert bound.n == 60
        assert set(bound.groups) == {b.factor.label for b in m.groups}


def test_eight_schools_data_file_is_found_next_to_the_spec():
    m = hierc.load(ROOT / "specs" / "eight_schools.hm")
    bound = hierc.bind_data(m, None, ROOT / "specs" / "eight_schools.hm")
    assert bound.groups["school"].levels == tuple("ABCDEFGH")
    assert list(bound.y) == [28, 8, -3, 7, -1, 1, 18, 12]


def test_an_ordinal_response_is_coded_1_to_k_in_its_order():
    """Whole numbers as they are (K the largest, unobserved categories between kept); an ordered Categorical by
    its categories' order, the unobserved ones included; the thresholds named by the categories they separate."""
    numbers = bind(model("y ~ x\nfamily cumulative"), pd.DataFrame({"y": [1, 4, 2], "x": [1.0, 2.0, 3.0]}))
    assert list(numbers.y) == [1, 4, 2] and numbers.thresholds == ("1|2", "2|3", "3|4")
    levels = ["never", "sometimes", "often", "always"]
    labels = pd.Categorical(["often", "never", "often"], categories=levels, ordered=True)
    bound = bind(model("y ~ x\nfamily cumulative"), pd.DataFrame({"y": labels, "x": [1.0, 2.0, 3.0]}))
    assert list(bound.y) == [3, 1, 3]
    assert bound.thresholds == ("never|sometimes", "sometimes|often", "often|always")
    again = DataCoding.from_json(bound.coding.to_json())
    assert again.categories == tuple(levels)


def test_arithmetic_follows_rs_precedence():
    """`I(...)` against the same arithmetic written in NumPy: `^` before unary minus, and to the right."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"y": rng.normal(size=7), "x": rng.uniform(1, 2, 7), "z": rng.uniform(1, 2, 7)})
    frame["k"] = np.arange(7)
    x, z, k = frame["x"].to_numpy(), frame["z"].to_numpy(), frame["k"].to_numpy()
    expected = {
        "I(x^2)": x**2,
        "I(-x^2)": -(x**2),
        "I((-2)^k)": (-2.0) ** k,
        "I(2^x^2)": 2 ** (x**2),
        "I(x - z - 1)": (x - z) - 1,
        "I(x / z / 2)": (x / z) / 2,
        "I(x * z + 1)": x * z + 1,
        "I(x^-1)": 1 / x,
        "I(log(x) * sqrt(z + 1))": np.log(x) * np.sqrt(z + 1),
        "I(scale(x^2))": (x**2 - (x**2).mean()) / (x**2).std(ddof=1),
    }
    bound = bind(model(f"y ~ {' + '.join(expected)}"), frame)
    assert bound.X.names == tuple(expected)
    np.testing.assert_allclose(bound.X.matrix, np.column_stack(list(expected.values())), rtol=1e-14)
    grouped = bind(model("y ~ I(x - (z - 1))"), frame)
    np.testing.assert_allclose(grouped.X.matrix[:, 0], x - (z - 1), rtol=1e-14)


def test_b_splines_are_rs_and_new_data_reuse_the_fitted_knots():
    """`bs(x, 5)` is R's `splines::bs(x, df = 5)`: SciPy's B-spline design matrix (another implementation than
    formulae's, which hierc uses) on knots at R's quantiles of x, less its first column; with that column the
    basis sums to 1 at every row. Rows bound as new data get the fitted knots, and those survive the JSON."""
    from scipy.interpolate import BSpline

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"y": rng.normal(size=60), "x": rng.gamma(2.0, 2.0, 60)})
    for df, degree in ((5, 3), (4, 2), (3, 1), (3, 3)):
        text = f"y ~ bs(x, {df})" if degree == 3 else f"y ~ bs(x, df = {df}, degree = {degree})"
        bound = bind(model(text), frame)
        x = frame["x"].to_numpy()
        inner = np.quantile(x, np.arange(1, df - degree + 1) / (df - degree + 1))  # R's type 7 quantiles
        knots = np.concatenate([[x.min()] * (degree + 1), inner, [x.max()] * (degree + 1)])
        full = BSpline.design_matrix(x, knots, degree).toarray()
        np.testing.assert_allclose(bound.X.matrix, full[:, 1:], atol=1e-13)
        np.testing.assert_allclose(full.sum(axis=1), 1, atol=1e-13)
        label = model(text).terms[0].label
        assert bound.X.names == tuple(f"{label}[{k}]" for k in range(1, df + 1))
    coding = DataCoding.from_json(bound.coding.to_json())
    assert coding == bound.coding and set(coding.splines) == {"bs(x, 3)"}
    rows = [3, 17, 29]
    new = bind(model("y ~ bs(x, 3)"), frame.iloc[rows].drop(columns="y").reset_index(drop=True), fitted=coding)
    np.testing.assert_allclose(new.X.matrix, bound.X.matrix[rows], atol=1e-12)


def test_orthogonal_polynomials_are_rs_and_new_data_reuse_the_fitted_recurrence():
    """`poly(x, 3)` equals formulae's `poly` (R's); rows bound as new data get the fitted rows' values, not
    polynomials orthogonal over the new rows; the recurrence survives the posterior's JSON."""
    import warnings

    from formulae import design_matrices

    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"y": rng.normal(size=40), "x": rng.uniform(0, 10, 40), "g": rng.choice(["a", "b"], 40)})
    m = model("y ~ poly(x, 3) + poly(log(x), 2):C(g)")
    bound = bind(m, frame)
    assert bound.X.names[:3] == ("poly(x, 3)[1]", "poly(x, 3)[2]", "poly(x, 3)[3]")
    assert bound.X.names[3:] == ("poly(log(x), 2)[1]:g[b]", "poly(log(x), 2)[2]:g[b]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = np.asarray(design_matrices("y ~ poly(x, 3)", frame).common)[:, 1:]
    np.testing.assert_allclose(bound.X.matrix[:, :3], reference, atol=1e-13)
    P = bound.X.matrix[:, :3]
    np.testing.assert_allclose(P.T @ P, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(P.sum(axis=0), 0, atol=1e-12)
    coding = DataCoding.from_json(bound.coding.to_json())
    assert coding == bound.coding and set(coding.polynomials) == {"poly(x, 3)", "poly(log(x), 2)"}
    rows = [3, 17, 29]
    new = bind(m, frame.iloc[rows].drop(columns="y").reset_index(drop=True), fitted=coding)
    np.testing.assert_allclose(new.X.matrix, bound.X.matrix[rows], atol=1e-12)
