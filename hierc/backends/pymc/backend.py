"""The PyMC backend: a standalone script, or the same model in-process; sampled by nutpie or PyMC."""

from __future__ import annotations

from hierc.backends.pymc import engines
from hierc.backends.pymc.script import pymc_script
from hierc.language.vocabulary import Backend, Encoding, Engine


class PyMCBackend:
    name = Backend.PYMC
    engines = (Engine.NUTPIE, Engine.PYMC)
    encodings = True
    suffstats = True
    parameterization_per_factor = True

    def compile(self, model, encoding: Encoding | None, suffstats: bool) -> str:
        return pymc_script(model, encoding, suffstats)

    def choose_engine(self, engine: Engine) -> Engine:
        return engines.choose_engine(engine)

    def build(self, model, bound, encoding: Encoding, suffstats: bool):
        """The model as an in-process `pm.Model`."""
        from hierc.backends.pymc.model import pymc_model

        engines.import_pymc()  # quietly: pytensor warns on import without BLAS
        return pymc_model(bound, encoding, model, suffstats)

    def sample(self, model, bound, encoding, suffstats, engine, options):
        return engines.sample(self.build(model, bound, encoding, suffstats), options, engine)


BACKEND = PyMCBackend()
