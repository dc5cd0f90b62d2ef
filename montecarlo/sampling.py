"""Physics-informed maps from the unit interval for the interlayer collision integral.

Each map sends a uniform ``t ∈ (0, 1)`` (already moved by the adaptive VEGAS map) to a
physical variable and returns it with its Jacobian ``dvariable/dt``; the integrand multiplies
by the Jacobian. The maps are chosen so that the weight ``f · J`` is bounded and smooth where
the physics is singular or narrow (see :mod:`montecarlo.collision` for how they combine):

* :func:`screening_wavevector` — q with density 2ℓ e^{−2qℓ}; |U_RPA|² ∝ 1/sinh²(qd) decays as
  e^{−2qd} (Eq. A2) and the collision integrand uses ℓ = d/2 (e^{−qd}: a bounded weight
  against the qⁿ prefactor);
* :func:`shell_energy` — an energy measured from a Fermi surface with a logistic density of
  scale ~T, the shape of f(1 − f): the cost does not grow as T/ε_F falls;
* :func:`fermi_window_energy` — the exact inverse CDF of the window f(y) − f(y + ω)
  (a Fermi-shell coordinate whose density *is* the Fermi factors of one layer; defined in
  :mod:`layers.fermi_window`, which the film's state sums share);
* :func:`thermal_frequency` — ω with a logistic density of scale T truncated to the
  kinematic interval [lo, hi], composed with t′ = sin²(πt/2), whose Jacobian
  (π/2) sin(πt) ∝ √((ω − lo)(hi − ω)) cancels the 1/√ edge singularities of a 2D
  particle–hole continuum (the measured weakness of plain VEGAS, see
  :mod:`montecarlo.integrator`).

Every scalar kernel (numba, ``_nb`` suffix) has a vectorised numpy twin; they are compared
in ``tests/montecarlo/test_collision_mc.py``. Units: whatever the caller uses (energies and
T alike).
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.elementary import exp, expm1, log, log1p, sin_pi, sqrt
from dragcore.jit import jit
from layers.fermi_window import fermi_window_energy, fermi_window_energy_nb

__all__ = [
    "screening_wavevector",
    "shell_energy",
    "fermi_window_energy",
    "fermi_window_cdf",
    "fermi_window_above",
    "thermal_frequency",
    "screening_wavevector_nb",
    "shell_energy_nb",
    "fermi_window_energy_nb",
    "fermi_window_cdf_nb",
    "fermi_window_above_nb",
    "thermal_frequency_nb",
    "log_abs_expm1_nb",
    "fermi_nb",
    "window_occupation_nb",
    "occupation_product_nb",
]


# --------------------------------------------------------------------------------------
# scalar numba kernels
# --------------------------------------------------------------------------------------
@jit
def fermi_nb(x: float, T: float) -> float:  # pragma: no cover - compiled
    """f(x) = 1/(e^{x/T} + 1) without overflow (x measured from the chemical potential)."""
    return 0.5 * (1.0 - math.tanh(0.5 * x / T))


@jit
def log_abs_expm1_nb(a: float) -> float:  # pragma: no cover - compiled
    """ln|e^a − 1| for a ≠ 0, accurate for large |a|."""
    if a > 0.0:
        return a + math.log(-math.expm1(-a))
    return math.log(-math.expm1(a))


@jit(forceinline=True)
def screening_wavevector_nb(t: float, d: float) -> tuple[float, float]:  # pragma: no cover
    """q = −ln(1 − t)/(2d), density 2d e^{−2qd} (``d`` a length); returns (q, dq/dt)."""
    q = -log1p(-t) / (2.0 * d)
    return q, 1.0 / (2.0 * d * (1.0 - t))


@jit
def shell_energy_nb(t: float, scale: float) -> tuple[float, float]:  # pragma: no cover
    """ξ = s ln(t/(1 − t)) (logistic, density 1/(4s cosh²(ξ/2s))); returns (ξ, dξ/dt)."""
    return scale * (log(t) - log1p(-t)), scale / (t * (1.0 - t))


@jit(forceinline=True)
def _softplus_nb(z: float) -> float:  # pragma: no cover - compiled
    """ln(1 + e^z) without overflow or cancellation."""
    return (z if z > 0.0 else 0.0) + log1p(exp(-abs(z)))


@jit(forceinline=True)
def fermi_window_cdf_nb(y: float, omega: float, T: float) -> float:  # pragma: no cover
    """The CDF of :func:`fermi_window_energy_nb`'s density at y (its inverse: t(y)).

    ω > 0: (T/ω)[ln(1 + e^{(y+ω)/T}) − ln(1 + e^{y/T})]; ω < 0: that of |ω| at y − |ω|;
    |ω|/T < 1e-9: the logistic 1/(1 + e^{−y/T}). Branch-free (every form computed).
    """
    aw = abs(omega)
    w = aw / T
    tiny = w < 1e-9
    ys = y - (aw if omega < 0.0 else 0.0)
    cdf = (_softplus_nb((ys + aw) / T) - _softplus_nb(ys / T)) / (1.0 if tiny else w)
    cdf_tiny = 1.0 / (1.0 + exp(-y / T))
    return cdf_tiny if tiny else cdf


@jit(forceinline=True)
def fermi_window_above_nb(
    x: float, omega: float, T: float, y_min: float
) -> tuple[float, float]:  # pragma: no cover - compiled
    """y ≥ y_min with density ∝ the Fermi window there; returns (y, dy/dx).

    For a 2D parabolic band whose state-sum measure has a 1/√(y − y_min) edge at the band
    bottom (the elliptic coordinates of :func:`montecarlo.path_metal_2d.passive_metal_point`).
    With t the window's CDF, t = t_min + (1 − t_min) h(x) where h(x) = x²/a below x = a and
    (2x − a) above (C¹), divided by 2 − a: near the edge y − y_min ∝ t − t_min ∝ x², so
    dt/dx ∝ √(t − t_min) cancels the 1/√ and the variance stays finite however much of the
    window reaches the band bottom (with the window alone it was log-divergent: at T ~ ε_F
    the bottom held 13 % of Σw² within 1e-2 T of it). a = min(1, 100 t_min/(1 − t_min)):
    where the bottom lies in the window's exponential tail, the window mass within 4T of it
    is ≈ e⁴ t_min, so the √ region covers it, and far below the window (low T) the map is the
    window's own (a → 0; h = x² everywhere cost 24 % efficiency at T_d/20). No point is
    spent below the edge.
    """
    t_min = fermi_window_cdf_nb(y_min, omega, T)
    t_min = t_min if t_min > 0.0 else 0.0
    span = 1.0 - t_min
    a = 100.0 * t_min / span
    a = a if a < 1.0 else 1.0
    a = a if a > 1e-300 else 1e-300
    inner = x < a
    h = (x * x / a if inner else 2.0 * x - a) / (2.0 - a)
    dh = (2.0 * x / a if inner else 2.0) / (2.0 - a)
    y, jy = fermi_window_energy_nb(t_min + span * h, omega, T)
    return y, jy * dh * span


@jit(forceinline=True)
def window_occupation_nb(omega: float, T: float) -> float:  # pragma: no cover - compiled
    """(dy/dt) f(y + ω)(1 − f(y)) = ω/(e^{ω/T} − 1) for y from :func:`fermi_window_energy_nb`.

    f(y + ω)(1 − f(y)) = [f(y) − f(y + ω)]/(e^{ω/T} − 1) and dy/dt = ω/[f(y) − f(y + ω)]:
    the exact window leaves the Bose factor ω n_B(ω), the same at every y (→ T as ω → 0).
    """
    w = omega / T
    small = abs(w) < 1e-12
    bose = omega / expm1(1.0 if small else w)
    return T if small else bose


@jit(forceinline=True)
def occupation_product_nb(a: float, b: float, T: float) -> float:  # pragma: no cover
    """f(a)(1 − f(b)) = 1/((1 + e^{a/T})(1 + e^{−b/T})) (energies from the chemical potential).

    Two ``exp`` (an overflow gives inf and the product 0, never NaN); 1 − f(b) = f(−b).
    """
    return 1.0 / ((1.0 + exp(a / T)) * (1.0 + exp(-b / T)))


@jit(forceinline=True)
def thermal_frequency_nb(
    t: float, lo: float, hi: float, scale: float
) -> tuple[float, float]:  # pragma: no cover
    """ω ∈ [lo, hi]: t′ = sin²(πt/2), then the logistic (scale s) inverse CDF truncated to
    [lo, hi]; returns (ω, dω/dt). For lo ≥ 0 the mirrored interval is used (no cancellation
    of two CDF values near 1).

    After mirroring a = lo < 0 (or −hi ≤ 0): F(a) = e/(1 + e), 1 − F(a) = 1/(1 + e),
    e = e^{a/s} ≤ 1; a symmetric interval [−h, h] uses e for F(b) too, and 1 − e by
    ``expm1`` where it cancels (e > 1/2).
    sin and cos of πt/2: the ``sin`` of the smaller of πt/2 and π(1 − t)/2, and the
    square root of 1 − (that sine)² ≥ 1/2 for the other (no cancellation).
    u = F(a) + t′ (F(b) − F(a)) and 1 − u = (1 − F(b)) + cos²(πt/2) (F(b) − F(a)) are both
    formed without cancellation; ω = s ln(u/(1 − u)), dω/dt = (F(b) − F(a)) s/(u(1 − u)) ×
    π sin(πt/2) cos(πt/2). Branch-free (every case computed, the right one selected), so
    that the collision kernel's loop vectorises.
    """
    mirror = lo >= 0.0
    sign = -1.0 if mirror else 1.0
    a = -hi if mirror else lo
    b = -lo if mirror else hi
    ea = exp(a / scale)  # ≤ 1
    fa = ea / (1.0 + ea)  # F(a) (and 1 − F(b) of a symmetric interval)
    # general b: e^{−|b|/s} ≤ 1 for F(b) and 1 − F(b)
    eb = exp(-abs(b) / scale)
    lower, upper = eb / (1.0 + eb), 1.0 / (1.0 + eb)
    fb_gen = upper if b >= 0.0 else lower  # F(b)
    gb_gen = lower if b >= 0.0 else upper  # 1 − F(b)
    # symmetric [−h, h]: F(b) − F(a) = (1 − e)/(1 + e), by expm1 where 1 − e cancels
    em1 = -expm1(a / scale)
    one_minus = em1 if ea > 0.5 else 1.0 - ea
    symmetric = b == -a
    gb = fa if symmetric else gb_gen  # 1 − F(b)
    df_sym, df_gen = one_minus / (1.0 + ea), fb_gen - fa
    df = df_sym if symmetric else df_gen
    low = t < 0.5
    t_small = t if low else 1.0 - t
    small = sin_pi(0.5 * t_small)
    large = sqrt(1.0 - small * small)
    sn = small if low else large
    cs = large if low else small
    u = fa + sn * sn * df
    v = gb + cs * cs * df  # 1 − u
    x = scale * log(u / v)
    x = min(max(x, a), b)
    jac = df * scale / (u * v) * math.pi * sn * cs
    return sign * x, jac


# --------------------------------------------------------------------------------------
# numpy twins (vectorised; used in the tests)
# --------------------------------------------------------------------------------------
def screening_wavevector(t, d: float):
    """Numpy twin of :func:`screening_wavevector_nb` (inverse CDF of 2d e^{−2qd})."""
    t = np.asarray(t, dtype=float)
    return -np.log1p(-t) / (2.0 * d), 1.0 / (2.0 * d * (1.0 - t))


def shell_energy(t, scale: float):
    """Numpy twin of :func:`shell_energy_nb`."""
    t = np.asarray(t, dtype=float)
    return scale * np.log(t / (1.0 - t)), scale / (t * (1.0 - t))


def fermi_window_cdf(y, omega, T: float):
    """Numpy twin of :func:`fermi_window_cdf_nb` (direct logarithms, moderate |y|/T)."""
    y, omega = np.broadcast_arrays(np.asarray(y, float), np.asarray(omega, float))
    aw = np.abs(omega)
    ys = y - np.where(omega < 0.0, aw, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cdf = T * (np.logaddexp(0.0, (ys + aw) / T) - np.logaddexp(0.0, ys / T)) / aw
    return np.where(aw / T < 1e-9, 1.0 / (1.0 + np.exp(-y / T)), cdf)


def fermi_window_above(x, omega, T: float, y_min):
    """Numpy twin of :func:`fermi_window_above_nb`."""
    x = np.asarray(x, float)
    t_min = np.maximum(fermi_window_cdf(y_min, omega, T), 0.0)
    span = 1.0 - t_min
    a = np.clip(100.0 * t_min / span, 1e-300, 1.0)
    inner = x < a
    h = np.where(inner, x * x / a, 2.0 * x - a) / (2.0 - a)
    dh = np.where(inner, 2.0 * x / a, 2.0) / (2.0 - a)
    y, jy = fermi_window_energy(t_min + span * h, omega, T)
    return y, jy * dh * span


def thermal_frequency(t, lo, hi, scale: float):
    """Numpy twin of :func:`thermal_frequency_nb` (direct CDF differences, moderate |lo|/s)."""
    t, lo, hi = np.broadcast_arrays(*(np.asarray(v, float) for v in (t, lo, hi)))
    sign = np.where(lo >= 0.0, -1.0, 1.0)  # the kernel maps [lo, hi] ⊂ [0, ∞) mirrored
    a, b = np.where(lo >= 0.0, -hi, lo), np.where(lo >= 0.0, -lo, hi)

    def F(x):
        return 1.0 / (1.0 + np.exp(-x / scale))

    tp = np.sin(0.5 * np.pi * t) ** 2
    u = F(a) + tp * (F(b) - F(a))
    om = scale * np.log(u / (1.0 - u))
    density = u * (1.0 - u) / scale
    return sign * om, (F(b) - F(a)) / density * 0.5 * np.pi * np.sin(np.pi * t)
