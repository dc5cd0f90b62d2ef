"""Langevin runs of the bilayer against its exact solution on the same grid.

The comparison layer: physics (:mod:`langevin.model`, :mod:`langevin.exact`) → machinery
(:mod:`langevin.simulation`, :mod:`langevin.stepping`, :mod:`langevin.checkpoint`) → here →
the command line (:mod:`langevin.cli_run`) and the validation report. The engine never sees
the exact solution; this module computes it once per run and uses it twice:

* as the *initial distribution*: the Lyapunov covariance of every system on the grid
  (:func:`stationary_covariances`), passed to :class:`~langevin.simulation.Simulation`, so a
  run starts in the stationary state (no burn-in, no transient bias);
* as the *reference*: the exact value of the run's estimator on the same grid
  (:func:`exact_estimator_mean`), attached to the engine's
  :class:`~langevin.simulation.RunResult` (:meth:`ExactComparison.compare`), and the
  stationary bias of an approximate scheme (:meth:`ExactComparison.scheme_bias`).

Reads as a sentence::

    cmp = ExactComparison(BilayerModel(params), PeriodicGrid(32, 20.0), "exact", dt=0.5,
                          common_random_numbers=True)
    result = cmp.run(seed=1, n_realisations=8, n_steps=20_000)
    print(result.mean, result.sdev, result.exact, result.pull)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from langevin.exact import grid_drag_force, grid_stationary_covariance
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.simulation import RunResult, Simulation, drive_systems

__all__ = [
    "stationary_covariances",
    "exact_estimator_mean",
    "ExactComparison",
]


def stationary_covariances(systems: Sequence[BilayerModel], grid: PeriodicGrid) -> list[np.ndarray]:
    """The exact stationary (Lyapunov) covariance of each system's grid coefficients,
    ``(N, N//2+1, 6, 6)`` each (:func:`langevin.exact.grid_stationary_covariance`)."""
    return [grid_stationary_covariance(model, grid) for model in systems]


def exact_estimator_mean(sim: Simulation, covariances: Sequence[np.ndarray]) -> float:
    """The exact stationary mean of ``sim``'s estimator on its grid.

    ``factor · v̂·F`` with the exact drag force ``F`` of :func:`langevin.exact.grid_drag_force`;
    with common random numbers ``factor · v̂·(F₊ − F₋)/2``.

    Parameters
    ----------
    sim
        The simulation (its systems, estimator direction and factor).
    covariances
        :func:`stationary_covariances` of ``sim``'s systems.
    """
    forces = [
        grid_drag_force(model, sim.grid, covariance)
        for model, covariance in zip(sim.systems, covariances, strict=True)
    ]
    scale, direction = sim.estimator.scale, sim.estimator.direction
    if sim.crn:
        return scale * float(direction @ (forces[0] - forces[1])) / 2
    return scale * float(direction @ forces[0])


class ExactComparison:
    """A :class:`Simulation` started in, and compared with, the exact stationary state.

    Parameters
    ----------
    model, grid, scheme, dt
        As for :class:`~langevin.simulation.Simulation`.
    common_random_numbers, rng_backend, block_steps
        As for :class:`~langevin.simulation.Simulation`.

    Attributes
    ----------
    simulation
        The engine, its initial state drawn from the Lyapunov covariance (exact and
        Crank–Nicolson steps, which keep it stationary) or from the scheme's own discrete
        stationary covariance (Euler–Maruyama, whose stationary state is off by O(Δt)).
    covariances
        The Lyapunov covariance of each system (:func:`stationary_covariances`).
    exact
        The exact value of the estimator on the grid (:func:`exact_estimator_mean`).
    """

    def __init__(
        self,
        model: BilayerModel,
        grid: PeriodicGrid,
        scheme: str = "exact",
        dt: float = 0.5,
        *,
        common_random_numbers: bool = False,
        rng_backend: str = "numpy",
        block_steps: int | None = None,
    ) -> None:
        systems = drive_systems(model, bool(common_random_numbers))
        self.covariances = stationary_covariances(systems, grid)
        self.simulation = Simulation(
            model,
            grid,
            scheme,
            dt,
            stationary_covariance=None if scheme == "euler-maruyama" else self.covariances,
            common_random_numbers=common_random_numbers,
            rng_backend=rng_backend,
            block_steps=block_steps,
        )
        self.exact = exact_estimator_mean(self.simulation, self.covariances)

    def compare(self, result: RunResult) -> RunResult:
        """``result`` (of :attr:`simulation`) with the exact value attached (its ``pull``)."""
        return result.with_exact(self.exact)

    def run(self, seed: int, n_realisations: int, n_steps: int, **options) -> RunResult:
        """:meth:`Simulation.run` compared with the exact value (same arguments)."""
        return self.compare(self.simulation.run(seed, n_realisations, n_steps, **options))

    def scheme_bias(self) -> float:
        """The stationary bias of the scheme at this ``dt``: the mean of the estimator in the
        scheme's own stationary state (:meth:`Simulation.scheme_stationary_mean`) minus the
        exact value (0 for the exact Ornstein–Uhlenbeck step)."""
        if self.simulation.scheme == "exact":
            return 0.0
        return self.simulation.scheme_stationary_mean() - float(self.exact)
