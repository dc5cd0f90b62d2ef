"""The figures of the comparisons: written by ``python -m validate fg|hydro|weyl`` and by
the main job's report (:mod:`validate.report`), from the same functions.

* :func:`fg_figures` — f and g of Eq. (22): g/f versus ς (the paper's Fig. 3) and the
  spectral density of f (its Fig. 2), :mod:`validate.fg`;
* :func:`hydro_figures` — the exact bilayer model against Eq. (21), :mod:`validate.hydro`;
* :func:`weyl_figures` — Weyl film / 2D metal: the Hall-drag paper's Figs. 2 and 5 and the
  approach to the closed-form limits, :mod:`validate.weyl`.

Each writes PNG files into a directory and returns their paths; matplotlib is imported
when a figure is drawn (with the ``Agg`` back-end), so importing this module is cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from layers.drag_integral import drag_coefficients
from layers.presets import FIG2_DENSITIES_CM2, PRESET_DEFAULTS, PRESETS, preset
from validate import fg, fg_asymptotic
from validate.fg import DEFAULT_FIGURE_BETA, FIG2_VARSIGMA
from validate.plotting import pyplot, save_figure
from validate.weyl import drag_point, eta_high_T, eta_low_T, q_functions

__all__ = [
    "FigureSet",
    "fg_figures",
    "figure_g_over_f",
    "figure_spectral_density",
    "hydro_figures",
    "weyl_figures",
]


@dataclass
class FigureSet:
    """Figures written into a directory, and what was learned drawing them.

    Attributes
    ----------
    paths
        The PNG files, in the order drawn.
    notes
        One-line findings printed by the command (values read off the curves).
    """

    paths: list[Path]
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------ f and g
def fg_figures(
    out: Path,
    varsigma_min: float = 0.01,
    varsigma_max: float = 10.0,
    figure_beta: Sequence[float] = DEFAULT_FIGURE_BETA,
) -> list[Path]:
    """``g_over_f.png`` (ς from ``varsigma_min`` to ``varsigma_max``, one curve per β of
    ``figure_beta``) and ``spectral_density.png``, written into ``out`` (created)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [
        figure_g_over_f(out / "g_over_f.png", varsigma_min, varsigma_max, list(figure_beta)),
        figure_spectral_density(out / "spectral_density.png"),
    ]


def figure_g_over_f(
    path: Path, varsigma_min: float, varsigma_max: float, betas: Sequence[float]
) -> Path:
    """(a) g/f versus ς for several β (the paper's Fig. 3); (b) the β-independent
    R(ς) = ς g/(β f) with its ς → 0 and ς → ∞ asymptotic forms. Written to ``path``."""
    plt = pyplot()
    s_lo, s_hi = varsigma_min, varsigma_max
    s = np.geomspace(s_lo, s_hi, 241)
    ratio = fg.g(s, 1.0) / fg.f(s)
    s_small = s[s <= 0.3]
    small = fg_asymptotic.g_small_varsigma(s_small, 1.0) / fg_asymptotic.f_small_varsigma(s_small)
    s_large = s[s >= 2.0]
    large = fg_asymptotic.g_large_varsigma(s_large, 1.0) / fg_asymptotic.f_large_varsigma(s_large)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11.0, 4.6), layout="constrained")
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(betas)))
    for b, c in zip(betas, colors, strict=True):
        ax.loglog(s, b * ratio, color=c, lw=2, label=f"β = {b:g}")
    ax.set_xlabel("attenuation ς = 2πσ / (dκω$_p$)")
    ax.set_ylabel("g(ς, β) / f(ς), Eq. (22) as printed")
    ax.set_title("(a) the paper's g/f (its Fig. 3), sign as printed", fontsize=10)
    ax.text(
        0.98, 0.98,
        "caveat: the paper's own Eqs. (17)–(19) give −2g,\n"
        "the exact model −(4.2…4.6) g (python -m validate hydro):\n"
        "the χ-linear drag is negative",
        transform=ax.transAxes, ha="right", va="top", fontsize=7.5,
        bbox={"boxstyle": "round", "fc": "lightyellow", "ec": "0.6"},
    )  # fmt: skip
    ax.legend(fontsize=8, loc="lower left", title="viscosity β = ν/(d²ω$_p$)", title_fontsize=8)
    # (b) the β-independent part: g/f = (β/ς)·R(ς), R slowly varying
    bx.semilogx(s, s * ratio, color="C0", lw=2, label="Eq. (22) by exact y-integration")
    bx.semilogx(s_small, s_small * small, color="k", lw=1.2, ls=":", label="ς → 0, 3 terms")
    bx.semilogx(s_large, s_large * large, color="k", lw=1.2, ls="--", label="ς → ∞, 3 terms")
    bx.axhline(9 / 4, color="C2", lw=1, ls="-.", label="ς → ∞ limit 9/4")
    bx.set_xlabel("attenuation ς")
    bx.set_ylabel("R(ς) = ς g / (β f), Eq. (22) as printed")
    bx.set_title("(b) the β-independent part: g/f = (β/ς) R(ς)", fontsize=10)
    bx.legend(fontsize=8)
    for axis in (ax, bx):
        axis.grid(True, which="major", alpha=0.4)
        axis.grid(True, which="minor", alpha=0.15)
    save_figure(fig, path, dpi=150, tight_layout=False)
    return path


def figure_spectral_density(path: Path, varsigma: float = FIG2_VARSIGMA) -> Path:
    """The integrand F(x, y) of f at ``varsigma`` (the paper's Fig. 2 at ς = 0.15) with the
    plasmon lines y = √(x(1 ± e^{−x})). Written to ``path``."""
    plt = pyplot()
    from matplotlib.colors import LogNorm

    x = np.linspace(1e-3, 6.0, 601)
    y = np.linspace(1e-3, 3.0, 451)
    dens = fg.spectral_density(x[None, :], y[:, None], varsigma)
    top = float(dens.max())
    fig, ax = plt.subplots(figsize=(6.4, 4.6), layout="constrained")
    mesh = ax.pcolormesh(
        x, y, dens, norm=LogNorm(vmin=top * 1e-4, vmax=top), cmap="magma", shading="auto"
    )
    cbar = fig.colorbar(mesh, ax=ax)
    cbar.set_label("F(x, y) = 2ς x⁵ y⁴ e$^{-2x}$ / (π$_+$π$_-$)")
    xl = np.linspace(1e-3, 6.0, 400)
    a_p, a_m, _ = fg.plasmon_lines(xl)
    ax.plot(xl, np.sqrt(a_p), color="c", lw=1.0, ls="--", label="y = √(x(1 + e$^{-x}$))")
    ax.plot(xl, np.sqrt(a_m), color="w", lw=1.0, ls=":", label="y = √(x(1 − e$^{-x}$))")
    ax.set_xlabel("x = qd")
    ax.set_ylabel("y = ω / ω$_p$")
    ax.set_title(f"Spectral density of f, Eq. (22a), ς = {varsigma:g} (paper's Fig. 2)")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.6)
    save_figure(fig, path, dpi=150, tight_layout=False)
    return path


# ------------------------------------------------------------------------------ hydro
def hydro_figures(res: dict, out: Path) -> list[Path]:
    """The figures of :func:`validate.hydro.hydro_report`'s result ``res``, written into
    ``out``: ``hydro_ratios.png`` (the two ratios versus ς, and the split of ∂D/∂χ),
    ``drag_vs_chi.png`` (exact D(χ) with the perturbative lines), ``box_convergence.png``
    (finite-box error versus L with the expected L⁻⁵)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "hydro_ratios.png", out / "drag_vs_chi.png", out / "box_convergence.png"]
    _figure_hydro_ratios(res["comparison"], paths[0])
    _figure_drag_vs_chi(res["comparison"], res["drag_vs_chi"], paths[1])
    _figure_box_convergence(res["box_convergence"], paths[2])
    return paths


def _figure_hydro_ratios(c: dict, path: Path) -> None:
    """(a) D(χ=0)/(π f) and (∂D/∂χ)/(π g) versus ς; (b) ∂D/∂χ term by term."""
    plt = pyplot()
    s = np.array(c["varsigma"])
    # one normalisation throughout: ÷ (π × Eq. 22), i.e. the paper's f, g with the factor π
    # of E_F = πn/m restored (the paper's series, Eqs. 17–19, carry the same π)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11.0, 4.4), layout="constrained")
    ax.semilogx(s, np.array(c["D0_over_f"]) / math.pi, "o-", label="D(χ=0) / (π f)")
    ax.semilogx(s, np.array(c["Dchi_over_g"]) / math.pi, "s-", label="(∂D/∂χ) / (π g)")
    ax.axhline(1.0, color="k", lw=0.8, ls=":", label="Eq. (22) with π restored: +1")
    ax.axhline(0.0, color="gray", lw=0.6)
    ax.set_xlabel("attenuation ς = 2πσ/(dκω$_p$)")
    ax.set_ylabel("exact model ÷ (π × Eq. 22)")
    ax.set_title(f"(a) exact model (paper's approximations) ÷ paper, β = {c['beta']:g}",
                 fontsize=10)  # fmt: skip
    ax.legend(fontsize=8)
    chi_u = np.array(c["chi_after_u_over_pi_g"])
    u_chi = np.array(c["u_after_chi_over_pi_g"])
    bx.semilogx(s, chi_u, "o-", label="exact: G M$_χ$ G M$_u$ G ξ (the kind Eq. 19d keeps)")
    bx.semilogx(s, u_chi, "s-", label="exact: G M$_u$ G M$_χ$ G ξ (omitted by Eq. 19)")
    bx.semilogx(s, chi_u + u_chi, "k-", lw=2, label="exact total ∂D/∂χ")
    bx.axhline(1.0, color="C3", lw=1, ls="--", label="paper's Eq. (22b): +1")
    bx.semilogx(s, c["g_series_over_g"], "C3:", lw=1.5,
                label="paper's Eqs. (17)–(19) by quadrature: −2")  # fmt: skip
    bx.semilogx(
        s,
        np.array(c["g_series_over_g"]) / 4,
        "C2-.",
        lw=1.2,
        label="paper's Eqs. (17)–(19) with Eq. (9)'s coupling: −½",
    )
    bx.set_xlabel("attenuation ς = 2πσ/(dκω$_p$)")
    bx.set_ylabel("χ-linear drag ÷ (π g)")
    bx.set_title("(b) the χ-linear drag, term by term (paper's lines: π restored)",
                 fontsize=10)  # fmt: skip
    bx.set_ylim(-2.3, 1.6)
    bx.legend(fontsize=7, loc="center left", bbox_to_anchor=(0.0, 0.62))
    for axis in (ax, bx):
        axis.grid(True, alpha=0.3)
    save_figure(fig, path, dpi=150, tight_layout=False)


def _figure_drag_vs_chi(c: dict, d: dict, path: Path) -> None:
    """Exact D(χ) of the full model with its tangent and the paper's Eq. (21)."""
    plt = pyplot()
    chi = np.array(d["chi"])
    line = np.linspace(d["chi_c"], chi[-1], 200)
    fig, ax = plt.subplots(figsize=(7.2, 4.8), layout="constrained")
    ax.plot(chi, d["D_exact"], "k-", lw=2,
            label="exact, full model (even viscosity on), v → 0")  # fmt: skip
    ax.plot(line, d["D0_exact"] + d["dD_dchi_exact"] * line, "k--", lw=1,
            label="its tangent at χ = 0 (full model)")  # fmt: skip
    k = [i for i, v in enumerate(c["varsigma"]) if math.isclose(v, d["varsigma"])]
    if k and math.isclose(c["beta"], d["beta"]):  # the paper's model, exactly
        i = k[0]
        ax.plot(line, c["D0"][i] + c["Dchi"][i] * line, color="C0", ls="--", lw=1.2,
                label="exact tangent, paper's approximations (no even viscosity)")  # fmt: skip
    ax.plot(line, math.pi * (d["f"] + line * d["g"]), "C3-", lw=1.2,
            label="paper's Eq. (21), π restored: π(f + χg)")  # fmt: skip
    ax.plot(line, d["f"] + line * d["g"], "C3:", lw=1.2,
            label="paper's Eq. (21) as printed: f + χg")  # fmt: skip
    ax.axvline(d["chi_c"], color="0.4", ls="-.", lw=1,
               label=f"instability of the full model, χ$_c$ = {d['chi_c']:.4g}")  # fmt: skip
    top = 1.3 * max(d["D_exact"])
    ax.set_ylim(min(0.0, 1.1 * min(d["D_exact"])), top)
    ax.set_xlabel("nonreciprocity χ")
    ax.set_ylabel("drag D = ρ$_D$ / ρ$_0$ (dimensionless)")
    ax.set_title(f"The drag falls with χ; the paper's Eq. (21) rises (ς = {d['varsigma']:g}, "
                 f"β = {d['beta']:g})", fontsize=10)  # fmt: skip
    ax.legend(fontsize=7.5)
    ax.grid(True, alpha=0.3)
    save_figure(fig, path, dpi=150, tight_layout=False)


def _figure_box_convergence(b: dict, path: Path) -> None:
    """(a) finite-box error versus L with L⁻⁵; (b) refinement at fixed L."""
    plt = pyplot()
    lengths = np.array(b["lengths"])
    err = np.abs(b["relative_error"])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10.0, 4.2), layout="constrained")
    ax.loglog(lengths, err, "o-", label="|F$_L$ − F$_∞$| / F$_∞$ (h = d/4)")
    ax.loglog(lengths, err[-1] * (lengths / lengths[-1]) ** -5, "k--", label="∝ L$^{-5}$")
    ax.set_xlabel("box side L / d")
    ax.set_ylabel("relative error of the drag force")
    ax.set_title("(a) box → continuum (exact model, finite grid)")
    ax.legend(fontsize=8)
    ref = b["refine_at_L16_relative_error"]
    n = np.array([int(k) for k in ref])
    bx.semilogy(np.pi * n / 16.0, np.abs(list(ref.values())), "s-", label="L = 16 d")
    bx.set_xlabel("q$_{max}$ d = π N d / L")
    bx.set_ylabel("relative error of the drag force")
    bx.set_title("(b) refinement at fixed L (floor: box error)")
    bx.legend(fontsize=8)
    for axis in (ax, bx):
        axis.grid(True, which="both", alpha=0.3)
    save_figure(fig, path, dpi=150, tight_layout=False)


def weyl_figures(
    out: Path,
    *,
    n_p: float = PRESET_DEFAULTS["n_p_cm2"],
    tau_p: float = PRESET_DEFAULTS["tau_p_ps"],
    tilt: float = PRESET_DEFAULTS["tilt"],
    eps: float = PRESET_DEFAULTS["dielectric"],
    interaction: str = "exact",
    n_T: int = 24,
    progress=None,
) -> FigureSet:
    """The Hall-drag paper's Fig. 2 analogue (both spacings, several n^p, T = 1–300 K),
    Fig. 5 (Q₁, Q₂, Q₃) and the approach of the quadrature to the low- and
    high-temperature limits, written into ``out`` (``fig2_drag_vs_T.png``,
    ``fig5_Q_functions.png``, ``limits.png``).

    Parameters
    ----------
    out
        The directory (created).
    n_p, tau_p, tilt, eps
        Metal density (cm⁻², the limits figure), τ^p (ps), tilt C and dielectric constant.
    interaction
        ``"exact"`` or ``"a2"`` (the Fig. 2 analogue).
    n_T
        Points per curve.
    progress
        Called with the fraction of the work done (0 … 1) after each temperature point,
        e.g. to print the time left (``python -m validate weyl --figure``).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    temps = np.geomspace(1.0, 300.0, n_T)
    paths = [out / "fig2_drag_vs_T.png", out / "fig5_Q_functions.png", out / "limits.png"]

    n_fig2 = 2 * len(FIG2_DENSITIES_CM2) * len(temps)
    n_lim = max(6, n_T + 2)
    total = n_fig2 + 0.4 * n_lim + 0.1 * max(21, 5 * n_T + 1)  # relative costs per point
    done = [0.0]

    def step(cost: float = 1.0) -> None:
        done[0] += cost
        if progress is not None:
            progress(min(done[0] / total, 1.0))

    notes = _figure_fig2_analogue(paths[0], temps, tau_p, tilt, eps, interaction, step)
    notes.append(_figure_q_functions(paths[1], n_T, step))
    _figure_limits(paths[2], n_p, tau_p, n_T, step)
    return FigureSet(paths, notes)


def _figure_fig2_analogue(
    path: Path, temps, tau_p: float, tilt: float, eps: float, interaction: str, step
) -> list[str]:
    """The Hall-drag paper's Fig. 2 analogue: σ^D_xx, σ^D_xy and −ρ^D_xy versus T, both
    spacings, the densities of ``FIG2_DENSITIES_CM2``; one note per curve."""
    plt = pyplot()
    notes: list[str] = []
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    for row, name in enumerate(("fig2-d40", "fig2-d120")):
        for density in FIG2_DENSITIES_CM2:
            bl = preset(name, n_p_cm2=density, tau_p_ps=tau_p, tilt=tilt, dielectric=eps)
            pts = []
            for t in temps:
                pts.append(drag_point(bl, t, interaction))
                step()
            notes.append(_fig2_curves(axes[row], name, density, temps, pts))
        d = PRESETS[name]["d_nm"]
        axes[row, 0].set_ylabel(f"d = {d:g} nm\nlongitudinal drag conductivity σ$^D_{{xx}}$ (S)",
                                fontsize=9)  # fmt: skip
        axes[row, 1].set_ylabel("Hall drag conductivity σ$^D_{xy}$ (S)", fontsize=9)
        axes[row, 2].set_ylabel("Hall drag resistivity −ρ$^D_{xy}$ (Ω)", fontsize=9)
        for ax in axes[row]:
            ax.set_xlabel("temperature T (K)")
            ax.grid(True, which="both", lw=0.3)
    axes[0, 0].legend(fontsize=7, title="our quadrature; dotted: T$_d$", title_fontsize=7)
    axes[0, 1].legend(fontsize=7)
    axes[0, 2].legend(fontsize=7)
    fig.suptitle(
        "Weyl film / 2D metal drag by our (q, ω) quadrature, at the parameters of the Hall-drag "
        f"paper's Fig. 2 (C = {tilt:g}, τ$^p$ = {tau_p:g} ps, ε = {eps:g}, interaction "
        f"{interaction}); the paper's curves are not shown",
        fontsize=10,
    )
    save_figure(fig, path, dpi=110)
    return notes


def _fig2_curves(axes_row, name: str, density: float, temps, pts: list[dict]) -> str:
    """One density's curves in one row (one spacing) of the Fig. 2 analogue; its note."""
    mant, expo = f"{density:.0e}".split("e")
    lab = f"n$^p$ = {mant}×10$^{{{int(expo)}}}$ cm$^{{-2}}$"
    sxx = np.array([p["sigma_D_xx_S"] for p in pts])
    sxy = np.array([p["sigma_D_xy_S"] for p in pts])
    rxy = np.array([p["rho_D_xy_Ohm"] for p in pts])
    (ln,) = axes_row[0].loglog(temps, sxx, label=lab)
    axes_row[1].loglog(temps, sxy, color=ln.get_color(), label=lab)
    axes_row[2].loglog(temps, -rxy, color=ln.get_color(), label=lab)
    for ax in axes_row:
        ax.axvline(pts[0]["T_d_K"], color="0.5", ls=":", lw=0.8)
    if density == FIG2_DENSITIES_CM2[0]:
        for column, key, sign, style, part in (
            (0, "sigma_D_xx_eta0_S", 1.0, "--", "part from η∥⁽⁰⁾"),
            (0, "sigma_D_xx_eta1_S", -1.0, ":", "−(part from η∥⁽¹⁾)"),
            (1, "sigma_D_xy_parallel_S", 1.0, "--", "part from η∥"),
            (1, "sigma_D_xy_hall_S", -1.0, "-.", "−(part from η_H)"),
        ):
            values = sign * np.array([p[key] for p in pts])
            axes_row[column].loglog(temps, values, style, color="gray", lw=0.8,
                                    label=f"{part} ({lab})")  # fmt: skip
    return (
        f"{name} n_p={density:.0e}: σxx(1K)={sxx[0]:.3e} S, σxx(300K)={sxx[-1]:.3e} S, "
        f"T_d={pts[0]['T_d_K']:.1f} K"
    )


def _figure_q_functions(path: Path, n_T: int, step) -> str:
    """The Fig. 5 analogue: Q₁, Q₂, Q₃ versus z, with the paper's printed limits; a note."""
    plt = pyplot()
    zs = np.geomspace(1e-2, 1e2, max(21, 5 * n_T + 1))
    qs = np.array([q_functions(z) for z in zs])
    step(0.1 * len(zs))
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for i, lab in enumerate(("Q₁", "Q₂", "Q₃")):
        ax.semilogx(zs, qs[:, i], label=f"{lab}(z), our quadrature of Eq. (B{25 + i})")
    q_inf = q_functions(math.inf)
    ax.axhline(0.800, color="gray", ls=":", lw=0.9, label="paper's printed Q₁(∞) = 0.800")
    ax.axhline(0.205, color="k", ls=":", lw=0.9, label="paper's printed Q₂(∞) = 0.205")
    ax.set_xlabel("velocity ratio z = v$_F^p$ / v$_F^a$")
    ax.set_ylabel("Q$_i$(z) (dimensionless)")
    ax.legend(fontsize=7.5)
    ax.set_title(f"Fig. 5 analogue: Q₁(∞) = {q_inf[0]:.4f} (= 4/5), Q₂(∞) = {q_inf[1]:.6f} "
                 "(= 36/175)", fontsize=9)  # fmt: skip
    save_figure(fig, path, dpi=110)
    return f"Q1(inf) = {q_inf[0]:.6f} (paper 0.800), Q2(inf) = {q_inf[1]:.6f} (paper 0.205)"


def _figure_limits(path: Path, n_p: float, tau_p: float, n_T: int, step) -> None:
    """The approach of the quadrature to the low- and high-T closed forms (A2 interaction,
    C = 0: the closed forms' assumptions)."""
    plt = pyplot()
    bl = preset("fig2-d40", n_p_cm2=n_p, tau_p_ps=tau_p, tilt=0.0)
    ratios = np.geomspace(1e-3, 1e2, max(6, n_T + 2))
    lo, hi0, hi1 = [], [], []
    for rt in ratios:
        T = rt * bl.T_d
        r = drag_coefficients(bl, T, "a2")
        lo.append(r.eta0 / eta_low_T(bl, T))
        e0, e1, _ = eta_high_T(bl, T)
        hi0.append(r.eta0 / e0)
        hi1.append(r.eta1 / e1)
        step(0.4)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(ratios, np.abs(1 - np.array(lo)), label="|1 − η∥⁽⁰⁾/Eq.(31)|")
    ax.loglog(ratios, np.abs(1 - np.array(hi0)), label="|1 − η∥⁽⁰⁾/Eq.(41)|")
    ax.loglog(ratios, np.abs(1 - np.array(hi1)), label="|1 − η∥⁽¹⁾/Eq.(42)|")
    ax.set_xlabel("temperature T / T_d (T_d = min(v$_F^a$, v$_F^p$)/d)")
    ax.set_ylabel("relative deviation (dimensionless)")
    ax.set_title("our quadrature (Eq. A2, C = 0) vs the paper's closed forms", fontsize=10)
    ax.grid(True, which="both", lw=0.3)
    ax.legend(fontsize=8)
    save_figure(fig, path, dpi=110)


def nonlinear_figures(res: dict, out: Path) -> list[Path]:
    """Figures of ``python -m validate nonlinear`` (:func:`validate.nonlinear.nonlinear_report`):

    * ``nonlinear_strength.png`` — D(Θ)/D_linear with the fit ``c + aΘ`` (GaAs temperatures
      on the top axis);
    * ``nonlinear_chi.png`` — D(Θ)/D_linear and D over χ from the viscous instability to 5;
    * ``nonlinear_drift.png`` — D over the drift u through the drift instability u_c.
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "nonlinear_strength.png", out / "nonlinear_chi.png", out / "nonlinear_drift.png"]
    _figure_strength(res, paths[0])
    _figure_chi_scan(res, paths[1])
    _figure_drift_scan(res, paths[2])
    return paths


def _figure_strength(res: dict, path: Path) -> None:
    """D(Θ)/D_linear with the fit ``c + aΘ``, GaAs temperatures on the top axis."""
    from validate.regime import GAAS_EXAMPLE, fluctuation_strength

    plt = pyplot()
    kelvin_per_theta = 1.0 / fluctuation_strength(*GAAS_EXAMPLE, 1.0, "gaas")
    pts = res["strength"]
    fit = res["strength_fit"]
    fig, ax = plt.subplots(figsize=(6, 4))
    th = np.array([p["theta"] for p in pts])
    ax.errorbar(th, [p["ratio"] for p in pts], [p["ratio_sdev"] for p in pts], fmt="o",
                label="nonlinear Langevin (Lawson–Heun)")  # fmt: skip
    x = np.linspace(0, th.max() * 1.1, 50)
    ax.plot(x, fit["limit"] + fit["slope"] * x, "-",
            label=f"fit: {fit['limit']:.3f}({1000 * fit['limit_sdev']:.0f}) + "
                  f"({fit['slope']:.2f} ± {fit['slope_sdev']:.2f}) Θ")  # fmt: skip
    ax.axhline(1.0, color="k", lw=0.8, ls=":")
    ax.set_xlabel("fluctuation strength Θ = T/(2π (e²/κd)(nd²)²)")
    ax.set_ylabel("D / D_linear (same kept modes)")
    top = ax.secondary_xaxis("top", functions=(lambda t: t * kelvin_per_theta,
                                               lambda k: k / kelvin_per_theta))  # fmt: skip
    top.set_xlabel("T (K), GaAs: n = 1e11 cm⁻², d = 40 nm")
    ax.legend(fontsize=8)
    pt = res["point"]
    ax.set_title(f"ς = {pt['varsigma']:g}, β = {pt['beta']:g}, χ = {pt['chi']:g}, "
                 f"u = {pt['drift']:g}", fontsize=9)  # fmt: skip
    save_figure(fig, path, dpi=120)


def _figure_chi_scan(res: dict, path: Path) -> None:
    """D(Θ)/D_linear and D over χ, through the viscous instability χ_c."""
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(6, 6.5), sharex=True)
    chi_c = res["thresholds"]["chi_c"]
    for theta in sorted({p["theta"] for p in res["chi_scan"]}):
        sel = [p for p in res["chi_scan"] if p["theta"] == theta]
        ok = [p for p in sel if not p["blow_up"] and p["linear_stable"]]
        a1.errorbar([p["chi"] for p in ok], [p["ratio"] for p in ok],
                    [p["ratio_sdev"] for p in ok], fmt="o-", label=f"Θ = {theta:g}")  # fmt: skip
        a2.errorbar([p["chi"] for p in ok], [p["mean"] for p in ok], [p["sdev"] for p in ok],
                    fmt="o", label=f"nonlinear, Θ = {theta:g}")  # fmt: skip
        past = [p for p in sel if p["blow_up"] or not p["linear_stable"]]
        for p in past:
            marker = "x" if p["blow_up"] else "s"
            a2.plot([p["chi"]], [0.0], marker, color="C3")
    lin = sorted({(p["chi"], p["linear"]) for p in res["chi_scan"] if p["linear_stable"]})
    a2.plot(
        [c for c, _ in lin], [v for _, v in lin], "k-", lw=1, label="linear (exact, same modes)"
    )
    for ax in (a1, a2):
        ax.axvline(chi_c, color="C3", ls="--", lw=0.8)
    a1.axhline(1.0, color="k", lw=0.8, ls=":")
    a1.set_ylabel("D / D_linear")
    a1.legend(fontsize=8)
    a1.set_title(f"viscous instability of the linear model at χ_c = {chi_c:.3f} (dashed); "
                 "× = nonlinear blow-up", fontsize=8)  # fmt: skip
    a2.set_xlabel("χ")
    a2.set_ylabel("D = ρ_D/ρ₀")
    a2.legend(fontsize=8)
    save_figure(fig, path, dpi=120)


def _figure_drift_scan(res: dict, path: Path) -> None:
    """D over the drift u, through the drift instability u_c."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    dr = res["drift_scan"]
    ok = [p for p in dr if not p["blow_up"]]
    ax.errorbar([p["drift"] for p in ok], [p["mean"] for p in ok], [p["sdev"] for p in ok],
                fmt="o", label=f"nonlinear, Θ = {dr[0]['theta']:g}" if dr else "")  # fmt: skip
    st = [p for p in dr if p["linear_stable"]]
    ax.plot([p["drift"] for p in st], [p["linear"] for p in st], "ks-", mfc="none", lw=1,
            label="linear (exact, same modes)")  # fmt: skip
    ax.set_yscale("log")
    floor = min([p["mean"] for p in ok] + [p["linear"] for p in st] or [1.0]) / 2
    for p in dr:
        if p["blow_up"]:
            ax.plot([p["drift"]], [floor], "x", color="C3", ms=9)
    ax.axvline(res["thresholds"]["u_c"], color="C3", ls="--", lw=0.8,
               label=f"linear drift instability u_c = {res['thresholds']['u_c']:.3f}")  # fmt: skip
    ax.set_xlabel("drift u = v/(ω_p d)")
    ax.set_ylabel("D = ρ_D/ρ₀")
    ax.legend(fontsize=8)
    ax.set_title("× = nonlinear blow-up (density ≤ 0 or non-finite)", fontsize=9)
    save_figure(fig, path, dpi=120)
