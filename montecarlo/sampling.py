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
  (a Fermi-shell coordinate whose density *is* the Fermi factors of one layer);
* :func:`thermal_frequency` — ω with a logistic density of scale T truncated to the
  kinematic interval [lo, hi], composed with t′ = sin²(πt/2), whose Jacobian
  (π/2) sin(πt) ∝ √((ω − lo)(hi − ω)) cancels the 1/√ edge singularities of a 2D
  particle–hole continuum (the measured weakness of plain VEGAS, see
  :mod:`montecarlo.integrator`).

Every scalar kernel (numba, ``_nb`` suffix) has a vectorised numpy twin; they are compared
in ``tests/test_collision_mc.py``. Units: whatever the caller uses (energies and T alike).
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.jit import jit

__all__ = [
    "screening_wavevector",
    "shell_energy",
    "fermi_window_energy",
    "thermal_frequency",
    "screening_wavevector_nb",
    "shell_energy_nb",
    "fermi_window_energy_nb",
    "thermal_frequency_nb",
    "log_abs_expm1_nb",
    "fermi_nb",
]

_LN2 = math.log(2.0)


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


@jit
def _log_cosh(x: float) -> float:  # pragma: no cover - compiled
    ax = abs(x)
    return ax + math.log1p(math.exp(-2.0 * ax)) - _LN2


@jit
def _log_abs_sinh(x: float) -> float:  # pragma: no cover - compiled
    ax = abs(x)
    return ax + math.log1p(-math.exp(-2.0 * ax)) - _LN2


@jit
def screening_wavevector_nb(t: float, d: float) -> tuple[float, float]:  # pragma: no cover
    """q = −ln(1 − t)/(2d), density 2d e^{−2qd} (``d`` a length); returns (q, dq/dt)."""
    q = -math.log1p(-t) / (2.0 * d)
    return q, 1.0 / (2.0 * d * (1.0 - t))


@jit
def shell_energy_nb(t: float, scale: float) -> tuple[float, float]:  # pragma: no cover
    """ξ = s ln(t/(1 − t)) (logistic, density 1/(4s cosh²(ξ/2s))); returns (ξ, dξ/dt)."""
    return scale * (math.log(t) - math.log1p(-t)), scale / (t * (1.0 - t))


@jit
def fermi_window_energy_nb(
    t: float, omega: float, T: float
) -> tuple[float, float]:  # pragma: no cover
    """y with density p(y) = [f(y) − f(y + ω)]/ω (exact inverse CDF); returns (y, dy/dt).

    ∫_{−∞}^{y} [f − f(·+ω)] = T ln[(1 + e^{(y+ω)/T})/(1 + e^{y/T})], so with w = ω/T,
    y = T [ln|e^{tw} − 1| − tw − ln|e^{(1−t)w} − 1|]; dy/dt = 1/p(y) with
    f(y) − f(y + ω) = sinh(w/2)/(2 cosh(y/2T) cosh((y + ω)/2T)) (in logarithms).
    """
    w = omega / T
    if abs(w) < 1e-9:
        y = T * (math.log(t) - math.log1p(-t))
        return y, T / (t * (1.0 - t))
    y = T * (log_abs_expm1_nb(t * w) - t * w - log_abs_expm1_nb((1.0 - t) * w))
    log_num = _log_abs_sinh(0.5 * w) - _LN2
    log_den = _log_cosh(0.5 * y / T) + _log_cosh(0.5 * (y + omega) / T)
    density = math.exp(log_num - log_den) / abs(omega)
    return y, 1.0 / density


@jit
def _expit(x: float) -> float:  # pragma: no cover - compiled
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@jit
def thermal_frequency_nb(
    t: float, lo: float, hi: float, scale: float
) -> tuple[float, float]:  # pragma: no cover
    """ω ∈ [lo, hi]: t′ = sin²(πt/2), then the logistic (scale s) inverse CDF truncated to
    [lo, hi]; returns (ω, dω/dt). For lo ≥ 0 the mirrored interval is used (no cancellation
    of two CDF values near 1)."""
    sign = 1.0
    a, b = lo, hi
    if lo >= 0.0:
        sign = -1.0
        a, b = -hi, -lo
    fa, fb = _expit(a / scale), _expit(b / scale)
    s = math.sin(0.5 * math.pi * t)
    tp = s * s
    dtp = 0.5 * math.pi * math.sin(math.pi * t)
    u = fa + tp * (fb - fa)
    x = scale * (math.log(u) - math.log1p(-u))
    x = min(max(x, a), b)
    jac = (fb - fa) * scale / (u * (1.0 - u)) * dtp
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


def fermi_window_energy(t, omega, T: float):
    """Numpy twin of :func:`fermi_window_energy_nb` (direct formulas, no logarithms).

    y = T ln[(e^{tw} − 1)/(e^{w} − e^{tw})]; dy/dt = ω/[f(y) − f(y + ω)] with
    f = 1/(e^{x/T} + 1). Valid for moderate |w| (no overflow guards: a reference).
    """
    t, omega = np.broadcast_arrays(np.asarray(t, float), np.asarray(omega, float))
    w = omega / T
    y = T * np.log(np.expm1(t * w) / (np.exp(w) - np.exp(t * w)))

    def f(x):
        return 1.0 / (np.exp(x / T) + 1.0)

    return y, omega / (f(y) - f(y + omega))


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
