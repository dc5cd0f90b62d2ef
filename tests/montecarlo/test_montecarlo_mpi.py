"""The collision-integral Monte Carlo over MPI: same bits on any rank count, kill-and-resume,
failure, the run file and what travels.

Every run here is one small configuration (fig2-d40 at 2 K, 4000 points per iteration in
batches of 500, i.e. 8 batches). The reference for "same bits" is always
:func:`montecarlo.drag_mc.estimate_drag` in this process: one process, no checkpoints,
the uninterrupted run.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from dragcore import units
from dragcore.parallel import World, owned_items
from layers.presets import preset
from montecarlo.checkpoint import CheckpointPolicy, CheckpointStore, run_distributed
from montecarlo.collision import N_OUT
from montecarlo.drag_mc import estimate_drag
from montecarlo.integrator import (
    Integrator,
    combine_batches,
    combine_partials,
    partial_sums,
    reduction_nodes,
    run_batches,
)
from montecarlo.storage import read_run
from tests.montecarlo.integrands import gaussian_peak
from tests.mpi_launcher import kill_once, killed_and_resumed, resume_on, run_mpi, start_mpi_to_kill

SCRIPTS = Path(__file__).parents[1] / "mpi_scripts"
T_K, N_EVAL, BATCH, SEED = 2.0, 4000, 500, 7
N_TRAIN, N_PROD = 2, 3
PICKLE = pickle.HIGHEST_PROTOCOL


def _args(n_train: int = N_TRAIN, n_prod: int = N_PROD) -> list[str]:
    return ["--T", str(T_K), "--neval", str(N_EVAL), "--batch-size", str(BATCH),
            "--n-train", str(n_train), "--n-prod", str(n_prod), "--seed", str(SEED),
            "--no-reference"]  # fmt: skip


def _reference(n_train: int = N_TRAIN, n_prod: int = N_PROD, batch_runner=None):
    """The uninterrupted single-process run."""
    return estimate_drag(
        preset("fig2-d40"), units.kelvin_to_erg(T_K), n_eval=N_EVAL, n_train=n_train,
        n_prod=n_prod, seed=SEED, batch_size=BATCH, batch_runner=batch_runner,
    ).result  # fmt: skip


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("NUMBA_NUM_THREADS", "1")
    return env


def _montecarlo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "montecarlo", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=cwd, env=_env())


def _assert_same_bits(path: Path, ref) -> None:
    """File ``path`` holds exactly the numbers of the in-process run ``ref``."""
    f = read_run(path)
    pa = units.internal_viscosity_to_pascal_second
    assert f["estimate"]["mean_internal"].tobytes() == ref.mean.tobytes()
    assert f["estimate"]["covariance_internal"].tobytes() == ref.covariance.tobytes()
    assert f["estimate"]["mean"].tobytes() == pa(ref.mean).tobytes()
    its = f["iterations"]
    assert its["mean"].tobytes() == pa(np.array([r.mean for r in ref.iterations])).tobytes()
    assert list(its["index"]) == [r.index for r in ref.iterations]
    assert list(its["phase"]) == [r.phase for r in ref.iterations]
    assert (f["chi2"], f["dof"]) == (ref.chi2, ref.dof)


# --- the batch tree: what a rank sends ---------------------------------------------------------
_peak = gaussian_peak(0.1)


def _plan(n_eval: int) -> tuple[Integrator, object]:
    integ = Integrator(3, 20, strata_per_axis=3, batch_size=64)
    return integ, integ.plan("train", n_eval, 2, 11, np.array([1.0, 0.0]))


def test_partial_sums_over_any_contiguous_split_give_the_bits_of_one_worker() -> None:
    _, plan = _plan(2500)
    b = plan.n_batches
    leaves = run_batches(_peak, np.zeros(0), plan, range(b))
    ref = combine_batches(plan, leaves)
    for ranks in (1, 2, 3, 5, b):
        merged = {}
        for r in range(ranks):
            own = owned_items(b, r, ranks)
            merged.update(partial_sums(plan, {i: leaves[i] for i in own}))
        got = combine_partials(plan, merged)
        for name in ("integral", "covariance", "histogram", "hcube_variance"):
            assert getattr(got, name).tobytes() == getattr(ref, name).tobytes(), (ranks, name)
        assert (got.n_eval, got.n_nonzero) == (ref.n_eval, ref.n_nonzero)
    with pytest.raises(ValueError, match="contiguous"):
        partial_sums(plan, {0: leaves[0], 2: leaves[2]})
    with pytest.raises(ValueError, match="missing"):
        combine_partials(plan, partial_sums(plan, {i: leaves[i] for i in range(b - 1)}))


@pytest.mark.parametrize("n_batches", [1, 2, 3, 7, 8, 13, 64, 1000])
def test_reduction_nodes_tile_a_range_with_at_most_2_log2_b_nodes(n_batches: int) -> None:
    bound = 2 * max(math.ceil(math.log2(n_batches)), 1)
    rng = np.random.default_rng(n_batches)
    for _ in range(30):
        start, stop = sorted(rng.integers(0, n_batches + 1, size=2))
        nodes = reduction_nodes(n_batches, int(start), int(stop))
        covered = [i for lv, ix in nodes for i in range(ix << lv, min((ix + 1) << lv, n_batches))]
        assert covered == list(range(start, stop))
        assert len(nodes) <= bound


def test_bytes_a_rank_sends_grow_like_log_of_the_samples_not_linearly() -> None:
    """Rank 1 of 2 sends ≤ 2⌈log₂B⌉ fixed-size accumulators; per-batch sending would be B/2."""
    sizes = {}
    for n_eval in (2000, 32000):
        _, plan = _plan(n_eval)
        own = owned_items(plan.n_batches, 1, 2)
        leaves = run_batches(_peak, np.zeros(0), plan, own)
        partials = partial_sums(plan, leaves)
        one = max(len(pickle.dumps(a, PICKLE)) for a in partials.values())
        sent = len(pickle.dumps(partials, PICKLE))
        assert len(partials) <= 2 * math.ceil(math.log2(plan.n_batches))
        assert sent <= len(partials) * one + 64 * len(partials)  # dict keys: (level, index)
        sizes[n_eval] = (plan.n_batches, sent, len(pickle.dumps(leaves, PICKLE)))
    (b1, s1, all1), (b2, s2, all2) = sizes[2000], sizes[32000]
    assert b2 >= 15 * b1  # 16× the samples, 16× the batches …
    assert all2 > 12 * all1  # … sending every batch would grow with them,
    assert s2 < 3 * s1  # the tree's partial sums grow like log B (here 2⌈log₂B⌉: 10 → 18)


# --- in one process ----------------------------------------------------------------------------
class _Stop(Exception):
    pass


def test_interrupted_run_resumes_in_process_with_the_same_bits(tmp_path, monkeypatch) -> None:
    ref = _reference(n_train=2, n_prod=3)
    bl, T = preset("fig2-d40"), units.kelvin_to_erg(T_K)
    kw = dict(n_eval=N_EVAL, n_train=2, n_prod=3, seed=SEED, batch_size=BATCH)
    plain = run_distributed(bl, T, **kw)
    assert plain.estimate.result.mean.tobytes() == ref.mean.tobytes()
    from montecarlo import integrator

    real = integrator.run_batches

    def stop_at_3(integrand, params, plan, batches):
        if plan.iteration == 3:
            raise _Stop
        return real(integrand, params, plan, batches)

    monkeypatch.setattr(integrator, "run_batches", stop_at_3)
    ck = tmp_path / "ck"
    with pytest.raises(_Stop):
        run_distributed(bl, T, **kw, checkpoint_dir=ck)
    monkeypatch.setattr(integrator, "run_batches", real)
    store = CheckpointStore(ck, {})
    assert store.saved_iterations() == 3
    with pytest.raises(ValueError, match="--resume"):
        run_distributed(bl, T, **kw, checkpoint_dir=ck)
    with pytest.raises(ValueError, match="seed"):
        run_distributed(bl, T, **{**kw, "seed": SEED + 1}, checkpoint_dir=ck, resume=True)
    with pytest.raises(ValueError, match="collision_params"):
        run_distributed(bl, units.kelvin_to_erg(3.0), **kw, checkpoint_dir=ck, resume=True)
    res = run_distributed(bl, T, **kw, checkpoint_dir=ck, resume=True)
    assert res.info["resumed_iterations"] == 3 and res.info["iterations_run"] == 2
    r = res.estimate.result
    assert r.mean.tobytes() == ref.mean.tobytes()
    assert r.covariance.tobytes() == ref.covariance.tobytes()
    assert res.integrator.map.edges.tobytes() == plain.integrator.map.edges.tobytes()
    # A second resume finds every iteration done and computes nothing.
    again = run_distributed(bl, T, **kw, checkpoint_dir=ck, resume=True)
    assert again.info["iterations_run"] == 0 and again.estimate.result.mean[0] == ref.mean[0]


def test_checkpoint_policy_counts_iterations_and_wall_time() -> None:
    every2 = CheckpointPolicy(iterations=2)
    assert [every2.iteration_done() for _ in range(5)] == [False, True, False, True, False]
    clock = CheckpointPolicy(iterations=None, seconds=0.05)
    assert not clock.iteration_done()
    time.sleep(0.06)
    assert clock.iteration_done() and not clock.iteration_done()
    assert all(CheckpointPolicy().iteration_done() for _ in range(3))  # default: every one
    with pytest.raises(ValueError, match="checkpoint iterations"):
        CheckpointPolicy(iterations=0)


def test_run_file_and_inspect(tmp_path, capsys) -> None:
    from montecarlo.__main__ import main

    out = tmp_path / "run.h5"
    assert main(["run", *_args(), "--output", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["ranks"] == 1 and summary["output"] == str(out)
    assert not (tmp_path / "run.h5.ckpt").exists()
    ref = _reference()
    _assert_same_bits(out, ref)
    assert main(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    for piece in ("seed 7", "1 rank(s)", "wall time", "[K]", "[cm^-2]", "validate", "pull",
                  "train", "prod", "correlation", "bytes sent per iteration"):  # fmt: skip
        assert piece in text, piece
    assert text.count(" prod ") == N_PROD and text.count(" train ") == N_TRAIN
    assert main(["inspect", str(out), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["estimate"]["mean"][0] == read_run(out)["estimate"]["mean"][0]
    # Plain h5py: units and descriptions on every dataset, axes as dimension scales.
    with h5py.File(out) as f:
        assert f["parameters/T"].attrs["units"] == "K"
        assert f["parameters/T"][()] == T_K and f.attrs["seed"] == SEED
        assert f.attrs["version"] and f.attrs["ranks"] == 1 and f.attrs["wall_seconds"] > 0
        assert f["estimate/covariance"].shape == (N_OUT, N_OUT)
        assert f["iterations/mean"].dims[0][0].name == "/iterations/index"
        assert f["quadrature/validate"].attrs["units"] == "Pa s"

        def check(name, obj):
            if isinstance(obj, h5py.Dataset):
                assert "units" in obj.attrs and obj.attrs["description"], name

        f.visititems(check)
    assert main(["inspect", str(tmp_path / "missing.h5")]) == 2
    assert main(["run", *_args(), "--resume"]) == 2  # --resume without a file


@pytest.mark.slow
def test_numba_threads_off_under_a_scheduler() -> None:
    """Importing the run path under MPI/Slurm pins numba to one thread (dragcore.jit)."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_NUM_THREADS"}
    env["SLURM_JOB_ID"] = "1"
    out = subprocess.run(
        [sys.executable, str(SCRIPTS / "montecarlo_threads.py")],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "threads 1" in out.stdout


# --- under mpiexec -----------------------------------------------------------------------------
class _ThreadComm:
    """Two ranks as two threads: ``gather``/``bcast`` with pickling, as mpi4py does them
    (on the root too), so :class:`dragcore.parallel.World` counts the bytes an MPI run sends."""

    def __init__(self, rank: int, size: int, shared: dict) -> None:
        self.rank, self.size, self.shared = rank, size, shared

    def Get_rank(self) -> int:  # noqa: N802 - the mpi4py name
        return self.rank

    def Get_size(self) -> int:  # noqa: N802 - the mpi4py name
        return self.size

    def _exchange(self, payload: bytes | None, reader):
        slots, barrier = self.shared["slots"], self.shared["barrier"]
        slots[self.rank] = payload
        barrier.wait()
        out = reader(slots)
        barrier.wait()
        return out

    def gather(self, obj, root: int = 0):
        read = lambda slots: [pickle.loads(x) for x in slots] if self.rank == root else None  # noqa: E731
        return self._exchange(pickle.dumps(obj, PICKLE), read)

    def bcast(self, obj, root: int = 0):
        payload = pickle.dumps(obj, PICKLE) if self.rank == root else None
        return self._exchange(payload, lambda slots: pickle.loads(slots[root]))


def _two_threads(**kw):
    """:func:`run_distributed` on two thread-ranks; rank 0's result."""
    shared = {"slots": [None, None], "barrier": threading.Barrier(2, timeout=60)}
    results: list = [None, None]
    bl, T = preset("fig2-d40"), units.kelvin_to_erg(T_K)

    def rank(r: int) -> None:
        w = World(_ThreadComm(r, 2, shared))
        results[r] = run_distributed(bl, T, w=w, **kw)

    threads = [threading.Thread(target=rank, args=(r,)) for r in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results[1] is None and results[0] is not None
    return results[0]


def test_two_thread_ranks_give_the_bits_of_one_and_send_only_partial_sums() -> None:
    kw = dict(n_eval=N_EVAL, n_train=N_TRAIN, n_prod=N_PROD, seed=SEED, batch_size=BATCH)
    run = _two_threads(**kw)
    ref = _reference()
    assert run.estimate.result.mean.tobytes() == ref.mean.tobytes()
    assert run.estimate.result.covariance.tobytes() == ref.covariance.tobytes()
    info = run.info
    assert info["ranks"] == 2 and sum(info["bytes_by_iteration"]) == info["bytes_sent"]
    # Production iterations send the estimate only: K + K² numbers per partial sum.
    assert info["bytes_per_prod_iteration"] < info["bytes_per_train_iteration"] / 10
    assert info["bytes_per_prod_iteration"] < 4000


@pytest.mark.mpi
@pytest.mark.slow
def test_one_and_two_ranks_give_the_same_bits(tmp_path) -> None:
    one = _montecarlo("run", *_args(), "--output", "one.h5", "--json", cwd=tmp_path)
    two = run_mpi(SCRIPTS / "montecarlo_run.py", "run", *_args(), "--output",
                  str(tmp_path / "two.h5"), n=2, timeout=60)  # fmt: skip
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    ref = _reference()
    for name in ("one.h5", "two.h5"):
        _assert_same_bits(tmp_path / name, ref)
    a, b = read_run(tmp_path / "one.h5"), read_run(tmp_path / "two.h5")
    assert a["sampling"]["edges"].tobytes() == b["sampling"]["edges"].tobytes()
    assert (a["ranks"], b["ranks"]) == (1, 2)
    assert "[1/2]" not in two.stdout + two.stderr  # rank 1 is quiet
    assert two.stderr.count("[0/2] iteration") == N_TRAIN + N_PROD  # progress on rank 0
    # What travels under MPI is what the thread-ranks send: partial sums and totals.
    threads = _two_threads(
        n_eval=N_EVAL, n_train=N_TRAIN, n_prod=N_PROD, seed=SEED, batch_size=BATCH
    )
    assert b["bytes_sent"] == threads.info["bytes_sent"]
    assert b["bytes_per_iteration"] == threads.info["bytes_sent"] / (N_TRAIN + N_PROD)
    assert "2 rank(s)" in two.stdout and a["bytes_sent"] == 0
    assert not (tmp_path / "two.h5.ckpt").exists()


@killed_and_resumed
def test_killed_run_resumes_on_another_rank_count_with_the_same_bits(
    tmp_path, ranks: int, resume_ranks: int
) -> None:
    """SIGKILL a run once a checkpoint exists; --resume on another rank count; same bits."""
    n_train, n_prod = 3, 5
    out = tmp_path / "out.h5"
    args = [*_args(n_train, n_prod), "--output", str(out)]
    run = [SCRIPTS / "montecarlo_slow.py", "0.4", "run", *args, "--no-progress"]
    proc = start_mpi_to_kill(run, ranks, tmp_path, _env())
    ckpt = tmp_path / "out.h5.ckpt"
    kill_once(proc, (ckpt / "state.npz").exists, "its first checkpoint")
    assert not out.exists()
    saved = CheckpointStore(ckpt, {}).saved_iterations()
    assert 1 <= saved < n_train + n_prod, saved
    resume = ("run", *args, "--resume", "--json")
    resumed = resume_on(
        resume_ranks, _montecarlo, SCRIPTS / "montecarlo_run.py", *resume, cwd=tmp_path
    )
    summary = json.loads(resumed.stdout)
    assert summary["ranks"] == resume_ranks and summary["resumed_iterations"] >= saved
    _assert_same_bits(out, _reference(n_train, n_prod))
    assert read_run(out)["resumed_iterations"] == summary["resumed_iterations"]
    assert not ckpt.exists()


@pytest.mark.mpi
@pytest.mark.slow
def test_failure_on_one_rank_stops_all_ranks_and_names_it(tmp_path) -> None:
    out = tmp_path / "fail.h5"
    proc = run_mpi(SCRIPTS / "montecarlo_fail.py", "1", *_args(), "--output", str(out),
                   "--no-progress", n=2, timeout=60)  # fmt: skip
    assert proc.returncode != 0
    assert "failure on rank 1" in proc.stderr and "deliberate failure" in proc.stderr
    assert not out.exists()
