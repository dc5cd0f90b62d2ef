"""The error bounds of :mod:`dragcore.elementary`, derived by running its algorithms in numpy.

Each algorithm is re-run on a grid of the reduced argument (and for every reduction integer
n or k) with values that carry a first-order bound on their absolute error through every
operation (:class:`_Bounded`); :func:`relative_error_bound` takes the maximum of the total
relative bound (truncation of the Taylor polynomial plus rounding). The module docstring of
:mod:`dragcore.elementary` tabulates the results and says where they are reached.
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.elementary_constants import (
    _COS_C,
    _EM1_C,
    _EXP_C,
    _LN2_HI,
    _LN2_LO,
    _LN2_SPLIT_ERR,
    _LOG_C,
    _SIN_C,
    _U,
)

__all__ = ["relative_error_bound"]

# ----------------------------------------------------------------------------------------------
# The error bounds: the same algorithms in numpy, carrying a first-order absolute error bound.


class _Bounded:
    """A computed float64 array with a first-order bound on its absolute error.

    Each operation rounds once (at most half the spacing of the rounded result, <= u |result|)
    and propagates the operands' bounds to first order; ``exact=True`` marks an operation that
    is exact by construction (Sterbenz, powers of two, ...). The values are the float64 values
    the jitted code computes, in the same order (tested bit for bit), so these "twins" are also
    the plain-numpy versions of the kernels' main paths.
    """

    def __init__(self, value, err=0.0):
        self.v = np.asarray(value, dtype=np.float64)
        self.e = np.abs(np.asarray(err, dtype=np.float64)) + np.zeros_like(self.v)

    @staticmethod
    def const(coeff: tuple[float, float]) -> _Bounded:
        return _Bounded(coeff[0], coeff[1])

    def _new(self, v, e, exact: bool) -> _Bounded:
        # A rounding moves the exact result by at most half a spacing of the rounded value.
        return _Bounded(v, e if exact else e + 0.5 * np.spacing(np.abs(v)))

    def add(self, o: _Bounded, exact: bool = False) -> _Bounded:
        return self._new(self.v + o.v, self.e + o.e, exact)

    def sub(self, o: _Bounded, exact: bool = False) -> _Bounded:
        return self._new(self.v - o.v, self.e + o.e, exact)

    def mul(self, o: _Bounded, exact: bool = False) -> _Bounded:
        return self._new(self.v * o.v, np.abs(o.v) * self.e + np.abs(self.v) * o.e, exact)

    def div(self, o: _Bounded) -> _Bounded:
        v = self.v / o.v
        return self._new(v, (self.e + np.abs(v) * o.e) / np.abs(o.v), False)


def _horner(coeffs: tuple[tuple[float, float], ...], x: _Bounded) -> _Bounded:
    p = _Bounded.const(coeffs[-1])
    for c in coeffs[-2::-1]:
        p = p.mul(x).add(_Bounded.const(c))
    return p


def _grid(lo: float, hi: float, n: int = 4001) -> np.ndarray:
    g = np.linspace(lo, hi, n)
    return g[g != 0.0]


def _exp_twin(r_v: np.ndarray) -> _Bounded:
    """The Horner polynomial of :func:`exp` at ``r``, with the reduction's error (|n| <= 1077):
    the last subtraction of ``r``, the product ``n ln2_lo`` and the split of ln 2."""
    r = _Bounded(r_v, _U * np.abs(r_v) + 1077.0 * (_U * _LN2_LO + _LN2_SPLIT_ERR))
    return _horner(_EXP_C, r)


def _exp_bound() -> float:
    r_v = _grid(-0.3466, 0.3466)
    p = _exp_twin(r_v)
    trunc = np.abs(r_v) ** 14 / math.factorial(14) * np.exp(np.abs(r_v))
    return float(np.max((p.e + trunc) / np.abs(p.v)))


def _expm1_twin(r_hi_v: np.ndarray, n: int) -> _Bounded:
    """:func:`expm1` for ``x = n ln2_hi + r_hi`` (``r_hi`` exact), with its error bound."""
    nn = float(n)
    r_hi = _Bounded(r_hi_v)
    r_lo = _Bounded(nn * _LN2_LO, abs(nn) * (_U * _LN2_LO + _LN2_SPLIT_ERR))
    r = r_hi.sub(r_lo, exact=(n == 0))
    q = _horner(_EM1_C, r)
    t = r.mul(r.mul(q)).sub(r_lo, exact=(n == 0))
    em1 = r_hi.add(t)
    trunc = np.abs(r.v) ** 15 / math.factorial(15) * np.exp(np.abs(r.v))
    em1 = _Bounded(em1.v, em1.e + trunc)
    if n < 53:
        two_n = _Bounded(2.0**n)
        return two_n.mul(em1, exact=True).add(two_n.sub(_Bounded(1.0), exact=(n >= -53)))
    h = _Bounded(2.0 ** (n - 1))
    y = _Bounded(2.0).mul(h.mul(_Bounded(1.0).add(em1), exact=True), exact=True)
    return y.sub(_Bounded(1.0))


def _expm1_bound() -> float:
    r_v = _grid(-0.3466, 0.3466)
    worst = 0.0
    for n in range(-58, 1025):
        with np.errstate(over="ignore", invalid="ignore"):  # n = 1024 overflows: excluded
            y = _expm1_twin(r_v, n)
            rel = np.where(np.isfinite(y.v), y.e / np.abs(y.v), 0.0)
        worst = max(worst, float(np.max(rel)))
    return worst


class _LogTwin:
    """``k ln2_hi - ((hfsq - (s (hfsq + R) + (k ln2_lo + c))) - f)`` of :func:`_log_kernel`;
    the k-independent part is computed once for a grid of ``f``."""

    def __init__(self, f_v: np.ndarray):
        f = _Bounded(f_v)
        self.f = f
        self.hfsq = _Bounded(0.5).mul(f, exact=True).mul(f)
        s = f.div(_Bounded(2.0).add(f))
        z = s.mul(s)
        big_r = z.mul(_horner(_LOG_C, z))
        big_r = _Bounded(big_r.v, big_r.e + 2.0 * z.v**12 / 25.0 / (1.0 - z.v))  # series tail
        self.s_term = s.mul(self.hfsq.add(big_r))

    def at(self, k: int, c: _Bounded) -> _Bounded:
        kk = float(k)
        klo = _Bounded(kk * _LN2_LO, abs(kk) * _LN2_SPLIT_ERR + _U * abs(kk * _LN2_LO))
        inner = self.s_term.add(klo.add(c, exact=(k == 0)))
        corr = self.hfsq.sub(inner).sub(self.f)
        return _Bounded(kk * _LN2_HI).sub(corr)  # k ln2_hi is exact (|k| < 2**21)


def _log_bound(c_max: float) -> float:
    """Maximum relative bound of :class:`_LogTwin` over f and k.

    ``c`` (log1p's correction, ``|c| <= c_max``, rounded by its division, and ``c**2/2`` for
    ``log(1 + c) ~ c``) is included for every k != 0, which over-covers: it is nonzero only
    where ``1 + x`` rounds, k >= 1 or k = -1 (x in (-0.5, -0.29)).
    """
    twin = _LogTwin(_grid(math.sqrt(0.5) - 1.0, math.sqrt(2.0) - 1.0, 2001))
    worst = 0.0
    for k in range(-1074, 1025):
        c = _Bounded(c_max, _U * c_max + c_max**2 / 2.0) if k != 0 else _Bounded(0.0)
        y = twin.at(k, c)
        worst = max(worst, float(np.max(y.e / np.abs(y.v))))
    return worst


def _sincos_twin(y_v: np.ndarray, which: str) -> _Bounded:
    """:func:`_sin_poly` or :func:`_cos_poly` at ``y`` with its bound (truncation included)."""
    y = _Bounded(y_v)
    z = y.mul(y)
    if which == "sin":
        v = y.mul(_horner(_SIN_C, z))
        trunc = (np.pi * np.abs(y_v)) ** 19 / math.factorial(19)
    else:
        v = _Bounded(1.0).add(z.mul(_horner(_COS_C[1:], z)))
        trunc = (np.pi * np.abs(y_v)) ** 20 / math.factorial(20)
    return _Bounded(v.v, v.e + trunc)


def _sincos_bound(which: str) -> float:
    v = _sincos_twin(_grid(-0.25, 0.25), which)
    return float(np.max(v.e / np.abs(v.v)))


def relative_error_bound(name: str) -> float:
    """The derived bound on the relative error of ``name`` for finite normal results.

    Parameters
    ----------
    name : {"exp", "expm1", "log", "log1p", "sin_pi", "cos_pi"}

    Returns
    -------
    float
        Truncation error of the Taylor polynomial plus the first-order running rounding-error
        bound of every operation, maximised over a 4001-point grid of the reduced argument
        (and over every reduction integer n or k). Takes up to ~1 s (pure numpy).
    """
    if name == "exp":
        return _exp_bound()
    if name == "expm1":
        return _expm1_bound()
    if name == "log":
        return _log_bound(0.0)
    if name == "log1p":
        return _log_bound(2.0**-53)
    if name in ("sin_pi", "cos_pi"):
        return max(_sincos_bound("sin"), _sincos_bound("cos"))
    raise ValueError(f"name = {name!r} is not one of exp, expm1, log, log1p, sin_pi, cos_pi")
