"""The batch tree of an iteration: what a batch returns, and how the batches are added.

A batch returns only accumulators (:class:`BatchAccumulator`), never per-sample values; they
are added along a binary tree fixed by the batch indices alone (:func:`reduction_nodes`), so
the bits do not depend on how batches were grouped over workers or threads. A worker adds
every complete subtree inside its contiguous range itself (:func:`partial_sums`); the root
finishes the tree (:func:`combine_partials`). See :mod:`montecarlo.integrator`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dragcore.parallel import World, owned_items

__all__ = [
    "IterationPlan",
    "batch_seed_sequence",
    "batch_boundaries",
    "distributed_batch_runner",
    "BatchAccumulator",
    "IterationTotals",
    "Node",
    "reduction_nodes",
    "partial_sums",
    "combine_partials",
    "combine_batches",
]

Node = tuple[int, int]
BatchRun = Callable[[Sequence[int]], dict[int, "BatchAccumulator"]]
BatchRunner = Callable[
    ["IterationPlan", BatchRun], "Mapping[int, BatchAccumulator] | IterationTotals"
]


def batch_seed_sequence(seed: int, iteration: int, batch: int) -> np.random.SeedSequence:
    """The random stream of batch ``batch`` of iteration ``iteration`` of a run with ``seed``.

    ``SeedSequence(seed, spawn_key=(iteration, batch))``: the tuple-keyed analogue of
    :func:`dragcore.parallel.item_seed_sequence`, independent of the worker that runs it.
    """
    return np.random.SeedSequence(int(seed), spawn_key=(int(iteration), int(batch)))


def batch_boundaries(counts: np.ndarray, batch_size: int) -> np.ndarray:
    """Point offsets ``0 = P_0 < P_1 < … < P_B = Σ counts`` cutting the iteration into batches.

    Nominal cuts at multiples of ``batch_size`` are moved by one point where they would leave
    a piece of a single point on either side (every hypercube has ≥ 2 points, so a piece of
    ≥ 2 always has a sample variance).
    """
    ends = np.cumsum(counts)
    starts = ends - counts
    total = int(ends[-1])
    cuts = np.arange(batch_size, total, batch_size, dtype=np.int64)
    h = np.searchsorted(ends, cuts, side="right")
    offset = cuts - starts[h]
    cuts = np.where(offset == 1, cuts - 1, cuts)
    cuts = np.where((offset != 1) & (counts[h] - offset == 1), cuts + 1, cuts)
    cuts = cuts[(cuts > 0) & (cuts < total)]
    return np.concatenate(([0], cuts, [total])).astype(np.int64)


@dataclass(frozen=True)
class IterationPlan:
    """Everything a worker needs to compute any batch of one iteration (read-only).

    Attributes
    ----------
    iteration
        Integrator iteration number (key of the random streams).
    phase
        ``"train"`` or ``"prod"``.
    seed
        Seed of the run.
    edges
        The adaptive map's edges ``(D, N+1)``, frozen for this iteration.
    per_axis
        Hypercubes per axis ``m``.
    counts
        Points per hypercube (``m^D``).
    bounds
        Batch boundaries in the point sequence (:func:`batch_boundaries`).
    n_out
        Number of integrands K.
    adapt_weights
        ``w_k ≥ 0``: the map and the strata adapt to ``Σ_k w_k (J f_k)²``.
    """

    iteration: int
    phase: str
    seed: int
    edges: np.ndarray
    per_axis: int
    counts: np.ndarray
    bounds: np.ndarray
    n_out: int
    adapt_weights: np.ndarray

    @property
    def dim(self) -> int:
        return self.edges.shape[0]

    @property
    def n_bins(self) -> int:
        return self.edges.shape[1] - 1

    @property
    def n_batches(self) -> int:
        return self.bounds.size - 1

    @property
    def n_eval(self) -> int:
        return int(self.bounds[-1])

    @property
    def n_hcubes(self) -> int:
        return self.counts.size

    @functools.cached_property
    def hcube_ends(self) -> np.ndarray:
        """Offset just past each hypercube's points in the iteration's point sequence."""
        return np.cumsum(self.counts)

    def pieces(self, batch: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(hypercube, points in this batch, points in the whole hypercube)`` per piece."""
        first, stop = int(self.bounds[batch]), int(self.bounds[batch + 1])
        ends = self.hcube_ends
        h0 = int(np.searchsorted(ends, first, side="right"))
        h1 = int(np.searchsorted(ends, stop - 1, side="right"))
        hcube = np.arange(h0, h1 + 1, dtype=np.int64)
        total = self.counts[h0 : h1 + 1].astype(np.int64)
        count = total.copy()
        for i, h in ((0, h0), (-1, h1)):  # only the end pieces can be partial
            end = int(ends[h])
            count[i] = min(end, stop) - max(end - int(total[i]), first)
        if total.min() > 0:
            return hcube, count, total
        keep = count > 0  # hypercubes without points (not made by Strata)
        return hcube[keep], count[keep], total[keep]


@dataclass
class BatchAccumulator:
    """What one batch sends back (no per-sample values).

    ``integral`` (K) and ``covariance`` (K, K) are the batch's additive contributions to the
    iteration's estimate and its covariance; ``histogram`` (D, N) feeds the map;
    ``hcube_variance`` covers hypercubes ``hcube_first …`` and feeds the strata.
    """

    batch: int
    n_eval: int
    n_nonzero: int
    integral: np.ndarray
    covariance: np.ndarray
    histogram: np.ndarray
    hcube_first: int
    hcube_variance: np.ndarray


@dataclass
class IterationTotals:
    """The batch accumulators of one iteration, added along the batch tree."""

    n_eval: int
    n_nonzero: int
    integral: np.ndarray
    covariance: np.ndarray
    histogram: np.ndarray
    hcube_variance: np.ndarray


def _node_span(node: Node, n_batches: int) -> tuple[int, int]:
    """Batches ``[start, stop)`` under tree node ``(level, index)`` (leaves: level 0)."""
    level, index = node
    return index << level, min((index + 1) << level, n_batches)


def _root_node(n_batches: int) -> Node:
    return (max(int(n_batches) - 1, 0).bit_length(), 0)


def reduction_nodes(n_batches: int, start: int, stop: int) -> list[Node]:
    """The maximal nodes of the batch tree lying inside batches ``[start, stop)``.

    The tree over batches ``0 … B−1`` has leaves ``(0, b)``; node ``(l, i)`` covers batches
    ``[i 2^l, min((i+1) 2^l, B))``. A contiguous range is the disjoint union of at most
    ``2 ⌈log₂ B⌉`` such nodes, listed left to right.
    """
    out: list[Node] = []
    if start >= stop:
        return out
    todo = [_root_node(n_batches)]
    while todo:
        node = todo.pop()
        lo, hi = _node_span(node, n_batches)
        if hi <= start or lo >= stop or lo >= hi:
            continue
        if start <= lo and hi <= stop:
            out.append(node)
            continue
        level, index = node
        todo.extend([(level - 1, 2 * index + 1), (level - 1, 2 * index)])
    return sorted(out, key=lambda nd: _node_span(nd, n_batches)[0])


def _merge(a: BatchAccumulator, b: BatchAccumulator) -> BatchAccumulator:
    """``a + b`` for adjacent pieces (``a`` left of ``b``); hypercube ranges may overlap by one."""
    stop = max(a.hcube_first + a.hcube_variance.size, b.hcube_first + b.hcube_variance.size)
    variance = np.zeros(stop - a.hcube_first)
    variance[: a.hcube_variance.size] += a.hcube_variance
    offset = b.hcube_first - a.hcube_first
    variance[offset : offset + b.hcube_variance.size] += b.hcube_variance
    return BatchAccumulator(
        batch=a.batch,
        n_eval=a.n_eval + b.n_eval,
        n_nonzero=a.n_nonzero + b.n_nonzero,
        integral=a.integral + b.integral,
        covariance=a.covariance + b.covariance,
        histogram=a.histogram + b.histogram,
        hcube_first=a.hcube_first,
        hcube_variance=variance,
    )


def _node_sum(
    node: Node, n_batches: int, known: Mapping[Node, BatchAccumulator]
) -> BatchAccumulator:
    """The sum under ``node``: ``known[node]`` if given, else left + right (fixed order)."""
    if node in known:
        return known[node]
    level, index = node
    if level == 0:
        raise ValueError(f"batches [{index}] are missing")
    left = (level - 1, 2 * index)
    right = (level - 1, 2 * index + 1)
    if _node_span(right, n_batches)[0] >= n_batches:
        return _node_sum(left, n_batches, known)
    return _merge(_node_sum(left, n_batches, known), _node_sum(right, n_batches, known))


def partial_sums(
    plan: IterationPlan, accumulators: Mapping[int, BatchAccumulator]
) -> dict[Node, BatchAccumulator]:
    """The sums over the maximal tree nodes inside one worker's contiguous batch range.

    ``accumulators`` must hold a contiguous range of batches (what
    :func:`dragcore.parallel.owned_items` gives a rank). What the worker sends instead of
    its per-batch accumulators: at most ``2 log₂ B`` of them.
    """
    if not accumulators:
        return {}
    start, stop = min(accumulators), max(accumulators) + 1
    if len(accumulators) != stop - start:
        raise ValueError(f"batches = {sorted(accumulators)[:10]} is outside the allowed range "
                         "(a contiguous block)")  # fmt: skip
    leaves = {(0, b): acc for b, acc in accumulators.items()}
    return {
        node: _node_sum(node, plan.n_batches, leaves)
        for node in reduction_nodes(plan.n_batches, start, stop)
    }


def combine_partials(
    plan: IterationPlan, partials: Mapping[Node, BatchAccumulator]
) -> IterationTotals:
    """Finish the batch tree from the workers' :func:`partial_sums` (or from the leaves).

    Raises
    ------
    ValueError
        If some batch of the plan is not covered.
    """
    total = _node_sum(_root_node(plan.n_batches), plan.n_batches, partials)
    if total.n_eval != plan.n_eval or total.hcube_first != 0:
        raise ValueError(f"batches of iteration {plan.iteration} are missing")
    variance = np.zeros(plan.n_hcubes)
    variance[: total.hcube_variance.size] += total.hcube_variance
    histogram = total.histogram if total.histogram.size else np.zeros((plan.dim, plan.n_bins))
    return IterationTotals(
        n_eval=total.n_eval,
        n_nonzero=total.n_nonzero,
        integral=total.integral,
        covariance=total.covariance,
        histogram=histogram,
        hcube_variance=variance,
    )


def combine_batches(
    plan: IterationPlan, accumulators: Mapping[int, BatchAccumulator]
) -> IterationTotals:
    """Add every batch's accumulator along the batch tree (bitwise independent of who ran
    which batch, and of how the batches were grouped into :func:`partial_sums`).

    Raises
    ------
    ValueError
        If some batch of the plan is missing.
    """
    missing = sorted(set(range(plan.n_batches)) - set(accumulators))
    if missing:
        raise ValueError(f"batches {missing[:10]} of iteration {plan.iteration} are missing")
    return combine_partials(plan, {(0, b): accumulators[b] for b in range(plan.n_batches)})


def _estimate_only(acc: BatchAccumulator) -> BatchAccumulator:
    """``acc`` without the sampling data (histogram, hypercube variances): what a production
    iteration needs to travel."""
    return BatchAccumulator(
        batch=acc.batch,
        n_eval=acc.n_eval,
        n_nonzero=acc.n_nonzero,
        integral=acc.integral,
        covariance=acc.covariance,
        histogram=np.zeros(0),
        hcube_first=0,
        hcube_variance=np.zeros(0),
    )


def _sums_over(
    plan: IterationPlan, run: BatchRun, batches: Sequence[int]
) -> dict[Node, BatchAccumulator]:
    """The :func:`partial_sums` of ``batches`` (contiguous): summed by ``run`` as the batches
    finish if it can (bounded memory), else from its accumulators."""
    sums = getattr(run, "partial_sums", None)
    return sums(batches) if sums is not None else partial_sums(plan, run(batches))


def _run_all_here(plan: IterationPlan, run: BatchRun) -> IterationTotals:
    return combine_partials(plan, _sums_over(plan, run, range(plan.n_batches)))


def distributed_batch_runner(w: World) -> BatchRunner:
    """A ``batch_runner`` spreading batches over the ranks of ``w`` (a
    :class:`dragcore.parallel.World`).

    Rank r runs the contiguous block :func:`~dragcore.parallel.owned_items` of batches and
    sends its :func:`partial_sums` (at most ``2 log₂ B`` accumulators, never samples) to rank
    0, which finishes the batch tree (:func:`combine_partials`) and broadcasts the totals, so
    every rank adapts identically and the bits are those of a serial run.
    In production iterations (frozen sampling) only the estimate travels: the partial sums
    and the broadcast totals carry no map histogram and no hypercube variances (K + K²
    numbers each; the totals' ``histogram`` and ``hcube_variance`` are then empty).
    Every rank must call :meth:`Integrator.integrate` with the same arguments; wrap the call in
    :func:`dragcore.parallel.abort_on_failure` so that an integrand error on one rank stops all.
    """

    def runner(plan: IterationPlan, run: BatchRun) -> IterationTotals:
        owned = owned_items(plan.n_batches, w.rank, w.size)
        mine = _sums_over(plan, run, owned)
        if plan.phase == "prod":  # frozen sampling: the map and strata data are not needed
            mine = {node: _estimate_only(a) for node, a in mine.items()}
        gathered = w.gather_to_root(mine)
        totals = None
        if w.is_root:
            merged: dict[Node, BatchAccumulator] = {}
            for part in gathered:
                merged.update(part)
            totals = combine_partials(plan, merged)
            if plan.phase == "prod":
                totals.histogram = totals.hcube_variance = np.zeros(0)  # not used
        return w.bcast(totals)

    return runner
