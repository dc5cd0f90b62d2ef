"""Layer and bilayer parameter objects (validated) and the presets of Fig. 2 of the Hall-drag paper.

The Hall-drag paper: *Hall drag between a Weyl semimetal film and a normal metal*
(its author list is not in our copy of the text).

Internal units (see :mod:`dragcore.units`): ħ = k_B = 1, lengths in cm, energies in erg,
velocities as ħv (erg·cm), masses as m/ħ², times as t/ħ; e² is the CGS e² (erg·cm).
Physical inputs are converted once, in the ``*_from_physical`` constructors.

Fig. 2 parameters that are legible in our copy: ε_F^a = 60 meV, v_F^a = 1.9×10⁵ m/s,
τ^a = 2 ps, Δ_k = 4.7 nm⁻¹, C = 0.3, W = 15 nm, m = 0.067 mₑ, ε = 12, d = 40 and 120 nm.
Not legible: τ^p and the n^p values. Our defaults (options of every preset):

* ``n_p`` ∈ {1, 3, 10} × 10¹¹ cm⁻², default 3×10¹¹ cm⁻² — the range of GaAs/AlGaAs
  heterostructures; it puts v_F^p/v_F^a = 0.72, 1.25, 2.28 on both sides of 1, so both
  branches of min(1, z) in Eqs. (B25)–(B27) are exercised, and k_F^p d ≫ 1 as assumed.
* ``tau_p`` = 50 ps: the mean free path v_F^p τ^p is then 6.9, 11.9, 21.7 µm for the three
  densities, "about 10 µm" as the text says for the 2DEG of its Ref. [63].
* spin degeneracy g_s = 2 for the metal (GaAs conduction band).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from dragcore import units
from dragcore.checks import require_positive, require_range
from layers.interaction import (
    interlayer_interaction,
    thomas_fermi_wavevector,
    weyl_film_polarization,
)
from layers.metal import (
    metal_dos,
    metal_fermi_energy,
    metal_fermi_velocity,
    metal_fermi_wavevector,
    metal_polarization_exact_T,
    stern_polarization,
)
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

__all__ = [
    "WeylFilm",
    "Metal2D",
    "Bilayer",
    "weyl_film_from_physical",
    "metal_from_physical",
    "PRESETS",
    "preset",
    "FIG2_DENSITIES_CM2",
]

FIG2_DENSITIES_CM2 = (1e11, 3e11, 1e12)


@dataclass(frozen=True)
class WeylFilm:
    """A film of a pair of tilted Weyl nodes (internal units)."""

    eps_F: float  # erg
    v_F: float  # ħ v_F, erg·cm
    tau: float  # elastic time at ε_F, τ/ħ in 1/erg
    tilt: float  # C
    thickness: float  # W, cm
    node_separation: float = 0.0  # Δ_k, 1/cm (enters only σ^int)
    n_nodes: int = 2
    kind: str = field(default="weyl", init=False)

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

    def polarization(self, q, omega) -> np.ndarray:
        """Sheet Π^a(q, ω), T = 0, ballistic (see :mod:`layers.interaction`)."""
        return weyl_film_polarization(
            q, omega, self.eps_F, self.v_F, self.tilt, self.thickness, self.n_nodes
        )

    def polarization_at(self, q, omega, T: float) -> np.ndarray:
        """Sheet Π^a(q, ω) at temperature T and chemical potential ε_F, ballistic: Maldague's
        average of the ballistic form ν(μ′)F(ω/vq), ν ∝ μ′² (the intraband response of holes
        below the node has the same form), is exactly the factor 1 + π²T²/(3ε_F²)."""
        return self.polarization(q, omega) * (1.0 + np.pi**2 * T**2 / (3.0 * self.eps_F**2))

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


@dataclass(frozen=True)
class Metal2D:
    """A 2D parabolic metal with an energy-independent transport time (internal units)."""

    density: float  # 1/cm²
    mass: float  # m/ħ², 1/(erg·cm²)
    tau: float  # τ/ħ, 1/erg
    g_s: int = 2
    kind: str = field(default="metal", init=False)

    def __post_init__(self) -> None:
        require_positive("n_p", self.density)
        require_positive("m", self.mass)
        require_positive("tau_p", self.tau)
        require_range("g_s", self.g_s, 1, 2)

    @property
    def fermi_wavevector(self) -> float:
        return metal_fermi_wavevector(self.density, self.g_s)

    @property
    def fermi_velocity(self) -> float:
        return metal_fermi_velocity(self.density, self.mass, self.g_s)

    @property
    def eps_F(self) -> float:
        return metal_fermi_energy(self.density, self.mass, self.g_s)

    @property
    def dos_2d(self) -> float:
        return metal_dos(self.mass, self.g_s)

    @property
    def density_2d(self) -> float:
        return self.density

    def polarization(self, q, omega) -> np.ndarray:
        """Stern's Π(q, ω) at T = 0 (exact)."""
        return stern_polarization(q, omega, self.fermi_wavevector, self.mass, self.g_s)

    def polarization_at(self, q, omega, T: float) -> np.ndarray:
        """Π(q, ω) at temperature T and chemical potential ε_F, exact (Maldague's integral
        done exactly, :func:`layers.metal.metal_polarization_exact_T`)."""
        return metal_polarization_exact_T(q, omega, self.eps_F, self.mass, self.g_s, T)

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


@dataclass(frozen=True)
class Bilayer:
    """Active layer (Weyl film or 2D metal), passive 2D metal, spacing d, dielectric ε."""

    active: WeylFilm | Metal2D
    passive: Metal2D
    spacing: float  # d, cm
    dielectric: float = 12.0

    def __post_init__(self) -> None:
        require_positive("d", self.spacing)
        require_positive("eps", self.dielectric)

    @property
    def e2(self) -> float:
        """e²/ε in erg·cm."""
        return units.E_CHARGE**2 / self.dielectric

    @property
    def kappa_a(self) -> float:
        return float(thomas_fermi_wavevector(self.active.dos_2d, self.e2))

    @property
    def kappa_p(self) -> float:
        return float(thomas_fermi_wavevector(self.passive.dos_2d, self.e2))

    @property
    def T_d(self) -> float:
        """T_d = min(v_F^a, v_F^p)/d (erg)."""
        return min(self.active.fermi_velocity, self.passive.fermi_velocity) / self.spacing

    @property
    def velocity_ratio(self) -> float:
        """z = v_F^p/v_F^a."""
        return self.passive.fermi_velocity / self.active.fermi_velocity

    def interaction(self, q, omega) -> np.ndarray:
        """U_RPA(q, ω) of Eq. (A1) with both layers' T = 0 polarizations (erg·cm²)."""
        return interlayer_interaction(
            q,
            self.active.polarization(q, omega),
            self.passive.polarization(q, omega),
            self.spacing,
            self.e2,
        )

    def with_(self, **changes) -> Bilayer:
        return replace(self, **changes)


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


def metal_from_physical(
    n_cm2: float = 3e11, mass_me: float = 0.067, tau_ps: float = 50.0, g_s: int = 2
) -> Metal2D:
    """Metal2D from cm⁻², electron masses, ps (defaults: GaAs 2DEG, our choice of n^p, τ^p)."""
    require_positive("n_p", n_cm2)
    require_positive("m", mass_me)
    require_positive("tau_p", tau_ps)
    return Metal2D(
        density=units.per_cm2_to_internal_density(n_cm2),
        mass=units.electron_masses_to_internal(mass_me),
        tau=units.ps_to_internal_time(tau_ps),
        g_s=g_s,
    )


PRESETS: dict[str, dict] = {
    "fig2-d40": {"d_nm": 40.0},
    "fig2-d120": {"d_nm": 120.0},
}


def preset(
    name: str,
    *,
    n_p_cm2: float = 3e11,
    tau_p_ps: float = 50.0,
    d_nm: float | None = None,
    tilt: float = 0.3,
    dielectric: float = 12.0,
    active: str = "weyl",
) -> Bilayer:
    """The bilayer of a preset, with the illegible parameters as options.

    ``active="metal"`` replaces the Weyl film by a copy of the passive metal (ordinary
    2D–2D drag at the same spacing), keeping everything else.
    """
    if name not in PRESETS:
        raise ValueError(f"preset = {name!r} is not one of {sorted(PRESETS)}")
    d = PRESETS[name]["d_nm"] if d_nm is None else d_nm
    if not (isinstance(d, (int, float)) and math.isfinite(d)):
        raise ValueError(f"d = {d!r} is outside the allowed range (0, inf)")
    require_positive("d", d)
    passive = metal_from_physical(n_p_cm2, 0.067, tau_p_ps)
    act = weyl_film_from_physical(tilt=tilt) if active == "weyl" else passive
    return Bilayer(active=act, passive=passive, spacing=units.nm_to_cm(d), dielectric=dielectric)
