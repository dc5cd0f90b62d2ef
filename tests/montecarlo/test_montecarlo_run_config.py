"""``python -m montecarlo run`` with a TOML configuration, and its computation called from
Python (:func:`montecarlo.run.run_collision_mc`) and the shared run wrapper
(:mod:`dragcore.run`)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import h5py
import numpy as np
import pytest

from montecarlo.config import DEFAULT_CONFIG, load_config
from montecarlo.run import CollisionRunConfig, run_collision_mc

REPO = Path(__file__).resolve().parents[2]
#: A run that takes about a second (no finite-T reference quadrature).
TINY = ["--T", "2", "--neval", "4000", "--n-train", "2", "--n-prod", "3", "--no-reference"]


def _mc(argv: list[str]) -> int:
    from montecarlo.__main__ import main

    return main(argv)


def _json_without_timing(text: str) -> dict:
    out = json.loads(text)
    for key in ("wall_seconds",):
        out.pop(key)
    return out


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_default_config_is_the_command_defaults() -> None:
    """Every field a configuration sets has, in --print-config, the dataclass default (which
    the command's help texts state)."""
    assert CollisionRunConfig(**load_config(DEFAULT_CONFIG)) == CollisionRunConfig()
    assert set(load_config(DEFAULT_CONFIG)) | {"output", "d"} == {
        f.name
        for f in dataclasses.fields(CollisionRunConfig)
        if f.name not in ("checkpoint_dir", "resume", "overwrite")
    }


def test_print_config_round_trip(capsys) -> None:
    """``--print-config > mc.toml; run mc.toml`` runs exactly what ``run`` runs."""
    assert _mc(["run", "--print-config"]) == 0
    text = capsys.readouterr().out
    assert text == DEFAULT_CONFIG
    Path("mc.toml").write_text(text)
    assert _mc(["run", *TINY, "--json"]) == 0
    without = _json_without_timing(capsys.readouterr().out)
    assert _mc(["run", "mc.toml", *TINY, "--json"]) == 0
    with_file = _json_without_timing(capsys.readouterr().out)
    assert with_file == without


def test_valid_config_file_and_options_override_it(capsys) -> None:
    Path("mc.toml").write_text(
        'seed = 3\nreference = false\noutput = "from_file.h5"\n'
        '[bilayer]\nT = 2\ntilt = 0.5\nactive = "weyl"\n'
        "[integrator]\nneval = 4000\nn_train = 2\nn_prod = 3\nbatch_size = 1000\n"
        "[checkpoint]\nevery = 2\nseconds = 0.0\n"
    )
    assert _mc(["run", "mc.toml", "--tilt", "0.2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["seed"] == 3 and out["T_K"] == 2.0 and isinstance(out["T_K"], float)
    assert out["tilt"] == 0.2  # the option over the file
    assert out["n_eval"] == 3 * 4000 and out["output"] == "from_file.h5"
    assert all("reference_Pa_s" not in row for row in out["coefficients"])
    with h5py.File("from_file.h5") as f:
        assert f["parameters/batch_size"][()] == 1000 and f["parameters/tilt"][()] == 0.2
    assert not Path("from_file.h5.ckpt").exists()
    # the same run from options alone: the same numbers
    argv = ["run", "--seed", "3", "--T", "2", "--tilt", "0.2", "--neval", "4000",
            "--n-train", "2", "--n-prod", "3", "--batch-size", "1000", "--no-reference",
            "--json"]  # fmt: skip
    assert _mc(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["coefficients"] == out["coefficients"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[bilayer]\nT = "hot"\n', "[bilayer] T = 'hot'"),
        ("[integrator]\nneval = 2e5\n", "[integrator] neval = 200000.0"),
        ("seed = 1.5\n", "seed = 1.5"),
        ('reference = "no"\n', "reference = 'no'"),
        ("[checkpoint]\nevery = true\n", "[checkpoint] every = True"),
        ('[bilayer]\nactive = "graphene"\n', "[bilayer] active = 'graphene'"),
        ("[bilayer]\ntemperature = 3.0\n", "[bilayer] key = 'temperature'"),
        ("[integrators]\nneval = 4000\n", "top-level key = 'integrators'"),
        ("bilayer = 3\n", "[bilayer] = 3"),
        ("[bilayer\n", "TOML error"),
    ],
)
def test_wrong_key_or_type_is_one_line_naming_the_key(capsys, text, named) -> None:
    Path("bad.toml").write_text(text)
    assert _mc(["run", "bad.toml", *TINY]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0] and "outside the allowed range" in err[0], err


def test_range_errors_from_a_file_name_the_option(capsys) -> None:
    Path("bad.toml").write_text("[bilayer]\ntilt = 1.5\n")
    assert _mc(["run", "bad.toml", *TINY]) == 2
    assert "C = 1.5 is outside the allowed range" in capsys.readouterr().err
    assert _mc(["run", "missing.toml"]) == 2
    assert "config = 'missing.toml'" in capsys.readouterr().err


def test_the_configuration_is_never_overwritten(capsys) -> None:
    Path("mc.toml").write_text("seed = 0\n")
    assert _mc(["run", "mc.toml", *TINY, "--output", "mc.toml", "--overwrite"]) == 2
    assert "input configuration" in capsys.readouterr().err
    assert Path("mc.toml").read_text() == "seed = 0\n"


def test_run_collision_mc_from_python_is_the_command(capsys) -> None:
    """The importable run gives the bits the command prints and writes the same file."""
    from layers.drag_integral import drag_quadrature_by_name

    config = CollisionRunConfig(T=2.0, neval=4000, n_train=2, n_prod=3, reference=False,
                                output="py.h5")  # fmt: skip
    result = run_collision_mc(config, quadrature=drag_quadrature_by_name)
    assert result is not None and result.output == Path("py.h5") and result.output.exists()
    assert not Path("py.h5.ckpt").exists()
    assert _mc(["run", *TINY, "--output", "cli.h5", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["coefficients"] == result.summary["coefficients"]
    assert cli["hall"] == result.summary["hall"]
    with h5py.File("py.h5") as a, h5py.File("cli.h5") as b:
        for key in ("estimate/mean", "estimate/covariance", "quadrature/validate",
                    "sampling/edges"):  # fmt: skip
            assert np.array_equal(a[key][()], b[key][()]), key
    est = result.run.estimate
    assert est.names[:3] == ("eta0", "eta1", "eta_q3")
    assert result.parameters["n_eval"] == 4000 and "integral[0]" in result.iteration_table
    # without a quadrature: the Monte Carlo alone, NaN in the validate columns
    bare = run_collision_mc(dataclasses.replace(config, output=None))
    assert bare is not None and bare.output is None
    assert np.array_equal(bare.run.estimate.result.mean, est.result.mean)
    assert all(np.isnan(row["validate_Pa_s"]) for row in bare.summary["coefficients"])


def test_run_collision_mc_checks_before_computing(tmp_path) -> None:
    with pytest.raises(ValueError, match="neval = 10"):
        run_collision_mc(CollisionRunConfig(neval=10))
    with pytest.raises(ValueError, match="--resume"):
        run_collision_mc(CollisionRunConfig(resume=True))


def test_tilt_sweep_template_is_a_valid_configuration_for_every_point() -> None:
    script = (REPO / "mpi_jobs/montecarlo_sweep_tilt.slurm").read_text()
    tilts = re.search(r"^TILTS=\(([^)]*)\)", script, re.M).group(1).split()
    assert (
        tilts
        == re.search(
            r"^TILTS=\(([^)]*)\)", (REPO / "mpi_jobs/montecarlo_sweep_tilt.pbs").read_text(), re.M
        )
        .group(1)
        .split()
    )
    template = (REPO / "mpi_jobs/montecarlo_sweep_tilt.toml").read_text()
    for tilt in tilts:
        values = load_config(template.replace("@TILT@", tilt))
        config = CollisionRunConfig(**values)
        config.check()
        assert config.tilt == float(tilt) and config.output == f"sweep_tilt/C_{tilt}.h5"


def test_langevin_run_from_python_is_the_command(tmp_path, capsys) -> None:
    """:func:`langevin.run.run_langevin` called directly writes what the command writes."""
    from langevin.__main__ import main
    from langevin.config import DEFAULT_CONFIG as LANGEVIN_CONFIG
    from langevin.config import load_config as load_langevin_config
    from langevin.run import run_langevin

    text = LANGEVIN_CONFIG.replace("n = 32 ", "n = 8 ")
    result = run_langevin(load_langevin_config(text), config_text=text, output="py.h5",
                          n_steps=300, n_realisations=2, only="paper")  # fmt: skip
    assert result is not None and result.output == Path("py.h5") and set(result.runs) == {"paper"}
    Path("lv.toml").write_text(text)
    assert main(["run", "lv.toml", "--output", "cli.h5", "--steps", "300", "--realisations",
                 "2", "--only", "paper", "--json", "--no-progress"]) == 0  # fmt: skip
    cli = json.loads(capsys.readouterr().out)
    assert cli["runs"]["paper"]["mean"] == result.summary["paper"]["mean"]
    assert cli["runs"]["paper"]["sdev"] == result.summary["paper"]["sdev"]
    assert not Path("py.h5.ckpt").exists()


def test_run_files_default_checkpoint_directory_and_cleanup(tmp_path) -> None:
    from dragcore.checkpoint import CheckpointDirectory
    from dragcore.run import RunFiles

    files = RunFiles.from_options(tmp_path / "out.h5")
    assert files.checkpoint_dir() == tmp_path / "out.h5.ckpt"
    assert files.checkpoint_dir("paper") == tmp_path / "out.h5.ckpt" / "paper"
    assert RunFiles.from_options(None).checkpoint_dir() is None
    assert RunFiles.from_options(None, "c").checkpoint_dir() == Path("c")
    for part in ("a", "b"):
        CheckpointDirectory(files.checkpoint_dir(part), {"run": part}).prepare(resume=False)
    files.remove_checkpoints(parts=["a"])
    assert not files.checkpoint_dir("a").exists() and files.checkpoint_dir("b").exists()
    files.remove_checkpoints(parts=["b"])
    assert not files.checkpoint_root.exists()
