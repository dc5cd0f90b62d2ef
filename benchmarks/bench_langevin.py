"""Benchmark of the Langevin integrator (not part of the test run).

    python benchmarks/bench_langevin.py [--quick] [--rng-only] [--smoke]

``--smoke`` runs every part on an 8×8 grid with a few hundred steps (seconds; the test suite
runs it so that the script cannot rot; its figures mean nothing).

One process, ς = 0.15, β = 0.1, χ = 0.1 in the paper's approximations, drift u = 0.01, on
N = 32, L = 16 d. Prints

1. CPU time to reach 1 % relative error on D = ρ_D/ρ₀ for
   (a) Euler–Maruyama, single drift, at the largest Δt whose static bias is below 1 %
       (the bias is the scheme's exact discrete-Lyapunov value minus the exact one);
   (b) exact-OU steps with common random numbers (±v), at the Δt with the lowest cost;
   and their ratio. The steps needed follow from the exact variance of the estimator
   (finite-n formula, validated against simulation in the tests) and the CPU time per step
   measured on a run of the same configuration; (b) is also run to 1 % for real.
2. Mode-steps per second per core for both random-number back-ends, and the share of the
   time spent drawing normals (numpy back-end).
3. The random-number back-ends side by side in one process (``--rng-only``: this part
   alone): ns per normal of numpy's SFC64 ``standard_normal`` and of the counter-based
   ``"philox"`` stream (:mod:`dragcore.philox`, Philox4x64-10 + Box–Muller in numba), filling
   the same block buffer, best of several alternating repetitions; and end-to-end
   mode-steps/s per core of a run on each (draw + kernel, one system, exact OU).
Bar: ratio ≥ 100 and ≥ 5e6 mode-steps per second per core.

Figures per CPU class: ``docs/performance.md``; the history of the measured figures: CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dragcore.machine import best_seconds, cpu_class, cpu_label
from dragcore.philox import PhiloxStream
from langevin.comparison import ExactComparison
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.noise import NormalBlocks, philox_stream, realisation_generator
from langevin.params import BilayerParameters
from langevin.simulation import Simulation
from langevin.stepping import advance_modes

#: Printed beside every figure: the vector class the figure was measured on.
CPU = f"[{cpu_class()}]"

PARAMS = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.01).paper_approximations()
GRID = PeriodicGrid(32, 16.0)
TARGET = 0.01
#: Step counts of the timings (``--smoke`` shrinks them with the grid).
SIZES = {"em_steps": 4000, "ou_steps": 2000, "mode_steps": 200_000, "run_steps": 4000, "reps": 15}


def steps_for_target(comparison: ExactComparison) -> int:
    """Smallest n (to ~1 %) with exact sd of the mean ≤ TARGET·|exact| (one realisation)."""
    goal = TARGET * abs(comparison.exact)
    n = 1000
    for _ in range(6):
        sd = comparison.simulation.exact_sdev(n)
        n_new = max(16, int(np.ceil(n * (sd / goal) ** 2)))
        if abs(n_new - n) <= 0.01 * n:
            return n_new
        n = n_new
    return n


def cpu_per_step(sim: Simulation, n_steps: int) -> float:
    sim.run_realisation(0, 0, 50)  # compile / warm up
    t0 = time.process_time()
    sim.run_realisation(1, 0, n_steps)
    return (time.process_time() - t0) / n_steps


def euler_maruyama_case() -> tuple[float, float, int, float]:
    model = BilayerModel(PARAMS)
    dt = 0.08
    while True:
        em = ExactComparison(model, GRID, "euler-maruyama", dt=dt)
        bias = (em.simulation.stationary_mean() - em.exact) / em.exact
        if abs(bias) < TARGET:
            break
        dt /= 2**0.5
    n = steps_for_target(em)
    per_step = cpu_per_step(em.simulation, SIZES["em_steps"])
    return dt, bias, n, per_step * n


def exact_ou_case(quick: bool) -> tuple[float, int, float, ExactComparison]:
    model = BilayerModel(PARAMS)
    best = None
    for dt in (1.0, 2.0, 4.0, 8.0, 16.0):
        ou = ExactComparison(model, GRID, "exact", dt=dt, common_random_numbers=True)
        n = steps_for_target(ou)
        if best is None or n < best[1]:
            best = (dt, n, ou)
    dt, n, ou = best
    per_step = cpu_per_step(ou.simulation, SIZES["ou_steps"])
    return dt, n, per_step * n, ou


def throughput() -> None:
    model = BilayerModel(PARAMS.with_(drift=0.0))
    sim = Simulation(model, GRID, "exact", dt=1.0)
    m, d = sim.modes.size, 6
    nb = sim.block_steps
    rng = realisation_generator(0, 0)
    blocks = NormalBlocks(rng, m, nb, d)
    x = sim.initial_state(rng)
    out = np.empty((nb, 1, 2))
    empty = np.zeros((1, 0, d, d), dtype=complex)
    z = blocks.draw()
    advance_modes(x, sim.step_matrix, sim.noise_map, sim.modes.real_mode, z, sim.pair,
                  sim.coef, out, empty)  # fmt: skip
    t_draw = t_kernel = 0.0
    reps = max(1, SIZES["mode_steps"] // nb)
    for _ in range(reps):
        t0 = time.process_time()
        z = blocks.draw()
        t1 = time.process_time()
        advance_modes(x, sim.step_matrix, sim.noise_map, sim.modes.real_mode, z, sim.pair,
                      sim.coef, out, empty)  # fmt: skip
        t_kernel += time.process_time() - t1
        t_draw += t1 - t0
    steps = reps * nb * m
    total = t_draw + t_kernel
    print(
        f"numpy back-end: {steps / total:.3g} mode-steps/s per core "
        f"(kernel alone {steps / t_kernel:.3g}); drawing normals {100 * t_draw / total:.0f} % "
        f"{CPU}"
    )
    # numba back-end, and the CRN pair (two systems on one set of normals), through run().
    for backend in ("numpy", "numba", "philox"):
        for crn, mdl in ((False, model), (True, BilayerModel(PARAMS))):
            s = Simulation(mdl, GRID, "exact", dt=1.0, common_random_numbers=crn,
                           rng_backend=backend)  # fmt: skip
            s.run_realisation(0, 0, 20)
            t0 = time.process_time()
            s.run_realisation(0, 1, SIZES["run_steps"])
            cpu = time.process_time() - t0
            systems = 2 if crn else 1
            rate = s.modes.size * systems * SIZES["run_steps"] / cpu
            print(
                f"  run(), {backend:5s} back-end, {systems} system(s): "
                f"{rate:.3g} system-mode-steps/s per core {CPU}"
            )


def rng_backends() -> None:
    """ns per normal (numpy SFC64 vs philox) and end-to-end mode-steps/s for both."""
    reps = SIZES["reps"]
    model = BilayerModel(PARAMS.with_(drift=0.0))
    sims = {b: Simulation(model, GRID, "exact", dt=1.0, rng_backend=b) for b in ("numpy", "philox")}
    m, d = sims["numpy"].modes.size, 6
    nb = sims["numpy"].block_steps
    buf = np.empty((m, nb, d, 2))
    sources: dict[str, np.random.Generator | PhiloxStream] = {
        "numpy": realisation_generator(0, 0),
        "philox": philox_stream(0, 0),
    }
    for src in sources.values():
        src.standard_normal(out=buf)  # compile / warm up
    best = dict.fromkeys(sources, np.inf)
    for _ in range(reps):  # alternate, so that both see the same machine load
        for name, src in sources.items():
            best[name] = min(
                best[name],
                best_seconds(lambda s=src: s.standard_normal(out=buf), 1, time.process_time),
            )
    ns = {k: 1e9 * v / buf.size for k, v in best.items()}
    print(
        f"normals ({buf.size} per block): numpy SFC64 {ns['numpy']:.2f} ns, "
        f"philox {ns['philox']:.2f} ns per normal (x{ns['numpy'] / ns['philox']:.2f}) {CPU}"
    )
    n_steps = 4 * nb
    rate = {}
    for sim in sims.values():
        sim.run_realisation(0, 0, 20)
    for name, sim in sims.items():
        cpu = best_seconds(
            lambda s=sim: s.run_realisation(0, 1, n_steps), min(3, reps), time.process_time
        )
        rate[name] = m * n_steps / cpu
    print(
        f"run(), one system, exact OU: numpy {rate['numpy']:.3g}, philox {rate['philox']:.3g} "
        f"mode-steps/s per core (x{rate['philox'] / rate['numpy']:.2f}) {CPU}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the confirming run")
    parser.add_argument("--rng-only", action="store_true", help="only part 3 (RNG back-ends)")
    parser.add_argument("--smoke", action="store_true", help="8x8 grid, tiny sizes (seconds)")
    args = parser.parse_args()
    if args.smoke:
        global GRID
        GRID = PeriodicGrid(8, 16.0)
        SIZES.update(em_steps=200, ou_steps=200, mode_steps=2000, run_steps=100, reps=2)
        args.quick = True
    print(f"CPU: {cpu_label()}")
    if args.rng_only:
        rng_backends()
        return
    print(
        f"grid N = {GRID.n}, L = {GRID.length:g} d; paper approximations, ς = 0.15, "
        f"β = 0.1, χ = 0.1, u = {PARAMS.drift}"
    )
    dt_em, bias, n_em, cpu_em = euler_maruyama_case()
    print(
        f"(a) Euler–Maruyama, single v: dt = {dt_em:.4g} (static bias {100 * bias:+.2f} %), "
        f"{n_em:.3g} steps for 1 %: CPU {cpu_em:.4g} s {CPU}"
    )
    dt_ou, n_ou, cpu_ou, sim = exact_ou_case(args.quick)
    print(
        f"(b) exact OU + common random numbers: dt = {dt_ou:g}, {n_ou:.3g} steps for 1 %: "
        f"CPU {cpu_ou:.4g} s {CPU}"
    )
    print(f"ratio (a)/(b) = {cpu_em / cpu_ou:.3g}   (bar: ≥ 100)")
    # Where the factor comes from (steps only, from the exact variance): the stepper at the
    # same estimator, and common random numbers at the same stepper.
    model = BilayerModel(PARAMS)
    em_crn = ExactComparison(model, GRID, "euler-maruyama", dt=dt_em, common_random_numbers=True)
    ou_one = ExactComparison(model, GRID, "exact", dt=dt_ou)
    n_em_crn, n_ou_one = steps_for_target(em_crn), steps_for_target(ou_one)
    print(
        f"    steps for 1 %: EM single {n_em:.3g}, EM + CRN {n_em_crn:.3g}, "
        f"exact OU single {n_ou_one:.3g}, exact OU + CRN {n_ou:.3g}"
    )
    if not args.quick:
        t0 = time.process_time()
        res = sim.run(2025, 4, int(np.ceil(n_ou / 4)), with_exact_sdev=True)
        cpu = time.process_time() - t0
        print(
            f"    confirming run (b): D = {res.mean:.5g} ± {res.sdev:.2g} "
            f"({100 * res.sdev / abs(res.mean):.2f} %), exact {res.exact:.5g}, "
            f"pull {res.pull:+.2f}, CPU {cpu:.3g} s"
        )
    throughput()
    rng_backends()


if __name__ == "__main__":
    main()
