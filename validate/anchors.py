r"""External anchors: published 2DEG–2DEG drag results, the package against a route of its own.

Each anchor compares a public function of the package with :mod:`validate.referee_2deg`, a
referee's implementation that imports nothing of the package (numpy/scipy only: its own
constants, its own μ(T), its own Π(q, ω; T) from the state integral, its own RPA interaction
and drag quadrature), or with a closed form from the literature.

(a) Plasmon enhancement of drag: K. Flensberg and B. Y.-K. Hu, *Plasmon enhancement of
    Coulomb drag in double-quantum-well systems*, Phys. Rev. B 52, 14796 (1995), at their
    set-up of the GaAs double quantum wells of T. J. Gramila et al., Phys. Rev. Lett. 66, 1216
    (1991): n = 1.5×10¹¹ cm⁻² per layer, d = 375 Å, m = 0.067 mₑ, ε = 12.9, zero well width.
    ρ_D/T² against T/T_F with screening at T = 0 and at T (fixed density): the package's
    :func:`validate.screening.drag_resistivity_2deg` against
    :func:`validate.referee_2deg.drag_resistivity_with_error`, point by point, and the
    minimum and upturn of the screening-at-T curve.
(b) Large-spacing low-T closed form (A.-P. Jauho and H. Smith, Phys. Rev. B 47, 4420 (1993);
    coefficient as quoted by A. Levchenko and A. Kamenev, Phys. Rev. Lett. 100, 026805
    (2008)): ρ_D = (h/e²)(πζ(3)/32)(T/E_F)²/((q_TF d)²(k_F d)²). Its corrections at finite
    spacing follow from expanding the static RPA interaction
    U = V e^{−qd}/[(1 + κ/q)² − (κ/q)² e^{−2qd}] in q/κ and Stern's Im Π in q/2k_F, with the
    weight x³/sinh²x (x = qd) of the leading term:
    ρ_D/closed form = 1 − c₁/(q_TF d) + c₂/(q_TF d)² + c_k/(k_F d)² + O((q_TF d)⁻³),
    c₁ = 4⟨x/(1 − e^{−2x})⟩, c₂ = ⟨12x²/(1 − e^{−2x})² − 2x²/(1 − e^{−2x})⟩, c_k = ⟨x²⟩/4
    (c₁ = 7.6016, c₂ = 45.449, c_k = 1.0783), and a temperature correction that vanishes as
    (T/T_d)² ln(T_d/T) (made negligible by T = 10⁻⁴ T_d). The anchor passes where the package's
    ratio lies within the last kept term c₂/(q_TF d)² of this asymptotic series.
(c) Π(q, ω; T) of the 2DEG at fixed density (Maldague's average at μ(T), the package)
    against the state integral of the referee, inside and outside the T = 0 continuum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import integrate

from dragcore import units
from layers.presets import GAAS_DIELECTRIC, GAAS_MASS_ME, gaas_double_well
from validate import referee_2deg as referee
from validate.plotting import pyplot, save_figure
from validate.screening import (
    FLENSBERG_HU_DENSITY_CM2,
    FLENSBERG_HU_SPACING_NM,
    drag_resistivity_2deg,
    flensberg_hu_bilayer,
)

__all__ = [
    "AnchorRow",
    "FlensbergHuCurves",
    "flensberg_hu_curves",
    "flensberg_hu_rows",
    "large_spacing_coefficients",
    "large_spacing_rows",
    "polarization_rows",
    "external_anchors",
    "anchors_markdown",
    "plot_flensberg_hu",
    "FH_TEMPERATURES",
    "POLARIZATION_TOLERANCE",
    "LARGE_SPACINGS_NM",
]

FLENSBERG_HU = (
    "K. Flensberg and B. Y.-K. Hu, Phys. Rev. B 52, 14796 (1995); GaAs double wells of "
    "T. J. Gramila et al., PRL 66, 1216 (1991): n = 1.5e11 cm^-2, d = 375 Å"
)
JAUHO_SMITH = (
    "A.-P. Jauho and H. Smith, PRB 47, 4420 (1993); A. Levchenko and A. Kamenev, PRL 100, "
    "026805 (2008): ρ_D = (h/e²)(πζ(3)/32)(T/E_F)²/((q_TF d)²(k_F d)²)"
)
MALDAGUE = "P. F. Maldague, Surf. Sci. 73, 296 (1978): Π(q, ω; T) at fixed n vs the state integral"

#: Largest |ΔΠ|/ν accepted between the package's Π at T and the state integral: both are
#: exact to rounding (measured ≤ 6e-15); 1e-10 leaves room for rounding on other CPUs.
POLARIZATION_TOLERANCE = 1e-10
#: T/T_F of the Flensberg–Hu anchor (0.02 … 0.5 T_F, as in their figure).
FH_TEMPERATURES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
#: Spacings (nm) of the large-spacing anchor, GaAs at n = 1.5×10¹¹ cm⁻² (q_TF d = 39 … 628).
LARGE_SPACINGS_NM = (200.0, 400.0, 800.0, 1600.0, 3200.0)


@dataclass(frozen=True)
class AnchorRow:
    """One comparison: ``package`` ± ``package_error`` against ``independent`` ±
    ``independent_error``; ``z`` = difference/combined error (NaN where the anchor's criterion
    is not a z test: then ``note`` says what it is)."""

    citation: str
    quantity: str
    package: float
    package_error: float
    independent: float
    independent_error: float
    z: float
    passed: bool
    note: str = ""


def _z(a: float, ea: float, b: float, eb: float) -> float:
    s = math.hypot(ea, eb)
    return (a - b) / s if s > 0 else (0.0 if a == b else math.copysign(math.inf, a - b))


@dataclass(frozen=True)
class FlensbergHuCurves:
    """ρ_D (units h/e²) and its quadrature error on T/T_F, per screening (``"T0"``,
    ``"finite_T"``) and route (``"package"``, ``"referee"``)."""

    t_over_tf: np.ndarray
    rho: dict  # (route, screening) → array
    err: dict

    def scaled(self, route: str, screening: str) -> tuple[np.ndarray, np.ndarray]:
        """ρ_D/(T/T_F)² (h/e²) and its error."""
        t2 = self.t_over_tf**2
        return self.rho[route, screening] / t2, self.err[route, screening] / t2


def flensberg_hu_curves(
    t_over_tf: Sequence[float] = FH_TEMPERATURES,
    n_package: int = 16,
    n_referee: int = 8,
    screenings: Sequence[str] = ("T0", "finite_T"),
) -> FlensbergHuCurves:
    """Both routes' ρ_D(T) at the Flensberg–Hu set-up, screening at T = 0 and at T."""
    ts = np.asarray(t_over_tf, float)
    bl = flensberg_hu_bilayer()
    gas = referee.Gas.physical(
        FLENSBERG_HU_DENSITY_CM2, FLENSBERG_HU_SPACING_NM, GAAS_MASS_ME, GAAS_DIELECTRIC
    )
    rho, err = {}, {}
    for sc in screenings:
        pv, pe, rv, re = [], [], [], []
        for t in ts:
            v, e = drag_resistivity_2deg(bl, t * bl.passive.eps_F, sc, n=n_package)
            pv.append(v / units.R_K)
            pe.append(e / units.R_K)
            v, e = referee.drag_resistivity_with_error(gas, t, sc == "finite_T", n=n_referee)
            rv.append(v)
            re.append(e)
        rho["package", sc], err["package", sc] = np.array(pv), np.array(pe)
        rho["referee", sc], err["referee", sc] = np.array(rv), np.array(re)
    return FlensbergHuCurves(ts, rho, err)


def flensberg_hu_rows(c: FlensbergHuCurves) -> list[AnchorRow]:
    """Point by point (z ≤ 3), then the minimum of ρ_D/T² with screening at T (the same grid
    point in both routes) and its upturn ρ_D/T²(last)/minimum (z ≤ 3)."""
    rows = []
    names = {"T0": "screening at T = 0", "finite_T": "screening at T"}
    for sc in ("T0", "finite_T"):
        if ("package", sc) not in c.rho:
            continue
        for i, t in enumerate(c.t_over_tf):
            a, ea = c.rho["package", sc][i], c.err["package", sc][i]
            b, eb = c.rho["referee", sc][i], c.err["referee", sc][i]
            z = _z(a, ea, b, eb)
            rows.append(AnchorRow(FLENSBERG_HU, f"ρ_D/(h/e²) at T = {t:g} T_F, {names[sc]}",
                                  a, ea, b, eb, z, abs(z) <= 3.0))  # fmt: skip
    if ("package", "finite_T") not in c.rho or c.t_over_tf.size < 3:
        return rows
    mins = {}
    for route in ("package", "referee"):
        s, _ = c.scaled(route, "finite_T")
        mins[route] = int(np.argmin(s))
    tp, tr = c.t_over_tf[mins["package"]], c.t_over_tf[mins["referee"]]
    same = mins["package"] == mins["referee"]
    rows.append(AnchorRow(FLENSBERG_HU, "T/T_F of the minimum of ρ_D/T², screening at T",
                          float(tp), 0.0, float(tr), 0.0, math.nan, same,
                          "grid point of the minimum; pass: the same in both routes"))  # fmt: skip
    up = {}
    for route in ("package", "referee"):
        s, e = c.scaled(route, "finite_T")
        i = mins[route]
        r = s[-1] / s[i]
        up[route] = (r, r * math.hypot(e[-1] / s[-1], e[i] / s[i]))
    z = _z(*up["package"], *up["referee"])
    rows.append(AnchorRow(FLENSBERG_HU,
                          f"upturn: ρ_D/T² at {c.t_over_tf[-1]:g} T_F over its minimum",
                          *up["package"], *up["referee"], z, abs(z) <= 3.0 and up["package"][0] > 1,
                          "screening at T"))  # fmt: skip
    return rows


def large_spacing_coefficients() -> tuple[float, float, float]:
    """(c₁, c₂, c_k) of the large-spacing series (module docstring), by quadrature."""

    def avg(f):
        w = integrate.quad(lambda x: x**3 / math.sinh(x) ** 2, 0, 60, epsrel=1e-12, limit=200)[0]
        v = integrate.quad(lambda x: x**3 / math.sinh(x) ** 2 * f(x), 0, 60, epsrel=1e-12,
                           limit=200)[0]  # fmt: skip
        return v / w

    def s(x):
        return -math.expm1(-2.0 * x)

    c1 = 4.0 * avg(lambda x: x / s(x))
    c2 = avg(lambda x: 12.0 * x * x / s(x) ** 2 - 2.0 * x * x / s(x))
    ck = 0.25 * avg(lambda x: x * x)
    return c1, c2, ck


def large_spacing_rows(
    spacings_nm: Sequence[float] = LARGE_SPACINGS_NM, t_over_td: float = 1e-4, n: int = 16
) -> list[AnchorRow]:
    """The package's ρ_D (screening at T = 0, the low-T regime T = ``t_over_td`` × T_d) over the
    closed form at growing spacing: ``package`` the ratio, ``independent`` the series
    1 − c₁/(q_TF d) + c₂/(q_TF d)² + c_k/(k_F d)², ``independent_error`` its last kept term
    c₂/(q_TF d)² (pass: the ratio within it)."""
    c1, c2, ck = large_spacing_coefficients()
    rows = []
    for d in spacings_nm:
        bl = gaas_double_well(FLENSBERG_HU_DENSITY_CM2, d)
        m = bl.passive
        gas = referee.Gas.physical(FLENSBERG_HU_DENSITY_CM2, d, GAAS_MASS_ME, GAAS_DIELECTRIC)
        t = t_over_td * 2.0 / gas.kd  # T_d = v_F/d = 2E_F/(k_F d)
        v, e = drag_resistivity_2deg(bl, t * m.eps_F, "T0", n=n)
        closed = referee.large_spacing_closed_form(gas, t) * units.R_K
        kd, kfd = gas.r * gas.kd, gas.kd
        series = 1.0 - c1 / kd + c2 / kd**2 + ck / kfd**2
        last = c2 / kd**2
        ratio, ratio_err = v / closed, e / closed
        rows.append(AnchorRow(JAUHO_SMITH, f"ρ_D/closed form, d = {d:g} nm (q_TF d = {kd:.1f}, "
                              f"k_F d = {kfd:.1f}, T = {t_over_td:g} T_d)", ratio, ratio_err,
                              series, last, math.nan, abs(ratio - series) <= last + ratio_err,
                              "pass: |ratio − series| ≤ last kept term c₂/(q_TF d)²"))  # fmt: skip
    return rows


def polarization_rows(n: int = 24) -> list[AnchorRow]:
    """Π(q, ω; T)/ν at fixed density: the package's ``Metal2D.polarization_at`` against the
    referee's state integral at q/k_F ∈ {0.3, 1, 2.5}, ω inside and outside the T = 0
    continuum, T/T_F ∈ {0.1, 0.3, 0.5}; one row per T, at the point of the largest deviation
    (Re or Im). The referee's error: its n vs ⌈1.5n⌉ difference; pass: deviation ≤
    :data:`POLARIZATION_TOLERANCE` (both routes are converged to rounding, ~1e-14)."""
    m = flensberg_hu_bilayer().passive
    nu, kf, ef = m.dos_2d, m.fermi_wavevector, m.eps_F
    rows = []
    for t in (0.1, 0.3, 0.5):
        worst = (-1.0, 0.0, 0.0, 0.0, "")
        for q in (0.3, 1.0, 2.5):
            lo, hi = max(0.0, q * q - 2 * q), 2 * q + q * q  # continuum in E_F (m = 1/2)
            for om in (0.5 * (lo + hi), 0.05 * hi, 1.3 * hi, hi + 3 * t):
                pkg = complex(m.polarization_at(q * kf, om * ef, t * ef)) / nu
                ref = complex(referee.polarization(q, om, t, n)) * 2 * math.pi
                ref2 = complex(referee.polarization(q, om, t, math.ceil(1.5 * n))) * 2 * math.pi
                for part, a, b, b2 in (("Re", pkg.real, ref.real, ref2.real),
                                       ("Im", pkg.imag, ref.imag, ref2.imag)):  # fmt: skip
                    if abs(a - b2) > worst[0]:
                        where = f"{part} Π/ν at q = {q:g} k_F, ω = {om:.3g} E_F"
                        worst = (abs(a - b2), a, b2, abs(b - b2), where)
        dev, a, b, eb, where = worst
        rows.append(AnchorRow(MALDAGUE, f"T = {t:g} T_F, largest deviation: {where}", a, 0.0,
                              b, eb, math.nan, dev <= POLARIZATION_TOLERANCE,
                              f"|Δ| = {dev:.1e}; pass: ≤ {POLARIZATION_TOLERANCE:g}"))  # fmt: skip
    return rows


def external_anchors(
    curves: FlensbergHuCurves | None = None,
) -> list[AnchorRow]:
    """All external anchors: (a) Flensberg–Hu, (b) the large-spacing closed form, (c) Π at T.
    ``curves``: a :func:`flensberg_hu_curves` result to reuse (the figure's)."""
    c = curves if curves is not None else flensberg_hu_curves()
    return flensberg_hu_rows(c) + large_spacing_rows() + polarization_rows()


def anchors_markdown(rows: Sequence[AnchorRow]) -> str:
    """The rows as a markdown table: quantity, both values ± errors, z ("—" where the criterion
    is not a z test), pass/fail, the criterion; the citations below it, each once."""
    lines = [
        "| anchor | quantity | package | independent | z | result | criterion |",
        "|---|---|---|---|---|---|---|",
    ]
    cites: list[str] = []
    for r in rows:
        if r.citation not in cites:
            cites.append(r.citation)
        z = "—" if not math.isfinite(r.z) else f"{r.z:+.2f}"
        quantity, note = (t.replace("|", "\\|") for t in (r.quantity, r.note or "|z| ≤ 3"))
        lines.append(
            f"| [{cites.index(r.citation) + 1}] | {quantity} | {r.package:.6g} ± "
            f"{r.package_error:.2g} | {r.independent:.6g} ± {r.independent_error:.2g} | {z} | "
            f"{'pass' if r.passed else 'FAIL'} | {note} |"
        )
    lines.append("")
    lines += [f"[{i + 1}] {c}" for i, c in enumerate(cites)]
    return "\n".join(lines) + "\n"


def plot_flensberg_hu(c: FlensbergHuCurves, path) -> None:
    """ρ_D/(T/T_F)² against T/T_F: the package (markers, quadrature error bars) and the
    referee's independent route (lines), screening at T = 0 and at T."""
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(5.8, 4.2))
    style = {"T0": ("C0", "screening at T = 0"), "finite_T": ("C3", "screening at T (fixed n)")}
    for sc, (col, lab) in style.items():
        if ("package", sc) not in c.rho:
            continue
        s, e = c.scaled("package", sc)
        r, _ = c.scaled("referee", sc)
        ax.errorbar(c.t_over_tf, s * units.R_K, yerr=e * units.R_K, fmt="o", color=col, ms=5,
                    capsize=2, label=f"package, {lab}")  # fmt: skip
        ax.plot(c.t_over_tf, r * units.R_K, "-", color=col, lw=1,
                label=f"independent route, {lab}")  # fmt: skip
    ax.set_xlabel("T / T_F")
    ax.set_ylabel("ρ_D / (T/T_F)²  (Ω)")
    t_f = units.erg_to_kelvin(flensberg_hu_bilayer().passive.eps_F)
    ax.set_title(f"2DEG–2DEG drag, GaAs, n = 1.5e11 cm⁻², d = 37.5 nm, T_F = {t_f:.0f} K\n"
                 "(set-up of Flensberg & Hu 1995; error bars: quadrature errors)",
                 fontsize=9)  # fmt: skip
    ax.legend(fontsize=7)
    save_figure(fig, path, dpi=110)
