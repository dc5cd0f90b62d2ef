"""``python -m langevin run ARGS…`` with a failure injected on one rank after its first block.

Usage: langevin_fail.py FAIL_ON_RANK [run arguments…]
"""

import sys

from dragcore.parallel import world
from langevin import simulation
from langevin.__main__ import main

fail_rank = int(sys.argv[1])
_advance = simulation.Simulation.advance_realisation


def _failing(self, prog, *args, **kwargs):
    if world().rank == fail_rank and prog.steps_done > 0:
        raise RuntimeError("deliberate failure for the test")
    return _advance(self, prog, *args, **kwargs)


simulation.Simulation.advance_realisation = _failing
sys.exit(main(["run", *sys.argv[2:]]))
