"""The models a ``[[run]]`` can name (``model = …``), as a registry of run recipes.

Each entry, registered by :func:`register_model` under its ``name``, knows its model class,
its comparison (the engine started in, and compared with, the reference state), its own
configuration table and defaults, the refusals its input decides before any run computes
(:meth:`RunModel.prepare`), and what it adds to a run's summary and stored parameters.
:func:`langevin.run.run_langevin` loops over the entries without naming any model; a new
model is one entry class plus its decorator line.

* ``"linear"`` (:class:`LinearRun`): :class:`langevin.model.BilayerModel` on the
  ``[grid]``, stepped by ``[stepper] scheme`` and compared with its exact solution
  (:class:`langevin.comparison.ExactComparison`); the scheme's own accuracy check
  (:meth:`langevin.steppers.LinearStepper.check`).
* ``"nonlinear"`` (:class:`NonlinearRun`): :class:`langevin.nonlinear_model.NonlinearBilayerModel`
  on the ``[nonlinear]`` grid and step, compared with its linear part on the same kept modes
  (:class:`langevin.comparison.NonlinearComparison`); refuses a Θ whose density fluctuations
  reach n ≤ 0 and a step past :func:`nonlinear_step_limit`.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dragcore.checks import require_memory
from dragcore.parallel import World
from langevin.comparison import ExactComparison, NonlinearComparison
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.noise import NoiseSource
from langevin.nonlinear_model import NonlinearBilayerModel, dealias_mask
from langevin.nonlinear_simulation import (
    CONSISTENCY_SIGMAS,
    expected_density_zeros,
    point_fluctuations,
)
from langevin.parameters import NONLINEAR_START_DT, table_values
from langevin.params import MAX_RATE
from langevin.registry import register
from langevin.simulation import RunResult

__all__ = [
    "RunModel",
    "RunPlan",
    "RunSettings",
    "LinearRun",
    "NonlinearRun",
    "register_model",
    "check_scheme",
    "nonlinear_step_limit",
    "NONLINEAR_DEFAULTS",
    "NONLINEAR_BYTES_PER_MODE",
]

#: The ``[nonlinear]`` table's defaults (:data:`langevin.parameters.RUN_PARAMETERS`); ``dt``
#: is the step a run starts from when none is given.
NONLINEAR_DEFAULTS = {**{k: v for k, v in table_values({}, "nonlinear").items() if v is not None},
                      "dt": NONLINEAR_START_DT}  # fmt: skip

#: Peak bytes per half-plane point (N²/2) of a nonlinear run's set-up (step, noise and
#: half-step maps of the ±v systems, joint initial covariance, Lyapunov covariances), an
#: upper bound of the tracemalloc peaks at N = 16 and 32 (CHANGELOG, History).
NONLINEAR_BYTES_PER_MODE = 2.7e4


def nonlinear_step_limit(rate: float, theta: float) -> float:
    """The largest step of a nonlinear run, ``√Θ/λ_nl`` (also below ``1/λ_nl``).

    ``λ_nl`` is the fastest rate of the explicitly stepped part
    (:meth:`langevin.nonlinear_simulation.NonlinearSimulation.nonlinear_rate`, ∝ √Θ: the
    fields are O(√Θ)). The Lawson steppers are weak order 2 in ``λ_nl dt``: the step changes
    D at O((λ_nl dt)²) relative, while the nonlinear effect a run measures is
    ``D/D_linear − 1 = O(Θ)``; ``(λ_nl dt)² ≤ Θ`` keeps the step's error below the effect
    (``tests/langevin/test_nonlinear_accuracy.py``)."""
    if not rate > 0:
        return math.inf
    return min(math.sqrt(theta), 1.0) / rate


def check_scheme(comparison: ExactComparison, name: str, talk: bool, w: World) -> None:
    """Refuse a scheme used outside its range: an unstable Euler–Maruyama step (the run
    would give NaN), a step that slows the decorrelation of some direction more than
    :data:`langevin.steppers.MAX_SLOWDOWN` times (Crank–Nicolson at large dt: stiff modes
    hardly decay, the error bar misses them), or a stationary bias, computed exactly from the
    scheme's discrete Lyapunov solution (:meth:`ExactComparison.scheme_bias`), above
    :data:`langevin.steppers.MAX_SCHEME_BIAS`. With ``talk``, a bias above
    :data:`langevin.steppers.WARN_SCHEME_BIAS` is logged as a warning. Each scheme carries
    its own check (:meth:`langevin.steppers.LinearStepper.check`)."""
    warning = comparison.simulation.stepper.check(comparison, name)
    if warning is not None and talk:
        w.log(f"[{name}] warning: {warning}; the pull measures this bias")


@dataclass
class RunSettings:
    """What every ``[[run]]`` of a configuration shares: the ``[grid]`` and ``[stepper]``
    tables (defaults filled in), which sizes the command line gave, and the log."""

    grid: dict
    stepper: dict
    n_steps_given: bool
    n_realisations_given: bool
    talk: bool
    w: World


@dataclass
class RunPlan:
    """One ``[[run]]`` ready to compute: its parameters, grid, engine and sizes."""

    name: str
    params: object
    kind: RunModel
    model: object
    comparison: object
    sim: object
    n_real: int
    n_steps: int
    grid: PeriodicGrid
    grid_cfg: dict
    rate: float = math.nan
    accuracy: str = ""


class RunModel:
    """A kind of model a ``[[run]]`` names: registered by :func:`register_model`.

    Attributes
    ----------
    name
        ``model = …`` of the ``[[run]]``.
    table
        Its own configuration table (``None``: none); its keys and defaults are rows of
        :data:`langevin.parameters.RUN_PARAMETERS`.
    run_keys
        The ``[[run]]`` keys only this model accepts.
    """

    registry: ClassVar[dict[str, type[RunModel]]] = {}
    name: ClassVar[str]
    table: ClassVar[str | None] = None
    run_keys: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def check_entry(cls, entry: dict, where: str, stepper: dict) -> None:
        """The checks of a ``[[run]]`` of this model when its configuration is loaded
        (``stepper``: the ``[stepper]`` table as given); ``ValueError`` naming the key."""

    def __init__(self, config: dict) -> None:
        self.cfg = table_values(config, self.table) if self.table else {}
        self.dt_given = "dt" in (config.get(self.table, {}) if self.table else {})

    def prepare(self, name: str, entry: dict, params, run: RunSettings) -> RunPlan:
        """Check the ``[[run]]`` against everything its input decides and build its engine
        (nothing is stepped): ``ValueError`` naming the parameter otherwise."""
        raise NotImplementedError

    def continuum_applies(self, plan: RunPlan) -> bool:
        """The linear model's continuum drag is a reference for this run."""
        return True

    def summary(self, plan: RunPlan, res: RunResult, w: World) -> dict:
        """What the run adds to its summary entry (plain numbers); warnings go to ``w``."""
        return {}

    def stored_parameters(self, plan: RunPlan) -> dict:
        """What the run adds to the parameters stored with it."""
        return {}

    @classmethod
    def stored_summary(cls, params: dict, res: RunResult) -> dict:
        """What :meth:`summary` added, as far as a run file read back gives it
        (:func:`langevin.results_io.load_run`; ``params``: the stored parameters)."""
        return {}

    @classmethod
    def result_line(cls, name: str, res: RunResult, entry: dict) -> str:
        """The line ``python -m langevin run`` prints for a finished run (``entry``: its
        summary)."""
        return (
            f"[{name}] {entry['quantity']} = {res.mean:.5g} ± {res.sdev:.2g}   "
            f"exact (same grid) {res.exact:.5g}   pull {res.pull:+.2f}   "
            f"continuum {entry['continuum']:.5g}   "
            f"({res.info['mode_steps_per_second']:.3g} mode-steps/s)"
        )


#: Class decorator: register a :class:`RunModel` under its ``name``.
register_model = register


@register_model
class LinearRun(RunModel):
    """The linearised bilayer against its exact solution on the same grid."""

    name = "linear"

    def prepare(self, name, entry, params, run):
        st, grid_cfg = run.stepper, run.grid
        n = grid_cfg["n"]
        # per mode: step matrices, noise maps, joint covariances (≈ 7 kB for the ±v pair)
        require_memory("[grid] n", n, 7e3 * n * n / 2, "the per-mode matrices")
        grid = PeriodicGrid(n, float(grid_cfg["length"]))
        params.require_resolvable(float(np.max(np.hypot(*grid.half_wavevectors()))),
                                  f"[[run]] {name!r}")  # fmt: skip
        if not params.theta <= MAX_RATE:  # D does not depend on Θ; the variances go as Θ²
            raise ValueError(
                f"[[run]] {name!r} theta = {params.theta:g} is outside the allowed range "
                f"(0, {MAX_RATE:.3g}] (the noise maps and the error analysis scale as Θ and Θ²; "
                "D of the linear model does not depend on Θ)"
            )
        model = BilayerModel(params)
        comparison = ExactComparison(
            model,
            grid,
            st["scheme"],
            float(st["dt"]),
            common_random_numbers=bool(st["common_random_numbers"]) and params.drift > 0,
            rng_backend=st["rng_backend"],
            block_steps=st["block_steps"],
        )
        check_scheme(comparison, name, run.talk, run.w)
        return RunPlan(name, params, self, model, comparison, comparison.simulation,
                       int(st["n_realisations"]), int(st["n_steps"]), grid,
                       dict(grid_cfg))  # fmt: skip


@register_model
class NonlinearRun(RunModel):
    """The nonlinear bilayer against its linear part on the same kept modes."""

    name = "nonlinear"
    table = "nonlinear"
    #: The model class (a new equation of state: a subclass of it, and an entry naming it).
    model_class: ClassVar[type[NonlinearBilayerModel]] = NonlinearBilayerModel
    run_keys = frozenset({"nonreciprocal_full_velocity"})

    @classmethod
    def check_entry(cls, entry, where, stepper):
        """Θ has no default; the engine draws its normals in numpy blocks."""
        if "theta" not in entry:
            raise ValueError(
                f"{where} theta is required for model = 'nonlinear' (the fluctuation strength "
                "T/(2 pi (e^2/kappa d)(n d^2)^2), allowed range (0, inf); about 0.002-0.04 "
                "for GaAs at 1-20 K; no default)"
            )
        backend = stepper.get("rng_backend", "numpy")
        allowed = NoiseSource.names(draws_in_kernel=False)
        if backend not in allowed:
            raise ValueError(
                f"[stepper] rng_backend = {backend!r} is outside the allowed range "
                f"{list(allowed)} for the model = 'nonlinear' run {entry.get('name')!r}"
            )

    def prepare(self, name, entry, params, run):
        nl_cfg, st = self.cfg, run.stepper
        n, length = nl_cfg["grid_n"], float(run.grid["length"])
        n_real, n_run_steps = int(st["n_realisations"]), int(st["n_steps"])
        if not run.n_realisations_given and nl_cfg["n_realisations"] is not None:
            n_real = int(nl_cfg["n_realisations"])
        if not run.n_steps_given and nl_cfg["n_steps"] is not None:
            n_run_steps = int(nl_cfg["n_steps"])
        burn_in = int(nl_cfg["burn_in"])
        if n_run_steps <= burn_in:
            raise ValueError(
                f"[{name}] n_steps = {n_run_steps} is outside the allowed range "
                f"[{burn_in + 1}, inf) (more than [nonlinear] burn_in = {burn_in})"
            )
        require_memory("[nonlinear] grid_n", n, NONLINEAR_BYTES_PER_MODE * n * n / 2,
                       "the per-mode maps of the nonlinear run")  # fmt: skip
        # per realisation in progress: the recorded forces, 6 numbers per system and step
        require_memory("n_steps", n_run_steps, 8.0 * 6 * 4 * n_run_steps,
                       "the forces recorded per realisation")  # fmt: skip
        grid = PeriodicGrid(n, length)
        self._require_positive_density(name, params, grid, looks=2.0 * n * n * n_run_steps
                                       * n_real)  # fmt: skip
        model = self.model_class(
            params,
            nonreciprocal_full_velocity=bool(entry.get("nonreciprocal_full_velocity", False)),
        )
        comparison, rate, dt_max = self._comparison(name, model, grid, params, st, burn_in)
        sim = comparison.simulation
        accuracy = (f"λ_nl = {rate:.3g} ω_p, dt = {sim.dt:g} <= √Θ/λ_nl = {dt_max:.3g}"
                    + ("" if self.dt_given else " (default dt)"))  # fmt: skip
        return RunPlan(name, params, self, model, comparison, sim, n_real, n_run_steps, grid,
                       {"n": grid.n, "length": grid.length}, rate, accuracy)  # fmt: skip

    @staticmethod
    def _require_positive_density(name: str, params, grid: PeriodicGrid, looks: float) -> None:
        """Θ: the density must stay positive. Leading order: Gaussian δn with the v = 0 Gibbs
        covariance on the kept modes, ∝ Θ (computed at Θ = 1 and scaled: no overflow)."""
        n, length = grid.n, grid.length
        kept = dealias_mask(grid)
        kept[0, 0] = False
        qx, qy = grid.half_wavevectors()
        params.require_resolvable(float(np.max(np.hypot(qx, qy)[kept])), f"[[run]] {name!r}")
        gibbs = BilayerModel(params.with_(theta=1.0)).equilibrium_covariance(qx, qy)
        gibbs = np.where(kept[..., None, None], gibbs * grid.mode_noise_scale, 0.0)
        var1 = float(np.max(point_fluctuations(gibbs, grid)[:2]))
        zeros = expected_density_zeros(params.theta * var1, looks)
        if not zeros < 1.0:
            from scipy.special import erfcinv

            theta_max = (1.0 / (math.sqrt(2.0) * float(erfcinv(2.0 / looks)))) ** 2 / var1
            raise ValueError(
                f"[[run]] {name!r} theta = {params.theta:g} is outside the allowed range "
                f"(0, {theta_max:.3g}] on this grid (N = {n}, L = {length:g} d): the rms density "
                f"fluctuation per grid point would be {math.sqrt(params.theta * var1):.3g} n, "
                f"and about {zeros:.3g} of the run's {looks:.3g} point samples would have a "
                "density <= 0 (Gaussian estimate; allowed: < 1)"
            )

    def _comparison(self, name, model, grid, params, st, burn_in):
        """The comparison at the configured step, or, with the default step, at the step
        halved until it meets :func:`nonlinear_step_limit`; refuses a given step past it."""
        nl_cfg = self.cfg

        def build(dt: float) -> NonlinearComparison:
            return NonlinearComparison(
                model,
                grid,
                nl_cfg["scheme"],
                dt,
                common_random_numbers=bool(st["common_random_numbers"]) and params.drift > 0,
                burn_in=burn_in,
                control_variate=bool(nl_cfg["control_variate"]),
                rng_backend=st["rng_backend"],
                block_steps=st["block_steps"],
            )

        dt_start = float(nl_cfg["dt"]) if self.dt_given else NONLINEAR_START_DT
        comparison = build(dt_start)
        rate = comparison.simulation.nonlinear_rate()
        dt_max = nonlinear_step_limit(rate, params.theta)
        if not self.dt_given and not comparison.simulation.dt <= dt_max:
            dt = dt_start
            while dt > dt_max:  # the default halved until it meets the limit
                dt /= 2
            comparison = build(dt)
        sim = comparison.simulation
        if not sim.dt <= dt_max:
            raise ValueError(
                f"[nonlinear] dt = {sim.dt:g} is outside the allowed range (0, {dt_max:.3g}] "
                f"for the run {name!r}: the fastest rate of its nonlinear terms at Θ = "
                f"{params.theta:g} is λ_nl = {rate:.3g} ω_p, and the step's error in D, "
                "O((λ_nl dt)²), must stay below the nonlinear effect, O(Θ): dt <= √Θ/λ_nl"
            )
        return comparison, rate, dt_max

    def continuum_applies(self, plan):
        return plan.comparison.linear_stable

    def summary(self, plan, res, w):
        """D/D_linear, the second estimator and the two estimators' consistency; a warning
        on stderr when they differ by more than :data:`CONSISTENCY_SIGMAS` σ."""
        name, sim, params = plan.name, plan.sim, plan.params
        ratio_ok = math.isfinite(res.exact) and res.exact != 0
        diff, diff_sdev, diff_z = (res.info.get(key, math.nan) for key in (
            "estimator_difference", "estimator_difference_sdev", "estimator_difference_sigmas"
        ))  # NaN for realisations without it (a checkpoint written before it was recorded)
        extra = dict(
            theta=params.theta,
            linear_stable=plan.comparison.linear_stable,
            ratio_to_linear=res.mean / res.exact if ratio_ok else math.nan,
            ratio_to_linear_sdev=res.sdev / abs(res.exact) if ratio_ok else math.nan,
            constraint_mean=res.info["constraint_mean"],
            constraint_sdev=res.info["constraint_sdev"],
            estimator_difference=diff,
            estimator_difference_sdev=diff_sdev,
            estimator_difference_sigmas=diff_z,
            step_consistent=not diff_z > CONSISTENCY_SIGMAS,
            nonlinear_rate=plan.rate,
            burn_in=sim.burn_in,
        )
        if diff_z > CONSISTENCY_SIGMAS:
            w.log(
                f"[{name}] WARNING: the two estimators of the nonlinear run disagree: "
                f"drag {res.mean:.5g} − constraint force {res.info['constraint_mean']:.5g} "
                f"= {diff:+.3g} ± {diff_sdev:.2g} ({diff_z:.1f}σ > "
                f"{CONSISTENCY_SIGMAS:g}σ): [nonlinear] dt = {sim.dt:g} is too large for "
                "this result's precision; rerun with a smaller dt",
                file=sys.stderr,
            )
        return extra

    def stored_parameters(self, plan):
        return {"nonreciprocal_full_velocity": plan.model.full_velocity}

    @classmethod
    def stored_summary(cls, params, res):
        info = res.info
        return dict(
            theta=params["theta"],
            ratio_to_linear=res.mean / res.exact,
            ratio_to_linear_sdev=res.sdev / abs(res.exact),
            constraint_mean=info.get("constraint_mean", math.nan),
            constraint_sdev=info.get("constraint_sdev", math.nan),
            burn_in=info.get("burn_in", 0),
        )

    @classmethod
    def result_line(cls, name, res, entry):
        return (
            f"[{name}] nonlinear, Θ = {entry['theta']:.4g}: {entry['quantity']} = "
            f"{res.mean:.5g} ± {res.sdev:.2g}   second estimator (constraint force) "
            f"{entry['constraint_mean']:.5g} ± {entry['constraint_sdev']:.2g}   "
            f"linear model (same kept modes) {res.exact:.5g}"
            + (
                f"   D/D_linear = {entry['ratio_to_linear']:.4f} ± "
                f"{entry['ratio_to_linear_sdev']:.2g}"
                if math.isfinite(entry["ratio_to_linear"])
                else ""
            )
        )
