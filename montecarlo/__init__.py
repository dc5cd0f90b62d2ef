"""Importance-sampled Monte Carlo of the Weyl-film / 2D-metal interlayer collision integral.

The layers (tilted Weyl film, 2D parabolic metal), their polarizations and the screened
interlayer interaction are the package :mod:`layers`, below this one and ``validate``.
"""

from __future__ import annotations

from dragcore import __version__

__all__ = ["__version__"]
