"""The TOML configuration of ``python -m langevin run`` (``--print-config`` shows it).

:data:`DEFAULT_CONFIG` is the configuration the command runs without a file;
:func:`load_config` parses and checks one (unknown keys and values of the wrong type raise
``ValueError`` naming the key); :func:`run_parameters` turns a ``[[run]]`` table into
:class:`langevin.params.BilayerParameters`. :func:`langevin.run.run_langevin` runs a
parsed configuration.
"""

from __future__ import annotations

import math

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the standard library has no TOML reader
    tomllib = None

from dragcore.checks import (
    require_bool,
    require_int,
    require_range,
    require_real,
    require_run_names,
)
from langevin.noise import NoiseSource
from langevin.params import BilayerParameters
from langevin.run_models import RunModel
from langevin.steppers import LinearStepper, NonlinearStepper

__all__ = ["DEFAULT_CONFIG", "MODELS", "PARAMETER_KEYS", "load_config", "run_parameters",
           "require_seed", "MAX_SEED"]  # fmt: skip

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

# A [[run]] with model = "nonlinear" solves the full nonlinear equations
# (langevin.nonlinear_model) with the [nonlinear] stepper; theta is then the fluctuation
# strength T/(2 pi (e^2/kappa d)(n d^2)^2), about 0.002-0.04 for GaAs at 1-20 K. Example:
#
# [[run]]
# name = "nonlinear"
# model = "nonlinear"
# varsigma = 0.15
# beta = 0.1
# chi = 0.1
# drift = 0.05
# theta = 0.005

[nonlinear]
scheme = "lawson-heun"        # lawson-heun | lawson-midpoint (weak order 2)
# dt = 0.25                   # 1/omega_p; default 0.25, halved until dt <= sqrt(theta)/lambda_nl
#                             # (lambda_nl: fastest nonlinear rate; langevin.run)
burn_in = 400                 # steps discarded per realisation
control_variate = true        # linear twin with the same normals (exact mean known)
grid_n = 16                   # points per side (the 2/3-dealiased modes are evolved)
"""

#: The dimensionless parameters a ``[[run]]`` table may set (besides ``theta``).
PARAMETER_KEYS = {
    "varsigma",
    "beta",
    "chi",
    "drift",
    "drift_angle",
    "bulk_to_shear",
    "odd",
    "sound",
}
_RUN_KEYS = PARAMETER_KEYS | {
    "name",
    "paper_approximations",
    "theta",
    "model",
    "nonreciprocal_full_velocity",
}
#: ``model = …`` of a ``[[run]]``.
MODELS = tuple(RunModel.registry)
#: The tables of a configuration (each must be a TOML table when present).
_TABLES = ("grid", "stepper", "checkpoint", "nonlinear")
#: Largest seed: the seed is stored as an unsigned 64-bit integer.
MAX_SEED = 2**64 - 1
_NONLINEAR_KEYS = {"scheme", "dt", "burn_in", "control_variate", "grid_n", "n_steps",
                   "n_realisations"}  # fmt: skip
_STEPPER_KEYS = {
    "scheme",
    "dt",
    "common_random_numbers",
    "rng_backend",
    "n_realisations",
    "n_steps",
    "block_steps",
}


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
        "top-level",
        cfg,
        {"output", "seed", "snapshots", "grid", "stepper", "checkpoint", "run", "nonlinear"},
    )
    for table in _TABLES:
        if table in cfg and not isinstance(cfg[table], dict):
            raise ValueError(
                f"{table} = {cfg[table]!r} is outside the allowed range (a table [{table}])"
            )
    _check_keys("[nonlinear]", cfg.get("nonlinear", {}), _NONLINEAR_KEYS)
    _check_keys("[grid]", cfg.get("grid", {}), {"n", "length"})
    _check_keys("[checkpoint]", cfg.get("checkpoint", {}), {"seconds", "blocks"})
    _check_keys("[stepper]", cfg.get("stepper", {}), _STEPPER_KEYS)
    runs = cfg.get("run", [])
    if not isinstance(runs, list):
        raise ValueError(f"run = {runs!r} is outside the allowed range (an array of tables "
                         "[[run]])")  # fmt: skip
    if not runs:
        raise ValueError("[[run]] count = 0 is outside the allowed range [1, inf)")
    for r in runs:
        if not isinstance(r, dict):
            raise ValueError(f"[[run]] = {r!r} is outside the allowed range (a table)")
        _check_keys("[[run]]", r, _RUN_KEYS)
        model = r.get("model", "linear")
        models = RunModel.registry
        if model not in models:
            raise ValueError(f"[[run]] model = {model!r} is outside the allowed range "
                             f"{tuple(models)}")  # fmt: skip
        for key in sorted(k for kind in models.values() for k in kind.run_keys):
            if r.get(key) and key not in models[model].run_keys:
                owners = ", ".join(m for m, kind in models.items() if key in kind.run_keys)
                raise ValueError(
                    f"[[run]] {key} = true is outside the allowed range for "
                    f"model = {model!r} ({owners} only)"
                )
    _check_types(cfg)
    _check_ranges(cfg)
    require_run_names([r.get("name") for r in cfg["run"]])
    return cfg


#: Types of the configuration values: TOML gives ints, floats, bools and strings as such, and
#: nothing is coerced (``n = 8.7`` is an error, not 8; ``snapshots = "no"`` is not true).
_INT_KEYS = {"seed": 0, "n": 2, "n_realisations": 1, "n_steps": 1,
             "block_steps": 1, "blocks": 0, "burn_in": 0, "grid_n": 6}  # fmt: skip
_BOOL_KEYS = {"snapshots", "common_random_numbers", "paper_approximations", "control_variate",
              "nonreciprocal_full_velocity"}  # fmt: skip
_STR_KEYS = {"output", "scheme", "rng_backend", "name", "model"}
_REAL_KEYS = PARAMETER_KEYS | {"theta", "length", "dt", "seconds"}


def _check_types(cfg: dict) -> None:
    """Every value of the configuration has its key's type, or ``ValueError`` names the key."""
    tables = [("", cfg), ("[grid] ", cfg.get("grid", {})), ("[stepper] ", cfg.get("stepper", {})),
              ("[checkpoint] ", cfg.get("checkpoint", {})),
              ("[nonlinear] ", cfg.get("nonlinear", {}))]  # fmt: skip
    tables += [("[[run]] ", r) for r in cfg["run"]]
    for where, table in tables:
        if not isinstance(table, dict):
            raise ValueError(f"{where.strip() or 'table'} = {table!r} is outside the allowed range")
        for key, value in table.items():
            name = f"{where}{key}"
            if key == "seed":
                require_seed(name, value)
            elif key in _INT_KEYS and not (key == "block_steps" and value is None):
                require_int(name, value, _INT_KEYS[key], math.inf)
            elif key in _BOOL_KEYS:
                require_bool(name, value)
            elif key in _STR_KEYS and not isinstance(value, str):
                raise ValueError(f"{name} = {value!r} is outside the allowed range (a string)")
            elif key in _REAL_KEYS:
                require_real(name, value)


def require_seed(name: str, value) -> int:
    """A seed: an integer in ``[0, 2⁶⁴ − 1]`` (stored as an unsigned 64-bit integer)."""
    seed = require_int(name, value, -math.inf, math.inf)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"{name} = {seed} is outside the allowed range [0, {MAX_SEED}]")
    return seed


def _check_ranges(cfg: dict) -> None:
    """The ranges of every value of the configuration, whether or not a run uses it
    (``[nonlinear] dt = -1`` is refused when no run is nonlinear): ``ValueError`` naming the
    key, its value and the allowed range."""
    if "output" in cfg and not cfg["output"].strip():
        raise ValueError(f"output = {cfg['output']!r} is outside the allowed range (a file name)")
    grid = cfg.get("grid", {})
    if "n" in grid and grid["n"] % 2:
        raise ValueError(f"[grid] n = {grid['n']} is outside the allowed range (even, >= 2)")
    if "length" in grid:
        require_range("[grid] length", grid["length"], 0.0, math.inf, lo_open=True)
    st = cfg.get("stepper", {})
    # the registries, read when the configuration is checked (a scheme or back-end
    # registered after this module was imported is allowed)
    schemes, backends = LinearStepper.names(), NoiseSource.names()
    nl_schemes = NonlinearStepper.names()
    if "scheme" in st and st["scheme"] not in schemes:
        raise ValueError(f"[stepper] scheme = {st['scheme']!r} is outside the allowed range "
                         f"{list(schemes)}")  # fmt: skip
    if "rng_backend" in st and st["rng_backend"] not in backends:
        raise ValueError(f"[stepper] rng_backend = {st['rng_backend']!r} is outside the "
                         f"allowed range {list(backends)}")  # fmt: skip
    if "dt" in st:
        require_range("[stepper] dt", st["dt"], 0.0, math.inf, lo_open=True)
    if "seconds" in cfg.get("checkpoint", {}):
        require_range("[checkpoint] seconds", cfg["checkpoint"]["seconds"], 0.0, math.inf)
    nl = cfg.get("nonlinear", {})
    if "scheme" in nl and nl["scheme"] not in nl_schemes:
        raise ValueError(f"[nonlinear] scheme = {nl['scheme']!r} is outside the allowed range "
                         f"{list(nl_schemes)}")  # fmt: skip
    if "dt" in nl:
        require_range("[nonlinear] dt", nl["dt"], 0.0, math.inf, lo_open=True)
    if "grid_n" in nl and nl["grid_n"] % 2:
        raise ValueError(f"[nonlinear] grid_n = {nl['grid_n']} is outside the allowed range "
                         "(even, >= 6)")  # fmt: skip
    for r in cfg["run"]:
        where = f"[[run]] {r['name']!r}" if "name" in r else "[[run]]"
        for key in sorted(PARAMETER_KEYS | {"theta"}):
            if key in r:
                require_range(f"{where} {key}", r[key], -math.inf, math.inf, lo_open=True,
                              hi_open=True)  # fmt: skip
        RunModel.registry[r.get("model", "linear")].check_entry(r, where, st)


def run_parameters(entry: dict) -> BilayerParameters:
    """:class:`BilayerParameters` of one ``[[run]]`` table."""
    kwargs = {k: entry[k] for k in PARAMETER_KEYS | {"theta"} if k in entry}
    for key in ("varsigma", "beta"):
        if key not in kwargs:
            raise ValueError(f"[[run]] {entry.get('name')!r} {key} is required (allowed range "
                             "(0, inf); no default)")  # fmt: skip
    params = BilayerParameters(**kwargs)
    if entry.get("paper_approximations", False):
        params = params.paper_approximations()
    return params
