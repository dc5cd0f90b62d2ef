"""The main job's report machinery: rows, pass rule, table, HDF5 (fast parts only)."""

from __future__ import annotations

import math

import h5py
import pytest

from validate.report import Comparison, _write_h5, comparison_table, fg_comparisons


def test_comparison_z_and_pass_rule() -> None:
    r = Comparison("s", "n", "A", 1.0, "B", 0.75, 0.1, "test")
    assert math.isclose(r.z, 2.5) and r.passed
    r = Comparison("s", "n", "A", 1.0, "B", 0.69, 0.1, "test")
    assert not r.passed


def test_fg_rows_all_pass_and_table_and_h5(tmp_path) -> None:
    rows = fg_comparisons()
    assert len(rows) == 8
    assert all(r.passed for r in rows), [(r.name, r.z) for r in rows if not r.passed]
    table = comparison_table(rows)
    assert table.count("\n") == len(rows) + 2
    _write_h5(tmp_path / "r.h5", rows, {"version": "x"})
    with h5py.File(tmp_path / "r.h5") as h5:
        assert h5["comparisons/z"].shape == (8,)
        assert h5["comparisons/passed"][()].all()
        assert h5.attrs["version"] == "x"


def test_table_cells_escape_pipes() -> None:
    row = Comparison("s", "|U|² check", "A", 1.0, "B", 1.0, 1.0, "x")
    line = comparison_table([row]).splitlines()[-1]
    assert line.count(" | ") == 11  # 12 cells, the pipes of |U|² escaped
    assert "\\|U\\|²" in line


def test_paper_rows_with_a_diagnosed_factor_print_the_ratio_not_a_z_score() -> None:
    """A paper row whose difference is a diagnosed factor shows A/B and the diagnosis; where
    the factor is exact (π), the residual (A − π B)/σ after it, which is an honest z."""
    exact = Comparison(
        "s", "D", "A", math.pi * 2.0 + 1e-12, "B", 2.0, 1e-12, "q", kind="paper",
        factor="π (Eq. 21 reads T/E_F as Tm/n)", factor_value=math.pi,
    )  # fmt: skip
    assert not exact.passed and abs(exact.z) > 1e9  # the raw z is meaningless…
    assert math.isclose(exact.z_after_factor, 1.0, rel_tol=1e-3)  # …the residual is not
    loose = Comparison(
        "s", "dD", "A", -4.4 * 3.0, "B", 3.0, 1e-12, "q", kind="paper",
        factor="sign and ≈ 4 (not constant): Eq. 19 keeps one Born ordering",
    )  # fmt: skip
    line_exact, line_loose = comparison_table([exact, loose]).splitlines()[-2:]
    for line, text in ((line_exact, "π (Eq. 21"), (line_loose, "sign and ≈ 4")):
        assert text in line, line
        assert "e+" not in line and not any(
            len(tok) > 12 and tok[1:2].isdigit() for tok in line.split()
        )  # no absurd z
    assert "A/B = 3.14159" in line_exact and "(A − π·B)/σ = +1.00" in line_exact
    assert "A/B = -4.4" in line_loose
    assert comparison_table([exact]).splitlines()[-1].count(" | ") == 11  # still 12 cells


@pytest.mark.slow
def test_main_job_paper_rows_carry_their_diagnosis() -> None:
    from validate.report import hydro_comparisons

    rows = [r for r in hydro_comparisons() if r.kind == "paper"]
    assert rows and all(r.factor for r in rows)
    table = comparison_table(rows)
    assert "+244301430652" not in table and "e+1" not in table
    for r in rows:
        if r.factor_value is not None:  # the exact factor π: the residual is an honest z
            assert abs(r.z_after_factor) <= 3.0, (r.name, r.z_after_factor)
