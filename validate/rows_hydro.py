"""Report rows of the exact bilayer model against Eq. (21) of the nonreciprocal-drag paper,
and of the paper's own series (Eqs. 17–19) against its closed form (Eq. 22), with the
figures of ``python -m validate hydro`` (:mod:`validate.hydro`)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from validate.rows import Comparison, JobSize, TaskResult

__all__ = ["HYDRO_ROW_VARSIGMA", "hydro_comparisons", "hydro_task"]

HYDRO_ROW_VARSIGMA = (0.05, 0.15, 1.0)


def _d0_rows(sec: str, s: float, res: dict, i: int) -> list[Comparison]:
    """D(χ=0) of the exact model at ς = ``s`` (entry ``i`` of ``res``) against π·f and, as
    an identity of that row, against f as printed."""
    d0, e0, f_val = res["D0"][i], res["D0_error"][i], res["f"][i]
    restored = Comparison(
        sec,
        f"D(χ=0), ς={s:g}",
        "Lyapunov, continuum, v → 0",
        d0,
        "π·f(ς) (Eq. 21 with E_F = πn/m restored)",
        math.pi * f_val,
        e0,
        "radial/angular quadrature error estimate of D",
        kind="paper",
        after_correction="E_F = πn/m in Eq. (21)",
        note="Eq. (20b) integrates exactly to the model",
    )
    as_printed = replace(
        restored,
        route_b="f(ς) (Eq. 21 as printed)",
        value_b=f_val,
        sigma_source="quadrature error estimate of D",
        after_correction="",
        note="",
        factor="factor π: Eq. (21) reads T/E_F as Tm/n (E_F = πn/m)",
        factor_value=math.pi,
        identity_of=f"D(χ=0), ς={s:g} vs π·f(ς)",
    )
    return [restored, as_printed]


def _chi_rows(sec: str, s: float, beta: float, res: dict, i: int) -> list[Comparison]:
    """∂D/∂χ of the exact model at ς = ``s`` (entry ``i`` of ``res``) against g, and the
    untraced part of it."""
    rows: list[Comparison] = []
    g_val, dchi, dchi_err = res["g"][i], res["Dchi"][i], res["Dchi_error"][i]
    kept, omitted = res["chi_after_u_over_pi_g"][i], res["u_after_chi_over_pi_g"][i]
    cross = res["cross_over_pi_g"][i]
    # the χ-linear drag: what is traced, term by term, in units of π g
    traced = math.pi * g_val * (-0.5 + omitted + cross)
    tr = f"{omitted + cross:+.3f}".replace("+", "+ ").replace("-", "− ")
    untraced_part = kept + 0.5  # the kept Born term beyond the series' −1/2
    total = kept + omitted + cross
    rows.append(
        Comparison(
            sec,
            f"∂D/∂χ at χ=0, ς={s:g}, β={beta:g}",
            "Lyapunov, continuum, v → 0",
            dchi,
            "g(ς, β) (Eq. 21 as printed)",
            g_val,
            dchi_err,
            "quadrature error estimate of ∂D/∂χ",
            kind="paper",
            factor=(
                f"traced: sign and ½ (Eq. 22b against the paper's own Eqs. 17–19), factor 4 "
                f"(Eq. 17 against Eq. 9), π (E_F = πn/m), and the Born ordering Eq. 19 "
                f"omits ({omitted:+.3f} π g, {100 * omitted / (kept + omitted + cross):.0f} % "
                f"of the exact {kept + omitted + cross:+.3f} π g): B′ = π g (−½ {tr})"
            ),
            corrected_value=traced,
            untraced=(
                f"the kept Born term is {kept:+.3f} π g, not the series' −½ π g: "
                f"{untraced_part:+.3f} π g ({100 * untraced_part / total:.0f}"
                " % of the exact coefficient) is not traced to a term"
            ),
        )
    )
    rows.append(
        Comparison(
            sec,
            f"the untraced part of ∂D/∂χ, ς={s:g}: kept Born term G M_χ G M_u G ξ / (π g)",
            "exact kept Born term (Lyapunov, continuum)",
            kept,
            "Eqs. 17–19 with Eq. 9's coupling and π restored: −½",
            -0.5,
            dchi_err / abs(math.pi * g_val),
            "quadrature error estimate of ∂D/∂χ, in units of π g",
            kind="paper",
            untraced="Eq. (17) is reduced with v = 0, χ = 0 relations between δn and δv; "
            "which term of the reduction carries the difference is not traced (a naive "
            "Doppler correction of the velocity the stress acts on does not account for it)",
        )
    )
    return rows


def _series_rows(s: float, beta: float, f_val: float, g_val: float) -> list[Comparison]:
    """The paper's own series (Eqs. 17–19) at ς = ``s``, integrated directly, against
    Eqs. 22a, 22b (``f_val``, ``g_val``)."""
    from validate.hydro import paper_series_coefficients

    f1, g1 = paper_series_coefficients(s, beta)
    f2, g2 = paper_series_coefficients(s, beta, n_y=36, n_x=300)
    err_f = math.hypot(abs(f2 - f1), 1e-12 * abs(f_val))
    err_g = math.hypot(abs(g2 - g1), 1e-12 * abs(g_val))
    return [
        Comparison(
            "Eqs. 17–19 vs Eq. 22",
            f"D⁽¹⁾ of the paper's series (Eqs. 17–19) ÷ (ς/2), ς={s:g}",
            "Eqs. 17–19 by direct (ω, q) quadrature",
            f2,
            "f(ς), Eq. 22a",
            f_val,
            err_f,
            "|n_y, n_x = 24, 200 − 36, 300| ⊕ 1e-12 f",
            kind="paper",
        ),
        Comparison(
            "Eqs. 17–19 vs Eq. 22",
            f"D⁽²⁾/χ of the paper's series (Eqs. 17–19) ÷ (ς/2), ς={s:g}, β={beta:g}",
            "Eqs. 17–19 by direct (ω, q) quadrature",
            g2,
            "g(ς, β), Eq. 22b",
            g_val,
            err_g,
            "|n_y, n_x = 24, 200 − 36, 300| ⊕ 1e-12 g",
            kind="paper",
            factor="factor −2: the reduction of Eq. 19 to Eqs. 20c/22b has the wrong sign "
            "and a factor ½",
            factor_value=-2.0,
        ),
    ]


def hydro_comparisons(comparison: dict | None = None) -> list[Comparison]:
    """Exact model (paper's approximations, v → 0) against f and g of Eq. (22) at ς = 0.05,
    0.15, 1 (β = 0.1), and the paper's own series (Eqs. 17–19, integrated directly over ω and
    q) against Eqs. 22a/22b. ``comparison``: a :func:`validate.hydro.paper_comparison` result
    at β = 0.1 that holds these ς (e.g. the figures'), else computed here."""
    from validate.hydro import paper_comparison

    rows: list[Comparison] = []
    beta = 0.1
    sec = "exact bilayer vs Eq. (21)"
    if comparison is None or comparison["beta"] != beta:
        comparison = paper_comparison(list(HYDRO_ROW_VARSIGMA), beta)
    keep = [comparison["varsigma"].index(s) for s in HYDRO_ROW_VARSIGMA]
    res = {
        k: [v[i] for i in keep]
        for k, v in comparison.items()
        if isinstance(v, list) and len(v) == len(comparison["varsigma"])
    }
    for i, s in enumerate(res["varsigma"]):
        rows += _d0_rows(sec, s, res, i) + _chi_rows(sec, s, beta, res, i)
    for s in HYDRO_ROW_VARSIGMA:
        k = res["varsigma"].index(s)
        rows += _series_rows(s, beta, float(res["f"][k]), float(res["g"][k]))
    return rows


def hydro_task(size: JobSize, out: Path) -> TaskResult:
    """The hydro rows; in a full run, computed with the curves of the figures, which are
    drawn into ``out/hydro``, and with the result numbers the README quotes."""
    if size.quick:
        return TaskResult(rows=hydro_comparisons())
    from validate.figures import hydro_figures
    from validate.hydro import hydro_report

    rep = hydro_report(curve_points=size.hydro_curve_points)
    c = rep["comparison"]
    quoted = {
        "hydro_varsigma_min": min(c["varsigma"]),
        "hydro_varsigma_max": max(c["varsigma"]),
        "hydro_D0_over_f_max_deviation_from_pi": max(abs(v - math.pi) for v in c["D0_over_f"]),
        "hydro_dDdchi_over_g_min": min(c["Dchi_over_g"]),
        "hydro_dDdchi_over_g_max": max(c["Dchi_over_g"]),
        "hydro_series_g_max_deviation_from_minus_2": max(
            abs(v + 2.0) for v in c["g_series_over_g"]
        ),
    }
    paths = hydro_figures(rep, out / "hydro")
    figures = [("exact bilayer vs Eq. (21)", str(Path(p).relative_to(out))) for p in paths]
    return TaskResult(rows=hydro_comparisons(c), figures=figures, quoted=quoted)
