"""The nonlinear drag at one loop: tables over grids and χ, its cutoff dependence, and the
simulated slope against it.

:func:`langevin.one_loop.one_loop_drag` gives ``a`` in ``D/D_linear = 1 + aΘ + O(Θ²)`` on
the kept modes of a grid, deterministically. Here:

* :func:`one_loop_table` — ``a`` (and its loop and tadpole parts) over grids and χ at the
  paper's point (ς = 0.15, β = 0.1, u = 0.05);
* :func:`cutoff_exponent` — the power p of ``a ∝ N^p`` at fixed box (log–log fit of the
  finest grids), the UV statement: ``a`` is set by the one-point variances of the fields on
  the kept modes (the tadpole), which grow as a power of the cutoff, not as its logarithm;
* :func:`simulated_against_one_loop` — the simulator's slope (:func:`validate.nonlinear
  .strength_scan` and :func:`validate.nonlinear.strength_slope`: control variate, antithetic
  pairs, ±v common random numbers, independent seeds per Θ, weighted fit through
  D/D_linear = 1 at Θ = 0 with its covariance and χ²/dof) beside the one-loop value, with the
  pull; from the command line ``python -m validate oneloop --grids 8x6 --chis 5 --simulate
  0.005,0.01,0.015 --realisations 4 --steps 8000`` (2–3 CPU-minutes per χ), and
  :func:`record_slopes` (``--record``) for the stored table of :mod:`validate.oneloop_rows`;
* :func:`structure_against_one_loop` — the v = 0 structure factors' O(Θ) shifts, simulated
  (twins as control variate for ``|X_q|²``, antithetic pairs) against
  :func:`structure_one_loop`.

The simulated slope carries the stepper's weak error (O(Θ dt²), dt = 0.25 by default) and the
fit's neglect of O(Θ²); the one-loop value is the continuous-time model's. Points whose run
left the physical domain (a density ≤ 0: near the viscous instability the fluctuations are
larger) are dropped from the fit and listed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from dragcore.parallel import World
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.one_loop import one_loop_drag
from langevin.params import BilayerParameters
from validate.nonlinear import PAPER_POINT, strength_scan, strength_slope
from validate.nonlinear_run import SLOPE_RUN, STRUCTURE_RUN, NonlinearRunLength

__all__ = [
    "ONE_LOOP_GRIDS",
    "ONE_LOOP_CHIS",
    "one_loop_table",
    "cutoff_exponent",
    "simulated_against_one_loop",
    "record_slopes",
]

#: Grids of the default table: fixed spacing 0.75 d (growing box) and the studies' 16×16.
ONE_LOOP_GRIDS = ((8, 6.0), (12, 9.0), (16, 12.0), (24, 18.0))
#: χ values of the default table (χ_c = −1.406 on the 16×16 kept modes).
ONE_LOOP_CHIS = (-1.0, 0.1, 1.0, 3.5)


def one_loop_table(
    grids: Sequence[tuple[int, float]] = ONE_LOOP_GRIDS,
    chis: Sequence[float] = ONE_LOOP_CHIS,
    params: BilayerParameters = PAPER_POINT,
) -> list[dict]:
    """``a`` per grid ``(N, L)`` and χ: rows of :meth:`OneLoopResult.as_dict` plus ``chi``
    and ``spacing``."""
    rows = []
    for n, length in grids:
        grid = PeriodicGrid(int(n), float(length))
        for chi in chis:
            res = one_loop_drag(NonlinearBilayerModel(params.with_(chi=float(chi))), grid)
            rows.append({**res.as_dict(), "chi": float(chi), "spacing": grid.spacing})
    return rows


def cutoff_exponent(rows: Sequence[dict]) -> dict:
    """``a ∝ N^p`` at fixed box: least squares of ``log|a|`` on ``log N`` over the rows
    (one box, one χ), and the local exponents between successive grids."""
    ns = np.array([r["n"] for r in rows], dtype=float)
    a = np.array([abs(r["slope"]) for r in rows])
    order = np.argsort(ns)
    ns, a = ns[order], a[order]
    p = np.polyfit(np.log(ns), np.log(a), 1)[0]
    local = np.diff(np.log(a)) / np.diff(np.log(ns))
    return {"exponent": float(p), "local": local.tolist(), "n": ns.tolist()}


def simulated_against_one_loop(
    thetas: Sequence[float],
    params: BilayerParameters = PAPER_POINT,
    grid: PeriodicGrid | None = None,
    run: NonlinearRunLength = SLOPE_RUN,
    *,
    w: World | None = None,
) -> dict:
    """The simulated slope (weighted fit of ``D/D_linear − 1 = aΘ``) and the one-loop ``a``
    on the same grid; ``pull = (a_sim − a_one_loop)/σ(a_sim)``. ``run``: the run of each
    point (:func:`validate.nonlinear.strength_scan`); antithetic pairs by default (the
    estimator whose relative error does not grow as Θ → 0). Points that blew up are left out
    (listed)."""
    grid = grid if grid is not None else PeriodicGrid(8, 6.0)
    cpu = time.process_time()
    pts = strength_scan(thetas, params, grid, run, w=w)
    cpu = time.process_time() - cpu
    ok = [p for p in pts if not p.blow_up]
    fit = strength_slope(ok) if len(ok) >= 1 else {"slope": math.nan, "slope_sdev": math.nan}
    ol = one_loop_drag(NonlinearBilayerModel(params), grid)
    return {
        "n": grid.n,
        "length": grid.length,
        "chi": params.chi,
        "drift": params.drift,
        "antithetic": bool(run.antithetic),
        "points": [p.as_dict() for p in pts],
        "fit": fit,
        "one_loop": ol.slope,
        "pull": (fit["slope"] - ol.slope) / fit["slope_sdev"],
        "cpu_seconds": cpu,
    }


def record_slopes(path, sims: Sequence[dict], thetas: Sequence[float], command: str) -> dict:
    """Add the results of :func:`simulated_against_one_loop` to the JSON table at ``path``
    (created if absent; a case of the same grid, χ and drift is replaced), each with the
    ``command`` that made it. The table's ``thetas`` must be those of every case."""
    import json
    from pathlib import Path

    path = Path(path)
    table = json.loads(path.read_text()) if path.exists() else {"thetas": list(thetas),
                                                                 "cases": []}  # fmt: skip
    if [float(t) for t in table["thetas"]] != [float(t) for t in thetas]:
        raise ValueError(f"thetas = {list(thetas)} is outside the allowed range: the table "
                         f"{path} holds Θ = {table['thetas']}")  # fmt: skip
    def key(c):
        return (c["n"], c["length"], c["chi"], c["drift"])

    new = {key(s): {**s, "command": command} for s in sims}
    table["cases"] = [c for c in table["cases"] if key(c) not in new] + list(new.values())
    table["cases"].sort(key=key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table, indent=1, default=float) + "\n")
    return table


def structure_one_loop(grid: PeriodicGrid, params: BilayerParameters = PAPER_POINT) -> dict:
    """At v = 0, χ = 0: the one-loop O(Θ) coefficients of the equal-time structure factors
    over their Gibbs (linear) values, averaged over the kept modes and components as
    :func:`validate.nonlinear.equilibrium_checks` averages its measurements:
    ``⟨|p_q|²⟩/(Θ/L²) − 1 ≈ pp Θ`` and ``⟨|δn_q|²⟩/Gibbs − 1 ≈ nn Θ``. Nonzero on a grid:
    the 2/3 truncation breaks the conservation of H by the reversible flow (the continuum's
    product rule), so Gibbs is stationary only up to O(Θ)."""
    from langevin.one_loop import one_loop_covariance

    model = NonlinearBilayerModel(params.with_(drift=0.0, chi=0.0))
    _, c0, c1 = one_loop_covariance(model, grid)
    d0 = np.real(np.einsum("mii->mi", c0))
    d1 = np.real(np.einsum("mii->mi", c1))
    return {
        "pp": float(np.mean(d1[:, 2:] / d0[:, 2:])),
        "nn": float(np.mean(d1[:, :2] / d0[:, :2])),
    }


def structure_against_one_loop(
    grid: PeriodicGrid,
    theta: float,
    run: NonlinearRunLength = STRUCTURE_RUN,
) -> dict:
    """v = 0, χ = 0, runs of ``run``: the simulated O(Θ) shifts of the structure factors over
    their linear (Gibbs) values against :func:`structure_one_loop`, with the linear twins as a
    control variate for ``|X_q|²`` (the engine accumulates ``|X|²`` of every row): per realisation
    ``S = ⟨|X_nl|²⟩ − ⟨|X_lin|²⟩ + C_lin`` (averaged with the antithetic partners), ``C_lin``
    the twins' exact (Lyapunov) variance, then the mean over the kept modes and components of
    ``S/C_lin − 1`` as :func:`structure_one_loop` averages. Errors from the spread over the
    independent realisations.

    Returns ``pp``, ``nn`` (each ``(coefficient, sdev)``: the shift over Θ), the one-loop
    ``pp_one_loop``, ``nn_one_loop``, their pulls, and ``gibbs_mismatch`` (the largest
    relative difference between the twins' Lyapunov variance and the Gibbs value: zero at
    v = 0, χ = 0 to rounding).
    """
    from langevin.comparison import NonlinearComparison

    p = PAPER_POINT.with_(drift=0.0, chi=0.0, theta=float(theta))
    model = NonlinearBilayerModel(p)
    cmp = NonlinearComparison(model, grid, run.scheme, run.dt, burn_in=run.burn_in,
                              antithetic=run.antithetic)  # fmt: skip
    sim = cmp.simulation
    c_lin = np.real(np.einsum("mii->mi", cmp.covariances[0][sim.modes.index]))
    gibbs = model.linear.equilibrium_covariance(sim.modes.qx, sim.modes.qy)
    g = np.real(np.einsum("mii->mi", gibbs)) * grid.mode_noise_scale
    stepped = sim.n_stepped
    per_real = []
    for r in range(run.n_realisations):
        prog = sim.begin_realisation(run.seed, r, run.n_steps, structure=True)
        sim.advance_realisation(prog)
        m = prog.moments / (run.n_steps - run.burn_in)
        s = m[:stepped].mean(axis=0) - m[stepped:].mean(axis=0) + c_lin
        ratio = s / c_lin - 1.0
        per_real.append((float(np.mean(ratio[:, 2:])), float(np.mean(ratio[:, :2]))))
    arr = np.array(per_real) / theta
    mean = arr.mean(axis=0)
    sem = arr.std(axis=0, ddof=1) / math.sqrt(len(arr))
    ol = structure_one_loop(grid, p)
    return {
        "n": grid.n, "length": grid.length, "theta": float(theta), "dt": run.dt,
        "antithetic": bool(run.antithetic), "n_realisations": run.n_realisations,
        "n_steps": run.n_steps,
        "pp": (float(mean[0]), float(sem[0])), "nn": (float(mean[1]), float(sem[1])),
        "pp_one_loop": ol["pp"], "nn_one_loop": ol["nn"],
        "pp_pull": float((mean[0] - ol["pp"]) / sem[0]) if sem[0] > 0 else math.nan,
        "nn_pull": float((mean[1] - ol["nn"]) / sem[1]) if sem[1] > 0 else math.nan,
        "gibbs_mismatch": float(np.max(np.abs(c_lin / g - 1.0))),
    }  # fmt: skip


#: Temperatures (K) of the GaAs translation.
GAAS_TEMPERATURES = (1.0, 2.0, 5.0, 10.0, 20.0)


def gaas_corrections(slope: float, temperatures: Sequence[float] = GAAS_TEMPERATURES) -> list:
    """``(T [K], Θ, aΘ)`` for the docs' GaAs double quantum well
    (:data:`validate.regime.GAAS_EXAMPLE`: n = 1e11 cm⁻², d = 40 nm;
    :func:`validate.regime.fluctuation_strength`) at the one-loop slope ``a`` of a given grid:
    the relative nonlinear correction of the drag at that cutoff (valid while |aΘ| ≪ 1)."""
    from validate.regime import GAAS_EXAMPLE, fluctuation_strength

    out = []
    for t in temperatures:
        theta = fluctuation_strength(*GAAS_EXAMPLE, float(t), "gaas")
        out.append((float(t), theta, slope * theta))
    return out
