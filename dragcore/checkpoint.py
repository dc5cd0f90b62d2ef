"""The checkpoint directory shared by both simulators: identity manifest and atomic writes.

A run's checkpoint directory holds ``manifest.json`` (the run's identity: everything that
must match for a continuation to give the bits of an uninterrupted run) and files written
atomically (temporary file in the same directory, ``fsync``, then ``os.replace``), so that a
run killed at any instant leaves either the old or the new file, never half of one. What the
files hold is each simulator's business (``langevin.checkpoint``, ``montecarlo.checkpoint``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
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
        The run's identity (JSON-able); stored in ``manifest.json`` and checked on resume.
    """

    def __init__(self, directory: str | os.PathLike, identity: dict) -> None:
        self.directory = Path(directory)
        self.identity = json.loads(json.dumps(identity))  # normalised (tuples → lists)

    @property
    def manifest(self) -> Path:
        return self.directory / "manifest.json"

    def prepare(self, resume: bool) -> None:
        """Create the directory (fresh run) or check that it belongs to this run (resume).

        Called on rank 0 only, before anything is written.
        """
        if self.manifest.exists():
            stored = json.loads(self.manifest.read_text())
            if not resume:
                raise ValueError(
                    f"checkpoint = {str(self.directory)!r} is outside the allowed range for a "
                    "fresh run (it exists: continue it with --resume, or remove it)"
                )
            if stored != self.identity:
                diff = sorted(k for k in self.identity if stored.get(k) != self.identity[k])
                raise ValueError(
                    f"checkpoint identity ({', '.join(diff)}) = {str(self.directory)!r} is "
                    "outside the allowed range (it belongs to a different run)"
                )
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".tmp", dir=self.directory)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.identity, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.manifest)

    def remove(self) -> None:
        """Delete the directory (after the final results are safely written)."""
        shutil.rmtree(self.directory, ignore_errors=True)


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
