"""The nonlinear production template (mpi_jobs/nonlinear_production.*): it parses, asks for
production size, is checkpointed, and — shrunk to a 12×12 grid and a few steps, everything
else as written — runs under ``mpiexec -n 2`` with the bits of one rank."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from langevin.config import load_config, run_parameters
from langevin.noise import CHECKPOINTABLE_BACKENDS
from langevin.storage import read_run
from tests.mpi_launcher import run_mpi

ROOT = Path(__file__).parents[2]
JOBS = ROOT / "mpi_jobs"
TEMPLATE = JOBS / "nonlinear_production.toml"
SCRIPTS = Path(__file__).parents[1] / "mpi_scripts"


def _load_benchmark():
    """``benchmarks/bench_nonlinear_scaling.py`` as a module (its ``sized_config`` shrinks the
    template; the benchmark and this test shrink it the same way)."""
    import importlib.util

    path = ROOT / "benchmarks" / "bench_nonlinear_scaling.py"
    spec = importlib.util.spec_from_file_location("bench_nonlinear_scaling", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def smoke_form(text: str, n: int = 12, burn_in: int = 20) -> str:
    """The template at ``N = n`` (same spacing) and ``burn_in``; nothing else changed."""
    return _load_benchmark().sized_config(text, n, burn_in)


def test_production_template_is_production_size_and_checkpointed() -> None:
    cfg = load_config(TEMPLATE.read_text())
    nl, st = cfg["nonlinear"], cfg["stepper"]
    (entry,) = cfg["run"]
    assert entry["model"] == "nonlinear" and run_parameters(entry).theta > 0
    assert nl["grid_n"] >= 256 and cfg["grid"]["n"] >= 256
    assert cfg["grid"]["length"] / nl["grid_n"] == 0.75  # the studies' spacing, 12 d / 16
    assert st["n_realisations"] >= 32 and st["n_realisations"] % 32 == 0  # the job's ranks
    assert st["n_steps"] > 10 * nl["burn_in"] and nl["control_variate"]
    assert cfg["checkpoint"]["seconds"] > 0 and st["rng_backend"] in CHECKPOINTABLE_BACKENDS
    for job in ("nonlinear_production.slurm", "nonlinear_production.pbs"):
        text = (JOBS / job).read_text()
        assert "mpi_jobs/nonlinear_production.toml" in text
        assert "--checkpoint-seconds" in text and "--resume" in text
        ranks = re.search(r"--ntasks=(\d+)|mpiprocs=(\d+)", text).groups()
        assert st["n_realisations"] % int(next(r for r in ranks if r)) == 0
    small = load_config(smoke_form(TEMPLATE.read_text()))
    assert small["nonlinear"]["grid_n"] == 12 and small["grid"]["length"] == 9.0
    assert {k: v for k, v in small["run"][0].items()} == entry


@pytest.mark.mpi
@pytest.mark.slow
def test_production_template_smoke_has_the_same_bits_on_one_and_two_ranks(tmp_path) -> None:
    cfg = tmp_path / "smoke.toml"
    cfg.write_text(smoke_form(TEMPLATE.read_text()))
    args = ["run", str(cfg), "--steps", "60", "--realisations", "2", "--checkpoint-blocks", "1",
            "--no-progress"]  # fmt: skip
    env = dict(os.environ)
    env.setdefault("NUMBA_NUM_THREADS", "1")
    one = subprocess.run(
        [sys.executable, "-m", "langevin", *args, "--output", str(tmp_path / "one.h5")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env,
    )  # fmt: skip
    two = run_mpi(SCRIPTS / "langevin_run.py", *args, "--output", str(tmp_path / "two.h5"),
                  n=2, timeout=300)  # fmt: skip
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    a, b = read_run(tmp_path / "one.h5", "paper"), read_run(tmp_path / "two.h5", "paper")
    assert (a["mean"], a["sdev"], a["chi2_dof"]) == (b["mean"], b["sdev"], b["chi2_dof"])
    for key in ("realisations", "block_means", "snapshot"):
        np.testing.assert_array_equal(a[key], b[key])
    assert a["snapshot"].shape == (2, 6, 12, 12) and b["ranks"] == 2
    assert not (tmp_path / "one.h5.ckpt").exists() and not (tmp_path / "two.h5.ckpt").exists()
