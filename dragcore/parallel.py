"""The MPI layer: rank-count-independent work splitting, reductions, logging and failure.

Physics never imports this module; the simulators' drivers do. Design (after Dedalus):

* Work is a set of *global* items (Langevin realisations, Monte Carlo batches) numbered
  ``0 … n−1``. Each item draws its random numbers from its own stream
  ``SeedSequence(seed, spawn_key=(item,))`` (:func:`item_seed_sequence`), so the numbers do
  not depend on which rank computes the item.
* Ranks own contiguous blocks of items (:func:`owned_items`); results travel only as
  accumulators (sums, sums of squares, histograms), reduced in item order
  (:func:`ordered_sum`) so that the bits do not depend on the rank count either.
* A failure on any rank stops every rank with a message that names the rank
  (:func:`abort_on_failure`); logs are tagged ``[rank/size]`` and quiet off rank 0.
"""

from __future__ import annotations

import contextlib
import pickle
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any

import numpy as np

from dragcore.checks import ResultAlreadyComplete, one_line_os_error

__all__ = [
    "World",
    "world",
    "item_seed_sequence",
    "owned_items",
    "ordered_gather",
    "ordered_sum",
    "abort_on_failure",
    "RankClock",
]


# Time given to the MPI launcher to forward a failing rank's last output before MPI_Abort.
ABORT_GRACE_SECONDS = 1.0


class World:
    """A thin view of ``MPI.COMM_WORLD`` that also works when mpi4py cannot start MPI."""

    def __init__(self, comm: Any | None = None) -> None:
        if comm is None:
            try:
                from mpi4py import MPI

                comm = MPI.COMM_WORLD
            except Exception:  # pragma: no cover - mpi4py is a dependency
                comm = None
        self.comm = comm
        #: Payload bytes (pickled) this rank has sent through :meth:`gather_to_root` and
        #: :meth:`bcast`: the measure of communication reported by the benchmarks.
        self.bytes_sent = 0

    @property
    def rank(self) -> int:
        return 0 if self.comm is None else self.comm.Get_rank()

    @property
    def size(self) -> int:
        return 1 if self.comm is None else self.comm.Get_size()

    @property
    def is_root(self) -> bool:
        return self.rank == 0

    def tag(self) -> str:
        return f"[{self.rank}/{self.size}]"

    def log(self, message: str, *, all_ranks: bool = False, file: Any = None) -> None:
        """Print ``[rank/size] message`` on rank 0 (or on every rank with ``all_ranks``).

        ``file``: the stream (default standard output), e.g. ``sys.stderr`` for progress
        lines that must not mix with machine-readable output.
        """
        if self.is_root or all_ranks:
            print(f"{self.tag()} {message}", flush=True, file=file)

    def gather_to_root(self, obj: Any) -> list[Any] | None:
        """Objects of every rank, in rank order, on rank 0 (``None`` elsewhere)."""
        if self.comm is None:
            return [obj]
        if not self.is_root:
            self.bytes_sent += _payload_bytes(obj)
        return self.comm.gather(obj, root=0)

    def bcast(self, obj: Any) -> Any:
        """Rank 0's object on every rank."""
        if self.comm is None:
            return obj
        if self.is_root:
            self.bytes_sent += (self.size - 1) * _payload_bytes(obj)
        return self.comm.bcast(obj, root=0)

    def total_bytes_sent(self) -> int | None:
        """:attr:`bytes_sent` summed over ranks, on rank 0 (``None`` elsewhere).

        The count itself travels uncounted (one small integer per rank).
        """
        if self.comm is None:
            return self.bytes_sent
        parts = self.comm.gather(self.bytes_sent, root=0)
        return None if parts is None else int(sum(parts))

    def barrier(self) -> None:
        if self.comm is not None:
            self.comm.Barrier()

    def abort(self, code: int = 1) -> None:
        """Stop every rank with ``code``.

        ``MPI_Abort`` makes the launcher kill every process at once, and the output this
        rank has just written (the message naming it) may still sit in the launcher's I/O
        forwarding: it was seen lost under load. So the streams are flushed and the launcher
        is given :data:`ABORT_GRACE_SECONDS` to forward them before the abort.
        """
        if self.comm is not None and self.size > 1:
            sys.stdout.flush()
            sys.stderr.flush()
            time.sleep(ABORT_GRACE_SECONDS)
            self.comm.Abort(code)
        raise SystemExit(code)


class RankClock:
    """What one rank's share of a run costs: wall and CPU seconds and the bytes it sent.

    The clocks start when the object is made; :meth:`start_computing` restarts the wall clock
    and the byte count where the computing begins (the CPU clock keeps counting the setup).
    :meth:`gather` brings every rank's figures to rank 0 and :meth:`columns` turns them into
    the ``info`` entries of a run.
    """

    def __init__(self, w: World) -> None:
        self.w = w
        self.cpu0 = time.process_time()
        self.start_computing()

    def start_computing(self) -> None:
        """Restart the wall clock and the byte count (not the CPU clock)."""
        self.wall0 = time.perf_counter()
        self.bytes0 = self.w.bytes_sent

    def gather(self, **extra: Any) -> list[dict[str, Any]] | None:
        """Every rank's ``{"wall", "cpu", "bytes", **extra}`` on rank 0, ``None`` elsewhere
        (the gather's own few bytes are not counted)."""
        return self.w.gather_to_root({
            "wall": time.perf_counter() - self.wall0,
            "cpu": time.process_time() - self.cpu0,
            "bytes": self.w.bytes_sent - self.bytes0,
            **extra,
        })  # fmt: skip

    @staticmethod
    def columns(meta: list[dict[str, Any]]) -> dict[str, Any]:
        """``compute_seconds_per_rank``, ``cpu_seconds_per_rank`` and ``bytes_sent`` (all
        ranks) from the gathered figures."""
        return {
            "compute_seconds_per_rank": [m["wall"] for m in meta],
            "cpu_seconds_per_rank": [m["cpu"] for m in meta],
            "bytes_sent": int(sum(m["bytes"] for m in meta)),
        }


def _payload_bytes(obj: Any) -> int:
    """Size of ``obj`` as mpi4py sends it (pickled with the highest protocol)."""
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


_WORLD: World | None = None


def world() -> World:
    """The process-wide :class:`World` (created on first use)."""
    global _WORLD
    if _WORLD is None:
        _WORLD = World()
    return _WORLD


def item_seed_sequence(seed: int, item: int) -> np.random.SeedSequence:
    """The random stream of global work item ``item`` of a run with ``seed``.

    Independent of the rank that computes it: ``SeedSequence(seed, spawn_key=(item,))``.
    """
    return np.random.SeedSequence(int(seed), spawn_key=(int(item),))


def owned_items(n_items: int, rank: int, size: int) -> range:
    """The contiguous block of global items ``0 … n_items−1`` owned by ``rank`` of ``size``."""
    base, extra = divmod(n_items, size)
    start = rank * base + min(rank, extra)
    stop = start + base + (1 if rank < extra else 0)
    return range(start, stop)


def ordered_gather(w: World, per_item: dict[int, Any]) -> dict[int, Any] | None:
    """Per-item objects of all ranks merged on rank 0, keys in global item order.

    Returns the merged dictionary on rank 0 and ``None`` elsewhere. Items must be unique
    across ranks (each is owned by one rank, :func:`owned_items`).
    """
    gathered = w.gather_to_root(per_item)
    if gathered is None:
        return None
    merged: dict[int, Any] = {}
    for part in gathered:
        overlap = merged.keys() & part.keys()
        if overlap:
            raise ValueError(f"item = {min(overlap)} is outside the allowed range (owned twice)")
        merged.update(part)
    return {item: merged[item] for item in sorted(merged)}


def ordered_sum(w: World, per_item: dict[int, np.ndarray]) -> np.ndarray | None:
    """Sum per-item accumulators over all ranks, in global item order, on rank 0.

    Floating-point addition is not associative; summing in item order (not rank order) makes
    the result bitwise independent of the rank count. Only one accumulator per item travels.
    Returns the sum on rank 0 and ``None`` elsewhere.
    """
    merged = ordered_gather(w, per_item)
    if merged is None:
        return None
    total: np.ndarray | None = None
    for item in merged:
        total = np.array(merged[item], copy=True) if total is None else total + merged[item]
    return total


@contextlib.contextmanager
def abort_on_failure(w: World | None = None) -> Iterator[None]:
    """Run a block; on any exception print it tagged with the rank and stop every rank.

    ``ValueError`` (bad input) prints one line; anything else prints its traceback. Under MPI
    with more than one rank, ``MPI_Abort`` takes the other ranks down with exit code 1.
    """
    w = w or world()
    try:
        yield
    except (SystemExit, ResultAlreadyComplete):  # every rank raises it: nothing to stop
        raise
    except BaseException as exc:  # noqa: BLE001 - deliberately total
        if isinstance(exc, (ValueError, OSError, MemoryError)):
            text = str(exc) if isinstance(exc, ValueError) else (
                "out of memory: reduce the size options" if isinstance(exc, MemoryError)
                else one_line_os_error(exc)
            )  # fmt: skip
            print(f"{w.tag()} error on rank {w.rank}: {text}", file=sys.stderr, flush=True)
            code = 2
        else:
            print(f"{w.tag()} failure on rank {w.rank}:", file=sys.stderr, flush=True)
            traceback.print_exc()
            sys.stderr.flush()
            code = 1
        w.abort(code)
