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

from langevin.exact import (
    UnstableError,
    grid_drag_force,
    grid_stationary_covariance,
    stationary_covariance,
)
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.nonlinear_simulation import NonlinearSimulation
from langevin.parameters import NONLINEAR_START_DT, RUN_PARAMETERS
from langevin.params import BilayerParameters
from langevin.simulation import RunResult, Simulation, drive_systems
from langevin.steppers import LinearStepper

__all__ = [
    "stationary_covariances",
    "exact_estimator_mean",
    "ExactComparison",
    "NonlinearComparison",
    "kept_stationary_covariance",
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
        scheme: str = RUN_PARAMETERS["scheme"].default,
        dt: float = RUN_PARAMETERS["dt"].default,
        *,
        common_random_numbers: bool = False,
        rng_backend: str = RUN_PARAMETERS["rng_backend"].default,
        block_steps: int | None = None,
    ) -> None:
        systems = drive_systems(model, bool(common_random_numbers))
        self.covariances = stationary_covariances(systems, grid)
        lyapunov_start = LinearStepper.from_name(scheme).starts_from_lyapunov
        self.simulation = Simulation(
            model,
            grid,
            scheme,
            dt,
            stationary_covariance=self.covariances if lyapunov_start else None,
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
        exact value (0 for the exact Ornstein–Uhlenbeck step;
        :meth:`langevin.steppers.LinearStepper.stationary_bias`)."""
        return self.simulation.stepper.stationary_bias(self)


def kept_stationary_covariance(
    model: BilayerModel, grid: PeriodicGrid, kept: np.ndarray
) -> np.ndarray:
    """The linear model's Lyapunov covariance of the grid coefficients on the ``kept`` modes
    only (zero elsewhere): a mode the nonlinear model drops does not make the reference
    unstable. The kept modes are generic (not self-conjugate), where the grid covariance is
    the continuum one times ``grid.mode_noise_scale``."""
    qx, qy = grid.half_wavevectors()
    out = np.zeros(qx.shape + (6, 6), dtype=complex)
    out[kept] = stationary_covariance(model, qx[kept], qy[kept]) * grid.mode_noise_scale
    return out


class NonlinearComparison:
    """A nonlinear run measured against the linear model on the same kept modes.

    The reference for :class:`~langevin.nonlinear_model.NonlinearBilayerModel` is its linear
    part: the exact (Lyapunov) drag of the linear model on the same grid, restricted to the
    2/3-dealiased modes the nonlinear model evolves. It is used three times:

    * as the initial distribution (the linear stationary covariance on the kept modes; past
      the linear instability, where there is none, the v = 0 Gibbs covariance);
    * as the control variate's exact mean (``linear_twin_mean``): the engine steps a linear
      twin with the same normals and averages ``D_nl − D_lin + D_lin,exact``;
    * as the value attached to the result (``exact``): ``result.pull`` is then the nonlinear
      shift in units of its error, and ``result.mean/result.exact`` is ``D/D_linear``.

    Parameters
    ----------
    model
        The nonlinear model.
    grid, scheme, dt
        As for :class:`~langevin.nonlinear_simulation.NonlinearSimulation`.
    common_random_numbers, burn_in, rng_backend, block_steps
        As for :class:`~langevin.nonlinear_simulation.NonlinearSimulation`.
    control_variate
        Step the linear twins (where the linear model is stable).
    antithetic
        Antithetic partners for every system and twin
        (:class:`~langevin.nonlinear_simulation.NonlinearSimulation`).

    Attributes
    ----------
    simulation
        The engine.
    linear_stable
        Whether the linear model has a stationary state on the grid.
    exact
        The linear model's exact drag on the kept modes (NaN if unstable).
    """

    def __init__(
        self,
        model: NonlinearBilayerModel,
        grid: PeriodicGrid,
        scheme: str = RUN_PARAMETERS["nonlinear_scheme"].default,
        dt: float = NONLINEAR_START_DT,
        *,
        common_random_numbers: bool = False,
        burn_in: int = 0,
        control_variate: bool = True,
        antithetic: bool = False,
        rng_backend: str = RUN_PARAMETERS["rng_backend"].default,
        block_steps: int | None = None,
    ) -> None:
        systems = drive_systems(model, bool(common_random_numbers))
        kept = model.active_modes(grid)[..., None, None]
        try:
            covs = [kept_stationary_covariance(s.linear, grid, model.active_modes(grid))
                    for s in systems]  # fmt: skip
            self.linear_stable = True
        except UnstableError:
            qx, qy = grid.half_wavevectors()
            gibbs = model.linear.equilibrium_covariance(qx, qy) * grid.mode_noise_scale
            covs = [gibbs * kept for _ in systems]
            self.linear_stable = False
        self.covariances = covs
        exact = float("nan")
        if self.linear_stable:
            forces = [
                grid_drag_force(s.linear, grid, c) for s, c in zip(systems, covs, strict=True)
            ]
            est = model.drag_estimator()
            if common_random_numbers:
                exact = est.scale * float(est.direction @ (forces[0] - forces[1])) / 2
            else:
                exact = est.scale * float(est.direction @ forces[0])
        self.exact = exact
        self.simulation = NonlinearSimulation(
            model,
            grid,
            scheme,
            dt,
            stationary_covariance=covs,
            common_random_numbers=common_random_numbers,
            linear_twin_mean=exact if (control_variate and self.linear_stable) else None,
            antithetic=antithetic,
            burn_in=burn_in,
            rng_backend=rng_backend,
            block_steps=block_steps,
        )

    @classmethod
    def at_parameters(
        cls, params: BilayerParameters, grid: PeriodicGrid, scheme: str, dt: float, **options
    ) -> NonlinearComparison:
        """The comparison for the nonlinear model at ``params``, with the ±v common random
        numbers whenever there is a drift to reverse (``params.drift > 0``).

        ``options`` are the keyword arguments of the constructor other than
        ``common_random_numbers``.
        """
        return cls(
            NonlinearBilayerModel(params),
            grid,
            scheme,
            dt,
            common_random_numbers=params.drift > 0,
            **options,
        )

    def compare(self, result: RunResult) -> RunResult:
        """``result`` with the linear model's exact value attached."""
        return result.with_exact(self.exact)

    def run(self, seed: int, n_realisations: int, n_steps: int, **options) -> RunResult:
        """:meth:`NonlinearSimulation.run` compared with the linear model."""
        return self.compare(self.simulation.run(seed, n_realisations, n_steps, **options))
