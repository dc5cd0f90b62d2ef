#!/usr/bin/env bash
# Local launcher for the collision-integral Monte Carlo: P ranks on this machine, resumes
# automatically.
#
#   mpi_jobs/run_local_montecarlo.sh [-n RANKS] [-o OUTPUT] [-- `montecarlo run` options]
#   mpi_jobs/run_local_montecarlo.sh -n 2 -o d40_T10.h5 -- --T 10 --neval 1000000
#
# If OUTPUT.ckpt/ exists (an earlier run was killed), the run continues from it (--resume;
# pass the same options); the result does not depend on RANKS.
set -euo pipefail

# shellcheck source=local_launch.sh
source "$(dirname "$0")/local_launch.sh"
local_options montecarlo-run.h5 2,9p "$@"
shift "$option_count"
[[ $# -gt 0 && "$1" == "--" ]] && shift
run_leading=()
launch_local montecarlo "$@"
