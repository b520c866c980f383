"""What a backend is: one implementation of `Backend`, registered by name in `hierc/backends/__init__.py`.

Shared code asks a backend what it can do (its declared capabilities and
its rows of the feature table, `features.py`) and calls it through these
methods; it never asks which backend it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from hierc.language.vocabulary import Backend as BackendName
from hierc.language.vocabulary import Encoding, Engine

if TYPE_CHECKING:
    from hierc.data.design import BoundData
    from hierc.inference.sampling import SampleOptions
    from hierc.language import ir


class Backend(Protocol):
    name: BackendName
    engines: tuple[Engine, ...]  # the samplers it runs, best first; `auto` picks the first one installed
    encodings: bool  # whether it writes a model in either encoding (else it lays out the parameters itself)
    suffstats: bool  # whether it can compute a gaussian likelihood from sufficient statistics
    parameterization_per_factor: bool  # whether each grouping factor may have its own parameterization

    def compile(self, model: ir.Model, encoding: Encoding | None, suffstats: bool) -> str:
        """The model as target code, from the spec alone."""
        ...

    def choose_engine(self, engine: Engine) -> Engine:
        """The engine that will sample (`auto` resolved); a BackendError if it is not installed."""
        ...

    def sample(
        self,
        model: ir.Model,
        bound: BoundData,
        encoding: Encoding | None,
        suffstats: bool,
        engine: Engine,
        options: SampleOptions,
    ):
        """The posterior as ArviZ InferenceData under the shared output names (`hierc/naming.py`)."""
        ...
