"""Throughput of the adaptive Monte Carlo machinery on one core: evaluations per second.

A cheap 6-D integrand (a product of Gaussians peaked off-centre) goes through everything a
physics integrand will: per-batch random streams, strata, the adaptive map, the integrand call
per batch, the accumulation kernel, the ordered combination and the refinement. Run by hand::

    NUMBA_NUM_THREADS=1 python benchmarks/bench_mc_machinery.py [n_eval] [batch_size]

The project's bar (≥ 1e7 evaluations per second on two cores) means ≥ 5e6 per core here,
before the cost of the physics integrand itself.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from dragcore.jit import jit
from montecarlo.integrator import Integrator


@jit
def gaussian_product(x, out, params):  # pragma: no cover - compiled
    centre, width = params[0], params[1]
    norm = 1.0 / (width * math.sqrt(2.0 * math.pi))
    for p in range(x.shape[0]):
        value = 1.0
        for d in range(x.shape[1]):
            z = (x[p, d] - centre) / width
            value *= norm * math.exp(-0.5 * z * z)
        out[p, 0] = value


@jit
def empty_integrand(x, out, params):  # pragma: no cover - compiled
    for p in range(x.shape[0]):
        out[p, 0] = 1.0


def measure(integrand, n_eval: int, batch_size: int, n_iter: int = 4) -> tuple[float, object]:
    integ = Integrator(6, 200, batch_size=batch_size)
    params = np.array([0.4, 0.1])
    integ.integrate(integrand, params, n_train=1, n_prod=1, n_eval=20_000, seed=0)  # compile
    start = time.perf_counter()
    result = integ.integrate(
        integrand, params, n_train=n_iter // 2, n_prod=n_iter - n_iter // 2, n_eval=n_eval, seed=1
    )
    seconds = time.perf_counter() - start
    return result.n_eval_total / seconds, result


def main(argv: list[str]) -> int:
    n_eval = int(argv[0]) if argv else 2_000_000
    batch_size = int(argv[1]) if len(argv) > 1 else 16384
    for name, f in [
        ("constant 1 (machinery only)", empty_integrand),
        ("6-D Gaussian", gaussian_product),
    ]:
        rate, result = measure(f, n_eval, batch_size)
        print(
            f"{name:>28}: {rate:.3g} evaluations/s on one core "
            f"(n_eval = {n_eval} per iteration, batch_size = {batch_size}); "
            f"integral[0] = {result.mean[0]:.6f} +- {result.sdev[0]:.1e}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
