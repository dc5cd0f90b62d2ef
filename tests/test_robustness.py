"""Nothing silently wrong, nothing lost: bad input, files and resumes of both simulators.

Each test reproduces one defect found by trying 212 bad inputs, file states and resumes
(issue 12, section 4) and checks the wanted behaviour: one line naming the parameter, its
value and the allowed range, exit code 2, nothing half-written on disk, nothing replaced or
adopted without being asked.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import h5py
import numpy as np
import pytest

from tests.cli_helpers import langevin_main, montecarlo_main, run_toml

SMALL_TOML = """\
seed = 1
snapshots = false
[checkpoint]
seconds = 0.0
[grid]
n = 8
length = 16.0
[stepper]
scheme = "{scheme}"
dt = {dt}
n_realisations = 2
n_steps = 200
""" + run_toml("paper", paper=True)

MC_TINY = ["--T", "2", "--neval", "2000", "--batch-size", "500", "--n-train", "1",
           "--n-prod", "2", "--no-reference", "--no-progress"]  # fmt: skip


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


_lv = langevin_main
_mc = montecarlo_main


def _toml(
    path: str = "small.toml", scheme: str = "exact", dt: float = 8.0, edits: dict | None = None
) -> str:
    text = SMALL_TOML.format(scheme=scheme, dt=dt)
    for old, new in (edits or {}).items():
        assert old in text
        text = text.replace(old, new)
    Path(path).write_text(text)
    return path


def _one_line_error(capsys, *names: str) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err, err
    last = err.splitlines()[-1]
    assert "error" in last, err
    for name in names:
        assert name in last, (name, last)
    return last


def _leftovers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.endswith((".ckpt", ".tmp", ".h5")))


# ---------------------------------------------------------------- schemes out of range


def test_euler_maruyama_unstable_step_is_refused_naming_dt(tmp_path, capsys) -> None:
    """EM at dt = 50 diverges (D = nan ± nan, exit 0 before): refused up front with the
    stability limit of the scheme, dt_max = min(−2 Re λ/|λ|²) over the drift eigenvalues."""
    _toml(scheme="euler-maruyama", dt=50.0)
    assert _lv(["run", "small.toml", "--output", "em.h5", "--no-progress"]) == 2
    line = _one_line_error(capsys, "dt = 50", "euler-maruyama")
    assert "allowed range (0, " in line
    assert _leftovers(tmp_path) == []


def test_crank_nicolson_far_outside_accuracy_is_refused_with_its_bias(tmp_path, capsys) -> None:
    """CN at dt = 1000 is stable and keeps the stationary covariance exactly, but its stiff
    directions hardly decay (eigenvalue → −1), so a run's mean sits where it started and
    its error bar misses it (38 ± 0.28 against 6.32, χ²/dof 7e15, exit 0 before): refused
    up front, naming dt and the computed slowdown of the decorrelation."""
    _toml(scheme="crank-nicolson", dt=1000.0)
    assert _lv(["run", "small.toml", "--output", "cn.h5", "--no-progress"]) == 2
    _one_line_error(capsys, "dt = 1000", "crank-nicolson", "decorrelates")
    assert _leftovers(tmp_path) == []


def test_scheme_bias_is_the_schemes_stationary_value() -> None:
    """The bias the CLI reports is Σ tr(H C_scheme) − exact, the value the sampler converges
    to (tested against sampling in test_simulation's EM sweep); zero for the exact scheme."""
    from langevin.comparison import ExactComparison
    from langevin.grid import PeriodicGrid
    from langevin.model import BilayerModel
    from langevin.params import BilayerParameters

    p = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.01).paper_approximations()
    grid = PeriodicGrid(8, 16.0)
    model = BilayerModel(p)
    ex = ExactComparison(model, grid, "exact", 8.0, common_random_numbers=True)
    assert ex.scheme_bias() == 0.0
    em = ExactComparison(model, grid, "euler-maruyama", 0.05, common_random_numbers=True)
    em_sim = em.simulation
    assert abs(em.scheme_bias() - (em_sim.stationary_mean() - em.exact)) < 1e-9 * abs(em.exact)
    assert em_sim.stable_dt_limit() > 0.05
    cn = ExactComparison(model, grid, "crank-nicolson", 1000.0, common_random_numbers=True)
    # CN keeps the Lyapunov solution: (I+hM/2)C(I+hM/2)† + hQ = (I−hM/2)C(I−hM/2)†
    assert abs(cn.scheme_bias()) < 1e-9 * abs(cn.exact)
    slow, slow_exact = cn.simulation.correlation_steps()
    assert slow > 100 * max(slow_exact, 1.0)
    small = ExactComparison(model, grid, "crank-nicolson", 0.5, common_random_numbers=True)
    slow, slow_exact = small.simulation.correlation_steps()
    assert slow < 2 * slow_exact


def test_non_finite_or_absurd_result_never_exits_zero() -> None:
    from dragcore.checks import require_sane_estimate

    require_sane_estimate("D", 6.3, 0.1, chi2_dof=1.2, dof=3)
    for mean, sdev, chi2 in ((np.nan, np.nan, np.nan), (6.0, 0.1, np.nan), (6.0, 0.1, 3e15)):
        with pytest.raises(ValueError, match="D"):
            require_sane_estimate("D", mean, sdev, chi2_dof=chi2, dof=3)


# ---------------------------------------------------------------- checkpoints


def _mc_checkpoint(seed: int, directory: str) -> None:
    from dragcore import units
    from layers.presets import preset
    from montecarlo.checkpoint import run_distributed

    run_distributed(
        preset("fig2-d40"), units.kelvin_to_erg(2.0), n_eval=2000, n_train=1, n_prod=2,
        seed=seed, batch_size=500, checkpoint_dir=directory,
    )  # fmt: skip


def test_montecarlo_resume_without_manifest_refuses_another_seeds_state(tmp_path) -> None:
    _mc_checkpoint(1, "c")
    (tmp_path / "c/manifest.json").unlink()  # what a kill during the old cleanup left
    with pytest.raises(ValueError, match="seed"):
        from dragcore import units
        from layers.presets import preset
        from montecarlo.checkpoint import run_distributed

        run_distributed(
            preset("fig2-d40"), units.kelvin_to_erg(2.0), n_eval=2000, n_train=1, n_prod=2,
            seed=2, batch_size=500, checkpoint_dir="c", resume=True,
        )  # fmt: skip


def test_langevin_resume_without_manifest_refuses_another_seeds_state(tmp_path, capsys) -> None:
    _toml()
    args = ["run", "small.toml", "--output", "o.h5", "--no-progress", "--checkpoint-blocks", "1"]
    # a run whose cleanup was interrupted: its realisation files, no manifest
    from langevin.checkpoint import run_distributed
    from langevin.cli_run import load_config, run_parameters
    from langevin.comparison import ExactComparison
    from langevin.grid import PeriodicGrid
    from langevin.model import BilayerModel

    cfg = load_config(Path("small.toml").read_text())
    sim = ExactComparison(BilayerModel(run_parameters(cfg["run"][0])), PeriodicGrid(8, 16.0),
                          "exact", 8.0, common_random_numbers=True).simulation  # fmt: skip
    run_distributed(sim, 99, 2, 200, checkpoint_dir=tmp_path / "o.h5.ckpt/paper")
    (tmp_path / "o.h5.ckpt/paper/manifest.json").unlink()
    assert _lv([*args, "--resume"]) == 2
    _one_line_error(capsys, "seed")
    assert not (tmp_path / "o.h5").exists()


def test_checkpoint_cleanup_removes_the_manifest_last(tmp_path, monkeypatch) -> None:
    from dragcore.checkpoint import CheckpointDirectory

    store = CheckpointDirectory(tmp_path / "c", {"seed": 1})
    store.prepare(resume=False)
    for name in ("a.npz", "b.npz"):
        (store.directory / name).write_bytes(b"x")
    removed: list[str] = []
    real_unlink = Path.unlink

    def unlink(self, *a, **k):
        removed.append(self.name)
        if len(removed) == 2:
            raise KeyboardInterrupt  # a kill in the middle of the cleanup
        return real_unlink(self, *a, **k)

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(KeyboardInterrupt):
        store.remove()
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert "manifest.json" not in removed[:2]
    assert store.manifest.exists()  # what is left is still identified
    store.remove()
    assert not store.directory.exists()


@pytest.mark.slow
def test_rejected_run_leaves_no_checkpoint(tmp_path, capsys) -> None:
    _toml()
    assert _lv(["run", "small.toml", "--seed", "-1", "--output", "s.h5"]) == 2
    _one_line_error(capsys, "seed = -1", "[0, ")
    assert _leftovers(tmp_path) == []
    assert _lv(["run", "small.toml", "--seed", "3", "--output", "s.h5", "--no-progress"]) == 0
    assert _mc(["run", *MC_TINY, "--seed", "-1", "--output", "m.h5"]) == 2
    _one_line_error(capsys, "seed = -1")
    assert not (tmp_path / "m.h5.ckpt").exists()


@pytest.mark.parametrize("content", [b"", b"garbage" * 10, None])
def test_truncated_or_garbage_checkpoint_is_one_line(tmp_path, capsys, content) -> None:
    _mc_checkpoint(1, "m.h5.ckpt")
    state = tmp_path / "m.h5.ckpt/state.npz"
    data = state.read_bytes()
    state.write_bytes(data[: len(data) // 2] if content is None else content)
    args = ["run", *MC_TINY.copy(), "--seed", "1", "--output", "m.h5", "--resume"]
    args[args.index("--n-train") + 1] = "1"
    assert _mc(args) == 2
    _one_line_error(capsys, "checkpoint")


# ---------------------------------------------------------------- outputs


@pytest.mark.slow
def test_existing_output_is_kept_unless_overwrite(tmp_path, capsys) -> None:
    _toml()
    base = ["run", "small.toml", "--no-progress"]
    assert _lv([*base, "--output", "same.h5"]) == 0
    before = (tmp_path / "same.h5").read_bytes()
    assert _lv([*base, "--output", "same.h5"]) == 2
    _one_line_error(capsys, "same.h5", "--overwrite")
    assert (tmp_path / "same.h5").read_bytes() == before
    assert _lv([*base, "--output", "same.h5", "--overwrite"]) == 0
    # the input configuration is never an output, with or without --overwrite
    text = (tmp_path / "small.toml").read_text()
    for extra in ([], ["--overwrite"]):
        assert _lv([*base, "--output", "small.toml", *extra]) == 2
        _one_line_error(capsys, "small.toml")
        assert (tmp_path / "small.toml").read_text() == text
    assert _mc(["run", *MC_TINY, "--output", "m.h5"]) == 0
    before = (tmp_path / "m.h5").read_bytes()
    assert _mc(["run", *MC_TINY, "--output", "m.h5"]) == 2
    _one_line_error(capsys, "m.h5", "--overwrite")
    assert (tmp_path / "m.h5").read_bytes() == before
    assert _mc(["run", *MC_TINY, "--output", "m.h5", "--overwrite"]) == 0


@pytest.mark.parametrize("target", ["adir", "/proc/x.h5", "missing_parent_ro/x.h5"])
def test_unwritable_output_is_refused_before_computing(tmp_path, capsys, monkeypatch, target):
    (tmp_path / "adir").mkdir()
    ro = tmp_path / "missing_parent_ro"
    ro.mkdir()
    ro.chmod(0o500)
    if os.geteuid() == 0 and target.startswith("missing_parent_ro"):
        pytest.skip("root writes into read-only directories")
    _toml()
    import langevin.checkpoint as lc
    import montecarlo.checkpoint as mc

    def boom(*a, **k):
        raise AssertionError("computed before checking the output")

    monkeypatch.setattr(lc, "run_distributed", boom)
    monkeypatch.setattr(mc, "run_distributed", boom)
    monkeypatch.setattr("langevin.run.run_distributed", boom)
    monkeypatch.setattr("montecarlo.run.run_distributed", boom)
    assert _lv(["run", "small.toml", "--output", target]) == 2
    _one_line_error(capsys, "output")
    assert _mc(["run", *MC_TINY, "--output", target]) == 2
    _one_line_error(capsys, "output")


def test_stale_temporary_of_a_killed_write_is_cleaned_up(tmp_path) -> None:
    from dragcore.hdf5 import atomic_h5_file

    host = socket.gethostname()
    stale = tmp_path / f".out.h5.{host}.999999999.abc.tmp"  # a pid that is not running
    stale.write_bytes(b"half")
    live = tmp_path / f".out.h5.{host}.{os.getpid()}.def.tmp"  # a writer still running
    live.write_bytes(b"busy")
    with atomic_h5_file(tmp_path / "out.h5") as f:
        f.attrs["x"] = 1
        names = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert all(f".{os.getpid()}." in n for n in names), names  # pid in the name
    assert not stale.exists() and live.exists()
    assert h5py.File(tmp_path / "out.h5")["/"].attrs["x"] == 1


# ---------------------------------------------------------------- memory


def test_montecarlo_sizes_that_cannot_fit_are_refused_with_the_estimate(capsys) -> None:
    assert _mc(["run", *MC_TINY, "--n-bins", "100000000"]) == 2
    line = _one_line_error(capsys, "n_bins = 100000000")
    assert "GB" in line or "memory" in line
    assert _mc(["run", *MC_TINY, "--neval", "1000000000000"]) == 2
    line = _one_line_error(capsys, "neval")
    assert "GB" in line or "memory" in line


def test_langevin_sizes_that_cannot_fit_are_refused(capsys) -> None:
    _toml(edits={"n = 8\n": "n = 100000\n"})
    assert _lv(["run", "small.toml", "--output", "big.h5"]) == 2
    _one_line_error(capsys, "n = 100000")


# ---------------------------------------------------------------- configuration types


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("n = 8\n", "n = 8.7\n", "n"),
        ("seed = 1\n", "seed = 7.9\n", "seed"),
        ("snapshots = false\n", 'snapshots = "no"\n', "snapshots"),
        ("n_realisations = 2\n", "n_realisations = 2.9\n", "n_realisations"),
        ("n_steps = 200\n", 'n_steps = "200"\n', "n_steps"),
        ("varsigma = 0.15\n", 'varsigma = "0.15"\n', "varsigma"),
        ("length = 16.0\n", "length = true\n", "length"),
        ("dt = 8.0\n", "dt = [8.0]\n", "dt"),
    ],
)
def test_config_values_of_the_wrong_type_are_errors_naming_the_key(capsys, old, new, key):
    text = SMALL_TOML.format(scheme="exact", dt=8.0)
    assert old in text
    Path("bad.toml").write_text(text.replace(old, new))
    assert _lv(["run", "bad.toml", "--output", "b.h5"]) == 2
    line = _one_line_error(capsys, key)
    assert new.split("=")[1].strip().strip('"')[:3] in line.lower()
    assert not Path("b.h5.ckpt").exists()


# ---------------------------------------------------------------- one-line errors


def test_missing_config_file_is_one_line(capsys) -> None:
    assert _lv(["run", "nonexistent.toml"]) == 2
    _one_line_error(capsys, "nonexistent.toml")


@pytest.mark.parametrize("kind", ["garbage", "empty", "directory", "other-h5"])
@pytest.mark.parametrize("sim", ["langevin", "montecarlo"])
def test_inspect_of_a_file_that_is_not_a_run_is_one_line(tmp_path, capsys, kind, sim) -> None:
    path = tmp_path / "x.h5"
    if kind == "garbage":
        path.write_bytes(b"\x89HDF not really" * 30)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    else:
        with h5py.File(path, "w") as f:
            f["a"] = 1
    main = _lv if sim == "langevin" else _mc
    assert main(["inspect", str(path)]) == 2
    _one_line_error(capsys, "x.h5")


def test_errors_name_the_parameter_the_user_gave(capsys) -> None:
    assert _lv(["exact", "--varsigma", "-1"]) == 2
    line = _one_line_error(capsys, "varsigma = -1")
    assert "beta" not in line
    assert _lv(["exact", "--varsigma", "0.15"]) == 2
    line = _one_line_error(capsys, "beta")  # missing: named, not "beta = None"
    assert "None" not in line


def test_json_dump_is_unchanged() -> None:  # guard: the summaries stay plain JSON
    from dragcore.cli import dump_json

    assert json.loads(dump_json({"a": np.float64(1.5)})) == {"a": 1.5}


def test_montecarlo_holds_few_batch_accumulators_at_once(monkeypatch) -> None:
    """An iteration's batch accumulators (~110 kB each at the default map) are summed along
    the batch tree as they finish, so at most ~log₂ B (+ one chunk per thread) are alive,
    not B (--neval 1e12 reached 3.5 GB in 42 s before). Same bits as the stored-leaf sum."""
    import weakref

    import montecarlo.integrator as integ
    from dragcore import units
    from layers.presets import preset
    from montecarlo.drag_mc import estimate_drag

    alive: list = []
    real = integ.run_batch

    def tracked(*a, **k):
        acc = real(*a, **k)
        alive.append(weakref.ref(acc.histogram))  # freed by reference counting, no cycles
        peak.append(sum(r() is not None for r in alive))
        return acc

    peak: list[int] = []
    monkeypatch.setattr(integ, "run_batch", tracked)
    bl, T = preset("fig2-d40"), units.kelvin_to_erg(2.0)
    est = estimate_drag(bl, T, n_eval=64 * 100, n_train=1, n_prod=2, seed=3, batch_size=100)
    n_batches = 64
    assert max(peak) <= 2 * 6 + 2, (max(peak), n_batches)  # log2(64) = 6
    # the bits of the tree sum over stored leaves (combine_batches)
    monkeypatch.setattr(integ, "run_batch", real)

    def runner(plan, run):
        return integ.combine_batches(plan, run(range(plan.n_batches)))

    ref = estimate_drag(bl, T, n_eval=64 * 100, n_train=1, n_prod=2, seed=3, batch_size=100,
                        batch_runner=runner)  # fmt: skip
    assert np.array_equal(est.result.mean, ref.result.mean)
    assert np.array_equal(est.result.covariance, ref.result.covariance)


def test_os_and_memory_errors_end_in_one_line(capsys, monkeypatch) -> None:
    """The last line of defence (dragcore.cli.run_program): an OSError or MemoryError that
    escapes a command is one line and exit 2, not a traceback."""
    import langevin.run_models as langevin_run

    def no_memory(*a, **k):
        raise MemoryError

    _toml()
    monkeypatch.setattr(langevin_run, "BilayerModel", no_memory)
    assert _lv(["run", "small.toml", "--output", "o.h5"]) == 2
    _one_line_error(capsys, "memory")

    def unreadable(*a, **k):
        raise PermissionError(13, "Permission denied", "small.toml")

    monkeypatch.setattr(langevin_run, "BilayerModel", unreadable)
    assert _lv(["run", "small.toml", "--output", "o.h5"]) == 2
    _one_line_error(capsys, "small.toml", "Permission denied")
