"""Formula functions and a transformed response across the backends: `I(...)`, `poly()`, `bs()`, `log(y) ~`.

Binding is checked against NumPy and formulae in tests/test_design.py; here the generated PyMC script and
Bambi's model read the same columns as hierc's binding (their log densities are hierc's), and a
gaussian model of `log(y)` is a lognormal model of `y`: their log densities differ by the Jacobian,
sum(log y), at every point.
"""

from __future__ import annotations

import numpy as np
import pytest

import hierc
from fake_data import fake_frame
from hierc.backends.pymc.model import pymc_model
from hierc.backends.pymc.script import pymc_script
from hierc.data.design import bind
from hierc.errors import DataError
from pymc_helpers import import_script, logp_function, random_points
from test_bambi import assert_same_log_density
from test_pymc_codegen import assert_same_inputs

FUNCTIONS = "y ~ 1 + I(x^2) + I(-(x - 1) * z) + I(log(w) / 2) + poly(z, 2) + bs(w, 4) + (1 + I(x^2) || g)\n"
TRANSFORMED = "log(y) ~ 1 + x + (1 | g)\n"


@pytest.mark.parametrize("text", [FUNCTIONS, TRANSFORMED, "sqrt(log1p(y)) ~ 1 + I(x * z)\n"])
def test_the_script_computes_the_columns_and_the_response_as_the_binding_does(text, tmp_path):
    model = hierc.loads(text)
    frame = fake_frame(model, n=60, seed=2)
    path = tmp_path / "script.py"
    path.write_text(pymc_script(model, "vectorized"))
    script = import_script(path, f"script_{abs(hash(text))}")
    bound = bind(model, frame)
    assert_same_inputs(*script.prepare(frame), bound)
    from_script, in_process = logp_function(script.build_model(frame)), logp_function(pymc_model(bound))
    for point in random_points(pymc_model(bound)):
        assert from_script(point) == pytest.approx(in_process(point), rel=1e-12)


def test_a_gaussian_model_of_log_y_is_a_lognormal_model_of_y():
    transformed = hierc.loads(TRANSFORMED)
    lognormal = hierc.loads("y ~ 1 + x + (1 | g)\nfamily lognormal\n")
    frame = fake_frame(lognormal, n=70, seed=3)
    first, second = pymc_model(bind(transformed, frame)), pymc_model(bind(lognormal, frame))
    assert set(first.named_vars) ^ set(second.named_vars) == {"log_y", "y"}  # the observed variables' names
    logp_first, logp_second = logp_function(first), logp_function(second)
    jacobian = np.log(frame["y"]).sum()  # log p(y) = log p(log y) - sum(log y)
    for point in random_points(first):
        assert logp_first(point) - logp_second(point) == pytest.approx(jacobian, rel=1e-10)


def test_bambi_reads_arithmetic_and_a_transformed_response_as_hierc_does():
    for text in [
        "y ~ 1 + I(x^2) + I(-(x - 1) * z) + (1 + I(x^2) || g)\n",
        "log(y) ~ 1 + x + (1 | g)\nfamily student_t\n",
    ]:
        model = hierc.loads(text)
        assert_same_log_density(model, fake_frame(model, n=60, seed=4))


def test_a_transformed_response_is_named_and_checked_as_written():
    model = hierc.loads(TRANSFORMED)
    assert model.response.label == "log(y)" and hierc.naming.names(model).response == "log_y"
    frame = fake_frame(model, n=20, seed=1)
    frame.loc[4, "y"] = -1.0
    with pytest.raises(DataError, match=r"`log\(y\)` needs positive values") as caught:
        bind(model, frame, "d.csv")
    assert caught.value.line == 6
