"""E–e–impurity Hall friction: derived rates (quadrature) vs the paper's (B17), (B18)."""

from __future__ import annotations

import numpy as np
import pytest

from layers.presets import preset
from layers.skew_scattering import skew_weight_functions, skew_weight_functions_leading
from validate.skew import skew_hall_coefficients, skew_table


def _ratio_bounds(tilt: float) -> tuple[float, float]:
    """φ₁/φ₁,leading over ω̃ ∈ [0, 1]: the derived/(B17) ratio must lie in [min, max]."""
    om = np.linspace(0.0, 1.0 - 1e-9, 2001)
    r = skew_weight_functions(om, tilt)[0] / skew_weight_functions_leading(om, tilt)[0]
    return float(r.min()), float(r.max())


@pytest.mark.parametrize("name", ("fig2-d40", "fig2-d120"))
@pytest.mark.parametrize("t_over_td", (0.1, 3.0))
def test_small_tilt_reproduces_b17_b18(name: str, t_over_td: float) -> None:
    """C = 0.01: derived/(B17) = 1 − O(C²): 0 < 1 − ratio ≤ (9/4)C²(1 + C²) + error."""
    c = 0.01
    bl = preset(name, tilt=c)
    r = skew_hall_coefficients(bl, t_over_td * bl.T_d, n=16)
    tol = 5 * r.ratio_err + 1e-12
    assert 0.0 < 1.0 - r.ratio1 <= 2.25 * c**2 * (1 + c**2) + tol
    assert r.ratio2 == pytest.approx(r.ratio1, rel=1e-14)  # (B18): η_H(2) = η_H(1)/3
    assert r.eta_h2 == pytest.approx(r.eta_h1 / 3.0, rel=1e-14)
    # the leading-order weight reproduces (B17) itself (same panels: η_{Q3}·C/2)
    assert r.eta_h1_leading == pytest.approx(r.eta_h1_paper, rel=1e-12)
    assert r.eta_h1 < 0.0  # the sign of (B17)


@pytest.mark.parametrize("name", ("fig2-d40", "fig2-d120"))
def test_paper_tilt_within_the_pointwise_bounds(name: str) -> None:
    """C = 0.3: the ratio lies between min and max of φ₁/φ₁,leading (0.8111 … 1) and tends to
    the ω̃ → 0 value at T ≪ T_d (there ω̃ ~ T/T_d; tolerance 10 (T/T_d)² + quadrature error)."""
    c = 0.3
    lo, hi = _ratio_bounds(c)
    assert lo == pytest.approx(0.8111, abs=1e-4)
    bl = preset(name, tilt=c)
    for t_over_td in (0.01, 1.0, 10.0):
        r = skew_hall_coefficients(bl, t_over_td * bl.T_d, n=16)
        assert lo - 5 * r.ratio_err <= r.ratio1 <= hi + 5 * r.ratio_err
        if t_over_td == 0.01:
            assert r.ratio1 == pytest.approx(lo, abs=10 * t_over_td**2 + 5 * r.ratio_err)


def test_skew_table_rows() -> None:
    rows = skew_table(temperatures_K=(10.0,), tilts=(0.3,), spacings=("fig2-d40",), n=12)
    assert len(rows) == 1
    row = rows[0]
    assert row["eta_H1_Pa_s"] < 0 and row["eta_H1_B17_Pa_s"] < 0
    assert row["ratio"] == pytest.approx(row["eta_H1_Pa_s"] / row["eta_H1_B17_Pa_s"], rel=1e-12)
    assert row["leading_over_B17"] == pytest.approx(1.0, rel=1e-12)


def test_needs_the_weyl_film() -> None:
    with pytest.raises(ValueError, match="Weyl film"):
        skew_hall_coefficients(preset("fig2-d40", active="metal"), 1e-16)
