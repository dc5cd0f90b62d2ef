"""The time steppers of the Langevin engines, chosen by name from a registry.

A stepper is a class registered by :func:`register_stepper` under its ``name`` (after the
timesteppers of Dedalus, ``@add_scheme``, and the solver registry of py-pde): the engines
look it up with :meth:`LinearStepper.from_name` or :meth:`NonlinearStepper.from_name` and
never test a scheme's name. A new scheme is one class plus its decorator line.

The one engine (:class:`langevin.engine.Engine`) takes its stepper from the kind its model
asks for (a :class:`LinearStepper` for a model without a nonlinear drift, else a
:class:`NonlinearStepper`) and leaves to it what depends on the kind: the maps, the
advance of a block of steps, the forces recorded, the moments and the back-ends.

* :class:`LinearStepper` builds
  the affine step maps ``X ← A X + S z`` of :mod:`langevin.stepping` (exact
  Ornstein–Uhlenbeck, Crank–Nicolson, Euler–Maruyama) and carries what depends on the scheme:
  its stability limit, the drift its step matrix stands for (correlation times), the mean of
  the estimator in its own stationary state (its stationary bias) and the accuracy check a
  run makes before it computes (:meth:`LinearStepper.check`).
* :class:`NonlinearStepper` (Lawson–Heun, Lawson–midpoint) builds the maps it needs beyond
  the exact full step and advances every system (its antithetic partner and linear twin)
  step by step in Python.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from langevin.noise import NoiseSource
from langevin.registry import register
from langevin.statistics import discrete_stationary_covariance, pair_observable_matrix
from langevin.stepping import (
    StepMaps,
    advance_modes,
    advance_modes_own_rng,
    crank_nicolson_maps,
    euler_maruyama_maps,
    exact_ou_maps,
    kernel_noise_map,
)

__all__ = [
    "LinearStepper",
    "NonlinearStepper",
    "register_stepper",
    "LINEAR_SCHEMES",
    "NONLINEAR_SCHEMES",
    "MAX_SCHEME_BIAS",
    "WARN_SCHEME_BIAS",
    "MAX_SLOWDOWN",
]

#: Largest relative stationary bias of an approximate scheme that a run accepts; above
#: 1e-3 of the exact value a warning gives the bias (the pull then measures the scheme).
MAX_SCHEME_BIAS = 0.1
WARN_SCHEME_BIAS = 1e-3
#: Largest slowdown of the slowest direction's decorrelation by an approximate scheme.
MAX_SLOWDOWN = 10.0


class _Registered:
    """A kind of stepper: its subclasses registered by name (:func:`register_stepper`).

    What the engine (:class:`langevin.engine.Engine`) asks of a stepper, so that it never
    asks which kind it steps with:

    Attributes
    ----------
    increments
        Raw normal vectors per mode and step (the engine's ``noise_dim`` is ``increments · d``).
    affine
        The step is affine in the state (``X ← A X + S z``): the run's statistics are exact
        Gaussian ones (:meth:`langevin.engine.Engine.exact_sdev`) and a mode's trajectory can
        be recorded beside the kernel.
    partners
        The stepper steps rows beyond the systems: linear twins (a control variate) and
        antithetic partners, and discards a burn-in.
    force_columns, constraint_columns
        Numbers recorded per row and step (the drag force first), and the columns of a
        second estimator of the same force (``None``: none).
    """

    registry: ClassVar[dict[str, type]]
    name: ClassVar[str]
    increments: ClassVar[int] = 1
    affine: ClassVar[bool]
    partners: ClassVar[bool]
    force_columns: ClassVar[int]
    constraint_columns: ClassVar[slice | None] = None

    @classmethod
    def noise_sources(cls) -> list[str] | None:
        """The noise back-ends it steps with (``None``: every registered one)."""
        return None

    def maps(self, drift: np.ndarray, noise: np.ndarray, dt: float) -> StepMaps:
        """The full-step maps of ``dX = M X dt + dW``, ``⟨dW dW†⟩ = Q dt`` at step ``dt``."""
        raise NotImplementedError

    def build(self, sim, drift: np.ndarray, noise: np.ndarray) -> None:
        """Maps beyond the full step, kept on ``sim``, for one system."""

    def moments(self, sim, rows: int, structure: bool) -> np.ndarray:
        """The accumulator of the equal-time structure factors (empty without ``structure``)."""
        raise NotImplementedError

    def advance(self, sim, prog, z: np.ndarray | None, nb: int) -> None:
        """Step ``prog`` by ``nb`` steps with the block of normals ``z`` (``None``: the kernel
        draws them), recording the forces and the moments."""
        raise NotImplementedError

    @classmethod
    def from_name(cls, name: str):
        """The stepper registered as ``name``; ``ValueError`` naming the allowed range."""
        if name not in cls.registry:
            raise ValueError(f"scheme = {name!r} is outside the allowed range {cls.names()}")
        return cls.registry[name]()

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The registered names, in the order of registration."""
        return tuple(cls.registry)


#: Class decorator: register a stepper under its ``name`` in its kind's registry.
register_stepper = register


# --- the linear engine's steppers ----------------------------------------------------------------
class LinearStepper(_Registered):
    """An affine step per mode, ``X ← A X + S z`` (:class:`langevin.stepping.StepMaps`).

    Attributes
    ----------
    name
        The scheme's name (``[stepper] scheme``).
    starts_from_lyapunov
        A run starts from the continuous (Lyapunov) stationary covariance; ``False``: from
        the scheme's own discrete stationary covariance (a scheme whose stationary state is
        off by O(Δt) then shows no transient).
    """

    registry: ClassVar[dict[str, type]] = {}
    starts_from_lyapunov: ClassVar[bool] = True
    affine = True
    partners = False
    force_columns = 2

    def moments(self, sim, rows, structure):
        """``Σ X X†`` per row and mode, ``(rows, modes or 0, d, d)`` complex."""
        return np.zeros((rows, sim.modes.size if structure else 0, sim.dim, sim.dim),
                        dtype=complex)  # fmt: skip

    def advance(self, sim, prog, z, nb):
        """A block in the kernels (:func:`langevin.stepping.advance_modes`, or
        :func:`langevin.stepping.advance_modes_own_rng` drawing its own normals)."""
        out = np.empty((nb, prog.state.shape[0], 2))
        args = (sim.pair, sim.coef, out, prog.moments)
        if z is None:
            advance_modes_own_rng(prog.state, sim.step_matrix, sim.noise_map,
                                  sim.modes.real_mode, nb, *args)  # fmt: skip
        else:
            advance_modes(prog.state, sim.step_matrix, sim.noise_map, sim.modes.real_mode, z,
                          *args)  # fmt: skip
        prog.forces[prog.steps_done : prog.steps_done + nb] = out

    def drift_from_step(self, a: np.ndarray, dt: float) -> np.ndarray | None:
        """The drift ``M`` whose exact step the scheme's ``A`` approximates (``None``: ``A``
        is the exact step)."""
        return None

    def stable_dt_limit(self, maps: list[StepMaps], dt: float) -> float:
        """The largest stable step (``inf``: A-stable)."""
        return math.inf

    def correlation_steps(self, maps: list[StepMaps], dt: float) -> tuple[float, float]:
        """Steps the slowest decaying direction needs to decorrelate (by a factor e), for the
        scheme's step ``A`` and for the exact step ``exp(Δt M)`` of the same drift ``M``
        (recovered from ``A``, :meth:`drift_from_step`): ``max −1/ln|λ(A)|`` over non-frozen
        directions."""
        worst_scheme, worst_exact = 0.0, 0.0
        for mp in maps:
            a = mp.step_matrix
            m = self.drift_from_step(a, dt)
            lam_a = np.abs(np.linalg.eigvals(a)).ravel()
            live = lam_a < 1.0 - 1e-12
            if np.any(live):
                worst_scheme = max(worst_scheme, float(np.max(-1.0 / np.log(lam_a[live]))))
            if m is None:
                worst_exact = worst_scheme
                continue
            rate = -np.linalg.eigvals(m).real.ravel()
            rate = rate[rate > 1e-12 * max(float(np.max(np.abs(rate))), 1e-300)]
            if rate.size:
                worst_exact = max(worst_exact, float(np.max(1.0 / (dt * rate))))
        return worst_scheme, worst_exact

    def stationary_mean(self, sim) -> float:
        """Mean of ``sim``'s estimator in the scheme's own stationary state: per system the
        discrete Lyapunov solution ``C = A C A† + S S†`` of its step, ``Σ_k s_k tr(H C_k)``
        with ``s = (½, −½)`` for the ±v pair."""
        h = pair_observable_matrix(sim.estimator_coef, sim.drag_force.pair, sim.dim)
        signs = (0.5, -0.5) if sim.crn else (1.0,)
        total = 0.0
        for sign, mp in zip(signs, sim.maps, strict=True):
            c = discrete_stationary_covariance(mp.step_matrix, mp.step_covariance)
            total += sign * float(np.einsum("mab,mba->", h, c).real)
        return total

    def stationary_bias(self, comparison) -> float:
        """The stationary bias at the comparison's ``dt``: :meth:`stationary_mean` minus the
        exact value."""
        return comparison.simulation.scheme_stationary_mean() - float(comparison.exact)

    def check(self, comparison, name: str) -> str | None:
        """Refuse the scheme used outside its range, before the run computes: a step that
        slows the decorrelation of some direction more than :data:`MAX_SLOWDOWN` times (the
        error bar misses it), or a stationary bias above :data:`MAX_SCHEME_BIAS`
        (``ValueError`` naming dt). Returns the bias as a warning text when it is above
        :data:`WARN_SCHEME_BIAS`, else ``None``."""
        sim = comparison.simulation
        slow, slow_exact = sim.correlation_steps()
        if slow > MAX_SLOWDOWN * max(slow_exact, 1.0):
            raise ValueError(
                f"[{name}] dt = {sim.dt:g} is outside the allowed range for {sim.scheme}: its "
                f"slowest direction decorrelates in {slow:.3g} steps, the exact step's in "
                f"{slow_exact:.3g} (more than {MAX_SLOWDOWN:g} times slower: the run's error "
                "bar cannot see it; lower dt or use exact)"
            )
        bias = comparison.scheme_bias()
        exact = comparison.exact
        rel = abs(bias / exact) if exact else abs(bias)
        text = (
            f"{sim.scheme} at dt = {sim.dt:g} has a stationary bias of {bias:+.4g} "
            f"({100 * rel:.3g} %) on the exact {exact:.5g} (discrete Lyapunov solution of the "
            "scheme)"
        )
        if not rel <= MAX_SCHEME_BIAS:
            raise ValueError(
                f"[{name}] dt = {sim.dt:g} is outside the allowed range for {sim.scheme}: "
                f"{text}; the allowed bias is {100 * MAX_SCHEME_BIAS:g} % (lower dt or use exact)"
            )
        return text if rel > WARN_SCHEME_BIAS else None


@register_stepper
class ExactOU(LinearStepper):
    """Exact in distribution: ``A = e^{MΔt}``, ``S S† = ∫₀^Δt e^{Ms}Qe^{M†s} ds``
    (:func:`langevin.stepping.exact_ou_maps`); no bias, no step limit."""

    name = "exact"

    def maps(self, drift, noise, dt):
        return exact_ou_maps(drift, noise, dt)

    def stationary_mean(self, sim) -> float:
        """The stationary state is the continuous one, whose marginal directions the discrete
        solve cannot fix: the mean in the given stationary covariance."""
        return sim.stationary_mean()

    def stationary_bias(self, comparison) -> float:
        return 0.0

    def check(self, comparison, name: str) -> str | None:
        return None


@register_stepper
class CrankNicolson(LinearStepper):
    """Crank–Nicolson with midpoint noise (:func:`langevin.stepping.crank_nicolson_maps`):
    stationary covariance exact at every Δt, correlation times distorted — a stiff rate λ
    maps to ``(1 + Δtλ/2)/(1 − Δtλ/2) → −1`` and hardly decays for ``Δt|λ| ≫ 1``."""

    name = "crank-nicolson"

    def maps(self, drift, noise, dt):
        return crank_nicolson_maps(drift, noise, dt)

    def drift_from_step(self, a, dt):
        eye = np.eye(a.shape[-1])
        return (2.0 / dt) * np.linalg.solve(
            np.swapaxes(a + eye, -1, -2), np.swapaxes(a - eye, -1, -2)
        ).swapaxes(-1, -2)


@register_stepper
class EulerMaruyama(LinearStepper):
    """Euler–Maruyama (:func:`langevin.stepping.euler_maruyama_maps`): O(Δt) stationary
    bias, stable for ``|1 + Δtλ| < 1``; a run starts in its own stationary state."""

    name = "euler-maruyama"
    starts_from_lyapunov = False

    def maps(self, drift, noise, dt):
        return euler_maruyama_maps(drift, noise, dt)

    def drift_from_step(self, a, dt):
        return (a - np.eye(a.shape[-1])) / dt

    def stable_dt_limit(self, maps, dt):
        """``|1 + Δt λ| < 1`` for every nonzero eigenvalue λ of the drift matrices gives
        ``Δt < min(−2 Re λ/|λ|²)`` (0 if some λ ≠ 0 has Re λ ≥ 0)."""
        limit = math.inf
        for mp in maps:
            lam = np.linalg.eigvals(self.drift_from_step(mp.step_matrix, dt)).ravel()
            scale = max(float(np.max(np.abs(lam))), 1e-300)
            lam = lam[np.abs(lam) > 1e-12 * scale]  # frozen (marginal) directions are stable
            if lam.size == 0:
                continue
            if np.any(lam.real >= 0):
                return 0.0
            limit = min(limit, float(np.min(-2.0 * lam.real / np.abs(lam) ** 2)))
        return limit

    def check(self, comparison, name: str) -> str | None:
        """An unstable step (the run would give NaN) first, then :meth:`LinearStepper.check`."""
        sim = comparison.simulation
        limit = sim.stable_dt_limit()
        if not sim.dt < limit:
            raise ValueError(
                f"[{name}] dt = {sim.dt:g} is outside the allowed range (0, {limit:.4g}) for "
                f"{self.name} (unstable step: the run would diverge)"
            )
        return super().check(comparison, name)


# --- the nonlinear engine's steppers -------------------------------------------------------------
class NonlinearStepper(_Registered):
    """An exponential (Lawson) step of ``dX = [M X + N(X)] dt + dW``: the linear part exact,
    ``N`` explicit (:mod:`langevin.nonlinear_simulation`).

    Records per row the drag force (2) and the constraint forces (4: layer 1 x, y, layer 2 x,
    y), the q = 0 force the drive's constraint removes, whose layer-2 part is the second
    estimator.

    Attributes
    ----------
    name
        The scheme's name (``[nonlinear] scheme``).
    """

    registry: ClassVar[dict[str, type]] = {}
    affine = False
    partners = True
    force_columns = 6
    constraint_columns = slice(4, 6)

    @classmethod
    def noise_sources(cls):
        """The back-ends that fill blocks of normals in Python (the steps are Python)."""
        return list(NoiseSource.names(draws_in_kernel=False))

    def maps(self, drift, noise, dt):
        """The exact Ornstein–Uhlenbeck maps of the linear part."""
        return exact_ou_maps(drift, noise, dt)

    def moments(self, sim, rows, structure):
        """``Σ |X_i|²`` per row, mode and component after the burn-in, real."""
        return np.zeros((rows, sim.modes.size if structure else 0, sim.dim), dtype=float)

    def advance(self, sim, prog, z, nb):
        """``nb`` steps of every row (:meth:`step_all`); a :class:`FloatingPointError`
        (a density ≤ 0, a field not finite) names the step, the realisation and the run."""
        out = np.empty((sim.n_total, 6))
        done = prog.steps_done
        for t in range(nb):
            try:
                self.step_all(sim, prog.state, z[:, t], out)
            except FloatingPointError as exc:
                raise type(exc)(
                    f"{exc} at step {done + t + 1} of realisation {prog.index} "
                    f"({type(sim.model).__name__}, scheme {self.name}, dt = {sim.dt:g}, "
                    f"grid N = {sim.grid.n}, L = {sim.grid.length:g}; "
                    f"parameters {sim.model.params})"
                ) from None
            prog.forces[done + t] = out
            if prog.moments.shape[1] and done + t >= sim.burn_in:
                prog.moments += np.abs(prog.state) ** 2

    def step_all(self, sim, state: np.ndarray, z: np.ndarray, out: np.ndarray) -> None:
        """One step of every row in place; ``z`` raw normals ``(modes, noise_dim)`` (the
        antithetic partners take ``−z``); ``out`` ``(n_total, 6)``: drag force (2) and
        constraint forces (4) per row. Rows: the systems (then their antithetic partners),
        then the linear twins (the exact OU step)."""
        n = sim.n_nl
        normals = (z, -z) if sim.antithetic else (z,)
        for k in range(sim.n_stepped):
            state[k], out[k, 2:] = self.step(sim, k % n, state[k], normals[k // n])
            out[k, :2] = sim.drag_forces(state[k])
        for k in range(sim.n_stepped, sim.n_total):
            j = k - sim.n_stepped
            state[k] = self.step_twin(sim, j % n, state[k], normals[j // n])
            out[k, :2] = sim.drag_forces(state[k])
            out[k, 2:] = 0.0

    def step(self, sim, k: int, x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """System ``k`` one step on from ``x`` with raw normals ``z``: the new state and the
        constraint forces the stepper integrates (``(4,)``)."""
        raise NotImplementedError

    def step_twin(self, sim, j: int, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The linear twin of system ``j`` one exact OU step on, with the same normals."""
        raise NotImplementedError


@register_stepper
class LawsonHeun(NonlinearStepper):
    """Integrating-factor trapezoid, predictor–corrector with the same noise:
    ``Y = A(X + Δt N(X)) + ξ``, ``X' = A(X + ½Δt N(X)) + ½Δt N(Y) + ξ``, ``ξ = S z``."""

    name = "lawson-heun"

    def step(self, sim, k, x, z):
        dt, ap = sim.dt, sim._apply
        n0, f0 = sim.nonlinear_packed(k, x)
        xi = ap(sim.noise_map[k], z)
        a = sim.step_matrix[k]
        y = ap(a, x + dt * n0) + xi
        n1, f1 = sim.nonlinear_packed(k, y)
        return ap(a, x + (0.5 * dt) * n0) + (0.5 * dt) * n1 + xi, 0.5 * (f0 + f1)

    def step_twin(self, sim, j, x, z):
        ap = sim._apply
        return ap(sim.step_matrix[j], x) + ap(sim.noise_map[j], z)


@register_stepper
class LawsonMidpoint(NonlinearStepper):
    """Integrating-factor midpoint with two half-step noises:
    ``Y = A_½(X + ½Δt N(X)) + ξ₁``, ``X' = A X + Δt A_½ N(Y) + A_½ ξ₁ + ξ₂``."""

    name = "lawson-midpoint"
    increments = 2

    def build(self, sim, drift, noise):
        half = exact_ou_maps(drift, noise, 0.5 * sim.dt)
        sim.half_matrix.append(np.ascontiguousarray(half.step_matrix))
        sim.half_noise.append(kernel_noise_map(half.noise_map, sim.modes.real_mode))

    def step(self, sim, k, x, z):
        dt, ap, d = sim.dt, sim._apply, sim.dim
        n0, _ = sim.nonlinear_packed(k, x)
        ah = sim.half_matrix[k]
        xi1 = ap(sim.half_noise[k], z[:, :d])
        xi2 = ap(sim.half_noise[k], z[:, d:])
        y = ap(ah, x + (0.5 * dt) * n0) + xi1
        n1, f1 = sim.nonlinear_packed(k, y)
        return ap(sim.step_matrix[k], x) + ap(ah, dt * n1 + xi1) + xi2, f1

    def step_twin(self, sim, j, x, z):
        ap, d = sim._apply, sim.dim
        ah = sim.half_matrix[j]
        xi1 = ap(sim.half_noise[j], z[:, :d])
        xi2 = ap(sim.half_noise[j], z[:, d:])
        return ap(sim.step_matrix[j], x) + ap(ah, xi1) + xi2


#: The registered schemes of each engine (registration order).
LINEAR_SCHEMES = LinearStepper.names()
NONLINEAR_SCHEMES = NonlinearStepper.names()
