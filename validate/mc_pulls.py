r"""Pulls of the collision-integral Monte Carlo against its exact finite-T reference, on a grid.

For each preset (the Hall-drag paper's two spacings), tilt C and temperature T = t·T_d
(T_d = min(v_F^a, v_F^p)/d), the Monte Carlo (:func:`montecarlo.drag_mc.estimate_drag`, its
default n_eval unless told otherwise) runs with several seeds, and every sampled output
(η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3}, η_H(s.j.), η_H(e-e-imp,1), η_H(e-e-imp,2)) is compared with
:func:`montecarlo.drag_mc.finite_temperature_reference`, exact at any |C| < 1 to its own
quadrature error. The pull is (MC − reference)/√(σ_MC² + err_ref²); over the grid its rms
should be 1 and its mean 0 if the error bars are honest and neither route is biased.

Used by the test suite (``tests/montecarlo/test_film_reference.py``), by the main job's report
(:mod:`validate.report`) and, with more seeds, for the notes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from layers.presets import preset
from montecarlo.collision import OUTPUT_NAMES
from montecarlo.drag_mc import estimate_drag, finite_temperature_reference
from validate.plotting import pyplot, save_figure

__all__ = [
    "PullRecord",
    "PullSummary",
    "GRID_PRESETS",
    "GRID_TILTS",
    "GRID_T_OVER_TD",
    "monte_carlo_pull_grid",
    "summarize_pulls",
    "pull_grid_table",
    "SYMBOLS",
    "plot_pull_grid",
]

GRID_PRESETS = ("fig2-d40", "fig2-d120")
GRID_TILTS = (0.0, 0.3, 0.6, 0.9)
GRID_T_OVER_TD = (0.05, 0.5, 3.0)


@dataclass(frozen=True)
class PullRecord:
    """One Monte Carlo run against the reference: per output (order ``names``)."""

    preset: str
    tilt: float
    t_over_td: float
    T: float  # erg
    seed: int
    names: tuple[str, ...]
    mc: np.ndarray
    sdev: np.ndarray
    reference: np.ndarray
    reference_error: np.ndarray

    @property
    def pulls(self) -> np.ndarray:
        """(MC − reference)/√(σ² + err²) per output; NaN where both routes give exactly 0
        with no error (η_H(e-e-imp,1) at C = 0: its rate is ∝ C point by point)."""
        s = np.hypot(self.sdev, self.reference_error)
        zero = (s == 0.0) & (self.mc == 0.0) & (self.reference == 0.0)
        return np.where(zero, np.nan, self.mc - self.reference) / np.where(zero, 1.0, s)


@dataclass(frozen=True)
class PullSummary:
    """Statistics of the pulls of a grid, per output and over all."""

    names: tuple[str, ...]
    n_runs: int
    rms: np.ndarray  # per output
    mean: np.ndarray  # per output
    max_abs: float
    rms_all: float
    n_pulls: np.ndarray | None = None  # per output: runs with a pull (not NaN)

    def mean_bound(self, k: float = 4.0) -> float:
        """k standard errors of a mean pull over ``n_runs`` independent unit pulls."""
        return k / math.sqrt(self.n_runs)


def monte_carlo_pull_grid(
    presets: Sequence[str] = GRID_PRESETS,
    tilts: Sequence[float] = GRID_TILTS,
    t_over_td: Sequence[float] = GRID_T_OVER_TD,
    seeds: Sequence[int] = (0, 1),
    *,
    n_eval: int | None = None,
    reference_n: int = 12,
    batch_runner=None,
    compute_reference: bool = True,
    progress: Callable[[PullRecord], None] | None = None,
) -> list[PullRecord]:
    """Run the grid; one reference quadrature per (preset, C, T), one Monte Carlo per seed.

    ``n_eval`` None: :func:`~montecarlo.drag_mc.estimate_drag`'s default. The Monte Carlo
    seed of grid seed s is 1000 + s. ``batch_runner`` spreads the Monte Carlo's batches over
    MPI ranks; ranks other than the root pass ``compute_reference=False`` (their records
    then carry NaN references). ``progress`` is called with each record.
    """
    kwargs = {} if n_eval is None else {"n_eval": int(n_eval)}
    out: list[PullRecord] = []
    for name in presets:
        base = preset(name)
        for tilt in tilts:
            bl = replace(base, active=replace(base.active, tilt=float(tilt)))
            for t in t_over_td:
                T = float(t) * bl.T_d
                if compute_reference:
                    ref, err = finite_temperature_reference(bl, T, n=reference_n)
                else:
                    ref = err = np.full(len(OUTPUT_NAMES), np.nan)
                for s in seeds:
                    r = estimate_drag(
                        bl, T, seed=1000 + int(s), batch_runner=batch_runner, **kwargs
                    ).result
                    rec = PullRecord(
                        name, float(tilt), float(t), T, int(s), tuple(OUTPUT_NAMES),
                        np.array(r.mean, float), np.array(r.sdev, float),
                        np.asarray(ref, float), np.asarray(err, float),
                    )  # fmt: skip
                    out.append(rec)
                    if progress is not None:
                        progress(rec)
    return out


def summarize_pulls(records: Sequence[PullRecord]) -> PullSummary:
    """rms, mean and max |pull| per output and over all outputs (a NaN pull, where both
    routes are exactly 0, is left out)."""
    p = np.array([r.pulls for r in records])
    return PullSummary(
        names=records[0].names,
        n_runs=len(records),
        rms=np.sqrt(np.nanmean(p**2, axis=0)),
        mean=np.nanmean(p, axis=0),
        max_abs=float(np.nanmax(np.abs(p))),
        rms_all=float(np.sqrt(np.nanmean(p**2))),
        n_pulls=np.sum(np.isfinite(p), axis=0),
    )


SYMBOLS = {
    "eta0": "η∥⁽⁰⁾",
    "eta1": "η∥⁽¹⁾",
    "eta_q3": "η_Q3",
    "eta_H_sj": "η_H(s.j.)",
    "eta_H_eei1": "η_H(eei,1)",
    "eta_H_eei2": "η_H(eei,2)",
}


def pull_grid_table(records: Sequence[PullRecord]) -> str:
    """Markdown: one row per (preset, C, T/T_d), the pulls of each output (mean over seeds
    and the number of seeds), and a last row with the rms over the whole grid."""
    names = records[0].names
    head = (
        "| preset | C | T/T_d | T (K) | seeds | "
        + " | ".join(f"pull {SYMBOLS.get(n, n)}" for n in names)
        + " |"
    )
    lines = [head, "|" + "---|" * (5 + len(names))]
    keys: dict[tuple, list[PullRecord]] = {}
    for r in records:
        keys.setdefault((r.preset, r.tilt, r.t_over_td), []).append(r)
    from dragcore.units import erg_to_kelvin

    for (name, tilt, t), recs in keys.items():
        p = np.array([r.pulls for r in recs])
        cells = " | ".join(" ".join(f"{x:+.2f}" for x in p[:, k]) for k in range(len(names)))
        t_k = erg_to_kelvin(recs[0].T)
        lines.append(f"| {name} | {tilt:g} | {t:g} | {t_k:.3g} | {len(recs)} | {cells} |")
    s = summarize_pulls(records)
    n = s.n_pulls if s.n_pulls is not None else np.full(len(names), s.n_runs)
    rms = " | ".join(
        f"rms {x:.2f} ± {1 / math.sqrt(2 * k):.2f}, mean {m:+.2f} ± {1 / math.sqrt(k):.2f} "
        f"({_significance(m * math.sqrt(k))})"
        for x, m, k in zip(s.rms, s.mean, n, strict=True)
    )
    lines.append(f"| all | | | | {s.n_runs} runs | {rms} |")
    return "\n".join(lines) + "\n"


def _significance(z: float) -> str:
    a = abs(z)
    return f"{a:.1f}σ: " + ("not significant" if a < 2 else "marginal" if a <= 3 else "significant")


def plot_pull_grid(records: Sequence[PullRecord], path) -> None:
    """Pulls against T/T_d, one panel per preset, colour = tilt C, marker = output; the
    bands |pull| ≤ 1 and ≤ 3."""
    plt = pyplot()

    presets = list(dict.fromkeys(r.preset for r in records))
    tilts = sorted({r.tilt for r in records})
    names = records[0].names
    markers = "osD^v<>"
    colours = plt.cm.viridis(np.linspace(0.0, 0.85, len(tilts)))
    fig, axes = plt.subplots(1, len(presets), figsize=(5.5 * len(presets), 4.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, presets, strict=True):
        ax.axhspan(-3, 3, color="0.92")
        ax.axhspan(-1, 1, color="0.82")
        for r in (r for r in records if r.preset == name):
            ci = tilts.index(r.tilt)
            shift = 1.0 + 0.04 * (ci - (len(tilts) - 1) / 2)
            for k in range(len(names)):
                ax.plot(r.t_over_td * shift, r.pulls[k], markers[k % len(markers)],
                        color=colours[ci], ms=4, alpha=0.8)  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel("temperature T / T_d (T_d = min(v_F^a, v_F^p)/d)")
        ax.set_title(name)
    axes[0].set_ylabel("pull = (Monte Carlo − exact reference)/σ")
    handles = [plt.Line2D([], [], ls="", marker="o", color=c, label=f"C = {t:g}")
               for t, c in zip(tilts, colours, strict=True)]  # fmt: skip
    handles += [plt.Line2D([], [], ls="", marker=markers[k], color="k",
                           label=SYMBOLS.get(n, n)) for k, n in enumerate(names)]  # fmt: skip
    axes[-1].legend(handles=handles, fontsize=7, loc="upper right", ncol=2)
    s = summarize_pulls(records)
    fig.suptitle(
        f"Monte Carlo vs exact finite-T reference, {s.n_runs} runs: rms pull (1 if honest) "
        + ", ".join(f"{x:.2f}" for x in s.rms)
        + "; mean pull (0 if unbiased) "
        + ", ".join(f"{m:+.2f}" for m in s.mean)
        + "\n(order: " + ", ".join(SYMBOLS.get(n, n) for n in names) + ")",
        fontsize=9,
    )
    save_figure(fig, path, dpi=110)
