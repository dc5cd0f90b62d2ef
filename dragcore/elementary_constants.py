"""The constants of :mod:`dragcore.elementary`: the two-part ln 2 of fdlibm, the split points
and the Taylor coefficients, each an exact rational rounded once to double, with its
representation error (the error bounds of :mod:`dragcore.elementary_bounds` use it).
"""

from __future__ import annotations

import math
from fractions import Fraction

# ----------------------------------------------------------------------------------------------
# Constants. Every coefficient is an exact rational rounded once (float(Fraction) rounds
# correctly), so its representation error is known exactly for the error bound.

_U = 2.0**-53  # unit roundoff of float64

#: pi to 60 digits (the error of this rational, 1e-61, is irrelevant at double precision).
_PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494459")
#: ln 2 to 60 digits.
_LN2 = Fraction("0.693147180559945309417232121458176568075500134360255254120680009")

_LOG2E = 1.4426950408889634  # fl(1/ln 2); only used to choose n, any rounding is harmless
#: fdlibm's ln2_hi = 0x3FE62E42FEE00000: 32 significant bits, so k * ln2_hi is exact for
#: |k| < 2**21 (here |k| <= 1128).
_LN2_HI = 6.93147180369123816490e-01
#: fdlibm's ln2_lo = 0x3DEA39EF35793C76 = fl(ln 2 - ln2_hi).
_LN2_LO = 1.90821492927058770002e-10
#: |ln 2 - ln2_hi - ln2_lo| (representation error of the two-part ln 2).
_LN2_SPLIT_ERR = float(abs(_LN2 - Fraction(_LN2_HI) - Fraction(_LN2_LO)))

_SQRT2 = 1.4142135623730951  # fl(sqrt 2) (the split point of the mantissa; any value near works)
_TWO54 = 18014398509481984.0  # 2**54, scales a subnormal log argument to a normal one
_MIN_NORMAL = 2.2250738585072014e-308  # 2**-1022


def _rounded(exact: Fraction) -> tuple[float, float]:
    """The double nearest to ``exact`` and its representation error."""
    d = float(exact)
    return d, float(abs(Fraction(d) - exact))


#: exp: Taylor coefficients 1/k!, k = 0..13 (degree 13 on |r| <= ln2/2).
_EXP_DEG = 13
_EXP_C = tuple(_rounded(Fraction(1, math.factorial(k))) for k in range(_EXP_DEG + 1))
#: expm1: q(r) = (e^r - 1 - r)/r^2 = sum_j r^j/(j+2)!, j = 0..12 (terms r^2..r^14 of e^r).
_EM1_DEG = 12
_EM1_C = tuple(_rounded(Fraction(1, math.factorial(j + 2))) for j in range(_EM1_DEG + 1))
#: log: R(z) = sum_{j=1..11} 2 z^j/(2j+1), the series of 2 atanh(s)/s - 2 in z = s^2.
_LOG_DEG = 11
_LOG_C = tuple(_rounded(Fraction(2, 2 * j + 1)) for j in range(1, _LOG_DEG + 1))
#: sin(pi y) = y sum_k S_k y^(2k), S_k = (-1)^k pi^(2k+1)/(2k+1)!, k = 0..8 (|y| <= 1/4).
_SIN_DEG = 8
_SIN_C = tuple(
    _rounded((-1) ** k * _PI ** (2 * k + 1) / math.factorial(2 * k + 1))
    for k in range(_SIN_DEG + 1)
)
#: cos(pi y) = sum_k C_k y^(2k), C_k = (-1)^k pi^(2k)/(2k)!, k = 0..9.
_COS_DEG = 9
_COS_C = tuple(
    _rounded((-1) ** k * _PI ** (2 * k) / math.factorial(2 * k)) for k in range(_COS_DEG + 1)
)

# The jitted code reads plain float tuples (numba freezes module-level tuples as constants).
_E = tuple(c for c, _ in _EXP_C)
_Q = tuple(c for c, _ in _EM1_C)
_L = tuple(c for c, _ in _LOG_C)
_S = tuple(c for c, _ in _SIN_C)
_C = tuple(c for c, _ in _COS_C)
_C_TAIL = _C[1:]  # cos(pi y) = 1 + z (C[1] + z (...)): the Horner part
