"""Benchmark: ``validate.f`` (exact y-integration) against ``scipy.integrate.dblquad``.

Run: ``python benchmarks/bench_fg.py`` (about a minute or two; not part of the tests);
``--smoke``: two ς values at ``epsrel = 1e-8`` (seconds; the test suite runs it so that the
script cannot rot; its figures mean nothing).

For every ς of the grid (13 log-spaced values 0.01…10) it times

* ``validate.f(ς)`` called with a scalar, and once vectorised over the whole grid;
* ``scipy.integrate.dblquad`` on the printed integrand of Eq. (22a) over [0, ∞)², at
  ``epsrel = 1e-8, 1e-10, 1e-12`` (``epsabs = 0``), recording the IntegrationWarnings;

and reports the relative error of each against the reference: route 1 on 4× finer panels
(``f_with_error(ς, refine=4)``), itself confirmed by the nested adaptive quadrature of route 2.

Figures per CPU class: ``docs/performance.md``; the history of the measured figures: CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np
from scipy import integrate

from dragcore.machine import best_seconds, cpu_label
from validate import fg

GRID = np.logspace(-2, 1, 13)
TOLERANCES = (1e-8, 1e-10, 1e-12)


def _dblquad_f(s: float, tol: float) -> tuple[float, float, int]:
    """f(ς) by dblquad on Eq. (22a) as printed: (value, seconds, number of warnings)."""

    def integrand(y: float, x: float) -> float:
        e = math.exp(-x)
        a_p, a_m = x * (1.0 + e), x * (1.0 - e)
        y2 = y * y
        pi_p = (y2 - a_p) ** 2 + s * s * y2 * a_p * a_p
        pi_m = (y2 - a_m) ** 2 + s * s * y2 * a_m * a_m
        return 2.0 * s * x**5 * y2 * y2 * e * e / (pi_p * pi_m)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        value = integrate.dblquad(integrand, 0.0, math.inf, 0.0, math.inf, epsabs=0.0, epsrel=tol)[
            0
        ]
        seconds = time.perf_counter() - t0
    return value, seconds, len(caught)


def main() -> None:
    global GRID, TOLERANCES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="two ς, one tolerance (seconds)")
    if parser.parse_args().smoke:
        GRID, TOLERANCES = np.array([0.3, 3.0]), (1e-8,)
    reference = fg.f_with_error(GRID, refine=4).value
    t_vector = best_seconds(lambda: fg.f(GRID))
    print(f"CPU: {cpu_label()}")
    print("validate.f vs scipy.integrate.dblquad on Eq. (22a); errors relative to the reference")
    print(
        f"(route 1 on 4x finer panels); validate.f on the whole grid, vectorised: "
        f"{t_vector * 1e3:.2f} ms\n"
    )
    head = f"{'ς':>8} {'f (reference)':>20} {'route 2 err':>11} {'f err':>9} {'f time':>9}"
    for tol in TOLERANCES:
        head += f" | {'dblquad ' + format(tol, '.0e'):>14} {'time':>7} {'warn':>4}"
    print(head)
    totals = {"f": 0.0, **{tol: 0.0 for tol in TOLERANCES}}
    worst = {"f": 0.0, **{tol: 0.0 for tol in TOLERANCES}}
    for k, s in enumerate(GRID):
        ref = reference[k]
        route2 = fg.f_nested_quad(float(s))
        value = fg.f(float(s))
        t_f = best_seconds(lambda s=s: fg.f(float(s)))
        err_f = abs(value / ref - 1)
        totals["f"] += t_f
        worst["f"] = max(worst["f"], err_f)
        row = f"{s:8.4g} {ref:20.14e} {abs(route2 / ref - 1):11.1e} {err_f:9.1e} {t_f * 1e3:7.2f}ms"
        for tol in TOLERANCES:
            v, t, n_warn = _dblquad_f(float(s), tol)
            err = abs(v / ref - 1)
            totals[tol] += t
            worst[tol] = max(worst[tol], err)
            row += f" | {err:14.1e} {t:6.2f}s {n_warn:4d}"
        print(row, flush=True)
    print("\noverall (sum of times over the grid, worst relative error):")
    print(f"  validate.f (scalar calls): {totals['f'] * 1e3:9.2f} ms, worst error {worst['f']:.1e}")
    print(f"  validate.f (vectorised):   {t_vector * 1e3:9.2f} ms")
    for tol in TOLERANCES:
        print(
            f"  dblquad epsrel={tol:.0e}:     {totals[tol] * 1e3:9.0f} ms, worst error "
            f"{worst[tol]:.1e}, time ratio dblquad/validate.f = {totals[tol] / totals['f']:.0f} "
            f"(scalar), {totals[tol] / t_vector:.0f} (vectorised)"
        )


if __name__ == "__main__":
    main()
