"""Two layers at a spacing d in a dielectric ε, and the screened interaction between them.

Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by electron-electron skew
scattering*, arXiv:2407.03023v2 (2024), Eq. (A1). The layers are any two objects of the interface
:class:`layers.interface.Layer` (the active one driven, the passive one dragged; the Monte
Carlo needs a passive layer it can sample as a 2D parabolic band). Internal units
(:mod:`dragcore.units`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from dragcore import units
from dragcore.checks import require_positive
from layers.interaction import interlayer_interaction, thomas_fermi_wavevector
from layers.interface import Layer

__all__ = ["Bilayer"]


@dataclass(frozen=True)
class Bilayer:
    """Active layer (e.g. a Weyl film or a 2D metal), passive layer (a 2D metal), spacing d
    (cm), background dielectric constant ε."""

    active: Layer
    passive: Layer
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
