"""The Stan backend: a Stan program from the spec alone; sampled by cmdstanpy or pystan.

Compiling imports nothing numerical: the data and engine modules are imported when sampling.
"""

from __future__ import annotations

from hierc.backends.stan.codegen import stan_program
from hierc.language.vocabulary import Backend, Encoding, Engine


class StanBackend:
    name = Backend.STAN
    engines = (Engine.CMDSTANPY, Engine.PYSTAN)
    encodings = True
    suffstats = True
    parameterization_per_factor = True

    def compile(self, model, encoding: Encoding | None, suffstats: bool) -> str:
        return stan_program(model, encoding, suffstats)

    def choose_engine(self, engine: Engine) -> Engine:
        from hierc.backends.stan import engines

        return engines.choose_engine(engine)

    def sample(self, model, bound, encoding, suffstats, engine, options):
        from hierc.backends import outputs
        from hierc.backends.stan import engines
        from hierc.backends.stan.data import stan_data

        data = stan_data(bound, rows=not suffstats, statistics=suffstats)
        program = stan_program(model, encoding, suffstats)
        return engines.sample(program, data, options, engine, outputs.coords(bound), outputs.dims(model))


BACKEND = StanBackend()
