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
  :func:`langevin.stepping.advance_modes_own_rng`.

The raw normals are ``a + ib`` with ``a, b`` i.i.d. N(0, 1); how they are scaled onto a mode
is decided in one place, :func:`langevin.stepping.kernel_noise_map`.

Restarts: a block of steps draws one block of normals from the realisation's generator, so
the generator's position between blocks (``rng.bit_generator.state``, four 64-bit words of
SFC64 and two flags) is all a checkpoint needs to continue the stream exactly
(:mod:`langevin.checkpoint`). numba's generator state cannot be read out, so runs on the
``"numba"`` back-end are not checkpointed.
"""

from __future__ import annotations

import numpy as np

from dragcore.parallel import item_seed_sequence

__all__ = ["RNG_BACKENDS", "realisation_generator", "numba_seed", "NormalBlocks"]

RNG_BACKENDS = ("numpy", "numba")


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


class NormalBlocks:
    """Raw complex normals ``(modes, n_steps, d)`` drawn into one reusable buffer.

    Parameters
    ----------
    rng
        The realisation's generator.
    modes, n_steps, dim
        Shape of one block.
    """

    def __init__(self, rng: np.random.Generator, modes: int, n_steps: int, dim: int) -> None:
        self.rng = rng
        self._buf = np.empty((modes, n_steps, dim, 2))

    def draw(self, n_steps: int | None = None) -> np.ndarray:
        """Fill the buffer (or its first ``n_steps`` steps) and return the complex view."""
        buf = self._buf if n_steps is None else self._buf[:, :n_steps]
        buf = np.ascontiguousarray(buf) if n_steps is not None else buf
        self.rng.standard_normal(out=buf)
        return buf.view(np.complex128)[..., 0]
