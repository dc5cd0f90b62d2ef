"""Print numba's thread count after importing the Monte Carlo run path first (as the CLI does)."""

import importlib

for name in ("montecarlo.cli_run", "montecarlo.checkpoint", "montecarlo.cli_inspect"):
    importlib.import_module(name)
numba = importlib.import_module("numba")
print("threads", numba.config.NUMBA_NUM_THREADS)
