"""Run a Python script under ``mpiexec -n N`` from within pytest.

The launcher is the one that belongs to the interpreter running the tests (the ``mpich``
wheel puts ``mpiexec`` beside ``python``); failing that, the one on PATH.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def find_mpiexec() -> str | None:
    here = Path(sys.executable).parent / "mpiexec"
    if here.exists():
        return str(here)
    return shutil.which("mpiexec")


def _launch(
    target: list[str], n: int, timeout: float, cwd: str | Path | None = None
) -> subprocess.CompletedProcess:
    """``mpiexec -n n python target…`` with one numba thread per rank unless set."""
    mpiexec = find_mpiexec()
    if mpiexec is None:
        raise RuntimeError("no mpiexec found: install the `mpich` wheel (pip install mpich)")
    env = dict(os.environ)
    env.setdefault("NUMBA_NUM_THREADS", "1")
    cmd = [mpiexec, "-n", str(n), sys.executable, *target]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)


def run_mpi(
    script: str | Path, *args: str, n: int = 2, timeout: float = 300.0
) -> subprocess.CompletedProcess:
    """Run ``mpiexec -n n python script args…``; return the completed process (text output)."""
    return _launch([str(script), *map(str, args)], n, timeout)


def run_mpi_module(
    module: str, *args: str, n: int = 2, cwd: str | Path | None = None, timeout: float = 300.0
) -> subprocess.CompletedProcess:
    """Run ``mpiexec -n n python -m module args…`` in ``cwd`` (a README command)."""
    return _launch(["-m", module, *map(str, args)], n, timeout, cwd)


def start_mpi_to_kill(
    target: list[str], n: int, cwd: str | Path, env: dict[str, str]
) -> subprocess.Popen:
    """Start ``mpiexec -n n python target…`` in a session of its own with its output
    discarded: a run for :func:`kill_once` to kill."""
    cmd = [find_mpiexec(), "-n", str(n), sys.executable, *map(str, target)]
    return subprocess.Popen(
        cmd, cwd=cwd, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (from /proc): the ranks of an mpiexec."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill_once(proc: subprocess.Popen, ready, what: str, timeout: float = 180.0) -> None:
    """Wait until ``ready()`` (e.g. a checkpoint file exists), then SIGKILL the launcher's
    process group and every process below it (hydra puts the ranks in groups of their own)
    and reap the launcher. Fails if ``proc`` ends first or ``ready`` takes over ``timeout``."""
    deadline = time.monotonic() + timeout  # a cold numba cache on a slow host
    while not ready():
        assert proc.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout:g} s"
        time.sleep(0.01)
    rank_pids = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    for pid in rank_pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=10)


def killed_and_resumed(test):
    """Mark a test that kills an MPI run and resumes it on another rank count: ``mpi``,
    ``slow``, and run with ``(ranks, resume_ranks)`` = (2, 1) and (1, 2)."""
    test = pytest.mark.slow(test)
    test = pytest.mark.parametrize("ranks, resume_ranks", [(2, 1), (1, 2)])(test)
    return pytest.mark.mpi(test)


def resume_on(
    n: int, without_mpi, script: str | Path, *args: str, cwd: str | Path
) -> subprocess.CompletedProcess:
    """Run the command ``args`` on ``n`` ranks: ``without_mpi(*args, cwd=cwd)`` (a plain run)
    for one, ``mpiexec -n n python script args…`` otherwise. Asserts that it succeeded."""
    if n == 1:
        done = without_mpi(*args, cwd=cwd)
    else:
        done = run_mpi(script, *args, n=n, timeout=60)
    assert done.returncode == 0, done.stderr
    return done
