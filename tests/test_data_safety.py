"""A run never removes or replaces anything it did not create (issue 24, sections 1, 2, 6, 7).

Every test plants a user's files in every directory a run touches — the working directory,
the output's directory, inside ``--checkpoint-dir`` — takes a snapshot of the scratch tree
(every path with the SHA-256 of every file) and compares it after the run: nothing outside
the run's own output and checkpoint may change. A refusal is exit code 2, one line naming
the parameter, nothing computed (the simulators' ``run_distributed`` is replaced by a
function that fails the test) and an unchanged tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.cli_helpers import langevin_main, montecarlo_main, run_toml

REPO = Path(__file__).resolve().parents[1]

SMALL_TOML = """\
seed = 1
snapshots = false
[checkpoint]
seconds = 0.0
blocks = 1
[grid]
n = 8
length = 16.0
[stepper]
scheme = "exact"
dt = 8.0
n_realisations = 2
n_steps = 200
"""

MC_TINY = ["--T", "2", "--neval", "2000", "--batch-size", "500", "--n-train", "1",
           "--n-prod", "2", "--no-reference", "--no-progress"]  # fmt: skip
MC_TOML = """\
reference = false
[bilayer]
T = 2.0
[integrator]
neval = 2000
batch_size = 500
n_train = 1
n_prod = 2
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


_lv = langevin_main
_mc = montecarlo_main


def _toml(path: str = "small.toml", name: str = "paper") -> str:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(SMALL_TOML + run_toml(name, paper=True))
    return path


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root``: ``"dir"`` or the SHA-256 of the file (or the link)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = "dir"
        for f in filenames:
            p = Path(dirpath) / f
            rel = os.path.relpath(p, root)
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            else:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def plant(*dirs: str) -> None:
    """A user's files: ``notes.txt`` and ``data/x.dat`` in each of ``dirs``."""
    for d in dirs:
        Path(d, "data").mkdir(parents=True, exist_ok=True)
        Path(d, "notes.txt").write_text(f"the user's notes in {d}\n")
        Path(d, "data", "x.dat").write_bytes(os.urandom(64))


def one_line_error(capsys, *names: str) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "error" in lines[0], err
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


@pytest.fixture
def no_computing(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("computed before the refusal")

    monkeypatch.setattr("langevin.run.run_distributed", boom)
    monkeypatch.setattr("montecarlo.run.run_distributed", boom)


def _changed(before: dict, after: dict, own: tuple[str, ...] = ()) -> list[str]:
    """Paths that differ, except the run's own (``own``: prefixes)."""
    keys = set(before) | set(after)
    return sorted(
        k for k in keys
        if before.get(k) != after.get(k) and not any(k == o or k.startswith(o + "/") for o in own)
    )  # fmt: skip


# ------------------------------------------------------------ refusals (nothing computed)

LV = ["run", "small.toml", "--no-progress"]
MC = ["run", *MC_TINY]

REFUSALS = [
    # (simulator, extra argv, directories to plant into, words of the one-line message)
    ("lv", ["--output", "o.h5", "--checkpoint-dir", "A"], ["A"], ["checkpoint", "'A'"]),
    ("lv", ["--output", "o.h5", "--checkpoint-dir", "A", "--resume"], ["A"], ["checkpoint"]),
    ("mc", ["--output", "o.h5", "--checkpoint-dir", "A"], ["A"], ["checkpoint", "'A'"]),
    ("mc", ["--output", "o.h5", "--checkpoint-dir", "A", "--resume"], ["A"], ["checkpoint"]),
    ("lv", ["--output", "F/run.h5", "--checkpoint-dir", "F"], ["F"], ["checkpoint", "output"]),
    ("mc", ["--output", "F/run.h5", "--checkpoint-dir", "F"], [], ["checkpoint", "output"]),
    ("mc", ["--output", "F/run.h5", "--checkpoint-dir", "F", "--resume"], [], ["checkpoint"]),
    ("lv", ["--output", "o.h5", "--checkpoint-dir", "o.h5"], [], ["checkpoint", "output"]),
    ("mc", ["--output", "o.h5", "--checkpoint-dir", "o.h5/ck"], [], ["checkpoint", "output"]),
    ("mc", ["--output", "out/o.h5", "--checkpoint-dir", "."], ["out"], ["checkpoint"]),
    ("lv", ["--output", "o.h5", "--resume"], ["o.h5.ckpt/paper"], ["checkpoint", "paper"]),
    ("lv", ["--output", "o.h5"], ["o.h5.ckpt/paper"], ["checkpoint"]),
    ("mc", ["--output", "o.h5", "--resume"], ["o.h5.ckpt"], ["checkpoint"]),
    ("mc", ["--output", "new/sub/o.h5", "--checkpoint-dir", "A"], ["A"], ["checkpoint"]),
    ("lv", ["--output", "new/sub/o.h5", "--checkpoint-dir", "A"], ["A"], ["checkpoint"]),
]


@pytest.mark.parametrize("sim, extra, dirs, words", REFUSALS)
def test_refusals_change_nothing_and_compute_nothing(
    tmp_path, capsys, no_computing, sim, extra, dirs, words
) -> None:
    _toml()
    plant(".", *dirs)
    before = snapshot(tmp_path)
    rc = _lv([*LV, *extra]) if sim == "lv" else _mc([*MC, *extra])
    assert rc == 2
    one_line_error(capsys, *words)
    assert _changed(before, snapshot(tmp_path)) == []


@pytest.mark.parametrize("sim", ["lv", "mc"])
def test_input_inside_the_checkpoint_directory_is_refused(tmp_path, capsys, no_computing, sim):
    Path("C").mkdir()
    if sim == "lv":
        _toml("C/small.toml")
        argv = ["run", "C/small.toml", "--no-progress"]
        call = _lv
    else:
        Path("C/mc.toml").write_text(MC_TOML)
        argv, call = ["run", "C/mc.toml", "--no-progress"], _mc
    before = snapshot(tmp_path)
    for resume in ([], ["--resume"]):
        assert call([*argv, "--output", "o.h5", "--checkpoint-dir", "C", *resume]) == 2
        one_line_error(capsys, "checkpoint", "C")
    assert _changed(before, snapshot(tmp_path)) == []


@pytest.mark.parametrize(
    "name", ["..", ".", "", "a/b", "../x", "/abs", "a\\b", ".hidden", " x", "manifest.json"]
)
def test_run_names_must_be_plain(tmp_path, capsys, no_computing, name) -> None:
    _toml(name=name.replace("\\", "\\\\"))
    Path("res").mkdir()
    before = snapshot(tmp_path)
    assert _lv([*LV, "--output", "res/out.h5"]) == 2
    one_line_error(capsys, "[[run]] name")
    assert _changed(before, snapshot(tmp_path)) == []


def test_duplicate_run_names_are_refused_before_computing(tmp_path, capsys, no_computing):
    text = SMALL_TOML + run_toml("paper", paper=True)
    Path("dup.toml").write_text(text + text[text.index("[[run]]") :])
    assert _lv(["run", "dup.toml", "--no-progress", "--output", "d.h5"]) == 2
    one_line_error(capsys, "[[run]] name = 'paper'", "unique")
    assert sorted(os.listdir(tmp_path)) == ["dup.toml"]


@given(st.text(min_size=0, max_size=8))
def test_run_name_rule(name: str) -> None:
    from dragcore.checks import require_run_names

    plain = (
        name not in ("", "manifest.json")
        and not name.startswith(".")
        and not any(c in name for c in "/\\\0")
        and name == name.strip()
        and name.isprintable()
    )
    try:
        assert require_run_names([name]) == [name]
        assert plain
    except ValueError as exc:
        assert not plain and "[[run]] name" in str(exc)


_HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"pid %d on test" % os.getpid())
print("held", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("sim", ["lv", "mc"])
def test_a_second_run_on_the_same_output_is_refused(tmp_path, capsys, no_computing, sim):
    """Two concurrent runs with the same --output: the later is refused, one line."""
    _toml()
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, ".o.h5.lock"], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        before = snapshot(tmp_path)
        rc = _lv([*LV, "--output", "o.h5"]) if sim == "lv" else _mc([*MC, "--output", "o.h5"])
        assert rc == 2
        one_line_error(capsys, "output = 'o.h5'", "another run")
        assert snapshot(tmp_path) == before
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_two_real_concurrent_runs_on_one_output(tmp_path, capsys) -> None:
    """As seen: two runs with the same --output, the later used to replace the earlier.
    Now the later is refused while the first runs, and the first's result is intact."""
    import montecarlo.run  # noqa: F401 - imported before the first run starts

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-m", "montecarlo", *MC, "--neval", "100000", "--batch-size",
            "5000", "--n-prod", "6", "--output", "o.h5"]  # fmt: skip
    first = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            if Path(".o.h5.lock").exists() or first.poll() is not None:
                break
            time.sleep(0.05)
        assert first.poll() is None, "the first run ended before the second started"
        assert _mc([*MC, "--output", "o.h5"]) == 2
        one_line_error(capsys, "output = 'o.h5'", "another run")
    finally:
        out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    with h5py.File("o.h5") as f:
        assert int(f["parameters/n_eval"][()]) == 100000
    assert not Path(".o.h5.lock").exists()


def test_lock_is_released_and_its_file_removed() -> None:
    from dragcore.run import _Lock

    lock = _Lock(Path("o.h5"), "output")
    with pytest.raises(ValueError, match="another run"):
        _Lock(Path("o.h5"), "output")
    lock.release()
    assert not Path(".o.h5.lock").exists()
    _Lock(Path("o.h5"), "output").release()


def test_a_file_system_without_flock_runs_unlocked(tmp_path, monkeypatch) -> None:
    import fcntl

    from dragcore.run import _Lock

    def no_locks(fd, op):
        raise OSError(37, "No locks available")  # ENOLCK, as on some NFS mounts

    monkeypatch.setattr(fcntl, "flock", no_locks)
    lock = _Lock(Path("o.h5"), "output")
    assert lock.fd is None and os.listdir(tmp_path) == []
    lock.release()


# ------------------------------------------------------------ complete runs


def _own(output: str, checkpoint: str | None = None) -> tuple[str, ...]:
    return (output,) if checkpoint is None else (output, checkpoint)


@pytest.mark.slow
@pytest.mark.parametrize("sim", ["lv", "mc"])
def test_a_run_changes_only_its_output(tmp_path, sim) -> None:
    """User files in the working directory and beside the output; a pre-existing empty
    checkpoint directory stays (the run did not create it); a new nested one goes."""
    _toml()
    plant(".", "res")
    Path("empty_ck").mkdir()
    before = snapshot(tmp_path)
    call, base = (_lv, LV) if sim == "lv" else (_mc, MC)
    assert call([*base, "--output", "res/a.h5", "--checkpoint-dir", "empty_ck"]) == 0
    assert call([*base, "--output", "res/b.h5", "--checkpoint-dir", "new/deep/ck"]) == 0
    after = snapshot(tmp_path)
    assert _changed(before, after, _own("res/a.h5") + _own("res/b.h5")) == []
    assert after["empty_ck"] == "dir" and "new" not in after


# ------------------------------------------------------------ failures and kills


@pytest.mark.slow
@pytest.mark.parametrize("sim", ["lv", "mc"])
def test_a_refused_result_leaves_a_state_the_corrected_rerun_can_use(
    tmp_path, capsys, monkeypatch, sim
) -> None:
    """A refusal after computing (here: a χ² refusal) removes the run's checkpoint, so the
    corrected rerun is not blocked; the user's files stay."""
    _toml()
    plant(".")
    before = snapshot(tmp_path)

    def refuse(*a, **k):
        raise ValueError("[paper] D: chi2/dof = 3e15 is outside the allowed range P >= 1e-09")

    if sim == "lv":
        monkeypatch.setattr("langevin.run.require_sane_estimate", refuse)
        call, base = _lv, LV
    else:
        monkeypatch.setattr("montecarlo.run.hall_from_q3", refuse)
        call, base = _mc, MC
    assert call([*base, "--output", "o.h5"]) == 2
    one_line_error(capsys, "chi2/dof")
    assert _changed(before, snapshot(tmp_path)) == []
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert call([*base, "--output", "o.h5"]) == 0
    assert _changed(before, snapshot(tmp_path), ("o.h5",)) == []


@pytest.mark.slow
def test_a_killed_run_is_resumed_and_a_fresh_rerun_told_how(tmp_path, capsys, monkeypatch):
    """A kill (here an interrupt after two saved iterations) keeps the checkpoint; the fresh
    rerun is refused with the command that continues it; --resume gives the bits of an
    uninterrupted run."""
    import montecarlo.checkpoint as mcc

    plant(".")
    assert _mc([*MC, "--output", "ref.h5", "--seed", "4"]) == 0
    saves = []
    real_save = mcc.CheckpointStore.save

    def save_then_kill(self, *a, **k):
        real_save(self, *a, **k)
        saves.append(1)
        if len(saves) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(mcc.CheckpointStore, "save", save_then_kill)
    with pytest.raises(KeyboardInterrupt):
        _mc([*MC, "--output", "o.h5", "--seed", "4"])
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    assert Path("o.h5.ckpt/state.npz").exists() and not Path(".o.h5.lock").exists()
    assert _mc([*MC, "--output", "o.h5", "--seed", "4"]) == 2
    one_line_error(capsys, "--resume", "rm -r 'o.h5.ckpt'")
    assert _mc([*MC, "--output", "o.h5", "--seed", "4", "--resume"]) == 0
    with h5py.File("o.h5") as a, h5py.File("ref.h5") as b:
        assert np.array_equal(a["estimate/mean"][()], b["estimate/mean"][()])
        assert a.attrs["resumed_iterations"] == 2
    assert not Path("o.h5.ckpt").exists()


@pytest.mark.slow
@pytest.mark.parametrize("sim", ["lv", "mc"])
def test_kill_during_cleanup_then_requeued_resume_says_complete(
    tmp_path, capsys, monkeypatch, sim
) -> None:
    """A kill during the end-of-run clean-up: the requeued ``--resume`` (what the job
    templates run when ``<output>.ckpt`` exists) finishes the clean-up and says in one
    line that the result is complete (exit 0), the output untouched."""
    from dragcore.checkpoint import CheckpointDirectory

    _toml()
    plant(".")
    call, base = (_lv, LV) if sim == "lv" else (_mc, MC)
    base = [*base, "--output", "o.h5"]
    real_remove = CheckpointDirectory.remove
    calls = []

    def killed_remove(self):
        calls.append(self.directory)
        own = self._own_files()
        if own:
            own[0].unlink()
        raise KeyboardInterrupt  # killed after the first file

    monkeypatch.setattr(CheckpointDirectory, "remove", killed_remove)
    with pytest.raises(KeyboardInterrupt):
        call(base)
    monkeypatch.setattr(CheckpointDirectory, "remove", real_remove)
    assert Path("o.h5").exists() and Path("o.h5.ckpt").is_dir()
    result = Path("o.h5").read_bytes()
    capsys.readouterr()
    assert call([*base, "--resume"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already complete" in err[0], err
    assert Path("o.h5").read_bytes() == result and not Path("o.h5.ckpt").exists()
    assert call([*base, "--resume"]) == 0  # requeued once more: still complete
    assert "already complete" in capsys.readouterr().err
    assert call(base) == 2  # a fresh run does not replace it
    one_line_error(capsys, "o.h5", "--overwrite")
    assert Path("o.h5").read_bytes() == result


def test_refusal_before_a_part_computes_leaves_no_checkpoint(tmp_path, capsys, monkeypatch):
    """A memory refusal of a later [[run]] (a ValueError after the checkpoint directory of
    several runs was made) leaves nothing: the corrected rerun is not blocked."""

    def no_memory(*a, **k):
        raise ValueError("[nonlinear] grid_n = 4096 is outside the allowed range (memory)")

    monkeypatch.setattr("langevin.run_models.BilayerModel", no_memory)
    _toml()
    before = snapshot(tmp_path)
    assert _lv([*LV, "--output", "new/o.h5"]) == 2  # (new/: made by the run, removed)
    one_line_error(capsys, "grid_n")
    assert snapshot(tmp_path) == before


# ------------------------------------------------------------ integrity


def _flip_bit(path: str, dataset: str) -> None:
    with h5py.File(path) as f:
        offset = f[dataset].id.get_offset()
    data = bytearray(Path(path).read_bytes())
    data[offset] ^= 0x01
    Path(path).write_bytes(bytes(data))


@pytest.fixture(scope="module")
def mc_file(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("mc")
    old = os.getcwd()
    os.chdir(d)
    try:
        assert _mc([*MC, "--output", "m.h5"]) == 0
    finally:
        os.chdir(old)
    return d / "m.h5"


def test_a_flipped_bit_in_the_estimate_is_refused_by_inspect(tmp_path, capsys, mc_file) -> None:
    Path("m.h5").write_bytes(mc_file.read_bytes())
    assert _mc(["inspect", "m.h5"]) == 0
    capsys.readouterr()
    _flip_bit("m.h5", "estimate/mean")
    assert _mc(["inspect", "m.h5"]) == 2
    one_line_error(capsys, "m.h5", "corrupted")


def test_an_edited_attribute_is_refused_by_inspect(tmp_path, capsys, mc_file) -> None:
    Path("m.h5").write_bytes(mc_file.read_bytes())
    with h5py.File("m.h5", "r+") as f:
        f.attrs["chi2"] = 0.5
    assert _mc(["inspect", "m.h5"]) == 2
    one_line_error(capsys, "corrupted")


def test_a_file_without_a_digest_is_still_read(tmp_path, capsys, mc_file) -> None:
    Path("m.h5").write_bytes(mc_file.read_bytes())
    with h5py.File("m.h5", "r+") as f:
        del f.attrs["content_sha256"]  # written before the digest existed
    assert _mc(["inspect", "m.h5"]) == 0


def test_a_corrupted_checkpoint_is_refused_on_resume(tmp_path, capsys) -> None:
    from dragcore.checkpoint import CheckpointDirectory

    store = CheckpointDirectory("ck", {"seed": 1})
    store.prepare(resume=False)
    store.save(store.directory / "s.npz", mean=np.arange(4.0))
    with store.open(store.directory / "s.npz") as z:
        assert np.array_equal(z["mean"], np.arange(4.0))
    with np.load("ck/s.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["mean"] = arrays["mean"].copy()
    arrays["mean"].view(np.uint64)[2] ^= 1  # one flipped bit, the archive itself intact
    np.savez("ck/s.npz", **arrays)
    with pytest.raises(ValueError, match="SHA-256"):
        with store.open(store.directory / "s.npz"):
            pass


@pytest.mark.slow
def test_langevin_file_integrity_and_valid_json(tmp_path, capsys) -> None:
    _toml()
    assert _lv([*LV, "--output", "o.h5", "--json"]) == 0
    out = capsys.readouterr().out

    def no_nan(c):
        raise AssertionError(f"not JSON: {c}")

    json.loads(out, parse_constant=no_nan)
    assert _lv(["inspect", "o.h5", "--json"]) == 0
    json.loads(capsys.readouterr().out, parse_constant=no_nan)
    _flip_bit("o.h5", "paper/realisations")
    assert _lv(["inspect", "o.h5"]) == 2
    one_line_error(capsys, "corrupted")


def test_json_has_no_nan() -> None:
    from dragcore.cli import dump_json

    text = dump_json({"exact_sdev": float("nan"), "x": np.array([np.inf, 1.0])})
    assert json.loads(text) == {"exact_sdev": None, "x": [None, 1.0]}


# ------------------------------------------------------------ ownership rules, directly


def test_remove_deletes_only_own_files_and_created_directories(tmp_path) -> None:
    from langevin.checkpoint import CheckpointStore

    store = CheckpointStore(tmp_path / "a/b/ck", {"seed": 1})
    store.prepare(resume=False)
    store.save(store.directory / "r000001.done.npz", mean=np.zeros(2))
    (store.directory / ".r000002.progress.npz.abc123.tmp").write_bytes(b"x")  # killed write
    store.remove()
    assert not (tmp_path / "a").exists()  # it made a/, a/b/ and a/b/ck: all gone

    Path("mine").mkdir()
    store = CheckpointStore("mine", {"seed": 1})
    store.prepare(resume=False)
    store.save(store.directory / "r000001.done.npz", mean=np.zeros(2))
    (store.directory / "late.txt").write_text("the user's, added during the run")
    store.remove()
    assert sorted(os.listdir("mine")) == ["late.txt"]  # neither it nor the directory go
    with pytest.raises(ValueError, match="checkpoint"):
        store.save(store.directory / "late.txt", x=np.zeros(1))


@pytest.mark.parametrize("entry", ["user.npz", "sub/", "link"])
def test_foreign_entries_are_refused_fresh_and_resumed(tmp_path, entry) -> None:
    from montecarlo.checkpoint import CheckpointStore

    Path("ck").mkdir()
    if entry.endswith("/"):
        Path("ck", entry).mkdir()
    elif entry == "link":
        Path("ck/link").symlink_to(tmp_path)
    else:
        Path("ck", entry).write_bytes(b"the user's")
    before = snapshot(tmp_path)
    for resume in (False, True):
        with pytest.raises(ValueError, match="no run of this package wrote"):
            CheckpointStore("ck", {"seed": 1}).prepare(resume)
    assert snapshot(tmp_path) == before


def test_old_manifest_format_is_resumed(tmp_path) -> None:
    from dragcore.checkpoint import CheckpointDirectory

    Path("ck").mkdir()
    Path("ck/manifest.json").write_text(json.dumps({"seed": 1}))
    CheckpointDirectory("ck", {"seed": 1}).prepare(resume=True)
    with pytest.raises(ValueError, match="different run"):
        CheckpointDirectory("ck", {"seed": 2}).prepare(resume=True)


def test_run_files_record_their_provenance(tmp_path) -> None:
    """Every run file says where its numbers came from (issue 25 §5): version, git commit,
    dependency versions, CPU and vector extensions, ranks, threads, command line."""
    import h5py

    from dragcore.hdf5 import atomic_h5_file, write_provenance

    with atomic_h5_file(tmp_path / "p.h5") as f:
        write_provenance(f, ranks=3)
    with h5py.File(tmp_path / "p.h5", "r") as f:
        a = dict(f["provenance"].attrs)
    assert a["ranks"] == 3
    for key in ("version", "git_commit", "numpy_version", "numba_version", "scipy_version",
                "h5py_version", "cpu", "vector_extensions", "numba_threads", "command_line"):
        assert key in a and str(a[key]) != "", key
