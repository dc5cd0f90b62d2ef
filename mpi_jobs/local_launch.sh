# Shared by run_local.sh and run_local_montecarlo.sh, which source it (it is not run itself):
# their options, and the launch of P ranks on this machine with automatic resume.

# local_options DEFAULT_OUTPUT HELP_LINES "$@": reads -n RANKS, -o OUTPUT and -h (prints lines
# HELP_LINES of the calling script); sets ranks, output and option_count (the words read).
local_options() {
  local default_output="$1" help_lines="$2" opt OPTIND=1
  shift 2
  ranks=2
  output="$default_output"
  while getopts "n:o:h" opt; do
    case "$opt" in
      n) ranks="$OPTARG" ;;
      o) output="$OPTARG" ;;
      h) sed -n "$help_lines" "$0"; exit 0 ;;
      *) exit 2 ;;
    esac
  done
  option_count=$((OPTIND - 1))
}

# launch_local SIMULATOR [RUN_ARGUMENTS ...]: `mpiexec -n $ranks python -m SIMULATOR run
# ${run_leading[@]} --output $output [--resume] RUN_ARGUMENTS`, resumed when $output.ckpt/
# exists and skipped when $output is finished, then `python -m SIMULATOR inspect $output`.
launch_local() {
  local simulator="$1" python mpiexec resume=()
  shift
  python="${PYTHON:-python}"
  mpiexec="$(dirname "$(command -v "$python")")/mpiexec"
  [[ -x "$mpiexec" ]] || mpiexec="$(command -v mpiexec)"

  # One thread per rank: numba (dragcore.jit does this under MPI) and the BLAS of numpy.
  export NUMBA_NUM_THREADS="${NUMBA_NUM_THREADS:-1}"
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

  [[ -d "${output}.ckpt" ]] && resume=(--resume) && echo "resuming from ${output}.ckpt" >&2

  # a finished run (the file written, its checkpoint removed) is not redone:
  # requeued after the end, the job only inspects it
  if [[ -f "$output" && ! -d "${output}.ckpt" ]]; then
    echo "$output exists: nothing to do" >&2
  else
    "$mpiexec" -n "$ranks" "$python" -m "$simulator" run "${run_leading[@]}" --output "$output" \
      "${resume[@]}" "$@"
  fi
  "$python" -m "$simulator" inspect "$output"
}
