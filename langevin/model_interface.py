"""What the Langevin engine needs from a model: the interface between physics and machinery.

A model is a stochastic field theory on a periodic grid, written Fourier mode by Fourier mode
(half-plane coefficients ``X_q`` of ``d`` real fields, :mod:`langevin.grid`):

    dX_q = [M(q) X_q + N_q(X)] dt + dW_q,      ⟨dW_q dW_q†⟩ = Q(q) dt,

with a linear drift operator ``M`` and a noise (diffusion) matrix ``Q`` per mode, and an
optional nonlinear right-hand side ``N`` (``None`` for a linear model, whose modes are then
independent Ornstein–Uhlenbeck processes). A model supplies these, and the observable the run
records (the drag force, a quadratic form of the state) with the scalar estimator a run
averages. It does not step anything: the steppers (:mod:`langevin.stepping`), the observables'
bookkeeping (:mod:`langevin.observables`) and the run (:mod:`langevin.simulation`) are the
machinery, which sees a model only through :class:`LangevinModel`.

Implemented by :class:`langevin.model.BilayerModel` (the linearised bilayer, Eqs. 1–10).
Layering: ``dragcore`` → this interface, :mod:`langevin.observables` → models → engine →
comparison → command line; nothing lower imports anything higher.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from langevin.grid import PeriodicGrid
from langevin.observables import DragEstimator, QuadraticObservable

__all__ = ["LangevinModel", "NonlinearDrift"]

#: A nonlinear right-hand side ``N(X)``: the half-plane coefficients ``(d, N, N//2+1)``
#: complex of the state → the same shape, its contribution to ``dX/dt`` (model units).
NonlinearDrift = Callable[[np.ndarray], np.ndarray]


@runtime_checkable
class LangevinModel(Protocol):
    """A model the engine can step (see the module docstring).

    Attributes
    ----------
    params
        The model's parameters, a frozen dataclass: part of a run's identity (checkpoints).
    state_names
        Names of the ``d`` components of a mode's state, in order.
    options
        The model's settings beyond ``params`` (part of a run's identity).
    """

    params: Any
    state_names: tuple[str, ...]
    options: dict

    def drift_operator(self, grid: PeriodicGrid) -> np.ndarray:
        """Linear drift ``M`` per half-plane mode, ``(N, N//2+1, d, d)`` complex (rates in the
        model's time unit); real on self-conjugate modes, zero at q = 0."""
        ...

    def noise_matrix(self, grid: PeriodicGrid) -> np.ndarray:
        """Noise (diffusion) matrix ``Q`` per half-plane mode, ``(N, N//2+1, d, d)`` Hermitian
        PSD, the covariance rate of the grid coefficients (the grid's 1/L² included)."""
        ...

    def active_modes(self, grid: PeriodicGrid) -> np.ndarray:
        """Half-plane mask ``(N, N//2+1)`` of the modes the model evolves (the engine steps
        the independent ones without q = 0)."""
        ...

    def nonlinear_drift(self, grid: PeriodicGrid) -> NonlinearDrift | None:
        """The nonlinear right-hand side ``N`` on ``grid``, or ``None`` for a linear model."""
        ...

    def reversed_drive(self) -> LangevinModel:
        """The same model with its drive reversed (the partner of a common-random-numbers
        pair); the same object on every call."""
        ...

    def drag_force_observable(
        self, qx: np.ndarray, qy: np.ndarray, weights: np.ndarray
    ) -> QuadraticObservable:
        """The drag force per area on layer 2 as a quadratic form of the state of the given
        modes (wave vectors ``qx``, ``qy``; half-plane weights)."""
        ...

    def drag_estimator(self) -> DragEstimator:
        """The scalar a run averages, from the recorded drag force."""
        ...
