"""What a layer of the bilayer must provide: one interface for both routes.

The deterministic quadrature (:mod:`layers.drag_integral`, :mod:`validate.weyl`) and the
Monte Carlo of the collision integral (:mod:`montecarlo.collision`, :mod:`montecarlo.drag_mc`)
see a layer only through the members of :class:`Layer`; neither asks what type of layer it
is. A new layer type (a second Weyl film, graphene, a 3D metal) is one new module in this
package that implements them (``tests/layers/test_new_layer_type.py`` defines one in the test
file and runs both routes on it).

The physics is that of Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024): the drag coefficient (B7) needs
each layer's
polarization Π(q, ω) (in the screened interaction, Eq. A1, and through Im Π); the Monte Carlo
samples each layer's states (its Fermi-surface data) and compares with the same integral
with Im Π at T; the drag tensors (Eqs. 33–50) need each layer's transport coefficients.

Units are the internal ones of :mod:`dragcore.units` (ħ = k_B = 1, cm, erg); polarizations
are sheet quantities (per area per energy) with the sign convention of :mod:`layers.metal`
(static value +ν, Im Π^R(ω > 0) ≥ 0); ``q`` is an in-plane wave number (1/cm), ``omega`` a
real frequency (erg), both arrays that broadcast.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Layer", "CollisionModel", "DRAG_COEFFICIENTS", "ZERO_HALL"]

#: The drag coefficients of the paper's Eqs. (B7), (B13), (B15), the sampled side jump
#: (A41–A42) and the sampled e–e–impurity skew parts W⁽¹⁾, W⁽²⁾ (derived in
#: :mod:`layers.skew_scattering`), in the order of :data:`montecarlo.collision.OUTPUT_NAMES`.
DRAG_COEFFICIENTS = ("eta0", "eta1", "eta_q3", "eta_H_sj", "eta_H_eei1", "eta_H_eei2")

#: The Hall friction of a layer without skew scattering (no Berry curvature, no tilt).
ZERO_HALL = {"eei1": 0.0, "eei2": 0.0, "sj": 0.0, "total": 0.0}


class CollisionModel(IntEnum):
    """How the Monte Carlo samples the states of a layer: the key of its sampling path in
    :mod:`montecarlo.collision_paths` (whose packer reads the layer object). ``WEYL_FILM``: a
    film of tilted linear nodes, 2 coordinates (energy, azimuth; the polar angle from the delta
    function); ``METAL_2D``: a 2D parabolic band, 1 coordinate (energy; the delta function in
    elliptic coordinates).
    """

    WEYL_FILM = 0
    METAL_2D = 1


@runtime_checkable
class Layer(Protocol):
    """A layer of the bilayer, as both routes see it.

    Equilibrium
        ``eps_F``, ``fermi_velocity`` (ħv_F, erg·cm), ``fermi_wavevector`` (1/cm),
        ``dos_2d`` (sheet ν, 1/(erg·cm²)), ``density_2d`` (1/cm²).
    Polarization
        :meth:`polarization` (T = 0), :meth:`polarization_at` (temperature T, the layer's
        fixed density), :meth:`ballistic_polarization` (Π/ν for q ≪ k_F: the strong-screening
        interaction, Eq. A2), :attr:`im_slope_coefficient` (Eq. 31), :meth:`continuum` and
        :meth:`wavevector_breaks` (where the quadrature puts its panels).
    Finite-temperature reference and sampler (the Monte Carlo)
        :meth:`im_polarization_at`, :meth:`weighted_im_polarization_at`,
        :meth:`thermal_omega_max`, :meth:`thermal_omega_kinks`,
        :attr:`finite_T_reference_is_exact`, :attr:`collision_model` (the Monte Carlo's
        sampling path, whose packer reads the layer's attributes),
        :attr:`drag_coefficient_names`.
    Transport and Hall friction (Eqs. 28, 33–50, App. C; B17, B18, B22, B23)
        ``boost_per_field``, ``hall_ratio``, ``boost_exponents``, ``conductivity_xx``,
        ``conductivity_xy_regular``, ``conductivity_xy_anomalous``, :meth:`hall_from_q3`.
    """

    # --- equilibrium --------------------------------------------------------------------
    @property
    def eps_F(self) -> float:
        """Fermi energy (erg), measured from the band bottom or the node."""

    @property
    def fermi_velocity(self) -> float:
        """ħ v_F (erg·cm)."""

    @property
    def fermi_wavevector(self) -> float:
        """k_F (1/cm)."""

    @property
    def dos_2d(self) -> float:
        """Sheet density of states at ε_F, 1/(erg·cm²) (ν^a W for a film)."""

    @property
    def density_2d(self) -> float:
        """Sheet density of electrons, 1/cm²."""

    # --- polarization -------------------------------------------------------------------
    def polarization(self, q, omega) -> np.ndarray:
        """Retarded sheet Π(q, ω) at T = 0, complex."""

    def polarization_at(self, q, omega, T: float) -> np.ndarray:
        """Retarded sheet Π(q, ω) at temperature T and the layer's fixed density (the chemical
        potential μ(T) that holds it, not ε_F), complex."""

    def ballistic_polarization(self, q, omega) -> np.ndarray:
        """Π/ν in the ballistic limit q ≪ k_F (a function of ω/(v_F q)), complex."""

    @property
    def im_slope_coefficient(self) -> float:
        """c in Im Π = c ν ω/(v_F q) for ω ≪ v_F q (Eq. 31)."""

    def continuum(self, q, T: float | None = None) -> tuple[np.ndarray, np.ndarray, list]:
        """(lo, hi, kinks): the ω range of the particle–hole continuum at q ≥ 0 and its
        interior kinks; at temperature ``T`` (not None) a range that also holds the thermal
        tails beyond the T = 0 edges (to e^{−80}) and the plasmons up to 40T."""

    def wavevector_breaks(self) -> tuple[float, ...]:
        """Wave numbers (1/cm) where the T = 0 polarization has a kink (2k_F of a metal):
        break points of the quadrature's q panels."""

    # --- finite-T reference and sampler ---------------------------------------------------
    def im_polarization_at(self, q, omega, T: float) -> np.ndarray:
        """Im Π(q, ω) at temperature T: the limit of the Monte Carlo's state sum over this
        layer, at the chemical potential of the kernel's occupations (a layer it samples as a
        2D parabolic band: μ(T) at fixed density; the Weyl film: ε_F)."""

    def weighted_im_polarization_at(self, q, omega, T: float, n: int) -> tuple[np.ndarray, ...]:
        """(Im Π, Im Π·⟨h₁⟩, …, Im Π·⟨h₅⟩) at T: the state sum of this layer as the
        active layer with the Monte Carlo's six weights (η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3}, side jump,
        e–e–impurity skew W⁽¹⁾ and W⁽²⁾; :mod:`montecarlo.collision`); NaN where a weight is
        not computed. ``n``: the order of the quadrature, if any."""

    def thermal_omega_max(self, q, T: float) -> np.ndarray:
        """The top of the ω range that holds Im Π at temperature T (beyond it Im Π is
        exponentially small or zero)."""

    def thermal_omega_kinks(self, q) -> list:
        """The T = 0 edges of the continuum that temperature smears inside that range
        (break points of the reference's ω panels)."""

    @property
    def finite_T_reference_is_exact(self) -> bool:
        """Whether :meth:`weighted_im_polarization_at` is exactly the state sum the Monte
        Carlo samples (to quadrature error)."""

    @property
    def collision_model(self) -> CollisionModel:
        """How the Monte Carlo samples this layer's states: the key of its sampling path
        (:mod:`montecarlo.collision_paths`; a :class:`CollisionModel` for the package's
        layers)."""

    @property
    def drag_coefficient_names(self) -> tuple[str, ...]:
        """The drag coefficients (:data:`DRAG_COEFFICIENTS`) that the quadrature defines for
        this layer as the active layer (those compared with the Monte Carlo)."""

    # --- transport ------------------------------------------------------------------------
    @property
    def boost_per_field(self) -> float:
        """A in u = A eE (Eq. 28), internal units."""

    @property
    def hall_ratio(self) -> float:
        """τ_∥/τ_⊥, the Hall angle of the boost (Eq. C15); 0 without skew scattering."""

    @property
    def boost_exponents(self) -> tuple[float, float]:
        """(b, b_⊥) of u_∥ ∝ ε^b, u_⊥ ∝ ε^{b_⊥} (text after Eq. 46)."""

    @property
    def conductivity_xx(self) -> float:
        """Sheet σ_xx in units of e²."""

    @property
    def conductivity_xy_regular(self) -> float:
        """Sheet σ^reg_xy in units of e² (Eq. C20)."""

    @property
    def conductivity_xy_anomalous(self) -> float:
        """Sheet (σ^int + σ^{ext.vel})_xy in units of e² (Eqs. C21, C22)."""

    def hall_from_q3(self, eta_q3: float, side_jump: str = "B23") -> dict[str, float]:
        """η_H and its parts (``eei1``, ``eei2``, ``sj``, ``total``) from η_{Q3} when this layer
        is the active one: (B17), (B18) and the side jump by the relation (B23)
        (``side_jump="B23"``) or from the prefactor of (B22) (``"B22"``);
        :data:`ZERO_HALL` without skew scattering."""
