# %% [markdown]
# # A Langevin run from Python, against the exact value
#
# Integrates the fluctuating bilayer of Zverevich and Levchenko (arXiv:2504.08679v1,
# Eqs. 1–16) in time on a periodic N × N grid with exact Ornstein–Uhlenbeck steps, the
# drive layer flowing at +v and −v on shared random numbers, and measures D = ρ_D/ρ₀ from the
# drag force, Eq. (11). The same run's exact value on the same grid (Lyapunov solution per
# Fourier mode) and the continuum value (`langevin.exact_drag`, no box) are printed beside it,
# with the pull (D − exact)/σ: over many seeds the pulls have rms ≈ 1.
#
# Run: `python examples/langevin_run.py [--quick] [--seed 1]`

# %%
from __future__ import annotations

import argparse
import time

from langevin import BilayerModel, BilayerParameters, exact_drag
from langevin.comparison import ExactComparison
from langevin.grid import PeriodicGrid


def run(n: int, length: float, n_realisations: int, n_steps: int, seed: int):
    """One run: (result with the exact value on the grid attached, continuum exact value)."""
    params = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.01)
    params = params.paper_approximations()  # the approximations behind Eq. (21)
    comparison = ExactComparison(
        BilayerModel(params), PeriodicGrid(n, length), "exact", dt=8.0,
        common_random_numbers=True,
    )  # fmt: skip
    result = comparison.compare(comparison.simulation.run(seed, n_realisations, n_steps))
    return result, exact_drag(params)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a Langevin run against the exact value")
    parser.add_argument("--quick", action="store_true", help="8x8 grid, 2 x 400 steps")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    if args.quick:
        res, continuum = run(8, 16.0, 2, 400, args.seed)
    else:
        res, continuum = run(32, 16.0, 4, 10_000, args.seed)
    print(res.summary())
    print(f"D = {res.mean:.5g} ± {res.sdev:.2g}; exact on this grid {res.exact:.5g} "
          f"(pull {res.pull:+.2f}); continuum {continuum.D:.5g}")  # fmt: skip
    print(f"[{time.perf_counter() - t0:.1f} s]")
    return 0


# %%
if __name__ == "__main__":
    raise SystemExit(main())
