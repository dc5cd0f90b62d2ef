"""Steppers on random stable systems and small hand-made ones: maps, kernels, statistics."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg

from langevin.noise import NormalBlocks, numba_seed, realisation_generator
from langevin.statistics import (
    discrete_stationary_covariance,
    exact_mean_covariance,
    pair_observable_matrix,
)
from langevin.stepping import (
    SCHEMES,
    _step_and_record,
    advance_modes,
    advance_modes_numpy,
    advance_modes_own_rng,
    crank_nicolson_maps,
    euler_maruyama_maps,
    exact_ou_maps,
    hermitian_psd_sqrt,
    kernel_noise_map,
    seed_numba_rng,
    stationary_sample,
    step_maps,
    van_loan_step_covariance,
)
from tests.langevin.inputs import dag

EPS = np.finfo(float).eps


def random_stable_system(
    rng: np.random.Generator, modes: int, d: int, margin: float = 0.3, real: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Random ``M`` with spectral abscissa ``−margin`` and random PSD ``Q`` (rank ``d − 1``)."""
    shape = (modes, d, d)
    m = rng.standard_normal(shape) + (0 if real else 1j * rng.standard_normal(shape))
    top = np.linalg.eigvals(m).real.max(axis=-1)
    m = m - (top + margin)[:, None, None] * np.eye(d)
    b = rng.standard_normal((modes, d, d - 1)) + (
        0 if real else 1j * rng.standard_normal((modes, d, d - 1))
    )
    return m, b @ dag(b)


def lyapunov(m: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Continuous Lyapunov ``MC + CM† + Q = 0`` per mode (scipy's Bartels–Stewart)."""
    return np.array(
        [scipy.linalg.solve_continuous_lyapunov(mi, -qi) for mi, qi in zip(m, q, strict=True)]
    )


# --- maps ------------------------------------------------------------------------------------


def test_van_loan_matches_quadrature_and_lyapunov() -> None:
    rng = np.random.default_rng(11)
    m, q = random_stable_system(rng, 3, 4)
    dt = 0.8
    a, sigma = van_loan_step_covariance(m, q, dt)
    np.testing.assert_allclose(a, scipy.linalg.expm(m * dt), atol=1e-13)
    # Route 2: adaptive quadrature of ∫ e^{Ms} Q e^{M†s} ds.
    for i in range(3):

        def integrand(s: float, i: int = i) -> np.ndarray:
            e = scipy.linalg.expm(m[i] * s)
            return (e @ q[i] @ dag(e)).ravel()

        quad, err = scipy.integrate.quad_vec(integrand, 0.0, dt, epsabs=1e-13, epsrel=1e-12)
        np.testing.assert_allclose(sigma[i].ravel(), quad, atol=10 * err + 1e-12)
    # Route 3: Σ = C − A C A† with the stationary covariance C.
    c = lyapunov(m, q)
    np.testing.assert_allclose(sigma, c - a @ c @ dag(a), atol=1e-12 * np.abs(c).max())


def test_van_loan_singular_drift() -> None:
    """q = 0 and marginal modes: M = 0 gives A = I and Σ = Q Δt; M = iω gives a rotation."""
    q = np.array([[[2.0, 0.5], [0.5, 1.0]]])
    a, sigma = van_loan_step_covariance(np.zeros((1, 2, 2)), q, 0.3)
    np.testing.assert_allclose(a, np.eye(2)[None], atol=1e-15)
    np.testing.assert_allclose(sigma, 0.3 * q, rtol=1e-14)
    m = np.array([[[0.0, 1.0], [-1.0, 0.0]]])  # undamped oscillator, noise on both
    a, sigma = van_loan_step_covariance(m, np.eye(2)[None], 0.7)
    np.testing.assert_allclose(sigma, 0.7 * np.eye(2)[None], atol=1e-14)  # rotation-invariant


def test_hermitian_psd_sqrt_singular_and_continuous() -> None:
    rng = np.random.default_rng(5)
    b = rng.standard_normal((4, 5, 2)) + 1j * rng.standard_normal((4, 5, 2))
    sigma = b @ dag(b)  # rank 2 of 5
    s = hermitian_psd_sqrt(sigma)
    np.testing.assert_allclose(s, dag(s), atol=1e-14)
    np.testing.assert_allclose(s @ s, sigma, atol=1e-12 * np.abs(sigma).max())
    # Round-off of the reconstruction V√ΛV†: a few ε‖S‖ per dimension.
    assert np.linalg.eigvalsh(s).min() > -10 * 5 * EPS * np.abs(s).max()
    real = hermitian_psd_sqrt(sigma.real + sigma.real.swapaxes(-1, -2))
    assert real.dtype == float
    # Continuity (operator monotonicity): ‖√A − √B‖₂ ≤ ‖A − B‖₂^{1/2}, also at singular A.
    delta = 1e-8 * (sigma @ sigma + np.eye(5))
    s2 = hermitian_psd_sqrt(sigma + delta)
    lhs = np.linalg.norm(s2 - s, ord=2, axis=(-2, -1))
    assert np.all(lhs <= np.sqrt(np.linalg.norm(delta, ord=2, axis=(-2, -1))) * (1 + 1e-6))


def test_crank_nicolson_stationary_covariance_is_exact() -> None:
    """CN's discrete stationary covariance solves the continuous Lyapunov equation at any Δt."""
    rng = np.random.default_rng(12)
    m, q = random_stable_system(rng, 6, 4)
    c = lyapunov(m, q)
    rate = np.abs(np.linalg.eigvals(m)).max()
    for dt in (0.1 / rate, 2.0 / rate, 20.0 / rate):
        for maps in (crank_nicolson_maps(m, q, dt), exact_ou_maps(m, q, dt)):
            cd = discrete_stationary_covariance(maps.step_matrix, maps.step_covariance)
            # Round-off bound: ε amplified by 1/(1 − |λ|²) of the slowest mode of A and by the
            # conditioning of its eigenvectors (squared: V⁻¹ Σ V⁻†).
            lam, vec = np.linalg.eig(maps.step_matrix)
            amp = np.max(np.linalg.cond(vec) ** 2 / (1.0 - np.abs(lam).max(axis=-1) ** 2))
            np.testing.assert_allclose(cd, c, atol=10 * EPS * amp * np.abs(c).max())


def test_euler_maruyama_static_bias_is_first_order() -> None:
    """EM: C(h) − C = h B + O(h²), with B from route 2: ``M B + B M† = −M C M†``.

    The slopes (C(h) − C)/h approach B linearly: the distance halves with h up to O(h)
    (the ratio of successive distances tends to 2, monotonically), and Richardson's
    ``2s(h) − s(2h)`` (error O(h²)) is closer to B than the best slope.
    """
    rng = np.random.default_rng(13)
    m, q = random_stable_system(rng, 2, 3)
    c = lyapunov(m, q)
    hs = np.array([0.04, 0.02, 0.01, 0.005])
    slopes = []
    for h in hs:
        maps = euler_maruyama_maps(m, q, h)
        cov = discrete_stationary_covariance(maps.step_matrix, maps.step_covariance)
        slopes.append((cov - c) / h)
    b_lead = lyapunov(m, m @ c @ dag(m))
    dist = np.array([np.abs(sl - b_lead).max() for sl in slopes])
    ratios = dist[:-1] / dist[1:]
    assert np.all(np.diff(np.abs(ratios - 2.0)) < 0)  # → 2, monotonically
    richardson = np.abs(2 * slopes[-1] - slopes[-2] - b_lead).max()
    assert richardson < dist[-1]


def test_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="scheme = "):
        step_maps("rk4", np.zeros((1, 1, 1)), np.zeros((1, 1, 1)), 0.1)
    with pytest.raises(ValueError, match="dt = "):
        step_maps("exact", np.zeros((1, 1, 1)), np.zeros((1, 1, 1)), 0.0)


# --- kernels ---------------------------------------------------------------------------------


def _kernel_inputs(seed: int, n_sys: int = 2, modes: int = 7, d: int = 6, n_steps: int = 9):
    rng = np.random.default_rng(seed)
    real = np.zeros(modes, dtype=bool)
    real[[0, 3]] = True
    a_list, s_list = [], []
    for _ in range(n_sys):
        m, q = random_stable_system(rng, modes, d)
        m[real] = m[real].real
        q[real] = q[real].real
        maps = exact_ou_maps(m, q, 0.2)
        a_list.append(maps.step_matrix)
        s_list.append(kernel_noise_map(maps.noise_map, real))
    a = np.ascontiguousarray(np.stack(a_list))
    s = np.ascontiguousarray(np.stack(s_list))
    x0 = rng.standard_normal((n_sys, modes, d)) + 1j * rng.standard_normal((n_sys, modes, d))
    x0[:, real] = x0[:, real].real
    coef = rng.standard_normal((n_sys, 2, modes)) + 1j * rng.standard_normal((n_sys, 2, modes))
    normals = NormalBlocks(rng, modes, n_steps, d).draw()
    return x0, a, s, real, normals, np.array([0, 1]), coef


def test_kernel_matches_numpy_twin() -> None:
    x0, a, s, real, z, pair, coef = _kernel_inputs(21)
    state = x0.copy()
    out = np.empty((z.shape[1], 2, 2))
    moments = np.zeros(x0.shape + (x0.shape[-1],), dtype=complex)
    advance_modes(state, a, s, real, z, pair, coef, out, moments)
    ref_state, ref_out, ref_mom = advance_modes_numpy(x0, a, s, real, z, pair, coef)
    scale = np.abs(ref_state).max()
    np.testing.assert_allclose(state, ref_state, atol=1e-13 * scale)
    np.testing.assert_allclose(out, ref_out, atol=1e-12 * np.abs(ref_out).max())
    np.testing.assert_allclose(moments, ref_mom, atol=1e-12 * np.abs(ref_mom).max())
    # Self-conjugate modes stay exactly real.
    assert np.all(state[:, real].imag == 0.0)


def test_shared_step_block_matches_one_twin_step() -> None:
    """The block both kernels apply per system, mode and step (``_step_and_record``), run once
    on every (system, mode), is one step of the numpy twin: state, observables, moments."""
    x0, a, s, real, z, pair, coef = _kernel_inputs(23, n_sys=3, n_steps=1)
    n_sys, modes, d = x0.shape
    z_step = np.where(real[:, None], z[:, 0].real + 0j, z[:, 0])
    state = x0.copy()
    out = np.zeros((1, n_sys, 2))
    moments = np.zeros(x0.shape + (d,), dtype=complex)
    scratch = np.empty(d, dtype=complex)
    for i in range(n_sys):
        for m in range(modes):
            _step_and_record(state[i, m], scratch, z_step[m], a, s, i, m, 0, pair[0], pair[1],
                             coef, out, moments, True)  # fmt: skip
    ref_state, ref_out, ref_mom = advance_modes_numpy(x0, a, s, real, z, pair, coef)
    np.testing.assert_allclose(state, ref_state, atol=1e-13 * np.abs(ref_state).max())
    np.testing.assert_allclose(out, ref_out, atol=1e-12 * np.abs(ref_out).max())
    np.testing.assert_allclose(moments, ref_mom, atol=1e-12 * np.abs(ref_mom).max())


@pytest.mark.slow
def test_own_rng_kernel_matches_twin_on_its_own_draws() -> None:
    """Numba-generator kernel = numpy twin fed the same numbers (drawn again, in order)."""
    x0, a, s, real, z, pair, coef = _kernel_inputs(22, n_steps=5)
    n_steps = 5
    modes, d = x0.shape[1:]
    state = x0.copy()
    out = np.empty((n_steps, 2, 2))
    empty = np.zeros((2, 0, d, d), dtype=complex)
    seed_numba_rng(1234)
    advance_modes_own_rng(state, a, s, real, n_steps, pair, coef, out, empty)
    # Replay: numba's generator seeded alike, drawing re/im in the documented order.
    seed_numba_rng(1234)
    from numba import njit

    @njit
    def draws(count: int) -> np.ndarray:
        r = np.empty(count)
        for k in range(count):
            r[k] = np.random.standard_normal()  # noqa: NPY002  (numba generator)
        return r

    raw = draws(modes * n_steps * d * 2).reshape(modes, n_steps, d, 2)
    z_replay = raw[..., 0] + 1j * raw[..., 1]
    ref_state, ref_out, _ = advance_modes_numpy(x0, a, s, real, z_replay, pair, coef)
    np.testing.assert_allclose(state, ref_state, atol=1e-13 * np.abs(ref_state).max())
    np.testing.assert_allclose(out, ref_out, atol=1e-12 * np.abs(ref_out).max())
    # Reproducible from the realisation key.
    assert numba_seed(7, 3) == numba_seed(7, 3) != numba_seed(7, 4)


def test_conserved_zero_mode_and_reproducible_streams() -> None:
    """M = Q = 0 (q = 0): the mode never moves; the same (seed, realisation) gives the same z."""
    m = np.zeros((1, 2, 2))
    maps = exact_ou_maps(m, m, 0.5)
    x = np.array([[[0.25 + 0j, -1.0 + 0j]]])
    out = np.empty((4, 1, 1))
    z = NormalBlocks(realisation_generator(1, 0), 1, 4, 2).draw()
    advance_modes(
        x,
        maps.step_matrix[None].copy(),
        kernel_noise_map(maps.noise_map, np.array([True]))[None].copy(),
        np.array([True]),
        z,
        np.array([0, 1]),
        np.ones((1, 1, 1), dtype=complex),
        out,
        np.zeros((1, 0, 2, 2), dtype=complex),
    )
    np.testing.assert_array_equal(x, [[[0.25, -1.0]]])
    z1 = NormalBlocks(realisation_generator(1, 0), 1, 4, 2).draw()
    z2 = NormalBlocks(realisation_generator(1, 1), 1, 4, 2).draw()
    np.testing.assert_array_equal(z, z1)
    assert not np.allclose(z, z2)


# --- statistics of the steppers --------------------------------------------------------------


def _moment_zscores(scheme: str, dt_factor: float, seed: int) -> np.ndarray:
    """z-scores of the sampled ⟨X_a X_b^*⟩ against the continuous Lyapunov solution.

    ``modes`` random 3×3 systems (two of them real, as on self-conjugate modes), started in
    their stationary state and run for ``n`` steps; the error of each time average is the
    exact one of :func:`exact_mean_covariance` for the scheme's own process.
    """
    rng = np.random.default_rng(seed)
    modes, d, n = 12, 3, 4000
    real = np.zeros(modes, dtype=bool)
    real[:2] = True
    m, q = random_stable_system(rng, modes, d)
    m[real], q[real] = m[real].real, q[real].real
    c = lyapunov(m, q)
    lam = np.linalg.eigvals(m)
    # Euler's stability limit |1 + λΔt| < 1  ⟺  Δt < −2 Re λ/|λ|²; ``dt_factor`` is the
    # fraction of the most restrictive one over all modes.
    dt = dt_factor * np.min(-2.0 * lam.real / np.abs(lam) ** 2)
    maps = step_maps(scheme, m, q, dt)
    c_scheme = discrete_stationary_covariance(maps.step_matrix, maps.step_covariance)
    x = stationary_sample(c_scheme, real, rng)[None].copy()
    normals = NormalBlocks(rng, modes, n, d).draw()
    mom = np.zeros((1, modes, d, d), dtype=complex)
    advance_modes(
        x,
        maps.step_matrix[None].copy(),
        kernel_noise_map(maps.noise_map, real)[None].copy(),
        real,
        normals,
        np.array([0, 1]),
        np.zeros((1, 1, modes), dtype=complex),
        np.empty((n, 1, 1)),
        mom,
    )
    sample = mom[0] / n
    z = []
    for i in range(modes):
        for a in range(d):
            for b in range(a, d):
                parts = (1.0, -1j) if (a != b and not real[i]) else (1.0,)
                for c_part in parts:
                    h = pair_observable_matrix(np.array([c_part]), (a, b), d)[None]
                    var = exact_mean_covariance(
                        maps.step_matrix[i : i + 1], c_scheme[i : i + 1], h, n, real[i : i + 1]
                    )[0, 0]
                    est = (c_part * sample[i, a, b]).real
                    ref = (c_part * c[i, a, b]).real
                    z.append((est - ref) / np.sqrt(var))
    return np.array(z)


@pytest.mark.parametrize("scheme", ["exact", "crank-nicolson"])
def test_sampled_covariance_is_exact_near_explicit_stability_limit(scheme: str) -> None:
    z = _moment_zscores(scheme, 0.9, seed=31)
    assert np.max(np.abs(z)) < 4.0
    # The z's are (nearly) standard normal: their mean square is 1 within its χ² spread.
    assert abs(np.mean(z**2) - 1.0) < 4.0 * np.sqrt(2.0 / z.size)


def test_euler_maruyama_bias_in_a_dt_sweep() -> None:
    """EM on a damped oscillator: the sampled ⟨|p|²⟩ shows the O(Δt) bias, with its slope.

    ``dx = p dt``, ``dp = (−ω²x − γp) dt + √(2γT) dW``: Gibbs ``⟨|p|²⟩ = T``. EM's own
    stationary value comes from the scheme's discrete Lyapunov equation (route 1) and the
    leading slope from the continuous expansion ``M B + B M† = −M C M†`` (route 2). The
    simulation agrees with route 1 within 4σ at each Δt; the slope ``s`` of a weighted fit
    ``bias = s Δt + r Δt²`` to the sampled values agrees within 4σ with the same fit to route 1,
    whose distance from route 2 is the fit's own O(Δt³) remainder (printed).
    """
    rng = np.random.default_rng(41)
    omega, gamma, temp = 1.0, 0.5, 1.0
    copies, time_span = 64, 800.0
    m = np.broadcast_to(np.array([[0.0, 1.0], [-(omega**2), -gamma]]), (copies, 2, 2))
    q = np.broadcast_to(np.diag([0.0, 2 * gamma * temp]), (copies, 2, 2))
    real = np.zeros(copies, dtype=bool)
    h_obs = pair_observable_matrix(np.full((1, copies), 1.0 / copies), (1, 1), 2)
    dts = np.array([0.02, 0.04, 0.08])
    values, errors, predicted = [], [], []
    for dt in dts:
        n = int(round(time_span / dt))
        maps = euler_maruyama_maps(m, q, dt)
        c_em = discrete_stationary_covariance(maps.step_matrix, maps.step_covariance)
        x = stationary_sample(c_em, real, rng)[None].copy()
        mom = np.zeros((1, copies, 2, 2), dtype=complex)
        advance_modes(
            x,
            maps.step_matrix[None].copy(),
            kernel_noise_map(maps.noise_map, real)[None].copy(),
            real,
            NormalBlocks(rng, copies, n, 2).draw(),
            np.array([0, 1]),
            np.zeros((1, 1, copies), dtype=complex),
            np.empty((n, 1, 1)),
            mom,
        )
        values.append(mom[0, :, 1, 1].real.mean() / n)
        errors.append(np.sqrt(exact_mean_covariance(maps.step_matrix, c_em, h_obs, n, real)[0, 0]))
        predicted.append(c_em[0, 1, 1].real)
    values, errors, predicted = map(np.array, (values, errors, predicted))
    assert np.all(np.abs(values - predicted) < 4 * errors)
    assert (values[-1] - temp) / errors[-1] > 10  # the bias is resolved
    design = np.column_stack([dts, dts**2]) / errors[:, None]
    fit, *_ = np.linalg.lstsq(design, (values - temp) / errors, rcond=None)
    fit_pred, *_ = np.linalg.lstsq(design, (predicted - temp) / errors, rcond=None)
    slope_err = np.sqrt(np.linalg.inv(design.T @ design)[0, 0])
    c = lyapunov(m[:1], q[:1])
    lead = lyapunov(m[:1], m[:1] @ c @ dag(m[:1]))[0, 1, 1].real
    assert abs(fit[0] - fit_pred[0]) < 4 * slope_err
    print(
        f"EM bias slope d<|p|^2>/dDt: sampled {fit[0]:.3f} +- {slope_err:.3f}, "
        f"scheme's exact {fit_pred[0]:.3f}, leading order {lead:.3f}"
    )


def test_schemes_listed() -> None:
    assert set(SCHEMES) == {"exact", "crank-nicolson", "euler-maruyama"}
