"""Adaptive, stratified Monte Carlo integration over ``[0, 1]^D``, batch by batch.

The integrand protocol (the physics side implements it, usually as a numba function)::

    integrand(x: float64[n, D], out: float64[n, K], params: float64[:]) -> None

writes, for each point ``x[p]`` of the unit hypercube (already mapped by the adaptive map;
the physics-informed map is the integrand's business), the K values ``f_k · J_phys`` into
``out[p]``; ``out`` arrives zeroed, so points outside the support may be skipped. It is called
once per batch, never per point.

One iteration (:class:`IterationPlan`) is a fixed set of points: hypercube ``h`` of the strata
gets ``counts[h]`` points, points are ordered by hypercube and cut into batches of about
``batch_size`` consecutive points (the cut never leaves a piece of one point; see
:mod:`montecarlo.adaptive_map`). Batch ``b`` of iteration ``i`` draws its uniforms from
``SeedSequence(seed, spawn_key=(i, b))`` (:func:`batch_seed_sequence`), so its numbers do not
depend on who computes it. A batch returns only accumulators (:class:`BatchAccumulator`:
integral and covariance contributions, map histogram, per-hypercube variances), never
per-sample values; :func:`combine_batches` adds them along a binary tree fixed by the batch
indices alone (:func:`reduction_nodes`), so the bits do not depend on how batches were grouped
(1, 2 or N workers, any order).

The tree is what keeps the communication small: a worker owning a contiguous range of batches
adds up every complete subtree inside its range itself and sends only those partial sums —
at most ``2 log₂ B`` accumulators (B batches), whatever the number of samples per batch —
and the root finishes the same tree (:func:`partial_sums`, :func:`combine_partials`).
An accumulator holds K + K² + D·N numbers and the variances of the hypercubes it touches, so
apart from those variances the bytes sent per iteration grow only like ``log(n_eval)``. The
variances are one number per hypercube of the strata (about ``n_eval/4`` of them, up to
``max_hcubes``); they are needed only to adapt, so production iterations, whose sampling is
frozen, send the estimate alone (:func:`distributed_batch_runner`).

:func:`run_batches` (the work of one worker, spread over its threads batch by batch) and
:func:`combine_batches` are rank- and thread-agnostic;
:meth:`Integrator.integrate` takes a ``batch_runner`` that decides who runs which batches
(the MPI layer supplies one; the default runs them all here).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from dragcore.checks import require_range
from dragcore.jit import numba
from montecarlo.adaptive_map import (
    MIN_POINTS_PER_HCUBE,
    AdaptiveMap,
    Strata,
    accumulate_batch,
    default_strata_per_axis,
    stratified_points,
)
from montecarlo.batch_tree import (
    BatchAccumulator,
    BatchRunner,
    IterationPlan,
    IterationTotals,
    Node,
    _merge,
    _node_span,
    _root_node,
    _run_all_here,
    batch_boundaries,
    batch_seed_sequence,
    combine_batches,
    combine_partials,
    distributed_batch_runner,
    partial_sums,
    reduction_nodes,
)
from montecarlo.result import IterationRecord, MonteCarloResult

__all__ = [
    "Integrator",
    "IterationPlan",
    "BatchAccumulator",
    "IterationTotals",
    "NonFiniteIntegrandError",
    "batch_seed_sequence",
    "batch_boundaries",
    "run_batch",
    "run_batches",
    "batch_threads",
    "combine_batches",
    "reduction_nodes",
    "partial_sums",
    "combine_partials",
    "distributed_batch_runner",
]

Integrand = Callable[[np.ndarray, np.ndarray, np.ndarray], None]
Progress = Callable[[IterationRecord], None]
AfterIteration = Callable[[list[IterationRecord], list[str]], None]


def memory_estimate(
    dim: int, n_out: int, n_eval: int, n_bins: int, batch_size: int, max_hcubes: int
) -> float:
    """Bytes one process needs for an iteration, an upper estimate (8-byte numbers).

    The batch accumulators of an iteration are all held before the tree sum
    (:class:`BatchAccumulator`: K + K² + D·N numbers and the variances of the hypercubes the
    batch touches), plus the map (a few copies of D·(N+1) edges and histograms), the strata
    (a few arrays of ≤ ``max_hcubes``) and one batch's coordinates and values per thread.
    """
    n_batches = -(-int(n_eval) // int(batch_size))
    hcubes = min(int(max_hcubes), max(int(n_eval) // 2, 1))
    per_acc = n_out + n_out**2 + dim * n_bins + min(batch_size, hcubes) + 16
    per_batch_work = batch_size * (4 * dim + 4 * n_out + 8)
    total = n_batches * per_acc + 8 * dim * (n_bins + 1) + 4 * hcubes
    total += per_batch_work * max(batch_threads(), 1)
    return 8.0 * total


class NonFiniteIntegrandError(ValueError):
    """The integrand returned NaN or ±inf (or its product with the map's Jacobian overflowed)."""


def run_batch(
    integrand: Integrand, params: np.ndarray, plan: IterationPlan, batch: int
) -> BatchAccumulator:
    """Draw, map, evaluate and accumulate batch ``batch`` of ``plan``.

    Raises
    ------
    NonFiniteIntegrandError
        Naming the iteration, the batch, the first bad point (its index in the batch, its
        coordinates ``x``) and the component.
    """
    piece_hcube, piece_count, piece_total = plan.pieces(batch)
    n_points = int(plan.bounds[batch + 1] - plan.bounds[batch])
    rng = np.random.default_rng(batch_seed_sequence(plan.seed, plan.iteration, batch))
    u = rng.random((n_points, plan.dim))
    y = np.empty_like(u)
    x = np.empty_like(u)
    jac = np.empty(n_points)
    # tuples: the kernels get compiled for this D and K (loops over axes and components unrolled)
    per_axis = (plan.per_axis,) * plan.dim
    stratified_points(u, piece_hcube, piece_count, per_axis, plan.edges, y, x, jac)
    values = np.zeros((n_points, plan.n_out))
    integrand(x, values, params)
    n_local = int(piece_hcube[-1] - piece_hcube[0] + 1)
    acc = BatchAccumulator(
        batch=batch,
        n_eval=n_points,
        n_nonzero=0,
        integral=np.zeros(plan.n_out),
        covariance=np.zeros((plan.n_out, plan.n_out)),
        histogram=np.zeros((plan.dim, plan.n_bins)),
        hcube_first=int(piece_hcube[0]),
        hcube_variance=np.zeros(n_local),
    )
    bad, k, acc.n_nonzero = accumulate_batch(
        values,
        jac,
        y,
        piece_hcube,
        piece_count,
        piece_total,
        1.0 / plan.n_hcubes,
        tuple(plan.adapt_weights.tolist()),
        acc.integral,
        acc.covariance,
        acc.histogram,
        acc.hcube_variance,
        acc.hcube_first,
    )
    if bad >= 0:
        raw = float(values[bad, k])
        what = f"integrand component {k} = {raw!r}"
        if np.isfinite(raw):
            what += f" times the map Jacobian {float(jac[bad])!r} overflowed"
        raise NonFiniteIntegrandError(
            f"{what} at point {bad} of batch {batch} of iteration {plan.iteration} "
            f"(x = {x[bad].tolist()}, params = {np.asarray(params).tolist()})"
        )
    return acc


def _iteration_weights(weights: np.ndarray, records: Sequence[IterationRecord]) -> np.ndarray:
    """``w_k / I_k²`` from the last record's estimate (``I_k = 0``: dropped); ``w`` if there
    is no record or every weighted component vanished."""
    if not records:
        return weights
    mean = np.asarray(records[-1].mean, dtype=float)
    scaled = np.zeros_like(weights)
    nonzero = mean != 0.0
    scaled[nonzero] = weights[nonzero] / mean[nonzero] ** 2
    return scaled if scaled.sum() > 0.0 and np.all(np.isfinite(scaled)) else weights


def batch_threads() -> int:
    """Threads a worker runs its batches on: numba's thread count (``NUMBA_NUM_THREADS``;
    one per rank under MPI or a scheduler, see :mod:`dragcore.jit`)."""
    return max(1, int(numba.get_num_threads()))


def run_batches(
    integrand: Integrand,
    params: np.ndarray,
    plan: IterationPlan,
    batches: Sequence[int],
    threads: int | None = None,
) -> dict[int, BatchAccumulator]:
    """Run the listed batches (one worker's share) and return their accumulators by index.

    The batches run on ``threads`` threads (default :func:`batch_threads`); each batch is
    computed whole by one thread from its own random stream, so the accumulators — and the
    bits of everything added from them — do not depend on the thread count. The kernels of
    :mod:`montecarlo.adaptive_map` release the GIL; an integrand compiled with
    ``nogil=True`` runs in parallel too (any other integrand is serialised by the GIL, still
    correct). The first failing batch in index order raises.
    """
    batches = [int(b) for b in batches]
    n_threads = min(threads or batch_threads(), len(batches))
    if n_threads <= 1:
        return {b: run_batch(integrand, params, plan, b) for b in batches}
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        done = pool.map(lambda b: run_batch(integrand, params, plan, b), batches)
        return dict(zip(batches, done, strict=True))


def streamed_partial_sums(
    integrand: Integrand,
    params: np.ndarray,
    plan: IterationPlan,
    batches: Sequence[int],
) -> dict[Node, BatchAccumulator]:
    """:func:`partial_sums` of a contiguous block of batches, summed as they finish.

    The batches run in index order, :func:`batch_threads` at a time (:func:`run_batches`); each new
    leaf is pushed on a stack and merged with its left sibling as soon as both exist, which
    is the merge :func:`_node_sum` does, in the same order — so the sums have the same bits —
    but at most ``⌈log₂ B⌉ + threads`` accumulators are alive, not ``B``. A left node whose
    right sibling lies beyond the last batch stands for its parent.
    """
    batches = [int(b) for b in batches]
    if not batches:
        return {}
    start, stop = batches[0], batches[-1] + 1
    if batches != list(range(start, stop)):
        raise ValueError(f"batches = {batches[:10]} is outside the allowed range "
                         "(a contiguous block)")  # fmt: skip
    n = plan.n_batches
    stack: list[tuple[Node, BatchAccumulator]] = []

    def push(node: Node, acc: BatchAccumulator) -> None:
        while True:
            level, index = node
            if index % 2 == 1 and stack and stack[-1][0] == (level, index - 1):
                left = stack.pop()[1]
                node, acc = (level + 1, index // 2), _merge(left, acc)
                continue
            sibling = (level, index + 1)
            parent = (level + 1, index // 2)
            if (
                index % 2 == 0
                and _node_span(sibling, n)[0] >= n
                and _node_span(parent, n)[0] >= start
                and parent[0] <= _root_node(n)[0]
            ):
                node = parent  # lone left child: the parent's sum is the child's
                continue
            stack.append((node, acc))
            return

    chunk = max(1, min(batch_threads(), len(batches)))
    for lo in range(0, len(batches), chunk):
        done = run_batches(integrand, params, plan, batches[lo : lo + chunk])
        for b in batches[lo : lo + chunk]:
            push((0, b), done.pop(b))
    return dict(stack)


DEFAULT_BATCH_SIZE = 16384
"""Points per batch: the unit of work and of random streams (part of a run's identity)."""

DEFAULT_MAX_HCUBES = 1_000_000
"""Cap on the strata hypercubes (fewer: less MPI traffic in training iterations)."""


class Integrator:
    """Adaptive (VEGAS map + VEGAS+ strata) Monte Carlo integrator over ``[0, 1]^dim``.

    Parameters
    ----------
    dim
        Dimension D.
    n_bins
        Map bins per axis.
    alpha
        Map damping exponent (0 freezes the map; VEGAS default 0.5).
    beta
        Strata allocation exponent (0: uniform strata; VEGAS+ default 0.75).
    strata_per_axis
        Hypercubes per axis; default: the largest ``m`` with ``4 m^D ≤ n_eval``
        and ``m^D ≤ max_hcubes``. 1 switches stratification off.
    max_hcubes
        Cap on the number of hypercubes.
    batch_size
        Points per batch (≥ 16): the unit of work and of random streams.

    The integrator keeps its adapted state (map, strata) and an iteration counter between
    calls; the random streams are keyed by the counter, so a second :meth:`integrate` call
    never reuses the first one's numbers. Two integrators built alike and called alike give
    identical bits, whatever the grouping of batches over workers; ``batch_size`` is part of
    the recipe (it decides the streams), the number of workers is not.
    """

    def __init__(
        self,
        dim: int,
        n_bins: int = 200,
        *,
        alpha: float = 0.5,
        beta: float = 0.75,
        strata_per_axis: int | None = None,
        max_hcubes: int = DEFAULT_MAX_HCUBES,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        require_range("alpha", alpha, 0.0, math.inf)
        require_range("beta", beta, 0.0, math.inf)
        require_range("batch_size", batch_size, 16, math.inf)
        require_range("max_hcubes", max_hcubes, 1, math.inf)
        if strata_per_axis is not None:
            require_range("strata_per_axis", strata_per_axis, 1, math.inf)
        self.map = AdaptiveMap(dim, n_bins)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.strata_per_axis = strata_per_axis
        self.max_hcubes = int(max_hcubes)
        self.batch_size = int(batch_size)
        self.strata: Strata | None = None
        self.iterations_done = 0

    @property
    def dim(self) -> int:
        return self.map.dim

    def as_dict(self) -> dict:
        """The configuration and the adapted state (map, strata, iteration counter), in plain
        types (JSON/HDF5); :meth:`from_dict` restores an integrator that continues bitwise as
        this one would."""
        strata = None
        if self.strata is not None:
            strata = {
                "per_axis": self.strata.per_axis,
                "n_eval": self.strata.n_eval_target,
                "counts": self.strata.counts.tolist(),
            }
        return {
            "dim": self.dim,
            "n_bins": self.map.n_bins,
            "alpha": self.alpha,
            "beta": self.beta,
            "strata_per_axis": self.strata_per_axis,
            "max_hcubes": self.max_hcubes,
            "batch_size": self.batch_size,
            "edges": self.map.edges.tolist(),
            "strata": strata,
            "iterations_done": self.iterations_done,
        }

    @classmethod
    def from_dict(cls, state: Mapping) -> Integrator:
        """Inverse of :meth:`as_dict`."""
        integ = cls(
            state["dim"],
            state["n_bins"],
            alpha=state["alpha"],
            beta=state["beta"],
            strata_per_axis=state["strata_per_axis"],
            max_hcubes=state["max_hcubes"],
            batch_size=state["batch_size"],
        )
        integ.map = AdaptiveMap(state["dim"], state["n_bins"], np.array(state["edges"]))
        if state["strata"] is not None:
            st = state["strata"]
            integ.strata = Strata(state["dim"], st["per_axis"], st["n_eval"], state["beta"])
            integ.strata.counts = np.array(st["counts"], dtype=np.int64)
        integ.iterations_done = int(state["iterations_done"])
        return integ

    def _strata_for(self, n_eval: int) -> Strata:
        m = self.strata_per_axis or default_strata_per_axis(self.dim, n_eval, self.max_hcubes)
        s = self.strata
        if s is None or s.per_axis != m or s.n_eval_target != n_eval:
            s = Strata(self.dim, m, n_eval, self.beta)
            self.strata = s
        return s

    def plan(
        self, phase: str, n_eval: int, n_out: int, seed: int, adapt_weights: np.ndarray
    ) -> IterationPlan:
        """The next iteration's plan (does not advance the counter)."""
        strata = self._strata_for(n_eval)
        counts = strata.counts.copy()
        return IterationPlan(
            iteration=self.iterations_done,
            phase=phase,
            seed=int(seed),
            edges=self.map.edges.copy(),
            per_axis=strata.per_axis,
            counts=counts,
            bounds=batch_boundaries(counts, self.batch_size),
            n_out=int(n_out),
            adapt_weights=np.asarray(adapt_weights, dtype=float),
        )

    def integrate(
        self,
        integrand: Integrand,
        params: np.ndarray | Sequence[float] = (),
        *,
        n_out: int = 1,
        n_train: int = 5,
        n_prod: int = 10,
        n_eval: int = 100_000,
        seed: int,
        adapt_weights: Sequence[float] | None = None,
        adapt_relative: bool = False,
        progress: Progress | None = None,
        batch_runner: BatchRunner | None = None,
        previous: Sequence[IterationRecord] = (),
        previous_warnings: Sequence[str] = (),
        after_iteration: AfterIteration | None = None,
    ) -> MonteCarloResult:
        """Train the sampling for ``n_train`` iterations, then average ``n_prod`` frozen ones.

        Parameters
        ----------
        integrand, params
            ``integrand(x, out, params)`` (module docstring); ``params`` goes to it unchanged.
        n_out, n_train, n_prod, n_eval, seed
            Integrands K; training iterations (adapt, discarded) and production iterations
            (frozen map and allocation, equally weighted, ``n_prod ≥ 1``); target evaluations
            per iteration (the strata may use slightly fewer); seed of the random streams.
        adapt_weights, adapt_relative
            ``w_k ≥ 0`` (K): the sampling adapts to ``Σ_k w_k (J f_k)²`` (default: the first
            integrand only, as vegas does); relative: to ``Σ_k w_k (J f_k / I_k)²``, ``I_k``
            the previous iteration's estimate (components with ``I_k = 0`` drop out; the first
            iteration uses ``w``), deterministic from the records.
        progress, after_iteration
            Called with each :class:`~montecarlo.result.IterationRecord`; after each iteration
            (the integrator adapted) with the records and warnings so far (the moment to save
            :meth:`as_dict` and the records).
        batch_runner
            ``batch_runner(plan, run)`` returns the accumulators of all ``plan.n_batches``
            batches, from ``run(batch_indices)`` for any grouping (e.g. on several ranks), or
            their :func:`combine_batches`. Default: ``run(range(n_batches))``.
        previous, previous_warnings
            To continue an interrupted call: the records (and warnings) of the iterations it
            finished, on an integrator restored (:meth:`from_dict`) from the state saved
            right after the last of them; the result is bitwise that of the uninterrupted call.

        Raises
        ------
        ValueError
            Bad arguments; :class:`NonFiniteIntegrandError` for NaN/inf integrand values.
        """
        weights = _checked_weights(n_out, n_train, n_prod, n_eval, seed, adapt_weights)
        params = np.ascontiguousarray(params, dtype=float)
        runner = batch_runner or _run_all_here
        phases = ["train"] * int(n_train) + ["prod"] * int(n_prod)
        records, warnings = list(previous), list(previous_warnings)
        self._check_previous(records, phases, n_train, n_prod)
        for phase in phases[len(records) :]:
            start = time.perf_counter()
            w = _iteration_weights(weights, records) if adapt_relative else weights
            plan = self.plan(phase, int(n_eval), int(n_out), int(seed), w)
            totals = self._run_iteration(integrand, params, plan, runner)
            self._adapt(plan, totals, warnings)
            records.append(_record(plan, totals, start))
            if progress is not None:
                progress(records[-1])
            if after_iteration is not None:
                after_iteration(records, warnings)
        return MonteCarloResult.from_iterations(records, seed, warnings)

    def _check_previous(
        self, records: list[IterationRecord], phases: list[str], n_train: int, n_prod: int
    ) -> None:
        """``ValueError`` unless ``records`` are the first iterations of ``phases`` and the
        last of them is this integrator's last."""
        if not records:
            return
        done = [r.phase for r in records]
        if done != phases[: len(done)] or records[-1].index != self.iterations_done - 1:
            raise ValueError(
                f"previous = {len(done)} iterations ({done.count('train')} train, "
                f"last index {records[-1].index}) is outside the allowed range for "
                f"n_train = {n_train}, n_prod = {n_prod} on an integrator after "
                f"{self.iterations_done} iterations"
            )

    def _run_iteration(
        self, integrand: Integrand, params: np.ndarray, plan: IterationPlan, runner: BatchRunner
    ) -> IterationTotals:
        """Run the batches of ``plan`` through ``runner`` and count the iteration."""

        def run(batches: Sequence[int]) -> dict:
            return run_batches(integrand, params, plan, batches)

        run.partial_sums = lambda batches: streamed_partial_sums(  # type: ignore[attr-defined]
            integrand, params, plan, batches
        )
        outcome = runner(plan, run)
        self.iterations_done += 1
        if isinstance(outcome, IterationTotals):
            return outcome
        return combine_batches(plan, outcome)

    def _adapt(self, plan: IterationPlan, totals: IterationTotals, warnings: list[str]) -> None:
        """Refine the map and reallocate the strata after a training iteration (warnings for
        an iteration where the integrand vanished or map axes could not adapt)."""
        if totals.n_nonzero == 0:
            warnings.append(
                f"iteration {plan.iteration} ({plan.phase}): the integrand vanished at all "
                f"{totals.n_eval} points; estimate 0 with sdev 0, sampling not adapted"
            )
        elif plan.phase == "train":
            frozen = self.map.refine(totals.histogram, self.alpha)
            if frozen:
                warnings.append(
                    f"iteration {plan.iteration}: map axes {frozen} not adapted (the "
                    "adapted integrands vanished at all points, or the new bins would "
                    "have had zero width)"
                )
            if self.strata is not None:
                self.strata.reallocate(totals.hcube_variance)


def _checked_weights(n_out, n_train, n_prod, n_eval, seed, adapt_weights) -> np.ndarray:
    """The adaptation weights (default ``(1, 0, …)``) after checking the counts and seed of
    :meth:`Integrator.integrate`."""
    require_range("n_out", n_out, 1, math.inf)
    require_range("n_train", n_train, 0, math.inf)
    require_range("n_prod", n_prod, 1, math.inf)
    require_range("n_eval", n_eval, MIN_POINTS_PER_HCUBE, math.inf)
    require_range("seed", seed, 0, math.inf)
    if adapt_weights is None:
        weights = np.zeros(n_out)
        weights[0] = 1.0
        return weights
    weights = require_range("adapt_weights", adapt_weights, 0.0, math.inf)
    if weights.shape != (n_out,) or not weights.sum() > 0:
        raise ValueError(
            f"adapt_weights = {list(weights.ravel())} must be {n_out} non-negative "
            "numbers, not all zero"
        )
    return weights


def _record(plan: IterationPlan, totals: IterationTotals, start: float) -> IterationRecord:
    """The record of an iteration that began at ``start`` (``time.perf_counter``)."""
    return IterationRecord(
        index=plan.iteration,
        phase=plan.phase,
        mean=totals.integral,
        covariance=totals.covariance,
        n_eval=totals.n_eval,
        n_nonzero=totals.n_nonzero,
        n_batches=plan.n_batches,
        seconds=time.perf_counter() - start,
    )
