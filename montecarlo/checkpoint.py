"""Distributed, restartable Monte Carlo runs of the collision integral.

The physics is :func:`montecarlo.drag_mc.estimate_drag`; this module decides who computes
which batches, what travels, and when the run's state is saved.

Work and random numbers
    Every iteration is cut into batches of ``batch_size`` points (:mod:`montecarlo.integrator`).
    Batch ``b`` of iteration ``i`` draws from ``SeedSequence(seed, spawn_key=(i, b))``; ranks
    own contiguous blocks of batches (:func:`dragcore.parallel.owned_items`). Nothing about
    the numbers depends on the rank count.

What travels
    Per iteration, each rank sends rank 0 the sums over the complete subtrees of the batch
    tree inside its block (:func:`montecarlo.integrator.partial_sums`: at most ``2 log₂ B``
    accumulators of K + K² + D·N numbers plus the variances of the hypercubes they touch),
    and rank 0 broadcasts the iteration's totals. Never per-sample values. Production
    iterations send the estimate alone (K + K² numbers per partial sum, about 1.3 kB per
    iteration on 2 ranks whatever ``n_eval``); training iterations also send the map
    histogram and the per-hypercube variances of the strata, one number per hypercube
    (≈ ``n_eval/4`` up to ``max_hcubes``: 2.9 MB per training iteration at ``n_eval = 10⁶``
    on 2 ranks, most of it the broadcast of the variances). Rank 0 finishes
    the same fixed tree a single process would, so the estimate has the same bits on 1, 2 or
    N ranks.

Checkpoints
    After every iteration (or every ``k`` iterations, or at a wall-time interval) rank 0 —
    which holds, like every rank, the whole adapted state — writes::

        <dir>/manifest.json     the run's identity (collision parameters, n_eval, seed, …)
        <dir>/state.npz         integrator state (map edges, strata, iteration counter) as
                                JSON, the finished iterations' records, warnings, wall time

    atomically (temporary file in the same directory, ``fsync``, ``os.replace``). The random
    positions need no saving: they are implied by the (seed, iteration, batch) keys. A run
    killed at any moment and restarted with ``resume=True`` — on any number of ranks —
    restores the integrator (:meth:`Integrator.from_dict`), skips the saved iterations and
    ends with the bits of the uninterrupted run. A checkpoint of a different run (another
    identity) is refused, and so is a fresh run over an existing checkpoint and a directory
    holding anything but these files (:class:`dragcore.checkpoint.CheckpointDirectory`:
    the clean-up deletes ``state.npz`` and the manifest, nothing else).
"""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dragcore import __version__, units
from dragcore.checkpoint import CheckpointDirectory, SavePolicy
from dragcore.parallel import RankClock, World, world
from dragcore.run import prepare_checkpoint
from layers.bilayer import Bilayer
from montecarlo.collision import OUTPUT_NAMES, collision_dim, collision_params
from montecarlo.drag_mc import (
    DEFAULT_BINS,
    DEFAULT_RECIPE,
    CollisionRecipe,
    DragEstimate,
    collision_integrator,
    estimate_drag,
)
from montecarlo.integrator import Integrator, distributed_batch_runner
from montecarlo.result import IterationRecord, format_estimate

__all__ = [
    "CheckpointPolicy",
    "CheckpointStore",
    "SavedRun",
    "DistributedRun",
    "run_identity",
    "run_distributed",
]

STATE_FILE = "state.npz"


class CheckpointPolicy(SavePolicy):
    """When rank 0 saves the run's state.

    Parameters
    ----------
    iterations
        Save every ``iterations`` iterations; ``None``: no count-based saves.
    seconds
        Wall-time interval between saves (s); ``None``: no time-based saves.

    The default (``iterations=1``) saves after every iteration: the state is a few tens of kB
    (map edges, strata counts, records) and takes about a millisecond to write.
    """

    def __init__(self, iterations: int | None = 1, seconds: float | None = None) -> None:
        super().__init__(iterations, seconds, "checkpoint iterations")

    def iteration_done(self) -> bool:
        """Count an iteration; ``True`` if a save is due now (and restart the clocks)."""
        return self.step_done()


def run_identity(
    bilayer: Bilayer, T: float, recipe: CollisionRecipe, *, seed: int, screening: str = "T0"
) -> dict:
    """Everything that fixes the bits of a run; a checkpoint resumes only the same identity.

    The collision parameter vector (:func:`montecarlo.collision.collision_params`, every
    number the integrand sees) stands for the bilayer, the temperature and the screening;
    ``outputs`` names the sampled outputs (a checkpoint of a kernel with other outputs is
    refused by name, not misread). The ``recipe``'s adaptation exponent ``alpha`` and its
    ``adapt_weights`` enter only where they are not the defaults (so the identity of a run
    with the default recipe keeps its keys).
    """
    extra: dict = {}
    if recipe.alpha != DEFAULT_RECIPE.alpha:
        extra["alpha"] = float(recipe.alpha)
    if tuple(recipe.adapt_weights) != tuple(DEFAULT_RECIPE.adapt_weights):
        extra["adapt_weights"] = [float(v) for v in recipe.adapt_weights]
    return {
        "collision_params": [float(v) for v in collision_params(bilayer, T, screening=screening)],
        "outputs": list(OUTPUT_NAMES),
        "dim": int(collision_dim(bilayer)),
        "n_eval": int(recipe.n_eval),
        "n_train": int(recipe.n_train),
        "n_prod": int(recipe.n_prod),
        "seed": int(seed),
        "n_bins": int(recipe.n_bins),
        "batch_size": int(recipe.batch_size),
        "max_hcubes": int(recipe.max_hcubes),
        **extra,
    }


def recipe_of(recipe: CollisionRecipe | None, **settings) -> CollisionRecipe:
    """The Monte Carlo settings of :func:`run_distributed`: ``recipe``, or one built from the
    keyword ``settings`` (``n_eval``, ``n_train``, ``n_prod`` required); not both."""
    if recipe is None:
        missing = [k for k in ("n_eval", "n_train", "n_prod") if settings[k] is None]
        if missing:
            raise TypeError(f"run_distributed() missing keyword argument {missing[0]!r}")
        return DEFAULT_RECIPE.with_(**settings)
    defaults = inspect.signature(run_distributed).parameters  # the settings' defaults
    given = [k for k, v in settings.items() if v != defaults[k].default]
    if given:
        raise TypeError(f"run_distributed() setting = {given[0]!r} is outside the allowed "
                        "range (a recipe holds the settings: give one or the other)")  # fmt: skip
    return recipe


@dataclass
class SavedRun:
    """The state saved after an iteration: enough to continue bitwise."""

    integrator: dict
    records: list[IterationRecord]
    warnings: list[str]
    wall_seconds: float


class CheckpointStore(CheckpointDirectory):
    """The checkpoint directory of one Monte Carlo run: its manifest and ``state.npz`` (module
    docstring), made with the run's :func:`run_identity` (checked on resume)."""

    OWN_FILES = re.compile(rf"^{re.escape(STATE_FILE)}$")

    @property
    def state(self) -> Path:
        return self.directory / STATE_FILE

    def save(
        self,
        integrator: Integrator,
        records: list[IterationRecord],
        warnings: list[str],
        wall_seconds: float,
    ) -> None:
        """Save the state right after the last of ``records`` (atomically)."""
        n, k = len(records), integrator_outputs(records)
        super().save(
            self.state,
            version=np.array(__version__),
            integrator=np.array(json.dumps(integrator.as_dict())),
            warnings=np.array(json.dumps(list(warnings))),
            wall_seconds=np.float64(wall_seconds),
            index=np.array([r.index for r in records], dtype=np.int64),
            phase=np.array(json.dumps([r.phase for r in records])),
            mean=np.array([r.mean for r in records]).reshape(n, k),
            covariance=np.array([r.covariance for r in records]).reshape(n, k, k),
            n_eval=np.array([r.n_eval for r in records], dtype=np.int64),
            n_nonzero=np.array([r.n_nonzero for r in records], dtype=np.int64),
            n_batches=np.array([r.n_batches for r in records], dtype=np.int64),
            seconds=np.array([r.seconds for r in records], dtype=float),
        )

    def load(self) -> SavedRun | None:
        """The saved state, or ``None`` if no iteration was saved yet."""
        if not self.state.exists():
            return None
        with self.open(self.state) as z:
            phases = json.loads(str(z["phase"]))
            records = [
                IterationRecord(
                    index=int(z["index"][i]),
                    phase=phases[i],
                    mean=np.array(z["mean"][i]),
                    covariance=np.array(z["covariance"][i]),
                    n_eval=int(z["n_eval"][i]),
                    n_nonzero=int(z["n_nonzero"][i]),
                    n_batches=int(z["n_batches"][i]),
                    seconds=float(z["seconds"][i]),
                )
                for i in range(len(phases))
            ]
            return SavedRun(
                integrator=json.loads(str(z["integrator"])),
                records=records,
                warnings=json.loads(str(z["warnings"])),
                wall_seconds=float(z["wall_seconds"]),
            )

    def saved_iterations(self) -> int:
        """Number of iterations in the saved state (0 if none)."""
        saved = self.load()
        return 0 if saved is None else len(saved.records)


def integrator_outputs(records: list[IterationRecord]) -> int:
    """K, the number of integrands, from the records (0 for none)."""
    return int(records[0].mean.size) if records else 0


@dataclass
class DistributedRun:
    """The estimate, the final sampling state and what the run cost (rank 0).

    ``info`` holds ``ranks``, ``wall_seconds`` (this invocation), ``wall_seconds_before``
    (earlier, interrupted ones), ``compute_seconds_per_rank``, ``cpu_seconds_per_rank``,
    ``bytes_sent`` (payload all ranks sent while iterating), ``bytes_per_iteration``,
    ``bytes_by_iteration``, ``bytes_per_train_iteration``, ``bytes_per_prod_iteration``,
    ``iterations_run``, ``resumed_iterations`` (found in the checkpoint), ``n_batches`` and
    ``identity`` (:func:`run_identity`).
    """

    estimate: DragEstimate
    integrator: Integrator
    info: dict = field(default_factory=dict)


def _progress_line(w: World, n_total: int, t_start: float):
    pa = units.internal_viscosity_to_pascal_second

    def show(r: IterationRecord) -> None:
        value = format_estimate(pa(float(r.mean[0])), pa(float(r.sdev[0])))
        nonzero = r.n_nonzero / r.n_eval if r.n_eval else 0.0
        w.log(
            f"iteration {r.index + 1}/{n_total} {r.phase:5s} {OUTPUT_NAMES[0]} = {value} Pa s, "
            f"nonzero {nonzero:.3f}, {r.n_batches} batches, {r.seconds:.2f} s "
            f"(elapsed {time.perf_counter() - t_start:.1f} s)",
            file=sys.stderr,
        )

    return show


def run_distributed(
    bilayer: Bilayer,
    T: float,
    *,
    n_eval: int | None = None,
    n_train: int | None = None,
    n_prod: int | None = None,
    seed: int,
    n_bins: int = DEFAULT_BINS,
    batch_size: int = DEFAULT_RECIPE.batch_size,
    max_hcubes: int = DEFAULT_RECIPE.max_hcubes,
    recipe: CollisionRecipe | None = None,
    w: World | None = None,
    checkpoint_dir: str | os.PathLike | None = None,
    resume: bool = False,
    policy: CheckpointPolicy | None = None,
    progress: bool = False,
    screening: str = "T0",
) -> DistributedRun | None:
    """:func:`~montecarlo.drag_mc.estimate_drag` with its batches spread over the ranks of ``w``.

    Parameters
    ----------
    bilayer, T
        The bilayer and the temperature (erg), identical on every rank.
    n_eval, n_train, n_prod, seed, n_bins, batch_size, max_hcubes, screening
        As for :func:`~montecarlo.drag_mc.estimate_drag`.
    recipe
        The Monte Carlo settings as one :class:`~montecarlo.drag_mc.CollisionRecipe`, instead
        of ``n_eval`` … ``max_hcubes`` (which must then be left out).
    w
        The MPI world (default: :func:`dragcore.parallel.world`); every rank calls this.
    checkpoint_dir
        Checkpoint directory (``None``: no checkpoints). Left in place; the caller removes
        it (:meth:`CheckpointStore.remove`) once the results are written.
    resume
        Continue from ``checkpoint_dir`` (which must belong to the same run).
    policy
        When to save (default: after every iteration).
    progress
        A line per iteration on rank 0 (standard error).

    Returns
    -------
    The :class:`DistributedRun` (its ``info``: the cost) on rank 0, ``None`` elsewhere.
    """
    w = w or world()
    t0 = time.perf_counter()
    clock = RankClock(w)
    recipe = recipe_of(recipe, n_eval=n_eval, n_train=n_train, n_prod=n_prod, n_bins=n_bins,
                       batch_size=batch_size, max_hcubes=max_hcubes)  # fmt: skip
    identity = run_identity(bilayer, T, recipe, seed=seed, screening=screening)
    store, integ, saved = _starting_point(bilayer, recipe, identity, w, checkpoint_dir, resume)
    if saved.records and w.is_root and progress:
        w.log(f"resumed after iteration {len(saved.records)} (checkpoint {checkpoint_dir})",
              file=sys.stderr)  # fmt: skip
    hook = _AfterIteration(w, clock, store, policy or CheckpointPolicy(), integ, saved, t0)
    n_total = recipe.n_train + recipe.n_prod
    show = _progress_line(w, n_total, t0) if (progress and w.is_root) else None
    clock.start_computing()
    runner = distributed_batch_runner(w) if w.size > 1 else None
    est = estimate_drag(
        bilayer, T, recipe, seed=seed, screening=screening, batch_runner=runner, progress=show,
        integrator=integ, previous=saved.records, previous_warnings=saved.warnings,
        after_iteration=hook,
    )  # fmt: skip
    meta = clock.gather(by_iteration=hook.sent_by_iteration)
    if not w.is_root:
        return None
    hook.save(est.result.iterations, est.result.warnings)  # whatever the policy skipped
    info = _run_info(w, est, meta, saved, time.perf_counter() - t0)
    return DistributedRun(est, integ, {**info, "identity": identity})


class _AfterIteration:
    """Called after every iteration (:func:`~montecarlo.drag_mc.estimate_drag`'s
    ``after_iteration``): counts the bytes the iteration sent and, on rank 0, saves the state
    when the policy says so."""

    def __init__(
        self,
        w: World,
        clock: RankClock,
        store: CheckpointStore | None,
        policy: CheckpointPolicy,
        integrator: Integrator,
        saved: SavedRun,
        t0: float,
    ) -> None:
        self.w, self.clock, self.store, self.policy = w, clock, store, policy
        self.integrator, self.wall_before, self.t0 = integrator, saved.wall_seconds, t0
        self.sent_by_iteration: list[int] = []

    def __call__(self, records: list[IterationRecord], warnings: list[str]) -> None:
        sent = self.w.bytes_sent - self.clock.bytes0 - sum(self.sent_by_iteration)
        self.sent_by_iteration.append(sent)
        if self.store is not None and self.w.is_root and self.policy.iteration_done():
            self.save(records, warnings)

    def save(self, records: list[IterationRecord], warnings: list[str]) -> None:
        """Save the state after ``records`` (no checkpoint directory: nothing)."""
        if self.store is not None:
            wall = self.wall_before + time.perf_counter() - self.t0
            self.store.save(self.integrator, records, warnings, wall)


def _starting_point(
    bilayer: Bilayer,
    recipe: CollisionRecipe,
    identity: dict,
    w: World,
    checkpoint_dir: str | os.PathLike | None,
    resume: bool,
) -> tuple[CheckpointStore | None, Integrator, SavedRun]:
    """The checkpoint store (``None``: no checkpoints), the integrator to continue and the
    saved state to continue from (empty for a fresh run)."""
    store, saved = None, None
    if checkpoint_dir is not None:
        store = CheckpointStore(checkpoint_dir, identity)
        saved = prepare_checkpoint(store, resume, w, load=store.load)
    if saved is None:
        return store, collision_integrator(bilayer, recipe), SavedRun({}, [], [], 0.0)
    return store, Integrator.from_dict(saved.integrator), saved


def _run_info(
    w: World, est: DragEstimate, meta: list[dict], saved: SavedRun, wall_seconds: float
) -> dict:
    """What the run cost (the ``info`` of :func:`run_distributed`, but its identity)."""
    iterations = est.result.iterations
    previous = len(saved.records)
    run_count = len(iterations) - previous
    cost = RankClock.columns(meta)
    by_iteration = np.sum([m["by_iteration"] for m in meta], axis=0).astype(int).tolist()
    phases = [r.phase for r in iterations[previous:]]

    def mean_bytes(phase: str) -> float:
        sel = [b for b, ph in zip(by_iteration, phases, strict=True) if ph == phase]
        return sum(sel) / len(sel) if sel else 0.0

    return {
        "ranks": w.size,
        "wall_seconds": wall_seconds,
        "wall_seconds_before": saved.wall_seconds,
        **cost,
        "bytes_per_iteration": cost["bytes_sent"] / run_count if run_count else 0.0,
        "bytes_by_iteration": by_iteration,
        "bytes_per_train_iteration": mean_bytes("train"),
        "bytes_per_prod_iteration": mean_bytes("prod"),
        "iterations_run": run_count,
        "resumed_iterations": previous,
        "n_batches": [r.n_batches for r in iterations],
    }
