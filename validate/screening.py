r"""Drag between two 2D electron gases with screening at T = 0 and at finite T.

The check of Flensberg & Hu (K. Flensberg and B. Y.-K. Hu, *Plasmon enhancement of Coulomb
drag in double-quantum-well systems*, Phys. Rev. B 52, 14796 (1995)): with the polarizations
of both layers at the temperature of the electrons, the coupled plasmons of the bilayer —
undamped at T = 0, where they lie outside the particle–hole continua — acquire thermal
Landau damping and carry drag; the scaled drag rate ρ_D/T², which falls with T when the
screening is that of T = 0, turns up above T ≈ 0.2 T_F. Their double quantum wells: GaAs,
n = 1.5×10¹¹ cm⁻² per layer, centre-to-centre distance 375 Å.

Here ρ_D ∝ η∥⁽⁰⁾ (:func:`layers.drag_integral.drag_coefficients`, the same quadrature as the
Weyl-film drag, with ``screening="T0"`` or ``"finite_T"``; the metal's Π at T is Maldague's
integral done exactly at the chemical potential μ(T) that holds the density,
:meth:`layers.metal_2d.Metal2D.polarization_at`), for GaAs (m = 0.067 mₑ, ε = 12.9,
:func:`layers.presets.gaas_double_well`). The external check of these curves, against a route
that shares no code with the package, is :mod:`validate.anchors`.
Measured (n = 16; ratios to the T = 0-screening value at 0.02 T_F; checked by
``tests/validate/test_screening.py``):

    ============================  =====  =====  =====
    T/T_F                         0.1    0.2    0.5
    ============================  =====  =====  =====
    T = 0 screening               0.857  0.735  0.576
    screening at T                0.904  1.044  3.722
    ============================  =====  =====  =====

quadrature errors ≤ 1.3e-2 (at 0.5 T_F): a minimum near 0.1 T_F and the upturn above it, as
Flensberg & Hu found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dragcore import units
from layers.bilayer import Bilayer
from layers.drag_integral import drag_coefficients
from layers.presets import gaas_double_well
from validate.plotting import pyplot, save_figure

__all__ = [
    "FLENSBERG_HU_DENSITY_CM2",
    "FLENSBERG_HU_SPACING_NM",
    "flensberg_hu_bilayer",
    "drag_resistivity_2deg",
    "ScaledDragRate",
    "scaled_drag_rate",
    "plot_scaled_drag_rate",
]


FLENSBERG_HU_DENSITY_CM2 = 1.5e11
FLENSBERG_HU_SPACING_NM = 37.5


def flensberg_hu_bilayer() -> Bilayer:
    """Two equal GaAs 2DEGs, n = 1.5×10¹¹ cm⁻², d = 37.5 nm (Flensberg & Hu 1995), with
    GaAs's own m = 0.067 mₑ and ε = 12.9 (:func:`layers.presets.gaas_double_well`)."""
    return gaas_double_well(FLENSBERG_HU_DENSITY_CM2, FLENSBERG_HU_SPACING_NM)


def drag_resistivity_2deg(bilayer: Bilayer, T: float, screening: str, n: int = 16):
    """(ρ_D, error) in Ω of two 2D metals at temperature T (erg): ρ_D = η∥⁽⁰⁾/(e² n₁ n₂ d)
    (:func:`layers.drag_integral.drag_coefficients`; the textbook drag formula of Jauho & Smith,
    see :mod:`validate.weyl`), the error the quadrature's."""
    r = drag_coefficients(bilayer, T, n=n, screening=screening)
    a, p = bilayer.active, bilayer.passive
    scale = 1.0 / (units.E_CHARGE**2 * a.density_2d * p.density_2d * bilayer.spacing)
    return (
        units.internal_resistance_to_ohm(r.eta0 * scale),
        units.internal_resistance_to_ohm(r.err0 * scale),
    )


@dataclass(frozen=True)
class ScaledDragRate:
    """η∥⁽⁰⁾/T² (∝ ρ_D/T²) against T/T_F, normalised to its first T = 0-screening value."""

    t_over_tf: np.ndarray
    screening: str
    value: np.ndarray
    error: np.ndarray
    norm: float  # the η∥⁽⁰⁾/T² (internal units) that ``value`` is divided by


def scaled_drag_rate(
    t_over_tf: Sequence[float],
    screening: str,
    bilayer: Bilayer | None = None,
    n: int = 16,
    norm: float | None = None,
) -> ScaledDragRate:
    """η∥⁽⁰⁾(T)/T² on the temperatures T = t·T_F (T_F = ε_F of the passive layer), divided by
    ``norm`` (None: the first value itself)."""
    bl = bilayer or flensberg_hu_bilayer()
    tf = bl.passive.eps_F
    vals, errs = [], []
    for t in t_over_tf:
        T = float(t) * tf
        r = drag_coefficients(bl, T, n=n, screening=screening)
        vals.append(r.eta0 / T**2)
        errs.append(r.err0 / T**2)
    vals, errs = np.array(vals), np.array(errs)
    scale = vals[0] if norm is None else norm
    return ScaledDragRate(
        np.asarray(t_over_tf, float), screening, vals / scale, errs / scale, float(scale)
    )


def plot_scaled_drag_rate(curves: Sequence[ScaledDragRate], path) -> None:
    """ρ_D/T² against T/T_F for each screening, with the quadrature errors."""
    plt = pyplot()

    labels = {"T0": "T = 0 screening (the papers' model)", "finite_T": "screening at T"}
    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    for c in curves:
        ax.errorbar(c.t_over_tf, c.value, yerr=c.error, marker="o", ms=4, capsize=2,
                    label=labels.get(c.screening, c.screening))  # fmt: skip
    ax.set_xlabel("T / T_F")
    ax.set_ylabel("ρ_D / T²  (normalised)")
    ax.set_title("2DEG–2DEG drag, n = 1.5e11 cm⁻², d = 37.5 nm\n(Flensberg & Hu 1995)")
    ax.legend(fontsize=8)
    save_figure(fig, path, dpi=110)
