r"""Exact finite-temperature state sums of the tilted Weyl film, the ones the Monte Carlo samples.

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024). The Monte Carlo of
:mod:`montecarlo.collision` sums over the film's states k₁ → k₁ − q (energy loss ω, q in the
plane of the film) with the exact tilted dispersion ε(k) = v|k| + vC k_z, Fermi functions at
temperature T and the film's fixed density (chemical potential μ(T), μ³ + π²T²μ = ε_F³:
:func:`layers.interaction.weyl_chemical_potential`), the exact spinor overlap and the
weights. This module computes the same sums by deterministic quadrature, at any tilt |C| < 1.
The sums run over the upper cone (energies above the node); the lower cone's intraband
transitions are not in them (nor in the kernel). Their Im Π is the upper cone's sum at −μ
(particle–hole conjugation k → q − k; tested against a direct integral): measured, they
would add 7e-5 to η∥⁽⁰⁾ at 100 K and 15 % at 300 K (fig2-d40, C = 0.3, ε_F = 60 meV).
Where the Fermi window reaches the node (T ≳ 0.3 ε_F) the cut at E = 0 slows the window
rule's convergence, and its two-order error estimate can be low (×5 measured at 44/88 nodes).

Why the tilt is a shift of the chemical potential
-------------------------------------------------
The tilt is along the film's normal z and q has no z component, so ε(k₁) − ε(k₁ − q) =
v(|k₁| − |k₁ − q|): energy conservation fixes δ = |k₁| − |k₁ − q| = ω/v as without tilt.
In prolate spheroidal coordinates with foci 0 and q (ρ = |k₁| + |k₁ − q| ≥ q, δ, and the
azimuth φ about q̂) the measure times the overlap is (ρ² − q²) dρ dδ dφ/(8q) (exact, as for
C = 0), the distance from the axis is r⊥ = √((ρ² − q²)(q² − δ²))/(2q) and
k_z = r⊥ sin φ. Both states have the same k_z, so the tilt moves both energies by
vC r⊥ sin φ: with

    g(ρ) = vρ/2 + a√(ρ² − q²),   a = vC sin φ √(q² − δ²)/(2q),

ε(k₁) = g(ρ) + ω/2 and ε(k₁ − q) = g(ρ) − ω/2, and per (q, ω)

    S_h = ⟨∫_q^∞ dρ (ρ² − q²) h [f(g − ω/2) − f(g + ω/2)]⟩_φ
        = ω ⟨∫₀¹ dt Σ_{g(ρ) = E(t)} (ρ² − q²) h / |g′(ρ)|⟩_φ,

where E(t) = μ + y(t) + ω/2 and y(t) is the exact inverse CDF of the Fermi window
(:func:`layers.fermi_window.fermi_window_energy_nb`: the window times dy/dt is ω at every t).
g(ρ) = E is a quadratic in ρ after squaring, (v²/4 − a²)ρ² − vEρ + E² + a²q² = 0; with
α = v²/4 − a² > 0 (|C| < 1) its roots are ρ± = (vE ± 2|a|√(E² − αq²))/(2α), and

* a ≥ 0: g is increasing; one root ρ₋ if E ≥ vq/2, none otherwise;
* a < 0: g falls from vq/2 to √α q and rises again; ρ₊ if E ≥ vq/2, both roots if
  √α q ≤ E < vq/2 (only for q ≳ 2k_F), none below.

(ρ² − q²)/|g′| = s³/|vs/2 + aρ| with s = √(ρ² − q²) (no 0/0 at ρ → q).

The weights h (those of :func:`montecarlo.collision.collision_integrand`, whose outputs are
the η∥⁽⁰⁾ weight times h):

* h₀ = 1 (η∥⁽⁰⁾);
* h₁ = ω q̂·(k₁ − q/2)/(ε_F q) = ωρδ/(2ε_F q²) (η∥⁽¹⁾; :func:`film_state_sums` normalises
  it by its argument ``mu``, :func:`film_im_polarization_exact` rescales to ε_F);
* h₂ = 1 − (q̂·k̂₁)², q̂·k̂₁ = (ρδ + q²)/(q(ρ + δ)) (η_{Q3});
* h₃ = δr_y/(A q) of the side jump (:func:`layers.weyl.coordinate_shift`, node ζ = +1,
  A = the boost per field): k_z(k + R)/(4A k² R² × overlap) with k = (ρ + δ)/2,
  R = (ρ − δ)/2, overlap = (ρ² − q²)/(ρ² − δ²), i.e. h₃(ρ² − q²) = 4ρ r⊥ sin φ/(A(ρ² − δ²));
* h₄, h₅: the e–e–impurity skew weights W⁽¹⁾, W⁽²⁾ (:func:`layers.skew_scattering.film_skew_weights`
  at u = ŷ, times T/(q × overlap); ``rate`` = 1/(4vτ)): with k_y = r⊥ cos φ, k_z = r⊥ sin φ and
  kR = (ρ² − δ²)/4, h₄(ρ² − q²) = −16 C rate ρ k_y²/(ρ² − δ²) and
  h₅(ρ² − q²) = (16/3) rate k_z [1/2 + Cρk_z/(ρ² − δ²)] (a₂ = 1/3).

Quadrature: t = S(u) = u³(10 − 15u + 6u²) with Gauss–Legendre in u (the inverse CDF has
logarithmic ends; S′ ∝ u²(1 − u)² makes the integrand C² there, error ∝ n^{−6}); the φ
average by Gauss–Chebyshev in sin φ (⟨F(sin φ)⟩_φ = (1/π)∫F(u)du/√(1 − u²), exact for
polynomials, geometric convergence for F analytic on [−1, 1]: the roots depend on sin φ as
1/(1 + b sin φ), b ≤ |C|). Where the two roots merge (a < 0, E = √α q, q ≳ 2k_F) 1/|g′|
has an integrable 1/√ singularity; its weight is e^{−2qd}-small, and the caller's error
estimate (two quadrature orders) includes it.
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.jit import jit, numba
from layers.fermi_window import fermi_window_energy, fermi_window_energy_nb

__all__ = [
    "film_state_sums",
    "film_state_sums_numpy",
    "window_nodes",
    "azimuth_nodes",
    "film_im_polarization_exact",
]


def window_nodes(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes t ∈ (0, 1) and weights for ∫₀¹dt F(t) with logarithmic ends (module docstring)."""
    x, w = np.polynomial.legendre.leggauss(n)
    u = 0.5 * (x + 1.0)
    t = u**3 * (10.0 - 15.0 * u + 6.0 * u * u)
    return t, 0.5 * w * 30.0 * u * u * (1.0 - u) ** 2


def azimuth_nodes(n: int) -> np.ndarray:
    """sin φ at the n Gauss–Chebyshev nodes: ⟨F(sin φ)⟩_φ ≈ mean of F at these."""
    return np.cos((2.0 * np.arange(1, n + 1) - 1.0) * np.pi / (2.0 * n))


@jit(forceinline=True)
def _root_terms(rho, q, delta, a, v, omega, mu, boost, sp, amp, tilt, rate):  # pragma: no cover
    """(ρ² − q²)/|g′| × (h₀, …, h₅) at one root ρ (module docstring)."""
    s = math.sqrt((rho - q) * (rho + q)) if rho > q else 0.0
    jac = s * s * s / abs(0.5 * v * s + a * rho)
    mu_geo = (rho * delta + q * q) / (q * (rho + delta))
    h1 = omega * rho * delta / (2.0 * mu * q * q)
    h2 = 1.0 - mu_geo * mu_geo
    # h₃(ρ² − q²)/|g′| = 4ρ r⊥ sin φ/(A(ρ² − δ²)) × s/|vs/2 + aρ|, r⊥ = amp s
    t3 = 4.0 * rho * amp * s * sp / (boost * (rho - delta) * (rho + delta))
    t3 *= s / abs(0.5 * v * s + a * rho)
    # skew: k_y² = r⊥² cos²φ, k_z = r⊥ sin φ, r⊥ = amp s; ρ² − δ² = 4kR
    r_perp = amp * s
    dd = (rho - delta) * (rho + delta)
    inv_g = s / abs(0.5 * v * s + a * rho)
    t4 = -16.0 * tilt * rate * rho * r_perp * r_perp * (1.0 - sp * sp) / dd * inv_g
    kz = r_perp * sp
    t5 = 16.0 / 3.0 * rate * kz * (0.5 + tilt * rho * kz / dd) * inv_g
    return jac, jac * h1, jac * h2, t3, t4, t5


@jit(parallel=True)
def film_state_sums(
    q, omega, v, tilt, mu, T, boost, rate, t_nodes, t_weights, sin_phi
):  # pragma: no cover - compiled
    """S_h for h = h₀ … h₅ at each (q[i], omega[i]) (module docstring); shape (6, n).

    ``mu`` is the chemical potential of the occupations; h₁ is normalised by it too
    (ωρδ/(2 mu q²)).

    ``t_nodes``, ``t_weights`` from :func:`window_nodes`, ``sin_phi`` from
    :func:`azimuth_nodes`. Requires |ω| < v q (the film's continuum; outside it S = 0).
    """
    n = q.size
    out = np.zeros((6, n))
    n_phi = sin_phi.size
    for i in numba.prange(n):  # points are independent: the bits do not depend on the threads
        qi, om = q[i], omega[i]
        delta = om / v
        if abs(delta) >= qi:
            continue
        amp = math.sqrt((qi - delta) * (qi + delta)) / (2.0 * qi)
        acc0 = acc1 = acc2 = acc3 = acc4 = acc5 = 0.0
        for j in range(t_nodes.size):
            y, _ = fermi_window_energy_nb(t_nodes[j], om, T)
            e = mu + y + 0.5 * om
            if e <= 0.0:
                continue
            wj = t_weights[j] / n_phi
            for k in range(n_phi):
                sp = sin_phi[k]
                a = v * tilt * sp * amp
                alpha = 0.25 * v * v - a * a
                disc = e * e - alpha * qi * qi
                if disc < 0.0:
                    continue
                root = 2.0 * abs(a) * math.sqrt(disc)
                above = e >= 0.5 * v * qi
                if not above and a >= 0.0:
                    continue  # no root below 0.5 v q unless a < 0
                for sign in (1.0, -1.0):
                    if above and (sign > 0.0) == (a >= 0.0):
                        continue  # above 0.5 v q one root: v e - |root| for a >= 0, + for a < 0
                    rho = (v * e + sign * root) / (2.0 * alpha)
                    t0, t1, t2, t3, t4, t5 = _root_terms(
                        rho, qi, delta, a, v, om, mu, boost, sp, amp, tilt, rate
                    )
                    acc0 += wj * t0
                    acc1 += wj * t1
                    acc2 += wj * t2
                    acc3 += wj * t3
                    acc4 += wj * t4
                    acc5 += wj * t5
        out[0, i] = om * acc0
        out[1, i] = om * acc1
        out[2, i] = om * acc2
        out[3, i] = om * acc3
        out[4, i] = om * acc4
        out[5, i] = om * acc5
    return out


def film_state_sums_numpy(q, omega, v, tilt, mu, T, boost, rate, t_nodes, t_weights, sin_phi):
    """Numpy twin of :func:`film_state_sums` (arrays over points × t × φ; for tests)."""
    q = np.asarray(q, float)[:, None, None]
    om = np.asarray(omega, float)[:, None, None]
    t = np.asarray(t_nodes, float)[None, :, None]
    wt = np.asarray(t_weights, float)[None, :, None]
    sp = np.asarray(sin_phi, float)[None, None, :]
    delta = om / v
    inside = np.abs(delta) < q
    amp = np.sqrt(np.where(inside, (q - delta) * (q + delta), 0.0)) / (2.0 * q)
    y, _ = fermi_window_energy(t, om, T)
    e = mu + y + 0.5 * om
    a = v * tilt * sp * amp
    alpha = 0.25 * v * v - a * a
    disc = e * e - alpha * q * q
    root = 2.0 * np.abs(a) * np.sqrt(np.maximum(disc, 0.0))
    above = e >= 0.5 * v * q
    ok = inside & (e > 0.0) & (disc >= 0.0)

    def terms(rho, use):
        s = np.sqrt(np.maximum((rho - q) * (rho + q), 0.0))
        den = np.abs(0.5 * v * s + a * rho)
        den = np.where(use, den, 1.0)
        jac = s**3 / den
        mu_geo = (rho * delta + q * q) / (q * (rho + delta))
        t3 = 4.0 * rho * amp * s * sp / (boost * (rho - delta) * (rho + delta)) * s / den
        # the skew weights written with k = (ρ + δ)/2, R = (ρ − δ)/2 as in the kernel
        k, r = 0.5 * (rho + delta), 0.5 * (rho - delta)
        ky2, kz = (amp * s) ** 2 * (1.0 - sp * sp), amp * s * sp
        with np.errstate(divide="ignore", invalid="ignore"):  # unused entries (not roots)
            ov = s * s / ((rho - delta) * (rho + delta))
            t4 = -tilt * rate * ky2 * (k + r) / (k * k * r * r) / ov * jac
            t5 = rate / 3.0 * kz * (2.0 + tilt * kz * (k + r) / (k * r)) / (k * r) / ov * jac
        vals = (jac, jac * om * rho * delta / (2.0 * mu * q * q), jac * (1.0 - mu_geo**2), t3,
                t4, t5)  # fmt: skip
        return [np.where(use, x, 0.0) for x in vals]

    rho_single = np.where(a >= 0.0, (v * e - root), (v * e + root)) / (2.0 * alpha)
    first = terms(rho_single, ok & above)
    two = ok & ~above & (a < 0.0)
    plus = terms((v * e + root) / (2.0 * alpha), two)
    minus = terms((v * e - root) / (2.0 * alpha), two)
    n_phi = sp.shape[-1]
    res = [
        om[:, 0, 0] * np.sum(wt * (f + p + m), axis=(1, 2)) / n_phi
        for f, p, m in zip(first, plus, minus, strict=True)
    ]
    return np.array(res)


def film_im_polarization_exact(
    q, omega, film, T: float, n_window: int = 24, n_azimuth: int = 40
) -> tuple[np.ndarray, ...]:
    """Sheet Im Π of the film at (q, ω, T) and its weighted versions, exact at any tilt.

    Returns (Im Π, Im Π·⟨ω q̂·(k₁ − q/2)/(ε_F q)⟩, Im Π·⟨1 − (q̂·k̂₁)²⟩, Im Π·⟨δr_y/(A q)⟩,
    Im Π·⟨h₄⟩, Im Π·⟨h₅⟩) (h₄, h₅: the e–e–impurity skew weights W⁽¹⁾, W⁽²⁾)
    where ⟨·⟩ averages over the states of the state sum that the Monte Carlo samples
    (:func:`film_state_sums`: the tilt shifts both energies of a transition by
    vC k_z, so the sum is the untilted one in prolate spheroidal coordinates with a
    chemical potential that depends on ρ and the azimuth). The occupations are at the film's
    fixed density, μ(T) of :meth:`layers.weyl_film.WeylFilm.chemical_potential` (ε_F at
    T = 0); h₁ is normalised by ε_F (the sums' own h₁ by μ(T), rescaled by μ(T)/ε_F, which is
    exactly 1 where μ(T) = ε_F). ``n_window`` nodes over the
    Fermi window, ``n_azimuth`` over the azimuth; measured convergence at C = 0.9, fig2-d40,
    5 K: 3e-8 (24 azimuths), 3e-11 (32), rounding (48).
    """
    q, omega = np.broadcast_arrays(np.asarray(q, float), np.asarray(omega, float))
    tn, tw = window_nodes(n_window)
    mu = film.chemical_potential(T)
    sums = film_state_sums(
        np.ascontiguousarray(q.ravel()),
        np.ascontiguousarray(omega.ravel()),
        film.v_F,
        film.tilt,
        mu,
        T,
        film.boost_per_field,
        1.0 / (4.0 * film.v_F * film.tau),
        tn,
        tw,
        azimuth_nodes(n_azimuth),
    )
    if mu != film.eps_F:  # h₁ normalised by ε_F (bits unchanged where μ(T) = ε_F)
        sums[1] *= mu / film.eps_F
    scale = film.thickness * film.n_nodes / (32.0 * np.pi * q * film.v_F)
    return tuple(sums[k].reshape(q.shape) * scale for k in range(6))
