"""The 2D parabolic metal (passive layer of the Hall-drag paper; either layer of ordinary 2D–2D
drag).

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024).

Units: ħ = k_B = 1. ``mass`` is m/ħ² (1/(energy × length²)), wave vectors in inverse length,
energies in the matching unit. ``g_s`` is the spin degeneracy (2 for GaAs); densities of
states and polarizations include it.

Sign convention for every polarization in this package: Π(q, ω) = −χ_nn(q, ω), so that the
static long-wavelength value is +ν and Im Π^R(q, ω > 0) ≥ 0; the RPA dielectric function is
1 + V(q) Π(q, ω). The paper's Eq. (B8) has the opposite sign of Im Π; only products of two
imaginary parts and |U|² enter the drag, so nothing depends on this choice.
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.checks import require_positive
from dragcore.jit import jit

__all__ = [
    "metal_energy",
    "metal_dos",
    "metal_fermi_wavevector",
    "metal_fermi_energy",
    "metal_fermi_velocity",
    "ParabolicFermiSea",
    "stern_polarization",
    "lindhard_2d_complex",
    "metal_polarization_sum_over_states",
    "metal_chemical_potential",
    "parabolic_chemical_potential",
    "metal_polarization_finite_T",
    "fermi_dirac_minus_half",
    "metal_im_polarization_exact_T",
    "metal_polarization_exact_T",
    "metal_polarization_edge_function",
    "metal_edge_function_tail",
]


def metal_energy(k, mass: float) -> np.ndarray:
    """ε_k = k²/(2m); ``k`` of shape (..., 2) or a modulus."""
    k = np.asarray(k, dtype=float)
    k2 = np.sum(k**2, axis=-1) if k.ndim and k.shape[-1] == 2 else k**2
    return k2 / (2.0 * mass)


def metal_dos(mass: float, g_s: int = 2) -> float:
    """ν = g_s m/(2π) (per area, per energy)."""
    return g_s * mass / (2.0 * np.pi)


def metal_fermi_wavevector(density: float, g_s: int = 2) -> float:
    """k_F = √(4π n/g_s)."""
    require_positive("n_p", density)
    return float(np.sqrt(4.0 * np.pi * density / g_s))


def metal_fermi_energy(density: float, mass: float, g_s: int = 2) -> float:
    """ε_F = k_F²/(2m) = n/ν."""
    return metal_fermi_wavevector(density, g_s) ** 2 / (2.0 * mass)


def metal_fermi_velocity(density: float, mass: float, g_s: int = 2) -> float:
    """ħ v_F = k_F/m (energy × length)."""
    return metal_fermi_wavevector(density, g_s) / mass


class ParabolicFermiSea:
    """The equilibrium properties of a 2D parabolic metal, from the ``density`` (1/cm²),
    ``mass`` (m/ħ²) and degeneracy ``g_s`` of the layer class that mixes it in."""

    density: float
    mass: float
    g_s: int

    @property
    def fermi_wavevector(self) -> float:
        return metal_fermi_wavevector(self.density, self.g_s)

    @property
    def fermi_velocity(self) -> float:
        return metal_fermi_velocity(self.density, self.mass, self.g_s)

    @property
    def eps_F(self) -> float:
        return metal_fermi_energy(self.density, self.mass, self.g_s)

    @property
    def dos_2d(self) -> float:
        return metal_dos(self.mass, self.g_s)

    @property
    def density_2d(self) -> float:
        return self.density


def stern_polarization(q, omega, k_F: float, mass: float, g_s: int = 2) -> np.ndarray:
    """Retarded Π(q, ω) of the 2D electron gas at T = 0, exact (Stern 1967); complex.

    With ν_± = ω/(q v_F) ± q/(2k_F):

        Re Π/ν = 1 − (k_F/q) [sgn(ν_+) θ(|ν_+| − 1) √(ν_+² − 1) − sgn(ν_−) θ(|ν_−| − 1) √(ν_−² − 1)]
        Im Π/ν = (k_F/q) [θ(1 − |ν_−|) √(1 − ν_−²) − θ(1 − |ν_+|) √(1 − ν_+²)]

    This is the boundary value ω + i0 of :func:`lindhard_2d_complex`. Small q, ω < v_F q:
    Π/ν → 1 + i s/√(1 − s²), s = ω/(v_F q) (the ballistic limit used in Eq. A2).

    Parameters
    ----------
    q : in-plane wave number (> 0), inverse length.
    omega : real frequency (energy).
    k_F, mass, g_s : Fermi wave number, m/ħ², spin degeneracy.
    """
    q = np.asarray(q, dtype=float)
    omega = np.asarray(omega, dtype=float)
    v_F = k_F / mass
    nu_m = omega / (q * v_F) - q / (2.0 * k_F)
    nu_p = omega / (q * v_F) + q / (2.0 * k_F)

    def outer(x):
        return np.where(np.abs(x) > 1.0, np.sign(x) * np.sqrt(np.abs(x * x - 1.0)), 0.0)

    def inner(x):
        return np.where(np.abs(x) < 1.0, np.sqrt(np.abs(1.0 - x * x)), 0.0)

    re = 1.0 - (k_F / q) * (outer(nu_p) - outer(nu_m))
    im = (k_F / q) * (inner(nu_m) - inner(nu_p))
    return metal_dos(mass, g_s) * (re + 1j * im)


def _branch_sqrt(a: np.ndarray) -> np.ndarray:
    """√(a − 1)√(a + 1): the branch of √(a² − 1) analytic off the real segment, → a at ∞."""
    return np.sqrt(a - 1.0) * np.sqrt(a + 1.0)


def lindhard_2d_complex(q, z, k_F: float, mass: float, g_s: int = 2) -> np.ndarray:
    """Π(q, z) of the 2D gas at T = 0 for complex frequency z with Im z > 0.

    Π = g_s ∫ d²k/(2π)² f_k [1/(ε_{k+q} − ε_k − z) + 1/(ε_{k−q} − ε_k + z)]; the angle
    integral gives 2π/√(A² − (k q/m)²) and the radial one
    Π = ν [1 − (m/q²)(S(q²/2m − z) + S(q²/2m + z))], S(A) = √(A² − (v_F q)²) on the branch
    of :func:`_branch_sqrt`. Used for the sum-over-states check at finite broadening.
    """
    q = np.asarray(q, dtype=float)
    z = np.asarray(z, dtype=complex)
    b = q * k_F / mass
    a1 = (q * q / (2.0 * mass) - z) / b
    a2 = (q * q / (2.0 * mass) + z) / b
    s = b * (_branch_sqrt(a1) + _branch_sqrt(a2))
    return metal_dos(mass, g_s) * (1.0 - mass / (q * q) * s)


def metal_polarization_sum_over_states(
    q: float,
    z: complex,
    mu: float,
    mass: float,
    temperature: float,
    g_s: int = 2,
    n_k: int = 801,
    k_max_factor: float = 1.6,
) -> complex:
    """Π(q, z) by direct summation over a square k grid (finite T, complex z) — a reference.

    Π = g_s Σ_k (Δk²/(2π)²) (f_k − f_{k+q}) / (ε_{k+q} − ε_k − z), q along x,
    chemical potential ``mu``. The trapezoidal sum converges exponentially once the grid
    resolves the Fermi-surface width ~T/v_F and the resonance width ~Im z/v_F.
    """
    k_F = np.sqrt(2.0 * mass * mu)
    kmax = k_max_factor * k_F + q
    kx = np.linspace(-kmax - q, kmax, n_k)
    ky = np.linspace(-kmax, kmax, n_k)
    dk2 = (kx[1] - kx[0]) * (ky[1] - ky[0])
    KX, KY = np.meshgrid(kx, ky, indexing="ij")
    e1 = (KX**2 + KY**2) / (2.0 * mass)
    e2 = ((KX + q) ** 2 + KY**2) / (2.0 * mass)

    def fermi(e):
        return 0.5 * (1.0 - np.tanh((e - mu) / (2.0 * temperature)))

    total = np.sum((fermi(e1) - fermi(e2)) / (e2 - e1 - z)) * dk2
    return complex(g_s * total / (2.0 * np.pi) ** 2)


def parabolic_chemical_potential(eps_F: float, temperature: float) -> float:
    """μ(T) of a 2D parabolic band at fixed density, any spin/valley degeneracy: the density of
    states ν is constant, so n = ν T ln(1 + e^{μ/T}) and ε_F = n/ν give
    μ = T ln(e^{ε_F/T} − 1) = ε_F + T ln(1 − e^{−ε_F/T}) (exponentially close to ε_F for
    T ≪ ε_F; μ = 0 at T = ε_F/ln 2)."""
    require_positive("T", temperature)
    x = eps_F / temperature
    # ln(e^x − 1) = x + ln(1 − e^{−x}), stable for large x
    return float(temperature * (x + np.log(-np.expm1(-x))))


def metal_chemical_potential(density: float, mass: float, temperature: float, g_s: int = 2):
    """μ(T) of the 2D gas at fixed density: n = ν T ln(1 + e^{μ/T}) ⇒ μ = T ln(e^{ε_F/T} − 1)
    (:func:`parabolic_chemical_potential`)."""
    require_positive("T", temperature)
    return parabolic_chemical_potential(metal_fermi_energy(density, mass, g_s), temperature)


def metal_polarization_finite_T(
    q, omega, density: float, mass: float, temperature: float, g_s: int = 2, n_nodes: int = 64
) -> np.ndarray:
    """Retarded Π(q, ω) of the 2D gas at temperature T (Maldague 1978), complex.

    Π(q, ω; T, μ) = ∫₀^∞ dμ' Π₀(q, ω; μ') / (4T cosh²((μ − μ')/2T)), Π₀ = Stern's T = 0
    function at Fermi energy μ' (zero for μ' ≤ 0), μ = μ(T) at fixed density. With
    t = tanh((μ' − μ)/2T) the weight becomes dt/2: Gauss–Legendre in t from μ' = 0 to ∞.
    A complex ``omega`` (Im > 0) uses :func:`lindhard_2d_complex`, smooth in μ', so the rule
    converges fast; on the real axis Π₀ has √ kinks in μ' and the convergence in ``n_nodes``
    is only algebraic.
    Not yet used by the drag quadrature (whose ω ranges are the T = 0 continua).
    """
    q = np.asarray(q, dtype=float)
    cplx = np.iscomplexobj(omega)
    omega = np.asarray(omega, dtype=complex if cplx else float)
    pi0 = lindhard_2d_complex if cplx else stern_polarization
    mu = metal_chemical_potential(density, mass, temperature, g_s)
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    t0 = np.tanh(-mu / (2.0 * temperature))  # μ' = 0: Π₀ vanishes below
    t, w = 0.5 * (1.0 - t0) * x + 0.5 * (1.0 + t0), 0.5 * (1.0 - t0) * w
    out = np.zeros(np.broadcast(q, omega).shape, dtype=complex)
    for ti, wi in zip(t, w, strict=True):
        mup = mu + 2.0 * temperature * np.arctanh(ti)
        k_f = np.sqrt(2.0 * mass * mup)
        out += 0.5 * wi * pi0(q, omega, k_f, mass, g_s)
    return out


_GL16_X, _GL16_W = np.polynomial.legendre.leggauss(16)
_STEP_PANELS = np.array([-64.0, -32.0, -16.0, -8.0, -4.0, -2.0, -1.0, 0.0,
                         1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0])  # fmt: skip


@jit
def _fermi_dirac_minus_half_nb(eta, out, gx, gw, steps):  # pragma: no cover - compiled
    """The panel sums of :func:`fermi_dirac_minus_half`, one η at a time."""
    for i in range(eta.size):
        e = eta[i]
        u_f = math.sqrt(e) if e > 0.0 else 0.0
        w = 0.5 / (u_f if u_f > 1.0 else 1.0)
        u_max = math.sqrt((e if e > 0.0 else 0.0) + 60.0)
        lo = 0.0
        total = 0.0
        for j in range(steps.size + 1):
            hi = u_max if j == steps.size else min(max(u_f + w * steps[j], 0.0), u_max)
            if hi > lo:
                half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
                for k in range(gx.size):
                    u = mid + half * gx[k]
                    x = u * u - e
                    ex = math.exp(-abs(x))
                    total += half * gw[k] * (ex / (1.0 + ex) if x > 0.0 else 1.0 / (1.0 + ex))
                lo = hi
        out[i] = 2.0 / math.sqrt(math.pi) * total


def fermi_dirac_minus_half(eta) -> np.ndarray:
    """The complete Fermi–Dirac integral F_{−1/2}(η) = (1/√π)∫₀^∞ t^{−1/2}dt/(e^{t−η} + 1).

    Written as (2/√π)∫₀^∞ du/(e^{u² − η} + 1) (t = u²: no endpoint singularity) and summed
    by 16-point Gauss–Legendre panels that double in width away from the Fermi step at
    u_F = √η (width w = 1/(2 max(u_F, 1)) in u), up to e^{u² − η} = e^{60}. Limits:
    F → e^η as η → −∞; F → (2/√π)√η (1 − π²/(24η²)) as η → ∞. Relative accuracy ~1e-15
    (tested against the alternating series and an adaptive quadrature).
    """
    eta = np.asarray(eta, dtype=float)
    flat = np.ascontiguousarray(eta.ravel())
    out = np.empty(flat.size)
    _fermi_dirac_minus_half_nb(flat, out, _GL16_X, _GL16_W, _STEP_PANELS)
    return out.reshape(eta.shape)


def metal_im_polarization_exact_T(q, omega, mu: float, mass: float, g_s: int, T: float):
    """Im Π of the 2D gas at temperature T and chemical potential μ, exact (no Maldague rule).

    Energy conservation ε_{k+q} − ε_k = ω fixes k∥ = k₀ = mω/q − q/2 along q̂, so
    Im Π = (g_s m/(2π q)) [J(E₀) − J(E₀ + ω)] with E₀ = k₀²/2m and
    J(c) = ∫₀^∞dk⊥ f(c + k⊥²/2m − μ) = √(2mT)(√π/2) F_{−1/2}((μ − c)/T)
    (:func:`fermi_dirac_minus_half`). At T → 0, J(c) → √(2m(μ − c)) and this is Stern's
    Im Π (:func:`stern_polarization`: √(1 − ν∓²) k_F = √(2m(μ − E₀)), √(2m(μ − E₀ − ω))).
    """
    q, omega = np.broadcast_arrays(np.asarray(q, float), np.asarray(omega, float))
    k0 = mass * omega / q - 0.5 * q
    e0 = k0 * k0 / (2.0 * mass)
    scale = np.sqrt(2.0 * mass * T) * 0.5 * np.sqrt(np.pi)
    j0 = fermi_dirac_minus_half((mu - e0) / T)
    j1 = fermi_dirac_minus_half((mu - e0 - omega) / T)
    return g_s * mass / (2.0 * np.pi * q) * scale * (j0 - j1)


@jit
def _sqrt_edge_averages_nb(k_edge, mu, mass, T, out, gx, gw, steps):  # pragma: no cover
    """I(K) = ∫₀^{K²/2m} dμ′ w(μ′ − μ) √(K² − 2mμ′), w(x) = 1/(4T cosh²(x/2T)), per K.

    With μ′ = (K² − u²)/2m: I = (1/m)∫₀^{|K|} u² w((K² − u²)/2m − μ) du, a smooth integrand
    (the √ edge of Stern's Re Π₀ at μ′ = K²/2m becomes the factor u²); 16-point
    Gauss–Legendre panels doubling in width away from the bump at u₀ = √(K² − 2mμ) (width
    mT/u₀), as in :func:`fermi_dirac_minus_half`.
    """
    for i in range(k_edge.size):
        kk = abs(k_edge[i])
        c = kk * kk - 2.0 * mass * mu
        u0 = math.sqrt(c) if c > 0.0 else 0.0
        scale = mass * T / (u0 if u0 > math.sqrt(mass * T) else math.sqrt(mass * T))
        lo = 0.0
        total = 0.0
        for j in range(steps.size + 1):
            hi = kk if j == steps.size else min(max(u0 + 2.0 * scale * steps[j], 0.0), kk)
            if hi > lo:
                half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
                for k in range(gx.size):
                    u = mid + half * gx[k]
                    x = ((kk * kk - u * u) / (2.0 * mass) - mu) / T
                    ex = math.exp(-abs(x))
                    total += half * gw[k] * u * u * ex / (T * (1.0 + ex) ** 2)
                lo = hi
        out[i] = total / mass


def metal_polarization_exact_T(q, omega, mu: float, mass: float, g_s: int, T: float):
    """Retarded Π(q, ω) of the 2D gas at temperature T and chemical potential μ (complex).

    Maldague: Π_T(μ) = ∫dμ′ Π₀(μ′) w(μ′ − μ), w = 1/(4T cosh²(·/2T)), Π₀ = Stern at Fermi
    energy μ′ (0 for μ′ ≤ 0). With K± = mω/q ± q/2 (k′ν± = K±, independent of μ′), Stern's
    real part is ν[1 − Σ± ± sgn(K±)√(K±² − k′²)θ(k′ < |K±|)/q], k′² = 2mμ′, so

        Re Π_T = ν[1/(1 + e^{−μ/T}) − (1/q)(sgn K₊ I(K₊) − sgn K₋ I(K₋))]

    with I(K) the √-edge average of :func:`_sqrt_edge_averages_nb` (no kink left in the
    integrand: no algebraic convergence), and Im Π_T from
    :func:`metal_im_polarization_exact_T`. Limits (tested): Stern at T → 0; the classical
    gas (μ ≪ −T), (gm/2πq)√(2mT)(√π/2)e^{μ/T}[(2/√π)(D(x₊) − D(x₋)) + i(e^{−x₋²} − e^{−x₊²})],
    x± = K±/√(2mT), D Dawson's integral.
    """
    q, omega = np.broadcast_arrays(np.asarray(q, float), np.asarray(omega, float))
    kp = (mass * omega / q + 0.5 * q).ravel()
    km = (mass * omega / q - 0.5 * q).ravel()
    ip, im_ = np.empty(kp.size), np.empty(km.size)
    rule = (_GL16_X, _GL16_W, _STEP_PANELS)
    _sqrt_edge_averages_nb(np.ascontiguousarray(kp), mu, mass, T, ip, *rule)
    _sqrt_edge_averages_nb(np.ascontiguousarray(km), mu, mass, T, im_, *rule)
    nu = g_s * mass / (2.0 * np.pi)
    occupied = 1.0 / (1.0 + np.exp(-mu / T))
    re = nu * (occupied - (np.sign(kp) * ip - np.sign(km) * im_) / q.ravel())
    imag = metal_im_polarization_exact_T(q, omega, mu, mass, g_s, T).ravel()
    return (re + 1j * imag).reshape(q.shape)


def metal_polarization_edge_function(K, mu: float, mass: float, T: float) -> np.ndarray:
    """Ψ(K), complex, with which Π_T(q, ω) = −(ν/q)[Ψ(K₊) − Ψ(K₋)], K± = mω/q ± q/2.

    The decomposition of :func:`metal_polarization_exact_T` written as one function of one
    wave number (K±, not q and ω, carry all the μ′ dependence of Maldague's integral):

        Ψ(K) = sgn(K) I(K) − K/(1 + e^{−μ/T}) + i √(2mT)(√π/2) F_{−1/2}((μ − K²/2m)/T),

    I the √-edge average of :func:`_sqrt_edge_averages_nb`. Re Ψ is odd in K and falls as
    −c₁/K for |K|² ≫ 2m(μ + T) (:func:`metal_edge_function_tail`); Im Ψ is even and
    exponentially small there; at T → 0, Ψ → sgn(K)√(K² − k_F²) − K (|K| > k_F) or
    −K + i√(k_F² − K²) (Stern). The Monte Carlo kernel interpolates a table of Ψ
    (:mod:`montecarlo.collision`): two look-ups per layer give Π_T at any (q, ω).
    """
    K = np.asarray(K, dtype=float)
    flat = np.ascontiguousarray(K.ravel())
    edge = np.empty(flat.size)
    _sqrt_edge_averages_nb(flat, mu, mass, T, edge, _GL16_X, _GL16_W, _STEP_PANELS)
    occupied = 1.0 / (1.0 + np.exp(-mu / T))
    re = np.sign(flat) * edge - occupied * flat
    scale = np.sqrt(2.0 * mass * T) * 0.5 * np.sqrt(np.pi)
    im = scale * fermi_dirac_minus_half((mu - flat * flat / (2.0 * mass)) / T)
    return (re + 1j * im).reshape(K.shape)


def metal_edge_function_tail(mu: float, mass: float, T: float) -> tuple[float, float]:
    """(c₁, c₃) of Re Ψ(K) ≈ −c₁/K − c₃/K³ for K² ≫ 2m(μ + T) (the next term is
    c₅/K⁵ ≈ (c₃/c₁)c₃/K⁵ ~ c₃ k_F²/K⁵).

    √(K² − 2mμ′) − |K| = −mμ′/|K| − m²μ′²/(2|K|³) − …, averaged with w(μ′ − μ) over μ′ > 0:
    c₁ = m M₁, c₃ = m² M₂/2, M_n = ∫₀^∞ w μ′ⁿ dμ′ = n∫₀^∞ μ′ⁿ⁻¹ f(μ′ − μ) dμ′;
    M₁ = T ln(1 + e^{μ/T}), M₂ by Gauss–Legendre panels (the Fermi step at μ, width T).
    """
    require_positive("T", T)
    m1 = T * np.logaddexp(0.0, mu / T)
    top = max(mu, 0.0) + 60.0 * T
    edges = np.unique(np.clip(mu + T * np.array([-60.0, -8.0, -2.0, 0.0, 2.0, 8.0, 60.0]), 0, top))
    x, w = np.polynomial.legendre.leggauss(32)
    m2 = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        e = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
        m2 += 0.5 * (hi - lo) * np.sum(w * 2.0 * e * 0.5 * (1.0 - np.tanh((e - mu) / (2 * T))))
    return float(mass * m1), float(0.5 * mass * mass * m2)
