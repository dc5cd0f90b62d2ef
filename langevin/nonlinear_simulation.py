"""The engine for a nonlinear model: :class:`NonlinearSimulation`, a front door of the one
engine (:class:`langevin.engine.Engine`) with the exponential (Lawson) steppers.

A model of :class:`langevin.model_interface.LangevinModel` with ``nonlinear_drift`` not
``None`` (e.g. :class:`langevin.nonlinear_model.NonlinearBilayerModel`) obeys, per kept mode,

    dX = [M X + N(X)] dt + dW,      ⟨dW dW†⟩ = Q dt   (additive noise).

The linear part is advanced exactly, with the exact Ornstein–Uhlenbeck maps of the linear
engine (:func:`langevin.stepping.exact_ou_maps`: ``A = e^{MΔt}``, ``S S† = ∫₀^Δt e^{Ms}Qe^{M†s}``),
the nonlinear part explicitly. Two steppers, each weak order 2 for additive noise and exact
when ``N = 0``:

* ``"lawson-heun"`` (integrating-factor trapezoid, predictor–corrector with the same noise):
  ``Y = A(X + Δt N(X)) + ξ``, ``X' = A(X + ½Δt N(X)) + ½Δt N(Y) + ξ``, ``ξ = S z``;
* ``"lawson-midpoint"`` (integrating-factor midpoint, two half-step noises):
  ``Y = A_½(X + ½Δt N(X)) + ξ₁``, ``X' = A X + Δt A_½ N(Y) + A_½ ξ₁ + ξ₂`` with ``A_½ = e^{MΔt/2}``
  and ``ξ₁, ξ₂`` independent half-step increments (``A_½ξ₁ + ξ₂`` is the exact full-step
  noise).

Weak order 2: the expansion of the exact solution, ``∫₀^Δt e^{M(Δt−s)} N(X(s)) ds``, contains
``N'·W(s)`` and ``½N''(W(s), W(s))`` with the noise ``W(s)`` accumulated up to ``s``; both
schemes reproduce ``E[∫N'W(s)ds ΔW†] = (Δt²/2) N' Q`` and ``E ∫½N''(W, W) = (Δt²/4) N'':Q`` at
leading order (the trapezoid through ``½Δt N'(ξ)``, the midpoint through ``Δt N'(ξ₁)``).
Measured in ``tests/validate/test_nonlinear.py``.

Estimators. After every step the engine records, per system, the drag force (Eq. 11) on the
kept modes — a quadratic form of the state, as in the linear engine — and the q = 0 force
the drive's constraint removes from each layer (the model's ``N`` at q = 0, averaged as the
stepper integrates it). With ``linear_twin_mean`` set, every nonlinear system has a linear
twin (``N = 0``) driven by the same normals from the same initial state, and the estimator is
``D_nl(t) − D_lin(t) + linear_twin_mean``: a control variate whose mean is exact when
``linear_twin_mean`` is the twin's exact stationary mean (computed one layer up), and whose
variance is O(Θ) smaller — what makes ``D(Θ)/D_linear − 1 = O(Θ)`` measurable.

Antithetic pairs. The noise is additive, so the state is ``X = X_lin + δ₁ + δ₂ + …`` with
``X_lin`` linear in ``(X₀, ξ)``, ``δ₁`` quadratic, ``δ₂`` cubic. The control variate's
``D_nl − D_lin`` (a quadratic form ``B``) has the leading fluctuating term ``2B(X_lin, δ₁)``,
odd under ``(X₀, ξ) → (−X₀, −ξ)`` with zero mean, while its O(Θ) mean ``B(δ₁, δ₁) +
2B(X_lin, δ₂)`` is even. With ``antithetic`` set, every system (and its twin) has a partner
started from ``−X₀`` and driven by ``−ξ``, and the estimator is the pair's average: the odd
term cancels exactly, the mean is unchanged, and the error (from the autocorrelation of the
averaged series, as before) loses its O(√Θ) part. With ``N = 0`` the partner's drag series
equals the original's.

Accuracy control. :meth:`NonlinearSimulation.nonlinear_rate` estimates ``λ_nl``, the fastest
rate of the explicitly stepped part (the Jacobian of ``N`` on draws of the linear stationary
state), from which ``python -m langevin run`` limits the step
(:func:`langevin.run.nonlinear_step_limit`). Each realisation also records the difference of
the two estimators (zero as dt → 0: the constraint force is the drag force, taken at the
stepper's stages instead of the ends of the steps) with its own autocorrelation error;
:func:`estimator_consistency` combines them, and a difference beyond
:data:`CONSISTENCY_SIGMAS` σ flags a step too large for the run's precision.

The engine is the linear model's, so :func:`langevin.checkpoint.run_distributed` runs,
checkpoints and resumes these runs unchanged (same bits on any number of ranks).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from langevin.engine import Engine, active_mode_set
from langevin.grid import PeriodicGrid
from langevin.model_interface import LangevinModel
from langevin.parameters import NONLINEAR_START_DT, RUN_PARAMETERS
from langevin.results import estimator_consistency
from langevin.steppers import NONLINEAR_SCHEMES

__all__ = [
    "NONLINEAR_SCHEMES",
    "NonlinearSimulation",
    "active_mode_set",
    "point_fluctuations",
    "expected_density_zeros",
    "estimator_consistency",
    "CONSISTENCY_SIGMAS",
]


#: Two estimators of a nonlinear run that differ by more than this many standard errors of
#: their difference make the run warn that its step is too large (two-sided normal tail
#: probability 0.27 % for a correct run).
CONSISTENCY_SIGMAS = 3.0


def point_fluctuations(covariance: np.ndarray, grid: PeriodicGrid) -> np.ndarray:
    """Variance at one grid point of each state component, ``(d,)``, of a Gaussian state with
    the half-plane mode covariance ``covariance`` ``(N, N//2+1, d, d)``:
    ``⟨x(r)²⟩ = Σ_{all q} ⟨|X_q|²⟩`` (the fields are ``x(r) = Σ_q X_q e^{iq·r}``)."""
    diag = np.einsum("...aa->...a", np.asarray(covariance)).real
    return np.einsum("ij,ija->a", grid.half_plane_weights(), diag)


def expected_density_zeros(density_variance: float, looks: float) -> float:
    """Expected number of grid-point samples with a density ``n = 1 + δn ≤ 0`` among
    ``looks`` Gaussian samples of variance ``density_variance`` (``looks Φ(−1/σ)``): the
    leading-order (linear, Gaussian) estimate of how often a nonlinear run would leave the
    physical domain. ``looks`` counted as independent overestimates it (neighbouring points
    and steps are correlated): a conservative bound."""
    if not density_variance > 0:
        return 0.0
    sigma = math.sqrt(density_variance)
    return float(looks * 0.5 * math.erfc(1.0 / (sigma * math.sqrt(2.0))))


class NonlinearSimulation(Engine):
    """Langevin integration of a model with a nonlinear right-hand side (module docstring).

    Parameters
    ----------
    model
        The model; its ``drift_operator``/``noise_matrix`` are zero on the modes it does not
        evolve, and it provides ``active_modes(grid)`` (the kept modes).
    grid
        The periodic grid.
    scheme
        A scheme of the registry :class:`langevin.steppers.NonlinearStepper`
        (:data:`NONLINEAR_SCHEMES`).
    dt
        Time step (1/ω_p), also the sampling interval.
    stationary_covariance
        Per system of :func:`langevin.simulation.drive_systems`, the ``(N, N//2+1, d, d)``
        covariance the initial state is drawn from (the linear model's Lyapunov solution, or
        the Gibbs covariance past the linear instability); with common random numbers the ±v
        cross-covariance is the linear step's own.
    common_random_numbers
        Step +v and −v with the same normals; estimator ``(F₊ − F₋)/2`` as in the linear engine.
    linear_twin_mean
        Use linear twins as a control variate, with this exact mean of the twin's estimator
        (``None``: no twins).
    antithetic
        Step every system (and twin) also from ``−X₀`` with the negated normals and average
        the pair (module docstring); doubles the work.
    burn_in
        Steps discarded at the start of each realisation (the nonlinear stationary state
        differs from the initial draw at O(Θ)).
    rng_backend
        ``"numpy"`` or ``"philox"``.
    block_steps
        Steps per block of normals (part of the run's identity).
    """

    def __init__(
        self,
        model: LangevinModel,
        grid: PeriodicGrid,
        scheme: str = RUN_PARAMETERS["nonlinear_scheme"].default,
        dt: float = NONLINEAR_START_DT,
        *,
        stationary_covariance: Sequence[np.ndarray],
        common_random_numbers: bool = False,
        linear_twin_mean: float | None = None,
        antithetic: bool = False,
        burn_in: int = 0,
        rng_backend: str = RUN_PARAMETERS["rng_backend"].default,
        block_steps: int | None = None,
    ) -> None:
        if model.nonlinear_drift(grid) is None:
            raise ValueError(
                "nonlinear_drift = None is outside the allowed range for NonlinearSimulation "
                "(a linear model: use langevin.simulation.Simulation)"
            )
        super().__init__(model, grid, scheme, dt, stationary_covariance=stationary_covariance,
                         common_random_numbers=common_random_numbers,
                         linear_twin_mean=linear_twin_mean, antithetic=antithetic,
                         burn_in=burn_in, rng_backend=rng_backend,
                         block_steps=block_steps)  # fmt: skip
