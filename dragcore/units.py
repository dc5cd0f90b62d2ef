"""The one place where physical units are converted (CODATA 2018, Gaussian CGS).

The physics core works with ħ = k_B = 1 and Gaussian electrostatics (e²/κ has units of
energy × length). Physical inputs — nm, meV, K, cm⁻², m/s, electron masses — are converted
here, at the boundary, and nowhere else. Internally, lengths are in cm, times in s,
energies in erg, so that with ħ = 1 an energy is also a frequency (E/ħ in s⁻¹) when needed.

Everything below is a plain float constant or a one-line conversion; tests check a few
textbook combinations (Bohr radius, Rydberg) against CODATA.
"""

from __future__ import annotations

# --- fundamental constants, CGS ---------------------------------------------------------
E_CHARGE = 4.803204712570263e-10  # statC
HBAR = 1.054571817e-27  # erg s
K_B = 1.380649e-16  # erg / K
M_E = 9.1093837015e-28  # g
C_LIGHT = 2.99792458e10  # cm / s
EV = 1.602176634e-12  # erg
MEV = 1e-3 * EV  # erg (milli-electron-volt)

# --- lengths, densities, velocities -----------------------------------------------------
NM = 1e-7  # cm
UM = 1e-4  # cm
M_PER_S = 1e2  # cm/s


def nm_to_cm(x: float) -> float:
    """Length in nm → cm."""
    return x * NM


def per_nm_to_per_cm(x: float) -> float:
    """Wave number in nm⁻¹ → cm⁻¹."""
    return x / NM


def mps_to_cmps(x: float) -> float:
    """Velocity in m/s → cm/s."""
    return x * M_PER_S


def mev_to_erg(x: float) -> float:
    """Energy in meV → erg."""
    return x * MEV


def kelvin_to_erg(t: float) -> float:
    """Temperature in K → energy k_B T in erg."""
    return t * K_B


def erg_to_kelvin(e: float) -> float:
    """Energy in erg → temperature in K."""
    return e / K_B


def ps_to_s(t: float) -> float:
    """Time in ps → s."""
    return t * 1e-12


# --- resistivity and conductivity -------------------------------------------------------
# A 2D (sheet) resistivity in Gaussian units is s/cm; 1 s/cm = (c² · 1e-9) Ω = 8.98755e11 Ω.
OHM_PER_GAUSSIAN_SHEET_RESISTANCE = C_LIGHT**2 * 1e-9  # Ω per (s/cm)
# h/e² in Ω (von Klitzing constant), for quoting sheet resistances as fractions of it.
R_K = 25812.80745  # Ω


def sheet_resistance_to_ohm(r: float) -> float:
    """2D resistivity from Gaussian units (s/cm) to Ω (per square)."""
    return r * OHM_PER_GAUSSIAN_SHEET_RESISTANCE


def sheet_conductance_to_siemens(s: float) -> float:
    """2D conductivity from Gaussian units (cm/s) to S (per square)."""
    return s / OHM_PER_GAUSSIAN_SHEET_RESISTANCE


# --- internal units of the Weyl-film / 2D-metal layers (montecarlo, validate.weyl) -----
# ħ = k_B = 1 with lengths in cm and energies in erg: a velocity is stored as ħv (erg cm),
# a mass as m/ħ² (1/(erg cm²)), a time as t/ħ (1/erg). Conductivities are computed as
# e² × (ħ = 1 expression), i.e. in erg·cm; the physical value is that divided by ħ.


def mps_to_internal_velocity(v: float) -> float:
    """Velocity in m/s → ħv in erg·cm."""
    return HBAR * mps_to_cmps(v)


def internal_velocity_to_mps(v: float) -> float:
    """ħv in erg·cm → velocity in m/s."""
    return v / HBAR / M_PER_S


def electron_masses_to_internal(m: float) -> float:
    """Mass in electron masses → m/ħ² in 1/(erg·cm²)."""
    return m * M_E / HBAR**2


def ps_to_internal_time(t: float) -> float:
    """Time in ps → t/ħ in 1/erg."""
    return ps_to_s(t) / HBAR


def internal_conductance_to_siemens(s: float) -> float:
    """Sheet conductivity e²·(ħ = 1 expression) in erg·cm → S (per square)."""
    return sheet_conductance_to_siemens(s / HBAR)


def internal_resistance_to_ohm(r: float) -> float:
    """Sheet resistivity in 1/(erg·cm) (internal) → Ω (per square)."""
    return sheet_resistance_to_ohm(r * HBAR)


def internal_viscosity_to_pascal_second(eta: float) -> float:
    """Drag coefficient η (F = η u/d) in 1/cm³ (internal, ħ = 1) → Pa·s (SI)."""
    return 0.1 * HBAR * eta


def per_cm2_to_internal_density(n: float) -> float:
    """2D density in cm⁻² (already internal); a named no-op for readability at the boundary."""
    return float(n)


# --- hydrodynamic bilayer (langevin.params.BilayerParameters.from_physical) -------------------
def electron_masses_to_gram(m: float) -> float:
    """Mass in electron masses → g."""
    return m * M_E


def conductivity_e2_per_hbar_to_cgs(s: float) -> float:
    """2D conductivity in units of e²/ħ → Gaussian cm/s."""
    return s * E_CHARGE**2 / HBAR


def viscosity_hbar_n_to_cgs(eta: float, density_cm2: float) -> float:
    """2D dynamic viscosity in units of ħn (n in cm⁻²) → g/s."""
    return eta * HBAR * density_cm2
