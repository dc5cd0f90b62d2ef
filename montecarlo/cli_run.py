"""``python -m montecarlo run`` — drag coefficients by Monte Carlo of the collision integral.

Prints η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3} and η_H (Pa·s) with their Monte Carlo errors, beside them the
quadrature of ``validate.weyl`` (T = 0 polarizations, ballistic weights) and the finite-T
reference of :mod:`montecarlo.drag_mc` (the same approximations as the Monte Carlo), and the
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
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys

import numpy as np

import dragcore.jit  # noqa: F401  (numba's thread count is fixed before numba loads)
from dragcore import units
from dragcore.checks import require_memory, require_positive, require_range
from dragcore.cli import dump_json
from dragcore.hdf5 import check_output_path
from dragcore.parallel import abort_on_failure, world
from montecarlo.checkpoint import CheckpointPolicy, CheckpointStore, run_distributed
from montecarlo.collision import OUTPUT_NAMES, collision_dim
from montecarlo.drag_mc import (
    DEFAULT_BINS,
    finite_temperature_reference,
    hall_from_q3,
)
from montecarlo.integrator import memory_estimate
from montecarlo.presets import PRESETS, preset
from montecarlo.result import format_estimate
from montecarlo.storage import write_run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", default="fig2-d40", choices=sorted(PRESETS))
    parser.add_argument("--T", type=float, default=10.0, help="temperature in K (default 10)")
    parser.add_argument("--np", dest="n_p", type=float, default=3e11, help="n^p in cm^-2 (3e11)")
    parser.add_argument("--tau-p", type=float, default=50.0, help="metal τ^p in ps (50)")
    parser.add_argument("--d", type=float, default=None, help="spacing in nm (preset's)")
    parser.add_argument("--tilt", type=float, default=0.3, help="tilt C, |C| < 1 (0.3)")
    parser.add_argument("--eps", type=float, default=12.0, help="dielectric constant (12)")
    parser.add_argument(
        "--active", choices=("weyl", "metal"), default="weyl", help="metal: 2D–2D drag"
    )
    parser.add_argument("--neval", type=int, default=200_000, help="evaluations/iteration")
    parser.add_argument("--n-train", type=int, default=6, help="training iterations (6)")
    parser.add_argument("--n-prod", type=int, default=10, help="production iterations (10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random streams (0)")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the finite-T reference quadrature"
    )
    parser.add_argument("--summary", action="store_true", help="per-iteration table of η∥⁽⁰⁾")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--n-bins", type=int, default=DEFAULT_BINS, help=f"map bins per axis ({DEFAULT_BINS})"
    )
    parser.add_argument(
        "--batch-size", type=int, default=16384, help="points per batch: the unit of work (16384)"
    )
    parser.add_argument(
        "--max-hcubes",
        type=int,
        default=1_000_000,
        help="cap on the strata hypercubes (1e6; fewer: less MPI traffic while training)",
    )
    parser.add_argument("--output", help="HDF5 file of the run (rank 0 writes it)")
    parser.add_argument(
        "--resume", action="store_true", help="continue from the checkpoint directory"
    )
    parser.add_argument("--checkpoint-dir", help="checkpoint directory (default: <output>.ckpt)")
    parser.add_argument(
        "--checkpoint-every", type=int, default=1, help="iterations between checkpoints (1; 0: off)"
    )
    parser.add_argument(
        "--checkpoint-seconds",
        type=float,
        default=0.0,
        help="wall time between checkpoints (0: off)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no per-iteration lines")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")


def _pull(mc: float, sd: float, ref: float, err: float) -> float:
    s = math.hypot(sd, err)
    return (mc - ref) / s if s > 0 else math.nan


def reference_by_name(values, errors) -> tuple[dict[str, float], dict[str, float]]:
    """The finite-T reference as ``name → value`` and ``name → error`` mappings.

    Accepts mappings (returned as they are, entries that are ``None`` or non-finite dropped)
    or sequences in the order of :data:`montecarlo.collision.OUTPUT_NAMES` that may cover only
    the first outputs: an output the reference does not give is absent, never assumed.
    """
    if not isinstance(values, dict):
        values = dict(zip(OUTPUT_NAMES, np.asarray(values, float).ravel(), strict=False))
    if not isinstance(errors, dict):
        errors = dict(zip(OUTPUT_NAMES, np.asarray(errors, float).ravel(), strict=False))
    keep = [
        k for k, v in values.items()
        if v is not None and math.isfinite(float(v)) and errors.get(k) is not None
    ]  # fmt: skip
    return ({k: float(values[k]) for k in keep}, {k: float(errors[k]) for k in keep})


def _check(args: argparse.Namespace) -> None:
    require_positive("T", args.T)
    require_positive("n_p", args.n_p)
    require_positive("tau_p", args.tau_p)
    require_range("C", args.tilt, -1.0, 1.0, lo_open=True, hi_open=True)
    require_positive("eps", args.eps)
    require_range("neval", args.neval, 64, math.inf)
    require_range("n_train", args.n_train, 0, math.inf)
    require_range("n_prod", args.n_prod, 2, math.inf)
    require_range("seed", args.seed, 0, math.inf)
    require_range("n_bins", args.n_bins, 2, math.inf)
    require_range("batch_size", args.batch_size, 16, math.inf)
    require_range("max_hcubes", args.max_hcubes, 1, math.inf)
    require_range("checkpoint_every", args.checkpoint_every, 0, math.inf)
    require_range("checkpoint_seconds", args.checkpoint_seconds, 0.0, math.inf)
    if args.resume and args.output is None and args.checkpoint_dir is None:
        raise ValueError("--resume = True is outside the allowed range without --output")


def _check_memory(args: argparse.Namespace, bl) -> None:
    """Refuse sizes whose memory (:func:`montecarlo.integrator.memory_estimate`) is not free,
    naming the option that dominates the estimate."""
    dim = collision_dim(bl)
    need = memory_estimate(dim, len(OUTPUT_NAMES), args.neval, args.n_bins, args.batch_size,
                           args.max_hcubes)  # fmt: skip
    one_batch = memory_estimate(dim, len(OUTPUT_NAMES), args.batch_size, args.n_bins,
                                args.batch_size, args.max_hcubes)  # fmt: skip
    require_memory("n_bins", args.n_bins, one_batch, "the adaptive map and one batch")
    require_memory("neval", args.neval, need, "an iteration's batch accumulators")


def _bilayer(args: argparse.Namespace):
    return preset(
        args.preset,
        n_p_cm2=args.n_p,
        tau_p_ps=args.tau_p,
        d_nm=args.d,
        tilt=args.tilt,
        dielectric=args.eps,
        active=args.active,
    )


def _checkpoint_dir(args: argparse.Namespace) -> str | None:
    if args.checkpoint_dir is not None:
        return args.checkpoint_dir
    return None if args.output is None else f"{args.output}.ckpt"


def parameters(args: argparse.Namespace, bl) -> dict:
    """The run parameters as stored in the file (units in :mod:`montecarlo.storage`)."""
    return {
        "preset": args.preset,
        "active": args.active,
        "T": float(args.T),
        "n_p": float(args.n_p),
        "tau_p": float(args.tau_p),
        "d": float(bl.spacing / units.NM),
        "tilt": float(args.tilt),
        "eps": float(args.eps),
        "n_eval": int(args.neval),
        "n_train": int(args.n_train),
        "n_prod": int(args.n_prod),
        "n_bins": int(args.n_bins),
        "batch_size": int(args.batch_size),
        "max_hcubes": int(args.max_hcubes),
        "seed": int(args.seed),
    }


def compute(args: argparse.Namespace, w=None) -> dict | None:
    """Everything the command prints, as plain types (internal units converted to Pa·s).

    Every rank calls this; rank 0 returns the dictionary (with the run and the quadrature
    for the file under ``"_run"``, ``"_quadrature"``), the other ranks ``None``.
    """
    w = w or world()
    _check(args)
    from validate.weyl import drag_coefficients

    bl = _bilayer(args)
    _check_memory(args, bl)
    if args.output is not None and w.is_root:  # before computing, before the checkpoint
        check_output_path(args.output, overwrite=args.overwrite)
    T = units.kelvin_to_erg(args.T)
    every = args.checkpoint_every or None
    seconds = args.checkpoint_seconds or None
    drun = run_distributed(
        bl,
        T,
        n_eval=args.neval,
        n_train=args.n_train,
        n_prod=args.n_prod,
        seed=args.seed,
        n_bins=args.n_bins,
        batch_size=args.batch_size,
        max_hcubes=args.max_hcubes,
        w=w,
        checkpoint_dir=_checkpoint_dir(args),
        resume=args.resume,
        policy=CheckpointPolicy(iterations=every, seconds=seconds),
        progress=not (args.no_progress or args.json),
    )
    if drun is None:
        return None
    est = drun.estimate
    quad = drag_coefficients(bl, T)
    qv = {"eta0": quad.eta0, "eta1": quad.eta1, "eta_q3": quad.eta_q3}
    qe = {"eta0": quad.err0, "eta1": quad.err1, "eta_q3": quad.err_q3}
    hall_q = hall_from_q3(bl, quad.eta_q3)
    qv["eta_H_sj"] = hall_q["sj"]  # validate's η_{Q3} through the paper's relation (B23)
    qe["eta_H_sj"] = abs(hall_q["sj"] / quad.eta_q3) * quad.err_q3 if quad.eta_q3 else 0.0
    ref = err = None
    if not args.no_reference:
        ref, err = reference_by_name(*finite_temperature_reference(bl, T))
    pa = units.internal_viscosity_to_pascal_second
    names = est.names if bl.active.kind == "weyl" else ("eta0",)
    rows = []
    for name in names:
        m, s = est.value(name)
        row = {
            "name": name,
            "mc_Pa_s": pa(m),
            "sdev_Pa_s": pa(s),
            "validate_Pa_s": pa(qv[name]),
            "pull_validate": _pull(m, s, qv[name], qe[name]),
            "rel_diff_validate": m / qv[name] - 1.0 if qv[name] else math.nan,
        }
        if ref is not None and name in ref:
            row["reference_Pa_s"] = pa(ref[name])
            row["pull_reference"] = _pull(m, s, ref[name], err[name])
        rows.append(row)
    hall_q["sj_B23"] = hall_q["sj"]
    hall = [
        {
            "name": f"eta_H.{k}",
            "mc_Pa_s": pa(v),
            "sdev_Pa_s": pa(est.hall_sdev[k]),
            "validate_Pa_s": pa(hall_q[k]),
        }
        for k, v in est.hall.items()
    ]
    r = est.result
    return {
        "preset": args.preset,
        "T_K": args.T,
        "active": args.active,
        "tilt": args.tilt,
        "seed": args.seed,
        "n_eval": r.n_eval,
        "n_eval_total": r.n_eval_total,
        "chi2_dof": r.chi2 / r.dof if r.dof else math.nan,
        "Q": r.Q,
        "coefficients": rows,
        "hall_from_q3": hall,
        "correlation": r.correlation.tolist(),
        "warnings": r.warnings,
        "ranks": drun.info["ranks"],
        "wall_seconds": drun.info["wall_seconds"],
        "bytes_sent": drun.info["bytes_sent"],
        "bytes_per_iteration": drun.info["bytes_per_iteration"],
        "resumed_iterations": drun.info["resumed_iterations"],
        "_summary": r.summary(0),
        "_run": drun,
        "_parameters": parameters(args, bl),
        "_quadrature": {
            "names": [row["name"] for row in rows],
            "validate": [pa(qv[row["name"]]) for row in rows],
            "validate_error": [pa(qe[row["name"]]) for row in rows],
            "reference": None if ref is None else {k: pa(v) for k, v in ref.items()},
            "reference_error": None if err is None else {k: pa(v) for k, v in err.items()},
            "hall": hall,
        },
    }


def run(args: argparse.Namespace) -> int:
    w = world()
    if w.size == 1:
        return _run(args, w)
    with abort_on_failure(w):
        return _run(args, w)


def _run(args: argparse.Namespace, w) -> int:
    out = compute(args, w)
    if out is None:  # not rank 0
        return 0
    drun, params, quad = out.pop("_run"), out.pop("_parameters"), out.pop("_quadrature")
    if args.output is not None:
        command = shlex.join(["python", "-m", "montecarlo", *sys.argv[1:]])
        path = write_run(args.output, drun, params, quad, command=command)
        out["output"] = str(path)
        ckpt = _checkpoint_dir(args)
        if ckpt is not None:
            CheckpointStore(ckpt, {}).remove()
    summary = out.pop("_summary")
    if args.json:
        print(dump_json(out))
        return 0
    print(
        f"Collision-integral Monte Carlo, preset {out['preset']}, active {out['active']}, "
        f"C = {out['tilt']:g}, T = {out['T_K']:g} K, seed {out['seed']}"
    )
    if args.summary:
        print(summary)
    print(
        f"n_eval = {out['n_eval']} (total {out['n_eval_total']}), "
        f"chi2/dof = {out['chi2_dof']:.2f}, Q = {out['Q']:.2f}"
    )
    head = f"{'':8s} {'Monte Carlo (Pa s)':>22s} {'validate (Pa s)':>16s} {'pull':>8s}"
    head += f" {'rel diff':>10s}"
    has_ref = any("reference_Pa_s" in row for row in out["coefficients"])
    if has_ref:
        head += f" {'finite-T ref':>14s} {'pull':>7s}"
    print(head)
    for row in out["coefficients"]:
        line = (
            f"{row['name']:8s} {format_estimate(row['mc_Pa_s'], row['sdev_Pa_s']):>22s} "
            f"{row['validate_Pa_s']:16.6e} {row['pull_validate']:8.2f} "
            f"{row['rel_diff_validate']:10.2e}"
        )
        if has_ref and "reference_Pa_s" in row:
            line += f" {row['reference_Pa_s']:14.6e} {row['pull_reference']:7.2f}"
        elif has_ref:
            line += f" {'(none)':>14s} {'':>7s}"
        print(line)
    print("η_H: eei1, eei2 from η_Q3 (B17, B18); sj sampled (A41–A42); sj_B23 = relation (B23):")
    for row in out["hall_from_q3"]:
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
    return 0
