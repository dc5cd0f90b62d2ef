"""``python -m langevin ARGS…`` as a script, for ``mpiexec -n N python langevin_run.py ARGS…``."""

import sys

from langevin.__main__ import main

sys.exit(main(sys.argv[1:]))
