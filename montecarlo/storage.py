"""HDF5 output of a collision-integral Monte Carlo run: one self-describing file per run.

Written by rank 0 from the reduced results; every dataset carries ``units`` and
``description`` attributes and the axes are h5py dimension scales, so the file explains
itself when opened with plain h5py (``python -m montecarlo inspect`` prints it).

Layout::

    /                         attrs: title, version, created (UTC ISO), units, command,
                                     seed, ranks, wall_seconds, wall_seconds_before,
                                     n_eval, n_eval_total, n_train, n_prod, n_bins,
                                     batch_size, max_hcubes, chi2, dof, Q, bytes_sent,
                                     bytes_per_iteration, resumed_iterations,
                                     warnings (JSON), identity (JSON)
    /parameters/<p>           scalar per run parameter (T, n^p, τ^p, d, C, ε, …);
                              attrs units, description
    /estimate/name            (K,)     eta0, eta1, eta_q3, eta_H_sj, eta_H_eei1, eta_H_eei2 [scale]
    /estimate/mean            (K,)     Pa s   equal-weight production average
    /estimate/sdev            (K,)     Pa s
    /estimate/covariance      (K, K)   (Pa s)^2
    /estimate/mean_internal, /estimate/covariance_internal
                              the same in the internal unit 1/cm^3 (hbar = 1), as sampled
    /iterations/index         (I,)     integrator iteration number     [dimension scale]
    /iterations/phase         (I,)     "train" | "prod"
    /iterations/mean, sdev    (I, K)   Pa s   each iteration's estimate
    /iterations/covariance    (I, K, K)
    /iterations/running_mean, running_sdev  (I, K)  average of the production iterations
                              so far (NaN for training), the vegas table's "average" column
    /iterations/chi2_dof, Q   (I,)     consistency of the production iterations so far
    /iterations/n_eval, n_nonzero, n_batches, seconds   (I,)
    /quadrature/name          (1 to 6,)                                [dimension scale]
    /quadrature/validate, validate_error            Pa s  validate.weyl (T = 0 Π, B7/B13)
    /quadrature/reference, reference_error          Pa s  finite-T reference (same |U|²)
    /quadrature/pull_validate, pull_reference       (MC − quad)/√(sdev² + err²)
    /quadrature/deviation_reference                 (older files only) the same, instead of
                              pull_reference, where the reference was approximate
                              (tilted film; attribute reference_exact = False): not a pull
    /quadrature/has_validate, has_reference         whether the route has a value for the
                              output (a reference may cover a subset: NaN where it does not)
    /hall/name, mc, sdev, relation                  η_H parts (Pa s): sampled / from η_Q3
    /sampling/edges           (D, N+1)  final adaptive-map edges (unit hypercube)
    /sampling/strata_counts   (m^D,)    points per hypercube of the last iteration

The file is written to a temporary name in the target directory and renamed over the target
when complete (``os.replace``): a crash never leaves a half file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import h5py
import numpy as np
from scipy import stats

from dragcore import units
from dragcore.hdf5 import (
    atomic_h5_file,
    dataset_with_units,
    dimension_scale,
    write_header,
    write_parameters,
)
from montecarlo.checkpoint import DistributedRun
from montecarlo.parameters import RUN_PARAMETERS
from montecarlo.result import equal_weight_average

__all__ = ["UNITS", "PARAMETER_UNITS", "write_run", "read_run"]

UNITS = (
    "drag coefficients eta (F = eta u/d) in Pa s (SI); *_internal datasets in 1/cm^3 "
    "(internal units, hbar = k_B = 1, lengths in cm: eta_SI = 0.1 hbar eta_internal); "
    "temperatures in K, densities in cm^-2, times in ps, lengths in nm"
)

#: Units and meaning of each stored run parameter (``name → (unit, description)``), from the
#: one table of the run's parameters (:data:`montecarlo.parameters.RUN_PARAMETERS`).
PARAMETER_UNITS: dict[str, tuple[str, str]] = RUN_PARAMETERS.units()
PARAMETERS_DESCRIPTION = "run parameters (the options of python -m montecarlo run)"


def _strings(values) -> np.ndarray:
    return np.array([str(v) for v in values], dtype=h5py.string_dtype())


def _running_columns(iterations) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The vegas table's average, its sdev, χ²/dof and Q after each production iteration."""
    n, k = len(iterations), iterations[0].mean.size
    mean = np.full((n, k), np.nan)
    sdev = np.full((n, k), np.nan)
    chi2_dof = np.full(n, np.nan)
    q = np.full(n, np.nan)
    means, covs = [], []
    for i, r in enumerate(iterations):
        if r.phase != "prod":
            continue
        means.append(r.mean)
        covs.append(r.covariance)
        m, c, x2, dof = equal_weight_average(np.array(means), np.array(covs))
        mean[i], sdev[i] = m, np.sqrt(np.maximum(np.diag(c), 0.0))
        if dof > 0:
            chi2_dof[i], q[i] = x2 / dof, stats.chi2.sf(x2, dof)
    return mean, sdev, chi2_dof, q


def _aligned(values, names: list[str], key: str) -> np.ndarray:
    """``values`` (a ``name → value`` mapping, or a sequence in the order of ``names`` that may
    be shorter) as a float array aligned with ``names``; NaN where there is no value."""
    out = np.full(len(names), np.nan)
    if isinstance(values, dict):
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ValueError(f"quadrature {key} name = {unknown[0]!r} is outside {names}")
        for i, name in enumerate(names):
            if values.get(name) is not None:
                out[i] = float(values[name])
        return out
    arr = np.asarray(values, float).ravel()
    if arr.size > len(names):
        raise ValueError(f"quadrature {key} length = {arr.size} is outside [0, {len(names)}]")
    out[: arr.size] = arr
    return out


def write_run(
    path: str | os.PathLike,
    run: DistributedRun,
    parameters: dict,
    quadrature: dict,
    command: str = "",
) -> Path:
    """Write one run atomically.

    Parameters
    ----------
    path
        Target file (``.h5``).
    run
        The :class:`~montecarlo.checkpoint.DistributedRun` (rank 0).
    parameters
        ``name → value`` of the run parameters (keys of :data:`PARAMETER_UNITS`).
    quadrature
        ``names``, ``validate``, ``validate_error``, optionally ``reference``,
        ``reference_error`` (Pa s): each either a ``name → value`` mapping or a sequence in
        the order of ``names`` (possibly shorter: a reference that covers only some outputs);
        outputs without a value are stored as NaN and flagged in ``has_<key>``; ``hall``
        (list of rows with ``name``, ``mc_Pa_s``, ``sdev_Pa_s``, ``validate_Pa_s``).
    command
        The command line that produced the run (stored verbatim).
    """
    with atomic_h5_file(path) as f:
        _write_root(f, run, parameters, command)
        write_parameters(f, parameters, PARAMETER_UNITS, PARAMETERS_DESCRIPTION)
        names = list(run.estimate.names)
        name_scale = _write_estimate(f, names, run.estimate.result)
        _write_iterations(f, run.estimate.result.iterations, name_scale)
        _write_quadrature(f, quadrature, names, run.estimate.result)
        _write_hall(f, quadrature.get("hall", []))
        _write_sampling(f, run.integrator)
    return Path(path)


def _write_root(f: h5py.File, run: DistributedRun, parameters: dict, command: str) -> None:
    """The root attributes: the header, the command, the cost and the run's consistency."""
    res, info = run.estimate.result, run.info
    title = "bilayer-drag collision-integral Monte Carlo (python -m montecarlo run)"
    write_header(f, title, UNITS, int(info["ranks"]))
    a = f.attrs
    a["command"] = command
    a["seed"] = int(res.seed)
    a["ranks"] = int(info["ranks"])
    a["wall_seconds"] = float(info["wall_seconds"])
    a["wall_seconds_before"] = float(info["wall_seconds_before"])
    a["n_eval"] = int(res.n_eval)
    a["n_eval_total"] = int(res.n_eval_total)
    for p in RUN_PARAMETERS.in_table("integrator"):  # n_eval: the evaluations made, above
        if p.stored != "n_eval":
            a[p.stored] = int(parameters[p.stored])
    a["chi2"], a["dof"], a["Q"] = float(res.chi2), int(res.dof), float(res.Q)
    a["bytes_sent"] = int(info["bytes_sent"])
    a["bytes_per_iteration"] = float(info["bytes_per_iteration"])
    a["resumed_iterations"] = int(info["resumed_iterations"])
    a["warnings"] = json.dumps(list(res.warnings))
    a["identity"] = json.dumps(info.get("identity", {}))


def _write_estimate(f: h5py.File, names: list[str], res) -> h5py.Dataset:
    """``/estimate`` (Pa s and internal units); returns its ``name`` dimension scale."""
    pa = units.internal_viscosity_to_pascal_second
    eg = f.create_group("estimate")
    eg.attrs["description"] = "equal-weight average of the production iterations"
    nm = dimension_scale(eg, "name", _strings(names), "", "integrand (montecarlo.collision)")
    mean = dataset_with_units(eg, "mean", pa(res.mean), "Pa s", "Monte Carlo estimate")
    sdev = dataset_with_units(eg, "sdev", pa(res.sdev), "Pa s", "its standard error")
    cov = dataset_with_units(eg, "covariance", pa(pa(res.covariance)), "(Pa s)^2", "covariance")
    mi = dataset_with_units(eg, "mean_internal", res.mean, "1/cm^3", "estimate, internal units")
    ci = dataset_with_units(
        eg, "covariance_internal", res.covariance, "1/cm^6", "covariance, internal"
    )
    for ds in (mean, sdev, mi):
        ds.dims[0].attach_scale(nm)
    for ds in (cov, ci):
        ds.dims[0].attach_scale(nm)
        ds.dims[1].attach_scale(nm)
    return nm


def _write_iterations(f: h5py.File, its: list, name_scale: h5py.Dataset) -> None:
    """``/iterations``: the vegas table, one row per iteration (Pa s)."""
    pa = units.internal_viscosity_to_pascal_second
    ig = f.create_group("iterations")
    ig.attrs["description"] = (
        "per-iteration records (the vegas table); training iterations adapt the "
        "sampling and are discarded, production iterations are averaged"
    )
    idx = dimension_scale(ig, "index", [r.index for r in its], "1", "iteration number")
    dataset_with_units(ig, "phase", _strings(r.phase for r in its), "", "train or prod")
    run_mean, run_sdev, chi2_dof, q = _running_columns(its)
    per_k = [
        ("mean", pa(np.array([r.mean for r in its])), "Pa s", "iteration estimate"),
        ("sdev", pa(np.array([r.sdev for r in its])), "Pa s", "its standard error"),
        ("running_mean", pa(run_mean), "Pa s", "average of the prod iterations so far"),
        ("running_sdev", pa(run_sdev), "Pa s", "its standard error"),
    ]
    for key, data, unit, text in per_k:
        ds = dataset_with_units(ig, key, data, unit, text)
        ds.dims[0].attach_scale(idx)
        ds.dims[1].attach_scale(name_scale)
    ds = dataset_with_units(
        ig, "covariance", pa(pa(np.array([r.covariance for r in its]))),
        "(Pa s)^2", "iteration covariance",
    )  # fmt: skip
    ds.dims[0].attach_scale(idx)
    scalars = [
        ("chi2_dof", chi2_dof, "1", "chi^2/dof of the prod iterations so far"),
        ("Q", q, "1", "P(chi^2 > observed) of the prod iterations so far"),
        ("n_eval", [r.n_eval for r in its], "1", "integrand evaluations"),
        ("n_nonzero", [r.n_nonzero for r in its], "1", "points with a nonzero value"),
        ("n_batches", [r.n_batches for r in its], "1", "batches"),
        ("seconds", [r.seconds for r in its], "s", "wall time of the iteration"),
    ]
    for key, data, unit, text in scalars:
        dataset_with_units(ig, key, data, unit, text).dims[0].attach_scale(idx)


def _write_quadrature(f: h5py.File, quadrature: dict, names: list[str], res) -> None:
    """``/quadrature``: the deterministic references beside the estimate and the pulls."""
    pa = units.internal_viscosity_to_pascal_second
    qg = f.create_group("quadrature")
    qg.attrs["description"] = (
        "deterministic references: validate.weyl (Eq. B7/B13, T = 0 polarizations, "
        "ballistic weights) and the finite-T reference of montecarlo.drag_mc (the "
        "approximations of the Monte Carlo); pulls (MC - quad)/sqrt(sdev^2 + err^2)"
    )
    qn = list(quadrature["names"])
    qs = dimension_scale(qg, "name", _strings(qn), "", "coefficient")
    missing = sorted(set(qn) - set(names))
    if missing:
        raise ValueError(f"quadrature name = {missing[0]!r} is outside the estimates {names}")
    at = [names.index(n) for n in qn]
    mc, sd = pa(res.mean[at]), pa(res.sdev[at])
    columns = [("validate", "Eq. B7/B13 quadrature (validate.weyl)")]
    if quadrature.get("reference") is not None:
        columns.append(("reference", "finite-T reference (montecarlo.drag_mc)"))
    for key, text in columns:
        val = _aligned(quadrature[key], qn, key)
        err = _aligned(quadrature[f"{key}_error"], qn, f"{key}_error")
        s = np.hypot(sd, err)
        ok = np.isfinite(val) & np.isfinite(err) & (s > 0)
        pull = np.where(ok, (mc - val) / np.where(ok, s, 1.0), np.nan)
        pull_name, pull_desc = f"pull_{key}", f"(MC - {key})/sqrt(sdev^2 + error^2), NaN: none"
        for name, data, unit, desc in (
            (key, val, "Pa s", f"{text}; NaN where it has no value for the output"),
            (f"{key}_error", err, "Pa s", "quadrature error estimate (NaN: no value)"),
            (pull_name, pull, "1", pull_desc),
            (f"has_{key}", np.isfinite(val), "", f"whether {key} has a value per output"),
        ):
            dataset_with_units(qg, name, data, unit, desc).dims[0].attach_scale(qs)


def _write_hall(f: h5py.File, hall: list[dict]) -> None:
    """``/hall``: the sampled Hall parts beside the paper's relations (none: no group)."""
    if not hall:
        return
    hg = f.create_group("hall")
    hg.attrs["description"] = (
        "Hall drag parts: sj (A41-A42), eei1, eei2 (e-e-impurity skew rates W1, W2, "
        "layers.skew_scattering) sampled; sj_B23, eei1_B17, eei2_B18 the paper's "
        "relations on the sampled eta_Q3; 'relation' applies them to validate's eta_Q3"
    )
    hs = dimension_scale(hg, "name", _strings(r["name"] for r in hall), "", "part")
    for key, col, text in (
        ("mc", "mc_Pa_s", "Monte Carlo"),
        ("sdev", "sdev_Pa_s", "its standard error"),
        ("relation", "validate_Pa_s", "the paper's relation on validate's eta_Q3"),
    ):
        data = [float(r[col]) for r in hall]
        dataset_with_units(hg, key, data, "Pa s", text).dims[0].attach_scale(hs)


def _write_sampling(f: h5py.File, integrator) -> None:
    """``/sampling``: the final adaptive-map edges and strata counts."""
    sg = f.create_group("sampling")
    sg.attrs["description"] = "final adapted sampling (montecarlo.adaptive_map)"
    dataset_with_units(sg, "edges", integrator.map.edges, "1", "map edges on [0, 1] per axis")
    if integrator.strata is not None:
        st = integrator.strata
        ds = dataset_with_units(
            sg, "strata_counts", st.counts, "1", "points per hypercube (VEGAS+ strata)"
        )
        ds.attrs["per_axis"] = int(st.per_axis)


def read_run(path: str | os.PathLike) -> dict:
    """Read a run file back: root attributes (JSON decoded) and every dataset, by group."""
    with h5py.File(path, "r") as f:
        out: dict = {k: f.attrs[k] for k in f.attrs}
        out["warnings"] = json.loads(out["warnings"])
        out["identity"] = json.loads(out["identity"])
        for gname, g in f.items():
            out[gname] = {}
            for key, ds in g.items():
                value = ds[()]
                if isinstance(value, np.ndarray) and value.dtype.kind == "O":
                    value = np.array([v.decode() if isinstance(v, bytes) else v for v in value])
                elif isinstance(value, bytes):
                    value = value.decode()
                out[gname][key] = value
    return out
