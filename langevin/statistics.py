"""Error bars of time averages: blocking, integrated autocorrelation, and the exact variance.

Two estimates from a single time series,

* :func:`blocking_analysis` — Flyvbjerg–Petersen blocking with the automatic choice of the
  blocking level of M. Jonsson, Phys. Rev. E 98, 043304 (2018);
* :func:`autocorrelation_error` — Sokal's integrated autocorrelation time with a
  self-consistent window ``W ≥ c τ_int``;

and the exact answer they are checked against, for a stationary linear-Gaussian process
sampled at spacing ``h``, ``X_{t+1} = A X_t + noise`` per mode (independent modes), and
quadratic observables ``f_a = Σ_modes X† H_a X``:

* :func:`exact_mean_covariance` — the covariance matrix of the means of ``n`` consecutive
  samples (finite ``n``, not only the asymptotic ``2τ_int σ²/n``). By Isserlis' theorem for a
  circular complex Gaussian mode, ``Cov(f_a(0), f_b(k)) = tr(H_b C_k H_a C_k†)`` with
  ``C_k = ⟨X_k X_0†⟩ = A^k C₀`` (twice that, with real ``H``, on a real self-conjugate mode).
  Writing ``A = V Λ V⁻¹``, every lag is a sum of geometric terms ``(λ_i λ_j^*)^k``, and
  ``Σ_{k<n} (n−k) μ^k`` is summed exactly by doubling (:func:`weighted_geometric_sum`), which
  stays accurate for marginal modes (``μ → 1``) where ``(I − A⊗A^*)⁻¹`` does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.stats

__all__ = [
    "BlockingResult",
    "blocking_analysis",
    "autocorrelation_error",
    "weighted_geometric_sum",
    "discrete_stationary_covariance",
    "exact_mean_covariance",
    "pair_observable_matrix",
    "joint_process",
]


@dataclass(frozen=True)
class BlockingResult:
    """Mean of a series with its blocking error.

    Attributes
    ----------
    mean, error
        Sample mean and its standard error at the chosen level.
    level
        Chosen blocking level (block length ``2**level`` samples).
    table
        ``(levels, 3)``: block length, number of blocks, error estimate at that level.
    """

    mean: float
    error: float
    level: int
    table: np.ndarray


def blocking_analysis(series: np.ndarray, alpha: float = 0.01) -> BlockingResult:
    """Blocking error of the mean of a stationary series (Jonsson 2018, automated).

    The series is halved repeatedly (pairs averaged; an odd last element dropped). At level
    ``k`` with ``n_k`` blocks of variance ``σ_k²`` and lag-1 autocovariance ``γ_k``, the
    statistic ``M_j = Σ_{k≥j} n_k [((n_k−1)/n_k) σ_k²/n_k + γ_k]² / σ_k⁴`` is χ²-distributed
    with ``#levels − j`` degrees of freedom once the blocks are uncorrelated; the first level
    with ``M_j`` below the ``1 − alpha`` quantile is chosen and the error is
    ``σ_k / √(n_k − 1)`` there.

    Parameters
    ----------
    series
        1-D samples (any unit); at least 16.
    alpha
        Significance of the test of no correlation.
    """
    x = np.asarray(series, dtype=float).ravel()
    if x.size < 16:
        raise ValueError(f"len(series) = {x.size} is outside the allowed range [16, inf)")
    mean = float(np.mean(x))
    sig2, gam, nk, errs = [], [], [], []
    y = x.copy()
    while y.size >= 4:
        n = y.size
        dev = y - np.mean(y)
        s2 = float(np.dot(dev, dev) / n)
        g = float(np.dot(dev[:-1], dev[1:]) / n)
        sig2.append(s2)
        gam.append(g)
        nk.append(n)
        errs.append(np.sqrt(s2 / (n - 1)))
        m = n // 2
        y = 0.5 * (y[0 : 2 * m : 2] + y[1 : 2 * m : 2])
    sig2_a, gam_a, nk_a = np.array(sig2), np.array(gam), np.array(nk, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = nk_a * (((nk_a - 1) / nk_a) * sig2_a / nk_a + gam_a) ** 2 / sig2_a**2
    terms = np.nan_to_num(terms, nan=0.0)
    m_stat = np.cumsum(terms[::-1])[::-1]
    levels = len(sig2)
    chosen = levels - 1
    for j in range(levels):
        if m_stat[j] < scipy.stats.chi2.ppf(1.0 - alpha, levels - j):
            chosen = j
            break
    table = np.column_stack([2.0 ** np.arange(levels), nk_a, np.array(errs)])
    return BlockingResult(mean, float(errs[chosen]), chosen, table)


def autocorrelation_error(series: np.ndarray, c: float = 8.0) -> tuple[float, float, float]:
    """Mean, its error and ``τ_int`` from the windowed autocorrelation function.

    ``τ_int = 1/2 + Σ_{k=1}^{W} ρ_k`` and the error of the mean is ``√(2 τ_int σ²/n)``.
    Sokal's self-consistent window ``W ≥ c τ_int(W)`` fails for oscillating correlations
    (plasmons): the cancelling sum makes ``τ_int`` small and the window stops before the
    envelope has decayed. The window here is ``W ≥ c τ_env(W)`` with the envelope time
    ``τ_env = 1/2 + Σ_{k≤W} |ρ_k|`` (identical to Sokal's for positive correlations).
    Autocovariances by FFT.

    If no window satisfies the criterion, the series is not longer than a few of its own
    correlation times (a drifting or saturating run): the mean-subtracted autocorrelations
    then sum to −1/2 over all lags, so the full-window ``τ_int`` would be ~0 and the error
    absurdly small. Instead ``τ_int = n/2`` (one independent sample) and the error is the
    series' standard deviation.
    """
    x = np.asarray(series, dtype=float).ravel()
    n = x.size
    dev = x - x.mean()
    size = 1 << (2 * n - 1).bit_length()
    spec = np.fft.rfft(dev, size)
    acov = np.fft.irfft(spec * np.conj(spec), size)[:n] / n
    rho = acov / acov[0]
    tau = 0.5 + np.cumsum(rho[1:])
    tau_env = 0.5 + np.cumsum(np.abs(rho[1:]))
    window = np.arange(1, n)
    ok = window >= c * tau_env
    if not np.any(ok):
        return float(x.mean()), float(np.sqrt(acov[0])), 0.5 * n
    w = int(np.argmax(ok))
    # τ_int < 1/2 is legitimate (anticorrelated samples, e.g. plasmon oscillations sampled
    # coarsely); only a non-positive estimate (noise) falls back to independent samples.
    tau_int = float(tau[w]) if tau[w] > 0 else 0.5
    return float(x.mean()), float(np.sqrt(2.0 * tau_int * acov[0] / n)), tau_int


def weighted_geometric_sum(mu: np.ndarray, n: int) -> np.ndarray:
    """``Σ_{k=0}^{n−1} (n − k) μ^k`` element-wise, exactly for any ``μ`` (incl. ``μ = 1``).

    Doubling on the triple ``(μ^m, G_m = Σ_{k<m} μ^k, S_m = Σ_{k<m} (m−k) μ^k)``:
    ``G_{2m} = (1 + μ^m) G_m``, ``S_{2m} = (1 + μ^m) S_m + m G_m``, and
    ``G_{m+1} = G_m + μ^m``, ``S_{m+1} = S_m + G_{m+1}``; no division, no cancellation.
    """
    mu = np.asarray(mu, dtype=complex)
    if n < 1:
        raise ValueError(f"n = {n} is outside the allowed range [1, inf)")
    power = np.ones_like(mu)
    g = np.zeros_like(mu)
    s = np.zeros_like(mu)
    m = 0
    for bit in bin(n)[2:]:
        # double
        s = (1.0 + power) * s + m * g
        g = (1.0 + power) * g
        power = power * power
        m *= 2
        if bit == "1":
            g = g + power
            s = s + g
            power = power * mu
            m += 1
    return s


def _eig(step_matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lam, vec = np.linalg.eig(step_matrix)
    inv = np.linalg.inv(vec)
    cond = np.linalg.cond(vec)
    if np.any(cond > 1e10):
        raise ValueError(
            f"condition number of the eigenvectors = {float(np.max(cond)):g} is outside the "
            "allowed range [1, 1e10] (step matrix nearly defective)"
        )
    return lam, vec, inv


def _dag(a: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(a, -1, -2))


def discrete_stationary_covariance(step_matrix: np.ndarray, step_cov: np.ndarray) -> np.ndarray:
    """Solution ``C = A C A† + Σ`` per mode; marginal directions (``|λ_iλ_j^*| = 1``) get 0.

    Parameters
    ----------
    step_matrix
        ``A``, ``(modes, d, d)``.
    step_cov
        ``Σ``, ``(modes, d, d)`` Hermitian PSD (the covariance one step adds).
    """
    lam, vec, inv = _eig(step_matrix)
    sig = inv @ step_cov @ _dag(inv)
    mu = lam[..., :, None] * np.conj(lam[..., None, :])
    denom = 1.0 - mu
    marginal = np.abs(denom) < 1e-13
    c = np.where(marginal, 0.0, sig / np.where(marginal, 1.0, denom))
    out = vec @ c @ _dag(vec)
    return 0.5 * (out + _dag(out))


def exact_mean_covariance(
    step_matrix: np.ndarray,
    stationary_cov: np.ndarray,
    observables: np.ndarray,
    n: int,
    real_mode: np.ndarray,
) -> np.ndarray:
    """Exact covariance matrix of the means of ``n`` consecutive samples of ``f_a``.

    Parameters
    ----------
    step_matrix
        ``A`` between samples, ``(modes, d, d)``.
    stationary_cov
        ``C₀ = ⟨XX†⟩``, ``(modes, d, d)``.
    observables
        ``H_a``, ``(n_obs, modes, d, d)`` Hermitian: ``f_a = Σ_modes X† H_a X``.
    n
        Number of samples averaged (≥ 1).
    real_mode
        ``(modes,)`` bool: real (self-conjugate) modes.

    Returns
    -------
    ``(n_obs, n_obs)`` real covariance of ``(f̄_a)``, where
    ``n² Cov(f̄_a, f̄_b) = Σ_{k<n} (n−k) (γ^{ab}_k + γ^{ba}_k) − n γ^{ab}_0``.
    """
    real_mode = np.asarray(real_mode, dtype=bool)
    h = np.array(observables, dtype=complex)
    h[:, real_mode] = h[:, real_mode].real
    factor = np.where(real_mode, 2.0, 1.0)
    lam, vec, inv = _eig(step_matrix)
    mu = lam[..., :, None] * np.conj(lam[..., None, :])
    wsum = weighted_geometric_sum(mu, n)
    c0 = stationary_cov
    n_obs = h.shape[0]
    g = _dag(vec)[None] @ h @ vec[None]  # V† H_b V
    w = inv[None] @ (c0[None] @ h @ c0[None]) @ _dag(inv)[None]  # V⁻¹ C₀ H_a C₀ V⁻†
    gamma_sum = np.empty((n_obs, n_obs), dtype=complex)
    gamma0 = np.empty((n_obs, n_obs), dtype=complex)
    for a in range(n_obs):
        for b in range(n_obs):
            cab = np.swapaxes(g[b], -1, -2) * w[a]  # c_ij = G_b[j, i] W_a[i, j]
            gamma_sum[a, b] = np.sum(factor[:, None, None] * cab * wsum)
            gamma0[a, b] = np.sum(factor[:, None, None] * cab)
    total = gamma_sum + gamma_sum.T - n * gamma0
    return (total / n**2).real


def pair_observable_matrix(coef: np.ndarray, pair: tuple[int, int], d: int) -> np.ndarray:
    """Hermitian ``H`` with ``X† H X = Re(c X_i X_j^*)`` for coefficients ``c`` ``(..., modes)``."""
    i, j = pair
    coef = np.asarray(coef, dtype=complex)
    h = np.zeros(coef.shape + (d, d), dtype=complex)
    h[..., j, i] += 0.5 * coef
    h[..., i, j] += 0.5 * np.conj(coef)
    return h


def joint_process(
    step_matrices: list[np.ndarray], noise_maps: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Step matrix and step covariance of several systems driven by the SAME normals.

    ``A = diag(A_1, …)``, ``Σ = [[S_a S_b†]]`` (common random numbers), per mode.
    """
    n_sys = len(step_matrices)
    modes, d, _ = step_matrices[0].shape
    a = np.zeros((modes, n_sys * d, n_sys * d), dtype=complex)
    s = np.concatenate(noise_maps, axis=-2)  # (modes, n_sys*d, d_noise)
    for k in range(n_sys):
        a[:, k * d : (k + 1) * d, k * d : (k + 1) * d] = step_matrices[k]
    return a, s @ _dag(s)
