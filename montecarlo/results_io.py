"""Read a Monte Carlo run file back into the objects the run returned.

:func:`load` turns the HDF5 file of ``python -m montecarlo run`` (or of
:func:`montecarlo.run.run_collision_mc` with an output) into a
:class:`~montecarlo.run.CollisionRunResult`: the summary the command prints (coefficient rows
with the quadratures and pulls, the Hall parts, χ²/dof, Q, cost), the stored parameters and
quadratures, the per-iteration table, and ``run.estimate`` — a
:class:`~montecarlo.drag_mc.DragEstimate` holding the
:class:`~montecarlo.result.MonteCarloResult` (mean and covariance in the internal unit
1/cm³, bit for bit as sampled; every iteration's record). It reads the file through
:func:`montecarlo.storage.read_run`, so the layout is known in one place.

What a file does not hold: the final integrator (the file keeps its map edges and strata
counts, under ``/sampling``, not its accumulators), so ``run.integrator`` is ``None``. The
per-iteration records are stored in Pa·s and are converted back to 1/cm³, which is exact
to rounding (a relative 1e-16), not bit for bit.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from dragcore import units
from montecarlo.checkpoint import DistributedRun
from montecarlo.drag_mc import DragEstimate
from montecarlo.result import IterationRecord, MonteCarloResult
from montecarlo.run import CollisionRunResult, run_summary
from montecarlo.storage import read_run

__all__ = ["load"]


def _iterations(g: dict, per_pa: float) -> list[IterationRecord]:
    return [
        IterationRecord(
            index=int(g["index"][i]),
            phase=str(g["phase"][i]),
            mean=np.asarray(g["mean"][i]) * per_pa,
            covariance=np.asarray(g["covariance"][i]) * per_pa * per_pa,
            n_eval=int(g["n_eval"][i]),
            n_nonzero=int(g["n_nonzero"][i]),
            n_batches=int(g["n_batches"][i]),
            seconds=float(g["seconds"][i]),
        )
        for i in range(len(g["index"]))
    ]


def _number(value):
    value = value.item() if isinstance(value, np.generic | np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else value


def load(path: str | os.PathLike) -> CollisionRunResult:
    """A Monte Carlo run file read back as the :class:`CollisionRunResult` the run returned.

    Parameters
    ----------
    path
        The HDF5 file written by ``python -m montecarlo run --output …``.

    Returns
    -------
    CollisionRunResult
        ``summary`` (what the command prints, Pa·s), ``run`` (``run.estimate``: the
        :class:`DragEstimate`, internal units; ``run.integrator`` is ``None``; ``run.info``:
        cost and identity), ``parameters``, ``quadrature``, ``iteration_table``, ``output``.

    Examples
    --------
    >>> import montecarlo
    >>> res = montecarlo.load("run.h5")  # doctest: +SKIP
    >>> for row in res.summary["coefficients"]:  # doctest: +SKIP
    ...     print(row["name"], row["mc_Pa_s"], "±", row["sdev_Pa_s"])
    """
    data = read_run(path)
    parameters = {k: _number(v) for k, v in data["parameters"].items()}
    result = _monte_carlo_result(data)
    hall_g = data.get("hall", {})
    hall_names = [str(n).removeprefix("eta_H.") for n in hall_g.get("name", [])]
    estimate = _drag_estimate(data, result, parameters, hall_names)
    run = DistributedRun(estimate, None, _info(data))  # type: ignore[arg-type]
    quad_g = data.get("quadrature", {})
    rows = _coefficient_rows(estimate, quad_g)
    hall_rows = [
        {
            "name": f"eta_H.{k}",
            "mc_Pa_s": float(hall_g["mc"][i]),
            "sdev_Pa_s": float(hall_g["sdev"][i]),
            "validate_Pa_s": float(hall_g["relation"][i]),
        }
        for i, k in enumerate(hall_names)
    ]
    summary = {**run_summary(parameters, run, rows, hall_rows), "output": str(path)}
    quadrature = _quadrature(quad_g, hall_rows)
    return CollisionRunResult(
        summary, run, parameters, quadrature, result.summary(0), output=Path(path)
    )


def _monte_carlo_result(data: dict) -> MonteCarloResult:
    """The estimate as sampled (internal units) and the iteration records."""
    per_pa = 1.0 / units.internal_viscosity_to_pascal_second(1.0)
    est_g = data["estimate"]
    return MonteCarloResult(
        mean=np.asarray(est_g["mean_internal"]),
        sdev=np.sqrt(np.maximum(np.diag(est_g["covariance_internal"]), 0.0)),
        covariance=np.asarray(est_g["covariance_internal"]),
        chi2=float(data["chi2"]),
        dof=int(data["dof"]),
        Q=float(data["Q"]),
        n_eval=int(data["n_eval"]),
        n_eval_total=int(data["n_eval_total"]),
        iterations=_iterations(data["iterations"], per_pa),
        seed=int(data["seed"]),
        warnings=list(data["warnings"]),
    )


def _drag_estimate(
    data: dict, result: MonteCarloResult, parameters: dict, hall_names: list[str]
) -> DragEstimate:
    """The :class:`DragEstimate`: ``result`` with the output names and the Hall parts."""
    per_pa = 1.0 / units.internal_viscosity_to_pascal_second(1.0)
    names = tuple(str(n) for n in data["estimate"]["name"])
    hall_g = data.get("hall", {})
    hall, hall_sdev = (
        {k: float(v) * per_pa for k, v in zip(hall_names, hall_g.get(key, []), strict=True)}
        for key in ("mc", "sdev")
    )
    T = units.kelvin_to_erg(float(parameters["T"]))
    return DragEstimate(result, T, names, hall, hall_sdev)


def _info(data: dict) -> dict:
    """The cost and identity of the run, as :attr:`DistributedRun.info` holds them."""
    return {
        "ranks": int(data["ranks"]),
        "wall_seconds": float(data["wall_seconds"]),
        "bytes_sent": int(data["bytes_sent"]),
        "bytes_per_iteration": float(data["bytes_per_iteration"]),
        "resumed_iterations": int(data["resumed_iterations"]),
        "identity": data["identity"],
    }


def _coefficient_rows(estimate: DragEstimate, quad_g: dict) -> list[dict]:
    """The summary's coefficient rows: the estimate beside the stored quadratures (Pa s)."""
    pa = units.internal_viscosity_to_pascal_second
    rows = []
    for k, name in enumerate(str(n) for n in quad_g.get("name", [])):
        m, s = estimate.value(name)
        validate = quad_g["validate"][k]
        row = {
            "name": name,
            "mc_Pa_s": pa(m),
            "sdev_Pa_s": pa(s),
            "validate_Pa_s": float(validate),
            "pull_validate": float(quad_g["pull_validate"][k]),
            "rel_diff_validate": pa(m) / validate - 1.0 if validate else math.nan,
        }
        if "reference" in quad_g and bool(quad_g["has_reference"][k]):
            row["reference_Pa_s"] = float(quad_g["reference"][k])
            row["pull_reference"] = float(quad_g["pull_reference"][k])
        rows.append(row)
    return rows


def _quadrature(quad_g: dict, hall_rows: list[dict]) -> dict:
    """The quadratures as :func:`montecarlo.storage.write_run` was given them (Pa s)."""
    qnames = [str(n) for n in quad_g.get("name", [])]

    def column(key: str):
        if key not in quad_g:
            return None
        return {n: float(v) for n, v in zip(qnames, quad_g[key], strict=True) if np.isfinite(v)}

    return {
        "names": qnames,
        "validate": [float(v) for v in quad_g.get("validate", [])],
        "validate_error": [float(v) for v in quad_g.get("validate_error", [])],
        "reference": column("reference"),
        "reference_error": column("reference_error"),
        "hall": hall_rows,
    }
