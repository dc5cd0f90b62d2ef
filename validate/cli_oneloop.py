"""``python -m validate oneloop`` — the nonlinear drag's O(Θ) coefficient at one loop.

Prints ``a`` of ``D/D_linear = 1 + aΘ + O(Θ²)`` (:func:`validate.oneloop.one_loop_table`,
deterministic: :mod:`langevin.one_loop`) at ς = 0.15, β = 0.1, u = 0.05 for each grid
``N×L`` and χ, with its loop and tadpole parts and the linear D on the same kept modes,
and the one-loop shift of the v = 0 structure factors over Gibbs
(:func:`validate.oneloop.structure_one_loop`).
``--simulate THETAS`` adds, on the first grid and for each χ, the simulated slope (control
variate, ±v common random numbers, antithetic pairs unless ``--no-antithetic``, weighted fit)
and its pull against the one-loop value (minutes per χ on an 8×8 grid).
"""

from __future__ import annotations

import argparse
import sys

from dragcore.cli import dump_json


def _grids(text: str) -> list[tuple[int, float]]:
    out = []
    for item in text.split(","):
        try:
            n, length = item.lower().split("x")
            out.append((int(n), float(length)))
        except ValueError:
            raise ValueError(
                f"grids = {item!r} is outside the allowed range: N×L items like 16x12 "
                "(N even ≥ 6, L > 0)"
            ) from None
        if out[-1][0] < 6 or out[-1][0] % 2 or not out[-1][1] > 0:
            raise ValueError(f"grids = {item!r} is outside the allowed range: N even ≥ 6, L > 0")
    return out


def _floats(name: str, text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise ValueError(f"{name} = {text!r} is outside the allowed range: "
                         "comma-separated numbers") from None  # fmt: skip


def _command(args: argparse.Namespace, drift: float) -> str:
    """The command line that repeats this simulation."""
    return (f"python -m validate oneloop --grids {args.grids.split(',')[0]} --chis {args.chis} "
            f"--drift {drift:g} --simulate {args.simulate} --realisations {args.realisations} "
            f"--steps {args.steps} --seed {args.seed}"
            + ("" if args.antithetic else " --no-antithetic"))  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--grids", default="8x6,12x9,16x12,24x18",
                        help="N×L list (default 8x6,12x9,16x12,24x18: spacing 0.75 d)")  # fmt: skip
    parser.add_argument("--chis", default="-1.0,0.1,1.0,3.5", help="χ list")
    parser.add_argument("--simulate", default="", metavar="THETAS",
                        help="also simulate these Θ on the first grid (e.g. 0.01,0.02)",
                        )  # fmt: skip
    parser.add_argument("--realisations", type=int, default=2, help="per Θ (default 2)")
    parser.add_argument("--steps", type=int, default=4000, help="per realisation (default 4000)")
    parser.add_argument("--drift", type=float, default=None,
                        help="drift u = v/(ω_p d) (default the paper point's 0.05)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the first χ (default 1; the k-th χ adds 100k)")  # fmt: skip
    parser.add_argument("--record", default="", metavar="FILE",
                        help="add the simulated slopes to this JSON table (e.g. validate/"
                        "data/oneloop_slopes.json; same grid, χ and u replaced)")  # fmt: skip
    parser.add_argument("--antithetic", action=argparse.BooleanOptionalAction, default=True,
                        help="antithetic pairs in the simulation (default on)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")


def run(args: argparse.Namespace) -> int:
    from langevin.grid import PeriodicGrid
    from validate.nonlinear import PAPER_POINT
    from validate.nonlinear_run import NonlinearRunLength
    from validate.oneloop import (
        gaas_corrections,
        one_loop_table,
        record_slopes,
        simulated_against_one_loop,
        structure_one_loop,
    )

    grids = _grids(args.grids)
    chis = _floats("chis", args.chis)
    thetas = _floats("simulate", args.simulate) if args.simulate else []
    for t in thetas:
        if not 0 < t < 0.1:
            raise ValueError(f"simulate = {t!r} is outside the allowed range (0, 0.1)")
    if args.realisations < 1 or args.steps < 500:
        raise ValueError(f"realisations, steps = {args.realisations}, {args.steps} is outside "
                         "the allowed range (≥ 1, ≥ 500)")  # fmt: skip
    point = PAPER_POINT if args.drift is None else PAPER_POINT.with_(drift=args.drift)
    if not 0 < point.drift < 10:
        raise ValueError(f"drift = {point.drift!r} is outside the allowed range (0, 10)")
    rows = one_loop_table(grids, chis, point)
    structure = [{"n": n, "length": length, **structure_one_loop(PeriodicGrid(n, length))}
                 for n, length in grids]  # fmt: skip
    sims = []
    for k, chi in enumerate(chis if thetas else []):
        print(f"simulating χ = {chi:g} …", file=sys.stderr)
        run = NonlinearRunLength(seed=args.seed + 100 * k, n_realisations=args.realisations,
                                 n_steps=args.steps, antithetic=args.antithetic)  # fmt: skip
        sims.append(simulated_against_one_loop(thetas, point.with_(chi=chi),
                                               PeriodicGrid(*grids[0]), run))  # fmt: skip
    if args.record and sims:
        record_slopes(args.record, sims, thetas, _command(args, point.drift))
    if args.json:
        print(dump_json({"one_loop": rows, "structure": structure, "simulated": sims}))
        return 0
    p = point
    print(f"One loop: D/D_linear = 1 + aΘ + O(Θ²) at ς = {p.varsigma:g}, β = {p.beta:g}, "
          f"u = {p.drift:g} (±v estimator), on the 2/3-dealiased modes of each grid")  # fmt: skip
    print(f"  {'N':>3} {'L/d':>5} {'h/d':>6} {'χ':>6} {'modes':>5} {'D_lin':>9} {'a':>10} "
          f"{'loop':>9} {'tadpole':>9} {'⟨p²⟩/Θ':>8} {'aΘ/⟨p²⟩':>8}")  # fmt: skip
    for r in rows:
        print(f"  {r['n']:>3} {r['length']:>5g} {r['spacing']:>6.3f} {r['chi']:>6g} "
              f"{r['modes']:>5} {r['linear']:>9.4f} {r['slope']:>10.4f} "
              f"{r['parts']['loop']:>9.4f} {r['parts']['tadpole']:>9.4f} "
              f"{r['local']['p']:>8.4f} {r['slope'] / r['local']['p']:>8.3f}")  # fmt: skip
    last = {r["chi"]: r for r in rows}  # the last grid's row per χ
    print(f"\nGaAs (n = 1e11 cm⁻², d = 40 nm, κ = 12.9) at the cutoff of the {grids[-1][0]}×"
          f"{grids[-1][0]} grid, L = {grids[-1][1]:g} d: relative correction aΘ")  # fmt: skip
    for chi, r in last.items():
        cells = ", ".join(f"{t:g} K: {c:+.2%}" for t, _, c in gaas_corrections(r["slope"]))
        print(f"  χ = {chi:<5g} {cells}")
    print("\nv = 0, χ = 0: structure factors over Gibbs at one loop (mean over the kept modes,"
          " as validate nonlinear measures them)")  # fmt: skip
    for r in structure:
        print(f"  {r['n']:>3}×{r['length']:<4g} ⟨|p_q|²⟩/(Θ/L²) − 1 = {r['pp']:+.4f} Θ,  "
              f"⟨|δn_q|²⟩/Gibbs − 1 = {r['nn']:+.4f} Θ")  # fmt: skip
    for s in sims:
        f = s["fit"]
        print(f"\nSimulated on {s['n']}×{s['n']}, L = {s['length']:g} d, χ = {s['chi']:g}: "
              f"a = {f['slope']:.3f} ± {f['slope_sdev']:.3f} (χ²/dof {f['chi2_dof']:.2f}, "
              f"{f['points']} Θ), one loop {s['one_loop']:.3f}, pull {s['pull']:+.2f}")  # fmt: skip
        for q in s["points"]:
            txt = (f"D/D_lin = {q['ratio']:.4f} ± {q['ratio_sdev']:.4f}" if not q["blow_up"]
                   else "blow-up: " + q["blow_up"].split(" (")[0])  # fmt: skip
            print(f"    Θ = {q['theta']:<7g} {txt}")
    return 0
