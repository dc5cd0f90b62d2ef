"""The engine for a linear model: :class:`Simulation`, a front door of the one engine.

:class:`langevin.engine.Engine` steps every model; :class:`Simulation` is the engine for a
model without a nonlinear drift, with the defaults of ``python -m langevin run``'s
``[stepper]`` table (:data:`langevin.parameters.RUN_PARAMETERS`). Reads as a sentence::

    sim = Simulation(BilayerModel(params), PeriodicGrid(32, 20.0), scheme="exact", dt=0.5,
                     stationary_covariance=covariances, common_random_numbers=True)
    result = sim.run(seed=1, n_realisations=8, n_steps=20_000, progress=True)
    print(result.mean, result.sdev)

The engine knows nothing of the exact solution: the initial state is drawn from a stationary
covariance the caller gives (``stationary_covariance=``), and the comparison with the exact
value on the same grid lives one layer up (:class:`langevin.comparison.ExactComparison`, which
computes the Lyapunov covariance with :mod:`langevin.exact`, passes it in, and attaches the
exact value to the :class:`RunResult`).

A realisation starts from an exact draw of the stationary distribution (no burn-in, no
transient bias) and steps the independent half-plane modes (q = 0, conserved and force-free,
is not stepped; the conjugate partners in the columns m_y = 0, N/2 are implied) in the
kernels of :mod:`langevin.stepping`. The estimator, recorded after every step, is

* ``D(t) = force_to_D(F(t)·v̂, u)`` for a single drift ``u > 0`` (Eq. 13 in the model's
  units, :meth:`langevin.model.BilayerModel.force_to_D`);
* with common random numbers, ``D(t) = force_to_D((F₊(t) − F₋(t))·v̂/2, u)``: the runs at
  +v and −v (χ, i.e. the nonreciprocal tensor, held fixed) share every normal, so the
  variance stays finite as ``u → 0`` — the step noise maps are Hermitian square roots,
  continuous in ``u``;
* at ``u = 0``, the force ``F(t)·x̂`` itself.

Error bars (:mod:`langevin.engine`): the windowed integrated autocorrelation estimate,
validated against the exact variance in ``tests/langevin/test_statistics.py``, and the exact
standard deviation of the estimator in the given stationary state
(:func:`langevin.statistics.exact_mean_covariance` on the joint process).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from langevin.engine import BLOCK_NUMBERS, Engine, ModeSet, _Recorder, drive_systems
from langevin.grid import PeriodicGrid
from langevin.model_interface import LangevinModel
from langevin.parameters import RUN_PARAMETERS
from langevin.results import RealisationProgress, RealisationResult, RunResult, _Progress

# isort: split
from langevin.results import block_means, combine_realisations  # importable from here too

__all__ = [
    "ModeSet",
    "Simulation",
    "RealisationResult",
    "RealisationProgress",
    "RunResult",
    "block_means",
    "combine_realisations",
    "drive_systems",
    "BLOCK_NUMBERS",
    "_Progress",
    "_Recorder",
]


class Simulation(Engine):
    """The engine (:class:`langevin.engine.Engine`) for a linear model.

    Parameters
    ----------
    model
        A model without a nonlinear drift (e.g. :class:`~langevin.model.BilayerModel`).
    grid
        The periodic grid (``L`` in units of d).
    scheme
        A scheme of the registry :class:`langevin.steppers.LinearStepper`
        (:data:`langevin.steppers.LINEAR_SCHEMES`).
    dt
        Time step (units 1/ω_p); it is also the sampling interval of the series.
    stationary_covariance
        The covariance the initial state is drawn from: per system (see
        :func:`drive_systems`), the ``(N, N//2+1, d, d)`` half-plane covariance of the grid
        coefficients, e.g. the Lyapunov solution
        :func:`langevin.exact.grid_stationary_covariance` (what
        :class:`langevin.comparison.ExactComparison` passes). ``None``: the scheme's own
        discrete stationary covariance (an Euler–Maruyama run starts there, so its O(Δt)
        bias shows no transient; marginal directions then start at zero).
    common_random_numbers
        Step +v and −v with the same normals; estimator ``(F₊ − F₋)/2``.
    rng_backend
        ``"numpy"`` (normals drawn per block, default), ``"numba"`` (drawn in the kernel) or
        ``"philox"`` (counter-based, drawn per block; :mod:`dragcore.philox`): a
        :class:`langevin.noise.NoiseSource` of the registry.
    block_steps
        Steps per block of normals (part of a run's identity: with the same seed and block
        length the run is bit-for-bit reproducible). Default: ~4 MB of normals.
    """

    def __init__(
        self,
        model: LangevinModel,
        grid: PeriodicGrid,
        scheme: str = RUN_PARAMETERS["scheme"].default,
        dt: float = RUN_PARAMETERS["dt"].default,
        *,
        stationary_covariance: Sequence[np.ndarray] | None = None,
        common_random_numbers: bool = False,
        rng_backend: str = RUN_PARAMETERS["rng_backend"].default,
        block_steps: int | None = None,
    ) -> None:
        if model.nonlinear_drift(grid) is not None:
            raise ValueError(
                "nonlinear_drift = a function is outside the allowed range for Simulation, "
                "which steps linear models only (langevin.nonlinear_simulation."
                "NonlinearSimulation steps this one)"
            )
        super().__init__(model, grid, scheme, dt, stationary_covariance=stationary_covariance,
                         common_random_numbers=common_random_numbers, rng_backend=rng_backend,
                         block_steps=block_steps)  # fmt: skip
