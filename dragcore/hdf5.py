"""HDF5 output shared by the simulators and the report: atomic files, self-describing data.

A file is written under a temporary name in the target directory and renamed into place
only when complete, so a run killed while writing leaves no half-written file. Every dataset
carries ``units`` and ``description`` attributes, so the file explains itself in plain h5py.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import h5py

__all__ = ["atomic_h5_file", "dataset_with_units", "dimension_scale"]


@contextlib.contextmanager
def atomic_h5_file(path: str | os.PathLike) -> Iterator[h5py.File]:
    """Open a new HDF5 file for writing that appears at ``path`` only once it is complete.

    The parent directory is created; the file gets the permissions the umask gives (not the
    0600 of ``mkstemp``); on any exception the temporary file is removed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with h5py.File(tmp, "w") as f:
            yield f
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dataset_with_units(
    g: h5py.Group, name: str, data, units: str, description: str
) -> h5py.Dataset:
    """``g[name] = data`` with ``units`` and ``description`` attributes."""
    ds = g.create_dataset(name, data=data)
    ds.attrs["units"] = units
    ds.attrs["description"] = description
    return ds


def dimension_scale(g: h5py.Group, name: str, data, units: str, description: str) -> h5py.Dataset:
    """A :func:`dataset_with_units` made a dimension scale named ``name``."""
    ds = dataset_with_units(g, name, data, units, description)
    ds.make_scale(name)
    return ds
