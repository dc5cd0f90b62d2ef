"""Read a Langevin run file back into the objects the run returned.

:func:`load` turns the HDF5 file of ``python -m langevin run`` (or of
:func:`langevin.run.run_langevin`) into a :class:`~langevin.run.LangevinRunResult`: one
:class:`~langevin.simulation.RunResult` per ``[[run]]`` with its per-realisation
:class:`~langevin.simulation.RealisationResult` records, and the same ``summary`` numbers the
run printed. It reads the file through :func:`langevin.storage.read_run`, so the layout is
known in one place.

What a file does not hold comes back as ``None`` (per-step series of a distributed run, the
per-realisation second estimator of the nonlinear model, the structure factors), exactly as
the run's own result holds it on rank 0 of a distributed run.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import h5py
import numpy as np

from langevin.run import LangevinRunResult, run_summary
from langevin.run_models import RunModel
from langevin.simulation import RealisationResult, RunResult
from langevin.storage import read_run

__all__ = ["load", "load_run"]


def _realisations(data: dict) -> list[RealisationResult]:
    def dataset(key: str) -> np.ndarray | None:  # "estimator" is also an attribute's name
        value = data.get(key)
        return value if isinstance(value, np.ndarray) and value.ndim >= 2 else None

    table = np.atleast_2d(data["realisations"])
    blocks, snapshots = dataset("block_means"), dataset("snapshot")
    series, forces = dataset("estimator"), dataset("force")
    out = []
    for r, (index, mean, error, blocking_error, tau_int) in enumerate(table):
        out.append(
            RealisationResult(
                index=int(index),
                series=None if series is None else series[r],
                force=None if forces is None else forces[r],
                mean=float(mean),
                error=float(error),
                blocking_error=float(blocking_error),
                tau_int=float(tau_int),
                snapshot=None if snapshots is None else snapshots[r],
                block_means=None if blocks is None else blocks[r],
            )
        )
    return out


def load_run(path: str | os.PathLike, name: str) -> tuple[RunResult, dict]:
    """One ``[[run]]`` of a run file: its :class:`RunResult` and its summary (plain numbers).

    Parameters
    ----------
    path
        The HDF5 file.
    name
        The ``[[run]]``'s name (a top-level group of the file).

    Returns
    -------
    result, summary
        The result as the run returned it (``exact`` is the exact value on the same grid)
        and the dict the run put under ``summary[name]``.
    """
    data = read_run(path, name)
    info = dict(data["info"])
    res = RunResult(
        mean=float(data["mean"]),
        sdev=float(data["sdev"]),
        exact=float(data["exact"]),
        exact_sdev=float(data["exact_sdev"]),
        chi2_dof=float(data["chi2_dof"]),
        realisations=_realisations(data),
        info=info,
    )
    params = data["parameters"]
    model = str(data.get("model", "linear"))
    continuum = float(data.get("continuum", math.nan))
    summary = run_summary(res, params.get("drift", 0.0), continuum, model)
    summary.update(RunModel.registry[model].stored_summary(params, res))
    return res, summary


def load(path: str | os.PathLike) -> LangevinRunResult:
    """A Langevin run file read back as the :class:`LangevinRunResult` the run returned.

    Parameters
    ----------
    path
        The HDF5 file written by ``python -m langevin run`` or
        :func:`langevin.run.run_langevin`.

    Returns
    -------
    LangevinRunResult
        ``output`` (the path), ``seed``, ``runs`` (``name →`` :class:`RunResult`) and
        ``summary`` (``name →`` plain numbers), in the order the runs were written.

    Examples
    --------
    >>> import langevin
    >>> res = langevin.load("langevin-run.h5")  # doctest: +SKIP
    >>> r = res.runs["paper"]  # doctest: +SKIP
    >>> print(f"D = {r.mean:.4g} ± {r.sdev:.2g}, exact {r.exact:.4g}, pull {r.pull:+.2f}")
    ... # doctest: +SKIP
    """
    with h5py.File(path, "r") as f:
        names = [str(n) for n in f.attrs["runs"]]
    runs, summary = {}, {}
    seed = 0
    for name in names:
        runs[name], summary[name] = load_run(path, name)
        seed = int(runs[name].info["seed"])
    return LangevinRunResult(Path(path), seed, runs, summary)
