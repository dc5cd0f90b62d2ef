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
B19–B23: the measured ratio to the paper's η_H(s.j.) = −C η_{Q3}/(6ε_Fτ) is
0.996(6), 0.985(3), 0.921(2), 0.826(1) at C = 0.05, 0.1, 0.2, 0.3 (5 K, d = 40 nm):
1 + O(C²), the paper's leading order in C confirmed, sign included.)

(η∥⁽¹⁾: the energy-dependent boost adds ω k₁·∂_εu to Δg; averaged over the direction of ∂_εu
the force is (∂_εu/4T)∫wF₀ ω q·k₁. Exchanging initial and final states (q → −q, ω → −ω,
k₁ → k₁ − q) leaves wF₀ and ω q̂·(k₁ − q/2) unchanged and flips ω|q|/2, whose integral
therefore vanishes: the weight ω q̂·(k₁ − q/2) has the same mean and less variance. With
|k₁ − q| = |k₁| − ω/v (film) it is exactly ω W(2k₁ − W)/2q, W = ω/v, and for the metal
ω mω/q: both ≥ 0 point by point. For q ≪ k_F, q̂·k̂₁ = ω/(v_F^a q) and these weights reduce
to the quadrature's ω̃² and 1 − ω̃²; here they are exact. η∥⁽¹⁾/η∥⁽⁰⁾ ~ ⟨ω̃²⟩ ∝ T²: the
η∥⁽¹⁾ weight lives at q ~ T/v, where a map adapted to η∥⁽⁰⁾ puts few points — measured
σ₁(η∥⁽¹⁾) = 1.5 and 8.9 at T/ε_F = 1e-2 and 1e-3; :func:`montecarlo.drag_mc.estimate_drag`
therefore adapts to η∥⁽¹⁾ too (relative weight 0.05: σ₁ = 0.80, 0.84), see
``benchmarks/bench_mc_collision.py``.)
U is Eq. (A1) with the T = 0 polarizations of :mod:`layers.interaction` and
:mod:`layers.metal` (Stern; tilted ballistic film) — the SAME interaction as
``layers.drag_integral.drag_kernel(interaction="exact")`` — while Im Π of both layers are the exact
finite-T state sums (exact parabolic and tilted-linear dispersions, exact spinor overlap,
Fermi functions at each layer's μ(T) at its fixed density, :func:`collision_params`; the
film's upper cone only). The differences from the quadrature
are therefore O(T²/ε_F²) (Sommerfeld) and O(q²/k_F^{a2}) (ballistic film), reported in the
driver.

Coordinates (one point x ∈ [0, 1)^D; maps in :mod:`montecarlo.sampling`)
--------------------------------------------------------------------------
x₀ → q ∈ (0, ∞), density d e^{−qd} (q along x̂; isotropy: ∫d²q → 2π q dq). The integrand
     falls as qⁿ e^{−2qd} (n ≈ 3–5, more near 2k_F of a dilute metal, where screening
     drops); with e^{−qd} the weight qⁿ e^{−qd} is bounded, while the density 2d e^{−2qd}
     left a weight growing as qⁿ (measured: top weights 2000× the mean at n^p = 10¹¹ cm⁻²,
     3× with e^{−qd}; error bars then became reliable, see the tests).

Passive metal, elliptic coordinates with foci k = 0 and k = −q: ρ = |k| + |k + q|,
δ = |k + q| − |k| ∈ [−q, q], E = (ε_k + ε_{k+q})/2 = (ρ² + δ²)/(8m), ω = ρδ/(2m), and
d²k = 2m(ρ² − δ²)/(ρ√((ρ² − q²)(q² − δ²))) dE dδ (both half-planes; √(…) = 4 × the area of
the triangle (k, k + q, q), Heron). The particle–hole edges are the FIXED lines δ = ±q:

x₁ → δ, thermal logistic of scale T/v_F truncated to [−q, q] and composed with sin², whose
     Jacobian cancels the 1/√(q² − δ²) exactly (no smearing, bounded weight);
     (2D active layer: x₁ first through a second sin², see below);

x₂ → E through the exact Fermi window f(y) − f(y + ω₀), ω₀ = v_F δ (the true ω = ρδ/2m
     differs by O(ω/ε_F): the weight stays smooth), from the band bottom E_min = (q² + δ²)/8m
     up, the window's CDF t going as x₂² near E_min
     (:func:`montecarlo.sampling.fermi_window_above_nb`): the measure's 1/√(ρ² − q²) =
     1/√(8m(E − E_min)) edge is cancelled by dt/dx₂ ∝ √(t − t_min). (With the window alone
     the variance is log-divergent wherever the window reaches the band bottom.)

Weyl film active (D = 5):

x₃ → ξ₁ = ε_{k₁} − μ^a(T) with density ∝ f(ξ₁)(1 − f(ξ₁ − ω)) (exact inverse CDF);

x₄ → ψ, azimuth of k̂₁ around q̂; the polar cosine μ = q̂·k̂₁ solves the film's delta
     function v(|k₁| − |k₁ − q|) = ω at fixed (ε₁, ψ) (closed form: a quadratic in |k₁|; one
     root, or two where Δ(μ) folds at q ≳ k_F and large C, summed),
     k₁ = ε₁/(v(1 + C k̂_z)),
     Jacobian 1/|∂Δ/∂μ| (smooth: the 3D continuum has no √ edge, |ω| ≤ v q is a step) and
     the radial measure k₁²/(v(1 + C k̂_z));

2D metal active (ordinary 2D–2D drag, D = 4):

x₃ → ξ₁ through the exact Fermi window as for the film; the delta function is removed in
     the active metal's elliptic coordinates, d²k₁ δ(ω − …) = 4m²/√((ρ₁² − q²)(q² − δ₁²)) dE₁.
     That 1/√ edge at |ω| = v₁q sits on the passive one when the velocities are equal, so
     the product 1/(q² − δ²) times one sin² Jacobian √(q² − δ²) left a weight ∝ (edge)^{−1/2}
     and a log-divergent variance (measured: pull rms 1.45 over 20 seeds at 0.5 K, equal
     2DEGs); x₁ goes through sin² twice here: Jacobian ∝ (q² − δ²)^{3/4}, weight
     ∝ (q² − δ²)^{−1/4}, finite variance.

Every coordinate is measured in its own thermal or screening scale, so the variance per
evaluation does not grow as T/ε_F → 0 (benchmark: ``benchmarks/bench_mc_collision.py``).

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
The kernel never asks what type a layer is. Each layer fills its slots of the parameter
vector (:meth:`layers.interface.Layer.collision_parameters`: the passive metal's ε_F, m, g, k_F;
the active layer's Fermi-surface data and, in the slot ``active_is_metal``, its
:class:`~layers.interface.CollisionModel`), and that number selects the kernel's path for the
active layer's states (film: 5 coordinates; 2D parabolic band: 4, :data:`COLLISION_DIMS`). A
new layer type that is sampled like one of these paths (another 2D parabolic band, another
tilted-linear film) needs no change here; a new dispersion needs a new path.

How the kernel is written (speed)
---------------------------------
The physics is in small functions of scalars (one per layer and per map); the kernel's
loops over points call them. Those loops are vectorised by LLVM (4 points at once with AVX2,
8 with AVX-512),
which needs: no libm call (the elementary functions of :mod:`dragcore.elementary` are plain
arithmetic), no branch (every case computed, the right one selected; the two roots of the
film written out), every helper inlined (``forceinline``), flat views of ``x`` and ``out``
with literal row lengths (a 2-D array's runtime row stride makes LLVM assume rows may
overlap), the film's table read in a loop of its own (an index computed per point cannot be
bounded), and the rejected points zeroed in a loop of its own (a select in front of the
stores becomes a branch). Measured on one Zen 4 core (AVX-512), 1e5 points: 95 ns per point
for the Weyl film (the scalar version: 310 ns), 62 ns for the 2D metal (291 ns); on one Zen 3
core (AVX2 only): 152 and 130 ns. The values are
those of the scalar version to rounding (|Σ| relative 2e-16 over 2e5 points; single points
near the kinematic edges differ more, as rounding is amplified there).
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.checks import require_positive
from dragcore.elementary import exp, log, sin_pi, sincos_pi, sqrt
from dragcore.jit import jit
from layers.bilayer import Bilayer
from layers.interaction import interlayer_interaction, weyl_chemical_potential
from layers.interface import CollisionModel
from layers.metal import (
    metal_edge_function_tail,
    metal_polarization_edge_function,
    parabolic_chemical_potential,
    stern_polarization,
)
from layers.skew_scattering import film_skew_weights
from layers.weyl import coordinate_shift, spinor_overlap_sq
from montecarlo.sampling import (
    fermi_window_above,
    fermi_window_above_nb,
    fermi_window_energy,
    fermi_window_energy_nb,
    occupation_product_nb,
    screening_wavevector,
    screening_wavevector_nb,
    thermal_frequency,
    thermal_frequency_nb,
    window_occupation_nb,
)

__all__ = [
    "N_OUT",
    "OUTPUT_NAMES",
    "collision_params",
    "collision_dim",
    "COLLISION_DIMS",
    "collision_integrand",
    "collision_integrand_numpy",
    "SMOOTH_TABLE_SIZE",
    "TABLE_OFFSET",
    "PARAMETER_LAYOUT",
    "SLOT",
    "pack_parameters",
    "unpack_parameters",
    "SCREENINGS",
    "SCREENING_LAYOUT",
    "screening_block",
    "screened_polarizations",
    "screened_polarizations_numpy",
]

N_OUT = 6
OUTPUT_NAMES = ("eta0", "eta1", "eta_q3", "eta_H_sj", "eta_H_eei1", "eta_H_eei2")
SMOOTH_TABLE_SIZE = 4001

# parameter layout: declared once; the kernel reads the slots by these names
PARAMETER_LAYOUT: tuple[str, ...] = (
    "spacing",  # d
    "T",
    "e2",  # e²/ε
    "mu_p",  # passive metal: ε_F, m, g_s, k_F
    "mass_p",
    "g_p",
    "kF_p",
    "active_is_metal",  # the active layer's CollisionModel: 1.0 a 2D metal, 0.0 the Weyl film
    "mu_a",  # active layer: ε_F (η∥⁽¹⁾'s normalisation; metal: μ(T)), v_F, (metal: m, g_s, k_F;
    # film: C, W N_nodes, node prefactor, A)
    "v_a",
    "mass_a",
    "g_a",
    "kF_a",
    "tilt",
    "sheet",
    "node_prefactor",
    "boost",
    "tau_a",  # the film's elastic time τ at ε_F (the e–e–impurity skew rates W⁽¹⁾, W⁽²⁾)
    "mu_occ_a",  # the active layer's occupations: μ(T) at its fixed density (collision_params)
    "table_size",  # the film's tabulated Re Π part follows the header (collision_params)
)
"""Names of the header slots of the kernel's float parameter vector, in order; the film's
table (``table_size`` values) follows at :data:`TABLE_OFFSET`. :func:`pack_parameters` and
:func:`unpack_parameters` convert; the kernel's slot constants are derived from this tuple."""

SLOT = {name: i for i, name in enumerate(PARAMETER_LAYOUT)}
TABLE_OFFSET = len(PARAMETER_LAYOUT)
_D, _T, _E2 = SLOT["spacing"], SLOT["T"], SLOT["e2"]
_MUP, _MP, _GP, _KFP = SLOT["mu_p"], SLOT["mass_p"], SLOT["g_p"], SLOT["kF_p"]
_KIND, _MUA, _VA = SLOT["active_is_metal"], SLOT["mu_a"], SLOT["v_a"]
_MA, _GA, _KFA = SLOT["mass_a"], SLOT["g_a"], SLOT["kF_a"]
_TILT, _SHEET, _PREF_NODE = SLOT["tilt"], SLOT["sheet"], SLOT["node_prefactor"]
_BOOST, _NTAB, _TAB0 = SLOT["boost"], SLOT["table_size"], TABLE_OFFSET
_TAU, _MUOCC = SLOT["tau_a"], SLOT["mu_occ_a"]


SCREENINGS = ("T0", "finite_T")
"""The screened interaction of the kernel: ``"T0"``, Eq. (A1) with the T = 0 polarizations
(the paper's model); ``"finite_T"``, with both layers' polarizations at T and their fixed
densities (:meth:`layers.interface.Layer.polarization_at`), the Monte Carlo twin of
``layers.drag_integral.drag_coefficients(..., screening="finite_T")``."""

SCREENING_LAYOUT: tuple[str, ...] = (
    "pi_factor_a",  # Π_T/Π₀ of the active layer where that is a constant (the film), else 1
    "psi_p_lo",  # passive metal's Ψ table: first node K₀, step h, nodes n, tail c₁, c₃
    "psi_p_step",
    "psi_p_size",
    "psi_p_c1",
    "psi_p_c3",
    "psi_a_lo",  # the active metal's (size 0 for the film)
    "psi_a_step",
    "psi_a_size",
    "psi_a_c1",
    "psi_a_c3",
)
"""Header of the screening block, present only with ``screening="finite_T"``: it follows the
film's table, and the tables Ψ_p, Ψ_a (``2 × size`` values each, Re and Im interleaved)
follow it (:func:`screening_block`). With ``"T0"`` the parameter vector is that of before
the block existed (same bits, same checkpoint identity)."""

SCREENING_NODES_PER_WIDTH = 8.0
"""Nodes of a Ψ table per thermal width mT/k_F of its smeared √ edges at |K| = k_F."""
SCREENING_NODES_PER_KF = 400.0
"""At least this many nodes per k_F (the table's resolution where T is not small)."""
SCREENING_MAX_NODES = 400_001
SCREENING_Q_REACH = 40.0
"""The tables reach |K| ≤ k_max + q with q d ≤ 40 (the sampled weight falls as e^{−2qd}:
e^{−80} beyond); k_max = √(2m(ε_F + 40T)) (the Fermi window's reach)."""

_SCREEN_HEAD = len(SCREENING_LAYOUT)


def pack_parameters(
    values: dict[str, float], table: np.ndarray, screening: dict | None = None
) -> np.ndarray:
    """The kernel's parameter vector from ``values`` (every name of :data:`PARAMETER_LAYOUT`
    except ``table_size``, which is the table's length) and the film's table; with
    ``screening`` (``"values"``: every name of :data:`SCREENING_LAYOUT`, sizes from the
    tables; ``"psi_p"``, ``"psi_a"``: complex Ψ tables) the screening block is appended."""
    table = np.asarray(table, dtype=float)
    missing = set(PARAMETER_LAYOUT) - set(values) - {"table_size"}
    extra = set(values) - set(PARAMETER_LAYOUT)
    if missing or extra:
        raise ValueError(
            f"collision parameters: missing {sorted(missing)}, unknown {sorted(extra)}"
        )
    head = np.array([float(values.get(n, table.size)) for n in PARAMETER_LAYOUT])
    head[SLOT["table_size"]] = table.size
    parts = [head, table]
    if screening is not None:
        sv = dict(screening["values"])
        tabs = [np.asarray(screening[k], dtype=complex) for k in ("psi_p", "psi_a")]
        sv["psi_p_size"], sv["psi_a_size"] = float(tabs[0].size), float(tabs[1].size)
        if set(sv) != set(SCREENING_LAYOUT):
            raise ValueError(f"screening parameters: {sorted(set(sv) ^ set(SCREENING_LAYOUT))}")
        parts.append(np.array([float(sv[n]) for n in SCREENING_LAYOUT]))
        parts += [np.stack([t.real, t.imag], -1).ravel() for t in tabs]
    return np.concatenate(parts)


def unpack_parameters(params: np.ndarray) -> tuple[dict[str, float], np.ndarray]:
    """(name → value, table) of a parameter vector (inverse of :func:`pack_parameters`; the
    screening block, if any, is :func:`unpack_screening`'s)."""
    params = np.asarray(params, dtype=float)
    n_tab = int(params[SLOT["table_size"]])
    end = TABLE_OFFSET + n_tab
    if params.size != end and not (
        params.size > end + _SCREEN_HEAD and params.size == end + _screen_length(params[end:])
    ):
        raise ValueError(
            f"collision parameter vector of {params.size} values; the layout needs "
            f"{TABLE_OFFSET} + table_size = {TABLE_OFFSET + n_tab} (+ a screening block)"
        )
    return {n: float(params[i]) for i, n in enumerate(PARAMETER_LAYOUT)}, params[TABLE_OFFSET:end]


def _screen_length(block: np.ndarray) -> int:
    sizes = [int(block[SCREENING_LAYOUT.index(k)]) for k in ("psi_p_size", "psi_a_size")]
    return _SCREEN_HEAD + 2 * sum(sizes)


def unpack_screening(params: np.ndarray) -> dict | None:
    """The screening block of a parameter vector as :func:`pack_parameters` takes it
    (``"values"``, ``"psi_p"``, ``"psi_a"``), or None (``screening="T0"``)."""
    params = np.asarray(params, dtype=float)
    end = TABLE_OFFSET + int(params[SLOT["table_size"]])
    if params.size == end:
        return None
    block = params[end:]
    values = {n: float(block[i]) for i, n in enumerate(SCREENING_LAYOUT)}
    n_p = int(values["psi_p_size"])
    flat = block[_SCREEN_HEAD:]
    psi_p = flat[: 2 * n_p : 2] + 1j * flat[1 : 2 * n_p : 2]
    rest = flat[2 * n_p :]
    psi_a = rest[::2] + 1j * rest[1::2]
    return {"values": values, "psi_p": psi_p, "psi_a": psi_a}


def _psi_table(mu: float, mass: float, T: float, spacing: float) -> tuple[dict, np.ndarray]:
    """A metal's Ψ table at chemical potential ``mu`` (the fixed-density μ(T) of its slot;
    :func:`layers.metal.metal_polarization_edge_function`) on equally
    spaced K ∈ [−A, A], A = k_max + 40/d, step min(k_F/400, (mT/k_F)/8), and its tail."""
    k_s = math.sqrt(2.0 * mass * max(mu, T))
    k_max = math.sqrt(2.0 * mass * (max(mu, 0.0) + 40.0 * T))
    reach = k_max + SCREENING_Q_REACH / spacing
    step = min(k_s / SCREENING_NODES_PER_KF, mass * T / k_s / SCREENING_NODES_PER_WIDTH)
    half = min(int(math.ceil(reach / step)) + 2, (SCREENING_MAX_NODES - 1) // 2)
    step = max(step, (reach + 2.0 * step) / half)  # the cap on the nodes
    k = step * np.arange(-half, half + 1)
    c1, c3 = metal_edge_function_tail(mu, mass, T)
    values = {"lo": float(k[0]), "step": step, "c1": c1, "c3": c3}
    return values, metal_polarization_edge_function(k, mu, mass, T)


def screening_block(bilayer: Bilayer, T: float, params_values: dict) -> dict:
    """The screening block for ``screening="finite_T"`` (see :data:`SCREENING_LAYOUT`).

    Per path of the kernel: a 2D parabolic band (the passive metal; an active metal) gets a Ψ
    table at T and the chemical potential μ(T) of its slots (μ(T), m: fixed density, set by
    :func:`collision_params`), so that
    Π_T = −(ν/q)[Ψ(K₊) − Ψ(K₋)] (:func:`layers.metal.metal_polarization_edge_function`,
    Maldague's integral done exactly); the Weyl film's ballistic Π at T is its T = 0 Π times
    a constant (:meth:`layers.weyl_film.WeylFilm.polarization_at`: 1 − π²T²/3ε_F² + … at
    fixed density), taken from the layer and checked to be constant.
    """
    v = params_values
    out: dict = {"values": {}, "psi_a": np.zeros(0, complex)}
    pv, out["psi_p"] = _psi_table(v["mu_p"], v["mass_p"], T, bilayer.spacing)
    sv = {f"psi_p_{k}": val for k, val in pv.items()}
    sv.update({f"psi_a_{k}": 0.0 for k in ("lo", "step", "c1", "c3")})
    active = bilayer.active
    if active.collision_model == CollisionModel.METAL_2D:
        av, out["psi_a"] = _psi_table(v["mu_a"], v["mass_a"], T, bilayer.spacing)
        sv.update({f"psi_a_{k}": val for k, val in av.items()})
        sv["pi_factor_a"] = 1.0
    else:
        kf = active.fermi_wavevector
        q = kf * np.array([0.01, 0.1, 0.5])
        om = active.fermi_velocity * q * np.array([0.1, 0.5, 0.9])
        ratio = active.polarization_at(q, om, T) / active.polarization(q, om)
        if not np.allclose(ratio, ratio[0], rtol=1e-12, atol=0.0):
            raise ValueError("the film's Π at T is not a constant times its T = 0 Π")
        sv["pi_factor_a"] = float(ratio[0].real)
    sv["psi_p_size"], sv["psi_a_size"] = float(out["psi_p"].size), float(out["psi_a"].size)
    out["values"] = sv
    return out


def collision_params(
    bilayer: Bilayer,
    T: float,
    table_size: int = SMOOTH_TABLE_SIZE,
    screening: str = "T0",
) -> np.ndarray:
    """The float parameter vector of :func:`collision_integrand` for a bilayer at T (erg).

    Each layer fills its own slots (:meth:`layers.interface.Layer.collision_parameters`: the
    passive metal's ε_F, m, g_s, k_F; the active layer's Fermi-surface data and the slot
    ``active_is_metal``, its :class:`~layers.interface.CollisionModel`, which selects the
    kernel's path); the slots a layer does not use stay 0. The film's Re Π needs
    ∫[w(μ)μ − w(s)s]/(μ − s)dμ (analytic in s); it is tabulated on ``table_size`` equally
    spaced s ∈ [−1, 1] and interpolated linearly (error ≤ h² max|f″|/8, measured in the tests).
    ``screening`` (:data:`SCREENINGS`): ``"finite_T"`` appends the screening block
    (:func:`screening_block`); ``"T0"`` gives the vector of the paper's model unchanged.
    """
    require_positive("T", T)
    if screening not in SCREENINGS:
        raise ValueError(f"screening = {screening!r} is not one of {SCREENINGS}")
    v = dict.fromkeys(PARAMETER_LAYOUT, 0.0)
    del v["table_size"]
    v.update(spacing=bilayer.spacing, T=T, e2=bilayer.e2)
    v.update(bilayer.passive.collision_parameters("passive", table_size)[0])
    active, table = bilayer.active.collision_parameters("active", table_size)
    v.update(active)
    # fixed densities: a layer sampled as a 2D parabolic band has its occupations (and its Ψ
    # table) at μ(T) = T ln(e^{ε_F/T} − 1), as its polarization_at / im_polarization_at; the
    # film's at μ³ + π²T²μ = ε_F³ (slot mu_occ_a; its mu_a stays ε_F, η∥⁽¹⁾'s normalisation)
    v["mu_p"] = parabolic_chemical_potential(bilayer.passive.eps_F, T)
    if bilayer.active.collision_model == CollisionModel.METAL_2D:
        v["mu_a"] = parabolic_chemical_potential(bilayer.active.eps_F, T)
        v["mu_occ_a"] = v["mu_a"]
    else:
        v["mu_occ_a"] = weyl_chemical_potential(v["mu_a"], T)
    block = screening_block(bilayer, T, v) if screening == "finite_T" else None
    return pack_parameters(v, table, block)


#: Coordinates of the unit hypercube per path of the kernel: the passive metal's three (q, δ,
#: E) and the active layer's states (film: ξ₁, ψ; 2D metal: ξ₁).
COLLISION_DIMS = {CollisionModel.WEYL_FILM: 5, CollisionModel.METAL_2D: 4}


def collision_dim(bilayer: Bilayer) -> int:
    """Dimension of the unit hypercube: 5 (Weyl film active) or 4 (2D metal active), by the
    active layer's :attr:`~layers.interface.Layer.collision_model`."""
    return COLLISION_DIMS[bilayer.active.collision_model]


# --------------------------------------------------------------------------------------
# numba kernel
# --------------------------------------------------------------------------------------
@jit(forceinline=True)
def _stern_nb(q, om, kF, m, g):  # pragma: no cover - compiled
    """Stern's Π(q, ω) at T = 0 as (Re, Im) (see :func:`layers.metal.stern_polarization`)."""
    v = kF / m
    nm = om / (q * v) - q / (2.0 * kF)
    npl = om / (q * v) + q / (2.0 * kF)
    # every square root is taken (NaN outside its range) and selected: no branch
    root_p, root_m = sqrt(abs(npl * npl - 1.0)), sqrt(abs(nm * nm - 1.0))
    op = math.copysign(root_p, npl) if abs(npl) > 1.0 else 0.0
    omn = math.copysign(root_m, nm) if abs(nm) > 1.0 else 0.0
    ip = root_p if abs(npl) < 1.0 else 0.0
    imn = root_m if abs(nm) < 1.0 else 0.0
    nu = g * m / (2.0 * math.pi)
    return nu * (1.0 - (kF / q) * (op - omn)), nu * (kF / q) * (imn - ip)


@jit(forceinline=True)
def _table_position(s, n):  # pragma: no cover - compiled
    """Position of s ∈ [−1, 1] on a table of n equally spaced nodes, in steps from the first,
    clipped to [0, n − 1) (s clipped to [−1, 1), NaN → −1): node int(pos) and int(pos) + 1
    are valid for every lane, so the table read cannot fault."""
    sc = s if s > -1.0 else -1.0
    pos = (sc + 1.0) * 0.5 * (n - 1)
    top = (n - 1) * (1.0 - 2.0**-52)  # the largest position whose int() is n − 2
    return pos if pos < top else top


@jit(forceinline=True)
def _table_value(table, pos):  # pragma: no cover - compiled
    """Linear interpolation of ``table`` at ``pos`` from :func:`_table_position`."""
    j = int(pos)
    fr = pos - j
    return (1.0 - fr) * table[j] + fr * table[j + 1]


@jit(forceinline=True)
def _film_nb(q, om, v, c, pref, smooth):  # pragma: no cover - compiled
    """Sheet Π of the film as (Re, Im), tilted, ballistic, T = 0, for |ω| ≤ v q.

    ``smooth`` = the tabulated ∫[w(μ)μ − w(s)s]/(μ − s)dμ at s = ω/vq (see
    :func:`collision_params`), ``pref`` = the node prefactor × the sheet's thickness × nodes.
    """
    s = om / (v * q)
    a2 = c * c * (1.0 - s * s)
    b2 = 1.0 - a2
    ws = math.pi * (2.0 + a2) / (b2 * b2 * sqrt(b2)) * s
    inside = abs(s) < 1.0
    ratio = (1.0 - s) / (1.0 + s)  # > 0 inside
    lg_inside, im_inside = log(ratio), math.pi * ws
    lg = lg_inside if inside else 0.0
    im = im_inside if inside else 0.0
    return pref * (smooth + ws * lg), pref * im


@jit
def _film_table_nb(q, om, params):  # pragma: no cover - compiled
    """:func:`_film_nb` with the table and constants of ``params`` (tests, benchmark)."""
    pos = _table_position(om / (params[_VA] * q), int(params[_NTAB]))
    smooth = _table_value(params[_TAB0:], pos)
    pref = params[_PREF_NODE] * params[_SHEET]
    return _film_nb(q, om, params[_VA], params[_TILT], pref, smooth)


@jit
def _interaction_sq_nb(q, pa, pp, d, e2):  # pragma: no cover - compiled
    """|U|² of Eq. (A1) (see :func:`layers.interaction.interlayer_interaction`) for
    Π_a, Π_p given as (Re, Im) pairs (the benchmark's plain-momentum integrand)."""
    return _interaction_sq_at_nb(q, exp(-q * d), pa[0], pa[1], pp[0], pp[1], e2)


@jit(forceinline=True)
def _interaction_sq_at_nb(q, x, pa_re, pa_im, pp_re, pp_im, e2):  # pragma: no cover - compiled
    """|U|² of Eq. (A1) given x = e^{−qd}: x²/|v Π_a Π_p (1 − x²) + 1/v + Π_a + Π_p|²."""
    v = 2.0 * math.pi * e2 / q
    c = v * (1.0 - x * x)
    den_re = c * (pa_re * pp_re - pa_im * pp_im) + 1.0 / v + pa_re + pp_re
    den_im = c * (pa_re * pp_im + pa_im * pp_re) + pa_im + pp_im
    return x * x / (den_re * den_re + den_im * den_im)


@jit(forceinline=True)
def _psi_nb(tab, lo, step, n, c1, c3, k):  # pragma: no cover - compiled
    """Ψ(K) of a metal's table (see :func:`screening_block`) as (Re, Im): 4-point Lagrange
    (cubic) interpolation on the nodes lo + j h, Re/Im interleaved in ``tab``; outside the
    table the tail −c₁/K − c₃/K³ and Im Ψ = 0 (exponentially small there)."""
    pos = (k - lo) / step
    inside = (pos >= 1.0) & (pos < n - 2.0)
    j = int(pos) if inside else 1
    t = pos - j
    tm1, tm2, tp1 = t - 1.0, t - 2.0, t + 1.0
    l0 = -t * tm1 * tm2 / 6.0
    l1 = 0.5 * tp1 * tm1 * tm2
    l2 = -0.5 * tp1 * t * tm2
    l3 = tp1 * t * tm1 / 6.0
    b = 2 * (j - 1)
    re = l0 * tab[b] + l1 * tab[b + 2] + l2 * tab[b + 4] + l3 * tab[b + 6]
    im = l0 * tab[b + 1] + l1 * tab[b + 3] + l2 * tab[b + 5] + l3 * tab[b + 7]
    tail = -(c1 + c3 / (k * k)) / k
    return (re if inside else tail), (im if inside else 0.0)


@jit(forceinline=True)
def _metal_pi_table_nb(q, om, m, g, tab, lo, step, n, c1, c3):  # pragma: no cover - compiled
    """Π_T(q, ω) of a 2D metal as (Re, Im) from its Ψ table: −(ν/q)[Ψ(K₊) − Ψ(K₋)],
    K± = mω/q ± q/2 (:func:`layers.metal.metal_polarization_edge_function`)."""
    kc = m * om / q
    rp, ip = _psi_nb(tab, lo, step, n, c1, c3, kc + 0.5 * q)
    rm, im = _psi_nb(tab, lo, step, n, c1, c3, kc - 0.5 * q)
    c = -g * m / (2.0 * math.pi) / q
    return c * (rp - rm), c * (ip - im)


@jit(forceinline=True)
def _screen_parts(params, start):  # pragma: no cover - compiled
    """(factor_a, Ψ_p table, lo, h, n, c₁, c₃, Ψ_a table, lo, h, n, c₁, c₃) of the screening
    block at ``start`` (see :data:`SCREENING_LAYOUT`)."""
    b = params[start:]
    n_p, n_a = int(b[3]), int(b[8])
    tab_p = b[11 : 11 + 2 * n_p]
    tab_a = b[11 + 2 * n_p : 11 + 2 * n_p + 2 * n_a]
    return b[0], tab_p, b[1], b[2], n_p, b[4], b[5], tab_a, b[6], b[7], n_a, b[9], b[10]


@jit
def screened_polarizations(q, om, params):  # pragma: no cover - compiled
    """(Re Π_a, Im Π_a, Re Π_p, Im Π_p) at T as the kernel screens with ``"finite_T"``
    (arrays q, ω; the film's table and factor, the metals' Ψ tables) — for the tests; the
    numpy twin is :func:`screened_polarizations_numpy`."""
    start = _TAB0 + int(params[_NTAB])
    fac, tp, lp, hp, n_p, c1p, c3p, ta, la, ha, n_a, c1a, c3a = _screen_parts(params, start)
    out = np.empty((q.size, 4))
    for i in range(q.size):
        pp = _metal_pi_table_nb(q[i], om[i], params[_MP], params[_GP], tp, lp, hp, n_p, c1p, c3p)
        if params[_KIND] == 0.0:
            pa_re, pa_im = _film_table_nb(q[i], om[i], params)
            pa = (pa_re * fac, pa_im * fac)
        else:
            pa = _metal_pi_table_nb(
                q[i], om[i], params[_MA], params[_GA], ta, la, ha, n_a, c1a, c3a
            )
        out[i, 0], out[i, 1], out[i, 2], out[i, 3] = pa[0], pa[1], pp[0], pp[1]
    return out


@jit(forceinline=True)
def _film_quadratic(q, om, e1, c, v_a):  # pragma: no cover - compiled
    """The film's quadratic in |k₁| (see :func:`_weyl_root_nb`): (K, W, 1 − s, 1 + s, h, D).

    K = ε₁/v, W = ω/v, s = W/q, h = (q² − W²)/2q, D = K²(1 − μ_K²) + c²h² with
    K²(1 − μ_K²) = K²(1 − s)(1 + s)(1 − q(1 + s)/2K)(1 + q(1 − s)/2K) (no cancellation).
    """
    kf = e1 / v_a
    w = om / v_a
    qm, qp = (q - w) / q, (q + w) / q  # 1 − s, 1 + s
    h = 0.5 * q * qm * qp
    disc = kf * kf * qm * qp * (1.0 - 0.5 * q * qp / kf) * (1.0 + 0.5 * q * qm / kf) + c * c * h * h
    return kf, w, qm, qp, h, disc


@jit(forceinline=True)
def _weyl_root_nb(q, om, e1, sp, v_a, tilt, branch):  # pragma: no cover - compiled
    """A root μ = q̂·k̂₁ of v(|k₁| − |k₁ − q|) = ω at fixed ε₁, ψ: (μ, √(1−μ²), |k₁|, R, den, ∂Δ/∂μ).

    Closed form. With K = ε₁/v, W = ω/v (|W| < q), k = |k₁|, R = |k₁ − q| = k − W:
    R² = k² − 2kqμ + q² gives μ = s + h/k (s = W/q, h = (q² − W²)/2q), and the tilted
    surface k(1 + C√(1−μ²) sin ψ) = K, squared with k√(1−μ²) = √((1−s²)k² − 2shk − h²),
    is the quadratic (1 − c²(1−s²))k² − 2(K − c²sh)k + K² + c²h² = 0, c = C sin ψ, with roots

        k = (K − c²sh − b c√D)/(1 − c²(1−s²)),   D = K²(1 − μ_K²) + c²h²,  μ_K = s + h/K,

    b = ``branch`` = ±1. A root of the square is a root of the equation only if
    k − K = −c k√(1−μ²) (checked: |k(1 + c√(1−μ²)) − K| ≤ 1e-9 K). For q ≲ k_F the root
    b = +1 is the only one (it is continuous from c = 0, where k = K); for q ≳ k_F and large
    C the other can be a root too (Δ(μ) folds: two roots, ∂Δ/∂μ of opposite signs) or b = +1
    is not one (checked against a scan of Δ(μ) in the tests). 1 ∓ μ = ((q ∓ W)/q)(1 ∓ (q ± W)/2k)
    are formed without cancellation. ∂Δ/∂μ at fixed ε₁, ψ without the removable 1/√(1−μ²)
    of ∂k/∂μ; ``den`` = 1 + C k̂_z = K/k. μ = NaN if this branch is not a root (then the
    other outputs are meaningless: branch-free, every lane computes everything).
    """
    c = tilt * sp
    c2 = c * c
    kf, w, qm, qp, h, disc = _film_quadratic(q, om, e1, c, v_a)
    kk = (kf - c2 * (w / q) * h - branch * c * sqrt(disc)) / (1.0 - c2 * qm * qp)
    rr = kk - w
    one_minus = qm * (1.0 - 0.5 * q * qp / kk)
    one_plus = qp * (1.0 + 0.5 * q * qm / kk)
    mu_minus, mu_plus = 1.0 - one_minus, one_plus - 1.0
    mu = mu_minus if one_minus < one_plus else mu_plus
    st = sqrt(one_minus * one_plus)
    den = 1.0 + c * st
    dd = v_a * (q * kk / rr + kk * c * mu * st * q * q / (den * rr * (rr + kk - q * mu)))
    root = (disc >= 0.0) & (rr > 0.0) & (one_minus >= 0.0) & (one_plus >= 0.0)
    root &= abs(kk * den - kf) <= 1e-9 * kf
    return (mu if root else math.nan), st, kk, rr, den, dd


@jit(forceinline=True)
def _second_root_possible(q, om, e1, sp, v_a, tilt):  # pragma: no cover - compiled
    """False where the branch b = −1 of :func:`_weyl_root_nb` cannot be a root (cheap test).

    With A = 1 − c²(1−s²) > 0, the branch's k obeys A(k − K) = c(P − b√D),
    P = c((1−s²)K − sh), and a root needs k − K = −c k√(1−μ²), i.e. P − b√D = −A k√(1−μ²)
    ≤ 0. For b = −1 that is P + √D ≤ 0: impossible when P + √D > 0, which is the common case
    (P > 0 for q ≲ k_F). A relative margin of 1e-6 leaves the near-equal cases to the
    full check of :func:`_weyl_root_nb`, so the result is that of always trying both
    branches (tested). The test is also what keeps b = −1 from counting the root of b = +1
    a second time where c√D is below the root check's 1e-9 (c = 0: the two coincide).
    """
    c = tilt * sp
    kf, w, qm, qp, h, disc = _film_quadratic(q, om, e1, c, v_a)
    pp = c * (qm * qp * kf - (w / q) * h)
    root = sqrt(disc)
    return (c != 0.0) & (disc >= 0.0) & (pp + root <= 1e-6 * (abs(pp) + root))


@jit(forceinline=True)
def _passive_metal_point(x0, x1, x2, d, T, mu_p, m_p, kf_p, second_sin2):  # pragma: no cover
    """The passive metal's part of one point: (valid, q, e^{−qd}, ω, weight).

    q from x₀ (density d e^{−qd}), δ from x₁ (thermal logistic on [−q, q] through sin², twice
    if ``second_sin2``), E from x₂ (exact Fermi window of ω₀ = v_F δ); the weight is
    prefactor × q³ (measure and q² of η) × the elliptic-coordinate measure × Jacobians ×
    f(ε_k)(1 − f(ε_{k+q})). ``valid`` False: the point contributes 0 (its other outputs may
    be NaN).
    """
    v_p = kf_p / m_p
    q, jq = screening_wavevector_nb(x0, 0.5 * d)
    xq = 1.0 - x0  # e^{−qd} for the density d e^{−qd} (q = −ln(1 − t)/d)
    # 2D active layer: its 1/√ edge at |ω| = v q meets the passive one (equal velocities:
    # 1/(q² − δ²) together); a second sin² makes the Jacobian ∝ (q² − δ²)^{3/4}, the weight
    # ∝ (q² − δ²)^{−1/4}: finite variance
    sn1, cs1 = sincos_pi(0.5 * x1)
    sin2, jac2 = sn1 * sn1, math.pi * sn1 * cs1
    t1 = sin2 if second_sin2 else x1
    jt1 = jac2 if second_sin2 else 1.0
    dl, jdl = thermal_frequency_nb(t1, -q, q, T / v_p)
    jdl *= jt1
    om0 = v_p * dl
    # E from the band bottom E_min = (q² + δ²)/8m up: the √ map cancels the measure's edge
    y_min = (q * q + dl * dl) / (8.0 * m_p) - mu_p - 0.5 * om0
    y, jy = fermi_window_above_nb(x2, om0, T, y_min)
    e_mid = mu_p + y + 0.5 * om0
    rho2 = 8.0 * m_p * e_mid - dl * dl
    rho = sqrt(rho2)
    om = rho * dl / (2.0 * m_p)
    heron = sqrt((rho2 - q * q) * (q * q - dl * dl))
    w = jq * q * q * q * jdl * jy * 2.0 * m_p * (rho2 - dl * dl) / (rho * heron)
    w *= occupation_product_nb(e_mid - 0.5 * om - mu_p, e_mid + 0.5 * om - mu_p, T)
    valid = (q > 0.0) & (rho2 > q * q) & (jdl > 0.0) & math.isfinite(jy) & (heron > 0.0)
    return valid, q, xq, om, w


@jit(forceinline=True)
def _film_root_weights(
    q, om, e1, sp, v_a, tilt, boost, rate, branch, allowed
):  # pragma: no cover - compiled
    """One root's measure k₁²/(v(1 + C k̂_z)|∂Δ/∂μ|) × overlap × (1, k₁μ − q/2, 1 − μ²,
    side jump, skew W⁽¹⁾, skew W⁽²⁾) (see :func:`_weyl_root_nb`); zeros if this branch is not
    a root or not ``allowed``. ``rate`` = 1/(4vτ) (module docstring, "e–e–impurity skew")."""
    mu, st, kk, rr, den, dd = _weyl_root_nb(q, om, e1, sp, v_a, tilt, branch)
    use = math.isfinite(mu) & allowed
    w_a = om / v_a
    overlap = 0.5 * (1.0 + (kk - q * mu) / rr)
    g = kk * kk / (v_a * den) / abs(dd) * overlap
    g1 = g * w_a * (2.0 * kk - w_a) / (2.0 * q)  # k₁μ − q/2 = W(2k₁ − W)/2q, no cancellation
    g2 = g * st * st
    # side jump: δr_y/(A q) with δr of k₁ → k₁ − q (node ζ = +1; both nodes add)
    kz = kk * st * sp
    g3 = g * kz * (kk + rr) / (4.0 * boost * kk * kk * rr * rr * overlap)
    # e–e–impurity skew (layers.skew_scattering, Step 4, at u = ŷ, times T/(q × overlap)):
    # W⁽¹⁾: −C k_y²(k + R)/(4vτ k²R²), k_y² = k²(1 − μ²)cos²ψ; W⁽²⁾: a₂ k_z[2 + C k_z(k + R)/
    # (kR)]/(4vτ kR), a₂ = 1/3 exactly (ε_j/v = |k_j| + C k_z of each state)
    g_m = g / overlap
    g4 = -g_m * tilt * rate * st * st * (1.0 - sp * sp) * (kk + rr) / (rr * rr)
    g5 = g_m * rate / 3.0 * kz * (2.0 + tilt * kz * (kk + rr) / (kk * rr)) / (kk * rr)
    return (
        (g if use else 0.0),
        (g1 if use else 0.0),
        (g2 if use else 0.0),
        (g3 if use else 0.0),
        (g4 if use else 0.0),
        (g5 if use else 0.0),
    )


@jit(forceinline=True)
def _film_point(q, om, x3, x4, T, mu_a, v_a, tilt, boost, rate):  # pragma: no cover - compiled
    """The Weyl film's part of one point: (valid, a₀, …, a₅).

    ξ₁ from x₃ (exact Fermi window of ω), ψ from x₄; the sum over the roots μ (one, or two
    where Δ(μ) folds; see :func:`_weyl_root_nb`) of the measure k₁²/(v(1 + C k̂_z)|∂Δ/∂μ|)
    × overlap × (1, k₁μ − q/2, 1 − μ², side jump, skew W⁽¹⁾, skew W⁽²⁾). ``mu_a``: the
    occupations' chemical potential, μ(T) at the film's fixed density (slot ``mu_occ_a``).
    """
    y1, jy1 = fermi_window_energy_nb(x3, om, T)
    e1 = mu_a + y1 + om
    sp = sin_pi(2.0 * x4)
    second = _second_root_possible(q, om, e1, sp, v_a, tilt)
    # the two branches written out (a loop here would keep LLVM from vectorising the
    # kernel's loop over points); b = −1 only where it can be a root
    g0p, g1p, g2p, g3p, g4p, g5p = _film_root_weights(
        q, om, e1, sp, v_a, tilt, boost, rate, 1.0, True
    )
    g0m, g1m, g2m, g3m, g4m, g5m = _film_root_weights(
        q, om, e1, sp, v_a, tilt, boost, rate, -1.0, second
    )
    a0, a1, a2, a3 = g0p + g0m, g1p + g1m, g2p + g2m, g3p + g3m
    a4, a5 = g4p + g4m, g5p + g5m
    valid = (abs(om) < v_a * q) & (e1 > 0.0) & math.isfinite(jy1) & (a0 > 0.0)
    return valid, a0, a1, a2, a3, a4, a5


@jit(forceinline=True)
def _active_metal_point(q, om, x3, T, mu_a, m_a, g_a, kf_a):  # pragma: no cover - compiled
    """The active 2D metal's part of one point: (valid, a₀, a₁, a₂, 0, Re Π_a, Im Π_a).

    The active metal loses ω (k₁ → k₁ − q); ξ₁ from x₃ (exact Fermi window of ω), the delta
    function removed in its elliptic coordinates: E₁ = (ε_{k₁} + ε_{k₁−q})/2,
    δ₁ = |k₁ − q| − |k₁|, d²k₁ δ(ω − …) = 4m²/√((ρ₁² − q²)(q² − δ₁²)) dE₁.
    """
    y1, jy1 = fermi_window_energy_nb(x3, om, T)
    xi1 = y1 + om
    e1m = mu_a + xi1 - 0.5 * om
    r = 0.5 * om / e1m
    dl1sq = m_a * om * om / (e1m * (1.0 + sqrt(1.0 - r * r)))
    rho1sq = 8.0 * m_a * e1m - dl1sq
    heron1 = sqrt((rho1sq - q * q) * (q * q - dl1sq))
    pa_re, pa_im = _stern_nb(q, om, kf_a, m_a, g_a)
    k_geo = sqrt(2.0 * m_a * (mu_a + xi1))
    mu_geo = (k_geo * k_geo - (2.0 * m_a * (mu_a + xi1 - om)) + q * q) / (2.0 * k_geo * q)
    a0 = 4.0 * m_a * m_a / heron1
    a1 = a0 * m_a * om / q  # k₁μ − q/2 = (k₁² − |k₁ − q|²)/2q = mω/q
    a2 = a0 * (1.0 - mu_geo * mu_geo)
    valid = (e1m > 0.0) & (abs(om) < 2.0 * e1m) & math.isfinite(jy1)
    valid &= (dl1sq < q * q) & (rho1sq > q * q)
    return valid, a0, a1, a2, 0.0, pa_re, pa_im


@jit(forceinline=True)
def _point_outputs(
    w, pref, q, xq, om, a0, a1, a2, a3, a4, a5, pa_re, pa_im, T, mu_a, pp_re, pp_im, e2
):  # pragma: no cover - compiled
    """The six outputs of one point from the passive weight ``w``, the prefactor, the
    active layer's (a₀ … a₅) and both polarizations: × the Bose factor of the exact window
    × |U|²."""
    # the window's Jacobian times f(ξ₁)(1 − f(ξ₁ − ω)) is ω n_B(ω) exactly
    w *= pref * window_occupation_nb(om, T)
    w *= _interaction_sq_at_nb(q, xq, pa_re, pa_im, pp_re, pp_im, e2)
    return w * a0, w * om * a1 / (mu_a * q), w * a2, w * a3, w * a4, w * a5


@jit(forceinline=True)
def _zero_rejected(of, flags, stride):  # pragma: no cover - compiled
    """Zero the 6 outputs of every point p with flags[stride p] == 0 (its values may be NaN).

    A separate loop: writing ``v if keep else 0`` in the vectorised loop makes LLVM branch
    around the stores (and then not vectorise)."""
    for p in range(of.size // 6):
        if flags[stride * p] == 0.0:
            for k in range(6):
                of[6 * p + k] = 0.0


@jit(nogil=True)
def collision_integrand(x, out, params):  # pragma: no cover - compiled
    """Integrand protocol of :mod:`montecarlo.integrator`: (η0, η1, η_Q3, η_H^sj, η_H^eei1,
    η_H^eei2) · Jacobian.

    Serial and GIL-free: the integrator runs whole batches on its threads
    (:func:`montecarlo.integrator.run_batches`), so the bits do not depend on the thread count.
    The loop body has no branch and no libm call (:mod:`dragcore.elementary`): every point
    computes every case and selects, so LLVM vectorises the loop (4 or 8 points at once);
    +, −, ×, ÷ and √ are correctly rounded in either form, so the bits are those of a scalar
    loop. Every point is written (0 where it does not contribute).
    """
    if out.shape[1] != 6:
        raise ValueError("collision_integrand writes 6 outputs: n_out must be N_OUT = 6")
    # flat views with literal row lengths: LLVM then sees that the rows do not overlap
    # (with the runtime row stride of a 2-D array it must assume they might, and does not
    # vectorise); the arrays are C-contiguous (the integrator's are)
    n = x.shape[0]
    dim = x.shape[1]
    xf = x.reshape(n * dim)
    of = out.reshape(n * 6)
    d, T, e2 = params[_D], params[_T], params[_E2]
    mu_p, m_p, g_p, kf_p = params[_MUP], params[_MP], params[_GP], params[_KFP]
    mu_a, v_a, m_a, g_a, kf_a = params[_MUA], params[_VA], params[_MA], params[_GA], params[_KFA]
    tilt, sheet, boost = params[_TILT], params[_SHEET], params[_BOOST]
    tau_a, mu_occ = params[_TAU], params[_MUOCC]  # mu_occ: the occupations' μ(T)
    rate = 1.0 / (4.0 * v_a * tau_a) if tau_a > 0.0 else 0.0  # skew rates (film only)
    pref = d / (4.0 * T) * g_p / (4.0 * math.pi**2)
    # screening at T: the block after the film's table (absent: T = 0, the paper's model).
    # Π_T is selected over Stern's point by point (the tables are read in scalar loops of
    # their own); the film's Π_T is its Π times a constant, 1 at T = 0 (x·1 = x: same bits)
    n_tab = int(params[_NTAB])
    screened = params.size > _TAB0 + n_tab
    block = params[_TAB0 + n_tab :] if screened else np.zeros(_SCREEN_HEAD)
    fac_a, tp, lp, hp, n_p, c1p, c3p, ta, la, ha, n_a, c1a, c3a = _screen_parts(block, 0)
    fac_a = fac_a if screened else 1.0
    pol = np.empty(4 * n)  # per point: Re Π_a, Im Π_a, Re Π_p, Im Π_p at T (if screened)
    if params[_KIND] == 0.0:  # the Weyl film
        pref *= sheet / (8.0 * math.pi**3) * 2.0 * math.pi
        pref_film = params[_PREF_NODE] * sheet
        table = params[_TAB0 : _TAB0 + n_tab]
        if dim != 5:
            raise ValueError("the Weyl-film collision integrand has 5 coordinates per point")
        # three passes, so that the two heavy ones vectorise: the table read (an index that
        # depends on the point) is one LLVM cannot bound, so it has its own (scalar) loop
        passive = np.empty(6 * n)  # per point: valid, q, e^{−qd}, ω, weight, table position
        for p in range(n):
            ok, q, xq, om, w = _passive_metal_point(
                xf[5 * p], xf[5 * p + 1], xf[5 * p + 2], d, T, mu_p, m_p, kf_p, False
            )
            passive[6 * p] = 1.0 if ok else 0.0
            passive[6 * p + 1] = q
            passive[6 * p + 2] = xq
            passive[6 * p + 3] = om
            passive[6 * p + 4] = w
            passive[6 * p + 5] = _table_position(om / (v_a * q), n_tab)
        smooth = np.empty(n)
        for p in range(n):
            smooth[p] = _table_value(table, passive[6 * p + 5])
        if screened:
            for p in range(n):
                pol[4 * p + 2], pol[4 * p + 3] = _metal_pi_table_nb(
                    passive[6 * p + 1], passive[6 * p + 3], m_p, g_p, tp, lp, hp, n_p, c1p, c3p
                )
        for p in range(n):
            ok = passive[6 * p] != 0.0
            q, xq, om, w = (
                passive[6 * p + 1],
                passive[6 * p + 2],
                passive[6 * p + 3],
                passive[6 * p + 4],
            )
            ok_a, a0, a1, a2, a3, a4, a5 = _film_point(
                q, om, xf[5 * p + 3], xf[5 * p + 4], T, mu_occ, v_a, tilt, boost, rate
            )
            pa_re, pa_im = _film_nb(q, om, v_a, tilt, pref_film, smooth[p])
            pa_re, pa_im = pa_re * fac_a, pa_im * fac_a
            pp_re, pp_im = _stern_nb(q, om, kf_p, m_p, g_p)
            t_re, t_im = pol[4 * p + 2], pol[4 * p + 3]  # loaded always: a select, no branch
            pp_re = t_re if screened else pp_re
            pp_im = t_im if screened else pp_im
            v0, v1, v2, v3, v4, v5 = _point_outputs(
                w,
                pref,
                q,
                xq,
                om,
                a0,
                a1,
                a2,
                a3,
                a4,
                a5,
                pa_re,
                pa_im,
                T,
                mu_a,
                pp_re,
                pp_im,
                e2,
            )
            passive[6 * p] = 1.0 if ok & ok_a else 0.0
            of[6 * p], of[6 * p + 1], of[6 * p + 2] = v0, v1, v2
            of[6 * p + 3], of[6 * p + 4], of[6 * p + 5] = v3, v4, v5
        _zero_rejected(of, passive, 6)
    else:
        pref *= g_a / (4.0 * math.pi**2)
        if dim != 4:
            raise ValueError("the 2D-metal collision integrand has 4 coordinates per point")
        if screened:  # (q, ω) of every point, then both tables in a scalar loop
            for p in range(n):
                _, q, _, om, _ = _passive_metal_point(
                    xf[4 * p], xf[4 * p + 1], xf[4 * p + 2], d, T, mu_p, m_p, kf_p, True
                )
                pol[4 * p], pol[4 * p + 1] = q, om
            for p in range(n):
                q, om = pol[4 * p], pol[4 * p + 1]
                pol[4 * p], pol[4 * p + 1] = _metal_pi_table_nb(
                    q, om, m_a, g_a, ta, la, ha, n_a, c1a, c3a
                )
                pol[4 * p + 2], pol[4 * p + 3] = _metal_pi_table_nb(
                    q, om, m_p, g_p, tp, lp, hp, n_p, c1p, c3p
                )
        keep = np.empty(n)
        scratch = np.empty(4 * n)
        for p in range(n):
            x0, x1, x2, x3 = xf[4 * p], xf[4 * p + 1], xf[4 * p + 2], xf[4 * p + 3]
            ok, q, xq, om, w = _passive_metal_point(x0, x1, x2, d, T, mu_p, m_p, kf_p, True)
            ok_a, a0, a1, a2, a3, pa_re, pa_im = _active_metal_point(
                q, om, x3, T, mu_occ, m_a, g_a, kf_a
            )
            pp_re, pp_im = _stern_nb(q, om, kf_p, m_p, g_p)
            ta_re, ta_im, tp_re, tp_im = pol[4 * p], pol[4 * p + 1], pol[4 * p + 2], pol[4 * p + 3]
            pa_re = ta_re if screened else pa_re
            pa_im = ta_im if screened else pa_im
            pp_re = tp_re if screened else pp_re
            pp_im = tp_im if screened else pp_im
            v0, v1, v2, _, _, _ = _point_outputs(
                w,
                pref,
                q,
                xq,
                om,
                a0,
                a1,
                a2,
                a3,
                0.0,
                0.0,
                pa_re,
                pa_im,
                T,
                mu_a,
                pp_re,
                pp_im,
                e2,
            )
            keep[p] = 1.0 if ok & ok_a else 0.0
            # three values per point into a stride-4 scratch row (with six stores per point
            # at stride 6, LLVM left this loop scalar: 196 → 639 ns per point, Zen 3)
            scratch[4 * p], scratch[4 * p + 1], scratch[4 * p + 2] = v0, v1, v2
            scratch[4 * p + 3] = 0.0
        for p in range(n):  # no Hall parts in a 2D metal
            for k in range(3):
                of[6 * p + k] = scratch[4 * p + k]
                of[6 * p + 3 + k] = 0.0
        _zero_rejected(of, keep, 1)


# --------------------------------------------------------------------------------------
# numpy twin (independent routes where possible: bisection for μ, package functions for Π
# and U, spinor overlaps from 3-vectors, finite-difference Jacobian)
# --------------------------------------------------------------------------------------
def collision_integrand_numpy(
    x: np.ndarray, bilayer: Bilayer, T: float, screening: str = "T0"
) -> np.ndarray:
    """Plain-numpy twin of :func:`collision_integrand` for the points ``x`` (n, D) → (n, 4).

    ``screening="finite_T"``: |U|² from both layers' exact Π at T
    (:meth:`~layers.interface.Layer.polarization_at`, not the kernel's tables).

    Independent routes: the passive metal's measure as 2m|∂(ε_k, φ)/∂(E, δ)| (polar
    coordinates, Jacobian by central differences) instead of the elliptic-coordinate formula;
    the active metal's as 2m²/(k₁q|sin φ₁|) instead of Heron's 4m²/√(…); μ by bisection
    (one root: valid where Δ(μ) does not fold, q ≲ k_F^a; the folds are tested separately);
    Π and U from the package functions; overlaps from 3-vectors.
    """
    a, p = bilayer.active, bilayer.passive
    d = bilayer.spacing
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    out = np.zeros((n, N_OUT))
    mp, mu_p = p.mass, parabolic_chemical_potential(p.eps_F, T)  # fixed density
    q, jq = screening_wavevector(x[:, 0], 0.5 * d)
    t1, jt1 = x[:, 1], 1.0
    if _TWIN_SECOND_SIN2[a.collision_model]:  # the second sin² of the kernel (2D active layer)
        t1, jt1 = np.sin(0.5 * np.pi * t1) ** 2, 0.5 * np.pi * np.sin(np.pi * t1)
    dl, jdl = thermal_frequency(t1, -q, q, T / p.fermi_velocity)
    jdl = jdl * jt1
    om0 = p.fermi_velocity * dl
    y_min = (q * q + dl * dl) / (8.0 * mp) - mu_p - 0.5 * om0
    y, jy = fermi_window_above(x[:, 2], om0, T, y_min)
    e_mid = mu_p + y + 0.5 * om0

    def polar(e, delta):  # (ε_k, φ) of the passive electron from (E, δ)
        rho = np.sqrt(8.0 * mp * e - delta**2)
        omega = rho * delta / (2.0 * mp)
        eps = e - 0.5 * omega
        k = np.sqrt(2.0 * mp * eps)
        c = (mp * omega - 0.5 * q * q) / (k * q)
        return eps, np.arccos(np.clip(c, -1.0, 1.0)), omega

    _, _, om = polar(e_mid, dl)
    he, hd = 1e-6 * e_mid, np.minimum(1e-6 * q, 1e-3 * (q - np.abs(dl)))
    e_p, f_p, _ = polar(e_mid + he, dl)
    e_m, f_m, _ = polar(e_mid - he, dl)
    g_p, h_p, _ = polar(e_mid, dl + hd)
    g_m, h_m, _ = polar(e_mid, dl - hd)
    det = ((e_p - e_m) * (h_p - h_m) - (f_p - f_m) * (g_p - g_m)) / (4.0 * he * hd)
    measure_p = 2.0 * mp * np.abs(det)

    def f(e):
        return 1.0 / (np.exp(e / T) + 1.0)

    w_metal = p.g_s / (2.0 * np.pi) ** 2 * measure_p * jdl * jy
    w_metal *= f(e_mid - 0.5 * om - mu_p) * (1.0 - f(e_mid + 0.5 * om - mu_p))
    y1, jy1 = fermi_window_energy(x[:, 3], om, T)
    xi1 = y1 + om
    w_active, pa, mu_geo, k_geo, sj, skew = _TWIN_ACTIVE[a.collision_model](a, x, q, om, xi1, T)
    w_active = w_active * jy1 * f(xi1) * (1.0 - f(xi1 - om))
    pp = stern_polarization(q, om, p.fermi_wavevector, mp, p.g_s)
    if screening == "finite_T":
        pa, pp = a.polarization_at(q, om, T), p.polarization_at(q, om, T)
    u2 = np.abs(interlayer_interaction(q, pa, pp, d, bilayer.e2)) ** 2
    w = d / (4.0 * T) / (2.0 * np.pi) * 2.0 * np.pi * jq * q * w_metal * w_active * u2 * q**2
    w = np.where(np.isfinite(w), w, 0.0)
    out[:, 0] = w
    metal_a = a.collision_model == CollisionModel.METAL_2D
    mu_a = parabolic_chemical_potential(a.eps_F, T) if metal_a else a.eps_F  # the kernel's slot
    out[:, 1] = w * om * (k_geo * mu_geo - 0.5 * q) / (mu_a * q)
    out[:, 2] = w * (1.0 - mu_geo**2)
    out[:, 3] = w * sj
    out[:, 4] = w * skew[0]
    out[:, 5] = w * skew[1]
    return out


def _psi_numpy(psi: np.ndarray, lo: float, step: float, c1: float, c3: float, k):
    """Twin of :func:`_psi_nb`: 4-point Lagrange on the nodes lo + j h (complex table)."""
    k = np.asarray(k, dtype=float)
    n = psi.size
    pos = (k - lo) / step
    inside = (pos >= 1.0) & (pos < n - 2.0)
    j = np.where(inside, np.floor(np.where(inside, pos, 1.0)), 1.0).astype(int)
    t = pos - j
    val = np.zeros(k.shape, dtype=complex)
    for i, node in enumerate((-1.0, 0.0, 1.0, 2.0)):
        others = [o for o in (-1.0, 0.0, 1.0, 2.0) if o != node]
        lag = np.prod([(t - o) / (node - o) for o in others], axis=0)
        val += lag * psi[np.clip(j - 1 + i, 0, n - 1)]
    with np.errstate(all="ignore"):
        tail = -(c1 + c3 / (k * k)) / k + 0j
    return np.where(inside, val, tail)


def screened_polarizations_numpy(q, om, params: np.ndarray) -> np.ndarray:
    """Twin of :func:`screened_polarizations`: (Π_a, Π_p) at T, complex, shape (n, 2), from
    the screening block of ``params`` (the same tables; Lagrange weights as products)."""
    q, om = np.asarray(q, float), np.asarray(om, float)
    v, _ = unpack_parameters(params)
    block = unpack_screening(params)
    if block is None:
        raise ValueError("params without a screening block (screening = 'T0')")
    sv = block["values"]

    def metal(role, m, g):
        psi = block[f"psi_{role}"]
        lo, h = sv[f"psi_{role}_lo"], sv[f"psi_{role}_step"]
        c1, c3 = sv[f"psi_{role}_c1"], sv[f"psi_{role}_c3"]
        kc = m * om / q
        dpsi = _psi_numpy(psi, lo, h, c1, c3, kc + 0.5 * q) - _psi_numpy(
            psi, lo, h, c1, c3, kc - 0.5 * q
        )
        return -g * m / (2.0 * np.pi) / q * dpsi

    pp = metal("p", v["mass_p"], v["g_p"])
    if v["active_is_metal"] == float(CollisionModel.METAL_2D):
        pa = metal("a", v["mass_a"], v["g_a"])
    else:
        s = np.linspace(-1.0, 1.0, int(v["table_size"]))
        smooth = np.interp(
            np.clip(om / (v["v_a"] * q), -1.0, 1.0), s, params[TABLE_OFFSET:][: s.size]
        )
        sv_s = om / (v["v_a"] * q)
        a2 = v["tilt"] ** 2 * (1.0 - sv_s**2)
        ws = np.pi * (2.0 + a2) / (1.0 - a2) ** 2.5 * sv_s
        inside = np.abs(sv_s) < 1.0
        with np.errstate(all="ignore"):
            lg = np.where(inside, np.log(np.abs((1.0 - sv_s) / (1.0 + sv_s))), 0.0)
        pref = v["node_prefactor"] * v["sheet"] * sv["pi_factor_a"]
        pa = pref * (smooth + ws * lg + 1j * np.where(inside, np.pi * ws, 0.0))
    return np.stack([pa, pp], -1)


def _film_active_numpy(a, x, q, om, xi1, T):
    """The Weyl film's part of the twin: (measure × overlap, Π_a, q̂·k̂₁, |k₁|, side jump,
    (skew W⁽¹⁾, skew W⁽²⁾)); the skew weights from the 3-vectors by
    :func:`layers.skew_scattering.film_skew_weights` at u = ŷ, times T/(q × overlap)."""
    n = x.shape[0]
    e1 = a.chemical_potential(T) + xi1  # occupations at the fixed density's μ(T)
    psi = 2.0 * np.pi * x[:, 4]
    v, c = a.v_F, a.tilt

    def kvec(mu):
        st = np.sqrt(np.clip(1.0 - mu * mu, 0.0, None))
        kk = e1 / (v * (1.0 + c * st * np.sin(psi)))
        return kk[:, None] * np.stack([mu, st * np.cos(psi), st * np.sin(psi)], -1)

    qv = np.stack([q, 0 * q, 0 * q], -1)

    def delta(mu):  # v(|k₁| − |k₁ − q|) (tilt cancels: q_z = 0), without cancellation
        kv = kvec(mu)
        n1, n2 = np.linalg.norm(kv, axis=-1), np.linalg.norm(kv - qv, axis=-1)
        return v * (2.0 * np.sum(kv * qv, axis=-1) - q * q) / (n1 + n2)

    lo_m, hi_m = -np.ones(n), np.ones(n)
    for _ in range(70):  # bisection: Δ(μ) increases with μ
        mid = 0.5 * (lo_m + hi_m)
        up = delta(mid) > om
        hi_m, lo_m = np.where(up, mid, hi_m), np.where(up, lo_m, mid)
    mu = 0.5 * (lo_m + hi_m)
    h = 1e-5
    mu_lo, mu_hi = np.clip(mu - h, -1.0, 1.0), np.clip(mu + h, -1.0, 1.0)
    dd = (delta(mu_hi) - delta(mu_lo)) / (mu_hi - mu_lo)
    kv = kvec(mu)
    kk = np.linalg.norm(kv, axis=-1)
    radial = kk**2 / (v * (1.0 + c * kv[:, 2] / kk))
    ov = spinor_overlap_sq(kv, 1, kv - qv, 1)
    w_active = a.thickness * a.n_nodes / (2.0 * np.pi) ** 3 * 2.0 * np.pi * radial / dd * ov
    w_active = np.where(np.abs(om) < v * q, w_active, 0.0)
    pa = a.polarization(q, om)  # W N_nodes × the node's Π (layers.interaction)
    mu_geo, k_geo = mu, kk
    dr = coordinate_shift(kv, kv - qv, 1)  # k₁ → k₁ − q
    sj = dr[:, 1] / (a.boost_per_field * q)
    uy = np.broadcast_to(np.array([0.0, 1.0, 0.0]), kv.shape)
    w1i, w1o, w2i, w2o = film_skew_weights(kv, kv - qv, uy, T, c, 1, v, a.tau)
    scale = T / (q * ov)
    return w_active, pa, mu_geo, k_geo, sj, ((w1i + w1o) * scale, (w2i + w2o) * scale)


def _metal_active_numpy(a, x, q, om, xi1, T):
    """The active 2D metal's part of the twin: (measure, Π_a, q̂·k̂₁, |k₁|, 0, (0, 0))."""
    ma = a.mass
    sj = 0.0 * q
    k1 = np.sqrt(2.0 * ma * (parabolic_chemical_potential(a.eps_F, T) + xi1))  # fixed n
    c1 = (2.0 * ma * om + q * q) / (2.0 * k1 * q)
    sin1 = np.sqrt(np.where(np.abs(c1) < 1.0, 1.0 - c1**2, np.nan))
    w_active = a.g_s / (2.0 * np.pi) ** 2 * 2.0 * ma * ma / (k1 * q * sin1)
    pa = a.polarization(q, om)  # Stern's
    mu_geo, k_geo = c1, k1
    return w_active, pa, mu_geo, k_geo, sj, (sj, sj)


#: The twin's active-layer part and whether x₁ goes through the second sin², per path of the
#: kernel (:attr:`layers.interface.Layer.collision_model`).
_TWIN_ACTIVE = {
    CollisionModel.WEYL_FILM: _film_active_numpy,
    CollisionModel.METAL_2D: _metal_active_numpy,
}
_TWIN_SECOND_SIN2 = {CollisionModel.WEYL_FILM: False, CollisionModel.METAL_2D: True}
