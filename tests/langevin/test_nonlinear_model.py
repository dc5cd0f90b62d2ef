"""The nonlinear bilayer's right-hand side against an independent real-space evaluation.

:func:`langevin.nonlinear_model.nonlinear_rhs` is the nonlinear remainder ``N`` of Eqs. (C),
(M) of :mod:`langevin.nonlinear_model`, written term by term in Fourier space; the linear part
is the linear model's ``M``. Here the *full* right-hand side is evaluated a second way — the
equations as printed in the module docstring, field by field in real space with spectral
derivatives, no split into linear and nonlinear parts — and ``M X + N(X)`` must equal it on
the kept modes to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest

from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.nonlinear_model import (
    BlowUpError,
    NonlinearBilayerModel,
    dealias_mask,
)
from langevin.params import BilayerParameters


def _random_state(grid: PeriodicGrid, amplitude: float, seed: int) -> np.ndarray:
    """A real band-limited state (kept modes only, q = 0 zero) in half-plane layout."""
    rng = np.random.default_rng(seed)
    real = rng.standard_normal((6, grid.n, grid.n)) * amplitude
    half = grid.to_half_plane(real) * dealias_mask(grid)
    half[:, 0, 0] = 0.0
    return grid.to_half_plane(grid.to_real_space(half))  # exactly Hermitian


def _grad(grid: PeriodicGrid, f: np.ndarray) -> np.ndarray:
    """Spectral gradient of real field(s) ``(..., N, N)`` → ``(..., 2, N, N)``."""
    qx, qy = grid.half_wavevectors()
    fq = grid.to_half_plane(f)
    return np.stack([grid.to_real_space(1j * qx * fq), grid.to_real_space(1j * qy * fq)], axis=-3)


def _div(grid: PeriodicGrid, v: np.ndarray) -> np.ndarray:
    """Spectral divergence of ``(..., 2, N, N)`` → ``(..., N, N)``."""
    g = _grad(grid, v)  # (..., comp, ∂, N, N)
    return g[..., 0, 0, :, :] + g[..., 1, 1, :, :]


def reference_full_rhs(state: np.ndarray, grid: PeriodicGrid, p: BilayerParameters) -> np.ndarray:
    """Eqs. (C), (M) of :mod:`langevin.nonlinear_model`, evaluated directly in real space."""
    n = grid.n
    f = grid.to_real_space(state)
    rho, mom = f[0:2], f[2:6].reshape(2, 2, n, n)
    dens = 1.0 + rho
    w = mom / dens[:, None]
    qx, qy = grid.half_wavevectors()
    q = np.hypot(qx, qy)
    safe = np.where(q > 0, q, 1.0)
    rq = grid.to_half_plane(rho)
    phi_q = np.stack([rq[0] / safe + np.exp(-q) * rq[1] / safe,
                      rq[1] / safe + np.exp(-q) * rq[0] / safe])  # fmt: skip
    phi_q[:, 0, 0] = 0.0
    mu = grid.to_real_space(phi_q) + p.sound * rho  # φ + s² ρ (constant s² dropped)
    drift = [p.drift_vector, np.zeros(2)]
    out = np.empty((6, n, n))
    eye = np.eye(2)
    for a in (0, 1):
        va = drift[a]
        g_rho = _grad(grid, rho[a])
        lap = _div(grid, _grad(grid, mu[a] - 0.5 * (w[a] ** 2).sum(axis=0)))
        out[a] = -(va[0] * g_rho[0] + va[1] * g_rho[1]) - _div(grid, mom[a]) + p.varsigma * lap
        gw = _grad(grid, w[a])  # gw[i, j] = ∂_j w_i
        strain = 0.5 * (gw + gw.transpose(1, 0, 2, 3))  # V_ij
        divw = gw[0, 0] + gw[1, 1]
        stress = np.zeros((2, 2, n, n))
        if p.even_viscosity:
            stress += 2 * p.shear * strain + (p.bulk - p.shear) * eye[:, :, None, None] * divw
        if p.odd:
            eps = np.array([[0.0, 1.0], [-1.0, 0.0]])
            # η_o (ε_ik V_jk + ε_jk V_ik)
            stress += p.odd * (np.einsum("ik,jkxy->ijxy", eps, strain)
                               + np.einsum("jk,ikxy->ijxy", eps, strain))  # fmt: skip
        if a == 0:
            stress += p.shear * np.einsum("ijlm,lmxy->ijxy", p.stress_tensor, strain)
        flux = np.einsum("ixy,jxy->ijxy", mom[a], w[a])
        g_mu = _grad(grid, mu[a])
        for i in (0, 1):
            g_pi = _grad(grid, mom[a, i])
            adv = va[0] * g_pi[0] + va[1] * g_pi[1]
            out[2 + 2 * a + i] = (
                -adv - _div(grid, flux[i]) - dens[a] * g_mu[i] + _div(grid, stress[i])
            )
    return grid.to_half_plane(out)


@pytest.mark.parametrize(
    "params",
    [
        BilayerParameters(varsigma=0.15, beta=0.1, chi=0.3, drift=0.2, theta=0.01),
        BilayerParameters(
            varsigma=0.3,
            beta=0.2,
            chi=-0.5,
            drift=0.1,
            drift_angle=0.7,
            bulk_to_shear=0.5,
            odd=0.05,
            sound=0.1,
            theta=0.01,
        ),  # fmt: skip
        BilayerParameters(
            varsigma=0.15, beta=0.1, chi=0.2, drift=0.05, theta=0.01, even_viscosity=False
        ),  # fmt: skip
    ],
)
def test_linear_plus_nonlinear_equals_the_equations_in_real_space(params) -> None:
    grid = PeriodicGrid(18, 9.0)
    model = NonlinearBilayerModel(params)
    x = _random_state(grid, 0.05, seed=3)
    m = model.drift_operator(grid)
    full = np.einsum("xyab,bxy->axy", m, x) + model.nonlinear_drift(grid)(x)
    ref = reference_full_rhs(x, grid, params)
    kept = model.active_modes(grid)
    scale = np.max(np.abs(ref[:, kept]))
    assert np.max(np.abs(full[:, kept] - ref[:, kept])) < 1e-12 * scale
    # q = 0: densities untouched, momentum entries = the total force on each layer
    assert np.all(full[0:2, 0, 0] == 0.0)
    np.testing.assert_allclose(full[2:6, 0, 0], ref[2:6, 0, 0], atol=1e-13 * scale)


def test_nonlinear_remainder_is_second_order_in_the_fields() -> None:
    """``N(εX)/ε²`` converges as ε → 0 (N has no linear part: the split is right)."""
    params = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.3, drift=0.2, sound=0.1)
    grid = PeriodicGrid(12, 6.0)
    rhs = NonlinearBilayerModel(params).nonlinear_drift(grid)
    x = _random_state(grid, 1.0, seed=5)
    r = [rhs(eps * x) / eps**2 for eps in (1e-2, 1e-3, 1e-4)]
    d1 = np.max(np.abs(r[0] - r[1]))
    d2 = np.max(np.abs(r[1] - r[2]))
    assert np.max(np.abs(r[2])) > 0.1
    assert d2 < 0.2 * d1  # the cubic and higher remainder shrinks ∝ ε


def test_momentum_balance_and_drag_force_at_q0() -> None:
    """Newton's third law: the q = 0 forces on the two layers cancel to rounding, and the one
    on layer 2 is Eq. (11) on the same fields (the linear model's drag kernel)."""
    params = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.3, drift=0.2, sound=0.1,
                               odd=0.05)  # fmt: skip
    grid = PeriodicGrid(18, 9.0)
    x = _random_state(grid, 0.05, seed=7)
    q0 = NonlinearBilayerModel(params).nonlinear_drift(grid)(x)[2:6, 0, 0]
    f1, f2 = q0[0:2].real, q0[2:4].real
    np.testing.assert_allclose(f1 + f2, 0.0, atol=1e-15 * np.abs(f2).max() + 1e-18)
    qx, qy = grid.half_wavevectors()
    kern = BilayerModel(params).drag_kernel(qx, qy)
    w = grid.half_plane_weights()
    eq11 = np.einsum("xy,xyk->k", w, (kern * (x[0] * np.conj(x[1]))[..., None]).real)
    np.testing.assert_allclose(f2, eq11, rtol=1e-12, atol=1e-16)


def test_full_velocity_nonreciprocal_stress_against_real_space() -> None:
    """The switch adds ``∇·[η (χ/u)(w·v̂) V(w)]`` in both layers, nothing else."""
    p = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.4, drift=0.2, drift_angle=0.3)
    grid = PeriodicGrid(18, 9.0)
    x = _random_state(grid, 0.05, seed=11)
    base = NonlinearBilayerModel(p).nonlinear_drift(grid)(x)
    full = NonlinearBilayerModel(p, nonreciprocal_full_velocity=True).nonlinear_drift(grid)(x)
    f = grid.to_real_space(x)
    n = grid.n
    w = f[2:6].reshape(2, 2, n, n) / (1.0 + f[0:2])[:, None]
    # the strain is taken of the band-limited w (the kept modes), as in the other stresses
    w_band = grid.to_real_space(grid.to_half_plane(w) * dealias_mask(grid))
    vhat = np.array([np.cos(p.drift_angle), np.sin(p.drift_angle)])
    extra = np.zeros((6, n, n))
    for a in (0, 1):
        gw = _grad(grid, w_band[a])
        strain = 0.5 * (gw + gw.transpose(1, 0, 2, 3))
        c = p.shear * p.chi / p.drift * np.einsum("i,ixy->xy", vhat, w[a])
        for i in (0, 1):
            extra[2 + 2 * a + i] = _div(grid, c * strain[i])
    ref = grid.to_half_plane(extra) * dealias_mask(grid)
    ref[:, 0, 0] = 0.0
    diff = full - base
    np.testing.assert_allclose(diff, ref, atol=1e-12 * np.abs(ref).max())
    with pytest.raises(ValueError, match="drift"):
        NonlinearBilayerModel(p.with_(drift=0.0), nonreciprocal_full_velocity=True)


def test_blow_up_names_the_field() -> None:
    p = BilayerParameters(varsigma=0.15, beta=0.1)
    grid = PeriodicGrid(12, 6.0)
    x = _random_state(grid, 3.0, seed=1)
    with pytest.raises(BlowUpError, match="density of layer"):
        NonlinearBilayerModel(p).nonlinear_drift(grid)(x)


def test_engine_steps_balance_momentum_and_conserve_number() -> None:
    """Step by step: the q = 0 momentum the constraint removes from the two layers sums to
    zero to rounding (Newton's third law; with the drift on, χ ≠ 0, odd viscosity, pressure),
    and each layer's number Σ_r δn stays zero to rounding."""
    from langevin.comparison import NonlinearComparison

    p = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.3, drift=0.2, sound=0.1, odd=0.05,
                          theta=0.005)  # fmt: skip
    sim = NonlinearComparison(NonlinearBilayerModel(p), PeriodicGrid(12, 9.0), "lawson-heun",
                              0.25, common_random_numbers=True).simulation  # fmt: skip
    prog = sim.begin_realisation(3, 0, 60)
    sim.advance_realisation(prog)
    f = prog.forces[:, : sim.n_nl]  # (steps, systems, [F, layer 1, layer 2])
    scale = np.abs(f[..., 4:6]).max()
    assert scale > 0
    assert np.abs(f[..., 2:4] + f[..., 4:6]).max() < 1e-13 * scale
    for k in range(sim.n_nl):
        fields = sim.snapshot(prog.state[k])
        assert np.abs(fields[0:2].sum(axis=(-2, -1))).max() < 1e-12
