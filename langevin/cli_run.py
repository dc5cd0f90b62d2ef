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
import sys

from dragcore.cli import dump_json, read_config_text
from dragcore.parallel import World
from dragcore.run import run_command
from langevin.config import DEFAULT_CONFIG, load_config, run_parameters
from langevin.parameters import RUN_PARAMETERS
from langevin.run import run_langevin
from langevin.run_models import RunModel
from langevin.simulation import RunResult

__all__ = ["DEFAULT_CONFIG", "add_arguments", "load_config", "run", "run_parameters"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The configuration file, the run parameters that override it (the rows of
    :data:`langevin.parameters.RUN_PARAMETERS` with an option) and the printing options."""
    parser.add_argument("config", nargs="?", help="TOML configuration (default: built in)")
    RUN_PARAMETERS.add_options(parser)
    parser.add_argument("--only", help="run only the [[run]] with this name")
    parser.add_argument("--no-progress", action="store_true", help="no progress line")
    parser.add_argument("--print-config", action="store_true", help="print the default TOML")
    parser.add_argument("--json", action="store_true", help="machine-readable summary")


def run(args: argparse.Namespace) -> int:
    return run_command(args.print_config, DEFAULT_CONFIG, lambda w: _run(args, w))


def _given_options(args: argparse.Namespace) -> dict:
    """The run parameters given on the command line, each checked (``ValueError`` naming the
    option, its value and the allowed range)."""
    given = RUN_PARAMETERS.given_options(args)
    for name, value in given.items():
        p = RUN_PARAMETERS[name]
        if p.check is not None:
            p.check(p.option, value)
    return given


def _run(args: argparse.Namespace, w: World) -> int:
    text = DEFAULT_CONFIG if args.config is None else read_config_text(args.config)
    cfg = load_config(text)
    given = _given_options(args)
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
        only=args.only,
        **given,
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
