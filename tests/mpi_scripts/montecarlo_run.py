"""``python -m montecarlo ARGS…`` as a script: ``mpiexec -n N python montecarlo_run.py ARGS…``."""

import sys

from montecarlo.__main__ import main

sys.exit(main(sys.argv[1:]))
