"""The Bambi backend: a script that builds a `bmb.Model`, or the same model in-process; sampled as PyMC's."""

from __future__ import annotations

import warnings

from hierc.backends.bambi.script import bambi_script
from hierc.backends.pymc import engines
from hierc.errors import BackendError
from hierc.language.vocabulary import Backend, Encoding, Engine


class BambiBackend:
    name = Backend.BAMBI
    engines = (Engine.NUTPIE, Engine.PYMC)  # Bambi's PyMC model, sampled as the pymc backend's
    encodings = False  # Bambi lays out the parameters itself, one per term
    suffstats = False
    parameterization_per_factor = False  # Bambi's `noncentered` is one setting for the whole model

    def compile(self, model, encoding: Encoding | None, suffstats: bool) -> str:
        return bambi_script(model)

    def choose_engine(self, engine: Engine) -> Engine:
        return engines.choose_engine(engine)

    def build(self, model, bound):
        """The model as an in-process `bmb.Model`."""
        from hierc.backends.bambi.model import bambi_model

        engines.import_pymc()
        try:
            import bambi  # noqa: F401
        except ImportError as error:
            raise BackendError(f"the bambi backend needs Bambi, which cannot be imported ({error})") from None
        return bambi_model(bound, model)

    def sample(self, model, bound, encoding, suffstats, engine, options):
        from hierc.backends.bambi.model import hierc_posterior

        bmb_model = self.build(model, bound)
        with warnings.catch_warnings():  # building compiles some graphs with pytensor, which warns without BLAS
            warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
            bmb_model.build()
            idata = engines.sample(bmb_model.backend.model, options, engine)
        idata.posterior = hierc_posterior(idata.posterior, bound, model)
        return idata


BACKEND = BambiBackend()
