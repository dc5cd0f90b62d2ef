"""The main job: every comparison of the package, at a size that finishes in minutes.

``python -m validate`` (no command) runs

1. the f, g quadrature against its second route and against its closed-form limits;
2. the exact bilayer model against Eq. (21) of the nonreciprocal-drag paper, and the paper's
   own series (Eqs. 17–19) against its closed form (Eq. 22b);
3. the Langevin simulation against the exact solution on the same grid, and the nonlinear
   bilayer as its fluctuation strength Θ → 0;
4. the Weyl-film / 2D-metal quadrature against its closed-form limits and the Hall-drag
   paper's numbers, including the σ^D_xx maximum of its Fig. 2;
5. the collision-integral Monte Carlo against its exact finite-T reference, at single points
   and over a grid of presets × tilt × temperature (rms and mean of the pulls);
6. the rows of :data:`ROW_PROVIDERS` (external anchors and other plug-in comparisons);

(the rows of each topic are built in its module ``validate.rows_*``; the tasks that build
them run in :mod:`validate.job`; this module assembles and writes the report)

and writes into ``--output`` (default ``./drag-report``, refused if it exists unless
``--overwrite``): ``report.md`` (the comparison table first, then notes, provenance and the
figures), ``report.h5`` (the same table as data, with the provenance as attributes),
``summary.json`` (counts, failures, the result numbers the README quotes, provenance) and the
figures of the ``fg``, ``hydro`` and ``weyl`` sub-commands. ``--quick`` runs every comparison
at reduced statistics. Progress goes to standard error; standard output ends with a short
summary (or, with ``--format json``, the summary and rows as JSON).

Each row compares two routes A and B: ``z = (A − B)/σ`` with σ the combined error, computed,
never chosen: quadrature error estimates, statistical standard errors, or, for an asymptotic
limit, the size of the first neglected term (the row says how it was obtained). An
``internal`` row (two routes of this package) passes if ``|z| ≤ 3``; a failing internal row
makes the main job exit with code 1. A ``paper`` row compares with a formula or number *as
printed* in a paper (also after a correction of ours): it says "agrees" if ``|z| ≤ 3``, and
otherwise

* "differs, diagnosed" only when the corrected comparison is a number with ``|z′| ≤ 3``
  (``z′ = (A − B′)/σ′`` with B′ the paper's value after the stated correction);
* "differs, partly explained" when a correction is stated but the corrected comparison is not
  within 3σ′ (the note says what is traced and what is not);
* "differs, unexplained" otherwise.

A ``measurement`` row is a statistical claim (a slope, a mean pull) with its significance; it
is not a pass/fail test. A row that is an identity of another (the same numbers by
construction) is shown but counted once.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from dragcore.parallel import world

# the names marked F401 are re-exported: this module had them before its rows moved to
# validate.rows_* and its tasks to validate.job
from validate.job import (
    Task,
    _pool_task,  # noqa: F401
    function_by_name,
    run_task,  # noqa: F401
    run_tasks,
    workers_for,
)
from validate.rows import (
    FULL,
    PASS_Z,
    QUICK,
    Comparison,
    JobSize,
    TaskResult,  # noqa: F401
    significance,
)
from validate.rows_fg import fg_comparisons  # noqa: F401
from validate.rows_hydro import hydro_comparisons  # noqa: F401
from validate.rows_montecarlo import montecarlo_cases, montecarlo_grid_comparisons, pull_grid_points

DEFAULT_OUTPUT = Path("drag-report")

__all__ = [
    "ROW_PROVIDERS",
    "register_row_provider",
    "job_tasks",
    "run_main_job",
    "add_main_job_arguments",
    "DEFAULT_OUTPUT",
]


# --------------------------------------------------------------------------------------
# row providers: where further comparisons plug in
# --------------------------------------------------------------------------------------
#: Further comparisons (e.g. the external anchors): ``"module:function"`` names of functions
#: ``provider(size: JobSize) -> list[Comparison]`` (or ``provider(size, out)`` returning rows
#: and figures; :func:`validate.job.run_task` passes the arguments a provider names), each run
#: as one task of the main job (on rank 0; in a worker process when the job runs on several
#: cores, which imports the module by this name). A provider is registered by adding its name
#: here (or, at run time, with :func:`register_row_provider`); its rows appear in the table,
#: counts and summary like any other row, under the section each row names.
ROW_PROVIDERS: list[str] = [
    "validate.rows_anchors:anchor_comparisons",
    "validate.oneloop_rows:slope_comparisons",
]


def register_row_provider(name: str) -> None:
    """Add the provider ``"module:function"`` to :data:`ROW_PROVIDERS` (once)."""
    function_by_name(name)  # importable, or a ValueError naming it
    if name not in ROW_PROVIDERS:
        ROW_PROVIDERS.append(name)


# --------------------------------------------------------------------------------------
# the job's tasks, in report order
# --------------------------------------------------------------------------------------
def job_tasks(size: JobSize) -> list[Task]:
    """The tasks of the main job, in report order (costs: CPU seconds measured on one core,
    AVX-512, full size; quick is scaled)."""
    q = 0.25 if size.quick else 1.0
    tasks = [
        Task("f, g quadrature", "fg", cost=0.5),
        Task("exact bilayer vs Eq. (21), with its figures", "hydro", cost=6.0 if size.quick
             else 40.0),  # fmt: skip
        Task("Langevin vs exact", "langevin", cost=3.0 * q, collective=True),
        Task("nonlinear bilayer as Θ → 0", "nonlinear", cost=26.0 * q, collective=True),
        Task("Weyl film / 2D metal", "weyl", cost=4.0),
        Task("σ^D_xx maximum (Fig. 2)", "fig2", cost=0.8 * size.fig2_points * 4),
    ]
    tasks += [
        Task("Monte Carlo vs quadrature", "mc", i, cost=(8.0 if i < 6 else 12.0) * q,
             collective=True)  # fmt: skip
        for i in range(len(montecarlo_cases()))
    ]
    tasks += [
        Task("Monte Carlo pull grid", "grid", i, cost=4.0 * (size.grid_reference_n / 12) ** 2,
             collective=True)  # fmt: skip
        for i in range(len(pull_grid_points(size)))
    ]
    tasks += [
        Task("figures", "fig-fg", cost=3.0),
    ]
    if not size.quick:  # --quick draws only the cheap figures
        tasks += [
            Task("figures", "fig-weyl", cost=1.2 * size.weyl_figure_points * 3),
            Task("figures", "fig-screening", cost=2.0 * len(size.screening_temperatures)),
        ]
    tasks += [
        Task("further comparisons", "provider", cost=10.0, target=name) for name in ROW_PROVIDERS
    ]
    return tasks


# --------------------------------------------------------------------------------------
# report writing
# --------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:.10g}" if math.isfinite(x) else "—"


def _cell(text: str) -> str:
    """Text for a Markdown table cell (a literal ``|``, as in ``|U|²``, is escaped)."""
    return text.replace("|", "\\|")


def comparison_table(rows: list[Comparison]) -> str:
    """The report's first table (Markdown). Every cell of the two z columns is a number or
    "—"; the diagnosis of a differing paper row is in the notes."""
    head = (
        "| # | section | comparison | route A | value A | route B | value B | A/B "
        "| (A−B)/σ | (A−B′)/σ′ after correction | σ from | kind | verdict |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for i, r in enumerate(rows, 1):
        verdict = r.verdict
        if r.kind == "internal" and not r.passed:
            verdict = "**FAIL**"
        elif r.kind == "paper" and verdict.startswith("differs"):
            verdict = f"**{verdict}**"
        if r.identity_of:
            verdict += f" (identity of “{r.identity_of}”: counted once)"
        ratio = f"{r.ratio:.6g}" if math.isfinite(r.ratio) else "—"
        lines.append(
            f"| {i} | {_cell(r.section)} | {_cell(r.name)} | {_cell(r.route_a)} "
            f"| {_fmt(r.value_a)} | {_cell(r.route_b)} "
            f"| {_fmt(r.value_b)} | {ratio} | {r.difference_text} | {r.corrected_text} "
            f"| {_cell(r.sigma_source)} "
            f"| {r.kind} | {_cell(verdict)} |"
        )
    return head + "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Counts:
    """How many rows of each kind and verdict (identities left out)."""

    internal: int
    internal_passed: int
    failures: tuple[str, ...]
    paper: int
    paper_agree: int
    paper_agree_after_correction: int
    paper_diagnosed: int
    paper_partly: int
    paper_unexplained: int
    measurements: int
    marginal: tuple[str, ...]
    identities: int


def count_rows(rows: list[Comparison]) -> Counts:
    """The counts of the summary (an identity of another row is not counted)."""
    c = [r for r in rows if r.counted]
    internal = [r for r in c if r.kind == "internal"]
    paper = [r for r in c if r.kind == "paper"]
    verdicts = [r.verdict for r in paper]
    return Counts(
        internal=len(internal),
        internal_passed=sum(r.passed for r in internal),
        failures=tuple(r.name for r in internal if not r.passed),
        paper=len(paper),
        paper_agree=verdicts.count("agrees"),
        paper_agree_after_correction=verdicts.count("agrees after correction"),
        paper_diagnosed=verdicts.count("differs, diagnosed"),
        paper_partly=verdicts.count("differs, partly explained"),
        paper_unexplained=verdicts.count("differs, unexplained"),
        measurements=sum(r.kind == "measurement" for r in c),
        marginal=tuple(
            r.name for r in c if r.kind == "internal" and r.passed and abs(r.z) >= 2.0
        ),
        identities=len(rows) - len(c),
    )


def _write_h5(path: Path, rows: list[Comparison], meta: dict) -> None:
    from dragcore.hdf5 import atomic_h5_file

    with atomic_h5_file(path) as h5:
        for k, v in meta.items():
            h5.attrs[k] = v
        g = h5.create_group("comparisons")
        g.attrs["description"] = (
            "one entry per comparison: two routes A and B, the combined error sigma, "
            "z = (A-B)/sigma, passed = |z| <= 3; verdict (internal: pass/FAIL; paper: agrees, "
            "agrees after correction, differs diagnosed/partly explained/unexplained; "
            "measurement: significance); corrected_b = the paper's value after the stated "
            "correction and z_after_factor = (A - corrected_b)/sigma' (NaN without a numeric "
            "correction); counted = false for an identity of another row"
        )
        for key in ("value_a", "value_b", "sigma"):
            g.create_dataset(key, data=np.array([getattr(r, key) for r in rows], dtype=float))
        g.create_dataset("z", data=np.array([r.z for r in rows]))
        g.create_dataset("passed", data=np.array([r.passed for r in rows]))
        g.create_dataset("counted", data=np.array([r.counted for r in rows]))
        g.create_dataset("ratio", data=np.array([r.ratio for r in rows]))
        g.create_dataset("corrected_b", data=np.array([r.corrected_b for r in rows]))
        g.create_dataset("z_after_factor", data=np.array([r.z_after_factor for r in rows]))
        for key in ("section", "name", "route_a", "route_b", "sigma_source", "kind", "note",
                    "factor", "untraced", "verdict"):  # fmt: skip
            g.create_dataset(key, data=np.array([getattr(r, key) for r in rows], dtype="T"))


# --------------------------------------------------------------------------------------
# the output directory: claimed before computing, never emptied
# --------------------------------------------------------------------------------------
CLAIM_FILE = ".drag-report-in-progress"


def claim_output(out: Path, overwrite: bool) -> Path:
    """Refuse an existing ``out`` (``ValueError`` naming it) unless ``overwrite``; create
    it, check that it is writable, and leave a marker that a run is writing into it.
    Nothing is ever deleted: with ``overwrite`` the job replaces only the files it writes."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"output = '{out}' is outside the allowed range: it is a file, not a "
                         "directory")  # fmt: skip
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ValueError(
            f"output = '{out}' is outside the allowed range: it exists and is not empty "
            "(give --overwrite to replace the report's files in it, or another --output)"
        )
    out.mkdir(parents=True, exist_ok=True)
    marker = out / CLAIM_FILE
    try:
        marker.write_text(f"python -m validate, pid {os.getpid()}, started {time.ctime()}\n")
    except OSError as exc:
        raise ValueError(
            f"output = '{out}' is outside the allowed range: not writable ({exc.strerror})"
        ) from None
    return marker


# --------------------------------------------------------------------------------------
# the main job
# --------------------------------------------------------------------------------------
def add_main_job_arguments(parser: argparse.ArgumentParser) -> None:
    """The main job's options (on ``python -m validate`` itself)."""
    parser.add_argument("--quick", action="store_true",
                        help="every comparison at reduced statistics (under a minute on two "
                        "cores)")  # fmt: skip
    parser.add_argument("--output", metavar="DIR", default=str(DEFAULT_OUTPUT),
                        help=f"report directory (default ./{DEFAULT_OUTPUT}); refused if it "
                        "exists and is not empty, unless --overwrite")  # fmt: skip
    parser.add_argument("--overwrite", action="store_true",
                        help="write into an existing report directory (replaces the files the "
                        "job writes; deletes nothing)")  # fmt: skip
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="standard output: a short text summary (default) or JSON (summary "
                        "and every row)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="processes for the independent comparisons (default: the cores "
                        "available; 1 runs everything in this process); the results do not "
                        "depend on it")  # fmt: skip


def run_main_job(args: argparse.Namespace | None = None) -> int:
    """Run every comparison, write the report; exit code 1 if an internal one fails, 2 for
    bad input (an existing output without ``--overwrite``), before anything is computed."""
    from dragcore.provenance import provenance

    w = world()
    started = time.perf_counter()
    cpu0 = time.process_time()
    quick = bool(getattr(args, "quick", False))
    size = QUICK if quick else FULL
    out = Path(getattr(args, "output", None) or DEFAULT_OUTPUT)
    fmt = getattr(args, "format", "text") or "text"
    workers = workers_for(getattr(args, "workers", None))
    # refuse what the input decides before computing; rank 0 decides, every rank obeys
    problem = ""
    if w.is_root:
        try:
            marker = claim_output(out, bool(getattr(args, "overwrite", False)))
        except ValueError as exc:
            problem = str(exc)
    problem = w.bcast(problem)
    if problem:
        raise ValueError(problem)

    def log(msg: str) -> None:
        if w.is_root:
            print(msg, file=sys.stderr, flush=True)

    log(f"main job: {'quick' if quick else 'full'} run into {out.resolve()}")
    tasks = job_tasks(size)
    results = run_tasks(tasks, size, out, w, workers, log)
    if not w.is_root:
        return 0
    rows: list[Comparison] = []
    figs: list[tuple[str, str]] = []
    records: list = []
    quoted: dict[str, float] = {}
    phase_times: dict[str, list[float]] = {}
    for t, res in zip(tasks, results, strict=True):
        if res is None:
            continue
        rows.extend(res.rows)
        figs.extend(res.figures)
        records.extend(res.records)
        quoted.update(res.quoted)
        acc = phase_times.setdefault(t.phase, [0.0, 0.0])
        acc[0] += res.wall
        acc[1] += res.cpu
    if records:
        from validate.mc_pulls import plot_pull_grid

        rows_grid = montecarlo_grid_comparisons(records)
        at = max(i for i, r in enumerate(rows) if r.section == "Monte Carlo vs quadrature") + 1
        rows[at:at] = rows_grid
        (out / "mc_pulls").mkdir(exist_ok=True)
        plot_pull_grid(records, out / "mc_pulls" / "pull_grid.png")
        figs.append(("Monte Carlo vs exact reference over tilt and T", "mc_pulls/pull_grid.png"))
    wall = time.perf_counter() - started
    prov = provenance(ranks=w.size, started=started,
                      argv=["python -m validate", *sys.argv[1:]]
                      if sys.argv and sys.argv[0].endswith("__main__.py") else None)  # fmt: skip
    prov["workers"] = workers if w.size == 1 else 1
    prov["size"] = "quick" if quick else "full"
    prov["cpu_time_main_process_s"] = round(time.process_time() - cpu0, 3)
    counts = count_rows(rows)
    _write_report(out, rows, figs, records, counts, prov, phase_times)
    summary = write_summary(out, rows, counts, prov, phase_times, quoted)
    try:
        marker.unlink()
    except OSError:
        pass
    if fmt == "json":
        from dragcore.cli import dump_json

        print(dump_json({**summary, "rows": rows_as_dicts(rows)}))
    else:
        print(summary_text(counts, out, wall, quick))
    return 0 if not counts.failures else 1


def summary_text(counts: Counts, out: Path, wall: float, quick: bool) -> str:
    """The few lines the main job ends with on standard output."""
    c = counts
    lines = [
        f"bilayer-drag main job ({'quick' if quick else 'full'}, {wall:.0f} s): "
        f"internal comparisons passed {c.internal_passed}/{c.internal}"
        + (f"; FAILED: {'; '.join(c.failures)}" if c.failures else ""),
        f"paper comparisons: {c.paper} — agree as printed {c.paper_agree}, agree after our "
        f"correction {c.paper_agree_after_correction}, differ: diagnosed {c.paper_diagnosed}, "
        f"partly explained {c.paper_partly}, unexplained {c.paper_unexplained}",
        f"measurements with their significance: {c.measurements}; identities shown but not "
        f"counted: {c.identities}",
    ]
    if c.marginal:
        lines.append(f"marginal (2–3σ) internal rows: {'; '.join(c.marginal)}")
    lines.append(f"report: {(out / 'report.md').resolve()}")
    return "\n".join(lines)


def _write_report(out: Path, rows, figs, records, counts: Counts, prov: dict,
                  phase_times: dict) -> None:  # fmt: skip
    from dragcore.provenance import provenance_markdown

    table = comparison_table(rows)
    c = counts
    md = [
        "# bilayer-drag validation report\n",
        f"Version {prov['version']} (commit {prov['git_commit']}), {prov['size']} run, "
        f"{prov['ranks']} rank(s), {prov.get('workers', 1)} worker process(es), "
        f"{prov['wall_time_s']:.0f} s wall time.\n",
        f"Internal comparisons passed: {c.internal_passed}/{c.internal}"
        + (f" (failed: {'; '.join(c.failures)})" if c.failures else "")
        + f". Comparisons with the papers: {c.paper} — {c.paper_agree} agree as printed, "
        f"{c.paper_agree_after_correction} agree after a correction of ours (stated in the "
        f"row), {c.paper_diagnosed} differ by a diagnosed correction (|z′| ≤ 3 after it), "
        f"{c.paper_partly} differ and are partly explained, {c.paper_unexplained} differ "
        f"unexplained. {c.measurements} measurement(s) with their significance. "
        f"{c.identities} row(s) that are identities of another are shown but not counted.\n",
        "z = (A − B)/σ with σ the combined error, computed as the column 'σ from' says; an "
        f"internal row passes if |z| ≤ {PASS_Z:g} (2 ≤ |z| ≤ 3 is flagged as marginal). "
        "For a paper row, B′ is the paper's value after the correction stated in the notes "
        "and z′ = (A − B′)/σ′; \"diagnosed\" only if |z′| ≤ 3. \"—\": no such number.\n",
        "## Comparisons\n",
        table,
        "\n## Notes\n",
    ]
    for i, r in enumerate(rows, 1):
        parts = []
        if r.after_correction:
            parts.append(f"route B after our correction: {r.after_correction}")
        if r.factor:
            parts.append(("traced: " if not r.factor.startswith("traced") else "")
                         + r.factor)  # fmt: skip
        if r.untraced:
            parts.append(f"not traced: {r.untraced}")
        if r.note:
            parts.append(r.note)
        if r.kind == "internal" and r.passed and abs(r.z) >= 2.0:
            parts.append(f"{significance(r.z)}")
        if parts:
            md.append(f"- row {i} ({r.name}) — {r.verdict}: " + "; ".join(parts) + "\n")
    if records:
        from validate.mc_pulls import pull_grid_table

        md += [
            "\n## Monte Carlo pulls over tilt and temperature\n",
            "The collision-integral Monte Carlo (one seed, default n_eval) against the exact "
            "finite-T reference (montecarlo.drag_mc.finite_temperature_reference: tilted film "
            "state sums and the metal's Im Π at T, exact at any |C| < 1). Pull = (MC − "
            "reference)/σ. The last line gives, per output, the rms (1 ± 1/√(2N) for honest "
            "error bars) and the mean (0 ± 1/√N without bias) with the significance of the "
            "mean. The test suite runs the grid with two seeds "
            "(tests/montecarlo/test_film_reference.py).\n",
            pull_grid_table(records),
        ]
    md.append("\n## Figures\n")
    for title, rel in figs:
        md.append(f"### {title}: `{rel}`\n\n![{rel}]({rel})\n")
    md.append("\n## Provenance\n")
    md.append(provenance_markdown(prov))
    md.append("\n### Phase times (summed over tasks; CPU: all threads of the process)\n")
    md.append(
        "| phase | wall (s) | CPU (s) |\n|---|---|---|\n"
        + "".join(f"| {ph} | {wt:.1f} | {ct:.1f} |\n" for ph, (wt, ct) in phase_times.items())
    )
    if prov.get("size") == "quick":
        md.append("\n(--quick: the hydro, Weyl-film and screening figures are not drawn.)\n")
    (out / "report.md").write_text("\n".join(md))
    meta = {k: v for k, v in prov.items()}
    meta["pass_rule"] = f"|z| <= {PASS_Z}"
    _write_h5(out / "report.h5", rows, meta)


# --------------------------------------------------------------------------------------
# the machine-readable summary: what the README quotes
# --------------------------------------------------------------------------------------
def quoted_results(rows: list[Comparison]) -> dict[str, float]:
    """The result numbers the README quotes, read off the rows (NaN where the row is absent:
    e.g. a quick run without it). Keys are stable; tests/test_readme_commands.py checks
    the README's numbers against them."""

    def pick(pred) -> list[Comparison]:
        return [r for r in rows if pred(r)]

    out: dict[str, float] = {}
    d0 = pick(lambda r: r.name.startswith("D(χ=0)") and "π·f" in r.route_b)
    out["D0_over_f_max_deviation_from_pi"] = (
        max(abs(r.value_a / (r.value_b / math.pi) - math.pi) for r in d0) if d0 else math.nan
    )
    dchi = pick(lambda r: r.name.startswith("∂D/∂χ at χ=0"))
    out["dDdchi_over_g_min"] = min((r.ratio for r in dchi), default=math.nan)
    out["dDdchi_over_g_max"] = max((r.ratio for r in dchi), default=math.nan)
    ser = pick(lambda r: r.name.startswith("D⁽²⁾/χ of the paper's series"))
    out["series_g_over_eq22b_min"] = min((r.ratio for r in ser), default=math.nan)
    out["series_g_over_eq22b_max"] = max((r.ratio for r in ser), default=math.nan)
    sk = pick(lambda r: r.name.startswith("η_H(e-e-imp, 1) at C = 0.3, 10 K"))
    out["skew_ratio_quadrature_10K_min"] = min((r.ratio for r in sk), default=math.nan)
    out["skew_ratio_quadrature_10K_max"] = max((r.ratio for r in sk), default=math.nan)
    skm = pick(lambda r: "sampled rate W⁽¹⁾ vs the paper" in r.name)
    out["skew_ratio_montecarlo_min"] = min((r.ratio for r in skm), default=math.nan)
    out["skew_ratio_montecarlo_max"] = max((r.ratio for r in skm), default=math.nan)
    q = pick(lambda r: r.name.startswith("Q₁(z → ∞)"))
    out["Q1_infinity"] = q[0].value_a if q else math.nan
    q = pick(lambda r: r.name.startswith("Q₂(z → ∞)"))
    out["Q2_infinity"] = q[0].value_a if q else math.nan
    return out


def write_summary(out: Path, rows: list[Comparison], counts: Counts, prov: dict,
                  phase_times: dict, extra: dict | None = None) -> dict:  # fmt: skip
    """Write ``summary.json`` (counts, failures, quoted results, provenance, phase times)
    and return it."""
    summary = {
        "counts": asdict(counts),
        "failures": list(counts.failures),
        "quoted_results": {**quoted_results(rows), **(extra or {})},
        "provenance": prov,
        "phase_times_s": {k: {"wall": v[0], "cpu": v[1]} for k, v in phase_times.items()},
        "report": str((out / "report.md").resolve()),
    }
    text = json.dumps(summary, indent=2, allow_nan=True, ensure_ascii=False)
    tmp = out / "summary.json.tmp"
    tmp.write_text(text)
    tmp.replace(out / "summary.json")
    return summary


def rows_as_dicts(rows: list[Comparison]) -> list[dict]:
    """Plain dicts (for JSON), with z, verdict, the corrected comparison and passed."""
    return [
        {**asdict(r), "z": r.z, "passed": r.passed, "verdict": r.verdict,
         "corrected_b": r.corrected_b, "z_after_factor": r.z_after_factor}  # fmt: skip
        for r in rows
    ]
