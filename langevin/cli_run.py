"""``python -m langevin run [config.toml]``: Langevin runs of the bilayer, written to HDF5.

Without a file, the default configuration below runs: the paper's ς = 0.15, β = 0.1,
χ = 0.1 in its approximations (even/odd viscosity and pressure off), and the same with every
term on. Each run prints ``D = ρ_D/ρ₀ ± error`` next to the exact value on the same grid
(Lyapunov solution, :mod:`langevin.exact`) and the continuum value (no box). ``--print-config``
shows the default TOML to copy and edit.

Under ``mpiexec -n P`` the realisations are spread over the ranks
(:func:`langevin.checkpoint.run_distributed`); the numbers do not depend on ``P``. Rank 0
prints and writes the file; the other ranks are quiet. Positions are checkpointed into
``<output>.ckpt/`` (``[checkpoint]`` table or ``--checkpoint-seconds/--checkpoint-blocks``);
after a crash or a kill, the same command with ``--resume`` (on any number of ranks) finishes
the run with the bits of an uninterrupted one. The directory is removed once the file is
written. A failure on any rank stops all ranks, naming the rank.

The configuration is :mod:`langevin.config`; the computing is
:func:`langevin.run.run_langevin`; this module parses, checks the options and prints.
"""

from __future__ import annotations

import argparse
import math
import sys

from dragcore.checks import require_int, require_range
from dragcore.cli import dump_json, read_config_text
from dragcore.parallel import World
from dragcore.run import run_command
from langevin.config import DEFAULT_CONFIG, load_config, require_seed, run_parameters
from langevin.run import run_langevin
from langevin.run_models import RunModel
from langevin.simulation import RunResult

__all__ = ["DEFAULT_CONFIG", "add_arguments", "load_config", "run", "run_parameters"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="TOML configuration (default: built in)")
    parser.add_argument("--output", help="HDF5 file (overrides the configuration)")
    parser.add_argument("--seed", type=int, help="seed (overrides the configuration)")
    parser.add_argument("--steps", type=int, help="steps per realisation (override)")
    parser.add_argument("--realisations", type=int, help="number of realisations (override)")
    parser.add_argument("--only", help="run only the [[run]] with this name")
    parser.add_argument("--no-progress", action="store_true", help="no progress line")
    parser.add_argument("--print-config", action="store_true", help="print the default TOML")
    parser.add_argument("--json", action="store_true", help="machine-readable summary")
    parser.add_argument(
        "--resume", action="store_true", help="continue from the checkpoint directory"
    )
    parser.add_argument("--checkpoint-dir", help="checkpoint directory (default: <output>.ckpt)")
    parser.add_argument(
        "--checkpoint-seconds", type=float, help="wall time between checkpoints (0: never)"
    )
    parser.add_argument(
        "--checkpoint-blocks", type=int, help="blocks of steps between checkpoints (0: never)"
    )
    parser.add_argument("--no-snapshots", action="store_true", help="no real-space snapshots")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")


def run(args: argparse.Namespace) -> int:
    return run_command(args.print_config, DEFAULT_CONFIG, lambda w: _run(args, w))


def _run(args: argparse.Namespace, w: World) -> int:
    text = DEFAULT_CONFIG if args.config is None else read_config_text(args.config)
    cfg = load_config(text)
    seed = require_seed("--seed" if args.seed is not None else "seed",
                        args.seed if args.seed is not None else cfg.get("seed", 0))
    if args.output is not None and not args.output.strip():
        raise ValueError(f"--output = {args.output!r} is outside the allowed range (a file name)")
    if args.checkpoint_dir is not None and not args.checkpoint_dir.strip():
        raise ValueError(f"--checkpoint-dir = {args.checkpoint_dir!r} is outside the allowed "
                         "range (a directory name)")  # fmt: skip
    if args.checkpoint_seconds is not None:
        require_range("--checkpoint-seconds", args.checkpoint_seconds, 0.0, math.inf)
    if args.checkpoint_blocks is not None:
        require_int("--checkpoint-blocks", args.checkpoint_blocks, 0, math.inf)
    for opt in ("steps", "realisations"):
        if getattr(args, opt) is not None:
            require_int(f"--{opt}", getattr(args, opt), 1, math.inf)
    talk = w.is_root and not args.json

    def print_run(name: str, res: RunResult, entry: dict) -> None:
        if not talk:
            return
        if res.info["resumed_done"] or res.info["resumed_in_progress"]:
            w.log(
                f"[{name}] resumed: {res.info['resumed_done']} realisation(s) done, "
                f"{res.info['resumed_in_progress']} continued from a checkpoint"
            )
        print(res.summary())
        print(RunModel.registry[entry["model"]].result_line(name, res, entry), flush=True)

    result = run_langevin(
        cfg,
        w,
        config_text=text,
        config_path=args.config,
        output=args.output,
        seed=seed,
        n_steps=args.steps,
        n_realisations=args.realisations,
        only=args.only,
        snapshots=not args.no_snapshots,
        checkpoint_dir=args.checkpoint_dir,
        checkpoint_seconds=args.checkpoint_seconds,
        checkpoint_blocks=args.checkpoint_blocks,
        resume=args.resume,
        overwrite=args.overwrite,
        progress=not (args.no_progress or args.json),
        talk=talk,
        on_run_done=print_run,
    )
    if result is None:  # not rank 0
        return 0
    if args.json:
        print(dump_json({"output": str(result.output), "seed": result.seed,
                         "runs": result.summary}))  # fmt: skip
    else:
        print(f"{w.tag()} wrote {result.output}", file=sys.stderr)
    return 0
