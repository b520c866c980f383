"""cumulative: an ordinal response 1..K with P(y <= k) = F(Intercept[k] - eta), as brms's `cumulative`.

F is the inverse link (logistic or standard normal); the K - 1 ordered thresholds `Intercept` take the
intercept's place, so eta has none. Stan's `ordered_logistic`/`ordered_probit` are this model, and so are
PyMC's `OrderedLogistic`/`OrderedProbit`, but their log densities are inexact (-inf far out; probit off by
1e-7), so generated PyMC code calls helpers of the same names (`script_helpers.py`) that are exact.
"""

from __future__ import annotations

from hierc.families.declaration import FamilyDeclaration, PyMC, Reference, ResponseKind, Stan, Template
from hierc.language.vocabulary import Family, Link


def _log_cdf(link: Link):
    from scipy import special

    return special.log_expit if link is Link.LOGIT else special.log_ndtr


def _bounds(rows, eta, thresholds):
    """Each row's upper and lower threshold less eta: the category y lies between Intercept[y - 1] and
    Intercept[y], with Intercept[0] = -inf and Intercept[K] = inf."""
    import numpy as np

    eta = np.asarray(eta, dtype=float)
    cuts = np.asarray(thresholds, dtype=float)
    shape = np.broadcast_shapes(eta.shape, cuts.shape[:-1])
    infinite = np.full((*cuts.shape[:-1], 1), np.inf)
    padded = np.broadcast_to(np.concatenate([-infinite, cuts, infinite], axis=-1), (*shape, cuts.shape[-1] + 2))
    y = np.broadcast_to(np.asarray(rows.y, dtype=int), shape)[..., None]
    upper = np.take_along_axis(padded, y, axis=-1)[..., 0]
    lower = np.take_along_axis(padded, y - 1, axis=-1)[..., 0]
    return upper - eta, lower - eta


def _log_density(link: Link):
    def log_density(rows, eta, mean, aux):
        """log(F(upper) - F(lower)), from whichever tail keeps the difference accurate (F is symmetric)."""
        import numpy as np

        log_cdf = _log_cdf(link)
        upper, lower = _bounds(rows, eta, aux["thresholds"])
        tail = upper + lower > 0  # mostly in the upper tail: 1 - F(lower) - (1 - F(upper)), F(-x) = 1 - F(x)
        big = np.where(tail, log_cdf(-lower), log_cdf(upper))
        small = np.where(tail, log_cdf(-upper), log_cdf(lower))
        with np.errstate(divide="ignore"):
            return big + np.log1p(-np.exp(small - big))

    return log_density


def _log_density_from_cdf(rows, eta, mean, aux):
    """log P(y) from `mean`, which for an ordinal family is P(y <= k) for each threshold k (last axis)."""
    import numpy as np

    below = np.asarray(mean)
    padded = np.concatenate([np.zeros((*below.shape[:-1], 1)), below, np.ones((*below.shape[:-1], 1))], axis=-1)
    y = np.broadcast_to(np.asarray(rows.y, dtype=int), below.shape[:-1])[..., None]
    with np.errstate(divide="ignore"):
        return np.log(np.take_along_axis(padded, y, -1) - np.take_along_axis(padded, y - 1, -1))[..., 0]


def _draw(rng, rows, mean, aux):
    """The category: 1 plus the number of thresholds k with P(y <= k) below a uniform draw."""
    below = mean
    u = rng.uniform(size=below.shape[:-1])
    return 1 + (below < u[..., None]).sum(axis=-1)


def _expected(rows, mean, aux):
    """E[y] = 1 + the sum over k of P(y > k): the expected category, 1..K."""
    return 1 + (1 - mean).sum(axis=-1)


def _stan(name: str) -> str:
    return f"{name}({{eta}}, {{thresholds}})"


def _pymc(name: str) -> Template:
    return Template(name, (("eta", "{eta}"), ("cutpoints", "{thresholds}")))  # script helpers: categories 1..K


CUMULATIVE = FamilyDeclaration(
    Family.CUMULATIVE,
    aliases=("ordinal", "ordered_logistic", "ordered_logit", "ordered_probit", "ologit", "oprobit", "polr"),
    links=(Link.LOGIT, Link.PROBIT),
    auxiliary=(),
    response=ResponseKind.ORDINAL,
    stan=Stan(None, on_link={Link.LOGIT: _stan("ordered_logistic"), Link.PROBIT: _stan("ordered_probit")}),
    pymc=PyMC(
        None,
        on_link={Link.LOGIT: _pymc("ordered_logistic"), Link.PROBIT: _pymc("ordered_probit")},
    ),
    reference=Reference(
        _log_density_from_cdf,
        _draw,
        on_link={Link.LOGIT: _log_density(Link.LOGIT), Link.PROBIT: _log_density(Link.PROBIT)},
        expected=_expected,
    ),
    bambi=None,  # Bambi 0.17 has `cumulative`; hierc does not lower to it yet
    thresholds=True,
)
