"""The exact model against the paper's f and g (Eq. 22): ratios, β-linearity, the report."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest

from langevin.exact import (
    continuum_drag_chi_slope,
    continuum_drag_chi_slope_parts,
    exact_drag,
)
from langevin.model import BilayerModel
from langevin.params import BilayerParameters
from validate import fg, hydro

EPS = np.finfo(float).eps


@pytest.mark.parametrize("varsigma", [0.05, 0.4, 3.0])
def test_linear_drag_is_pi_times_f(varsigma) -> None:
    """Paper's approximations, v → 0, χ = 0: D = π f(ς) (diagnosis: E_F = πn/m vs the n/m
    implicit in Eq. 21). Tolerance: the two quadrature error estimates."""
    p = BilayerParameters(varsigma=varsigma, beta=0.1).paper_approximations()
    d = exact_drag(p, order=16, n_angle=8)
    f = fg.f_with_error(varsigma)
    ratio = d.D / float(f.value)
    tol = math.pi * (d.D_error / d.D + float(f.error) / float(f.value)) + 100 * EPS
    assert abs(ratio - math.pi) <= tol


@pytest.mark.slow
def test_chi_coefficient_is_linear_in_beta_and_its_born_parts_sum_up() -> None:
    s = 0.3
    slopes = []
    for beta in (0.05, 0.1):
        model = BilayerModel(BilayerParameters(varsigma=s, beta=beta).paper_approximations())
        total, err = continuum_drag_chi_slope(model, order=12, n_angle=8)
        parts = continuum_drag_chi_slope_parts(model, order=12, n_angle=8)
        assert sum(parts.values()) == pytest.approx(total[0], rel=1e-10)
        assert abs(parts["cross"]) <= 1e-12 * abs(total[0])  # ⟨x_u x_χ†⟩ is even in q
        slopes.append(total[0])
    assert slopes[1] == pytest.approx(2 * slopes[0], rel=1e-10)
    assert slopes[0] < 0 < float(fg.g(s, 0.05))  # opposite sign to Eq. (22b)


def test_paper_series_reproduces_f_and_gives_minus_two_g() -> None:
    """The paper's own Eqs. (17)–(19), by direct ω, q quadrature: f exactly (Eq. 20b/22a are
    right) and −2 g for the χ term (Eqs. 20c/22b have the wrong sign and a factor 1/2).
    Tolerance: the change between two quadrature resolutions plus f's, g's error."""
    s, beta = 0.4, 0.1
    coarse = hydro.paper_series_coefficients(s, beta, n_y=16, n_x=120)
    fine = hydro.paper_series_coefficients(s, beta)
    f, g = float(fg.f(s)), float(fg.g(s, beta))
    err = [abs(a - b) + 1e-12 * abs(b) for a, b in zip(coarse, fine, strict=True)]
    assert abs(fine[0] - f) <= err[0] + 1e-12 * f
    assert abs(fine[1] + 2 * g) <= err[1] + 2e-12 * g


@pytest.mark.slow
def test_comparison_table_ratios() -> None:
    table = hydro.paper_comparison([0.1, 1.0], 0.1, order=12, n_angle=8)
    np.testing.assert_allclose(table["D0_over_f"], math.pi, rtol=1e-9)
    assert all(r < 0 for r in table["Dchi_over_g"])
    # not a constant factor: the change far exceeds the quadrature errors of both routes
    r, dchi, err = table["Dchi_over_g"], table["Dchi"], table["Dchi_error"]
    rel_err = sum(e / abs(x) for e, x in zip(err, dchi, strict=True)) + 2e-12  # + g's rtol
    assert abs(r[0] - r[1]) > 1e3 * rel_err * max(abs(x) for x in r)


@pytest.mark.slow
def test_validate_hydro_writes_table_and_figures(tmp_path, capsys) -> None:
    from validate import cli_hydro

    args = argparse.Namespace(**cli_hydro.DEFAULTS, output=str(tmp_path))
    # smaller than the report's defaults, same code path
    args.varsigma, args.curve_points, args.box_lengths = [0.15, 1.0], 5, [8.0, 12.0]
    args.json = True
    assert cli_hydro.run(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["thresholds"]["continuum, even viscosity, zeta/eta=0"] == pytest.approx(-1.0)
    assert out["drag_vs_chi"]["chi"][0] > out["drag_vs_chi"]["chi_c"]
    for name in ("hydro_ratios.png", "drag_vs_chi.png", "box_convergence.png"):
        assert (tmp_path / name).stat().st_size > 10_000


def test_defaults_namespace_is_valid(tmp_path) -> None:
    from validate import cli_hydro

    args = argparse.Namespace(**cli_hydro.DEFAULTS, output=str(tmp_path))
    args.varsigma = [-1.0]
    with pytest.raises(ValueError, match="varsigma = -1"):
        cli_hydro.compute(args)


@pytest.mark.slow
def test_langevin_exact_cli_json(capsys) -> None:
    from langevin.__main__ import main

    assert main(["exact", "--varsigma", "0.15", "--beta", "0.1", "--paper", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["D"] == pytest.approx(math.pi * float(fg.f(0.15)), rel=1e-9)
    assert main(["exact", "--varsigma", "0.15", "--beta", "0.1", "--chi", "-1.2"]) == 2
    err = capsys.readouterr().err
    assert "unstable" in err and "chi_c = -1" in err and "\n" == err[-1] and err.count("\n") == 1
