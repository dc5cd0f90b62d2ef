r"""Deterministic reference for Weyl-film / 2D-metal drag (the Hall-drag paper, Sec. IV and App. B).

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024).

Everything here is in the internal units of :mod:`dragcore.units` (ħ = k_B = 1, cm, erg). The
quadrature of Eqs. (B7), (B13), (B15) itself is :func:`layers.drag_integral.drag_coefficients`
(below both routes: the Monte Carlo command prints it too); this module derives it and adds the
closed forms, the Hall friction and the drag tensors.

Derivation of the drag coefficient, Eq. (B7) (its prefactor is garbled in our copy)
-------------------------------------------------------------------------------------
Boosted distributions δf = f₀(1 − f₀) g with g^l_k = k·u^l/T (Eqs. 26–27) linearize the
interlayer collision integral (20) with the Born rate (A33) to
I_k = ∫ w F₀ (g_{k'} + g_{k₁'} − g_k − g_{k₁}), F₀ = f_k f_{k₁}(1 − f_{k'})(1 − f_{k₁'}).
The force on the passive layer F = Σ_k k I_k, symmetrized over (k,k₁) ↔ (k',k₁') (Eq. B3),
is F = −½ ∫ w F₀ q Δg; with u^p = 0, Δg = −q·u^a/T and the angular average q(q·u) → q²u/2:
F = (u/4T) ∫ w F₀ q². Writing ω for the energy given to the metal,
f(ε)(1 − f(ε+ω)) = [f(ε) − f(ε+ω)](1 + n_B(ω)) for the metal and the mirror identity for
the film, (1 + n_B)n_B = 1/(4 sinh²(ω/2T)), and π∫δ(…)(f − f)|⟨u|u'⟩|² = Im Π (B8–B9):

    η∥⁽⁰⁾ = (d/(8πT)) ∫_{−∞}^{∞} dω sinh⁻²(ω/2T) ∫ d²q/(2π)² q² |U(q,ω)|² Im Π_p Im Π_a,   (B7)

with Π_a = W Π_a^{3D} the film's sheet polarization (our copy prints "Wd/(…T)": the W is
inside Π_a here). Two 2D metals: η/(e² n₁ n₂ d) is exactly the textbook
ρ_D = (1/(8π²e²n₁n₂T)) ∫dq q³ ∫₀^∞ dω |U|² ImΠ₁ ImΠ₂/sinh²(ω/2T) (Jauho & Smith 1993).

Eq. (B13): an energy-dependent boost adds k₁·∂_εu ω to −Δg; for q ≪ k_F the film's
electron has k₁·q̂ = k_F ω/(v_a q), so F⁽¹⁾ = η∥⁽¹⁾ ε_F ∂_εu/d with the integrand of (B7)
multiplied by ω̃² = (ω/v_F^a q)², and the same prefactor d/(8πT).

Low temperature, T ≪ T_d (Eq. 31). Im Π_l = c_l ν_l ω/(v_l q) (c = 1 for a 2D metal,
c = π/2 for the film at C = 0; × (1 + C²/2)/√(1 − C²) with tilt), and with Eq. (A2) at ω = 0,
|U|² = (πe²q/(εκ_aκ_p sinh qd))², κ_l = 2πe²ν_l/ε. Then ∫dω ω²/sinh²(ω/2T) = 8π²T³/3,
∫d²q/(2π)² q²/sinh²(qd) = 3ζ(3)/(4πd⁴) and

    η∥ = c_a c_p ζ(3) T²/(16 v_a v_p κ_a κ_p d³)  →  π ζ(3) T²/(32 v_F^a v_F^p κ^a κ^p d³)  (31).

High temperature, T ≫ T_d (Eqs. 41–44, B24–B27). sinh⁻²(ω/2T) → 4T²/ω²; with the
ballistic polarizations in (A2) the integrand is (π/(8κκ v_a v_p)) ω² q² Y(ω̃, z)/sinh²(qd),

    Y(ω̃, z) = √(1 − (ω̃/z)²) / [(1 − (ω̃/2) ln((1+ω̃)/(1−ω̃)))² + (πω̃/2)²],   0 ≤ ω̃ < min(1, z)

(our reading of the garbled B24: the √ is Im Π̃_p |Π̃_p|⁻² of the metal), and with
∫d²q/(2π)² q³/sinh²(qd) = π³/(60 d⁵):

    η̄ = π³ T/(480 κ^a κ^p max(v_F^a, v_F^p) d⁴),
    η∥⁽⁰⁾ = η̄ Q₁(z),  η∥⁽¹⁾ = η̄ min(1, z²) Q₂(z),  η_{Q3} = η̄ Q₃(z),
    Q₁ = ∫₀^{min(1,z)} Y dω̃ / min(1,z),  Q₂ = ∫₀^{min(1,z)} ω̃² Y dω̃ / min(1,z³),
    Q₃ = Q₁ − min(1, z²) Q₂ = ∫₀^{min(1,z)} (1 − ω̃²) Y dω̃ / min(1,z).

These give Q₁(∞) = 0.8000, Q₂(∞) = 0.2057 (the paper: 0.800, 0.205) and Q₁(0) = π/4,
Q₂(0) = π/16 (garbled in our copy).

Hall friction (B14–B23). Both skew mechanisms carry the weight (1 − ω̃²) of Eq. (B15):
η_{Q3} is (B7) with that weight. From (B17), η_H(e-e-imp,1) = −C/(4ε_F τ) η_{Q3};
(B18) states η_H(e-e-imp,2) = η_H(e-e-imp,1)/3 (adopted, not re-derived); the side jump
(B22) with its legible prefactor 1/(32πT), (v/ε_F)² and eE = u/A, A = v²τ_∥/ε_F, τ_∥ = 3τ/2,
gives η_H(s.j.) = −C/(4ε_F τ_∥) η_{Q3} = −C/(6ε_F τ) η_{Q3} = η_H(e-e-imp)/2 — the
paper's relation follows. Total η_H = −C/(2ε_F τ) η_{Q3} → −C/(2ε_F τ) η∥ at low T (32).
The overall sign is fixed by the paper's statements (34)–(37) (the two Hall-conductivity
contributions partly cancel, total C/(ε_F τ) σ_xx) with the conventions (28) and (30).

Drag tensors (Eqs. 23–24, 33–50). With u^a(ε) = A(ε)(δ + r ε̂)eE, ε_F ∂_εu = A(bδ + b_⊥ r ε̂)eE
(r = τ_∥/τ_⊥, (b, b_⊥) = (−3, −2) for the film) and F = [(η0 δ + η_H ε̂)u + η1 ε_F ∂_εu]/d,
the passive current j^p = e τ^p F/m gives σ^D = e² A_a A_p/d [(η0 − r η_H + b η1) δ
+ (η_H + r η0 + b_⊥ r η1) ε̂]. Matrices a δ + b ε̂ multiply like a + ib, so to leading order
in the drag ρ^D = σ^D/(σ^a σ^p) (Eqs. 47–48).

Where our copy of the paper and this module differ (measured in ``tests/validate/test_weyl.py``)
------------------------------------------------------------------------------------------------
* (B7): prefactor d/(8πT) (W absorbed in Π_a); the quadrature reproduces the textbook
  2DEG–2DEG drag (Jauho–Smith) to 2.7×10⁻⁵ at T = 10⁻³ T_d.
* (31): πζ(3)/32 re-derived; quadrature/(31) = 0.99998 at T = 10⁻³ T_d (Eq. A2, C = 0);
  with the tilt the slope of Im Π_a carries (1 + C²/2)/√(1 − C²) (1.095 at C = 0.3).
* (33): e²πζ(3)T² ℓ^a ℓ^p/(64 ε_F^a ε_F^p κ^a κ^p d⁴), ℓ^a = v τ_∥ = 3vτ/2.
* (B24): Y = √(1 − (ω̃/z)²)/|Π̃_a|²; (B25)–(B27) normalized by min(1,z), min(1,z³),
  Q₃ = Q₁ − min(1,z²)Q₂. Q₁(∞) = 0.800000 (= 4/5), Q₂(∞) = 0.205714 (= 36/175 to 10⁻¹⁴;
  the paper's "0.205" is truncated, ratio 1.0035), Q₁(0) = π/4, Q₂(0) = π/16.
* (44): η̄ = π³T/(480 κ^a κ^p max(v^a, v^p) d⁴); with Eq. (A2) the quadrature at
  T = 100 T_d is within 1.4×10⁻⁵ (η⁽⁰⁾), 2.8×10⁻⁵ (η⁽¹⁾) of (41)–(42).
* (32), (B17), (B22): η_H = −C/(2ε_F τ) η_{Q3}; the sign is a convention fixed by (34)–(37).
* Full RPA (A1) with Stern's Π at the Fig. 2 parameters: η is 0.66 × (31) at low T and
  0.66 × (41) at high T for d = 40 nm (κ^p d = 8.4, k_F^p d = 5.5 are not ≫ 1).
* Not reproduced: the maximum of σ^D_xx near T_d (Fig. 2a, d). We find a shoulder — the
  local exponent of σ_xx(T) dips to ≈ 0.8 at T ≈ 2–4 T_d and returns to 1 — because
  η∥⁽¹⁾/η∥⁽⁰⁾ stays at 0.25–0.30 (< 1/3 = −1/b) for d = 10–400 nm, n^p = 10¹¹–10¹³ cm⁻².
  With both layers screened at T (``screening="finite_T"``, measured at 1–300 K,
  24 temperatures): for n^p = 10¹² cm⁻² σ_xx keeps rising (smallest local exponent 0.41,
  d = 40 nm, and 0.46, d = 120 nm, both at ~265 K); for n^p = 10¹¹ cm⁻² (ε_F^p ≈ 41 K) it
  flattens into a very shallow maximum near 250–300 K (exponent −0.03, −0.04), i.e. at
  T ≈ 6 ε_F^p ≈ 10–30 T_d, not at T_d; η∥⁽¹⁾/η∥⁽⁰⁾ ≤ 0.267. No ingredient we have produces a
  maximum at T ~ T_d.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate
from scipy.special import zeta

from dragcore import units
from dragcore.checks import require_positive
from layers.bilayer import Bilayer
from layers.drag_integral import drag_coefficients
from layers.interaction import lindhard_3d_reduced
from layers.interface import Layer
from layers.metal_2d import Metal2D
from layers.weyl_film import WeylFilm

__all__ = [
    "drag_point",
    "eta_low_T",
    "eta_high_T",
    "eta_bar",
    "q_functions",
    "y_function",
    "hall_coefficients",
    "DragTensors",
    "drag_tensors",
    "textbook_2deg_drag_resistivity",
    "im_slope_coefficient",
]


# --------------------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------------------
def im_slope_coefficient(layer: Layer) -> float:
    """c in Im Π = c ν ω/(v_F q) for ω ≪ v_F q: 1 (2D metal), (π/2)(1 + C²/2)/√(1 − C²) (film);
    the layer's :attr:`~layers.interface.Layer.im_slope_coefficient`."""
    return layer.im_slope_coefficient


def eta_low_T(bilayer: Bilayer, T: float) -> float:
    """η∥ = c_a c_p ζ(3) T²/(16 v_a v_p κ_a κ_p d³) for T ≪ T_d, κd ≫ 1 — Eq. (31).

    For the film at C = 0 (c_a = π/2, c_p = 1) this is πζ(3)T²/(32 v^a v^p κ^a κ^p d³).
    """
    require_positive("T", T)
    a, p = bilayer.active, bilayer.passive
    c = im_slope_coefficient(a) * im_slope_coefficient(p)
    return (
        c
        * zeta(3)
        * T**2
        / (
            16.0
            * a.fermi_velocity
            * p.fermi_velocity
            * bilayer.kappa_a
            * bilayer.kappa_p
            * bilayer.spacing**3
        )
    )


def y_function(w, z) -> np.ndarray:
    """Y(ω̃, z) of Eq. (B24) (our re-derivation; zero outside 0 ≤ ω̃ < min(1, z))."""
    w = np.asarray(w, dtype=float)
    inside = (w >= 0.0) & (w < np.minimum(1.0, z))
    ws = np.where(inside, w, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(np.maximum(1.0 - (ws / z) ** 2, 0.0)) if np.isfinite(z) else 1.0
    red = lindhard_3d_reduced(ws)
    return np.where(inside, root / np.abs(red) ** 2, 0.0)


def q_functions(z: float) -> tuple[float, float, float]:
    """(Q₁, Q₂, Q₃)(z) of Eqs. (B25)–(B27); z = v_F^p/v_F^a (np.inf allowed)."""
    if not z > 0:
        raise ValueError(f"z = {z!r} is outside the allowed range (0, inf)")
    top = min(1.0, z)
    # substitute ω̃ = top (1 − e^{−t})-like end point handling through quad's weights
    i0 = integrate.quad(lambda w: y_function(w, z), 0.0, top, limit=400, epsabs=0, epsrel=1e-11)[0]
    i2 = integrate.quad(
        lambda w: w * w * y_function(w, z), 0.0, top, limit=400, epsabs=0, epsrel=1e-11
    )[0]
    q1 = i0 / top
    q2 = i2 / min(1.0, z**3)
    return q1, q2, q1 - min(1.0, z**2) * q2


def eta_bar(bilayer: Bilayer, T: float) -> float:
    """η̄ = π³T/(480 κ^a κ^p max(v_F^a, v_F^p) d⁴) — our reading of Eq. (44)."""
    a, p = bilayer.active, bilayer.passive
    vmax = max(a.fermi_velocity, p.fermi_velocity)
    return np.pi**3 * T / (480.0 * bilayer.kappa_a * bilayer.kappa_p * vmax * bilayer.spacing**4)


def eta_high_T(bilayer: Bilayer, T: float) -> tuple[float, float, float]:
    """(η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3}) for T ≫ T_d (film active, C → 0) — Eqs. (41), (42), (43)/(B17)."""
    require_positive("T", T)
    z = bilayer.velocity_ratio
    q1, q2, q3 = q_functions(z)
    eb = eta_bar(bilayer, T)
    return eb * q1, eb * min(1.0, z**2) * q2, eb * q3


def hall_coefficients(bilayer: Bilayer, eta_q3: float) -> dict[str, float]:
    """η_H and its parts from η_{Q3} (B17, B18, and the side jump from the prefactor of B22:
    F = (C/(32πT))(v/ε_F)²[(8πT/d)η_{Q3}] eE, eE = u ε_F/(v²τ_∥)); zero for a metal as
    active layer (:meth:`layers.interface.Layer.hall_from_q3`)."""
    return bilayer.active.hall_from_q3(eta_q3, side_jump="B22")


# --------------------------------------------------------------------------------------
# tensors
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DragTensors:
    """σ^D_xx, σ^D_xy (units of e², i.e. erg·cm) and ρ^D_xx, ρ^D_xy (1/(erg·cm)), internal."""

    sigma_xx: float
    sigma_xy: float
    rho_xx: float
    rho_xy: float
    sigma_xy_parallel: float
    sigma_xy_hall: float
    sigma_xx_eta0: float = 0.0
    sigma_xx_eta1: float = 0.0


def drag_tensors(bilayer: Bilayer, eta0: float, eta1: float, eta_h: float) -> DragTensors:
    """Drag conductivity and resistivity tensors from the drag coefficients (Eqs. 33–50).

    σ^D = e² A_a A_p/d [(η0 − r η_H + b η1) δ + (η_H + r η0 + b_⊥ r η1) ε̂] and
    ρ^D = σ^D/(σ^a σ^p) in the complex representation a δ + b ε̂ ↔ a + ib (see module doc).
    ``σ_xy_parallel`` = e²A_aA_p/d · r(η0 + b_⊥η1) (Eqs. 34/46) and ``σ_xy_hall`` = … η_H (35);
    ``σ_xx_eta0``, ``σ_xx_eta1`` are the two terms of Eq. (45) (the paper's Fig. 2 insets).
    """
    from dragcore.units import E_CHARGE

    a, p = bilayer.active, bilayer.passive
    e2 = E_CHARGE**2
    s = e2 * a.boost_per_field * p.boost_per_field / bilayer.spacing
    r = a.hall_ratio
    b, bp = a.boost_exponents
    sxx = s * (eta0 - r * eta_h + b * eta1)
    sxy_par = s * r * (eta0 + bp * eta1)
    sxy_h = s * eta_h
    sd = complex(sxx, sxy_par + sxy_h)
    sa = e2 * complex(a.conductivity_xx, a.conductivity_xy_regular + a.conductivity_xy_anomalous)
    sp = e2 * complex(p.conductivity_xx, 0.0)
    rho = sd / (sa * sp)
    return DragTensors(
        sxx, sxy_par + sxy_h, rho.real, rho.imag, sxy_par, sxy_h, s * eta0, s * b * eta1
    )


def textbook_2deg_drag_resistivity(bilayer: Bilayer, T: float) -> float:
    """ρ_D = (π²ζ(3)/16)(ħ/e²) T²/(ε_F1 ε_F2 κ1 κ2 k_F1 k_F2 d⁴) for two spin-degenerate 2DEGs.

    Jauho & Smith, PRB 47, 4420 (1993); Gramila et al., PRL 66, 1216 (1991): for identical
    layers (h/e²)(πζ(3)/32)(T/ε_F)²/((κd)²(k_F d)²). Internal units (1/(erg·cm)).
    """
    from dragcore.units import E_CHARGE

    a, p = bilayer.active, bilayer.passive
    if not all(isinstance(x, Metal2D) and x.g_s == 2 for x in (a, p)):
        raise ValueError("the textbook formula is for two spin-degenerate 2D metals")
    return (
        np.pi**2
        * zeta(3)
        / 16.0
        / E_CHARGE**2
        * T**2
        / (
            a.eps_F
            * p.eps_F
            * bilayer.kappa_a
            * bilayer.kappa_p
            * a.fermi_wavevector
            * p.fermi_wavevector
            * bilayer.spacing**4
        )
    )


def drag_point(
    bilayer: Bilayer, T_kelvin: float, interaction: str = "exact", screening: str = "T0"
) -> dict:
    """All drag quantities at one temperature ``T_kelvin`` (K), in SI (Pa·s, S, Ω), and the
    coefficients in internal units under ``"_internal"`` (what ``validate weyl`` prints);
    ``screening`` as in :func:`drag_coefficients`."""
    require_positive("T", T_kelvin)
    T = units.kelvin_to_erg(T_kelvin)
    r = drag_coefficients(bilayer, T, interaction, screening=screening)
    h = hall_coefficients(bilayer, r.eta_q3)
    t = drag_tensors(bilayer, r.eta0, r.eta1, h["total"])
    pa = units.internal_viscosity_to_pascal_second
    out = {
        "T_K": T_kelvin,
        "T_d_K": units.erg_to_kelvin(bilayer.T_d),
        "z": bilayer.velocity_ratio,
        "eta_par0_Pa_s": pa(r.eta0),
        "eta_par1_Pa_s": pa(r.eta1),
        "eta_H_Pa_s": pa(h["total"]),
        "eta_H_parts_Pa_s": {k: pa(v) for k, v in h.items() if k != "total"},
        "quadrature_rel_err": max(r.err0 / r.eta0, r.err1 / max(r.eta1, 1e-300)),
        "sigma_D_xx_S": units.internal_conductance_to_siemens(t.sigma_xx),
        "sigma_D_xy_S": units.internal_conductance_to_siemens(t.sigma_xy),
        "sigma_D_xx_eta0_S": units.internal_conductance_to_siemens(t.sigma_xx_eta0),
        "sigma_D_xx_eta1_S": units.internal_conductance_to_siemens(t.sigma_xx_eta1),
        "sigma_D_xy_parallel_S": units.internal_conductance_to_siemens(t.sigma_xy_parallel),
        "sigma_D_xy_hall_S": units.internal_conductance_to_siemens(t.sigma_xy_hall),
        "rho_D_xx_Ohm": units.internal_resistance_to_ohm(t.rho_xx),
        "rho_D_xy_Ohm": units.internal_resistance_to_ohm(t.rho_xy),
        "eta_par0_low_T_Pa_s": pa(eta_low_T(bilayer, T)),
    }
    if isinstance(bilayer.active, WeylFilm):  # Eqs. (41)–(44): the film's Lindhard function
        e0, e1, eq3 = eta_high_T(bilayer, T)
        out["eta_par0_high_T_Pa_s"] = pa(e0)
        out["eta_par1_high_T_Pa_s"] = pa(e1)
    out["_internal"] = {"eta0": r.eta0, "eta1": r.eta1, "eta_q3": r.eta_q3, "eta_H": h["total"]}
    return out
