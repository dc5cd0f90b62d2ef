"""The one-loop route (:mod:`langevin.one_loop`) against closed forms and the simulator.

* the generic solvers: one triad against the Kronecker-product linear solve; a scalar model
  and a three-mode (one triad, complex) model whose Gibbs moments are known in closed form,
  with the vertices read off a black-box right-hand side;
* the mode route's vertices against the simulator's own ``nonlinear_rhs`` (its quadratic
  part on a random field, and the tadpole by an exact Gaussian cubature of its cubic part);
* the mode route's linear drag against :class:`langevin.comparison.NonlinearComparison`;
* symmetry: v = 0, χ = 0 gives no drag at one loop;
* (slow) the mode route against the dense black-box route on a 6×6 grid.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from langevin.comparison import NonlinearComparison
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel, _spectral, dealias_mask, nonlinear_rhs
from langevin.one_loop import (
    _eig,
    _loop_source,
    _nonlinear_parts,
    _operators,
    _Packing,
    dense_one_loop_drag,
    kept_modes,
    one_loop_covariance,
    one_loop_drag,
    quadratic_vertex,
    quadratic_vertex_from_rhs,
    real_one_loop,
    solve_triad,
    tadpole_drift,
    tadpole_from_rhs,
)
from langevin.params import BilayerParameters

PAPER = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.05)
#: Every term of the vertices on: pressure, odd viscosity, bulk viscosity, an oblique drift.
RICH = BilayerParameters(varsigma=0.3, beta=0.2, chi=0.4, drift=0.1, drift_angle=0.5,
                         bulk_to_shear=0.5, odd=0.05, sound=0.3)  # fmt: skip


def test_triad_solver_matches_the_kronecker_solve() -> None:
    """``Σ_legs M_leg T + S = 0`` with three different drifts, against the 216×216 system."""
    rng = np.random.default_rng(1)
    d = 6
    ms = [rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d)) - 4 * np.eye(d)
          for _ in range(3)]  # fmt: skip
    s = rng.standard_normal((d, d, d)) + 1j * rng.standard_normal((d, d, d))
    e = [tuple(x[None] for x in _eig(m)) for m in ms]
    t = solve_triad(s[None], *e)[0]
    eye = np.eye(d)
    big = (np.kron(np.kron(ms[0], eye), eye) + np.kron(np.kron(eye, ms[1]), eye)
           + np.kron(np.kron(eye, eye), ms[2]))  # fmt: skip
    ref = np.linalg.solve(big, -s.ravel()).reshape(d, d, d)
    assert np.max(np.abs(t - ref)) < 1e-10 * np.max(np.abs(ref))


def test_scalar_model_closed_form() -> None:
    """``dx = (−x + b x² + k x³) dt + √2 dW``: Gibbs ``exp(−x²/2 + bx³/3 + kx⁴/4)`` gives
    ``⟨x⟩ = b`` and ``⟨x²⟩ = 1 + 5b² + 3k`` (mean, self-pairing and noise terms included)."""
    b, k = 0.3, 0.2
    c0, mu, m1 = real_one_loop(
        np.array([[-1.0]]), np.array([[2.0]]), np.array([[[b]]]), lambda c: 3 * k * c
    )
    assert abs(c0[0, 0] - 1.0) < 1e-14
    assert abs(mu[0] - b) < 1e-14
    assert abs(m1[0, 0] - (5 * b * b + 3 * k)) < 1e-13


def _three_mode(g: complex, s, gam, lam):
    """Three complex modes with k₁ + k₂ = k₃ (a lattice triad): Gibbs density
    ``exp(−Σ|z_i|²/s_i + Re(g z₁ z₂ z₃*) − λ|z₁|⁴)`` under ``dz = −2γ ∂V/∂z* dt + noise``."""
    s, gam = np.asarray(s), np.asarray(gam)

    def rhs(x):
        z = x[:3] + 1j * x[3:]
        out = np.array([
            gam[0] * np.conj(g) * np.conj(z[1]) * z[2] - 4 * gam[0] * lam * abs(z[0]) ** 2 * z[0],
            gam[1] * np.conj(g) * np.conj(z[0]) * z[2],
            gam[2] * g * z[0] * z[1],
        ])  # fmt: skip
        return np.concatenate([out.real, out.imag])

    a = np.diag(np.tile(-2 * gam / s, 2))
    noise = np.diag(np.tile(2 * gam, 2))
    return rhs, a, noise


def test_three_mode_triad_closed_form() -> None:
    """One lattice-like triad with a quartic term: the vertices read off the black box, the
    generic solvers give ``⟨|z₃|²⟩ = s₃ + |g|² s₁s₂s₃²/4`` and
    ``⟨|z₁|²⟩ = s₁ + |g|² s₁²s₂s₃/4 − 4λs₁³`` (Gibbs, expanded to second order in g and
    first in λ), and no mean."""
    g, s, gam, lam = 0.7 + 0.4j, (1.0, 0.6, 1.5), (0.8, 1.3, 0.5), 0.3
    rhs, a, noise = _three_mode(g, s, gam, lam)
    b = quadratic_vertex_from_rhs(rhs, 6)
    c0, mu, m1 = real_one_loop(a, noise, b, lambda c: tadpole_from_rhs(rhs, c))
    second = np.diag(m1)[:3] + np.diag(m1)[3:]
    g2 = abs(g) ** 2
    expect = [g2 * s[0] ** 2 * s[1] * s[2] / 4 - 4 * lam * s[0] ** 3,
              g2 * s[1] ** 2 * s[0] * s[2] / 4, g2 * s[2] ** 2 * s[0] * s[1] / 4]  # fmt: skip
    assert np.allclose(np.diag(c0)[:3] + np.diag(c0)[3:], s, rtol=1e-12)
    assert np.max(np.abs(mu)) < 1e-9
    assert np.allclose(second, expect, rtol=1e-7, atol=0), (second, expect)


def _random_half(grid: PeriodicGrid, amplitude: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    real = rng.standard_normal((6, grid.n, grid.n)) * amplitude
    half = grid.to_half_plane(real) * dealias_mask(grid)
    half[:, 0, 0] = 0.0
    return grid.to_half_plane(grid.to_real_space(half))


def _full_plane(grid: PeriodicGrid, modes, half: np.ndarray) -> np.ndarray:
    """Half-plane coefficients → the kept modes of the full plane (n, 6)."""
    mx, my = modes.m[:, 0], modes.m[:, 1]
    pos = my >= 0
    out = np.empty((len(mx), 6), dtype=complex)
    out[pos] = half[:, mx[pos] % grid.n, my[pos]].T
    out[~pos] = np.conj(half[:, (-mx[~pos]) % grid.n, -my[~pos]].T)
    return out


@pytest.mark.parametrize("params", [PAPER, RICH], ids=["paper", "rich"])
def test_quadratic_vertex_is_the_simulators(params: BilayerParameters) -> None:
    """``B(X, X)`` of the mode route (a sum over mode pairs) equals the even part of the
    simulator's ``nonlinear_rhs(εX)/ε²`` (Richardson in ε) on a random 12×12 field."""
    grid = PeriodicGrid(12, 9.0)
    model = NonlinearBilayerModel(params)
    modes = kept_modes(grid)
    ops = _operators(model, modes)
    half = _random_half(grid, 0.3, 5)
    x = _full_plane(grid, modes, half)
    spec = _spectral(grid, params)
    sim = _nonlinear_parts(lambda h: nonlinear_rhs(h, spec, params), half, 1e-2)[0]
    qm = modes.m[:, None, :]
    k2 = qm - modes.m[None, :, :]
    ok = (np.abs(k2) <= modes.cut).all(axis=-1) & (k2 != 0).any(axis=-1)
    iq, i1 = np.nonzero(ok)
    i2 = modes.index(k2[iq, i1])
    vert = quadratic_vertex(ops, modes, iq, i1, i2)
    bxx = np.zeros((len(modes.m), 6), dtype=complex)
    np.add.at(bxx, iq, np.einsum("nade,nd,ne->na", vert, x[i1], x[i2]))
    ref = _full_plane(grid, modes, sim)
    assert np.max(np.abs(bxx - ref)) < 1e-8 * np.max(np.abs(ref))


@pytest.mark.parametrize("params", [PAPER, RICH], ids=["paper", "rich"])
def test_tadpole_is_the_simulators_cubic_part(params: BilayerParameters) -> None:
    """``ΔM(q) z_q`` of the mode route equals ``Σ_j 3K(z, y_j, y_j)`` with K the cubic part
    of the simulator's ``nonlinear_rhs`` and ``C₀ = Σ_j y_j y_jᵀ`` (exact cubature), on a
    random 6×6 state ``z`` (48 real coordinates)."""
    grid = PeriodicGrid(6, 5.0)
    model = NonlinearBilayerModel(params)
    modes = kept_modes(grid)
    ops = _operators(model, modes)
    pack = _Packing(grid)
    p1 = params.with_(theta=1.0)
    qx, qy = grid.half_wavevectors()
    qx, qy = qx[pack.ix, pack.iy], qy[pack.ix, pack.iy]
    lin = model.linear.__class__(p1)
    a = pack.complex_block(lin.drift_matrix(qx, qy))
    noise = 0.5 * pack.complex_block(lin.noise_covariance(qx, qy) * grid.mode_noise_scale)
    c0 = scipy.linalg.solve_continuous_lyapunov(a, -noise)
    spec = _spectral(grid, p1)

    def rhs(v):
        return pack.from_half(nonlinear_rhs(pack.to_half(v), spec, p1))

    z = pack.from_half(_random_half(grid, 1.0, 9))
    w, u = np.linalg.eigh(0.5 * (c0 + c0.T))
    ys = u * np.sqrt(np.clip(w, 0, None))
    c3z = _nonlinear_parts(rhs, z, 1e-2)[1]
    ref = sum(0.5 * (_nonlinear_parts(rhs, z + y, 1e-2)[1] + _nonlinear_parts(rhs, z - y, 1e-2)[1]
                     - 2 * c3z) for y in ys.T)  # fmt: skip
    dm = tadpole_drift(ops, modes)
    zm = (z[: 6 * pack.size] + 1j * z[6 * pack.size :]).reshape(pack.size, 6)
    mx = np.fft.fftfreq(grid.n, 1.0 / grid.n).astype(int)[pack.ix]
    idx = modes.index(np.stack([mx, pack.iy], axis=-1))
    got = np.einsum("nij,nj->ni", dm[idx], zm).ravel()
    got = np.concatenate([got.real, got.imag])
    assert np.max(np.abs(got - ref)) < 1e-7 * np.max(np.abs(ref))


def test_linear_part_is_the_comparison_reference() -> None:
    """The mode route's Θ⁰ drag is the linear model's exact drag on the kept modes that
    :class:`NonlinearComparison` uses as reference and control-variate mean."""
    grid = PeriodicGrid(8, 8.0)
    model = NonlinearBilayerModel(PAPER.with_(theta=0.01))
    res = one_loop_drag(model, grid)
    cmp = NonlinearComparison(model, grid, common_random_numbers=True)
    assert abs(res.linear - cmp.exact) < 1e-10 * abs(cmp.exact)


def test_no_drag_without_drift_at_one_loop() -> None:
    """v = 0, χ = 0: the linear and the one-loop force vanish (parity), to rounding."""
    grid = PeriodicGrid(12, 10.0)
    model = NonlinearBilayerModel(PAPER.with_(drift=0.0, chi=0.0))
    modes, c0, c1 = one_loop_covariance(model, grid)
    from langevin.one_loop import _force

    f0, f1 = _force(modes, c0), _force(modes, c1)
    scale = np.abs(c1[:, 0, 1]).sum() + np.abs(c0[:, 0, 1]).sum()
    assert np.max(np.abs(f0)) < 1e-13 * scale
    assert np.max(np.abs(f1)) < 1e-13 * scale


def test_loop_source_is_hermitian_symmetric_in_q() -> None:
    """``P(−q) = P(q)*`` (real fields): the loop computed on both half planes agrees."""
    grid = PeriodicGrid(8, 8.0)
    model = NonlinearBilayerModel(RICH)
    modes = kept_modes(grid)
    ops = _operators(model.reversed_drive(), modes)
    allm = np.arange(len(modes.m))
    p = _loop_source(ops, modes, allm)
    neg = modes.index(-modes.m)
    assert np.max(np.abs(p[neg] - p.conj())) < 1e-12 * np.max(np.abs(p))


def test_full_velocity_is_refused() -> None:
    model = NonlinearBilayerModel(PAPER, nonreciprocal_full_velocity=True)
    with pytest.raises(ValueError, match="nonreciprocal_full_velocity"):
        one_loop_drag(model, PeriodicGrid(8, 8.0))


@pytest.mark.slow
def test_mode_route_matches_the_black_box_route() -> None:
    """6×6 grid (8 kept modes, 48 real coordinates), every term on (pressure, odd and bulk
    viscosity, oblique drift): the slope of the mode route (explicit vertices, triads per
    mode pair) equals the dense route's (vertices read off ``nonlinear_rhs``, one triad in
    the real state space, mean and self-pairing kept). About 11 s on one free core."""
    grid = PeriodicGrid(6, 6.0)
    model = NonlinearBilayerModel(RICH)
    a = one_loop_drag(model, grid)
    b = dense_one_loop_drag(model, grid)
    assert abs(a.linear - b.linear) < 1e-10 * abs(a.linear)
    assert abs(a.correction - b.correction) < 1e-6 * abs(a.correction), (a, b)


def test_slope_is_invariant_under_the_grids_quarter_turn() -> None:
    """The kept modes are a square: the drift along y gives the same a as along x."""
    grid = PeriodicGrid(8, 6.0)
    ax = one_loop_drag(NonlinearBilayerModel(PAPER), grid)
    ay = one_loop_drag(NonlinearBilayerModel(PAPER.with_(drift_angle=np.pi / 2)), grid)
    assert abs(ax.slope - ay.slope) < 1e-10 * abs(ax.slope)
    assert abs(ax.linear - ay.linear) < 1e-10 * abs(ax.linear)


def test_undamped_modes_are_refused() -> None:
    """Without even viscosity the transverse velocities are undamped: no expansion."""
    model = NonlinearBilayerModel(PAPER.with_(even_viscosity=False, beta=0.1))
    with pytest.raises(ValueError, match="every mode must be damped"):
        one_loop_drag(model, PeriodicGrid(8, 8.0))
