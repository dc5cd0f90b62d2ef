"""A referee's route to 2DEG–2DEG Coulomb drag: numpy/scipy only, no code of the package.

This module imports nothing of the package (no ``dragcore``, ``layers``, ``langevin``,
``montecarlo``, nor another ``validate`` module; ``tests/anchors/test_anchors.py`` checks its
imports): its constants (CODATA 2018), units, the polarization, the chemical potential and the
drag integral are written out again from the textbook definitions, so that an error of the
package's physics cannot be shared. It lives in ``validate`` only so that the external anchors
(:mod:`validate.anchors`) can be run by the main job.

Units: ħ = k_B = 1, lengths in 1/k_F, energies in E_F (so m = 1/2, v_F = 2, the spin-degenerate
gas has ν = m/π = 1/(2π) and n = k_F²/(2π) = 1/(2π)). The Coulomb interaction
V(q) = 2π(e²/ε)/q is V = 2π r/q with r = q_TF/k_F (q_TF = 2πν e²/ε = 2/a_B*).

Polarization (sign: Π = −χ, static value +ν, Im Π(ω > 0) ≥ 0), from the state sum
Π(q, ω) = g ∫d²k/(2π)² f_k [1/(ε_{k+q} − ε_k − ω − i0) + 1/(ε_{k−q} − ε_k + ω + i0)]:

* Im Π: the δ function fixes k_x = k₀ = mω/q − q/2, so
  Im Π = (g m/(2π q)) ∫₀^∞ dk_y [f(k₀²/2m + k_y²/2m) − f((k₀+q)²/2m + k_y²/2m)];
* Re Π: the principal-value angle integral ∫dθ/(A + B cos θ) = 2π sgn A/√(A² − B²) (|A| > B,
  else 0) with A = q²/2m ∓ ω, B = kq/m gives
  Re Π = (g m/(2π q)) Σ_{A} sgn A ∫₀^{k_s} dk k f(ε_k)/√(k_s² − k²), k_s = m|A|/q,
  done as ∫₀^{π/2} dφ k_s sin φ f(k_s² sin² φ/2m) (k = k_s sin φ: no end-point singularity).

f is the Fermi function at the chemical potential μ(T) that holds n = 1/(2π): the root of
(g m/2π) ∫₀^∞ dε f(ε − μ) = n, by quadrature and a bracketing root finder (not the closed form).
Every integral over a Fermi step is a set of Gauss–Legendre panels that shrink towards the
step (its width T in energy).

Drag (Jauho & Smith; Flensberg & Hu), for two identical layers:
ρ_D = (ħ/e²) (1/(8π² n² T)) ∫₀^∞dq q³ ∫₀^∞dω |U|² (Im Π)²/sinh²(ω/2T),
U = V e^{−qd}/[(1 + VΠ)² − (V e^{−qd} Π)²]. Returned in units of h/e² (÷ 2π).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize

# CODATA 2018
BOHR_RADIUS_NM = 0.0529177210903
H_OVER_E2_OHM = 25812.80745
ELECTRON_MASS_G = 9.1093837015e-28
HBAR_ERG_S = 1.054571817e-27
BOLTZMANN_ERG_K = 1.380649e-16

G_S = 2.0
MASS = 0.5  # m in units ħ²k_F²/E_F
DENSITY = 1.0 / (2.0 * math.pi)  # n in k_F²
DOS = G_S * MASS / (2.0 * math.pi)  # ν in k_F²/E_F


@dataclass(frozen=True)
class Gas:
    """Two identical GaAs-like 2DEGs in reduced units: r = q_TF/k_F, kd = k_F d."""

    r: float
    kd: float

    @staticmethod
    def physical(n_cm2: float, d_nm: float, mass_me: float, eps: float) -> Gas:
        k_f = math.sqrt(2.0 * math.pi * n_cm2) * 1e-7  # 1/nm
        a_b = eps * BOHR_RADIUS_NM / mass_me
        return Gas(r=2.0 / (a_b * k_f), kd=k_f * d_nm)

    @staticmethod
    def fermi_temperature_k(n_cm2: float, mass_me: float) -> float:
        k_f = math.sqrt(2.0 * math.pi * n_cm2)  # 1/cm
        return HBAR_ERG_S**2 * k_f**2 / (2.0 * mass_me * ELECTRON_MASS_G) / BOLTZMANN_ERG_K


def _gl(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _fermi(e, T):
    x = np.clip(e / T, -700.0, 700.0)
    return 0.5 * (1.0 - np.tanh(0.5 * x))


@functools.lru_cache(maxsize=64)
def chemical_potential(T: float) -> float:
    """μ(T) (units E_F) at n = 1/(2π): the root of ν ∫₀^∞ dε f(ε − μ) = n by quadrature."""
    if T == 0.0:
        return 1.0

    def density(mu):
        top = max(mu, 0.0) + 60.0 * T
        pts = [0.0] + [p for p in (mu - 8 * T, mu, mu + 8 * T) if 0.0 < p < top] + [top]
        val = sum(integrate.quad(lambda e: _fermi(e - mu, T), a, b, epsabs=1e-15,
                                 epsrel=1e-12, limit=200)[0]
                  for a, b in zip(pts[:-1], pts[1:], strict=True))  # fmt: skip
        return DOS * val - DENSITY

    return optimize.brentq(density, -50.0 * T - 1.0, 1.0 + 1.0, xtol=1e-15, rtol=1e-15)


_STEPS = np.array([-1e9, -64.0, -16.0, -6.0, -2.0, 0.0, 2.0, 6.0, 16.0, 64.0, 1e9])


def _step_panels(lo, hi, at, width, n):
    """Nodes and weights (arrays of shape (..., m)) of Gauss–Legendre panels on [lo, hi] with
    break points at ``at`` + width × (0, ±2, ±6, ±16, ±64), clipped to [lo, hi]."""
    lo, hi, at, width = np.broadcast_arrays(*(np.asarray(v, float) for v in (lo, hi, at, width)))
    edges = np.clip(at[..., None] + width[..., None] * _STEPS, lo[..., None], hi[..., None])
    edges[..., 0], edges[..., -1] = lo, hi
    t, w = _gl(n)
    a, b = edges[..., :-1, None], edges[..., 1:, None]
    x = a + (b - a) * t
    wx = (b - a) * w
    return x.reshape(*lo.shape, -1), wx.reshape(*lo.shape, -1)


def _line_integral(c, mu, T, n):
    """∫₀^∞ dk_y f(c + k_y²/2m − μ), vectorized over c."""
    c = np.asarray(c, float)
    depth = mu - c
    k_step = np.sqrt(2.0 * MASS * np.maximum(depth, 0.0))
    k_top = np.sqrt(2.0 * MASS * (np.maximum(depth, 0.0) + 60.0 * T))
    width = MASS * T / np.maximum(k_step, np.sqrt(MASS * T))
    k, w = _step_panels(0.0, k_top, k_step, width, n)
    return np.sum(w * _fermi(c[..., None] + k * k / (2.0 * MASS) - mu, T), axis=-1)


def _radial_integral(k_s, mu, T, n):
    """∫₀^{k_s} dk k f(ε_k − μ)/√(k_s² − k²) = ∫₀^{π/2} dφ k_s sin φ f(k_s² sin²φ/2m − μ)."""
    k_s = np.asarray(k_s, float)
    k_mu = math.sqrt(2.0 * MASS * max(mu, 0.0))
    k_top = math.sqrt(2.0 * MASS * (max(mu, 0.0) + 60.0 * T))
    phi_top = np.arcsin(np.minimum(1.0, k_top / np.maximum(k_s, 1e-300)))
    phi_step = np.arcsin(np.minimum(1.0, k_mu / np.maximum(k_s, 1e-300)))
    cos_step = np.maximum(np.cos(phi_step), 1e-3)
    width = np.minimum(MASS * T / np.maximum(k_mu, math.sqrt(MASS * T)) / (k_s * cos_step + 1e-300),
                       0.5)  # fmt: skip
    phi, w = _step_panels(0.0, phi_top, phi_step, width, n)
    k = k_s[..., None] * np.sin(phi)
    return np.sum(w * k * _fermi(k * k / (2.0 * MASS) - mu, T), axis=-1)


def polarization(q, omega, T: float, n: int = 12) -> np.ndarray:
    """Π(q, ω) at temperature T > 0 and fixed density (units ν = 1/(2π) × …), complex."""
    q, omega = np.broadcast_arrays(np.asarray(q, float), np.asarray(omega, float))
    mu = chemical_potential(T)
    pre = G_S * MASS / (2.0 * math.pi * q)
    k0 = MASS * omega / q - 0.5 * q
    im = pre * (
        _line_integral(k0 * k0 / (2 * MASS), mu, T, n)
        - _line_integral((k0 + q) ** 2 / (2 * MASS), mu, T, n)
    )
    re = np.zeros_like(im)
    for a in (q * q / (2 * MASS) - omega, q * q / (2 * MASS) + omega):
        re = re + np.sign(a) * _radial_integral(MASS * np.abs(a) / q, mu, T, n)
    return re * pre + 1j * im


def polarization_T0(q, omega) -> np.ndarray:
    """Π(q, ω) at T = 0 (the same state integrals done in closed form: Stern's function)."""
    q, omega = np.broadcast_arrays(np.asarray(q, float), np.asarray(omega, float))
    pre = G_S * MASS / (2.0 * math.pi * q)
    k0 = MASS * omega / q - 0.5 * q
    im = pre * (np.sqrt(np.maximum(1.0 - k0 * k0, 0.0))
                - np.sqrt(np.maximum(1.0 - (k0 + q) ** 2, 0.0)))  # fmt: skip
    re = np.zeros_like(im)
    for a in (q * q / (2 * MASS) - omega, q * q / (2 * MASS) + omega):
        k_s = MASS * np.abs(a) / q
        re = re + np.sign(a) * (k_s - np.sqrt(np.maximum(k_s * k_s - 1.0, 0.0)))
    return re * pre + 1j * im


def _inv_sinh2(x):
    return 4.0 * np.exp(-2.0 * x) / np.expm1(-2.0 * x) ** 2


def _u2_im2(gas: Gas, q, omega, T, screening_at_T: bool, n_pol: int):
    """|U|² (Im Π)², q and ω arrays of one shape."""
    pol = polarization(q, omega, T, n_pol) if screening_at_T else polarization_T0(q, omega)
    v = 2.0 * math.pi * gas.r / q
    x = np.exp(-q * gas.kd)
    u = v * x / ((1.0 + v * pol) ** 2 - (v * x * pol) ** 2)
    return np.abs(u) ** 2 * pol.imag**2, pol


def _omega_breaks(gas: Gas, q: float, T: float, screening_at_T: bool, n_pol: int):
    """ω panels' break points at one q: continuum edges and kink, multiples of T, the coupled
    plasmons (zeros of Re of both denominators (1 + VΠ)² − (V e^{−qd} Π)²) ± their widths."""
    v_f = 2.0
    e_q = q * q / (2.0 * MASS)
    lo0, hi0 = max(0.0, e_q - v_f * q), v_f * q + e_q
    top = min(hi0, 45.0 * T) if not screening_at_T else 45.0 * T + 1.2 * hi0
    pts = [0.0, top, lo0, hi0, abs(v_f * q - e_q)] + [c * T for c in (0.5, 1.0, 2.0, 4.0, 8.0)]
    if screening_at_T:
        om = top * np.geomspace(1e-4, 1.0, 200)
        pol = polarization(np.full_like(om, q), om, T, n_pol)
        v = 2.0 * math.pi * gas.r / q
        x = math.exp(-q * gas.kd)
        for s in (1.0, -1.0):  # (1 + VΠ)² − (V x Π)² = (1 + VΠ(1 + x))(1 + VΠ(1 − x))
            d = 1.0 + v * pol * (1.0 + s * x)
            flip = np.nonzero(np.signbit(d.real[1:]) != np.signbit(d.real[:-1]))[0]
            for j in flip:
                slope = (d.real[j + 1] - d.real[j]) / (om[j + 1] - om[j])
                w_r = om[j] - d.real[j] / slope
                gamma = max(abs(0.5 * (d.imag[j] + d.imag[j + 1]) / slope), 1e-9 * top)
                pts += [w_r + c * gamma for c in (0.0, 1.0, -1.0, 4.0, -4.0, 16.0, -16.0, 64.0)]
    pts = np.unique(np.clip(np.array(pts), 0.0, top))
    return pts


def drag_resistivity(gas: Gas, T: float, screening_at_T: bool, n: int = 12, n_pol: int = 12,
                     x_max: float = 16.0) -> float:  # fmt: skip
    """ρ_D/(h/e²) at temperature T (units E_F) by Gauss–Legendre panels in q and ω."""
    xb = [0.0, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 11.0, x_max, 2.0 * gas.kd]
    xb += [T / 2.0 * gas.kd]  # the thermal wave number T/v_F
    xb = np.unique(np.clip(np.array(xb), 0.0, x_max))
    t, w = _gl(n)
    total = 0.0
    for x0, x1 in zip(xb[:-1], xb[1:], strict=True):
        for tx, wx in zip(x0 + (x1 - x0) * t, (x1 - x0) * w, strict=True):
            q = tx / gas.kd
            br = _omega_breaks(gas, q, T, screening_at_T, n_pol)
            a, b = br[:-1, None], br[1:, None]
            # ω = a + (b − a) sin²(πs/2): smooth at the √ edges of the T = 0 continua
            s = np.sin(0.5 * math.pi * t) ** 2
            jac = 0.5 * math.pi * np.sin(math.pi * t)  # dω/ds per (b − a)
            om = (a + (b - a) * s).ravel()
            wo = ((b - a) * jac * w).ravel()
            keep = om > 0.0
            om, wo = om[keep], wo[keep]
            k, _ = _u2_im2(gas, np.full_like(om, q), om, T, screening_at_T, n_pol)
            inner = np.sum(wo * k * _inv_sinh2(om / (2.0 * T)))
            total += wx / gas.kd * q**3 * inner
    rho = total / (8.0 * math.pi**2 * DENSITY**2 * T)  # in ħ/e²
    return rho / (2.0 * math.pi)


def drag_resistivity_with_error(gas: Gas, T: float, screening_at_T: bool, n: int = 12):
    """(ρ_D, error) in h/e²: the rule with n and ⌈1.5 n⌉ nodes per panel (q, ω and the state
    integrals of Π at T); the error is their difference."""
    a = drag_resistivity(gas, T, screening_at_T, n=n, n_pol=n)
    m = int(math.ceil(1.5 * n))
    b = drag_resistivity(gas, T, screening_at_T, n=m, n_pol=m)
    return b, abs(b - a)


def large_spacing_closed_form(gas: Gas, T: float) -> float:
    """ρ_D/(h/e²) = (πζ(3)/32)(T/E_F)²/((q_TF d)²(k_F d)²) (Jauho & Smith 1993; Levchenko &
    Kamenev 2008 quote the coefficient πζ(3)/32 ≈ 0.118)."""
    zeta3 = 1.2020569031595942
    return math.pi * zeta3 / 32.0 * T**2 / ((gas.r * gas.kd) ** 2 * gas.kd**2)
