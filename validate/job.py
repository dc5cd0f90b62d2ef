"""The main job's tasks: independent pieces, in any order, on any number of processes.

A :class:`Task` names its work by ``kind``: :data:`TASK_KINDS` maps each kind to the
``"module:function"`` that does it (a row provider's task names its function in ``target``).
:func:`run_task` calls that function with those of ``size``, ``out``, ``w`` and ``index`` its
signature names, and takes what it returns — rows, ``(rows, figures)`` or a
:class:`validate.rows.TaskResult` — as the task's result. :func:`run_tasks` runs a job's tasks
in one process, in worker processes, or over the ranks of an MPI world.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dragcore.parallel import World
from validate.rows import JobSize, TaskResult

__all__ = ["TASK_KINDS", "Task", "function_by_name", "run_task", "run_tasks", "workers_for"]

#: Task kind → ``"module:function"`` that runs it (the report order is :func:`validate.report.
#: job_tasks`'s). A kind ``"provider"`` runs the function named in the task's ``target``.
TASK_KINDS: dict[str, str] = {
    "fg": "validate.rows_fg:fg_comparisons",
    "hydro": "validate.rows_hydro:hydro_task",
    "langevin": "validate.rows_langevin:langevin_comparisons",
    "nonlinear": "validate.rows_nonlinear:nonlinear_comparisons",
    "weyl": "validate.rows_weyl:weyl_comparisons",
    "fig2": "validate.rows_weyl:fig2_maximum_comparisons",
    "mc": "validate.rows_montecarlo:montecarlo_case",
    "grid": "validate.rows_montecarlo:pull_grid_task",
    "fig-fg": "validate.rows_fg:fg_figure_group",
    "fig-weyl": "validate.rows_weyl:weyl_figure_group",
    "fig-screening": "validate.rows_weyl:screening_figure_group",
}


class _SerialWorld(World):
    """One process, no MPI (the worker processes of the main job)."""

    def __init__(self) -> None:
        self.comm = None
        self.bytes_sent = 0


@dataclass(frozen=True)
class Task:
    """One independent piece of the main job: ``kind`` and ``index`` select the work
    (:func:`run_task`); ``phase`` groups tasks for the progress lines and the timings;
    ``cost`` is the expected CPU seconds (for scheduling and the time-left estimate only);
    ``collective``: every MPI rank takes part; ``target``: a row provider's name."""

    phase: str
    kind: str
    index: int = 0
    cost: float = 1.0
    collective: bool = False
    target: str = ""


def function_by_name(name: str) -> Callable:
    """The function ``"module:function"`` (a ``ValueError`` naming it if it is not one)."""
    module, _, func = name.partition(":")
    try:
        return getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"row provider = {name!r} is not an importable function: {exc}") from None


def run_task(task: Task, size: JobSize, out: Path, w: World | None = None) -> TaskResult:
    """Run ``task`` (rows, figures or pull records) and time it."""
    w = w or _SerialWorld()
    t0, c0 = time.perf_counter(), time.process_time()
    name = task.target or TASK_KINDS.get(task.kind, "")
    if not name:
        raise ValueError(f"task kind = {task.kind!r} is not one of {sorted(TASK_KINDS)}")
    fn = function_by_name(name)
    offered = {"index": task.index, "w": w, "size": size, "out": out}
    wanted = inspect.signature(fn).parameters
    got = fn(**{k: v for k, v in offered.items() if k in wanted})
    if isinstance(got, TaskResult):
        res = got
    else:  # rows, or (rows, figures)
        rows, figures = got if isinstance(got, tuple) else (got, [])
        res = TaskResult(rows=list(rows), figures=list(figures))
    res.wall = time.perf_counter() - t0
    res.cpu = time.process_time() - c0
    return res


def _worker_init() -> None:
    """Worker processes: no MPI, quiet matplotlib."""
    os.environ.setdefault("MPLBACKEND", "Agg")


def _pool_task(args: tuple[Task, JobSize, str]) -> TaskResult:
    task, size, out = args
    return run_task(task, size, Path(out))


# --------------------------------------------------------------------------------------


def workers_for(requested: int | None) -> int:
    if requested is not None:
        if requested < 1 or requested > 256:
            raise ValueError(f"workers = {requested} is outside the allowed range [1, 256]")
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_tasks(tasks: list[Task], size: JobSize, out: Path, w: World, workers: int,
               log) -> list[TaskResult | None]:  # fmt: skip
    """Run ``tasks``; the results in task order (None on ranks other than 0 for tasks that
    only rank 0 runs). One process per worker when the job has one rank and ``workers`` > 1;
    under MPI every collective task on every rank, the others on rank 0."""
    from dragcore.progress import Progress

    total = sum(t.cost for t in tasks)
    parallel = w.size == 1 and workers > 1
    prog = Progress("main job", total, stream=sys.stderr if w.is_root else None, interval=10.0,
                    seconds_per_unit=1.0 / (min(workers, 2) if parallel else 1))  # fmt: skip
    results: list[TaskResult | None] = [None] * len(tasks)

    def done(i: int, res: TaskResult) -> None:
        results[i] = res
        t = tasks[i]
        prog.label = f"main job ({t.phase} done in {res.wall:.1f} s)"
        prog.advance(t.cost)

    if parallel:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        order = sorted(range(len(tasks)), key=lambda i: -tasks[i].cost)  # longest first
        ctx = multiprocessing.get_context("spawn")
        log(f"main job: {len(tasks)} tasks on {workers} worker processes")
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as pool:
            futs = {pool.submit(_pool_task, (tasks[i], size, str(out))): i for i in order}
            pending = set(futs)
            while pending:
                finished, pending = wait(pending, timeout=5.0, return_when=FIRST_COMPLETED)
                for fut in finished:
                    done(futs[fut], fut.result())
                if not finished:
                    running = [tasks[futs[f]].phase for f in futs if f.running()]
                    prog.heartbeat("running: " + ", ".join(dict.fromkeys(running)))
        return results
    for i, t in enumerate(tasks):
        if not (t.collective or w.is_root):
            continue
        log(f"main job: {t.phase} …")
        res = run_task(t, size, out, w)
        if w.is_root:
            done(i, res)
    return results
