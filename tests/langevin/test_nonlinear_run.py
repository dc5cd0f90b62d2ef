"""The nonlinear model on the shared run machinery: same bits on any rank count, restarts,
the TOML ``model = "nonlinear"`` path of ``python -m langevin run``, the HDF5 file.

The machinery is the linear simulator's (:func:`langevin.checkpoint.run_distributed`,
:mod:`langevin.storage`, :func:`langevin.run.run_langevin`), used unchanged through the
realisation API that :class:`langevin.nonlinear_simulation.NonlinearSimulation` shares.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from langevin.checkpoint import CheckpointStore, run_distributed, run_identity
from langevin.comparison import NonlinearComparison
from langevin.config import load_config
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.params import BilayerParameters
from langevin.run import run_langevin
from langevin.storage import read_run
from tests.cli_helpers import run_toml
from tests.langevin.engine_checks import assert_same_bits, check_distributed_resume, subprocess_env
from tests.mpi_launcher import kill_once, run_mpi, start_mpi_to_kill

SCRIPTS = Path(__file__).parents[1] / "mpi_scripts"
SEED, R, BLOCK = 7, 3, 20

CONFIG = """
output = "out.h5"
seed = 7
[grid]
n = 8
length = 9.0
[stepper]
n_realisations = 3
n_steps = {n_steps}
block_steps = 20
[nonlinear]
grid_n = 12
dt = 0.25
burn_in = 40
""" + run_toml("nl", drift=0.05, theta=0.005)


def _params() -> BilayerParameters:
    return BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.05, theta=0.005)


def _sim():
    return NonlinearComparison(
        NonlinearBilayerModel(_params()), PeriodicGrid(12, 9.0), "lawson-heun", 0.25,
        common_random_numbers=True, burn_in=40, block_steps=BLOCK,
    ).simulation  # fmt: skip


@pytest.mark.slow
def test_distributed_nonlinear_run_equals_one_process_and_resumes(tmp_path) -> None:
    sim = _sim()
    ref, res = check_distributed_resume(sim, SEED, R, 200, 3, tmp_path / "ck")
    assert run_distributed(sim, SEED, R, 200).info["constraint_mean"] == ref.info["constraint_mean"]
    assert res.info["constraint_sdev"] == ref.info["constraint_sdev"]
    ident = run_identity(sim, SEED, R, 200)
    assert ident["model"]["model"] == "nonlinear" and ident["burn_in"] == 40


@pytest.mark.slow
def test_toml_nonlinear_run_writes_a_self_describing_file(tmp_path) -> None:
    cfg = load_config(CONFIG.format(n_steps=200))
    out = run_langevin(cfg, output=tmp_path / "nl.h5", config_text=CONFIG)
    s = out.summary["nl"]
    assert s["model"] == "nonlinear" and s["theta"] == 0.005
    assert s["ratio_to_linear"] == pytest.approx(s["mean"] / s["exact_same_grid"])
    f = read_run(tmp_path / "nl.h5", "nl")
    ref = _sim().run(SEED, R, 200)
    assert f["mean"] == ref.mean
    assert f["snapshot"].shape == (R, 6, 12, 12)
    with pytest.raises(ValueError, match="model"):
        load_config(
            CONFIG.format(n_steps=200).replace('"nonlinear"\nvarsigma', '"cubic"\nvarsigma')
        )
    with pytest.raises(ValueError, match="burn_in"):
        run_langevin(load_config(CONFIG.format(n_steps=30)), output=tmp_path / "x.h5")
    assert not (tmp_path / "x.h5").exists()


@pytest.mark.mpi
@pytest.mark.slow
def test_killed_nonlinear_run_resumes_on_one_rank_with_the_same_bits(tmp_path) -> None:
    """Two ranks, SIGKILL once a checkpoint exists, ``--resume`` on one rank: same bits as
    one uninterrupted process."""
    n_steps = 2500
    cfg = tmp_path / "run.toml"
    cfg.write_text(CONFIG.format(n_steps=n_steps))
    out = tmp_path / "out.h5"
    run = ["-m", "langevin", "run", cfg, "--output", out, "--checkpoint-blocks", "5",
           "--no-progress"]  # fmt: skip
    proc = start_mpi_to_kill(run, 2, tmp_path, subprocess_env())
    ckpt = tmp_path / "out.h5.ckpt" / "nl"
    kill_once(proc, lambda: list(ckpt.glob("r*.progress.npz")), "its first checkpoint")
    assert not out.exists()
    assert CheckpointStore(ckpt, {}).saved()["progress"]
    resumed = subprocess.run(
        [sys.executable, "-m", "langevin", "run", str(cfg), "--output", str(out), "--resume",
         "--json"], capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env=subprocess_env(),
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)["runs"]["nl"]
    assert summary["resumed_in_progress"] >= 1
    ref = _sim().run(SEED, R, n_steps)
    assert_same_bits(out, "nl", ref)
    two = run_mpi(SCRIPTS / "langevin_run.py", "run", str(cfg), "--output",
                  str(tmp_path / "two.h5"), "--json", n=2, timeout=300)  # fmt: skip
    assert two.returncode == 0, two.stderr
    assert_same_bits(tmp_path / "two.h5", "nl", ref)


def test_theta_past_the_density_limit_is_refused_before_computing(tmp_path, capsys) -> None:
    """Θ far beyond what 0.75 d cells hold (the density would go negative at the first step):
    the command refuses it before computing, with exit code 2 and one line naming theta, its
    value and its allowed range on the grid; nothing is written."""
    from langevin.__main__ import main

    cfg = tmp_path / "bad.toml"
    cfg.write_text(CONFIG.format(n_steps=200).replace("theta = 0.005", "theta = 0.5"))
    t0 = time.perf_counter()
    assert main(["run", str(cfg), "--output", str(tmp_path / "bad.h5"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "theta = 0.5 is outside the allowed range (0, " in err and "density" in err
    assert time.perf_counter() - t0 < 10.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_blow_up_names_the_step_the_layer_and_theta() -> None:
    """The engine's own guard, for a run past the up-front estimate: the density goes
    negative at the first step and the error names the step, the layer and Θ."""
    sim = NonlinearComparison(
        NonlinearBilayerModel(_params().with_(theta=0.5)), PeriodicGrid(12, 9.0),
        "lawson-heun", 0.25, common_random_numbers=True, burn_in=40, block_steps=BLOCK,
    ).simulation  # fmt: skip
    with pytest.raises(FloatingPointError) as exc:
        sim.run(SEED, 1, 200)
    msg = str(exc.value)
    assert "density of layer" in msg and "at step 1 of realisation" in msg and "theta=0.5" in msg
