"""Infrastructure shared by ``langevin``, ``montecarlo`` and ``validate``.

Nothing here is physics: the package version, input checks with uniform error messages,
the unit conversions at the boundary, the numba configuration and the CLI error wrapper.
"""

from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__: str = _metadata.version("bilayer-drag")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0+source"

__all__ = ["__version__"]
