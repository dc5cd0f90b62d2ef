"""Strong scaling of the nonlinear production run from 1 to 2 ranks (not part of the test run).

    python benchmarks/bench_nonlinear_scaling.py [--ranks 1 2] [--n 256] [--steps 60]
                                                 [--realisations 2] [--smoke]

Runs the production template ``mpi_jobs/nonlinear_production.toml`` — the exact command path
(:func:`langevin.run.run_langevin`: ±v pair with common random numbers, linear twins as the
control variate, HDF5 file) — sized down in the number of steps and realisations (and, with
``--n``, the grid at the template's spacing) under ``mpiexec -n P`` for every ``P`` in
``--ranks``, all in this one invocation, and prints per rank count:

* the wall time of the distributed run proper (set-up excluded), the strong-scaling
  efficiency ``T(1)/(P·T(P))`` against the 1-rank run of the same invocation (the baseline),
  and the same with the CPU time summed over the ranks (on a shared machine the wall time
  also measures the neighbours);
* the step time: one step of one realisation (the ±v pair and its two linear twins), per
  rank, from the compute time of its realisations;
* memory: the rank's peak resident set during the run (reset after a warm-up on a 16×16
  grid that takes the imports and compilation) minus its resident set before — it includes
  the N-independent ~0.4 GB of the continuum linear reference the command computes on rank
  0 — and, per grid point, the engine's own peak (``tracemalloc`` over the set-up and one
  realisation: step and noise maps of the ±v pair, state, twins, normals, force series) over
  ``N²``;
* whether the HDF5 files hold the same bits as the 1-rank file (mean, error, χ², the
  per-realisation table, block means, snapshots).

``--smoke``: N = 32, 2 realisations × 40 steps (burn-in 20) — the same code paths in seconds.

Figures per CPU class: ``docs/performance.md``; the history of the measured figures: CHANGELOG.md.
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve()
TEMPLATE = HERE.parents[1] / "mpi_jobs" / "nonlinear_production.toml"


def sized_config(text: str, n: int, burn_in: int) -> str:
    """The template with ``N = n`` at its own spacing (``[grid] n``, ``length`` and
    ``[nonlinear] grid_n``) and ``burn_in``; everything else as the template has it."""
    n0 = int(re.search(r"(?m)^grid_n\s*=\s*(\d+)", text).group(1))
    l0 = float(re.search(r"(?m)^length\s*=\s*([0-9.]+)", text).group(1))
    text = re.sub(r"(?m)^grid_n\s*=\s*\d+", f"grid_n = {n}", text)
    text = re.sub(r"(?m)^n\s*=\s*\d+", f"n = {n}", text)
    text = re.sub(r"(?m)^length\s*=\s*[0-9.]+", f"length = {l0 * n / n0!r}", text)
    return re.sub(r"(?m)^burn_in\s*=\s*\d+", f"burn_in = {burn_in}", text)


def _rss_bytes() -> int:
    """Resident set now (from /proc; 0 where unavailable)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _reset_peak() -> None:
    """Reset the kernel's peak resident set of this process (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_bytes() -> int:
    """Peak resident set since :func:`_reset_peak` (VmHWM; ``ru_maxrss`` elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _engine_peak_bytes(config: dict, n_steps: int) -> int:
    """Peak traced memory (``tracemalloc``) of the engine alone: set-up of the run's
    :class:`langevin.comparison.NonlinearComparison` and one realisation of ``n_steps``."""
    from langevin.comparison import NonlinearComparison
    from langevin.config import run_parameters
    from langevin.grid import PeriodicGrid
    from langevin.nonlinear_model import NonlinearBilayerModel

    nl, entry = config["nonlinear"], config["run"][0]
    params = run_parameters(entry)
    tracemalloc.start()
    cmp = NonlinearComparison(
        NonlinearBilayerModel(params), PeriodicGrid(nl["grid_n"], config["grid"]["length"]),
        nl["scheme"], nl["dt"], common_random_numbers=True, burn_in=nl["burn_in"],
        control_variate=nl["control_variate"],
    )  # fmt: skip
    prog = cmp.simulation.begin_realisation(0, 0, n_steps)
    cmp.simulation.advance_realisation(prog)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _worker(args: argparse.Namespace) -> int:
    from dragcore.parallel import world
    from langevin.config import load_config
    from langevin.run import run_langevin

    w = world()
    text = Path(args.config).read_text()
    # warm-up on a small grid (imports, JIT): not in the memory or the time measured
    small = sized_config(text, 16, 10)
    run_langevin(load_config(small), w, output=f"{args.output}.warm.h5", n_steps=30,
                 n_realisations=w.size, snapshots=False, checkpoint_seconds=0)  # fmt: skip
    if w.is_root:
        Path(f"{args.output}.warm.h5").unlink()
    _reset_peak()
    before = _rss_bytes()
    out = run_langevin(
        load_config(text), w, config_text=text, output=args.output, n_steps=args.steps,
        n_realisations=args.realisations, snapshots=True, checkpoint_seconds=0,
    )  # fmt: skip
    mem = w.gather_to_root(_peak_bytes() - before)
    if out is None:
        return 0
    res = out.runs["paper"]
    engine = _engine_peak_bytes(load_config(text), args.burn_in + 10)
    print("RESULT " + json.dumps({
        "ranks": w.size,
        "wall_seconds": res.info["wall_seconds"],
        "compute_seconds_per_rank": res.info["compute_seconds_per_rank"],
        "cpu_seconds_per_rank": res.info["cpu_seconds_per_rank"],
        "memory_bytes_per_rank": mem,
        "engine_peak_bytes": engine,
        "mean": res.mean,
        "sdev": res.sdev,
    }), flush=True)  # fmt: skip
    return 0


def _launch(ranks: int, config: Path, output: Path, args: argparse.Namespace) -> dict:
    mpiexec = Path(sys.executable).parent / "mpiexec"
    cmd = [str(mpiexec), "-n", str(ranks), sys.executable, str(HERE), "--worker",
           "--config", str(config), "--output", str(output), "--steps", str(args.steps),
           "--realisations", str(args.realisations)]  # fmt: skip
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parents[1]),
                                                      env.get("PYTHONPATH")]))  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{ranks} rank(s) failed:\n{proc.stderr}")
    line = next(s for s in proc.stdout.splitlines() if s.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def same_bits(a: Path, b: Path) -> bool:
    """Whether two run files hold the same numbers, bit for bit."""
    import numpy as np

    from langevin.storage import read_run

    fa, fb = read_run(a, "paper"), read_run(b, "paper")
    keys = ("mean", "sdev", "chi2_dof", "realisations", "block_means", "snapshot")
    return all(np.array_equal(np.asarray(fa[k]), np.asarray(fb[k]), equal_nan=True)
               for k in keys)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--n", type=int, default=256, help="grid points per side (default 256)")
    parser.add_argument("--steps", type=int, default=60, help="per realisation, burn-in included")
    parser.add_argument("--burn-in", type=int, default=20)
    parser.add_argument("--realisations", type=int, default=2, help="total (default 2)")
    parser.add_argument("--smoke", action="store_true", help="N = 32, 2 × 40 steps")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)
    if args.smoke:
        args.n, args.steps, args.realisations = 32, 40, 2
    from dragcore.machine import cpu_label

    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "bench.toml"
        cfg.write_text(sized_config(TEMPLATE.read_text(), args.n, args.burn_in))
        runs, files = {}, {}
        for p in args.ranks:
            files[p] = Path(tmp) / f"ranks{p}.h5"
            runs[p] = _launch(p, cfg, files[p], args)
        base_p = min(args.ranks)
        base = runs[base_p]
        t_ref = base["wall_seconds"] * base_p
        cpu_ref = sum(base["cpu_seconds_per_rank"])
        print(f"nonlinear production template at N = {args.n} ({args.realisations} "
              f"realisations x {args.steps} steps, burn-in {args.burn_in}); load average "
              f"{load[0]:.2f} before")  # fmt: skip
        print(f"CPU: {cpu_label()}")
        print(" ranks |  wall (s) | efficiency | CPU (s) | CPU efficiency | step (ms) per rank"
              " | MB/rank | engine B per grid point | same bits")  # fmt: skip
        for p, r in runs.items():
            per_rank = args.realisations / p
            step_ms = [1e3 * c / (per_rank * args.steps) for c in r["compute_seconds_per_rank"]]
            cpu = sum(r["cpu_seconds_per_rank"])
            mem = max(r["memory_bytes_per_rank"])
            print(
                f" {p:5d} | {r['wall_seconds']:9.2f} | {100 * t_ref / (p * r['wall_seconds']):8.1f}"
                f" % | {cpu:7.2f} | {100 * cpu_ref / cpu:12.1f} % | "
                f"{', '.join(f'{s:.1f}' for s in step_ms):>18} | {mem / 1e6:7.1f} | "
                f"{r['engine_peak_bytes'] / args.n**2:23.0f} | "
                f"{same_bits(files[base_p], files[p])}"
            )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
