"""Report rows: the simulated O(Θ) slope of the nonlinear drag against the one-loop route.

The simulation is expensive (minutes per grid and χ), so its measured slopes are stored in
:data:`SLOPES_PATH` (``validate/data/oneloop_slopes.json``: one record per grid, χ and drift,
as :func:`validate.oneloop.simulated_against_one_loop` returns it, with the command that made
it); the one-loop value is recomputed here from the code (deterministic, a second each), so a
change of the one-loop route is caught by the rows. Each row is an ``internal`` comparison:
``z = (a_sim − a_one_loop)/σ``, with σ the weighted fit's error (per-Θ errors from the
autocorrelation of the antithetic-pair series, independent seeds per Θ) scaled by
``√max(1, χ²/dof)`` of the fit (the per-Θ errors may be underestimated, never shrunk).

:func:`slope_table` gives the same records as plain rows (grid, χ, v, a_sim ± σ, one loop,
pull, χ²/dof, CPU seconds) for the documentation and the tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.one_loop import one_loop_drag
from validate.nonlinear import PAPER_POINT
from validate.report import Comparison

__all__ = ["SLOPES_PATH", "load_slopes", "slope_table", "slope_comparisons"]

#: The stored measurements (a JSON object: ``thetas`` and ``cases``, each with its ``command``).
SLOPES_PATH = Path(__file__).resolve().parent / "data" / "oneloop_slopes.json"

#: The report's section of these rows.
SECTION = "nonlinear bilayer"


def load_slopes(path: Path = SLOPES_PATH) -> dict:
    """The stored slope measurements (:data:`SLOPES_PATH`)."""
    return json.loads(Path(path).read_text())


def slope_table(record: dict | None = None) -> list[dict]:
    """One row per stored case: ``n``, ``length``, ``chi``, ``drift``, ``slope``,
    ``slope_sdev`` (the fit's), ``sdev`` (scaled by ``√max(1, χ²/dof)``: the error used),
    ``relative_sdev`` (``sdev/|slope|``), ``one_loop`` (recomputed), ``pull`` (in ``sdev``),
    ``chi2_dof``, ``points`` (Θ values fitted), ``cpu_seconds``, ``command``."""
    record = load_slopes() if record is None else record
    rows = []
    for case in record["cases"]:
        fit = case["fit"]
        params = PAPER_POINT.with_(chi=case["chi"], drift=case["drift"])
        grid = PeriodicGrid(case["n"], case["length"])
        one_loop = one_loop_drag(NonlinearBilayerModel(params), grid).slope
        sdev = fit["slope_sdev"] * math.sqrt(max(1.0, fit["chi2_dof"]))
        rows.append({
            "n": case["n"], "length": case["length"], "chi": case["chi"],
            "drift": case["drift"], "slope": fit["slope"], "slope_sdev": fit["slope_sdev"],
            "sdev": sdev,
            "relative_sdev": sdev / abs(fit["slope"]), "one_loop": one_loop,
            "pull": (fit["slope"] - one_loop) / sdev if sdev > 0 else math.nan,
            "chi2_dof": fit["chi2_dof"], "points": fit["points"],
            "cpu_seconds": case.get("cpu_seconds", math.nan),
            "command": case.get("command", ""),
        })  # fmt: skip
    return rows


def slope_comparisons(size=None) -> list[Comparison]:
    """The rows "simulated slope vs one loop" per stored (grid, χ, v) (a report row
    provider: :data:`validate.report.ROW_PROVIDERS`; ``size`` is not used, the simulation is
    the stored one)."""
    record = load_slopes()
    thetas = ", ".join(f"{t:g}" for t in record["thetas"])
    out = []
    for row in slope_table(record):
        out.append(Comparison(
            SECTION,
            f"O(Θ) slope a, simulated vs one loop: {row['n']}×{row['n']}, L = "
            f"{row['length']:g} d, χ = {row['chi']:g}, u = {row['drift']:g}",
            "nonlinear Langevin (antithetic pairs, linear twin, ±v CRN), stored run",
            row["slope"],
            "one loop (langevin.one_loop, the same kept modes, recomputed)",
            row["one_loop"],
            row["sdev"],
            f"weighted least-squares error of a over Θ = {thetas} (per-Θ autocorrelation "
            "errors, independent seeds), scaled by √max(1, χ²/dof)",
            note=(f"σ(a)/|a| = {row['relative_sdev']:.1%}, χ²/dof of the fit "
                  f"{row['chi2_dof']:.2f}, {row['cpu_seconds'] / 60:.0f} CPU-min; "
                  f"made by {row['command']}"),
        ))  # fmt: skip
    return out
