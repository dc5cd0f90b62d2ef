"""How far the linear theory carries: the nonlinear bilayer against its linearisation.

The nonlinear model (:mod:`langevin.nonlinear_model`) has one parameter the linear one scales
out, the fluctuation strength Θ = T/(2π (e²/κd)(nd²)²) (≈ 0.002–0.04 for a GaAs bilayer at
1–20 K). Every study here compares a nonlinear run with a second route that does not share
its approximation:

* :func:`strength_scan` — ``D(Θ)/D_linear`` on the same kept modes (the linear model's exact
  Lyapunov value) at several Θ, and :func:`strength_slope`, the O(Θ) slope
  ``a`` of ``D/D_linear = 1 + aΘ`` by weighted least squares with its error (the points use
  independent seeds, so their errors are independent);
* :func:`stepper_comparison` — the same point with the two weak-order-2 steppers
  (Lawson–Heun, Lawson–midpoint): the second route for the slope. One-loop perturbation theory
  on the grid was not built: the O(Θ) correction of a driven, non-equilibrium steady state needs
  the cubic and quartic vertices of (C), (M) (including ``1/n``) and a frequency integral of
  products of three 6×6 mode propagators per pair of grid modes (~10⁴–10⁵ mode pairs), a project
  of its own; the two steppers, each converged in dt, are the route the issue allows instead;
* :func:`weak_order` — the weak order in dt, measured on coupled paths: runs at dt, dt/2,
  dt/4 from the same initial state driven by the same Brownian path (coarse increments are
  built exactly from fine ones, ``ξ_dt = A_{dt/2} ξ₁ + ξ₂``), so the differences of
  ``E f(X_T)`` between levels have small variance; order 2 gives a ratio 4 of successive
  differences (order 1 would give 2), for ``f`` = the drag force and ``f`` = ``|δn_q|²``;
* :func:`equilibrium_checks` — v = 0: drag zero within errors, the momentum structure factor
  against its exact Gibbs value Θ/L² and the density one against the linear Gibbs value;
* :func:`chi_scan` and :func:`drift_scan` — the new physics: D(Θ)/D_linear at ς = 0.15,
  β = 0.1 for χ from the viscous instability to 5, and runs past the drift instability.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from dragcore.parallel import World
from langevin.checkpoint import run_distributed
from langevin.comparison import NonlinearComparison
from langevin.exact import drift_threshold, instability_threshold
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel, dealias_mask
from langevin.params import BilayerParameters
from langevin.simulation import RunResult
from validate.nonlinear_run import (
    CHI_SCAN_RUN,
    DRIFT_SCAN_RUN,
    EQUILIBRIUM_RUN,
    POINT_RUN,
    STEP_SIZE_RUN,
    STEPPER_RUN,
    NonlinearRunLength,
)

__all__ = [
    "DEFAULT_GRID",
    "PAPER_POINT",
    "NonlinearPoint",
    "nonlinear_point",
    "point_scan",
    "strength_scan",
    "strength_slope",
    "stepper_comparison",
    "step_size_comparison",
    "weak_order",
    "equilibrium_checks",
    "chi_scan",
    "drift_scan",
    "kept_thresholds",
]

#: The grid of the studies: 16×16 points on L = 12 d, 2/3-dealiased (|m| ≤ 5, q ≤ 2.6/d).
DEFAULT_GRID = PeriodicGrid(16, 12.0)
#: The paper's point (Fig. 2 of Zverevich & Levchenko), even viscosity on, small drift.
PAPER_POINT = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.05)
#: The grid of the weak-order study: 8×8 on L = 8 d (12 kept modes), where Θ = 0.05 keeps every
#: density positive and makes the weak error large against the paths' spread.
WEAK_ORDER_GRID = PeriodicGrid(8, 8.0)


@dataclass
class NonlinearPoint:
    """One nonlinear run against its linearisation (the same kept modes).

    ``ratio = mean/linear`` with ``ratio_sdev = sdev/|linear|``; ``constraint_*`` is the
    second estimator (the q = 0 force removed from layer 2); ``blow_up`` the message of a run
    that left the physical domain (then the numbers are NaN).
    """

    theta: float
    chi: float
    drift: float
    scheme: str
    dt: float
    mean: float
    sdev: float
    linear: float
    chi2_dof: float
    constraint_mean: float
    constraint_sdev: float
    linear_stable: bool
    blow_up: str = ""

    @property
    def ratio(self) -> float:
        return self.mean / self.linear

    @property
    def ratio_sdev(self) -> float:
        return self.sdev / abs(self.linear)

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "ratio_sdev": self.ratio_sdev}


def nonlinear_point(
    params: BilayerParameters,
    grid: PeriodicGrid = DEFAULT_GRID,
    run: NonlinearRunLength = POINT_RUN,
    *,
    w: World | None = None,
) -> NonlinearPoint | None:
    """One nonlinear run of length ``run`` (±v common random numbers, linear-twin control
    variate, antithetic pairs if ``run.antithetic``:
    :class:`langevin.nonlinear_simulation.NonlinearSimulation`) with its linear reference;
    realisations over the ranks of ``w``. ``None`` on ranks other than 0.

    A run that blows up (:class:`langevin.nonlinear_model.BlowUpError`) gives a point with
    NaN numbers and the message (raised on every rank alike: the realisations are seeded
    independently of the rank count, but a blow-up on one rank stops only that one — so with
    ``w`` of several ranks, call it where all ranks step the same realisations).
    """
    cmp = NonlinearComparison.at_parameters(
        params, grid, run.scheme, run.dt, burn_in=run.burn_in, antithetic=run.antithetic
    )
    try:
        res: RunResult | None = run_distributed(
            cmp.simulation, run.seed, run.n_realisations, run.n_steps, w=w, snapshots=False,
            with_exact_sdev=False,
        )  # fmt: skip
    except FloatingPointError as exc:
        nan = math.nan
        return NonlinearPoint(params.theta, params.chi, params.drift, run.scheme, run.dt, nan,
                              nan, cmp.exact, nan, nan, nan, cmp.linear_stable,
                              str(exc))  # fmt: skip
    if res is None:
        return None
    res = cmp.compare(res)
    return NonlinearPoint(
        params.theta,
        params.chi,
        params.drift,
        run.scheme,
        run.dt,
        res.mean,
        res.sdev,
        res.exact,
        res.chi2_dof,
        res.info["constraint_mean"],
        res.info["constraint_sdev"],
        cmp.linear_stable,
    )


def point_scan(points: Sequence[BilayerParameters], grid: PeriodicGrid, run: NonlinearRunLength,
               w: World | None = None) -> list[NonlinearPoint]:  # fmt: skip
    """:func:`nonlinear_point` at each of ``points``, the k-th with seed ``run.seed + k``
    (independent points); empty on ranks other than 0."""
    out = [nonlinear_point(p, grid, replace(run, seed=run.seed + k), w=w)
           for k, p in enumerate(points)]  # fmt: skip
    return [pt for pt in out if pt is not None]


def strength_scan(thetas: Sequence[float], params: BilayerParameters = PAPER_POINT,
                  grid: PeriodicGrid = DEFAULT_GRID, run: NonlinearRunLength = POINT_RUN, *,
                  w: World | None = None) -> list[NonlinearPoint]:  # fmt: skip
    """:func:`nonlinear_point` at each Θ (seed ``run.seed + k`` for the k-th: independent
    points), with antithetic pairs if ``run.antithetic`` (the smaller error at small Θ: the
    control variate's O(√Θ) fluctuation cancels in the pair)."""
    return point_scan([params.with_(theta=float(t)) for t in thetas], grid, run, w)


def strength_slope(points: Sequence[NonlinearPoint], quadratic: bool = False) -> dict:
    """The slope ``a`` of ``D/D_linear − 1 = aΘ (+ bΘ²)`` by weighted least squares.

    Returns ``slope``, ``slope_sdev`` (from the covariance of the fit), ``chi2_dof`` of the
    fit (its consistency) and ``quadratic`` (``b`` and its error if fitted).
    """
    th = np.array([p.theta for p in points])
    y = np.array([p.ratio - 1.0 for p in points])
    s = np.array([p.ratio_sdev for p in points])
    cols = [th, th**2] if quadratic else [th]
    a = np.stack(cols, axis=1) / s[:, None]
    b = y / s
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    cov = np.linalg.inv(a.T @ a)
    resid = b - a @ coef
    dof = max(len(points) - len(cols), 1)
    out = {
        "slope": float(coef[0]),
        "slope_sdev": float(math.sqrt(cov[0, 0])),
        "chi2_dof": float(resid @ resid / dof),
        "points": len(points),
    }
    if quadratic:
        out["quadratic"] = float(coef[1])
        out["quadratic_sdev"] = float(math.sqrt(cov[1, 1]))
    return out


def stepper_comparison(
    params: BilayerParameters,
    grid: PeriodicGrid = DEFAULT_GRID,
    run: NonlinearRunLength = STEPPER_RUN,
    *,
    w: World | None = None,
) -> dict[str, NonlinearPoint]:
    """The same point with both steppers (seeds ``run.seed``, ``run.seed + 1``: independent):
    ``{scheme: point}``; ``run.scheme`` is not used."""
    out = {}
    for k, scheme in enumerate(("lawson-heun", "lawson-midpoint")):
        pt = nonlinear_point(params, grid, replace(run, scheme=scheme, seed=run.seed + k), w=w)
        if pt is not None:
            out[scheme] = pt
    return out


def step_size_comparison(
    params: BilayerParameters,
    grid: PeriodicGrid = DEFAULT_GRID,
    run: NonlinearRunLength = STEP_SIZE_RUN,
    *,
    factor: int = 4,
    w: World | None = None,
) -> dict | None:
    """D at ``run.dt`` (seed ``run.seed``) and at ``run.dt/factor`` over the same simulated
    time (seed ``run.seed + 1``: independent), their difference in units of its error, and the
    run command's step limit ``√Θ/λ_nl`` (:func:`langevin.run.nonlinear_step_limit`). ``None``
    on ranks other than 0."""
    from langevin.run import nonlinear_step_limit

    dt = run.dt
    fine_run = replace(run, dt=dt / factor, burn_in=run.burn_in * factor, seed=run.seed + 1,
                       n_steps=run.n_steps * factor)  # fmt: skip
    coarse = nonlinear_point(params, grid, run, w=w)
    fine = nonlinear_point(params, grid, fine_run, w=w)
    if coarse is None or fine is None:
        return None
    cmp = NonlinearComparison.at_parameters(params, grid, run.scheme, dt)
    rate = cmp.simulation.nonlinear_rate()
    diff = coarse.mean - fine.mean
    sdev = math.hypot(coarse.sdev, fine.sdev)
    return {"theta": params.theta, "dt": [dt, dt / factor], "coarse": coarse.as_dict(),
            "fine": fine.as_dict(), "difference": diff, "difference_sdev": sdev,
            "difference_sigmas": diff / sdev if sdev > 0 else math.nan,
            "nonlinear_rate": rate, "step_limit": nonlinear_step_limit(rate, params.theta)}


def weak_order(
    params: BilayerParameters,
    grid: PeriodicGrid = WEAK_ORDER_GRID,
    *,
    scheme: str = "lawson-heun",
    dt: float = 1.0,
    levels: int = 3,
    t_final: float = 4.0,
    n_paths: int = 200,
    seed: int = 3,
) -> dict:
    """Weak order of a stepper on coupled paths (module docstring).

    Runs ``levels`` step sizes ``dt/2^l`` from the same initial state (a draw from the linear
    stationary state) to ``t_final``, all driven by one Brownian path per sample: the finest
    level draws its exact OU increments ``ξ = S z``; a coarser one uses
    ``ξ_coarse = A_fine ξ₁ + ξ₂`` (exact in distribution), fed to the engine's own step as
    the normals ``z = S_coarse⁻¹ ξ_coarse``. Needs an invertible noise map (even viscosity
    on). Observables at ``t_final``: the drag force along v (Eq. 11) and ``|δn₁,q|²`` summed
    over the kept modes.

    Each sample is an antithetic pair, ``(X₀, ξ)`` and ``(−X₀, −ξ)``: the leading strong
    error of the differences is odd in the noise and cancels in the pair, the weak error
    (even) does not.

    Returns, per observable, the mean and standard error of the level differences
    ``E[f(dt_l) − f(dt_{l+1})]`` and their successive ratios (4 for weak order 2).
    """
    from langevin.steppers import NonlinearStepper

    one_increment = [n for n in NonlinearStepper.names()
                     if NonlinearStepper.from_name(n).increments == 1]  # fmt: skip
    if scheme not in one_increment:
        raise ValueError(f"scheme = {scheme!r} is outside the allowed range {one_increment} "
                         "for weak_order (one increment per step)")  # fmt: skip
    if not params.even_viscosity:
        raise ValueError("even_viscosity = False is outside the allowed range for weak_order "
                         "(the noise map must be invertible)")  # fmt: skip
    model = NonlinearBilayerModel(params)
    sims = [
        NonlinearComparison(model, grid, scheme, dt / 2**lv, control_variate=False).simulation
        for lv in range(levels)
    ]
    fine = sims[-1]
    m, d = fine.modes.size, fine.dim
    n_fine = int(round(t_final / fine.dt))
    if abs(n_fine * fine.dt - t_final) > 1e-9 or n_fine % 2 ** (levels - 1):
        raise ValueError(f"t_final = {t_final!r} is outside the allowed range (a multiple of dt)")
    inverses = [np.linalg.inv(sim.noise_map[0]) for sim in sims]
    kern = fine.drag_force
    direction = fine.estimator.direction
    values = np.empty((n_paths, levels, 2))
    out = np.empty((1, 6))
    for path in range(n_paths):
        rng = np.random.default_rng([seed, path])
        x0 = fine.initial_state(rng)[0]
        increments = _coupled_increments(sims, rng.standard_normal((n_fine, m, d, 2)))
        for lv, sim in enumerate(sims):
            acc = np.zeros(2)
            for sign in (1.0, -1.0):  # antithetic pair: (X₀, ξ) and (−X₀, −ξ)
                x = sign * x0[None]
                inc = sign * increments[lv]
                for t in range(inc.shape[0]):
                    sim.step(x, np.matmul(inverses[lv], inc[t][..., None])[..., 0], out)
                rho = x[0, :, 0]
                force = (kern.coefficients @ (rho * np.conj(x[0, :, 1]))).real
                acc += (float(direction @ force), float(np.sum(np.abs(rho) ** 2)))
            values[path, lv] = 0.5 * acc
    result = {"dt": [dt / 2**lv for lv in range(levels)], "n_paths": n_paths,
              "t_final": t_final, "scheme": scheme}  # fmt: skip
    for k, name in enumerate(("drag_force", "density_variance")):
        result[name] = _level_statistics(values[:, :, k])
    return result


def _coupled_increments(sims: list, raw: np.ndarray) -> list[np.ndarray]:
    """The noise increments of every level of :func:`weak_order` from one Brownian path: the
    finest level's exact OU increments ``ξ = S z`` (``raw``: the normals, real and imaginary
    parts in the last axis), coarsened level by level as ``A_fine ξ₁ + ξ₂``."""
    fine = sims[-1]
    xi = fine._apply(fine.noise_map[0], raw[..., 0] + 1j * raw[..., 1])
    increments = [xi]
    for lv in range(len(sims) - 2, -1, -1):
        a_half = sims[lv + 1].step_matrix[0]
        prev = increments[0]
        increments.insert(0, fine._apply(a_half, prev[0::2]) + prev[1::2])
    return increments


def _level_statistics(values: np.ndarray) -> dict:
    """Per-level means, the level differences ``E[f(dt_l) − f(dt_{l+1})]`` with their standard
    errors, and the successive ratios with theirs, of ``values`` (paths × levels)."""
    n_paths = values.shape[0]
    diffs = values[:, :-1] - values[:, 1:]
    mean = diffs.mean(axis=0)
    sem = diffs.std(axis=0, ddof=1) / math.sqrt(n_paths)
    ratios = mean[:-1] / mean[1:]
    # error of a ratio of two means (paths shared: covariance from the sample)
    cov = np.cov(diffs.T) / n_paths
    rsd = []
    for i in range(len(ratios)):
        r = ratios[i]
        var = (cov[i, i] / mean[i + 1] ** 2 + r**2 * cov[i + 1, i + 1] / mean[i + 1] ** 2
               - 2 * r * cov[i, i + 1] / mean[i + 1] ** 2)  # fmt: skip
        rsd.append(float(math.sqrt(max(var, 0.0))))
    return {
        "level_means": values.mean(axis=0).tolist(),
        "differences": mean.tolist(),
        "difference_sdev": sem.tolist(),
        "ratios": ratios.tolist(),
        "ratio_sdev": rsd,
    }


def equilibrium_checks(
    params: BilayerParameters,
    grid: PeriodicGrid = DEFAULT_GRID,
    run: NonlinearRunLength = EQUILIBRIUM_RUN,
) -> dict:
    """v = 0 (and so χ = α v·B = 0): the force, the structure factors against Gibbs, from
    ``run`` (no antithetic pairs).

    Returns ``force_x`` (mean, sdev), ``pp_ratio`` and ``nn_ratio`` (mean over the kept modes
    and components of the measured ``⟨|X|²⟩`` over the Gibbs value, minus 1, with the standard
    error from the spread over realisations), and ``number_drift`` (the largest |Σ_r ρ_a| of
    the final snapshots, in units of n per cell: number conservation).
    """
    run.refuse_antithetic("equilibrium_checks")
    p = params.with_(drift=0.0, chi=0.0)  # χ = α v·B vanishes with v: no cooling stress
    cmp = NonlinearComparison(NonlinearBilayerModel(p), grid, run.scheme, run.dt,
                              burn_in=run.burn_in)  # fmt: skip
    sim = cmp.simulation
    per_real = []
    forces = []
    number = 0.0
    qx, qy = sim.modes.qx, sim.modes.qy
    gibbs = NonlinearBilayerModel(p).linear.equilibrium_covariance(qx, qy) * grid.mode_noise_scale
    g_diag = np.real(np.einsum("mii->mi", gibbs))
    for r in range(run.n_realisations):
        prog = sim.begin_realisation(run.seed, r, run.n_steps, structure=True)
        sim.advance_realisation(prog)
        res = sim.finish_realisation(prog)
        forces.append((res.mean, res.error))
        s = res.structure  # (modes, 6) ⟨|X|²⟩ of the nonlinear system
        per_real.append(
            (float(np.mean(s[:, 2:] / g_diag[:, 2:]) - 1.0),
             float(np.mean(s[:, :2] / g_diag[:, :2]) - 1.0))
        )  # fmt: skip
        number = max(number, float(np.max(np.abs(res.snapshot[0:2].sum(axis=(-2, -1))))))
    fm = np.array(forces)
    f_mean = float(fm[:, 0].mean())
    f_sdev = float(np.sqrt(np.sum(fm[:, 1] ** 2)) / len(fm))
    arr = np.array(per_real)
    sem = arr.std(axis=0, ddof=1) / math.sqrt(len(arr))
    return {
        "theta": p.theta,
        "force_x": (f_mean, f_sdev),
        "pp_ratio": (float(arr[:, 0].mean()), float(sem[0])),
        "nn_ratio": (float(arr[:, 1].mean()), float(sem[1])),
        "number_drift": number,
    }


def kept_thresholds(params: BilayerParameters, grid: PeriodicGrid = DEFAULT_GRID) -> dict:
    """The linear model's instability thresholds on the kept modes of ``grid``: χ_c and u_c."""
    qx, qy = grid.half_wavevectors()
    mask = dealias_mask(grid)
    mask[0, 0] = False
    return {
        "chi_c": instability_threshold(params.with_(chi=0.0), qx[mask], qy[mask]),
        "u_c": drift_threshold(params, qx[mask], qy[mask]),
    }


def chi_scan(chis: Sequence[float], thetas: Sequence[float],
             params: BilayerParameters = PAPER_POINT, grid: PeriodicGrid = DEFAULT_GRID,
             run: NonlinearRunLength = CHI_SCAN_RUN, *,
             w: World | None = None) -> list[NonlinearPoint]:  # fmt: skip
    """D(Θ)/D_linear over χ at each Θ (seed ``run.seed + k`` for the k-th point, χ running
    fastest: independent); past the linear threshold the point has no linear reference (NaN)
    and shows what the nonlinear model does."""
    points = [params.with_(theta=float(t), chi=float(c)) for t in thetas for c in chis]
    return point_scan(points, grid, run, w)


def drift_scan(drifts: Sequence[float], theta: float, params: BilayerParameters = PAPER_POINT,
               grid: PeriodicGrid = DEFAULT_GRID, run: NonlinearRunLength = DRIFT_SCAN_RUN, *,
               w: World | None = None) -> list[NonlinearPoint]:  # fmt: skip
    """Runs at drifts through the drift instability u_c (seed ``run.seed + k`` for the k-th:
    independent)."""
    return point_scan([params.with_(theta=float(theta), drift=float(u)) for u in drifts], grid,
                      run, w)  # fmt: skip


def strength_limit(points: Sequence[NonlinearPoint]) -> dict:
    """``D/D_linear = c + aΘ`` by weighted least squares: the Θ → 0 limit ``c`` (1 if the
    nonlinear model reduces to the linear one) and the slope ``a``, with errors."""
    th = np.array([p.theta for p in points])
    y = np.array([p.ratio for p in points])
    s = np.array([p.ratio_sdev for p in points])
    a = np.stack([np.ones_like(th), th], axis=1) / s[:, None]
    b = y / s
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    cov = np.linalg.inv(a.T @ a)
    resid = b - a @ coef
    dof = max(len(points) - 2, 1)
    return {
        "limit": float(coef[0]),
        "limit_sdev": float(math.sqrt(cov[0, 0])),
        "slope": float(coef[1]),
        "slope_sdev": float(math.sqrt(cov[1, 1])),
        "chi2_dof": float(resid @ resid / dof),
    }


#: Default sizes of ``python -m validate nonlinear``.
REPORT_THETAS = (0.0025, 0.005, 0.01, 0.015)
REPORT_CHIS = (-1.3, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.5, 5.0)
REPORT_CHI_THETAS = (0.005, 0.01)
REPORT_DRIFTS = (0.5, 1.0, 1.5, 1.65, 1.75, 1.9, 2.2)


def nonlinear_report(
    thetas: Sequence[float] = REPORT_THETAS,
    chis: Sequence[float] = REPORT_CHIS,
    chi_thetas: Sequence[float] = REPORT_CHI_THETAS,
    drifts: Sequence[float] = REPORT_DRIFTS,
    *,
    n_realisations: int = 4,
    n_steps: int = 4000,
    weak_paths: int = 2000,
    w: World | None = None,
    log=None,
) -> dict | None:
    """Every study of this module at the paper's point (ς = 0.15, β = 0.1), as plain numbers
    (``python -m validate nonlinear``); ``None`` on ranks other than 0."""
    say = log or (lambda text: None)
    size = {"n_realisations": n_realisations, "n_steps": n_steps}
    at = PAPER_POINT.with_(theta=0.01)
    say("strength scan …")
    scan = strength_scan(thetas, run=replace(POINT_RUN, **size), w=w)
    say("steppers …")
    steppers = stepper_comparison(at, run=replace(STEPPER_RUN, **size), w=w)
    say("step sizes …")
    steps = step_size_comparison(at, run=replace(STEP_SIZE_RUN, **size), w=w)
    say("weak order …")
    weak = weak_order(PAPER_POINT.with_(theta=0.05), WEAK_ORDER_GRID, n_paths=weak_paths,
                      t_final=8.0)  # fmt: skip
    say("v = 0 …")
    eq = [equilibrium_checks(PAPER_POINT.with_(theta=t), run=replace(EQUILIBRIUM_RUN, **size))
          for t in (0.002, 0.01)]  # fmt: skip
    say("χ scan …")
    chi_pts = chi_scan(chis, chi_thetas, run=replace(CHI_SCAN_RUN, **size), w=w)
    say("drift scan …")
    drift_pts = drift_scan(drifts, 0.005, run=replace(DRIFT_SCAN_RUN, **size), w=w)
    if w is not None and not w.is_root:
        return None
    return {
        "grid": {"n": DEFAULT_GRID.n, "length": DEFAULT_GRID.length},
        "point": {
            "varsigma": PAPER_POINT.varsigma,
            "beta": PAPER_POINT.beta,
            "chi": PAPER_POINT.chi,
            "drift": PAPER_POINT.drift,
        },  # fmt: skip
        "thresholds": kept_thresholds(PAPER_POINT),
        "strength": [p.as_dict() for p in scan],
        "strength_fit": strength_limit(scan),
        "steppers": {k: v.as_dict() for k, v in steppers.items()},
        "step_sizes": steps,
        "weak_order": weak,
        "equilibrium": eq,
        "chi_scan": [p.as_dict() for p in chi_pts],
        "drift_scan": [p.as_dict() for p in drift_pts],
    }
