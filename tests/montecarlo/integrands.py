"""Integrands shared by the Monte Carlo tests."""

from __future__ import annotations

import math

from numba import njit


def gaussian_peak(width: float):
    """A compiled integrand on the unit cube with two outputs: a Gaussian peak of ``width``
    at ``(x₀, x₁) = (0.3, 0.6)``, and that peak times ``x₂``.

    Parameters
    ----------
    width : float
        The standard deviation of the peak (a compile-time constant of the integrand).

    Returns
    -------
    callable
        ``peak(x, out, params)``, the integrand signature of :mod:`montecarlo.integrator`
        (``params`` unused).
    """

    @njit
    def peak(x, out, params):
        for p in range(x.shape[0]):
            z0 = (x[p, 0] - 0.3) / width
            z1 = (x[p, 1] - 0.6) / width
            out[p, 0] = math.exp(-0.5 * (z0 * z0 + z1 * z1))
            out[p, 1] = out[p, 0] * x[p, 2]

    return peak
