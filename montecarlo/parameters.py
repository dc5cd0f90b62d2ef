"""The run parameters of ``python -m montecarlo run``, each declared once.

:data:`RUN_PARAMETERS` is the one table (:class:`dragcore.parameters.RunParameter` rows) from
which everything about a parameter is derived: the fields of
:class:`montecarlo.run.CollisionRunConfig` and their checks, the command-line options
(:mod:`montecarlo.cli_run`), the TOML keys and the default configuration
(:mod:`montecarlo.config`, ``--print-config``), the units of the stored parameters
(:data:`montecarlo.storage.PARAMETER_UNITS`), the stored values and, for the ``[bilayer]``
rows with an ``argument``, the keywords of :func:`layers.presets.preset` that build the run's
bilayer. A new parameter is one row here (and its use in the run).

The Monte Carlo settings take their defaults from :data:`montecarlo.drag_mc.DEFAULT_RECIPE`
and are stored under the recipe's field names (``n_eval``).
"""

from __future__ import annotations

from dragcore.parameters import NonBlank, OneOf, ParameterTable, Range
from dragcore.parameters import RunParameter as P
from layers.presets import ACTIVE_LAYERS, PRESET_DEFAULTS, PRESETS
from montecarlo.collision import SCREENINGS
from montecarlo.drag_mc import DEFAULT_RECIPE as R

__all__ = ["RUN_PARAMETERS", "TOML_HEADER"]

#: The first line of the default configuration.
TOML_HEADER = "# python -m montecarlo run: default configuration (the command's defaults)"

_POSITIVE = Range(0.0, lo_open=True)
_COUNT = Range(0)
#: The preset options' defaults, declared in :data:`layers.presets.PRESET_DEFAULTS`.
_PD = PRESET_DEFAULTS

RUN_PARAMETERS = ParameterTable([
    P("seed", "", "int", 0, "1", "seed of the random streams", Range(0, 2**64 - 1),
      "seed; batch b of iteration i draws from SeedSequence(seed, (i, b))"),
    P("reference", "", "bool", True, "", "finite-T reference quadrature beside the Monte Carlo",
      option="--no-reference", stored=None),
    P("output", "", "str", None, "", "HDF5 file of the run (default: none, print only)",
      NonBlank("a file name"), stored=None, example="montecarlo-run.h5"),
    P("preset", "bilayer", "str", "fig2-d40", "", "fig2-d40 | fig2-d120", OneOf(tuple(PRESETS)),
      "bilayer preset (layers.presets)"),
    P("active", "bilayer", "str", "weyl", "", "weyl | metal (metal: 2D-2D drag)",
      OneOf(tuple(ACTIVE_LAYERS)), "active layer: weyl (tilted Weyl film) or metal (2D-2D drag)",
      argument="active"),
    P("T", "bilayer", "real", 10.0, "K", "temperature, K", _POSITIVE, "temperature"),
    P("n_p", "bilayer", "real", _PD["n_p_cm2"], "cm^-2", "metal density n^p, cm^-2", _POSITIVE,
      "density of the passive 2D metal", option="--np", argument="n_p_cm2"),
    P("tau_p", "bilayer", "real", _PD["tau_p_ps"], "ps",
      "metal momentum relaxation time tau^p, ps", _POSITIVE,
      "momentum relaxation time of the passive metal", argument="tau_p_ps"),
    P("d", "bilayer", "real", None, "nm", "layer spacing, nm (default: the preset's)", _POSITIVE,
      "interlayer spacing", example=40.0, argument="d_nm"),
    P("tilt", "bilayer", "real", _PD["tilt"], "1", "tilt C of the Weyl cones, |C| < 1",
      Range(-1.0, 1.0, lo_open=True, hi_open=True), "tilt C of the Weyl cone, |C| < 1",
      label="C", argument="tilt"),
    P("eps", "bilayer", "real", _PD["dielectric"], "1", "dielectric constant", _POSITIVE,
      "dielectric constant of the surrounding medium", argument="dielectric"),
    P("screening", "bilayer", "str", "T0", "",
      "|U|^2 from the polarizations at T = 0 (T0) or at T (finite_T)", OneOf(SCREENINGS),
      "polarizations in |U|^2: T0 (the paper's model) or finite_T"),
    P("neval", "integrator", "int", R.n_eval, "1", "evaluations per iteration", Range(64),
      "target integrand evaluations per iteration", stored="n_eval"),
    P("n_train", "integrator", "int", R.n_train, "1",
      "training iterations (adapt the map and strata)", _COUNT,
      "training iterations (adapt the sampling, discarded)"),
    P("n_prod", "integrator", "int", R.n_prod, "1", "production iterations (averaged)", Range(2),
      "production iterations (frozen sampling, averaged with equal weights)"),
    P("n_bins", "integrator", "int", R.n_bins, "1", "adaptive-map bins per axis", Range(2)),
    P("batch_size", "integrator", "int", R.batch_size, "1",
      "points per batch: the unit of work (fixes the streams)", Range(16),
      "points per batch: the unit of work and of random streams"),
    P("max_hcubes", "integrator", "int", R.max_hcubes, "1", "cap on the strata hypercubes",
      Range(1), "cap on the number of strata hypercubes (VEGAS+)"),
    P("checkpoint_every", "checkpoint", "int", 1, "1", "iterations between checkpoints (0: off)",
      _COUNT, key="every", stored=None),
    P("checkpoint_seconds", "checkpoint", "real", 0.0, "s",
      "wall time between checkpoints, s (0: off)", Range(0.0), key="seconds", stored=None),
    P("checkpoint_dir", None, "str", None, "", "checkpoint directory (default: <output>.ckpt)",
      NonBlank("a directory name"), stored=None),
    P("resume", None, "bool", False, "", "continue from the checkpoint directory", stored=None),
    P("overwrite", None, "bool", False, "", "replace an existing output file", stored=None),
])  # fmt: skip
