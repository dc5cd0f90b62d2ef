"""The MPI run wrapper shared by both simulators: ranks, output file, checkpoints.

A run of either simulator (``langevin run``, ``montecarlo run``, or a user's script calling
:func:`langevin.run.run_langevin` / :func:`montecarlo.run.run_collision_mc`) follows the same
pattern, written here once:

1. every rank runs the same code; with more than one rank a failure on any of them stops
   all of them, naming the rank (:func:`run_on_every_rank`);
2. rank 0 checks, before any computing, that the output file can be written
   (:meth:`RunFiles.check_output`);
3. rank 0 prepares the checkpoint directory (fresh, or resumed after checking its
   identity) and tells the other ranks whether that worked (:func:`prepare_checkpoint`);
4. the simulator distributes its work and checkpoints it (its own ``checkpoint`` module);
5. rank 0 writes the file and only then removes the checkpoint directory
   (:meth:`RunFiles.remove_checkpoints`).

What the work items are and what a checkpoint holds is each simulator's business.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dragcore.checkpoint import CheckpointDirectory
from dragcore.hdf5 import check_output_path
from dragcore.parallel import World, abort_on_failure, world

__all__ = ["RunFiles", "run_on_every_rank", "run_command", "prepare_checkpoint"]

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

    def check_output(self, w: World, inputs: Sequence[str | os.PathLike | None] = ()) -> None:
        """On rank 0, refuse an output that cannot be written as a new file (before any
        computing and before a checkpoint directory is made; see
        :func:`dragcore.hdf5.check_output_path`). ``inputs``: the run's input files."""
        if self.output is not None and w.is_root:
            check_output_path(self.output, overwrite=self.overwrite, inputs=inputs)

    def checkpoint_dir(self, part: str | None = None) -> Path | None:
        """The checkpoint directory, or its sub-directory ``part`` (one run of several)."""
        if self.checkpoint_root is None:
            return None
        return self.checkpoint_root if part is None else self.checkpoint_root / part

    def remove_checkpoints(self, parts: Iterable[str] | None = None) -> None:
        """Remove the checkpoint directory once the output is written (rank 0).

        With ``parts``, only those sub-directories go, and the directory itself if that
        leaves it empty (other runs of the same configuration may still be unfinished).
        """
        root = self.checkpoint_root
        if root is None:
            return
        if parts is None:
            CheckpointDirectory(root, {}).remove()
            return
        for part in parts:
            CheckpointDirectory(root / part, {}).remove()
        if root.exists() and not any(root.iterdir()):
            root.rmdir()


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
    if load is None:
        error = None
        if w.is_root:
            try:
                store.prepare(resume)
            except ValueError as exc:
                error = str(exc)
        error = w.bcast(error)
        if error is not None:
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
        raise ValueError(error)
    return loaded
