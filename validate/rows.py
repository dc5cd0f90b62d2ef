"""The rows of the main job's report (:mod:`validate.report`) and what a task returns.

A :class:`Comparison` is one row: two routes A and B to the same number, their combined
error σ and, from them, ``z = (A − B)/σ`` and the verdict (the rules are in
:mod:`validate.report`). The per-topic modules ``validate.rows_*`` build the rows; a task of
the main job returns a :class:`TaskResult`; :class:`JobSize` holds the job's statistics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PASS_Z = 3.0

__all__ = ["PASS_Z", "Comparison", "JobSize", "FULL", "QUICK", "TaskResult", "significance"]


def significance(z: float) -> str:
    """The significance of a deviation of ``z`` standard errors, in words:
    ``"1.5σ: not significant"``, ``"2.4σ: marginal"``, ``"4.1σ: significant"``."""
    if not math.isfinite(z):
        return "—"
    a = abs(z)
    word = "not significant" if a < 2.0 else ("marginal" if a <= PASS_Z else "significant")
    return f"{a:.1f}σ: {word}"


@dataclass(frozen=True)
class Comparison:
    """One row of the report: two routes to the same number.

    Attributes
    ----------
    section, name
        Where it belongs and what is compared.
    route_a, value_a, route_b, value_b
        The two routes and their values.
    sigma
        Combined error of ``value_a − value_b`` (> 0; NaN where no error applies, e.g. a
        count read off a paper's figure).
    sigma_source
        How ``sigma`` was obtained.
    kind
        ``"internal"`` (two routes of this package), ``"paper"`` (a paper's printed result,
        also after a correction of ours) or ``"measurement"`` (a statistical claim with its
        significance; not a pass/fail test).
    note
        Remark (printed in the notes).
    factor
        For a ``paper`` row that differs: the diagnosis — what is traced (and, in
        ``untraced``, what is not).
    factor_value
        A diagnosed exact factor k (e.g. π, −2): the corrected comparison is
        ``(A − k·B)/σ``.
    corrected_value, corrected_sigma
        The paper's value after a correction that is not a simple factor (B′), and the
        combined error of ``A − B′`` (default ``sigma``).
    untraced
        What of the difference is not traced to a cause.
    identity_of
        The name of the row this one equals by construction: shown, counted once.
    after_correction
        For a ``paper`` row whose route B is the paper's value after a correction of ours:
        the correction (the row then "agrees after correction", never an internal pass).
    """

    section: str
    name: str
    route_a: str
    value_a: float
    route_b: str
    value_b: float
    sigma: float
    sigma_source: str
    kind: str = "internal"
    note: str = ""
    factor: str = ""
    factor_value: float | None = None
    corrected_value: float | None = None
    corrected_sigma: float | None = None
    untraced: str = ""
    identity_of: str = ""
    after_correction: str = ""

    @property
    def z(self) -> float:
        if not (self.sigma > 0 and math.isfinite(self.sigma)):
            return math.nan
        return (self.value_a - self.value_b) / self.sigma

    @property
    def ratio(self) -> float:
        return self.value_a / self.value_b if self.value_b != 0 else math.nan

    @property
    def passed(self) -> bool:
        return bool(abs(self.z) <= PASS_Z)

    @property
    def corrected_b(self) -> float:
        """B′: the paper's value after the stated correction (NaN without one)."""
        if self.factor_value is not None:
            return self.factor_value * self.value_b
        if self.corrected_value is not None:
            return self.corrected_value
        return math.nan

    @property
    def z_after_factor(self) -> float:
        """``(A − B′)/σ′``: the z of the corrected comparison (NaN without one)."""
        s = self.sigma if self.corrected_sigma is None else self.corrected_sigma
        b = self.corrected_b
        if not (math.isfinite(b) and s > 0 and math.isfinite(s)):
            return math.nan
        return (self.value_a - b) / s

    @property
    def verdict(self) -> str:
        """``pass``/``FAIL`` (internal); ``agrees``/``differs, diagnosed``/``differs, partly
        explained``/``differs, unexplained`` (paper); the significance (measurement)."""
        if self.kind == "measurement":
            return significance(self.z)
        if self.kind == "paper":
            if self.passed:
                return "agrees after correction" if self.after_correction else "agrees"
            zc = self.z_after_factor
            if math.isfinite(zc) and abs(zc) <= PASS_Z:
                return "differs, diagnosed"
            if self.factor:
                return "differs, partly explained"
            return "differs, unexplained"
        if not self.passed:
            return "FAIL"
        return "pass" if abs(self.z) < 2.0 else f"pass ({significance(self.z)})"

    @property
    def counted(self) -> bool:
        """False for an identity of another row (counted once, with that row)."""
        return not self.identity_of

    @property
    def difference_text(self) -> str:
        """The table's ``(A−B)/σ`` cell: a number, or ``—`` where there is none."""
        return _znum(self.z)

    @property
    def corrected_text(self) -> str:
        """The table's ``(A−B′)/σ′`` cell: a number, or ``—`` without a numeric correction."""
        return _znum(self.z_after_factor)


def _znum(z: float) -> str:
    if not math.isfinite(z):
        return "—"
    return f"{z:+.2f}" if abs(z) < 1e4 else f"{z:+.2e}"


@dataclass(frozen=True)
class JobSize:
    """The statistics of the main job (``--quick``: :data:`QUICK`, default :data:`FULL`)."""

    quick: bool = False
    langevin_steps: int = 4000
    nonlinear_steps: int = 3000
    mc_n_eval: int = 100_000
    mc_n_train: int = 5
    mc_n_prod: int = 8
    mc_reference_n: int = 16
    grid_tilts: tuple[float, ...] = (0.0, 0.3, 0.6, 0.9)
    grid_t_over_td: tuple[float, ...] = (0.05, 0.5, 3.0)
    grid_reference_n: int = 12
    weyl_figure_points: int = 24
    hydro_curve_points: int = 36
    fig2_points: int = 10
    screening_temperatures: tuple[float, ...] = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


FULL = JobSize()
QUICK = JobSize(
    quick=True,
    langevin_steps=2000,
    nonlinear_steps=800,
    mc_n_eval=60_000,
    mc_n_train=4,
    mc_n_prod=6,
    mc_reference_n=10,
    grid_tilts=(0.0, 0.3),
    grid_t_over_td=(0.5, 3.0),
    grid_reference_n=8,
    weyl_figure_points=8,
    hydro_curve_points=12,
    fig2_points=4,
    screening_temperatures=(0.02, 0.1, 0.2, 0.3, 0.5),
)


@dataclass
class TaskResult:
    """What a task returns: rows, figures (title, path relative to the report), pull-grid
    records, quoted result numbers, and its wall and CPU time (CPU: this process, all
    threads)."""

    rows: list[Comparison] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    records: list = field(default_factory=list)
    quoted: dict = field(default_factory=dict)
    wall: float = 0.0
    cpu: float = 0.0
