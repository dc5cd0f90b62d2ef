"""Throughput of the adaptive Monte Carlo machinery on one core: evaluations per second.

A cheap 6-D integrand (a product of Gaussians peaked off-centre) goes through everything a
physics integrand will: per-batch random streams, strata, the adaptive map, the integrand call
per batch, the accumulation kernel, the ordered combination and the refinement. Run by hand::

    NUMBA_NUM_THREADS=1 python benchmarks/bench_mc_machinery.py [n_eval] [batch_size]
    python benchmarks/bench_mc_machinery.py --smoke   # seconds: tiny sizes, figures meaningless

The project's bar (≥ 1e7 evaluations per second on two cores) means ≥ 5e6 per core here,
i.e. ≤ 200 ns per point for the machinery and the physics integrand together.

The second table is the machinery's own cost per point, stage by stage, in the shape of the
collision integral (D = 5, K = 4 integrands, 10 strata per axis = 10⁵ hypercubes with ~4 points
each, 600 map bins per axis, adapted map and strata, batches of 16384): the uniforms of a
batch (``rng.random``), :func:`~montecarlo.adaptive_map.stratified_points` (hypercube digits,
``y``, the map ``x(y)`` and its Jacobian), :func:`~montecarlo.adaptive_map.accumulate_batch`
(per-piece means and covariances, map histogram, hypercube variances) and the whole
:func:`~montecarlo.integrator.run_batch` with a constant integrand (all of the above plus the
per-batch Python: pieces, random stream, allocations).

Figures per CPU class: ``docs/performance.md``; the history of the measured figures: CHANGELOG.md.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from dragcore.jit import jit
from dragcore.machine import best_seconds, cpu_class, cpu_label
from montecarlo.adaptive_map import accumulate_batch, stratified_points
from montecarlo.integrator import Integrator, batch_seed_sequence, run_batch

#: Printed beside every figure: the vector class the figure was measured on.
CPU = f"[{cpu_class()}]"


@jit
def gaussian_product(x, out, params):  # pragma: no cover - compiled
    centre, width = params[0], params[1]
    norm = 1.0 / (width * math.sqrt(2.0 * math.pi))
    for p in range(x.shape[0]):
        value = 1.0
        for d in range(x.shape[1]):
            z = (x[p, d] - centre) / width
            value *= norm * math.exp(-0.5 * z * z)
        for k in range(out.shape[1]):
            out[p, k] = value * (1.0 + k * x[p, 0])


@jit
def empty_integrand(x, out, params):  # pragma: no cover - compiled
    for p in range(x.shape[0]):
        out[p, 0] = 1.0


@jit(nogil=True)
def constant_four(x, out, params):  # pragma: no cover - compiled
    for p in range(x.shape[0]):
        out[p, 0] = 1.0
        out[p, 1] = x[p, 0]
        out[p, 2] = x[p, 1]


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


def _best_per_point(run, n_points: int, repeats: int) -> float:
    return best_seconds(run, repeats) / n_points * 1e9


def stage_costs(
    n_eval: int = 400_000, batch_size: int = 16384, repeats: int = 5
) -> dict[str, float]:
    """ns per point of each stage of :func:`run_batch` (module docstring), one thread."""
    integ = Integrator(5, 600, strata_per_axis=10, batch_size=batch_size)
    params = np.array([0.45, 0.2])
    weights = np.array([1.0, 0.05, 1.0, 0.0])
    integ.integrate(
        gaussian_product, params, n_out=4, n_train=3, n_prod=1, n_eval=n_eval, seed=0,
        adapt_weights=weights,
    )  # fmt: skip
    plan = integ.plan("prod", n_eval, 4, 1, weights)
    batches = range(plan.n_batches)
    pieces = [plan.pieces(b) for b in batches]
    sizes = [int(plan.bounds[b + 1] - plan.bounds[b]) for b in batches]
    per_axis = (plan.per_axis,) * plan.dim
    u = [np.random.default_rng(b).random((n, plan.dim)) for b, n in enumerate(sizes)]
    y, x = [np.empty_like(a) for a in u], [np.empty_like(a) for a in u]
    jac = [np.empty(n) for n in sizes]
    values = [np.zeros((n, 4)) for n in sizes]
    for b in batches:
        stratified_points(u[b], *pieces[b][:2], per_axis, plan.edges, y[b], x[b], jac[b])
        gaussian_product(x[b], values[b], params)
    work = [v.copy() for v in values]
    weights_tuple = tuple(plan.adapt_weights.tolist())

    def random_numbers():
        for b in batches:
            rng = np.random.default_rng(batch_seed_sequence(plan.seed, plan.iteration, b))
            rng.random((sizes[b], plan.dim))

    def strata_and_map():
        for b in batches:
            stratified_points(u[b], *pieces[b][:2], per_axis, plan.edges, y[b], x[b], jac[b])

    def copy_values():
        for b in batches:
            np.copyto(work[b], values[b])

    def accumulate():
        copy_values()
        for b in batches:
            hcube, count, total = pieces[b]
            accumulate_batch(
                work[b], jac[b], y[b], hcube, count, total, 1.0 / plan.n_hcubes, weights_tuple,
                np.zeros(4), np.zeros((4, 4)), np.zeros((plan.dim, plan.n_bins)),
                np.zeros(int(hcube[-1] - hcube[0] + 1)), int(hcube[0]),
            )  # fmt: skip

    n, r = plan.n_eval, repeats
    return {
        "rng.random": _best_per_point(random_numbers, n, r),
        "stratified_points": _best_per_point(strata_and_map, n, r),
        "accumulate_batch": _best_per_point(accumulate, n, r) - _best_per_point(copy_values, n, r),
        "run_batch, constant f": _best_per_point(
            lambda: [run_batch(constant_four, params, plan, b) for b in batches], n, r
        ),
    }


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    argv = [a for a in argv if a != "--smoke"]
    n_eval = int(argv[0]) if argv else (20_000 if smoke else 2_000_000)
    batch_size = int(argv[1]) if len(argv) > 1 else (4096 if smoke else 16384)
    stage_kw = {"n_eval": 200_000, "repeats": 1} if smoke else {}  # 10⁵ strata: ≥ 2e5 points
    print(f"CPU: {cpu_label()}")
    for name, f in [
        ("constant 1 (machinery only)", empty_integrand),
        ("6-D Gaussian", gaussian_product),
    ]:
        rate, result = measure(f, n_eval, batch_size)
        print(
            f"{name:>28}: {rate:.3g} evaluations/s on one core {CPU} "
            f"(n_eval = {n_eval} per iteration, batch_size = {batch_size}); "
            f"integral[0] = {result.mean[0]:.6f} +- {result.sdev[0]:.1e}"
        )
    print("machinery per point, D = 5, K = 4, 10 strata per axis, 600 bins (one thread):")
    for stage, ns in stage_costs(batch_size=batch_size, **stage_kw).items():
        print(f"{stage:>28}: {ns:5.1f} ns/point {CPU}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
