"""Elementary functions in plain IEEE arithmetic, so that LLVM inlines and vectorises them.

This numba has no SVML: a loop that calls ``math.exp`` makes one scalar libm call per element
and is never vectorised. The functions here are written with ``+ - * /``, ``np.floor``
(lowered to the ``llvm.floor`` intrinsic), bit casts between ``int64`` and ``float64``
(:func:`float_from_bits`, :func:`bits_from_float`) and conditional expressions, which LLVM turns
into ``select`` instructions. (numba's ``math.floor`` returns an ``int64`` through ``fptosi``,
undefined for huge or non-finite arguments, so it is not used.) There is no data-dependent
branch, loop or libm call, so a caller's loop ``for i in range(n): out[i] = exp(x[i])``
compiles to vector code: 4 doubles per instruction with AVX2, 8 with AVX-512
(``benchmarks/bench_elementary.py`` measures the time per element on the machine at hand).

All functions are decorated with :func:`dragcore.jit.jit` (no fastmath: no FMA contraction,
no reassociation), so the vectorised loop and a scalar call give the same bits, and the error
bounds below hold for both.

Error bounds
------------
Every function is a range reduction that is exact (or whose rounding is tracked), a Taylor
polynomial on the reduced interval and a final reconstruction. The bound on the relative error
of a finite, normal result is::

    (truncation error of the polynomial on the reduced interval)
    + (first-order running error bound of every rounded operation, Higham, *Accuracy and
      Stability of Numerical Algorithms*, 2nd ed., section 3.1 and 5.1, with unit roundoff
      u = 2**-53, including the rounding of the coefficients to double).

The second term is computed, not estimated by hand: :func:`relative_error_bound`
(:mod:`dragcore.elementary_bounds`) re-runs each algorithm in numpy on a grid of the reduced
argument (and for every reduction integer n or k) with values that carry an absolute error
bound through every operation (a rounding adds at most half the spacing of the rounded value,
<= u |value|; exact steps add nothing), and takes the maximum of the total relative bound.
Terms of order u**2 are neglected (below 1e-31 relative); refining the grid from 4001 to 200001
points raises the maxima by at most 0.001 u (log; sin_pi 0.0003 u, exp 0), below the two
decimals quoted here. The bounds, in units of u = 2**-53 = 1.11e-16 (a relative error of u is
between 0.5 and 1 ulp):

=========  ========  ===========================================================================
function   bound/u   where it is reached
=========  ========  ===========================================================================
exp        2.00      r near -ln2/2: the last two Horner steps, and ``u |r|`` from rounding ``r``
expm1      2.94      n = 1 (x in [0.35, 1.04]): ``2 em1 + 1`` amplifies the error of ``em1``
log        2.38      k = 0, f near 0.29: the correction ``s (hfsq + R)`` and the final sums
log1p      2.38      as log (the correction ``c`` adds < 1e-31 relative)
sin_pi     2.16      the rounded leading coefficient fl(pi) (0.35 u) and the last two steps
cos_pi     2.16      as sin_pi (the odd quadrants use the sine polynomial; cosine alone: 2.14)
=========  ========  ===========================================================================

All are below 4.5e-16 (4.05 u, i.e. within 2 ulp). ``tests/dragcore/test_elementary.py``
checks the measured errors over random points per range against an 80-bit reference to be
within these bounds (``benchmarks/bench_elementary.py --accuracy`` prints them).

References
----------
The reductions and reconstruction formulas follow fdlibm 5.3 (Sun Microsystems, 1993:
``e_exp.c``, ``s_expm1.c``, ``e_log.c``, ``s_log1p.c``), including its two-part ln 2
(``ln2_hi`` has 21 trailing zero bits, so ``k * ln2_hi`` is exact for ``|k| < 2**21``). The
polynomials are *Taylor* series (coefficients ``1/k!``, ``2/(2j+1)``, ``(-1)**k pi**(2k+1)/(2k+1)!``
rounded correctly to double from exact rationals at import), not fdlibm's minimax polynomials:
higher degree, but every coefficient and the truncation error are derivable by hand.
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.bitcast import bits_from_float, float_from_bits, sqrt
from dragcore.elementary_bounds import relative_error_bound
from dragcore.elementary_constants import (
    _C_TAIL,
    _E,
    _L,
    _LN2_HI,
    _LN2_LO,
    _LOG2E,
    _MIN_NORMAL,
    _Q,
    _S,
    _SQRT2,
    _TWO54,
)
from dragcore.jit import jit

__all__ = [
    "bits_from_float",
    "cos_pi",
    "exp",
    "expm1",
    "float_from_bits",
    "log",
    "log1p",
    "relative_error_bound",
    "sin_pi",
    "sincos_pi",
    "sqrt",
]


@jit
def _pow2(n: int) -> float:
    """``2.0**n`` for an ``int64`` ``-1022 <= n <= 1023`` (exact)."""
    return float_from_bits((n + 1023) << 52)


@jit
def _polynomial(coeffs: tuple[float, ...], x: float) -> float:
    """``coeffs[0] + x (coeffs[1] + x (... + x coeffs[-1]))`` in Horner form (highest first).

    ``coeffs`` is a module constant: numba compiles one version per length, LLVM unrolls the
    loop, so the caller's loop still vectorises (tested) and the operations are those of the
    written-out chain.
    """
    p = coeffs[len(coeffs) - 1]
    for i in range(len(coeffs) - 2, -1, -1):
        p = p * x + coeffs[i]
    return p


# ----------------------------------------------------------------------------------------------
# exp and expm1.


@jit
def exp(x: float) -> float:
    """e**x, vectorisable.

    Parameters
    ----------
    x : float
        Any float64 (dimensionless).

    Returns
    -------
    float
        e**x.

    Notes
    -----
    *Method.* ``n = floor(x / ln2 + 1/2)``, ``r = (x - n ln2_hi) - n ln2_lo`` with fdlibm's two-part
    ln 2 (the first subtraction is exact by Sterbenz's lemma and ``n ln2_hi`` is exact), so ``|r| <=
    ln2/2 + 1e-13``. ``e**r`` is the Taylor polynomial of degree 13 in Horner form; its truncation
    error is at most ``|r|**14/14! e**|r| < 6e-18`` relative (0.05 u). The result is ``(p 2**(n//2))
    2**(n - n//2)``: the first product is exact, the second is exact for a normal result and rounds
    once (correctly) for a subnormal one.

    *Error bound.* Relative error <= ``relative_error_bound("exp")`` = 2.00 u = 2.2e-16 for a normal
    result (truncation + running rounding bound of the Horner steps + the rounding of ``r``, which
    costs ``u |r| <= 0.35 u``). Subnormal results (``-745.13 < x < -708.40``) are *not* flushed:
    their error is at most that relative bound plus half the subnormal spacing, ``2**-1075``
    absolute.

    *Special values.* ``exp(+-0) = 1`` exactly; ``exp(x) = inf`` for ``x > 709.782712893384`` (where
    the rounded result overflows) and ``exp(inf) = inf``; ``exp(x) = 0`` once the result rounds to
    zero (``x < -745.1332191019412``) and ``exp(-inf) = 0``; ``exp(nan) = nan``.
    """
    xc = x if x < 710.0 else 710.0  # nan -> 710, repaired by the last select
    xc = xc if xc > -746.0 else -746.0
    n = np.floor(xc * _LOG2E + 0.5)
    r = (xc - n * _LN2_HI) - n * _LN2_LO
    p = _polynomial(_E, r)
    k = np.int64(n)  # |n| <= 1077: the conversion is exact and defined
    k1 = k >> 1
    y = (p * _pow2(k1)) * _pow2(k - k1)
    return y if x == x else x


@jit
def expm1(x: float) -> float:
    """e**x - 1, vectorisable, accurate relative to the result also near x = 0.

    Parameters
    ----------
    x : float
        Any float64 (dimensionless).

    Returns
    -------
    float
        e**x - 1.

    Notes
    -----
    *Method.* As :func:`exp`, ``x = n ln2 + r`` with ``r = r_hi - r_lo``, ``r_hi = x - n ln2_hi``
    (exact) and ``r_lo = n ln2_lo`` kept separate (fdlibm ``s_expm1.c``); for ``|x| <= ln2/2``, ``n
    = 0`` and ``r = x`` exactly. ``e**r - 1 = r_hi + (r (r q(r)) - r_lo)`` with ``q`` the Taylor
    series of ``(e**r - 1 - r)/r**2`` to degree 12 (terms up to ``r**14/14!``; truncation
    ``|r|**15/15! e**|r|``, < 2.3e-20 relative). Reconstruction: ``2**n em1 + (2**n - 1)`` for ``n
    <= 52`` (``2**n - 1`` is exact there) and ``2 (2**(n-1) (1 + em1)) - 1`` for larger n.

    *Error bound.* Relative error <= ``relative_error_bound("expm1")`` = 2.94 u = 3.3e-16, reached
    for ``n = 1`` (``x`` in [0.35, 1.04]), where ``2 em1 + 1`` amplifies the error of ``em1`` by up
    to 1.41 (n = 0: 2.38 u; n >= 53: 2.10 u). Near 0 the error is relative to ``expm1(x)`` itself
    (for ``|x| <= ln2/2`` the reduction is exact, ``r = x``).

    *Special values.* ``expm1(+-0) = +-0``; ``expm1(x) = x`` exactly for tiny or subnormal ``x``;
    ``expm1(x) = -1`` for ``x < -38`` (where it rounds to -1) and ``expm1(-inf) = -1``; ``expm1(x) =
    inf`` for ``x > 709.782712893384`` and ``expm1(inf) = inf``; ``expm1(nan) = nan``.
    """
    xc = x if x < 710.0 else 710.0
    xc = xc if xc > -40.0 else -40.0
    n = np.floor(xc * _LOG2E + 0.5)
    r_hi = xc - n * _LN2_HI
    r_lo = n * _LN2_LO
    r = r_hi - r_lo
    q = _polynomial(_Q, r)
    em1 = r_hi + (r * (r * q) - r_lo)
    k = np.int64(n)  # -58 <= n <= 1024
    two_n = _pow2(k if k < 53 else 52)
    small = two_n * em1 + (two_n - 1.0)
    large = 2.0 * (_pow2(k - 1) * (1.0 + em1)) - 1.0
    y = small if k < 53 else large
    y = y if x != 0.0 else x  # keeps the sign of zero
    return y if x == x else x


# ----------------------------------------------------------------------------------------------
# log and log1p.


@jit
def _log_kernel(u: float, x: float, with_x: bool) -> float:
    """``log(u) + c``: the shared reduction and polynomial of :func:`log` and :func:`log1p`.

    ``u = 2**k m``, ``m`` in [sqrt(1/2), sqrt(2)), ``f = m - 1`` (exact, Sterbenz); subnormal
    ``u`` is first multiplied by 2**54. With ``s = f/(2+f)``, ``log(1+f) = 2 atanh(s) =
    f - (f**2/2 - s (f**2/2 + R(s**2)))`` (fdlibm ``e_log.c``), ``R`` the Taylor series above.
    ``log(u) = k ln2_hi - ((hfsq - (s (hfsq + R) + (k ln2_lo + c))) - f)``.

    If ``with_x`` (log1p), ``u = fl(1 + x)``; when ``k = 0`` the exact ``f = x`` is used (and
    ``c = 0``), otherwise ``c = (1 + x - u)/u`` corrects the rounding of ``u`` (``1 + x - u`` is
    computed exactly by Knuth's TwoSum).
    """
    sub = u < _MIN_NORMAL
    us = u * _TWO54 if sub else u
    bits = bits_from_float(us)
    e = (bits >> 52) - 1023
    m = float_from_bits((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)  # [1, 2)
    big = m > _SQRT2
    m = 0.5 * m if big else m
    k = float(e) + (1.0 if big else 0.0) - (54.0 if sub else 0.0)
    f = m - 1.0
    # log1p: exact rounding error of u = fl(1 + x) (TwoSum), and f = x when k = 0.
    bb = u - 1.0
    err = (1.0 - (u - bb)) + (x - bb)  # Knuth's TwoSum: 1 + x = u + err exactly
    c = err / u if with_x else 0.0
    k0 = with_x and k == 0.0
    f = x if k0 else f
    c = 0.0 if k0 else c
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    p = _polynomial(_L, z)
    big_r = z * p
    return k * _LN2_HI - ((hfsq - (s * (hfsq + big_r) + (k * _LN2_LO + c))) - f)


@jit
def log(x: float) -> float:
    """Natural logarithm, vectorisable.

    Parameters
    ----------
    x : float
        Any float64 (dimensionless); the result is real for ``x >= 0``.

    Returns
    -------
    float
        The natural logarithm of x.

    Notes
    -----
    *Method.* ``x = 2**k m`` by bit manipulation (subnormal ``x`` scaled by 2**54 first, by a
    select), ``m`` in [sqrt(1/2), sqrt(2)), ``f = m - 1`` exact; ``log(m) = 2 atanh(f/(2+f))`` with
    the atanh Taylor series in ``z = s**2 <= 0.0295`` to ``z**11`` (truncation ``2 z**12/(25
    (1-z))`` in ``R``, < 2e-20 relative of the result) and fdlibm's reconstruction ``k ln2_hi -
    ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)`` (see :func:`_log_kernel`).

    *Error bound.* Relative error <= ``relative_error_bound("log")`` = 2.38 u = 2.6e-16, reached for
    ``k = 0`` (x in [0.71, 1.41]); for ``k = +-1``, where ``k ln2 + log(m)`` cancels by up to a
    factor 2, it is 1.81 u and 2.09 u. The bound holds for subnormal ``x`` too (the scaling by 2**54
    is exact). Near x = 1 the error is relative to ``log(x)`` (``f = x - 1`` is exact).

    *Special values.* ``log(1) = 0`` exactly; ``log(+-0) = -inf``; ``log(x < 0) = nan``, ``log(-inf)
    = nan``; ``log(inf) = inf``; ``log(nan) = nan``.
    """
    y = _log_kernel(x, x, False)
    y = y if x < math.inf else x  # inf -> inf, nan -> nan
    y = y if x >= 0.0 else math.nan
    return y if x != 0.0 else -math.inf


@jit
def log1p(x: float) -> float:
    """log(1 + x), vectorisable, accurate relative to the result also near x = 0.

    Parameters
    ----------
    x : float
        Any float64 (dimensionless); the result is real for ``x >= -1``.

    Returns
    -------
    float
        log(1 + x).

    Notes
    -----
    *Method.* fdlibm ``s_log1p.c`` without its branches: ``u = fl(1 + x)`` is reduced as in
    :func:`log`; for ``k = 0`` (x in [sqrt(1/2) - 1, sqrt(2) - 1)) the exact ``f = x`` is used;
    otherwise the rounding error of ``u`` is added back as ``c = (1 + x - u)/u``, with ``1 + x - u``
    exact (TwoSum), so ``log1p(x) = log(u) + c`` up to ``c**2/2 < 2**-107``.

    *Error bound.* Relative error <= ``relative_error_bound("log1p")`` = 2.38 u = 2.6e-16 (as
    :func:`log`; the correction ``c`` adds at most ``u |c| + c**2/2``). Near x = 0 it is relative to
    ``log1p(x)``; near x = -1 (``x = -1 + 2**-j``) ``u = 1 + x`` is exact and the result is as
    accurate as ``log(u)``.

    *Special values.* ``log1p(+-0) = +-0``; ``log1p(x) = x`` for tiny or subnormal ``x``;
    ``log1p(-1) = -inf``; ``log1p(x < -1) = nan``, ``log1p(-inf) = nan``; ``log1p(inf) = inf``;
    ``log1p(nan) = nan``.
    """
    y = _log_kernel(1.0 + x, x, True)
    y = y if x < math.inf else x  # inf -> inf, nan -> nan
    y = y if x >= -1.0 else math.nan
    y = y if x != -1.0 else -math.inf
    return y if x != 0.0 else x  # keeps the sign of zero


# ----------------------------------------------------------------------------------------------
# sin(pi t) and cos(pi t).


@jit
def _sin_poly(y: float) -> float:
    """sin(pi y) for |y| <= 1/4: Taylor to y**17 (truncation (pi/4)**19/19!, 1.1e-19 rel.)."""
    z = y * y
    p = _polynomial(_S, z)
    return y * p


@jit
def _cos_poly(y: float) -> float:
    """cos(pi y) for |y| <= 1/4: Taylor to y**18 (truncation (pi/4)**20/20!, 4e-21 rel.)."""
    z = y * y
    p = _polynomial(_C_TAIL, z)
    return 1.0 + z * p


@jit
def _half_turns(t: float) -> tuple[float, float]:
    """``t = n/2 + y``, ``n`` the integer nearest to ``2t``, ``|y| <= 1/4``; returns (y, n mod 4).

    Every float with ``|t| >= 2**53`` is an even integer and is first replaced by ``+-0`` (so
    ``2t`` cannot overflow; inf and nan become nan). Then all steps are exact: ``a = 2t``,
    ``floor(a)``, ``a - floor(a)`` in [0, 1), ``y = (a - n)/2``, and
    ``n mod 4 = n - 4 floor(n/4)`` in floating point (no integer conversion).
    """
    t = t if abs(t) < 9007199254740992.0 else t * 0.0  # |t| >= 2**53: an even integer
    a = 2.0 * t
    fl = np.floor(a)
    n = fl + 1.0 if a - fl > 0.5 else fl
    y = 0.5 * (a - n)
    quadrant = n - 4.0 * np.floor(0.25 * n)
    return y, quadrant


@jit
def sin_pi(t: float) -> float:
    """sin(pi t) for any float t, vectorisable; the reduction is exact (no pi t is formed).

    Parameters
    ----------
    t : float
        Any float64: the angle in units of pi (half-turns).

    Returns
    -------
    float
        sin(pi t).

    Notes
    -----
    *Method.* ``t = n/2 + y`` exactly with ``|y| <= 1/4`` (:func:`_half_turns`); by the quadrant ``n
    mod 4`` the result is ``+-sin(pi y)`` or ``+-cos(pi y)``, both Taylor polynomials in ``y`` with
    the coefficients ``pi**k/k!`` rounded to double (truncation < 1.1e-19 relative).

    *Error bound.* Relative error <= ``relative_error_bound("sin_pi")`` = 2.16 u = 2.4e-16
    (uniformly in t: the reduction is exact, so there is no loss near the zeros or for large t).

    *Special values.* ``sin_pi(n) = 0`` exactly for integer n, with the sign of n (``+-0`` for ``t =
    +-0``); ``sin_pi(n + 1/2) = +-1`` exactly; every float with ``|t| >= 2**52`` is an integer or
    half-integer, so the result is exactly 0 or +-1 there; ``sin_pi(+-inf) = sin_pi(nan) = nan``.
    For ``|t| < 7e-309`` the result is subnormal and has an extra absolute error of at most
    ``2**-1075`` (it is rounded, not flushed).
    """
    y, quadrant = _half_turns(t)
    s = _sin_poly(y)
    c = _cos_poly(y)
    v = c if abs(quadrant - 2.0) == 1.0 else s  # odd quadrant: cos
    v = -v if quadrant >= 2.0 else v
    return v if v != 0.0 else t * 0.0  # zero with the sign of t


@jit
def cos_pi(t: float) -> float:
    """cos(pi t) for any float t, vectorisable; the reduction is exact (no pi t is formed).

    Parameters
    ----------
    t : float
        Any float64: the angle in units of pi (half-turns).

    Returns
    -------
    float
        cos(pi t).

    Notes
    -----
    *Method.* As :func:`sin_pi`, with the quadrants of the cosine.

    *Error bound.* Relative error <= ``relative_error_bound("cos_pi")`` = 2.16 u = 2.4e-16 (the odd
    quadrants use the sine polynomial; the even ones are bounded by 2.14 u), uniformly in t.

    *Special values.* ``cos_pi(n + 1/2) = +0`` exactly for integer n; ``cos_pi(n) = +-1`` exactly;
    ``cos_pi(+-inf) = cos_pi(nan) = nan``.
    """
    y, quadrant = _half_turns(t)
    s = _sin_poly(y)
    c = _cos_poly(y)
    v = s if abs(quadrant - 2.0) == 1.0 else c  # odd quadrant: sin
    v = -v if abs(quadrant - 1.5) == 0.5 else v  # quadrants 1 and 2 are negative
    return v + 0.0  # -0 -> +0, every other value unchanged


@jit
def sincos_pi(t: float) -> tuple[float, float]:
    """``(sin_pi(t), cos_pi(t))`` from one reduction and one pair of polynomials.

    Same bits as the two separate calls (the same operations, see :func:`sin_pi` and
    :func:`cos_pi`), at the cost of one of them: both polynomials are evaluated in either
    function anyway, since a branch-free quadrant choice needs both.
    """
    y, quadrant = _half_turns(t)
    s = _sin_poly(y)
    c = _cos_poly(y)
    odd = abs(quadrant - 2.0) == 1.0
    vs = c if odd else s
    vs = -vs if quadrant >= 2.0 else vs
    vc = s if odd else c
    vc = -vc if abs(quadrant - 1.5) == 0.5 else vc
    return (vs if vs != 0.0 else t * 0.0), vc + 0.0
