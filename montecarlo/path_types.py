"""What a sampling path of the collision Monte Carlo consists of (the registry's entries).

See :mod:`montecarlo.collision_paths` (the registry) and :mod:`montecarlo.collision_loop`
(the numba functions a path hands to the shared loop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ActivePath", "PassivePath"]


@dataclass(frozen=True)
class ActivePath:
    """How the Monte Carlo samples an active layer's states.

    Attributes
    ----------
    code
        The value of the slot ``active_path`` of the parameter vector (unique per path: it
        keeps two paths' vectors apart in a run's identity; the kernels do not read it).
    dim
        Coordinates of a point (the passive layer's three and the active layer's).
    integrand
        The numba integrand ``(x, out, params)`` over the passive 2D metal.
    polarizations
        numba ``(q, ω, params) → (n, 4)``: both Π at T as the integrand screens (tests).
    pack
        ``(layer, T, table_size) → (slot values, table)`` from the layer object.
    screening
        ``(layer, T, slot values, spacing) → (screening-block values, Ψ_a table)``.
    twin
        The numpy twin of the active part ``(layer, x, q, ω, ξ₁, T) → (measure, Π_a, q̂·k̂₁,
        |k₁|, side jump, (skew W⁽¹⁾, W⁽²⁾), η∥⁽¹⁾'s normalisation)``.
    polarization_twin
        ``(q, ω, slot values, table, screening block) → Π_a`` at T, complex (numpy twin of
        the screening).
    second_sin2
        Whether the passive δ goes through a second sin² (an active 2D band's √ edge meets the
        passive one).
    """

    code: float
    dim: int
    integrand: Callable
    polarizations: Callable
    pack: Callable
    screening: Callable
    twin: Callable
    polarization_twin: Callable
    second_sin2: bool


@dataclass(frozen=True)
class PassivePath:
    """How the Monte Carlo samples the passive layer's states: its packer, its part of the
    screening block and its numpy twin (the numba functions are the loop's arguments)."""

    pack: Callable
    screening: Callable
    twin: Callable
