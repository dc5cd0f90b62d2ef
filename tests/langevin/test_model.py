"""The bilayer model: drift and noise per mode, term by term, against independent routes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dragcore import units
from langevin.grid import PeriodicGrid
from langevin.model import (
    BilayerModel,
    advection_drift,
    continuity_drift,
    coulomb_force_drift,
    current_noise,
    equilibrium_covariance,
    even_viscosity_drift,
    maxwell_relaxation_drift,
    nonreciprocal_drift,
    odd_viscosity_drift,
    pressure_force_drift,
    stress_noise,
)
from langevin.params import BilayerParameters, paper_nonreciprocal_tensor
from tests.langevin.inputs import GAAS_10K, dag

EPS = np.finfo(float).eps
RNG = np.random.default_rng(20250411)
QX, QY = RNG.uniform(-4, 4, 50), RNG.uniform(-4, 4, 50)


def _lyapunov_residual(m, q, c):
    return m @ c + c @ dag(m) + q


def test_drift_is_conjugate_under_q_reversal_and_noise_is_psd() -> None:
    p = BilayerParameters(
        varsigma=0.3,
        beta=0.2,
        chi=0.4,
        drift=0.3,
        drift_angle=0.7,
        odd=0.1,
        sound=0.2,
        bulk_to_shear=0.5,
    )
    model = BilayerModel(p)
    m = model.drift_matrix(QX, QY)
    np.testing.assert_allclose(model.drift_matrix(-QX, -QY), m.conj(), rtol=0, atol=4 * EPS * 32)
    q = model.noise_covariance(QX, QY)
    np.testing.assert_array_equal(q, dag(q))
    assert np.all(np.linalg.eigvalsh(q) >= -1e-14 * np.max(np.abs(q)))


@pytest.mark.parametrize(
    "varsigma, shear, bulk, sound", [(0.2, 0.1, 0.0, 0.0), (1.5, 0.03, 0.07, 0.4)]
)
def test_each_dissipative_term_satisfies_fdt_and_reactive_terms_conserve_gibbs(
    varsigma, shear, bulk, sound
) -> None:
    """Gibbs C_eq solves the Lyapunov equation term by term: (dissipation, its noise) pairs
    cancel, and the reactive terms (continuity + Coulomb + pressure, odd viscosity) give
    M C + C M† = 0 on their own."""
    theta = 0.7
    c = equilibrium_covariance(QX, QY, sound, theta)
    scale = np.max(np.abs(c))
    pairs = [
        (maxwell_relaxation_drift(QX, QY, varsigma, sound), current_noise(QX, QY, varsigma, theta)),
        (even_viscosity_drift(QX, QY, shear, bulk), stress_noise(QX, QY, shear, bulk, theta)),
        (
            continuity_drift(QX, QY)
            + coulomb_force_drift(QX, QY)
            + pressure_force_drift(QX, QY, sound),
            0.0,
        ),
        (odd_viscosity_drift(QX, QY, 0.3), 0.0),
    ]
    for m, q in pairs:
        res = _lyapunov_residual(m, q, c)
        mag = np.max(np.abs(m)) * scale
        assert np.max(np.abs(res)) <= 20 * EPS * mag


def test_plasmon_and_maxwell_rates_match_eqs_14_and_16() -> None:
    """Without viscosity and drift, the longitudinal density modes δn_± obey
    λ² + γ_± λ + ω_±² = 0 with γ_± = ς q (1 ± e^{−q}), ω_±² = q (1 ± e^{−q})."""
    varsigma = 0.37
    p = BilayerParameters(varsigma=varsigma, beta=0.0, even_viscosity=False)
    model = BilayerModel(p)
    for qd in (0.1, 1.0, 3.0):
        lam = np.linalg.eigvals(model.drift_matrix(qd, 0.0))
        e = math.exp(-qd)
        expected = [0.0, 0.0]  # the two transverse velocities
        for sign in (1, -1):
            g, w2 = varsigma * qd * (1 + sign * e), qd * (1 + sign * e)
            expected += list(np.roots([1.0, g, w2]))
        key = lambda z: (round(z.real, 9), round(z.imag, 9))  # noqa: E731
        np.testing.assert_allclose(sorted(lam, key=key), sorted(expected, key=key), atol=1e-12)


def test_nonreciprocal_term_paper_contraction() -> None:
    """A = χ δ_il δ_jm: longitudinal damping χβ_η q², transverse χβ_η q²/2, layer 1 only."""
    chi, shear = 0.8, 0.25
    m = nonreciprocal_drift(2.0, 0.0, shear, paper_nonreciprocal_tensor(chi))
    np.testing.assert_allclose(np.diag(m).real, [0, 0, -chi * shear * 4, -chi * shear * 2, 0, 0])
    assert np.count_nonzero(m - np.diag(np.diag(m))) == 0


def test_advection_only_in_layer_one() -> None:
    m = advection_drift(1.0, 2.0, np.array([0.5, -0.25]))
    np.testing.assert_allclose(
        np.diag(m), -1j * 0.0 * np.ones(6) + np.array([1, 0, 1, 1, 0, 0]) * (-0j)
    )


def test_advection_value() -> None:
    m = advection_drift(1.0, 2.0, np.array([0.5, -0.25]))
    np.testing.assert_allclose(np.diag(m), [0.0j, 0, 0, 0, 0, 0])  # q·u = 0 here
    m = advection_drift(1.0, 2.0, np.array([0.5, 0.25]))
    np.testing.assert_allclose(np.diag(m), [-1j, 0, -1j, -1j, 0, 0])


def test_mode_matrices_layout_and_self_conjugate_rule() -> None:
    p = BilayerParameters(varsigma=0.3, beta=0.2, chi=0.1, drift=0.2, odd=0.1)
    grid = PeriodicGrid(6, 9.0)
    m, q = BilayerModel(p).mode_matrices(grid)
    assert m.shape == q.shape == (6, 4, 6, 6)
    np.testing.assert_array_equal(m[0, 0], 0.0)
    np.testing.assert_array_equal(q[0, 0], 0.0)
    sc = grid.self_conjugate_mask()
    assert np.all(m[sc].imag == 0.0) and np.all(q[sc].imag == 0.0)
    qx, qy = grid.half_wavevectors()
    np.testing.assert_allclose(q[1, 1], BilayerModel(p).noise_covariance(qx[1, 1], qy[1, 1]) / 81)


def test_drag_kernel() -> None:
    model = BilayerModel(BilayerParameters(varsigma=0.3, beta=0.1))
    k = model.drag_kernel(np.array([0.0, 3.0]), np.array([0.0, 4.0]))
    np.testing.assert_allclose(k[0], 0.0)
    np.testing.assert_allclose(k[1], -1j * np.array([0.6, 0.8]) * math.exp(-5.0))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"varsigma": -1.0, "beta": 0.1}, "varsigma"),
        ({"varsigma": 0.1, "beta": 0.0}, "beta"),
        ({"varsigma": 0.1, "beta": 0.1, "chi": float("nan")}, "chi"),
        ({"varsigma": 0.1, "beta": 0.1, "drift": -0.1}, "drift"),
        ({"varsigma": 0.1, "beta": 0.1, "theta": 0.0}, "theta"),
        ({"varsigma": 0.1, "beta": 0.1, "sound": -1.0}, "sound"),
        ({"varsigma": 0.1, "beta": 0.1, "nonreciprocal_tensor": np.zeros(3)}, "nonreciprocal"),
    ],
)
def test_bad_parameters(kwargs, name) -> None:
    with pytest.raises(ValueError, match=name):
        BilayerParameters(**kwargs)


PHYS = dict(GAAS_10K, alpha_per_mps_tesla=1e-5, field_tesla=(1.0, 0.0), velocity_mps=(3e3, 4e3))


def test_physical_constructor_against_hand_formulas() -> None:
    p = BilayerParameters.from_physical(**PHYS)
    # Independent route: SI → Gaussian by hand.
    n, m = 1e11, 0.067 * 9.1093837015e-28
    d, e2, hbar = 200e-7, 4.803204712570263e-10**2, 1.054571817e-27
    wp = math.sqrt(2 * math.pi * n * e2 / (m * 12.0 * d))
    sigma = 0.5 * e2 / hbar
    assert p.varsigma == pytest.approx(2 * math.pi * sigma / (d * 12.0 * wp), rel=1e-13)
    assert p.beta == pytest.approx(2.0 * hbar / m / (d**2 * wp), rel=1e-13)
    assert p.chi == pytest.approx(1e-5 * 3e3, rel=1e-13)
    assert p.drift == pytest.approx(5e5 / (wp * d), rel=1e-13)
    assert p.drift_angle == pytest.approx(math.atan2(4, 3))
    assert p.theta == pytest.approx(10 * 1.380649e-16 / (m * n * wp**2 * d**4), rel=1e-13)


def test_force_to_D_and_rho_D_routes_agree() -> None:
    """ρ_D = D ρ₀ (through Eq. 21's prefactor) equals F/(e²n²v) (Eq. 13) directly."""
    p = BilayerParameters.from_physical(**PHYS)
    model = BilayerModel(p)
    force = 1.234e-3
    via_d = model.D_to_rho_D(model.force_to_D(force))
    direct = model.force_to_rho_D(force)
    assert via_d == pytest.approx(direct, rel=1e-12)
    assert units.sheet_resistance_to_ohm(direct) > 0


def test_paper_approximations_switch() -> None:
    p = BilayerParameters(varsigma=0.3, beta=0.2, odd=0.1, sound=0.3).paper_approximations()
    assert (p.even_viscosity, p.odd, p.sound) == (False, 0.0, 0.0)
    q = BilayerModel(p).noise_covariance(1.0, 0.5)
    assert np.count_nonzero(q[..., 2:, 2:]) == 0


def test_general_nonreciprocal_tensor() -> None:
    """The tensor route with the paper's contraction equals the χ route; a trace contraction
    A_ijlm = c δ_ij δ_lm (δΣⁿ = ηc δ_ij ∇·δv) damps only the longitudinal velocity, by c β_η q²."""
    base = BilayerParameters(varsigma=0.3, beta=0.2, chi=0.7, drift=0.1)
    via_tensor = base.with_(chi=0.0, nonreciprocal_tensor=paper_nonreciprocal_tensor(0.7))
    np.testing.assert_array_equal(
        BilayerModel(via_tensor).drift_matrix(QX, QY), BilayerModel(base).drift_matrix(QX, QY)
    )
    eye = np.eye(2)
    c, shear = 0.4, 0.25
    m = nonreciprocal_drift(0.0, 3.0, shear, c * np.einsum("ij,lm->ijlm", eye, eye))
    np.testing.assert_allclose(m[2:4, 2:4], np.diag([0.0, -c * shear * 9.0]), atol=1e-15)
