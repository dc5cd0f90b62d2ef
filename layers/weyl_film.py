"""The tilted Weyl film as a layer: a film of a pair of tilted Weyl nodes (internal units).

Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by electron-electron skew
scattering*, arXiv:2407.03023v2 (2024), Eq. (15) and App. C: the film's equilibrium properties,
its polarization
(tilt exact, ballistic; :mod:`layers.interaction`), its exact finite-T state sums
(:mod:`layers.film_state_sum`), the Fermi-surface data the Monte Carlo samples, and its
transport coefficients and Hall friction (:mod:`layers.weyl`). It implements
:class:`layers.interface.Layer`.

Internal units (see :mod:`dragcore.units`): ħ = k_B = 1, lengths in cm, energies in erg,
velocities as ħv (erg·cm), times as t/ħ. Physical inputs are converted once, in
:func:`weyl_film_from_physical`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dragcore import units
from dragcore.checks import require_positive, require_range
from layers.film_state_sum import film_im_polarization_exact
from layers.interaction import (
    weyl_ballistic_thermal_factor,
    weyl_chemical_potential,
    weyl_film_polarization,
    weyl_im_slope_tilt_factor,
)
from layers.interface import DRAG_COEFFICIENTS, CollisionModel
from layers.weyl import (
    hall_time_ratio,
    pair_ahe_extrinsic_velocity,
    pair_ahe_intrinsic,
    pair_ahe_regular,
    pair_conductivity_xx,
    parallel_transport_time,
    weyl_density,
    weyl_dos,
)

__all__ = ["WeylFilm", "weyl_film_from_physical"]


@dataclass(frozen=True)
class WeylFilm:
    """A film of a pair of tilted Weyl nodes (internal units).

    Attributes
    ----------
    eps_F
        Fermi energy measured from the nodes, erg.
    v_F
        ħ v_F, erg·cm.
    tau
        Elastic time at ε_F, τ/ħ in 1/erg.
    tilt
        C, |C| < 1 (type I); the nodes are tilted along the film's normal.
    thickness
        W, cm.
    node_separation
        Δ_k, 1/cm (enters only σ^int, Eq. C21).
    n_nodes
        Number of nodes (a TRS-broken pair: 2).
    """

    eps_F: float  # erg
    v_F: float  # ħ v_F, erg·cm
    tau: float  # elastic time at ε_F, τ/ħ in 1/erg
    tilt: float  # C
    thickness: float  # W, cm
    node_separation: float = 0.0  # Δ_k, 1/cm (enters only σ^int)
    n_nodes: int = 2

    def __post_init__(self) -> None:
        require_positive("eps_F_a", self.eps_F)
        require_positive("v_F_a", self.v_F)
        require_positive("tau_a", self.tau)
        require_range("C", self.tilt, -1.0, 1.0, lo_open=True, hi_open=True)
        require_positive("W", self.thickness)
        require_positive("Delta_k", self.node_separation, allow_zero=True)

    # --- equilibrium properties -----------------------------------------------------
    @property
    def fermi_velocity(self) -> float:
        return self.v_F

    @property
    def dos_2d(self) -> float:
        """ν^a W (both nodes), 1/(erg·cm²)."""
        return self.thickness * self.n_nodes * float(weyl_dos(self.eps_F, self.v_F, self.tilt))

    @property
    def density_2d(self) -> float:
        """n^a W, 1/cm² (electrons counted from the nodes)."""
        return self.thickness * self.n_nodes * weyl_density(self.eps_F, self.v_F, self.tilt)

    @property
    def fermi_wavevector(self) -> float:
        return self.eps_F / self.v_F

    # --- polarization ---------------------------------------------------------------
    def polarization(self, q, omega) -> np.ndarray:
        """Sheet Π^a(q, ω), T = 0, ballistic (see :mod:`layers.interaction`)."""
        return weyl_film_polarization(
            q, omega, self.eps_F, self.v_F, self.tilt, self.thickness, self.n_nodes
        )

    def chemical_potential(self, T: float) -> float:
        """μ(T) at the film's fixed density: μ³ + π²T²μ = ε_F³
        (:func:`layers.interaction.weyl_chemical_potential`)."""
        return weyl_chemical_potential(self.eps_F, T)

    def polarization_at(self, q, omega, T: float) -> np.ndarray:
        """Sheet Π^a(q, ω) at temperature T and the film's fixed density, ballistic: Maldague's
        average of the ballistic form ν(μ′)F(ω/vq), ν ∝ μ′², at μ = μ(T) is exactly the
        factor (μ² + π²T²/3)/ε_F² = 1 − π²T²/(3ε_F²) + …
        (:func:`layers.interaction.weyl_ballistic_thermal_factor`)."""
        return self.polarization(q, omega) * weyl_ballistic_thermal_factor(self.eps_F, T)

    def ballistic_polarization(self, q, omega) -> np.ndarray:
        """Π/ν: the film's polarization is already ballistic (tilt exact)."""
        return self.polarization(q, omega) / self.dos_2d

    @property
    def im_slope_coefficient(self) -> float:
        """(π/2)(1 + C²/2)/√(1 − C²): the slope of the film's Im Π (Eq. 31 with the tilt)."""
        return 0.5 * np.pi * weyl_im_slope_tilt_factor(self.tilt)

    def continuum(self, q, T: float | None = None) -> tuple[np.ndarray, np.ndarray, list]:
        """[0, v q], no interior kink; exact at any T (δ = ω/v ≤ q for every transition)."""
        return np.zeros_like(q), self.fermi_velocity * q, []

    def wavevector_breaks(self) -> tuple[float, ...]:
        """None: the ballistic film's Π depends on ω/(v q) only."""
        return ()

    # --- finite-T reference and the Monte Carlo's sampler --------------------------------
    def im_polarization_at(self, q, omega, T: float) -> np.ndarray:
        """Sheet Im Π at temperature T and the film's fixed density, exact at any tilt (the
        state sum of the upper cone; :mod:`layers.film_state_sum`): occupations at
        μ(T) = ε_F(1 − π²T²/3ε_F² + …) (:meth:`chemical_potential`), as the Monte Carlo
        kernel's. Against occupations at ε_F it is lower by
        ≈ 2π²T²/(3ε_F²) relative at small q (0.54 % at 20 K, 14 % at 100 K for ε_F = 60 meV)."""
        return film_im_polarization_exact(q, omega, self, T)[0]

    def weighted_im_polarization_at(self, q, omega, T: float, n: int) -> tuple[np.ndarray, ...]:
        """The state sums of :func:`layers.film_state_sum.film_im_polarization_exact` with
        n + 4 window nodes and 2n azimuths, at the fixed density's μ(T): exact at any tilt,
        all six weights (η∥⁽¹⁾'s normalised by ε_F)."""
        return film_im_polarization_exact(q, omega, self, T, n + 4, 2 * n)

    def thermal_omega_max(self, q, T: float) -> np.ndarray:
        """v q: the film's continuum is exact at any T."""
        return self.v_F * q

    def thermal_omega_kinks(self, q) -> list:
        """None (the continuum's edge is not smeared by temperature)."""
        return []

    @property
    def finite_T_reference_is_exact(self) -> bool:
        """True at any tilt |C| < 1: the state sums of :mod:`layers.film_state_sum` are the
        tilted film's exactly."""
        return True

    @property
    def collision_model(self) -> CollisionModel:
        return CollisionModel.WEYL_FILM

    @property
    def drag_coefficient_names(self) -> tuple[str, ...]:
        return DRAG_COEFFICIENTS

    # --- transport (App. C) -----------------------------------------------------------
    @property
    def boost_per_field(self) -> float:
        """A = v² τ_∥/ε_F: u_∥ = A eE (Eq. 28), internal units."""
        return self.v_F**2 * float(parallel_transport_time(self.tau)) / self.eps_F

    @property
    def hall_ratio(self) -> float:
        """τ_∥/τ_⊥ = 3C/(2ε_F τ) (Eq. C15)."""
        return float(hall_time_ratio(self.eps_F, self.tau, self.tilt))

    @property
    def boost_exponents(self) -> tuple[float, float]:
        """(b, b_⊥) of u_∥ ∝ ε^b, u_⊥ ∝ ε^{b_⊥} (text after Eq. 46)."""
        return (-3.0, -2.0)

    @property
    def conductivity_xx(self) -> float:
        """Sheet σ^a_xx in units of e² (ħ = 1): W ν v² τ_∥/3 at leading order in C, as App. C.

        (The O(C²) tilt corrections of ν, τ_∥ and τ_⊥ are not all known here, so none is kept
        in the transport; equilibrium quantities — ν, κ^a, Π^a — keep the exact tilt.)
        This equals e² n₀ A with n₀ = W ε_F³/(3π² v³) the untilted density.
        """
        return self.thickness * pair_conductivity_xx(self.eps_F, self.v_F, self.tau, 0.0)

    @property
    def conductivity_xy_regular(self) -> float:
        """Sheet σ^reg_xy / e², Eq. (C20)."""
        return self.thickness * pair_ahe_regular(self.eps_F, self.v_F, self.tilt)

    @property
    def conductivity_xy_anomalous(self) -> float:
        """Sheet (σ^int + σ^{ext.vel})_xy / e², Eqs. (C21) + (C22)."""
        return self.thickness * (
            pair_ahe_intrinsic(self.eps_F, self.v_F, self.tilt, self.node_separation)
            + pair_ahe_extrinsic_velocity(self.eps_F, self.v_F, self.tilt)
        )

    def hall_from_q3(self, eta_q3: float, side_jump: str = "B23") -> dict[str, float]:
        """η_H parts from η_{Q3}: η_H(e-e-imp,1) = −C/(4ε_Fτ) η_{Q3} (B17), η_H(e-e-imp,2) =
        η_H(e-e-imp,1)/3 (B18, adopted, not re-derived) and the side jump, by the relation
        (B23) η_H(s.j.) = (η_H(e-e-imp,1) + η_H(e-e-imp,2))/2 (``side_jump="B23"``) or from
        the legible prefactor of (B22), F = (C/(32πT))(v/ε_F)²[(8πT/d)η_{Q3}] eE with
        eE = u ε_F/(v²τ_∥) (``"B22"``); the two agree, −C/(6ε_Fτ) η_{Q3}."""
        if side_jump not in ("B23", "B22"):
            raise ValueError(f"side_jump = {side_jump!r} is not one of ('B23', 'B22')")
        eei1 = -self.tilt / (4.0 * self.eps_F * self.tau) * eta_q3  # (B17)
        eei2 = eei1 / 3.0  # (B18), adopted
        if side_jump == "B23":
            sj = (eei1 + eei2) / 2.0
        else:
            tau_par = float(parallel_transport_time(self.tau))
            sj = -(self.tilt / (32.0 * np.pi)) * (self.v_F / self.eps_F) ** 2 * 8.0 * np.pi
            sj *= self.eps_F / (self.v_F**2 * tau_par) * eta_q3
        return {"eei1": eei1, "eei2": eei2, "sj": sj, "total": eei1 + eei2 + sj}


def weyl_film_from_physical(
    eps_F_meV: float = 60.0,
    v_F_mps: float = 1.9e5,
    tau_ps: float = 2.0,
    tilt: float = 0.3,
    thickness_nm: float = 15.0,
    node_separation_per_nm: float = 4.7,
) -> WeylFilm:
    """WeylFilm from meV, m/s, ps, nm, nm⁻¹ (defaults: Fig. 2 of the Hall-drag paper)."""
    for name, val in (
        ("eps_F_a", eps_F_meV),
        ("v_F_a", v_F_mps),
        ("tau_a", tau_ps),
        ("W", thickness_nm),
    ):
        require_positive(name, val)
    require_range("C", tilt, -1.0, 1.0, lo_open=True, hi_open=True)
    return WeylFilm(
        eps_F=units.mev_to_erg(eps_F_meV),
        v_F=units.mps_to_internal_velocity(v_F_mps),
        tau=units.ps_to_internal_time(tau_ps),
        tilt=float(tilt),
        thickness=units.nm_to_cm(thickness_nm),
        node_separation=units.per_nm_to_per_cm(node_separation_per_nm),
    )
