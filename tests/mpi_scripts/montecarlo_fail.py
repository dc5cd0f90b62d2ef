"""``python -m montecarlo run ARGS…`` with a failure injected on one rank in its second iteration.

Usage: montecarlo_fail.py FAIL_ON_RANK [run arguments…]
"""

import sys

from dragcore.parallel import world
from montecarlo import integrator
from montecarlo.__main__ import main

fail_rank = int(sys.argv[1])
_run_batches = integrator.run_batches


def _failing(integrand, params, plan, batches):
    if world().rank == fail_rank and plan.iteration >= 1:
        raise RuntimeError("deliberate failure for the test")
    return _run_batches(integrand, params, plan, batches)


integrator.run_batches = _failing
sys.exit(main(["run", *sys.argv[2:]]))
