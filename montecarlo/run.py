"""One collision-integral Monte Carlo run, as ``python -m montecarlo run`` does it.

:func:`run_collision_mc` takes a :class:`CollisionRunConfig` (the options of the command, or
the keys of its TOML configuration, :mod:`montecarlo.config`) and does everything but the
printing: it checks the inputs, spreads the batches over the MPI ranks
(:func:`montecarlo.checkpoint.run_distributed`, checkpointed and resumable), puts the
deterministic quadratures beside the estimate, writes the HDF5 file
(:mod:`montecarlo.storage`) and removes the checkpoint directory
(:class:`dragcore.run.RunFiles`). The command line, the report and a user's script call it
alike::

    from montecarlo.run import CollisionRunConfig, run_collision_mc
    from layers.drag_integral import drag_quadrature_by_name

    result = run_collision_mc(CollisionRunConfig(T=5.0, neval=100_000),
                              quadrature=drag_quadrature_by_name)
    print(result.summary["coefficients"])

The T = 0 quadrature (:func:`layers.drag_integral.drag_quadrature_by_name`, the integral
that ``validate`` tabulates) is passed in (``quadrature``): a run without it (``None``) puts
NaN in its columns. The finite-T reference of :mod:`montecarlo.drag_mc` (the same
approximations as the Monte Carlo) is computed here unless switched off.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from dragcore import units
from dragcore.checks import require_memory
from dragcore.parallel import World, world
from dragcore.parameters import config_class
from dragcore.run import RunFiles, releases_claim
from layers.bilayer import Bilayer
from layers.presets import preset
from montecarlo.checkpoint import (
    CheckpointPolicy,
    CheckpointStore,
    DistributedRun,
    run_distributed,
)
from montecarlo.collision import OUTPUT_NAMES, collision_dim
from montecarlo.drag_mc import (
    DEFAULT_RECIPE,
    CollisionRecipe,
    DragEstimate,
    finite_temperature_reference,
    hall_from_q3,
)
from montecarlo.integrator import memory_estimate
from montecarlo.parameters import RUN_PARAMETERS
from montecarlo.storage import write_run

__all__ = [
    "CollisionRunConfig",
    "CollisionRunResult",
    "DeterministicQuadrature",
    "run_collision_mc",
    "reference_by_name",
    "run_summary",
]

#: A deterministic quadrature of the drag coefficients: ``(bilayer, T, screening=…) →
#: (values, errors)``, ``name → value`` mappings (internal units) for ``eta0``, ``eta1``,
#: ``eta_q3`` (e.g. :func:`layers.drag_integral.drag_quadrature_by_name`); called with the
#: run's ``screening`` keyword.
DeterministicQuadrature = Callable[..., tuple[dict[str, float], dict[str, float]]]


@config_class(RUN_PARAMETERS)
class CollisionRunConfig:
    """Everything that defines a run of ``python -m montecarlo run``: one field per row of
    :data:`montecarlo.parameters.RUN_PARAMETERS` (its name, type and default; the command's
    options and the TOML keys are the same rows)."""

    def check(self) -> None:
        """Refuse values outside their ranges (``ValueError`` naming the value)."""
        RUN_PARAMETERS.check(self)
        if self.resume and self.output is None and self.checkpoint_dir is None:
            raise ValueError("--resume = True is outside the allowed range without --output")

    def bilayer(self) -> Bilayer:
        """The bilayer of the run: :func:`layers.presets.preset` of ``preset`` with the
        ``[bilayer]`` rows' ``argument`` keywords."""
        return preset(self.preset, **RUN_PARAMETERS.arguments(self, "bilayer"))

    def recipe(self) -> CollisionRecipe:
        """The Monte Carlo settings of the run: the ``[integrator]`` parameters, under their
        stored names (the fields of :class:`~montecarlo.drag_mc.CollisionRecipe`)."""
        table = RUN_PARAMETERS.in_table("integrator")
        return DEFAULT_RECIPE.with_(**{p.stored: getattr(self, p.name) for p in table})

    def files(self) -> RunFiles:
        """The output file and checkpoint directory of the run."""
        return RunFiles.from_options(
            self.output, self.checkpoint_dir, resume=self.resume, overwrite=self.overwrite
        )

    def stored_parameters(self, bilayer: Bilayer) -> dict:
        """The run parameters as stored in the file (units in :mod:`montecarlo.storage`); the
        spacing is the bilayer's (the preset's where ``d`` is not set)."""
        return RUN_PARAMETERS.stored_values(self, d=bilayer.spacing / units.NM)

    def as_dict(self) -> dict:
        """The fields as a plain dictionary."""
        return asdict(self)


@dataclass
class CollisionRunResult:
    """What a run gives on rank 0.

    Attributes
    ----------
    summary
        Everything ``montecarlo run`` prints, as plain types (Pa·s): ``coefficients`` (rows
        with the Monte Carlo value, its sdev, the quadratures and the pulls),
        ``hall`` (the Hall parts: sampled ``sj``, ``eei1``, ``eei2``, ``total`` and the
        paper's relations ``sj_B23``, ``eei1_B17``, ``eei2_B18``), χ²/dof, Q, the cost of
        the run, and ``output`` once written.
    run
        The distributed run (estimate, final integrator, cost).
    parameters
        The run parameters as stored in the file.
    quadrature
        The quadratures as stored in the file (Pa·s).
    iteration_table
        The per-iteration table of η∥⁽⁰⁾ (:meth:`IntegrationResult.summary`).
    output
        The file written (``None``: none).
    """

    summary: dict
    run: DistributedRun
    parameters: dict
    quadrature: dict
    iteration_table: str
    output: Path | None = field(default=None)


def _pull(mc: float, sd: float, ref: float, err: float) -> float:
    s = math.hypot(sd, err)
    return (mc - ref) / s if s > 0 else math.nan


def reference_by_name(values, errors) -> tuple[dict[str, float], dict[str, float]]:
    """The finite-T reference as ``name → value`` and ``name → error`` mappings.

    Accepts mappings (returned as they are, entries that are ``None`` or non-finite dropped)
    or sequences in the order of :data:`montecarlo.collision.OUTPUT_NAMES` that may cover only
    the first outputs: an output the reference does not give is absent, never assumed.
    """
    if not isinstance(values, dict):
        values = dict(zip(OUTPUT_NAMES, np.asarray(values, float).ravel(), strict=False))
    if not isinstance(errors, dict):
        errors = dict(zip(OUTPUT_NAMES, np.asarray(errors, float).ravel(), strict=False))
    keep = [
        k for k, v in values.items()
        if v is not None and math.isfinite(float(v)) and errors.get(k) is not None
    ]  # fmt: skip
    return ({k: float(values[k]) for k in keep}, {k: float(errors[k]) for k in keep})


def check_memory(config: CollisionRunConfig, bilayer: Bilayer) -> None:
    """Refuse sizes whose memory (:func:`montecarlo.integrator.memory_estimate`) is not free,
    naming the option that dominates the estimate."""
    dim = collision_dim(bilayer)
    c = config
    need = memory_estimate(dim, len(OUTPUT_NAMES), c.neval, c.n_bins, c.batch_size,
                           c.max_hcubes)  # fmt: skip
    one_batch = memory_estimate(dim, len(OUTPUT_NAMES), c.batch_size, c.n_bins,
                                c.batch_size, c.max_hcubes)  # fmt: skip
    # the option that dominates one batch's estimate: the points of the batch, or the map
    small_batch = memory_estimate(dim, len(OUTPUT_NAMES), 16, c.n_bins, 16, c.max_hcubes)
    if one_batch - small_batch > small_batch:
        require_memory("batch_size", c.batch_size, one_batch, "one batch of points per thread")
    require_memory("n_bins", c.n_bins, one_batch, "the adaptive map and one batch")
    require_memory("neval", c.neval, need, "an iteration's batch accumulators")


def _no_quadrature(
    bilayer: Bilayer, T: float, screening: str = "T0"
) -> tuple[dict[str, float], dict[str, float]]:
    nan = {name: math.nan for name in ("eta0", "eta1", "eta_q3")}
    return nan, dict(nan)


@releases_claim
def run_collision_mc(
    config: CollisionRunConfig,
    w: World | None = None,
    *,
    quadrature: DeterministicQuadrature | None = None,
    progress: bool = False,
    command: str = "",
    inputs: Sequence[str | os.PathLike | None] = (),
) -> CollisionRunResult | None:
    """Run the collision-integral Monte Carlo of ``config`` on every rank of ``w``.

    Parameters
    ----------
    config
        The run (checked here: ``ValueError`` naming the value before any computing).
    w
        The MPI world (default: :func:`dragcore.parallel.world`); every rank calls this.
    quadrature
        The deterministic quadrature put beside the estimate (the ``validate`` columns,
        e.g. :func:`layers.drag_integral.drag_quadrature_by_name`); ``None``: NaN there.
    progress
        A line per iteration on rank 0 (standard error).
    command
        The command line stored in the file.
    inputs
        The run's input files (a configuration): never overwritten by the output.

    Returns
    -------
    The :class:`CollisionRunResult` on rank 0 (the file written if ``config.output``, the
    checkpoint directory removed), ``None`` on the other ranks.
    """
    w = w or world()
    config.check()
    bl = config.bilayer()
    check_memory(config, bl)
    files = config.files()
    files.check_output(w, inputs, store=CheckpointStore)  # before computing and checkpoints
    T = units.kelvin_to_erg(config.T)
    every = config.checkpoint_every or None
    seconds = config.checkpoint_seconds or None
    drun = run_distributed(
        bl,
        T,
        recipe=config.recipe(),
        seed=config.seed,
        w=w,
        checkpoint_dir=files.checkpoint_dir(),
        resume=config.resume,
        policy=CheckpointPolicy(iterations=every, seconds=seconds),
        progress=progress,
        screening=config.screening,
    )
    if drun is None:
        return None
    est = drun.estimate
    qv, qe, hall_q = _validate_columns(bl, T, config.screening, quadrature)
    ref = err = None
    if config.reference:
        ref, err = reference_by_name(
            *finite_temperature_reference(bl, T, screening=config.screening)
        )
    rows = _coefficient_rows(est, bl, qv, qe, ref, err)
    hall = _hall_rows(est, hall_q)
    parameters = config.stored_parameters(bl)
    summary = run_summary(parameters, drun, rows, hall)
    quad = _stored_quadrature(rows, hall, qv, qe, ref, err)
    result = CollisionRunResult(summary, drun, parameters, quad, est.result.summary(0))
    if files.output is not None:
        result.output = write_run(files.output, drun, result.parameters, quad, command=command)
        summary["output"] = str(result.output)
        files.remove_checkpoints()
    return result


def _validate_columns(
    bl: Bilayer, T: float, screening: str, quadrature: DeterministicQuadrature | None
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """The deterministic quadrature's values and errors by name, with the Hall parts' column:
    the quadrature's η_{Q3} through the paper's relations (B23, B17, B18); and those parts."""
    qv, qe = (quadrature or _no_quadrature)(bl, T, screening=screening)
    qv, qe = dict(qv), dict(qe)
    hall_q = hall_from_q3(bl, qv["eta_q3"])
    for part in ("sj", "eei1", "eei2"):
        qv[f"eta_H_{part}"] = hall_q[part]
        q3 = qv["eta_q3"]
        qe[f"eta_H_{part}"] = abs(hall_q[part] / q3) * qe["eta_q3"] if q3 else 0.0
    return qv, qe, hall_q


def _coefficient_rows(est: DragEstimate, bl: Bilayer, qv, qe, ref, err) -> list[dict]:
    """One row per drag coefficient of the active layer: the Monte Carlo value and sdev, the
    quadratures and the pulls (Pa s)."""
    pa = units.internal_viscosity_to_pascal_second
    rows = []
    for name in (n for n in est.names if n in bl.active.drag_coefficient_names):
        m, s = est.value(name)
        row = {
            "name": name,
            "mc_Pa_s": pa(m),
            "sdev_Pa_s": pa(s),
            "validate_Pa_s": pa(qv[name]),
            "pull_validate": _pull(m, s, qv[name], qe[name]),
            "rel_diff_validate": m / qv[name] - 1.0 if qv[name] else math.nan,
        }
        if ref is not None and name in ref:
            row["reference_Pa_s"] = pa(ref[name])
            row["pull_reference"] = _pull(m, s, ref[name], err[name])
        rows.append(row)
    return rows


def _hall_rows(est: DragEstimate, hall_q: dict[str, float]) -> list[dict]:
    """The sampled η_H parts beside the paper's relations on the quadrature's η_{Q3} (Pa s)."""
    pa = units.internal_viscosity_to_pascal_second
    return [
        {
            "name": f"eta_H.{k}",
            "mc_Pa_s": pa(v),
            "sdev_Pa_s": pa(est.hall_sdev[k]),
            "validate_Pa_s": pa(hall_q[k.split("_")[0]]),
        }
        for k, v in est.hall.items()
    ]


def _stored_quadrature(rows: list, hall: list, qv, qe, ref, err) -> dict:
    """The quadratures as :func:`montecarlo.storage.write_run` stores them (Pa s)."""
    pa = units.internal_viscosity_to_pascal_second
    return {
        "names": [row["name"] for row in rows],
        "validate": [pa(qv[row["name"]]) for row in rows],
        "validate_error": [pa(qe[row["name"]]) for row in rows],
        "reference": None if ref is None else {k: pa(v) for k, v in ref.items()},
        "reference_error": None if err is None else {k: pa(v) for k, v in err.items()},
        "hall": hall,
    }


#: The entries of a run's summary that are run parameters: ``summary key → stored name``.
SUMMARY_PARAMETERS = {
    "preset": "preset",
    "T_K": "T",
    "active": "active",
    "tilt": "tilt",
    "screening": "screening",
    "seed": "seed",
}

#: The entries of a run's summary that are its cost (keys of :attr:`DistributedRun.info`).
SUMMARY_COST = ("ranks", "wall_seconds", "bytes_sent", "bytes_per_iteration", "resumed_iterations")


def run_summary(parameters: dict, run: DistributedRun, rows: list, hall: list) -> dict:
    """Everything the command prints, as plain types: from the stored run ``parameters``
    (:meth:`CollisionRunConfig.stored_parameters`), the estimate and cost of ``run`` and the
    coefficient and Hall rows. :func:`montecarlo.results_io.load` builds the same from a
    file."""
    r = run.estimate.result
    return {
        **{key: parameters.get(name) for key, name in SUMMARY_PARAMETERS.items()},
        "n_eval": r.n_eval,
        "n_eval_total": r.n_eval_total,
        "chi2_dof": r.chi2 / r.dof if r.dof else math.nan,
        "Q": r.Q,
        "coefficients": rows,
        "hall": hall,
        "correlation": r.correlation.tolist(),
        "warnings": r.warnings,
        **{k: run.info[k] for k in SUMMARY_COST},
    }
