"""The run length of the nonlinear studies (:mod:`validate.nonlinear_run`): checked once when
made, and each study's default run as it was before the studies took one."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from langevin.grid import PeriodicGrid
from validate import nonlinear_run as nr
from validate.nonlinear import PAPER_POINT, equilibrium_checks
from validate.nonlinear_run import NonlinearRunLength
from validate.stationarity import stationarity_point


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("scheme", "euler-maruyama", "scheme = 'euler-maruyama' is outside the allowed range"),
        ("dt", 0.0, "dt = 0.0 is outside the allowed range (0, inf)"),
        ("dt", "0.25", "dt = '0.25' is outside the allowed range"),
        ("burn_in", -1, "burn_in = -1 is outside the allowed range [0, inf)"),
        ("n_steps", 400, "n_steps = 400 is outside the allowed range [401, inf)"),
        ("n_steps", 4000.0, "n_steps = 4000.0 is outside the allowed range"),
        ("n_realisations", 0, "n_realisations = 0 is outside the allowed range [1, inf)"),
        ("seed", -1, "seed = -1 is outside the allowed range"),
        ("antithetic", 1, "antithetic = 1 is outside the allowed range"),
    ],
)
def test_a_run_outside_its_ranges_is_refused_naming_the_field(field, value, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        replace(nr.POINT_RUN, **{field: value})


def test_the_length_and_seed_must_be_given() -> None:
    with pytest.raises(TypeError):
        NonlinearRunLength(n_steps=4000, n_realisations=4)  # type: ignore[call-arg]


def test_each_study_keeps_its_former_defaults() -> None:
    """The keyword defaults the studies had: (n_steps, n_realisations, seed, antithetic); the
    stepper, step and burn-in are Lawson–Heun, 0.25, 400 throughout."""
    former = {
        "POINT_RUN": (4000, 4, 1, False),
        "STEPPER_RUN": (4000, 4, 101, False),
        "STEP_SIZE_RUN": (4000, 4, 201, False),
        "EQUILIBRIUM_RUN": (4000, 4, 7, False),
        "CHI_SCAN_RUN": (4000, 4, 1000, False),
        "DRIFT_SCAN_RUN": (4000, 4, 2000, False),
        "STATIONARITY_RUN": (16000, 2, 1, False),
        "STATIONARITY_SCAN_RUN": (16000, 2, 3000, False),
        "STRUCTURE_RUN": (8000, 4, 5, True),
        "SLOPE_RUN": (4000, 4, 1, True),
    }
    assert sorted(former) == sorted(n for n in nr.__all__ if n.endswith("_RUN"))
    for name, values in former.items():
        run = getattr(nr, name)
        assert (run.n_steps, run.n_realisations, run.seed, run.antithetic) == values, name
        assert (run.scheme, run.dt, run.burn_in) == ("lawson-heun", 0.25, 400), name


def test_studies_without_pairs_refuse_antithetic_runs() -> None:
    grid = PeriodicGrid(8, 6.0)
    run = replace(nr.STATIONARITY_RUN, antithetic=True)
    with pytest.raises(ValueError, match="antithetic = True .* stationarity_point"):
        stationarity_point(PAPER_POINT, grid, run)
    with pytest.raises(ValueError, match="antithetic = True .* equilibrium_checks"):
        equilibrium_checks(PAPER_POINT, grid, replace(nr.EQUILIBRIUM_RUN, antithetic=True))


def test_stationarity_steps_reach_the_study_as_its_run(monkeypatch, capsys) -> None:
    """``validate nonlinear --stationarity --stationarity-steps N``: the scan's run is
    :data:`validate.nonlinear_run.STATIONARITY_SCAN_RUN` with ``N`` steps."""
    import validate.cli_nonlinear
    import validate.stationarity
    from validate.__main__ import main

    seen = {}

    def fake_stationarity(drifts, log=None, run=None):
        seen["run"] = run
        return {}

    monkeypatch.setattr(validate.cli_nonlinear, "nonlinear_report", lambda **kw: {})
    monkeypatch.setattr(validate.stationarity, "stationarity_report", fake_stationarity)
    argv = ["nonlinear", "--stationarity", "--stationarity-steps", "4400", "--no-figures", "--json"]
    assert main(argv) == 0
    assert seen["run"] == replace(nr.STATIONARITY_SCAN_RUN, n_steps=4400)
    capsys.readouterr()
