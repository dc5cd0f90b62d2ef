"""Checks every engine run passes, whatever its model (:class:`langevin.engine.Engine`)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from langevin.checkpoint import CheckpointPolicy, CheckpointStore, run_distributed, run_identity
from langevin.engine import Engine
from langevin.results import RunResult
from langevin.storage import read_run


def subprocess_env() -> dict:
    """The environment of a subprocess run: numba on one thread unless set."""
    env = dict(os.environ)
    env.setdefault("NUMBA_NUM_THREADS", "1")
    return env


def assert_same_bits(path: Path, name: str, ref: RunResult) -> None:
    """Run ``name`` of the file ``path`` holds exactly the numbers of the in-process run
    ``ref``: the combined estimate, the realisation table, the block means and snapshots."""
    f = read_run(path, name)
    assert (f["mean"], f["sdev"], f["chi2_dof"]) == (ref.mean, ref.sdev, ref.chi2_dof)
    table = np.array(
        [[r.index, r.mean, r.error, r.blocking_error, r.tau_int] for r in ref.realisations]
    )
    np.testing.assert_array_equal(f["realisations"], table)
    np.testing.assert_array_equal(f["block_means"], [r.block_means for r in ref.realisations])
    np.testing.assert_array_equal(f["snapshot"], [r.snapshot for r in ref.realisations])


def check_distributed_resume(sim: Engine, seed: int, n_realisations: int,
                                       n_steps: int, blocks: int,
                                       directory: Path) -> tuple[RunResult, RunResult]:  # fmt: skip
    """In one process, :func:`run_distributed` gives the bits of :meth:`Engine.run`, and a
    realisation saved after ``blocks`` blocks resumes exactly: ``(reference, resumed)``."""
    ref = sim.run(seed, n_realisations, n_steps)
    dist = run_distributed(sim, seed, n_realisations, n_steps)
    assert (dist.mean, dist.sdev) == (ref.mean, ref.sdev)
    store = CheckpointStore(directory, run_identity(sim, seed, n_realisations, n_steps))
    store.prepare(resume=False)
    prog = sim.begin_realisation(seed, 1, n_steps)
    sim.advance_realisation(prog, blocks)
    store.save_progress(prog)
    res = run_distributed(sim, seed, n_realisations, n_steps, checkpoint_dir=directory,
                          resume=True, policy=CheckpointPolicy(blocks=1))  # fmt: skip
    assert res.info["resumed_in_progress"] == 1
    assert (res.mean, res.sdev, res.chi2_dof) == (ref.mean, ref.sdev, ref.chi2_dof)
    return ref, res
