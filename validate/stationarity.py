"""Past the linear instability: is the nonlinear state stationary, and what is D there?

Below the viscous threshold χ_c or beyond the drift threshold u_c the linear model has no
stationary state; the nonlinear one may saturate. A run average is a number with an error bar
only if the run is stationary, so :func:`stationarity_point` runs the nonlinear model (±v
common random numbers; no linear twin, which would grow) and tests, with
:func:`langevin.stationarity.stationarity_diagnostics` (time blocks over independent
realisations; the trend of the block means as a fitted slope with its error, the two halves
in σ, the χ² of a constant, the same for the local variance, the integrated autocorrelation
time):

* the drag estimator's series (the quantity reported);
* the real-space density variance of layer 1, ⟨δn₁(r)²⟩ over the grid, sampled every
  ``sample_every`` steps;

* the density spectrum ``⟨|δn₁,q|²⟩`` in shells of |q| (each shell's power a series of its
  own, tested at ``alpha`` over the number of shells), recorded per time block: whether the
  state's shape, not only its size, settles.

The verdict is *stationary* only if every series is; D is then quoted with its error,
otherwise the point says why not and carries no error bar.

Runs on one process (rank 0): a point is ``n_realisations × n_steps`` steps of the ±v pair.
The verdicts at the paper's point are in the Langevin guide of the documentation
(``docs/guide/langevin.md``, "Past the linear instability").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from langevin.comparison import NonlinearComparison
from langevin.grid import PeriodicGrid
from langevin.params import BilayerParameters
from langevin.stationarity import StationarityResult, stationarity_diagnostics
from validate.nonlinear import DEFAULT_GRID, PAPER_POINT, kept_thresholds
from validate.nonlinear_run import STATIONARITY_RUN, STATIONARITY_SCAN_RUN, NonlinearRunLength

__all__ = [
    "StationarityPoint",
    "field_statistics",
    "stationarity_point",
    "past_instability_points",
    "stationarity_scan",
    "stationarity_report",
    "check_run_length",
    "format_point",
]

#: Shells of |q| d for the density spectrum per time block.
SPECTRUM_SHELLS = (0.0, 1.0, 1.5, 2.0, 2.7)


@dataclass
class StationarityPoint:
    """One point past (or before) a linear threshold and its stationarity verdicts.

    ``drag`` and ``density`` are the diagnostics of the drag estimator (sampled every step)
    and of the density variance (every ``sample_every`` steps); ``spectrum`` is ``(K, shells)``
    ``⟨|δn₁,q|²⟩`` per time block (mean over the realisations and the block's samples, model
    units; NaN for a shell without kept modes), and ``shell_tests`` the diagnostics of each
    non-empty shell's power over time (each at ``alpha`` over the number of such shells).
    ``blow_up`` is the first blow-up's message and ``n_blown`` the number of realisations
    that left the physical domain; the diagnostics are then those of the survivors, and the
    point is not stationary (the state leaves the model's domain: no D is quoted).
    """

    theta: float
    chi: float
    drift: float
    dt: float
    n_realisations: int
    n_steps: int
    burn_in: int
    sample_every: int
    linear_stable: bool
    blow_up: str = ""
    n_blown: int = 0
    drag: StationarityResult | None = None
    density: StationarityResult | None = None
    shells: tuple[float, ...] = SPECTRUM_SHELLS
    spectrum: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    shell_tests: list[StationarityResult] = field(default_factory=list)

    @property
    def stationary(self) -> bool:
        return (
            not self.blow_up
            and self.drag is not None
            and self.drag.stationary
            and self.density is not None
            and self.density.stationary
            and all(t.stationary for t in self.shell_tests)
        )

    @property
    def verdict(self) -> str:
        if self.blow_up:
            return "blow-up"
        if self.stationary:
            return "stationary"
        return "not shown stationary"

    @property
    def mean(self) -> float:
        """D where stationary, else NaN (no number without a stationary state)."""
        return self.drag.mean if self.stationary else math.nan

    @property
    def sdev(self) -> float:
        return self.drag.error if self.stationary else math.nan

    def as_dict(self) -> dict:
        return {
            "theta": self.theta,
            "chi": self.chi,
            "drift": self.drift,
            "dt": self.dt,
            "n_realisations": self.n_realisations,
            "n_steps": self.n_steps,
            "burn_in": self.burn_in,
            "sample_every": self.sample_every,
            "linear_stable": self.linear_stable,
            "blow_up": self.blow_up,
            "n_blown": self.n_blown,
            "verdict": self.verdict,
            "mean": self.mean,
            "sdev": self.sdev,
            "drag": None if self.drag is None else self.drag.as_dict(),
            "density": None if self.density is None else self.density.as_dict(),
            "shells": list(self.shells),
            "spectrum": np.asarray(self.spectrum).tolist(),
            "shell_tests": [t.as_dict() for t in self.shell_tests],
        }


def field_statistics(sim, packed: np.ndarray, shells: Sequence[float] = SPECTRUM_SHELLS
                     ) -> tuple[float, np.ndarray]:  # fmt: skip
    """Density variance of layer 1 in real space and its shell spectrum, of one system.

    Parameters
    ----------
    sim
        The :class:`langevin.nonlinear_simulation.NonlinearSimulation`.
    packed
        ``(modes, 6)``: the state of one system on the stepped modes.
    shells
        Edges of the |q| shells (1/d).

    Returns
    -------
    ``(⟨δn₁(r)²⟩_grid, (len(shells) − 1,) mean |δn₁,q|² per shell)``.
    """
    field1 = sim.snapshot(packed)[0]
    q = np.hypot(sim.modes.qx, sim.modes.qy)
    power = np.abs(packed[:, 0]) ** 2
    which = np.digitize(q, shells) - 1
    nb = len(shells) - 1
    ok = (which >= 0) & (which < nb)
    counts = np.bincount(which[ok], minlength=nb)
    sums = np.bincount(which[ok], weights=power[ok], minlength=nb)
    spec = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return float(np.mean(field1**2)), spec


def check_run_length(n_steps: int, burn_in: int = 400, sample_every: int = 20,
                     n_blocks: int = 8) -> None:  # fmt: skip
    """Refuse a run too short for the block tests of the field samples (before computing):
    ``n_steps − burn_in ≥ 16 n_blocks sample_every``."""
    least = burn_in + 16 * n_blocks * sample_every
    if not least <= n_steps:
        raise ValueError(
            f"n_steps = {n_steps} is outside the allowed range [{least}, inf) (burn-in "
            f"{burn_in} + 16 field samples of every {sample_every} steps in each of {n_blocks} "
            "blocks)"
        )
    if burn_in % sample_every:
        raise ValueError(
            f"burn_in = {burn_in} is outside the allowed range (a multiple of sample_every = "
            f"{sample_every})"
        )


def stationarity_point(
    params: BilayerParameters,
    grid: PeriodicGrid,
    run: NonlinearRunLength = STATIONARITY_RUN,
    *,
    sample_every: int = 20,
    n_blocks: int = 8,
    alpha: float = 0.01,
) -> StationarityPoint:
    """Run the nonlinear model at ``params`` for ``run`` (no control variate, no antithetic
    pairs) and test its stationarity (module docstring).

    ``run.burn_in`` must be a multiple of ``sample_every`` (the field samples start with the
    kept steps) and the run long enough for the block tests (:func:`check_run_length`). A
    blow-up (:class:`langevin.nonlinear_model.BlowUpError`) gives a point with the message and
    no diagnostics.
    """
    run.refuse_antithetic("stationarity_point")
    burn_in = run.burn_in
    check_run_length(run.n_steps, burn_in, sample_every, n_blocks)
    cmp = NonlinearComparison.at_parameters(params, grid, run.scheme, run.dt, burn_in=burn_in,
                                            control_variate=False,
                                            block_steps=sample_every)  # fmt: skip
    sim = cmp.simulation
    point = StationarityPoint(
        params.theta, params.chi, params.drift, run.dt, run.n_realisations, run.n_steps,
        burn_in, sample_every, cmp.linear_stable,
    )  # fmt: skip
    series, dens, specs = [], [], []
    for r in range(run.n_realisations):
        prog = sim.begin_realisation(run.seed, r, run.n_steps)
        dv, sp = [], []
        try:
            while not prog.finished:
                sim.advance_realisation(prog, 1)
                if prog.steps_done > burn_in and prog.steps_done % sample_every == 0:
                    v, s = field_statistics(sim, prog.state[0])
                    dv.append(v)
                    sp.append(s)
        except FloatingPointError as exc:
            point.blow_up = point.blow_up or str(exc)
            point.n_blown += 1
            continue
        series.append(sim.estimator_series(prog.forces))
        dens.append(dv)
        specs.append(sp)
    if not series:
        return point
    point.drag = stationarity_diagnostics(np.array(series), n_blocks, alpha=alpha)
    dens_a = np.array(dens)
    point.density = stationarity_diagnostics(dens_a, n_blocks, alpha=alpha)
    spec = np.array(specs)  # (R, samples, shells)
    b = spec.shape[1] // n_blocks
    per_block = spec[:, : b * n_blocks].reshape(len(specs), n_blocks, b, -1).mean(axis=2)
    point.spectrum = per_block.mean(axis=0)
    filled = [j for j in range(spec.shape[2]) if np.all(np.isfinite(spec[:, :, j]))]
    point.shell_tests = [
        stationarity_diagnostics(spec[:, :, j], n_blocks, alpha=alpha / len(filled)) for j in filled
    ]
    return point


def past_instability_points(
    params: BilayerParameters, thresholds: dict, drifts: Sequence[float], chis: Sequence[float]
) -> list[BilayerParameters]:
    """The points of ``drifts`` beyond ``u_c`` and of ``chis`` below ``χ_c`` (at ``params``'
    drift), from :func:`validate.nonlinear.kept_thresholds`."""
    out = [params.with_(drift=float(u)) for u in drifts if u > thresholds["u_c"]]
    out += [params.with_(chi=float(c)) for c in chis if c < thresholds["chi_c"]]
    return out


def stationarity_scan(
    points: Sequence[BilayerParameters],
    grid: PeriodicGrid,
    run: NonlinearRunLength = STATIONARITY_SCAN_RUN,
    *,
    log=None,
    **block_tests,
) -> list[StationarityPoint]:
    """:func:`stationarity_point` at each point (seed ``run.seed + k``: independent points);
    ``block_tests``: its ``sample_every``, ``n_blocks``, ``alpha``."""
    say = log or (lambda text: None)
    out = []
    for k, p in enumerate(points):
        say(f"stationarity: χ = {p.chi:g}, u = {p.drift:g} …")
        out.append(stationarity_point(p, grid, replace(run, seed=run.seed + k), **block_tests))
    return out


def format_point(p: dict) -> str:
    """One table line of :meth:`StationarityPoint.as_dict`."""
    head = f"Θ = {p['theta']:<6g} χ = {p['chi']:<6g} u = {p['drift']:<5g}"
    if p["blow_up"] and p["drag"] is None:
        return f"{head} blow-up: {p['blow_up'].split(' (')[0]}"
    if p["blow_up"]:
        head += (f" blow-up in {p['n_blown']} of {p['n_realisations']} realisations "
                 f"({p['blow_up'].split(' (')[0]}); the others:")  # fmt: skip
    d, n = p["drag"], p["density"]
    dl = d["level"]
    slope = dl["slope"] / p["dt"]  # per unit time 1/ω_p
    text = (
        f"{head} {p['verdict']}: "
        + (f"D = {p['mean']:.4g} ± {p['sdev']:.2g}" if p["verdict"] == "stationary"
           else f"D not quoted (run average {d['mean']:.4g})")
        + f"; D slope {slope:+.3g} ± {dl['slope_sdev'] / p['dt']:.2g} per 1/ω_p "
        f"({dl['z_slope']:+.1f}σ), halves {dl['z_halves']:+.1f}σ, "
        f"τ_int {d['tau_int'] * p['dt']:.3g}/ω_p; ⟨δn₁²⟩ {n['verdict']} "
        f"(halves {n['level']['z_halves']:+.1f}σ); spectrum shells "
        + ", ".join(f"{t['verdict'][:3]} {t['level']['z_halves']:+.1f}σ" for t in p["shell_tests"])
    )  # fmt: skip
    return text


#: χ below the kept-mode threshold χ_c = −1.4058 of the 16×16 grid at the paper's point.
STATIONARITY_CHIS = (-1.5,)


def stationarity_report(
    drifts: Sequence[float],
    chis: Sequence[float] = STATIONARITY_CHIS,
    *,
    theta: float = 0.005,
    params: BilayerParameters | None = None,
    grid: PeriodicGrid | None = None,
    run: NonlinearRunLength = STATIONARITY_SCAN_RUN,
    log=None,
    **block_tests,
) -> dict:
    """The stationarity study of ``python -m validate nonlinear --stationarity``: every drift
    of ``drifts`` beyond u_c and every χ of ``chis`` below χ_c (at ``theta``), as plain
    numbers, each point a run of ``run`` (:func:`stationarity_scan`). ``block_tests``: the
    ``sample_every``, ``n_blocks``, ``alpha`` of :func:`stationarity_point`."""
    params = (params or PAPER_POINT).with_(theta=float(theta))
    grid = grid or DEFAULT_GRID
    th = kept_thresholds(params, grid)
    pts = stationarity_scan(past_instability_points(params, th, drifts, chis), grid, run,
                            log=log, **block_tests)  # fmt: skip
    return {"thresholds": th, "points": [p.as_dict() for p in pts]}
