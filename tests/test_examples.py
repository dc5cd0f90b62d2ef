"""Every worked example in ``examples/`` runs in its ``--quick`` mode, so examples cannot rot.

Each example checks its own numbers against a second route where it has one (the χ sweep:
D(χ = 0) = π f(ς) within the quadratures' error estimates; reading back: the loaded objects
carry the run's numbers) and exits non-zero otherwise. The MPI example runs under
``mpiexec -n 2`` and once in one process: the same bits.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mpi_launcher import find_mpiexec, run_mpi

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.name for p in (REPO / "examples").glob("*.py"))
SERIAL = [name for name in EXAMPLES if name != "mpi_two_ranks.py"]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "NUMBA_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def _run(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(REPO / "examples" / name), "--quick", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=ENV, timeout=600)


def test_every_example_has_a_quick_mode_and_a_header() -> None:
    assert {"chi_sweep.py", "langevin_run.py", "mc_fig2.py", "read_back.py",
            "mpi_two_ranks.py"} <= set(EXAMPLES)  # fmt: skip
    for name in EXAMPLES:
        text = (REPO / "examples" / name).read_text()
        assert text.startswith("# %% [markdown]\n# # "), name  # jupytext percent format
        assert '"--quick"' in text, name


@pytest.mark.slow
@pytest.mark.parametrize("name", SERIAL)
def test_example_runs_in_quick_mode(name: str, tmp_path) -> None:
    p = _run(name, cwd=tmp_path)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-3000:]
    assert re.search(r"\[\d+\.\d s\]", p.stdout), p.stdout[-500:]


@pytest.mark.slow
def test_chi_sweep_figure(tmp_path) -> None:
    p = _run("chi_sweep.py", "--figure", "chi.png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "UnstableError" in p.stdout and (tmp_path / "chi.png").stat().st_size > 0


def _bits(text: str) -> list[str]:
    return re.findall(r"bits (\S+)", text)


@pytest.mark.mpi
@pytest.mark.slow
@pytest.mark.skipif(find_mpiexec() is None, reason="no mpiexec")
def test_mpi_example_two_ranks_same_bits_as_one(tmp_path, monkeypatch) -> None:
    script = REPO / "examples" / "mpi_two_ranks.py"
    monkeypatch.chdir(tmp_path)  # run_mpi runs in the current directory
    two = run_mpi(script, "--quick", "--output", str(tmp_path / "two.h5"), n=2)
    assert two.returncode == 0, two.stderr[-3000:]
    assert "2 rank(s)" in two.stdout
    one = _run("mpi_two_ranks.py", "--output", str(tmp_path / "one.h5"), cwd=tmp_path)
    assert one.returncode == 0, one.stderr[-3000:]
    assert len(_bits(two.stdout)) == 6 and _bits(two.stdout) == _bits(one.stdout)
