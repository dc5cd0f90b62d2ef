"""Every benchmark runs in its ``--smoke`` mode (seconds), so that a benchmark cannot rot.

The smoke modes run every code path of a benchmark at tiny sizes; their figures mean nothing
and are not checked — only that the script runs to the end (exit 0) and prints its CPU line
(the CPU model and its vector extensions, :func:`dragcore.machine.cpu_label`).
``vegas`` (the ``bench`` extra) is optional: without it ``bench_mc_collision.py`` skips that
comparison and says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dragcore.machine import cpu_label
from tests.mpi_launcher import find_mpiexec

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted(p.name for p in (REPO / "benchmarks").glob("bench_*.py"))

#: Extra arguments beside ``--smoke`` (the scaling benchmark: one MPI launch per simulator).
EXTRA = {"bench_scaling.py": ["--ranks", "2"]}


def test_every_benchmark_is_listed() -> None:
    assert len(BENCHMARKS) >= 7 and "bench_mc_collision.py" in BENCHMARKS


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS)
def test_benchmark_smoke(script: str, tmp_path) -> None:
    if script == "bench_scaling.py" and not (Path(sys.executable).parent / "mpiexec").exists():
        pytest.skip("bench_scaling.py launches the mpiexec beside python (the mpich wheel)")
    if script == "bench_scaling.py" and find_mpiexec() is None:
        pytest.skip("no mpiexec")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NUMBA_NUM_THREADS": "2"}
    p = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), "--smoke", *EXTRA.get(script, [])],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-3000:]
    assert f"CPU: {cpu_label()}" in p.stdout  # the model and its vector extensions
