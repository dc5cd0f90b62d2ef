"""Antithetic pairs in the nonlinear engine (:mod:`langevin.nonlinear_simulation`).

A partner started from ``−X₀`` and driven by ``−ξ`` has, for a linear right-hand side, the
state ``−X`` and so the same (quadratic) drag series; the original systems step exactly as
without the option.
"""

from __future__ import annotations

import numpy as np
import pytest

from langevin.comparison import NonlinearComparison
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.params import BilayerParameters

PARAMS = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.3, drift=0.2, theta=0.02)
GRID = PeriodicGrid(8, 6.0)


class _ZeroNonlinearity(NonlinearBilayerModel):
    """The nonlinear model with ``N ≡ 0``: the linear model stepped by the nonlinear engine."""

    def nonlinear_drift(self, grid):
        return lambda state: np.zeros_like(state)


def _progress(model, *, antithetic: bool, scheme: str = "lawson-heun", steps: int = 40):
    sim = NonlinearComparison(model, GRID, scheme, 0.25, common_random_numbers=True,
                              antithetic=antithetic).simulation  # fmt: skip
    prog = sim.begin_realisation(5, 1, steps)
    sim.advance_realisation(prog)
    return sim, prog


@pytest.mark.parametrize("scheme", ["lawson-heun", "lawson-midpoint"])
def test_partner_of_a_linear_model_has_the_same_drag_series(scheme) -> None:
    sim, prog = _progress(_ZeroNonlinearity(PARAMS), antithetic=True, scheme=scheme)
    n = sim.n_nl
    assert sim.n_total == 4 * n  # systems, partners, their twins
    assert np.array_equal(prog.state[n : 2 * n], -prog.state[:n])
    f = prog.forces
    assert np.array_equal(f[:, n : 2 * n, :2], f[:, :n, :2])
    # N = 0: the twin is the system, the control-variate series is its exact mean
    series = sim.estimator_series(f)
    assert np.array_equal(series, np.full_like(series, sim.linear_twin_mean))


@pytest.mark.parametrize("scheme", ["lawson-heun", "lawson-midpoint"])
def test_original_systems_step_as_without_partners(scheme) -> None:
    plain_sim, plain = _progress(NonlinearBilayerModel(PARAMS), antithetic=False, scheme=scheme)
    anti_sim, anti = _progress(NonlinearBilayerModel(PARAMS), antithetic=True, scheme=scheme)
    n = plain_sim.n_nl
    assert np.array_equal(anti.forces[:, :n], plain.forces[:, :n])  # systems
    assert np.array_equal(anti.forces[:, 2 * n : 3 * n], plain.forces[:, n:])  # their twins
    # the nonlinear partner differs at O(N): the odd part of the drag cancels in the pair
    assert not np.array_equal(anti.forces[:, n : 2 * n, :2], anti.forces[:, :n, :2])
    pair = anti_sim.estimator_series(anti.forces)
    one = plain_sim.estimator_series(plain.forces)
    partner = 2 * pair - one
    assert np.allclose(0.5 * (one + partner), pair, rtol=0, atol=1e-12 * np.abs(pair).max())


def test_antithetic_pair_estimates_the_same_mean() -> None:
    """Same expectation: over a short run the pair's mean and the plain run's agree within
    their errors (independent seeds), and the pair's error is the smaller."""
    cmp = {a: NonlinearComparison(NonlinearBilayerModel(PARAMS), GRID, "lawson-heun", 0.25,
                                  common_random_numbers=True, burn_in=100, antithetic=a)
           for a in (False, True)}  # fmt: skip
    plain = cmp[False].simulation.run(11, 2, 1500)
    pair = cmp[True].simulation.run(12, 2, 1500)
    assert pair.info["antithetic"] and not plain.info["antithetic"]
    assert abs(pair.mean - plain.mean) < 4 * np.hypot(pair.sdev, plain.sdev)
    assert pair.sdev < plain.sdev
