"""The nonlinear bilayer against its linearisation (:mod:`validate.nonlinear`).

Every assertion compares two routes with an error bar computed from the runs: the nonlinear
Langevin drag against the linear model's exact (Lyapunov) value on the same kept modes as the
fluctuation strength Θ → 0, the two weak-order-2 steppers against each other, the v = 0
state against Gibbs, and the steppers' convergence order in dt.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from langevin.comparison import NonlinearComparison
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel
from validate.nonlinear import (
    PAPER_POINT,
    WEAK_ORDER_GRID,
    equilibrium_checks,
    stepper_comparison,
    strength_limit,
    strength_scan,
    weak_order,
)
from validate.nonlinear_run import EQUILIBRIUM_RUN, POINT_RUN, STEPPER_RUN

SIZE = {"n_realisations": 4, "n_steps": 3000}


@pytest.mark.slow
def test_drag_tends_to_the_linear_value_as_the_strength_vanishes() -> None:
    """D(Θ)/D_linear = c + aΘ at Θ = 0.0025, 0.005, 0.01: c = 1 within its error, the fit is
    consistent (χ² of one degree of freedom below 9), and at every point the second
    estimator (the force the constraint removes from layer 2) agrees with Eq. (11)."""
    pts = strength_scan((0.0025, 0.005, 0.01), run=replace(POINT_RUN, **SIZE))
    fit = strength_limit(pts)
    assert abs(fit["limit"] - 1.0) < 3 * fit["limit_sdev"], fit
    assert fit["chi2_dof"] < 9.0, fit
    for p in pts:
        assert not p.blow_up and p.linear_stable
        assert abs(p.constraint_mean - p.mean) < 3 * max(p.sdev, p.constraint_sdev), p


@pytest.mark.slow
def test_the_two_steppers_agree() -> None:
    """Lawson–Heun and Lawson–midpoint (independent seeds) at Θ = 0.01, dt = 0.25."""
    res = stepper_comparison(PAPER_POINT.with_(theta=0.01), run=replace(STEPPER_RUN, **SIZE))
    h, m = res["lawson-heun"], res["lawson-midpoint"]
    assert abs(h.mean - m.mean) < 3 * math.hypot(h.sdev, m.sdev), (h, m)


@pytest.mark.slow
def test_zero_drift_is_gibbs_to_order_theta() -> None:
    """v = 0: no drag within errors, number conserved to rounding, and the structure factors'
    deviation from Gibbs is O(Θ): (measured − Gibbs)/(Θ·Gibbs) is the same at Θ = 0.002 and
    0.01 within the errors (it does not survive Θ → 0)."""
    run = replace(EQUILIBRIUM_RUN, **SIZE)
    res = [equilibrium_checks(PAPER_POINT.with_(theta=t), run=run) for t in (0.002, 0.01)]
    for r in res:
        f, s = r["force_x"]
        assert abs(f) < 3 * s, r
        assert r["number_drift"] < 1e-12
    for key in ("pp_ratio", "nn_ratio"):
        (a, sa), (b, sb) = (r[key] for r in res)
        ca, cb = a / 0.002, b / 0.01
        assert abs(ca - cb) < 3 * math.hypot(sa / 0.002, sb / 0.01), (key, res)


@pytest.mark.parametrize("scheme", ["lawson-heun", "lawson-midpoint"])
def test_noise_free_steppers_converge_at_second_order(scheme: str) -> None:
    """With the noise switched off, the error at T = 4 halves by 4 when dt halves (the
    deterministic part of weak order 2; the linear part is exact at any dt)."""
    params = PAPER_POINT.with_(theta=0.01)
    grid = PeriodicGrid(12, 9.0)
    model = NonlinearBilayerModel(params)

    def final(dt: float) -> np.ndarray:
        sim = NonlinearComparison(model, grid, scheme, dt, control_variate=False).simulation
        for k in range(len(sim.noise_map)):
            sim.noise_map[k][:] = 0.0
            if sim.half_noise:
                sim.half_noise[k][:] = 0.0
        x = 2.0 * sim.initial_state(np.random.default_rng(4))  # a strongly nonlinear start
        out = np.empty((1, 6))
        z = np.zeros((sim.modes.size, sim.noise_dim), dtype=complex)
        for _ in range(int(round(4.0 / dt))):
            sim.step(x, z, out)
        return x[0]

    ref = final(1 / 64)
    err = [np.max(np.abs(final(dt) - ref)) for dt in (0.5, 0.25, 0.125)]
    orders = [math.log2(err[k] / err[k + 1]) for k in range(2)]
    assert abs(orders[-1] - 2.0) < 0.25, (err, orders)


@pytest.mark.slow
def test_weak_order_on_coupled_paths_is_consistent_with_two() -> None:
    """Coupled antithetic paths at Θ = 0.05 on the 8×8 grid: the ratio of successive level
    differences of E|δn|² is 4 (order 2) within three of its computed errors."""
    res = weak_order(PAPER_POINT.with_(theta=0.05), WEAK_ORDER_GRID, n_paths=300, t_final=8.0)
    d = res["density_variance"]
    for r, s in zip(d["ratios"], d["ratio_sdev"], strict=True):
        assert abs(r - 4.0) < 3 * s, d
    assert d["differences"][0] > 3 * d["difference_sdev"][0]  # the error is resolved
