"""Benchmark of dragcore.elementary: ns per element, ours vs ``math.*`` in a numba loop vs numpy.

Usage::

    python benchmarks/bench_elementary.py [--size 4096] [--accuracy]

One thread. Each row is the best of 7 timings of a loop over ``--size`` float64 inputs in the
function's typical range (L1-resident for the default size). ``sin_pi`` and ``cos_pi`` are
compared with ``math.sin(math.pi * t)`` and ``np.sin(np.pi * t)`` (the product included; these
are not exact at the zeros). ``--accuracy`` also prints the measured max error (relative, in
u = 2**-53, and in ulps of the reference) per tested range, 1e6 points each, against the 80-bit
reference of ``tests/dragcore/test_elementary.py``.

numpy's own exp/log/expm1/log1p loops are SIMD (hand-vectorised, AVX-512) and faster still,
but they work on whole arrays: they cannot be called per element inside a numba kernel.

Figures per CPU class: ``docs/performance.md``; the history of the measured figures: CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numba
import numpy as np

from dragcore import elementary as el
from dragcore.machine import cpu_class, cpu_label

#: Printed beside every figure: the vector class the figure was measured on.
CPU = f"[{cpu_class()}]"

RANGES = {
    "exp": (-50.0, 50.0),
    "expm1": (-2.0, 2.0),
    "log": (1e-3, 1e3),
    "log1p": (-0.9, 10.0),
    "sin_pi": (-1.0, 1.0),
    "cos_pi": (-1.0, 1.0),
}


def _ours(func):
    @numba.njit(error_model="numpy")
    def loop(x, out):
        for i in range(x.size):
            out[i] = func(x[i])

    return loop


@numba.njit(error_model="numpy")
def _libm_sin_pi(t):
    return math.sin(math.pi * t)


@numba.njit(error_model="numpy")
def _libm_cos_pi(t):
    return math.cos(math.pi * t)


def _libm_loops():
    """The same loops over libm's functions (``math.*``; sin and cos of ``pi t``)."""
    libm = {"exp": math.exp, "expm1": math.expm1, "log": math.log, "log1p": math.log1p,
            "sin_pi": _libm_sin_pi, "cos_pi": _libm_cos_pi}  # fmt: skip
    return {name: _ours(func) for name, func in libm.items()}


def _numpy(name):
    simple = {"exp": np.exp, "expm1": np.expm1, "log": np.log, "log1p": np.log1p}
    if name in simple:
        uf = simple[name]
        return lambda x, out: uf(x, out=out)
    uf = np.sin if name == "sin_pi" else np.cos

    def pi_times(x, out):
        np.multiply(x, np.pi, out=out)
        uf(out, out=out)

    return pi_times


def best_ns_per_element(run, x: np.ndarray, out: np.ndarray, seconds: float = 0.02) -> float:
    """Best of 5 timings of ``seconds`` each, in ns per element."""
    run(x, out)  # compile / warm up
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            run(x, out)
        if time.perf_counter() - t0 > seconds:
            break
        reps *= 2
    best = math.inf
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            run(x, out)
        best = min(best, (time.perf_counter() - t0) / reps)
    return best / x.size * 1e9


def timings(size: int, rounds: int = 5) -> None:
    """Ours, math.* and numpy measured in turn, ``rounds`` times; the minimum of each is shown
    (the machine is shared: interleaving keeps a load burst from favouring one column)."""
    rng = np.random.default_rng(0)
    libm = _libm_loops()
    print(f"CPU: {cpu_label()}")
    print(
        f"{'function':8} {'ours':>8} {'math.*':>8} {'numpy':>8}   ns/element, {size} elements {CPU}"
    )
    for name, (lo, hi) in RANGES.items():
        x = rng.uniform(lo, hi, size)
        out = np.empty_like(x)
        runs = (_ours(getattr(el, name)), libm[name], _numpy(name))
        best = [math.inf] * 3
        for _ in range(rounds):
            best = [min(b, best_ns_per_element(r, x, out)) for b, r in zip(best, runs, strict=True)]
        print(f"{name:8} {best[0]:8.2f} {best[1]:8.2f} {best[2]:8.2f}")


def accuracy(n_points: int | None = None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tests/
    from tests.dragcore.test_elementary import (
        FUNCTIONS,
        N_POINTS,
        U,
        bound,
        relative_errors,
        sample,
    )

    rng = np.random.default_rng(20261121)
    for name in FUNCTIONS:
        print(f"{name}: bound {bound(name) / U:.2f} u")
        for label, x in sample(name, rng, n_points or N_POINTS).items():
            rel, ulp = relative_errors(name, x)
            print(f"    {label:34} max {rel.max() / U:5.2f} u  {ulp.max():5.2f} ulp")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="256 inputs, accuracy on 1e4 points")
    args = parser.parse_args()
    if args.smoke:
        timings(256, rounds=1)
        accuracy(n_points=10_000)
        return
    timings(args.size)
    if args.accuracy:
        accuracy()


if __name__ == "__main__":
    main()
