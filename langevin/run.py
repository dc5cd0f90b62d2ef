"""Langevin runs of a configuration, as ``python -m langevin run`` does them.

:func:`run_langevin` takes a parsed configuration (:func:`langevin.config.load_config`) and
the overrides of the command line, and does everything but the printing: it builds each
``[[run]]``'s simulation, refuses a scheme used outside its range, spreads the realisations
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
from langevin.config import PARAMETER_KEYS, run_parameters
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.noise import CHECKPOINTABLE_BACKENDS
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.simulation import RunResult
from langevin.storage import write_runs

__all__ = [
    "LangevinRunResult",
    "run_langevin",
    "checkpoint_policy",
    "check_scheme",
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
    With ``talk``, a bias above :data:`WARN_SCHEME_BIAS` is logged as a warning."""
    sim = comparison.simulation
    if sim.scheme == "exact":
        return
    if sim.scheme == "euler-maruyama":
        limit = sim.stable_dt_limit()
        if not sim.dt < limit:
            raise ValueError(
                f"[{name}] dt = {sim.dt:g} is outside the allowed range (0, {limit:.4g}) for "
                "euler-maruyama (unstable step: the run would diverge)"
            )
    slow, slow_exact = sim.correlation_steps()
    if slow > MAX_SLOWDOWN * max(slow_exact, 1.0):
        raise ValueError(
            f"[{name}] dt = {sim.dt:g} is outside the allowed range for {sim.scheme}: its "
            f"slowest direction decorrelates in {slow:.3g} steps, the exact step's in "
            f"{slow_exact:.3g} (more than {MAX_SLOWDOWN:g} times slower: the run's error bar "
            "cannot see it; lower dt or use exact)"
        )
    bias = comparison.scheme_bias()
    exact = comparison.exact
    rel = abs(bias / exact) if exact else abs(bias)
    text = (
        f"{sim.scheme} at dt = {sim.dt:g} has a stationary bias of {bias:+.4g} "
        f"({100 * rel:.3g} %) on the exact {exact:.5g} (discrete Lyapunov solution of the scheme)"
    )
    if not rel <= MAX_SCHEME_BIAS:
        raise ValueError(
            f"[{name}] dt = {sim.dt:g} is outside the allowed range for {sim.scheme}: "
            f"{text}; the allowed bias is {100 * MAX_SCHEME_BIAS:g} % (lower dt or use exact)"
        )
    if rel > WARN_SCHEME_BIAS and talk:
        w.log(f"[{name}] warning: {text}; the pull measures this bias")


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
    seed = require_int("seed", seed if seed is not None else config.get("seed", 0), 0, math.inf)
    output = output or config.get("output", "langevin-run.h5")
    files = RunFiles.from_options(
        output, checkpoint_dir or None, resume=resume, overwrite=overwrite
    )
    names = require_run_names([r.get("name") for r in config["run"]])
    # claimed before computing, before a checkpoint
    files.check_output(w, inputs=[config_path], parts=names, store=CheckpointStore)
    snapshots = config.get("snapshots", True) and snapshots
    grid_cfg = {"n": 32, "length": 16.0, **config.get("grid", {})}
    n = grid_cfg["n"]
    # per mode: step matrices, noise maps, joint covariances (≈ 7 kB for the ±v pair)
    require_memory("[grid] n", n, 7e3 * n * n / 2, "the per-mode matrices")
    grid = PeriodicGrid(n, float(grid_cfg["length"]))
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
        st["n_steps"] = n_steps
    if n_realisations is not None:
        st["n_realisations"] = n_realisations
    entries = [r for r in config["run"] if only is None or r.get("name") == only]
    if not entries:
        raise ValueError(f"--only = {only!r} is outside the allowed range (no such run)")
    policy = checkpoint_policy(config, checkpoint_seconds, checkpoint_blocks)
    talk = talk and w.is_root
    results, runs, summary, extra = {}, {}, {}, {}
    nl_cfg = {"scheme": "lawson-heun", "dt": 0.25, "burn_in": 400, "control_variate": True,
              "grid_n": 16, **config.get("nonlinear", {})}  # fmt: skip
    for entry in entries:
        name = str(entry.get("name", f"run{len(results)}"))
        params = run_parameters(entry)
        nonlinear = entry.get("model", "linear") == "nonlinear"
        n_real = int(st["n_realisations"])
        n_run_steps = int(st["n_steps"])
        run_grid, run_grid_cfg = grid, grid_cfg
        if nonlinear:
            run_grid = PeriodicGrid(int(nl_cfg["grid_n"]), float(grid_cfg["length"]))
            run_grid_cfg = {"n": run_grid.n, "length": run_grid.length}
            if n_realisations is None and "n_realisations" in nl_cfg:
                n_real = int(nl_cfg["n_realisations"])
            if n_steps is None and "n_steps" in nl_cfg:
                n_run_steps = int(nl_cfg["n_steps"])
            model = NonlinearBilayerModel(
                params,
                nonreciprocal_full_velocity=bool(entry.get("nonreciprocal_full_velocity", False)),
            )
            comparison = NonlinearComparison(
                model,
                run_grid,
                nl_cfg["scheme"],
                float(nl_cfg["dt"]),
                common_random_numbers=bool(st["common_random_numbers"]) and params.drift > 0,
                burn_in=int(nl_cfg["burn_in"]),
                control_variate=bool(nl_cfg["control_variate"]),
                rng_backend="philox" if st["rng_backend"] == "philox" else "numpy",
                block_steps=st["block_steps"],
            )
            sim = comparison.simulation
            if n_run_steps <= sim.burn_in:
                raise ValueError(
                    f"[{name}] n_steps = {n_run_steps} is outside the allowed range "
                    f"[{sim.burn_in + 1}, inf) (more than [nonlinear] burn_in)"
                )
        else:
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
            sim = comparison.simulation
            check_scheme(comparison, name, talk, w)
        if talk:
            w.log(
                f"[{name}] {'nonlinear' if nonlinear else 'linear'} model, N = {run_grid.n}, "
                f"L = {run_grid.length:g} d, {sim.modes.size} modes, "
                f"{sim.scheme} dt = {sim.dt:g}, CRN = {sim.crn}, "
                f"{n_real} x {n_run_steps} steps, seed {seed}, {w.size} rank(s)"
            )
        res = run_distributed(
            sim,
            seed,
            n_real,
            n_run_steps,
            w=w,
            checkpoint_dir=(
                files.checkpoint_dir(name) if sim.rng_backend in CHECKPOINTABLE_BACKENDS else None
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
            summary[name].update(
                theta=params.theta,
                linear_stable=comparison.linear_stable,
                ratio_to_linear=res.mean / res.exact,
                ratio_to_linear_sdev=res.sdev / abs(res.exact),
                constraint_mean=res.info["constraint_mean"],
                constraint_sdev=res.info["constraint_sdev"],
                burn_in=sim.burn_in,
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
