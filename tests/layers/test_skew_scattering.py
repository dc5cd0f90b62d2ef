"""E–e–impurity skew scattering: every step of the derivation in layers.skew_scattering."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special

from layers.interaction import tilt_weight
from layers.skew_scattering import (
    born_tilt_weight,
    fermi_surface_inplane_moment,
    fermi_surface_mean_kz,
    film_skew_weights,
    skew_thermal_factor,
    skew_weight_functions,
    skew_weight_functions_leading,
    skew_x1,
    tilted_fermi_vector,
)
from layers.weyl import three_state_phase, weyl_spinor

TILTS = (0.01, 0.1, 0.3, 0.6)


@pytest.mark.parametrize("c", TILTS)
def test_fermi_surface_averages_against_quadrature(c: float) -> None:
    """Step 2/4: ⟨μ⟩ = −C and a₂ = 1/3 with the DOS weight (1 + Cμ)⁻³ (quad, rel. 1e-12)."""
    norm = integrate.quad(lambda m: (1 + c * m) ** -3, -1, 1, epsabs=0, epsrel=1e-12)[0]
    mz = integrate.quad(lambda m: m * (1 + c * m) ** -3, -1, 1, epsabs=1e-15, epsrel=1e-12)[0]
    a2 = integrate.quad(
        lambda m: (1 - m * m) / (2 * (1 + c * m)) * (1 + c * m) ** -3,
        -1,
        1,
        epsabs=0,
        epsrel=1e-12,
    )[0]
    assert mz / norm == pytest.approx(fermi_surface_mean_kz(c), rel=1e-10)
    assert a2 / norm == pytest.approx(fermi_surface_inplane_moment(c), rel=1e-10)
    assert fermi_surface_inplane_moment(c) == pytest.approx(1.0 / 3.0, rel=1e-10)


@pytest.mark.parametrize("w", (-7.0, -0.4, 1e-4, 0.3, 2.0, 25.0))
def test_thermal_identity(w: float) -> None:
    """Step 1: ∫f(1−f)(1−f(·−ω)) = ∫f f(·−ω)(1−f(·−ω)) = T I(ω/T) (T = 1; quad, rel. 1e-8)."""

    # f and 1 − f each from the logistic function, accurate in both tails: 1 − f(x) written as
    # 1 − f cancels to ~1e-5 relative at x = −25, which quad reported as roundoff
    def f(x):
        return special.expit(-x)

    def f_bar(x):
        return special.expit(x)

    lo, hi = min(0.0, w) - 60.0, max(0.0, w) + 60.0
    kw = {"points": sorted({0.0, w}), "limit": 1000, "epsabs": 0.0, "epsrel": 1e-10}
    a = integrate.quad(lambda e: f(e) * f_bar(e) * f_bar(e - w), lo, hi, **kw)[0]
    b = integrate.quad(lambda e: f(e) * f(e - w) * f_bar(e - w), lo, hi, **kw)[0]
    assert a == pytest.approx(b, rel=1e-8)
    assert a == pytest.approx(float(skew_thermal_factor(w)), rel=1e-8)
    # and I = −d[w n_B(w)]/dw by a central difference
    h = 1e-5

    def wn(x):
        return x / np.expm1(x)

    assert float(skew_thermal_factor(w)) == pytest.approx(
        -(wn(w + h) - wn(w - h)) / (2 * h), rel=1e-6, abs=1e-12
    )


def test_trace_identity_of_step4() -> None:
    """Im[⟨+1|P₂|−1⟩⟨−1|P₁′|+1⟩] = Im Tr[P₁P₂P₁′] = ζ k̂₁·(k̂₂ × k̂₁′)/4 with explicit spinors."""
    rng = np.random.default_rng(5)
    k1, k2, k3 = rng.normal(size=(3, 200, 3))
    for z in (1, -1):
        up, dn = weyl_spinor(k1, z), weyl_spinor(k1, -z)  # the two bands at k₁
        u2, u3 = weyl_spinor(k2, z), weyl_spinor(k3, z)

        def br(a, b):
            return np.sum(np.conj(a) * b, axis=-1)

        lhs = np.imag(br(up, u2) * br(u2, dn) * br(dn, u3) * br(u3, up))
        assert np.allclose(lhs, three_state_phase(k1, z, k2, z, k3, z), atol=1e-13)
        n1, n2, n3 = (x / np.linalg.norm(x, axis=-1, keepdims=True) for x in (k1, k2, k3))
        assert np.allclose(lhs, z * np.sum(n1 * np.cross(n2, n3), axis=-1) / 4, atol=1e-13)


def test_interband_green_function_element_of_step3() -> None:
    """Step 3: the Langreth products with Lorentzian-broadened propagators give
    δG^<_{+−} = X[iP/(ε−ε₊)Γ^<_{+−} + πδ(Γ^< − f₊Γ)_{+−}] (the broadening η → 0 at fixed
    test function; checked against ∫dε φ(ε) of both sides, tolerance 10η/width)."""
    e_p, e_m, f_p, eta = 1.0, -1.0, 0.3, 1e-5
    gam = np.array([[0.7, 0.2 - 0.1j], [0.2 + 0.1j, 0.5]])  # Γ (Hermitian, ≥ 0)
    gam_l = np.array([[0.1, 0.15 + 0.05j], [0.15 - 0.05j, 0.2]])  # Γ^< (Hermitian)
    x = np.linspace(e_p - 0.5, e_p + 0.5, 2_000_001)
    dx = x[1] - x[0]
    phi = np.exp(-(((x - e_p - 0.02) / 0.05) ** 2))
    gr_p, ga_m = 1.0 / (x - e_p + 1j * eta), 1.0 / (x - e_m - 1j * eta)
    lor = eta / np.pi / ((x - e_p) ** 2 + eta**2)
    gl_p = 2j * np.pi * f_p * lor
    sig_l, sig_a = 1j * gam_l, 0.5j * gam
    lhs = gr_p * sig_l[0, 1] * ga_m + gl_p * sig_a[0, 1] * ga_m  # G^<_− = 0 near ε₊
    xx = 1.0 / (x - e_m)
    pv = (x - e_p) / ((x - e_p) ** 2 + eta**2)
    rhs = xx * (1j * pv * gam_l[0, 1] + np.pi * lor * (gam_l[0, 1] - f_p * gam[0, 1]))
    a, b = np.sum(lhs * phi) * dx, np.sum(rhs * phi) * dx
    assert abs(a - b) < 10 * eta / 0.05 * abs(b)
    # the skew (on-shell) part vanishes in equilibrium, Γ^< = f₊Γ
    assert np.allclose(gam_l[0, 1] - f_p * gam[0, 1], 0.15 + 0.05j - 0.3 * (0.2 - 0.1j))


@pytest.mark.parametrize("c", (0.05, 0.3, 0.6))
def test_born_weight_is_the_film_tilt_weight(c: float) -> None:
    om = np.linspace(0.0, 0.999, 50)
    assert np.allclose(born_tilt_weight(om, c), tilt_weight(om, c) / (2 * np.pi), rtol=1e-13)


@pytest.mark.parametrize("c", (0.02, 0.3, 0.6))
@pytest.mark.parametrize("omt", (0.0, 0.37, 0.8))
@pytest.mark.parametrize("zeta", (1, -1))
def test_psi_averages_against_explicit_vectors(c: float, omt: float, zeta: int) -> None:
    """Step 5 by an independent route: :func:`film_skew_weights` (exact triple products and
    |k| on the tilted surface, no expansion) averaged over ψ with the measure (1 + Cμ)⁻³ at
    q/k_F = 10⁻⁴ equals −(1/(2ε_Fτ)) (X₁, a₂X₁) q (q̂ × u)_z; node ζ with tilt ζC (both
    nodes add). Periodic trapezoid (spectral); tolerance 10 q/k_F (the O(q/k_F) remainder)."""
    tilt = zeta * c
    v, eps, tau, T, q = 1.0, 1.0, 1.0, 1.0, 1e-4
    n = 256
    psi = 2 * np.pi * np.arange(n) / n
    s = np.sqrt(1 - omt**2)
    khat = np.stack([omt + 0 * psi, s * np.cos(psi), s * np.sin(psi)], -1)
    k1 = tilted_fermi_vector(khat, eps, v, tilt)
    k1p = k1 - np.array([q, 0.0, 0.0])
    meas = (1 + tilt * khat[:, 2]) ** -3
    res = {}
    for name, u in (("hall", np.array([0.0, 1.0, 0.0])), ("par", np.array([1.0, 0.0, 0.0]))):
        w1i, w1o, w2i, w2o = film_skew_weights(k1, k1p, u, T, tilt, zeta, v, tau)
        res[name] = (T * np.mean(meas * (w1i + w1o)), T * np.mean(meas * (w2i + w2o)))
    x1 = float(skew_x1(omt, c))
    expect1 = -1 / (2 * eps * tau) * x1 * q
    assert res["hall"][0] == pytest.approx(expect1, rel=1e-3)
    assert res["hall"][1] == pytest.approx(expect1 / 3, rel=1e-3)
    # u ∥ q gives no Hall-type film factor (only O(q/k_F) remainders)
    assert abs(res["par"][0]) < 1e-3 * abs(expect1) + 1e-12
    assert abs(res["par"][1]) < 1e-3 * abs(expect1) + 1e-12


def test_weight_functions_leading_order() -> None:
    """φ_i → the leading (C/2, C/6)(1 − ω̃²); relative deviation −9b²/4 + O(b⁴), b² = C²(1−ω̃²)."""
    om = np.linspace(0.0, 0.99, 34)
    for c in (1e-3, 0.05, 0.3):
        p1, p2 = skew_weight_functions(om, c)
        l1, l2 = skew_weight_functions_leading(om, c)
        b2 = c**2 * (1 - om**2)
        assert np.allclose(p2, p1 / 3, rtol=1e-14)
        assert np.allclose(l2, l1 / 3, rtol=1e-14)
        dev = p1 / l1 - 1
        assert np.allclose(dev, -2.25 * b2, atol=5.0 * b2**2)
    p1, _ = skew_weight_functions(0.0, 0.3)
    assert float(p1) / 0.15 == pytest.approx(0.8112, abs=2e-4)
