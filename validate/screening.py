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
integral done exactly, :func:`layers.metal.metal_polarization_exact_T`).
Measured (ratios to the T = 0-screening value at 0.02 T_F):
T/T_F = 0.05, 0.1, 0.2, 0.3, 0.5: T = 0 screening 0.950, 0.857, 0.732, 0.665, 0.567;
finite-T screening 0.958, 0.904, 1.021, 1.659, 3.371 (quadrature errors ≤ 2.4e-2):
a minimum near 0.1 T_F and the upturn above it, as Flensberg & Hu found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from layers.bilayer import Bilayer
from layers.drag_integral import drag_coefficients
from layers.presets import preset

__all__ = ["flensberg_hu_bilayer", "ScaledDragRate", "scaled_drag_rate", "plot_scaled_drag_rate"]


def flensberg_hu_bilayer() -> Bilayer:
    """Two equal GaAs 2DEGs, n = 1.5×10¹¹ cm⁻², d = 37.5 nm (Flensberg & Hu 1995)."""
    return preset("fig2-d40", active="metal", n_p_cm2=1.5e11, d_nm=37.5)


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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {"T0": "T = 0 screening (the papers' model)", "finite_T": "screening at T"}
    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    for c in curves:
        ax.errorbar(c.t_over_tf, c.value, yerr=c.error, marker="o", ms=4, capsize=2,
                    label=labels.get(c.screening, c.screening))  # fmt: skip
    ax.set_xlabel("T / T_F")
    ax.set_ylabel("ρ_D / T²  (normalised)")
    ax.set_title("2DEG–2DEG drag, n = 1.5e11 cm⁻², d = 37.5 nm\n(Flensberg & Hu 1995)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
