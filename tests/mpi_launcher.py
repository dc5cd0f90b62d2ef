"""Run a Python script under ``mpiexec -n N`` from within pytest.

The launcher is the one that belongs to the interpreter running the tests (the ``mpich``
wheel puts ``mpiexec`` beside ``python``); failing that, the one on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def find_mpiexec() -> str | None:
    here = Path(sys.executable).parent / "mpiexec"
    if here.exists():
        return str(here)
    return shutil.which("mpiexec")


def run_mpi(
    script: str | Path, *args: str, n: int = 2, timeout: float = 300.0
) -> subprocess.CompletedProcess:
    """Run ``mpiexec -n n python script args…``; return the completed process (text output)."""
    mpiexec = find_mpiexec()
    if mpiexec is None:
        raise RuntimeError("no mpiexec found: install the `mpich` wheel (pip install mpich)")
    env = dict(os.environ)
    env.setdefault("NUMBA_NUM_THREADS", "1")
    cmd = [mpiexec, "-n", str(n), sys.executable, str(script), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
