"""Report rows of the collision-integral Monte Carlo (:mod:`montecarlo`) against its exact
finite-T reference: single points (:func:`montecarlo_case`) and the pulls over a grid of
presets × tilt × temperature (:mod:`validate.mc_pulls`)."""

from __future__ import annotations

import math

from dragcore.parallel import World
from validate.rows import FULL, Comparison, JobSize, TaskResult, significance

__all__ = [
    "MC_NAMES",
    "montecarlo_cases",
    "montecarlo_case",
    "montecarlo_comparisons",
    "pull_grid_points",
    "pull_grid_point",
    "pull_grid_task",
    "montecarlo_grid_comparisons",
]

SECTION = "Monte Carlo vs quadrature"
MC_NAMES = ("η∥⁽⁰⁾", "η∥⁽¹⁾", "η_Q3", "η_H(s.j.)", "η_H(e-e-imp,1)", "η_H(e-e-imp,2)")


EEI2_IDENTITY = (
    "η_H(e-e-imp,2) = η_H(s.j.)/2 (the reference's ratio is 0.49999 at every point): the same "
    "comparison as the side-jump row, counted once"
)


def montecarlo_cases() -> list[tuple[str, str, dict, float, int]]:
    """The single Monte Carlo points of the report: (label, preset, preset options, T in K,
    number of outputs compared). The last case (``k = 0``) is screening at T."""
    from dragcore.units import erg_to_kelvin
    from layers.presets import preset

    cases: list[tuple[str, str, dict, float, int]] = [
        ("Weyl film (C = 0) / 2DEG, d = 40 nm, 5 K", "fig2-d40", {"tilt": 0.0}, 5.0, 3),
        ("2DEG / 2DEG, d = 40 nm, 0.5 K", "fig2-d40", {"active": "metal"}, 0.5, 1),
    ]
    # the paper's parameters: C = 0.3, both spacings, a T below and a T above T_d
    for name in ("fig2-d40", "fig2-d120"):
        bl = preset(name)
        for t in (0.5, 3.0):
            t_k = erg_to_kelvin(t * bl.T_d)
            label = f"Weyl film C = 0.3 / 2DEG, {name}, T = {t:g} T_d = {t_k:.3g} K"
            cases.append((label, name, {}, t_k, 6))
    # screening at T: the paper's tilt and spacing, n^p = 1e11 cm⁻² (ε_F^p = 41 K) at
    # 20 K ≈ ε_F^p/2, where |U_T|² raises η∥⁽⁰⁾ by ~50 %
    cases.append(
        (
            "Weyl film C = 0.3 / 2DEG n^p = 1e11, fig2-d40, 20 K, screening at T",
            "fig2-d40",
            {"n_p_cm2": 1e11},
            20.0,
            0,
        )
    )
    return cases


def _skew_rate_row(label: str, bl, T: float, est) -> Comparison:
    """The sampled skew rate W⁽¹⁾ against the paper's leading order in C, (B17) on the sampled
    η_Q3, corrected by the exact-in-C ratio of :func:`validate.skew.skew_hall_coefficients`."""
    from validate.skew import skew_hall_coefficients

    sk = skew_hall_coefficients(bl, T)
    b17, s17 = est.hall["eei1_B17"], est.hall_sdev["eei1_B17"]
    return Comparison(
        "Weyl film / 2D metal",
        f"η_H(e-e-imp,1), {label}: sampled rate W⁽¹⁾ vs the paper",
        "collision-integral Monte Carlo of W⁽¹⁾ (derived, exact kinematics)",
        est.hall["eei1"],
        "(B17) −C η_Q3/(4ε_F τ) on the sampled η_Q3",
        b17,
        math.hypot(est.hall_sdev["eei1"], s17),
        "Monte Carlo sdevs",
        kind="paper",
        factor=(
            "(B17) keeps the leading order in C only; corrected with the exact-in-C "
            f"ratio derived/(B17) = {sk.ratio1:.5f} ± {sk.ratio_err:.1e} of the "
            "quadrature validate.skew at this point (T = 0 screening, q ≪ k_F)"
        ),
        corrected_value=sk.ratio1 * b17,
        corrected_sigma=math.hypot(est.hall_sdev["eei1"], sk.ratio1 * s17, sk.ratio_err * abs(b17)),
        untraced="where the corrected comparison is off by more than 3σ′: the sampled "
        "rate's finite-T and finite-q/k_F parts, which the quadrature of validate.skew "
        "(T ≪ ε_F^a, q ≪ k_F) leaves out, are not computed separately",
    )


def _metal_row(label: str, bl, T: float, r) -> Comparison:
    """The 2DEG–2DEG η∥⁽⁰⁾ of the Monte Carlo result ``r`` against the T = 0 quadrature of
    :mod:`validate.weyl`."""
    from layers.drag_integral import drag_coefficients

    q = drag_coefficients(bl, T)
    return Comparison(
        SECTION,
        f"η∥⁽⁰⁾, {label}",
        "collision-integral Monte Carlo",
        float(r.mean[0]),
        "validate.weyl quadrature (T = 0 Π, Eq. B7)",
        q.eta0,
        math.hypot(float(r.sdev[0]), q.err0),
        "Monte Carlo sdev ⊕ quadrature error (finite-T correction ~4e-5 rel.)",
    )


def _sampled_row(label: str, i: int, r, ref, err) -> Comparison:
    """Output ``i`` of the Monte Carlo result ``r`` against the exact finite-T reference."""
    return Comparison(
        SECTION,
        f"{MC_NAMES[i]}, {label}",
        f"collision-integral Monte Carlo (Q = {r.Q:.2f})",
        float(r.mean[i]),
        "(q, ω) quadrature, exact finite-T Im Π, same |U|²",
        float(ref[i]),
        math.hypot(float(r.sdev[i]), float(err[i])),
        "Monte Carlo sdev ⊕ quadrature error estimate",
        identity_of=f"{MC_NAMES[3]}, {label}" if i == 5 else "",
        note=EEI2_IDENTITY if i == 5 else "",
    )


def montecarlo_case(index: int, w: World, size: JobSize = FULL) -> list[Comparison]:
    """The rows of case ``index`` of :func:`montecarlo_cases`: the sampled outputs against the
    exact finite-T reference (same |U|²); at C = 0.3 the sampled W⁽¹⁾ against the paper's
    (B17) on the sampled η_Q3, with the corrected comparison against the exact-in-C ratio of
    :func:`validate.skew.skew_hall_coefficients` at the same point; for the 2DEG–2DEG case the
    T = 0 quadrature of ``validate.weyl``. Batches are spread over the ranks of ``w`` (same
    bits on any rank count)."""
    from dragcore.units import kelvin_to_erg
    from layers.presets import preset
    from montecarlo.drag_mc import estimate_drag, finite_temperature_reference
    from montecarlo.integrator import distributed_batch_runner

    label, name, opts, t_k, k = montecarlo_cases()[index]
    bl = preset(name, **opts)
    runner = distributed_batch_runner(w) if w.size > 1 else None
    screening = "finite_T" if k == 0 else "T0"
    T = kelvin_to_erg(t_k)
    est = estimate_drag(bl, T, n_eval=size.mc_n_eval, n_train=size.mc_n_train,
                        n_prod=size.mc_n_prod, seed=7, batch_runner=runner,
                        screening=screening)  # fmt: skip
    if not w.is_root:
        return []
    r = est.result
    ref, err = finite_temperature_reference(bl, T, n=size.mc_reference_n, screening=screening)
    if k == 0:
        return [
            Comparison(
                SECTION,
                f"η∥⁽⁰⁾, {label}",
                f"collision-integral Monte Carlo, Π_T tables in |U|² (Q = {r.Q:.2f})",
                float(r.mean[0]),
                "(q, ω) quadrature, exact Π_T in |U|², exact finite-T Im Π",
                float(ref[0]),
                math.hypot(float(r.sdev[0]), float(err[0])),
                "Monte Carlo sdev ⊕ quadrature error estimate",
            )
        ]
    rows = [_sampled_row(label, i, r, ref, err) for i in range(k)]
    if k == 6:  # the sampled skew rate against the paper's leading order in C
        rows.append(_skew_rate_row(label, bl, T, est))
    if k == 1:
        rows.append(_metal_row(label, bl, T, r))
    return rows


def montecarlo_comparisons(w: World, size: JobSize = FULL) -> list[Comparison]:
    """Every case of :func:`montecarlo_cases` (:func:`montecarlo_case`), in order."""
    rows: list[Comparison] = []
    for i in range(len(montecarlo_cases())):
        rows.extend(montecarlo_case(i, w, size))
    return rows


def pull_grid_points(size: JobSize = FULL) -> list[tuple[str, float, float]]:
    """(preset, tilt, T/T_d) of the pull grid."""
    from validate.mc_pulls import GRID_PRESETS

    return [
        (name, tilt, t)
        for name in GRID_PRESETS
        for tilt in size.grid_tilts
        for t in size.grid_t_over_td
    ]


def pull_grid_point(index: int, w: World, size: JobSize = FULL) -> list:
    """The :class:`validate.mc_pulls.PullRecord` of grid point ``index`` (one seed)."""
    from montecarlo.integrator import distributed_batch_runner
    from validate.mc_pulls import monte_carlo_pull_grid

    name, tilt, t = pull_grid_points(size)[index]
    runner = distributed_batch_runner(w) if w.size > 1 else None
    return monte_carlo_pull_grid(
        (name,), (tilt,), (t,), seeds=(0,), reference_n=size.grid_reference_n,
        batch_runner=runner, compute_reference=w.is_root,
    )  # fmt: skip


def pull_grid_task(index: int, w: World, size: JobSize) -> TaskResult:
    """The main job's task for grid point ``index``: its pull records (on rank 0; the rows are
    made from every point's records, :func:`montecarlo_grid_comparisons`)."""
    records = pull_grid_point(index, w, size)
    return TaskResult(records=records if w.is_root else [])


def montecarlo_grid_comparisons(records: list) -> list[Comparison]:
    """The Monte Carlo against its exact finite-T reference over presets × C × T
    (:mod:`validate.mc_pulls`, one seed, default n_eval): per output, the rms of the pulls
    against 1 (σ = 1/√(2N) for N unit normal pulls) and their mean against 0 (σ = 1/√N),
    each with its significance; the single points are in the report's table and figure."""
    from validate.mc_pulls import SYMBOLS, summarize_pulls

    rows: list[Comparison] = []
    summ = summarize_pulls(records)
    tilts = sorted({r.tilt for r in records})
    ts = sorted({r.t_over_td for r in records})
    where = (
        f"(both spacings, C = {', '.join(f'{c:g}' for c in tilts)}, "
        f"T/T_d = {', '.join(f'{t:g}' for t in ts)})"
    )
    for k, name in enumerate(summ.names):
        n_k = int(summ.n_pulls[k])  # η_H(eei,1) is exactly 0 by both routes at C = 0
        same = name == "eta_H_eei2"  # = η_H(s.j.)/2: counted once
        sj = SYMBOLS["eta_H_sj"]
        rows.append(
            Comparison(
                SECTION,
                f"rms pull of {SYMBOLS[name]} over {n_k} grid points {where}",
                "rms of (MC − reference)/σ",
                float(summ.rms[k]),
                "honest error bars",
                1.0,
                1.0 / math.sqrt(2.0 * n_k),
                "sd of the rms of N unit normal pulls, 1/√(2N)",
                identity_of=f"rms pull of {sj} over {n_k} grid points {where}" if same else "",
            )
        )
        rows.append(
            Comparison(
                SECTION,
                f"mean pull of {SYMBOLS[name]} over {n_k} grid points {where}",
                "mean of (MC − reference)/σ",
                float(summ.mean[k]),
                "no bias",
                0.0,
                1.0 / math.sqrt(n_k),
                "sd of the mean of N unit normal pulls, 1/√N",
                identity_of=f"mean pull of {sj} over {n_k} grid points {where}" if same else "",
                note=f"{significance(float(summ.mean[k]) * math.sqrt(n_k))} (mean "
                f"{float(summ.mean[k]):+.2f} ± {1 / math.sqrt(n_k):.2f})",
            )
        )
    return rows


# --------------------------------------------------------------------------------------
# row providers: where further comparisons plug in
# --------------------------------------------------------------------------------------
#: Further comparisons (e.g. the external anchors): ``"module:function"`` names of functions
#: ``provider(size: JobSize) -> list[Comparison]``, each run as one task of the main job (on
#: rank 0; in a worker process when the job runs on several cores, which imports the module
#: by this name). A provider is registered by adding its name here (or, at run time, with
#: :func:`register_row_provider`); its rows appear in the table, counts and summary like any
