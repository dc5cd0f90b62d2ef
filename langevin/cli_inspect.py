"""``python -m langevin inspect run.h5``: what a Langevin run file holds, in plain text.

For each run in the file: the model parameters with their units, the seed, the package
version, the number of ranks and the wall time, the estimate ± error next to the exact
value on the same grid (and the continuum value), the per-realisation table and the
per-block table (mean over realisations of each block, with its standard error across
realisations). Reads the file with plain h5py (:mod:`langevin.storage` describes the layout).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import h5py
import numpy as np

from dragcore.cli import inspect_file
from dragcore.hdf5 import DIGEST_ATTR, open_h5_for_reading

__all__ = ["add_arguments", "run", "describe"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="HDF5 file written by `python -m langevin run`")
    parser.add_argument("--run", help="only the run with this name")
    parser.add_argument(
        "--blocks", type=int, default=12, help="rows of the per-block table (0: all)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable summary")


def _block_rows(g: h5py.Group, limit: int) -> list[tuple[float, float, float]]:
    """``(t_end, mean over realisations, its standard error)`` per block (thinned to limit)."""
    if "block_means" not in g:
        return []
    blocks = g["block_means"][()]
    t_end = g["block_end_time"][()]
    r = blocks.shape[0]
    mean = blocks.mean(axis=0)
    err = blocks.std(axis=0, ddof=1) / np.sqrt(r) if r > 1 else np.full_like(mean, np.nan)
    idx = np.arange(mean.size)
    if limit and mean.size > limit:
        idx = np.unique(np.linspace(0, mean.size - 1, limit).round().astype(int))
    return [(float(t_end[i]), float(mean[i]), float(err[i])) for i in idx]


def describe(path: str | Path, only: str | None = None, blocks: int = 12) -> dict:
    """The summary of a run file as a dictionary (what :func:`run` prints)."""
    out: dict = {"file": str(path), "runs": {}}
    with open_h5_for_reading(path) as f:
        if not any(isinstance(g, h5py.Group) and "mean" in g.attrs for g in f.values()):
            raise ValueError(
                f"file = {str(path)!r} is outside the allowed range (not a Langevin run file)"
            )
        out["version"] = str(f.attrs.get("version", "?"))
        out["created"] = str(f.attrs.get("created", "?"))
        out["units"] = str(f.attrs.get("units", ""))
        out["checksum"] = (
            "SHA-256 of the contents verified" if DIGEST_ATTR in f.attrs
            else "none stored (a file written before checksums): not verified"
        )  # fmt: skip
        names = [n for n in f if isinstance(f[n], h5py.Group) and n != "provenance"]
        if only is not None:
            if only not in names:
                raise ValueError(f"--run = {only!r} is outside the allowed range {names}")
            names = [only]
        for name in names:
            g = f[name]
            a = g.attrs
            params = {}
            if "parameters" in g and isinstance(g["parameters"], h5py.Group):
                for key, ds in g["parameters"].items():
                    value = ds[()]
                    params[key] = {
                        "value": value.item() if hasattr(value, "item") else value,
                        "units": str(ds.attrs.get("units", "")),
                    }
            else:
                params = {
                    k: {"value": v, "units": ""} for k, v in json.loads(a["parameters"]).items()
                }
            table = g["realisations"][()] if "realisations" in g else np.empty((0, 5))
            out["runs"][name] = {
                "quantity": str(a.get("quantity", a.get("estimator", ""))),
                "quantity_units": str(a.get("quantity_units", "")),
                "parameters": params,
                "grid": {"n": int(a["grid_n"]), "length": float(a["grid_length"])},
                "scheme": str(a["scheme"]),
                "dt": float(a["dt"]),
                "seed": int(a["seed"]),
                "version": str(a.get("version", out["version"])),
                "ranks": int(a.get("ranks", 1)),
                "wall_seconds": float(a.get("wall_seconds", np.nan)),
                "n_realisations": int(a["n_realisations"]),
                "n_steps": int(a["n_steps"]),
                "block_steps": int(a["block_steps"]),
                "mean": float(a["mean"]),
                "sdev": float(a["sdev"]),
                "chi2_dof": float(a["chi2_dof"]),
                "exact": float(a["exact"]),
                "exact_sdev": float(a["exact_sdev"]),
                "continuum": float(a.get("continuum", np.nan)),
                "realisations": table.tolist(),
                "blocks": _block_rows(g, blocks),
                "snapshot": "snapshot" in g,
            }
    return out


def _print(summary: dict) -> None:
    print(f"{summary['file']}: bilayer-drag {summary['version']}, written {summary['created']}")
    print(f"units: {summary['units']}")
    print(f"checksum: {summary['checksum']}")
    for name, r in summary["runs"].items():
        print(f"\n== run {name!r}: {r['quantity']}")
        print(
            f"grid N = {r['grid']['n']}, L = {r['grid']['length']:g} d; scheme {r['scheme']}, "
            f"dt = {r['dt']:g} /omega_p; {r['n_realisations']} realisations x {r['n_steps']} "
            f"steps (blocks of {r['block_steps']})"
        )
        print(
            f"seed {r['seed']}, version {r['version']}, {r['ranks']} rank(s), "
            f"wall time {r['wall_seconds']:.3g} s"
        )
        print("parameters:")
        for key, p in r["parameters"].items():
            print(f"  {key:15s} = {p['value']!s:12s} [{p['units']}]")
        pull = (r["mean"] - r["exact"]) / r["sdev"] if r["sdev"] > 0 else float("nan")
        print(
            f"estimate  {r['mean']:.6g} ± {r['sdev']:.3g}  (chi2/dof = {r['chi2_dof']:.2f})\n"
            f"exact     {r['exact']:.6g} on the same grid (sd of the estimate "
            f"{r['exact_sdev']:.3g}); pull {pull:+.2f}; continuum {r['continuum']:.6g}"
        )
        print(" real |      mean      |  err (τ_int)  | err (blocking) |  τ_int")
        for idx, mean, err, blk, tau in r["realisations"]:
            print(f"{int(idx):5d} | {mean:14.6g} | {err:13.4g} | {blk:14.4g} | {tau:7.2f}")
        if r["blocks"]:
            print("  t_end (1/omega_p) | block mean over realisations ± s.e.")
            for t, mean, err in r["blocks"]:
                print(f"  {t:17.6g} | {mean:12.6g} ± {err:.3g}")
        if r["snapshot"]:
            print(f"real-space snapshots: /{name}/snapshot (realisation, field, x, y)")


def run(args: argparse.Namespace) -> int:
    return inspect_file(args.file, lambda path: describe(path, args.run, args.blocks), _print,
                        args.json)  # fmt: skip
