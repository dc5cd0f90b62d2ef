"""The layers of an electron bilayer and the screened interaction between them.

The physics that the deterministic quadrature (:mod:`validate`) and the Monte Carlo of the
collision integral (:mod:`montecarlo`) share, after *Hall drag between a Weyl semimetal film
and a normal metal* (its author list is not in our copy of the text). This package sits
above :mod:`dragcore` and below both simulators; it imports neither.

* :mod:`layers.weyl` — the tilted node: energies, spinors, overlaps, Berry connection and
  curvature, coordinate shift (B20), three-state phase (A47), App. C times and conductivities;
* :mod:`layers.metal` — the 2D metal: dispersion, DOS, Stern's Π (T = 0, exact),
  finite-T Π (Maldague), a sum-over-states reference;
* :mod:`layers.interaction` — the film's polarization (tilt exact, ballistic), U_RPA
  (A1) and its strong-screening form (A2), Fermi function;
* :mod:`layers.presets` — validated layer/bilayer objects and the Fig. 2 presets.
"""

from __future__ import annotations
