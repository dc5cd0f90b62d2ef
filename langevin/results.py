"""What a Langevin run gives: per realisation, between blocks and combined.

:class:`RealisationProgress` is a realisation between two blocks of steps (what a checkpoint
saves), :class:`RealisationResult` a finished one, :class:`RunResult` a run's combined
estimate (:func:`combine_realisations`, in realisation order, so the bits do not depend on
how the realisations were spread over processes). The engine that makes them is
:class:`langevin.engine.Engine`.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field, replace

import numpy as np

from dragcore.philox import PhiloxStream

__all__ = [
    "RealisationResult",
    "RealisationProgress",
    "RunResult",
    "block_means",
    "combine_realisations",
    "estimator_consistency",
]


@dataclass
class RealisationResult:
    """One realisation: its estimator series and summary.

    ``series`` and ``force`` (per-step values) stay on the process that ran the realisation;
    a distributed run (:mod:`langevin.checkpoint`) brings only the summary, the per-block
    means and the snapshot to rank 0, and leaves them ``None``.
    """

    index: int
    series: np.ndarray | None
    force: np.ndarray | None
    mean: float
    error: float
    blocking_error: float
    tau_int: float
    structure: np.ndarray | None = None
    trajectory: np.ndarray | None = None
    snapshot: np.ndarray | None = None
    block_means: np.ndarray | None = None
    #: A second estimator's ``(mean, error)`` where the engine has one (the nonlinear engine:
    #: the q = 0 force the drive's constraint removes from layer 2).
    constraint: tuple[float, float] | None = None


@dataclass
class RealisationProgress:
    """A realisation between two blocks: everything needed to continue it.

    Attributes
    ----------
    index, n_steps
        Realisation index and its total number of steps.
    steps_done
        Steps taken (a multiple of the block length until the last block).
    state
        ``(n_sys, modes, 6)`` complex state after ``steps_done`` steps.
    rng
        The source of the steps' normals, positioned after those of ``steps_done`` steps: the
        realisation's numpy generator, or its :class:`dragcore.philox.PhiloxStream` on the
        ``"philox"`` back-end (on ``"numba"``, the numpy generator, not used for steps).
    forces
        ``(n_steps, n_sys, 2)`` force series, filled up to ``steps_done``.
    moments
        ``(n_sys, modes or 0, 6, 6)`` accumulated ``X X†`` (structure factors) or empty.
    """

    index: int
    n_steps: int
    steps_done: int
    state: np.ndarray
    rng: np.random.Generator | PhiloxStream
    forces: np.ndarray
    moments: np.ndarray

    @property
    def finished(self) -> bool:
        return self.steps_done >= self.n_steps


def block_means(series: np.ndarray, block_steps: int) -> np.ndarray:
    """Means of consecutive blocks of ``block_steps`` samples (the last one may be shorter)."""
    x = np.asarray(series, dtype=float)
    starts = np.arange(0, x.size, block_steps)
    return np.add.reduceat(x, starts) / np.diff(np.append(starts, x.size))


def combine_realisations(means: np.ndarray, errors: np.ndarray) -> tuple[float, float, float]:
    """``(mean, sdev, χ²/dof)`` of independent realisations, in the order given.

    ``mean`` is the plain average of the realisation means, ``sdev = √(Σ err_r²)/R`` and
    ``χ²/dof = Σ (m_r − mean)²/err_r² /(R − 1)`` (NaN for one realisation). The order of the
    arguments fixes the bits of the floating-point sums: pass realisation order.
    """
    means = np.asarray(means, dtype=float)
    errs = np.asarray(errors, dtype=float)
    r = means.size
    mean = float(means.mean())
    sdev = float(np.sqrt(np.sum(errs**2)) / r)
    chi2 = float(np.sum((means - mean) ** 2 / errs**2) / (r - 1)) if r > 1 else float("nan")
    return mean, sdev, chi2


@dataclass
class RunResult:
    """The result a Monte Carlo user expects (after vegas): mean, sdev, χ²/dof, table.

    Attributes
    ----------
    mean, sdev
        Estimate of D (or of F·x̂ at u = 0) and its standard error.
    exact
        The exact value to compare with (Lyapunov solution on the same grid), attached by
        the comparison layer (:meth:`with_exact`); NaN as the engine returns it.
    exact_sdev
        Exact standard deviation of ``mean`` in the stationary state the run started from.
    chi2_dof
        χ² per degree of freedom of the realisation means about ``mean``.
    realisations
        The per-realisation results.
    info
        Run settings and timings (``diagnostics``).
    """

    mean: float
    sdev: float
    exact: float
    exact_sdev: float
    chi2_dof: float
    realisations: list[RealisationResult]
    info: dict = field(default_factory=dict)

    @property
    def pull(self) -> float:
        """``(mean − exact)/sdev`` (NaN without an exact value)."""
        return (self.mean - self.exact) / self.sdev

    def with_exact(self, exact: float) -> RunResult:
        """The same result compared with the exact value ``exact``."""
        return replace(self, exact=float(exact))

    def summary(self) -> str:
        """Per-realisation table and the combined line."""
        lines = [" real |      mean      |  err (τ_int)  | err (blocking) |  τ_int"]
        for r in self.realisations:
            lines.append(
                f"{r.index:5d} | {r.mean:14.6g} | {r.error:13.4g} | {r.blocking_error:14.4g} |"
                f" {r.tau_int:7.2f}"
            )
        total = f"total: {self.mean:.6g} ± {self.sdev:.3g}  (χ²/dof = {self.chi2_dof:.2f});  "
        if math.isnan(self.exact):
            total += f"sd of the estimate {self.exact_sdev:.3g}"
        else:
            total += (
                f"exact {self.exact:.6g} (sd of the estimate {self.exact_sdev:.3g}), "
                f"pull {self.pull:+.2f}"
            )
        lines.append(total)
        return "\n".join(lines)


def estimator_consistency(
    means: np.ndarray, errors: np.ndarray
) -> tuple[float, float, float]:
    """``(difference, sdev, |difference|/sdev)`` of the per-realisation differences between
    the drag estimator and the constraint-force one (independent realisations; each error from
    the autocorrelation of the difference series). Both estimate the same force (the drag is
    the total force on layer 2 at q = 0), so in the dt → 0 limit their mean difference is zero;
    at a finite step it measures the stepper's error (the drag estimator is taken at the ends
    of the steps, the constraint force at the stepper's stages)."""
    means, errors = np.asarray(means, dtype=float), np.asarray(errors, dtype=float)
    mean = float(means.mean())
    sdev = float(np.sqrt(np.sum(errors**2)) / means.size)
    z = abs(mean) / sdev if sdev > 0 else (math.inf if mean else 0.0)
    return mean, sdev, float(z)


class _Progress:
    """A one-line progress display on stderr: fraction, mode-steps/s, ETA (≥ 0.5 s apart)."""

    def __init__(self, total_steps: int, modes: int) -> None:
        self.total = total_steps
        self.modes = modes
        self.done = 0
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, steps: int) -> None:
        self.done += steps
        now = time.perf_counter() - self.start
        if now - self.last < 0.5 and self.done < self.total:
            return
        self.last = now
        rate = self.done / max(now, 1e-9)
        eta = (self.total - self.done) / max(rate, 1e-9)
        sys.stderr.write(
            f"\r  {100 * self.done / self.total:5.1f} %  {rate * self.modes:9.3g} mode-steps/s"
            f"  ETA {eta:6.1f} s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
