"""The MPI layer: item ownership, rank-count-independent sums, failure on one rank."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dragcore.parallel import item_seed_sequence, owned_items
from tests.mpi_launcher import run_mpi

SCRIPT = Path(__file__).parents[1] / "mpi_scripts" / "item_streams.py"


@pytest.mark.parametrize("n_items, size", [(10, 1), (10, 3), (2, 4), (7, 2)])
def test_owned_items_partition(n_items: int, size: int) -> None:
    blocks = [owned_items(n_items, r, size) for r in range(size)]
    assert [i for b in blocks for i in b] == list(range(n_items))
    assert max(map(len, blocks)) - min(map(len, blocks)) <= 1


def test_item_streams_differ_and_repeat() -> None:
    a = item_seed_sequence(5, 0).generate_state(4)
    b = item_seed_sequence(5, 1).generate_state(4)
    assert (a != b).any()
    assert (a == item_seed_sequence(5, 0).generate_state(4)).all()


def _sha(out: str) -> str:
    return next(line.split()[1] for line in out.splitlines() if line.startswith("sha"))


@pytest.mark.mpi
def test_same_bits_on_one_and_two_ranks() -> None:
    one = subprocess.run(
        [sys.executable, str(SCRIPT), "11", "9"], capture_output=True, text=True, timeout=120
    )
    two = run_mpi(SCRIPT, "11", "9", n=2, timeout=120)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert _sha(one.stdout) == _sha(two.stdout)


@pytest.mark.mpi
@pytest.mark.slow
def test_failure_on_one_rank_stops_all_and_names_it() -> None:
    proc = run_mpi(SCRIPT, "11", "9", "1", n=2, timeout=120)
    assert proc.returncode != 0
    assert "failure on rank 1" in proc.stderr
