"""Each run parameter of ``python -m montecarlo run`` is declared once
(:data:`montecarlo.parameters.RUN_PARAMETERS`): the options, the TOML keys and their checks,
the default TOML text, the stored units and the stored values all follow the table. A
parameter added to a copy of the table appears everywhere, with no other edit."""

from __future__ import annotations

import argparse
import dataclasses
import math

import pytest

from dragcore.parameters import (
    OneOf,
    ParameterTable,
    Range,
    RunParameter,
    config_class,
    toml_literal,
)
from layers.presets import preset
from montecarlo.cli_run import add_arguments, run_config
from montecarlo.config import DEFAULT_CONFIG, load_config
from montecarlo.parameters import RUN_PARAMETERS, TOML_HEADER
from montecarlo.run import CollisionRunConfig
from montecarlo.storage import PARAMETER_UNITS

#: The stored parameters of a default run as the files written before the table held them
#: (the names and kinds a run file, and so ``montecarlo.load``, reads back).
STORED_DEFAULT = {
    "preset": "fig2-d40", "active": "weyl", "T": 10.0, "n_p": 3e11, "tau_p": 50.0, "d": 40.0,
    "tilt": 0.3, "eps": 12.0, "screening": "T0", "n_eval": 200_000, "n_train": 6,
    "n_prod": 10, "n_bins": 600, "batch_size": 16384, "max_hcubes": 1_000_000, "seed": 0,
}  # fmt: skip


def _parser(table: ParameterTable) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    table.add_options(parser)
    return parser


def _bad_value(p: RunParameter):
    """A value just outside the parameter's range (``None``: it has none)."""
    if isinstance(p.check, OneOf):
        return "no-such-choice"
    if isinstance(p.check, Range):
        if p.check.hi != math.inf:
            return p.check.hi if p.check.hi_open else p.check.hi + 1
        return p.check.lo if p.check.lo_open else p.check.lo - 1
    if p.check is not None:
        return "  "
    return None


@pytest.mark.parametrize("p", list(RUN_PARAMETERS), ids=[p.name for p in RUN_PARAMETERS])
def test_every_parameter_is_consistent_everywhere(p: RunParameter) -> None:
    """Field and default, option, TOML key and text, check, unit and stored value: each
    derived from the one row."""
    default = CollisionRunConfig()
    assert getattr(default, p.name) == p.default
    if p.option is not None:  # the option sets the field, and only it
        action = {a.dest: a for a in _parser(RUN_PARAMETERS)._actions}[p.name]
        assert p.option in action.option_strings and action.choices == p.choices
        value = (not p.default) if p.kind == "bool" else (p.choices or (p.example,))[-1]
        if value is None:
            value = {"int": 7, "real": 0.5, "str": "x.h5"}[p.kind]
        argv = [p.option] if p.kind == "bool" else [p.option, str(value)]
        args = _parser_with_config().parse_args(argv)
        assert dataclasses.asdict(run_config(args)) == {
            **dataclasses.asdict(default),
            p.name: value,
        }
    if p.table is not None:  # the TOML text shows the key in its table; the key reads back
        header = f"[{p.table}]\n" if p.table else ""
        section = DEFAULT_CONFIG.split(header)[1] if header else DEFAULT_CONFIG
        section = section.split("\n[")[0]
        assert p.toml_line() in section.splitlines()
        shown = p.default if p.default is not None else p.example
        assert load_config(f"{header}{p.key} = {toml_literal(shown)}\n") == {p.name: shown}
        if p.kind != "str":
            with pytest.raises(ValueError, match=f"{p.key} = 'text' is outside the allowed"):
                load_config(f"{header}{p.key} = 'text'\n")
    bad = _bad_value(p)
    if bad is not None:  # the check names the parameter, its value and the allowed range
        with pytest.raises(ValueError, match=rf"^{p.label} = .* is outside the allowed range"):
            dataclasses.replace(default, **{p.name: bad}).check()
    if p.stored is not None:
        assert PARAMETER_UNITS[p.stored] == (p.unit, p.description)
        stored = default.stored_parameters(preset(default.preset))
        assert stored[p.stored] == STORED_DEFAULT[p.stored]
        assert type(stored[p.stored]) is type(STORED_DEFAULT[p.stored])


def _parser_with_config() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser


def test_the_stored_parameters_are_those_of_the_files_before() -> None:
    """The identity of a run file: the same names, values and kinds as before the table."""
    config = CollisionRunConfig()
    assert config.stored_parameters(config.bilayer()) == STORED_DEFAULT
    assert set(PARAMETER_UNITS) == set(STORED_DEFAULT)
    assert config.as_dict()["tilt"] == 0.3


def test_a_parameter_added_to_the_table_appears_everywhere() -> None:
    """One new row (a gate voltage in ``[bilayer]``, a hypothetical parameter): a field with
    its default, an option, a TOML key and line, a range check, a unit and a stored value."""
    gate = RunParameter("gate", "bilayer", "real", 1.5, "V", "gate voltage, V", Range(0.0, 5.0),
                        "voltage on the top gate", label="V_g")  # fmt: skip
    table = ParameterTable([*RUN_PARAMETERS, gate])

    @config_class(table)
    class Config:
        """A run with a gate."""

        def check(self) -> None:
            table.check(self)

    assert Config().gate == 1.5 and Config(gate=2.0).tilt == 0.3
    assert "gate\n        gate voltage, V; allowed: [0, 5]." in Config.__doc__
    args = _parser(table).parse_args(["--gate", "2.5", "--tilt", "0.1"])
    assert table.given_options(args) == {"gate": 2.5, "tilt": 0.1}
    text = table.toml_text(TOML_HEADER)
    line = "gate = 1.5                    # gate voltage, V\n"
    assert line in text and text.replace(line, "") == DEFAULT_CONFIG
    assert table.load_toml(text) == {**load_config(DEFAULT_CONFIG), "gate": 1.5}
    assert table.load_toml("[bilayer]\ngate = 3\n") == {"gate": 3.0}
    with pytest.raises(ValueError, match=r"V_g = 7.0 is outside the allowed range \[0, 5\]"):
        Config(gate=7.0).check()
    with pytest.raises(ValueError, match=r"\[bilayer\] gate = 'high' is outside"):
        table.load_toml("[bilayer]\ngate = 'high'\n")
    assert table.units()["gate"] == ("V", "voltage on the top gate")
    assert table.stored_values(Config(gate=0.5))["gate"] == 0.5
    assert "gate" not in PARAMETER_UNITS and "gate" not in DEFAULT_CONFIG  # a copy


def test_table_refuses_what_cannot_be_derived() -> None:
    with pytest.raises(ValueError, match="kind = 'complex'"):
        RunParameter("z", "", "complex", 0j)
    with pytest.raises(ValueError, match="unique"):
        ParameterTable([RUN_PARAMETERS["T"], RUN_PARAMETERS["T"]])
    with pytest.raises(KeyError):
        RUN_PARAMETERS["temperature"]
    assert toml_literal(3e11) == "3e11" and toml_literal(200_000) == "200_000"
    assert toml_literal(16384) == "16384" and toml_literal(0.0) == "0.0"
    assert toml_literal('a"b') == '"a\\"b"'


def test_the_recipe_is_passed_down_whole() -> None:
    """The run hands :func:`run_distributed` one recipe (its ``[integrator]`` rows); the bits
    and the checkpoint identity are those of the same settings given one by one, and the
    identity of a default-recipe run keeps its keys (old checkpoints resume)."""
    import numpy as np

    from dragcore import units
    from montecarlo.checkpoint import recipe_of, run_distributed, run_identity
    from montecarlo.drag_mc import DEFAULT_RECIPE

    config = CollisionRunConfig(T=5.0, neval=4000, n_train=1, n_prod=2, n_bins=100, seed=3)
    recipe = config.recipe()
    assert recipe == DEFAULT_RECIPE.with_(n_eval=4000, n_train=1, n_prod=2, n_bins=100)
    bl, T = config.bilayer(), units.kelvin_to_erg(config.T)
    whole = run_distributed(bl, T, recipe=recipe, seed=3)
    apart = run_distributed(bl, T, n_eval=4000, n_train=1, n_prod=2, n_bins=100, seed=3)
    assert np.array_equal(whole.estimate.result.mean, apart.estimate.result.mean)
    assert np.array_equal(whole.estimate.result.covariance, apart.estimate.result.covariance)
    assert whole.info["identity"] == apart.info["identity"]
    assert set(whole.info["identity"]) == {
        "collision_params", "outputs", "dim", "n_eval", "n_train", "n_prod", "seed", "n_bins",
        "batch_size", "max_hcubes",
    }  # fmt: skip
    other = run_identity(bl, T, recipe.with_(alpha=0.5), seed=3)
    assert other["alpha"] == 0.5 and "adapt_weights" not in other
    with pytest.raises(TypeError, match="'n_bins'"):
        recipe_of(
            recipe,
            n_eval=None,
            n_train=None,
            n_prod=None,
            n_bins=50,
            batch_size=DEFAULT_RECIPE.batch_size,
            max_hcubes=DEFAULT_RECIPE.max_hcubes,
        )
    with pytest.raises(TypeError, match="'n_prod'"):
        run_distributed(bl, T, n_eval=4000, n_train=1, seed=3)


def test_the_bilayer_is_built_from_the_rows_arguments() -> None:
    """Every keyword of :func:`layers.presets.preset` is the ``argument`` of one ``[bilayer]``
    row, so the run's bilayer needs no second list of its parameters."""
    import inspect

    from montecarlo.collision import collision_params

    config = CollisionRunConfig(tilt=-0.5, n_p=2e11, tau_p=20.0, d=60.0, eps=9.0, active="weyl")
    arguments = RUN_PARAMETERS.arguments(config, "bilayer")
    assert set(arguments) == set(inspect.signature(preset).parameters) - {"name"}
    assert arguments["tilt"] == -0.5 and arguments["d_nm"] == 60.0
    built = config.bilayer()
    by_hand = preset("fig2-d40", n_p_cm2=2e11, tau_p_ps=20.0, d_nm=60.0, tilt=-0.5,
                     dielectric=9.0, active="weyl")  # fmt: skip
    T = 1e-15  # erg: every number the kernel sees is the same
    assert collision_params(built, T).tobytes() == collision_params(by_hand, T).tobytes()
