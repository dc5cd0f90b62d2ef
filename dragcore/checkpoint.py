"""The checkpoint directory shared by both simulators: identity manifest and atomic writes.

A run's checkpoint directory holds ``manifest.json`` (the run's identity: everything that
must match for a continuation to give the bits of an uninterrupted run) and files written
atomically (each also records the identity, checked when it is read, so a directory that
lost its manifest can never lend its state to another run: temporary file in the same
directory, ``fsync``, then ``os.replace``), so that a
run killed at any instant leaves either the old or the new file, never half of one. What the
files hold is each simulator's business (``langevin.checkpoint``, ``montecarlo.checkpoint``).

Ownership: a run deletes only what it can identify as its own. A checkpoint directory may
hold nothing but its manifest, files whose names match its class's :attr:`OWN_FILES`
pattern (and the temporaries of their atomic writes) and, for a directory of several runs,
the sub-directories named after those runs: anything else (a user's file or folder) makes
:meth:`CheckpointDirectory.prepare` refuse the directory, fresh or resumed, before any
computing. :meth:`CheckpointDirectory.remove` deletes only such files, one by one, never
recursively, the manifest last; it removes a directory only if the manifest records that
the run created it, and only once it is empty. Every file also stores a SHA-256 digest of
its arrays, checked when it is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from dragcore.checks import require_positive

__all__ = ["atomic_savez", "arrays_digest", "CheckpointDirectory", "SavePolicy"]

#: The format tag of a manifest (one without it holds the bare identity).
MANIFEST_FORMAT = "bilayer-drag checkpoint manifest 2"


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


def arrays_digest(arrays: dict[str, Any]) -> str:
    """SHA-256 of named arrays: names, dtypes, shapes and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _unreadable(path: Path, why: str) -> ValueError:
    return ValueError(
        f"checkpoint file = {str(path)!r} is outside the allowed range ({why}; remove the "
        "directory to start afresh)"
    )


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

    #: Names of the files this kind of directory writes (besides ``manifest.json``).
    OWN_FILES = re.compile(r"^[^.][^/]*\.npz$")

    def __init__(
        self,
        directory: str | os.PathLike,
        identity: dict,
        *,
        parts: tuple[str, ...] | list[str] = (),
    ) -> None:
        self.directory = Path(directory)
        self.identity = json.loads(json.dumps(identity))  # normalised (tuples → lists)
        self.parts = tuple(parts)

    @property
    def manifest(self) -> Path:
        return self.directory / "manifest.json"

    # ------------------------------------------------------------------ ownership
    def _own_name(self, name: str) -> bool:
        if name == "manifest.json" or self.OWN_FILES.match(name):
            return True
        m = re.match(r"^\.(.+?)\.[^.]+\.tmp$", name)  # temporaries: .NAME.XXXX.tmp
        return bool(m) and (m.group(1) == "manifest" or bool(self.OWN_FILES.match(m.group(1))))

    def foreign_entries(self) -> list[Path]:
        """What the directory holds that this run would not have written (sorted)."""
        if not self.directory.is_dir():
            return []
        out = []
        for p in sorted(self.directory.iterdir()):
            if p.is_symlink():
                out.append(p)
            elif p.is_dir():
                if p.name not in self.parts:
                    out.append(p)
            elif not (p.is_file() and self._own_name(p.name)):
                out.append(p)
        return out

    def _own_files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(
            p for p in self.directory.iterdir()
            if p.is_file() and not p.is_symlink() and p.name != "manifest.json"
            and self._own_name(p.name)
        )  # fmt: skip

    def check_foreign(self) -> None:
        """Refuse (``ValueError``) a directory holding anything this run did not write."""
        if self.directory.is_symlink() or (self.directory.exists() and not self.directory.is_dir()):
            raise ValueError(
                f"checkpoint = {str(self.directory)!r} is outside the allowed range (not a "
                "directory)"
            )
        foreign = self.foreign_entries()
        if foreign:
            first = foreign[0]
            kind = "folder" if first.is_dir() and not first.is_symlink() else "file"
            more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
            raise ValueError(
                f"checkpoint = {str(self.directory)!r} is outside the allowed range (it holds "
                f"the {kind} {first.name!r}{more}, which no run of this package wrote; a "
                "checkpoint directory must be new, empty or a checkpoint of this run: choose "
                "another --checkpoint-dir)"
            )

    def read_manifest(self) -> tuple[dict, dict]:
        """``(identity, record)`` of the manifest (``record`` holds ``created``, the
        directories the run made; a manifest of the older format, the bare identity,
        gives an empty record)."""
        try:
            stored = json.loads(self.manifest.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"checkpoint manifest = {str(self.manifest)!r} is outside the allowed "
                f"range (unreadable: {exc}; remove the directory to start afresh)"
            ) from None
        if isinstance(stored, dict) and stored.get("format") == MANIFEST_FORMAT:
            return stored.get("identity"), stored
        return stored, {}

    def _write_manifest(self, created: list[str]) -> None:
        record = {"format": MANIFEST_FORMAT, "identity": self.identity, "created": created}
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(record, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.manifest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _restart_hint(self) -> str:
        return f"or start afresh after: rm -r {str(self.directory)!r}"

    def check_can_prepare(self, resume: bool) -> bool:
        """The checks of :meth:`prepare` without writing anything: ``ValueError`` if the
        directory cannot serve this run; ``True`` if it has a manifest to resume from."""
        self.check_foreign()
        if self.manifest.exists():
            stored, _ = self.read_manifest()
            if not resume:
                raise ValueError(
                    f"checkpoint = {str(self.directory)!r} is outside the allowed range for a "
                    "fresh run (it holds an unfinished run: continue it with the same command "
                    f"and --resume, {self._restart_hint()})"
                )
            if self.identity and stored != self.identity:
                raise ValueError(self._mismatch(stored, self.directory))
            return True
        if self._own_files() and not resume:
            raise ValueError(
                f"checkpoint = {str(self.directory)!r} is outside the allowed range for a "
                "fresh run (it holds files of an earlier run: continue it with --resume, "
                f"{self._restart_hint()})"
            )
        return False

    def prepare(self, resume: bool) -> None:
        """Create the directory (fresh run) or check that it belongs to this run (resume).

        Called on rank 0 only, before anything is written. A directory holding anything
        foreign is refused, fresh or resumed. A directory without a manifest but with files
        (an interrupted cleanup) is refused for a fresh run; on resume its files are checked
        one by one when read (:meth:`open`). An existing empty directory is used but not
        removed at the end (the run did not create it); the directories the run creates
        are recorded in the manifest.
        """
        if self.check_can_prepare(resume):
            return
        created: list[str] = []
        d = self.directory.absolute()
        while not d.exists() and not d.is_symlink():
            created.append(str(d))
            d = d.parent
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(
                f"checkpoint = {str(self.directory)!r} is outside the allowed range (cannot "
                f"be created: {exc.strerror or exc})"
            ) from None
        self._write_manifest(created)

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
                               if not isinstance(self.identity.get(k), (dict, list)))
            + f"; continue that run with its own options and --resume, {self._restart_hint()})"
        )  # fmt: skip

    def save(self, path: Path, **arrays: Any) -> None:
        """:func:`atomic_savez` of ``arrays`` with the run's identity and the SHA-256 of the
        arrays (:func:`arrays_digest`) recorded in the file."""
        if not self.OWN_FILES.match(Path(path).name):
            raise ValueError(f"checkpoint file = {str(path)!r} is not a name this store writes")
        arrays = {"_identity": np.array(json.dumps(self.identity, sort_keys=True)), **arrays}
        atomic_savez(path, _sha256=np.array(arrays_digest(arrays)), **arrays)

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[Any]:
        """Read a file written by :meth:`save`: an unreadable (truncated, garbage) file, one
        whose arrays do not match their stored SHA-256 (a flipped bit) or one of another run
        (identity) raises ``ValueError`` naming it, never a traceback."""
        try:
            z = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise _unreadable(path, f"unreadable: {type(exc).__name__}") from None
        with z:
            try:
                stored = json.loads(str(z["_identity"]))
            except (KeyError, OSError, ValueError, EOFError, zipfile.BadZipFile):
                raise _unreadable(path, "no readable identity") from None
            if "_sha256" in z.files:
                try:
                    data = {k: z[k] for k in z.files if k != "_sha256"}
                    ok = str(z["_sha256"]) == arrays_digest(data)
                except (KeyError, OSError, ValueError, EOFError, zipfile.BadZipFile):
                    ok = False
                if not ok:
                    raise _unreadable(path, "its contents do not match their SHA-256: corrupted")
            if self.identity and stored != self.identity:  # {}: reading without a run
                raise ValueError(self._mismatch(stored, path))
            try:
                yield z
            except (KeyError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise _unreadable(path, f"unreadable: {type(exc).__name__}") from None

    def remove(self) -> None:
        """Delete this run's files and the directories it created (after the final results
        are safely written).

        Only files matching :attr:`OWN_FILES` (and their temporaries) go, one by one, the
        manifest last: a kill in the middle leaves an identified directory. Sub-directories
        (the parts of a directory of several runs) are left to their own stores. The
        directory itself, and the parents the run created, go only if the manifest records
        that the run created them and they are empty.
        """
        created: list[str] = []
        if self.manifest.exists():
            with contextlib.suppress(ValueError):
                _, record = self.read_manifest()
                created = [str(c) for c in record.get("created", [])]
        for p in self._own_files():
            p.unlink(missing_ok=True)
        if self.manifest.exists():
            self.manifest.unlink()
        for d in created:
            with contextlib.suppress(OSError):
                Path(d).rmdir()  # only if empty


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
