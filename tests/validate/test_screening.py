"""validate.screening: the Flensberg–Hu bilayer and the numbers its docstring quotes."""

from __future__ import annotations

import re

import numpy as np
import pytest

import validate.screening as S
from dragcore import units


def test_flensberg_hu_bilayer_is_gaas() -> None:
    bl = S.flensberg_hu_bilayer()
    assert bl.dielectric == 12.9
    assert bl.passive.mass == units.electron_masses_to_internal(0.067)
    assert bl.spacing == pytest.approx(units.nm_to_cm(37.5), rel=1e-15)
    assert bl.passive.density == pytest.approx(units.per_cm2_to_internal_density(1.5e11))


def _quoted() -> tuple[list[float], dict[str, list[float]], float]:
    doc = S.__doc__
    ts = [float(x) for x in re.search(r"T/T_F\s+([\d.\s]+)\n", doc).group(1).split()]
    t0 = [float(x) for x in re.search(r"T = 0 screening\s+([\d.\s]+)\n", doc).group(1).split()]
    ft = [float(x) for x in re.search(r"screening at T\s+([\d.\s]+)\n", doc).group(1).split()]
    err = float(re.search(r"quadrature errors ≤ ([\d.e-]+)", doc).group(1))
    return ts, {"T0": t0, "finite_T": ft}, err


@pytest.mark.slow
def test_docstring_numbers_are_those_of_a_run() -> None:
    """The table of the module docstring: each number to its 3 quoted decimals."""
    ts, quoted, err = _quoted()
    grid = (0.02, *ts)
    t0 = S.scaled_drag_rate(grid, "T0")
    ft = S.scaled_drag_rate(grid, "finite_T", norm=t0.norm)
    np.testing.assert_allclose(t0.value[1:], quoted["T0"], atol=5e-4 + 1e-12)
    np.testing.assert_allclose(ft.value[1:], quoted["finite_T"], atol=5e-4 + 1e-12)
    assert max(ft.error.max(), t0.error.max()) <= err
    assert ft.value[1] < ft.value[0] and ft.value[-1] > 3 * ft.value[1]  # minimum, upturn
