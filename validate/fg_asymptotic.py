r"""Asymptotic forms of f(ς) and g(ς, β) of Eq. (22) (:mod:`validate.fg`) for ς → ∞ and ς → 0.

Derived here, tested in ``tests/validate/test_fg.py`` against the quadrature of
:mod:`validate.fg`.

Write λ = ς², u(x) = x(e^{2x} − 1), so f = (π/2)∫x³/(1 + λu).

*ς → ∞.* 1/(1+λu) = 1/(λu) − 1/(λu(1+λu)). The first term gives
(π/2)λ⁻¹∫x²/(e^{2x}−1) = πζ(3)/(8ς²). In the remainder
substitute t = u(x): R(λ) = ∫ρ(t)dt/(1+λt), ρ = w/u', w = x²/(e^{2x}−1), with
ρ = 1/8 − (5/16)x + … = 1/8 − 5√t/(16√2) + …. Then R = λ⁻¹[ρ(0) ln λ + K] +
O(λ^{−3/2}), K = lim_{ε→0}[∫_ε^∞ w/u dx + ρ(0) ln u(ε)]; with the Mellin value
∫_ε^∞ v/(e^v−1)² dv = 1 − π²/6 − ln ε + o(1), K = (1 − π²/6)/4 − (ln 2)/8. The √t term
gives (Mellin transform of 1/(1+s) at 3/2 is −π) the next order:

    f = πζ(3)/(8ς²) − π/(16ς⁴)·[ln(ς²/2) + 2 − π²/3] − 5π²/(32√2 ς⁵) + O(ς⁻⁶ ln ς).

For g the same steps (kernels (1+2τ)/(1+τ)² and 1/(1+τ)², Mellin values −5π/2 and −3π/2,
∫x³e^{2x}/(e^{2x}−1)² = 3ζ(3)/8 by parts, ρ = 1/16 − (3/32)x + … for both pieces) give

    g/β = 9πζ(3)/(32ς³) − 5π/(64ς⁵)·[ln(ς²/2) + 13/5 − π²/3] − 9π²/(64√2 ς⁶)
          + O(ς⁻⁷ ln ς),

so g/f → (9/4) β/ς. (:func:`f_large_varsigma`, :func:`g_large_varsigma`.)

*ς → 0.* With φ(x) = ln u(x) ≈ 2x + ln x (up to O(e^{−2x})) and μ = ln(1/ς²),
1/(1 + λu) = 1/(1 + e^{φ−μ}) is a Fermi function in φ: the integral is a Sommerfeld
integral ∫Ψ'(φ) n_F(φ − μ) dφ of Ψ = x⁴/4, hence

    f ≈ (π/2)[Ψ + (π²/6)Ψ⁽²⁾ + (7π⁴/360)Ψ⁽⁴⁾ + (31π⁶/15120)Ψ⁽⁶⁾ + …] at x = X,

derivatives with respect to φ (dx/dφ = x/(2x+1)) taken at X = W₀(2/ς²)/2, the root of
2X + ln X = 2 ln(1/ς); corrections beyond the series are O(ς²X⁵) absolute, from
e^{2x} − 1 ≈ e^{2x}. The series is asymptotic in 1/X; the tests show that each truncation
error is the first omitted term to within the size of the one after it. Leading:
f ≈ (π/8)X⁴, relative correction π²/(2X²); with L = ln(1/ς), X = L − ½ ln L + o(1), so
f ≈ (π/8) L⁴ (1 − 2 ln L / L + …): the leading power is ln⁴(1/ς), but reached very
slowly (at ς = 1e-12, (π/8)L⁴ is still 27 % above f). For g, in the same variables
(1 + 3τ)/(1 + τ)² = n_F − 2n_F' (τ = e^{φ−μ}), so g is the Sommerfeld series of
Ψ_g + 2Ψ_g' with Ψ_g = x⁵/5, plus ∫x⁴[(1−e^{−2x})^{−1} − 1]dx = 3ζ(5)/4:

    g ≈ (πβ/(4ς))[S(Ψ_g + 2Ψ_g')(X) + 3ζ(5)/4],   leading g ≈ πβX⁵/(20ς) (1 + 5/X + …),

so g/f → (2β/(5ς)) X ≈ (2β/(5ς)) ln(1/ς) (the leading forms are poor at ς ≥ 1e-12:
πβL⁵/(20ς) is 13 % above g there; the Sommerfeld forms are accurate, see the tests).
(:func:`f_small_varsigma`, :func:`g_small_varsigma`; the size of
the first omitted Sommerfeld term is returned by :func:`small_varsigma_next_term`.)
The naive delta-function limit diverges (∫x³dx) exactly because the cut-off X grows only
logarithmically: f is a power of ln(1/ς), not of ς.
"""

from __future__ import annotations

import math

import numpy as np

from validate.fg import _check_beta, _check_varsigma, _out, overlap_scale

__all__ = [
    "f_large_varsigma",
    "g_large_varsigma",
    "f_small_varsigma",
    "g_small_varsigma",
    "small_varsigma_next_term",
]

_ZETA3 = 1.2020569031595942854
_ZETA5 = 1.0369277551433699263
#: Sommerfeld coefficients 2(1 − 2^{1−2k}) ζ(2k), k = 0…4 (the k = 0 entry is 1)
_SOMMERFELD = (
    1.0,
    math.pi**2 / 6,
    7 * math.pi**4 / 360,
    31 * math.pi**6 / 15120,
    127 * math.pi**8 / 604800,
)



def f_large_varsigma(varsigma, order: int = 3):
    """ς → ∞ form of f: ``order`` = 1, 2, 3 terms of πζ(3)/(8ς²) − π/(16ς⁴)[…] − 5π²/(32√2ς⁵).

    The omitted remainder is O(ς⁻⁴ ln ς), O(ς⁻⁵), O(ς⁻⁶ ln ς) for order 1, 2, 3.
    """
    s = _check_varsigma(varsigma)
    _check_terms(order, 3, "order")
    terms = [
        math.pi * _ZETA3 / (8 * s**2),
        -math.pi / (16 * s**4) * (np.log(s**2 / 2) + 2 - math.pi**2 / 3),
        -5 * math.pi**2 / (32 * math.sqrt(2) * s**5),
    ]
    return _out(sum(terms[:order]))


def g_large_varsigma(varsigma, beta, order: int = 3):
    """ς → ∞ form of g: 9πζ(3)β/(32ς³) − 5πβ/(64ς⁵)[ln(ς²/2) + 13/5 − π²/3] − 9π²β/(64√2ς⁶).

    The omitted remainder is O(ς⁻⁵ ln ς), O(ς⁻⁶), O(ς⁻⁷ ln ς) for order 1, 2, 3.
    """
    s = _check_varsigma(varsigma)
    _check_terms(order, 3, "order")
    b = _check_beta(beta)
    terms = [
        9 * math.pi * _ZETA3 / (32 * s**3),
        -5 * math.pi / (64 * s**5) * (np.log(s**2 / 2) + 13 / 5 - math.pi**2 / 3),
        -9 * math.pi**2 / (64 * math.sqrt(2) * s**6),
    ]
    return _out(b * sum(terms[:order]))


def _psi_f(x: np.ndarray) -> list[np.ndarray]:
    """Ψ = x⁴/4 and its 2nd, 4th, 6th, 8th φ-derivatives (φ = 2x + ln x), at x."""
    p = 2 * x + 1
    return [
        x**4 / 4,
        2 * x**4 * (3 * x + 2) / p**3,
        2 * x**4 * (24 * x**3 + 72 * x**2 + 79 * x + 32) / p**7,
        -2 * x**4 * (96 * x**4 + 528 * x**3 + 928 * x**2 + 265 * x - 512) / p**11,
        -2
        * x**4
        * (
            4608 * x**6
            + 29376 * x**5
            + 39360 * x**4
            - 72520 * x**3
            - 121560 * x**2
            + 79329 * x
            - 8192
        )
        / p**15,
    ]


def _psi_g(x: np.ndarray) -> list[np.ndarray]:
    """Ψ_g + 2Ψ_g' (Ψ_g = x⁵/5) and its 2nd, 4th, 6th, 8th φ-derivatives, at x."""
    p = 2 * x + 1
    return [
        x**5 * (2 * x + 11) / (5 * p),
        x**5 * (32 * x**3 + 148 * x**2 + 164 * x + 55) / p**5,
        x**5 * (768 * x**5 + 3424 * x**4 + 6784 * x**3 + 7580 * x**2 + 4804 * x + 1375) / p**9,
        x**5
        * (1536 * x**6 + 7808 * x**5 + 11520 * x**4 - 2272 * x**3 - 8588 * x**2 + 24444 * x + 34375)
        / p**13,
        x**5
        * (
            36864 * x**8
            + 165888 * x**7
            - 188672 * x**6
            - 1657600 * x**5
            - 50720 * x**4
            + 7116352 * x**3
            + 4443724 * x**2
            - 5857516 * x
            + 859375
        )
        / p**17,
    ]


def _check_terms(terms: int, most: int, name: str = "terms") -> int:
    if terms not in range(1, most + 1):
        raise ValueError(f"{name} = {terms!r} is outside the allowed range [1, {most}]")
    return terms


def f_small_varsigma(varsigma, terms: int = 3):
    """ς → 0 form of f: (π/2) × the first ``terms`` Sommerfeld terms of Ψ = x⁴/4 at X.

    ``terms=1`` is the leading (π/8)X⁴, X = :func:`overlap_scale` ≈ ln(1/ς) − ½ ln ln(1/ς).
    The remainder is about the next term (:func:`small_varsigma_next_term`) plus O(ς²X⁵).
    """
    s = _check_varsigma(varsigma)
    _check_terms(terms, 4)
    psi = _psi_f(overlap_scale(s))
    return _out(
        0.5 * math.pi * sum(c * p for c, p in zip(_SOMMERFELD[:terms], psi[:terms], strict=True))
    )


def g_small_varsigma(varsigma, beta, terms: int = 3):
    """ς → 0 form of g: (πβ/4ς)[Sommerfeld terms of x⁵/5 + 2(x⁵/5)' at X + 3ζ(5)/4].

    ``terms=1`` is (πβ/4ς)[X⁵(2X + 11)/(5(2X + 1)) + 3ζ(5)/4] ≈ πβX⁵/(20ς).
    """
    s = _check_varsigma(varsigma)
    b = _check_beta(beta)
    _check_terms(terms, 4)
    psi = _psi_g(overlap_scale(s))
    series = sum(c * p for c, p in zip(_SOMMERFELD[:terms], psi[:terms], strict=True))
    return _out(0.25 * math.pi * b / s * (series + 0.75 * _ZETA5))


def small_varsigma_next_term(varsigma, terms: int = 3, beta=None):
    """The first Sommerfeld term omitted by ``f_small_varsigma`` (or ``g_…`` if β given)."""
    s = _check_varsigma(varsigma)
    _check_terms(terms, 4)
    x = overlap_scale(s)
    if beta is None:
        return _out(0.5 * math.pi * _SOMMERFELD[terms] * _psi_f(x)[terms])
    b = _check_beta(beta)
    return _out(0.25 * math.pi * b / s * _SOMMERFELD[terms] * _psi_g(x)[terms])

