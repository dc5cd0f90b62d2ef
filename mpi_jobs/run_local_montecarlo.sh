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

ranks=2
output=montecarlo-run.h5
while getopts "n:o:h" opt; do
  case "$opt" in
    n) ranks="$OPTARG" ;;
    o) output="$OPTARG" ;;
    h) sed -n '2,9p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[[ $# -gt 0 && "$1" == "--" ]] && shift

python="${PYTHON:-python}"
mpiexec="$(dirname "$(command -v "$python")")/mpiexec"
[[ -x "$mpiexec" ]] || mpiexec="$(command -v mpiexec)"

# One thread per rank: numba (dragcore.jit does this under MPI) and the BLAS of numpy.
export NUMBA_NUM_THREADS="${NUMBA_NUM_THREADS:-1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

resume=()
[[ -d "${output}.ckpt" ]] && resume=(--resume) && echo "resuming from ${output}.ckpt" >&2

# a finished run (the file written, its checkpoint removed) is not redone:
# requeued after the end, the job only inspects it
if [[ -f "$output" && ! -d "${output}.ckpt" ]]; then
  echo "$output exists: nothing to do" >&2
else
  "$mpiexec" -n "$ranks" "$python" -m montecarlo run --output "$output" "${resume[@]}" "$@"
fi
"$python" -m montecarlo inspect "$output"
