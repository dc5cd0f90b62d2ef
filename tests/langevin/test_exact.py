"""The exact stationary solution: Gibbs at v = 0, symmetry of the drag, linear response,
box → continuum, instability. Every number is checked against a second route."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg

from langevin.exact import (
    UnstableError,
    continuum_drag_chi_slope,
    continuum_drag_force,
    drift_threshold,
    exact_drag,
    grid_drag_force,
    grid_stationary_covariance,
    instability_threshold,
    linear_response_covariance,
    lyapunov_covariance,
    stationary_covariance,
)
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.params import BilayerParameters
from tests.langevin.inputs import GAAS_10K

EPS = np.finfo(float).eps

GIBBS_CASES = [
    BilayerParameters(varsigma=0.1, beta=0.05),
    BilayerParameters(varsigma=1.0, beta=0.3),
    BilayerParameters(varsigma=0.4, beta=0.1, odd=0.2, sound=0.5, bulk_to_shear=1.0),
    BilayerParameters(varsigma=0.3, beta=0.1).paper_approximations(),  # frozen transverse v
]


@pytest.mark.parametrize("params", GIBBS_CASES)
def test_gibbs_state_at_zero_drift_on_every_grid_mode(params) -> None:
    """⟨δn δn†⟩ = Θ(Ũ + s²)⁻¹/L², ⟨|δv|²⟩ = Θ/L² per component (T/ϱ), incl. Nyquist, to 1e-10
    (the issue's tolerance; the Lyapunov residual is ~1e-17 here)."""
    grid = PeriodicGrid(8, 7.0)
    model = BilayerModel(params)
    c = grid_stationary_covariance(model, grid)
    qx, qy = grid.half_wavevectors()
    expected = model.equilibrium_covariance(qx, qy) * grid.mode_noise_scale
    mask = np.ones(qx.shape, dtype=bool)
    mask[0, 0] = False
    scale = np.max(np.abs(expected[mask]))
    assert np.max(np.abs(c[mask] - expected[mask])) <= 1e-10 * scale
    # the Nyquist modes are included and real
    sc = grid.self_conjugate_mask() & mask
    assert sc.sum() == 3 and np.all(np.abs(c[sc].imag) <= 1e-10 * scale)


def test_kronecker_lyapunov_solve_matches_bartels_stewart() -> None:
    """Twin: the batched (M⊗1 + 1⊗M*) solve against scipy's Bartels–Stewart, at finite drift,
    χ, odd viscosity and pressure; tolerance from the condition number of the 36×36 system."""
    p = BilayerParameters(
        varsigma=0.3, beta=0.2, chi=0.7, drift=0.4, drift_angle=0.3, odd=0.15, sound=0.2
    )
    model = BilayerModel(p)
    qx, qy = np.array([0.05, 0.7, -2.0, 5.0]), np.array([0.02, -0.4, 1.1, 3.0])
    m, q = model.drift_matrix(qx, qy), model.noise_covariance(qx, qy)
    c = lyapunov_covariance(m, q)
    for k in range(len(qx)):
        ref = scipy.linalg.solve_continuous_lyapunov(m[k], -q[k])
        big = np.kron(m[k], np.eye(6)) + np.kron(np.eye(6), m[k].conj())
        tol = 10 * EPS * np.linalg.cond(big) * np.max(np.abs(ref))
        assert np.max(np.abs(c[k] - ref)) <= tol
        assert np.max(np.abs(m[k] @ c[k] + c[k] @ m[k].conj().T + q[k])) <= tol * np.max(
            np.abs(m[k])
        )


def test_frozen_transverse_modes_do_not_change_the_longitudinal_solution() -> None:
    """Paper's approximation, χ = 0: v_T is undamped and unforced. Second route: the 4×4
    longitudinal system (δn₁, δn₂, L₁, L₂) alone, by Bartels–Stewart."""
    p = BilayerParameters(varsigma=0.3, beta=0.1, drift=0.2).paper_approximations()
    model = BilayerModel(p)
    q = 1.3
    c = stationary_covariance(model, q, 0.0)  # q along x: L = v_x, T = v_y
    keep = [0, 1, 2, 4]
    m4 = model.drift_matrix(q, 0.0)[np.ix_(keep, keep)]
    q4 = model.noise_covariance(q, 0.0)[np.ix_(keep, keep)]
    ref = scipy.linalg.solve_continuous_lyapunov(m4, -q4)
    np.testing.assert_allclose(c[np.ix_(keep, keep)], ref, rtol=0, atol=1e-12 * np.abs(ref).max())
    np.testing.assert_allclose(c[3, 3], p.theta)  # frozen at its equilibrium variance


def test_no_drag_at_zero_drift_even_with_nonreciprocity() -> None:
    p = BilayerParameters(varsigma=0.3, beta=0.2, chi=0.8, odd=0.1)
    model = BilayerModel(p)
    grid = PeriodicGrid(16, 12.0)
    force = grid_drag_force(model, grid)
    scale = np.sum(np.abs(grid_stationary_covariance(model, grid)[..., 0, 1]))
    assert np.max(np.abs(force)) <= 100 * EPS * scale
    f_cont, _ = continuum_drag_force(model, order=8, n_angle=8)
    assert np.max(np.abs(f_cont)) <= 1e-14


def test_drag_is_odd_in_v_and_pushes_layer_two_along_v() -> None:
    p = BilayerParameters(varsigma=0.3, beta=0.2, chi=0.5, drift=0.1, odd=0.1)
    grid = PeriodicGrid(16, 12.0)
    forward = grid_drag_force(BilayerModel(p), grid)
    backward = grid_drag_force(BilayerModel(p.with_(drift_angle=math.pi)), grid)
    assert forward[0] > 0
    assert np.max(np.abs(forward + backward)) <= 1e-10 * np.abs(forward).max()


@pytest.mark.slow
def test_D_is_linear_in_v_with_the_exact_slope() -> None:
    """D(u) is even in u: D(u) = D₀ + a u² + b u⁴. Richardson with u, 2u removes a; its
    residual −4bu⁴ is bounded by |R(u) − R(2u)| = 60|b|u⁴ (plus quadrature errors)."""
    p = BilayerParameters(varsigma=0.2, beta=0.1, chi=0.3)
    d0 = exact_drag(p)
    u = 0.02
    d = {k: exact_drag(p.with_(drift=k * u)) for k in (1, 2, 4)}
    r1 = (4 * d[1].D - d[2].D) / 3
    r2 = (4 * d[2].D - d[4].D) / 3
    quad = d0.D_error + 2 * max(x.D_error for x in d.values())
    assert abs(r1 - d0.D) <= abs(r1 - r2) + quad
    assert abs(d[1].D - d0.D) > abs(r1 - d0.D)  # the u² term is resolved, not noise


def test_per_mode_linear_response_against_finite_differences() -> None:
    p = BilayerParameters(varsigma=0.3, beta=0.2, chi=0.4, odd=0.1)
    qx, qy = np.array([0.3, 1.0, 2.5]), np.array([0.1, -0.5, 0.7])
    base = BilayerModel(p)
    m0, q0 = base.drift_matrix(qx, qy), base.noise_covariance(qx, qy)
    c0 = stationary_covariance(base, qx, qy)
    c1 = linear_response_covariance(m0, base.drift_matrix_drift_derivative(qx, qy), c0, qx, qy, q0)

    def central(h):
        cp = stationary_covariance(BilayerModel(p.with_(drift=h)), qx, qy)
        cm = stationary_covariance(BilayerModel(p.with_(drift=h, drift_angle=math.pi)), qx, qy)
        return (cp - cm) / (2 * h)

    h = 1e-3
    fd1, fd2 = central(h), central(2 * h)
    # central-difference error h²C'''/6 ≤ |fd(h) − fd(2h)|/3; rounding ~eps|C|/h
    tol = np.abs(fd1 - fd2) / 3 + 100 * EPS * np.abs(c0).max() / h
    assert np.all(np.abs(c1 - fd1) <= tol)


@pytest.mark.slow
def test_chi_slope_against_finite_difference_of_the_exact_slope() -> None:
    p = BilayerParameters(varsigma=0.2, beta=0.1)
    model = BilayerModel(p)
    dchi = model.force_to_D(continuum_drag_chi_slope(model)[0][0], drift=1.0)

    def central(h):
        return (exact_drag(p.with_(chi=h)).D - exact_drag(p.with_(chi=-h)).D) / (2 * h)

    h = 0.02
    fd1, fd2 = central(h), central(2 * h)
    assert abs(dchi - fd1) <= abs(fd1 - fd2) / 3 + 1e-9
    assert dchi < 0  # χ > 0 damps layer 1 without noise: less drag


@pytest.mark.slow
def test_finite_box_converges_to_the_continuum_at_rate_five() -> None:
    """Riemann-sum error of the box: the force density is a q_x² + O(|q|³) at small q; the
    analytic part sums spectrally, the |q|³ homogeneous part leaves (2π/L)⁵ (Lyness).
    Truncation at q_max = π/h is O(e^{−2q_max}) ≈ 1e-11 here, far below."""
    p = BilayerParameters(varsigma=0.15, beta=0.1, drift=0.05)
    model = BilayerModel(p)
    f_cont, err = continuum_drag_force(model)
    lengths = (16.0, 24.0, 32.0)
    errors = [grid_drag_force(model, PeriodicGrid(int(4 * L), L))[0] - f_cont[0] for L in lengths]
    assert err < 1e-3 * abs(errors[-1])
    orders = [
        math.log(abs(errors[i] / errors[i + 1])) / math.log(lengths[i + 1] / lengths[i])
        for i in range(2)
    ]
    for order in orders:
        assert abs(order - 5.0) < 0.5, orders


def test_paper_approximation_is_unstable_for_negative_chi() -> None:
    p = BilayerParameters(varsigma=0.3, beta=0.1, chi=-0.1).paper_approximations()
    with pytest.raises(UnstableError, match=r"q d = .*chi_c = -?0\b") as info:
        exact_drag(p)
    assert info.value.rate > 0 and info.value.threshold == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("ratio", [0.0, 0.5, 2.0])
@pytest.mark.slow
def test_instability_threshold_with_even_viscosity(ratio) -> None:
    """Second route (energy argument, v → 0): the Gibbs energy decays iff the viscous matrix
    of layer 1 is PSD: longitudinal 1 + ζ/η + χ ≥ 0, transverse 1 + χ/2 ≥ 0."""
    p = BilayerParameters(varsigma=0.15, beta=0.1, bulk_to_shear=ratio)
    assert instability_threshold(p) == pytest.approx(-min(2.0, 1.0 + ratio), abs=1e-6)
    with pytest.raises(UnstableError, match="first at q d"):
        exact_drag(p.with_(chi=-min(2.0, 1.0 + ratio) - 0.05))


def test_physical_route_matches_eq_13() -> None:
    p = BilayerParameters.from_physical(**GAAS_10K, velocity_mps=(2e4, 0.0))
    res = exact_drag(p, order=8, n_angle=16)
    model = BilayerModel(p)
    assert res.rho_D == pytest.approx(model.force_to_rho_D(res.force[0]), rel=1e-12)
    assert res.rho_D_ohm > 0


def test_drift_instability_of_the_plasmons() -> None:
    """Above u_c ≈ 1.5 (ς = 0.15) the drifting layer amplifies a plasmon at qd ~ 1 along v
    (Cherenkov-like; the acoustic plasmon moves at ~ω_p d). Consistency of the two uses of
    the eigenvalue criterion: the threshold along the v-axis probe, and exact_drag on
    either side of it (which probes the whole plane)."""
    p = BilayerParameters(varsigma=0.15, beta=0.1).paper_approximations()
    x = np.geomspace(0.05, 20.0, 300)
    u_c = drift_threshold(p, x, 0.0 * x)
    assert 1.0 < u_c < 2.0
    exact_drag(p.with_(drift=0.98 * u_c), order=6, n_angle=8)
    with pytest.raises(UnstableError, match="first at q d") as info:
        exact_drag(p.with_(drift=1.02 * u_c), order=6, n_angle=8)
    qx, qy = info.value.q
    assert 0.3 < math.hypot(qx, qy) < 3.0
    assert info.value.threshold > 0  # extra (noise-free) damping χ > 0 restabilises
