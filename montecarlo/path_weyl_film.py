r"""Sampling path of the Weyl film as the active layer (D = 5): tilted linear nodes, a film.

The film's states k₁ → k₁ − q (energy loss ω; q in the plane) are sampled by two coordinates
after the passive metal's three (:mod:`montecarlo.path_metal_2d`):

x₃ → ξ₁ = ε_{k₁} − μ^a(T) with density ∝ f(ξ₁)(1 − f(ξ₁ − ω)) (exact inverse CDF);

x₄ → ψ, azimuth of k̂₁ around q̂; the polar cosine μ = q̂·k̂₁ solves the film's delta
     function v(|k₁| − |k₁ − q|) = ω at fixed (ε₁, ψ) (closed form: a quadratic in |k₁|; one
     root, or two where Δ(μ) folds at q ≳ k_F and large C, summed),
     k₁ = ε₁/(v(1 + C k̂_z)),
     Jacobian 1/|∂Δ/∂μ| (smooth: the 3D continuum has no √ edge, |ω| ≤ v q is a step) and
     the radial measure k₁²/(v(1 + C k̂_z)).

Six values per point (:data:`montecarlo.collision_loop.OUTPUT_NAMES`): the Born weight, η∥⁽¹⁾'s
ω q̂·(k₁ − q/2), η_{Q3}'s 1 − μ², the side jump and the e–e–impurity skew rates W⁽¹⁾, W⁽²⁾
(:mod:`montecarlo.collision`). The film's Re Π needs ∫[w(μ)μ − w(s)s]/(μ − s)dμ (analytic
in s): tabulated on ``table_size`` equally spaced s ∈ [−1, 1] and read in a scalar pass.

The layer is read through its attributes ``eps_F``, ``v_F``, ``tilt``, ``thickness``,
``n_nodes``, ``boost_per_field``, ``tau`` and its ``polarization`` / ``polarization_at``
(:func:`pack_active`, :func:`active_screening`).
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.elementary import log, sin_pi, sqrt
from dragcore.jit import jit
from layers.interaction import _node_prefactor, _smooth_part, weyl_chemical_potential
from layers.interface import CollisionModel
from layers.skew_scattering import film_skew_weights
from layers.weyl import coordinate_shift, spinor_overlap_sq
from montecarlo.kernel_layout import (
    BOOST,
    MU_OCC_A,
    NODE_PREFACTOR,
    SHEET,
    TABLE_OFFSET,
    TABLE_SIZE,
    TAU_A,
    TILT,
    V_A,
)
from montecarlo.path_metal_2d import loop_over_passive_metal, polarizations_over_passive_metal
from montecarlo.path_types import ActivePath
from montecarlo.sampling import fermi_window_energy_nb

__all__ = [
    "WEYL_FILM_PATH",
    "weyl_film_integrand",
    "weyl_film_polarizations",
    "film_table_nb",
    "pack_active",
    "active_screening",
    "active_twin",
]


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
    :func:`pack_active`), ``pref`` = the node prefactor × the sheet's thickness × nodes.
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
    """The Weyl film's part of one point: (valid, (a₀, …, a₅)).

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
    return valid, (a0, a1, a2, a3, a4, a5)


@jit
def film_table_nb(q, om, params):  # pragma: no cover - compiled
    """The film's Π (Re, Im) at T = 0 with the table and constants of ``params`` (benchmark)."""
    ap = _read(params)
    table = params[TABLE_OFFSET : TABLE_OFFSET + int(params[TABLE_SIZE])]
    return _film_nb(q, om, ap[1], ap[2], ap[5], _lookup(table, _position(q, om, ap)))


# --------------------------------------------------------------------------------------
# the film's functions (montecarlo.collision_loop)
# --------------------------------------------------------------------------------------
@jit(forceinline=True)
def _read(params):  # pragma: no cover - compiled
    """(μ(T) of the occupations, v, C, A, 1/(4vτ), node prefactor × sheet, table size,
    W N_nodes)."""
    v_a, tau_a, sheet = params[V_A], params[TAU_A], params[SHEET]
    rate = 1.0 / (4.0 * v_a * tau_a) if tau_a > 0.0 else 0.0  # skew rates
    n_tab = int(params[TABLE_SIZE])
    pref_film = params[NODE_PREFACTOR] * sheet
    return params[MU_OCC_A], v_a, params[TILT], params[BOOST], rate, pref_film, n_tab, sheet


@jit(forceinline=True)
def _prefactor(ap):  # pragma: no cover - compiled
    return ap[7] / (8.0 * math.pi**3) * 2.0 * math.pi


@jit(forceinline=True)
def _position(q, om, ap):  # pragma: no cover - compiled
    return _table_position(om / (ap[1] * q), ap[6])


@jit(forceinline=True)
def _lookup(table, pos):  # pragma: no cover - compiled
    return _table_value(table, pos)


@jit(forceinline=True)
def _point(x3, x4, q, om, T, ap, smooth, t_re, t_im, screened, factor):  # pragma: no cover
    """The film's point and its Π at T: its T = 0 Π times ``factor`` (1 without screening)."""
    mu_occ, v_a, tilt, boost, rate, pref_film, _, _ = ap
    ok_a, a = _film_point(q, om, x3, x4, T, mu_occ, v_a, tilt, boost, rate)
    pa_re, pa_im = _film_nb(q, om, v_a, tilt, pref_film, smooth)
    return ok_a, a, pa_re * factor, pa_im * factor


@jit(forceinline=True)
def _screened(q, om, smooth, ap, psi_a, factor):  # pragma: no cover - compiled
    """Π_T of the ballistic film: its T = 0 Π times a constant (the block's factor)."""
    pa_re, pa_im = _film_nb(q, om, ap[1], ap[2], ap[5], smooth)
    return pa_re * factor, pa_im * factor


@jit(forceinline=True)
def _formed_in_point(q, om, smooth, ap, psi_a, factor):  # pragma: no cover - compiled
    """Nothing for the scalar pass: :func:`_point` forms the film's Π at T itself."""
    return 0.0, 0.0


@jit(nogil=True)
def weyl_film_integrand(x, out, params):  # pragma: no cover - compiled
    """The integrand of the Weyl film over the passive 2D metal (D = 5; serial, GIL-free)."""
    loop_over_passive_metal(x, out, params, 5, False, 6, False, _read, _prefactor, _position,
                            _lookup, _point, _formed_in_point)  # fmt: skip


@jit
def weyl_film_polarizations(q, om, params):  # pragma: no cover - compiled
    """(Re Π_a, Im Π_a, Re Π_p, Im Π_p) at T of the film path's screening (tests)."""
    return polarizations_over_passive_metal(q, om, params, _read, _position, _lookup, _screened)


# --------------------------------------------------------------------------------------
# packer and numpy twin
# --------------------------------------------------------------------------------------
def pack_active(layer, T: float, table_size: int) -> tuple[dict[str, float], np.ndarray]:
    """The film's slots (ε_F, v_F, C, W N_nodes, the node prefactor ε_F²/(8π³v³), the boost per
    field, τ, the occupations' μ(T) at its fixed density: μ³ + π²T²μ = ε_F³) and its Re Π
    table ∫[w(μ)μ − w(s)s]/(μ − s)dμ on ``table_size`` equally spaced s ∈ [−1, 1]
    (:func:`layers.interaction._smooth_part`; linear interpolation, error ≤ h² max|f″|/8)."""
    values = {
        "mu_a": layer.eps_F,
        "v_a": layer.v_F,
        "tilt": layer.tilt,
        "sheet": layer.thickness * layer.n_nodes,
        "boost": layer.boost_per_field,
        "tau_a": layer.tau,
        "node_prefactor": _node_prefactor(layer.eps_F, layer.v_F),
        "mu_occ_a": weyl_chemical_potential(layer.eps_F, T),
    }
    return values, _smooth_part(np.linspace(-1.0, 1.0, table_size), layer.tilt)


def active_screening(layer, T: float, values: dict, spacing: float) -> tuple[dict, np.ndarray]:
    """The film's part of the screening block: no Ψ table; its ballistic Π at T is its T = 0
    Π times a constant (:meth:`layers.weyl_film.WeylFilm.polarization_at`: 1 − π²T²/3ε_F² + …
    at fixed density), taken from the layer and checked to be constant."""
    kf = layer.fermi_wavevector
    q = kf * np.array([0.01, 0.1, 0.5])
    om = layer.fermi_velocity * q * np.array([0.1, 0.5, 0.9])
    ratio = layer.polarization_at(q, om, T) / layer.polarization(q, om)
    if not np.allclose(ratio, ratio[0], rtol=1e-12, atol=0.0):
        raise ValueError("the film's Π at T is not a constant times its T = 0 Π")
    sv = {f"psi_a_{k}": 0.0 for k in ("lo", "step", "c1", "c3")}
    sv["pi_factor_a"] = float(ratio[0].real)
    return sv, np.zeros(0, complex)


def active_twin(a, x, q, om, xi1, T):
    """The Weyl film's part of the twin: (measure × overlap, Π_a, q̂·k̂₁, |k₁|, side jump,
    (skew W⁽¹⁾, skew W⁽²⁾), η∥⁽¹⁾'s normalisation ε_F); μ by bisection (one root: valid where
    Δ(μ) does not fold, q ≲ k_F^a; the folds are tested separately); the skew weights from
    the 3-vectors by :func:`layers.skew_scattering.film_skew_weights` at u = ŷ, times
    T/(q × overlap)."""
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
    skew = ((w1i + w1o) * scale, (w2i + w2o) * scale)
    return w_active, pa, mu_geo, k_geo, sj, skew, a.eps_F


def active_polarization_twin(q, om, values: dict, table: np.ndarray, block: dict) -> np.ndarray:
    """The film's Π_T from its table and the block's factor (twin of the kernel's screening;
    linear interpolation by ``np.interp``)."""
    s = np.linspace(-1.0, 1.0, table.size)
    smooth = np.interp(np.clip(om / (values["v_a"] * q), -1.0, 1.0), s, table)
    sv_s = om / (values["v_a"] * q)
    a2 = values["tilt"] ** 2 * (1.0 - sv_s**2)
    ws = np.pi * (2.0 + a2) / (1.0 - a2) ** 2.5 * sv_s
    inside = np.abs(sv_s) < 1.0
    with np.errstate(all="ignore"):
        lg = np.where(inside, np.log(np.abs((1.0 - sv_s) / (1.0 + sv_s))), 0.0)
    pref = values["node_prefactor"] * values["sheet"] * block["values"]["pi_factor_a"]
    return pref * (smooth + ws * lg + 1j * np.where(inside, np.pi * ws, 0.0))


#: The Weyl film's path (registered under ``CollisionModel.WEYL_FILM``).
WEYL_FILM_PATH = ActivePath(
    float(CollisionModel.WEYL_FILM), 5, weyl_film_integrand, weyl_film_polarizations,
    pack_active, active_screening, active_twin, active_polarization_twin, False,
)  # fmt: skip
