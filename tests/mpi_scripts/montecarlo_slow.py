"""``python -m montecarlo ARGS…`` with every rank's share of each iteration slowed down.

Usage: montecarlo_slow.py SECONDS [montecarlo arguments…]. The pause does not touch the
numbers (it follows the batches' work), it only leaves time to kill the run between two
checkpoints.
"""

import sys
import time

from montecarlo import integrator
from montecarlo.__main__ import main

pause = float(sys.argv[1])
_run_batches = integrator.run_batches


def _slow(*args, **kwargs):
    out = _run_batches(*args, **kwargs)
    time.sleep(pause)
    return out


integrator.run_batches = _slow
sys.exit(main(sys.argv[2:]))
