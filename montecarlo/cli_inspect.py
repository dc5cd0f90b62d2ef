"""``python -m montecarlo inspect run.h5``: what a Monte Carlo run file holds, in plain text.

The run parameters with their units, the seed, the package version, the number of ranks and
the wall time, the estimates ± errors with the quadrature values and pulls beside them, the
correlation matrix, the per-iteration (vegas) table and the adapted sampling. Reads the file
with plain h5py (:mod:`montecarlo.storage` describes the layout).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import h5py
import numpy as np

from dragcore.cli import inspect_file
from dragcore.hdf5 import DIGEST_ATTR, open_h5_for_reading
from montecarlo.result import format_estimate

__all__ = ["add_arguments", "run", "describe"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="HDF5 file written by `python -m montecarlo run --output`")
    parser.add_argument(
        "--component", type=int, default=0, help="integrand shown in the iteration table (0)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable summary")


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _scalar(ds: h5py.Dataset):
    value = ds[()]
    if isinstance(value, bytes):
        return value.decode()
    return value.item() if hasattr(value, "item") else value


def describe(path: str | Path) -> dict:
    """The summary of a run file as a dictionary (what :func:`run` prints)."""
    with open_h5_for_reading(path) as f:
        if "estimate" not in f or "iterations" not in f:
            raise ValueError(
                f"file = {str(path)!r} is outside the allowed range (not a Monte Carlo run file)"
            )
        a = f.attrs
        out: dict = {"file": str(path)}
        for key in ("version", "created", "units", "command"):
            out[key] = _text(a.get(key, "?"))
        for key in ("seed", "ranks", "n_eval", "n_eval_total", "n_train", "n_prod", "dof",
                    "resumed_iterations", "bytes_sent"):  # fmt: skip
            out[key] = int(a[key])
        for key in ("wall_seconds", "wall_seconds_before", "chi2", "Q", "bytes_per_iteration"):
            out[key] = float(a[key])
        out["warnings"] = json.loads(a.get("warnings", "[]"))
        out["checksum"] = (
            "SHA-256 of the contents verified" if DIGEST_ATTR in f.attrs
            else "none stored (a file written before checksums): not verified"
        )  # fmt: skip
        out["parameters"] = {
            key: {"value": _scalar(ds), "units": _text(ds.attrs.get("units", ""))}
            for key, ds in f["parameters"].items()
        }
        e = f["estimate"]
        names = [_text(n) for n in e["name"][()]]
        out["estimate"] = {
            "names": names,
            "mean": e["mean"][()].tolist(),
            "sdev": e["sdev"][()].tolist(),
            "units": _text(e["mean"].attrs["units"]),
            "correlation": _correlation(e["covariance"][()]).tolist(),
        }
        q = f.get("quadrature")
        quad: dict = {}
        if q is not None:
            quad["names"] = [_text(n) for n in q["name"][()]]
            for key in ("validate", "validate_error", "pull_validate", "reference",
                        "reference_error", "pull_reference", "deviation_reference"):  # fmt: skip
                if key in q:
                    quad[key] = q[key][()].tolist()
            quad["reference_exact"] = bool(q.attrs.get("reference_exact", True))
        out["quadrature"] = quad
        it = f["iterations"]
        out["iterations"] = {
            key: ([_text(v) for v in it[key][()]] if key == "phase" else it[key][()].tolist())
            for key in it
        }
        s = f.get("sampling")
        if s is not None:
            edges = s["edges"][()]
            out["sampling"] = {
                "dim": int(edges.shape[0]),
                "n_bins": int(edges.shape[1] - 1),
                "hypercubes": int(s["strata_counts"].shape[0]) if "strata_counts" in s else 1,
            }
    return out


def _correlation(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    s = np.where(sd > 0, sd, 1.0)
    return cov / np.outer(s, s)


def _print(d: dict, component: int) -> None:
    _print_header(d)
    _print_estimates(d["estimate"], d["quadrature"])
    _print_iterations(d["iterations"], d["estimate"], component)
    if "sampling" in d:
        s = d["sampling"]
        print(
            f"\nsampling: {s['dim']} axes x {s['n_bins']} map bins, "
            f"{s['hypercubes']} strata hypercubes"
        )
    for text in d["warnings"]:
        print(f"warning: {text}")


def _print_header(d: dict) -> None:
    """Where the file came from, what the run cost, its parameters and its consistency."""
    print(f"{d['file']}: bilayer-drag {d['version']}, written {d['created']}")
    print(f"command: {d['command']}")
    print(f"units: {d['units']}")
    print(f"checksum: {d['checksum']}")
    before = (
        f" (+ {d['wall_seconds_before']:.3g} s before a resume)" if d["resumed_iterations"] else ""
    )
    print(
        f"seed {d['seed']}, version {d['version']}, {d['ranks']} rank(s), "
        f"wall time {d['wall_seconds']:.3g} s{before}; "
        f"{d['bytes_per_iteration']:.0f} bytes sent per iteration"
    )
    if d["resumed_iterations"]:
        print(f"resumed from a checkpoint after {d['resumed_iterations']} iterations")
    print("parameters:")
    for key, p in d["parameters"].items():
        print(f"  {key:11s} = {p['value']!s:14s} [{p['units']}]")
    print(
        f"\nn_eval = {d['n_eval']} (total {d['n_eval_total']}); "
        f"chi2/dof = {d['chi2'] / d['dof'] if d['dof'] else math.nan:.2f} "
        f"(dof = {d['dof']}), Q = {d['Q']:.2f}"
    )


def _print_estimates(e: dict, q: dict) -> None:
    """The estimates ± errors, the quadratures beside them, and their correlation."""
    head = f"{'':9s} {'Monte Carlo (' + e['units'] + ')':>22s}"
    has_val = "validate" in q
    has_ref = "reference" in q
    if has_val:
        head += f" {'validate':>14s} {'MC/val.':>7s}"
        print("validate = the paper's T = 0 model (Eq. B7): MC/validate is a ratio, not a pull")
    exact = q.get("reference_exact", True)
    if has_ref:
        head += f" {'finite-T ref':>14s} {'pull' if exact else 'Δ/σ (*)':>7s}"
        if not exact:
            print(
                "(*) not a pull: in this (older) file the finite-T reference at C ≠ 0 lacked "
                "O(C² q²/k_F²); (MC − ref)/σ measures that approximation"
            )
    print(head)
    qnames = q.get("names", [])
    for i, name in enumerate(e["names"]):
        line = f"{name:9s} {format_estimate(e['mean'][i], e['sdev'][i]):>22s}"
        j = qnames.index(name) if name in qnames else None
        for key, present in (("validate", has_val), ("reference", has_ref)):
            if not present:
                continue
            if j is not None and key == "validate" and math.isfinite(q[key][j]):
                ratio = e["mean"][i] / q[key][j] if q[key][j] else math.nan
                line += f" {q[key][j]:14.6e} {ratio:7.4f}"
            elif j is not None and math.isfinite(q[key][j]):
                dev = "pull_" + key if exact else "deviation_reference"
                line += f" {q[key][j]:14.6e} {q[dev][j]:7.2f}"
            else:
                line += f" {'(none)':>14s} {'':>7s}"
        print(line)
    print("correlation:")
    for name, row in zip(e["names"], e["correlation"], strict=True):
        print(f"  {name:9s} " + " ".join(f"{c:+.3f}" for c in row))


def _print_iterations(it: dict, e: dict, k: int) -> None:
    """The vegas table of component ``k``."""
    if not 0 <= k < len(e["names"]):
        raise ValueError(f"component = {k} is outside the allowed range [0, {len(e['names'])})")
    print(f"\niterations ({e['names'][k]}, {e['units']}):")
    print(
        f"{'itn':>4} {'phase':<5} {'integral':>18} {'average':>18} {'chi2/dof':>9} {'Q':>5} "
        f"{'nonzero':>8} {'batches':>7} {'s':>6}"
    )
    for i, idx in enumerate(it["index"]):
        integral = format_estimate(it["mean"][i][k], it["sdev"][i][k])
        avg = it["running_mean"][i][k]
        average = format_estimate(avg, it["running_sdev"][i][k]) if math.isfinite(avg) else ""
        chi = it["chi2_dof"][i]
        qv = it["Q"][i]
        nonzero = it["n_nonzero"][i] / it["n_eval"][i] if it["n_eval"][i] else math.nan
        print(
            f"{idx:>4} {it['phase'][i]:<5} {integral:>18} {average:>18} "
            f"{(f'{chi:.2f}' if math.isfinite(chi) else ''):>9} "
            f"{(f'{qv:.2f}' if math.isfinite(qv) else ''):>5} {nonzero:8.3f} "
            f"{it['n_batches'][i]:7d} {it['seconds'][i]:6.2f}"
        )


def run(args: argparse.Namespace) -> int:
    return inspect_file(args.file, describe, lambda d: _print(d, args.component), args.json)
