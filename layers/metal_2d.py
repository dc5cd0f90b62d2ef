"""The 2D parabolic metal as a layer (the passive layer of the Hall-drag paper; either layer
of ordinary 2D–2D drag).

Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by electron-electron skew
scattering*, arXiv:2407.03023v2 (2024); for two 2D metals the drag is that of A.-P. Jauho and
H. Smith, *Coulomb drag between parallel two-dimensional electron systems* (1993).
The metal's equilibrium
properties, its polarization (Stern at T = 0; Maldague's integral done exactly at T, at the
chemical potential μ(T) that holds the layer's density; :mod:`layers.metal`), the
Fermi-surface data the Monte Carlo samples, and its transport coefficients (an
energy-independent transport time, no Hall friction). It implements
:class:`layers.interface.Layer`.

Internal units (see :mod:`dragcore.units`): ħ = k_B = 1, lengths in cm, energies in erg,
masses as m/ħ², times as t/ħ. Physical inputs are converted once, in
:func:`metal_from_physical`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dragcore import units
from dragcore.checks import require_positive, require_range
from layers.interface import ZERO_HALL, CollisionModel
from layers.metal import (
    ParabolicFermiSea,
    metal_im_polarization_exact_T,
    metal_polarization_exact_T,
    parabolic_chemical_potential,
    stern_polarization,
)

__all__ = ["Metal2D", "metal_from_physical"]


@dataclass(frozen=True)
class Metal2D(ParabolicFermiSea):
    """A 2D parabolic metal with an energy-independent transport time (internal units); its
    equilibrium properties (k_F, v_F, ε_F, ν, n) are those of :class:`layers.metal.
    ParabolicFermiSea`.

    Attributes
    ----------
    density
        n, 1/cm².
    mass
        m/ħ², 1/(erg·cm²).
    tau
        Transport time τ/ħ, 1/erg.
    g_s
        Spin degeneracy (1 or 2).
    """

    density: float  # 1/cm²
    mass: float  # m/ħ², 1/(erg·cm²)
    tau: float  # τ/ħ, 1/erg
    g_s: int = 2

    def __post_init__(self) -> None:
        require_positive("n_p", self.density)
        require_positive("m", self.mass)
        require_positive("tau_p", self.tau)
        require_range("g_s", self.g_s, 1, 2)

    # --- polarization ---------------------------------------------------------------
    def polarization(self, q, omega) -> np.ndarray:
        """Stern's Π(q, ω) at T = 0 (exact)."""
        return stern_polarization(q, omega, self.fermi_wavevector, self.mass, self.g_s)

    def chemical_potential(self, T: float) -> float:
        """μ(T) at the layer's fixed density n: T ln(e^{ε_F/T} − 1)
        (:func:`layers.metal.parabolic_chemical_potential`)."""
        return parabolic_chemical_potential(self.eps_F, T)

    def polarization_at(self, q, omega, T: float) -> np.ndarray:
        """Π(q, ω) at temperature T and the layer's density n, exact: Maldague's integral done
        exactly (:func:`layers.metal.metal_polarization_exact_T`) at the chemical potential
        μ(T) that holds n (:meth:`chemical_potential`; at μ = ε_F the gas would hold
        n(1 + (T/ε_F) ln(1 + e^{−ε_F/T})): +1 % at 0.3 T_F, +6 % at 0.5 T_F)."""
        mu = self.chemical_potential(T)
        return metal_polarization_exact_T(q, omega, mu, self.mass, self.g_s, T)

    def ballistic_polarization(self, q, omega) -> np.ndarray:
        """Π/ν for q ≪ k_F: 1 + i s/√(1 − s²) inside the continuum s = |ω|/(v_F q) < 1,
        1 − s/√(s² − 1) outside (Stern's limit, Eq. A2's ingredient)."""
        s = np.abs(omega) / (self.fermi_velocity * q)
        sg = np.sign(omega)
        inside = s < 1.0
        re = np.where(inside, 1.0, 1.0 - s / np.sqrt(np.where(inside, 2.0, s * s - 1.0)))
        im = np.where(inside, s / np.sqrt(np.where(inside, 1.0 - s * s, 1.0)), 0.0)
        return re + 1j * sg * im

    @property
    def im_slope_coefficient(self) -> float:
        """1: Im Π = ν ω/(v_F q) for ω ≪ v_F q."""
        return 1.0

    def continuum(self, q, T: float | None = None) -> tuple[np.ndarray, np.ndarray, list]:
        """[max(0, q²/2m − v q), v q + q²/2m] with the kink at |v q − q²/2m|; at temperature T
        the exponential tails beyond the T = 0 edges: [0, max((1 + 40T/ε_F) × edge, 40T)]
        keeps them to e^{−80} and holds the plasmons up to the thermal cut sinh⁻²(ω/2T) ~
        e^{−40}."""
        v = self.fermi_velocity
        e_q = q * q / (2.0 * self.mass)
        lo = np.maximum(0.0, e_q - v * q)
        hi = v * q + e_q
        if T is not None:  # and the plasmons above it (up to 40T, the thermal cut)
            hi = np.maximum(hi * (1.0 + 40.0 * T / self.eps_F), 40.0 * T)
            lo = np.zeros_like(q)
        return lo, hi, [np.abs(v * q - e_q)]

    def wavevector_breaks(self) -> tuple[float, ...]:
        """2k_F, where Stern's Π has its kink."""
        return (2.0 * self.fermi_wavevector,)

    # --- finite-T reference and the Monte Carlo's sampler --------------------------------
    def im_polarization_at(self, q, omega, T: float) -> np.ndarray:
        """Im Π at temperature T and the layer's density n (chemical potential μ(T),
        :meth:`chemical_potential`), exact (:func:`layers.metal.metal_im_polarization_exact_T`):
        the limit of the Monte Carlo's state sum, whose occupations are at the same μ(T)
        (:func:`montecarlo.collision.collision_params`)."""
        mu = self.chemical_potential(T)
        return metal_im_polarization_exact_T(q, omega, mu, self.mass, self.g_s, T)

    def weighted_im_polarization_at(self, q, omega, T: float, n: int) -> tuple[np.ndarray, ...]:
        """Im Π at T with the weights: k₁·q̂ − q/2 = mω/q on every state of the line of
        states, so η∥⁽¹⁾'s weight is mω²/(μ q²), μ = μ(T) as in the Monte Carlo (η∥⁽¹⁾
        is not reported for a metal); η_{Q3}'s weight is not constant there (no
        reference: NaN); no side jump and no e–e–impurity skew scattering in a 2D metal (0).
        ``n`` is not used (exact)."""
        im0 = self.im_polarization_at(q, omega, T)
        return (
            im0,
            im0 * self.mass * omega * omega / (self.chemical_potential(T) * q * q),
            im0 * np.nan,
            im0 * 0.0,
            im0 * 0.0,
            im0 * 0.0,
        )

    def thermal_omega_max(self, q, T: float) -> np.ndarray:
        """(1 + 40T/ε_F)(v q + q²/2m): the continuum widened thermally."""
        return (self.fermi_velocity * q + q * q / (2 * self.mass)) * (1.0 + 40.0 * T / self.eps_F)

    def thermal_omega_kinks(self, q) -> list:
        """|v q ± q²/2m|: the T = 0 edges, thermally smeared √ edges inside the range."""
        return [np.abs(self.fermi_velocity * q + c * q * q / (2 * self.mass)) for c in (1.0, -1.0)]

    @property
    def finite_T_reference_is_exact(self) -> bool:
        return True

    @property
    def collision_model(self) -> CollisionModel:
        return CollisionModel.METAL_2D

    @property
    def drag_coefficient_names(self) -> tuple[str, ...]:
        """η∥⁽⁰⁾ only: the quadrature's η∥⁽¹⁾ and η_{Q3} weights are the film's ω̃²."""
        return ("eta0",)

    # --- transport ------------------------------------------------------------------
    @property
    def boost_per_field(self) -> float:
        """u = (τ/m) eE."""
        return self.tau / self.mass

    @property
    def hall_ratio(self) -> float:
        return 0.0

    @property
    def boost_exponents(self) -> tuple[float, float]:
        return (0.0, 0.0)

    @property
    def conductivity_xx(self) -> float:
        """σ/e² = n τ/m."""
        return self.density * self.tau / self.mass

    @property
    def conductivity_xy_regular(self) -> float:
        return 0.0

    @property
    def conductivity_xy_anomalous(self) -> float:
        return 0.0

    def hall_from_q3(self, eta_q3: float, side_jump: str = "B23") -> dict[str, float]:
        """No skew scattering: zero Hall friction."""
        return dict(ZERO_HALL)


def metal_from_physical(
    n_cm2: float, mass_me: float, tau_ps: float, g_s: int = 2
) -> Metal2D:
    """Metal2D from a density (cm⁻²), an effective mass (mₑ) and τ (ps); spin degeneracy
    ``g_s`` (default 2). The presets' values: :data:`layers.presets.PRESET_DEFAULTS`."""
    require_positive("n_p", n_cm2)
    require_positive("m", mass_me)
    require_positive("tau_p", tau_ps)
    return Metal2D(
        density=units.per_cm2_to_internal_density(n_cm2),
        mass=units.electron_masses_to_internal(mass_me),
        tau=units.ps_to_internal_time(tau_ps),
        g_s=g_s,
    )
