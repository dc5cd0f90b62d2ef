"""Layers of the Weyl-film / 2D-metal bilayer: each function against an independent route."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from layers.interaction import (
    interlayer_interaction,
    interlayer_interaction_sq_a2,
    interlayer_interaction_strong_screening,
    lindhard_3d_reduced,
    weyl_film_polarization,
    weyl_im_slope_tilt_factor,
    weyl_node_polarization,
    weyl_node_polarization_complex,
    weyl_polarization_sum_over_states,
)
from layers.metal import (
    lindhard_2d_complex,
    metal_polarization_sum_over_states,
    stern_polarization,
)
from layers.metal_2d import metal_from_physical
from layers.presets import preset
from layers.weyl import (
    berry_connection,
    berry_curvature,
    coordinate_shift,
    spinor_overlap_sq,
    spinor_overlap_sq_from_spinors,
    three_state_phase,
    three_state_phase_from_spinors,
    weyl_density,
    weyl_dos,
    weyl_energy,
    weyl_spinor,
)
from layers.weyl_film import weyl_film_from_physical

RNG = np.random.default_rng(20240605)
EPS = np.finfo(float).eps


def _random_k(n: int) -> np.ndarray:
    return RNG.normal(size=(n, 3))


# ---------------------------------------------------------------------- Weyl node
@pytest.mark.parametrize("zeta", [1, -1])
def test_spinors_are_eigenstates(zeta: int) -> None:
    k = _random_k(20)
    u = weyl_spinor(k, zeta)
    sig = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
    h = np.einsum("ni,ijk->njk", k, sig)  # σ·k; eigenvalue ζ|k| for chirality ξ, band n = ζ/ξ
    hu = np.einsum("njk,nk->nj", h, u)
    lam = zeta * np.linalg.norm(k, axis=1)
    assert np.max(np.abs(hu - lam[:, None] * u)) < 50 * EPS * np.max(np.abs(lam))
    e = weyl_energy(k, 1, 2.0, 0.3)
    assert np.allclose(e, 2.0 * (np.linalg.norm(k, axis=1) + 0.3 * k[:, 2]), rtol=0, atol=1e-14)


@pytest.mark.parametrize("z1,z2", [(1, 1), (1, -1), (-1, -1)])
def test_overlap_closed_form_matches_spinors(z1: int, z2: int) -> None:
    k1, k2 = _random_k(50), _random_k(50)
    a = spinor_overlap_sq(k1, z1, k2, z2)
    b = spinor_overlap_sq_from_spinors(k1, z1, k2, z2)
    assert np.max(np.abs(a - b)) < 20 * EPS


def _fd_grad(f, k: np.ndarray, h: float) -> np.ndarray:
    out = []
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        out.append((f(k + e) - f(k - e)) / (2 * h))
    return np.stack(out, axis=-1)


@pytest.mark.parametrize("zeta", [1, -1])
def test_berry_connection_and_curvature_by_finite_differences(zeta: int) -> None:
    h = 1e-5
    for k in _random_k(5):
        u0 = weyl_spinor(k, zeta)
        du = _fd_grad(lambda kk: weyl_spinor(kk, zeta), k, h)  # (2, 3)
        a_fd = np.real(1j * np.conj(u0) @ du)
        # central differences: error ~ h² |∂³u| ~ h²/k³
        tol = 10 * h**2 / np.linalg.norm(k) ** 3 + 1e3 * EPS / h
        assert np.allclose(berry_connection(k, zeta), a_fd, rtol=0, atol=tol)
        jac = _fd_grad(lambda kk: berry_connection(kk, zeta), k, h)  # jac[i, j] = ∂_j A_i
        curl = np.array([jac[2, 1] - jac[1, 2], jac[0, 2] - jac[2, 0], jac[1, 0] - jac[0, 1]])
        assert np.allclose(berry_curvature(k, zeta), curl, rtol=0, atol=10 * tol)


@pytest.mark.parametrize("zeta", [1, -1])
def test_coordinate_shift_matches_its_definition(zeta: int) -> None:
    """δr_{k'k} = A(k') − A(k) − (∇_k + ∇_k') arg⟨u_k'|u_k⟩ (Eq. A38) vs the closed form."""
    h = 1e-6

    def phase(k, kp):
        return np.angle(np.vdot(weyl_spinor(kp, zeta), weyl_spinor(k, zeta)))

    for _ in range(4):
        k, kp = _random_k(2)
        grad = np.array(
            [(phase(k + e, kp + e) - phase(k - e, kp - e)) / (2 * h) for e in np.eye(3) * h]
        )
        ref = berry_connection(kp, zeta) - berry_connection(k, zeta) - grad
        got = coordinate_shift(k, kp, zeta)
        tol = 1e3 * EPS / h + 10 * h**2
        assert np.allclose(got, ref, rtol=0, atol=tol)


def test_three_state_phase() -> None:
    for zs in [(1, 1, 1), (1, -1, 1), (-1, -1, 1), (-1, -1, -1)]:
        k1, k2, k3 = _random_k(30), _random_k(30), _random_k(30)
        a = three_state_phase(k1, zs[0], k2, zs[1], k3, zs[2])
        b = three_state_phase_from_spinors(k1, zs[0], k2, zs[1], k3, zs[2])
        assert np.max(np.abs(a - b)) < 20 * EPS


@pytest.mark.parametrize("tilt", [0.0, 0.3, -0.6])
def test_weyl_dos_and_density_by_angular_quadrature(tilt: float) -> None:
    """ν = ∫dΩ k_F(θ)²/(8π³ v (1 + C cos θ)), n = ∫dΩ k_F(θ)³/(24π³), k_F = ε/(v(1 + C cosθ))."""
    eps, v = 1.3, 0.7
    x, w = np.polynomial.legendre.leggauss(60)
    kf = eps / (v * (1 + tilt * x))
    nu = 2 * np.pi * np.sum(w * kf**2 / (v * (1 + tilt * x))) / (8 * np.pi**3)
    n = 2 * np.pi * np.sum(w * kf**3) / (24 * np.pi**3)
    assert weyl_dos(eps, v, tilt) == pytest.approx(nu, rel=1e-13)
    assert weyl_density(eps, v, tilt) == pytest.approx(n, rel=1e-13)


# ---------------------------------------------------------------------- polarizations
def _kk_real_part(im_func, omega: float, edges: list[float], top: float) -> tuple[float, float]:
    """Re Π(ω) = (2/π) P∫₀^∞ dω' ω' Im Π(ω')/(ω'² − ω²) (Π(∞) = 0), with quad's error."""
    pts = sorted({0.0, *[e for e in edges if 0 < e < top]})
    if omega == 0.0:
        val, err = 0.0, 0.0
        for a, b in zip(pts, [*pts[1:], top], strict=True):
            v, e = integrate.quad(lambda w: im_func(w) / w, a, b, limit=200)
            val, err = val + v, err + e
        return 2 / np.pi * val, 2 / np.pi * err

    # P∫ f(w)/(w − ω) with f(w) = w Im(w)/(w + ω), Cauchy weight on the panel holding ω
    def f(w):
        return w * im_func(w) / (w + omega)

    val = err = 0.0
    pts = sorted({*pts, top})
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        if a < omega < b:
            v, e = integrate.quad(f, a, b, weight="cauchy", wvar=omega, limit=400)
        else:
            v, e = integrate.quad(lambda w: f(w) / (w - omega), a, b, limit=400)
        val, err = val + v, err + e
    return 2 / np.pi * val, 2 / np.pi * err


@pytest.mark.parametrize("q", [0.3, 1.0, 2.6])
def test_stern_kramers_kronig(q: float) -> None:
    k_f, m = 1.0, 1.0
    v = k_f / m
    lo, hi = max(0.0, q * q / 2 - v * q), v * q + q * q / 2
    edges = [lo, abs(v * q - q * q / 2), hi]

    def im(w):
        return float(stern_polarization(q, w, k_f, m).imag)

    for omega in [0.0, 0.37 * hi, 0.81 * hi, 1.7 * hi]:
        re_kk, err = _kk_real_part(im, omega, edges, hi)
        re = float(stern_polarization(q, omega, k_f, m).real)
        assert abs(re_kk - re) < 10 * err + 1e-9 * abs(re), (omega, re_kk, re)


@pytest.mark.parametrize("tilt", [0.0, 0.3])
def test_weyl_polarization_kramers_kronig(tilt: float) -> None:
    q, eps, v = 1.0, 1.0, 1.0

    def im(w):
        return float(weyl_node_polarization(q, w, eps, v, tilt).imag)

    for omega in [0.0, 0.3, 0.77, 1.4]:
        re_kk, err = _kk_real_part(im, omega, [1.0], 1.0)
        re = float(weyl_node_polarization(q, omega, eps, v, tilt).real)
        assert abs(re_kk - re) < 10 * err + 1e-9 * abs(re), (omega, re_kk, re)


def test_weyl_polarization_untilted_is_3d_lindhard_and_tilt_factors() -> None:
    s = np.array([-1.7, -0.6, 0.0, 0.2, 0.7, 0.999, 1.3])
    got = weyl_node_polarization(1.0, s, 1.0, 1.0, 0.0) / weyl_dos(1.0, 1.0, 0.0)
    assert np.allclose(got, lindhard_3d_reduced(s), rtol=1e-12, atol=1e-12)
    for c in (0.3, 0.6):
        static = weyl_node_polarization(1.0, 0.0, 1.0, 1.0, c).real
        assert static == pytest.approx(weyl_dos(1.0, 1.0, c), rel=1e-12)
        slope = weyl_node_polarization(1.0, 1e-7, 1.0, 1.0, c).imag / (np.pi / 2 * 1e-7)
        assert slope / weyl_dos(1.0, 1.0, c) == pytest.approx(weyl_im_slope_tilt_factor(c), 1e-9)
    # the real-axis function is the boundary value of the complex one
    for c in (0.0, 0.3):
        a = weyl_node_polarization(1.0, s, 1.0, 1.0, c)
        b = weyl_node_polarization_complex(1.0, s + 1e-9j, 1.0, 1.0, c)
        assert np.allclose(a, b, rtol=0, atol=1e-7)


def test_stern_is_boundary_value_of_complex_lindhard() -> None:
    q = np.array([0.2, 0.2, 0.9, 2.5, 2.5])
    w = np.array([0.1, 0.5, -0.4, 1.0, 6.0])
    a = stern_polarization(q, w, 1.0, 1.0)
    b = lindhard_2d_complex(q, w + 1e-10j, 1.0, 1.0)
    assert np.allclose(a, b, rtol=0, atol=1e-4)  # √(δ) branch-point smoothing at δ = 1e-10


@pytest.mark.parametrize("q,z", [(0.3, 0.2 + 0.05j), (0.5, 0.6 + 0.03j), (1.5, 0.2 + 0.05j)])
def test_metal_polarization_sum_over_states(q: float, z: complex) -> None:
    """Grid sum at T and T/2, Richardson in T² (Sommerfeld), against the T = 0 formula."""
    mu, m = 0.5, 1.0
    t1, t2 = 0.02, 0.01
    p1 = metal_polarization_sum_over_states(q, z, mu, m, t1, n_k=701)
    p2 = metal_polarization_sum_over_states(q, z, mu, m, t2, n_k=701)
    p2_fine = metal_polarization_sum_over_states(q, z, mu, m, t2, n_k=1001)
    grid_err = abs(p2_fine - p2)
    extrap = (4 * p2 - p1) / 3
    exact = complex(lindhard_2d_complex(q, z, np.sqrt(2 * m * mu), m))
    # next Sommerfeld order is T⁴: (T2/T1)² times the T² step at T2
    tol = abs(p2 - p1) / 3 * (t2 / t1) ** 2 + 4 * grid_err
    assert abs(extrap - exact) < tol, (extrap, exact, tol)


@pytest.mark.parametrize("tilt", [0.0, 0.3])
@pytest.mark.slow
def test_weyl_polarization_sum_over_states(tilt: float) -> None:
    """Exact tilted bands, overlaps and Fermi functions summed over states at q/k_F = 0.02, 0.01
    (T and Im z scaled with q): the deviation from the ballistic formula is O((q/k_F)²), so the
    Richardson extrapolation must land on it within the next order."""
    eps, v = 1.0, 1.0
    res = []
    for q in (0.02, 0.01):
        z = (0.5 + 0.25j) * q
        bf = weyl_polarization_sum_over_states(q, z, eps, v, tilt, q / 10)
        res.append((bf, complex(weyl_node_polarization_complex(q, z, eps, v, tilt))))
    (b1, s1), (b2, s2) = res
    assert s1 == pytest.approx(s2, rel=1e-13)  # the ballistic formula depends on z/q only
    d1, d2 = abs(b1 - s1), abs(b2 - s2)
    assert 3.0 < d1 / d2 < 5.0  # second-order convergence in q
    q, z = 0.01, 0.005 + 0.0025j
    b2_fine = weyl_polarization_sum_over_states(q, z, eps, v, tilt, q / 10, 128, 128, 128)
    grid_err = abs(b2_fine - b2)
    extrap = (4 * b2 - b1) / 3
    # next order: (q²)² relative to the q² step, i.e. a quarter of it at q/2; plus the grid
    tol = abs(b2 - b1) / 3 * 0.25 + 4 * grid_err
    assert abs(extrap - s1) < tol, (extrap, s1, tol)


# ---------------------------------------------------------------------- interaction
def test_interlayer_interaction_is_the_rpa_matrix_element() -> None:
    rng = np.random.default_rng(3)
    e2, d = 0.7, 1.3
    for _ in range(5):
        q = rng.uniform(0.05, 3.0)
        pa, pp = complex(*rng.uniform(0.1, 2.0, 2)), complex(*rng.uniform(0.1, 2.0, 2))
        v = 2 * np.pi * e2 / q
        vm = np.array([[v, v * np.exp(-q * d)], [v * np.exp(-q * d), v]])
        chi = np.diag([pa, pp])
        # screened interaction matrix W = (1 + V Π)⁻¹ V
        wmat = np.linalg.solve(np.eye(2) + vm @ chi, vm)
        assert interlayer_interaction(q, pa, pp, d, e2) == pytest.approx(wmat[0, 1], rel=1e-12)


def test_a2_is_strong_screening_with_ballistic_polarizations() -> None:
    film = weyl_film_from_physical(tilt=0.0)
    metal = metal_from_physical(3e11, 0.067, 50.0)
    bl = preset("fig2-d40", tilt=0.0)
    q = np.array([0.3, 1.0, 2.0]) / bl.spacing
    va, vp = film.fermi_velocity, metal.fermi_velocity
    om = 0.4 * min(va, vp) * q
    s = om / (vp * q)
    pp = metal.dos_2d * (1 + 1j * s / np.sqrt(1 - s * s))
    pa = weyl_film_polarization(q, om, film.eps_F, va, 0.0, film.thickness)
    u = interlayer_interaction_strong_screening(q, pa, pp, bl.spacing, bl.e2)
    a2 = interlayer_interaction_sq_a2(q, om, va, vp, bl.kappa_a, bl.kappa_p, bl.spacing, bl.e2)
    assert np.allclose(np.abs(u) ** 2, a2, rtol=1e-12)


def test_bad_input_names_the_parameter() -> None:
    with pytest.raises(ValueError, match="C = "):
        weyl_film_from_physical(tilt=1.0)
    with pytest.raises(ValueError, match="n_p = "):
        metal_from_physical(-1.0, 0.067, 50.0)
    with pytest.raises(ValueError, match="d = "):
        preset("fig2-d40", d_nm=0.0)
    with pytest.raises(ValueError, match="tau_p = nan"):
        metal_from_physical(3e11, 0.067, float("nan"))
    with pytest.raises(ValueError, match="preset"):
        preset("nope")


def test_metal_finite_T_polarization_matches_sum_over_states() -> None:
    """Maldague's integral over T = 0 results vs the grid sum at the same T (not small)."""
    m, n = 1.0, 1.0 / (2.0 * np.pi)  # k_F = 1, ε_F = 1/2
    from layers.metal import metal_chemical_potential, metal_polarization_finite_T

    for temp in (0.05, 0.2):
        mu = metal_chemical_potential(n, m, temp)
        q, z = 0.4, 0.3 + 0.05j
        bf = metal_polarization_sum_over_states(q, z, mu, m, temp, n_k=701, k_max_factor=3)
        bf_fine = metal_polarization_sum_over_states(q, z, mu, m, temp, 901, k_max_factor=3)
        ma = complex(metal_polarization_finite_T(q, z, n, m, temp, n_nodes=64))
        ma2 = complex(metal_polarization_finite_T(q, z, n, m, temp, n_nodes=96))
        assert abs(ma - bf) < 4 * (abs(bf_fine - bf) + abs(ma2 - ma)) + 1e-12, (ma, bf)


def test_transport_times_and_regular_hall_conductivity_app_c() -> None:
    """1/τ_∥ = 2/(3τ): ⟨(1+cos)/2 · (1 − cos)⟩/⟨(1+cos)/2⟩ over the sphere (C11, C → 0);
    σ^reg_xy = σ_xx τ_∥/τ_⊥ (C20 vs C15); b, b_⊥ from u_∥ ∝ v²τ_∥(ε)/ε, u_⊥ = u_∥ τ_∥/τ_⊥."""
    from layers.weyl import (
        boost_energy_exponents,
        elastic_time,
        hall_time_ratio,
        pair_ahe_regular,
        pair_conductivity_xx,
        parallel_transport_time,
    )

    x, w = np.polynomial.legendre.leggauss(20)
    rate = np.sum(w * 0.5 * (1 + x))
    transport = np.sum(w * 0.5 * (1 + x) * (1 - x))
    assert parallel_transport_time(1.0) == pytest.approx(rate / transport, rel=1e-14)
    eps, v, tau, c = 1.7, 0.9, 40.0, 0.3
    assert pair_ahe_regular(eps, v, c) == pytest.approx(
        pair_conductivity_xx(eps, v, tau) * hall_time_ratio(eps, tau, c), rel=1e-14
    )
    e = np.array([0.9, 1.1]) * eps
    t = elastic_time(e, tau, eps)
    u_par = v**2 * parallel_transport_time(t) / e
    u_perp = u_par * hall_time_ratio(e, t, c)
    b, b_perp = boost_energy_exponents()
    assert np.log(u_par[1] / u_par[0]) / np.log(e[1] / e[0]) == pytest.approx(b, rel=1e-12)
    assert np.log(u_perp[1] / u_perp[0]) / np.log(e[1] / e[0]) == pytest.approx(b_perp, rel=1e-12)


def test_bilayer_interaction_method_and_fermi_function() -> None:
    from layers.interaction import fermi_dirac

    bl = preset("fig2-d40")
    q, om = np.array([0.5, 2.0]) / bl.spacing, np.array([1e-16, 3e-16])
    u = bl.interaction(q, om)
    ref = interlayer_interaction(
        q, bl.active.polarization(q, om), bl.passive.polarization(q, om), bl.spacing, bl.e2
    )
    assert np.array_equal(u, ref)
    e = np.array([-1e3, -1.0, 0.0, 1.0, 1e3])
    assert np.allclose(fermi_dirac(e, 0.0, 1.0), 1 / (np.exp(np.clip(e, -700, 700)) + 1))


def test_intrinsic_ahe_fermi_sea_term_c21() -> None:
    """Σ_ξ ∫ Ω_z over the states between the node and the tilted Fermi surface (ξC_ξ = C):
    |…| = ε_F C/(6π² v_F) to first order in C — the C-term of Eq. (C21) (its sign is fixed by
    Eq. (50), see ``pair_ahe_intrinsic``). Direct 3D quadrature of −ζk̂_z/(2k²)."""
    from layers.weyl import pair_ahe_intrinsic

    eps, v = 1.0, 1.0
    x, w = np.polynomial.legendre.leggauss(40)  # cos θ
    xr, wr = np.polynomial.legendre.leggauss(40)  # k/k_F(θ) ∈ (0, 1)
    for c in (1e-3, 2e-3):
        total = 0.0
        for xi in (1, -1):
            kf = eps / (v * (1 + xi * c * x))
            k = 0.5 * (xr[:, None] + 1) * kf[None, :]
            jac = 0.5 * kf[None, :] * wr[:, None] * w[None, :] * 2 * np.pi
            omega_z = -xi * x[None, :] / (2 * k**2)  # upper band, ζ = ξ
            total += np.sum(jac * k**2 * omega_z) / (2 * np.pi) ** 3
        expected = abs(pair_ahe_intrinsic(eps, v, c, 0.0))
        # O(C³) remainder: relative C² (the expansion of ∫μ/(1 + Cμ) dμ)
        assert abs(abs(total) - expected) < 2 * c**2 * expected
