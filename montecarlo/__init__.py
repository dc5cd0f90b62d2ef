"""Importance-sampled Monte Carlo of the Weyl-film / 2D-metal interlayer collision integral.

After Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by electron-electron skew
scattering*, arXiv:2407.03023 (2024) — the Hall drag between a Weyl-semimetal film and a
normal metal; equation numbers (A…, B…) are those of arXiv:2407.03023v2.

The layers (tilted Weyl film, 2D parabolic metal), their polarizations and the screened
interlayer interaction are the package :mod:`layers`, below this one and ``validate``.

* :func:`montecarlo.run.run_collision_mc` — a run from Python (what ``montecarlo run`` does);
* :func:`load` — a run file read back as the :class:`~montecarlo.run.CollisionRunResult`
  the run returned (:mod:`montecarlo.results_io`).
"""

from __future__ import annotations

from dragcore import __version__

__all__ = ["__version__", "load"]


def load(path):
    """A run file of ``python -m montecarlo run`` read back (:func:`montecarlo.results_io.load`)."""
    from montecarlo.results_io import load as _load

    return _load(path)
