"""Weyl-film polarization and the screened interlayer interaction, Eqs. (A1), (A2) of the Hall-drag
paper.

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024).

Units: ħ = k_B = 1; ``e2`` is e²/ε (energy × length, Gaussian, ε the background dielectric
constant); polarizations of the layers are *sheet* quantities (per area per energy), with the
sign convention of :mod:`layers.metal` (static value +ν, Im Π^R(ω > 0) ≥ 0).

Weyl film (thickness W, a pair of tilted nodes). The interlayer potential carries only
in-plane momentum (q_z = 0), so the film responds with W Π_3D(q, q_z = 0, ω). For q ≪ k_F
and T ≪ ε_F (the ballistic, degenerate limit used for Eq. A2) the intraband response of one
node is a Fermi-surface average,

    Π_node(q, ω) = (ε_F²/(8π³ v_F³)) ∫_{-1}^{1} dμ w(μ) μ/(μ − s − i0),  s = ω/(v_F q),
    w(μ) = ∫_0^{2π} dψ (1 + C √(1−μ²) cos ψ)⁻³ = π(2 + a²)/(1 − a²)^{5/2},  a² = C²(1 − μ²),

with μ = k̂·q̂: the group-velocity component along an in-plane q is v_F k̂·q (the tilt
C k_z drops out of ε_{k+q} − ε_k because q_z = 0) and the tilt enters only through the
Fermi-surface measure k_F(θ)²/(v(1 + C cos θ)), θ measured from z. At C = 0, w = 2π and
Π_node = ν (1 − (s/2) ln|(1+s)/(1−s)| + iπ s/2 θ(1−|s|)), the 3D Lindhard function of
Eq. (A2). Tilt corrections are O(C²) (odd orders cancel under k_z → −k_z):
Π(q→0, 0) = ν(C) = ε_F²/(2π² v³ (1−C²)²) and Im Π/(ν π s/2) → (1 + C²/2)/√(1 − C²) as s → 0.
Interband (vacuum) polarization is neglected: it is O(q²/k_F²) relative to ν.
"""

from __future__ import annotations

import numpy as np

from dragcore.checks import require_range
from layers.weyl import spinor_overlap_sq, weyl_dos

__all__ = [
    "tilt_weight",
    "weyl_node_polarization",
    "weyl_node_polarization_complex",
    "weyl_film_polarization",
    "weyl_polarization_sum_over_states",
    "weyl_im_slope_tilt_factor",
    "thomas_fermi_wavevector",
    "interlayer_interaction",
    "interlayer_interaction_strong_screening",
    "interlayer_interaction_sq_a2",
    "lindhard_3d_reduced",
    "fermi_dirac",
    "weyl_chemical_potential",
    "weyl_ballistic_thermal_factor",
]

_GL_X, _GL_W = np.polynomial.legendre.leggauss(96)


def tilt_weight(mu, tilt: float) -> np.ndarray:
    """w(μ) = ∫_0^{2π} dψ (1 + C√(1−μ²) cos ψ)⁻³ = π(2 + a²)/(1 − a²)^{5/2}; accepts complex μ."""
    a2 = tilt**2 * (1.0 - np.asarray(mu) ** 2)
    return np.pi * (2.0 + a2) / (1.0 - a2) ** 2.5


def _node_prefactor(eps_F: float, v_F: float) -> float:
    return eps_F**2 / (8.0 * np.pi**3 * v_F**3)


def _smooth_part(s, tilt: float) -> np.ndarray:
    """∫_{-1}^{1} [w(μ)μ − w(s)s]/(μ − s) dμ by Gauss–Legendre (integrand analytic in μ)."""
    s = np.asarray(s)
    mu = _GL_X.reshape((-1,) + (1,) * s.ndim)
    wt = _GL_W.reshape((-1,) + (1,) * s.ndim)
    ws = tilt_weight(s, tilt) * s
    num = tilt_weight(mu, tilt) * mu - ws
    den = mu - s
    ratio = np.where(np.abs(den) > 1e-12, num / np.where(den == 0, 1.0, den), 0.0)
    return np.sum(wt * ratio, axis=0)


def weyl_node_polarization(q, omega, eps_F: float, v_F: float, tilt: float) -> np.ndarray:
    """Retarded intraband Π of one tilted node at T = 0, q ≪ k_F, in-plane q (3D, complex).

    Parameters
    ----------
    q : in-plane wave number (> 0), inverse length.
    omega : real frequency (energy).
    eps_F, v_F, tilt : Fermi energy, ħv_F (energy × length), C (|C| < 1).

    Returns
    -------
    Π in 1/(energy × length³).
    """
    require_range("C", tilt, -1.0, 1.0, lo_open=True, hi_open=True)
    s = np.asarray(omega, dtype=float) / (v_F * np.asarray(q, dtype=float))
    ws = tilt_weight(s, tilt) * s
    with np.errstate(divide="ignore"):
        log = np.log(np.abs((1.0 - s) / (1.0 + s)))
    pref = _node_prefactor(eps_F, v_F)
    out = np.empty(np.shape(s), dtype=complex)
    out.real = pref * (_smooth_part(s, tilt) + ws * log)  # log-divergent at |s| = 1
    out.imag = pref * np.where(np.abs(s) < 1.0, np.pi * ws, 0.0)
    return out if out.ndim else out[()]


def weyl_node_polarization_complex(q, z, eps_F: float, v_F: float, tilt: float) -> np.ndarray:
    """Π of one node (same model as :func:`weyl_node_polarization`) at complex z, Im z > 0."""
    s = np.asarray(z, dtype=complex) / (v_F * np.asarray(q, dtype=float))
    ws = tilt_weight(s, tilt) * s
    log = np.log(1.0 - s) - np.log(-1.0 - s)
    return _node_prefactor(eps_F, v_F) * (_smooth_part(s, tilt) + ws * log)


def weyl_film_polarization(
    q, omega, eps_F: float, v_F: float, tilt: float, thickness: float, n_nodes: int = 2
) -> np.ndarray:
    """Sheet polarization of the film, W × (number of nodes) × Π_node (1/(energy × area))."""
    return thickness * n_nodes * weyl_node_polarization(q, omega, eps_F, v_F, tilt)


def weyl_im_slope_tilt_factor(tilt: float) -> float:
    """lim_{s→0} Im Π_node/(ν_node(C) π s/2) = w(0)(1 − C²)²/(2π) = (1 + C²/2)/√(1 − C²)."""
    return (1.0 + 0.5 * tilt**2) / np.sqrt(1.0 - tilt**2)


def lindhard_3d_reduced(s) -> np.ndarray:
    """Π/ν of the untilted node (3D Lindhard, ballistic).

    1 − (s/2) ln|(1+s)/(1−s)| + iπ(s/2) θ(1 − |s|), s = ω/(v_F q).
    """
    s = np.asarray(s, dtype=float)
    with np.errstate(divide="ignore"):
        log = np.log(np.abs((1.0 + s) / (1.0 - s)))
    return 1.0 - 0.5 * s * log + 1j * np.where(np.abs(s) < 1.0, 0.5 * np.pi * s, 0.0)


def weyl_polarization_sum_over_states(
    q: float,
    z: complex,
    eps_F: float,
    v_F: float,
    tilt: float,
    temperature: float,
    n_r: int = 96,
    n_theta: int = 96,
    n_phi: int = 96,
    shell: float = 1.5,
) -> complex:
    """Intraband Π of one node by direct summation over states (a reference route).

    Π = ∫ d³k/(2π)³ |⟨u_{+,k}|u_{+,k+q}⟩|² (f(ε_k) − f(ε_{k+q}))/(ε_{k+q} − ε_k − z), q ∥ x,
    with the exact tilted energies and overlaps and Fermi functions at temperature T,
    on a product grid: k = k_F(θ)(1 + x) around the tilted Fermi surface
    k_F(θ) = k_F/(1 + C cos θ), Gauss–Legendre in x ∈ [−δ, δ] (δ = shell·(q/k_F + 30T/ε_F),
    outside which f(ε_k) − f(ε_{k+q}) is exponentially small) and in cos θ, uniform in φ.
    Converges to :func:`weyl_node_polarization_complex` as q/k_F, T/ε_F → 0.
    """
    k_F = eps_F / v_F
    half = shell * (q / k_F + 30.0 * temperature / eps_F)
    xr, wr = np.polynomial.legendre.leggauss(n_r)
    xc, wc = np.polynomial.legendre.leggauss(n_theta)
    phi = 2.0 * np.pi * (np.arange(n_phi) + 0.5) / n_phi
    X, CT, PH = np.meshgrid(half * xr, xc, phi, indexing="ij")
    k_surface = k_F / (1.0 + tilt * CT)
    K = k_surface * (1.0 + X)
    W = (half * wr)[:, None, None] * wc[None, :, None] * (2.0 * np.pi / n_phi) * k_surface
    ST = np.sqrt(1.0 - CT**2)
    kv = np.stack([K * ST * np.cos(PH), K * ST * np.sin(PH), K * CT], axis=-1)
    kq = kv + np.array([q, 0.0, 0.0])
    e1 = v_F * (K + tilt * kv[..., 2])
    e2 = v_F * (np.sqrt(np.sum(kq**2, axis=-1)) + tilt * kq[..., 2])
    ov = spinor_overlap_sq(kv, 1, kq, 1)
    f1 = fermi_dirac(e1, eps_F, temperature)
    f2 = fermi_dirac(e2, eps_F, temperature)
    integrand = ov * (f1 - f2) / (e2 - e1 - z)
    return complex(np.sum(W * K**2 * integrand) / (2.0 * np.pi) ** 3)


def thomas_fermi_wavevector(dos_2d, e2: float) -> np.ndarray:
    """κ = 2π e² ν_2D/ε (inverse length); ``e2`` = e²/ε, ν_2D = ν^p or ν^a W (text after Eq. 32)."""
    return 2.0 * np.pi * e2 * np.asarray(dos_2d, dtype=float)


def interlayer_interaction(q, pi_a, pi_p, spacing: float, e2: float) -> np.ndarray:
    """RPA interlayer interaction U(q, ω) of two sheets at distance d — Eq. (A1).

    From the 2×2 RPA with V = 2πe²/(εq), V₁₂ = V e^{−qd}:
    U = V₁₂/[(1 + VΠ_a)(1 + VΠ_p) − V₁₂² Π_a Π_p], i.e.

        U = 1/[(4πe²/(εq)) Π_a Π_p sinh(qd) + (εq/(2πe²) + Π_a + Π_p) e^{qd}],

    evaluated as e^{−qd}/[(2πe²/(εq)) Π_a Π_p (1 − e^{−2qd}) + εq/(2πe²) + Π_a + Π_p].
    ``pi_a``, ``pi_p`` are sheet polarizations (complex); energy × area.
    """
    q = np.asarray(q, dtype=float)
    x = np.exp(-q * spacing)
    v = 2.0 * np.pi * e2 / q
    return x / (v * pi_a * pi_p * (1.0 - x * x) + 1.0 / v + pi_a + pi_p)


def interlayer_interaction_strong_screening(q, pi_a, pi_p, spacing: float, e2: float):
    """U ≈ εq/(4πe² Π_a Π_p sinh(qd)): Eq. (A1) for κ_a d, κ_p d ≫ 1 (the route to Eq. A2)."""
    q = np.asarray(q, dtype=float)
    return q / (4.0 * np.pi * e2 * pi_a * pi_p * np.sinh(q * spacing))


def interlayer_interaction_sq_a2(
    q, omega, v_a: float, v_p: float, kappa_a: float, kappa_p: float, spacing: float, e2: float
) -> np.ndarray:
    """|U|² of Eq. (A2) (Weyl film + 2D metal, ballistic polarizations, C → 0).

    |U|² = (πe² q/(ε κ_a κ_p sinh(qd)))² (1 − (ω/v_p q)²) / |Π_a/ν_a|², with
    |Π_a/ν_a|² = (1 − (x/2) ln((1+x)/(1−x)))² + (πx/2)², x = ω/(v_a q); valid for
    |ω| < min(v_a, v_p) q, where both imaginary parts are non-zero (zero returned elsewhere).
    """
    q = np.asarray(q, dtype=float)
    omega = np.asarray(omega, dtype=float)
    xa = np.abs(omega) / (v_a * q)
    xp = np.abs(omega) / (v_p * q)
    inside = (xa < 1.0) & (xp < 1.0)
    pa = lindhard_3d_reduced(np.where(inside, xa, 0.0))
    base = (np.pi * e2 * q / (kappa_a * kappa_p * np.sinh(q * spacing))) ** 2
    return np.where(inside, base * (1.0 - xp**2) / np.abs(pa) ** 2, 0.0)


def weyl_film_dos(eps_F: float, v_F: float, tilt: float, thickness: float, n_nodes: int = 2):
    """ν^a W: the film's sheet density of states at ε_F (1/(energy × area))."""
    return thickness * n_nodes * weyl_dos(eps_F, v_F, tilt)


def fermi_dirac(energy, mu: float, temperature: float) -> np.ndarray:
    """f(ε) = 1/(e^{(ε−μ)/T} + 1), written as (1 − tanh((ε−μ)/2T))/2 (no overflow)."""
    return 0.5 * (1.0 - np.tanh((np.asarray(energy, dtype=float) - mu) / (2.0 * temperature)))


def weyl_chemical_potential(eps_F: float, T: float) -> float:
    """μ(T) of a Weyl node (any tilt C) at fixed density, counted from the node.

    The density of states is ν(E) ∝ E² on both sides of the node (the tilt changes only the
    prefactor, 1/(1 − C²)²), so the electrons counted from the node,
    ∫dE E² [f(E − μ) − θ(−E)] = (μ³ + π²T²μ)/3 (exact: the Sommerfeld series of E² ends),
    are fixed when μ³ + π²T²μ = ε_F³. The one real root of this cubic:
    μ = 2a sinh(asinh(ε_F³/(2a³))/3), a = πT/√3; μ = ε_F(1 − π²T²/(3ε_F²) + O(T⁴/ε_F⁴)).
    """
    if T <= 0.0:
        return float(eps_F)
    a = np.pi * T / np.sqrt(3.0)
    mu = 2.0 * a * np.sinh(np.arcsinh(eps_F**3 / (2.0 * a**3)) / 3.0)
    # one Newton step on the cubic cleans up the roundoff of asinh at large argument
    mu -= (mu**3 + (np.pi * T) ** 2 * mu - eps_F**3) / (3.0 * mu**2 + (np.pi * T) ** 2)
    return float(mu)


def weyl_ballistic_thermal_factor(eps_F: float, T: float) -> float:
    """Π_T/Π₀ of the ballistic Weyl film at temperature T and fixed density.

    The ballistic Π is ν(μ′) F(ω/vq) with ν ∝ μ′² (the intraband response of holes below the
    node has the same form); Maldague's average at chemical potential μ is
    ∫dμ′ μ′² w(μ′ − μ) = μ² + π²T²/3 (exact), so with μ = μ(T) of
    :func:`weyl_chemical_potential` the factor is (μ² + π²T²/3)/ε_F²
    = 1 − π²T²/(3ε_F²) + O(T⁴/ε_F⁴). (At fixed μ = ε_F it would be 1 + π²T²/(3ε_F²).)
    """
    mu = weyl_chemical_potential(eps_F, T)
    return float((mu * mu + np.pi**2 * T * T / 3.0) / eps_F**2)
