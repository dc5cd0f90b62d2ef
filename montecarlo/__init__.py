"""Importance-sampled Monte Carlo of the Weyl-film / 2D-metal interlayer collision integral.

The layers (tilted Weyl film, 2D parabolic metal), their polarizations and the screened
interlayer interaction live here too; ``validate`` uses them for the deterministic route:

* :mod:`montecarlo.weyl` — the tilted node: energies, spinors, overlaps, Berry connection and
  curvature, coordinate shift (B20), three-state phase (A47), App. C times and conductivities;
* :mod:`montecarlo.metal` — the 2D metal: dispersion, DOS, Stern's Π (T = 0, exact),
  finite-T Π (Maldague), a sum-over-states reference;
* :mod:`montecarlo.interaction` — the film's polarization (tilt exact, ballistic), U_RPA
  (A1) and its strong-screening form (A2), Fermi function;
* :mod:`montecarlo.presets` — validated layer/bilayer objects and the Fig. 2 presets.
"""

from __future__ import annotations

from dragcore import __version__

__all__ = ["__version__"]
