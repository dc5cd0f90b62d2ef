"""The periodic L×L grid with N×N points per layer, and its Fourier modes.

Conventions (used by the model, the exact solution and the time integrator alike):

* Fourier *coefficients*: ``X_q = N⁻² Σ_r X(r) e^{-i q·r}``, ``X(r) = Σ_q X_q e^{i q·r}``
  (``numpy.fft.fft2(X) / N²``), with ``q = 2π (m_x, m_y)/L``, ``m`` in FFT order.
* Continuum white noise ``⟨ξ(r,t) ξ(r',t')⟩ = δ(r−r') δ(t−t')`` has coefficients with
  ``⟨ξ_q ξ_q'^*⟩ = δ_qq' δ(t−t') / L²``; hence a per-mode noise covariance on the grid is the
  continuum one divided by ``L²`` (:meth:`PeriodicGrid.mode_noise_scale`). This is the one
  place where the box size scales the noise.
* A real field is stored on the half plane (``numpy.fft.rfft2`` layout, shape ``(N, N//2+1)``).
  Modes with ``m_y = 0`` or ``m_y = N/2`` appear together with their conjugate partner in the
  same column; :meth:`PeriodicGrid.half_plane_weights` counts each independent pair once
  and :meth:`PeriodicGrid.self_conjugate_mask` marks the modes equal to their own conjugate
  (zero and Nyquist), whose coefficients are real.
* Sums over all modes: ``Σ_q h(q) = Σ_{half plane} w_q h(q)`` for ``h(−q) = h(q)^*`` real parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dragcore.checks import require_positive, require_range

__all__ = ["PeriodicGrid"]


@dataclass(frozen=True)
class PeriodicGrid:
    """N×N points on an L×L periodic box.

    Parameters
    ----------
    n
        Points per side; even, ≥ 2.
    length
        Box side L (in the model's length unit, e.g. the layer spacing d).
    """

    n: int
    length: float

    def __post_init__(self) -> None:
        require_range("n", self.n, 2, np.inf)
        if int(self.n) != self.n or self.n % 2:
            raise ValueError(f"n = {self.n!r} is outside the allowed range: even integers >= 2")
        require_positive("length", self.length)

    @property
    def spacing(self) -> float:
        """Grid spacing L/N."""
        return self.length / self.n

    @property
    def cell_area(self) -> float:
        """Area of one cell, (L/N)²."""
        return self.spacing**2

    @property
    def mode_noise_scale(self) -> float:
        """Factor 1/L² turning a continuum white-noise covariance into a per-mode one."""
        return 1.0 / self.length**2

    @property
    def dq(self) -> float:
        """Spacing of the wave-vector lattice, 2π/L."""
        return 2.0 * np.pi / self.length

    def full_wavevectors(self) -> tuple[np.ndarray, np.ndarray]:
        """``(qx, qy)`` of shape ``(N, N)`` in ``fft2`` order (axis 0 ↔ x, axis 1 ↔ y)."""
        m = np.fft.fftfreq(self.n, d=1.0 / self.n)
        qx, qy = np.meshgrid(self.dq * m, self.dq * m, indexing="ij")
        return qx, qy

    def half_wavevectors(self) -> tuple[np.ndarray, np.ndarray]:
        """``(qx, qy)`` of shape ``(N, N//2+1)`` in ``rfft2`` order (non-negative ``m_y``)."""
        mx = np.fft.fftfreq(self.n, d=1.0 / self.n)
        my = np.fft.rfftfreq(self.n, d=1.0 / self.n)
        # The Nyquist column m_y = N/2 is listed as +N/2 by rfftfreq (it equals -N/2).
        qx, qy = np.meshgrid(self.dq * mx, self.dq * my, indexing="ij")
        return qx, qy

    def self_conjugate_mask(self) -> np.ndarray:
        """Half-plane modes with q ≡ −q (m_x, m_y ∈ {0, N/2}): real coefficients."""
        mask = np.zeros((self.n, self.n // 2 + 1), dtype=bool)
        for ix in (0, self.n // 2):
            for iy in (0, self.n // 2):
                mask[ix, iy] = True
        return mask

    def independent_mask(self) -> np.ndarray:
        """Half-plane modes that are independent degrees of freedom (one of each ±q pair).

        In the columns m_y = 0 and m_y = N/2 the modes m_x and −m_x are conjugates; only
        m_x ∈ [0, N/2] is kept there.
        """
        mask = np.ones((self.n, self.n // 2 + 1), dtype=bool)
        for iy in (0, self.n // 2):
            mask[self.n // 2 + 1 :, iy] = False
        return mask

    def half_plane_weights(self) -> np.ndarray:
        """Weights ``w``: ``Σ_{all q} h(q) = Re Σ_{half} w h(q)`` when ``h(−q) = h(q)^*``.

        ``w = 2`` for independent non-self-conjugate modes, ``1`` for self-conjugate ones,
        ``0`` for the redundant partners in the m_y = 0 and m_y = N/2 columns.
        """
        w = np.where(self.independent_mask(), 2.0, 0.0)
        w[self.self_conjugate_mask()] = 1.0
        return w

    def to_half_plane(self, field: np.ndarray) -> np.ndarray:
        """Real field(s) ``(..., N, N)`` → Fourier coefficients ``(..., N, N//2+1)``."""
        return np.fft.rfft2(field, axes=(-2, -1)) / self.n**2

    def to_real_space(self, coeffs: np.ndarray) -> np.ndarray:
        """Half-plane coefficients ``(..., N, N//2+1)`` → real field(s) ``(..., N, N)``."""
        return np.fft.irfft2(coeffs * self.n**2, s=(self.n, self.n), axes=(-2, -1))
