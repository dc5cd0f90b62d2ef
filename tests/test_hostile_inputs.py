"""Bad and hostile inputs, across both simulators' TOML keys and options and the validate
commands: each is refused with exit code 2 and one line on stderr naming the parameter and
its allowed range, before anything is computed (the computing functions are replaced by ones
that fail the test), and nothing in the working directory changes.

A table of cases: each is one mutation of a small valid configuration (or one option), run
through the command's ``main()`` in this process.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.cli_helpers import run_toml

LANGEVIN_BASE = """\
output = "run.h5"
seed = 3
[grid]
n = 8
length = 12.0
[stepper]
n_realisations = 2
n_steps = 60
[nonlinear]
grid_n = 8
burn_in = 10
""" + run_toml("lin")
NONLINEAR_RUN = "\n" + run_toml("nl", drift=0.05, theta=0.02)

#: (id, TOML text, parameter named in the message)
LANGEVIN_TOML_CASES = [
    ("grid-scalar", "grid = 5\n" + LANGEVIN_BASE.split("[grid]")[0] + "[[run]]\nname = 'a'\n"
     "varsigma = 0.1\nbeta = 0.1\n", "grid = 5"),
    ("nonlinear-scalar", "nonlinear = 5\n" + LANGEVIN_BASE.split("[grid]")[0] + "[[run]]\n"
     "name = 'a'\nvarsigma = 0.1\nbeta = 0.1\n", "nonlinear = 5"),
    ("grid-n-odd", LANGEVIN_BASE.replace("n = 8", "n = 7"), "[grid] n = 7"),
    ("grid-n-float", LANGEVIN_BASE.replace("n = 8", "n = 8.5"), "[grid] n = 8.5"),
    ("grid-n-huge", LANGEVIN_BASE.replace("n = 8", "n = 4_194_304"), "[grid] n = 4194304"),
    ("grid-length-negative", LANGEVIN_BASE.replace("length = 12.0", "length = -1.0"),
     "[grid] length = -1.0"),
    ("grid-length-nan", LANGEVIN_BASE.replace("length = 12.0", "length = nan"),
     "[grid] length = nan"),
    ("grid-n-string", LANGEVIN_BASE.replace("n = 8", "n = '8'"), "[grid] n = '8'"),
    ("grid-n-nonlinear-odd", LANGEVIN_BASE.replace("grid_n = 8", "grid_n = 7") + NONLINEAR_RUN,
     "[nonlinear] grid_n = 7"),
    ("grid-n-nonlinear-huge",
     LANGEVIN_BASE.replace("grid_n = 8", "grid_n = 4_194_304") + NONLINEAR_RUN,
     "[nonlinear] grid_n = 4194304"),
    ("nonlinear-dt-negative-unused", LANGEVIN_BASE.replace("burn_in = 10", "burn_in = 10\ndt = -1"),
     "[nonlinear] dt = -1"),
    ("nonlinear-dt-too-large",
     LANGEVIN_BASE.replace("burn_in = 10", "burn_in = 10\ndt = 8.0") + NONLINEAR_RUN,
     "[nonlinear] dt = 8"),
    ("nonlinear-scheme", LANGEVIN_BASE.replace("burn_in = 10", "burn_in = 10\nscheme = 'rk4'"),
     "[nonlinear] scheme = 'rk4'"),
    ("nonlinear-burn-in-negative", LANGEVIN_BASE.replace("burn_in = 10", "burn_in = -1"),
     "[nonlinear] burn_in = -1"),
    ("nonlinear-numba", LANGEVIN_BASE.replace("n_steps = 60", "n_steps = 60\n"
     "rng_backend = 'numba'") + NONLINEAR_RUN, "rng_backend = 'numba'"),
    ("nonlinear-no-theta", LANGEVIN_BASE + NONLINEAR_RUN.replace("theta = 0.02\n", ""),
     "theta is required"),
    ("nonlinear-theta-huge", LANGEVIN_BASE + NONLINEAR_RUN.replace("0.02", "1e300"),
     "theta = 1e+300"),
    ("nonlinear-theta-large", LANGEVIN_BASE + NONLINEAR_RUN.replace("0.02", "0.8"),
     "theta = 0.8"),
    ("nonlinear-theta-zero", LANGEVIN_BASE + NONLINEAR_RUN.replace("0.02", "0.0"), "theta = 0"),
    ("nonlinear-varsigma-huge",
     LANGEVIN_BASE + NONLINEAR_RUN.replace("varsigma = 0.15", "varsigma = 1e300"),
     "varsigma = 1e+300"),
    ("nonlinear-burn-in-past-steps", LANGEVIN_BASE.replace("burn_in = 10", "burn_in = 100")
     + NONLINEAR_RUN, "n_steps = 60"),
    ("varsigma-huge", LANGEVIN_BASE.replace("varsigma = 0.15", "varsigma = 1e300"),
     "varsigma = 1e+300"),
    ("varsigma-negative", LANGEVIN_BASE.replace("varsigma = 0.15", "varsigma = -0.1"),
     "varsigma = -0.1"),
    ("beta-nan", LANGEVIN_BASE.replace("beta = 0.1", "beta = nan"), "beta = nan"),
    ("chi-inf", LANGEVIN_BASE.replace("chi = 0.1", "chi = inf"), "chi = inf"),
    ("chi-huge", LANGEVIN_BASE.replace("chi = 0.1", "chi = 1e300"), "chi = 1e+300"),
    ("drift-huge", LANGEVIN_BASE.replace("drift = 0.01", "drift = 1e300"), "drift = 1e+300"),
    ("drift-negative", LANGEVIN_BASE.replace("drift = 0.01", "drift = -0.01"), "drift = -0.01"),
    ("theta-linear-huge", LANGEVIN_BASE.replace("drift = 0.01", "drift = 0.01\ntheta = 1e300"),
     "theta = 1e+300"),
    ("varsigma-missing", LANGEVIN_BASE.replace("varsigma = 0.15\n", ""), "varsigma is required"),
    ("model-unknown", LANGEVIN_BASE.replace("name = \"lin\"", "name = \"lin\"\nmodel = \"x\""),
     "model = 'x'"),
    ("run-key-unknown", LANGEVIN_BASE.replace("beta = 0.1", "beta = 0.1\nbeta2 = 1"), "'beta2'"),
    ("top-key-unknown", "colour = 1\n" + LANGEVIN_BASE, "'colour'"),
    ("no-run", LANGEVIN_BASE.split("[[run]]")[0], "[[run]] count = 0"),
    ("run-scalar", LANGEVIN_BASE.split("[[run]]")[0].replace("seed = 3", "seed = 3\nrun = 1"),
     "run = 1"),
    ("seed-huge", LANGEVIN_BASE.replace("seed = 3", "seed = 36893488147419103232"), None),
    ("seed-negative", LANGEVIN_BASE.replace("seed = 3", "seed = -1"), "seed = -1"),
    ("seed-float", LANGEVIN_BASE.replace("seed = 3", "seed = 3.5"), "seed = 3.5"),
    ("output-empty", LANGEVIN_BASE.replace('output = "run.h5"', 'output = ""'), "output = ''"),
    ("stepper-scheme", LANGEVIN_BASE.replace("n_steps = 60", "n_steps = 60\nscheme = 'rk'"),
     "[stepper] scheme = 'rk'"),
    ("stepper-dt-zero", LANGEVIN_BASE.replace("n_steps = 60", "n_steps = 60\ndt = 0.0"),
     "[stepper] dt = 0"),
    ("stepper-backend", LANGEVIN_BASE.replace("n_steps = 60", "n_steps = 60\n"
     "rng_backend = 'mt'"), "rng_backend = 'mt'"),
    ("stepper-steps-zero", LANGEVIN_BASE.replace("n_steps = 60", "n_steps = 0"),
     "[stepper] n_steps = 0"),
    ("stepper-euler-unstable", LANGEVIN_BASE.replace("n_steps = 60", "n_steps = 60\n"
     "scheme = 'euler-maruyama'\ndt = 50.0"), "dt = 50"),
    ("checkpoint-seconds-negative", LANGEVIN_BASE + "[checkpoint]\nseconds = -5.0\n",
     "[checkpoint] seconds = -5"),
    ("toml-syntax", LANGEVIN_BASE + "[[run\n", "config"),
]
#: (id, extra options, parameter named)
LANGEVIN_OPTION_CASES = [
    ("seed-huge", ["--seed", str(2**65)], f"--seed = {2**65}"),
    ("seed-negative", ["--seed", "-4"], "--seed = -4"),
    ("output-empty", ["--output", ""], "--output = ''"),
    ("checkpoint-dir-empty", ["--checkpoint-dir", ""], "--checkpoint-dir = ''"),
    ("steps-zero", ["--steps", "0"], "--steps = 0"),
    ("realisations-zero", ["--realisations", "0"], "--realisations = 0"),
    ("only-unknown", ["--only", "nosuch"], "--only = 'nosuch'"),
    ("checkpoint-seconds-negative", ["--checkpoint-seconds", "-1"], "--checkpoint-seconds = -1"),
    ("checkpoint-blocks-negative", ["--checkpoint-blocks", "-1"], "--checkpoint-blocks = -1"),
]

MONTECARLO_CASES = [
    ("T-negative", ["--T", "-1"], "T = -1"),
    ("tilt-one", ["--tilt", "1.0"], "C = 1"),
    ("neval-small", ["--neval", "10"], "neval = 10"),
    ("n-prod-one", ["--n-prod", "1"], "n_prod = 1"),
    ("seed-huge", ["--seed", str(2**65)], f"seed = {2**65}"),
    ("output-empty", ["--output", ""], "output = ''"),
    ("batch-size-huge", ["--batch-size", str(10**12)], f"batch_size = {10**12}"),
    ("n-bins-huge", ["--n-bins", str(10**12)], f"n_bins = {10**12}"),
    ("n-bins-one", ["--n-bins", "1"], "n_bins = 1"),
    ("eps-zero", ["--eps", "0"], "eps = 0"),
]
MONTECARLO_TOML_CASES = [
    ("table-scalar", "bilayer = 5\n", "[bilayer] = 5"),
    ("neval-float", "[integrator]\nneval = 2e5\n", "[integrator] neval = 200000.0"),
    ("key-unknown", "[bilayer]\nTT = 1.0\n", "'TT'"),
    ("screening", "[bilayer]\nscreening = 'rpa'\n", "[bilayer] screening = 'rpa'"),
    ("active", "[bilayer]\nactive = 'graphene'\n", "[bilayer] active = 'graphene'"),
    ("seed-huge", "seed = 36893488147419103232\n", None),
    ("output-empty", "output = ''\n", "output = ''"),
    ("syntax", "[bilayer\n", "config"),
]


def _tree(root: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``root`` (and the directories)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return out


def _no_computing(*args, **kwargs):
    raise AssertionError("the input should have been refused before computing")


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A working directory with a user's file in it; computing fails the test."""
    import langevin.run
    import montecarlo.run

    monkeypatch.chdir(tmp_path)
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "notes.txt").write_text("a user's file\n")
    monkeypatch.setattr(langevin.run, "run_distributed", _no_computing)
    monkeypatch.setattr(montecarlo.run, "run_distributed", _no_computing)
    return tmp_path


def _refused(main, argv, named, scratch, capsys) -> str:
    before = _tree(scratch)
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    if named is not None:
        assert named in lines[0], lines[0]
    assert "allowed" in lines[0], lines[0]
    assert _tree(scratch) == before
    return lines[0]


def _toml_refused(main, case, config: str, scratch, capsys) -> str:
    """``run`` on the case's TOML written to ``scratch/config``: refused as :func:`_refused`
    checks, a huge seed quoted as written. The refusal line."""
    name, text, named = case
    (scratch / config).write_text(text)
    line = _refused(main, ["run", config, "--no-progress"], named, scratch, capsys)
    if name == "seed-huge":
        assert "seed = 36893488147419103232" in line
    return line


@pytest.mark.parametrize("case", LANGEVIN_TOML_CASES, ids=[c[0] for c in LANGEVIN_TOML_CASES])
def test_langevin_toml_refused_before_computing(case, scratch, capsys) -> None:
    from langevin.__main__ import main

    line = _toml_refused(main, case, "cfg.toml", scratch, capsys)
    if case[0] == "seed-huge":
        assert "18446744073709551615" in line


@pytest.mark.parametrize("case", LANGEVIN_OPTION_CASES, ids=[c[0] for c in LANGEVIN_OPTION_CASES])
def test_langevin_options_refused_before_computing(case, scratch, capsys) -> None:
    from langevin.__main__ import main

    _, options, named = case
    (scratch / "cfg.toml").write_text(LANGEVIN_BASE)
    _refused(main, ["run", "cfg.toml", "--no-progress", *options], named, scratch, capsys)


@pytest.mark.parametrize("case", MONTECARLO_CASES, ids=[c[0] for c in MONTECARLO_CASES])
def test_montecarlo_options_refused_before_computing(case, scratch, capsys) -> None:
    from montecarlo.__main__ import main

    _, options, named = case
    _refused(main, ["run", "--no-reference", "--no-progress", *options], named, scratch, capsys)


@pytest.mark.parametrize("case", MONTECARLO_TOML_CASES, ids=[c[0] for c in MONTECARLO_TOML_CASES])
def test_montecarlo_toml_refused_before_computing(case, scratch, capsys) -> None:
    from montecarlo.__main__ import main

    _toml_refused(main, case, "mc.toml", scratch, capsys)


@pytest.mark.parametrize("command", ["langevin", "montecarlo"])
@pytest.mark.parametrize("kind", ["missing", "directory", "binary"])
def test_unreadable_config_is_named_plainly(command, kind, scratch, capsys) -> None:
    """A missing, directory or non-UTF-8 config: one line saying what is wrong with it (not
    'outside the allowed range')."""
    import importlib

    main = importlib.import_module(f"{command}.__main__").main
    path = {"missing": "nosuch.toml", "directory": "user", "binary": "bin.toml"}[kind]
    if kind == "binary":
        (scratch / "bin.toml").write_bytes(b"\xff\xfe\x00garbage")
    line = _refused(main, ["run", path], f"config = {path!r}", scratch, capsys)
    assert "outside the allowed range" not in line


@pytest.mark.parametrize("sub", ["hydro", "nonlinear"])
def test_validate_unwritable_figure_directory_refused_before_computing(
    sub, scratch, capsys, monkeypatch
) -> None:
    import validate.cli_hydro
    import validate.cli_nonlinear
    from validate.__main__ import main

    monkeypatch.setattr(validate.cli_hydro, "compute", _no_computing)
    monkeypatch.setattr(validate.cli_nonlinear, "nonlinear_report", _no_computing)
    (scratch / "afile").write_text("x")
    _refused(main, [sub, "--output", "afile/figs"], "--output = 'afile/figs'", scratch, capsys)
    if os.geteuid() != 0:
        ro = scratch / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            _refused(main, [sub, "--output", "ro/figs"], "--output = 'ro/figs'", scratch, capsys)
        finally:
            ro.chmod(0o700)


@pytest.mark.parametrize(
    "options, named",
    [(["--steps", "0"], "--steps = 0"), (["--realisations", "0"], "--realisations = 0"),
     (["--weak-paths", "0"], "--weak-paths = 0"),
     (["--quick", "--weak-paths", "1"], "--weak-paths = 1")],
)  # fmt: skip
def test_validate_nonlinear_options_refused(options, named, scratch, capsys, monkeypatch) -> None:
    import validate.cli_nonlinear
    from validate.__main__ import main

    monkeypatch.setattr(validate.cli_nonlinear, "nonlinear_report", _no_computing)
    _refused(main, ["nonlinear", "--no-figures", *options], named, scratch, capsys)


def test_validate_nonlinear_quick_honours_weak_paths(scratch, monkeypatch) -> None:
    """``--weak-paths`` under ``--quick`` is used, not dropped."""
    import validate.cli_nonlinear
    from validate.__main__ import main

    seen = {}

    def fake_report(**kw):
        seen.update(kw)
        return None

    monkeypatch.setattr(validate.cli_nonlinear, "nonlinear_report", fake_report)
    assert main(["nonlinear", "--quick", "--weak-paths", "37", "--no-figures"]) == 0
    assert seen["weak_paths"] == 37
    assert main(["nonlinear", "--quick", "--no-figures"]) == 0
    assert seen["weak_paths"] == 200


def test_broken_pipe_is_quiet(scratch, capsys, monkeypatch) -> None:
    """``… | head``: the reader closing the pipe is not an error (exit 0, nothing on stderr)."""
    import dragcore.cli

    monkeypatch.setattr(dragcore.cli, "_silence_stdout", lambda: None)

    class Sub:
        @staticmethod
        def add_arguments(parser):
            pass

        @staticmethod
        def run(args):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(dragcore.cli, "_load", lambda sub: Sub)
    code = dragcore.cli.run_program("prog", "d", [dragcore.cli.Subcommand("x", "m", "h")], ["x"])
    assert code == 0
    assert capsys.readouterr().err == ""
