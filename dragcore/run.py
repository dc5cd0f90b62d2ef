"""The MPI run wrapper shared by both simulators: ranks, output file, checkpoints.

A run of either simulator (``langevin run``, ``montecarlo run``, or a user's script calling
:func:`langevin.run.run_langevin` / :func:`montecarlo.run.run_collision_mc`) follows the same
pattern, written here once:

1. every rank runs the same code; with more than one rank a failure on any of them stops
   all of them, naming the rank (:func:`run_on_every_rank`);
2. rank 0 claims, before any computing, the output file and the checkpoint directory
   (:meth:`RunFiles.check_output`): the output can be written as a new file, no other run
   holds it (an exclusive ``flock`` on ``.<output>.lock`` beside it, held until the run
   ends), the checkpoint directory neither is nor contains nor lies inside the output, and
   holds nothing foreign (:meth:`dragcore.checkpoint.CheckpointDirectory.check_foreign`);
   a ``--resume`` whose result is already written ends here, saying so
   (:class:`dragcore.checks.ResultAlreadyComplete`);
3. rank 0 prepares the checkpoint directory (fresh, or resumed after checking its
   identity) and tells the other ranks whether that worked (:func:`prepare_checkpoint`);
4. the simulator distributes its work and checkpoints it (its own ``checkpoint`` module);
5. rank 0 writes the file and only then removes the checkpoint files it wrote
   (:meth:`RunFiles.remove_checkpoints`), never anything else.

A run refused after its checkpoint was prepared (a ``ValueError``: a blow-up, a χ²
refusal, a size refused late) removes the checkpoint files of this invocation
(:func:`releases_claim`): resuming them could only repeat the refusal, and the corrected
rerun must not find them in its way. A run that fails otherwise (``MemoryError``,
``OSError``, an interrupt) keeps those that hold saved work, for ``--resume``, and removes
the empty ones; a killed run keeps everything.

What the work items are and what a checkpoint holds is each simulator's business.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from dragcore.checkpoint import CheckpointDirectory
from dragcore.checks import ResultAlreadyComplete
from dragcore.hdf5 import check_output_path, stored_identities
from dragcore.parallel import World, abort_on_failure, world

__all__ = [
    "RunFiles",
    "run_on_every_rank",
    "run_command",
    "prepare_checkpoint",
    "releases_claim",
    "ROOT_IDENTITY",
]

#: The identity in the manifest of a checkpoint directory of several runs (one
#: sub-directory per run, each with its own manifest).
ROOT_IDENTITY = {"checkpoint": "runs of one configuration, one sub-directory each"}

#: What the runs inside :func:`releases_claim` claimed and prepared.
_CLAIMS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("_CLAIMS", default=None)

F = TypeVar("F", bound=Callable[..., Any])


def releases_claim(fn: F) -> F:
    """Decorate a run function: the claims its :class:`RunFiles` take are released when it
    returns or fails, and on a ``ValueError`` (a refusal) the checkpoint directories it
    prepared are removed (their own files only, :meth:`CheckpointDirectory.remove`)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        claims: dict = {"files": [], "stores": []}
        token = _CLAIMS.set(claims)
        try:
            return fn(*args, **kwargs)
        except BaseException as exc:
            for files in claims["files"]:
                files.abandon(claims["stores"], refused=isinstance(exc, ValueError))
            raise
        finally:
            for files in claims["files"]:
                files.release()
            _CLAIMS.reset(token)

    return wrapper  # type: ignore[return-value]


def _inside(path: Path, other: Path) -> bool:
    """``path`` is ``other`` or lies inside it (both made absolute, symlinks resolved)."""
    a, b = path.resolve(), other.resolve()
    return a == b or b in a.parents


class _CannotLock(ValueError):
    """The lock file cannot be created (not another run's lock)."""


def _missing_ancestors(directory: Path) -> list[str]:
    """``directory`` and its parents that do not exist yet, deepest first (absolute)."""
    out, d = [], directory.absolute()
    while not d.exists() and not d.is_symlink() and d != d.parent:
        out.append(str(d))
        d = d.parent
    return out


class _Lock:
    """An exclusive ``flock`` on ``.<name>.lock`` beside ``target``, with the holder's host
    and pid written in it; released (and the file removed) by :meth:`release`. The kernel
    releases it if the process dies, so a killed run never blocks its requeued one. On a
    file system without ``flock`` the run goes on unlocked (and leaves no lock file)."""

    def __init__(self, target: Path, name: str) -> None:
        import fcntl

        self.path = target.parent / f".{target.name}.lock"
        self.fd: int | None = None
        for _ in range(10):
            created = True
            try:
                try:
                    fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    created = False
                    fd = os.open(self.path, os.O_RDWR)
            except FileNotFoundError:
                continue  # removed by its holder between the two opens
            except OSError as exc:
                raise _CannotLock(
                    f"{name} = {str(target)!r} is outside the allowed range (cannot lock "
                    f"{str(self.path)!r}: {exc.strerror or exc})"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = ""
                with contextlib.suppress(OSError):
                    holder = os.read(fd, 200).decode(errors="replace").strip()
                os.close(fd)
                raise ValueError(
                    f"{name} = {str(target)!r} is outside the allowed range (another run is "
                    f"writing it{': ' + holder if holder else ''}; wait for it to end or "
                    "choose another path)"
                ) from None
            except OSError:  # a file system without flock: run unlocked, as before locks
                if created:
                    with contextlib.suppress(OSError):
                        self.path.unlink()
                os.close(fd)
                return
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file its holder removed while we waited for it
                os.ftruncate(fd, 0)
                os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
                self.fd = fd
                return
            os.close(fd)
        raise ValueError(f"{name} = {str(target)!r} is outside the allowed range (cannot lock)")

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            if os.fstat(self.fd).st_ino == os.stat(self.path).st_ino:
                self.path.unlink()
        os.close(self.fd)
        self.fd = None


Loaded = TypeVar("Loaded")


def run_on_every_rank(body: Callable[[World], int], w: World | None = None) -> int:
    """``body(w)`` on every rank; with more than one rank, a failure stops all ranks.

    Parameters
    ----------
    body
        The run, called with the world on every rank; returns the exit code.
    w
        The MPI world (default: :func:`dragcore.parallel.world`).

    Returns
    -------
    The exit code of ``body``. In one process an exception propagates unchanged (the
    command line turns a ``ValueError`` into one line and exit code 2); under MPI
    :func:`dragcore.parallel.abort_on_failure` prints it tagged with the rank and aborts.
    """
    w = w or world()
    if w.size == 1:
        return body(w)
    with abort_on_failure(w):
        return body(w)


def run_command(print_config: bool, default_config: str, body: Callable[[World], int]) -> int:
    """A run command's entry: print ``default_config`` on the root rank and return 0 (its
    ``--print-config``), or :func:`run_on_every_rank` ``body``."""
    if print_config:
        if world().is_root:
            print(default_config, end="")
        return 0
    return run_on_every_rank(body)


@dataclass(frozen=True)
class RunFiles:
    """Where a run writes: its HDF5 output and its checkpoint directory.

    Attributes
    ----------
    output
        The HDF5 file rank 0 writes (``None``: no file, and by default no checkpoints).
    checkpoint_root
        The checkpoint directory (``None``: no checkpoints).
    resume
        Continue from the checkpoint directory.
    overwrite
        Replace an existing output file.
    """

    output: Path | None
    checkpoint_root: Path | None
    resume: bool = False
    overwrite: bool = False
    _claim: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_options(
        cls,
        output: str | os.PathLike | None,
        checkpoint_dir: str | os.PathLike | None = None,
        *,
        resume: bool = False,
        overwrite: bool = False,
    ) -> RunFiles:
        """The files of a run: the checkpoint directory defaults to ``<output>.ckpt``."""
        if checkpoint_dir is not None:
            root: Path | None = Path(checkpoint_dir)
        else:
            root = None if output is None else Path(f"{output}.ckpt")
        return cls(None if output is None else Path(output), root, bool(resume), bool(overwrite))

    def check_output(
        self,
        w: World,
        inputs: Sequence[str | os.PathLike | None] = (),
        *,
        parts: Sequence[str] | None = None,
        store: type[CheckpointDirectory] = CheckpointDirectory,
    ) -> None:
        """Claim the output and the checkpoint directory before any computing (rank 0 does
        the work; every rank raises rank 0's refusal).

        Parameters
        ----------
        w
            The MPI world; every rank calls this.
        inputs
            The run's input files: never an output.
        parts
            The names of the runs of a configuration with one checkpoint sub-directory each
            (``None``: the checkpoint directory is one run's).
        store
            The checkpoint class of the simulator (its :attr:`OWN_FILES` say which files in
            a checkpoint directory are its own).

        Raises
        ------
        ValueError
            The output cannot be written as a new file
            (:func:`dragcore.hdf5.check_output_path`), another run holds it, the checkpoint
            directory is, contains or lies inside the output, or holds anything foreign.
        ResultAlreadyComplete
            ``--resume`` of a run whose output is written and verified (its checkpoint, if
            any is left, is removed first): nothing to compute.
        """
        self._claim.update(parts=None if parts is None else list(parts), store=store,
                           is_root=w.is_root, locks=[], root_prepared=False)  # fmt: skip
        claims = _CLAIMS.get()
        if claims is not None:
            claims["files"].append(self)
        outcome: tuple[str, str] | None = None
        if w.is_root:
            try:
                self._claim_on_root(inputs)
            except ResultAlreadyComplete as exc:
                outcome = ("complete", str(exc))
            except ValueError as exc:
                outcome = ("error", str(exc))
            if outcome is not None and claims is None:
                self.release()
        outcome = w.bcast(outcome)
        if outcome is None:
            return
        if outcome[0] == "complete":
            raise ResultAlreadyComplete(outcome[1], show=w.is_root)
        raise ValueError(outcome[1])

    def _claim_on_root(self, inputs: Sequence[str | os.PathLike | None]) -> None:
        out, root = self.output, self.checkpoint_root
        if out is not None and root is not None:
            if _inside(out, root) or _inside(root, out):
                raise ValueError(
                    f"checkpoint = {str(root)!r} is outside the allowed range (it is, contains "
                    f"or lies inside the output {str(out)!r}; the clean-up of a checkpoint "
                    "directory must never touch the result: choose another --checkpoint-dir)"
                )
        for inp in inputs:
            if inp is not None and root is not None and _inside(Path(inp), root):
                raise ValueError(
                    f"checkpoint = {str(root)!r} is outside the allowed range (it holds the "
                    f"input {str(inp)!r}: choose another --checkpoint-dir)"
                )
        if out is not None and out.parent.is_dir():
            self._lock(out, "output")  # first: a second run is told that one is running
            if self.resume and out.is_file():
                self._finish_if_complete()
        store, parts = self._claim["store"], self._claim["parts"]
        top = None if parts is None or root is None else CheckpointDirectory(
            root, ROOT_IDENTITY, parts=parts
        )  # fmt: skip
        if root is not None:  # read-only checks first: a refusal leaves nothing behind
            if top is None:
                store(root, {}).check_can_prepare(self.resume)
            else:
                top.check_foreign()
                for part in parts:
                    store(root / part, {}).check_can_prepare(self.resume)
        if out is not None:
            self._claim["created"] = _missing_ancestors(out.parent)
            check_output_path(out, overwrite=self.overwrite, inputs=inputs)
            if not self._claim["locks"]:
                self._lock(out, "output")
        if root is not None and root.parent.is_dir():
            self._lock(root, "checkpoint", required=False)
        if top is not None:
            top.prepare(self.resume)
            self._claim["root_prepared"] = True

    def _lock(self, target: Path, name: str, required: bool = True) -> None:
        """Lock ``target``; with ``required`` false a lock file that cannot be created (a
        read-only parent) is skipped, another run's lock still refuses."""
        try:
            self._claim["locks"].append(_Lock(target, name))
        except _CannotLock:
            if required:
                raise

    def _leaves(self) -> list[tuple[str, Path]]:
        root, parts = self.checkpoint_root, self._claim.get("parts")
        if root is None:
            return []
        if parts is None:
            return [("", root)]
        return [(part, root / part) for part in parts]

    def _finish_if_complete(self) -> None:
        """On ``--resume`` with the output present: if it is this run's, verified, and no
        checkpoint of another run is left, finish the interrupted clean-up and raise
        :class:`ResultAlreadyComplete`; otherwise return (the output is then refused as
        existing, unless ``--overwrite``)."""
        out, root = self.output, self.checkpoint_root
        ids = stored_identities(out)  # ValueError if the file is corrupted
        if not ids:
            return
        store = self._claim["store"]
        leaves = [(key, store(path, {})) for key, path in self._leaves() if path.is_dir()]
        for key, leaf in leaves:
            leaf.check_foreign()
            if not leaf.manifest.exists():
                if leaf.foreign_entries() or any(leaf.directory.iterdir()):
                    return  # files of an unidentified run: not ours to judge
                continue
            identity, _ = leaf.read_manifest()
            if ids.get(key) != identity:
                return
        for _, leaf in leaves:
            leaf.remove()
        if root is not None and self._claim["parts"] is not None:
            self._remove_root()
        raise ResultAlreadyComplete(
            f"output = {str(out)!r} is already complete (written and verified; nothing left "
            "to resume; pass --overwrite without --resume to compute it again)"
        )

    def release(self) -> None:
        """Release the locks of :meth:`check_output` (idempotent)."""
        for lock in self._claim.get("locks", []):
            lock.release()
        self._claim["locks"] = []

    def abandon(self, stores: Iterable[CheckpointDirectory] = (), refused: bool = True) -> None:
        """After a failure (rank 0): remove the checkpoint directories this invocation
        prepared (``stores``; their own files only) and the directory of several runs if it
        is left without any. After a refusal (``refused``: a ``ValueError``, which a resume
        could only repeat) all of them; after anything else (a kill, an ``OSError``, a
        ``MemoryError``) only those that hold no saved work yet, so that ``--resume`` can
        continue the others."""
        if not self._claim.get("is_root"):
            return
        for st in stores:
            with contextlib.suppress(OSError, ValueError):
                if refused or not st._own_files():
                    st.remove()
        if self._claim.get("root_prepared"):
            with contextlib.suppress(OSError, ValueError):
                self._remove_root()
        self.release()  # (its lock file may sit in a directory to remove)
        for d in self._claim.get("created", []):  # the output's parents it made, if empty
            with contextlib.suppress(OSError):
                Path(d).rmdir()

    def _remove_root(self) -> None:
        root = self.checkpoint_root
        if root is None or not root.is_dir():
            return
        if any(p.is_dir() for p in root.iterdir()):
            return  # other runs of the configuration are unfinished
        CheckpointDirectory(root, {}, parts=self._claim.get("parts") or ()).remove()

    def checkpoint_dir(self, part: str | None = None) -> Path | None:
        """The checkpoint directory, or its sub-directory ``part`` (one run of several)."""
        if self.checkpoint_root is None:
            return None
        return self.checkpoint_root if part is None else self.checkpoint_root / part

    def remove_checkpoints(self, parts: Iterable[str] | None = None) -> None:
        """Remove the run's checkpoint files once the output is written (rank 0), and
        release the claim.

        Only the files each checkpoint directory identifies as its own go, then the
        directories the run created, once empty (:meth:`CheckpointDirectory.remove`). With
        ``parts``, only those sub-directories, and the directory of several runs if none is
        left (other runs of the same configuration may still be unfinished).
        """
        root = self.checkpoint_root
        store = self._claim.get("store", CheckpointDirectory)
        try:
            if root is None:
                return
            if parts is None:
                store(root, {}).remove()
                return
            created = self._claim.setdefault("part_parents", [])
            for part in parts:
                leaf = store(root / part, {})
                if leaf.manifest.exists():
                    with contextlib.suppress(ValueError):
                        created += leaf.read_manifest()[1].get("created", [])[1:]
                leaf.remove()
            self._remove_root()
            for d in created:  # parents a part's manifest records it created, once empty
                with contextlib.suppress(OSError):
                    Path(d).rmdir()
        finally:
            self.release()


def prepare_checkpoint(
    store: CheckpointDirectory,
    resume: bool,
    w: World,
    load: Callable[[], Loaded] | None = None,
) -> Loaded | None:
    """Rank 0 prepares ``store`` (:meth:`CheckpointDirectory.prepare`); every rank learns
    the outcome.

    Parameters
    ----------
    store
        The run's checkpoint directory.
    resume
        Continue from it (its identity must match) instead of starting afresh.
    w
        The MPI world; every rank calls this.
    load
        Called on rank 0 after a successful prepare when resuming; what it returns (the
        saved state) travels to every rank. ``None``: nothing is loaded here (each rank
        reads the files it owns itself).

    Returns
    -------
    What ``load`` returned (``None`` without ``load`` or without ``resume``).

    Raises
    ------
    ValueError
        On every rank, with rank 0's message, if the directory cannot serve this run.
    """
    claims = _CLAIMS.get()
    if claims is not None:
        claims["stores"].append(store)  # (removed on a refusal only once prepared)
    if load is None:
        error = None
        if w.is_root:
            try:
                store.prepare(resume)
            except ValueError as exc:
                error = str(exc)
        error = w.bcast(error)
        if error is not None:
            if claims is not None:
                claims["stores"].remove(store)
            raise ValueError(error)
        return None
    outcome: tuple[str | None, Loaded | None] = (None, None)
    if w.is_root:
        try:
            store.prepare(resume)
            outcome = (None, load() if resume else None)
        except ValueError as exc:
            outcome = (str(exc), None)
    error, loaded = w.bcast(outcome)
    if error is not None:
        if claims is not None:
            claims["stores"].remove(store)
        raise ValueError(error)
    return loaded
