"""The Fermi window f(y) − f(y + ω) of one layer and its exact inverse CDF.

A transition that takes an electron of a layer from energy μ + y + ω to μ + y (energy
loss ω, temperature T, chemical potential μ: the layer's μ(T) at its fixed density) carries
the occupation factor f(y + ω)(1 − f(y)) = [f(y) − f(y + ω)](1 + n_B(ω)). The window
f(y) − f(y + ω), normalized, is a density in y whose inverse CDF is known in closed form: the
Monte Carlo's sampling maps
(:mod:`montecarlo.sampling`) and the film's exact state sums (:mod:`layers.film_state_sum`)
both measure a layer's energies with it. Units: whatever the caller uses (energies and T
alike), ħ = k_B = 1.
"""

from __future__ import annotations

import numpy as np

from dragcore.elementary import expm1, log, log1p
from dragcore.jit import jit

__all__ = ["fermi_window_energy", "fermi_window_energy_nb"]


@jit(forceinline=True)
def fermi_window_energy_nb(
    t: float, omega: float, T: float
) -> tuple[float, float]:  # pragma: no cover
    """y with density p(y) = [f(y) − f(y + ω)]/ω (exact inverse CDF); returns (y, dy/dt).

    ∫_{−∞}^{y} [f − f(·+ω)] = T ln[(1 + e^{(y+ω)/T})/(1 + e^{y/T})]; with w = |ω|/T,
    A = 1 − e^{−tw}, B = 1 − e^{−(1−t)w} (both in (0, 1], by ``expm1``):

        y = T ln(A/B) − (1 − t)|ω|,   dy/dt = |ω| (1/A + 1/B − 1) = 1/p(y)

    for ω > 0; for ω < 0 the window is the one of |ω| shifted by −ω (p(y; ω) = p(y + ω; −ω)),
    so y gains |ω| and dy/dt is unchanged. For w < 1e-9 the logistic limit
    y = T ln(t/(1 − t)), dy/dt = T/(t(1 − t)) (relative error O(w)). No overflow, and no
    branch (the collision kernel is vectorised): both forms are computed, one is selected.
    """
    aw = abs(omega)
    w = aw / T
    tiny = w < 1e-9
    ws = 1.0 if tiny else w  # keeps the unused lane finite
    a = -expm1(-t * ws)
    b = -expm1(-(1.0 - t) * ws)
    y = T * log(a / b) - (1.0 - t) * aw + (aw if omega < 0.0 else 0.0)
    jac = aw * (1.0 / a + 1.0 / b - 1.0)
    y_tiny = T * (log(t) - log1p(-t))
    jac_tiny = T / (t * (1.0 - t))
    return (y_tiny if tiny else y), (jac_tiny if tiny else jac)


def fermi_window_energy(t, omega, T: float):
    """Numpy twin of :func:`fermi_window_energy_nb` (direct formulas, no logarithms).

    y = T ln[(e^{tw} − 1)/(e^{w} − e^{tw})]; dy/dt = ω/[f(y) − f(y + ω)] with
    f = 1/(e^{x/T} + 1). Valid for moderate |w| (no overflow guards: a reference).
    """
    t, omega = np.broadcast_arrays(np.asarray(t, float), np.asarray(omega, float))
    w = omega / T
    y = T * np.log(np.expm1(t * w) / (np.exp(w) - np.exp(t * w)))

    # f(y) − f(y + ω) = sinh(ω/2T)/(2 cosh(y/2T) cosh((y + ω)/2T)): no cancellation in the
    # tails, where both occupations are near 0 or 1
    with np.errstate(over="ignore"):
        half = 2 * np.cosh(y / (2 * T)) * np.cosh((y + omega) / (2 * T))
        window = np.sinh(omega / (2 * T)) / half
    return y, omega / window
