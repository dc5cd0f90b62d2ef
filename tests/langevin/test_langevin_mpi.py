"""The Langevin run over MPI: rank-count independence, kill-and-resume, failure, files.

Every run here uses one small configuration (8×8 grid, 33 modes, CRN, blocks of 20 steps).
The reference for "same bits" is always :meth:`Simulation.run` in this process: one
process, no checkpoints, realisations in order — the uninterrupted run.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import h5py
import pytest

from langevin.checkpoint import (
    CheckpointPolicy,
    CheckpointStore,
    realisation_record,
    run_distributed,
    run_identity,
)
from langevin.comparison import ExactComparison
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.params import BilayerParameters
from langevin.simulation import Simulation
from langevin.storage import read_run
from tests.cli_helpers import exact_paper_toml
from tests.langevin.engine_checks import assert_same_bits, check_distributed_resume, subprocess_env
from tests.mpi_launcher import kill_once, killed_and_resumed, resume_on, run_mpi, start_mpi_to_kill

SCRIPTS = Path(__file__).parents[1] / "mpi_scripts"
SEED, R, BLOCK = 5, 3, 20


def _sim() -> Simulation:
    p = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.01).paper_approximations()
    return ExactComparison(
        BilayerModel(p), PeriodicGrid(8, 8.0), "exact", 2.0,
        common_random_numbers=True, block_steps=BLOCK,
    ).simulation  # fmt: skip


def _config(tmp_path: Path, n_steps: int) -> Path:
    cfg = tmp_path / "run.toml"
    cfg.write_text(exact_paper_toml(n_realisations=R, n_steps=n_steps, block_steps=BLOCK))
    return cfg


def _langevin(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "langevin", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=cwd,
                          env=subprocess_env())  # fmt: skip


# --- in one process ------------------------------------------------------------------------
def test_distributed_run_equals_simulation_run_and_resumes_in_process(tmp_path) -> None:
    """One rank: run_distributed = Simulation.run; a saved mid-block position resumes exactly."""
    sim = _sim()
    ref, _ = check_distributed_resume(sim, SEED, R, 300, 4, tmp_path / "ck")
    store = CheckpointStore(tmp_path / "ck", run_identity(sim, SEED, R, 300))
    assert store.saved() == {"progress": [], "done": [0, 1, 2]}
    # A second resume finds every realisation done and steps nothing.
    again = run_distributed(sim, SEED, R, 300, checkpoint_dir=tmp_path / "ck", resume=True)
    assert again.info["resumed_done"] == R and again.mean == ref.mean


def test_checkpoint_refuses_a_different_run_or_a_fresh_start(tmp_path) -> None:
    sim = _sim()
    CheckpointStore(tmp_path / "ck", run_identity(sim, SEED, R, 300)).prepare(resume=False)
    with pytest.raises(ValueError, match="seed"):
        run_distributed(sim, SEED + 1, R, 300, checkpoint_dir=tmp_path / "ck", resume=True)
    with pytest.raises(ValueError, match="--resume"):
        run_distributed(sim, SEED, R, 300, checkpoint_dir=tmp_path / "ck")


def test_checkpoint_policy_counts_blocks_and_wall_time() -> None:
    every3 = CheckpointPolicy(blocks=3)
    assert [every3.block_done() for _ in range(7)] == [False, False, True] * 2 + [False]
    clock = CheckpointPolicy(seconds=0.05)
    assert not clock.block_done()
    time.sleep(0.06)
    assert clock.block_done() and not clock.block_done()  # due once, then the clock restarts
    assert not any(CheckpointPolicy().block_done() for _ in range(100))
    with pytest.raises(ValueError, match="checkpoint blocks"):
        CheckpointPolicy(blocks=0)


@pytest.mark.slow
def test_inspect_prints_the_summary(tmp_path, capsys) -> None:
    from langevin.__main__ import main

    cfg = _config(tmp_path, 200)
    out = tmp_path / "small.h5"
    assert main(["run", str(cfg), "--output", str(out), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["inspect", str(out), "--blocks", "3"]) == 0
    text = capsys.readouterr().out
    for piece in ("seed 5", "1 rank(s)", "wall time", "varsigma", "[omega_p d]", "exact", "±"):
        assert piece in text
    assert text.count("\n    ") >= R  # the per-realisation rows
    assert main(["inspect", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["runs"]["paper"]
    assert summary["mean"] == read_run(out, "paper")["mean"]
    # Plain h5py: units and descriptions everywhere, axes as dimension scales.
    with h5py.File(out) as f:
        g = f["paper"]
        assert g["parameters/drift"].attrs["units"] == "omega_p d"
        assert g["block_means"].dims[1][0].name == "/paper/block_end_time"
        assert [d[0].name for d in g["snapshot"].dims] == [
            "/paper/realisation", "/paper/field", "/paper/x", "/paper/y",
        ]  # fmt: skip
        for name, ds in g.items():
            if isinstance(ds, h5py.Dataset):
                assert ds.attrs["units"] is not None and ds.attrs["description"], name
    assert main(["inspect", str(tmp_path / "missing.h5")]) == 2


@pytest.mark.slow
def test_numba_threads_off_under_a_scheduler() -> None:
    """Importing the run path under MPI/Slurm pins numba to one thread (dragcore.jit)."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_NUM_THREADS"}
    env["SLURM_JOB_ID"] = "1"
    script = SCRIPTS / "langevin_threads.py"
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == 0, out.stderr
    assert "threads 1" in out.stdout


# --- under mpiexec -----------------------------------------------------------------------------
@pytest.mark.mpi
@pytest.mark.slow
def test_one_and_two_ranks_give_the_same_bits(tmp_path) -> None:
    cfg = _config(tmp_path, 1000)
    one = _langevin("run", str(cfg), "--output", "one.h5", "--json", cwd=tmp_path)
    two = run_mpi(SCRIPTS / "langevin_run.py", "run", str(cfg), "--output",
                  str(tmp_path / "two.h5"), "--json", n=2, timeout=60)  # fmt: skip
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    ref = _sim().run(SEED, R, 1000)
    for name in ("one.h5", "two.h5"):
        assert_same_bits(tmp_path / name, "paper", ref)
    assert read_run(tmp_path / "two.h5", "paper")["ranks"] == 2
    assert "[1/2]" not in two.stdout + two.stderr  # rank 1 is quiet
    summary = json.loads(two.stdout)["runs"]["paper"]
    # What travels: rank 1 sends realisation 2's record (summary, 50 block means, 8×8
    # snapshot), once; rank 0 broadcasts the checkpoint check (None). Nothing per step.
    record = {2: realisation_record(ref.realisations[2], snapshot=True)}
    expected = sum(len(pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)) for x in (record, None))
    assert summary["bytes_sent"] == expected
    assert not (tmp_path / "two.h5.ckpt").exists()


@killed_and_resumed
def test_killed_run_resumes_on_another_rank_count_with_the_same_bits(
    tmp_path, ranks: int, resume_ranks: int
) -> None:
    """SIGKILL a run once a checkpoint exists; --resume on another rank count; same bits."""
    n_steps = 15000
    cfg = _config(tmp_path, n_steps)
    out = tmp_path / "out.h5"
    run = ["-m", "langevin", "run", cfg, "--output", out, "--checkpoint-blocks", "5",
           "--no-progress"]  # fmt: skip
    proc = start_mpi_to_kill(run, ranks, tmp_path, subprocess_env())
    ckpt = tmp_path / "out.h5.ckpt" / "paper"
    kill_once(proc, lambda: list(ckpt.glob("r*.progress.npz")), "its first checkpoint")
    assert not out.exists()
    saved = CheckpointStore(ckpt, {}).saved()
    assert saved["progress"], saved  # killed between blocks of some realisation
    args = ("run", str(cfg), "--output", str(out), "--resume", "--json")
    resumed = resume_on(resume_ranks, _langevin, SCRIPTS / "langevin_run.py", *args, cwd=tmp_path)
    summary = json.loads(resumed.stdout)["runs"]["paper"]
    assert summary["ranks"] == resume_ranks and summary["resumed_in_progress"] >= 1
    assert_same_bits(out, "paper", _sim().run(SEED, R, n_steps))
    assert not (tmp_path / "out.h5.ckpt").exists()


@pytest.mark.mpi
@pytest.mark.slow
def test_failure_on_one_rank_stops_all_ranks_and_names_it(tmp_path) -> None:
    cfg = _config(tmp_path, 1000)
    out = tmp_path / "fail.h5"
    proc = run_mpi(SCRIPTS / "langevin_fail.py", "1", str(cfg), "--output", str(out),
                   "--no-progress", n=2, timeout=60)  # fmt: skip
    assert proc.returncode != 0
    assert "failure on rank 1" in proc.stderr and "deliberate failure" in proc.stderr
    assert not out.exists()
