r"""The drag coefficients of a bilayer as a deterministic integral: Eqs. (B7), (B13), (B15).

Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by electron-electron skew
scattering*, arXiv:2407.03023v2 (2024), App. B; for two 2D metals the same integral is the
textbook drag of
A.-P. Jauho and H. Smith, *Coulomb drag between parallel two-dimensional electron systems*
(1993). The derivation (boosted distributions, the prefactor d/(8πT) of Eq. B7 that our copy
garbles, the weights ω̃² and 1 − ω̃²) is written out in :mod:`validate.weyl`, which adds the
closed forms, the Hall friction and the drag tensors:

    η∥⁽⁰⁾ = (d/(8π²T)) ∫₀^∞dq q³ ∫₀^∞dω |U(q,ω)|² Im Π_p Im Π_a / sinh²(ω/2T),   (B7)

and η∥⁽¹⁾, η_{Q3} with the weights ω̃² (B13) and 1 − ω̃² (B15), ω̃ = ω/(v_F^a q).

The integral sees the layers only through :class:`layers.interface.Layer` (polarizations,
continua, wave-number breaks), so it is the same for every layer type. Both routes use it:
``validate`` for its tables and figures, the Monte Carlo command (``python -m montecarlo
run``) as the T = 0 column beside its estimate. Internal units (:mod:`dragcore.units`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from dragcore.checks import require_positive
from layers.bilayer import Bilayer
from layers.interaction import interlayer_interaction, interlayer_interaction_strong_screening
from layers.interface import Layer

__all__ = [
    "INTERACTIONS",
    "SCREENINGS",
    "layer_polarization",
    "drag_kernel",
    "Q_PANEL_BREAKS",
    "q_panels",
    "EtaResult",
    "drag_coefficients",
    "drag_quadrature_by_name",
    "PlasmonExposure",
    "thermal_plasmon_exposure",
]

INTERACTIONS = ("exact", "a2")


# --------------------------------------------------------------------------------------
# kernel |U|² Im Π_p Im Π_a
# --------------------------------------------------------------------------------------
SCREENINGS = ("T0", "finite_T")


def layer_polarization(layer: Layer, q, omega, T: float | None = None) -> np.ndarray:
    """Π of a layer, complex: at T = 0 (``T`` None: Stern; the tilted ballistic film) or at
    temperature T and the layer's fixed density (the layer's ``polarization_at``, at the
    chemical potential μ(T) that holds the density: the 2D metal by Maldague's integral done
    exactly, the ballistic film by its exact factor (μ² + π²T²/3)/ε_F² = 1 − π²T²/(3ε_F²) + …)."""
    return layer.polarization(q, omega) if T is None else layer.polarization_at(q, omega, T)


def drag_kernel(
    bilayer: Bilayer, q, omega, interaction: str = "exact", screening_T: float | None = None
) -> np.ndarray:
    """|U(q,ω)|² Im Π_p(q,ω) Im Π_a(q,ω) (sheet quantities; energy⁻²·length⁻⁴ × |U|²).

    ``interaction="exact"``: Eq. (A1) with Stern's exact Π_p and the tilted ballistic film Π_a.
    ``interaction="a2"``: Eq. (A1) for κd ≫ 1 with both polarizations in the ballistic limit
    (for a film + metal at C = 0 this is Eq. A2 times the ballistic imaginary parts).
    ``screening_T`` (exact interaction only): the polarizations at this temperature
    (:func:`layer_polarization`) in |U|² and in both Im Π; None: T = 0 (the paper's model).
    """
    if interaction not in INTERACTIONS:
        raise ValueError(f"interaction = {interaction!r} is not one of {INTERACTIONS}")
    a, p = bilayer.active, bilayer.passive
    if interaction == "exact":
        pa = layer_polarization(a, q, omega, screening_T)
        pp = layer_polarization(p, q, omega, screening_T)
        u = interlayer_interaction(q, pa, pp, bilayer.spacing, bilayer.e2)
    else:
        if screening_T is not None:
            raise ValueError("screening at finite T needs interaction = 'exact'")
        pa = a.dos_2d * a.ballistic_polarization(q, omega)
        pp = p.dos_2d * p.ballistic_polarization(q, omega)
        u = interlayer_interaction_strong_screening(q, pa, pp, bilayer.spacing, bilayer.e2)
    return np.abs(u) ** 2 * pp.imag * pa.imag


# --------------------------------------------------------------------------------------
# quadrature
# --------------------------------------------------------------------------------------
def _edges(
    layer: Layer, q, ballistic: bool, T_thermal: float | None = None
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Particle–hole continuum [lo, hi] of a layer at q ≥ 0 and its interior kinks: the
    ballistic [0, v q] or the layer's own (:meth:`~layers.interface.Layer.continuum`, at
    ``T_thermal`` with its thermal tails and the plasmons up to 40T)."""
    if ballistic:
        return np.zeros_like(q), layer.fermi_velocity * q, []
    return layer.continuum(q, T_thermal)


def _sin2_panel(a, b, n):
    """Gauss–Legendre on [a, b] after ω = a + (b − a) sin²(πt/2): smooth at √ end points."""
    x, w = np.polynomial.legendre.leggauss(n)
    t = 0.5 * (x + 1.0)
    s = np.sin(0.5 * np.pi * t) ** 2
    jac = 0.5 * np.pi * np.sin(np.pi * t) * 0.5
    a, b = np.asarray(a)[..., None], np.asarray(b)[..., None]
    return a + (b - a) * s, (b - a) * jac * w


Q_PANEL_BREAKS = (0.0, 0.25, 0.5, 1.0, 2.0, 3.5, 6.0, 10.0, 16.0, 24.0, 36.0)
"""Break points of the q panels in units of 1/d; the last, 36/d, is the cut (e^{−2qd} < 10⁻³¹)."""


def q_panels(
    bilayer: Bilayer, T: float, n: int, wavevector_breaks: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes x = q d and weights on the q panels of the package's quadratures.

    Panels between :data:`Q_PANEL_BREAKS`, the thermal wave numbers T/v_F of both layers and
    (``wavevector_breaks``) their :meth:`~layers.interface.Layer.wavevector_breaks` (2k_F of a
    metal), all clipped to [0, 36]; n points per panel; panels narrower than 1e-12 dropped.
    """
    d = bilayer.spacing
    xb = list(Q_PANEL_BREAKS)
    for lay in (bilayer.active, bilayer.passive):
        xb.append(T / lay.fermi_velocity * d)
        if wavevector_breaks:
            xb.extend(k * d for k in lay.wavevector_breaks())
    xb = np.unique(np.clip(np.array(xb), 0.0, 36.0))
    xg, wg = np.polynomial.legendre.leggauss(n)
    qs, wq = [], []
    for lo, hi in zip(xb[:-1], xb[1:], strict=True):
        if hi - lo < 1e-12:
            continue
        qs.append(0.5 * (hi - lo) * xg + 0.5 * (hi + lo))
        wq.append(0.5 * (hi - lo) * wg)
    return np.concatenate(qs), np.concatenate(wq)


def _inv_sinh2(x):
    """1/sinh²(x) for x > 0 without overflow."""
    return 4.0 * np.exp(-2.0 * x) / np.expm1(-2.0 * x) ** 2


def _plasmon_breaks(bilayer: Bilayer, q, lo, hi, T: float, n_scan: int = 240) -> list:
    """ω break points around the coupled plasmons of the bilayer at temperature T.

    Where Re D(q, ω) = 0 (D the denominator of U, Eq. A1) with Im D small, |U|² has a
    Lorentzian peak of half-width γ = |Im D/∂_ω Re D| — at T > 0 the metals' Im Π are
    thermally nonzero above their continua, so the peak adds to the drag (the plasmon
    enhancement of Flensberg & Hu). Up to two sign changes of Re D per q are located on a
    geometric scan of [lo, hi]; the breaks ω_r + γ·{0, ±1, ±4, ±16, ±64} put panels on each
    peak (unused slots repeat ``lo``: empty panels)."""
    a, p = bilayer.active, bilayer.passive
    frac = np.geomspace(1e-4, 1.0 - 1e-9, n_scan)  # the end point: the film's log edge
    om = lo[:, None] + (hi - lo)[:, None] * frac[None, :]
    qq = np.broadcast_to(q[:, None], om.shape)
    pa = layer_polarization(a, qq, om, T)
    pp = pa if p is a else layer_polarization(p, qq, om, T)
    x = np.exp(-qq * bilayer.spacing)
    v = 2.0 * np.pi * bilayer.e2 / qq
    den = v * pa * pp * (1.0 - x * x) + 1.0 / v + pa + pp
    re = den.real
    out = []
    flips = np.signbit(re[:, 1:]) != np.signbit(re[:, :-1])
    for _ in range(2):
        has = flips.any(axis=1)
        j = np.argmax(flips, axis=1)
        rows = np.arange(q.size)
        o0, o1 = om[rows, j], om[rows, j + 1]
        r0, r1 = re[rows, j], re[rows, j + 1]
        slope = (r1 - r0) / np.where(o1 > o0, o1 - o0, 1.0)
        w_r = o0 - r0 / np.where(slope != 0.0, slope, 1.0)
        gamma = np.abs(0.5 * (den.imag[rows, j] + den.imag[rows, j + 1]))
        gamma = gamma / np.where(slope != 0.0, np.abs(slope), 1.0)
        gamma = np.maximum(gamma, 1e-9 * hi)
        for c in (0.0, 1.0, -1.0, 4.0, -4.0, 16.0, -16.0, 64.0, -64.0):
            out.append(np.where(has, w_r + c * gamma, lo))
        flips[rows, j] = False
    return out


@dataclass(frozen=True)
class PlasmonExposure:
    """How much thermal particle–hole weight sits on the T = 0 coupled plasmons.

    ``weight`` = max over q of e^{−2qd} |Im Π_a(q, ω_r) Im Π_p(q, ω_r)|/(Π_a(q, 0) Π_p(q, 0)),
    Im Π at T, ω_r(q) a zero of Re D (D the denominator of U, Eq. A1, with the T = 0
    polarizations) above both layers' T = 0 continua; ``qd`` and ``omega_over_T`` where the
    maximum is (NaN if no plasmon meets thermal weight: then ``weight`` = 0)."""

    weight: float
    qd: float
    omega_over_T: float


def thermal_plasmon_exposure(
    bilayer: Bilayer, T: float, n_q: int = 160, n_scan: int = 400
) -> PlasmonExposure:
    """Thermal Im Π of both layers at the undamped T = 0 coupled plasmons (a PlasmonExposure).

    With the T = 0 screened interaction (``screening="T0"``, the paper's model) |U|² has real
    double poles at these plasmons; where both layers' Im Π at T are non-zero there, the
    integrand Im Π_a Im Π_p |U|² is not integrable, so the collision integral that the Monte
    Carlo samples (Im Π at T) diverges. For the Weyl film this never happens: its Im Π is
    exactly 0 above v q at any T (transitions within one cone change the energy by at most
    v q), and the plasmons lie above both continua (weight 0). For two 2D metals both thermal
    tails reach the plasmons: the weight grows from ~1e-6 at 0.05 T_F to ~1e-4 at 0.3 T_F
    (d = 40 nm, n = 1e11 cm⁻²). With screening at T the poles are Landau-damped into the
    finite peaks of Flensberg & Hu. q d on a geometric grid [0.02, 20], ω on a geometric
    scan up to 1000 × the continuum top.
    """
    require_positive("T", T)
    a, p = bilayer.active, bilayer.passive
    d = bilayer.spacing
    q = np.geomspace(0.02, 20.0, n_q) / d
    top = np.maximum(a.thermal_omega_max(q, 0.0), p.thermal_omega_max(q, 0.0))
    if np.all(np.minimum(a.thermal_omega_max(q, T), p.thermal_omega_max(q, T)) <= top):
        # a layer whose continuum does not widen with T (the film): no thermal Im Π there
        return PlasmonExposure(0.0, float("nan"), float("nan"))
    om = top[:, None] * (1.0 + np.geomspace(1e-6, 1e3, n_scan))[None, :]
    qq = np.broadcast_to(q[:, None], om.shape)
    pa, pp = a.polarization(qq, om), p.polarization(qq, om)
    x = np.exp(-qq * d)
    v = 2.0 * np.pi * bilayer.e2 / qq
    re = (v * pa * pp * (1.0 - x * x) + 1.0 / v + pa + pp).real
    rows, cols = np.nonzero(np.signbit(re[:, 1:]) != np.signbit(re[:, :-1]))
    if rows.size == 0:
        return PlasmonExposure(0.0, float("nan"), float("nan"))
    o0, o1 = om[rows, cols], om[rows, cols + 1]
    r0, r1 = re[rows, cols], re[rows, cols + 1]
    w_r = o0 - r0 * (o1 - o0) / (r1 - r0)
    qr = q[rows]
    zero = np.zeros_like(qr)
    static = a.polarization(qr, zero).real * p.polarization(qr, zero).real
    ims = a.im_polarization_at(qr, w_r, T) * p.im_polarization_at(qr, w_r, T)
    weight = np.abs(ims / static) * np.exp(-2.0 * qr * d)
    k = int(np.argmax(weight))
    if not weight[k] > 0.0:
        return PlasmonExposure(0.0, float("nan"), float("nan"))
    return PlasmonExposure(float(weight[k]), float(qr[k] * d), float(w_r[k] / T))


def omega_panels(
    bilayer: Bilayer, q, T: float, n: int, ballistic: bool = False, screening_T: float | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The ω panels of the Eq. B7 quadrature at each q: the nodes and weights of
    :func:`_sin2_panel` between the break points (the common continuum [lo, hi] of the two
    layers, their kinks, lo + (1, 4, 12, 40) T, a mesh graded towards hi, where the 3D
    Lindhard function has its log, and with ``screening_T`` the thermal plasmons).

    Yields
    ------
    qq, omega, weight
        Per panel, arrays of shape (len(q), n): q broadcast, the nodes ω (the continuum's
        middle on a panel of zero width) and their weights (0 on such a panel).
    """
    lo_a, hi_a, kinks_a = _edges(bilayer.active, q, ballistic, screening_T)
    lo_p, hi_p, kinks_p = _edges(bilayer.passive, q, ballistic, screening_T)
    lo = np.maximum(lo_a, lo_p)
    hi = np.minimum(hi_a, hi_p)
    ok = hi > lo
    cand = [lo, hi] + kinks_a + kinks_p + [lo + c * T for c in (1.0, 4.0, 12.0, 40.0)]
    cand += [hi - g * (hi - lo) for g in (1e-1, 1e-2, 1e-3, 1e-4)]
    if screening_T is not None:
        cand += _plasmon_breaks(bilayer, q, lo, hi, screening_T)
    cand = [np.clip(c, lo, np.where(ok, hi, lo)) for c in cand]
    br = np.sort(np.stack(cand, axis=-1), axis=-1)
    for j in range(br.shape[-1] - 1):
        a_, b_ = br[:, j], br[:, j + 1]
        om, wom = _sin2_panel(a_, b_, n)
        qq = np.broadcast_to(q[:, None], om.shape)
        good = (b_ - a_)[:, None] > 1e-14 * np.maximum(hi, 1e-300)[:, None]
        yield qq, np.where(good, om, 0.5 * (lo + hi)[:, None] + 0 * om), np.where(good, wom, 0.0)


@dataclass(frozen=True)
class EtaResult:
    """Drag coefficients (internal units, 1/cm³) with quadrature error estimates."""

    eta0: float
    eta1: float
    eta_q3: float
    err0: float
    err1: float
    err_q3: float


def _eta_once(
    bilayer: Bilayer, T: float, interaction: str, n: int, screening: str = "T0"
) -> np.ndarray:
    screening_T = T if screening == "finite_T" else None
    d = bilayer.spacing
    a = bilayer.active
    x, wx = q_panels(bilayer, T, n)
    q = x / d
    tot = np.zeros(3)
    panels = omega_panels(bilayer, q, T, n, interaction == "a2", screening_T)
    for qq, om_safe, wt in panels:
        k = drag_kernel(bilayer, qq, np.maximum(om_safe, 1e-300), interaction, screening_T)
        th = _inv_sinh2(np.maximum(om_safe, 1e-300) / (2.0 * T))
        base = k * th * wt * (qq**3)
        wt_ = (om_safe / (a.fermi_velocity * qq)) ** 2
        tot[0] += np.sum(wx[:, None] / d * base)
        tot[1] += np.sum(wx[:, None] / d * base * wt_)
        tot[2] += np.sum(wx[:, None] / d * base * (1.0 - wt_))
    return d / (8.0 * np.pi**2 * T) * tot


def drag_coefficients(
    bilayer: Bilayer, T: float, interaction: str = "exact", n: int = 24, screening: str = "T0"
) -> EtaResult:
    """η∥⁽⁰⁾ (B7), η∥⁽¹⁾ (B13) and η_{Q3} (B7 with weight 1 − ω̃²) by 2D quadrature.

    (d/(8π²T)) ∫₀^∞dq q³ ∫₀^∞dω |U|² Im Π_p Im Π_a / sinh²(ω/2T) × {1, ω̃², 1 − ω̃²},
    ω̃ = ω/(v_F^a q). Gauss–Legendre panels in q (break points at multiples of 1/d, T/v_F and
    2k_F of each metal; cut at 36/d where e^{−2qd} < 10⁻³¹) and, for each q, in ω between
    the particle–hole edges of both layers, their kinks and ω = T, 4T, 12T, 40T, each panel
    mapped by ω = a + (b − a) sin²(πt/2) to absorb the √ edge singularities. The error
    estimate is the difference from the same rule with ⌈1.5n⌉ points per panel.
    ``screening="finite_T"``: both polarizations at T (:func:`layer_polarization`) in |U|²
    and in Im Π, the metals' continua widened thermally (:func:`_edges`); ``"T0"``: the
    paper's model. (A metal active layer's plasmon region, above both continua, is not
    covered: 2D–2D drag at T ≳ 0.2 T_F needs it — Flensberg & Hu.)
    """
    require_positive("T", T)
    if screening not in SCREENINGS:
        raise ValueError(f"screening = {screening!r} is not one of {SCREENINGS}")
    r1 = _eta_once(bilayer, T, interaction, n, screening)
    r2 = _eta_once(bilayer, T, interaction, int(np.ceil(1.5 * n)), screening)
    err = np.abs(r2 - r1)
    return EtaResult(*(float(v) for v in r2), *(float(v) for v in err))


def drag_quadrature_by_name(
    bilayer: Bilayer, T: float, interaction: str = "exact", screening: str = "T0"
) -> tuple[dict[str, float], dict[str, float]]:
    """:func:`drag_coefficients` as ``name → value`` and ``name → error`` mappings
    (``eta0``, ``eta1``, ``eta_q3``; internal units): the ``quadrature`` that
    :func:`montecarlo.run.run_collision_mc` puts beside the Monte Carlo (``python -m
    montecarlo run`` passes it, with the run's ``screening``)."""
    r = drag_coefficients(bilayer, T, interaction, screening=screening)
    return (
        {"eta0": r.eta0, "eta1": r.eta1, "eta_q3": r.eta_q3},
        {"eta0": r.err0, "eta1": r.err1, "eta_q3": r.err_q3},
    )
