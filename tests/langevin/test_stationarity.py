"""Stationarity diagnostics on series whose answer is known: AR(1) (stationary), a linear
trend, a growing variance, a run shorter than its correlation time."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from scipy.signal import lfilter

from langevin.stationarity import (
    NON_STATIONARY,
    STATIONARY,
    UNDETERMINED,
    detrended_tau,
    stationarity_diagnostics,
)
from langevin.statistics import autocorrelation_error


def ar1(rng: np.random.Generator, n: int, phi: float, r: int = 1) -> np.ndarray:
    """``(r, n)`` stationary AR(1) of unit variance (started in its stationary state)."""
    e = rng.standard_normal((r, n))
    e[:, 0] /= math.sqrt(1.0 - phi**2)  # x_0 ~ N(0, 1)
    return lfilter([math.sqrt(1.0 - phi**2)], [1.0, -phi], e, axis=1)


def tau_ar1(phi: float) -> float:
    return 0.5 * (1.0 + phi) / (1.0 - phi)


def test_ar1_false_alarm_rate_and_pulls() -> None:
    """300 stationary AR(1) series (τ_int = 4.5, 2000 samples, 8 blocks): the false alarms
    stay within the binomial 99.9 % bound of the budget α = 1 %, and the slope and halves
    statistics have rms 1 within 3 of their standard errors √(1/(2M))."""
    m, phi = 300, 0.8
    alarms, z = 0, []
    for s in range(m):
        res = stationarity_diagnostics(ar1(np.random.default_rng([1, s]), 2000, phi))
        alarms += res.verdict != STATIONARY
        z.append([res.level.z_slope, res.level.z_halves, res.spread.z_slope, res.spread.z_halves])
    bound = scipy.stats.binom.ppf(0.999, m, 0.01)
    assert alarms <= bound, (alarms, bound)
    rms = np.sqrt(np.mean(np.square(z), axis=0))
    assert np.all(np.abs(rms - 1.0) < 3.0 * math.sqrt(1.0 / (2 * m))), rms


def test_linear_trend_is_non_stationary() -> None:
    """A drift of 2 σ_x over the run (the halves differ by ~10 of their errors): every seed."""
    n, phi = 4000, 0.9
    ramp = np.linspace(-1.0, 1.0, n)
    for s in range(10):
        res = stationarity_diagnostics(ar1(np.random.default_rng([2, s]), n, phi)[0] + ramp)
        assert res.verdict == NON_STATIONARY and not res.stationary
        assert res.level.z_slope > res.z_critical
        lv = res.level
        # the fitted slope finds the ramp (2/n per sample) within its error
        assert abs(lv.slope - 2.0 / n) < 4.0 * lv.slope_sdev
        assert any("level slope" in r for r in res.reasons)


def test_growing_variance_is_non_stationary_at_constant_mean() -> None:
    """Amplitude growing from 1 to 2 over the run: the spread test fires, the level does not
    need to."""
    n, phi = 4000, 0.9
    amp = np.linspace(1.0, 2.0, n)
    for s in range(10):
        res = stationarity_diagnostics(ar1(np.random.default_rng([3, s]), n, phi)[0] * amp)
        assert res.verdict == NON_STATIONARY
        assert res.spread.z_slope > res.z_critical
        assert any(r.startswith("spread") for r in res.reasons)


def test_too_short_a_run_is_undetermined() -> None:
    """τ_int ≈ 1000 samples in a run of 2000: not shown stationary, no error bar claimed."""
    res = stationarity_diagnostics(ar1(np.random.default_rng(4), 2000, 0.999)[0])
    assert res.verdict == UNDETERMINED and not res.stationary
    assert "no error bar" in res.summary()


def test_realisations_and_the_existing_error_bar() -> None:
    """One series: mean, error and τ_int are autocorrelation_error's; R series: the mean of
    the means and the errors combined in quadrature; detrended τ is the AR(1) value."""
    rng = np.random.default_rng(5)
    x = ar1(rng, 8000, 0.9, r=3)
    one = stationarity_diagnostics(x[0])
    assert (one.mean, one.error, one.tau_int) == autocorrelation_error(x[0])
    three = stationarity_diagnostics(x)
    per = [autocorrelation_error(row) for row in x]
    assert three.mean == pytest.approx(np.mean([p[0] for p in per]), rel=1e-12)
    assert three.error == pytest.approx(math.sqrt(sum(p[1] ** 2 for p in per)) / 3, rel=1e-12)
    assert three.n_series == 3 and three.level.block_means.shape == (8,)
    tau, var, w = detrended_tau(x)
    # Madras–Sokal: var(τ̂)/τ² ≈ 2(2W + 1)/N
    assert abs(tau - tau_ar1(0.9)) < 3.0 * tau_ar1(0.9) * math.sqrt(2 * (2 * w + 1) / x.size)
    # a linear trend does not change the detrended τ at all
    tau2, _, _ = detrended_tau(x + 5.0 * np.linspace(0, 1, 8000))
    assert tau2 == pytest.approx(tau, rel=1e-9)


def test_bad_input_names_the_parameter() -> None:
    x = np.zeros(100)
    with pytest.raises(ValueError, match="len\\(series\\) = 100"):
        stationarity_diagnostics(x)
    with pytest.raises(ValueError, match="n_blocks = 5"):
        stationarity_diagnostics(np.zeros(1000), 5)
    with pytest.raises(ValueError, match="alpha"):
        stationarity_diagnostics(np.zeros(1000), alpha=1.5)
    with pytest.raises(ValueError, match="non-finite"):
        stationarity_diagnostics(np.full(1000, np.nan))
