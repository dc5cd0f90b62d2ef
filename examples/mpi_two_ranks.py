# %% [markdown]
# # A two-rank MPI run
#
# Launch with
#
#     mpiexec -n 2 python examples/mpi_two_ranks.py [--quick] [--output mpi-run.h5]
#
# (`mpiexec` comes with the `mpich` wheel that `pip install` pulls; on a cluster use the
# site's launcher, `srun` under Slurm, and the templates in `mpi_jobs/`). Every rank runs
# this same script; `dragcore.parallel.world()` is the MPI communicator (a one-rank stand-in
# without MPI). The Monte Carlo spreads each iteration's batches over the ranks, and batch b of
# iteration i draws from `SeedSequence(seed, (i, b))`, so the estimate is the same bit for
# bit on any number of ranks: run it once with `-n 2` and once without `mpiexec` and compare
# the printed hexadecimal digits. Rank 0 prints and writes the file; the other ranks return
# `None`.

# %%
from __future__ import annotations

import argparse
import time

from dragcore.parallel import world
from montecarlo.run import CollisionRunConfig, run_collision_mc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a Monte Carlo run spread over MPI ranks")
    parser.add_argument("--quick", action="store_true", help="4 iterations of 4000 points")
    parser.add_argument("--output", default="mpi-run.h5", help="HDF5 file (replaced)")
    args = parser.parse_args(argv)
    w = world()
    t0 = time.perf_counter()
    sizes = {"neval": 4000, "n_train": 2, "n_prod": 2} if args.quick else {"neval": 400_000}
    config = CollisionRunConfig(T=10.0, seed=0, reference=False, output=args.output,
                                overwrite=True, **sizes)  # fmt: skip
    res = run_collision_mc(config, w)
    if res is None:  # ranks other than 0
        return 0
    r = res.run.estimate.result
    print(f"{res.summary['ranks']} rank(s), {r.n_eval_total} evaluations, "
          f"{res.summary['bytes_sent']} bytes sent, output {res.output}")  # fmt: skip
    for name, mean, sdev in zip(res.run.estimate.names, r.mean, r.sdev, strict=True):
        print(f"  {name:10s} {mean:.10e} ± {sdev:.2e} (1/cm^3)  bits {float(mean).hex()}")
    print(f"[{time.perf_counter() - t0:.1f} s]")
    return 0


# %%
if __name__ == "__main__":
    raise SystemExit(main())
