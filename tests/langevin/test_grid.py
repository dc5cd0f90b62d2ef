"""The grid's Fourier conventions: round trips, weights, self-conjugate modes."""

from __future__ import annotations

import numpy as np
import pytest

from langevin.grid import PeriodicGrid


def test_round_trip_and_parseval() -> None:
    grid = PeriodicGrid(8, 3.0)
    rng = np.random.default_rng(1)
    field = rng.standard_normal((2, 8, 8))
    coeffs = grid.to_half_plane(field)
    np.testing.assert_allclose(grid.to_real_space(coeffs), field, atol=1e-13)
    # Parseval: mean of f² = Σ_q |f_q|², summed with the half-plane weights.
    lhs = np.mean(field**2, axis=(-2, -1))
    rhs = np.sum(grid.half_plane_weights() * np.abs(coeffs) ** 2, axis=(-2, -1))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


def test_self_conjugate_modes_are_real() -> None:
    grid = PeriodicGrid(6, 1.0)
    coeffs = grid.to_half_plane(np.random.default_rng(2).standard_normal((6, 6)))
    np.testing.assert_allclose(coeffs[grid.self_conjugate_mask()].imag, 0.0, atol=1e-15)
    assert grid.half_plane_weights().sum() == 36


@pytest.mark.parametrize("n, length", [(3, 1.0), (0, 1.0), (4, -1.0), (4, float("nan"))])
def test_bad_grid(n: int, length: float) -> None:
    with pytest.raises(ValueError, match="(n|length) = "):
        PeriodicGrid(n, length)
