"""HDF5 output shared by the simulators and the report: atomic files, self-describing data.

A file is written under a temporary name in the target directory and renamed into place
only when complete, so a run killed while writing leaves no half-written file. Every dataset
carries ``units`` and ``description`` attributes, so the file explains itself in plain h5py.

Integrity: before the rename, the SHA-256 of the file's contents (every dataset's values and
every attribute, :func:`content_digest`) is stored in the root attribute ``content_sha256``;
:func:`open_h5_for_reading` (``inspect``) recomputes it, so a flipped bit anywhere in the
numbers is refused, not shown as a result.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import socket
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import h5py
import numpy as np

from dragcore import __version__

__all__ = [
    "write_provenance",
    "write_header",
    "write_parameters",
    "atomic_h5_file",
    "dataset_with_units",
    "dimension_scale",
    "check_output_path",
    "open_h5_for_reading",
    "content_digest",
    "verify_digest",
    "stored_identities",
    "DIGEST_ATTR",
]

#: The root attribute holding :func:`content_digest` of the file.
DIGEST_ATTR = "content_sha256"
#: Attributes h5py keeps for dimension scales (object references: not content).
_SCALE_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid"}


def _value_bytes(value) -> bytes:
    if isinstance(value, bytes):
        return b"b|" + value
    if isinstance(value, str):
        return b"s|" + value.encode()
    a = np.asarray(value)
    if a.dtype.kind == "O":
        items = [v.decode() if isinstance(v, bytes) else str(v) for v in a.ravel()]
        return f"o|{a.shape}|".encode() + json.dumps(items).encode()
    if a.dtype.kind in "SU":
        return f"{a.dtype.kind}|{a.shape}|".encode() + json.dumps(a.astype(str).tolist()).encode()
    return f"{a.dtype.str}|{a.shape}|".encode() + np.ascontiguousarray(a).tobytes()


def content_digest(f: h5py.File) -> str:
    """SHA-256 of an HDF5 file's contents: every group's and dataset's path, attributes
    (except :data:`DIGEST_ATTR` and the dimension-scale bookkeeping) and dataset values, in
    sorted order. Independent of the file's layout on disk."""
    h = hashlib.sha256()

    def add(path: str, obj) -> None:
        h.update(f"<{path}>".encode())
        for key in sorted(obj.attrs):
            if key in _SCALE_ATTRS or (path == "/" and key == DIGEST_ATTR):
                continue
            h.update(f"@{key}=".encode())
            h.update(_value_bytes(obj.attrs[key]))
        if isinstance(obj, h5py.Dataset):
            h.update(b"=")
            h.update(_value_bytes(obj[()]))

    names: list[str] = []
    f.visit(names.append)
    add("/", f)
    for name in sorted(names):
        add(name, f[name])
    return h.hexdigest()


def verify_digest(f: h5py.File, name: str = "file") -> bool:
    """Check :data:`DIGEST_ATTR` against the contents; ``False`` for a file without one (an
    older file: nothing to check), ``ValueError`` naming the file if they differ."""
    if DIGEST_ATTR not in f.attrs:
        return False
    stored = f.attrs[DIGEST_ATTR]
    stored = stored.decode() if isinstance(stored, bytes) else str(stored)
    try:
        actual = content_digest(f)
    except OSError:  # a flipped bit in HDF5's own structures
        actual = "unreadable"
    if stored != actual:
        raise ValueError(
            f"{name} = {f.filename!r} is outside the allowed range (corrupted: its contents "
            f"do not match the SHA-256 stored when it was written)"
        )
    return True


def stored_identities(path: str | os.PathLike) -> dict[str, object]:
    """The run identities a result file records (root attribute ``identity``: key ``""``;
    a group's: its name), after checking the file's digest; ``{}`` if it has none."""
    out: dict[str, object] = {}
    with open_h5_for_reading(path, "output") as f:
        items = [("", f)] + [(k, g) for k, g in f.items() if isinstance(g, h5py.Group)]
        for key, obj in items:
            if "identity" in obj.attrs:
                with contextlib.suppress(ValueError, TypeError):
                    out[key] = json.loads(obj.attrs["identity"])
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temporaries(target: Path) -> None:
    """Temporaries of ``target`` left by a killed writer on this host (its pid is gone)."""
    host = re.escape(socket.gethostname())
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{host}\.(\d+)\..*\.tmp$")
    with contextlib.suppress(OSError):
        for p in target.parent.iterdir():
            m = pattern.match(p.name)
            if m and not _pid_alive(int(m.group(1))):
                p.unlink(missing_ok=True)


def check_output_path(
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    inputs: Sequence[str | os.PathLike] = (),
    name: str = "output",
) -> Path:
    """Check, before any computing, that ``path`` can be written as a new result file.

    Refused (``ValueError`` naming ``name``): an existing file unless ``overwrite``, any of
    the run's ``inputs`` (never, even with ``overwrite``), a directory, a parent that is not
    a writable directory (tested by creating and removing a temporary file there).
    """
    target = Path(path)
    for inp in inputs:
        if inp is not None and Path(inp).exists() and target.exists():
            if os.path.samefile(inp, target):
                raise ValueError(
                    f"{name} = {str(path)!r} is outside the allowed range (it is the input "
                    "configuration of the run)"
                )
    if target.is_dir():
        raise ValueError(f"{name} = {str(path)!r} is outside the allowed range (a directory)")
    if target.exists() and not overwrite:
        raise ValueError(
            f"{name} = {str(path)!r} is outside the allowed range (the file exists: choose "
            "another name or pass --overwrite)"
        )
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=parent)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise ValueError(
            f"{name} = {str(path)!r} is outside the allowed range (not writable: "
            f"{exc.strerror or exc})"
        ) from None
    return target


@contextlib.contextmanager
def open_h5_for_reading(
    path: str | os.PathLike, name: str = "file", verify: bool = True
) -> Iterator[h5py.File]:
    """``h5py.File(path, "r")``; a missing, empty, garbage or directory path raises a
    ``ValueError`` naming it (one line for the user), never an ``OSError`` traceback. With
    ``verify``, a file whose contents do not match its stored SHA-256 (:func:`verify_digest`)
    is refused the same way."""
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"{name} = {str(path)!r} is outside the allowed range (a directory)")
    if not p.exists():
        raise ValueError(f"{name} = {str(path)!r} is outside the allowed range (no such file)")
    try:
        f = h5py.File(p, "r")
    except OSError as exc:
        raise ValueError(
            f"{name} = {str(path)!r} is outside the allowed range (not an HDF5 file: "
            f"{str(exc).split('(')[0].strip()})"
        ) from None
    with f:
        if verify:
            verify_digest(f, name)
        yield f


@contextlib.contextmanager
def atomic_h5_file(path: str | os.PathLike) -> Iterator[h5py.File]:
    """Open a new HDF5 file for writing that appears at ``path`` only once it is complete.

    The parent directory is created; the file gets the permissions the umask gives (not the
    0600 of ``mkstemp``); on any exception the temporary file is removed. The temporary is
    named ``.NAME.<host>.<pid>.XXXX.tmp``; one whose process is gone (a ``kill -9`` during
    the write) is removed by the next write of the same target. The file's
    :func:`content_digest` is stored in its root attribute :data:`DIGEST_ATTR` and the file
    is flushed to disk before the rename.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target)
    prefix = f".{target.name}.{socket.gethostname()}.{os.getpid()}."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with h5py.File(tmp, "w") as f:
            yield f
            f.attrs[DIGEST_ATTR] = content_digest(f)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
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


def write_provenance(f: h5py.File, ranks: int = 1) -> None:
    """Record where the file's numbers came from in its group ``/provenance`` (one attribute
    per entry of :func:`dragcore.provenance.provenance`: package version and git commit,
    dependency versions, CPU model and vector extensions, ranks, numba threads, command line,
    host and date)."""
    from dragcore.provenance import provenance

    g = f.require_group("provenance")
    for key, value in provenance(ranks=ranks).items():
        g.attrs[key] = value


def write_header(f: h5py.File, title: str, units: str, ranks: int = 1) -> None:
    """The root attributes every result file opens with (``title``, the package ``version``,
    ``created`` (UTC, ISO 8601), ``units``) and its ``/provenance`` (:func:`write_provenance`)."""
    f.attrs["title"] = title
    f.attrs["version"] = __version__
    f.attrs["created"] = _dt.datetime.now(_dt.UTC).isoformat()
    f.attrs["units"] = units
    write_provenance(f, ranks)


def write_parameters(
    parent: h5py.Group, values: dict, units: dict[str, tuple[str, str]], description: str
) -> h5py.Group:
    """The group ``parameters`` of ``parent``: one scalar dataset per ``name → value``, with the
    ``(unit, description)`` of ``units[name]`` (none: empty strings)."""
    g = parent.create_group("parameters")
    g.attrs["description"] = description
    for name, value in values.items():
        unit, text = units.get(name, ("", ""))
        dataset_with_units(g, name, value, unit, text)
    return g
