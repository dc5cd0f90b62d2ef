"""Langevin runs of a configuration, as ``python -m langevin run`` does them.

:func:`run_langevin` takes a parsed configuration (:func:`langevin.config.load_config`) and
the overrides of the command line, and does everything but the printing: it checks every
``[[run]]`` against what its input decides and builds its simulation before any run computes
(a scheme used outside its range, parameters whose rates double precision cannot resolve, a
nonlinear Θ whose density fluctuations reach n ≤ 0, a nonlinear step past
:func:`nonlinear_step_limit`, sizes past the free memory), spreads the realisations
over the MPI ranks (:func:`langevin.checkpoint.run_distributed`, checkpointed and
resumable), writes the HDF5 file (:mod:`langevin.storage`) and removes the checkpoint
directories (:class:`dragcore.run.RunFiles`). The command line and a user's script call it
alike::

    from langevin.config import DEFAULT_CONFIG, load_config
    from langevin.run import run_langevin

    result = run_langevin(load_config(DEFAULT_CONFIG), output="run.h5", n_steps=2000,
                          config_text=DEFAULT_CONFIG)
    print(result.summary["paper"]["mean"], result.summary["paper"]["exact_same_grid"])
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dragcore.checks import (
    require_int,
    require_memory,
    require_run_names,
    require_sane_estimate,
)
from dragcore.parallel import World, world
from dragcore.run import RunFiles, releases_claim
from langevin import exact as exact_solution
from langevin.checkpoint import CheckpointPolicy, CheckpointStore, run_distributed
from langevin.comparison import ExactComparison, NonlinearComparison
from langevin.config import PARAMETER_KEYS, require_seed, run_parameters
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.nonlinear_model import NonlinearBilayerModel, dealias_mask
from langevin.nonlinear_simulation import (
    CONSISTENCY_SIGMAS,
    estimator_consistency,
    expected_density_zeros,
    point_fluctuations,
)
from langevin.params import MAX_RATE
from langevin.simulation import RunResult
from langevin.steppers import MAX_SCHEME_BIAS, MAX_SLOWDOWN, WARN_SCHEME_BIAS
from langevin.storage import write_runs

__all__ = [
    "LangevinRunResult",
    "run_langevin",
    "checkpoint_policy",
    "check_scheme",
    "MAX_SCHEME_BIAS",
    "WARN_SCHEME_BIAS",
    "MAX_SLOWDOWN",
    "nonlinear_step_limit",
]

#: The ``[nonlinear]`` table's defaults.
NONLINEAR_DEFAULTS = {"scheme": "lawson-heun", "dt": 0.25, "burn_in": 400,
                      "control_variate": True, "grid_n": 16}  # fmt: skip


def nonlinear_step_limit(rate: float, theta: float) -> float:
    """The largest step of a nonlinear run, ``√Θ/λ_nl`` (also below ``1/λ_nl``).

    ``λ_nl`` is the fastest rate of the explicitly stepped part
    (:meth:`langevin.nonlinear_simulation.NonlinearSimulation.nonlinear_rate`, ∝ √Θ: the
    fields are O(√Θ)). The Lawson steppers are weak order 2 in ``λ_nl dt``: the step changes
    D at O((λ_nl dt)²) relative, while the nonlinear effect a run measures is
    ``D/D_linear − 1 = O(Θ)``; ``(λ_nl dt)² ≤ Θ`` keeps the step's error below the effect.
    Measured at Θ = 0.02, N = 8, L = 12 d (λ_nl = 0.114, limit 1.24; 12 realisations of 10⁴
    steps), D/D_linear against dt = 0.25 (0.991 ± 0.007, the nonlinear effect −0.009): dt = 1
    +0.007 ± 0.008 (allowed), dt = 2 +0.022 ± 0.008, dt = 4 +0.049 ± 0.008, dt = 8
    +0.142 ± 0.009 (refused)."""
    if not rate > 0:
        return math.inf
    return min(math.sqrt(theta), 1.0) / rate

#: Peak bytes per half-plane point (N²/2) of a nonlinear run's set-up (step, noise and
#: half-step maps of the ±v systems, joint initial covariance, Lyapunov covariances):
#: measured with tracemalloc, 2.6e4 at N = 16 and 2.2e4 at N = 32 (±v pair, Lawson–Heun).
NONLINEAR_BYTES_PER_MODE = 2.7e4

#: Called on rank 0 when one ``[[run]]`` has finished: ``(name, result, summary entry)``.
RunDoneCallback = Callable[[str, RunResult, dict], None]


@dataclass
class LangevinRunResult:
    """What a run of a configuration gives on rank 0.

    Attributes
    ----------
    output
        The HDF5 file written.
    seed
        The seed of the run.
    runs
        ``name → RunResult`` of every ``[[run]]`` that ran.
    summary
        ``name → dict`` of plain numbers (what ``--json`` prints under ``runs``).
    """

    output: Path
    seed: int
    runs: dict[str, RunResult]
    summary: dict[str, dict]


def checkpoint_policy(
    config: dict, seconds: float | None = None, blocks: int | None = None
) -> CheckpointPolicy:
    """The checkpoint policy of the ``[checkpoint]`` table, overridden by ``seconds`` and
    ``blocks`` where they are given (0: never)."""
    table = {"seconds": 600.0, "blocks": 0, **config.get("checkpoint", {})}
    seconds = table["seconds"] if seconds is None else seconds
    blocks = table["blocks"] if blocks is None else blocks
    return CheckpointPolicy(
        seconds=float(seconds) if seconds else None, blocks=int(blocks) if blocks else None
    )


def check_scheme(comparison: ExactComparison, name: str, talk: bool, w: World) -> None:
    """Refuse a scheme used outside its range: an unstable Euler–Maruyama step (the run
    would give NaN), a step that slows the decorrelation of some direction more than
    :data:`MAX_SLOWDOWN` times (Crank–Nicolson at large dt: stiff modes hardly decay, the
    error bar misses them), or a stationary bias, computed exactly from the scheme's discrete
    Lyapunov solution (:meth:`ExactComparison.scheme_bias`), above :data:`MAX_SCHEME_BIAS`.
    With ``talk``, a bias above :data:`WARN_SCHEME_BIAS` is logged as a warning. Each scheme
    carries its own check (:meth:`langevin.steppers.LinearStepper.check`)."""
    warning = comparison.simulation.stepper.check(comparison, name)
    if warning is not None and talk:
        w.log(f"[{name}] warning: {warning}; the pull measures this bias")


@dataclass
class _Plan:
    """One ``[[run]]`` ready to compute: its parameters, grid, engine and sizes."""

    name: str
    params: object
    nonlinear: bool
    model: object
    comparison: object
    sim: object
    n_real: int
    n_steps: int
    grid: PeriodicGrid
    grid_cfg: dict
    rate: float = math.nan
    accuracy: str = ""


def _prepare(entry: dict, index: int, grid_cfg: dict, st: dict, nl_cfg: dict,
             overrides: dict, talk: bool, w: World) -> _Plan:  # fmt: skip
    """Check one ``[[run]]`` against everything its input decides and build its engine
    (nothing is stepped): ``ValueError`` naming the parameter otherwise."""
    name = str(entry.get("name", f"run{index}"))
    params = run_parameters(entry)
    nonlinear = entry.get("model", "linear") == "nonlinear"
    n_real = int(st["n_realisations"])
    n_run_steps = int(st["n_steps"])
    length = float(grid_cfg["length"])
    if not nonlinear:
        n = grid_cfg["n"]
        # per mode: step matrices, noise maps, joint covariances (≈ 7 kB for the ±v pair)
        require_memory("[grid] n", n, 7e3 * n * n / 2, "the per-mode matrices")
        grid = PeriodicGrid(n, length)
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
        check_scheme(comparison, name, talk, w)
        return _Plan(name, params, False, model, comparison, comparison.simulation, n_real,
                     n_run_steps, grid, dict(grid_cfg))  # fmt: skip
    n = nl_cfg["grid_n"]
    if overrides["n_realisations"] is None and "n_realisations" in nl_cfg:
        n_real = int(nl_cfg["n_realisations"])
    if overrides["n_steps"] is None and "n_steps" in nl_cfg:
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
    kept = dealias_mask(grid)
    kept[0, 0] = False
    qx, qy = grid.half_wavevectors()
    params.require_resolvable(float(np.max(np.hypot(qx, qy)[kept])), f"[[run]] {name!r}")
    # Θ: the density must stay positive. Leading order: Gaussian δn with the v = 0 Gibbs
    # covariance on the kept modes, ∝ Θ (computed at Θ = 1 and scaled: no overflow).
    gibbs = BilayerModel(params.with_(theta=1.0)).equilibrium_covariance(qx, qy)
    gibbs = np.where(kept[..., None, None], gibbs * grid.mode_noise_scale, 0.0)
    var1 = float(np.max(point_fluctuations(gibbs, grid)[:2]))
    looks = 2.0 * n * n * n_run_steps * n_real
    zeros = expected_density_zeros(params.theta * var1, looks)
    if not zeros < 1.0:
        from scipy.special import erfcinv

        theta_max = (1.0 / (math.sqrt(2.0) * float(erfcinv(2.0 / looks)))) ** 2 / var1
        raise ValueError(
            f"[[run]] {name!r} theta = {params.theta:g} is outside the allowed range "
            f"(0, {theta_max:.3g}] on this grid (N = {n}, L = {length:g} d): the rms density "
            f"fluctuation per grid point would be {math.sqrt(params.theta * var1):.3g} n, and "
            f"about {zeros:.3g} of the run's {looks:.3g} point samples would have a density "
            "<= 0 (Gaussian estimate; allowed: < 1)"
        )
    model = NonlinearBilayerModel(
        params,
        nonreciprocal_full_velocity=bool(entry.get("nonreciprocal_full_velocity", False)),
    )
    comparison = NonlinearComparison(
        model,
        grid,
        nl_cfg["scheme"],
        float(nl_cfg["dt"]),
        common_random_numbers=bool(st["common_random_numbers"]) and params.drift > 0,
        burn_in=burn_in,
        control_variate=bool(nl_cfg["control_variate"]),
        rng_backend=st["rng_backend"],
        block_steps=st["block_steps"],
    )
    sim = comparison.simulation
    rate = sim.nonlinear_rate()
    dt_max = nonlinear_step_limit(rate, params.theta)
    if not overrides["nonlinear_dt_given"] and not sim.dt <= dt_max:
        dt = float(nl_cfg["dt"])
        while dt > dt_max:  # the default: 0.25 halved until it meets the limit
            dt /= 2
        comparison = NonlinearComparison(
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
        sim = comparison.simulation
    if not sim.dt <= dt_max:
        raise ValueError(
            f"[nonlinear] dt = {sim.dt:g} is outside the allowed range (0, {dt_max:.3g}] for "
            f"the run {name!r}: the fastest rate of its nonlinear terms at Θ = "
            f"{params.theta:g} is λ_nl = {rate:.3g} ω_p, and the step's error in D, "
            "O((λ_nl dt)²), must stay below the nonlinear effect, O(Θ): dt <= √Θ/λ_nl"
        )
    accuracy = (f"λ_nl = {rate:.3g} ω_p, dt = {sim.dt:g} <= √Θ/λ_nl = {dt_max:.3g}"
                + ("" if overrides["nonlinear_dt_given"] else " (default dt)"))  # fmt: skip
    return _Plan(name, params, True, model, comparison, sim, n_real, n_run_steps, grid,
                 {"n": grid.n, "length": grid.length}, rate, accuracy)  # fmt: skip


def _estimator_difference(res: RunResult) -> tuple[float, float, float]:
    """The two estimators' difference of a nonlinear run, its error and its size in σ
    (:func:`langevin.nonlinear_simulation.estimator_consistency`); NaN for realisations
    without it (a checkpoint written before it was recorded)."""
    parts = [r.constraint for r in res.realisations]
    if not parts or any(p is None or len(p) < 4 for p in parts):
        return math.nan, math.nan, math.nan
    return estimator_consistency(np.array([p[2] for p in parts]),
                                 np.array([p[3] for p in parts]))  # fmt: skip


@releases_claim
def run_langevin(
    config: dict,
    w: World | None = None,
    *,
    config_text: str = "",
    config_path: str | os.PathLike | None = None,
    output: str | os.PathLike | None = None,
    seed: int | None = None,
    n_steps: int | None = None,
    n_realisations: int | None = None,
    only: str | None = None,
    snapshots: bool = True,
    checkpoint_dir: str | os.PathLike | None = None,
    checkpoint_seconds: float | None = None,
    checkpoint_blocks: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = False,
    talk: bool = False,
    on_run_done: RunDoneCallback | None = None,
) -> LangevinRunResult | None:
    """Run every ``[[run]]`` of ``config`` on every rank of ``w`` and write one HDF5 file.

    Parameters
    ----------
    config
        The parsed configuration (:func:`langevin.config.load_config`).
    w
        The MPI world (default: :func:`dragcore.parallel.world`); every rank calls this.
    config_text, config_path
        The configuration's text (stored in the file) and its path (never overwritten).
    output, seed, n_steps, n_realisations
        Override the configuration's ``output``, ``seed``, ``[stepper] n_steps`` and
        ``n_realisations`` (``None``: the configuration's).
    only
        Run only the ``[[run]]`` of this name.
    snapshots
        Store snapshots if the configuration asks for them (``False``: never).
    checkpoint_dir, checkpoint_seconds, checkpoint_blocks
        The checkpoint directory (default ``<output>.ckpt``) and the overrides of the
        ``[checkpoint]`` table.
    resume
        Continue from the checkpoint directory.
    overwrite
        Replace an existing output file.
    progress
        A progress line on rank 0.
    talk
        Log each run's set-up and the scheme warnings on rank 0.
    on_run_done
        Called on rank 0 after each ``[[run]]`` (the command prints its result there).

    Returns
    -------
    The :class:`LangevinRunResult` on rank 0 (the file written, the checkpoint directories
    of the runs removed), ``None`` on the other ranks.
    """
    w = w or world()
    seed = require_seed("seed", seed if seed is not None else config.get("seed", 0))
    output = config.get("output", "langevin-run.h5") if output is None else output
    if not str(output).strip():
        raise ValueError(f"output = {str(output)!r} is outside the allowed range (a file name)")
    snapshots = config.get("snapshots", True) and snapshots
    grid_cfg = {"n": 32, "length": 16.0, **config.get("grid", {})}
    st = {
        "scheme": "exact",
        "dt": 8.0,
        "common_random_numbers": True,
        "rng_backend": "numpy",
        "n_realisations": 4,
        "n_steps": 10000,
        "block_steps": None,
        **config.get("stepper", {}),
    }
    if n_steps is not None:
        st["n_steps"] = require_int("n_steps", n_steps, 1, math.inf)
    if n_realisations is not None:
        st["n_realisations"] = require_int("n_realisations", n_realisations, 1, math.inf)
    names = require_run_names([r.get("name") for r in config["run"]])
    entries = [r for r in config["run"] if only is None or r.get("name") == only]
    if not entries:
        raise ValueError(f"--only = {only!r} is outside the allowed range {names}")
    policy = checkpoint_policy(config, checkpoint_seconds, checkpoint_blocks)
    talk = talk and w.is_root
    nl_cfg = {**NONLINEAR_DEFAULTS, **config.get("nonlinear", {})}
    overrides = {"n_steps": n_steps, "n_realisations": n_realisations,
                 "nonlinear_dt_given": "dt" in config.get("nonlinear", {})}  # fmt: skip
    # every refusal the input decides, for every run, before any run computes
    for entry in entries:  # the parameters of all runs first (cheap), then the engines
        run_parameters(entry)
    plans = [_prepare(entry, k, grid_cfg, st, nl_cfg, overrides, talk, w)
             for k, entry in enumerate(entries)]  # fmt: skip
    files = RunFiles.from_options(
        output, checkpoint_dir or None, resume=resume, overwrite=overwrite
    )
    # claimed before computing, before a checkpoint
    files.check_output(w, inputs=[config_path], parts=names, store=CheckpointStore)
    results, runs, summary, extra = {}, {}, {}, {}
    for plan in plans:
        name, params, nonlinear, model = plan.name, plan.params, plan.nonlinear, plan.model
        comparison, sim, n_real, n_run_steps = (plan.comparison, plan.sim, plan.n_real,
                                                plan.n_steps)  # fmt: skip
        run_grid, run_grid_cfg = plan.grid, plan.grid_cfg
        if talk:
            w.log(
                f"[{name}] {'nonlinear' if nonlinear else 'linear'} model, N = {run_grid.n}, "
                f"L = {run_grid.length:g} d, {sim.modes.size} modes, "
                f"{sim.scheme} dt = {sim.dt:g}, CRN = {sim.crn}, "
                f"{n_real} x {n_run_steps} steps, seed {seed}, {w.size} rank(s)"
                + (f"; {plan.accuracy}" if plan.accuracy else "")
            )
        res = run_distributed(
            sim,
            seed,
            n_real,
            n_run_steps,
            w=w,
            checkpoint_dir=(
                files.checkpoint_dir(name) if sim.noise.checkpointable else None
            ),
            resume=resume,
            policy=policy,
            snapshots=snapshots,
            progress=progress,
        )
        if res is None:  # not rank 0
            continue
        res = comparison.compare(res)
        require_sane_estimate(f"[{name}] D", res.mean, res.sdev, chi2_dof=res.chi2_dof,
                              dof=max(n_real - 1, 0))  # fmt: skip
        continuum = float("nan")
        if params.drift > 0 and (not nonlinear or comparison.linear_stable):
            continuum = exact_solution.exact_drag(params).D  # the linear model's
        quantity = "D = rho_D/rho_0" if params.drift > 0 else "F_x"
        summary[name] = {
            "quantity": quantity,
            "mean": res.mean,
            "sdev": res.sdev,
            "exact_same_grid": res.exact,
            "exact_sdev": res.exact_sdev,
            "pull": res.pull,
            "chi2_dof": res.chi2_dof,
            "continuum": continuum,
            "ranks": res.info["ranks"],
            "wall_seconds": res.info["wall_seconds"],
            "bytes_sent": res.info["bytes_sent"],
            "resumed_done": res.info["resumed_done"],
            "resumed_in_progress": res.info["resumed_in_progress"],
            "mode_steps_per_second": res.info["mode_steps_per_second"],
            "model": "nonlinear" if nonlinear else "linear",
        }
        if nonlinear:
            ratio_ok = math.isfinite(res.exact) and res.exact != 0
            diff, diff_sdev, diff_z = _estimator_difference(res)
            summary[name].update(
                theta=params.theta,
                linear_stable=comparison.linear_stable,
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
        if on_run_done is not None:
            on_run_done(name, res, summary[name])
        results[name] = (
            {**{k: getattr(params, k) for k in sorted(PARAMETER_KEYS | {"theta"})},
             "even_viscosity": params.even_viscosity,
             **({"nonreciprocal_full_velocity": model.full_velocity} if nonlinear else {})},
            run_grid_cfg,
            res,
        )  # fmt: skip
        runs[name] = res
        extra[name] = {"continuum": continuum, "model": "nonlinear" if nonlinear else "linear"}
    if not w.is_root:
        return None
    path = write_runs(files.output, results, config_text=config_text, extra=extra)
    files.remove_checkpoints(parts=list(results))
    return LangevinRunResult(Path(path), seed, runs, summary)
