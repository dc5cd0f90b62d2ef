"""The simulated O(Θ) slope against the one-loop route: the stored table
(``validate/data/oneloop_slopes.json``), its report rows, and a re-run at reduced size."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from langevin.grid import PeriodicGrid
from validate.nonlinear import PAPER_POINT
from validate.nonlinear_run import SLOPE_RUN
from validate.oneloop import record_slopes, simulated_against_one_loop
from validate.oneloop_rows import load_slopes, slope_comparisons, slope_table


def _case(n, chi, slope, sdev, drift=0.05):
    return {"n": n, "length": 0.75 * n, "chi": chi, "drift": drift, "cpu_seconds": 60.0,
            "fit": {"slope": slope, "slope_sdev": sdev, "chi2_dof": 1.0, "points": 3}}  # fmt: skip


def test_record_replaces_the_same_case_and_keeps_the_others(tmp_path) -> None:
    path = tmp_path / "t.json"
    record_slopes(path, [_case(8, 5.0, 3.0, 0.3), _case(8, 0.1, -2.0, 0.2)], [0.01], "a")
    table = record_slopes(path, [_case(8, 5.0, 3.5, 0.2)], [0.01], "b")
    assert [(c["chi"], c["fit"]["slope"], c["command"]) for c in table["cases"]] == [
        (0.1, -2.0, "a"), (5.0, 3.5, "b")]  # fmt: skip
    assert json.loads(path.read_text()) == table
    with pytest.raises(ValueError, match="outside the allowed range"):
        record_slopes(path, [_case(8, 5.0, 3.5, 0.2)], [0.02], "c")


def test_table_recomputes_the_one_loop_value() -> None:
    from langevin.nonlinear_model import NonlinearBilayerModel
    from langevin.one_loop import one_loop_drag

    (row,) = slope_table({"thetas": [0.01], "cases": [_case(8, 5.0, 3.0, 0.3)]})
    a = one_loop_drag(NonlinearBilayerModel(PAPER_POINT.with_(chi=5.0)), PeriodicGrid(8, 6.0))
    assert row["one_loop"] == a.slope
    assert row["pull"] == pytest.approx((3.0 - a.slope) / 0.3)
    assert row["relative_sdev"] == pytest.approx(0.1)
    worse = _case(8, 5.0, 3.0, 0.3)
    worse["fit"]["chi2_dof"] = 4.0  # an inconsistent fit: its error doubles
    (row,) = slope_table({"thetas": [0.01], "cases": [worse]})
    assert row["sdev"] == pytest.approx(0.6) and row["slope_sdev"] == 0.3


def test_stored_slopes_are_resolved_and_agree_with_one_loop() -> None:
    """The issue's bar: on at least two grids, three χ each with the slope resolved to ±10 %
    (1σ); every stored case (also the unresolved ones near the instability) within 3σ of the
    one-loop value (the report's internal rows pass)."""
    rows = slope_table(load_slopes())
    resolved = [r for r in rows if r["relative_sdev"] <= 0.10]
    grids = {(r["n"], r["length"]) for r in resolved}
    assert len(grids) >= 2
    for g in grids:
        assert len({r["chi"] for r in resolved if (r["n"], r["length"]) == g}) >= 3
    for r in rows:
        assert abs(r["pull"]) <= 3.0, r
    comparisons = slope_comparisons()
    assert len(comparisons) == len(rows)
    assert all(c.verdict.startswith("pass") for c in comparisons)


@pytest.mark.slow
def test_simulated_slope_at_reduced_size_agrees_with_one_loop() -> None:
    """8×8, L = 6 d, χ = 5 (one loop a = 3.49), Θ = 0.01, antithetic pairs: 2 realisations of
    4000 steps (σ(a) ≈ 0.5), within 3σ of the one-loop value."""
    run = replace(SLOPE_RUN, seed=7, n_realisations=2, n_steps=4000)
    res = simulated_against_one_loop([0.01], PAPER_POINT.with_(chi=5.0), PeriodicGrid(8, 6.0),
                                     run)  # fmt: skip
    fit = res["fit"]
    assert res["antithetic"] and 0 < fit["slope_sdev"] < 1.0
    assert math.isfinite(res["pull"]) and abs(res["pull"]) <= 3.0, res


def test_recorded_command_repeats_the_simulation(tmp_path, capsys) -> None:
    """``--record`` stores each case with a command line that gives the same numbers."""
    from validate.__main__ import main

    path = tmp_path / "t.json"
    argv = ["oneloop", "--grids", "8x6", "--chis", "5", "--drift", "0.05", "--simulate", "0.01",
            "--realisations", "1", "--steps", "600", "--seed", "3"]  # fmt: skip
    assert main([*argv, "--record", str(path), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["simulated"][0]
    (case,) = load_slopes(path)["cases"]
    assert case["antithetic"] and case["fit"]["slope"] == first["fit"]["slope"]
    again = case["command"].split()[4:]
    assert again[:2] == ["--grids", "8x6"]
    assert main(["oneloop", *again, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["simulated"][0]["fit"] == first["fit"]


def test_guide_table_quotes_the_stored_slopes() -> None:
    """The table of docs/guide/langevin.md ("Simulated against one loop") is the stored one:
    every stored case is quoted, with its numbers rounded as printed."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs/guide/langevin.md").read_text()
    num = r"(−?[\d.]+)"
    pat = (rf"\| (\d+)×\d+, L = {num} d \| {num} \| {num} \| {num} ± {num} \| {num} \| "
           rf"{num} \| {num} \|")  # fmt: skip
    quoted = {}
    for m in re.finditer(pat, text):
        n, length, chi, u, a, s, ol, pull, chi2 = (float(x.replace("−", "-")) for x in m.groups())
        quoted[(int(n), length, chi, u)] = (a, s, ol, pull, chi2)
    rows = slope_table(load_slopes())
    assert len(quoted) == len(rows)
    for r in rows:
        a, s, ol, pull, chi2 = quoted[(r["n"], r["length"], r["chi"], r["drift"])]
        assert (a, s, ol) == tuple(round(r[k], 2) for k in ("slope", "sdev", "one_loop"))
        assert (pull, chi2) == (round(r["pull"], 1), round(r["chi2_dof"], 2))
