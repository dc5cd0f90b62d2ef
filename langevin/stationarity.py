"""Is a run stationary? Trend tests of a time series in blocks, with honest error bars.

A time average has the error bar of :func:`langevin.statistics.autocorrelation_error` only if
the series is stationary. Past a linear instability nothing guarantees it: the nonlinear state
may saturate (stationary), or keep growing slowly, or change its fluctuations. This module
decides from the series itself. :func:`stationarity_diagnostics` takes one series, or several
independent realisations of it ``(R, n)`` sampled at the same times, and tests two quantities
for a change over time:

* the *level* — the series itself (its local mean);
* the *spread* — the squared deviation of each sample from its own time block's mean (its
  local variance; a growing variance at constant mean shows here, not in the level).

For each quantity the run is cut into ``K`` equal time blocks (``K`` even) of ``b`` samples.
Block ``k`` has the mean ``m_k`` (averaged over the ``R`` realisations) with the error, under
the hypothesis of stationarity, ``e = √(2 τ σ² / (b R))``: ``σ²`` and ``τ`` are the variance
and the integrated autocorrelation time of the series about its least-squares line, pooled
over the realisations (:func:`detrended_tau`; a drift does not inflate them, and one ``σ²``
for all blocks — per-block variances would give each block a noisy weight of its own, error
bars ~20 % too small on blocks of 50 τ; a changing variance is the spread's test). ``τ`` is
itself uncertain, ``var(τ̂)/τ² ≈ 2(2W + 1)/N`` for a window ``W`` and ``N`` samples (Madras &
Sokal), so the error bars carry ``ν = N/(2W + 1)`` degrees of freedom and the statistics are
Student-t (F for the χ²), converted to normal quantiles. Three tests follow, in σ units:

* the least-squares slope of ``m_k`` against the block centres, ``slope/σ_slope``;
* the two halves, ``(m_second − m_first)/√(e_first² + e_second²)``;
* the constant fit, ``χ² = Σ (m_k − m̄)²/e²`` with ``K − 1`` degrees of freedom (its
  p-value is converted to a one-sided normal quantile so that all six numbers read in σ).

The six tests (three per quantity) share the false-alarm budget ``alpha`` (Bonferroni:
each at ``alpha/6``), so a stationary series is called non-stationary with probability at
most about ``alpha``. Measured on AR(1) series (400 seeds each, 8 blocks, ``alpha`` = 1 %):
false alarms 0.5 % (τ = 9.5, 4000 samples), 0 % (two realisations of 8000), 0 % (τ = 1.5,
4000), 0.75 % (τ = 19.5, 16 000); rms of the slope and halves statistics 0.97–1.07
(``tests/langevin/test_stationarity.py``).
A run whose blocks are shorter than ``min_block_tau`` correlation times (block means not
independent, error bars unreliable), or whose correlation window did not close, is
*undetermined*: not shown stationary. Only a *stationary* verdict licenses quoting the mean
with the error bar ``√(2τ_int σ²/n)`` of the whole run.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import scipy.stats

from langevin.statistics import autocorrelation_error

__all__ = [
    "TrendTest",
    "StationarityResult",
    "trend_test",
    "detrended_tau",
    "stationarity_diagnostics",
    "STATIONARY",
    "NON_STATIONARY",
    "UNDETERMINED",
]

STATIONARY = "stationary"
NON_STATIONARY = "non-stationary"
UNDETERMINED = "undetermined"
#: Tests sharing the false-alarm budget: slope, halves and χ² for the level and the spread.
N_TESTS = 6


@dataclass(frozen=True)
class TrendTest:
    """Block means of one quantity over time and the three tests of their constancy.

    Attributes
    ----------
    block_means, block_errors
        ``(K,)``: the mean of each time block (over realisations) and its error.
    block_centres
        ``(K,)``: the block centres in samples from the start of the series.
    tau_int, dof
        The integrated autocorrelation time of the detrended series, pooled over the
        realisations (samples), and the degrees of freedom ``ν`` of the error bars.
    slope, slope_sdev
        Weighted least-squares slope of the block means per sample, and its error.
    halves
        ``(first, first_sdev, second, second_sdev)``: means of the two halves of the run.
    chi2_dof, chi2_p
        ``χ²/(K − 1)`` of the constant fit and its p-value.
    z_slope, z_halves, z_chi2
        The three statistics in σ: slope/σ, (second − first)/σ, and the one-sided normal
        quantile of the χ² p-value.
    """

    block_means: np.ndarray
    block_errors: np.ndarray
    block_centres: np.ndarray
    tau_int: float
    dof: float
    slope: float
    slope_sdev: float
    halves: tuple[float, float, float, float]
    chi2_dof: float
    chi2_p: float
    z_slope: float
    z_halves: float
    z_chi2: float

    def as_dict(self) -> dict:
        out = asdict(self)
        for k in ("block_means", "block_errors", "block_centres"):
            out[k] = np.asarray(out[k]).tolist()
        return out


@dataclass(frozen=True)
class StationarityResult:
    """The verdict on a series and the numbers it rests on.

    Attributes
    ----------
    verdict
        :data:`STATIONARY`, :data:`NON_STATIONARY` or :data:`UNDETERMINED`.
    reasons
        One sentence per failed test or precondition (empty when stationary).
    mean, error, tau_int
        The mean over all samples and realisations, its error ``√(2τσ²/(nR))``
        (from :func:`langevin.statistics.autocorrelation_error` per realisation, combined)
        and the mean ``τ_int`` of the realisations (samples). Meaningful as an error bar only
        when :attr:`stationary`.
    n_samples, n_series
        Samples per realisation and the number of realisations.
    level, spread
        :class:`TrendTest` of the series and of its local squared deviation.
    alpha, z_critical
        The false-alarm budget and the per-test two-sided threshold in σ.
    """

    verdict: str
    reasons: tuple[str, ...]
    mean: float
    error: float
    tau_int: float
    n_samples: int
    n_series: int
    level: TrendTest
    spread: TrendTest
    alpha: float
    z_critical: float

    @property
    def stationary(self) -> bool:
        return self.verdict == STATIONARY

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "mean": self.mean,
            "error": self.error,
            "tau_int": self.tau_int,
            "n_samples": self.n_samples,
            "n_series": self.n_series,
            "level": self.level.as_dict(),
            "spread": self.spread.as_dict(),
            "alpha": self.alpha,
            "z_critical": self.z_critical,
        }

    def summary(self, unit: str = "samples") -> str:
        """One line: the verdict and the numbers (the mean ± error only if stationary)."""
        lv = self.level
        head = (
            f"{self.mean:.4g} ± {self.error:.2g}" if self.stationary
            else f"not stationary-shown ({self.verdict}): no error bar"
        )  # fmt: skip
        return (
            f"{head}; τ_int = {self.tau_int:.3g} {unit}; level slope "
            f"{lv.z_slope:+.2f}σ, halves {lv.z_halves:+.2f}σ, χ²/dof {lv.chi2_dof:.2f}; spread "
            f"slope {self.spread.z_slope:+.2f}σ, halves {self.spread.z_halves:+.2f}σ, "
            f"χ²/dof {self.spread.chi2_dof:.2f}"
        )


def _as_2d(series: np.ndarray) -> np.ndarray:
    x = np.asarray(series, dtype=float)
    if x.ndim == 1:
        x = x[None]
    if x.ndim != 2:
        raise ValueError(f"series.ndim = {x.ndim} is outside the allowed range [1, 2]")
    if not np.all(np.isfinite(x)):
        raise ValueError("series has non-finite values: outside the allowed range (finite)")
    return x


def detrended_tau(x: np.ndarray, c: float = 8.0) -> tuple[float, float, int]:
    """Integrated autocorrelation time of ``(R, n)`` series about their fitted lines.

    Each realisation has its least-squares line removed (a drift does not inflate the
    estimate); the autocovariances ``γ̂_j = Σ_t δ_t δ_{t+j}/n`` are averaged over the
    realisations. Removing a fitted line lowers them by the average variance of the fit,
    ``E γ̂_j ≈ γ_j − 4τσ²/n`` for ``j ≪ n`` (two parameters, each ``2τσ²/n``), which is added
    back (three fixed-point passes; the shift is ``4Wτ/n``, a few per cent). The window is
    that of :func:`langevin.statistics.autocorrelation_error`: the first ``W ≥ c τ_env(W)``
    with ``τ_env = 1/2 + Σ_{j≤W} |ρ_j|``; ``τ = 1/2 + Σ_{j≤W} ρ_j`` (1/2 if not positive).

    Returns
    -------
    ``(τ, σ², W)``: ``τ = n/2`` and ``W = n`` if no window closes (the series is not longer
    than a few correlation times).
    """
    r, n = x.shape
    t = np.arange(n) - 0.5 * (n - 1)
    coef = (x - x.mean(axis=1, keepdims=True)) @ t / float(t @ t)
    dev = x - x.mean(axis=1, keepdims=True) - coef[:, None] * t
    size = 1 << (2 * n - 1).bit_length()
    spec = np.fft.rfft(dev, size, axis=1)
    acov = np.fft.irfft(spec * np.conj(spec), size, axis=1)[:, :n].mean(axis=0) / n
    var = float(acov[0]) * n / max(n - 2, 1)
    lags = np.arange(1, n)
    tau = 0.5
    w = n
    for _ in range(4):
        shift = 4.0 * tau * acov[0] / n
        rho = (acov[1:] + shift) / (acov[0] + shift)
        ok = lags >= c * (0.5 + np.cumsum(np.abs(rho)))
        if not np.any(ok):
            return 0.5 * n, var, n
        w = int(np.argmax(ok)) + 1
        new = float(0.5 + np.sum(rho[:w]))
        tau = new if new > 0 else 0.5
    return tau, var, w


def trend_test(x: np.ndarray, n_blocks: int) -> TrendTest:
    """The three constancy tests of one quantity (module docstring).

    Parameters
    ----------
    x
        ``(R, n)``: ``R`` realisations sampled at the same ``n`` times; cut into
        ``n_blocks`` (even, ≥ 4) blocks of ``b = n // n_blocks`` samples (the rest dropped).
    n_blocks
        Time blocks ``K``.
    """
    k = int(n_blocks)
    r, n = x.shape
    if k < 4 or k % 2:
        raise ValueError(f"n_blocks = {k} is outside the allowed range (even, ≥ 4)")
    b = n // k
    x = x[:, : b * k]
    tau, var, w = detrended_tau(x)
    # the error bars' own uncertainty: var(τ̂)/τ² ≈ 2(2W + 1)/N (Madras & Sokal 1988), as
    # for a variance with ν = N/(2W + 1) degrees of freedom
    nu = max(float(r * b * k) / (2 * w + 1), 1.0)
    m = x.reshape(r, k, b).mean(axis=2).mean(axis=0)
    e = np.full(k, max(math.sqrt(2.0 * tau * var / (b * r)), np.finfo(float).tiny))
    t = (np.arange(k) + 0.5) * b
    tbar = float(t.mean())
    s_tt = float(np.sum((t - tbar) ** 2)) / e[0] ** 2
    slope = float(np.sum((t - tbar) * m) / e[0] ** 2 / s_tt)
    slope_sdev = math.sqrt(1.0 / s_tt)
    h = k // 2
    first, second = float(m[:h].mean()), float(m[h:].mean())
    eh = float(e[0] / math.sqrt(h))
    chi2 = float(np.sum((m - m.mean()) ** 2) / e[0] ** 2)
    p = float(scipy.stats.f.sf(chi2 / (k - 1), k - 1, nu))

    def as_normal(tstat: float) -> float:  # Student t with ν dof → the normal quantile
        return float(math.copysign(scipy.stats.norm.isf(scipy.stats.t.sf(abs(tstat), nu)),
                                   tstat))  # fmt: skip

    return TrendTest(
        block_means=m,
        block_errors=e,
        block_centres=t,
        tau_int=float(tau),
        dof=nu,
        slope=slope,
        slope_sdev=slope_sdev,
        halves=(first, eh, second, eh),
        chi2_dof=chi2 / (k - 1),
        chi2_p=p,
        z_slope=as_normal(slope / slope_sdev),
        z_halves=as_normal((second - first) / (math.sqrt(2.0) * eh)),
        z_chi2=float(scipy.stats.norm.isf(max(p, 1e-300))),
    )


def _short_blocks(worst_tau: float, b: int, n_blocks: int, min_block_tau: float) -> list[str]:
    """Why the block tests cannot decide (empty: they can): the autocorrelation window did
    not close, or the blocks are shorter than ``min_block_tau`` correlation times."""
    if worst_tau >= 0.5 * b * n_blocks:
        return ["the autocorrelation window did not close: the run is not longer than a few "
                "of its correlation times"]  # fmt: skip
    if b < min_block_tau * worst_tau:
        return [f"blocks of {b} samples are shorter than {min_block_tau:g} τ_int "
                f"(τ_int = {worst_tau:.3g} samples): block means not independent"]  # fmt: skip
    return []


def _failed_tests(level: TrendTest, spread: TrendTest, z_crit: float) -> list[str]:
    """The tests of the level and the spread beyond ``z_crit`` standard deviations."""
    failed = []
    for name, tt in (("level", level), ("spread", spread)):
        for label, z in (("slope", tt.z_slope), ("halves", tt.z_halves)):
            if abs(z) > z_crit:
                failed.append(f"{name} {label} {z:+.2f}σ (threshold ±{z_crit:.2f}σ)")
        if tt.z_chi2 > z_crit:
            failed.append(
                f"{name} block means not constant: χ²/dof = {tt.chi2_dof:.2f} (p = {tt.chi2_p:.2g})"
            )
    return failed


def stationarity_diagnostics(
    series: np.ndarray,
    n_blocks: int = 8,
    *,
    alpha: float = 0.01,
    min_block_tau: float = 20.0,
) -> StationarityResult:
    """Whether ``series`` is stationary, with the numbers (module docstring).

    Parameters
    ----------
    series
        ``(n,)`` one run, or ``(R, n)`` independent realisations sampled at the same times
        (after any burn-in). ``n ≥ 16 n_blocks``; samples past a multiple of ``n_blocks``
        at the end are dropped from the block tests.
    n_blocks
        Time blocks ``K`` (even, ≥ 4).
    alpha
        False-alarm budget shared by the six tests (each at ``alpha/6``, two-sided).
    min_block_tau
        Blocks shorter than this many ``τ_int`` make the verdict :data:`UNDETERMINED`.

    Returns
    -------
    :class:`StationarityResult`.
    """
    x = _as_2d(series)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha = {alpha!r} is outside the allowed range (0, 1)")
    if n_blocks < 4 or n_blocks % 2:
        raise ValueError(f"n_blocks = {n_blocks!r} is outside the allowed range (even, ≥ 4)")
    r, n = x.shape
    if n < 16 * n_blocks:
        raise ValueError(
            f"len(series) = {n} is outside the allowed range [{16 * n_blocks}, inf) "
            f"(16 samples per block, {n_blocks} blocks)"
        )
    b = n // n_blocks
    level = trend_test(x, n_blocks)
    blocks = x[:, : b * n_blocks].reshape(r, n_blocks, b)
    dev2 = (blocks - blocks.mean(axis=2, keepdims=True)) ** 2
    spread = trend_test(dev2.reshape(r, b * n_blocks), n_blocks)
    per = [autocorrelation_error(row) for row in x]
    means = np.array([p[0] for p in per])
    errs = np.array([p[1] for p in per])
    taus = np.array([p[2] for p in per])
    mean = float(means.mean())
    error = float(np.sqrt(np.sum(errs**2)) / r)
    z_crit = float(scipy.stats.norm.isf(alpha / N_TESTS / 2.0))
    reasons = _short_blocks(max(level.tau_int, spread.tau_int), b, n_blocks, min_block_tau)
    undetermined = bool(reasons)
    failed = _failed_tests(level, spread, z_crit)
    reasons += failed
    if failed and not undetermined:
        verdict = NON_STATIONARY
    elif undetermined:
        verdict = UNDETERMINED
    elif np.any(taus >= 0.5 * n):
        verdict = UNDETERMINED
        reasons.append("the autocorrelation window of the whole run did not close")
    else:
        verdict = STATIONARY
    return StationarityResult(
        verdict=verdict,
        reasons=tuple(reasons),
        mean=mean,
        error=error,
        tau_int=float(taus.mean()),
        n_samples=n,
        n_series=r,
        level=level,
        spread=spread,
        alpha=float(alpha),
        z_critical=z_crit,
    )
