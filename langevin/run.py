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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dragcore.checks import require_int, require_run_names, require_sane_estimate
from dragcore.parallel import World, world
from dragcore.run import RunFiles, releases_claim
from langevin import exact as exact_solution
from langevin.checkpoint import CheckpointPolicy, CheckpointStore, run_distributed
from langevin.config import require_seed, run_parameters
from langevin.parameters import RUN_PARAMETERS, stored_model_parameters, table_values
from langevin.run_models import (
    NONLINEAR_DEFAULTS,
    RunModel,
    RunPlan,
    RunSettings,
    check_scheme,
    nonlinear_step_limit,
)
from langevin.simulation import RunResult
from langevin.steppers import MAX_SCHEME_BIAS, MAX_SLOWDOWN, WARN_SCHEME_BIAS
from langevin.storage import write_runs

__all__ = [
    "LangevinRunResult",
    "run_langevin",
    "checkpoint_policy",
    "run_summary",
    "check_scheme",
    "MAX_SCHEME_BIAS",
    "WARN_SCHEME_BIAS",
    "MAX_SLOWDOWN",
    "nonlinear_step_limit",
    "NONLINEAR_DEFAULTS",
]

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
    table = table_values(config, "checkpoint")
    seconds = table["seconds"] if seconds is None else seconds
    blocks = table["blocks"] if blocks is None else blocks
    return CheckpointPolicy(
        seconds=float(seconds) if seconds else None, blocks=int(blocks) if blocks else None
    )


def _stepper_table(config: dict, n_steps: int | None, n_realisations: int | None) -> dict:
    """The ``[stepper]`` table with its defaults, overridden by the command line's sizes."""
    st = table_values(config, "stepper")
    for key, value in (("n_steps", n_steps), ("n_realisations", n_realisations)):
        if value is not None:
            st[key] = require_int(key, value, 1, math.inf)
    return st


def _plan_runs(config: dict, entries: list[dict], settings: RunSettings) -> list[RunPlan]:
    """Every refusal the input decides, for every run, before any run computes: the
    parameters of all runs first (cheap), then each run's model entry builds its engine."""
    kinds = {name: cls(config) for name, cls in RunModel.registry.items()}
    for entry in entries:
        run_parameters(entry)
    plans = []
    for k, entry in enumerate(entries):
        name = str(entry.get("name", f"run{k}"))
        model = entry.get("model", "linear")
        if model not in kinds:
            raise ValueError(f"[[run]] model = {model!r} is outside the allowed range "
                             f"{tuple(kinds)}")  # fmt: skip
        plans.append(kinds[model].prepare(name, entry, run_parameters(entry), settings))
    return plans


def run_summary(res: RunResult, drift: float, continuum: float, model: str) -> dict:
    """The plain numbers every finished run has (what ``--json`` prints under ``runs``,
    before its model's own, :meth:`langevin.run_models.RunModel.summary`); also what a run
    file read back gives (:func:`langevin.results_io.load_run`)."""
    return {
        "quantity": "D = rho_D/rho_0" if drift > 0 else "F_x",
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
        "model": model,
    }


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
    resume: bool = False, overwrite: bool = False, progress: bool = False, talk: bool = False,
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
    resume, overwrite
        Continue from the checkpoint directory; replace an existing output file.
    progress, talk
        A progress line on rank 0; log each run's set-up and the scheme warnings there.
    on_run_done
        Called on rank 0 after each ``[[run]]`` (the command prints its result there).

    Returns
    -------
    The :class:`LangevinRunResult` on rank 0 (the file written, the checkpoint directories
    of the runs removed), ``None`` on the other ranks.
    """
    w = w or world()
    top = table_values(config, "")
    seed = require_seed("seed", top["seed"] if seed is None else seed)
    output = top["output"] if output is None else output
    RUN_PARAMETERS["output"].check("output", str(output))
    names = require_run_names([r.get("name") for r in config["run"]])
    entries = [r for r in config["run"] if only is None or r.get("name") == only]
    if not entries:
        raise ValueError(f"--only = {only!r} is outside the allowed range {names}")
    settings = RunSettings(table_values(config, "grid"),
                           _stepper_table(config, n_steps, n_realisations),
                           n_steps is not None, n_realisations is not None, talk and w.is_root,
                           w)  # fmt: skip
    plans = _plan_runs(config, entries, settings)
    files = RunFiles.from_options(output, checkpoint_dir or None, resume=resume,
                                  overwrite=overwrite)  # fmt: skip
    # claimed before computing, before a checkpoint
    files.check_output(w, inputs=[config_path], parts=names, store=CheckpointStore)
    execution = _Execution(seed, files, checkpoint_policy(config, checkpoint_seconds,
                           checkpoint_blocks), resume, bool(top["snapshots"] and snapshots),
                           progress, on_run_done)  # fmt: skip
    finished = [_run_plan(plan, execution, settings) for plan in plans]
    if not w.is_root:
        return None
    done = [f for f in finished if f is not None]
    path = write_runs(files.output, {f.name: f.stored for f in done}, config_text=config_text,
                      extra={f.name: f.extra for f in done})  # fmt: skip
    files.remove_checkpoints(parts=[f.name for f in done])
    return LangevinRunResult(Path(path), seed, {f.name: f.result for f in done},
                             {f.name: f.summary for f in done})  # fmt: skip


@dataclass
class _Execution:
    """How the runs of one invocation compute: seed, files, checkpoints, output options."""

    seed: int
    files: RunFiles
    policy: CheckpointPolicy
    resume: bool
    snapshots: bool
    progress: bool
    on_run_done: RunDoneCallback | None


@dataclass
class _Finished:
    """One finished ``[[run]]`` on rank 0: what is written and what is returned."""

    name: str
    stored: tuple[dict, dict, RunResult]
    extra: dict
    result: RunResult
    summary: dict


def _run_plan(plan: RunPlan, ex: _Execution, settings: RunSettings) -> _Finished | None:
    """Compute one planned ``[[run]]`` on every rank; its result on rank 0 (else ``None``)."""
    name, params, kind, sim, w = plan.name, plan.params, plan.kind, plan.sim, settings.w
    if settings.talk:
        w.log(
            f"[{name}] {kind.name} model, N = {plan.grid.n}, L = {plan.grid.length:g} d, "
            f"{sim.modes.size} modes, {sim.scheme} dt = {sim.dt:g}, CRN = {sim.crn}, "
            f"{plan.n_real} x {plan.n_steps} steps, seed {ex.seed}, {w.size} rank(s)"
            + (f"; {plan.accuracy}" if plan.accuracy else "")
        )
    res = run_distributed(
        sim, ex.seed, plan.n_real, plan.n_steps, w=w,
        checkpoint_dir=ex.files.checkpoint_dir(name) if sim.noise.checkpointable else None,
        resume=ex.resume, policy=ex.policy, snapshots=ex.snapshots, progress=ex.progress,
    )  # fmt: skip
    if res is None:  # not rank 0
        return None
    res = plan.comparison.compare(res)
    require_sane_estimate(f"[{name}] D", res.mean, res.sdev, chi2_dof=res.chi2_dof,
                          dof=max(plan.n_real - 1, 0))  # fmt: skip
    continuum = float("nan")
    if params.drift > 0 and kind.continuum_applies(plan):
        continuum = exact_solution.exact_drag(params).D  # the linear model's
    summary = {**run_summary(res, params.drift, continuum, kind.name),
               **kind.summary(plan, res, w)}  # fmt: skip
    if ex.on_run_done is not None:
        ex.on_run_done(name, res, summary)
    stored = {**stored_model_parameters(params), **kind.stored_parameters(plan)}
    return _Finished(name, (stored, plan.grid_cfg, res),
                     {"continuum": continuum, "model": kind.name}, res, summary)  # fmt: skip
