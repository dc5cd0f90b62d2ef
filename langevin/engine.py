"""The Langevin engine: model → step maps → stepper → estimators → result, for every model.

One engine steps a model of :class:`langevin.model_interface.LangevinModel` on a periodic
grid, linear or not. It sees the model only through the interface (linear drift and noise per
mode, its kept modes, its nonlinear drift or ``None``, the recorded drag-force observable and
the estimator), takes the stepper by name from the registry of the kind the model asks for
(:mod:`langevin.steppers`: affine schemes for a model without a nonlinear drift, Lawson
schemes otherwise) and leaves to the stepper what depends on the kind: the maps, the advance
of a block of steps, the forces recorded per step, the moments, the back-ends. Reads as a
sentence::

    sim = Engine(BilayerModel(params), PeriodicGrid(32, 20.0), "exact", 0.5,
                 stationary_covariance=covariances, common_random_numbers=True)
    result = sim.run(seed=1, n_realisations=8, n_steps=20_000, progress=True)

:class:`langevin.simulation.Simulation` (a linear model, the ``[stepper]`` defaults) and
:class:`langevin.nonlinear_simulation.NonlinearSimulation` (a nonlinear model, the
``[nonlinear]`` defaults) are its two front doors.

The realisation protocol. A run is a set of independent realisations. Realisation ``r``
draws from its own stream ``SeedSequence(seed, spawn_key=(r,))`` (:mod:`langevin.noise`),
starts from a draw of the given stationary covariance (:meth:`Engine.begin_realisation`),
is stepped block by block (:meth:`Engine.advance_realisation`; a block is the unit of the
random stream, so a realisation stopped between blocks and continued from its state and
generator position draws the same numbers) and analysed (:meth:`Engine.finish_realisation`).
:func:`langevin.checkpoint.run_distributed` spreads these over MPI ranks with the same bits
as :meth:`Engine.run` in one process.

The rows of the state. The stepped systems are the model and, with common random numbers,
its reversed-drive twin (:func:`drive_systems`; estimator ``(F₊ − F₋)/2``). A stepper with
``partners`` adds, after them, each system's antithetic partner (from ``−X₀`` driven by
``−ξ``; the estimator averages the pair) and then each row's linear twin (``N = 0``, the same
normals from the same start; the estimator is ``D − D_twin + linear_twin_mean``, a control
variate whose mean is exact), and may discard a burn-in (the nonlinear stationary state
differs from the initial draw). The estimators are the drag force's (Eq. 11) and, where the
stepper records one, a second estimator of the same force (the constraint force at q = 0).

Error bars: per realisation, the windowed integrated autocorrelation estimate and, as a
diagnostic, blocking; across realisations, ``sdev = √(Σ err_r²)/R`` with ``χ²/dof`` of the
realisation means. For an affine stepper the exact standard deviation of the estimator in
the stationary state (:func:`langevin.statistics.exact_mean_covariance`) comes with the
result (:meth:`Engine.exact_sdev`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from dragcore.checks import require_positive, require_range
from langevin.grid import PeriodicGrid
from langevin.model_interface import LangevinModel
from langevin.modes import ModeSet, active_mode_set, drive_systems
from langevin.noise import NoiseSource, NormalBlocks, realisation_generator
from langevin.results import (
    RealisationProgress,
    RealisationResult,
    RunResult,
    _Progress,
    block_means,
    combine_realisations,
    estimator_consistency,
)
from langevin.statistics import autocorrelation_error, blocking_analysis, joint_process

# isort: split
from langevin.statistics import (
    discrete_stationary_covariance,
    exact_mean_covariance,
    pair_observable_matrix,
)
from langevin.steppers import LinearStepper, NonlinearStepper
from langevin.stepping import kernel_noise_map, record_trajectory, stationary_sample

__all__ = ["Engine", "ModeSet", "active_mode_set", "drive_systems", "BLOCK_NUMBERS"]

#: Complex numbers per block of normals (16 bytes each): ~4 MB keeps a block in cache-ish.
BLOCK_NUMBERS = 1 << 18


class _Recorder:
    """Full-state trajectories of chosen modes (system 0), stepped beside the kernel."""

    def __init__(self, sim: Engine, x: np.ndarray, rec: np.ndarray, n_steps: int) -> None:
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


class Engine:
    """Langevin integration of a :class:`~langevin.model_interface.LangevinModel` on a grid.

    Parameters
    ----------
    model
        The model (dimensionless units); its ``nonlinear_drift`` (``None``: a linear model)
        chooses the kind of stepper, its ``active_modes`` the stepped modes.
    grid
        The periodic grid (``L`` in units of d).
    scheme
        A scheme of the registry of that kind (:class:`langevin.steppers.LinearStepper`,
        :class:`langevin.steppers.NonlinearStepper`).
    dt
        Time step (units 1/ω_p); it is also the sampling interval of the series.
    stationary_covariance
        Per system (see :func:`drive_systems`), the ``(N, N//2+1, d, d)`` half-plane
        covariance the initial state is drawn from; with common random numbers the ±v
        cross-covariance is the step's own discrete stationary one. ``None``: the scheme's own
        discrete stationary covariance.
    common_random_numbers
        Step +v and −v with the same normals; estimator ``(F₊ − F₋)/2``.
    linear_twin_mean, antithetic, burn_in
        Linear twins as a control variate with this exact mean (``None``: no twins),
        antithetic partners, steps discarded per realisation: for a stepper with
        ``partners`` (module docstring).
    rng_backend
        A :class:`langevin.noise.NoiseSource` of the registry the stepper allows.
    block_steps
        Steps per block of normals (part of a run's identity). Default: ~4 MB of normals.

    Attributes
    ----------
    systems, n_nl, n_stepped, n_total
        The systems (:func:`drive_systems`), their number, the stepped rows with the
        antithetic partners, and all rows with the linear twins.
    rhs
        Per system, its nonlinear drift ``N`` on the grid (``None``: a linear model).
    maps, step_matrix, noise_map
        Per system, the full-step :class:`~langevin.stepping.StepMaps` of the stepped modes,
        and their stacks as the steppers take them.
    drag_force, estimator
        The recorded observable and the scalar averaged, from the model.
    joint_step_matrix, joint_cov, observable
        The (joint) step, the initial covariance and (affine steppers) the estimator's
        quadratic form per mode: the exact statistics of the run (:meth:`exact_sdev`).
    """

    def __init__(
        self,
        model: LangevinModel,
        grid: PeriodicGrid,
        scheme: str,
        dt: float,
        *,
        stationary_covariance: Sequence[np.ndarray] | None = None,
        common_random_numbers: bool = False,
        linear_twin_mean: float | None = None,
        antithetic: bool = False,
        burn_in: int = 0,
        rng_backend: str = "numpy",
        block_steps: int | None = None,
    ) -> None:
        kind = LinearStepper if model.nonlinear_drift(grid) is None else NonlinearStepper
        self.stepper = kind.from_name(scheme)
        self.noise = NoiseSource.from_name(rng_backend, self.stepper.noise_sources())
        require_positive("dt", dt)
        require_range("burn_in", burn_in, 0, np.inf)
        self._require_partners(linear_twin_mean, antithetic, burn_in)
        t0 = time.perf_counter()
        self.model, self.grid, self.scheme, self.dt = model, grid, scheme, float(dt)
        self.crn, self.rng_backend = bool(common_random_numbers), rng_backend
        self.burn_in, self.antithetic = int(burn_in), bool(antithetic)
        self.linear_twin_mean = None if linear_twin_mean is None else float(linear_twin_mean)
        self.systems = drive_systems(model, self.crn)
        self.n_nl = len(self.systems)
        self.n_stepped = self.n_nl * (2 if self.antithetic else 1)
        self.n_total = self.n_stepped * (2 if self.linear_twin_mean is not None else 1)
        self.modes = ModeSet.from_grid(grid, model.active_modes(grid))
        self.dim = len(model.state_names)
        self.noise_dim = self.dim * self.stepper.increments
        if stationary_covariance is not None and len(stationary_covariance) != self.n_nl:
            raise ValueError(
                f"stationary_covariance count = {len(stationary_covariance)} is outside the "
                f"allowed range [{self.n_nl}, {self.n_nl}] (one per system)"
            )
        if block_steps is None:
            block_steps = max(1, BLOCK_NUMBERS // (self.modes.size * self.noise_dim))
        require_range("block_steps", block_steps, 1, np.inf)
        self.block_steps = int(block_steps)
        self._build_maps()
        self._build_partners()
        self.rhs = [mdl.nonlinear_drift(grid) for mdl in self.systems]
        self._build_observables()
        self._build_initial(stationary_covariance)
        self.setup_seconds = time.perf_counter() - t0

    def _require_partners(self, linear_twin_mean, antithetic: bool, burn_in: int) -> None:
        """Twins, antithetic partners and a burn-in need a stepper with ``partners``."""
        if self.stepper.partners:
            return
        for key, value in (("linear_twin_mean", linear_twin_mean), ("antithetic", antithetic),
                           ("burn_in", burn_in)):  # fmt: skip
            if value:
                raise ValueError(
                    f"{key} = {value!r} is outside the allowed range for scheme = "
                    f"{self.stepper.name!r} (an affine step starts stationary, with no partners)"
                )

    # --- set-up --------------------------------------------------------------------------------
    def _build_maps(self) -> None:
        """The full-step maps of every system and the stepper's own, once per run."""
        idx, real = self.modes.index, self.modes.real_mode
        self.maps, self.half_matrix, self.half_noise = [], [], []
        for mdl in self.systems:
            m, q = mdl.drift_operator(self.grid)[idx], mdl.noise_matrix(self.grid)[idx]
            self.maps.append(self.stepper.maps(m, q, self.dt))
            self.stepper.build(self, m, q)
        self.step_matrix = np.ascontiguousarray(np.stack([s.step_matrix for s in self.maps]))
        self.noise_map = np.ascontiguousarray(
            np.stack([kernel_noise_map(s.noise_map, real) for s in self.maps])
        )

    def _build_partners(self) -> None:
        """Where the conjugate partners of the stepped modes in the columns ``m_y = 0`` and
        ``N/2`` sit (``X_{−q} = X_q^*``)."""
        n = self.grid.n
        ix, iy = self.modes.index
        edge = ((iy == 0) | (iy == n // 2)) & (ix > 0) & (ix < n // 2)
        self._partner_src = np.nonzero(edge)[0]
        self._partner_dst = ((n - ix[edge]) % n, iy[edge])
        self._half_shape = (self.dim, n, n // 2 + 1)

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

    def _build_initial(self, given: Sequence[np.ndarray] | None) -> None:
        """Initial covariance of the (joint) state and, for an affine stepper, the
        estimator's quadratic form (the exact statistics)."""
        d, maps = self.dim, self.maps
        given_cov = [] if given is None else [np.asarray(c)[self.modes.index] for c in given]
        if self.crn:
            a, sig = joint_process([s.step_matrix for s in maps], [s.noise_map for s in maps])
            c0 = discrete_stationary_covariance(a, sig)
            for k, c_given in enumerate(given_cov):
                # the given (e.g. Lyapunov) blocks; the ±v cross-covariance is the step's own
                c0[:, k * d : (k + 1) * d, k * d : (k + 1) * d] = c_given
        else:
            a = maps[0].step_matrix
            c0 = given_cov[0] if given_cov else discrete_stationary_covariance(
                a, maps[0].step_covariance)  # fmt: skip
        self.joint_step_matrix, self.joint_cov = a, c0
        if not self.stepper.affine:
            return
        h = pair_observable_matrix(self.estimator_coef, self.drag_force.pair, d)
        if self.crn:
            h_joint = np.zeros((1, self.modes.size, 2 * d, 2 * d), dtype=complex)
            h_joint[0, :, :d, :d] = 0.5 * h
            h_joint[0, :, d:, d:] = -0.5 * h
            self.observable = h_joint
        else:
            self.observable = h[None]

    # --- exact statistics (affine steppers) ---------------------------------------------------
    def exact_sdev(self, n_steps: int, n_realisations: int = 1) -> float:
        """Exact standard deviation of the run's mean estimator (``n_steps`` per realisation);
        NaN for a stepper that is not affine (no exact variance)."""
        if not self.stepper.affine:
            return float("nan")
        var = exact_mean_covariance(self.joint_step_matrix, self.joint_cov, self.observable,
                                    int(n_steps), self.modes.real_mode)[0, 0]  # fmt: skip
        return float(np.sqrt(max(var, 0.0) / n_realisations))

    def stationary_mean(self) -> float:
        """Mean of the estimator in the initial (given stationary) state, ``Σ tr(H C₀)``."""
        return float(np.einsum("mab,mba->", self.observable[0], self.joint_cov).real)

    def scheme_stationary_mean(self) -> float:
        """Mean of the estimator in the stationary state of the scheme itself (what a long
        run converges to; :meth:`langevin.steppers.LinearStepper.stationary_mean`)."""
        return self.stepper.stationary_mean(self)

    def stable_dt_limit(self) -> float:
        """Largest stable step of the scheme (``inf`` for an A-stable one)
        (:meth:`langevin.steppers.LinearStepper.stable_dt_limit`)."""
        return self.stepper.stable_dt_limit(self.maps, self.dt)

    def correlation_steps(self) -> tuple[float, float]:
        """Steps the slowest decaying direction needs to decorrelate (by a factor e), for the
        scheme's step and for the exact step of the same drift
        (:meth:`langevin.steppers.LinearStepper.correlation_steps`): Crank–Nicolson maps a
        stiff rate to ``→ −1``, and the ratio of the two numbers measures the damage."""
        return self.stepper.correlation_steps(self.maps, self.dt)

    # --- state, forces and the nonlinear drift -----------------------------------------------
    def half_plane_state(self, packed: np.ndarray) -> np.ndarray:
        """Packed ``(modes, d)`` → half-plane coefficients ``(d, N, N//2+1)`` of real fields:
        the conjugate partners in the columns ``m_y = 0, N/2`` filled, q = 0 (conserved,
        never stepped) zero."""
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

    @staticmethod
    def _apply(a: np.ndarray, x: np.ndarray) -> np.ndarray:
        return np.matmul(a, x[..., None])[..., 0]

    def drag_forces(self, x: np.ndarray) -> np.ndarray:
        """Eq. (11) on the stepped modes of one row: ``Re Σ c ρ₁ ρ₂*`` (2,)."""
        i, j = self.drag_force.pair
        return (self.drag_force.coefficients @ (x[:, i] * np.conj(x[:, j]))).real

    def step(self, state: np.ndarray, z: np.ndarray, out: np.ndarray) -> None:
        """One step of every row in place (a stepper that steps one at a time,
        :meth:`langevin.steppers.NonlinearStepper.step_all`)."""
        self.stepper.step_all(self, state, z, out)

    def nonlinear_rate(self, n_draws: int = 4, iterations: int = 24, seed: int = 0) -> float:
        """The fastest rate of the explicitly stepped part, ``max |λ|`` of the Jacobian of
        ``N`` (system 0; 0 for a linear model), at ``n_draws`` states drawn from the initial
        covariance: power iteration on central finite differences of ``N``, the growth over
        the second half of the iterations. The largest over the draws. Deterministic."""
        if self.rhs[0] is None:
            return 0.0
        rng, real, d = np.random.default_rng(seed), self.modes.real_mode, self.dim
        rate = 0.0
        for _ in range(n_draws):
            x = stationary_sample(self.joint_cov[:, :d, :d], real, rng)
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

    # --- one realisation -----------------------------------------------------------------------
    def initial_state(self, rng: np.random.Generator) -> np.ndarray:
        """``(n_total, modes, d)``: a draw from the initial covariance (antithetic partners:
        its negative; twins: the same)."""
        x = stationary_sample(self.joint_cov, self.modes.real_mode, rng)
        d = self.dim
        parts = [x[:, k * d : (k + 1) * d] for k in range(self.n_nl)]
        if self.antithetic:
            parts = parts + [-p for p in parts]
        if self.n_total > self.n_stepped:
            parts = parts + [p.copy() for p in parts]
        return np.ascontiguousarray(np.stack(parts))

    def begin_realisation(self, seed: int, index: int, n_steps: int, *,
                          structure: bool = False) -> RealisationProgress:  # fmt: skip
        """Realisation ``index`` of a run with ``seed`` before its first step: the initial
        state from the realisation's own stream (:func:`langevin.noise.realisation_generator`),
        which then feeds the steps (``"numpy"``), or its Philox or numba stream does."""
        require_range("n_steps", n_steps, self.burn_in + 1, np.inf)
        rng = realisation_generator(seed, index)
        x = self.initial_state(rng)
        return RealisationProgress(
            index=int(index),
            n_steps=int(n_steps),
            steps_done=0,
            state=x,
            rng=self.noise.step_stream(seed, index, rng),
            forces=np.empty((n_steps, self.n_total, self.stepper.force_columns)),
            moments=self.stepper.moments(self, self.n_total, structure),
        )

    def advance_realisation(self, prog: RealisationProgress, max_blocks: int | None = None, *,
                            progress=None, recorder: _Recorder | None = None) -> bool:  # fmt: skip
        """Step ``prog`` by up to ``max_blocks`` blocks of normals (all remaining: ``None``);
        ``True`` when the realisation has all its steps."""
        in_kernel = self.noise.draws_in_kernel
        m_count = self.modes.size
        blocks = None if in_kernel else NormalBlocks(prog.rng, m_count, self.block_steps,
                                                     self.noise_dim)  # fmt: skip
        taken = 0
        while prog.steps_done < prog.n_steps and (max_blocks is None or taken < max_blocks):
            done = prog.steps_done
            nb = min(self.block_steps, prog.n_steps - done)
            z = None if in_kernel else blocks.draw(None if nb == self.block_steps else nb)
            self.stepper.advance(self, prog, z, nb)
            if recorder is not None:
                recorder.record(z, done, nb)
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

    def estimator_series(self, forces: np.ndarray, columns: slice = slice(0, 2)) -> np.ndarray:
        """The averaged series after the burn-in from the force series ``(n_steps, rows,
        force_columns)``: the estimator of the ``columns`` (the drag force; the second
        estimator's), control variate applied."""
        f = forces[self.burn_in :]
        series = self._pair_series(f, 0, columns)
        if self.linear_twin_mean is not None:
            series = series - self._pair_series(f, self.n_stepped, slice(0, 2))
            series = series + self.linear_twin_mean
        return series

    def constraint_series(self, forces: np.ndarray) -> np.ndarray:
        """The second estimator's series (the stepper's ``constraint_columns``)."""
        return self.estimator_series(forces, self.stepper.constraint_columns)

    def finish_realisation(self, prog: RealisationProgress) -> RealisationResult:
        """Error analysis of a finished realisation (series, τ_int, blocking, block means;
        the second estimator and the two estimators' difference where recorded)."""
        if not prog.finished:
            raise ValueError(
                f"steps_done = {prog.steps_done} is outside the allowed range "
                f"[{prog.n_steps}, {prog.n_steps}] (realisation {prog.index} unfinished)"
            )
        series = self.estimator_series(prog.forces)
        mean, err, tau = autocorrelation_error(series)
        blk = blocking_analysis(series).error if series.size >= 16 else float("nan")
        constraint = None
        if self.stepper.constraint_columns is not None:
            second = self.constraint_series(prog.forces)
            m2, e2, _ = autocorrelation_error(second)
            md, ed, _ = autocorrelation_error(series - second)
            constraint = (m2, e2, md, ed)
        kept = prog.n_steps - self.burn_in
        return RealisationResult(
            prog.index, series, prog.forces, mean, err, blk, tau,
            structure=(prog.moments[0] / kept) if prog.moments.shape[1] else None,
            snapshot=self.snapshot(prog.state[0]),
            block_means=block_means(series, self.block_steps), constraint=constraint,
        )  # fmt: skip

    def run_realisation(self, seed: int, index: int, n_steps: int, *, structure: bool = False,
                        record: np.ndarray | None = None, progress=None) -> RealisationResult:
        """Run realisation ``index`` of a run with ``seed`` for ``n_steps`` steps.

        Parameters
        ----------
        structure
            Accumulate the equal-time structure factors (system 0, after the burn-in).
        record
            Positions (into :attr:`modes`) whose full state is stored every step (D(q, ω));
            an affine stepper with normals drawn in Python only.
        progress
            Callable ``(steps_done)`` called after each block.
        """
        prog = self.begin_realisation(seed, index, n_steps, structure=structure)
        recorder = None
        if record is not None:
            if self.noise.draws_in_kernel or not self.stepper.affine:
                raise ValueError(f"record = modes is outside the allowed range for rng_backend "
                                 f"{self.rng_backend}, scheme {self.scheme}")  # fmt: skip
            recorder = _Recorder(self, prog.state, np.asarray(record, dtype=np.int64), n_steps)
        self.advance_realisation(prog, progress=progress, recorder=recorder)
        res = self.finish_realisation(prog)
        if recorder is not None:
            res.trajectory = recorder.trajectory
        return res

    # --- a run -------------------------------------------------------------------------------
    def run(self, seed: int, n_realisations: int, n_steps: int, *, first_realisation: int = 0,
            structure: bool = False, progress: bool = False,
            with_exact_sdev: bool = True) -> RunResult:  # fmt: skip
        """``n_realisations`` independent realisations of ``n_steps`` steps each (one
        process; :func:`langevin.checkpoint.run_distributed` over MPI ranks)."""
        require_range("n_realisations", n_realisations, 1, np.inf)
        tracker = None
        if progress:
            tracker = _Progress(n_realisations * n_steps, self.modes.size * self.n_total)
        t0, cpu0 = time.perf_counter(), time.process_time()
        results = [
            self.run_realisation(seed, r, n_steps, structure=structure,
                                 progress=None if tracker is None else tracker.update)
            for r in range(first_realisation, first_realisation + n_realisations)
        ]  # fmt: skip
        if tracker is not None:
            tracker.close()
        info = {**self.info(seed, n_realisations, n_steps, time.perf_counter() - t0),
                "first_realisation": int(first_realisation),
                "cpu_seconds": time.process_time() - cpu0}  # fmt: skip
        return self.result(results, info, with_exact_sdev)

    def info(self, seed: int, n_realisations: int, n_steps: int, wall: float) -> dict:
        """The settings and timings every result's ``info`` holds."""
        total = n_realisations * n_steps
        return {
            "scheme": self.scheme,
            "dt": self.dt,
            "seed": int(seed),
            "n_realisations": int(n_realisations),
            "first_realisation": 0,
            "n_steps": int(n_steps),
            "block_steps": self.block_steps,
            "common_random_numbers": self.crn,
            "rng_backend": self.rng_backend,
            "burn_in": self.burn_in,
            "linear_twin_mean": self.linear_twin_mean,
            "antithetic": self.antithetic,
            "modes": self.modes.size,
            "systems": self.n_total,
            "setup_seconds": self.setup_seconds,
            "wall_seconds": wall,
            "mode_steps_per_second": self.modes.size * self.n_total * total / max(wall, 1e-12),
            "estimator": self.estimator.name,
        }

    def result(self, realisations: list[RealisationResult], info: dict,
               with_exact_sdev: bool = True) -> RunResult:  # fmt: skip
        """The :class:`RunResult` of finished ``realisations`` (in realisation order): the
        combined estimate, the exact standard deviation (``with_exact_sdev``) and, where the
        realisations carry a second estimator, its combined mean and error."""
        mean, sdev, chi2 = combine_realisations(
            np.array([r.mean for r in realisations]), np.array([r.error for r in realisations])
        )
        n_steps, n_realisations = info["n_steps"], info["n_realisations"]
        exact_sd = self.exact_sdev(n_steps, n_realisations) if with_exact_sdev else math.nan
        if realisations and realisations[0].constraint is not None:
            m2, s2, _ = combine_realisations(
                np.array([r.constraint[0] for r in realisations]),
                np.array([r.constraint[1] for r in realisations]),
            )
            info = {**info, "constraint_mean": m2, "constraint_sdev": s2}
            if all(len(r.constraint) >= 4 for r in realisations):
                diff = estimator_consistency(np.array([r.constraint[2] for r in realisations]),
                                             np.array([r.constraint[3] for r in realisations]))
                info.update(zip(("estimator_difference", "estimator_difference_sdev",
                                 "estimator_difference_sigmas"), diff, strict=True))  # fmt: skip
        return RunResult(mean, sdev, math.nan, exact_sd, chi2, realisations, info)
