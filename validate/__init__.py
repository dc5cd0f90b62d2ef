"""Deterministic references and the comparison of every independent route.

* ``validate.f(varsigma)``, ``validate.g(varsigma, beta)`` — Eq. (22) of D. Zverevich and
  A. Levchenko, *Nonreciprocal Coulomb drag in electron bilayers*, arXiv:2504.08679v1 (2025),
  by exact rational y-integration;
* the Weyl-film / 2D-metal references after Y. Messica and D. B. Gutman, *Hall Coulomb drag
  induced by electron-electron skew scattering*, arXiv:2407.03023v2 (2024).
* ``python -m validate`` — the main job: every comparison, written as a report.
"""

from __future__ import annotations

from dragcore import __version__

__all__ = ["__version__", "f", "g"]


def __getattr__(name: str):  # lazy: keep ``import validate`` cheap
    if name in ("f", "g"):
        from validate import fg

        return getattr(fg, name)
    raise AttributeError(f"module 'validate' has no attribute {name!r}")
