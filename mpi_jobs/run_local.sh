#!/usr/bin/env bash
# Local launcher for the Langevin simulator: P ranks on this machine, resumes automatically.
#
#   mpi_jobs/run_local.sh [-n RANKS] [-o OUTPUT] [CONFIG.toml] [-- extra `langevin run` options]
#
# If OUTPUT.ckpt/ exists (an earlier run was killed), the run continues from it (--resume);
# the result does not depend on RANKS. (The Monte Carlo launcher goes beside this one.)
set -euo pipefail

# shellcheck source=local_launch.sh
source "$(dirname "$0")/local_launch.sh"
local_options langevin-run.h5 2,8p "$@"
shift "$option_count"
run_leading=()
if [[ $# -gt 0 && "$1" != "--" ]]; then run_leading=("$1"); shift; fi
[[ $# -gt 0 && "$1" == "--" ]] && shift
launch_local langevin "$@"
