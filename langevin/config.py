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

from dragcore.checks import require_int, require_run_names
from langevin.parameters import (
    MAX_SEED,
    MODEL_PARAMETER_KEYS,
    RUN_ENTRY_PARAMETERS,
    RUN_PARAMETERS,
    TOML_HEADER,
    check_table,
)
from langevin.params import BilayerParameters
from langevin.run_models import RunModel

__all__ = ["DEFAULT_CONFIG", "MODELS", "PARAMETER_KEYS", "load_config", "run_parameters",
           "require_seed", "MAX_SEED"]  # fmt: skip

#: The ``[[run]]`` tables of the default configuration, and an example of a nonlinear one.
_DEFAULT_RUNS = """\
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
"""

#: The configuration ``python -m langevin run`` runs without a file: the tables of
#: :data:`langevin.parameters.RUN_PARAMETERS` with their defaults, then the runs.
DEFAULT_CONFIG = RUN_PARAMETERS.toml_text(TOML_HEADER) + "\n" + _DEFAULT_RUNS

#: The dimensionless parameters a ``[[run]]`` table may set (besides ``theta``).
PARAMETER_KEYS = set(MODEL_PARAMETER_KEYS)
#: ``model = …`` of a ``[[run]]``.
MODELS = tuple(RunModel.registry)


def load_config(text: str) -> dict:
    """Parse and check a run configuration (TOML text): every table's keys, types and ranges
    (:data:`langevin.parameters.RUN_PARAMETERS`) and every ``[[run]]``'s
    (:data:`langevin.parameters.RUN_ENTRY_PARAMETERS`, then its model's own checks), whether
    or not a run uses them; ``ValueError`` naming the key, its value and the allowed range."""
    if tomllib is None:
        raise ValueError("python = 3.10 is outside the allowed range for TOML configs [3.11, inf)")
    try:
        cfg = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config = TOML error ({exc}) is outside the allowed range") from exc
    tables = [t for t in RUN_PARAMETERS.tables() if t]
    top = {k: v for k, v in cfg.items() if k not in tables and k != "run"}
    top_rows = RUN_PARAMETERS.in_table("")
    allowed = sorted([p.key for p in top_rows] + tables + ["run"])
    for key in top:
        if key not in allowed:
            raise ValueError(f"top-level key = {key!r} is outside the allowed range {allowed}")
    check_table("", top, top_rows)
    for table in tables:
        if table in cfg and not isinstance(cfg[table], dict):
            raise ValueError(
                f"{table} = {cfg[table]!r} is outside the allowed range (a table [{table}])"
            )
        check_table(f"[{table}] ", cfg.get(table, {}), RUN_PARAMETERS.in_table(table))
    _check_runs(cfg, cfg.get("run", []))
    return cfg


def _check_runs(cfg: dict, runs) -> None:
    """The ``[[run]]`` tables: keys, types and ranges, the model's keys and checks, names."""
    if not isinstance(runs, list):
        raise ValueError(f"run = {runs!r} is outside the allowed range (an array of tables "
                         "[[run]])")  # fmt: skip
    if not runs:
        raise ValueError("[[run]] count = 0 is outside the allowed range [1, inf)")
    models = RunModel.registry
    for r in runs:
        if not isinstance(r, dict):
            raise ValueError(f"[[run]] = {r!r} is outside the allowed range (a table)")
        where = f"[[run]] {r['name']!r} " if isinstance(r.get("name"), str) else "[[run]] "
        check_table(where, r, RUN_ENTRY_PARAMETERS.in_table("run"))
        model = r.get("model", "linear")
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
        models[model].check_entry(r, where.strip(), cfg.get("stepper", {}))
    require_run_names([r.get("name") for r in runs])


def require_seed(name: str, value) -> int:
    """A seed: an integer in ``[0, 2⁶⁴ − 1]`` (stored as an unsigned 64-bit integer)."""
    seed = require_int(name, value, -math.inf, math.inf)
    RUN_PARAMETERS["seed"].check(name, seed)
    return seed


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
