r"""Sampling path of a 2D parabolic band: the passive metal, and the active layer of 2D–2D drag.

Passive metal, elliptic coordinates with foci k = 0 and k = −q: ρ = |k| + |k + q|,
δ = |k + q| − |k| ∈ [−q, q], E = (ε_k + ε_{k+q})/2 = (ρ² + δ²)/(8m), ω = ρδ/(2m), and
d²k = 2m(ρ² − δ²)/(ρ√((ρ² − q²)(q² − δ²))) dE dδ (both half-planes; √(…) = 4 × the area of
the triangle (k, k + q, q), Heron). The particle–hole edges are the FIXED lines δ = ±q:

x₀ → q ∈ (0, ∞), density d e^{−qd} (q along x̂; isotropy: ∫d²q → 2π q dq); with e^{−qd} the
     weight qⁿ e^{−qd} of the integrand's qⁿ e^{−2qd} fall is bounded;
x₁ → δ, thermal logistic of scale T/v_F truncated to [−q, q] and composed with sin², whose
     Jacobian cancels the 1/√(q² − δ²) exactly (2D active layer: twice, see below);
x₂ → E through the exact Fermi window f(y) − f(y + ω₀), ω₀ = v_F δ, from the band bottom
     E_min = (q² + δ²)/8m up (:func:`montecarlo.sampling.fermi_window_above_nb`): the
     measure's 1/√(ρ² − q²) edge is cancelled by dt/dx₂ ∝ √(t − t_min).

Active 2D metal (D = 4): x₃ → ξ₁ through the exact Fermi window; the delta function is
removed in the active metal's elliptic coordinates, d²k₁ δ(ω − …) = 4m²/√((ρ₁² − q²)(q² − δ₁²))
dE₁. That 1/√ edge at |ω| = v₁q sits on the passive one when the velocities are equal, so x₁
goes through sin² twice: Jacobian ∝ (q² − δ²)^{3/4}, weight ∝ (q² − δ²)^{−1/4}, finite
variance. No Hall parts (three values per point).

The layer is read through its attributes ``eps_F``, ``mass``, ``g_s``, ``fermi_wavevector``,
``fermi_velocity`` (:func:`pack_passive`, :func:`pack_active`); Π at T from a Ψ table
(:func:`psi_table`, :func:`layers.metal.metal_polarization_edge_function`).
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.elementary import sincos_pi, sqrt
from dragcore.jit import jit
from layers.interface import CollisionModel
from layers.metal import (
    metal_edge_function_tail,
    metal_polarization_edge_function,
    parabolic_chemical_potential,
)
from montecarlo.collision_loop import (
    collision_loop,
    no_table_lookup,
    no_table_position,
    screened_polarizations_loop,
)
from montecarlo.kernel_layout import G_A, G_P, KF_A, KF_P, MASS_A, MASS_P, MU_OCC_A, MU_P
from montecarlo.path_types import ActivePath, PassivePath
from montecarlo.sampling import (
    fermi_window_above,
    fermi_window_above_nb,
    fermi_window_energy_nb,
    occupation_product_nb,
    screening_wavevector,
    screening_wavevector_nb,
    thermal_frequency,
    thermal_frequency_nb,
)

__all__ = [
    "METAL_2D_PATH",
    "PASSIVE_METAL_PATH",
    "stern_nb",
    "metal_2d_integrand",
    "pack_passive",
    "pack_active",
    "psi_table",
    "passive_twin",
    "active_twin",
    "PASSIVE_COORDINATES",
]

PASSIVE_COORDINATES = 3
"""Coordinates of the passive metal's part of a point (q, δ, E)."""

SCREENING_NODES_PER_WIDTH = 8.0
"""Nodes of a Ψ table per thermal width mT/k_F of its smeared √ edges at |K| = k_F."""
SCREENING_NODES_PER_KF = 400.0
"""At least this many nodes per k_F (the table's resolution where T is not small)."""
SCREENING_MAX_NODES = 400_001
SCREENING_Q_REACH = 40.0
"""The tables reach |K| ≤ k_max + q with q d ≤ 40 (the sampled weight falls as e^{−2qd}:
e^{−80} beyond); k_max = √(2m(ε_F + 40T)) (the Fermi window's reach)."""


# --------------------------------------------------------------------------------------
# Π of a 2D metal: Stern at T = 0, a Ψ table at T
# --------------------------------------------------------------------------------------
@jit(forceinline=True)
def stern_nb(q, om, kF, m, g):  # pragma: no cover - compiled
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
def psi_nb(tab, lo, step, n, c1, c3, k):  # pragma: no cover - compiled
    """Ψ(K) of a metal's table (:func:`psi_table`) as (Re, Im): 4-point Lagrange (cubic)
    interpolation on the nodes lo + j h, Re/Im interleaved in ``tab``; outside the table the
    tail −c₁/K − c₃/K³ and Im Ψ = 0 (exponentially small there)."""
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
def metal_pi_table_nb(q, om, m, g, psi):  # pragma: no cover - compiled
    """Π_T(q, ω) of a 2D metal as (Re, Im) from its Ψ table ``psi`` = (table, lo, h, n, c₁,
    c₃): −(ν/q)[Ψ(K₊) − Ψ(K₋)], K± = mω/q ± q/2
    (:func:`layers.metal.metal_polarization_edge_function`)."""
    tab, lo, step, n, c1, c3 = psi
    kc = m * om / q
    rp, ip = psi_nb(tab, lo, step, n, c1, c3, kc + 0.5 * q)
    rm, im = psi_nb(tab, lo, step, n, c1, c3, kc - 0.5 * q)
    c = -g * m / (2.0 * math.pi) / q
    return c * (rp - rm), c * (ip - im)


# --------------------------------------------------------------------------------------
# the passive metal's functions (montecarlo.collision_loop)
# --------------------------------------------------------------------------------------
@jit(forceinline=True)
def passive_read(params):  # pragma: no cover - compiled
    return params[MU_P], params[MASS_P], params[G_P], params[KF_P]


@jit(forceinline=True)
def passive_prefactor(d, T, pp):  # pragma: no cover - compiled
    return d / (4.0 * T) * pp[2] / (4.0 * math.pi**2)


@jit(forceinline=True)
def passive_metal_point(x0, x1, x2, d, T, pp, second_sin2):  # pragma: no cover - compiled
    """The passive metal's part of one point: (valid, q, e^{−qd}, ω, weight).

    q from x₀ (density d e^{−qd}), δ from x₁ (thermal logistic on [−q, q] through sin², twice
    if ``second_sin2``), E from x₂ (exact Fermi window of ω₀ = v_F δ); the weight is
    q³ (measure and q² of η) × the elliptic-coordinate measure × Jacobians ×
    f(ε_k)(1 − f(ε_{k+q})). ``valid`` False: the point contributes 0 (its other outputs may
    be NaN).
    """
    mu_p, m_p, _, kf_p = pp
    v_p = kf_p / m_p
    q, jq = screening_wavevector_nb(x0, 0.5 * d)
    xq = 1.0 - x0  # e^{−qd} for the density d e^{−qd} (q = −ln(1 − t)/d)
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
def passive_polarization(q, om, pp):  # pragma: no cover - compiled
    return stern_nb(q, om, pp[3], pp[1], pp[2])


@jit(forceinline=True)
def passive_screened(q, om, pp, psi_p):  # pragma: no cover - compiled
    return metal_pi_table_nb(q, om, pp[1], pp[2], psi_p)


# --------------------------------------------------------------------------------------
# the active metal's functions
# --------------------------------------------------------------------------------------
@jit(forceinline=True)
def _active_read(params):  # pragma: no cover - compiled
    return params[MU_OCC_A], params[MASS_A], params[G_A], params[KF_A]


@jit(forceinline=True)
def _active_prefactor(ap):  # pragma: no cover - compiled
    return ap[2] / (4.0 * math.pi**2)


@jit(forceinline=True)
def active_metal_point(
    x3, x4, q, om, T, ap, aux, t_re, t_im, screened, factor
):  # pragma: no cover - compiled
    """The active 2D metal's part of one point: (valid, (a₀, a₁, a₂, 0, 0, 0), Re Π_a, Im Π_a),
    Π_a Stern's, or (``screened``) the table's Π_T ``t_re``, ``t_im``.

    The active metal loses ω (k₁ → k₁ − q); ξ₁ from x₃ (exact Fermi window of ω; no x₄),
    the delta function removed in its elliptic coordinates: E₁ = (ε_{k₁} + ε_{k₁−q})/2,
    δ₁ = |k₁ − q| − |k₁|, d²k₁ δ(ω − …) = 4m²/√((ρ₁² − q²)(q² − δ₁²)) dE₁.
    """
    mu_a, m_a, g_a, kf_a = ap
    y1, jy1 = fermi_window_energy_nb(x3, om, T)
    xi1 = y1 + om
    e1m = mu_a + xi1 - 0.5 * om
    r = 0.5 * om / e1m
    dl1sq = m_a * om * om / (e1m * (1.0 + sqrt(1.0 - r * r)))
    rho1sq = 8.0 * m_a * e1m - dl1sq
    heron1 = sqrt((rho1sq - q * q) * (q * q - dl1sq))
    pa_re, pa_im = stern_nb(q, om, kf_a, m_a, g_a)
    k_geo = sqrt(2.0 * m_a * (mu_a + xi1))
    mu_geo = (k_geo * k_geo - (2.0 * m_a * (mu_a + xi1 - om)) + q * q) / (2.0 * k_geo * q)
    a0 = 4.0 * m_a * m_a / heron1
    a1 = a0 * m_a * om / q  # k₁μ − q/2 = (k₁² − |k₁ − q|²)/2q = mω/q
    a2 = a0 * (1.0 - mu_geo * mu_geo)
    valid = (e1m > 0.0) & (abs(om) < 2.0 * e1m) & math.isfinite(jy1)
    valid &= (dl1sq < q * q) & (rho1sq > q * q)
    pa_re = t_re if screened else pa_re
    pa_im = t_im if screened else pa_im
    return valid, (a0, a1, a2, 0.0, 0.0, 0.0), pa_re, pa_im


@jit(forceinline=True)
def _active_screened(q, om, aux, ap, psi_a, factor):  # pragma: no cover - compiled
    return metal_pi_table_nb(q, om, ap[1], ap[2], psi_a)


@jit(forceinline=True, cache=False)  # takes functions: not cacheable (module docstring)
def loop_over_passive_metal(
    x, out, params, dim, second_sin2, n_values, fuse, read, prefactor, position, lookup, point,
    screened,
):  # pragma: no cover - compiled
    """:func:`montecarlo.collision_loop.collision_loop` of an active layer's constants and
    functions over the passive 2D metal (the functions one by one: a tuple of them would be
    first-class function pointers, not inlined)."""
    collision_loop(x, out, params, dim, second_sin2, n_values, fuse, read, prefactor, position,
                   lookup, point, screened, passive_read, passive_prefactor,
                   passive_metal_point, passive_polarization, passive_screened)  # fmt: skip


@jit(forceinline=True, cache=False)  # takes functions: not cacheable (module docstring)
def polarizations_over_passive_metal(
    q, om, params, a_read, a_position, a_lookup, a_screened
):  # pragma: no cover - compiled
    """:func:`montecarlo.collision_loop.screened_polarizations_loop` over the passive metal."""
    return screened_polarizations_loop(
        q, om, params, a_read, a_position, a_lookup, a_screened, passive_read, passive_screened
    )


@jit(nogil=True)
def metal_2d_integrand(x, out, params):  # pragma: no cover - compiled
    """The integrand of a 2D metal over the passive 2D metal (D = 4; serial, GIL-free)."""
    loop_over_passive_metal(x, out, params, 4, True, 3, True, _active_read, _active_prefactor,
                            no_table_position, no_table_lookup, active_metal_point,
                            _active_screened)  # fmt: skip


@jit
def metal_2d_polarizations(q, om, params):  # pragma: no cover - compiled
    """(Re Π_a, Im Π_a, Re Π_p, Im Π_p) at T of the 2D-metal path's screening (tests)."""
    return polarizations_over_passive_metal(
        q, om, params, _active_read, no_table_position, no_table_lookup, _active_screened
    )


# --------------------------------------------------------------------------------------
# packers: the path's slots of the parameter vector from the layer object
# --------------------------------------------------------------------------------------
def pack_passive(layer, T: float) -> dict[str, float]:
    """The passive metal's slots: occupations at μ(T) = T ln(e^{ε_F/T} − 1) (its fixed
    density, as its ``polarization_at``), m, g_s, k_F."""
    return {
        "mu_p": parabolic_chemical_potential(layer.eps_F, T),
        "mass_p": layer.mass,
        "g_p": layer.g_s,
        "kF_p": layer.fermi_wavevector,
    }


def pack_active(layer, T: float, table_size: int) -> tuple[dict[str, float], np.ndarray]:
    """The active metal's slots (μ(T) as η∥⁽¹⁾'s normalisation and the occupations', m, g_s,
    k_F, v_F) and a placeholder table of 2 (``table_size`` is not used)."""
    mu = parabolic_chemical_potential(layer.eps_F, T)
    values = {
        "mu_a": mu,
        "mu_occ_a": mu,
        "mass_a": layer.mass,
        "g_a": layer.g_s,
        "kF_a": layer.fermi_wavevector,
        "v_a": layer.fermi_velocity,
    }
    return values, np.zeros(2)


def psi_table(mu: float, mass: float, T: float, spacing: float) -> tuple[dict, np.ndarray]:
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


def passive_screening(layer, T: float, values: dict, spacing: float) -> tuple[dict, np.ndarray]:
    """The passive metal's part of the screening block: its Ψ table at T and μ(T)."""
    pv, psi = psi_table(values["mu_p"], values["mass_p"], T, spacing)
    return {f"psi_p_{k}": val for k, val in pv.items()}, psi


def active_screening(layer, T: float, values: dict, spacing: float) -> tuple[dict, np.ndarray]:
    """The active metal's part of the screening block: its Ψ table, factor 1."""
    av, psi = psi_table(values["mu_a"], values["mass_a"], T, spacing)
    sv = {f"psi_a_{k}": val for k, val in av.items()}
    sv["pi_factor_a"] = 1.0
    return sv, psi


# --------------------------------------------------------------------------------------
# numpy twins (independent routes: the passive measure by finite differences in polar
# coordinates, the active one as 2m²/(k₁q|sin φ₁|))
# --------------------------------------------------------------------------------------
def passive_twin(p, x: np.ndarray, d: float, T: float, second_sin2: bool):
    """The passive metal's part of the twin: (q, its density's Jacobian, ω, weight).

    The measure as 2m|∂(ε_k, φ)/∂(E, δ)| (polar coordinates, Jacobian by central
    differences) instead of the elliptic-coordinate formula."""
    mp, mu_p = p.mass, parabolic_chemical_potential(p.eps_F, T)  # fixed density
    q, jq = screening_wavevector(x[:, 0], 0.5 * d)
    t1, jt1 = x[:, 1], 1.0
    if second_sin2:  # the second sin² of the kernel (2D active layer)
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
    w_metal = p.g_s / (2.0 * np.pi) ** 2 * measure_p * jdl * jy
    w_metal *= fermi(e_mid - 0.5 * om - mu_p, T) * (1.0 - fermi(e_mid + 0.5 * om - mu_p, T))
    return q, jq, om, w_metal


def fermi(e, T):
    """The Fermi function 1/(e^{e/T} + 1) of the twins."""
    return 1.0 / (np.exp(e / T) + 1.0)


def active_twin(a, x, q, om, xi1, T):
    """The active 2D metal's part of the twin: (measure, Π_a, q̂·k̂₁, |k₁|, 0, (0, 0), η∥⁽¹⁾'s
    normalisation μ(T))."""
    ma = a.mass
    sj = 0.0 * q
    mu = parabolic_chemical_potential(a.eps_F, T)  # fixed density
    k1 = np.sqrt(2.0 * ma * (mu + xi1))
    c1 = (2.0 * ma * om + q * q) / (2.0 * k1 * q)
    sin1 = np.sqrt(np.where(np.abs(c1) < 1.0, 1.0 - c1**2, np.nan))
    w_active = a.g_s / (2.0 * np.pi) ** 2 * 2.0 * ma * ma / (k1 * q * sin1)
    return w_active, a.polarization(q, om), c1, k1, sj, (sj, sj), mu


def _psi_numpy(psi: np.ndarray, lo: float, step: float, c1: float, c3: float, k):
    """Twin of :func:`psi_nb`: 4-point Lagrange on the nodes lo + j h (complex table)."""
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


def metal_pi_twin(q, om, block: dict, role: str, m: float, g: float) -> np.ndarray:
    """Twin of :func:`metal_pi_table_nb`: Π_T of the metal ``role`` (``"p"``, ``"a"``) from the
    screening block ``block`` (:func:`montecarlo.kernel_layout.unpack_screening`), complex."""
    sv = block["values"]
    psi = block[f"psi_{role}"]
    lo, h = sv[f"psi_{role}_lo"], sv[f"psi_{role}_step"]
    c1, c3 = sv[f"psi_{role}_c1"], sv[f"psi_{role}_c3"]
    kc = m * om / q
    dpsi = _psi_numpy(psi, lo, h, c1, c3, kc + 0.5 * q) - _psi_numpy(
        psi, lo, h, c1, c3, kc - 0.5 * q
    )
    return -g * m / (2.0 * np.pi) / q * dpsi


def active_polarization_twin(q, om, values: dict, table: np.ndarray, block: dict) -> np.ndarray:
    """The active metal's Π_T from the screening block (twin of the kernel's screening)."""
    return metal_pi_twin(q, om, block, "a", values["mass_a"], values["g_a"])


#: The active 2D metal's path (registered under ``CollisionModel.METAL_2D``).
METAL_2D_PATH = ActivePath(
    float(CollisionModel.METAL_2D), 4, metal_2d_integrand, metal_2d_polarizations,
    pack_active, active_screening, active_twin, active_polarization_twin, True,
)  # fmt: skip

#: The passive 2D metal's path.
PASSIVE_METAL_PATH = PassivePath(pack_passive, passive_screening, passive_twin)
