"""Benchmark of one step of the nonlinear bilayer (not part of the test run).

    python benchmarks/bench_nonlinear.py [--sizes 64 256 1024] [--steps K]

One system (no ±v pair, no linear twin), Lawson–Heun, ς = 0.15, β = 0.1, χ = 0.1, u = 0.05,
Θ = 1e-3, grid spacing 0.75 d (L = 0.75 N d), one thread. Prints per N, beside the CPU model
and its vector extensions:

* the step's wall time and the time of the bare FFTs the step needs, measured in the same
  process on arrays of the same shapes and batching (two right-hand sides: per call one
  inverse real 2D FFT of 10 fields and one forward of 16), and their ratio (issue 13's bar:
  ≤ 3 at N = 256);
* grid-point-steps per second per core (N² per step, one system);
* memory per grid point: the step and noise matrices of the kept modes, the packed state,
  and the peak of the temporaries of one step (``tracemalloc``), each in bytes per grid point.

Figures per CPU class: ``docs/performance.md``; the history of the measured figures: CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import scipy.fft

from dragcore.machine import cpu_class, cpu_label
from langevin.comparison import NonlinearComparison
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.params import BilayerParameters

CPU = f"[{cpu_class()}]"
PARAMS = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.05, theta=1e-3)


def bare_fft_seconds(n: int, repeats: int) -> float:
    """Best time of the FFTs of one step (two RHS: irfft2 of 10 fields, rfft2 of 16)."""
    rng = np.random.default_rng(0)
    spec = rng.standard_normal((10, n, n // 2 + 1)) + 1j * rng.standard_normal((10, n, n // 2 + 1))
    real = rng.standard_normal((16, n, n))
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(2):
            scipy.fft.irfft2(spec, s=(n, n), axes=(-2, -1), workers=1)
            scipy.fft.rfft2(real, axes=(-2, -1), workers=1)
        best = min(best, time.perf_counter() - t0)
    return best


def measure(n: int, steps: int) -> dict:
    grid = PeriodicGrid(n, 0.75 * n)
    t0 = time.perf_counter()
    cmp = NonlinearComparison(NonlinearBilayerModel(PARAMS), grid, "lawson-heun", 0.25,
                              control_variate=False)  # fmt: skip
    sim = cmp.simulation
    setup = time.perf_counter() - t0
    x = sim.initial_state(np.random.default_rng(1))
    z = np.random.default_rng(2).standard_normal((sim.modes.size, 6, 2)).view(complex)[..., 0]
    out = np.empty((1, 6))
    sim.step(x, z, out)  # warm
    best = np.inf
    for _ in range(steps):
        t = time.perf_counter()
        sim.step(x, z, out)
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    sim.step(x, z, out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    fft = bare_fft_seconds(n, max(3, steps))
    pts = n * n
    maps = sim.step_matrix[0].nbytes + sim.noise_map[0].nbytes
    return {
        "N": n,
        "kept modes": sim.modes.size,
        "setup s": setup,
        "step s": best,
        "bare FFT s": fft,
        "ratio": best / fft,
        "grid-point-steps/s": pts / best,
        "B/pt maps": maps / pts,
        "B/pt state": x.nbytes / pts,
        "B/pt step temporaries (peak)": peak / pts,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[64, 256, 1024])
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="N = 16, one step (seconds)")
    args = ap.parse_args()
    if args.smoke:
        args.sizes, args.steps = [16], 1
    print(f"CPU: {cpu_label()}")
    print(f"{'N':>5} {'modes':>8} {'step ms':>9} {'FFT ms':>8} {'ratio':>6} "
          f"{'pt-steps/s':>11} {'B/pt maps':>9} {'state':>6} {'temps':>6}  cpu")  # fmt: skip
    for n in args.sizes:
        r = measure(n, args.steps if n < 1024 else max(2, args.steps // 2))
        print(f"{r['N']:5d} {r['kept modes']:8d} {1e3 * r['step s']:9.3f} "
              f"{1e3 * r['bare FFT s']:8.3f} {r['ratio']:6.2f} {r['grid-point-steps/s']:11.3g} "
              f"{r['B/pt maps']:9.0f} {r['B/pt state']:6.0f} "
              f"{r['B/pt step temporaries (peak)']:6.0f}  {CPU}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
