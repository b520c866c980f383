"""The backends, each one implementation of `protocol.Backend`, found by name.

A backend module is imported only when its backend is first asked for, so
that compiling to one target never loads another.
"""

from __future__ import annotations

from importlib import import_module

from hierc.backends.protocol import Backend
from hierc.errors import BackendError
from hierc.language.vocabulary import Backend as BackendName

_MODULES = {
    BackendName.STAN: "hierc.backends.stan.backend",
    BackendName.PYMC: "hierc.backends.pymc.backend",
    BackendName.BAMBI: "hierc.backends.bambi.backend",
}


def backend(name: BackendName | str) -> Backend:
    """The backend of this name; a BackendError for an unknown one."""
    try:
        name = BackendName(name)
    except ValueError:
        raise BackendError(
            f"unknown backend `{name}`; the backends are {', '.join(b.value for b in BackendName)}"
        ) from None
    return import_module(_MODULES[name]).BACKEND


__all__ = ["Backend", "BackendName", "backend"]
