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
from langevin.config import PARAMETER_KEYS, require_seed, run_parameters
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
    table = {"seconds": 600.0, "blocks": 0, **config.get("checkpoint", {})}
    seconds = table["seconds"] if seconds is None else seconds
    blocks = table["blocks"] if blocks is None else blocks
    return CheckpointPolicy(
        seconds=float(seconds) if seconds else None, blocks=int(blocks) if blocks else None
    )


def _stepper_table(config: dict, n_steps: int | None, n_realisations: int | None) -> dict:
    """The ``[stepper]`` table with its defaults, overridden by the command line's sizes."""
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
    st = _stepper_table(config, n_steps, n_realisations)
    names = require_run_names([r.get("name") for r in config["run"]])
    entries = [r for r in config["run"] if only is None or r.get("name") == only]
    if not entries:
        raise ValueError(f"--only = {only!r} is outside the allowed range {names}")
    policy = checkpoint_policy(config, checkpoint_seconds, checkpoint_blocks)
    talk = talk and w.is_root
    settings = RunSettings(grid_cfg, st, n_steps is not None, n_realisations is not None,
                           talk, w)  # fmt: skip
    plans = _plan_runs(config, entries, settings)
    files = RunFiles.from_options(
        output, checkpoint_dir or None, resume=resume, overwrite=overwrite
    )
    # claimed before computing, before a checkpoint
    files.check_output(w, inputs=[config_path], parts=names, store=CheckpointStore)
    results, runs, summary, extra = {}, {}, {}, {}
    for plan in plans:
        name, params, kind, sim = plan.name, plan.params, plan.kind, plan.sim
        n_real, n_run_steps = plan.n_real, plan.n_steps
        if talk:
            w.log(
                f"[{name}] {kind.name} model, N = {plan.grid.n}, "
                f"L = {plan.grid.length:g} d, {sim.modes.size} modes, "
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
            checkpoint_dir=files.checkpoint_dir(name) if sim.noise.checkpointable else None,
            resume=resume,
            policy=policy,
            snapshots=snapshots,
            progress=progress,
        )
        if res is None:  # not rank 0
            continue
        res = plan.comparison.compare(res)
        require_sane_estimate(f"[{name}] D", res.mean, res.sdev, chi2_dof=res.chi2_dof,
                              dof=max(n_real - 1, 0))  # fmt: skip
        continuum = float("nan")
        if params.drift > 0 and kind.continuum_applies(plan):
            continuum = exact_solution.exact_drag(params).D  # the linear model's
        summary[name] = {**run_summary(res, params.drift, continuum, kind.name),
                         **kind.summary(plan, res, w)}  # fmt: skip
        if on_run_done is not None:
            on_run_done(name, res, summary[name])
        results[name] = (
            {**{k: getattr(params, k) for k in sorted(PARAMETER_KEYS | {"theta"})},
             "even_viscosity": params.even_viscosity, **kind.stored_parameters(plan)},
            plan.grid_cfg,
            res,
        )  # fmt: skip
        runs[name] = res
        extra[name] = {"continuum": continuum, "model": kind.name}
    if not w.is_root:
        return None
    path = write_runs(files.output, results, config_text=config_text, extra=extra)
    files.remove_checkpoints(parts=list(results))
    return LangevinRunResult(Path(path), seed, runs, summary)
