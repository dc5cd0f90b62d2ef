"""The stationarity study of the nonlinear model (validate.stationarity) on a small grid:
field statistics against Parseval, a blow-up below χ_c reported as such, the verdict and the
quoted D, the points chosen past the thresholds, the run length refused before computing."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from langevin.comparison import NonlinearComparison
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel
from validate.nonlinear import PAPER_POINT, kept_thresholds
from validate.nonlinear_run import STATIONARITY_RUN
from validate.stationarity import (
    check_run_length,
    field_statistics,
    format_point,
    past_instability_points,
    stationarity_point,
)

GRID = PeriodicGrid(8, 6.0)


def test_density_variance_is_parseval_of_the_kept_modes() -> None:
    """⟨δn₁(r)²⟩ over the grid = Σ over the full plane of |δn₁,q|² (each half-plane mode
    and its conjugate partner), and the shells hold the mean power of their modes."""
    p = PAPER_POINT.with_(theta=0.005)
    sim = NonlinearComparison(NonlinearBilayerModel(p), GRID, "lawson-heun", 0.25).simulation
    x = sim.initial_state(np.random.default_rng(1))[0]
    var, spec = field_statistics(sim, x, shells=(0.0, 100.0))
    power = np.abs(x[:, 0]) ** 2
    full = np.sum(np.where(sim.modes.real_mode, 1.0, 2.0) * power)
    assert var == pytest.approx(full, rel=1e-12)
    assert spec[0] == pytest.approx(power.mean(), rel=1e-12)


def test_below_chi_c_the_run_blows_up_and_quotes_nothing() -> None:
    """χ = −2 (χ_c = −1.511 on the kept modes of 8×8, L = 6 d): the density leaves the
    physical domain in the first steps (step 22); the point says so and carries no D."""
    p = PAPER_POINT.with_(theta=0.005, chi=-2.0)
    assert kept_thresholds(p, GRID)["chi_c"] > -2.0
    pt = stationarity_point(p, GRID, replace(STATIONARITY_RUN, n_realisations=1, n_steps=3000))
    assert pt.verdict == "blow-up" and not pt.stationary
    assert "density of layer" in pt.blow_up
    assert math.isnan(pt.mean) and math.isnan(pt.sdev)
    assert "blow-up" in format_point(pt.as_dict())


@pytest.mark.slow
def test_a_stable_point_runs_and_quotes_d_only_if_stationary() -> None:
    """A short run at the paper's point (8×8, 1 realisation × 1000 steps): the diagnostics of
    the drag, the density variance and each non-empty shell exist; D is quoted (with the
    run's error bar) exactly when all are stationary."""
    p = PAPER_POINT.with_(theta=0.005)
    run = replace(STATIONARITY_RUN, n_realisations=1, n_steps=1000, burn_in=200, seed=4)
    pt = stationarity_point(p, GRID, run, sample_every=5)
    assert pt.drag is not None and pt.density is not None
    assert pt.drag.n_samples == 800 and pt.density.n_samples == 160
    assert pt.spectrum.shape == (8, len(pt.shells) - 1)
    assert len(pt.shell_tests) == int(np.sum(np.all(np.isfinite(pt.spectrum), axis=0))) > 0
    everything = [pt.drag, pt.density, *pt.shell_tests]
    assert pt.stationary == all(t.stationary for t in everything)
    if pt.stationary:
        assert (pt.mean, pt.sdev) == (pt.drag.mean, pt.drag.error)
        assert "D = " in format_point(pt.as_dict())
    else:
        assert math.isnan(pt.mean) and "D not quoted" in format_point(pt.as_dict())


def test_points_past_the_thresholds_and_the_run_length() -> None:
    th = {"u_c": 1.68, "chi_c": -1.4}
    pts = past_instability_points(PAPER_POINT, th, (1.0, 1.75, 1.9), (-1.0, -1.5))
    assert [(q.drift, q.chi) for q in pts] == [(1.75, 0.1), (1.9, 0.1), (0.05, -1.5)]
    with pytest.raises(ValueError, match="n_steps = 100 is outside the allowed range"):
        check_run_length(100)
    with pytest.raises(ValueError, match="burn_in = 410"):
        check_run_length(10_000, burn_in=410)
    check_run_length(2960)


def test_cli_refuses_a_short_stationarity_run_before_computing(tmp_path, capsys) -> None:
    """``python -m validate nonlinear --stationarity --stationarity-steps 100``: exit code 2
    and one line naming the parameter, before the report runs (nothing written)."""
    from validate.__main__ import main

    out = tmp_path / "figs"
    code = main(["nonlinear", "--stationarity", "--stationarity-steps", "100",
                 "--output", str(out)])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "n_steps = 100 is outside the allowed range [2960, inf)" in err
    assert err.count("\n") == 1 and not out.exists()


def test_a_partial_blow_up_quotes_no_d_but_shows_the_survivors() -> None:
    """One of two realisations left the physical domain: the point is a blow-up (no D), the
    survivors' diagnostics are printed after the count."""
    from langevin.stationarity import stationarity_diagnostics
    from validate.stationarity import StationarityPoint

    ok = stationarity_diagnostics(np.random.default_rng(0).standard_normal((1, 2000)))
    assert ok.stationary
    pt = StationarityPoint(0.005, 0.1, 1.9, 0.25, 2, 2400, 400, 20, False,
                           blow_up="density of layer 2 reached -0.003 n (≤ 0) at step 9",
                           n_blown=1, drag=ok, density=ok, shell_tests=[ok])  # fmt: skip
    assert pt.verdict == "blow-up" and not pt.stationary and math.isnan(pt.mean)
    text = format_point(pt.as_dict())
    assert "blow-up in 1 of 2 realisations" in text and "D not quoted" in text
