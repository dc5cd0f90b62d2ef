r"""E–e–impurity Hall friction by quadrature, from the derived rates.

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024).

:mod:`layers.skew_scattering` derives (Steps 1–6 of its docstring)

    η_H(e-e-imp, i) = −(1/(2ε_F τ)) η[φ_i],   φ₁ = X₁(ω̃, C)/B(ω̃, C),   φ₂ = φ₁/3,

with η[φ] the Born coefficient (B7) with the weight φ(ω̃), ω̃ = ω/(v_F^a q), under the
(q, ω) integral. Here η[φ] is computed with the panels of :mod:`validate.weyl` (same q and
ω break points, the same |U|² Im Π_p Im Π_a kernel, ``screening="T0"``), the error estimate
being the difference from ⌈1.5n⌉ points per panel, as for :func:`validate.weyl.drag_coefficients`.

Comparison with the paper: (B17) η_H(1) = −C η_{Q3}/(4ε_F τ) and (B18) η_H(2) = η_H(1)/3 are
the leading order in C of the derived result (φ₁ → (C/2)(1 − ω̃²)); the ratio derived/(B17)
is 1 + O(C²) — measured in ``tests/validate/test_skew.py`` and printed by
:func:`skew_table`. (B18) holds exactly in C (a₂ = 1/3).

:func:`skew_table` prints derived/(B17) per preset, C and T. At C = 0.01,
1 − ratio = (9/4)C²⟨1 − ω̃²⟩ + O(C⁴) ≤ (9/4)C²(1 + C²); at C = 0.3 the ratio lies inside the
pointwise bounds [0.8111, 1] of φ₁/φ₁,leading and tends to the ω̃ → 0 value 0.8111 for T ≪ T_d
(both in ``tests/validate/test_skew.py``); at 10 K it is 0.83–0.84 for both spacings (the main
job's report rows, quoted in the README and checked against it). Both sign and leading size of
(B17), (B18) are confirmed; at the paper's C = 0.3 its leading-order formulas overstate
|η_H(e-e-imp)| within the model (Born disorder, no crossed diagrams, q ≪ k_F, T ≪ ε_F, leading
order in 1/(ε_F τ)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dragcore import units
from dragcore.checks import require_positive
from layers.bilayer import Bilayer
from layers.drag_integral import _inv_sinh2, drag_kernel, omega_panels, q_panels
from layers.presets import preset
from layers.skew_scattering import skew_weight_functions, skew_weight_functions_leading
from layers.weyl_film import WeylFilm
from validate.weyl import hall_coefficients

__all__ = ["weighted_eta", "SkewHall", "skew_hall_coefficients", "skew_table"]


def _weighted_eta_once(bilayer: Bilayer, T: float, n: int, tilt: float) -> np.ndarray:
    """(η_{Q3}, η[φ₁], η[φ₁ leading]) with n Gauss points per panel (validate.weyl's panels)."""
    d = bilayer.spacing
    a = bilayer.active
    x, wx = q_panels(bilayer, T, n)
    q = x / d
    tot = np.zeros(3)
    for qq, om, weight in omega_panels(bilayer, q, T, n):
        om_safe = np.maximum(om, 1e-300)
        k = drag_kernel(bilayer, qq, om_safe, "exact")
        base = k * _inv_sinh2(om_safe / (2.0 * T)) * weight * qq**3
        omt = np.clip(om_safe / (a.fermi_velocity * qq), 0.0, 1.0)
        phi1, _ = skew_weight_functions(omt, tilt)
        lead1, _ = skew_weight_functions_leading(omt, tilt)
        wxd = wx[:, None] / d
        tot[0] += np.sum(wxd * base * (1.0 - omt**2))
        tot[1] += np.sum(wxd * base * phi1)
        tot[2] += np.sum(wxd * base * lead1)
    return d / (8.0 * np.pi**2 * T) * tot


def weighted_eta(bilayer: Bilayer, T: float, n: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """(η_{Q3}, η[φ₁], η[φ₁ leading in C]) and their error estimates (internal units, 1/cm³).

    φ₁ from :func:`layers.skew_scattering.skew_weight_functions` at the film's tilt.
    """
    require_positive("T", T)
    if not isinstance(bilayer.active, WeylFilm):  # the derivation is the tilted film's
        raise ValueError("the e–e–impurity skew friction needs the Weyl film as active layer")
    tilt = bilayer.active.tilt
    r1 = _weighted_eta_once(bilayer, T, n, tilt)
    r2 = _weighted_eta_once(bilayer, T, int(np.ceil(1.5 * n)), tilt)
    return r2, np.abs(r2 - r1)


@dataclass(frozen=True)
class SkewHall:
    """η_H(e-e-imp, 1) and (2): derived (exact in C), leading order in C, the paper's (B17)/(B18).

    Internal units (1/cm³); ``err_*`` are quadrature error estimates; ``ratio1`` is
    derived/(B17) (= derived/(B18) for part 2, since both parts keep the factor 1/3).
    """

    eta_h1: float
    eta_h2: float
    eta_h1_leading: float
    eta_h1_paper: float
    eta_h2_paper: float
    eta_q3: float
    err_h1: float
    err_h1_leading: float
    err_q3: float

    @property
    def ratio1(self) -> float:
        return self.eta_h1 / self.eta_h1_paper

    @property
    def ratio2(self) -> float:
        return self.eta_h2 / self.eta_h2_paper

    @property
    def ratio_err(self) -> float:
        """Error of ``ratio1`` from the quadrature estimates (added in quadrature)."""
        return abs(self.ratio1) * float(
            np.hypot(self.err_h1 / abs(self.eta_h1), self.err_q3 / abs(self.eta_q3))
        )


def skew_hall_coefficients(bilayer: Bilayer, T: float, n: int = 24) -> SkewHall:
    """η_H(e-e-imp, 1), (2) = −η[φ_{1,2}]/(2ε_F τ) (derived) beside (B17), (B18) at T (erg)."""
    (eq3, e1, e1l), (dq3, de1, de1l) = weighted_eta(bilayer, T, n)
    a = bilayer.active
    pref = -1.0 / (2.0 * a.eps_F * a.tau)
    paper = hall_coefficients(bilayer, eq3)
    return SkewHall(
        eta_h1=pref * e1,
        eta_h2=pref * e1 / 3.0,
        eta_h1_leading=pref * e1l,
        eta_h1_paper=paper["eei1"],
        eta_h2_paper=paper["eei2"],
        eta_q3=eq3,
        err_h1=abs(pref) * de1,
        err_h1_leading=abs(pref) * de1l,
        err_q3=dq3,
    )


def skew_table(
    temperatures_K: tuple[float, ...] = (1.0, 10.0, 30.0, 100.0, 300.0),
    tilts: tuple[float, ...] = (0.01, 0.3),
    spacings: tuple[str, ...] = ("fig2-d40", "fig2-d120"),
    n: int = 24,
) -> list[dict]:
    """Rows (preset, C, T_K, T/T_d, η_H(1) derived and (B17) in Pa·s, ratio ± error)."""
    rows = []
    for name in spacings:
        for tilt in tilts:
            bl = preset(name, tilt=tilt)
            for tk in temperatures_K:
                r = skew_hall_coefficients(bl, units.kelvin_to_erg(tk), n)
                pa = units.internal_viscosity_to_pascal_second
                rows.append(
                    {
                        "preset": name,
                        "C": tilt,
                        "T_K": tk,
                        "T_over_Td": units.kelvin_to_erg(tk) / bl.T_d,
                        "eta_H1_Pa_s": pa(r.eta_h1),
                        "eta_H1_B17_Pa_s": pa(r.eta_h1_paper),
                        "eta_H2_Pa_s": pa(r.eta_h2),
                        "ratio": r.ratio1,
                        "ratio_err": r.ratio_err,
                        "leading_over_B17": r.eta_h1_leading / r.eta_h1_paper,
                    }
                )
    return rows
