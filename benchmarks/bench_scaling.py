"""Strong scaling of the simulators over MPI ranks (not part of the test run).

    python benchmarks/bench_scaling.py [--ranks 1 2] [--simulator langevin] [--quick|--smoke]

``--smoke``: 2 realisations × 200 steps and 4000 Monte Carlo points per iteration (seconds;
the test suite runs it so that the script cannot rot; its figures mean nothing).

For each simulator, the same total work runs under ``mpiexec -n P`` for every ``P`` in
``--ranks``; each run prints (rank 0, JSON) the wall time of the distributed run proper
(setup, imports and JIT compilation excluded, ranks synchronised before and after) and the
payload bytes all ranks sent (:attr:`dragcore.parallel.World.bytes_sent`). Reported:

* strong-scaling efficiency ``E(P) = T(1) / (P · T(P))`` (bar: ≥ 90 % on 2 ranks);
* the same with CPU time (summed over ranks): on a machine shared with other jobs the wall
  time also measures the neighbours; the CPU efficiency measures our own overhead;
* bytes communicated per iteration (time step), which must not grow with the number of
  steps: only per-realisation records travel, once, at the end.

A simulator is one function ``workload(args, w) -> dict`` in :data:`SIMULATORS` (it builds
its problem, times the distributed run and returns ``wall_seconds``, ``bytes_sent``,
``iterations``); the Monte Carlo adds its own function beside :func:`langevin_workload`.

Figures per CPU class: ``docs/performance.md``; the history of the measured figures: CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dragcore.machine import cpu_label

HERE = Path(__file__).resolve()


def langevin_workload(args: argparse.Namespace, w) -> dict:
    """Langevin: ``R`` realisations × ``n_steps`` on N = 32 (511 modes, ±v CRN pair)."""
    from langevin.checkpoint import run_distributed
    from langevin.comparison import ExactComparison
    from langevin.grid import PeriodicGrid
    from langevin.model import BilayerModel
    from langevin.params import BilayerParameters

    params = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.01)
    sim = ExactComparison(
        BilayerModel(params.paper_approximations()),
        PeriodicGrid(32, 16.0),
        "exact",
        8.0,
        common_random_numbers=True,
    ).simulation
    sim.run_realisation(0, 0, 2 * sim.block_steps)  # JIT compile / warm up
    w.barrier()
    t0 = time.perf_counter()
    res = run_distributed(
        sim, 2025, args.realisations, args.steps, w=w, snapshots=True, with_exact_sdev=False
    )
    w.barrier()
    wall = time.perf_counter() - t0
    if res is None:
        return {}
    return {
        "wall_seconds": wall,
        "bytes_sent": res.info["bytes_sent"],
        "iterations": args.steps,
        "work": f"{args.realisations} realisations x {args.steps} steps, {sim.modes.size} modes",
        "mean": res.mean,
        "compute_seconds_per_rank": res.info["compute_seconds_per_rank"],
        "cpu_seconds_per_rank": res.info["cpu_seconds_per_rank"],
    }


def montecarlo_workload(args: argparse.Namespace, w) -> dict:
    """Monte Carlo: the collision integral of fig2-d40 at 10 K, ``neval`` points × 10 iterations.

    4 training + 6 production iterations in batches of 16 384 points; the batches of each
    iteration are spread over the ranks (:func:`montecarlo.checkpoint.run_distributed`).
    """
    from dragcore import units
    from layers.presets import preset
    from montecarlo.checkpoint import run_distributed
    from montecarlo.drag_mc import estimate_drag

    bl, T = preset("fig2-d40"), units.kelvin_to_erg(10.0)
    estimate_drag(bl, T, n_eval=4000, n_train=1, n_prod=1)  # JIT compile / warm up
    w.barrier()
    t0 = time.perf_counter()
    run = run_distributed(bl, T, n_eval=args.neval, n_train=4, n_prod=6, seed=2025, w=w)
    w.barrier()
    wall = time.perf_counter() - t0
    if run is None:
        return {}
    info = run.info
    return {
        "wall_seconds": wall,
        "bytes_sent": info["bytes_sent"],
        "iterations": info["iterations_run"],
        "work": f"10 iterations x {args.neval} points, {max(info['n_batches'])} batches each",
        "bytes_per_train_iteration": info["bytes_per_train_iteration"],
        "bytes_per_prod_iteration": info["bytes_per_prod_iteration"],
        "mean": float(run.estimate.result.mean[0]),
        "compute_seconds_per_rank": info["compute_seconds_per_rank"],
        "cpu_seconds_per_rank": info["cpu_seconds_per_rank"],
    }


#: name → workload.
SIMULATORS: dict[str, Callable[[argparse.Namespace, object], dict]] = {
    "langevin": langevin_workload,
    "montecarlo": montecarlo_workload,
}


def _worker(args: argparse.Namespace) -> int:
    from dragcore.parallel import world

    w = world()
    out = SIMULATORS[args.worker](args, w)
    if w.is_root:
        out["ranks"] = w.size
        print("RESULT " + json.dumps(out), flush=True)
    return 0


def _launch(simulator: str, ranks: int, args: argparse.Namespace) -> dict:
    mpiexec = Path(sys.executable).parent / "mpiexec"
    cmd = [str(mpiexec), "-n", str(ranks), sys.executable, str(HERE), "--worker", simulator,
           "--steps", str(args.steps), "--realisations", str(args.realisations),
           "--neval", str(args.neval)]  # fmt: skip
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{simulator} on {ranks} rank(s) failed:\n{proc.stderr}")
    line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--simulator", choices=sorted(SIMULATORS), nargs="+")
    parser.add_argument("--steps", type=int, default=40_000, help="steps per realisation")
    parser.add_argument("--realisations", type=int, default=4, help="total realisations")
    parser.add_argument(
        "--neval", type=int, default=1_000_000, help="Monte Carlo points per iteration"
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the steps/points")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (seconds)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke and not args.worker:
        args.steps, args.realisations, args.neval = 200, 2, 4000
    if args.quick:
        args.steps //= 10
        args.neval //= 10
    if args.worker:
        return _worker(args)
    for name in args.simulator or sorted(SIMULATORS):
        load = os.getloadavg()
        runs = {p: _launch(name, p, args) for p in args.ranks}
        base = runs[min(args.ranks)]
        t_ref = base["wall_seconds"] * base["ranks"]
        print(f"{name}: {base['work']}; load average {load[0]:.2f} before")
        print(f"CPU: {cpu_label()}")
        cpu_ref = sum(base["cpu_seconds_per_rank"])
        print(
            " ranks |  wall (s) | efficiency | CPU (s) | CPU efficiency | bytes sent |"
            " bytes/iteration | same mean"
        )
        for p, r in runs.items():
            eff = t_ref / (p * r["wall_seconds"])
            cpu = sum(r["cpu_seconds_per_rank"])
            print(
                f" {p:5d} | {r['wall_seconds']:9.3f} | {100 * eff:8.1f} % | {cpu:7.3f} |"
                f" {100 * cpu_ref / cpu:12.1f} % | {r['bytes_sent']:10d} |"
                f" {r['bytes_sent'] / r['iterations']:15.2f} | {r['mean'] == base['mean']}"
            )
            if "bytes_per_prod_iteration" in r and p > 1:
                print(
                    f"         bytes per training iteration {r['bytes_per_train_iteration']:.0f}"
                    f" (map histogram, hypercube variances), per production iteration"
                    f" {r['bytes_per_prod_iteration']:.0f} (estimate only)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
