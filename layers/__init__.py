"""The layers of an electron bilayer and the screened interaction between them.

The physics that the deterministic quadrature (:mod:`validate`) and the Monte Carlo of the
collision integral (:mod:`montecarlo`) share, after Y. Messica and D. B. Gutman, *Hall
Coulomb drag induced by electron-electron skew scattering*, arXiv:2407.03023 (2024; equation
numbers of arXiv:2407.03023v2): a tilted Weyl-semimetal film above a normal metal. This package sits
above :mod:`dragcore` and below both simulators; it imports neither (nor :mod:`langevin`).

Both routes see a layer only through :class:`layers.interface.Layer` — its polarization
(T = 0 and at T), its continuum, its Fermi-surface data for the Monte Carlo's sampler, its
finite-T state sums, its transport coefficients and Hall friction — so a new layer type is
one new module here implementing that interface (and, for the presets, an entry in
:data:`layers.presets.ACTIVE_LAYERS`).

* :mod:`layers.interface` — the layer interface and the Monte Carlo kernel's paths;
* :mod:`layers.weyl_film` — :class:`~layers.weyl_film.WeylFilm`, the tilted Weyl film;
* :mod:`layers.metal_2d` — :class:`~layers.metal_2d.Metal2D`, the 2D parabolic metal;
* :mod:`layers.bilayer` — :class:`~layers.bilayer.Bilayer`, two layers at spacing d;
* :mod:`layers.presets` — the Fig. 2 bilayers;
* :mod:`layers.drag_integral` — the drag coefficients (B7), (B13), (B15) by quadrature;
* :mod:`layers.weyl` — the tilted node: energies, spinors, overlaps, Berry connection and
  curvature, coordinate shift (B20), three-state phase (A47), App. C times and conductivities;
* :mod:`layers.metal` — the 2D metal: dispersion, DOS, Stern's Π (T = 0, exact),
  finite-T Π (Maldague, and done exactly), a sum-over-states reference;
* :mod:`layers.interaction` — the film's polarization (tilt exact, ballistic), U_RPA
  (A1) and its strong-screening form (A2), Fermi function;
* :mod:`layers.film_state_sum` — the film's exact finite-T state sums (Im Π and the Monte
  Carlo's weights) at any tilt;
* :mod:`layers.fermi_window` — the Fermi window f(y) − f(y + ω) and its inverse CDF.
"""

from __future__ import annotations
