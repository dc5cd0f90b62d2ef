r"""The interlayer collision integral of the Hall-drag paper as a Monte Carlo integrand (numba +
numpy twin).

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024).

What is integrated
------------------
The Born rate (A33), w = 2π δ(ε_k + ε_{k₁} − ε_{k+q} − ε_{k₁−q}) |U(q, ω)|² |⟨u_{k₁}|u_{k₁−q}⟩|²,
between boosted distributions (Eqs. 26–27, B3–B6) gives the force on the passive layer
F = (u/4T) ∫ w F₀ q² with F₀ = f_k f_{k₁} (1 − f_{k+q})(1 − f_{k₁−q}) (derivation in
:mod:`validate.weyl`; the metal electron k → k + q gains ω, the film electron k₁ → k₁ − q
loses it). With F = η u/d and the measures ∫_q = ∫d²q/(2π)², ∫_k = g_s ∫d²k/(2π)² (metal),
∫_{k₁} = W N_nodes ∫d³k₁/(2π)³ (film, k_z continuous, conduction band; the two nodes give
equal Born and geometric weights under k_z → −k_z, C → −C, since q_z = 0):

    η∥⁽⁰⁾ = (d/4T) ∫_q ∫_k ∫_{k₁} 2π δ(E) |U|² |⟨u|u′⟩|² F₀ q²,                   (B4–B6)
    η∥⁽¹⁾ = the same with q² → ω q̂·(k₁ − q/2) q/ε_F^a                             (B10–B13)
    η_{Q3} = the same with q² → q² (1 − (q̂·k̂₁)²)                                  (B15, B21)

    η_H^{s.j.} = (d/4TA) ∫_q ∫_k ∫_{k₁} 2π δ(E) |U|² |⟨u|u′⟩|² F₀ (q × δr_{k₁−q,k₁})_z  (A41–A42)

(side jump: the field does the work W = eE·δr on the film electron during the jump, so the
rate (A42) is w(δ(Δ + W)) = w₀ + W ∂_Δ w₀; at equilibrium F_in − F_out = −F₀Δ/T and the
δ′ integrates to F₀W/T: the side-jump collision integral is the Born one with −Δg → W/T.
The force (1/2T)∫w F₀ q (eE·δr), averaged over in-plane rotations, has the Hall part
½ε_{αβ}(q × δr)_z eE_β; with eE = u/A, A = v²τ_∥/ε_F (Eq. 28) it is η_H^{s.j.} ε u/d.
δr is :func:`layers.weyl.coordinate_shift` of node ζ = +1; node ζ = −1 with tilt −C
gives the same under k_z → −k_z, so both nodes add. This is an independent check of
B19–B23: its ratio to the paper's η_H(s.j.) = −C η_{Q3}/(6ε_Fτ) is 1 + O(C²), tested by
extrapolation in ``tests/montecarlo/test_collision_mc.py``.)

(η∥⁽¹⁾: the energy-dependent boost adds ω k₁·∂_εu to Δg; averaged over the direction of ∂_εu
the force is (∂_εu/4T)∫wF₀ ω q·k₁. Exchanging initial and final states (q → −q, ω → −ω,
k₁ → k₁ − q) leaves wF₀ and ω q̂·(k₁ − q/2) unchanged and flips ω|q|/2, whose integral
therefore vanishes: the weight ω q̂·(k₁ − q/2) has the same mean and less variance. With
|k₁ − q| = |k₁| − ω/v (film) it is exactly ω W(2k₁ − W)/2q, W = ω/v, and for the metal
ω mω/q: both ≥ 0 point by point. For q ≪ k_F, q̂·k̂₁ = ω/(v_F^a q) and these weights reduce
to the quadrature's ω̃² and 1 − ω̃²; here they are exact. η∥⁽¹⁾/η∥⁽⁰⁾ ~ ⟨ω̃²⟩ ∝ T²: the
η∥⁽¹⁾ weight lives at q ~ T/v, where a map adapted to η∥⁽⁰⁾ puts few points:
:func:`montecarlo.drag_mc.estimate_drag` therefore adapts to η∥⁽¹⁾ too
(:data:`montecarlo.drag_mc.DEFAULT_ADAPT_WEIGHTS`).)
U is Eq. (A1) with the T = 0 polarizations of :mod:`layers.interaction` and
:mod:`layers.metal` (Stern; tilted ballistic film) — the SAME interaction as
``layers.drag_integral.drag_kernel(interaction="exact")`` — while Im Π of both layers are the exact
finite-T state sums (exact parabolic and tilted-linear dispersions, exact spinor overlap,
Fermi functions at each layer's μ(T) at its fixed density, :func:`collision_params`; the
film's upper cone only). The differences from the quadrature
are therefore O(T²/ε_F²) (Sommerfeld) and O(q²/k_F^{a2}) (ballistic film), reported in the
driver.

Coordinates: one point x ∈ [0, 1)^D, the passive metal's three (q, δ, E;
:mod:`montecarlo.path_metal_2d`) and the active layer's (Weyl film: ξ₁, ψ,
:mod:`montecarlo.path_weyl_film`; 2D metal: ξ₁). Every coordinate is measured in its own
thermal or screening scale, so the variance per evaluation does not grow as T/ε_F → 0
(benchmark: ``benchmarks/bench_mc_collision.py``).

Outputs (K = 6): η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3}, η_H^{s.j.}, η_H^{e-e-imp,1}, η_H^{e-e-imp,2}, in
1/cm³ (internal units of :mod:`dragcore.units`).

e–e–impurity skew (the rates W⁽¹⁾, W⁽²⁾ derived in :mod:`layers.skew_scattering`)
----------------------------------------------------------------------------------------
Its Step 4 gives the film's skew emission on one transition k₁ → k₁′ = k₁ − q as
(1 − f₁′)h₁ w_in + f₁h₁′ w_out (no overlap factor). With the passive metal's f_k(1 − f_{k+q})
and energy conservation this is F₀[(1 − f₁)w_in + f₁′w_out]; the reversed process (k₁′ → k₁,
−q) has w_in ↔ −w_out, so the force is (1/2)∫ q (w/|⟨u|u′⟩|²) F₀ (w_in + w_out), against the
Born (1/2)∫ q w F₀ (q·u)/T. Averaged over rotations, q̂ (c·u) with c = (c_x, c_y) in the frame
q ∥ x̂ gives (c_x u + c_y εu)/2, so with F^H = η_H εu/d the per-point weight relative to
η∥⁽⁰⁾'s is T(w_in + w_out)/(q |⟨u|u′⟩|²) at u = ŷ. With k = |k₁|, R = |k₁′|,
R_z = q k_y/(kR), R_y = −q k_z/(kR) (R = k̂₁ × k̂₁′), ⟨k̂_z⟩ = −C and ε_j/v = |k_j| + C k_z:

    W⁽¹⁾:  −C k_y² (k + R)/(4vτ k²R²),
    W⁽²⁾:  (1/3) k_z [2 + C k_z (k + R)/(kR)]/(4vτ kR)

(node ζ = +1 with tilt C; the other node, ζ = −1 with −C, gives the same under k_z → −k_z).
τ is the film's elastic time (parameter slot ``tau_a``). The numpy twin evaluates
:func:`layers.skew_scattering.film_skew_weights` on the 3-vectors instead; the reference
(:mod:`layers.film_state_sum`) writes the same weights in prolate spheroidal coordinates.
To leading order in C and q/k_F these give the paper's (B17) and (B18); at C = 0.3 the
sampled parts are 0.82–0.84 of them (measured; ``tests/montecarlo/test_skew_mc.py``).

Where the layers come in
------------------------
The kernels never ask what type a layer is. The path of each layer is chosen in Python from
the registry :mod:`montecarlo.collision_paths` by its
:attr:`~layers.interface.Layer.collision_model`; the path's packer reads the layer object into
the slots of the parameter vector (:mod:`montecarlo.kernel_layout`) and its integrand (the
shared loop of :mod:`montecarlo.collision_loop` with the path's point functions) is handed to
the integrator. A new layer type that is sampled like an existing path needs nothing here; a
new dispersion is a new path module plus one registry line.
"""

from __future__ import annotations

import numpy as np

from dragcore.checks import require_positive
from layers.bilayer import Bilayer
from layers.interaction import interlayer_interaction
from montecarlo.collision_loop import N_OUT, OUTPUT_NAMES
from montecarlo.collision_loop import interaction_sq_nb as _interaction_sq_nb
from montecarlo.collision_paths import active_path, passive_path, path_for_code
from montecarlo.kernel_layout import (
    ACTIVE_PATH,
    PARAMETER_LAYOUT,
    SCREENING_LAYOUT,
    SLOT,
    TABLE_OFFSET,
    pack_parameters,
    unpack_parameters,
    unpack_screening,
)
from montecarlo.path_metal_2d import fermi, metal_pi_twin
from montecarlo.path_metal_2d import stern_nb as _stern_nb
from montecarlo.path_weyl_film import film_table_nb as _film_table_nb
from montecarlo.sampling import fermi_window_energy

__all__ = [
    "N_OUT",
    "OUTPUT_NAMES",
    "collision_params",
    "collision_dim",
    "collision_integrand",
    "collision_integrand_for",
    "collision_integrand_numpy",
    "SMOOTH_TABLE_SIZE",
    "TABLE_OFFSET",
    "PARAMETER_LAYOUT",
    "SLOT",
    "pack_parameters",
    "unpack_parameters",
    "unpack_screening",
    "SCREENINGS",
    "SCREENING_LAYOUT",
    "screening_block",
    "screened_polarizations",
    "screened_polarizations_numpy",
]

# the benchmark's plain-momentum integrand reads these (benchmarks/bench_mc_collision.py)
_BENCHMARK_HELPERS = (_film_table_nb, _interaction_sq_nb, _stern_nb)

SMOOTH_TABLE_SIZE = 4001
"""Nodes of the Weyl film's Re Π table (:func:`montecarlo.path_weyl_film.pack_active`)."""

SCREENINGS = ("T0", "finite_T")
"""The screened interaction of the kernel: ``"T0"``, Eq. (A1) with the T = 0 polarizations
(the paper's model); ``"finite_T"``, with both layers' polarizations at T and their fixed
densities (:meth:`layers.interface.Layer.polarization_at`), the Monte Carlo twin of
``layers.drag_integral.drag_coefficients(..., screening="finite_T")``."""


def screening_block(bilayer: Bilayer, T: float, params_values: dict) -> dict:
    """The screening block for ``screening="finite_T"`` (see
    :data:`~montecarlo.kernel_layout.SCREENING_LAYOUT`), each layer's part from its path.

    A 2D parabolic band (the passive metal; an active metal) gets a Ψ table at T and the
    chemical potential μ(T) of its slots, so that Π_T = −(ν/q)[Ψ(K₊) − Ψ(K₋)]
    (:func:`layers.metal.metal_polarization_edge_function`, Maldague's integral done
    exactly); the Weyl film's ballistic Π at T is its T = 0 Π times a constant.
    """
    d = bilayer.spacing
    sv, psi_p = passive_path(bilayer.passive).screening(bilayer.passive, T, params_values, d)
    av, psi_a = active_path(bilayer.active).screening(bilayer.active, T, params_values, d)
    sv.update(av)
    sv["psi_p_size"], sv["psi_a_size"] = float(psi_p.size), float(psi_a.size)
    return {"values": sv, "psi_p": psi_p, "psi_a": psi_a}


def collision_params(
    bilayer: Bilayer,
    T: float,
    table_size: int = SMOOTH_TABLE_SIZE,
    screening: str = "T0",
) -> np.ndarray:
    """The float parameter vector of the collision integrand of a bilayer at T (erg).

    Each layer's path (:mod:`montecarlo.collision_paths`) packs its slots from the layer
    object: the passive metal's μ(T), m, g_s, k_F; the active layer's Fermi-surface data,
    its occupations' μ(T) at its fixed density and its table (``table_size`` nodes, the
    film's Re Π part); the slot ``active_path`` is the path's code. The slots a layer does not
    use stay 0. ``screening`` (:data:`SCREENINGS`): ``"finite_T"`` appends the screening
    block (:func:`screening_block`); ``"T0"`` gives the vector of the paper's model.
    """
    require_positive("T", T)
    if screening not in SCREENINGS:
        raise ValueError(f"screening = {screening!r} is not one of {SCREENINGS}")
    path = active_path(bilayer.active)
    v = dict.fromkeys(PARAMETER_LAYOUT, 0.0)
    del v["table_size"]
    v.update(spacing=bilayer.spacing, T=T, e2=bilayer.e2, active_path=path.code)
    v.update(passive_path(bilayer.passive).pack(bilayer.passive, T))
    active, table = path.pack(bilayer.active, T, table_size)
    v.update(active)
    block = screening_block(bilayer, T, v) if screening == "finite_T" else None
    return pack_parameters(v, table, block)


def collision_dim(bilayer: Bilayer) -> int:
    """Dimension of the unit hypercube: the passive layer's three coordinates and the active
    layer's (5 for the Weyl film, 4 for a 2D metal), by its path."""
    return active_path(bilayer.active).dim


def collision_integrand_for(bilayer: Bilayer):
    """The numba integrand ``(x, out, params)`` of the bilayer's path (the integrator's)."""
    return active_path(bilayer.active).integrand


def collision_integrand(x: np.ndarray, out: np.ndarray, params: np.ndarray) -> None:
    """Integrand protocol of :mod:`montecarlo.integrator`: (η0, η1, η_Q3, η_H^sj, η_H^eei1,
    η_H^eei2) · Jacobian, by the path whose code ``params`` carries (a registry look-up in
    Python; then the path's numba integrand, serial and GIL-free: the integrator runs whole
    batches on its threads, so the bits do not depend on the thread count)."""
    path_for_code(float(params[ACTIVE_PATH])).integrand(x, out, params)


def screened_polarizations(q, om, params) -> np.ndarray:
    """(Re Π_a, Im Π_a, Re Π_p, Im Π_p) at T as the kernel screens with ``"finite_T"``
    (arrays q, ω; the film's table and factor, the metals' Ψ tables) — for the tests; the
    numpy twin is :func:`screened_polarizations_numpy`."""
    return path_for_code(float(params[ACTIVE_PATH])).polarizations(q, om, params)


def screened_polarizations_numpy(q, om, params: np.ndarray) -> np.ndarray:
    """Twin of :func:`screened_polarizations`: (Π_a, Π_p) at T, complex, shape (n, 2), from
    the screening block of ``params`` (the same tables; Lagrange weights as products)."""
    q, om = np.asarray(q, float), np.asarray(om, float)
    v, table = unpack_parameters(params)
    block = unpack_screening(params)
    if block is None:
        raise ValueError("params without a screening block (screening = 'T0')")
    pp = metal_pi_twin(q, om, block, "p", v["mass_p"], v["g_p"])
    pa = path_for_code(v["active_path"]).polarization_twin(q, om, v, table, block)
    return np.stack([pa, pp], -1)


def collision_integrand_numpy(
    x: np.ndarray, bilayer: Bilayer, T: float, screening: str = "T0"
) -> np.ndarray:
    """Plain-numpy twin of the collision integrand for the points ``x`` (n, D) → (n, 6).

    ``screening="finite_T"``: |U|² from both layers' exact Π at T
    (:meth:`~layers.interface.Layer.polarization_at`, not the kernel's tables).

    Independent routes: each path's twin (:mod:`montecarlo.path_metal_2d`: the passive measure
    by finite differences in polar coordinates, the active metal's as 2m²/(k₁q|sin φ₁|);
    :mod:`montecarlo.path_weyl_film`: μ by bisection, overlaps from 3-vectors); Π and U from
    the package functions.
    """
    a, p = bilayer.active, bilayer.passive
    path = active_path(a)
    d = bilayer.spacing
    x = np.asarray(x, dtype=float)
    out = np.zeros((x.shape[0], N_OUT))
    q, jq, om, w_metal = passive_path(p).twin(p, x, d, T, path.second_sin2)
    y1, jy1 = fermi_window_energy(x[:, 3], om, T)
    xi1 = y1 + om
    w_active, pa, mu_geo, k_geo, sj, skew, mu_a = path.twin(a, x, q, om, xi1, T)
    w_active = w_active * jy1 * fermi(xi1, T) * (1.0 - fermi(xi1 - om, T))
    pp = p.polarization(q, om)
    if screening == "finite_T":
        pa, pp = a.polarization_at(q, om, T), p.polarization_at(q, om, T)
    u2 = np.abs(interlayer_interaction(q, pa, pp, d, bilayer.e2)) ** 2
    w = d / (4.0 * T) / (2.0 * np.pi) * 2.0 * np.pi * jq * q * w_metal * w_active * u2 * q**2
    w = np.where(np.isfinite(w), w, 0.0)
    out[:, 0] = w
    out[:, 1] = w * om * (k_geo * mu_geo - 0.5 * q) / (mu_a * q)
    out[:, 2] = w * (1.0 - mu_geo**2)
    out[:, 3] = w * sj
    out[:, 4] = w * skew[0]
    out[:, 5] = w * skew[1]
    return out
