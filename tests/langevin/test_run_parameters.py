"""Each run parameter of ``python -m langevin run`` is declared once
(:data:`langevin.parameters.RUN_PARAMETERS`, :data:`langevin.parameters.RUN_ENTRY_PARAMETERS`):
the TOML keys and their checks, the default TOML text, the options, the defaults a run
fills in, the engines' defaults, the stored units and the stored values all follow the
tables."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import math

import pytest

from dragcore.parameters import OneOf, Range, RunParameter, toml_literal
from langevin.cli_run import add_arguments
from langevin.comparison import ExactComparison, NonlinearComparison
from langevin.config import DEFAULT_CONFIG, PARAMETER_KEYS, load_config, run_parameters
from langevin.nonlinear_simulation import NonlinearSimulation
from langevin.parameters import (
    NONLINEAR_START_DT,
    RUN_ENTRY_PARAMETERS,
    RUN_PARAMETERS,
    Even,
    Registered,
    stored_model_parameters,
    table_values,
)
from langevin.params import BilayerParameters
from langevin.run import run_langevin
from langevin.run_models import NONLINEAR_DEFAULTS
from langevin.simulation import Simulation
from langevin.storage import PARAMETER_UNITS

#: A configuration's one ``[[run]]`` (a table test adds one key to it).
RUN = '[[run]]\nname = "r"\nvarsigma = 0.15\nbeta = 0.1\n'

#: The stored parameters of the default configuration's first run, as files held them
#: before the tables (names, values and kinds ``langevin.load`` reads back).
STORED_PAPER = {
    "varsigma": 0.15, "beta": 0.1, "chi": 0.1, "drift": 0.01, "drift_angle": 0.0,
    "bulk_to_shear": 0.0, "odd": 0.0, "sound": 0.0, "theta": 1.0, "even_viscosity": False,
}  # fmt: skip


def _bad_value(p: RunParameter):
    """A value just outside the parameter's range (``None``: it has none)."""
    if isinstance(p.check, (OneOf, Registered)):
        return "no-such-choice"
    if isinstance(p.check, Even):
        return p.check.lo + 1
    if isinstance(p.check, Range):
        if p.check.hi != math.inf:
            return p.check.hi if p.check.hi_open else p.check.hi + 1
        if p.check.lo == -math.inf:
            return None
        return p.check.lo if p.check.lo_open else p.check.lo - 1
    if p.check is not None:
        return "  "
    return None


def _config(p: RunParameter, value) -> str:
    line = f"{p.key} = {toml_literal(value)}\n"
    return line + RUN if p.table == "" else f"[{p.table}]\n{line}{RUN}"


TOML_ROWS = [p for p in RUN_PARAMETERS if p.table is not None]


@pytest.mark.parametrize("p", TOML_ROWS, ids=[p.name for p in TOML_ROWS])
def test_every_setting_is_consistent_everywhere(p: RunParameter) -> None:
    """TOML text, key, type and range check, and the default a run fills in: one row."""
    header = f"[{p.table}]\n" if p.table else ""
    section = DEFAULT_CONFIG.split(header)[1] if header else DEFAULT_CONFIG
    assert p.toml_line() in section.split("\n[")[0].splitlines()
    assert table_values({}, p.table)[p.key] == p.default
    shown = p.default if p.default is not None else p.example
    cfg = load_config(_config(p, shown))
    assert (cfg[p.key] if p.table == "" else cfg[p.table][p.key]) == shown
    assert table_values(cfg, p.table)[p.key] == shown
    if p.kind != "str":
        with pytest.raises(ValueError, match=rf"{p.key} = 'text' is outside the allowed"):
            load_config(_config(p, "text"))
    bad = _bad_value(p)
    if bad is not None:  # the check names the table and key, the value and the range
        where = rf"\[{p.table}\] {p.key}" if p.table else p.key
        with pytest.raises(ValueError, match=rf"{where} = .* is outside the allowed range"):
            load_config(_config(p, bad))


OPTION_ROWS = [p for p in RUN_PARAMETERS if p.option is not None]


@pytest.mark.parametrize("p", OPTION_ROWS, ids=[p.name for p in OPTION_ROWS])
def test_every_option_overrides_its_parameter(p: RunParameter) -> None:
    """The option sets the keyword of :func:`run_langevin` of the parameter's name."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    value = {"int": 7, "real": 0.5, "str": "x.h5"}.get(p.kind)
    argv = [p.option] if p.kind == "bool" else [p.option, str(value)]
    given = RUN_PARAMETERS.given_options(parser.parse_args(argv))
    assert given == {p.name: (not p.default) if p.kind == "bool" else value}
    assert p.name in inspect.signature(run_langevin).parameters


def test_the_engines_take_the_tables_defaults() -> None:
    """The constructors' defaults are the command's (the issue: dt 8.0 against 0.5, 0.25
    against 0.2)."""
    for cls, scheme, dt in ((Simulation, "scheme", "dt"), (ExactComparison, "scheme", "dt")):
        sig = inspect.signature(cls).parameters
        assert sig["scheme"].default == RUN_PARAMETERS[scheme].default
        assert sig["dt"].default == RUN_PARAMETERS[dt].default == 8.0
        assert sig["rng_backend"].default == RUN_PARAMETERS["rng_backend"].default
    for cls in (NonlinearSimulation, NonlinearComparison):
        sig = inspect.signature(cls).parameters
        assert sig["scheme"].default == RUN_PARAMETERS["nonlinear_scheme"].default
        assert sig["dt"].default == NONLINEAR_START_DT == 0.25
    assert NONLINEAR_DEFAULTS == {"scheme": "lawson-heun", "dt": 0.25, "burn_in": 400,
                                  "control_variate": True, "grid_n": 16}  # fmt: skip


def test_the_run_keys_are_the_model_parameters() -> None:
    """A ``[[run]]``'s model keys are :class:`BilayerParameters` fields with its defaults;
    their units are the stored units; the stored values are those of the files before."""
    fields = {f.name: f for f in dataclasses.fields(BilayerParameters)}
    for p in RUN_ENTRY_PARAMETERS:
        if p.stored is None:
            continue
        f = fields[p.name]
        default = None if f.default is dataclasses.MISSING else f.default
        assert p.default == default, p.name
        assert PARAMETER_UNITS[p.stored] == (p.unit, p.description)
    assert set(PARAMETER_UNITS) == set(STORED_PAPER)
    assert PARAMETER_KEYS | {"theta"} == {p.key for p in RUN_ENTRY_PARAMETERS if p.stored} - {
        "even_viscosity"
    }
    paper = load_config(DEFAULT_CONFIG)["run"][0]
    stored = stored_model_parameters(run_parameters(paper))
    assert stored == STORED_PAPER
    assert {k: type(v) for k, v in stored.items()} == {k: type(v) for k, v in STORED_PAPER.items()}
    with pytest.raises(ValueError, match=r"\[\[run\]\] 'r' chi = 'x' is outside"):
        load_config(RUN.replace("beta = 0.1", "beta = 0.1\nchi = 'x'"))
    with pytest.raises(ValueError, match=r"\[\[run\]\] 'r' key = 'colour' is outside"):
        load_config(RUN + "colour = 1\n")


def test_the_default_configuration_is_the_commands() -> None:
    """The values a user sees on the default path (``python -m langevin run``)."""
    cfg = load_config(DEFAULT_CONFIG)
    assert table_values(cfg, "stepper") == {
        "scheme": "exact", "dt": 8.0, "common_random_numbers": True, "rng_backend": "numpy",
        "n_realisations": 4, "n_steps": 10000, "block_steps": None,
    }  # fmt: skip
    assert table_values(cfg, "grid") == {"n": 32, "length": 16.0}
    assert table_values(cfg, "checkpoint") == {"seconds": 600.0, "blocks": 0}
    assert table_values(cfg, "") == {"output": "langevin-run.h5", "seed": 20251121,
                                     "snapshots": True}  # fmt: skip
    assert "dt" not in cfg["nonlinear"]  # the default step is halved to the limit
    assert [r["name"] for r in cfg["run"]] == ["paper", "all-terms"]
