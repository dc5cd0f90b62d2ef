# %% [markdown]
# # Monte Carlo of η∥ and η_H at the Hall-drag paper's Fig. 2 parameters
#
# The interlayer collision integral between a tilted Weyl-semimetal film and a 2D metal
# (Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by electron-electron skew
# scattering*, arXiv:2407.03023v2, Fig. 2: tilt C = 0.3, spacings d = 40 nm and 120 nm), sampled
# by `montecarlo.run.run_collision_mc` — what `python -m montecarlo run` does — at a few
# temperatures. Beside every Monte Carlo value: the T = 0-polarization quadrature of
# `layers.drag_integral` (the paper's model; differences are physics: finite T, finite q/k_F)
# and the finite-temperature reference quadrature, which computes exactly the integral the
# Monte Carlo samples, so (MC − reference)/σ is a pull.
#
# Run: `python examples/mc_fig2.py [--quick] [--preset fig2-d120]`

# %%
from __future__ import annotations

import argparse
import time

from dragcore.parallel import world
from layers.drag_integral import drag_quadrature_by_name
from montecarlo.run import CollisionRunConfig, run_collision_mc


def run_point(preset: str, T: float, quick: bool):
    """One temperature (K): the run's result (summary in Pa s, estimate in internal units)."""
    sizes = {"neval": 4000, "n_train": 2, "n_prod": 2} if quick else {"neval": 200_000}
    config = CollisionRunConfig(preset=preset, T=T, tilt=0.3, seed=0, **sizes)
    return run_collision_mc(config, world(), quadrature=drag_quadrature_by_name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Monte Carlo of eta at the Fig. 2 parameters")
    parser.add_argument("--quick", action="store_true", help="one T, 4 x 4000 evaluations")
    parser.add_argument("--preset", default="fig2-d40", choices=["fig2-d40", "fig2-d120"])
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    temperatures = [10.0] if args.quick else [2.0, 10.0, 50.0]
    for T in temperatures:
        res = run_point(args.preset, T, args.quick)
        s = res.summary
        print(f"{args.preset}, C = {s['tilt']}, T = {T:g} K: χ²/dof = {s['chi2_dof']:.2f}, "
              f"Q = {s['Q']:.2f}, {s['n_eval_total']} evaluations")  # fmt: skip
        print(f"  {'':10s} {'Monte Carlo (Pa s)':>24s} {'reference':>11s} {'pull':>6s} "
              f"{'T=0 quad':>11s}")  # fmt: skip
        for row in s["coefficients"]:
            print(f"  {row['name']:10s} {row['mc_Pa_s']:12.5e} ± {row['sdev_Pa_s']:9.2e} "
                  f"{row.get('reference_Pa_s', float('nan')):11.5e} "
                  f"{row.get('pull_reference', float('nan')):+6.2f} "
                  f"{row['validate_Pa_s']:11.5e}")  # fmt: skip
        total = next(r for r in s["hall"] if r["name"] == "eta_H.total")
        print(f"  η_H (sampled parts) = {total['mc_Pa_s']:.5e} ± {total['sdev_Pa_s']:.2e} Pa s")
    print(f"[{time.perf_counter() - t0:.1f} s]")
    return 0


# %%
if __name__ == "__main__":
    raise SystemExit(main())
