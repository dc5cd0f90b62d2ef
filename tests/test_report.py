"""The main job's report machinery: rows, pass rule, table, HDF5 (fast parts only)."""

from __future__ import annotations

import math

import h5py

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
