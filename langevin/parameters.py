"""The run parameters of ``python -m langevin run``, each declared once.

Two tables of :class:`dragcore.parameters.RunParameter` rows, the mechanism of the Monte
Carlo's run parameters (:mod:`montecarlo.parameters`):

* :data:`RUN_PARAMETERS`, the settings of the command (top level, ``[checkpoint]``,
  ``[grid]``, ``[stepper]``, ``[nonlinear]``): their TOML keys, types and checks
  (:func:`langevin.config.load_config`), the default TOML text
  (:data:`langevin.config.DEFAULT_CONFIG`), the command-line options that override them
  (:mod:`langevin.cli_run`), the defaults a run fills in (:func:`table_values`) and the
  engines' defaults;
* :data:`RUN_ENTRY_PARAMETERS`, the keys of a ``[[run]]`` table: their types and checks, the
  fields of :class:`langevin.params.BilayerParameters` they set (the defaults are that class's,
  a test holds them equal), and the units of the stored parameters
  (:data:`langevin.storage.PARAMETER_UNITS`).

A new parameter is one row here (and its use in the run).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dragcore.parameters import Allowed, NonBlank, ParameterTable, Range
from dragcore.parameters import RunParameter as P
from langevin.noise import NoiseSource
from langevin.steppers import LinearStepper, NonlinearStepper

__all__ = [
    "RUN_PARAMETERS",
    "RUN_ENTRY_PARAMETERS",
    "MODEL_PARAMETER_KEYS",
    "TOML_HEADER",
    "MAX_SEED",
    "NONLINEAR_START_DT",
    "Registered",
    "Even",
    "table_values",
    "stored_model_parameters",
    "check_table",
]

#: The first line of the default configuration.
TOML_HEADER = ("# python -m langevin run: default configuration (dimensionless units, "
               "see langevin.params)")  # fmt: skip
#: Largest seed: the seed is stored as an unsigned 64-bit integer.
MAX_SEED = 2**64 - 1


@dataclass(frozen=True)
class Registered(Allowed):
    """A name of a registry, read when a value is checked (a kind registered after this
    module was imported is allowed): ``names()`` gives the allowed names."""

    names: Callable[[], tuple[str, ...]]
    text = property(lambda self: str(list(self.names())))

    def ok(self, value: Any) -> bool:
        return value in self.names()


@dataclass(frozen=True)
class Even(Allowed):
    """An even integer ``>= lo`` (grid sizes: the Nyquist column must exist)."""

    lo: int
    text = property(lambda self: f"(even, >= {self.lo})")

    def ok(self, value: Any) -> bool:
        return value >= self.lo and value % 2 == 0


_POSITIVE = Range(0.0, lo_open=True)
_COUNT = Range(1)
_FINITE = Range(-math.inf, math.inf, lo_open=True, hi_open=True)

RUN_PARAMETERS = ParameterTable([
    P("output", "", "str", "langevin-run.h5", "", "HDF5 file of the runs",
      NonBlank("a file name"), stored=None),
    P("seed", "", "int", 20251121, "1", "seed of the random streams", Range(0, MAX_SEED),
      stored=None),
    P("snapshots", "", "bool", True, "", "real-space snapshots of each realisation's final fields",
      option="--no-snapshots", stored=None),
    P("checkpoint_seconds", "checkpoint", "real", 600.0, "s",
      "save positions every 10 min of wall time (0: never)", Range(0.0), key="seconds",
      stored=None),
    P("checkpoint_blocks", "checkpoint", "int", 0, "1",
      "save positions every k blocks of steps (0: never)", Range(0), key="blocks", stored=None),
    P("grid_n", "grid", "int", 32, "1", "points per side", Even(2), key="n", option=None),
    P("grid_length", "grid", "real", 16.0, "d", "box side L in units of the layer spacing d",
      _POSITIVE, key="length", option=None),
    P("scheme", "stepper", "str", "exact", "", "exact | crank-nicolson | euler-maruyama",
      Registered(LinearStepper.names), option=None),
    P("dt", "stepper", "real", 8.0, "1/omega_p",
      "step = sampling interval, 1/omega_p (exact OU: any dt)", _POSITIVE, option=None),
    P("common_random_numbers", "stepper", "bool", True, "",
      "estimator (F(+v) - F(-v))/2v", option=None),
    P("rng_backend", "stepper", "str", "numpy", "", "numpy | numba | philox",
      Registered(NoiseSource.names), option=None),
    P("n_realisations", "stepper", "int", 4, "1", "number of realisations", _COUNT,
      option="--realisations"),
    P("n_steps", "stepper", "int", 10000, "1", "steps per realisation", _COUNT,
      option="--steps"),
    P("block_steps", "stepper", "int", None, "1",
      "steps per block of normals (default: ~4 MB of normals)", _COUNT, option=None,
      example=1000),
    P("nonlinear_scheme", "nonlinear", "str", "lawson-heun", "",
      "lawson-heun | lawson-midpoint (weak order 2)", Registered(NonlinearStepper.names),
      key="scheme", option=None),
    P("nonlinear_dt", "nonlinear", "real", None, "1/omega_p",
      "default: this, halved to dt <= sqrt(theta)/lambda_nl", _POSITIVE,
      key="dt", option=None, example=0.25),
    P("burn_in", "nonlinear", "int", 400, "1", "steps discarded per realisation", Range(0),
      option=None),
    P("control_variate", "nonlinear", "bool", True, "",
      "linear twin with the same normals (exact mean known)", option=None),
    P("nonlinear_grid_n", "nonlinear", "int", 16, "1",
      "points per side (the 2/3-dealiased modes are evolved)", Even(6), key="grid_n",
      option=None),
    P("nonlinear_n_realisations", "nonlinear", "int", None, "1",
      "realisations of the nonlinear runs (default: [stepper]'s)", _COUNT,
      key="n_realisations", option=None, example=4),
    P("nonlinear_n_steps", "nonlinear", "int", None, "1",
      "steps of the nonlinear runs (default: [stepper]'s)", _COUNT, key="n_steps",
      option=None, example=10000),
    P("checkpoint_dir", None, "str", None, "", "checkpoint directory (default: <output>.ckpt)",
      NonBlank("a directory name"), stored=None),
    P("resume", None, "bool", False, "", "continue from the checkpoint directory", stored=None),
    P("overwrite", None, "bool", False, "", "replace an existing output file", stored=None),
])  # fmt: skip

#: The keys of a ``[[run]]`` table. The model parameters (``stored`` rows) are the fields of
#: :class:`langevin.params.BilayerParameters` with its defaults (``None``: required).
RUN_ENTRY_PARAMETERS = ParameterTable([
    P("name", "run", "str", None, "", "name of the run (its group in the file)", stored=None,
      option=None),
    P("model", "run", "str", "linear", "", "linear | nonlinear", stored=None, option=None),
    P("paper_approximations", "run", "bool", False, "",
      "even and odd viscosity and pressure off (the paper's Eq. 21)", stored=None, option=None),
    P("nonreciprocal_full_velocity", "run", "bool", False, "",
      "nonreciprocal stress from the full velocity (nonlinear model)", stored=None, option=None),
    P("varsigma", "run", "real", None, "1",
      "Maxwell rate parameter 2 pi sigma/(d kappa omega_p) (Eq. 24)", _FINITE, option=None),
    P("beta", "run", "real", None, "1",
      "longitudinal kinematic viscosity nu/(d^2 omega_p) (Eqs. 15, 24)", _FINITE, option=None),
    P("chi", "run", "real", 0.0, "1", "nonreciprocal coupling alpha (v.B) (Eq. 24)", _FINITE,
      option=None),
    P("drift", "run", "real", 0.0, "omega_p d", "drift speed u = |v|/(omega_p d) of layer 1",
      _FINITE, option=None),
    P("drift_angle", "run", "real", 0.0, "rad", "direction of the drift from the x axis",
      _FINITE, option=None),
    P("bulk_to_shear", "run", "real", 0.0, "1", "zeta_b/eta", _FINITE, option=None),
    P("odd", "run", "real", 0.0, "1", "odd kinematic viscosity nu_o/(d^2 omega_p)", _FINITE,
      option=None),
    P("sound", "run", "real", 0.0, "1", "s^2 = c_s^2/(omega_p d)^2 (pressure term)", _FINITE,
      option=None),
    P("theta", "run", "real", 1.0, "rho omega_p^2 d^4", "temperature in the energy unit",
      _FINITE, option=None),
    P("even_viscosity", None, "bool", True, "bool",
      "even viscous stress (Eq. 7) and its noise (Eq. 10) on", option=None),
])  # fmt: skip

#: The dimensionless model parameters a ``[[run]]`` sets (besides ``theta``).
MODEL_PARAMETER_KEYS = frozenset(
    p.key for p in RUN_ENTRY_PARAMETERS if p.table and p.stored and p.name != "theta"
)

#: The step a nonlinear run starts from when ``[nonlinear] dt`` is not given (the value the
#: default configuration shows), and the nonlinear engine's default step.
NONLINEAR_START_DT: float = RUN_PARAMETERS["nonlinear_dt"].example


def table_values(config: dict, table: str) -> dict[str, Any]:
    """The TOML table ``table`` of ``config`` (``""``: the top level, without the tables) with
    every key the configuration leaves out at its default (``None``: no default)."""
    given = config if table == "" else config.get(table, {})
    if table == "":
        given = {k: v for k, v in given.items() if not isinstance(v, (dict, list))}
    out = {p.key: p.default for p in RUN_PARAMETERS.in_table(table)}
    return {**out, **given}


def stored_model_parameters(params: Any) -> dict[str, Any]:
    """The model parameters stored with a run (the ``stored`` rows of
    :data:`RUN_ENTRY_PARAMETERS`), read from its :class:`langevin.params.BilayerParameters`."""
    return {p.stored: getattr(params, p.name) for p in RUN_ENTRY_PARAMETERS if p.stored}


def check_table(where: str, table: dict, params: list[P]) -> None:
    """Refuse an unknown key, a value of the wrong type or outside its range in one TOML
    table (``where``: ``"[grid] "``, or ``""`` for the top level), naming the key."""
    keys = {p.key: p for p in params}
    for key, value in table.items():
        if key not in keys:
            section = where.strip() or "top-level"
            raise ValueError(f"{section} key = {key!r} is outside the allowed range "
                             f"{sorted(keys)}")  # fmt: skip
        p = keys[key]
        if value is None:
            continue
        label = f"{where}{key}"
        p.typed(label, value)
        if p.check is not None:
            p.check(label, value)
