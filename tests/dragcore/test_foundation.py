"""The foundation: CLIs answer --help, input checks speak clearly, MPI launches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dragcore.checks import require_positive, require_range
from tests.mpi_launcher import run_mpi

HERE = Path(__file__).parent


@pytest.mark.parametrize("pkg", ["langevin", "montecarlo", "validate"])
@pytest.mark.slow
def test_cli_help(pkg: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", pkg, "--help"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "usage" in out.stdout


def test_require_range_message_names_parameter_value_and_range() -> None:
    with pytest.raises(
        ValueError, match=r"varsigma = -0\.5 is outside the allowed range \(0, inf\)"
    ):
        require_positive("varsigma", -0.5)
    with pytest.raises(ValueError, match=r"C = nan is outside the allowed range \(-1, 1\)"):
        require_range("C", float("nan"), -1, 1, lo_open=True, hi_open=True)
    with pytest.raises(ValueError, match=r"beta = -1\.0 .*\[0, inf\)"):
        require_positive("beta", np.array([1.0, -1.0]), allow_zero=True)
    assert require_positive("x", 2.0) == 2.0


@pytest.mark.mpi
def test_mpiexec_two_ranks() -> None:
    proc = run_mpi(HERE.parent / "mpi_scripts" / "allreduce.py", n=2, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "size=2 sum=3" in proc.stdout
