"""``python -m montecarlo run`` — drag coefficients by Monte Carlo of the collision integral.

Prints η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3} and η_H (Pa·s) with their Monte Carlo errors, beside them the
T = 0 quadrature of :mod:`layers.drag_integral` (the ``validate`` column: T = 0 polarizations,
ballistic weights) and the finite-T reference of :mod:`montecarlo.drag_mc` (the same
approximations as the Monte Carlo), and the
pulls (MC − reference)/√(sdev² + quadrature error²). A pull against ``validate`` measures
physics (finite T, finite q/k_F, tilt in η∥⁽¹⁾), a pull against the finite-T reference measures
the Monte Carlo.

Under ``mpiexec -n P`` the batches of every iteration are spread over the ranks
(:func:`montecarlo.checkpoint.run_distributed`); the numbers do not depend on ``P`` (bit for
bit). Rank 0 prints a line per iteration (standard error), the table and writes the file
(``--output run.h5``, :mod:`montecarlo.storage`); the other ranks are quiet. With
``--output``, the state is checkpointed into ``<output>.ckpt/`` after every iteration
(``--checkpoint-every``, ``--checkpoint-seconds``); after a crash or a kill, the same command
with ``--resume`` — on any number of ranks — ends with the bits of an uninterrupted run. The
directory is removed once the file is written. A failure on any rank stops all ranks,
naming the rank.

A TOML configuration (``python -m montecarlo run config.toml``; ``--print-config`` prints
the default one, :mod:`montecarlo.config`) sets the same values; an option given on the
command line overrides the file. The computing is :func:`montecarlo.run.run_collision_mc`;
this module parses, checks the options and prints.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from dragcore.cli import dump_json, read_config_text
from dragcore.parallel import World
from dragcore.run import run_command
from layers.drag_integral import drag_quadrature_by_name
from montecarlo.config import DEFAULT_CONFIG, load_config
from montecarlo.parameters import RUN_PARAMETERS
from montecarlo.result import format_estimate
from montecarlo.run import (
    CollisionRunConfig,
    CollisionRunResult,
    run_collision_mc,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The configuration file, one option per run parameter
    (:data:`montecarlo.parameters.RUN_PARAMETERS`) and the options of the printing."""
    parser.add_argument("config", nargs="?", help="TOML configuration (default: built in)")
    RUN_PARAMETERS.add_options(parser)
    parser.add_argument("--summary", action="store_true", help="per-iteration table of η∥⁽⁰⁾")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--no-progress", action="store_true", help="no per-iteration lines")
    parser.add_argument("--print-config", action="store_true", help="print the default TOML")


def run_config(args: argparse.Namespace) -> CollisionRunConfig:
    """The run of the command: the defaults, the configuration file over them, the options
    given on the command line over both (as for ``python -m langevin run``)."""
    values = {} if args.config is None else load_config(read_config_text(args.config))
    values.update(RUN_PARAMETERS.given_options(args))
    return CollisionRunConfig(**values)


def run(args: argparse.Namespace) -> int:
    return run_command(args.print_config, DEFAULT_CONFIG, lambda w: _run(args, w))


def _run(args: argparse.Namespace, w: World) -> int:
    config = run_config(args)
    result = run_collision_mc(
        config,
        w,
        quadrature=drag_quadrature_by_name,
        progress=not (args.no_progress or args.json),
        command=shlex.join(["python", "-m", "montecarlo", *sys.argv[1:]]),
        inputs=[args.config],
    )
    if result is None:  # not rank 0
        return 0
    _print_result(result, args)
    return 0


def _print_result(result: CollisionRunResult, args: argparse.Namespace) -> None:
    out = result.summary
    if args.json:
        print(dump_json(out))
        return
    print(
        f"Collision-integral Monte Carlo, preset {out['preset']}, active {out['active']}, "
        f"C = {out['tilt']:g}, T = {out['T_K']:g} K, screening {out['screening']}, "
        f"seed {out['seed']}"
    )
    if args.summary:
        print(result.iteration_table)
    print(
        f"n_eval = {out['n_eval']} (total {out['n_eval_total']}), "
        f"chi2/dof = {out['chi2_dof']:.2f}, Q = {out['Q']:.2f}"
    )
    print(
        "validate = the paper's T = 0 model (Eq. B7): a different integral (finite T, finite "
        "q/k_F, tilt in η∥⁽¹⁾), so MC/validate is a ratio, not a pull; the finite-T reference "
        "computes the sampled integral itself: its pull is a pull"
    )
    head = f"{'':10s} {'Monte Carlo (Pa s)':>22s} {'validate (Pa s)':>16s} {'MC/validate':>11s}"
    has_ref = any("reference_Pa_s" in row for row in out["coefficients"])
    if has_ref:
        head += f" {'finite-T ref':>14s} {'pull':>7s}"
    print(head)
    for row in out["coefficients"]:
        line = (
            f"{row['name']:10s} {format_estimate(row['mc_Pa_s'], row['sdev_Pa_s']):>22s} "
            f"{row['validate_Pa_s']:16.6e} {1.0 + row['rel_diff_validate']:11.5f}"
        )
        if has_ref and "reference_Pa_s" in row:
            line += f" {row['reference_Pa_s']:14.6e} {row['pull_reference']:7.2f}"
        elif has_ref:
            line += f" {'(none)':>14s} {'':>7s}"
        print(line)
    hall_rows = out["hall"] if any(row["mc_Pa_s"] != 0.0 for row in out["hall"]) else []
    if not hall_rows:
        print("η_H = 0: no Hall friction for this active layer")
    else:
        print(
            "η_H parts: sj (A41–A42), eei1, eei2 (skew rates W⁽¹⁾, W⁽²⁾) sampled; sj_B23, "
            "eei1_B17, eei2_B18 = the paper's relations on the sampled η_Q3 (last column: on "
            "validate's η_Q3):"
        )
    for row in hall_rows:
        print(
            f"  {row['name']:14s} {format_estimate(row['mc_Pa_s'], row['sdev_Pa_s']):>22s} "
            f"{row['validate_Pa_s']:16.6e}"
        )
    for text in out["warnings"]:
        print(f"warning: {text}")
    print(
        f"{out['ranks']} rank(s), {out['wall_seconds']:.3g} s wall, "
        f"{out['bytes_per_iteration']:.0f} bytes sent per iteration"
        + (
            f", resumed after {out['resumed_iterations']} iterations"
            if out["resumed_iterations"]
            else ""
        )
    )
    if "output" in out:
        print(f"wrote {out['output']}")
