"""The bilayers of Fig. 2 of the Hall-drag paper, with the illegible parameters as options.

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024).

Internal units (see :mod:`dragcore.units`): ħ = k_B = 1, lengths in cm, energies in erg,
velocities as ħv (erg·cm), masses as m/ħ², times as t/ħ; e² is the CGS e² (erg·cm).
Physical inputs are converted once, in the ``*_from_physical`` constructors
(:mod:`layers.weyl_film`, :mod:`layers.metal_2d`); the layer objects are those modules' and
the bilayer :class:`layers.bilayer.Bilayer`.

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
from collections.abc import Callable

from dragcore import units
from dragcore.checks import require_positive
from layers.bilayer import Bilayer
from layers.interface import Layer
from layers.metal_2d import Metal2D, metal_from_physical
from layers.weyl_film import weyl_film_from_physical

__all__ = [
    "PRESETS",
    "PRESET_DEFAULTS",
    "ACTIVE_LAYERS",
    "preset",
    "FIG2_DENSITIES_CM2",
    "GAAS_MASS_ME",
    "GAAS_DIELECTRIC",
    "gaas_double_well",
]

FIG2_DENSITIES_CM2 = (1e11, 3e11, 1e12)

#: GaAs conduction band: effective mass m/mₑ (the Hall-drag paper's metal uses it too).
GAAS_MASS_ME = 0.067
#: GaAs static dielectric constant (the Hall-drag paper's Fig. 2 takes ε = 12 for its bilayer;
#: a GaAs double quantum well has GaAs's own 12.9).
GAAS_DIELECTRIC = 12.9


#: The options of every preset and their defaults (module docstring): Fig. 2's tilt C and
#: dielectric constant ε, our n^p (cm⁻²) and τ^p (ps). Declared here only; the command lines
#: and the report read them.
PRESET_DEFAULTS: dict[str, float] = {"n_p_cm2": 3e11, "tau_p_ps": 50.0, "tilt": 0.3,
                                     "dielectric": 12.0}  # fmt: skip

PRESETS: dict[str, dict] = {
    "fig2-d40": {"d_nm": 40.0},
    "fig2-d120": {"d_nm": 120.0},
}

#: The active layers a preset can have: ``name → (tilt, passive metal) → layer``.
#: ``"weyl"``: the Fig. 2 film (tilt C); ``"metal"``: a copy of the passive metal (ordinary
#: 2D–2D drag at the same spacing). A new layer type adds its entry here.
ACTIVE_LAYERS: dict[str, Callable[[float, Metal2D], Layer]] = {
    "weyl": lambda tilt, passive: weyl_film_from_physical(tilt=tilt),
    "metal": lambda tilt, passive: passive,
}


def preset(
    name: str,
    *,
    n_p_cm2: float = PRESET_DEFAULTS["n_p_cm2"],
    tau_p_ps: float = PRESET_DEFAULTS["tau_p_ps"],
    d_nm: float | None = None,
    tilt: float = PRESET_DEFAULTS["tilt"],
    dielectric: float = PRESET_DEFAULTS["dielectric"],
    active: str = "weyl",
) -> Bilayer:
    """The bilayer of a preset, with the illegible parameters as options
    (:data:`PRESET_DEFAULTS`; ``d_nm`` ``None``: the preset's spacing).

    ``active`` names the active layer (:data:`ACTIVE_LAYERS`): ``"metal"`` replaces the Weyl
    film by a copy of the passive metal (ordinary 2D–2D drag at the same spacing), keeping
    everything else.
    """
    if name not in PRESETS:
        raise ValueError(f"preset = {name!r} is not one of {sorted(PRESETS)}")
    d = PRESETS[name]["d_nm"] if d_nm is None else d_nm
    if not (isinstance(d, (int, float)) and math.isfinite(d)):
        raise ValueError(f"d = {d!r} is outside the allowed range (0, inf)")
    require_positive("d", d)
    passive = metal_from_physical(n_p_cm2, GAAS_MASS_ME, tau_p_ps)
    if active not in ACTIVE_LAYERS:
        raise ValueError(f"active = {active!r} is not one of {sorted(ACTIVE_LAYERS)}")
    act = ACTIVE_LAYERS[active](tilt, passive)
    return Bilayer(active=act, passive=passive, spacing=units.nm_to_cm(d), dielectric=dielectric)


def gaas_double_well(n_cm2: float, d_nm: float, tau_ps: float = 50.0) -> Bilayer:
    """Two equal GaAs 2DEGs (m = :data:`GAAS_MASS_ME` mₑ, ε = :data:`GAAS_DIELECTRIC`,
    g_s = 2) of density ``n_cm2`` (cm⁻²) at centre-to-centre distance ``d_nm`` (nm), zero
    well width: the double quantum wells of T. J. Gramila et al., Phys. Rev. Lett. 66, 1216
    (1991), as K. Flensberg and B. Y.-K. Hu model them (Phys. Rev. B 52, 14796 (1995)).
    ``tau_ps`` enters only the transport coefficients, not the drag rate."""
    require_positive("n", n_cm2)
    require_positive("d", d_nm)
    metal = metal_from_physical(n_cm2, GAAS_MASS_ME, tau_ps)
    return Bilayer(
        active=metal, passive=metal, spacing=units.nm_to_cm(d_nm), dielectric=GAAS_DIELECTRIC
    )
