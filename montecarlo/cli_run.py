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
from layers.presets import ACTIVE_LAYERS, PRESETS
from montecarlo.collision import SCREENINGS
from montecarlo.config import DEFAULT_CONFIG, load_config
from montecarlo.drag_mc import DEFAULT_BINS
from montecarlo.result import format_estimate
from montecarlo.run import (
    CollisionRunConfig,
    CollisionRunResult,
    run_collision_mc,
)

#: The options that override a value of the configuration (each the name of a field of
#: :class:`~montecarlo.run.CollisionRunConfig`); ``None``: not given.
_OVERRIDING_OPTIONS = (
    "preset", "T", "n_p", "tau_p", "d", "tilt", "eps", "active", "screening", "neval",
    "n_train", "n_prod", "seed", "n_bins", "batch_size", "max_hcubes", "output", "checkpoint_every",
    "checkpoint_seconds",
)  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="TOML configuration (default: built in)")
    parser.add_argument("--preset", choices=sorted(PRESETS))
    parser.add_argument("--T", type=float, help="temperature in K (default 10)")
    parser.add_argument("--np", dest="n_p", type=float, help="n^p in cm^-2 (3e11)")
    parser.add_argument("--tau-p", type=float, help="metal τ^p in ps (50)")
    parser.add_argument("--d", type=float, help="spacing in nm (preset's)")
    parser.add_argument("--tilt", type=float, help="tilt C, |C| < 1 (0.3)")
    parser.add_argument("--eps", type=float, help="dielectric constant (12)")
    parser.add_argument("--active", choices=tuple(ACTIVE_LAYERS), help="metal: 2D–2D drag")
    parser.add_argument(
        "--screening", choices=SCREENINGS, help="Π in |U|²: at T = 0 (T0, default) or at T"
    )
    parser.add_argument("--neval", type=int, help="evaluations/iteration")
    parser.add_argument("--n-train", type=int, help="training iterations (6)")
    parser.add_argument("--n-prod", type=int, help="production iterations (10)")
    parser.add_argument("--seed", type=int, help="seed of the random streams (0)")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the finite-T reference quadrature"
    )
    parser.add_argument("--summary", action="store_true", help="per-iteration table of η∥⁽⁰⁾")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--n-bins", type=int, help=f"map bins per axis ({DEFAULT_BINS})")
    parser.add_argument("--batch-size", type=int, help="points per batch: the unit of work (16384)")
    parser.add_argument(
        "--max-hcubes",
        type=int,
        help="cap on the strata hypercubes (1e6; fewer: less MPI traffic while training)",
    )
    parser.add_argument("--output", help="HDF5 file of the run (rank 0 writes it)")
    parser.add_argument(
        "--resume", action="store_true", help="continue from the checkpoint directory"
    )
    parser.add_argument("--checkpoint-dir", help="checkpoint directory (default: <output>.ckpt)")
    parser.add_argument(
        "--checkpoint-every", type=int, help="iterations between checkpoints (1; 0: off)"
    )
    parser.add_argument(
        "--checkpoint-seconds",
        type=float,
        help="wall time between checkpoints (0: off)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no per-iteration lines")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    parser.add_argument("--print-config", action="store_true", help="print the default TOML")


def run_config(args: argparse.Namespace) -> CollisionRunConfig:
    """The run of the command: the defaults, the configuration file over them, the options
    given on the command line over both (as for ``python -m langevin run``)."""
    values = {} if args.config is None else load_config(read_config_text(args.config))
    for name in _OVERRIDING_OPTIONS:
        if getattr(args, name) is not None:
            values[name] = getattr(args, name)
    if args.no_reference:
        values["reference"] = False
    return CollisionRunConfig(
        **values,
        checkpoint_dir=args.checkpoint_dir,
        resume=args.resume,
        overwrite=args.overwrite,
    )


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
    head = f"{'':10s} {'Monte Carlo (Pa s)':>22s} {'validate (Pa s)':>16s} {'pull':>8s}"
    head += f" {'rel diff':>10s}"
    has_ref = any("reference_Pa_s" in row for row in out["coefficients"])
    if has_ref:
        head += f" {'finite-T ref':>14s} {'pull':>7s}"
    print(head)
    for row in out["coefficients"]:
        line = (
            f"{row['name']:10s} {format_estimate(row['mc_Pa_s'], row['sdev_Pa_s']):>22s} "
            f"{row['validate_Pa_s']:16.6e} {row['pull_validate']:8.2f} "
            f"{row['rel_diff_validate']:10.2e}"
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
