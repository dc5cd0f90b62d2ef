r"""The dimensionless drag functions f(ς) and g(ς, β) of Eq. (22), by exact frequency integration.

Zverevich & Levchenko, *Nonreciprocal Coulomb drag in electron bilayers*, Eqs. (21)–(24):

.. math::

    f(ς) = \int_0^\infty\!dx\int_0^\infty\!dy\;
           \frac{2ς\,x^5 y^4 e^{-2x}}{π_+π_-},\qquad
    g(ς,β) = \int\!\!\int \frac{2βς^2 x^9 y^4 e^{-2x}}{π_+π_-}
             \Big[\frac{(1+e^{-x})^2}{π_+} + \frac{(1-e^{-x})^2}{π_-}\Big],

    π_±(x, y) = (y^2 - a_±)^2 + ς^2 y^2 a_±^2,\qquad a_± = x(1 ± e^{-x}),

with x = qd, y = ω/ω_p (dimensionless), ς = 2πσ/(dκω_p) the plasmon attenuation and
β = ν/(d²ω_p) the kinematic viscosity (Eq. 24). The paper's ζ in Figs. 2–3 is this ς.

Route 1 (production): the y-integral in closed form
----------------------------------------------------
With s = iy and b_± = ς a_±, π_± = |A_±(s)|² with the Hurwitz quadratics
A_±(s) = s² + b_± s + a_±, so y⁴/(π_+π_-) = |s²/(A_+A_-)|² and the two g terms are
|s²/(A_+²A_-)|², |s²/(A_+A_-²)|². For a Hurwitz polynomial A of degree n and
B(s) = s², write B(s)B(−s) = C(s)A(−s) + C(−s)A(s) with deg C ≤ n−1 (n linear equations
for the coefficients of C, the Hurwitz–determinant system); then C/A is analytic in
Re s ≥ 0, decays like c_{n−1}/s, and closing the contour in the right half plane gives

.. math::  \int_{-\infty}^{\infty} |B(iy)/A(iy)|^2 dy = 2π\,c_{n-1}/\mathrm{lc}(A).

Solved for the two products (derivation by computer algebra, checked in the tests against
adaptive quadrature and against the state-space/Lyapunov formula 2π cPcᵀ), with
Δ = a_+ − a_- and D = Δ² + (b_+ + b_-)(a_- b_+ + a_+ b_-):

.. math::

    \int_{-\infty}^{\infty}\frac{y^4 dy}{π_+π_-} = \frac{π(a_-b_+ + a_+b_-)}{b_+b_- D},\qquad
    \int_{-\infty}^{\infty}\frac{y^4 dy}{π_+^2π_-}
        = π\frac{b_-Δ^2 + (b_+ + b_-)^2(2a_-b_+ + a_+b_-)}{2 b_- b_+^3 D^2},

and the second g term by ± exchange (:func:`resonance_pair_integrals`). Every term is
positive: the merging of the resonances at large x (Δ = 2x e^{−x} → 0, computed directly,
never as a difference) and their narrowing at small ς cause no cancellation — unlike the
textbook Hurwitz-determinant denominator a₁a₂a₃ − a₀a₃² − a₁²a₄ of the expanded quartic,
whose terms cancel to a relative ≈ ς²/2 where the resonances merge (rounding error
≈ 2ε/ς²). With b_± = ς a_±, Δ = 2x e^{−x},
a_+ + a_- = 2x, a_+a_- = x²(1 − e^{−2x}), everything collapses to ONE-dimensional integrals:

.. math::

    f(ς) = \frac{π}{2}\int_0^\infty \frac{x^3\,dx}{1 + ς^2 x(e^{2x}-1)},\qquad
    g(ς,β) = \frac{πβ}{4ς}\int_0^\infty
        \frac{x^4\,[(1-e^{-2x})^{-1} + 3ς^2 x e^{2x}]}{[1 + ς^2 x(e^{2x}-1)]^2}\,dx.

(:func:`frequency_integrated_f`, :func:`frequency_integrated_g`; evaluated in the
overflow-free form multiplied through by e^{−2x}.) The x-integrals are done by composite
Gauss–Legendre panels — fine panels of width ≤ 1/(6ς) near x = 0 (the integrand has poles
at x ≈ ±i/(ς√2)), geometric panels up to x = 1, unit panels up to X + 26 where
X = W₀(2/ς²)/2 is where the resonances overlap (the Fermi-like step of the integrand,
poles ≈ π/2 off the real axis) — with two rules per panel (16 and 24 nodes); their
difference is the reported error estimate, and the panels are refined until it is below
``rtol``. Vectorised over x and ς.

The paper states that the remaining integrals "cannot be evaluated in a closed analytical
form"; the frequency integral can (above), the x-integral of a Fermi-like step cannot.

Route 2 (:func:`f_nested_quad`, :func:`g_nested_quad`; tests and report): the 2D integrand of
Eq. (22) as printed, ``scipy.integrate.quad`` in y on pieces bounded by each plasmon
resonance y = √a_± and the points at distance w·8^k from it (w = ς a_±/2 its half width,
points closer than w/100 merged, so that merged resonances do not create slivers), then
``quad`` in x split at X. It agrees with route 1 within its requested 1e-12 plus route 1's
error estimate on ς ∈ [0.01, 10] (``tests/validate/test_fg.py``).

Asymptotics: :mod:`validate.fg_asymptotic` (ς → ∞ series and the ς → 0 Sommerfeld series,
derived there; tested in ``tests/validate/test_fg.py``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import integrate, special

from dragcore.checks import require_positive, require_range

__all__ = [
    "VARSIGMA_RANGE",
    "DEFAULT_FIGURE_BETA",
    "FIG2_VARSIGMA",
    "fg_table",
    "QuadratureResult",
    "f",
    "g",
    "f_with_error",
    "g_with_error",
    "spectral_density",
    "nonreciprocal_spectral_density",
    "plasmon_lines",
    "resonance_pair_integrals",
    "frequency_integrated_f",
    "frequency_integrated_g",
    "overlap_scale",
    "f_nested_quad",
    "g_nested_quad",
]

#: ς accepted by :func:`f` and :func:`g`. Outside it ς² or the result under/overflows
#: double precision; the quadrature is verified (error estimate ≤ rtol) over all of it.
VARSIGMA_RANGE = (1e-30, 1e30)
#: β of the g/f figure, as in the paper's Fig. 3 (the paper estimates β ≲ 1/(k_F d) with
#: k_F d ~ 2…20; :func:`validate.figures.fg_figures`)
DEFAULT_FIGURE_BETA = [0.01, 0.03, 0.1, 0.3, 1.0]
#: ς of the spectral-density figure, as in the paper's Fig. 2
FIG2_VARSIGMA = 0.15

def _check_varsigma(varsigma) -> np.ndarray:
    return require_range("varsigma", varsigma, *VARSIGMA_RANGE)


def _check_beta(beta) -> np.ndarray:
    return require_positive("beta", beta, allow_zero=True)


def _out(arr: np.ndarray):
    arr = np.asarray(arr, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


# ---------------------------------------------------------------------------------------------
# The integrands of Eq. (22)
# ---------------------------------------------------------------------------------------------


def plasmon_lines(x):
    """Squared plasmon frequencies a_± = x(1 ± e^{−x}) of Eq. (14) in units of ω_p².

    Parameters
    ----------
    x
        qd (dimensionless), ≥ 0.

    Returns
    -------
    (a_plus, a_minus, delta)
        a_± and Δ = a_+ − a_- = 2x e^{−x}, each computed without cancellation
        (a_- = −x·expm1(−x)). The plasmon lines of Fig. 2 are y = √a_±.
    """
    x = np.asarray(x, dtype=float)
    e = np.exp(-x)
    return x * (1.0 + e), -x * np.expm1(-x), 2.0 * x * e


def _pi_pm(x, y, varsigma):
    a_p, a_m, _ = plasmon_lines(x)
    y2 = np.asarray(y, dtype=float) ** 2
    s2 = np.asarray(varsigma, dtype=float) ** 2
    pi_p = (y2 - a_p) ** 2 + s2 * y2 * a_p**2
    pi_m = (y2 - a_m) ** 2 + s2 * y2 * a_m**2
    return pi_p, pi_m


def spectral_density(x, y, varsigma):
    """The integrand F(x, y) of f, Eq. (22a) (the spectral density of Fig. 2).

    Parameters
    ----------
    x
        qd (dimensionless), ≥ 0.
    y
        ω/ω_p (dimensionless), ≥ 0; (x, y) = (0, 0) is the one point where it is 0/0.
    varsigma
        ς = 2πσ/(dκω_p) of Eq. (24) (dimensionless), > 0.

    Returns
    -------
    2ς x⁵ y⁴ e^{−2x} / (π_+ π_-), broadcast over the arguments.
    """
    s = _check_varsigma(varsigma)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    pi_p, pi_m = _pi_pm(x, y, s)
    return _out(2.0 * s * x**5 * y**4 * np.exp(-2.0 * x) / (pi_p * pi_m))


def nonreciprocal_spectral_density(x, y, varsigma, beta):
    """The integrand of g, Eq. (22b), same arguments as :func:`spectral_density` plus β ≥ 0."""
    s = _check_varsigma(varsigma)
    b = _check_beta(beta)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    pi_p, pi_m = _pi_pm(x, y, s)
    e = np.exp(-x)
    bracket = (1.0 + e) ** 2 / pi_p + (1.0 - e) ** 2 / pi_m
    return _out(2.0 * b * s**2 * x**9 * y**4 * np.exp(-2.0 * x) / (pi_p * pi_m) * bracket)


def resonance_pair_integrals(a_plus, b_plus, a_minus, b_minus, delta=None):
    """Closed forms of ∫_{−∞}^{∞} y⁴ dy over π_+π_-, π_+²π_-, π_+π_-² (route 1's kernel).

    For π_± = (y² − a_±)² + b_±² y² = |A_±(iy)|², A_± = s² + b_± s + a_± Hurwitz
    (a_±, b_± > 0); derivation in the module docstring.

    Parameters
    ----------
    a_plus, b_plus, a_minus, b_minus
        Coefficients (dimensionless; in Eq. 23 a_± = x(1 ± e^{−x}), b_± = ς a_±).
    delta
        a_+ − a_-, if known without cancellation (default: the difference).

    Returns
    -------
    (i_f, i_plus, i_minus)
        ∫y⁴/(π_+π_-), ∫y⁴/(π_+²π_-), ∫y⁴/(π_+π_-²), over the whole real y axis.
    """
    ap, bp, am, bm = (np.asarray(v, dtype=float) for v in (a_plus, b_plus, a_minus, b_minus))
    d = ap - am if delta is None else np.asarray(delta, dtype=float)
    sb = bp + bm
    den = d**2 + sb * (am * bp + ap * bm)
    i_f = np.pi * (am * bp + ap * bm) / (bp * bm * den)
    i_plus = np.pi * (bm * d**2 + sb**2 * (2 * am * bp + ap * bm)) / (2 * bm * bp**3 * den**2)
    i_minus = np.pi * (bp * d**2 + sb**2 * (2 * ap * bm + am * bp)) / (2 * bp * bm**3 * den**2)
    return i_f, i_plus, i_minus


def frequency_integrated_f(x, varsigma):
    """∫_0^∞ F(x, y) dy of Eq. (22a), exactly: (π/2) x³ / (1 + ς² x (e^{2x} − 1)).

    Parameters
    ----------
    x
        qd (dimensionless), > 0.
    varsigma
        ς of Eq. (24) (dimensionless), > 0.

    Returns
    -------
    The y-integrated density (dimensionless); f(ς) is its integral over x. Evaluated as
    (π/2) x³ e^{−2x} / (e^{−2x} + ς² x (1 − e^{−2x})), free of overflow.
    """
    x = np.asarray(x, dtype=float)
    s = np.asarray(varsigma, dtype=float)
    e2 = np.exp(-2.0 * x)
    return 0.5 * np.pi * x**3 * e2 / (e2 - s**2 * x * np.expm1(-2.0 * x))


def frequency_integrated_g(x, varsigma, beta=1.0):
    """∫_0^∞ dy of the integrand of Eq. (22b), exactly (see the module docstring).

    (πβ/(4ς)) x⁴ [(1 − e^{−2x})⁻¹ + 3ς² x e^{2x}] / [1 + ς² x (e^{2x} − 1)]², evaluated
    multiplied through by e^{−4x}. Arguments as :func:`frequency_integrated_f`, β ≥ 0.
    """
    x = np.asarray(x, dtype=float)
    s = np.asarray(varsigma, dtype=float)
    e2 = np.exp(-2.0 * x)
    q = -np.expm1(-2.0 * x)
    s2x = s**2 * x
    x_over_q = np.where(x > 0, x / np.where(x > 0, q, 1.0), 0.5)  # → 1/2 at x = 0
    num = x**3 * e2 * (e2 * x_over_q + 3.0 * s2x * x)
    return 0.25 * np.pi * np.asarray(beta, dtype=float) / s * num / (e2 + s2x * q) ** 2


# ---------------------------------------------------------------------------------------------
# Route 1: composite Gauss–Legendre in x with an error estimate
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuadratureResult:
    """Value of an x-integral and its error estimate (|24-node − 16-node panel rules|)."""

    value: np.ndarray
    error: np.ndarray


@lru_cache(maxsize=8)
def _legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    t, w = np.polynomial.legendre.leggauss(n)
    return t, w


def overlap_scale(varsigma):
    """X = W₀(2/ς²)/2, the root of 2X + ln X = 2 ln(1/ς) (dimensionless qd).

    Beyond x ≈ X the splitting 2x e^{−x} of the two plasmon resonances is smaller than
    their width ς x² (in y²): they overlap, and the y-integrated density drops.
    """
    s = np.asarray(varsigma, dtype=float)
    # W₀(z) for large z via log-space: W = ln z − ln W solved by a few Newton steps.
    ln_z = math.log(2.0) - 2.0 * np.log(s)
    w = np.where(ln_z > 1.0, ln_z - np.log(np.maximum(ln_z, 1.0)), 0.5)
    small = ln_z <= 30.0
    if np.any(small):
        w = np.where(small, special.lambertw(np.exp(np.minimum(ln_z, 30.0))).real, w)
    for _ in range(4):  # Newton on w + ln w = ln z (converged for ln z > 30 from the guess)
        w = np.where(small, w, w - (w + np.log(w) - ln_z) / (1.0 + 1.0 / w))
    return 0.5 * w


def _panel_edges(s: np.ndarray, refine: int) -> np.ndarray:
    """Panel edges, shape (len(s), K+1), the same K for every ς (so that ς vectorises)."""
    s0 = np.minimum(1.0, 1.0 / s)
    x_end = np.maximum(overlap_scale(s), 1.0) + 26.0
    n1 = 6 * refine
    n2 = (int(math.ceil(math.log2(max(float(s.max()), 1.0)))) + 2) * refine
    n3 = int(math.ceil(float(x_end.max()) - 1.0)) * refine
    t1 = np.linspace(0.0, 1.0, n1 + 1)
    t2 = np.linspace(0.0, 1.0, n2 + 1)[1:]
    t3 = np.linspace(0.0, 1.0, n3 + 1)[1:]
    seg1 = s0[:, None] * t1
    seg2 = s0[:, None] ** (1.0 - t2)  # geometric from s0 to 1 (collapses when s0 = 1)
    seg3 = 1.0 + (x_end[:, None] - 1.0) * t3
    return np.concatenate([seg1, seg2, seg3], axis=1)


def _integrate_x(density, s: np.ndarray, rtol: float, refine: int = 1) -> QuadratureResult:
    """∫_0^∞ density(x, ς) dx for every ς in ``s`` (1-D), with an error estimate."""
    for _ in range(4):
        edges = _panel_edges(s, refine)
        lo, hi = edges[:, :-1, None], edges[:, 1:, None]
        mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
        values = []
        for n in (16, 24):
            t, w = _legendre(n)
            vals = density(mid + half * t, s[:, None, None])
            values.append(np.sum(half[..., 0] * (vals @ w), axis=1))
        coarse, fine = values
        # the rules' difference, floored by the rounding error of the panel sum
        rounding = 8 * np.finfo(float).eps * np.abs(fine) * math.sqrt(edges.shape[1])
        error = np.maximum(np.abs(fine - coarse), rounding)
        if np.all(error <= rtol * np.abs(fine)):
            return QuadratureResult(fine, error)
        refine *= 2
    raise RuntimeError(
        f"x-quadrature did not reach rtol = {rtol:g} (worst error estimate "
        f"{float(np.max(error / np.abs(fine))):.3g}) for varsigma = {s[np.argmax(error)]:g}"
    )


def f_with_error(varsigma, *, rtol: float = 1e-12, refine: int = 1) -> QuadratureResult:
    """f(ς) of Eq. (22a) with its quadrature error estimate (route 1).

    Parameters
    ----------
    varsigma
        ς of Eq. (24), scalar or array, in :data:`VARSIGMA_RANGE`.
    rtol
        Required relative error estimate; panels are refined until it is met.
    refine
        Initial panel refinement factor (2, 4, … for a tighter independent evaluation).
    """
    s = _check_varsigma(varsigma)
    res = _integrate_x(frequency_integrated_f, s.ravel(), rtol, refine)
    return QuadratureResult(res.value.reshape(s.shape), res.error.reshape(s.shape))


def g_with_error(varsigma, beta=1.0, *, rtol: float = 1e-12, refine: int = 1) -> QuadratureResult:
    """g(ς, β) of Eq. (22b) with its error estimate (route 1); broadcasts ς against β."""
    s = _check_varsigma(varsigma)
    b = _check_beta(beta)
    res = _integrate_x(frequency_integrated_g, s.ravel(), rtol, refine)
    value, error = res.value.reshape(s.shape), res.error.reshape(s.shape)
    return QuadratureResult(value * b, error * b)


def f(varsigma):
    """f(ς) of Eq. (22a) (dimensionless), relative accuracy ≤ 1e-12 estimated.

    Parameters
    ----------
    varsigma
        ς = 2πσ/(dκω_p) of Eq. (24) (dimensionless), scalar or array, in
        :data:`VARSIGMA_RANGE`.

    Returns
    -------
    float or ndarray of the shape of ``varsigma``.
    """
    return _out(f_with_error(varsigma).value)


def g(varsigma, beta):
    """g(ς, β) of Eq. (22b) (dimensionless); linear in β.

    Parameters
    ----------
    varsigma
        ς of Eq. (24) (dimensionless), in :data:`VARSIGMA_RANGE`.
    beta
        β = ν/(d²ω_p) of Eq. (24) (dimensionless), ≥ 0, finite; broadcast against ς.
    """
    return _out(g_with_error(varsigma, beta).value)


# ---------------------------------------------------------------------------------------------
# Route 2: the 2D integrand as printed, adaptive quadrature in y then x (tests only)
# ---------------------------------------------------------------------------------------------


def _quad(fun, lo, hi, points=None, epsrel=1e-12):
    """``scipy.integrate.quad`` with ``IntegrationWarning`` turned into an error."""
    kwargs = {"epsabs": 0.0, "epsrel": epsrel, "limit": 500}
    if points is not None:
        kwargs["points"] = sorted(p for p in points if lo < p < hi)
    with warnings.catch_warnings():
        warnings.simplefilter("error", integrate.IntegrationWarning)
        return integrate.quad(fun, lo, hi, **kwargs)[0]


def _y_integral_adaptive(x: float, s: float, kind: str) -> float:
    e = math.exp(-x)
    a_p, a_m = x * (1.0 + e), -x * math.expm1(-x)
    s2 = s * s
    c_p, c_m = (1.0 + e) ** 2, (1.0 - e) ** 2

    def integrand(y: float) -> float:
        y2 = y * y
        pp = (y2 - a_p) ** 2 + s2 * y2 * a_p * a_p
        pm = (y2 - a_m) ** 2 + s2 * y2 * a_m * a_m
        base = y2 * y2 / (pp * pm)
        return base if kind == "f" else base * (c_p / pp + c_m / pm)

    # Breakpoints at each resonance y = √a and at geometric distances w·8^k from it
    # (w = ς a/2 its half width), so that every piece sees a smooth integrand.
    points = {0.0}
    for a in (a_m, a_p):
        r, d = math.sqrt(a), 0.5 * s * a
        points.add(r)
        while d < 2.0 * r + 1.0:
            points.update(p for p in (r - d, r + d) if p > 0.0)
            d *= 8.0
    edges = [0.0]  # merge breakpoints closer than 1% of the narrower half width
    for p in sorted(points)[1:]:
        if p - edges[-1] > 0.005 * s * a_m:
            edges.append(p)
    total = _quad(integrand, edges[-1], math.inf, epsrel=1e-13)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        total += _quad(integrand, lo, hi, epsrel=1e-13)
    return total


def _nested(s: float, kind: str) -> float:
    def outer(x: float) -> float:
        if x <= 0.0:
            return 0.0
        inner = _y_integral_adaptive(x, s, kind)
        if kind == "f":
            return 2.0 * s * x**5 * math.exp(-2.0 * x) * inner
        return 2.0 * s * s * x**9 * math.exp(-2.0 * x) * inner

    big_x = max(float(overlap_scale(s)), 1.0)
    points = [min(1.0, 1.0 / s) * k for k in (0.25, 0.5, 1.0)] + [1.0, big_x - 2, big_x, big_x + 2]
    return _quad(outer, 0.0, big_x + 30.0, points, epsrel=1e-12)


def f_nested_quad(varsigma: float) -> float:
    """f(ς) by adaptive quadrature of Eq. (22a) as printed (route 2; slow, scalar ς)."""
    s = float(_check_varsigma(varsigma))
    return _nested(s, "f")


def g_nested_quad(varsigma: float, beta: float) -> float:
    """g(ς, β) by adaptive quadrature of Eq. (22b) as printed (route 2; slow, scalars)."""
    s = float(_check_varsigma(varsigma))
    b = float(_check_beta(beta))
    return b * _nested(s, "g")



def fg_table(varsigma, beta) -> dict:
    """f, g and g/f on the grid ``varsigma`` × ``beta`` (all validated), as plain lists
    keyed for JSON (what ``python -m validate fg`` prints)."""
    s = np.atleast_1d(require_range("varsigma", varsigma, *VARSIGMA_RANGE))
    b = np.atleast_1d(require_positive("beta", beta, allow_zero=True))
    f_res = f_with_error(s)
    g_res = g_with_error(s, 1.0)
    return {
        "varsigma": s.tolist(),
        "beta": b.tolist(),
        "f": f_res.value.tolist(),
        "f_error_estimate": f_res.error.tolist(),
        "g_over_beta": g_res.value.tolist(),
        "g_over_beta_error_estimate": g_res.error.tolist(),
        "g": {str(float(bb)): (bb * g_res.value).tolist() for bb in b},
        "g_over_f": {str(float(bb)): (bb * g_res.value / f_res.value).tolist() for bb in b},
        "asymptotics": {
            "f(varsigma->inf)": "pi*zeta(3)/(8 varsigma^2) - pi/(16 varsigma^4)"
            "*[ln(varsigma^2/2) + 2 - pi^2/3] - 5 pi^2/(32 sqrt2 varsigma^5)",
            "g(varsigma->inf)/beta": "9 pi zeta(3)/(32 varsigma^3) - 5 pi/(64 varsigma^5)"
            "*[ln(varsigma^2/2) + 13/5 - pi^2/3] - 9 pi^2/(64 sqrt2 varsigma^6)",
            "f(varsigma->0)": "(pi/8) X^4 [1 + pi^2/(2 X^2) + ...], X = W(2/varsigma^2)/2",
            "g(varsigma->0)/beta": "pi X^5/(20 varsigma) [1 + ...]",
        },
    }
