"""The checkpoint directory shared by both simulators: identity manifest and atomic writes.

A run's checkpoint directory holds ``manifest.json`` (the run's identity: everything that
must match for a continuation to give the bits of an uninterrupted run) and files written
atomically (each also records the identity, checked when it is read, so a directory that
lost its manifest can never lend its state to another run: temporary file in the same
directory, ``fsync``, then ``os.replace``), so that a
run killed at any instant leaves either the old or the new file, never half of one. What the
files hold is each simulator's business (``langevin.checkpoint``, ``montecarlo.checkpoint``).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from dragcore.checks import require_positive

__all__ = ["atomic_savez", "CheckpointDirectory", "SavePolicy"]


def atomic_savez(path: Path, **arrays: Any) -> None:
    """``numpy.savez`` to ``path`` atomically (temporary file, fsync, rename)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CheckpointDirectory:
    """The checkpoint directory of one run, identified by its manifest.

    Parameters
    ----------
    directory
        The directory (created by :meth:`prepare`).
    identity
        The run's identity (JSON-able); stored in ``manifest.json`` and in every file, and
        checked on resume and on every read. ``{}`` reads without checking (inspection,
        removal).
    """

    def __init__(self, directory: str | os.PathLike, identity: dict) -> None:
        self.directory = Path(directory)
        self.identity = json.loads(json.dumps(identity))  # normalised (tuples → lists)

    @property
    def manifest(self) -> Path:
        return self.directory / "manifest.json"

    def _stray_files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return [p for p in self.directory.iterdir() if p.is_file() and p.name != "manifest.json"]

    def prepare(self, resume: bool) -> None:
        """Create the directory (fresh run) or check that it belongs to this run (resume).

        Called on rank 0 only, before anything is written. A directory without a manifest
        but with files (an interrupted cleanup) is refused for a fresh run; on resume its
        files are checked one by one when read (:meth:`open`).
        """
        if self.directory.exists() and not self.directory.is_dir():
            raise ValueError(
                f"checkpoint = {str(self.directory)!r} is outside the allowed range "
                "(not a directory)"
            )
        if self.manifest.exists():
            try:
                stored = json.loads(self.manifest.read_text())
            except (OSError, ValueError) as exc:
                raise ValueError(
                    f"checkpoint manifest = {str(self.manifest)!r} is outside the allowed "
                    f"range (unreadable: {exc}; remove the directory to start afresh)"
                ) from None
            if not resume:
                raise ValueError(
                    f"checkpoint = {str(self.directory)!r} is outside the allowed range for a "
                    "fresh run (it exists: continue it with --resume, or remove it)"
                )
            if stored != self.identity:
                raise ValueError(self._mismatch(stored, self.directory))
            return
        if self._stray_files() and not resume:
            raise ValueError(
                f"checkpoint = {str(self.directory)!r} is outside the allowed range for a "
                "fresh run (it holds files of an earlier run: continue it with --resume, or "
                "remove it)"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".tmp", dir=self.directory)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.identity, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.manifest)

    def _mismatch(self, stored: Any, where: Path) -> str:
        if not isinstance(stored, dict):
            stored = {}
        keys = set(self.identity) | set(stored)
        diff = sorted(k for k in keys if stored.get(k) != self.identity.get(k))
        shown = ", ".join(
            f"{k} = {stored.get(k)!r}" for k in diff if not isinstance(stored.get(k), (dict, list))
        )
        return (
            f"checkpoint identity ({', '.join(diff)}) = {str(where)!r} is outside the allowed "
            f"range (it belongs to a different run{': ' + shown if shown else ''}; this run "
            "has " + ", ".join(f"{k} = {self.identity.get(k)!r}" for k in diff
                               if not isinstance(self.identity.get(k), (dict, list))) + ")"
        )  # fmt: skip

    def save(self, path: Path, **arrays: Any) -> None:
        """:func:`atomic_savez` of ``arrays`` with the run's identity recorded in the file."""
        atomic_savez(path, _identity=np.array(json.dumps(self.identity, sort_keys=True)), **arrays)

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[Any]:
        """Read a file written by :meth:`save`: an unreadable (truncated, garbage) file or one
        of another run (identity) raises ``ValueError`` naming it, never a traceback."""
        try:
            z = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(
                f"checkpoint file = {str(path)!r} is outside the allowed range (unreadable: "
                f"{type(exc).__name__}; remove the directory to start afresh)"
            ) from None
        with z:
            try:
                stored = json.loads(str(z["_identity"]))
            except (KeyError, OSError, ValueError, EOFError, zipfile.BadZipFile):
                raise ValueError(
                    f"checkpoint file = {str(path)!r} is outside the allowed range (no readable "
                    "identity; remove the directory to start afresh)"
                ) from None
            if self.identity and stored != self.identity:  # {}: reading without a run
                raise ValueError(self._mismatch(stored, path))
            try:
                yield z
            except (KeyError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise ValueError(
                    f"checkpoint file = {str(path)!r} is outside the allowed range (unreadable: "
                    f"{type(exc).__name__}; remove the directory to start afresh)"
                ) from None

    def remove(self) -> None:
        """Delete the directory (after the final results are safely written).

        The manifest goes last: a kill in the middle leaves an identified directory.
        """
        for p in self._stray_files():
            p.unlink(missing_ok=True)
        if self.directory.is_dir():
            for p in self.directory.iterdir():  # temporaries of killed writes, subdirectories
                if p.is_dir():
                    CheckpointDirectory(p, {}).remove()
                elif p.name != "manifest.json":
                    p.unlink(missing_ok=True)
        if self.manifest.exists():
            self.manifest.unlink()
        with contextlib.suppress(OSError):
            self.directory.rmdir()


class SavePolicy:
    """When to save: every ``every`` units of work and/or every ``seconds`` of wall time.

    A unit of work is the simulator's (a block of Langevin steps, a Monte Carlo iteration);
    ``every_name`` names the count in error messages (e.g. ``"checkpoint blocks"``).
    ``None`` switches the corresponding trigger off.
    """

    def __init__(
        self, every: int | None, seconds: float | None, every_name: str = "checkpoint every"
    ) -> None:
        if every is not None:
            require_positive(every_name, every)
        if seconds is not None:
            require_positive("checkpoint seconds", seconds)
        self.every = None if every is None else int(every)
        self.seconds = None if seconds is None else float(seconds)
        self._last = time.monotonic()
        self._count = 0

    def step_done(self) -> bool:
        """Count a unit of work; ``True`` if a save is due now (and restart the clocks)."""
        self._count += 1
        due = (self.every is not None and self._count >= self.every) or (
            self.seconds is not None and time.monotonic() - self._last >= self.seconds
        )
        if due:
            self._count = 0
            self._last = time.monotonic()
        return due
