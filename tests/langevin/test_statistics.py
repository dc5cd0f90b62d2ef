"""Error bars of time averages: exact formulas against brute force, estimators against exact."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from langevin.noise import NormalBlocks
from langevin.statistics import (
    autocorrelation_error,
    blocking_analysis,
    discrete_stationary_covariance,
    exact_mean_covariance,
    joint_process,
    pair_observable_matrix,
    weighted_geometric_sum,
)
from langevin.stepping import (
    advance_modes,
    exact_ou_maps,
    kernel_noise_map,
    stationary_sample,
)
from tests.langevin.inputs import dag

EPS = np.finfo(float).eps


def random_system(rng: np.random.Generator, modes: int, d: int, real: np.ndarray):
    m = rng.standard_normal((modes, d, d)) + 1j * rng.standard_normal((modes, d, d))
    m[real] = m[real].real
    m -= (np.linalg.eigvals(m).real.max(axis=-1) + 0.4)[:, None, None] * np.eye(d)
    b = rng.standard_normal((modes, d, d)) + 1j * rng.standard_normal((modes, d, d))
    b[real] = b[real].real
    return m, b @ dag(b)


def test_weighted_geometric_sum_against_direct_sum() -> None:
    mu = np.array([1.0, 0.3 + 0.2j, np.exp(0.3j), 1 - 1e-9, -0.99, 0.0])
    for n in (1, 2, 7, 64, 1001):
        direct = np.array([sum((n - k) * x**k for k in range(n)) for x in mu])
        # Summation error: at most ~n² terms of size ≤ n, each with relative error ε·log n.
        np.testing.assert_allclose(
            weighted_geometric_sum(mu, n), direct, rtol=0, atol=50 * EPS * n**2
        )
    assert weighted_geometric_sum(np.array([1.0]), 10)[0] == 55.0
    with pytest.raises(ValueError, match="n = "):
        weighted_geometric_sum(mu, 0)


def test_discrete_stationary_covariance_against_scipy() -> None:
    rng = np.random.default_rng(3)
    m, q = random_system(rng, 4, 3, np.zeros(4, dtype=bool))
    maps = exact_ou_maps(m, q, 0.3)
    c = discrete_stationary_covariance(maps.step_matrix, maps.step_covariance)
    for i in range(4):
        ref = scipy.linalg.solve_discrete_lyapunov(maps.step_matrix[i], maps.step_covariance[i])
        np.testing.assert_allclose(c[i], ref, atol=1e-11 * np.abs(ref).max())


def test_pair_observable_matrix() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 6)) + 1j * rng.standard_normal((5, 6))
    c = rng.standard_normal(5) + 1j * rng.standard_normal(5)
    h = pair_observable_matrix(c, (0, 1), 6)
    np.testing.assert_allclose(h, dag(h))
    quad = np.einsum("ma,mab,mb->m", np.conj(x), h, x)
    np.testing.assert_allclose(quad, (c * x[:, 0] * np.conj(x[:, 1])).real, atol=1e-14)


def test_exact_mean_covariance_against_lag_sum() -> None:
    """Route 2: Σ_{s,t} Cov(f_a(s), f_b(t)) term by term, with C_k = A^k C₀ (matrix powers)."""
    rng = np.random.default_rng(5)
    modes, d, n = 4, 3, 23
    real = np.array([True, False, False, True])
    m, q = random_system(rng, modes, d, real)
    maps = exact_ou_maps(m, q, 0.4)
    a = maps.step_matrix
    c0 = discrete_stationary_covariance(a, maps.step_covariance)
    h = pair_observable_matrix(
        rng.standard_normal((2, modes)) + 1j * rng.standard_normal((2, modes)), (0, 2), d
    )
    exact = exact_mean_covariance(a, c0, h, n, real)

    def cov(ia: int, ib: int, lag: int) -> float:
        """Cov(f_a(0), f_b(lag)) by Isserlis, mode by mode."""
        total = 0.0
        for i in range(modes):
            ck = np.linalg.matrix_power(a[i], lag) @ c0[i]
            if real[i]:
                ha, hb = h[ia, i].real, h[ib, i].real
                total += 2 * np.trace(hb @ ck @ ha @ ck.T).real
            else:
                total += np.trace(h[ib, i] @ ck @ h[ia, i] @ dag(ck)).real
        return total

    brute = np.zeros((2, 2))
    for ia in range(2):
        for ib in range(2):
            for s in range(n):
                for t in range(n):
                    brute[ia, ib] += cov(ia, ib, t - s) if t >= s else cov(ib, ia, s - t)
    np.testing.assert_allclose(exact, brute / n**2, rtol=1e-10)


def _run_series(maps, c0, real, coef, n_steps, rng, n_sys: int = 1, crn_maps=None) -> np.ndarray:
    """Observable series ``(n_steps, n_sys, n_obs)`` from a stationary start."""
    a = [maps.step_matrix] + ([] if crn_maps is None else [crn_maps.step_matrix])
    s = [maps.noise_map] + ([] if crn_maps is None else [crn_maps.noise_map])
    modes, d = c0.shape[-3], maps.step_matrix.shape[-1]
    x = stationary_sample(c0, real, rng).reshape(n_sys, modes, d).copy()
    out = np.empty((n_steps, n_sys, coef.shape[1]))
    advance_modes(
        x,
        np.ascontiguousarray(np.stack(a)),
        np.ascontiguousarray(np.stack([kernel_noise_map(si, real) for si in s])),
        real,
        NormalBlocks(rng, modes, n_steps, d).draw(),
        np.array([0, 1]),
        coef,
        out,
        np.zeros((n_sys, 0, d, d), dtype=complex),
    )
    return out


def _sample_variance_z(samples: np.ndarray, exact_var: float) -> float:
    """z of the sample variance against ``exact_var``, its error from the sample's 4th moment."""
    dev = samples - samples.mean()
    s2 = np.mean(dev**2) * samples.size / (samples.size - 1)
    se = np.sqrt((np.mean(dev**4) - np.mean(dev**2) ** 2) / samples.size)
    return (s2 - exact_var) / se


def test_exact_mean_variance_against_monte_carlo() -> None:
    """400 independent short runs: the spread of their means is the exact finite-n variance."""
    rng = np.random.default_rng(6)
    modes, d, n, runs = 5, 3, 64, 400
    real = np.array([True, False, False, False, False])
    m, q = random_system(rng, modes, d, real)
    maps = exact_ou_maps(m, q, 0.3)
    c0 = discrete_stationary_covariance(maps.step_matrix, maps.step_covariance)
    coef = (rng.standard_normal((1, 1, modes)) + 1j * rng.standard_normal((1, 1, modes))) * 0.5
    h = pair_observable_matrix(coef[0], (0, 1), d)
    exact = exact_mean_covariance(maps.step_matrix, c0, h, n, real)[0, 0]
    means = np.array(
        [_run_series(maps, c0, real, coef, n, rng)[:, 0, 0].mean() for _ in range(runs)]
    )
    # The mean itself: ⟨f⟩ = Σ tr(H C₀).
    mean_exact = np.einsum("mab,mba->", h[0], c0).real
    assert abs(means.mean() - mean_exact) < 4 * np.sqrt(exact / runs)
    assert abs(_sample_variance_z(means, exact)) < 4


def test_common_random_numbers_variance_against_monte_carlo() -> None:
    """Two systems on the SAME normals: the joint 2d-dim process gives Var of (f₊ − f₋)/2."""
    rng = np.random.default_rng(7)
    modes, d, n, runs = 4, 3, 64, 400
    real = np.array([True, False, False, False])
    m, q = random_system(rng, modes, d, real)
    dm = 0.01 * (rng.standard_normal((modes, d, d)) + 1j * rng.standard_normal((modes, d, d)))
    dm[real] = dm[real].real
    plus, minus = exact_ou_maps(m + dm, q, 0.3), exact_ou_maps(m - dm, q, 0.3)
    a_joint, sig_joint = joint_process(
        [plus.step_matrix, minus.step_matrix], [plus.noise_map, minus.noise_map]
    )
    c_joint = discrete_stationary_covariance(a_joint, sig_joint)
    coef1 = rng.standard_normal(modes) + 1j * rng.standard_normal(modes)
    h1 = pair_observable_matrix(coef1, (0, 1), d)
    h_diff = np.zeros((1, modes, 2 * d, 2 * d), dtype=complex)
    h_diff[0, :, :d, :d] = 0.5 * h1
    h_diff[0, :, d:, d:] = -0.5 * h1
    exact = exact_mean_covariance(a_joint, c_joint, h_diff, n, real)[0, 0]
    # With independent noise the cross terms vanish: Var = (Var f₊ + Var f₋)/4. Common random
    # numbers must do better (that is their point), and the formula must see it.
    c_indep = c_joint.copy()
    c_indep[:, :d, d:] = 0.0
    c_indep[:, d:, :d] = 0.0
    a_indep = a_joint
    indep = exact_mean_covariance(a_indep, c_indep, h_diff, n, real)[0, 0]
    assert exact < 0.5 * indep
    coef = np.broadcast_to(coef1, (2, 1, modes)).copy()
    diffs = []
    for _ in range(runs):
        x = stationary_sample(c_joint, real, rng)  # joint stationary start (modes, 2d)
        x = np.ascontiguousarray(np.stack([x[:, :d], x[:, d:]]))
        out = np.empty((n, 2, 1))
        advance_modes(
            x,
            np.ascontiguousarray(np.stack([plus.step_matrix, minus.step_matrix])),
            np.ascontiguousarray(
                np.stack(
                    [
                        kernel_noise_map(plus.noise_map, real),
                        kernel_noise_map(minus.noise_map, real),
                    ]
                )
            ),
            real,
            NormalBlocks(rng, modes, n, d).draw(),
            np.array([0, 1]),
            coef,
            out,
            np.zeros((2, 0, d, d), dtype=complex),
        )
        diffs.append(0.5 * (out[:, 0, 0] - out[:, 1, 0]).mean())
    diffs = np.array(diffs)
    assert abs(_sample_variance_z(diffs, exact)) < 4


def test_blocking_and_autocorrelation_against_exact_variance() -> None:
    """64 long series: blocking and τ_int errors against the exact sd of the mean; pulls.

    Overdamped modes with correlation times of ~50 samples. The τ_int estimate: the mean of
    the 64 estimated variances equals the exact variance within 4 standard errors of that mean
    (from the spread of the estimates). Blocking (Jonsson's automatic level) is biased low by
    O(τ/b) at the level it picks (measured: 0.51 against 0.66 here, i.e. −12 % on the error);
    the test asserts that bias is below 30 % in variance — a documented property, not a pass
    band — and that for both estimators the pulls ``(mean − exact mean)/error`` have rms in
    [0.7, 1.3].
    """
    rng = np.random.default_rng(8)
    modes, d, n, runs = 3, 2, 2**14, 64
    real = np.zeros(modes, dtype=bool)
    # Slow modes: correlation time of tens of samples, so that blocking has work to do.
    base = np.array([[-0.05, 0.02], [0.03, -0.08]])
    m = base[None] * np.array([1.0, 0.7, 1.3])[:, None, None]
    q = np.broadcast_to(np.eye(d), (modes, d, d))
    maps = exact_ou_maps(m.astype(complex), q, 0.5)
    c0 = discrete_stationary_covariance(maps.step_matrix, maps.step_covariance)
    coef = np.ones((1, 1, modes), dtype=complex)
    h = pair_observable_matrix(coef[0], (0, 1), d)
    exact_var = exact_mean_covariance(maps.step_matrix, c0, h, n, real)[0, 0]
    mean_exact = np.einsum("mab,mba->", h[0], c0).real
    blk, acf, pulls_b, pulls_a = [], [], [], []
    for _ in range(runs):
        series = _run_series(maps, c0, real, coef, n, rng)[:, 0, 0]
        b = blocking_analysis(series)
        mu, err, _ = autocorrelation_error(series)
        blk.append(b.error**2)
        acf.append(err**2)
        pulls_b.append((b.mean - mean_exact) / b.error)
        pulls_a.append((mu - mean_exact) / err)
    acf, blk = np.array(acf), np.array(blk)
    assert abs(acf.mean() - exact_var) < 4 * acf.std(ddof=1) / np.sqrt(runs)
    assert blk.mean() > 0.7 * exact_var
    for pulls in (np.array(pulls_b), np.array(pulls_a)):
        assert 0.7 < np.sqrt(np.mean(pulls**2)) < 1.3


def test_blocking_on_independent_samples() -> None:
    """White noise: level 0 is chosen and the error is σ/√(n−1)."""
    x = np.random.default_rng(9).standard_normal(4096)
    b = blocking_analysis(x)
    assert b.level <= 1
    np.testing.assert_allclose(b.table[0, 2], x.std() / np.sqrt(x.size - 1))
    with pytest.raises(ValueError, match="len"):
        blocking_analysis(np.ones(8))


def test_autocorrelation_error_of_a_series_shorter_than_its_correlation_time() -> None:
    """A drifting series (a slow ramp plus noise, correlated over its whole length) has no
    self-consistent window: the error is its standard deviation (one independent sample),
    not the ~0 that the full-window sum of mean-subtracted autocorrelations (= −1/2) gives."""
    rng = np.random.default_rng(2)
    x = np.linspace(0.0, 10.0, 2000) + 0.1 * rng.standard_normal(2000)
    mean, err, tau = autocorrelation_error(x)
    assert tau == pytest.approx(1000.0)
    assert err == pytest.approx(x.std(), rel=1e-12)
    # a well-sampled series keeps the windowed estimate
    y = rng.standard_normal(4000)
    _, err_y, tau_y = autocorrelation_error(y)
    assert abs(tau_y - 0.5) < 0.2 and err_y == pytest.approx(y.std() / np.sqrt(4000), rel=0.3)
