r"""Electron–electron–impurity skew scattering in the Weyl film: the rates W⁽¹⁾, W⁽²⁾ derived.

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024). Its Eqs. (A48)–(A54), which give the
e–e–impurity skew rates, are illegible in our copy; (B14)–(B18) state the results
η_H(e-e-imp,1) = −C η_{Q3}/(4ε_F τ) and η_H(e-e-imp,2) = η_H(e-e-imp,1)/3. This module
derives the rates and the Hall frictions from the model the legible text fixes, and gives
the pure functions; :mod:`validate.skew` does the (q, ω) quadrature.

Units: ħ = k_B = 1; wave vectors in an inverse length, ``v_F`` is ħv_F, ``tau`` is τ/ħ.

Model (legible in the paper: Eq. 15, Sec. III A, Eqs. A28–A30, A43–A47, C5–C10)
--------------------------------------------------------------------------------
One node, H = v(ζσ·k + C_ξ k_z) in the conduction band, ζ = ξn the product of chirality and
band index (the spinors depend on ζ only); projector P_k = (1 + ζk̂·σ)/2 on |u_k⟩, and
|−k⟩⟨−k| = 1 − P_k onto the other band, ε_{+k} − ε_{−k} = 2vk (the tilt cancels).
Gaussian white-noise disorder ⟨V(r)V(r′)⟩ = γδ(r − r′), Born self-energy (A28), non-crossing
(the paper neglects the crossed diagrams, its footnote 4; so do we). Interlayer
interaction U(q, ω) with in-plane q (q_z = 0). Film state 1 = k₁ gives (q, ω) to the metal
and ends in 1′ = k₁ − q: ε₁ − ε₁′ = v(|k₁| − |k₁ − q|) = ω (the tilt cancels, q_z = 0).

Step 1 — the film's emission function. The force on the passive metal is
F = ∫_q ∫dω q |U(q,ω)|² A_p(q,ω) S(q,ω), with A_p = ∫_k δ(ε_k + ω − ε_{k+q}) f_k(1 − f_{k+q})
(metal absorbs (q, ω); ω over ℝ and q over ℝ² count every process once) and the film's

    S(q, ω) = ∫_{k₁} ∫dε/2π Tr[G^<(k₁, ε) G^>(k₁ − q, ε − ω)].

With bare G^< = 2πi Σ_n P δ(ε − ε_n) f, G^> = −2πi Σ_n P δ(ε − ε_n)(1 − f) this is the Born
film factor ∫_{k₁} 2πδ(ε₁ − ε₁′ − ω) f₁(1 − f₁′)|⟨u₁|u₁′⟩|² of (A33). For boosted
distributions f = f₀ + f₀(1 − f₀)g, g_k = k·u/T (Eq. 27), and with h = f₀(1 − f₀),
∫dε h(ε)(1 − f₀(ε − ω)) = ∫dε f₀(ε) h(ε − ω) = T I(ω/T),
I(w) = −d[w n_B(w)]/dw = (1 − eʷ + w eʷ)/(eʷ − 1)² (:func:`skew_thermal_factor`; the two
integrals are equal by one integration by parts), the Born part is, for q ≪ k_F, T ≪ ε_F,

    δS_Born = I(ω/T) (q·u) N(q, ω),   N = ∫_{k₁} 2πδ(ε_F − ε₁) δ(ε₁ − ε₁′ − ω)|⟨u₁|u₁′⟩|².

Step 2 — the disorder self-energy (A28) and its non-equilibrium part. Langreth: the
anti-Hermitian parts are Σ^R − Σ^A = −iΓ, Σ^< = iΓ^<, Σ^> = −iΓ^>, with

    Γ^<(ε) = 2πγ ∫_{k₂} δ(ε − ε₂) f₂ P₂,   Γ^> = the same with 1 − f₂,   Γ = Γ^< + Γ^>.

For the DOS-weighted Fermi-surface average ⟨·⟩_ε at energy ε and 1/τ(ε) = πγν(ε) (C10,
ν the DOS of the tilted node): Γ(ε) = (1/τ)(1 + n̄·σ), n̄ = ζ⟨k̂⟩_ε. The tilted surface is
k(μ) = (ε/v)/(1 + Cμ), μ = k̂_z, with measure ∝ (1 + Cμ)⁻³ dΩ; ⟨μ⟩ = −C EXACTLY
(∫μ(1+Cμ)⁻³dμ = −2C/(1−C²)², ∫(1+Cμ)⁻³dμ = 2/(1−C²)²): n̄ = −ζC_ξ ẑ, the "average spinor
on the Fermi surface" of (A54) (:func:`fermi_surface_mean_kz`).

Step 3 — the interband element of the dressed Green function. To first order in Σ,
δG^< = G^R Σ^R G^< + G^R Σ^< G^A + G^< Σ^A G^A. Its element between the conduction (+) and
the other (−) band at k near the Fermi level, where G^{<,>}_− = 0 and G^{R,A}_− = X = 1/(2vk)
(real; the virtual interband propagator of A43), with G^R_+ = P/(ε − ε_k) − iπδ(ε − ε_k):

    δG^<_{+−} = X[ iP/(ε−ε_k) Γ^<_{+−} + πδ(ε−ε_k)(Γ^< − f_k Γ)_{+−} ]  (+ Hermitian Σ terms).

The principal-value term and the Hermitian part of Σ give Re-parts of overlap products,
even under reflections of q about k̂ (renormalizations of the Born rate, dropped by the
paper above A43 and here). The skew part is the on-shell term; δG^>_{+−} has the same one:

    D_{+−}(k, ε) = πXδ(ε − ε_k) 2πγ ∫_{k₂} δ(ε_k − ε₂)(f₂ − f_k)⟨+k|P₂|−k⟩,
    D_{−+} = −D*_{+−}   (anti-Hermitian, as G^< and G^> are).

It vanishes in equilibrium (f₂ = f_k on one energy shell): the e–e–impurity skew scattering
is purely a non-equilibrium effect, as detailed balance requires; the difference f₂ − f_k is
the (F_{n₂} − F_{n′}) of (A43)–(A44).

Step 4 — the skew correction to S. Insert D on the initial line (k₁) and on the final line
(k₁′). Tr[D(k₁)P₁′] = 2i Im[D_{+−}⟨−1|P₁′|+1⟩] and, with |−1⟩⟨−1| = 1 − P₁,
Im[⟨+1|P₂|−1⟩⟨−1|P₁′|+1⟩] = Im Tr[P₁P₂P₁′] = ζ k̂₁·(k̂₂ × k̂₁′)/4 (the three-state phase A47;
:func:`layers.weyl.three_state_phase`; the |⟨⟩|²|⟨⟩|² term is real). Likewise on the
final line with Im Tr[P₁′P₂P₁] = ζ k̂₁′·(k̂₂ × k̂₁)/4. Doing ∫dε/2π over the two δ's,

    δS_skew = ∫_{k₁} 2πδ(ε₁ − ε₁′ − ω) (ζ/8v) [ −(1 − f₁′) Y(1)/k₁ − f₁ Y(1′)/k₁′ ],
    Y(j) = 2πγ∫_{k₂} δ(ε_j − ε₂)(f₂ − f_j) k̂₂ · R,   R = k̂₁ × k̂₁′.

(the 1/8 is X's 1/2 times the phase's 1/4; the factor 2 of 2i Im and the 1/2π of ∫dε/2π
against (2π)² make the 2πδ). Linearized, 2πγ∫δ(f₂ − f_j)k̂₂ = (2/τ) h(ε_j) V_j
(2πγν = 2/τ), V_j = ⟨g₂k̂₂⟩_{ε_j} − g_j⟨k̂₂⟩_{ε_j}:

    V_j = (k₀/T) a₂(C) u + (C/T)(k_j·u) ẑ,  k₀ = ε/v,  a₂ = ⟨(1−μ²)/(2(1+Cμ))⟩ = 1/3 EXACTLY,

(in-plane u; ⟨k̂₂(k₂·u)⟩ has no z part by x → −x; the closed form of a₂ is in
:func:`fermi_surface_inplane_moment`). The two terms of V_j are the two rates of the paper:
the C ẑ g_j term carries the distribution of the initial or final state itself — the
momentum-conserving rate W⁽¹⁾ ∝ (k̂₁ × k̂₁′)·n̄ (A52–A53); the a₂u term carries the
distribution g₂ of the intermediate state k₂ — the rate W⁽²⁾, which after relabelling k₂ as the
incoming state does not conserve the electrons' momentum (the exchanged term of A49).
Pointwise: :func:`film_skew_weights`.

Step 5 — q ≪ k_F, T ≪ ε_F. Both thermal integrals give T I(ω/T) (Step 1), so
δS_skew has the Born thermal factor exactly. With R = −k̂₁ × q (1 + Cμ₁)/k₀ + O(q²/k²),
1/k₁ = (1 + Cμ₁)/k₀, k₁·u = k₀ k̂₁·u/(1 + Cμ₁), vk₀ = ε_F, and on the constraint surface
q̂·k̂₁ = ω̃ = ω/(vq) the parametrization k̂₁ = ω̃q̂ + s(cos ψ ê + sin ψ ẑ), ê = ẑ × q̂,
s = √(1 − ω̃²) (so μ₁ = s sin ψ, (k̂₁ × q̂)_z = −s cos ψ), the measure of N being
(1 + Cμ₁)⁻³dψ, the ψ averages (b = Cs) are

    W⁽¹⁾:  C s² ⟨cos²ψ (1 + b sin ψ)⁻²⟩ (q̂ × u)_z = X₁ (q̂ × u)_z,
    W⁽²⁾: −a₂ s ⟨sin ψ (1 + b sin ψ)⁻¹⟩ (q̂ × u)_z = a₂ X₁ (q̂ × u)_z,
    X₁(ω̃, C) = (1/C)[1/√(1 − C²(1 − ω̃²)) − 1] = (C/2)(1 − ω̃²) + O(C³)

(⟨sin ψ/(1+b sin ψ)⟩ = (1 − 1/√(1−b²))/b, and ⟨cos²ψ/(1+b sin ψ)²⟩ = −that/b by parts),
against the Born ⟨(1 + b sin ψ)⁻³⟩ = (1 + b²/2)/(1 − b²)^{5/2} = B(ω̃, C), the tilt weight of
the film's Im Π (:func:`layers.interaction.tilt_weight`/2π). Both nodes give the same
(ζC_ξ = C for both), so, relative to the Born film factor δS_Born = I (q·u) N (N ∝ B),

    δS_skew = −(1/(2ε_F τ)) [φ₁ + φ₂](ω̃) q (q̂ × u)_z I N,
    φ₁ = X₁/B,  φ₂ = a₂ X₁/B = φ₁/3      (:func:`skew_weight_functions`).

Dropped here, as in the paper: the principal-value and Hermitian-Σ terms of Step 3 (even
under reflections of q about k̂: Born-rate renormalizations — argued by symmetry, not
computed), impurity ladders across the bubble and crossed diagrams, the energy dependence
of τ (O(T/ε_F)), and O(q/k_F) terms.

Step 6 — the Hall friction. The angular average over q̂ of q̂(q̂·u) is u/2 and of
q̂(q̂ × u)_z is (εu)/2 with ε_xy = +1, (εu)_α = ε_{αβ}u_β. With the Born force F = η∥ u/d and
the paper's F^H = η_H εu/d (Eq. 30):

    η_H(e-e-imp, i) = −(1/(2ε_F τ)) η[φ_i],   i = 1, 2,

η[φ] the Born coefficient (B7) with the weight φ(ω̃) under the integral (η[1] = η∥⁽⁰⁾,
η[1 − ω̃²] = η_{Q3}). To leading order in C, φ₁ = (C/2)(1 − ω̃²) and φ₂ = φ₁/3:

    η_H(e-e-imp,1) = −C η_{Q3}/(4ε_F τ)   — the paper's (B17), sign included;
    η_H(e-e-imp,2) = η_H(e-e-imp,1)/3     — the paper's (B18), and here exact in C (a₂ = 1/3).

Beyond leading order in C (the geometry of the tilted surface only; still leading order in
q/k_F, T/ε_F, 1/(ε_F τ), Born disorder, no crossed diagrams) φ₁/[(C/2)(1 − ω̃²)] =
2(1/√(1−b²) − 1)(1 − b²)^{5/2}/(b²(1 + b²/2)), b² = C²(1 − ω̃²): 1 − 9b²/4 + O(b⁴); 0.811 at
C = 0.3, ω̃ → 0 (the low-T limit), → 1 as ω̃ → 1. τ here is the elastic time at ε_F of the
tilted node, 1/τ = πγν(ε_F) (the package's ``WeylFilm.tau``).

What is checked where
---------------------
``tests/layers/test_skew_scattering.py``: ⟨μ⟩ = −C and a₂ = 1/3 against quadrature over
the tilted surface; the thermal identity against ∫dε; the trace identity of Step 4 against
explicit spinors; the ψ averages of Step 5 against :func:`film_skew_weights` averaged over
explicit 3-vectors on the tilted surface at q/k_F = 10⁻⁴ (an independent route: exact
triple products, exact |k|, no expansion). ``tests/validate/test_skew.py``: the quadrature
against (B17)/(B18) at small C and the numbers at C = 0.3.
"""

from __future__ import annotations

import numpy as np

from dragcore.checks import require_range

__all__ = [
    "fermi_surface_mean_kz",
    "fermi_surface_inplane_moment",
    "skew_thermal_factor",
    "born_tilt_weight",
    "skew_x1",
    "skew_weight_functions",
    "skew_weight_functions_leading",
    "film_skew_weights",
    "tilted_fermi_vector",
]


def _check_tilt(tilt: float) -> None:
    require_range("C", tilt, -1.0, 1.0, lo_open=True, hi_open=True)


def fermi_surface_mean_kz(tilt: float) -> float:
    """⟨k̂_z⟩ over the tilted Fermi surface with the DOS weight (1 + Cμ)⁻³: −C exactly (Step 2).

    The average spinor of (A54) is n̄ = ζ⟨k̂⟩ = −ζC ẑ. Dimensionless.
    """
    _check_tilt(tilt)
    return -float(tilt)


def fermi_surface_inplane_moment(tilt: float) -> float:
    """a₂ = ⟨(1 − μ²)/(2(1 + Cμ))⟩ with weight (1 + Cμ)⁻³ (Step 4): ⟨k̂₂ (k₂·u)⟩ = (ε/v) a₂ u.

    Closed form (1 − C²)²/4 ∫₋₁¹(1 − μ²)(1 + Cμ)⁻⁴dμ with t = 1 + Cμ:
    ∫[(C² − 1)t⁻⁴ + 2t⁻³ − t⁻²]dt/C³ over [1 − C, 1 + C]; it equals 1/3 for every |C| < 1.
    """
    _check_tilt(tilt)
    c = float(tilt)
    if abs(c) < 0.05:  # the closed form cancels (error ~1e-16/C³); it is 1/3 for every C
        return 1.0 / 3.0

    def prim(t: float) -> float:
        return -(c * c - 1.0) / (3.0 * t**3) - 1.0 / t**2 + 1.0 / t

    integral = (prim(1.0 + c) - prim(1.0 - c)) / c**3
    return (1.0 - c * c) ** 2 / 4.0 * integral


def skew_thermal_factor(w) -> np.ndarray:
    """I(w) = −d[w n_B(w)]/dw = (1 − eʷ + w eʷ)/(eʷ − 1)², w = ω/T (Step 1); I(0) = 1/2.

    ∫dε f(ε)(1 − f(ε))(1 − f(ε − ω)) = ∫dε f(ε) f(ε − ω)(1 − f(ε − ω)) = T I(ω/T).
    """
    w = np.asarray(w, dtype=float)
    small = np.abs(w) < 1e-3
    ws = np.where(small, 1.0, w)
    # (1 − eʷ + w eʷ)/(eʷ − 1)² written with e^{−w} for w > 0 to avoid overflow
    em = np.exp(-np.abs(ws))
    pos = (em - 1.0 + ws) * em / (1.0 - em) ** 2  # w > 0
    neg = (1.0 - em + ws * em) / (em - 1.0) ** 2  # w < 0 (eʷ = em)
    big = np.where(ws > 0, pos, neg)
    series = 0.5 - w / 6.0 + w**3 / 360.0
    return np.where(small, series, big)


def born_tilt_weight(omega_t, tilt: float) -> np.ndarray:
    """B(ω̃, C) = ⟨(1 + b sin ψ)⁻³⟩_ψ = (1 + b²/2)/(1 − b²)^{5/2}, b² = C²(1 − ω̃²) (Step 5).

    The tilt weight of the film's Im Π: :func:`layers.interaction.tilt_weight` / 2π.
    """
    _check_tilt(tilt)
    b2 = tilt**2 * (1.0 - np.asarray(omega_t, dtype=float) ** 2)
    return (1.0 + 0.5 * b2) / (1.0 - b2) ** 2.5


def skew_x1(omega_t, tilt: float) -> np.ndarray:
    """X₁(ω̃, C) = (1/C)[1/√(1 − C²(1 − ω̃²)) − 1] (Step 5; C → 0: (C/2)(1 − ω̃²)), odd in C."""
    _check_tilt(tilt)
    b2 = tilt**2 * (1.0 - np.asarray(omega_t, dtype=float) ** 2)
    # 1/√(1 − b²) − 1 = b²/(√(1 − b²)(1 + √(1 − b²))): no cancellation at small b
    r = np.sqrt(1.0 - b2)
    return tilt * (1.0 - np.asarray(omega_t, dtype=float) ** 2) / (r * (1.0 + r))


def skew_weight_functions(omega_t, tilt: float) -> tuple[np.ndarray, np.ndarray]:
    """(φ₁, φ₂)(ω̃, C) = (X₁/B, a₂X₁/B): η_H(e-e-imp, i) = −η[φ_i]/(2ε_F τ) (Steps 5–6).

    ``omega_t`` is ω̃ = ω/(v_F q) ∈ [0, 1]; exact in C for the Fermi-surface geometry.
    """
    x1 = skew_x1(omega_t, tilt)
    b = born_tilt_weight(omega_t, tilt)
    phi1 = x1 / b
    return phi1, fermi_surface_inplane_moment(tilt) * phi1


def skew_weight_functions_leading(omega_t, tilt: float) -> tuple[np.ndarray, np.ndarray]:
    """The leading order in C of :func:`skew_weight_functions`: ((C/2)(1 − ω̃²), (C/6)(1 − ω̃²)).

    With these, η_H(e-e-imp,1) = −C η_{Q3}/(4ε_F τ) (B17) and η_H(e-e-imp,2) = η_H(1)/3 (B18).
    """
    s2 = 1.0 - np.asarray(omega_t, dtype=float) ** 2
    return 0.5 * tilt * s2, tilt * s2 / 6.0


def tilted_fermi_vector(direction: np.ndarray, energy: float, v_F: float, tilt: float):
    """k on the tilted surface ε = v(|k| + C k_z) along ``direction`` (..., 3): k̂ ε/(v(1 + Cμ))."""
    d = np.asarray(direction, dtype=float)
    d = d / np.linalg.norm(d, axis=-1, keepdims=True)
    return d * (energy / (v_F * (1.0 + tilt * d[..., 2])))[..., None]


def film_skew_weights(
    k1: np.ndarray,
    k1p: np.ndarray,
    u: np.ndarray,
    T: float,
    tilt: float,
    zeta: int,
    v_F: float,
    tau: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Linearized e–e–impurity skew weights of one film transition k₁ → k₁′ (Step 4).

    δS_skew = ∫_{k₁} 2πδ(ε₁ − ε₁′ − ω)[(1 − f₁′)h₁ (w1_in + w2_in) + f₁h₁′ (w1_out + w2_out)],
    h = f₀(1 − f₀), with

        w_in = −(ζ/(4v|k₁|τ)) R·V₁,   w_out = −(ζ/(4v|k₁′|τ)) R·V₁′,   R = k̂₁ × k̂₁′,
        V_j = −⟨k̂⟩ g_j  [W⁽¹⁾: = C (k_j·u/T) ẑ]  +  ⟨g₂k̂₂⟩_{ε_j}  [W⁽²⁾: = (ε_j/v) a₂ u/T],

    and the energies ε_j = v(|k_j| + C k_{j,z}) of the states themselves. ``tau`` is the
    elastic time (taken at ε_F: its energy dependence is O(T/ε_F) here). ``u`` (3-vector,
    in plane) is the film's boost velocity; ``zeta`` = ±1 the band × chirality index with the
    node's tilt ``tilt`` (C_ξ). Arrays (..., 3). Returns (w1_in, w1_out, w2_in, w2_out),
    dimensionless (per unit of the Born weight's f₁(1 − f₁′)|⟨u|u′⟩|² scale).
    """
    _check_tilt(tilt)
    k1, k1p, u = (np.asarray(a, dtype=float) for a in (k1, k1p, u))
    n1 = np.linalg.norm(k1, axis=-1)
    n1p = np.linalg.norm(k1p, axis=-1)
    r = np.cross(k1 / n1[..., None], k1p / n1p[..., None])
    e1 = v_F * (n1 + tilt * k1[..., 2])
    e1p = v_F * (n1p + tilt * k1p[..., 2])
    a2 = fermi_surface_inplane_moment(tilt)
    mean_kz = fermi_surface_mean_kz(tilt)
    pref = -zeta / (4.0 * v_F * tau)
    # W⁽¹⁾: V = −g_j ⟨k̂⟩ = −(k_j·u/T) ⟨k̂_z⟩ ẑ
    w1_in = pref / n1 * (-np.sum(k1 * u, axis=-1) / T * mean_kz) * r[..., 2]
    w1_out = pref / n1p * (-np.sum(k1p * u, axis=-1) / T * mean_kz) * r[..., 2]
    # W⁽²⁾: V = ⟨g₂ k̂₂⟩ at the state's energy = (ε_j/v) a₂ u/T
    ru = np.sum(r * u, axis=-1)
    w2_in = pref / n1 * (e1 / v_F) * a2 / T * ru
    w2_out = pref / n1p * (e1p / v_F) * a2 / T * ru
    return w1_in, w1_out, w2_in, w2_out
