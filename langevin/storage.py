"""HDF5 output of Langevin runs: parameters, units, seed, version and the time series.

Layout (one file, one group per run)::

    /                      attrs: version, created (UTC ISO), units, config (TOML text)
    /<run>/                attrs: parameters (JSON), grid_n, grid_length, scheme, dt, seed,
                                  n_realisations, n_steps, block_steps, rng_backend,
                                  common_random_numbers, estimator, mean, sdev, chi2_dof,
                                  exact, exact_sdev, info (JSON)
    /<run>/time            (n_steps,)              t_k = (k+1) Δt, units 1/ω_p
    /<run>/estimator       (R, n_steps)            D(t) (or F·x̂ at u = 0)
    /<run>/force           (R, n_steps, n_sys, 2)  F(t) per system (+v, and −v with CRN)
    /<run>/realisations    (R, 5)                  index, mean, error, blocking error, τ_int
    /<run>/snapshot        (R, 6, N, N)            final real-space fields δn₁, δn₂, δv₁, δv₂

The file is written to a temporary name in the target directory and renamed over the target
only when complete (``os.replace`` is atomic on POSIX): a crash never leaves a half file.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from dataclasses import asdict, is_dataclass
from pathlib import Path

import h5py
import numpy as np

from dragcore import __version__
from langevin.simulation import RunResult

__all__ = ["UNITS", "write_runs", "read_run"]

UNITS = (
    "dimensionless model units (langevin.params): lengths d, times 1/omega_p, densities n, "
    "velocities omega_p d, energies rho omega_p^2 d^4; force per area F in those units; "
    "D = rho_D/rho_0 with rho_0 = hbar^2 sigma/(4 pi^2 e^4) (n d^2)^-2 T/E_F (Eq. 21)"
)


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


def write_runs(
    path: str | os.PathLike,
    runs: dict[str, tuple[dict, dict, RunResult]],
    config_text: str = "",
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
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["version"] = __version__
            f.attrs["created"] = _dt.datetime.now(_dt.UTC).isoformat()
            f.attrs["units"] = UNITS
            f.attrs["config"] = config_text
            for name, (params, grid, res) in runs.items():
                g = f.create_group(name)
                info = res.info
                g.attrs["parameters"] = json.dumps(_jsonable(params))
                g.attrs["grid_n"] = int(grid["n"])
                g.attrs["grid_length"] = float(grid["length"])
                for key in (
                    "scheme",
                    "dt",
                    "seed",
                    "n_realisations",
                    "n_steps",
                    "block_steps",
                    "rng_backend",
                    "common_random_numbers",
                    "estimator",
                ):
                    g.attrs[key] = info[key]
                for key in ("mean", "sdev", "chi2_dof", "exact", "exact_sdev"):
                    g.attrs[key] = float(getattr(res, key))
                g.attrs["info"] = json.dumps(_jsonable(info))
                n_steps = info["n_steps"]
                g.create_dataset("time", data=info["dt"] * np.arange(1, n_steps + 1))
                g.create_dataset("estimator", data=np.stack([r.series for r in res.realisations]))
                g.create_dataset("force", data=np.stack([r.force for r in res.realisations]))
                g.create_dataset("snapshot", data=np.stack([r.snapshot for r in res.realisations]))
                g.create_dataset(
                    "realisations",
                    data=np.array(
                        [
                            [r.index, r.mean, r.error, r.blocking_error, r.tau_int]
                            for r in res.realisations
                        ]
                    ),
                )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_run(path: str | os.PathLike, name: str) -> dict:
    """Read one run back: attributes (JSON decoded) and datasets as arrays."""
    with h5py.File(path, "r") as f:
        g = f[name]
        out = {k: g.attrs[k] for k in g.attrs}
        out["parameters"] = json.loads(out["parameters"])
        out["info"] = json.loads(out["info"])
        for key in ("time", "estimator", "force", "realisations", "snapshot"):
            out[key] = g[key][()]
        out["version"] = f.attrs["version"]
        out["units"] = f.attrs["units"]
        out["config"] = f.attrs["config"]
    return out
