"""HDF5 output of Langevin runs: one self-describing file per invocation, one group per run.

Written by rank 0 from the reduced per-realisation records; every dataset carries ``units``
and ``description`` attributes and the axes of the arrays are h5py dimension scales, so the
file explains itself when opened with plain h5py (``python -m langevin inspect`` prints it).

Layout::

    /                        attrs: title, version, created (UTC ISO), units, config (TOML)
    /<run>/                  attrs: parameters (JSON), grid_n, grid_length, scheme, dt, seed,
                                    n_realisations, n_steps, block_steps, rng_backend,
                                    common_random_numbers, estimator, quantity,
                                    mean, sdev, chi2_dof, exact, exact_sdev, continuum,
                                    ranks, wall_seconds, version, info (JSON)
    /<run>/parameters/<p>    scalar per model parameter; attrs units, description
    /<run>/realisation       (R,)              realisation index        [dimension scale]
    /<run>/realisations      (R, 5)            index, mean, error (τ_int), error (blocking), τ_int
    /<run>/block_end_time    (B,)              end of block b, units 1/ω_p [dimension scale]
    /<run>/block_means       (R, B)            mean of the estimator over block b of realisation r
    /<run>/x, /<run>/y       (N,)              grid coordinates, units d   [dimension scales]
    /<run>/field             (6,)              field index; attr names      [dimension scale]
    /<run>/snapshot          (R, 6, N, N)      final real-space fields δn₁, δn₂, δv₁ₓ, δv₁ᵧ,
                                               δv₂ₓ, δv₂ᵧ (optional)
    /<run>/time, estimator, force              per-step series — only for a single-process
                                               result that kept them (``Simulation.run``)

The file is written to a temporary name in the target directory and renamed over the target
only when complete (``os.replace`` is atomic on POSIX): a crash never leaves a half file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, is_dataclass
from pathlib import Path

import h5py
import numpy as np

from dragcore import __version__
from dragcore.hdf5 import (
    atomic_h5_file,
    dataset_with_units,
    dimension_scale,
    write_header,
    write_parameters,
)
from langevin.parameters import RUN_ENTRY_PARAMETERS
from langevin.simulation import RunResult

__all__ = ["UNITS", "PARAMETER_UNITS", "FIELD_NAMES", "write_runs", "read_run"]

UNITS = (
    "dimensionless model units (langevin.params): lengths d, times 1/omega_p, densities n, "
    "velocities omega_p d, energies rho omega_p^2 d^4; force per area F in those units; "
    "D = rho_D/rho_0 with rho_0 = hbar^2 sigma/(4 pi^2 e^4) (n d^2)^-2 T/E_F (Eq. 21)"
)

#: Units and meaning of each stored model parameter: the ``[[run]]`` rows of
#: :data:`langevin.parameters.RUN_ENTRY_PARAMETERS` (see :mod:`langevin.params`).
PARAMETER_UNITS: dict[str, tuple[str, str]] = RUN_ENTRY_PARAMETERS.units()

FIELD_NAMES = ("dn1", "dn2", "dv1x", "dv1y", "dv2x", "dv2y")

#: The run settings of ``RunResult.info`` stored as attributes of a run's group.
_INFO_ATTRIBUTES = ("scheme", "dt", "seed", "n_realisations", "n_steps", "block_steps",
                    "rng_backend", "common_random_numbers", "estimator")  # fmt: skip

_QUANTITY = {
    "D": ("1", "D = rho_D/rho_0, time average of the drag-force estimator (Eq. 13, 21)"),
    "force_x": ("rho omega_p^2 d^3 per area", "F.x, drag force density at zero drift"),
}


def _jsonable(obj):
    if is_dataclass(obj):
        return _jsonable(asdict(obj))
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _write_run(g: h5py.Group, params: dict, grid: dict, res: RunResult, extra: dict | None) -> None:
    """One run's group: its attributes, parameters, realisation table and the arrays."""
    quantity_units = _write_attributes(g, params, grid, res, extra)
    reals = res.realisations
    real = dimension_scale(g, "realisation", [r.index for r in reals], "1", "realisation index r")
    table = dataset_with_units(
        g,
        "realisations",
        np.array([[r.index, r.mean, r.error, r.blocking_error, r.tau_int] for r in reals]),
        quantity_units,
        "per realisation: index, mean, error (windowed tau_int), error (blocking), tau_int "
        "(in steps); errors are standard errors of the realisation mean",
    )
    table.attrs["columns"] = ["index", "mean", "error", "blocking_error", "tau_int"]
    table.dims[0].attach_scale(real)
    if all(r.block_means is not None for r in reals):
        _write_block_means(g, res, real, quantity_units)
    if all(r.snapshot is not None for r in reals) and reals:
        _write_snapshots(g, grid, res, real)
    if all(r.series is not None for r in reals) and reals and not res.info.get("burn_in", 0):
        _write_series(g, res, real, quantity_units)


def _write_attributes(g: h5py.Group, params: dict, grid: dict, res: RunResult,
                      extra: dict | None) -> str:  # fmt: skip
    """The run's attributes and its ``parameters`` group; returns the quantity's units."""
    info = res.info
    quantity_units, quantity = _QUANTITY[info["estimator"]]
    g.attrs["description"] = f"Langevin run: {quantity}"
    g.attrs["parameters"] = json.dumps(_jsonable(params))
    g.attrs["grid_n"] = int(grid["n"])
    g.attrs["grid_length"] = float(grid["length"])
    for key in _INFO_ATTRIBUTES:
        g.attrs[key] = info[key]
    g.attrs["quantity"] = quantity
    g.attrs["quantity_units"] = quantity_units
    for key in ("mean", "sdev", "chi2_dof", "exact", "exact_sdev"):
        g.attrs[key] = float(getattr(res, key))
    g.attrs["ranks"] = int(info.get("ranks", 1))
    g.attrs["wall_seconds"] = float(info["wall_seconds"])
    g.attrs["version"] = __version__
    for key, value in (extra or {}).items():
        g.attrs[key] = value
    g.attrs["info"] = json.dumps(_jsonable(info))
    if "identity" in info:  # the checkpoint identity: a resume recognises its finished result
        g.attrs["identity"] = json.dumps(_jsonable(info["identity"]))
    write_parameters(g, params, PARAMETER_UNITS,
                     "model parameters (langevin.params), one scalar each")  # fmt: skip
    return quantity_units


def _write_block_means(g: h5py.Group, res: RunResult, real, quantity_units: str) -> None:
    """``block_means`` ``(R, B)`` against ``block_end_time``: blocks of the averaged series,
    which starts after the burn-in (nonlinear runs)."""
    info = res.info
    burn = int(info.get("burn_in", 0))
    n_steps, bs = int(info["n_steps"]) - burn, int(info["block_steps"])
    ends = burn + np.minimum(np.arange(1, -(-n_steps // bs) + 1) * bs, n_steps)
    t_end = dimension_scale(
        g, "block_end_time", info["dt"] * ends, "1/omega_p", "time at the end of block b"
    )
    blocks = dataset_with_units(
        g,
        "block_means",
        np.stack([r.block_means for r in res.realisations]),
        quantity_units,
        f"mean of the estimator over block b (block_steps = {bs} steps) of realisation r",
    )
    blocks.dims[0].attach_scale(real)
    blocks.dims[1].attach_scale(t_end)


def _write_snapshots(g: h5py.Group, grid: dict, res: RunResult, real) -> None:
    """``snapshot`` ``(R, fields, N, N)``: each realisation's final real-space fields."""
    n, length = int(grid["n"]), float(grid["length"])
    coord = np.arange(n) * (length / n)
    x = dimension_scale(g, "x", coord, "d", "grid coordinate x")
    y = dimension_scale(g, "y", coord, "d", "grid coordinate y")
    names = list(res.info.get("field_names", FIELD_NAMES))
    fld = dimension_scale(g, "field", np.arange(len(names)), "1", "field index")
    fld.attrs["names"] = names
    snap = dataset_with_units(
        g,
        "snapshot",
        np.stack([r.snapshot for r in res.realisations]),
        "n (densities), omega_p d (velocities), n omega_p d (momentum densities p)",
        "real-space fields at the end of each realisation: " + ", ".join(names),
    )
    for axis, scale in enumerate((real, fld, x, y)):
        snap.dims[axis].attach_scale(scale)


def _write_series(g: h5py.Group, res: RunResult, real, quantity_units: str) -> None:
    """The per-step series a single-process result kept: estimator and forces."""
    info, reals = res.info, res.realisations
    t = dimension_scale(g, "time", info["dt"] * np.arange(1, int(info["n_steps"]) + 1),
                        "1/omega_p", "t_k")  # fmt: skip
    est = dataset_with_units(
        g, "estimator", np.stack([r.series for r in reals]), quantity_units,
        _QUANTITY[info["estimator"]][1],
    )  # fmt: skip
    force = dataset_with_units(
        g,
        "force",
        np.stack([r.force for r in reals]),
        "rho omega_p^2 d^3 per area",
        "drag force per system (+v, and -v with common random numbers), x and y",
    )
    for ds in (est, force):
        ds.dims[0].attach_scale(real)
        ds.dims[1].attach_scale(t)


def write_runs(
    path: str | os.PathLike,
    runs: dict[str, tuple[dict, dict, RunResult]],
    config_text: str = "",
    extra: dict[str, dict] | None = None,
) -> Path:
    """Write runs atomically.

    Parameters
    ----------
    path
        Target file (``.h5``).
    runs
        ``name → (parameters, grid, result)``: the model parameters and grid settings as
        plain dicts and the :class:`~langevin.simulation.RunResult`.
    config_text
        The configuration the runs came from (stored verbatim).
    extra
        ``name → {attr: value}``: further attributes of a run's group (e.g. ``continuum``).
    """
    with atomic_h5_file(path) as f:
        write_header(f, "bilayer-drag Langevin runs (python -m langevin run)", UNITS,
                     max((int(r[2].info.get("ranks", 1)) for r in runs.values()), default=1))
        f.attrs["config"] = config_text
        f.attrs["runs"] = list(runs)
        for name, (params, grid, res) in runs.items():
            _write_run(f.create_group(name), params, grid, res, (extra or {}).get(name))
    return Path(path)


def read_run(path: str | os.PathLike, name: str) -> dict:
    """Read one run back: attributes (JSON decoded) and the datasets present, as arrays."""
    with h5py.File(path, "r") as f:
        g = f[name]
        out = {k: g.attrs[k] for k in g.attrs}
        out["parameters"] = json.loads(out["parameters"])
        out["info"] = json.loads(out["info"])
        for key, obj in g.items():
            if isinstance(obj, h5py.Dataset):
                out[key] = obj[()]
        out["version"] = f.attrs["version"]
        out["units"] = f.attrs["units"]
        out["config"] = f.attrs["config"]
    return out
