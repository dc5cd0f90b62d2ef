"""The result of an adaptive Monte Carlo integration: estimates, errors and their history.

Training iterations adapt the sampling and are discarded; production iterations use frozen
sampling, are independent and identically distributed, and are averaged WITH EQUAL WEIGHTS:

    Ī = (1/n) Σ_i I_i,        Cov(Ī) = (1/n²) Σ_i C_i,

(``I_i``, ``C_i``: the K-vector estimate of iteration i and its estimated covariance).
Inverse-variance weights would favour iterations whose estimated variance fluctuated low,
which for skewed integrands are those whose estimate fluctuated low too: a bias. Their
consistency is measured by

    χ² = Σ_i (I_i − Ī)ᵀ C_i⁺ (I_i − Ī),     dof = r (n − 1),

with ``C_i⁺`` the pseudo-inverse and ``r`` the numerical rank of the covariance (K unless
some integrands are linearly dependent or identically zero); ``Q = P(χ²_dof > χ²)``
(``scipy.stats.chi2.sf``). For equal ``C_i`` (frozen sampling, large samples) ``E χ² = dof``.
A good Q does not prove a correct error bar (heavy-tailed integrands can fool it); the table
shows, per iteration, the fraction of points where the integrand was nonzero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

__all__ = ["IterationRecord", "MonteCarloResult", "format_estimate", "equal_weight_average"]

RANK_RTOL = 1e-10
"""Eigenvalues of a covariance below this fraction of the largest count as zero."""


def format_estimate(mean: float, sdev: float) -> str:
    """``mean`` with two significant digits of ``sdev`` in brackets: ``1.00231(42)``.

    Very large or small magnitudes use a common exponent: ``3.141(12)e-05``. A zero or
    non-finite ``sdev`` gives ``mean +- sdev``.
    """
    if not (math.isfinite(mean) and math.isfinite(sdev)) or sdev <= 0.0:
        return f"{mean:.8g} +- {sdev:.2g}"
    magnitude = math.floor(math.log10(max(abs(mean), sdev)))
    exponent = magnitude if (magnitude < -4 or magnitude > 5) else 0
    m, s = mean / 10.0**exponent, sdev / 10.0**exponent
    decimals = max(0, 1 - math.floor(math.log10(s)))
    digits = round(s * 10.0**decimals)
    if digits >= 100:  # rounding 99.6 → 100: one digit fewer
        decimals = max(0, decimals - 1)
        digits = round(s * 10.0**decimals)
    text = f"{m:.{decimals}f}({digits})"
    return text if exponent == 0 else f"{text}e{exponent:+03d}"


@dataclass(frozen=True)
class IterationRecord:
    """One iteration: its K-vector estimate, covariance and bookkeeping.

    Attributes
    ----------
    index
        The integrator's iteration number (the random streams are keyed by it).
    phase
        ``"train"`` (adapted the sampling afterwards; discarded) or ``"prod"`` (frozen).
    mean, covariance
        The iteration's estimate (K) and its estimated covariance (K, K).
    n_eval
        Integrand evaluations in this iteration.
    n_nonzero
        Points at which some component was nonzero (0: an all-zero iteration).
    n_batches
        Batches the iteration was cut into.
    seconds
        Wall time of the iteration.
    """

    index: int
    phase: str
    mean: np.ndarray
    covariance: np.ndarray
    n_eval: int
    n_nonzero: int
    n_batches: int
    seconds: float

    @property
    def sdev(self) -> np.ndarray:
        return np.sqrt(np.maximum(np.diag(self.covariance), 0.0))

    @property
    def all_zero(self) -> bool:
        return self.n_nonzero == 0

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "phase": self.phase,
            "mean": self.mean.tolist(),
            "sdev": self.sdev.tolist(),
            "covariance": self.covariance.tolist(),
            "n_eval": self.n_eval,
            "n_nonzero": self.n_nonzero,
            "n_batches": self.n_batches,
            "seconds": self.seconds,
        }


def _rank(covariance: np.ndarray) -> int:
    eig = np.linalg.eigvalsh(covariance)
    top = eig.max(initial=0.0)
    return int(np.count_nonzero(eig > RANK_RTOL * top)) if top > 0.0 else 0


def equal_weight_average(
    means: np.ndarray, covariances: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Equal-weight average of n iterations and its χ² (see the module docstring).

    Parameters
    ----------
    means
        ``(n, K)`` iteration estimates.
    covariances
        ``(n, K, K)`` their covariances.

    Returns
    -------
    tuple
        ``(mean (K), covariance (K, K), chi2, dof)``.
    """
    means = np.asarray(means, dtype=float)
    covariances = np.asarray(covariances, dtype=float)
    n = means.shape[0]
    mean = means.sum(axis=0) / n
    covariance = covariances.sum(axis=0) / n**2
    rank = _rank(covariance)
    chi2 = 0.0
    if rank > 0 and n > 1:
        for m_i, c_i in zip(means, covariances, strict=True):
            r = m_i - mean
            chi2 += float(r @ np.linalg.pinv(c_i, rcond=RANK_RTOL, hermitian=True) @ r)
    return mean, covariance, chi2, rank * (n - 1)


@dataclass
class MonteCarloResult:
    """Estimate of K integrals from equally weighted production iterations.

    Attributes
    ----------
    mean, sdev, covariance
        ``(K,)``, ``(K,)``, ``(K, K)``.
    chi2, dof, Q
        Consistency of the production iterations (``Q`` is NaN when ``dof = 0``).
    n_eval
        Integrand evaluations in the production iterations (those behind the estimate).
    n_eval_total
        Evaluations including training.
    iterations
        Every iteration, training first.
    seed
        The seed of the random streams.
    warnings
        Human-readable notes (all-zero iterations, frozen map axes).
    """

    mean: np.ndarray
    sdev: np.ndarray
    covariance: np.ndarray
    chi2: float
    dof: int
    Q: float
    n_eval: int
    n_eval_total: int
    iterations: list[IterationRecord]
    seed: int
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_iterations(
        cls, iterations: list[IterationRecord], seed: int, warnings: list[str] | None = None
    ) -> MonteCarloResult:
        """Average the ``"prod"`` records with equal weights."""
        prod = [r for r in iterations if r.phase == "prod"]
        if not prod:
            raise ValueError("n_prod = 0 is outside the allowed range [1, inf)")
        mean, covariance, chi2, dof = equal_weight_average(
            np.array([r.mean for r in prod]), np.array([r.covariance for r in prod])
        )
        q = float(stats.chi2.sf(chi2, dof)) if dof > 0 else math.nan
        return cls(
            mean=mean,
            sdev=np.sqrt(np.maximum(np.diag(covariance), 0.0)),
            covariance=covariance,
            chi2=chi2,
            dof=dof,
            Q=q,
            n_eval=sum(r.n_eval for r in prod),
            n_eval_total=sum(r.n_eval for r in iterations),
            iterations=list(iterations),
            seed=int(seed),
            warnings=list(warnings or []),
        )

    @property
    def correlation(self) -> np.ndarray:
        s = np.where(self.sdev > 0, self.sdev, 1.0)
        return self.covariance / np.outer(s, s)

    def summary(self, component: int = 0) -> str:
        """The per-iteration table of one component, vegas style, and the final estimates.

        Columns: iteration, phase, the iteration's estimate, the running equal-weight average
        of the production iterations so far, its χ²/dof and Q, the nonzero fraction.
        """
        lines = [
            f"{'itn':>4} {'phase':<5} {'integral':>18} {'average':>18} "
            f"{'chi2/dof':>9} {'Q':>5} {'nonzero':>8}",
            "-" * 74,
        ]
        prod_means: list[np.ndarray] = []
        prod_covs: list[np.ndarray] = []
        for r in self.iterations:
            integral = format_estimate(r.mean[component], r.sdev[component])
            average = chi = q = ""
            if r.phase == "prod":
                prod_means.append(r.mean)
                prod_covs.append(r.covariance)
                m, c, x2, dof = equal_weight_average(np.array(prod_means), np.array(prod_covs))
                average = format_estimate(m[component], math.sqrt(max(c[component, component], 0)))
                if dof > 0:
                    chi = f"{x2 / dof:.2f}"
                    q = f"{stats.chi2.sf(x2, dof):.2f}"
            nonzero = f"{r.n_nonzero / r.n_eval:.3f}" if r.n_eval else ""
            lines.append(
                f"{r.index:>4} {r.phase:<5} {integral:>18} {average:>18} {chi:>9} {q:>5} "
                f"{nonzero:>8}"
            )
        lines.append("")
        for k in range(self.mean.size):
            lines.append(f"integral[{k}] = {format_estimate(self.mean[k], self.sdev[k])}")
        q_text = f"{self.Q:.2f}" if math.isfinite(self.Q) else "nan"
        chi_text = f"{self.chi2 / self.dof:.2f}" if self.dof > 0 else "nan"
        lines.append(
            f"chi2/dof = {chi_text} (dof = {self.dof}), Q = {q_text}, n_eval = {self.n_eval} "
            f"(total {self.n_eval_total})"
        )
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def as_dict(self) -> dict:
        """Plain types only (lists, floats, ints, strings): for JSON and HDF5 attributes."""
        return {
            "mean": self.mean.tolist(),
            "sdev": self.sdev.tolist(),
            "covariance": self.covariance.tolist(),
            "chi2": self.chi2,
            "dof": self.dof,
            "Q": self.Q,
            "n_eval": self.n_eval,
            "n_eval_total": self.n_eval_total,
            "seed": self.seed,
            "warnings": list(self.warnings),
            "iterations": [r.as_dict() for r in self.iterations],
        }
