"""Accuracy control of the nonlinear stepper (:func:`langevin.run.nonlinear_step_limit`, the
two-estimator check of :func:`langevin.nonlinear_simulation.estimator_consistency`).

The step limit ``dt <= √Θ/λ_nl`` is refused up front (``tests/test_hostile_inputs.py``); here:
the default step meets it and is halved where 0.25 does not; a run at the default step agrees
with one at a 4× smaller step within the error of the difference; and a step past the limit
(the limit switched off) is flagged by the two estimators.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import langevin.run_models
from langevin.config import load_config
from langevin.nonlinear_simulation import estimator_consistency
from langevin.run import nonlinear_step_limit, run_langevin
from tests.cli_helpers import run_toml

CONFIG = """
seed = {seed}
snapshots = false
{grid}
[stepper]
n_realisations = {R}
n_steps = {steps}
[nonlinear]
{extra}
""" + run_toml("nl", drift=0.05, theta=0.02)


def _run(tmp_path, name, **fields):
    fields = {"seed": 1, "grid": "", "R": 1, "steps": 60, "extra": "burn_in = 10", **fields}
    return run_langevin(load_config(CONFIG.format(**fields)), output=tmp_path / f"{name}.h5")


def test_step_limit_formula() -> None:
    assert nonlinear_step_limit(0.114, 0.02) == pytest.approx(math.sqrt(0.02) / 0.114)
    assert nonlinear_step_limit(0.5, 4.0) == pytest.approx(2.0)  # never beyond 1/λ_nl
    assert nonlinear_step_limit(0.0, 0.02) == math.inf


def test_estimator_consistency_is_the_combined_difference() -> None:
    diff, sdev, z = estimator_consistency(np.array([1.0, 3.0]), np.array([0.3, 0.4]))
    assert diff == pytest.approx(2.0) and sdev == pytest.approx(0.25) and z == pytest.approx(8.0)


@pytest.mark.slow
def test_default_step_is_halved_to_meet_the_limit(tmp_path) -> None:
    """N = 16 on L = 12 d at Θ = 0.02: λ_nl ≈ 0.88, limit ≈ 0.16, so the default 0.25 becomes
    0.125; a given dt is never changed (it is refused instead)."""
    res = _run(tmp_path, "a", grid="[grid]\nlength = 12.0", extra="burn_in = 10\ngrid_n = 16")
    info = res.runs["nl"].info
    limit = nonlinear_step_limit(res.summary["nl"]["nonlinear_rate"], 0.02)
    assert 0.125 <= limit < 0.25
    assert info["dt"] == 0.125
    with pytest.raises(ValueError, match=r"\[nonlinear\] dt = 0.25 is outside the allowed range"):
        _run(tmp_path, "b", grid="[grid]\nlength = 12.0",
             extra="burn_in = 10\ngrid_n = 16\ndt = 0.25")  # fmt: skip
    assert not (tmp_path / "b.h5").exists()


@pytest.mark.slow
def test_a_step_past_the_limit_is_flagged_by_the_two_estimators(tmp_path, monkeypatch,
                                                                  capsys) -> None:  # fmt: skip
    """dt = 8 at Θ = 0.02, N = 8, L = 12 d (7× the limit): with the limit switched off, the
    drag and constraint-force estimators differ by many σ (measured with 12 × 10⁴ steps:
    −0.555 ± 0.016) and the run warns and records it."""
    monkeypatch.setattr(langevin.run_models, "nonlinear_step_limit", lambda rate, theta: math.inf)
    res = _run(tmp_path, "big", grid="[grid]\nn = 8\nlength = 12.0", R=2, steps=1500,
               extra="burn_in = 100\ngrid_n = 8\ndt = 8.0")  # fmt: skip
    s = res.summary["nl"]
    assert s["estimator_difference_sigmas"] > 3.0
    assert s["step_consistent"] is False
    assert "WARNING: the two estimators of the nonlinear run disagree" in capsys.readouterr().err


@pytest.mark.slow
def test_default_step_agrees_with_a_four_times_smaller_step(tmp_path) -> None:
    """Θ = 0.02 with the default grid (N = 16, L = 16 d), step, burn-in and control variate,
    against dt/4 over the same simulated time, independent seeds: the difference within 3σ of
    its error (σ from the two runs' own error bars)."""
    a = _run(tmp_path, "a", seed=11, R=4, steps=2400, extra="")
    b = _run(tmp_path, "b", seed=12, R=4, steps=9600, extra="dt = 0.0625\nburn_in = 1600")
    sa, sb = a.summary["nl"], b.summary["nl"]
    assert a.runs["nl"].info["dt"] == 0.25
    z = (sa["mean"] - sb["mean"]) / math.hypot(sa["sdev"], sb["sdev"])
    assert abs(z) < 3.0, (sa["mean"], sa["sdev"], sb["mean"], sb["sdev"])
    assert sa["step_consistent"] and sb["step_consistent"]
