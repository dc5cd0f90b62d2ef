"""Every command the README, the user guides (docs/guide/*.md, where the README's long
sections moved) and mpi_jobs/README.md show, run as written (smoke tests).

Only the size options are shrunk (``--neval``, ``--n-train``, ``--n-prod``, ``--steps``,
``--realisations``, the grid, the number of curve points); nothing else is added or removed
— in particular no ``--no-reference`` where the README has none. Each test checks the exit
code and opens what the command wrote. Commands without a size option that cost more than a
test may are listed in ``NOT_RUN`` with the reason. The quick start's main job,
``python -m validate`` (no size option), runs as written, in a subprocess, marked ``slow``;
the result numbers the README quotes are checked against the ``summary.json`` it writes
(:func:`check_readme_numbers`; the list is :data:`README_NUMBERS`).

The ``python -m`` commands run in-process through the package's ``main(argv)`` (the same code
as the console entry, without a new interpreter); the MPI and shell-script commands run as
subprocesses (``mpiexec -n 2`` through :mod:`tests.mpi_launcher`).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from tests.mpi_launcher import find_mpiexec, run_mpi_module

REPO = Path(__file__).resolve().parents[1]

#: Commands of the READMEs not run here, and why.
NOT_RUN = {
    "mpiexec -n P python -m validate": "the main job under MPI: the main job runs "
    "below exactly as the quick start gives it; its MPI spreading of the simulations "
    "is the rank-independent machinery tested in tests/test_*_mpi.py",
    "sbatch/qsub templates (sweeps)": "array jobs; the single-run Monte Carlo template runs "
    "below with a stand-in srun",
    "python benchmarks/*.py": "benchmarks, run by hand; tests/test_benchmarks.py runs each in "
    "its --smoke mode",
    "sbatch/qsub mpi_jobs/nonlinear_production.*": "N = 256, hours; the template's TOML in a "
    "12×12 smoke form runs under mpiexec -n 2 in tests/langevin/test_nonlinear_production.py",
    "mpi_jobs/run_local_montecarlo.sh -n 2 -o d40_T10.h5 -- --T 10 --neval 1000000": "runs "
    "`mpiexec -n 2 python -m montecarlo run --output … [--resume]` and `inspect`: the README's "
    "mpiexec command and the template's resume path are tested below (saves ~11 s)",
}

# shrunk size options of the Monte Carlo (the README's --neval 200000 / 1000000)
MC_SIZE = ["--n-train", "2", "--n-prod", "2"]
MC_NEVAL = "4000"


#: What the subprocesses run with: one numba thread per process (as under a scheduler). It is
#: never set in this process's own environment: numba re-reads NUMBA_NUM_THREADS when it
#: compiles and refuses a value that differs from the one its threads were launched with.
SUBPROCESS_ENV = {**os.environ, "NUMBA_NUM_THREADS": "1"}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _mc(argv: list[str]) -> int:
    from montecarlo.__main__ import main

    return main(argv)


def _lv(argv: list[str]) -> int:
    from langevin.__main__ import main

    return main(argv)


def _val(argv: list[str]) -> int:
    from validate.__main__ import main

    return main(argv)


def _small_toml(path: Path) -> Path:
    """The default configuration (``--print-config``) shrunk: 8×8 grid, 2 × 300 steps."""
    from langevin.cli_run import DEFAULT_CONFIG

    text = (
        DEFAULT_CONFIG.replace("n = 32 ", "n = 8 ")
        .replace("n_realisations = 4", "n_realisations = 2")
        .replace("n_steps = 10000", "n_steps = 300")
    )
    assert text != DEFAULT_CONFIG
    path.write_text(text)
    return path


def _check_mc_file(path: Path, ranks: int, with_reference: bool = True) -> None:
    with h5py.File(path) as f:
        assert f.attrs["ranks"] == ranks and f.attrs["version"] and f.attrs["seed"] == 0
        names = list(f["estimate/name"].asstr()[()])
        assert names == ["eta0", "eta1", "eta_q3", "eta_H_sj", "eta_H_eei1", "eta_H_eei2"]
        assert np.all(np.isfinite(f["estimate/mean"][()]))
        assert np.all(f["estimate/sdev"][()] > 0)
        q = f["quadrature"]
        assert list(q["name"].asstr()[()]) == names
        assert np.all(np.isfinite(q["validate"][()]))
        if with_reference:
            has = q["has_reference"][()]
            # the reference is exact at any tilt and covers all four outputs: pulls
            assert has.all()
            assert "deviation_reference" not in q
            assert np.all(np.abs(q["pull_reference"][()]) < 5.0)
        assert f["parameters/T"][()] == 10.0
    assert not Path(f"{path}.ckpt").exists()


# ---------------------------------------------------------------- README.md: validate


@pytest.mark.slow
def test_readme_validate_fg_commands(tmp_path, capsys) -> None:
    assert _val(["fg", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d
    assert _val(["fg", "--varsigma", "0.1", "1", "--beta", "0.05", "0.2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert _val(["fg", "--figure-beta", "0.1", "1", "--output", "mydir"]) == 0
    assert {p.name for p in (tmp_path / "mydir").glob("*.png")} >= {
        "g_over_f.png",
        "spectral_density.png",
    }
    assert _val(["fg"]) == 0
    assert (tmp_path / "drag-report/fg/g_over_f.png").stat().st_size > 0


@pytest.mark.slow
def test_readme_validate_hydro_and_weyl(tmp_path, capsys) -> None:
    # `python -m validate hydro`, shrunk in its size options (ς list, boxes, curve points)
    args = ["hydro", "--varsigma", "0.15", "--box-lengths", "8", "12", "--curve-points", "4"]
    assert _val(args) == 0
    assert list((tmp_path / "drag-report/hydro").glob("*.png"))
    capsys.readouterr()
    assert _val(["weyl", "--preset", "fig2-d40", "--T", "10", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d
    assert _val(["weyl", "--preset", "fig2-d40", "--T", "10"]) == 0
    assert _val(["weyl", "--figure", "--n-T", "3", "--output", "wdir"]) == 0
    assert list((tmp_path / "wdir").glob("*.png"))


# ---------------------------------------------------------------- README.md: langevin


@pytest.mark.slow
def test_readme_langevin_exact_run_inspect(tmp_path, capsys) -> None:
    assert _lv(["exact", "--varsigma", "0.15", "--beta", "0.1", "--chi", "0.1", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d
    assert _lv(["exact", "--varsigma", "0.15", "--beta", "0.1", "--chi", "0.1", "--v", "0.01"]) == 0
    assert _lv(["run", "--print-config"]) == 0
    assert "[[run]]" in capsys.readouterr().out
    # `python -m langevin run` (the default configuration, shrunk in steps/realisations)
    assert _lv(["run", "--steps", "200", "--realisations", "2", "--no-progress"]) == 0
    out = tmp_path / "langevin-run.h5"
    with h5py.File(out) as f:
        assert {"paper", "all-terms"} <= set(f)
        assert f["paper"].attrs["seed"] == 20251121 and f.attrs["version"]
        assert np.isfinite(f["paper"].attrs["mean"])
    assert not Path(f"{out}.ckpt").exists()
    capsys.readouterr()
    assert _lv(["inspect", str(out)]) == 0
    assert "paper" in capsys.readouterr().out


@pytest.mark.slow
def test_readme_nonlinear_toml_and_validate_nonlinear(tmp_path, capsys) -> None:
    # the user guide's `model = "nonlinear"` [[run]] (docs/guide/langevin.md) added to the
    # default configuration, run by `python -m langevin run my.toml` (shrunk in steps/realisations)
    readme = (REPO / "docs" / "guide" / "langevin.md").read_text()
    block = readme.split('```toml\n[[run]]\nname = "nonlinear"')[1].split("```")[0]
    assert _lv(["run", "--print-config"]) == 0
    config = capsys.readouterr().out + '\n[[run]]\nname = "nonlinear"' + block
    (tmp_path / "my.toml").write_text(config)
    assert _lv(["run", "my.toml", "--steps", "500", "--realisations", "2", "--no-progress"]) == 0
    assert "nonlinear, Θ = 0.005" in capsys.readouterr().out
    with h5py.File(tmp_path / "langevin-run.h5") as f:
        g = f["nonlinear"]
        assert g.attrs["model"] == "nonlinear" and np.isfinite(g.attrs["mean"])
        assert list(g["field"].attrs["names"]) == ["dn1", "dn2", "p1x", "p1y", "p2x", "p2y"]
    # `python -m validate nonlinear` (its --quick set, shrunk in runs and paths)
    out = tmp_path / "nl"
    argv = ["nonlinear", "--quick", "--realisations", "2", "--steps", "500",
            "--weak-paths", "4", "--output", str(out)]  # fmt: skip
    assert _val(argv) == 0
    text = capsys.readouterr().out
    assert "Strength scan" in text and "Drift scan" in text
    assert {p.name for p in out.glob("*.png")} == {
        "nonlinear_strength.png",
        "nonlinear_chi.png",
        "nonlinear_drift.png",
    }


# ---------------------------------------------------------------- README.md: montecarlo


@pytest.mark.slow
def test_readme_montecarlo_run_json_and_output_and_inspect(tmp_path, capsys, monkeypatch) -> None:
    import montecarlo.run as mc_run

    cache: dict = {}  # the two runs share bilayer and T: one reference quadrature (~7 s)
    reference = mc_run.finite_temperature_reference

    def cached(bl, T, **options):  # options: screening=…, passed through
        key = (repr(bl), T, tuple(sorted(options.items())))
        if key not in cache:
            cache[key] = reference(bl, T, **options)
        return cache[key]

    monkeypatch.setattr(mc_run, "finite_temperature_reference", cached)
    # `python -m montecarlo run --preset fig2-d40 --T 10 --neval 200000 --seed 0 --json`
    # (also `python -m montecarlo run`: the same values are its defaults), with the reference
    argv = ["run", "--preset", "fig2-d40", "--T", "10", "--neval", MC_NEVAL, "--seed", "0"]
    assert _mc([*argv, *MC_SIZE, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    rows = {r["name"]: r for r in d["coefficients"]}
    assert set(rows) == {"eta0", "eta1", "eta_q3", "eta_H_sj", "eta_H_eei1", "eta_H_eei2"}
    # fig2-d40 is tilted (C = 0.3): the reference is exact there too, every output has a pull
    assert all(abs(rows[k]["pull_reference"]) < 5.0 for k in rows)
    assert not any("deviation_reference" in r for r in rows.values())
    # the crashing command: `python -m montecarlo run --T 10 --output run.h5`
    assert _mc(["run", "--T", "10", "--neval", MC_NEVAL, *MC_SIZE, "--output", "run.h5"]) == 0
    _check_mc_file(tmp_path / "run.h5", ranks=1)
    capsys.readouterr()
    assert _mc(["inspect", "run.h5"]) == 0
    text = capsys.readouterr().out
    assert "finite-T ref" in text and "eta_H_sj" in text and "eta_H_eei2" in text


@pytest.mark.slow
def test_readme_montecarlo_print_config_and_run_a_config(tmp_path, capsys) -> None:
    """README: ``python -m montecarlo run --print-config > mc.toml`` and
    ``python -m montecarlo run mc.toml --T 5`` (sizes shrunk)."""
    assert _mc(["run", "--print-config"]) == 0
    (tmp_path / "mc.toml").write_text(capsys.readouterr().out)
    assert _mc(["run", "mc.toml", "--T", "5", "--neval", MC_NEVAL, *MC_SIZE]) == 0
    text = capsys.readouterr().out
    assert "T = 5 K" in text and "finite-T ref" in text and "eta_H_sj" in text


def _fake_srun(bindir: Path) -> None:
    """A stand-in ``srun`` that runs its command in one process (the templates call srun)."""
    bindir.mkdir()
    srun = bindir / "srun"
    srun.write_text('#!/usr/bin/env bash\nexec "$@"\n')
    srun.chmod(srun.stat().st_mode | stat.S_IEXEC)
    python = bindir / "python"  # the templates call `python`: the one running the tests
    python.write_text(f'#!/usr/bin/env bash\nexec {sys.executable} "$@"\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)


@pytest.mark.slow
def test_montecarlo_slurm_template_resumes_a_checkpoint(tmp_path) -> None:
    """``sbatch mpi_jobs/montecarlo.slurm d40_T10.h5 --preset fig2-d40 --T 10 --neval …``
    run after a kill: the template adds ``--resume`` (the path that crashed in the issue)."""
    from dragcore import units
    from layers.presets import preset
    from montecarlo.checkpoint import run_distributed

    # the state a killed job leaves: a checkpoint of the same run after its iterations
    run_distributed(
        preset("fig2-d40"), units.kelvin_to_erg(10.0), n_eval=int(MC_NEVAL), n_train=2,
        n_prod=2, seed=0, n_bins=600, batch_size=16384, checkpoint_dir="d40_T10.h5.ckpt",
    )  # fmt: skip
    assert (tmp_path / "d40_T10.h5.ckpt/manifest.json").exists()
    _fake_srun(tmp_path / "bin")
    env = {**SUBPROCESS_ENV, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    cmd = ["bash", str(REPO / "mpi_jobs/montecarlo.slurm"), "d40_T10.h5", "--preset",
           "fig2-d40", "--T", "10", "--neval", MC_NEVAL, *MC_SIZE]  # fmt: skip
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "resumed from a checkpoint after 4 iterations" in p.stdout
    _check_mc_file(tmp_path / "d40_T10.h5", ranks=1)
    # requeued once more after the end: the finished file is kept (no --overwrite), inspected
    before = (tmp_path / "d40_T10.h5").read_bytes()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0 and "nothing to do" in p.stderr, p.stderr[-2000:]
    assert (tmp_path / "d40_T10.h5").read_bytes() == before


# ---------------------------------------------------------------- MPI commands

mpi = pytest.mark.skipif(find_mpiexec() is None, reason="no mpiexec")


@pytest.mark.mpi
@mpi
@pytest.mark.slow
def test_readme_mpiexec_montecarlo_run_and_inspect(tmp_path) -> None:
    # `mpiexec -n P python -m montecarlo run --T 10 --neval 1000000 --output run.h5`
    p = run_mpi_module(
        "montecarlo", "run", "--T", "10", "--neval", MC_NEVAL, *MC_SIZE, "--output", "run.h5",
        cwd=tmp_path,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    _check_mc_file(tmp_path / "run.h5", ranks=2)
    p = subprocess.run(
        [sys.executable, "-m", "montecarlo", "inspect", "run.h5"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert p.returncode == 0 and "2 rank(s)" in p.stdout, p.stderr


@pytest.mark.mpi
@mpi
@pytest.mark.slow
def test_readme_mpiexec_langevin_run_and_local_launcher(tmp_path) -> None:
    # `mpiexec -n P python -m langevin run my.toml --output run.h5`
    _small_toml(tmp_path / "my.toml")
    p = run_mpi_module("langevin", "run", "my.toml", "--output", "run.h5", cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    with h5py.File(tmp_path / "run.h5") as f:
        assert f["paper"].attrs["ranks"] == 2 and {"paper", "all-terms"} <= set(f)
        assert np.isfinite(f["paper"].attrs["mean"])
    # mpi_jobs/README.md: `mpi_jobs/run_local.sh -n 2 -o run.h5 my.toml` (then inspect)
    env = {**SUBPROCESS_ENV, "PYTHON": sys.executable}
    p = subprocess.run(
        ["bash", str(REPO / "mpi_jobs/run_local.sh"), "-n", "2", "-o", "run2.h5", "my.toml"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    assert "paper" in p.stdout
    with h5py.File(tmp_path / "run2.h5") as f, h5py.File(tmp_path / "run.h5") as g:
        assert f["paper"].attrs["mean"] == g["paper"].attrs["mean"]  # same bits


@pytest.mark.slow
def test_readme_quick_start_main_job(tmp_path) -> None:
    """The quick start's first command after the install, ``python -m validate``, exactly as
    written (no option at all): exit 0, every internal comparison passing, and the report's
    three products (report.md, report.h5, figures) in ``./drag-report``."""
    env = {**SUBPROCESS_ENV, "NUMBA_NUM_THREADS": "2"}
    out = subprocess.run(
        [sys.executable, "-m", "validate"],
        cwd=tmp_path, capture_output=True, text=True, timeout=1800, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    summary = [line for line in out.stdout.splitlines() if "internal comparisons passed" in line]
    assert summary, out.stdout[-2000:]
    passed, total = summary[-1].split("internal comparisons passed ")[1].split(";")[0].split("/")
    assert passed == total, summary[-1]
    report = tmp_path / "drag-report"
    assert (report / "report.md").stat().st_size > 0
    assert list(report.rglob("*.png")), "no figure written"
    with h5py.File(report / "report.h5", "r") as f:
        assert f.attrs["version"], "report.h5 carries no version"
    check_readme_numbers(json.loads((report / "summary.json").read_text())["quoted_results"])
    prov = json.loads((report / "summary.json").read_text())["provenance"]
    assert prov["git_commit"] and prov["numba_version"] and prov["cpu"]


# ------------------------------------------------ README result numbers against the main job
#: The result numbers the README quotes, each with the pattern that finds it in the README
#: (whitespace normalised) and the key of the main job's ``summary.json`` ("quoted_results")
#: it must match. Ranges are quoted rounded: the quoted ends are the measured ends rounded.
README_NUMBERS = {
    "D(χ = 0)/f(ς) = π to 1e-14": r"D\(χ = 0\)/f\(ς\) = π at every ς \(to 1e-(\d+)\)",
    "(∂D/∂χ)/g range over ς": r"\(∂D/∂χ\)/g ≈ (−\d\.\d) … (−\d\.\d) over ς ∈ "
    r"\[([\d.]+), ([\d.]+)\]",
    "the paper's series give −2g": r"Eqs\. \(17\)–\(19\), integrated numerically, reproduce f "
    r"but give (−\d)g",
    "Q₁(∞), Q₂(∞)": r"Q₁\(∞\) = 4/5 and Q₂\(∞\) = 36/175 = (0\.\d{6})",
    "skew ratio, quadrature at 10 K": r"exact-in-C result is (\d\.\d\d)–(\d\.\d\d) of \(B17\) "
    r"at 10 K",
    "skew ratio, Monte Carlo (Weyl section)": r"sampled rate (\d\.\d\d)–(\d\.\d\d) at T_d/2 "
    r"and 3 T_d",
    "skew ratio, Monte Carlo (Monte Carlo section)": r"sampled η_H\(e-e-imp,1\) is "
    r"(\d\.\d\d)–(\d\.\d\d) of \(B17\)",
}


def _readme_text() -> str:
    """The README and the documentation pages, whitespace normalised: the prose a user reads."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    return " ".join(" ".join(p.read_text().split()) for p in pages)


def _num(text: str) -> float:
    return float(text.replace("−", "-"))


def test_readme_quotes_the_numbers_the_main_job_checks() -> None:
    """Every sentence of :data:`README_NUMBERS` is in the README (so that a reworded
    sentence cannot silently drop out of :func:`check_readme_numbers`)."""
    text = _readme_text()
    missing = [k for k, pat in README_NUMBERS.items() if not re.search(pat, text)]
    assert not missing, missing


def check_readme_numbers(q: dict) -> None:
    """The README's result numbers against the main job's ``summary.json`` (full run)."""
    text = _readme_text()

    def find(key: str) -> tuple[str, ...]:
        m = re.search(README_NUMBERS[key], text)
        assert m, key
        return m.groups()

    (exp,) = find("D(χ = 0)/f(ς) = π to 1e-14")
    assert f"{q['hydro_D0_over_f_max_deviation_from_pi']:.0e}" in (f"1e-{exp}", f"{0:.0e}"), q
    hi, lo, s_lo, s_hi = find("(∂D/∂χ)/g range over ς")
    assert (q["hydro_varsigma_min"], q["hydro_varsigma_max"]) == (_num(s_lo), _num(s_hi))
    assert f"{q['hydro_dDdchi_over_g_max']:.1f}" == f"{_num(hi):.1f}", q
    assert f"{q['hydro_dDdchi_over_g_min']:.1f}" == f"{_num(lo):.1f}", q
    (two,) = find("the paper's series give −2g")
    assert _num(two) == -2 and q["hydro_series_g_max_deviation_from_minus_2"] < 1e-6
    (q2,) = find("Q₁(∞), Q₂(∞)")
    assert abs(q["Q1_infinity"] - 0.8) < 1e-9 and f"{q['Q2_infinity']:.6f}" == q2
    for key, name in (
        ("skew ratio, quadrature at 10 K", "skew_ratio_quadrature_10K"),
        ("skew ratio, Monte Carlo (Weyl section)", "skew_ratio_montecarlo"),
        ("skew ratio, Monte Carlo (Monte Carlo section)", "skew_ratio_montecarlo"),
    ):
        lo, hi = find(key)
        assert (f"{q[name + '_min']:.2f}", f"{q[name + '_max']:.2f}") == (lo, hi), (key, q)
