"""What the zero-inflated and hurdle families share: their probability of a zero, and Stan's split of the rows.

A zero-inflated family (brms's parameterization) is a zero with probability zi, else a draw of the count
family, which may be a zero too. A hurdle family is a zero with probability hu, else a draw of the count
family truncated to 1, 2, ... (or, for amounts, of a positive family). PyMC's distributions take psi, the
probability of the other part: 1 - zi and 1 - hu.
"""

from __future__ import annotations

from hierc.families.declaration import Auxiliary
from hierc.language.vocabulary import Dist, ParamClass

ZI = Auxiliary(
    ParamClass.ZI,
    "zero-inflation: the probability of an extra zero",
    lambda sd: (Dist.BETA, (("alpha", 1.0), ("beta", 1.0))),  # brms's default
)
HU = Auxiliary(
    ParamClass.HU,
    "hurdle: the probability of a zero",
    lambda sd: (Dist.BETA, (("alpha", 1.0), ("beta", 1.0))),  # brms's default
)


# Stan has no vectorized zero-inflated or hurdle density: the families' functions split the rows into zeros
# and the others (the only loop, over integers), then apply vectorized densities to each part.
def _rows_where_zero(kind: str) -> str:
    """Stan functions that find the zeros of `y`, an `array[] int` (counts) or a `vector` (amounts)."""
    return f"""\
  // The number of rows whose value is zero.
  int count_zeros({kind} y) {{
    int n = 0;
    for (i in 1:size(y)) {{
      n += y[i] == 0;
    }}
    return n;
  }}
  // The n rows whose value is zero (`zero` = 1), or the n rows whose value is not (0).
  array[] int rows_where_zero({kind} y, int zero, int n) {{
    array[n] int rows = rep_array(0, n);
    int j = 1;
    for (i in 1:size(y)) {{
      if ((y[i] == 0) == zero) {{
        rows[j] = i;
        j += 1;
      }}
    }}
    return rows;
  }}"""


ROWS_WHERE_ZERO = _rows_where_zero("array[] int")
ROWS_WHERE_ZERO_REAL = _rows_where_zero("vector")


def stan_function(
    name: str,
    arguments: str,
    probability: str,
    zero: str,
    positive: str,
    comment: str,
    counts: bool = True,
    per_row: bool = False,
) -> str:
    """A Stan `_lpmf` over all rows (`_lpdf` of a vector for amounts): `zero`, the sum of the log densities of
    the zero rows (`eta[zero]`), and `positive`, that of the other rows given they are not zero (`y[rest]`,
    `eta[rest]`). `per_row`: the overload whose auxiliary parameters are vectors, a value per row (from a
    formula), which `zero` and `positive` index by the rows they read."""
    signature = f"{name}_lpmf(array[] int y" if counts else f"{name}_lpdf(vector y"
    not_zero = f"sum(log1m({probability}[rest]))" if per_row else f"size(rest) * log1m({probability})"
    comment += "; its parameters a value per row" if per_row else ""
    return f"""\
  // {comment}
  real {signature}, vector eta, {arguments}) {{
    int n_zero = count_zeros(y);
    array[n_zero] int zero = rows_where_zero(y, 1, n_zero);
    array[size(y) - n_zero] int rest = rows_where_zero(y, 0, size(y) - n_zero);
    return {zero}
           + {not_zero} + {positive};
  }}"""


def zero_inflated(p_zero, log_count, mean, zi, y):
    """log p(y) of a zero-inflated count, given the count family's P(0) and log p(y) (NumPy)."""
    import numpy as np

    return np.where(y == 0, np.log(zi + (1 - zi) * p_zero(mean)), np.log1p(-zi) + log_count)


def hurdle(p_zero, log_count, mean, hu, y):
    """log p(y) of a hurdle count, given the count family's P(0) and log p(y) (NumPy)."""
    import numpy as np

    return np.where(y == 0, np.log(hu) + 0 * mean, np.log1p(-hu) + log_count - np.log1p(-p_zero(mean)))
