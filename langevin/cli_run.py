"""``python -m langevin run [config.toml]``: Langevin runs of the bilayer, written to HDF5.

Without a file, the default configuration below runs: the paper's ς = 0.15, β = 0.1,
χ = 0.1 in its approximations (even/odd viscosity and pressure off), and the same with every
term on. Each run prints ``D = ρ_D/ρ₀ ± error`` next to the exact value on the same grid
(Lyapunov solution, :mod:`langevin.exact`) and the continuum value (no box). ``--print-config``
shows the default TOML to copy and edit.

Under ``mpiexec -n P`` the realisations are spread over the ranks
(:func:`langevin.checkpoint.run_distributed`); the numbers do not depend on ``P``. Rank 0
prints and writes the file; the other ranks are quiet. Positions are checkpointed into
``<output>.ckpt/`` (``[checkpoint]`` table or ``--checkpoint-seconds/--checkpoint-blocks``);
after a crash or a kill, the same command with ``--resume`` (on any number of ranks) finishes
the run with the bits of an uninterrupted one. The directory is removed once the file is
written. A failure on any rank stops all ranks, naming the rank.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the standard library has no TOML reader
    tomllib = None

from dragcore.checks import (
    require_bool,
    require_int,
    require_memory,
    require_real,
    require_sane_estimate,
)
from dragcore.cli import dump_json
from dragcore.hdf5 import check_output_path
from dragcore.parallel import abort_on_failure, world
from langevin import exact as exact_solution
from langevin.checkpoint import CheckpointPolicy, CheckpointStore, run_distributed
from langevin.comparison import ExactComparison
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.noise import CHECKPOINTABLE_BACKENDS
from langevin.params import BilayerParameters
from langevin.storage import write_runs

DEFAULT_CONFIG = """\
# python -m langevin run: default configuration (dimensionless units, see langevin.params)
output = "langevin-run.h5"
seed = 20251121
snapshots = true              # store each realisation's final real-space fields

[checkpoint]
seconds = 600.0               # save positions every 10 min of wall time (0: never)
blocks = 0                    # ... and/or every k blocks of steps (0: never)

[grid]
n = 32          # points per side
length = 16.0   # box side L in units of the layer spacing d

[stepper]
scheme = "exact"              # exact | crank-nicolson | euler-maruyama
dt = 8.0                      # step = sampling interval, 1/omega_p (exact OU: any dt)
common_random_numbers = true  # estimator (F(+v) - F(-v))/2v
rng_backend = "numpy"         # numpy | numba | philox
n_realisations = 4
n_steps = 10000               # per realisation

[[run]]
name = "paper"
paper_approximations = true
varsigma = 0.15
beta = 0.1
chi = 0.1
drift = 0.01                  # u = v/(omega_p d)

[[run]]
name = "all-terms"
paper_approximations = false
varsigma = 0.15
beta = 0.1
chi = 0.1
drift = 0.01
sound = 0.1                   # s^2 = c_s^2/(omega_p d)^2, pressure on
odd = 0.05                    # beta_o, odd viscosity on
bulk_to_shear = 0.5           # zeta_b/eta, even viscosity (with its noise) on
"""

_PARAM_KEYS = {"varsigma", "beta", "chi", "drift", "drift_angle", "bulk_to_shear", "odd", "sound"}
_RUN_KEYS = _PARAM_KEYS | {"name", "paper_approximations", "theta"}
_STEPPER_KEYS = {
    "scheme",
    "dt",
    "common_random_numbers",
    "rng_backend",
    "n_realisations",
    "n_steps",
    "block_steps",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="TOML configuration (default: built in)")
    parser.add_argument("--output", help="HDF5 file (overrides the configuration)")
    parser.add_argument("--seed", type=int, help="seed (overrides the configuration)")
    parser.add_argument("--steps", type=int, help="steps per realisation (override)")
    parser.add_argument("--realisations", type=int, help="number of realisations (override)")
    parser.add_argument("--only", help="run only the [[run]] with this name")
    parser.add_argument("--no-progress", action="store_true", help="no progress line")
    parser.add_argument("--print-config", action="store_true", help="print the default TOML")
    parser.add_argument("--json", action="store_true", help="machine-readable summary")
    parser.add_argument(
        "--resume", action="store_true", help="continue from the checkpoint directory"
    )
    parser.add_argument("--checkpoint-dir", help="checkpoint directory (default: <output>.ckpt)")
    parser.add_argument(
        "--checkpoint-seconds", type=float, help="wall time between checkpoints (0: never)"
    )
    parser.add_argument(
        "--checkpoint-blocks", type=int, help="blocks of steps between checkpoints (0: never)"
    )
    parser.add_argument("--no-snapshots", action="store_true", help="no real-space snapshots")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")


def _check_keys(section: str, table: dict, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(
            f"{section} key = {unknown[0]!r} is outside the allowed range {sorted(allowed)}"
        )


def load_config(text: str) -> dict:
    """Parse and check a run configuration (TOML text)."""
    if tomllib is None:
        raise ValueError("python = 3.10 is outside the allowed range for TOML configs [3.11, inf)")
    try:
        cfg = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config = TOML error ({exc}) is outside the allowed range") from exc
    _check_keys(
        "top-level", cfg, {"output", "seed", "snapshots", "grid", "stepper", "checkpoint", "run"}
    )
    _check_keys("[grid]", cfg.get("grid", {}), {"n", "length"})
    _check_keys("[checkpoint]", cfg.get("checkpoint", {}), {"seconds", "blocks"})
    _check_keys("[stepper]", cfg.get("stepper", {}), _STEPPER_KEYS)
    runs = cfg.get("run", [])
    if not isinstance(runs, list) or not runs:
        raise ValueError("[[run]] count = 0 is outside the allowed range [1, inf)")
    for r in runs:
        if not isinstance(r, dict):
            raise ValueError(f"[[run]] = {r!r} is outside the allowed range (a table)")
        _check_keys("[[run]]", r, _RUN_KEYS)
    _check_types(cfg)
    return cfg


#: Types of the configuration values: TOML gives ints, floats, bools and strings as such, and
#: nothing is coerced (``n = 8.7`` is an error, not 8; ``snapshots = "no"`` is not true).
_INT_KEYS = {"seed": 0, "n": 2, "n_realisations": 1, "n_steps": 1, "block_steps": 1, "blocks": 0}
_BOOL_KEYS = {"snapshots", "common_random_numbers", "paper_approximations"}
_STR_KEYS = {"output", "scheme", "rng_backend", "name"}
_REAL_KEYS = _PARAM_KEYS | {"theta", "length", "dt", "seconds"}


def _check_types(cfg: dict) -> None:
    """Every value of the configuration has its key's type, or ``ValueError`` names the key."""
    tables = [("", cfg), ("[grid] ", cfg.get("grid", {})), ("[stepper] ", cfg.get("stepper", {})),
              ("[checkpoint] ", cfg.get("checkpoint", {}))]  # fmt: skip
    tables += [("[[run]] ", r) for r in cfg["run"]]
    for where, table in tables:
        if not isinstance(table, dict):
            raise ValueError(f"{where.strip() or 'table'} = {table!r} is outside the allowed range")
        for key, value in table.items():
            name = f"{where}{key}"
            if key in _INT_KEYS and not (key == "block_steps" and value is None):
                require_int(name, value, _INT_KEYS[key], math.inf)
            elif key in _BOOL_KEYS:
                require_bool(name, value)
            elif key in _STR_KEYS and not isinstance(value, str):
                raise ValueError(f"{name} = {value!r} is outside the allowed range (a string)")
            elif key in _REAL_KEYS:
                require_real(name, value)


def run_parameters(entry: dict) -> BilayerParameters:
    """:class:`BilayerParameters` of one ``[[run]]`` table."""
    kwargs = {k: entry[k] for k in _PARAM_KEYS | {"theta"} if k in entry}
    if "varsigma" not in kwargs or "beta" not in kwargs:
        raise ValueError(f"[[run]] {entry.get('name')!r}: varsigma and beta are required")
    params = BilayerParameters(**kwargs)
    if entry.get("paper_approximations", False):
        params = params.paper_approximations()
    return params


def checkpoint_policy(cfg: dict, args: argparse.Namespace) -> CheckpointPolicy:
    """The checkpoint policy of the ``[checkpoint]`` table, overridden by the options."""
    table = {"seconds": 600.0, "blocks": 0, **cfg.get("checkpoint", {})}
    seconds = table["seconds"] if args.checkpoint_seconds is None else args.checkpoint_seconds
    blocks = table["blocks"] if args.checkpoint_blocks is None else args.checkpoint_blocks
    return CheckpointPolicy(
        seconds=float(seconds) if seconds else None, blocks=int(blocks) if blocks else None
    )


#: Largest relative stationary bias of an approximate scheme that a run accepts; above
#: 1e-3 of the exact value a warning gives the bias (the pull then measures the scheme).
MAX_SCHEME_BIAS = 0.1
WARN_SCHEME_BIAS = 1e-3
#: Largest slowdown of the slowest direction's decorrelation by an approximate scheme.
MAX_SLOWDOWN = 10.0


def _check_scheme(comparison: ExactComparison, name: str, talk: bool, w) -> None:
    """Refuse a scheme used outside its range: an unstable Euler–Maruyama step (the run
    would give NaN), a step that slows the decorrelation of some direction more than
    :data:`MAX_SLOWDOWN` times (Crank–Nicolson at large dt: stiff modes hardly decay, the
    error bar misses them), or a stationary bias, computed exactly from the scheme's discrete
    Lyapunov solution (:meth:`ExactComparison.scheme_bias`), above :data:`MAX_SCHEME_BIAS`."""
    sim = comparison.simulation
    if sim.scheme == "exact":
        return
    if sim.scheme == "euler-maruyama":
        limit = sim.stable_dt_limit()
        if not sim.dt < limit:
            raise ValueError(
                f"[{name}] dt = {sim.dt:g} is outside the allowed range (0, {limit:.4g}) for "
                "euler-maruyama (unstable step: the run would diverge)"
            )
    slow, slow_exact = sim.correlation_steps()
    if slow > MAX_SLOWDOWN * max(slow_exact, 1.0):
        raise ValueError(
            f"[{name}] dt = {sim.dt:g} is outside the allowed range for {sim.scheme}: its "
            f"slowest direction decorrelates in {slow:.3g} steps, the exact step's in "
            f"{slow_exact:.3g} (more than {MAX_SLOWDOWN:g} times slower: the run's error bar "
            "cannot see it; lower dt or use exact)"
        )
    bias = comparison.scheme_bias()
    exact = comparison.exact
    rel = abs(bias / exact) if exact else abs(bias)
    text = (
        f"{sim.scheme} at dt = {sim.dt:g} has a stationary bias of {bias:+.4g} "
        f"({100 * rel:.3g} %) on the exact {exact:.5g} (discrete Lyapunov solution of the scheme)"
    )
    if not rel <= MAX_SCHEME_BIAS:
        raise ValueError(
            f"[{name}] dt = {sim.dt:g} is outside the allowed range for {sim.scheme}: "
            f"{text}; the allowed bias is {100 * MAX_SCHEME_BIAS:g} % (lower dt or use exact)"
        )
    if rel > WARN_SCHEME_BIAS and talk:
        w.log(f"[{name}] warning: {text}; the pull measures this bias")


def run(args: argparse.Namespace) -> int:
    if args.print_config:
        if world().is_root:
            print(DEFAULT_CONFIG, end="")
        return 0
    w = world()
    if w.size == 1:
        return _run(args, w)
    with abort_on_failure(w):
        return _run(args, w)


def _run(args: argparse.Namespace, w) -> int:
    if args.config is None:
        text = DEFAULT_CONFIG
    else:
        try:
            text = Path(args.config).read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"config = {args.config!r} is outside the allowed range (cannot be read: "
                f"{getattr(exc, 'strerror', None) or exc})"
            ) from None
    cfg = load_config(text)
    seed = require_int("seed", args.seed if args.seed is not None else cfg.get("seed", 0),
                       0, math.inf)  # fmt: skip
    for opt in ("steps", "realisations"):
        if getattr(args, opt) is not None:
            require_int(f"--{opt}", getattr(args, opt), 1, math.inf)
    output = args.output or cfg.get("output", "langevin-run.h5")
    if w.is_root:  # before any computing, and before a checkpoint directory is made
        check_output_path(output, overwrite=args.overwrite, inputs=[args.config])
    snapshots = cfg.get("snapshots", True) and not args.no_snapshots
    ckpt_root = Path(args.checkpoint_dir or f"{output}.ckpt")
    grid_cfg = {"n": 32, "length": 16.0, **cfg.get("grid", {})}
    n = grid_cfg["n"]
    # per mode: step matrices, noise maps, joint covariances (≈ 7 kB for the ±v pair)
    require_memory("[grid] n", n, 7e3 * n * n / 2, "the per-mode matrices")
    grid = PeriodicGrid(n, float(grid_cfg["length"]))
    st = {
        "scheme": "exact",
        "dt": 8.0,
        "common_random_numbers": True,
        "rng_backend": "numpy",
        "n_realisations": 4,
        "n_steps": 10000,
        "block_steps": None,
        **cfg.get("stepper", {}),
    }
    if args.steps is not None:
        st["n_steps"] = args.steps
    if args.realisations is not None:
        st["n_realisations"] = args.realisations
    entries = [r for r in cfg["run"] if args.only is None or r.get("name") == args.only]
    if not entries:
        raise ValueError(f"--only = {args.only!r} is outside the allowed range (no such run)")
    policy = checkpoint_policy(cfg, args)
    talk = w.is_root and not args.json
    results, summary, extra = {}, {}, {}
    for entry in entries:
        name = str(entry.get("name", f"run{len(results)}"))
        params = run_parameters(entry)
        model = BilayerModel(params)
        comparison = ExactComparison(
            model,
            grid,
            st["scheme"],
            float(st["dt"]),
            common_random_numbers=bool(st["common_random_numbers"]) and params.drift > 0,
            rng_backend=st["rng_backend"],
            block_steps=st["block_steps"],
        )
        sim = comparison.simulation
        _check_scheme(comparison, name, talk, w)
        if talk:
            w.log(
                f"[{name}] N = {grid.n}, L = {grid.length:g} d, {sim.modes.size} modes, "
                f"{st['scheme']} dt = {sim.dt:g}, CRN = {sim.crn}, "
                f"{st['n_realisations']} x {st['n_steps']} steps, seed {seed}, "
                f"{w.size} rank(s)"
            )
        res = run_distributed(
            sim,
            seed,
            int(st["n_realisations"]),
            int(st["n_steps"]),
            w=w,
            checkpoint_dir=(
                ckpt_root / name if sim.rng_backend in CHECKPOINTABLE_BACKENDS else None
            ),
            resume=args.resume,
            policy=policy,
            snapshots=snapshots,
            progress=not (args.no_progress or args.json),
        )
        if res is None:  # not rank 0
            continue
        res = comparison.compare(res)
        require_sane_estimate(f"[{name}] D", res.mean, res.sdev, chi2_dof=res.chi2_dof,
                              dof=max(int(st["n_realisations"]) - 1, 0))  # fmt: skip
        continuum = float("nan")
        if params.drift > 0:
            continuum = exact_solution.exact_drag(params).D
        quantity = "D = rho_D/rho_0" if params.drift > 0 else "F_x"
        summary[name] = {
            "quantity": quantity,
            "mean": res.mean,
            "sdev": res.sdev,
            "exact_same_grid": res.exact,
            "exact_sdev": res.exact_sdev,
            "pull": res.pull,
            "chi2_dof": res.chi2_dof,
            "continuum": continuum,
            "ranks": res.info["ranks"],
            "wall_seconds": res.info["wall_seconds"],
            "bytes_sent": res.info["bytes_sent"],
            "resumed_done": res.info["resumed_done"],
            "resumed_in_progress": res.info["resumed_in_progress"],
            "mode_steps_per_second": res.info["mode_steps_per_second"],
        }
        if talk:
            if res.info["resumed_done"] or res.info["resumed_in_progress"]:
                w.log(
                    f"[{name}] resumed: {res.info['resumed_done']} realisation(s) done, "
                    f"{res.info['resumed_in_progress']} continued from a checkpoint"
                )
            print(res.summary())
            print(
                f"[{name}] {quantity} = {res.mean:.5g} ± {res.sdev:.2g}   "
                f"exact (same grid) {res.exact:.5g}   pull {res.pull:+.2f}   "
                f"continuum {continuum:.5g}   "
                f"({res.info['mode_steps_per_second']:.3g} mode-steps/s)",
                flush=True,
            )
        results[name] = (
            {**{k: getattr(params, k) for k in sorted(_PARAM_KEYS | {"theta"})},
             "even_viscosity": params.even_viscosity},
            grid_cfg,
            res,
        )  # fmt: skip
        extra[name] = {"continuum": continuum}
    if not w.is_root:
        return 0
    path = write_runs(output, results, config_text=text, extra=extra)
    for name in results:
        CheckpointStore(ckpt_root / name, {}).remove()
    if ckpt_root.exists() and not any(ckpt_root.iterdir()):
        ckpt_root.rmdir()
    if args.json:
        print(dump_json({"output": str(path), "seed": seed, "runs": summary}))
    else:
        print(f"{w.tag()} wrote {path}", file=sys.stderr)
    return 0
