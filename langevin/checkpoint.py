"""Distributed, restartable Langevin runs: realisations over MPI ranks, checkpoints per realisation.

The physics is :class:`langevin.engine.Engine`; this module only decides who steps
which realisation, when its position is saved, and what travels to rank 0.

Work and random numbers
    Realisations ``0 … R−1`` are split into contiguous blocks over the ranks
    (:func:`dragcore.parallel.owned_items`). Realisation ``r`` draws from its own stream
    ``SeedSequence(seed, spawn_key=(r,))``, so its numbers do not depend on the rank count.

What travels
    Per realisation, once, at the end: its mean, error bars, ``τ_int``, the per-block means
    (``⌈n_steps/block_steps⌉`` numbers) and optionally the final real-space snapshot. The
    per-step series stay on the rank that computed them; there is no communication while
    stepping. Rank 0 combines the realisations in realisation order
    (:meth:`langevin.engine.Engine.result`), so the estimate has the same bits on 1, 2 or N
    ranks — and the same bits as ``Engine.run`` in one process.

Checkpoints
    A checkpoint is a directory, global in the sense that it is keyed by realisation and
    not by rank::

        <dir>/manifest.json           the run's identity (model, grid, stepper, seed, R, …)
        <dir>/r000003.progress.npz    realisation 3 between two blocks: state, generator
                                      position (SFC64 state, or the Philox key and the
                                      integer position), force series so far
        <dir>/r000001.done.npz        realisation 1 finished: its summary record

    Each rank writes the files of the realisations it owns, each atomically (temporary file
    in the same directory, then ``os.replace``), at a wall-time interval and/or every ``k``
    blocks, and a ``done`` record whenever a realisation finishes. A run killed at any
    moment and restarted with ``resume=True`` — on any number of ranks — continues every
    realisation from its last saved block. Because a realisation's random numbers come
    block by block from its own generator, whose position is saved, the continued run draws
    exactly the numbers the uninterrupted one draws: the final estimates agree bit for bit.
    (Checkpoints need the ``numpy`` or ``philox`` back-end; numba's generator state cannot
    be saved.) A directory holding anything but these files is refused, and the clean-up
    deletes these files and the manifest, nothing else
    (:class:`dragcore.checkpoint.CheckpointDirectory`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dragcore.checkpoint import CheckpointDirectory, SavePolicy
from dragcore.checks import require_positive
from dragcore.parallel import RankClock, World, ordered_gather, owned_items, world
from dragcore.philox import PhiloxStream
from dragcore.run import prepare_checkpoint
from langevin.engine import Engine
from langevin.noise import NoiseSource
from langevin.results import RealisationProgress, RealisationResult, RunResult, _Progress

__all__ = [
    "CheckpointPolicy",
    "CheckpointStore",
    "realisation_record",
    "run_identity",
    "run_distributed",
]

_NAME = re.compile(r"^r(\d{6})\.(progress|done)\.npz$")


class CheckpointPolicy(SavePolicy):
    """When a rank saves the position of the realisation it is stepping.

    Parameters
    ----------
    seconds
        Wall-time interval between saves (s); ``None``: no time-based saves.
    blocks
        Save every ``blocks`` blocks of steps; ``None``: no block-count saves.
    """

    def __init__(self, seconds: float | None = None, blocks: int | None = None) -> None:
        super().__init__(blocks, seconds, "checkpoint blocks")

    def block_done(self) -> bool:
        """Count a block; ``True`` if a save is due now (and restart the clocks)."""
        return self.step_done()


def run_identity(sim: Engine, seed: int, n_realisations: int, n_steps: int) -> dict:
    """Everything that fixes the bits of a run; a checkpoint resumes only the same identity."""
    p = sim.model.params
    params = {}
    for f in dataclasses.fields(p):
        v = getattr(p, f.name)
        if isinstance(v, np.ndarray):
            v = v.tolist()
        elif dataclasses.is_dataclass(v):
            v = dataclasses.asdict(v)
        params[f.name] = v
    return {
        "parameters": params,
        "grid": {"n": sim.grid.n, "length": sim.grid.length},
        "scheme": sim.scheme,
        "dt": sim.dt,
        "common_random_numbers": sim.crn,
        "rng_backend": sim.rng_backend,
        "block_steps": sim.block_steps,
        "seed": int(seed),
        "n_realisations": int(n_realisations),
        "n_steps": int(n_steps),
        "model": sim.model.options,
        "burn_in": int(sim.burn_in),
        "linear_twin_mean": sim.linear_twin_mean,
        # only where set, so the identities of the runs without it stay as they were
        **({"antithetic": True} if sim.antithetic else {}),
    }


#: The ``bit_generator`` name under which a :class:`PhiloxStream` position is saved.
PHILOX_STREAM = "Philox4x64-10 normal stream"


def _rng_state_json(rng: np.random.Generator | PhiloxStream) -> str:
    if isinstance(rng, PhiloxStream):
        return json.dumps({"bit_generator": PHILOX_STREAM, **rng.state()})
    state = rng.bit_generator.state
    inner = {k: np.asarray(v).tolist() for k, v in state["state"].items()}
    return json.dumps({**state, "state": inner})


def _rng_from_json(text: str) -> np.random.Generator | PhiloxStream:
    state = json.loads(text)
    if state["bit_generator"] == PHILOX_STREAM:
        return PhiloxStream.from_state(state)
    if state["bit_generator"] != "SFC64":
        raise ValueError(f"bit generator = {state['bit_generator']!r} is outside the allowed range")
    state["state"] = {k: np.array(v, dtype=np.uint64) for k, v in state["state"].items()}
    bg = np.random.SFC64()
    bg.state = state
    return np.random.Generator(bg)


class CheckpointStore(CheckpointDirectory):
    """The checkpoint directory of one run (see the module docstring for its layout).

    Parameters
    ----------
    directory
        The directory (created by :meth:`prepare`).
    identity
        :func:`run_identity` of the run; stored in ``manifest.json`` and checked on resume.
    """

    OWN_FILES = _NAME

    def _path(self, index: int, kind: str) -> Path:
        return self.directory / f"r{index:06d}.{kind}.npz"

    def save_progress(self, prog: RealisationProgress) -> None:
        """Save a realisation between blocks (state, generator position, forces so far)."""
        self.save(
            self._path(prog.index, "progress"),
            steps_done=np.int64(prog.steps_done),
            state=prog.state,
            rng_state=np.array(_rng_state_json(prog.rng)),
            forces=prog.forces[: prog.steps_done],
            moments=prog.moments,
        )

    def load_progress(self, index: int, n_steps: int) -> RealisationProgress | None:
        """The saved position of realisation ``index``, or ``None``."""
        path = self._path(index, "progress")
        if not path.exists():
            return None
        with self.open(path) as z:
            done = int(z["steps_done"])
            forces = np.empty((n_steps,) + z["forces"].shape[1:])
            forces[:done] = z["forces"]
            return RealisationProgress(
                index=index,
                n_steps=n_steps,
                steps_done=done,
                state=np.ascontiguousarray(z["state"]),
                rng=_rng_from_json(str(z["rng_state"])),
                forces=forces,
                moments=np.ascontiguousarray(z["moments"]),
            )

    def save_done(self, record: dict[str, Any]) -> None:
        """Save a finished realisation's record; its progress file is no longer needed."""
        index = int(record["index"])
        arrays = {k: np.asarray(v) for k, v in record.items() if v is not None}
        self.save(self._path(index, "done"), **arrays)
        self._path(index, "progress").unlink(missing_ok=True)

    def load_done(self, index: int) -> dict[str, Any] | None:
        """The record of realisation ``index`` if it finished, else ``None``."""
        path = self._path(index, "done")
        if not path.exists():
            return None
        with self.open(path) as z:
            rec = {k: z[k] for k in z.files if not k.startswith("_")}
        for key in ("index",):
            rec[key] = int(rec[key])
        for key in ("mean", "error", "blocking_error", "tau_int"):
            rec[key] = float(rec[key])
        rec.setdefault("snapshot", None)
        rec.setdefault("constraint", None)
        return rec

    def saved(self) -> dict[str, list[int]]:
        """Saved realisations: ``{"progress": [indices…], "done": [indices…]}``."""
        out: dict[str, list[int]] = {"progress": [], "done": []}
        if self.directory.exists():
            for p in self.directory.iterdir():
                m = _NAME.match(p.name)
                if m:
                    out[m.group(2)].append(int(m.group(1)))
        return {k: sorted(v) for k, v in out.items()}


def realisation_record(res: RealisationResult, snapshot: bool) -> dict[str, Any]:
    """What travels to rank 0 for one realisation: summary, block means, optional snapshot."""
    return {
        "index": res.index,
        "mean": res.mean,
        "error": res.error,
        "blocking_error": res.blocking_error,
        "tau_int": res.tau_int,
        "block_means": res.block_means,
        "snapshot": res.snapshot if snapshot else None,
        "constraint": None if res.constraint is None else np.array(res.constraint),
    }


def run_distributed(
    sim: Engine,
    seed: int,
    n_realisations: int,
    n_steps: int,
    *,
    w: World | None = None,
    checkpoint_dir: str | os.PathLike | None = None,
    resume: bool = False,
    policy: CheckpointPolicy | None = None,
    snapshots: bool = True,
    progress: bool = False,
    with_exact_sdev: bool = True,
) -> RunResult | None:
    """A run of ``n_realisations`` × ``n_steps`` spread over the ranks of ``w``.

    Parameters
    ----------
    sim
        The simulation (identical on every rank).
    seed, n_realisations, n_steps
        As for :meth:`Engine.run`.
    w
        The MPI world (default: :func:`dragcore.parallel.world`).
    checkpoint_dir
        Checkpoint directory (``None``: no checkpoints). Left in place; the caller removes
        it (:meth:`CheckpointStore.remove`) once the results are written.
    resume
        Continue from ``checkpoint_dir`` (which must belong to the same run).
    policy
        When to save positions (default: every 10 minutes of wall time).
    snapshots
        Bring each realisation's final real-space fields to rank 0.
    progress
        Progress line on rank 0 (rank 0's own share of the work).
    with_exact_sdev
        Compute the exact standard deviation of the estimate (rank 0).

    Returns
    -------
    The :class:`RunResult` on rank 0 (realisations carry no per-step series; no exact value:
    :meth:`langevin.comparison.ExactComparison.compare` attaches it), ``None`` elsewhere.
    ``info`` holds ``ranks``, ``wall_seconds``, ``bytes_sent`` (payload all ranks sent during
    the run) and ``resumed`` (realisations found done / in progress).
    """
    w = w or world()
    require_positive("n_realisations", n_realisations)
    require_positive("n_steps", n_steps)
    clock = RankClock(w)
    store = _checkpoint_store(sim, checkpoint_dir, resume, w, seed, n_realisations, n_steps)
    mine = owned_items(int(n_realisations), w.rank, w.size)
    tracker = None
    if progress and w.is_root:
        tracker = _Progress(len(mine) * int(n_steps), sim.modes.size * len(sim.systems))
    owned = _OwnedRealisations(sim, seed, int(n_steps), store if resume else None, store,
                               policy or CheckpointPolicy(seconds=600.0), tracker)  # fmt: skip
    records = {r: owned.record(r, snapshots) for r in mine}
    if tracker is not None:
        tracker.close()
    merged = ordered_gather(w, records)
    meta = clock.gather(found=owned.found)
    if not w.is_root:
        return None
    realisations = [_realisation_from_record(rec) for rec in merged.values()]
    cost = RankClock.columns(meta)
    info = {
        **sim.info(seed, n_realisations, n_steps, time.perf_counter() - clock.wall0),
        "compute_seconds_per_rank": cost["compute_seconds_per_rank"],
        "cpu_seconds_per_rank": cost["cpu_seconds_per_rank"],
        "field_names": list(sim.model.state_names),
        "ranks": w.size,
        "bytes_sent": cost["bytes_sent"],
        "bytes_per_step": cost["bytes_sent"] / n_steps,
        "resumed_done": int(sum(m["found"]["done"] for m in meta)),
        "resumed_in_progress": int(sum(m["found"]["progress"] for m in meta)),
        **({"identity": store.identity} if store is not None else {}),
    }
    return sim.result(realisations, info, with_exact_sdev)


def _checkpoint_store(sim, checkpoint_dir, resume: bool, w: World, seed: int,
                      n_realisations: int, n_steps: int) -> CheckpointStore | None:  # fmt: skip
    """The run's checkpoint directory, prepared on every rank (``None``: no checkpoints)."""
    if checkpoint_dir is None:
        return None
    if not sim.noise.checkpointable:
        raise ValueError(
            f"rng_backend = {sim.rng_backend!r} is outside the allowed range "
            f"{list(NoiseSource.names(checkpointable=True))} for checkpoints (numba's "
            "generator state cannot be saved)"
        )
    store = CheckpointStore(checkpoint_dir, run_identity(sim, seed, n_realisations, n_steps))
    prepare_checkpoint(store, resume, w)
    return store


@dataclass
class _OwnedRealisations:
    """The realisations a rank computes: each found done, continued from its saved position
    or begun, stepped block by block with saves by ``policy``, and saved when done."""

    sim: Engine
    seed: int
    n_steps: int
    resume_from: CheckpointStore | None
    store: CheckpointStore | None
    policy: CheckpointPolicy
    tracker: _Progress | None
    found: dict[str, int] = field(default_factory=lambda: {"done": 0, "progress": 0})

    def record(self, r: int, snapshots: bool) -> dict[str, Any]:
        """Realisation ``r``'s record (its snapshot only with ``snapshots``)."""
        rec = self.resume_from.load_done(r) if self.resume_from is not None else None
        if rec is not None:
            self.found["done"] += 1
            self._update(self.n_steps)
        else:
            rec = self._compute(r)
        return rec if snapshots else {**rec, "snapshot": None}

    def _update(self, steps: int) -> None:
        if self.tracker is not None:
            self.tracker.update(steps)

    def _compute(self, r: int) -> dict[str, Any]:
        sim, store = self.sim, self.store
        prog = self.resume_from.load_progress(r, self.n_steps) if self.resume_from else None
        if prog is None:
            prog = sim.begin_realisation(self.seed, r, self.n_steps)
        else:
            self.found["progress"] += 1
            self._update(prog.steps_done)
        step_done = None if self.tracker is None else self.tracker.update
        while not sim.advance_realisation(prog, 1, progress=step_done):
            if store is not None and self.policy.block_done():
                store.save_progress(prog)
        full = realisation_record(sim.finish_realisation(prog), snapshot=True)
        if store is not None:  # saved whole: a resume may want the snapshot
            store.save_done(full)
        return full


def _realisation_from_record(rec: dict[str, Any]) -> RealisationResult:
    """A realisation as rank 0 receives it: summary, block means, snapshot; no series."""
    return RealisationResult(
        rec["index"], None, None, rec["mean"], rec["error"], rec["blocking_error"],
        rec["tau_int"], snapshot=rec.get("snapshot"), block_means=rec["block_means"],
        constraint=None if rec.get("constraint") is None else tuple(rec["constraint"]),
    )  # fmt: skip
