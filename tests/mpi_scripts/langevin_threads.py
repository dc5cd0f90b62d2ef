"""Print numba's thread count after importing the Langevin run path first (as the CLI does)."""

import importlib

for name in ("langevin.cli_run", "langevin.checkpoint", "langevin.cli_inspect"):
    importlib.import_module(name)
numba = importlib.import_module("numba")
print("threads", numba.config.NUMBA_NUM_THREADS)
