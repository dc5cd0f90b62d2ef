"""The TOML configuration of ``python -m montecarlo run`` (``--print-config`` shows it).

A configuration file holds the values of :class:`montecarlo.run.CollisionRunConfig` in four
places: top-level ``seed``, ``output``, ``reference``; ``[bilayer]`` (what is simulated);
``[integrator]`` (the Monte Carlo recipe); ``[checkpoint]`` (when the state is saved). Keys
that are absent take the defaults of :data:`DEFAULT_CONFIG` (the command's defaults); the
command-line options override the file, as for ``python -m langevin run``.

Every value must have its key's type, as TOML gives it: ``neval = 2e5`` is a float and an
error (write ``200_000``), ``reference = "no"`` is not false. An unknown key or a wrong
type raises ``ValueError`` naming the key (``[integrator] neval = 200000.0 is outside the
allowed range (an integer …)``); the ranges are checked by
:meth:`montecarlo.run.CollisionRunConfig.check` with the option's name.
"""

from __future__ import annotations

import math
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the standard library has no TOML reader
    tomllib = None

from dragcore.checks import require_bool, require_int, require_real
from layers.presets import ACTIVE_LAYERS
from montecarlo.collision import SCREENINGS
from montecarlo.drag_mc import DEFAULT_RECIPE

__all__ = ["DEFAULT_CONFIG", "load_config", "config_fields"]

_R = DEFAULT_RECIPE  # the defaults below are the recipe's (montecarlo.drag_mc)

DEFAULT_CONFIG = f"""\
# python -m montecarlo run: default configuration (the command's defaults)
seed = 0                      # seed of the random streams
reference = true              # finite-T reference quadrature beside the Monte Carlo
# output = "montecarlo-run.h5"  # HDF5 file of the run (default: none, print only)

[bilayer]
preset = "fig2-d40"           # fig2-d40 | fig2-d120
active = "weyl"               # weyl | metal (metal: 2D-2D drag)
T = 10.0                      # temperature, K
n_p = 3e11                    # metal density n^p, cm^-2
tau_p = 50.0                  # metal momentum relaxation time tau^p, ps
# d = 40.0                    # layer spacing, nm (default: the preset's)
tilt = 0.3                    # tilt C of the Weyl cones, |C| < 1
eps = 12.0                    # dielectric constant
screening = "T0"              # |U|^2 from the polarizations at T = 0 (T0) or at T (finite_T)

[integrator]
neval = {_R.n_eval:<22_d}# evaluations per iteration
n_train = {_R.n_train:<20d}# training iterations (adapt the map and strata)
n_prod = {_R.n_prod:<21d}# production iterations (averaged)
n_bins = {_R.n_bins:<21d}# adaptive-map bins per axis
batch_size = {_R.batch_size:<17d}# points per batch: the unit of work (fixes the streams)
max_hcubes = {_R.max_hcubes:<17_d}# cap on the strata hypercubes

[checkpoint]
every = 1                     # iterations between checkpoints (0: off)
seconds = 0.0                 # wall time between checkpoints, s (0: off)
"""

#: ``table → {key: (type, field of CollisionRunConfig)}``; ``""`` is the top level.
_KEYS: dict[str, dict[str, tuple[str, str]]] = {
    "": {"seed": ("int", "seed"), "output": ("str", "output"), "reference": ("bool", "reference")},
    "bilayer": {
        "preset": ("str", "preset"),
        "active": ("str", "active"),
        "T": ("real", "T"),
        "n_p": ("real", "n_p"),
        "tau_p": ("real", "tau_p"),
        "d": ("real", "d"),
        "tilt": ("real", "tilt"),
        "eps": ("real", "eps"),
        "screening": ("str", "screening"),
    },
    "integrator": {
        "neval": ("int", "neval"),
        "n_train": ("int", "n_train"),
        "n_prod": ("int", "n_prod"),
        "n_bins": ("int", "n_bins"),
        "batch_size": ("int", "batch_size"),
        "max_hcubes": ("int", "max_hcubes"),
    },
    "checkpoint": {"every": ("int", "checkpoint_every"), "seconds": ("real", "checkpoint_seconds")},
}

#: The choices of the string keys (the command's ``choices``).
_STRING_CHOICES = {"active": tuple(ACTIVE_LAYERS), "screening": SCREENINGS}


def _typed(name: str, kind: str, value: Any) -> Any:
    if kind == "int":
        return require_int(name, value, -math.inf, math.inf)
    if kind == "real":
        return require_real(name, value)
    if kind == "bool":
        return require_bool(name, value)
    if not isinstance(value, str):
        raise ValueError(f"{name} = {value!r} is outside the allowed range (a string)")
    return value


def load_config(text: str) -> dict:
    """Parse and check a run configuration (TOML text); the values it sets.

    Returns
    -------
    ``field → value`` for the fields of :class:`montecarlo.run.CollisionRunConfig` that the
    text sets (reals as ``float``); absent keys are absent.

    Raises
    ------
    ValueError
        A TOML syntax error, an unknown key or table, or a value of the wrong type, naming
        the key (``[bilayer] T``).
    """
    if tomllib is None:
        raise ValueError("python = 3.10 is outside the allowed range for TOML configs [3.11, inf)")
    try:
        cfg = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config = TOML error ({exc}) is outside the allowed range") from exc
    values: dict[str, Any] = {}
    tables = sorted(k for k in _KEYS if k)
    for key, value in cfg.items():
        if key in tables:
            if not isinstance(value, dict):
                raise ValueError(f"[{key}] = {value!r} is outside the allowed range (a table)")
            values.update(_table(f"[{key}]", value, _KEYS[key]))
        elif key in _KEYS[""]:
            values.update(_table("top-level", {key: value}, _KEYS[""]))
        else:
            allowed = sorted(_KEYS[""]) + [f"[{t}]" for t in tables]
            raise ValueError(f"top-level key = {key!r} is outside the allowed range {allowed}")
    return values


def _table(where: str, table: dict, keys: dict[str, tuple[str, str]]) -> dict[str, Any]:
    out = {}
    for key, value in table.items():
        if key not in keys:
            raise ValueError(f"{where} key = {key!r} is outside the allowed range {sorted(keys)}")
        name = key if where == "top-level" else f"{where} {key}"
        kind, field_name = keys[key]
        out[field_name] = _typed(name, kind, value)
        choices = _STRING_CHOICES.get(key)
        if choices is not None and value not in choices:
            raise ValueError(f"{name} = {value!r} is outside the allowed range {list(choices)}")
    return out


def config_fields() -> set[str]:
    """The fields of :class:`montecarlo.run.CollisionRunConfig` a configuration can set."""
    return {field for table in _KEYS.values() for _, field in table.values()}
