"""``python -m validate oneloop`` and :mod:`validate.oneloop` (the one-loop tables)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from validate.__main__ import main
from validate.oneloop import cutoff_exponent, one_loop_table


def test_oneloop_command_prints_the_table_as_json(capsys) -> None:
    assert main(["oneloop", "--grids", "8x6", "--chis", "0.1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["one_loop"]
    assert row["n"] == 8 and row["chi"] == 0.1
    assert abs(row["parts"]["loop"] + row["parts"]["tadpole"] - row["slope"]) < 1e-12


@pytest.mark.parametrize(
    "argv", [["--grids", "7x6"], ["--grids", "8by6"], ["--chis", "a"], ["--simulate", "0.5"]]
)
def test_oneloop_command_refuses_bad_input(argv, capsys) -> None:
    assert main(["oneloop", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "outside the allowed range" in err[0]


def test_cutoff_exponent_of_a_power_law() -> None:
    rows = [{"n": n, "slope": -0.5 * n**2.5} for n in (8, 12, 16)]
    fit = cutoff_exponent(rows)
    assert abs(fit["exponent"] - 2.5) < 1e-12


def test_table_rows_carry_grid_and_chi() -> None:
    rows = one_loop_table([(6, 6.0)], [0.1, 1.0])
    assert [(r["n"], r["chi"]) for r in rows] == [(6, 0.1), (6, 1.0)]


@pytest.mark.slow
def test_cutoff_dependence_follows_the_momentum_variance() -> None:
    """At the paper's point (χ = 0.1) and fixed box L = 12 d the one-loop a grows with the
    cutoff like the one-point momentum variance ⟨p_x²⟩ ∝ Λ² (the numbers the README quotes):
    a Θ/⟨p_x²⟩ = −4.17 at N = 16 and −4.16 at N = 20, while a grows from −3.30 to −4.59.
    (Other χ scale differently: at χ = 5, a ∝ Λ^1.0 between N = 16 and 24.)"""
    rows = one_loop_table([(16, 12.0), (20, 12.0)], [0.1])
    ratios = [r["slope"] / r["local"]["p"] for r in rows]
    assert [round(r["slope"], 2) for r in rows] == [-3.30, -4.59]
    assert all(abs(x + 4.165) < 0.02 for x in ratios), ratios


def test_gaas_translation_uses_the_gaas_strength() -> None:
    """Θ(5 K) = 9.6e-3 for the GaAs well (the README's number), aΘ = slope · Θ."""
    from validate.oneloop import gaas_corrections

    ((t, theta, c),) = gaas_corrections(-3.0, [5.0])
    assert t == 5.0 and abs(theta - 9.6e-3) < 0.05e-3
    assert c == -3.0 * theta


def test_structure_control_variate_is_exact_without_nonlinearity(monkeypatch) -> None:
    """With N ≡ 0 the twins are the systems: the simulated shifts are zero to rounding, and
    the twins' Lyapunov variance is the Gibbs value at v = 0, χ = 0."""
    import numpy as np

    from langevin.grid import PeriodicGrid
    from langevin.nonlinear_model import NonlinearBilayerModel
    from validate.nonlinear_run import STRUCTURE_RUN
    from validate.oneloop import structure_against_one_loop

    monkeypatch.setattr(NonlinearBilayerModel, "nonlinear_drift",
                        lambda self, grid: (lambda state: np.zeros_like(state)))  # fmt: skip
    run = replace(STRUCTURE_RUN, n_realisations=2, n_steps=450, burn_in=50)
    res = structure_against_one_loop(PeriodicGrid(8, 6.0), 0.01, run)
    assert res["gibbs_mismatch"] < 1e-12
    assert abs(res["pp"][0]) < 1e-9 and abs(res["nn"][0]) < 1e-9
