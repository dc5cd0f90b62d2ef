"""A Langevin run on a periodic grid: model → step maps → kernel → estimator → result.

The engine. It sees the model only through :class:`langevin.model_interface.LangevinModel`
(linear drift and noise per mode, the recorded drag-force observable and the estimator), builds
the step maps of :mod:`langevin.stepping` once per run, and steps them in the kernels. Reads
as a sentence::

    sim = Simulation(BilayerModel(params), PeriodicGrid(32, 20.0), scheme="exact", dt=0.5,
                     stationary_covariance=covariances, common_random_numbers=True)
    result = sim.run(seed=1, n_realisations=8, n_steps=20_000, progress=True)
    print(result.mean, result.sdev)

The engine knows nothing of the exact solution: the initial state is drawn from a stationary
covariance the caller gives (``stationary_covariance=``), and the comparison with the exact
value on the same grid lives one layer up (:class:`langevin.comparison.ExactComparison`, which
computes the Lyapunov covariance with :mod:`langevin.exact`, passes it in, and attaches the
exact value to the :class:`RunResult`).

Over MPI ranks, with checkpoints and restarts, the same run is
:func:`langevin.checkpoint.run_distributed` (same bits on any number of ranks); it steps a
realisation block by block through :meth:`Simulation.begin_realisation`,
:meth:`Simulation.advance_realisation` and :meth:`Simulation.finish_realisation`, the pieces
:meth:`Simulation.run_realisation` is made of.

A run is a set of independent realisations. Realisation ``r`` draws from its own stream
``SeedSequence(seed, spawn_key=(r,))`` (:mod:`langevin.noise`), starts from an exact draw of
the stationary distribution (no burn-in, no transient bias), and steps the independent
half-plane modes (q = 0, conserved and force-free, is not stepped; the conjugate partners
in the columns m_y = 0, N/2 are implied). The estimator, recorded after every step, is

* ``D(t) = force_to_D(F(t)·v̂, u)`` for a single drift ``u > 0`` (Eq. 13 in the model's
  units, :meth:`langevin.model.BilayerModel.force_to_D`);
* with common random numbers, ``D(t) = force_to_D((F₊(t) − F₋(t))·v̂/2, u)``: the runs at
  +v and −v (χ, i.e. the nonreciprocal tensor, held fixed) share every normal, so the
  variance stays finite as ``u → 0`` — the step noise maps are Hermitian square roots,
  continuous in ``u``;
* at ``u = 0``, the force ``F(t)·x̂`` itself.

Error bars: per realisation, the windowed integrated autocorrelation estimate (validated
against the exact variance in ``tests/langevin/test_statistics.py``) and, as a diagnostic, blocking;
across realisations, ``sdev = √(Σ err_r²)/R`` with ``χ²/dof`` of the realisation means. The
exact standard deviation of the estimator in the given stationary state
(:func:`langevin.statistics.exact_mean_covariance` on the joint process) comes with the result.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from dragcore.checks import require_positive, require_range
from dragcore.philox import PhiloxStream
from langevin.grid import PeriodicGrid
from langevin.model_interface import LangevinModel
from langevin.noise import NoiseSource, NormalBlocks, realisation_generator
from langevin.parameters import RUN_PARAMETERS
from langevin.statistics import (
    autocorrelation_error,
    blocking_analysis,
    discrete_stationary_covariance,
    exact_mean_covariance,
    joint_process,
    pair_observable_matrix,
)
from langevin.steppers import LinearStepper
from langevin.stepping import (
    advance_modes,
    advance_modes_own_rng,
    kernel_noise_map,
    record_trajectory,
    stationary_sample,
)

__all__ = [
    "ModeSet",
    "Simulation",
    "RealisationResult",
    "RealisationProgress",
    "RunResult",
    "block_means",
    "combine_realisations",
    "drive_systems",
    "run_info",
    "run_result",
]

#: Complex numbers per block of normals (16 bytes each): ~4 MB keeps a block in cache-ish.
BLOCK_NUMBERS = 1 << 18


@dataclass(frozen=True)
class ModeSet:
    """The stepped modes of a grid: independent half-plane modes without q = 0.

    Attributes
    ----------
    index
        ``(ix, iy)`` half-plane indices of the modes.
    qx, qy
        Wave vectors (units 1/d).
    weights
        Half-plane weights (2, or 1 on self-conjugate modes).
    real_mode
        Self-conjugate modes (real state).
    """

    index: tuple[np.ndarray, np.ndarray]
    qx: np.ndarray
    qy: np.ndarray
    weights: np.ndarray
    real_mode: np.ndarray

    @classmethod
    def from_grid(cls, grid: PeriodicGrid) -> ModeSet:
        mask = grid.independent_mask().copy()
        mask[0, 0] = False
        index = np.nonzero(mask)
        qx, qy = grid.half_wavevectors()
        return cls(
            index,
            qx[index],
            qy[index],
            grid.half_plane_weights()[index],
            grid.self_conjugate_mask()[index],
        )

    @property
    def size(self) -> int:
        return int(self.weights.size)


def drive_systems(model: LangevinModel, common_random_numbers: bool) -> list[LangevinModel]:
    """The systems a run steps with shared normals: ``[model]``, or, with common random
    numbers, ``[model, model.reversed_drive()]`` (the same objects on every call)."""
    if not common_random_numbers:
        return [model]
    return [model, model.reversed_drive()]


@dataclass
class RealisationResult:
    """One realisation: its estimator series and summary.

    ``series`` and ``force`` (per-step values) stay on the process that ran the realisation;
    a distributed run (:mod:`langevin.checkpoint`) brings only the summary, the per-block
    means and the snapshot to rank 0, and leaves them ``None``.
    """

    index: int
    series: np.ndarray | None
    force: np.ndarray | None
    mean: float
    error: float
    blocking_error: float
    tau_int: float
    structure: np.ndarray | None = None
    trajectory: np.ndarray | None = None
    snapshot: np.ndarray | None = None
    block_means: np.ndarray | None = None
    #: A second estimator's ``(mean, error)`` where the engine has one (the nonlinear engine:
    #: the q = 0 force the drive's constraint removes from layer 2).
    constraint: tuple[float, float] | None = None


@dataclass
class RealisationProgress:
    """A realisation between two blocks: everything needed to continue it.

    Attributes
    ----------
    index, n_steps
        Realisation index and its total number of steps.
    steps_done
        Steps taken (a multiple of the block length until the last block).
    state
        ``(n_sys, modes, 6)`` complex state after ``steps_done`` steps.
    rng
        The source of the steps' normals, positioned after those of ``steps_done`` steps: the
        realisation's numpy generator, or its :class:`dragcore.philox.PhiloxStream` on the
        ``"philox"`` back-end (on ``"numba"``, the numpy generator, not used for steps).
    forces
        ``(n_steps, n_sys, 2)`` force series, filled up to ``steps_done``.
    moments
        ``(n_sys, modes or 0, 6, 6)`` accumulated ``X X†`` (structure factors) or empty.
    """

    index: int
    n_steps: int
    steps_done: int
    state: np.ndarray
    rng: np.random.Generator | PhiloxStream
    forces: np.ndarray
    moments: np.ndarray

    @property
    def finished(self) -> bool:
        return self.steps_done >= self.n_steps


def block_means(series: np.ndarray, block_steps: int) -> np.ndarray:
    """Means of consecutive blocks of ``block_steps`` samples (the last one may be shorter)."""
    x = np.asarray(series, dtype=float)
    starts = np.arange(0, x.size, block_steps)
    return np.add.reduceat(x, starts) / np.diff(np.append(starts, x.size))


def combine_realisations(means: np.ndarray, errors: np.ndarray) -> tuple[float, float, float]:
    """``(mean, sdev, χ²/dof)`` of independent realisations, in the order given.

    ``mean`` is the plain average of the realisation means, ``sdev = √(Σ err_r²)/R`` and
    ``χ²/dof = Σ (m_r − mean)²/err_r² /(R − 1)`` (NaN for one realisation). The order of the
    arguments fixes the bits of the floating-point sums: pass realisation order.
    """
    means = np.asarray(means, dtype=float)
    errs = np.asarray(errors, dtype=float)
    r = means.size
    mean = float(means.mean())
    sdev = float(np.sqrt(np.sum(errs**2)) / r)
    chi2 = float(np.sum((means - mean) ** 2 / errs**2) / (r - 1)) if r > 1 else float("nan")
    return mean, sdev, chi2


class _Recorder:
    """Full-state trajectories of chosen modes (system 0), stepped beside the kernel."""

    def __init__(self, sim: Simulation, x: np.ndarray, rec: np.ndarray, n_steps: int) -> None:
        self.rec = rec
        self.state = np.ascontiguousarray(x[0, rec])
        self.a = np.ascontiguousarray(sim.step_matrix[0, rec])
        self.s = np.ascontiguousarray(sim.noise_map[0, rec])
        self.real = np.ascontiguousarray(sim.modes.real_mode[rec])
        self.trajectory = np.empty((rec.size, n_steps, x.shape[-1]), dtype=complex)

    def record(self, z: np.ndarray, done: int, nb: int) -> None:
        record_trajectory(
            self.state, self.a, self.s, self.real, np.ascontiguousarray(z[self.rec]),
            self.trajectory[:, done : done + nb],
        )  # fmt: skip


@dataclass
class RunResult:
    """The result a Monte Carlo user expects (after vegas): mean, sdev, χ²/dof, table.

    Attributes
    ----------
    mean, sdev
        Estimate of D (or of F·x̂ at u = 0) and its standard error.
    exact
        The exact value to compare with (Lyapunov solution on the same grid), attached by
        the comparison layer (:meth:`with_exact`); NaN as the engine returns it.
    exact_sdev
        Exact standard deviation of ``mean`` in the stationary state the run started from.
    chi2_dof
        χ² per degree of freedom of the realisation means about ``mean``.
    realisations
        The per-realisation results.
    info
        Run settings and timings (``diagnostics``).
    """

    mean: float
    sdev: float
    exact: float
    exact_sdev: float
    chi2_dof: float
    realisations: list[RealisationResult]
    info: dict = field(default_factory=dict)

    @property
    def pull(self) -> float:
        """``(mean − exact)/sdev`` (NaN without an exact value)."""
        return (self.mean - self.exact) / self.sdev

    def with_exact(self, exact: float) -> RunResult:
        """The same result compared with the exact value ``exact``."""
        return replace(self, exact=float(exact))

    def summary(self) -> str:
        """Per-realisation table and the combined line."""
        lines = [" real |      mean      |  err (τ_int)  | err (blocking) |  τ_int"]
        for r in self.realisations:
            lines.append(
                f"{r.index:5d} | {r.mean:14.6g} | {r.error:13.4g} | {r.blocking_error:14.4g} |"
                f" {r.tau_int:7.2f}"
            )
        total = f"total: {self.mean:.6g} ± {self.sdev:.3g}  (χ²/dof = {self.chi2_dof:.2f});  "
        if math.isnan(self.exact):
            total += f"sd of the estimate {self.exact_sdev:.3g}"
        else:
            total += (
                f"exact {self.exact:.6g} (sd of the estimate {self.exact_sdev:.3g}), "
                f"pull {self.pull:+.2f}"
            )
        lines.append(total)
        return "\n".join(lines)


class Simulation:
    """Langevin integration of a :class:`~langevin.model_interface.LangevinModel` on a grid.

    Parameters
    ----------
    model
        The model (e.g. :class:`~langevin.model.BilayerModel`, dimensionless units); the
        engine uses it only through :class:`~langevin.model_interface.LangevinModel`.
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
        :class:`langevin.comparison.ExactComparison` passes). With common random numbers the
        ±v cross-covariance is the scheme's own discrete stationary one. ``None``: the
        scheme's own discrete stationary covariance (an Euler–Maruyama run starts there, so
        its O(Δt) bias shows no transient; marginal directions then start at zero).
    common_random_numbers
        Step +v and −v with the same normals; estimator ``(F₊ − F₋)/2``.
    rng_backend
        ``"numpy"`` (normals drawn per block, default), ``"numba"`` (drawn in the kernel) or
        ``"philox"`` (counter-based, drawn per block; :mod:`dragcore.philox`): a
        :class:`langevin.noise.NoiseSource` of the registry.
    block_steps
        Steps per block of normals (part of a run's identity: with the same seed and block
        length the run is bit-for-bit reproducible). Default: ~4 MB of normals.

    Attributes
    ----------
    systems
        The stepped systems (:func:`drive_systems`): the model, and its reversed-drive twin
        with common random numbers.
    maps
        Per system, the :class:`~langevin.stepping.StepMaps` of the stepped modes (built
        once); ``step_matrix`` and ``noise_map`` stack them as the kernels take them.
    drag_force, estimator
        The recorded observable (:class:`~langevin.observables.QuadraticObservable`) and
        the scalar averaged (:class:`~langevin.observables.DragEstimator`), from the model.
    joint_step_matrix, joint_cov, observable
        The (joint) step, the initial = stationary covariance and the estimator's quadratic
        form per mode: the exact statistics of the run (:meth:`exact_sdev`).
    burn_in, linear_twin_mean, antithetic
        Steps discarded per realisation (none: the run starts stationary), the control
        variate's mean (none) and antithetic partners (none), as the nonlinear engine has them.
    """

    burn_in: int = 0
    linear_twin_mean: float | None = None
    antithetic: bool = False

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
        self.stepper = LinearStepper.from_name(scheme)
        self.noise = NoiseSource.from_name(rng_backend)
        require_positive("dt", dt)
        if model.nonlinear_drift(grid) is not None:
            raise NotImplementedError(
                "the engine steps linear models only (nonlinear_drift is not None): "
                "a nonlinear stepper is not implemented yet"
            )
        self.model = model
        self.grid = grid
        self.scheme = scheme
        self.dt = float(dt)
        self.crn = bool(common_random_numbers)
        self.rng_backend = rng_backend
        self.modes = ModeSet.from_grid(grid)
        self.dim = len(model.state_names)
        self.systems = drive_systems(model, self.crn)
        n_sys = len(self.systems)
        if stationary_covariance is not None and len(stationary_covariance) != n_sys:
            raise ValueError(
                f"stationary_covariance count = {len(stationary_covariance)} is outside the "
                f"allowed range [{n_sys}, {n_sys}] (one per system)"
            )
        if block_steps is None:
            block_steps = max(1, BLOCK_NUMBERS // (self.modes.size * self.dim))
        require_range("block_steps", block_steps, 1, np.inf)
        self.block_steps = int(block_steps)

        t0 = time.perf_counter()
        self._build_step_maps()
        self._build_observables()
        self._build_stationary_state(stationary_covariance)
        self.setup_seconds = time.perf_counter() - t0

    def _build_step_maps(self) -> None:
        """The step maps of every system, once per run (from the model's M and Q)."""
        idx = self.modes.index
        self.maps = [
            self.stepper.maps(mdl.drift_operator(self.grid)[idx],
                              mdl.noise_matrix(self.grid)[idx], self.dt)
            for mdl in self.systems
        ]  # fmt: skip
        self.step_matrix = np.ascontiguousarray(np.stack([s.step_matrix for s in self.maps]))
        self.noise_map = np.ascontiguousarray(
            np.stack([kernel_noise_map(s.noise_map, self.modes.real_mode) for s in self.maps])
        )

    def _build_observables(self) -> None:
        """The recorded drag force (same coefficients on every system) and the estimator."""
        modes = self.modes
        self.drag_force = self.model.drag_force_observable(modes.qx, modes.qy, modes.weights)
        self.estimator = self.model.drag_estimator()
        coef = self.drag_force.coefficients  # (n_obs, modes)
        self.coef = np.ascontiguousarray(np.stack([coef for _ in self.systems]))
        self.pair = np.array(self.drag_force.pair, dtype=np.int64)
        # c = scale · direction·(w K) per mode; the sign −1 on −v is in the joint form.
        self.estimator_coef = self.estimator.mode_coefficients(self.drag_force)

    def _build_stationary_state(self, given: Sequence[np.ndarray] | None) -> None:
        """Initial = stationary covariance of the (joint) state and the estimator's form."""
        d, maps, pair = self.dim, self.maps, self.drag_force.pair
        given_cov = [] if given is None else [np.asarray(c)[self.modes.index] for c in given]
        h = pair_observable_matrix(self.estimator_coef, pair, d)
        if self.crn:
            a_joint, sig_joint = joint_process(
                [s.step_matrix for s in maps], [s.noise_map for s in maps]
            )
            c_joint = discrete_stationary_covariance(a_joint, sig_joint)
            for k, c_given in enumerate(given_cov):
                blk = slice(k * d, (k + 1) * d)
                # Exact/CN with the Lyapunov solution given: it adds to the discrete solve
                # only the frozen marginal components (undamped, unforced transverse
                # velocities keep their Gibbs variance), so C stays PSD.
                c_joint[:, blk, blk] = c_given
            self.joint_step_matrix, self.joint_cov = a_joint, c_joint
            h_joint = np.zeros((1, self.modes.size, 2 * d, 2 * d), dtype=complex)
            h_joint[0, :, :d, :d] = 0.5 * h
            h_joint[0, :, d:, d:] = -0.5 * h
            self.observable = h_joint
        else:
            a = maps[0].step_matrix
            if given_cov:
                c0 = given_cov[0]
            else:
                c0 = discrete_stationary_covariance(a, maps[0].step_covariance)
            self.joint_step_matrix, self.joint_cov = a, c0
            self.observable = h[None]

    # --- exact statistics ---------------------------------------------------------------------
    def exact_sdev(self, n_steps: int, n_realisations: int = 1) -> float:
        """Exact standard deviation of the run's mean estimator (``n_steps`` per realisation)."""
        var = exact_mean_covariance(
            self.joint_step_matrix,
            self.joint_cov,
            self.observable,
            int(n_steps),
            self.modes.real_mode,
        )[0, 0]
        return float(np.sqrt(max(var, 0.0) / n_realisations))

    def stationary_mean(self) -> float:
        """Mean of the estimator in the stationary state of the *scheme* (``Σ tr(H C₀)``)."""
        return float(np.einsum("mab,mba->", self.observable[0], self.joint_cov).real)

    def scheme_stationary_mean(self) -> float:
        """Mean of the estimator in the stationary state of the *scheme* itself: per system
        the discrete Lyapunov solution ``C = A C A† + S S†`` of its step (exact for the
        scheme), ``Σ_k s_k tr(H C_k)`` with ``s = (½, −½)`` for the ±v pair. What a long run
        converges to. The exact scheme's stationary state is the continuous one, whose
        marginal directions the discrete solve cannot fix: there this is
        :meth:`stationary_mean` in the given stationary covariance."""
        return self.stepper.stationary_mean(self)

    def stable_dt_limit(self) -> float:
        """Largest stable step of the scheme (``inf`` for an A-stable one), e.g. Euler–Maruyama's
        ``Δt < min(−2 Re λ/|λ|²)`` (:meth:`langevin.steppers.LinearStepper.stable_dt_limit`)."""
        return self.stepper.stable_dt_limit(self.maps, self.dt)

    def correlation_steps(self) -> tuple[float, float]:
        """Steps the slowest decaying direction needs to decorrelate (by a factor e), for the
        scheme's step and for the exact step of the same drift
        (:meth:`langevin.steppers.LinearStepper.correlation_steps`).

        Crank–Nicolson keeps the stationary covariance exactly but maps a stiff rate λ to
        ``(1 + Δtλ/2)/(1 − Δtλ/2) → −1``: for ``Δt|λ| ≫ 1`` the direction hardly decays, and
        a run's error bar cannot see it. The ratio of the two numbers measures the damage.
        """
        return self.stepper.correlation_steps(self.maps, self.dt)

    # --- one realisation -----------------------------------------------------------------------
    def initial_state(self, rng: np.random.Generator) -> np.ndarray:
        """``(n_sys, modes, 6)``: an exact draw from the (joint) stationary distribution."""
        x = stationary_sample(self.joint_cov, self.modes.real_mode, rng)
        n_sys = len(self.systems)
        return np.ascontiguousarray(
            np.stack([x[:, k * self.dim : (k + 1) * self.dim] for k in range(n_sys)])
        )

    def begin_realisation(
        self, seed: int, index: int, n_steps: int, *, structure: bool = False
    ) -> RealisationProgress:
        """Realisation ``index`` of a run with ``seed`` before its first step.

        Its initial state is an exact stationary draw from the realisation's own stream
        (:func:`langevin.noise.realisation_generator`); the same stream then feeds the steps
        (``"numpy"`` back-end), or the realisation's own Philox or numba stream does.
        """
        require_range("n_steps", n_steps, 1, np.inf)
        rng = realisation_generator(seed, index)
        x = self.initial_state(rng)
        n_sys, m_count, d = x.shape
        stream = self.noise.step_stream(seed, index, rng)
        return RealisationProgress(
            index=int(index),
            n_steps=int(n_steps),
            steps_done=0,
            state=x,
            rng=stream,
            forces=np.empty((n_steps, n_sys, 2)),
            moments=np.zeros((n_sys, m_count if structure else 0, d, d), dtype=complex),
        )

    def advance_realisation(
        self,
        prog: RealisationProgress,
        max_blocks: int | None = None,
        *,
        progress=None,
        recorder: _Recorder | None = None,
    ) -> bool:
        """Step ``prog`` by up to ``max_blocks`` blocks of normals (all remaining: ``None``).

        Blocks are the unit of the random stream (:class:`langevin.noise.NormalBlocks`), so a
        realisation stopped between blocks and continued from its state and generator
        position draws the same numbers as one that ran through. Returns ``True`` when the
        realisation has all its steps.
        """
        n_sys, m_count, d = prog.state.shape
        use_numba = self.noise.draws_in_kernel
        blocks = None if use_numba else NormalBlocks(prog.rng, m_count, self.block_steps, d)
        out = np.empty((self.block_steps, n_sys, 2))
        x, moments = prog.state, prog.moments
        taken = 0
        while prog.steps_done < prog.n_steps and (max_blocks is None or taken < max_blocks):
            done = prog.steps_done
            nb = min(self.block_steps, prog.n_steps - done)
            o = out[:nb]
            if use_numba:
                advance_modes_own_rng(
                    x, self.step_matrix, self.noise_map, self.modes.real_mode, nb,
                    self.pair, self.coef, o, moments,
                )  # fmt: skip
            else:
                z = blocks.draw(None if nb == self.block_steps else nb)
                advance_modes(
                    x, self.step_matrix, self.noise_map, self.modes.real_mode, z,
                    self.pair, self.coef, o, moments,
                )  # fmt: skip
                if recorder is not None:
                    recorder.record(z, done, nb)
            prog.forces[done : done + nb] = o
            prog.steps_done = done + nb
            taken += 1
            if progress is not None:
                progress(nb)
        return prog.finished

    def finish_realisation(self, prog: RealisationProgress) -> RealisationResult:
        """Error analysis of a finished realisation (series, τ_int, blocking, block means)."""
        if not prog.finished:
            raise ValueError(
                f"steps_done = {prog.steps_done} is outside the allowed range "
                f"[{prog.n_steps}, {prog.n_steps}] (realisation {prog.index} unfinished)"
            )
        series = self.estimator_series(prog.forces)
        mean, err, tau = autocorrelation_error(series)
        blk = blocking_analysis(series).error if series.size >= 16 else float("nan")
        return RealisationResult(
            prog.index,
            series,
            prog.forces,
            mean,
            err,
            blk,
            tau,
            structure=(prog.moments[0] / prog.n_steps) if prog.moments.shape[1] else None,
            snapshot=self.snapshot(prog.state[0]),
            block_means=block_means(series, self.block_steps),
        )

    def run_realisation(
        self,
        seed: int,
        index: int,
        n_steps: int,
        *,
        structure: bool = False,
        record: np.ndarray | None = None,
        progress=None,
    ) -> RealisationResult:
        """Run realisation ``index`` of a run with ``seed`` for ``n_steps`` steps.

        Parameters
        ----------
        structure
            Accumulate ``⟨X X†⟩`` per mode (equal-time structure factors, system 0).
        record
            Positions (into :attr:`modes`) whose full state is stored every step (D(q, ω)).
        progress
            Callable ``(steps_done)`` called after each block.
        """
        prog = self.begin_realisation(seed, index, n_steps, structure=structure)
        recorder = None
        if record is not None:
            if self.noise.draws_in_kernel:
                raise ValueError(
                    f"record = modes is outside the allowed range for rng_backend "
                    f"{self.rng_backend}"
                )
            recorder = _Recorder(self, prog.state, np.asarray(record, dtype=np.int64), n_steps)
        self.advance_realisation(prog, progress=progress, recorder=recorder)
        res = self.finish_realisation(prog)
        if recorder is not None:
            res.trajectory = recorder.trajectory
        return res

    def estimator_series(self, forces: np.ndarray) -> np.ndarray:
        """``(n_steps,)`` estimator from the force series ``(n_steps, n_sys, 2)``."""
        return self.estimator.series(forces)

    def half_plane_state(self, state: np.ndarray) -> np.ndarray:
        """Packed ``(modes, 6)`` state → half-plane coefficients ``(6, N, N//2+1)``.

        The conjugate partners in the columns ``m_y = 0`` and ``N/2`` are filled by
        conjugation (``X_{−q} = X_q^*``), so the coefficients are those of a real field; the
        q = 0 mode (total charge, total momentum: conserved, never stepped) is zero.
        """
        n = self.grid.n
        half = np.zeros((self.dim, n, n // 2 + 1), dtype=complex)
        ix, iy = self.modes.index
        half[:, ix, iy] = state.T
        for col in (0, n // 2):
            src = np.arange(1, n // 2)
            half[:, (n - src) % n, col] = np.conj(half[:, src, col])
        return half

    def snapshot(self, state: np.ndarray) -> np.ndarray:
        """Real-space fields ``(6, N, N)``: δn₁, δn₂, δv₁ₓ, δv₁ᵧ, δv₂ₓ, δv₂ᵧ (model units)."""
        return self.grid.to_real_space(self.half_plane_state(state))

    # --- a run -------------------------------------------------------------------------------
    def run(
        self,
        seed: int,
        n_realisations: int,
        n_steps: int,
        *,
        first_realisation: int = 0,
        structure: bool = False,
        progress: bool = False,
        with_exact_sdev: bool = True,
    ) -> RunResult:
        """``n_realisations`` independent realisations of ``n_steps`` steps each."""
        require_range("n_realisations", n_realisations, 1, np.inf)
        total = n_realisations * n_steps
        tracker = _Progress(total, self.modes.size * len(self.systems)) if progress else None
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        results = []
        for r in range(first_realisation, first_realisation + n_realisations):
            results.append(
                self.run_realisation(
                    seed,
                    r,
                    n_steps,
                    structure=structure,
                    progress=None if tracker is None else tracker.update,
                )  # fmt: skip
            )
        if tracker is not None:
            tracker.close()
        wall = time.perf_counter() - t0
        info = {**run_info(self, seed, n_realisations, n_steps, wall),
                "first_realisation": int(first_realisation),
                "cpu_seconds": time.process_time() - cpu0}  # fmt: skip
        return run_result(self, results, info, with_exact_sdev)


def run_info(sim, seed: int, n_realisations: int, n_steps: int, wall: float) -> dict:
    """The settings and timings of a run of ``sim`` that every result's ``info`` holds."""
    total = n_realisations * n_steps
    return {
        "scheme": sim.scheme,
        "dt": sim.dt,
        "seed": int(seed),
        "n_realisations": int(n_realisations),
        "first_realisation": 0,
        "n_steps": int(n_steps),
        "block_steps": sim.block_steps,
        "common_random_numbers": sim.crn,
        "rng_backend": sim.rng_backend,
        "modes": sim.modes.size,
        "systems": len(sim.systems),
        "setup_seconds": sim.setup_seconds,
        "wall_seconds": wall,
        "mode_steps_per_second": sim.modes.size * len(sim.systems) * total / max(wall, 1e-12),
        "estimator": sim.estimator.name,
    }


def run_result(sim, realisations: list[RealisationResult], info: dict,
               with_exact_sdev: bool = True) -> RunResult:  # fmt: skip
    """The :class:`RunResult` of ``sim``'s finished ``realisations`` (in realisation order):
    the combined estimate, the exact standard deviation (``with_exact_sdev``) and, where the
    realisations carry a second estimator, its combined mean and error."""
    mean, sdev, chi2 = combine_realisations(
        np.array([r.mean for r in realisations]), np.array([r.error for r in realisations])
    )
    n_steps, n_realisations = info["n_steps"], info["n_realisations"]
    exact_sd = sim.exact_sdev(n_steps, n_realisations) if with_exact_sdev else float("nan")
    if realisations and realisations[0].constraint is not None:
        m2, s2, _ = combine_realisations(
            np.array([r.constraint[0] for r in realisations]),
            np.array([r.constraint[1] for r in realisations]),
        )
        info = {**info, "constraint_mean": m2, "constraint_sdev": s2, "burn_in": sim.burn_in}
    return RunResult(mean, sdev, float("nan"), exact_sd, chi2, realisations, info)


class _Progress:
    """A one-line progress display on stderr: fraction, mode-steps/s, ETA (≥ 0.5 s apart)."""

    def __init__(self, total_steps: int, modes: int) -> None:
        self.total = total_steps
        self.modes = modes
        self.done = 0
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, steps: int) -> None:
        self.done += steps
        now = time.perf_counter() - self.start
        if now - self.last < 0.5 and self.done < self.total:
            return
        self.last = now
        rate = self.done / max(now, 1e-9)
        eta = (self.total - self.done) / max(rate, 1e-9)
        sys.stderr.write(
            f"\r  {100 * self.done / self.total:5.1f} %  {rate * self.modes:9.3g} mode-steps/s"
            f"  ETA {eta:6.1f} s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
