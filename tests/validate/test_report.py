"""The main job's report machinery: rows, pass rule, table, HDF5 (fast parts only)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from dataclasses import replace

import h5py
import pytest

from validate.report import (
    Comparison,
    _write_h5,
    comparison_table,
    count_rows,
    fg_comparisons,
    significance,
)


def test_comparison_z_and_pass_rule() -> None:
    r = Comparison("s", "n", "A", 1.0, "B", 0.75, 0.1, "test")
    assert math.isclose(r.z, 2.5) and r.passed
    r = Comparison("s", "n", "A", 1.0, "B", 0.69, 0.1, "test")
    assert not r.passed


def test_fg_rows_all_pass_and_table_and_h5(tmp_path) -> None:
    rows = fg_comparisons()
    assert len(rows) == 8
    assert all(r.passed for r in rows), [(r.name, r.z) for r in rows if not r.passed]
    table = comparison_table(rows)
    assert table.count("\n") == len(rows) + 2
    _write_h5(tmp_path / "r.h5", rows, {"version": "x"})
    with h5py.File(tmp_path / "r.h5") as h5:
        assert h5["comparisons/z"].shape == (8,)
        assert h5["comparisons/passed"][()].all()
        assert h5.attrs["version"] == "x"


def test_table_cells_escape_pipes() -> None:
    row = Comparison("s", "|U|² check", "A", 1.0, "B", 1.0, 1.0, "x")
    line = comparison_table([row]).splitlines()[-1]
    assert line.count(" | ") == 12  # 13 cells, the pipes of |U|² escaped
    assert "\\|U\\|²" in line


def _z_cells(line: str) -> tuple[str, str]:
    cells = [c.strip() for c in line.split(" | ")]
    return cells[8], cells[9]  # (A−B)/σ and (A−B′)/σ′


def _is_number_or_dash(text: str) -> bool:
    if text == "—":
        return True
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def test_paper_row_verdicts_follow_the_corrected_comparison() -> None:
    """'diagnosed' only with a numeric corrected comparison within 3σ′; a stated but failing
    correction is 'partly explained'; none is 'unexplained'; the z cells hold a number or —."""
    exact = Comparison(
        "s", "D", "A", math.pi * 2.0 + 1e-12, "B", 2.0, 1e-12, "q", kind="paper",
        factor="π (Eq. 21 reads T/E_F as Tm/n)", factor_value=math.pi,
    )  # fmt: skip
    assert not exact.passed and abs(exact.z) > 1e9
    assert math.isclose(exact.z_after_factor, 1.0, rel_tol=1e-3)
    assert exact.verdict == "differs, diagnosed"
    loose = Comparison(
        "s", "dD", "A", -4.4 * 3.0, "B", 3.0, 1e-12, "q", kind="paper",
        factor="sign and ≈ 4 (not constant): Eq. 19 keeps one Born ordering",
    )  # fmt: skip
    assert math.isnan(loose.z_after_factor) and loose.verdict == "differs, partly explained"
    off = replace(loose, corrected_value=-4.0 * 3.0)  # a correction that does not close it
    assert abs(off.z_after_factor) > 3 and off.verdict == "differs, partly explained"
    bare = replace(loose, factor="")
    assert bare.verdict == "differs, unexplained"
    no_sigma = Comparison("s", "max", "A", 0.4, "B", 0.0, math.nan, "—", kind="paper")
    assert no_sigma.verdict == "differs, unexplained"
    ok = Comparison("s", "c", "A", 1.0, "B", 1.0, 0.1, "q", kind="paper", after_correction="π")
    assert ok.verdict == "agrees after correction"
    table = comparison_table([exact, loose, off, bare, no_sigma, ok])
    for line in table.splitlines()[2:]:
        z, zc = _z_cells(line)
        assert _is_number_or_dash(z) and _is_number_or_dash(zc), line
        assert "nan" not in line.lower().replace("nanometre", "")
    assert _z_cells(table.splitlines()[2])[1] == "+1.00"
    assert _z_cells(table.splitlines()[3])[1] == "—"
    assert _z_cells(table.splitlines()[6])[0] == "—"


def test_significance_and_marginal_internal_rows() -> None:
    assert significance(1.47) == "1.5σ: not significant"
    assert significance(-2.4) == "2.4σ: marginal"
    assert significance(4.1) == "4.1σ: significant"
    r = Comparison("s", "mean pull", "A", 0.48, "B", 0.0, 1 / math.sqrt(24), "1/√N")
    assert r.passed and r.verdict == "pass (2.4σ: marginal)"
    m = Comparison("s", "slope", "A", -4.35, "B", 0.0, 2.96, "fit", kind="measurement")
    assert m.verdict == "1.5σ: not significant"


def test_identities_are_counted_once() -> None:
    a = Comparison("s", "a", "A", 1.0, "B", 1.0, 0.1, "q")
    b = Comparison("s", "b", "A", 1.0, "B", 1.0, 0.1, "q", identity_of="a")
    c = Comparison("s", "c", "A", 1.0, "B", 2.0, 0.1, "q", kind="paper")
    m = Comparison("s", "m", "A", 1.0, "B", 0.0, 1.0, "q", kind="measurement")
    n = count_rows([a, b, c, m])
    assert (n.internal, n.internal_passed, n.identities) == (1, 1, 1)
    assert (n.paper, n.paper_unexplained, n.measurements) == (1, 1, 1)
    assert "counted once" in comparison_table([a, b]).splitlines()[-1]


def test_existing_output_is_refused_before_computing(tmp_path, capsys) -> None:
    """The simulators' rule: an existing, non-empty report directory is refused with exit
    code 2 and one line, before anything is computed; nothing in it is touched."""
    from validate.__main__ import main

    out = tmp_path / "rep"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    t = time.perf_counter()
    assert main(["--output", str(out), "--quick"]) == 2
    assert time.perf_counter() - t < 5.0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "output" in err[0] and "--overwrite" in err[0], err
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["--output", str(f)]) == 2


def test_provenance_record() -> None:
    from dragcore.provenance import provenance

    rec = provenance(ranks=3, started=time.perf_counter(), argv=["python -m validate", "--quick"])
    for key in ("version", "git_commit", "numpy_version", "numba_version", "scipy_version",
                "h5py_version", "mpi4py_version", "cpu", "vector_extensions", "ranks",
                "numba_threads", "command_line", "wall_time_s"):  # fmt: skip
        assert key in rec, key
    assert rec["ranks"] == 3 and rec["command_line"] == "python -m validate --quick"
    assert all(isinstance(v, (str, int, float)) for v in rec.values())


@pytest.mark.slow
def test_main_job_paper_rows_carry_their_diagnosis() -> None:
    from validate.report import hydro_comparisons

    rows = [r for r in hydro_comparisons() if r.kind == "paper"]
    assert rows and all(r.verdict for r in rows)
    table = comparison_table(rows)
    for line in table.splitlines()[2:]:
        assert all(_is_number_or_dash(c) for c in _z_cells(line)), line
    for r in rows:
        if r.verdict == "differs, diagnosed":  # only with a numeric corrected comparison
            assert abs(r.z_after_factor) <= 3.0, (r.name, r.z_after_factor)
        if r.factor_value is not None:  # the exact factors π and −2: the residual is a z
            assert abs(r.z_after_factor) <= 3.0, (r.name, r.z_after_factor)
    dchi = [r for r in rows if r.name.startswith("∂D/∂χ")]
    assert len(dchi) == 3 and all(r.verdict == "differs, partly explained" for r in dchi)
    assert all(r.untraced for r in dchi)
    untraced = [r for r in rows if r.name.startswith("the untraced part")]
    assert len(untraced) == 3 and all(r.verdict == "differs, unexplained" for r in untraced)
    series = [r for r in rows if "D⁽²⁾/χ of the paper's series" in r.name]
    assert len(series) == 3 and all(abs(r.ratio + 2.0) < 1e-6 for r in series)


@pytest.mark.slow
def test_quick_main_job_json(tmp_path) -> None:
    """``python -m validate --quick --format json`` (a smoke test of the whole job at reduced
    statistics, two worker processes): exit 0, JSON on stdout with the summary and every row,
    progress on stderr, summary.json with provenance and the quoted results."""
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    p = subprocess.run(
        [sys.executable, "-m", "validate", "--quick", "--format", "json", "--output", "rep"],
        cwd=tmp_path, capture_output=True, text=True, timeout=1200, env=env,
    )  # fmt: skip
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    out = json.loads(p.stdout)
    assert out["counts"]["internal"] == out["counts"]["internal_passed"] > 20
    assert out["rows"] and all("verdict" in r for r in out["rows"])
    assert "left" in p.stderr  # progress with an estimate of the time left
    summ = json.loads((tmp_path / "rep" / "summary.json").read_text())
    assert summ["provenance"]["size"] == "quick" and summ["provenance"]["git_commit"]
    assert math.isclose(summ["quoted_results"]["Q1_infinity"], 0.8, abs_tol=1e-9)
    with h5py.File(tmp_path / "rep" / "report.h5") as f:
        assert f.attrs["numpy_version"] and f.attrs["command_line"].startswith("python -m")
    assert not (tmp_path / "rep" / ".drag-report-in-progress").exists()
    # a second run into the same directory is refused, --overwrite accepted (not run here)
    q = subprocess.run(
        [sys.executable, "-m", "validate", "--quick", "--output", "rep"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert q.returncode == 2 and len(q.stderr.strip().splitlines()) == 1, q.stderr


@pytest.mark.slow
def test_results_do_not_depend_on_the_worker_processes(tmp_path) -> None:
    """A Monte Carlo task gives the same bits in this process and in a spawned worker (the
    main job's pool), whatever the process's thread count."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np

    from validate.report import QUICK, Task, _pool_task, run_task

    task = Task("Monte Carlo pull grid", "grid", 0, collective=True)
    here = run_task(task, QUICK, tmp_path)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        there = pool.submit(_pool_task, (task, QUICK, str(tmp_path))).result()
    (a,), (b,) = here.records, there.records
    assert np.array_equal(a.mc, b.mc) and np.array_equal(a.sdev, b.sdev)
    assert np.array_equal(a.reference, b.reference)


def example_provider(size) -> list[Comparison]:
    """A row provider as the external anchors plug in (used by the test below)."""
    return [Comparison("anchors", "x", "A", 1.0, "B", 1.0, 0.1, "q", kind="paper")]


def test_row_providers_plug_in_by_name(tmp_path, monkeypatch) -> None:
    from validate import report

    monkeypatch.setattr(report, "ROW_PROVIDERS", list(report.ROW_PROVIDERS))
    name = "tests.validate.test_report:example_provider"
    report.register_row_provider(name)
    tasks = [t for t in report.job_tasks(report.QUICK) if t.kind == "provider"]
    assert [t.target for t in tasks][-1] == name
    res = report.run_task(tasks[-1], report.QUICK, tmp_path)
    assert [r.section for r in res.rows] == ["anchors"] and res.rows[0].verdict == "agrees"
    with pytest.raises(ValueError, match="row provider"):
        report.register_row_provider("tests.validate.test_report:nothing")


def test_every_task_kind_runs_a_function_of_its_topic_module(tmp_path) -> None:
    """The job's task kinds are lines of ``validate.job.TASK_KINDS``, each an importable
    function; an unknown kind is refused by name."""
    from validate import job, report

    for name in job.TASK_KINDS.values():
        assert callable(job.function_by_name(name)), name
    for size in (report.QUICK, report.FULL):
        kinds = {t.kind for t in report.job_tasks(size) if not t.target}
        assert kinds <= set(job.TASK_KINDS), kinds - set(job.TASK_KINDS)
    with pytest.raises(ValueError, match="task kind = 'nothing'"):
        job.run_task(job.Task("x", "nothing"), report.QUICK, tmp_path)
