"""Random streams of a Langevin run: one per realisation, keyed by (seed, realisation index).

A run is a set of independent realisations ``r = 0 … R−1``. Realisation ``r`` draws every
random number from ``SeedSequence(seed, spawn_key=(r,))``
(:func:`dragcore.parallel.item_seed_sequence`), so its numbers do not depend on which process
computes it, nor on how many realisations run beside it.

Two ways to feed the kernels (timed in ``benchmarks/bench_langevin.py``):

* ``"numpy"`` (default): a numpy ``Generator`` on ``SFC64`` fills a reusable buffer of raw
  normals per block of steps (:class:`NormalBlocks`), passed to
  :func:`langevin.stepping.advance_modes`;
* ``"numba"``: numba's own per-thread Mersenne twister, seeded per realisation from the same
  SeedSequence (:func:`numba_seed`) and drawn inside
  :func:`langevin.stepping.advance_modes_own_rng`;
* ``"philox"``: the counter-based stream of :mod:`dragcore.philox` (Philox4x64-10, Salmon et
  al., *Parallel random numbers: as easy as 1, 2, 3*, SC11, and Box–Muller in vectorised
  numba), keyed by the realisation (:func:`philox_stream`), filling the same buffer through
  :class:`NormalBlocks`. Normal ``j`` of a realisation is a pure function of (key, j). On an
  AVX2 Zen 3 core it is as fast as numpy's SFC64 (8.8 against 8.6–9.2 ns per normal), so
  ``"numpy"`` stays the default.

In every back-end the initial state is drawn from the numpy generator (SFC64) of the
realisation; ``"numba"`` and ``"philox"`` then take the steps' normals from their own stream.

The raw normals are ``a + ib`` with ``a, b`` i.i.d. N(0, 1); how they are scaled onto a mode
is decided in one place, :func:`langevin.stepping.kernel_noise_map`.

Restarts: a block of steps draws one block of normals from the realisation's generator, so
the generator's position between blocks (``rng.bit_generator.state``, four 64-bit words of
SFC64 and two flags) is all a checkpoint needs to continue the stream exactly
(:mod:`langevin.checkpoint`). On the ``"philox"`` back-end the position is one integer, the
number of normals drawn (:class:`dragcore.philox.PhiloxStream`), and the numbers do not
depend on the block length at all. numba's generator state cannot be read out, so runs on
the ``"numba"`` back-end are not checkpointed.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from dragcore.parallel import item_seed_sequence
from dragcore.philox import PhiloxStream, key_from_seed_sequence
from langevin.registry import register
from langevin.stepping import seed_numba_rng

__all__ = [
    "NoiseSource",
    "register_noise_source",
    "RNG_BACKENDS",
    "CHECKPOINTABLE_BACKENDS",
    "BLOCK_BACKENDS",
    "realisation_generator",
    "numba_seed",
    "philox_key",
    "philox_stream",
    "NormalBlocks",
]


def realisation_generator(seed: int, realisation: int) -> np.random.Generator:
    """The numpy generator of realisation ``realisation`` of a run with ``seed`` (SFC64)."""
    return np.random.Generator(np.random.SFC64(item_seed_sequence(seed, realisation)))


def numba_seed(seed: int, realisation: int) -> int:
    """A 32-bit seed for numba's generator, derived from the realisation's SeedSequence.

    Spawn key ``(realisation, 1)`` keeps it apart from the numpy stream of the same
    realisation (which draws the initial state in both back-ends).
    """
    ss = np.random.SeedSequence(int(seed), spawn_key=(int(realisation), 1))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def philox_key(seed: int, realisation: int) -> np.ndarray:
    """The (2,) uint64 Philox key of a realisation, from its SeedSequence.

    The child ``spawn_key = (realisation, 2)`` of the realisation's sequence
    ``SeedSequence(seed, spawn_key=(realisation,))``
    (:func:`dragcore.parallel.item_seed_sequence`), so it is apart from the SFC64 stream
    (initial state) and from :func:`numba_seed` (child 1).
    """
    parent = item_seed_sequence(seed, realisation)
    child = np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, 2))
    return key_from_seed_sequence(child)


def philox_stream(seed: int, realisation: int, position: int = 0) -> PhiloxStream:
    """The Philox normal stream of a realisation, at normal ``position``."""
    return PhiloxStream(philox_key(seed, realisation), position)


class NormalBlocks:
    """Raw complex normals ``(modes, n_steps, d)`` drawn into one reusable buffer.

    Parameters
    ----------
    rng
        The realisation's source of normals: a numpy ``Generator`` or a
        :class:`dragcore.philox.PhiloxStream` (anything with ``standard_normal(out=)``).
    modes, n_steps, dim
        Shape of one block.
    """

    def __init__(
        self, rng: np.random.Generator | PhiloxStream, modes: int, n_steps: int, dim: int
    ) -> None:
        self.rng = rng
        self._buf = np.empty((modes, n_steps, dim, 2))

    def draw(self, n_steps: int | None = None) -> np.ndarray:
        """Fill the buffer (or its first ``n_steps`` steps) and return the complex view."""
        buf = self._buf if n_steps is None else self._buf[:, :n_steps]
        buf = np.ascontiguousarray(buf) if n_steps is not None else buf
        self.rng.standard_normal(out=buf)
        return buf.view(np.complex128)[..., 0]


class NoiseSource:
    """A back-end of the steps' normals, registered by its ``name`` (``[stepper] rng_backend``)
    with :func:`register_noise_source`; the engines look it up with :meth:`from_name` and
    never test a back-end's name.

    Attributes
    ----------
    name
        The back-end's name.
    checkpointable
        Its position between blocks can be saved and restored.
    draws_in_kernel
        The kernel draws the normals itself (no :class:`NormalBlocks`; a trajectory cannot be
        recorded beside it).
    """

    registry: ClassVar[dict[str, type[NoiseSource]]] = {}
    name: ClassVar[str]
    checkpointable: ClassVar[bool] = True
    draws_in_kernel: ClassVar[bool] = False

    @classmethod
    def names(cls, **flags: bool) -> tuple[str, ...]:
        """The registered back-ends (registration order) whose attributes equal ``flags``,
        e.g. ``names(checkpointable=True)``."""
        return tuple(
            name
            for name, source in cls.registry.items()
            if all(getattr(source, key) == value for key, value in flags.items())
        )

    @classmethod
    def from_name(cls, name: str, allowed: tuple[str, ...] | list[str] | None = None):
        """The back-end ``name``; ``ValueError`` naming the allowed range (``allowed``, by
        default every registered back-end)."""
        allowed = tuple(cls.registry) if allowed is None else allowed
        if name not in allowed:
            raise ValueError(f"rng_backend = {name!r} is outside the allowed range {allowed}")
        return cls.registry[name]()

    def step_stream(
        self, seed: int, realisation: int, rng: np.random.Generator
    ) -> np.random.Generator | PhiloxStream:
        """The source of realisation ``realisation``'s step normals; ``rng`` is its numpy
        generator after the initial state was drawn from it."""
        return rng


#: Class decorator: register a :class:`NoiseSource` under its ``name``.
register_noise_source = register


@register_noise_source
class NumpyNormals(NoiseSource):
    """The realisation's numpy generator (SFC64) goes on to draw the steps' normals."""

    name = "numpy"


@register_noise_source
class NumbaNormals(NoiseSource):
    """numba's per-thread Mersenne twister, seeded per realisation (:func:`numba_seed`) and
    drawn inside :func:`langevin.stepping.advance_modes_own_rng`; its state cannot be read
    out, so these runs are not checkpointed."""

    name = "numba"
    checkpointable = False
    draws_in_kernel = True

    def step_stream(self, seed, realisation, rng):
        seed_numba_rng(numba_seed(seed, realisation))
        return rng


@register_noise_source
class PhiloxNormals(NoiseSource):
    """The realisation's counter-based Philox stream (:func:`philox_stream`)."""

    name = "philox"

    def step_stream(self, seed, realisation, rng):
        return philox_stream(seed, realisation)


#: The back-ends registered here (a back-end registered later is in ``NoiseSource.names()``).
RNG_BACKENDS = NoiseSource.names()
#: Back-ends whose position between blocks can be saved and restored.
CHECKPOINTABLE_BACKENDS = NoiseSource.names(checkpointable=True)
#: Back-ends that fill blocks of normals in Python (what the nonlinear engine steps with).
BLOCK_BACKENDS = NoiseSource.names(draws_in_kernel=False)
