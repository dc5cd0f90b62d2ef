"""External anchors (:mod:`validate.anchors`): the package against a referee's route that shares
no code with it (:mod:`validate.referee_2deg`) and against closed forms from the literature."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

from validate import anchors as A
from validate import referee_2deg as R

ALLOWED = {"__future__", "functools", "math", "dataclasses", "numpy", "scipy"}


def test_the_referee_imports_nothing_of_the_package() -> None:
    src = Path(R.__file__).read_text()
    mods = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Import):
            mods |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            mods.add((node.module or "").split(".")[0])
    assert mods <= ALLOWED, mods - ALLOWED


def test_the_referee_drag_tends_to_the_closed_form() -> None:
    """The referee's own quadrature (no package code) against the large-spacing closed form,
    with the series of the module docstring of :mod:`validate.anchors`: within its last term."""
    c1, c2, ck = A.large_spacing_coefficients()
    gas = R.Gas.physical(1.5e11, 800.0, 0.067, 12.9)
    t = 1e-4 * 2.0 / gas.kd
    ratio = R.drag_resistivity(gas, t, False) / R.large_spacing_closed_form(gas, t)
    kd = gas.r * gas.kd
    assert abs(ratio - (1 - c1 / kd + c2 / kd**2 + ck / gas.kd**2)) < c2 / kd**2


def test_large_spacing_coefficients() -> None:
    """c₁, c₂, c_k of the series; the weight's norm is ∫x³/sinh²x = 3ζ(3)/2."""
    c1, c2, ck = A.large_spacing_coefficients()
    assert (round(c1, 4), round(c2, 3), round(ck, 4)) == (7.6016, 45.449, 1.0783)


def test_polarization_at_fixed_density_matches_the_state_integral() -> None:
    """Π(q, ω; T)/ν, Re and Im, ω inside and outside the T = 0 continuum, T = 0.1–0.5 T_F."""
    rows = A.polarization_rows()
    assert len(rows) == 3 and all(r.passed for r in rows), rows


def test_large_spacing_anchor_approaches_the_closed_form() -> None:
    """ρ_D/closed form → 1 as q_TF d, k_F d grow, as 1 − c₁/(q_TF d) + c₂/(q_TF d)²: every
    spacing within the last kept term, and the remainder falls faster than that term (by more
    than 4 per doubling of d: it is the third order)."""
    rows = A.large_spacing_rows()
    assert all(r.passed for r in rows), [(r.quantity, r.package, r.independent) for r in rows]
    dev = np.array([abs(r.package - 1.0) for r in rows])
    assert np.all(np.diff(dev) < 0.0)
    rem = np.array([abs(r.package - r.independent) for r in rows])
    assert np.all(rem[:-1] / rem[1:] > 4.0), rem
    assert rows[-1].package == pytest.approx(0.98802, abs=1e-5)  # quoted in the report


def test_flensberg_hu_anchor_t0_screening(tmp_path) -> None:
    """Screening at T = 0: package and referee at every T/T_F of the anchor, |z| ≤ 3."""
    c = A.flensberg_hu_curves(screenings=("T0",))
    rows = A.flensberg_hu_rows(c)
    assert len(rows) == len(A.FH_TEMPERATURES)
    assert all(r.passed for r in rows), [(r.quantity, r.z) for r in rows]
    table = A.anchors_markdown(rows + A.large_spacing_rows()[-1:])
    assert table.count("| pass |") == len(rows) + 1 and "FAIL" not in table
    assert "[2] A.-P. Jauho" in table and "+nan" not in table
    A.plot_flensberg_hu(c, tmp_path / "fh.png")
    assert (tmp_path / "fh.png").stat().st_size > 10_000


@pytest.mark.slow
def test_flensberg_hu_anchor_screening_at_T() -> None:
    """Screening at T (fixed density): the plasmon enhancement of Flensberg & Hu by both
    routes, |z| ≤ 3 point by point; the minimum at the same T/T_F (0.1) and the upturn to
    ~4× the minimum at 0.5 T_F in both."""
    ts = (0.05, 0.1, 0.5)  # (the report adds 0.02, 0.2, 0.3)
    c = A.flensberg_hu_curves(ts, screenings=("finite_T",))
    rows = A.flensberg_hu_rows(c)
    assert all(r.passed for r in rows), [(r.quantity, r.package, r.independent, r.z) for r in rows]
    assert rows[-2].package == 0.1
    assert 3.5 < rows[-1].package < 4.5 and math.isfinite(rows[-1].z)
