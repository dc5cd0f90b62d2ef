"""The registry of sampling paths: which kernel samples a layer's states, chosen in Python.

A path is looked up by the layer's :attr:`~layers.interface.Layer.collision_model` (a
:class:`~layers.interface.CollisionModel` for the package's layers; any hashable key for a new
one) and handed to the integrator; the kernels never test what kind of layer they sample.
An active path (:class:`ActivePath`) is one module (:mod:`montecarlo.path_weyl_film`,
:mod:`montecarlo.path_metal_2d`): its numba integrand over the passive 2D metal (the shared loop
of :mod:`montecarlo.collision_loop` with its point functions), its packer from the layer object
and its numpy twin. A new kind is such a module plus one :func:`register_active_path` line.

The passive layer goes through the same interface (:class:`PassivePath`; the 2D metal is the
one registered): a non-metal passive layer is a new passive module whose functions the shared
loop takes (as :func:`montecarlo.path_metal_2d.loop_over_passive_metal` hands it the metal's),
plus an integrand per active path it is to be paired with.
"""

from __future__ import annotations

from collections.abc import Hashable

from layers.interface import CollisionModel
from montecarlo import path_metal_2d, path_weyl_film
from montecarlo.path_types import ActivePath, PassivePath

__all__ = [
    "ActivePath",
    "PassivePath",
    "ACTIVE_PATHS",
    "PASSIVE_PATHS",
    "register_active_path",
    "active_path",
    "passive_path",
    "path_for_code",
]


ACTIVE_PATHS: dict[Hashable, ActivePath] = {}
"""The active paths by the layer's ``collision_model``."""

PASSIVE_PATHS: dict[Hashable, PassivePath] = {
    CollisionModel.METAL_2D: path_metal_2d.PASSIVE_METAL_PATH,
}
"""The passive paths by the layer's ``collision_model``."""


def register_active_path(key: Hashable, path: ActivePath) -> ActivePath:
    """Add ``path`` under ``key`` (a layer's ``collision_model``); ``ValueError`` if another
    key has the path's code or the key has another code (the same key and code again, e.g. a
    module imported twice, replaces the entry)."""
    for other_key, other in ACTIVE_PATHS.items():
        if (other_key == key) != (other.code == path.code):
            raise ValueError(f"active path {key!r} (code {path.code}) clashes with {other_key!r}")
    ACTIVE_PATHS[key] = path
    return path


register_active_path(CollisionModel.WEYL_FILM, path_weyl_film.WEYL_FILM_PATH)
register_active_path(CollisionModel.METAL_2D, path_metal_2d.METAL_2D_PATH)


def active_path(layer) -> ActivePath:
    """The registered path of ``layer`` as the active layer."""
    key = layer.collision_model
    if key not in ACTIVE_PATHS:
        raise ValueError(f"collision_model = {key!r} is not one of {list(ACTIVE_PATHS)}")
    return ACTIVE_PATHS[key]


def passive_path(layer) -> PassivePath:
    """The registered path of ``layer`` as the passive layer."""
    key = layer.collision_model
    if key not in PASSIVE_PATHS:
        raise ValueError(
            f"collision_model = {key!r} is not one of {list(PASSIVE_PATHS)} (passive layers)"
        )
    return PASSIVE_PATHS[key]


def path_for_code(code: float) -> ActivePath:
    """The active path whose ``code`` a parameter vector carries (slot ``active_path``)."""
    for path in ACTIVE_PATHS.values():
        if path.code == code:
            return path
    raise ValueError(f"active_path = {code!r} is not the code of a registered path")
