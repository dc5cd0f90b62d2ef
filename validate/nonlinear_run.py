"""How long a nonlinear Langevin run of the validation studies is, and how it is sampled.

:class:`NonlinearRunLength` holds the stepper, the step, the burn-in, the steps and
realisations, the seed and whether realisations come in antithetic pairs: the recipe every
study of :mod:`validate.nonlinear`, :mod:`validate.stationarity` and :mod:`validate.oneloop`
passes down instead of the loose keywords. It is checked once, when made, against the ranges
of the run command's parameters (:data:`langevin.parameters.RUN_PARAMETERS`).

Each study has its own default run, named here (they differ in length and seed: the seeds
keep the studies' points independent); a caller changes one field with
:func:`dataclasses.replace`, which checks the new run again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dragcore.checks import require_bool
from langevin.parameters import RUN_PARAMETERS

__all__ = [
    "NonlinearRunLength",
    *("POINT_RUN", "STEPPER_RUN", "STEP_SIZE_RUN", "EQUILIBRIUM_RUN", "CHI_SCAN_RUN"),
    *("DRIFT_SCAN_RUN", "STATIONARITY_RUN", "STATIONARITY_SCAN_RUN", "STRUCTURE_RUN"),
    "SLOPE_RUN",
]


#: Field → its row of :data:`langevin.parameters.RUN_PARAMETERS` (kind and allowed range).
_TABLE_ROWS = {"scheme": "nonlinear_scheme", "dt": "nonlinear_dt", "burn_in": "burn_in",
               "n_steps": "nonlinear_n_steps", "n_realisations": "nonlinear_n_realisations",
               "seed": "seed"}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class NonlinearRunLength:
    """The length and sampling of a nonlinear run (±v common random numbers); each field is
    checked when the run is made, naming the field, its value and the allowed range.

    The length and the seed have no default: each study states its own (the named runs
    below); the stepper, step, burn-in and pairing default to the studies' common choice.
    """

    #: Weak-order-2 stepper, a name of :class:`langevin.steppers.NonlinearStepper`.
    scheme: str = "lawson-heun"
    #: Step, 1/ω_p (> 0).
    dt: float = 0.25
    #: Steps discarded at the start of each realisation (≥ 0).
    burn_in: int = 400
    #: Steps per realisation, the burn-in included (> ``burn_in``).
    n_steps: int
    #: Independent realisations (≥ 1).
    n_realisations: int
    #: Seed of the first realisation's streams, in [0, 2⁶⁴ − 1].
    seed: int
    #: Realisations in antithetic pairs (the studies that use no pairs refuse ``True``).
    antithetic: bool = False

    def __post_init__(self) -> None:
        for name, row in _TABLE_ROWS.items():  # kind and range: the run command's rows
            parameter = RUN_PARAMETERS[row]
            parameter.check(name, parameter.typed(name, getattr(self, name)))
        if self.n_steps <= self.burn_in:
            raise ValueError(f"n_steps = {self.n_steps} is outside the allowed range "
                             f"[{self.burn_in + 1}, inf) (more than burn_in = "
                             f"{self.burn_in})")  # fmt: skip
        require_bool("antithetic", self.antithetic)

    def refuse_antithetic(self, study: str) -> None:
        """Refuse ``antithetic = True`` in a study that steps no antithetic pairs."""
        if self.antithetic:
            raise ValueError(f"antithetic = True is outside the allowed range [False] for "
                             f"{study} (it steps no antithetic pairs)")  # fmt: skip


#: :func:`validate.nonlinear.nonlinear_point` and :func:`validate.nonlinear.strength_scan`.
POINT_RUN = NonlinearRunLength(n_steps=4000, n_realisations=4, seed=1)
#: :func:`validate.nonlinear.stepper_comparison` (seeds 101, 102).
STEPPER_RUN = replace(POINT_RUN, seed=101)
#: :func:`validate.nonlinear.step_size_comparison` (seeds 201, 202).
STEP_SIZE_RUN = replace(POINT_RUN, seed=201)
#: :func:`validate.nonlinear.equilibrium_checks`.
EQUILIBRIUM_RUN = replace(POINT_RUN, seed=7)
#: :func:`validate.nonlinear.chi_scan` (seed 1000 + k for the k-th point).
CHI_SCAN_RUN = replace(POINT_RUN, seed=1000)
#: :func:`validate.nonlinear.drift_scan` (seed 2000 + k for the k-th point).
DRIFT_SCAN_RUN = replace(POINT_RUN, seed=2000)
#: :func:`validate.stationarity.stationarity_point`: two long realisations.
STATIONARITY_RUN = NonlinearRunLength(n_steps=16000, n_realisations=2, seed=1)
#: :func:`validate.stationarity.stationarity_scan` (seed 3000 + k for the k-th point).
STATIONARITY_SCAN_RUN = replace(STATIONARITY_RUN, seed=3000)
#: :func:`validate.oneloop.structure_against_one_loop`: antithetic pairs.
STRUCTURE_RUN = NonlinearRunLength(n_steps=8000, n_realisations=4, seed=5, antithetic=True)
#: :func:`validate.oneloop.simulated_against_one_loop`: antithetic pairs.
SLOPE_RUN = replace(POINT_RUN, antithetic=True)
