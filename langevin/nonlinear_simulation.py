"""The engine for a model with a nonlinear right-hand side: exponential (Lawson) steppers.

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

The realisation API (:meth:`begin_realisation`, :meth:`advance_realisation`,
:meth:`finish_realisation`) is the linear engine's, so :func:`langevin.checkpoint.run_distributed`
runs, checkpoints and resumes these runs unchanged (same bits on any number of ranks).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from dragcore.checks import require_positive, require_range
from langevin.grid import PeriodicGrid
from langevin.model_interface import LangevinModel
from langevin.noise import NoiseSource, NormalBlocks, realisation_generator
from langevin.parameters import NONLINEAR_START_DT, RUN_PARAMETERS
from langevin.simulation import (
    ModeSet,
    RealisationProgress,
    RealisationResult,
    RunResult,
    _Progress,
    block_means,
    combine_realisations,
    drive_systems,
)
from langevin.statistics import (
    autocorrelation_error,
    blocking_analysis,
    discrete_stationary_covariance,
    joint_process,
)
from langevin.steppers import NONLINEAR_SCHEMES, NonlinearStepper
from langevin.stepping import exact_ou_maps, kernel_noise_map, stationary_sample

__all__ = [
    "NONLINEAR_SCHEMES",
    "NonlinearSimulation",
    "active_mode_set",
    "point_fluctuations",
    "expected_density_zeros",
    "estimator_consistency",
    "CONSISTENCY_SIGMAS",
]

#: Complex numbers per block of normals.
BLOCK_NUMBERS = 1 << 18


def active_mode_set(grid: PeriodicGrid, active: np.ndarray) -> ModeSet:
    """The stepped modes: independent half-plane modes inside ``active`` (no q = 0)."""
    mask = grid.independent_mask() & active
    mask[0, 0] = False
    index = np.nonzero(mask)
    qx, qy = grid.half_wavevectors()
    return ModeSet(
        index,
        qx[index],
        qy[index],
        grid.half_plane_weights()[index],
        grid.self_conjugate_mask()[index],
    )


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


def estimator_consistency(
    means: np.ndarray, errors: np.ndarray
) -> tuple[float, float, float]:
    """``(difference, sdev, |difference|/sdev)`` of the per-realisation differences between
    the drag estimator and the constraint-force one (independent realisations; each error from
    the autocorrelation of the difference series). Both estimate the same force (the drag is
    the total force on layer 2 at q = 0), so in the dt → 0 limit their mean difference is zero;
    at a finite step it measures the stepper's error (the drag estimator is taken at the ends
    of the steps, the constraint force at the stepper's stages)."""
    means, errors = np.asarray(means, dtype=float), np.asarray(errors, dtype=float)
    mean = float(means.mean())
    sdev = float(np.sqrt(np.sum(errors**2)) / means.size)
    z = abs(mean) / sdev if sdev > 0 else (math.inf if mean else 0.0)
    return mean, sdev, float(z)


class NonlinearSimulation:
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
        rng_backend: str = "numpy",
        block_steps: int | None = None,
    ) -> None:
        self.stepper = NonlinearStepper.from_name(scheme)
        self.noise = NoiseSource.from_name(
            rng_backend, list(NoiseSource.names(draws_in_kernel=False))
        )
        require_positive("dt", dt)
        require_range("burn_in", burn_in, 0, np.inf)
        if model.nonlinear_drift(grid) is None:
            raise ValueError(
                "nonlinear_drift = None is outside the allowed range for NonlinearSimulation "
                "(a linear model: use langevin.simulation.Simulation)"
            )
        t0 = time.perf_counter()
        self.model, self.grid, self.scheme = model, grid, scheme
        self.dt = float(dt)
        self.crn = bool(common_random_numbers)
        self.rng_backend = rng_backend
        self.burn_in = int(burn_in)
        self.linear_twin_mean = None if linear_twin_mean is None else float(linear_twin_mean)
        self.antithetic = bool(antithetic)
        self.systems = drive_systems(model, self.crn)
        self.n_nl = len(self.systems)
        # rows of the state: the systems (then their antithetic partners), then the twins
        self.n_stepped = self.n_nl * (2 if self.antithetic else 1)
        self.n_total = self.n_stepped * (2 if self.linear_twin_mean is not None else 1)
        self.modes = active_mode_set(grid, model.active_modes(grid))
        self.dim = len(model.state_names)
        if len(stationary_covariance) != self.n_nl:
            raise ValueError(
                f"stationary_covariance count = {len(stationary_covariance)} is outside the "
                f"allowed range [{self.n_nl}, {self.n_nl}] (one per system)"
            )
        noise_dim = self.dim * self.stepper.increments
        if block_steps is None:
            block_steps = max(1, BLOCK_NUMBERS // (self.modes.size * noise_dim))
        require_range("block_steps", block_steps, 1, np.inf)
        self.block_steps = int(block_steps)
        self.noise_dim = noise_dim
        self._build_maps()
        self._build_partners()
        self.rhs = [mdl.nonlinear_drift(grid) for mdl in self.systems]
        self.drag_force = model.drag_force_observable(
            self.modes.qx, self.modes.qy, self.modes.weights
        )
        self.estimator = model.drag_estimator()
        self._build_initial(stationary_covariance)
        self.setup_seconds = time.perf_counter() - t0

    # --- set-up --------------------------------------------------------------------------------
    def _build_maps(self) -> None:
        idx, real = self.modes.index, self.modes.real_mode
        self.step_matrix, self.noise_map, self.half_matrix, self.half_noise = [], [], [], []
        self._full_maps = []
        for mdl in self.systems:
            m = mdl.drift_operator(self.grid)[idx]
            q = mdl.noise_matrix(self.grid)[idx]
            full = exact_ou_maps(m, q, self.dt)
            self._full_maps.append(full)
            self.step_matrix.append(np.ascontiguousarray(full.step_matrix))
            self.noise_map.append(kernel_noise_map(full.noise_map, real))
            self.stepper.build(self, m, q)

    def _build_partners(self) -> None:
        """Where the stepped modes and their conjugate partners sit on the half plane."""
        n = self.grid.n
        ix, iy = self.modes.index
        col0 = (iy == 0) & (ix > 0)
        self._partner_src = np.nonzero(col0)[0]
        self._partner_dst = ((n - ix[col0]) % n, np.zeros(int(col0.sum()), dtype=np.int64))
        self._half_shape = (self.dim, n, n // 2 + 1)

    def _build_initial(self, given: Sequence[np.ndarray]) -> None:
        d = self.dim
        covs = [np.asarray(c)[self.modes.index] for c in given]
        if self.crn:
            maps = self._full_maps
            a_j, s_j = joint_process([m.step_matrix for m in maps], [m.noise_map for m in maps])
            c = discrete_stationary_covariance(a_j, s_j)
            for k, ck in enumerate(covs):
                c[:, k * d : (k + 1) * d, k * d : (k + 1) * d] = ck
            self.initial_cov = c
        else:
            self.initial_cov = covs[0]

    # --- state ↔ half plane ------------------------------------------------------------------
    def half_plane_state(self, packed: np.ndarray) -> np.ndarray:
        """Packed ``(modes, d)`` → half-plane coefficients ``(d, N, N//2+1)`` of real fields."""
        half = np.zeros(self._half_shape, dtype=complex)
        ix, iy = self.modes.index
        half[:, ix, iy] = packed.T
        if self._partner_src.size:
            half[:, self._partner_dst[0], self._partner_dst[1]] = np.conj(
                packed[self._partner_src].T
            )
        return half

    def snapshot(self, packed: np.ndarray) -> np.ndarray:
        """Real-space fields ``(d, N, N)`` of a packed state (model units)."""
        return self.grid.to_real_space(self.half_plane_state(packed))

    def nonlinear_packed(self, k: int, packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``N`` of system ``k`` on the stepped modes ``(modes, d)`` and its q = 0 momentum
        entries (the constraint forces, ``(4,)``: layer 1 x, y, layer 2 x, y)."""
        out = self.rhs[k](self.half_plane_state(packed))
        ix, iy = self.modes.index
        return np.ascontiguousarray(out[:, ix, iy].T), out[2:6, 0, 0].real.copy()

    # --- one step --------------------------------------------------------------------------------
    @staticmethod
    def _apply(a: np.ndarray, x: np.ndarray) -> np.ndarray:
        return np.matmul(a, x[..., None])[..., 0]

    def _forces(self, x: np.ndarray) -> np.ndarray:
        """Eq. (11) on the stepped modes: ``Re Σ c ρ₁ ρ₂*`` (2,)."""
        i, j = self.drag_force.pair
        return (self.drag_force.coefficients @ (x[:, i] * np.conj(x[:, j]))).real

    def step(self, state: np.ndarray, z: np.ndarray, out: np.ndarray) -> None:
        """One step of every row in place; ``z`` raw normals ``(modes, noise_dim)`` (the
        antithetic partners take ``−z``); ``out`` ``(n_total, 6)``: drag force (2) and
        constraint forces (4) per row."""
        stepper, n = self.stepper, self.n_nl
        normals = (z, -z) if self.antithetic else (z,)
        for k in range(self.n_stepped):
            state[k], out[k, 2:] = stepper.step(self, k % n, state[k], normals[k // n])
            out[k, :2] = self._forces(state[k])
        for k in range(self.n_stepped, self.n_total):  # linear twins: the exact OU step
            j = k - self.n_stepped
            state[k] = stepper.step_twin(self, j % n, state[k], normals[j // n])
            out[k, :2] = self._forces(state[k])
            out[k, 2:] = 0.0

    # --- accuracy control -----------------------------------------------------------------------
    def nonlinear_rate(self, n_draws: int = 4, iterations: int = 24, seed: int = 0) -> float:
        """The fastest rate of the explicitly stepped part, ``max |λ|`` of the Jacobian of
        ``N`` (system 0), at ``n_draws`` states drawn from the initial (linear stationary)
        covariance: power iteration on central finite differences of ``N``, the growth over
        the second half of the iterations (``|λ|`` of the dominant eigenvalue, also for a
        complex pair). The largest over the draws. Deterministic (``seed``)."""
        rng = np.random.default_rng(seed)
        real = self.modes.real_mode
        d = self.dim
        cov0 = self.initial_cov[:, :d, :d]
        rate = 0.0
        for _ in range(n_draws):
            x = stationary_sample(cov0, real, rng)
            h = rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape)
            h[real] = h[real].real
            h /= np.linalg.norm(h)
            scale = 1e-6 * max(float(np.linalg.norm(x)), 1e-12)
            logs = []
            for _ in range(iterations):
                jh = (self.nonlinear_packed(0, x + scale * h)[0]
                      - self.nonlinear_packed(0, x - scale * h)[0]) / (2 * scale)  # fmt: skip
                norm = float(np.linalg.norm(jh))
                if not norm > 0:
                    break
                logs.append(math.log(norm))
                h = jh / norm
            if logs:
                tail = logs[len(logs) // 2 :]
                rate = max(rate, math.exp(sum(tail) / len(tail)))
        return rate

    # --- one realisation ---------------------------------------------------------------------
    def initial_state(self, rng: np.random.Generator) -> np.ndarray:
        """``(n_total, modes, d)``: a draw from the initial covariance (antithetic partners:
        its negative; twins: the same)."""
        x = stationary_sample(self.initial_cov, self.modes.real_mode, rng)
        d = self.dim
        parts = [x[:, k * d : (k + 1) * d] for k in range(self.n_nl)]
        if self.antithetic:
            parts = parts + [-p for p in parts]
        if self.n_total > self.n_stepped:
            parts = parts + [p.copy() for p in parts]
        return np.ascontiguousarray(np.stack(parts))

    def begin_realisation(
        self, seed: int, index: int, n_steps: int, *, structure: bool = False
    ) -> RealisationProgress:
        """Realisation ``index`` before its first step (as the linear engine's)."""
        require_range("n_steps", n_steps, self.burn_in + 1, np.inf)
        rng = realisation_generator(seed, index)
        x = self.initial_state(rng)
        stream = self.noise.step_stream(seed, index, rng)
        return RealisationProgress(
            index=int(index),
            n_steps=int(n_steps),
            steps_done=0,
            state=x,
            rng=stream,
            forces=np.empty((n_steps, self.n_total, 6)),
            moments=np.zeros((self.n_total, self.modes.size if structure else 0, self.dim),
                             dtype=float),
        )  # fmt: skip

    def advance_realisation(
        self, prog: RealisationProgress, max_blocks: int | None = None, *, progress=None
    ) -> bool:
        """Step ``prog`` by up to ``max_blocks`` blocks of normals (``None``: all).

        ``moments`` (if allocated) accumulates ``|X_i|²`` per mode and component after the
        burn-in (equal-time structure factors). Raises
        :class:`langevin.nonlinear_model.BlowUpError`-like errors naming the step.
        """
        m_count = self.modes.size
        blocks = NormalBlocks(prog.rng, m_count, self.block_steps, self.noise_dim)
        out = np.empty((self.n_total, 6))
        taken = 0
        while prog.steps_done < prog.n_steps and (max_blocks is None or taken < max_blocks):
            done = prog.steps_done
            nb = min(self.block_steps, prog.n_steps - done)
            z = blocks.draw(None if nb == self.block_steps else nb)
            for t in range(nb):
                try:
                    self.step(prog.state, z[:, t], out)
                except FloatingPointError as exc:
                    raise type(exc)(
                        f"{exc} at step {done + t + 1} of realisation {prog.index} "
                        f"({type(self.model).__name__}, scheme {self.scheme}, dt = {self.dt:g}, "
                        f"grid N = {self.grid.n}, L = {self.grid.length:g}; "
                        f"parameters {self.model.params})"
                    ) from None
                prog.forces[done + t] = out
                if prog.moments.shape[1] and done + t >= self.burn_in:
                    prog.moments += np.abs(prog.state) ** 2
            prog.steps_done = done + nb
            taken += 1
            if progress is not None:
                progress(nb)
        return prog.finished

    def _pair_series(self, f: np.ndarray, first: int, columns: slice) -> np.ndarray:
        """The estimator of the rows from ``first`` on (the systems, averaged with their
        antithetic partners)."""
        n = self.n_nl
        series = self.estimator.series(f[:, first : first + n, columns])
        if self.antithetic:
            partner = self.estimator.series(f[:, first + n : first + 2 * n, columns])
            series = 0.5 * (series + partner)
        return series

    def estimator_series(self, forces: np.ndarray) -> np.ndarray:
        """The averaged series after the burn-in (control variate applied)."""
        f = forces[self.burn_in :]
        series = self._pair_series(f, 0, slice(0, 2))
        if self.linear_twin_mean is not None:
            series = series - self._pair_series(f, self.n_stepped, slice(0, 2))
            series = series + self.linear_twin_mean
        return series

    def constraint_series(self, forces: np.ndarray) -> np.ndarray:
        """The second estimator: the q = 0 force the constraint removes from layer 2,
        through the same estimator (scale, direction, ±v pair), after the burn-in."""
        f = forces[self.burn_in :]
        series = self._pair_series(f, 0, slice(4, 6))
        if self.linear_twin_mean is not None:
            series = series - self._pair_series(f, self.n_stepped, slice(0, 2))
            series = series + self.linear_twin_mean
        return series

    def finish_realisation(self, prog: RealisationProgress) -> RealisationResult:
        """Error analysis of a finished realisation (both estimators)."""
        if not prog.finished:
            raise ValueError(
                f"steps_done = {prog.steps_done} is outside the allowed range "
                f"[{prog.n_steps}, {prog.n_steps}] (realisation {prog.index} unfinished)"
            )
        series = self.estimator_series(prog.forces)
        mean, err, tau = autocorrelation_error(series)
        blk = blocking_analysis(series).error if series.size >= 16 else float("nan")
        second = self.constraint_series(prog.forces)
        m2, e2, _ = autocorrelation_error(second)
        md, ed, _ = autocorrelation_error(series - second)
        kept = prog.n_steps - self.burn_in
        res = RealisationResult(
            prog.index,
            series,
            prog.forces,
            mean,
            err,
            blk,
            tau,
            structure=(prog.moments[0] / kept) if prog.moments.shape[1] else None,
            snapshot=self.snapshot(prog.state[0]),
            block_means=block_means(series, self.block_steps),
            constraint=(m2, e2, md, ed),
        )
        return res

    def exact_sdev(self, n_steps: int, n_realisations: int = 1) -> float:
        """NaN: a nonlinear model has no exact variance."""
        return float("nan")

    def run(
        self,
        seed: int,
        n_realisations: int,
        n_steps: int,
        *,
        structure: bool = False,
        progress: bool = False,
    ) -> RunResult:
        """``n_realisations`` realisations of ``n_steps`` steps (one process)."""
        require_range("n_realisations", n_realisations, 1, np.inf)
        tracker = (
            _Progress(n_realisations * n_steps, self.modes.size * self.n_total)
            if progress
            else None
        )
        t0 = time.perf_counter()
        results = []
        for r in range(n_realisations):
            prog = self.begin_realisation(seed, r, n_steps, structure=structure)
            self.advance_realisation(prog, progress=None if tracker is None else tracker.update)
            results.append(self.finish_realisation(prog))
        if tracker is not None:
            tracker.close()
        wall = time.perf_counter() - t0
        mean, sdev, chi2 = combine_realisations(
            np.array([r.mean for r in results]), np.array([r.error for r in results])
        )
        m2, s2, _ = combine_realisations(
            np.array([r.constraint[0] for r in results]),
            np.array([r.constraint[1] for r in results]),
        )
        diff, diff_sdev, diff_z = estimator_consistency(
            np.array([r.constraint[2] for r in results]),
            np.array([r.constraint[3] for r in results]),
        )
        info = {
            "scheme": self.scheme,
            "dt": self.dt,
            "seed": int(seed),
            "n_realisations": int(n_realisations),
            "n_steps": int(n_steps),
            "burn_in": self.burn_in,
            "block_steps": self.block_steps,
            "common_random_numbers": self.crn,
            "linear_twin_mean": self.linear_twin_mean,
            "antithetic": self.antithetic,
            "rng_backend": self.rng_backend,
            "modes": self.modes.size,
            "systems": self.n_total,
            "setup_seconds": self.setup_seconds,
            "wall_seconds": wall,
            "grid_point_steps_per_second": self.grid.n**2
            * self.n_stepped
            * n_realisations
            * n_steps
            / max(wall, 1e-12),
            "constraint_mean": m2,
            "constraint_sdev": s2,
            "estimator_difference": diff,
            "estimator_difference_sdev": diff_sdev,
            "estimator_difference_sigmas": diff_z,
            "estimator": self.estimator.name,
        }
        return RunResult(mean, sdev, math.nan, math.nan, chi2, results, info)
