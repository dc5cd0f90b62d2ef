"""The stepped modes of a grid and the systems a run steps with shared normals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from langevin.grid import PeriodicGrid
from langevin.model_interface import LangevinModel

__all__ = ["ModeSet", "active_mode_set", "drive_systems"]


@dataclass(frozen=True)
class ModeSet:
    """The stepped modes of a grid: independent half-plane modes without q = 0.

    Attributes
    ----------
    index
        ``(ix, iy)`` half-plane indices of the modes.
    qx, qy
        Wave vectors (units 1/d).
    weights
        Half-plane weights (2, or 1 on self-conjugate modes).
    real_mode
        Self-conjugate modes (real state).
    """

    index: tuple[np.ndarray, np.ndarray]
    qx: np.ndarray
    qy: np.ndarray
    weights: np.ndarray
    real_mode: np.ndarray

    @classmethod
    def from_grid(cls, grid: PeriodicGrid, active: np.ndarray | bool = True) -> ModeSet:
        """The independent half-plane modes of ``grid`` inside ``active`` (no q = 0)."""
        mask = grid.independent_mask() & active
        mask[0, 0] = False
        index = np.nonzero(mask)
        qx, qy = grid.half_wavevectors()
        return cls(index, qx[index], qy[index], grid.half_plane_weights()[index],
                   grid.self_conjugate_mask()[index])  # fmt: skip

    @property
    def size(self) -> int:
        return int(self.weights.size)


def active_mode_set(grid: PeriodicGrid, active: np.ndarray) -> ModeSet:
    """The stepped modes: independent half-plane modes inside ``active`` (no q = 0)."""
    return ModeSet.from_grid(grid, active)


def drive_systems(model: LangevinModel, common_random_numbers: bool) -> list[LangevinModel]:
    """The systems a run steps with shared normals: ``[model]``, or, with common random
    numbers, ``[model, model.reversed_drive()]`` (the same objects on every call)."""
    if not common_random_numbers:
        return [model]
    return [model, model.reversed_drive()]
