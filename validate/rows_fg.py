"""Report rows of f and g (Eq. 22): the quadrature against its second route and against its
closed-form limits (:mod:`validate.fg`), and the figures of ``python -m validate fg``."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from validate.rows import Comparison

__all__ = ["fg_comparisons", "fg_figure_group"]

SECTION = "f, g (Eq. 22)"
#: the relative tolerance route 2 requests from scipy's quad
QUAD_REL = 1e-12


def _two_routes(name: str, route_1, route_2: float) -> Comparison:
    """Route 1 (value and error estimate) against route 2 (nested adaptive quad)."""
    return Comparison(
        SECTION,
        name,
        "exact y-integral + Gauss–Legendre panels",
        float(route_1.value),
        "nested adaptive quad, split at resonances",
        route_2,
        math.hypot(float(route_1.error), QUAD_REL * abs(route_2)),
        "panel-rule error estimate ⊕ requested quad tolerance 1e-12",
    )


def fg_comparisons() -> list[Comparison]:
    """f, g by exact y-integration vs nested adaptive quadrature, and vs their limits."""
    from validate import fg, fg_asymptotic

    rows: list[Comparison] = []
    beta = 0.1
    for s in (0.03, 0.15, 1.0):
        rows.append(_two_routes(f"f(ς={s:g})", fg.f_with_error(s), fg.f_nested_quad(s)))
        rows.append(_two_routes(f"g(ς={s:g}, β={beta:g})", fg.g_with_error(s, beta),
                                fg.g_nested_quad(s, beta)))  # fmt: skip
    s = 30.0
    exact = float(fg.f(s))
    two = float(fg_asymptotic.f_large_varsigma(s, order=2))
    three = float(fg_asymptotic.f_large_varsigma(s, order=3))
    rows.append(
        Comparison(
            SECTION,
            f"f(ς={s:g}) vs ς → ∞ series",
            "quadrature",
            exact,
            "2-term asymptotic series",
            two,
            abs(three - two),
            "size of the third (first neglected) term",
        )
    )
    s = 1e-8
    exact = float(fg.f(s))
    approx = float(fg_asymptotic.f_small_varsigma(s, terms=2))
    nxt = float(np.abs(fg_asymptotic.small_varsigma_next_term(s, terms=2)))
    rows.append(
        Comparison(
            SECTION,
            f"f(ς={s:g}) vs ς → 0 series",
            "quadrature",
            exact,
            "2-term Sommerfeld series in X = W₀(2/ς²)/2",
            approx,
            nxt,
            "size of the first neglected term",
        )
    )
    return rows


def fg_figure_group(out: Path) -> tuple[list[Comparison], list[tuple[str, str]]]:
    """The figures of ``python -m validate fg`` in ``out/fg``: (no rows, (title, path
    relative to ``out``) pairs)."""
    from validate.figures import fg_figures

    title = "f and g (Figs. 2–3 of the nonreciprocal-drag paper)"
    return [], [(title, str(Path(p).relative_to(out))) for p in fg_figures(out / "fg")]
