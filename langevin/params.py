"""Parameters of the hydrodynamic bilayer (Zverevich & Levchenko, Eqs. 1–10, 24).

The model works in dimensionless units: lengths in the layer spacing ``d``, times in
``1/ω_p`` with ``ω_p² = 2π n² e² / (ϱ κ d)`` (Eq. 14 at ``q = 1/d``), densities in ``n``,
velocities in ``ω_p d`` and energies in ``ϱ ω_p² d⁴``. Every dimensionless number below is
defined in terms of the physical ones; :meth:`BilayerParameters.from_physical` is the one
route from physical inputs (through :mod:`dragcore.units`).

Dimensionless parameters
------------------------
``varsigma``
    ς = 2πσ/(dκω_p) (Eq. 24): the Maxwell rate is ``γ_q/ω_p = ς qd`` (Eq. 16).
``beta``
    β = ν/(d²ω_p), ν = (η + ζ_b)/ϱ (Eqs. 15, 24): longitudinal kinematic viscosity.
``chi``
    χ = α (v·B) (Eq. 24), the paper's contraction ``N_ijklm = α δ_il δ_jm B_k``.
``drift``
    u = |v|/(ω_p d), the drift speed of the drive layer (layer 1).
``drift_angle``
    direction of v (radians from the x axis).
``bulk_to_shear``
    ζ_b/η; the shear part is ``β_η = β/(1 + ζ_b/η)``.
``odd``
    β_o = ν_o/(d²ω_p), ν_o = η_o/ϱ (Eqs. 8, 15).
``sound``
    s² = c_s²/(ω_p d)², ``ϱ c_s² = n² ∂μ/∂n`` (the pressure term, ``δP = n ∂μ/∂n δn``).
``theta``
    Θ = T/(ϱ ω_p² d⁴), the temperature in the energy unit; it only sets the scale of the
    fluctuations (D does not depend on it).

``nonreciprocal_tensor`` (optional, shape (2, 2, 2, 2)) replaces the paper's contraction:
``A_ijlm = N_ijklm v_k`` (dimensionless), so that the stress of Eq. (9) is
``δΣⁿ_ij = η A_ijlm δV_lm``; the paper's choice is ``A = χ δ_il δ_jm``.

``even_viscosity``: with ``False`` the even viscous stress (Eq. 7) and its noise (Eq. 10) are
off, as in the paper's approximation; η then enters only the nonreciprocal stress.
:meth:`BilayerParameters.paper_approximations` returns the parameter set the paper's
Eq. (21) describes (even and odd viscosity off, pressure off).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from dragcore import units
from dragcore.checks import require_finite, require_positive, require_range

__all__ = ["BilayerParameters", "PhysicalScales", "paper_nonreciprocal_tensor", "MAX_RATE"]

#: Largest rate (in ω_p, the unit) a parameter may give a grid mode: 1/√ε of double
#: precision. The model's eigenvalues, Lyapunov covariances and step maps mix each mode's
#: rates; with a spread beyond 1/√ε between the fastest rate and the plasma frequency (1),
#: the O(1) rates that set the drag keep fewer than half of their digits.
MAX_RATE = 1.0 / math.sqrt(float(np.finfo(float).eps))


def paper_nonreciprocal_tensor(chi: float) -> np.ndarray:
    """``A_ijlm = χ δ_il δ_jm`` — the paper's contraction ``N_ijklm = α δ_il δ_jm B_k`` (Eq. 9).

    Parameters
    ----------
    chi
        χ = α (v·B), dimensionless (Eq. 24).
    """
    eye = np.eye(2)
    return chi * np.einsum("il,jm->ijlm", eye, eye)


@dataclass(frozen=True)
class PhysicalScales:
    """The physical scales behind a dimensionless parameter set (Gaussian CGS, ħ = k_B = 1).

    Attributes
    ----------
    density : cm⁻²;  mass : g;  kappa : dimensionless;  spacing : cm;  temperature : erg;
    sigma : cm/s (2D conductivity);  omega_p : s⁻¹ (Eq. 14 at q = 1/d);  fermi_energy : erg
    (``E_F = πħ²n/m``, spin-degenerate 2D gas); drift_velocity : cm/s.
    """

    density: float
    mass: float
    kappa: float
    spacing: float
    temperature: float
    sigma: float
    omega_p: float
    fermi_energy: float
    drift_velocity: float

    @classmethod
    def from_inputs(cls, density_cm2: float, mass_me: float, kappa: float, spacing_nm: float,
                    temperature_k: float, sigma_e2_per_hbar: float,
                    velocity_mps: np.ndarray) -> PhysicalScales:  # fmt: skip
        """The scales of :meth:`BilayerParameters.from_physical`'s inputs (its units):
        ``ω_p² = 2π n² e²/(ϱ κ d)`` with ``ϱ = m n`` (Eq. 14 at q = 1/d)."""
        n = density_cm2
        m = units.electron_masses_to_gram(mass_me)
        d = units.nm_to_cm(spacing_nm)
        e2 = units.E_CHARGE**2
        omega_p = math.sqrt(2.0 * math.pi * n**2 * e2 / (m * n * kappa * d))
        v_cgs = np.array([units.mps_to_cmps(x) for x in velocity_mps])
        return cls(
            density=n,
            mass=m,
            kappa=kappa,
            spacing=d,
            temperature=units.kelvin_to_erg(temperature_k),
            sigma=units.conductivity_e2_per_hbar_to_cgs(sigma_e2_per_hbar),
            omega_p=omega_p,
            fermi_energy=math.pi * units.HBAR**2 * n / m,
            drift_velocity=float(np.hypot(*v_cgs)),
        )

    @property
    def rho_0(self) -> float:
        """ρ₀ = σ/(4π²e⁴) (nd²)⁻² T/E_F — the prefactor of Eq. (21), in s/cm (Gaussian sheet).

        With ħ restored, ρ₀ = ħ² σ/(4π² e⁴) (nd²)⁻² T/E_F (``ħ²σ/e⁴`` is a sheet
        resistance, s/cm); this is the power of ħ for which D = ρ_D/ρ₀ is dimensionless.
        """
        e4 = units.E_CHARGE**4
        return (
            units.HBAR**2
            * self.sigma
            / (4.0 * math.pi**2 * e4)
            / (self.density * self.spacing**2) ** 2
            * self.temperature
            / self.fermi_energy
        )


@dataclass(frozen=True)
class BilayerParameters:
    """Dimensionless parameters of the bilayer model; see the module docstring.

    Construct directly (``BilayerParameters(varsigma=0.15, beta=0.1, chi=0.2)``) or from
    physical inputs with :meth:`from_physical`.
    """

    varsigma: float
    beta: float
    chi: float = 0.0
    drift: float = 0.0
    drift_angle: float = 0.0
    bulk_to_shear: float = 0.0
    odd: float = 0.0
    sound: float = 0.0
    theta: float = 1.0
    even_viscosity: bool = True
    nonreciprocal_tensor: np.ndarray | None = field(default=None, compare=False)
    scales: PhysicalScales | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        require_positive("varsigma", self.varsigma)
        require_positive("beta", self.beta, allow_zero=not self.even_viscosity)
        require_finite("chi", self.chi)
        require_positive("drift", self.drift, allow_zero=True)
        require_range("drift_angle", self.drift_angle, -2 * math.pi, 2 * math.pi)
        require_positive("bulk_to_shear", self.bulk_to_shear, allow_zero=True)
        require_finite("odd", self.odd)
        require_positive("sound", self.sound, allow_zero=True)
        require_positive("theta", self.theta)
        if self.nonreciprocal_tensor is not None:
            a = np.asarray(self.nonreciprocal_tensor, dtype=float)
            if a.shape != (2, 2, 2, 2):
                raise ValueError(
                    f"nonreciprocal_tensor shape = {a.shape} is outside the allowed range "
                    "(2, 2, 2, 2)"
                )
            require_finite("nonreciprocal_tensor", a)

    # --- derived dimensionless coefficients -------------------------------------------
    @property
    def shear(self) -> float:
        """β_η = η/(ϱ d² ω_p) = β/(1 + ζ_b/η), the shear kinematic viscosity."""
        return self.beta / (1.0 + self.bulk_to_shear)

    @property
    def bulk(self) -> float:
        """β_ζ = ζ_b/(ϱ d² ω_p)."""
        return self.beta - self.shear

    @property
    def drift_vector(self) -> np.ndarray:
        """u = v/(ω_p d) as a 2-vector."""
        return self.drift * np.array([math.cos(self.drift_angle), math.sin(self.drift_angle)])

    @property
    def stress_tensor(self) -> np.ndarray:
        """``A_ijlm = N_ijklm v_k``: the given tensor, or the paper's ``χ δ_il δ_jm``."""
        if self.nonreciprocal_tensor is not None:
            return np.asarray(self.nonreciprocal_tensor, dtype=float)
        return paper_nonreciprocal_tensor(self.chi)

    def require_resolvable(self, q_max: float, where: str = "") -> None:
        """Refuse a parameter whose rate at the largest wave number ``q_max`` (1/d) of a grid
        exceeds :data:`MAX_RATE` ω_p: Maxwell ``ς q``, viscous ``β q²`` and ``|β_o| q²``,
        nonreciprocal ``|χ| β q²``, sound ``s q``, advection by the drift ``u q``.
        ``ValueError`` names the parameter, its value and its allowed range on this grid."""
        q = float(q_max)
        prefix = f"{where} " if where else ""
        rates = {
            "varsigma": (abs(self.varsigma), q),
            "beta": (abs(self.beta), q * q),
            "odd": (abs(self.odd), q * q),
            "chi": (abs(self.chi), self.beta * q * q),
            "sound": (math.sqrt(abs(self.sound)), q),
            "drift": (abs(self.drift), q),
        }
        for key, (value, per_unit) in rates.items():
            if per_unit > 0 and value * per_unit > MAX_RATE:
                limit = MAX_RATE / per_unit
                shown = limit**2 if key == "sound" else limit
                lo = "-" if key in ("chi", "odd") else "0, "
                rng = f"[-{shown:.3g}, {shown:.3g}]" if lo == "-" else f"(0, {shown:.3g}]"
                raise ValueError(
                    f"{prefix}{key} = {getattr(self, key):g} is outside the allowed range {rng} "
                    f"on this grid (q_max d = {q:.3g}): its rate would be {value * per_unit:.3g} "
                    f"ω_p, beyond 1/√ε = {MAX_RATE:.3g} of the plasma frequency, where double "
                    "precision no longer resolves the rates that set the drag"
                )

    # --- variants -----------------------------------------------------------------------
    def with_(self, **changes) -> BilayerParameters:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def paper_approximations(self) -> BilayerParameters:
        """The approximations behind Eq. (21): even viscosity and its noise off (η kept only
        in the nonreciprocal stress), odd viscosity off, pressure off (text after Eq. 16)."""
        return replace(self, even_viscosity=False, odd=0.0, sound=0.0)

    # --- physical constructor ----------------------------------------------------------
    @classmethod
    def from_physical(
        cls,
        *,
        density_cm2: float,
        mass_me: float,
        kappa: float,
        spacing_nm: float,
        temperature_k: float,
        sigma_e2_per_hbar: float,
        eta_hbar_n: float,
        bulk_hbar_n: float = 0.0,
        odd_hbar_n: float = 0.0,
        alpha_per_mps_tesla: float = 0.0,
        field_tesla: tuple[float, float] = (0.0, 0.0),
        velocity_mps: tuple[float, float] = (0.0, 0.0),
        pressure: bool = False,
        even_viscosity: bool = True,
    ) -> BilayerParameters:
        """Dimensionless parameters from physical inputs (Eqs. 14, 15, 24).

        Parameters
        ----------
        density_cm2
            Electron density per layer n, cm⁻².
        mass_me
            Effective mass m in electron masses; ϱ = m n.
        kappa
            Dielectric constant κ of the interlayer material.
        spacing_nm
            Interlayer spacing d, nm.
        temperature_k
            Temperature T, K.
        sigma_e2_per_hbar
            Intrinsic conductivity σ in units of e²/ħ.
        eta_hbar_n, bulk_hbar_n, odd_hbar_n
            Shear η, bulk ζ_b and odd η_o viscosity in units of ħ n (2D dynamic viscosity).
        alpha_per_mps_tesla
            Nonreciprocity α of ``N_ijklm = α δ_il δ_jm B_k``, in 1/((m/s)·T): χ = α v·B.
        field_tesla
            In-plane field B, tesla (2-vector).
        velocity_mps
            Drift velocity v of the drive layer, m/s (2-vector).
        pressure
            Include the pressure of an ideal spin-degenerate 2D Fermi gas,
            ∂μ/∂n = πħ²/m (T ≪ E_F).
        even_viscosity
            Keep the even viscous stress (Eq. 7) and its noise (Eq. 10).
        """
        for name, value in (("density_cm2", density_cm2), ("mass_me", mass_me), ("kappa", kappa),
                            ("spacing_nm", spacing_nm), ("temperature_k", temperature_k),
                            ("sigma_e2_per_hbar", sigma_e2_per_hbar)):  # fmt: skip
            require_positive(name, value)
        require_positive("eta_hbar_n", eta_hbar_n, allow_zero=not even_viscosity)
        require_positive("bulk_hbar_n", bulk_hbar_n, allow_zero=True)
        require_finite("odd_hbar_n", odd_hbar_n)
        require_finite("alpha_per_mps_tesla", alpha_per_mps_tesla)
        b_vec = require_finite("field_tesla", field_tesla).reshape(2)
        v_vec = require_finite("velocity_mps", velocity_mps).reshape(2)
        sc = PhysicalScales.from_inputs(density_cm2, mass_me, kappa, spacing_nm, temperature_k,
                                        sigma_e2_per_hbar, v_vec)  # fmt: skip
        n, m, d, omega_p, sigma = sc.density, sc.mass, sc.spacing, sc.omega_p, sc.sigma
        rho = m * n
        eta, bulk, odd = (units.viscosity_hbar_n_to_cgs(x, n)
                          for x in (eta_hbar_n, bulk_hbar_n, odd_hbar_n))  # fmt: skip
        v_cgs = np.array([units.mps_to_cmps(x) for x in v_vec])
        chi = alpha_per_mps_tesla * float(np.dot(v_vec, b_vec))
        dmu_dn = math.pi * units.HBAR**2 / m if pressure else 0.0
        return cls(
            varsigma=2.0 * math.pi * sigma / (d * kappa * omega_p),
            beta=(eta + bulk) / (rho * d**2 * omega_p),
            chi=chi,
            drift=sc.drift_velocity / (omega_p * d),
            drift_angle=math.atan2(v_cgs[1], v_cgs[0]) if sc.drift_velocity > 0 else 0.0,
            bulk_to_shear=bulk / eta if eta > 0 else 0.0,
            odd=odd / (rho * d**2 * omega_p),
            sound=n**2 * dmu_dn / (rho * omega_p**2 * d**2),
            theta=sc.temperature / (rho * omega_p**2 * d**4),
            even_viscosity=even_viscosity,
            scales=sc,
        )
