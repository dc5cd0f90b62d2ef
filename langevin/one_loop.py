"""One loop: the O(Θ) correction of the nonlinear bilayer's stationary drag, deterministic.

The nonlinear bilayer (:mod:`langevin.nonlinear_model`) obeys, per kept (2/3-dealiased) grid
mode ``q``, the Itô equation with additive noise

    dX_q = [M(q) X_q + N_q(X)] dt + dW_q,      ⟨dW_q dW_q†⟩ = Q(q) dt,

with ``N = B(X, X) + K(X, X, X) + O(X⁴)`` the Taylor expansion of the simulator's nonlinear
remainder (:func:`langevin.nonlinear_model.nonlinear_rhs`; the ``1/n`` of ``p/n`` expanded
in ``ρ``). With fields of size √Θ, ``B`` is O(√Θ) and ``K`` O(Θ) relative to ``M``; this
module computes the stationary equal-time covariance to O(Θ) around the Gaussian (linear)
measure and from it the drag ``D/D_linear = 1 + aΘ + O(Θ²)``, on exactly the modes, the
vertices and the observable the simulator uses.

Derivation
----------
Stationarity of ``⟨X_{k₁}^a ⋯⟩`` under the Itô generator; the q = 0 components are held at
zero by the model (number conservation, the drive's constraint), so no mean shift arises and
translation invariance on the kept modes (|m| ≤ ⌊(N−1)/3⌋, so ``k₁ + k₂ + k₃ ≡ 0 mod N``
means ``= 0``) makes the n-th moment vanish unless its wave vectors sum to zero. Write
``C(k) = ⟨X_k X_k†⟩`` (so ``⟨X_{−k}^d X_k^b⟩ = C(k)_{bd}``) and ``B^a_{de}(q; k₁, k₂)`` for the
symmetric coefficient of ``X_{k₁}^d X_{k₂}^e`` in ``N_q^a`` (``k₁ + k₂ = q``).

(1) Second moment, every order::

        M(k) C(k) + C(k) M(k)† + Q(k) + P(k) + P(k)† = 0,     P(k) = ⟨N_k(X) X_k†⟩.

(2) Leading order (Θ): ``P = 0``, ``C₀`` is the linear model's Lyapunov covariance
    (:func:`langevin.exact.stationary_covariance`).

(3) Third cumulant, leading order (Θ²), on a triad ``k₁ + k₂ + k₃ = 0`` (no noise term: two
    noises meet only if two legs sum to zero, i.e. the third is q = 0)::

        M(k₁)_{aa'} T_{a'bc} + M(k₂)_{bb'} T_{ab'c} + M(k₃)_{cc'} T_{abc'} + S_{abc} = 0,
        S_{abc} = ⟨B_{k₁}^a X_{k₂}^b X_{k₃}^c⟩ + ⟨X_{k₁}^a B_{k₂}^b X_{k₃}^c⟩
                  + ⟨X_{k₁}^a X_{k₂}^b B_{k₃}^c⟩
                = 2 B^a_{de}(k₁; −k₂, −k₃) C₀(k₂)_{bd} C₀(k₃)_{ce} + (the two other legs),

    the Gaussian four-point function taken by Wick's theorem (the pairing of the two vertex
    legs with each other needs k = 0). In the eigenbases ``M(k) = V_k Λ_k V_k⁻¹`` it is
    diagonal: ``T̂_{αβγ} = −Ŝ_{αβγ}/(λ_α(k₁) + λ_β(k₂) + λ_γ(k₃))`` (:func:`solve_triad`).

(4) Second moment at O(Θ²): ``P = P_B + P_K`` with the loop (B contracted with T)
    ``P_B(q)^{ab} = Σ_{k₁+k₂=q} B^a_{de}(q; k₁, k₂) T_{deb}(k₁, k₂, −q)`` and the tadpole
    (K on the Gaussian measure, each of the three legs paired with ``X_q†``)
    ``P_K(q) = ΔM(q) C₀(q)``, ``ΔM(q)^a_d = 3 Σ_k K^a_{def}(q; q, k, −k) C₀(k)_{ef}``: a
    drift renormalised by the local (one-point) covariances ``A = Σ_k C₀(k)``
    (:func:`tadpole_drift`). ``C₁`` solves (1) with ``Q → P + P†`` and ``M`` unchanged.

(5) The drag (Eq. 11 as the engine records it: ``F = Σ_q Re K(q) ⟨δn₁ δn₂*⟩`` on the kept
    modes) is bilinear, so ``F = Θ F₀ + Θ² F₁``; with ±v common random numbers the estimator
    is ``(F₊ − F₋)/2`` and ``a = v̂·(F₁₊ − F₁₋)/v̂·(F₀₊ − F₀₋)``. Computed at Θ = 1.

The vertices (layer a, density index r = a, momentum indices P_i; ``U = Ũ + s²``, ``V_a`` the
stress operator of :func:`langevin.nonlinear_model.stress_operator`):

======================  ==========================================  =============================
term of N               quadratic (B)                               cubic (K, tadpole only)
======================  ==========================================  =============================
Maxwell, kinetic        ``ς q² ½ p·p`` on ρ                         ``−ς q² ρ p·p``
advection               ``−i q_j p_i p_j`` on p_i                    ``+i q_j ρ p_i p_j``
Coulomb + pressure      ``−ρ_a i k₂ U_ab(k₂) ρ_b`` on p              none
stress on w − p         ``+V_a(q) ρ p``                              ``−V_a(q) ρ² p``
======================  ==========================================  =============================

The products are the simulator's grid products: a product of two kept fields is alias-free
on the kept modes (the 2/3 rule), and the cubic terms enter only through the tadpole, where
one leg is ``q`` itself and the other two sum to zero, so their aliasing never enters at this
order. The nonreciprocal stress with the full velocity is not included (it is off by
default); :func:`one_loop_drag` refuses it.

Two routes, sharing the linear model's ``M``, ``Q``, the drag kernel and the triad solver
:func:`solve_triad` (itself checked against the Kronecker-product solve):

* :func:`one_loop_drag` — the mode route above: explicit vertices, triads vectorised over
  mode pairs (each triad's residual checked), seconds on 16×16, minutes on 48×48;
* :func:`dense_one_loop_drag` — a black-box route for small grids: the state packed into
  real coordinates, the vertices read off the simulator's own ``nonlinear_rhs`` by
  polarisation and Richardson-extrapolated finite differences in the amplitude, the
  tadpole as an exact Gaussian cubature, and :func:`real_one_loop` (one triad in the full
  real state space, with the mean, the vertex's self-pairing and the noise term that the
  lattice's zero modes remove: it checks that the first-order mean vanishes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from langevin.exact import lyapunov_covariance, stationary_covariance
from langevin.grid import PeriodicGrid
from langevin.model import coulomb_matrix, drag_kernel
from langevin.nonlinear_model import (
    NonlinearBilayerModel,
    _spectral,
    nonlinear_rhs,
    stress_operator,
)
from langevin.triad import _eig, _leg, solve_triad

__all__ = [
    "solve_triad",
    "kept_modes",
    "quadratic_vertex",
    "tadpole_drift",
    "one_loop_covariance",
    "OneLoopResult",
    "one_loop_drag",
    "dense_one_loop_drag",
    "real_one_loop",
    "quadratic_vertex_from_rhs",
    "tadpole_from_rhs",
]

#: Mode pairs per vectorised chunk of the triad sum (memory ~ 1 kB × 6³ per pair).
CHUNK_PAIRS = 20000
#: Largest relative residual of a triad's equation accepted (the eigenbasis solve is checked).
TRIAD_TOL = 1e-8


# --- the mode route -----------------------------------------------------------------------------
@dataclass
class _Modes:
    """The kept modes on the full plane (both ±q) and their per-mode operators."""

    grid: PeriodicGrid
    cut: int
    m: np.ndarray  # (n, 2) integer (m_x, m_y)
    q: np.ndarray  # (n, 2) wave vectors
    lookup: np.ndarray  # (2cut+1, 2cut+1) → index, −1 for q = 0

    def index(self, mm: np.ndarray) -> np.ndarray:
        return self.lookup[mm[..., 0] + self.cut, mm[..., 1] + self.cut]


def kept_modes(grid: PeriodicGrid) -> _Modes:
    """The 2/3-dealiased modes ``|m_x|, |m_y| ≤ ⌊(N−1)/3⌋`` without q = 0, both signs
    (:func:`langevin.nonlinear_model.dealias_mask` on the full plane)."""
    cut = (grid.n - 1) // 3
    r = np.arange(-cut, cut + 1)
    mx, my = np.meshgrid(r, r, indexing="ij")
    keep = (mx != 0) | (my != 0)
    m = np.stack([mx[keep], my[keep]], axis=-1)
    lookup = -np.ones((2 * cut + 1, 2 * cut + 1), dtype=np.int64)
    lookup[m[:, 0] + cut, m[:, 1] + cut] = np.arange(len(m))
    return _Modes(grid, cut, m, grid.dq * m.astype(float), lookup)


@dataclass
class _Operators:
    """Per kept mode: drift, covariance, eigenbasis, Coulomb and stress matrices."""

    m: np.ndarray
    c: np.ndarray
    eig: tuple[np.ndarray, np.ndarray, np.ndarray]
    coulomb: np.ndarray  # (n, 2, 2)
    stress: np.ndarray  # (layer, n, 2, 2)
    varsigma: float


def _operators(model: NonlinearBilayerModel, modes: _Modes) -> _Operators:
    p = model.params.with_(theta=1.0)
    lin = type(model.linear)(p)
    qx, qy = modes.q[:, 0], modes.q[:, 1]
    m = lin.drift_matrix(qx, qy)
    c = stationary_covariance(lin, qx, qy) * modes.grid.mode_noise_scale
    u = coulomb_matrix(qx, qy, p.sound)
    stress = np.stack([stress_operator(qx, qy, p, a) for a in (0, 1)])
    eig = _eig(m)
    rate = float(np.max(eig[0].real / np.maximum(np.abs(eig[0]), 1e-300)))
    if rate > -1e-12:
        raise ValueError(
            f"max Re λ/|λ| = {rate:.3g} on the kept modes is outside the allowed range "
            "(-inf, 0) of the one-loop route: every mode must be damped (an undamped mode, "
            "e.g. a transverse velocity with even_viscosity = False, has no Gaussian measure "
            "to expand around)"
        )
    return _Operators(m, c, eig, u, stress, p.varsigma)


def _raw_vertex(ops: _Operators, modes: _Modes, iq, i1, i2) -> np.ndarray:
    """Unsymmetrised coefficient of ``X_{k₁}^d X_{k₂}^e`` in ``N_q^a`` (n, 6, 6, 6)."""
    q = modes.q[iq]
    k2 = modes.q[i2]
    n = len(iq)
    r = np.zeros((n, 6, 6, 6), dtype=complex)
    q2 = (q**2).sum(axis=-1)
    u2 = ops.coulomb[i2]
    for a in (0, 1):
        pi = (2 + 2 * a, 3 + 2 * a)
        for i in (0, 1):
            r[:, a, pi[i], pi[i]] += 0.5 * ops.varsigma * q2  # Maxwell, kinetic part
            for j in (0, 1):
                r[:, pi[i], pi[i], pi[j]] += -1j * q[:, j]  # advection
                r[:, pi[i], a, pi[j]] += ops.stress[a][iq][:, i, j]  # stress on w − p
            for b in (0, 1):
                r[:, pi[i], a, b] += -1j * k2[:, i] * u2[:, a, b]  # −ρ_a ∂_i φ_a
    return r


def quadratic_vertex(ops: _Operators, modes: _Modes, iq, i1, i2) -> np.ndarray:
    """Symmetric ``B^a_{de}(q; k₁, k₂)`` (n, 6, 6, 6) for mode indices with ``k₁ + k₂ = q``."""
    return 0.5 * (
        _raw_vertex(ops, modes, iq, i1, i2)
        + _raw_vertex(ops, modes, iq, i2, i1).transpose(0, 1, 3, 2)
    )


def tadpole_drift(ops: _Operators, modes: _Modes) -> np.ndarray:
    """``ΔM(q)`` (n, 6, 6): the cubic terms on the Gaussian measure (derivation, step 4),
    from the one-point covariances ``A = Σ_k C₀(k)`` (real)."""
    a_loc = ops.c.sum(axis=0).real
    q = modes.q
    q2 = (q**2).sum(axis=-1)
    n = len(q)
    dm = np.zeros((n, 6, 6), dtype=complex)
    for a in (0, 1):
        r = a
        pi = (2 + 2 * a, 3 + 2 * a)
        vq = ops.stress[a]
        # Maxwell: −ς q² ρ p·p
        dm[:, r, r] += -ops.varsigma * q2 * (a_loc[pi[0], pi[0]] + a_loc[pi[1], pi[1]])
        for i in (0, 1):
            dm[:, r, pi[i]] += -2 * ops.varsigma * q2 * a_loc[r, pi[i]]
        # advection: +i q_j ρ p_i p_j
        for i in (0, 1):
            for j in (0, 1):
                dm[:, pi[i], r] += 1j * q[:, j] * a_loc[pi[i], pi[j]]
                dm[:, pi[i], pi[i]] += 1j * q[:, j] * a_loc[r, pi[j]]
                dm[:, pi[i], pi[j]] += 1j * q[:, j] * a_loc[r, pi[i]]
        # stress: −V(q) ρ² p
        for i in (0, 1):
            for j in (0, 1):
                dm[:, pi[i], pi[j]] += -vq[:, i, j] * a_loc[r, r]
                dm[:, pi[i], r] += -2 * vq[:, i, j] * a_loc[r, pi[j]]
    return dm


def _loop_source(ops: _Operators, modes: _Modes, out: np.ndarray) -> np.ndarray:
    """``P_B(q)`` for the output modes ``out`` (derivation, steps 3–4): (len(out), 6, 6)."""
    res = np.zeros((len(out), 6, 6), dtype=complex)
    all_m = modes.m
    # every (q, k₁) with k₂ = q − k₁ kept and nonzero
    qm = all_m[out][:, None, :]
    k2m = qm - all_m[None, :, :]
    ok = (np.abs(k2m) <= modes.cut).all(axis=-1) & (k2m != 0).any(axis=-1)
    oq, o1 = np.nonzero(ok)
    iq = out[oq]
    i1 = o1
    i2 = modes.index(k2m[oq, o1])
    neg = modes.index(-all_m)
    c = ops.c
    lam, v, vi = ops.eig
    for s in range(0, len(iq), CHUNK_PAIRS):
        sl = slice(s, s + CHUNK_PAIRS)
        a, b, q = i1[sl], i2[sl], iq[sl]
        k3 = neg[q]  # −q
        src = 2 * _leg(_leg(quadratic_vertex(ops, modes, a, neg[b], q), c[b], 2), c[k3], 3)
        t2 = _leg(_leg(quadratic_vertex(ops, modes, b, neg[a], q), c[a], 2), c[k3], 3)
        src += 2 * t2.transpose(0, 2, 1, 3)
        t3 = _leg(_leg(quadratic_vertex(ops, modes, k3, neg[a], neg[b]), c[a], 2), c[b], 3)
        src += 2 * t3.transpose(0, 2, 3, 1)
        t = solve_triad(src, (lam[a], v[a], vi[a]), (lam[b], v[b], vi[b]),
                        (lam[k3], v[k3], vi[k3]))  # fmt: skip
        resid = _leg(t, ops.m[a], 1) + _leg(t, ops.m[b], 2) + _leg(t, ops.m[k3], 3) + src
        scale = np.max(np.abs(src), axis=(1, 2, 3))
        worst = float(np.max(np.max(np.abs(resid), axis=(1, 2, 3)) / np.maximum(scale, 1e-300)))
        if worst > TRIAD_TOL:
            raise ArithmeticError(
                f"triad residual = {worst:.3g} is outside the allowed range [0, {TRIAD_TOL:g}] "
                "(an ill-conditioned eigenbasis of a mode's drift)"
            )
        contrib = np.einsum("nade,ndeb->nab", quadratic_vertex(ops, modes, q, a, b), t)
        np.add.at(res, oq[sl], contrib)
    return res


def one_loop_covariance(
    model: NonlinearBilayerModel, grid: PeriodicGrid, *, parts: bool = False
) -> tuple:
    """``(modes, C₀, C₁)`` at Θ = 1 on the kept modes of ``grid`` (full plane, (n, 6, 6)):
    the stationary covariance is ``Θ C₀ + Θ² C₁ + O(Θ³)`` (derivation). With ``parts``,
    ``C₁`` is a dict ``{"loop": …, "tadpole": …}`` (the two sources of step 4; they add)."""
    if model.full_velocity:
        raise ValueError(
            "nonreciprocal_full_velocity = True is outside the allowed range [False] of the "
            "one-loop route"
        )
    modes = kept_modes(grid)
    ops = _operators(model, modes)
    half = np.nonzero((modes.m[:, 1] > 0) | ((modes.m[:, 1] == 0) & (modes.m[:, 0] > 0)))[0]
    neg = modes.index(-modes.m[half])
    sources = {
        "loop": _loop_source(ops, modes, half),
        "tadpole": tadpole_drift(ops, modes)[half] @ ops.c[half],
    }
    out = {}
    for name, p in sources.items():
        c1h = lyapunov_covariance(ops.m[half], p + np.swapaxes(p.conj(), -1, -2))
        c1 = np.zeros_like(ops.c)
        c1[half] = c1h
        c1[neg] = c1h.conj()
        out[name] = c1
    if parts:
        return modes, ops.c, out
    return modes, ops.c, out["loop"] + out["tadpole"]


def _force(modes: _Modes, c: np.ndarray) -> np.ndarray:
    """Eq. (11) on the kept modes: ``Σ_q Re K(q) C₁₂(q)`` (2-vector)."""
    k = drag_kernel(modes.q[:, 0], modes.q[:, 1])
    return (k * c[:, 0, 1][:, None]).real.sum(axis=0)


@dataclass
class OneLoopResult:
    """``D/D_linear = 1 + aΘ + O(Θ²)`` on a grid's kept modes.

    ``slope`` is ``a``; ``linear`` the linear drag D (Θ-independent) of the same estimator;
    ``correction`` = ``a · linear``; ``parts`` the slope's loop and tadpole parts (mode
    route); ``modes`` the number of kept modes (both signs); ``seconds`` the wall time;
    ``local`` the one-point variances per unit Θ of the linear state (drive layer, +v):
    ``{"rho": ⟨δn₁²⟩, "p": ⟨p₁ₓ²⟩}`` (the sums ``Σ_k C₀(k)`` the tadpole contracts with).
    """

    slope: float
    linear: float
    correction: float
    n: int
    length: float
    modes: int
    seconds: float
    parts: dict | None = None
    local: dict | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _systems(model: NonlinearBilayerModel) -> list[NonlinearBilayerModel]:
    return [model, model.reversed_drive()] if model.params.drift > 0 else [model]


def _combine(model: NonlinearBilayerModel, forces: list[np.ndarray]) -> float:
    """The engine's estimator: ``scale · v̂·(F₊ − F₋)/2`` (or ``scale · v̂·F``)."""
    est = model.drag_estimator()
    f = forces[0] - forces[1] if len(forces) == 2 else 2 * forces[0]
    return est.scale * float(est.direction @ f) / 2


def one_loop_drag(model: NonlinearBilayerModel, grid: PeriodicGrid) -> OneLoopResult:
    """The one-loop slope ``a`` of ``D/D_linear`` on the kept modes of ``grid`` (mode route).

    At a drift u > 0 the estimator is the simulator's ±v common-random-numbers one,
    ``(F₊ − F₋)/2`` along v̂ in units of D, with χ fixed; at u = 0 the force along x.
    ``linear`` and ``correction`` are per unit Θ: ``D = linear + Θ·correction + O(Θ²)`` (D
    is the simulator's estimator, whose linear part does not depend on Θ).
    """
    import time

    t0 = time.perf_counter()
    f0, f1 = [], {"loop": [], "tadpole": []}
    local = None
    for s in _systems(model):
        modes, c0, c1 = one_loop_covariance(s, grid, parts=True)
        if local is None:
            a_loc = c0.sum(axis=0).real
            local = {"rho": float(a_loc[0, 0]), "p": float(a_loc[2, 2])}
        f0.append(_force(modes, c0))
        for k in f1:
            f1[k].append(_force(modes, c1[k]))
    unit = NonlinearBilayerModel(model.params.with_(theta=1.0))

    def value(forces):
        if model.params.drift <= 0:
            return float(forces[0][0])
        return _combine(unit, forces)

    lin = value(f0)
    cor = {k: value(v) for k, v in f1.items()}
    total = cor["loop"] + cor["tadpole"]
    slope = total / lin if lin != 0 else math.nan
    parts = {k: (v / lin if lin != 0 else math.nan) for k, v in cor.items()}
    return OneLoopResult(slope, lin, total, grid.n, grid.length, len(modes.m),
                         time.perf_counter() - t0, parts, local)  # fmt: skip


# --- the dense black-box route ------------------------------------------------------------------
class _Packing:
    """Real coordinates of the independent kept modes (Re parts, then Im parts)."""

    def __init__(self, grid: PeriodicGrid) -> None:
        self.grid = grid
        n = grid.n
        mask = _kept_half(grid)
        self.ix, self.iy = np.nonzero(mask)
        self.size = len(self.ix)
        col0 = (self.iy == 0) & (self.ix > 0)
        self.src = np.nonzero(col0)[0]
        self.dst = (n - self.ix[col0]) % n

    def to_half(self, x: np.ndarray) -> np.ndarray:
        m = self.size
        z = (x[: 6 * m] + 1j * x[6 * m :]).reshape(m, 6)
        half = np.zeros((6, self.grid.n, self.grid.n // 2 + 1), dtype=complex)
        half[:, self.ix, self.iy] = z.T
        half[:, self.dst, 0] = np.conj(z[self.src].T)
        return half

    def from_half(self, half: np.ndarray) -> np.ndarray:
        z = half[:, self.ix, self.iy].T.ravel()
        return np.concatenate([z.real, z.imag])

    def complex_block(self, mat: np.ndarray) -> np.ndarray:
        """Per-mode complex (m, 6, 6) acting on z → the real matrix on (Re, Im)."""
        m = self.size
        big = scipy.linalg.block_diag(*mat)
        out = np.zeros((12 * m, 12 * m))
        out[: 6 * m, : 6 * m] = big.real
        out[: 6 * m, 6 * m :] = -big.imag
        out[6 * m :, : 6 * m] = big.imag
        out[6 * m :, 6 * m :] = big.real
        return out

    def covariance_to_modes(self, c: np.ndarray) -> np.ndarray:
        """Real covariance → per-mode ``⟨z z†⟩`` (m, 6, 6)."""
        m = self.size
        h = 6 * m
        aa, bb, ab, ba = c[:h, :h], c[h:, h:], c[:h, h:], c[h:, :h]
        full = aa + bb + 1j * (ba - ab)
        idx = np.arange(m)
        return full.reshape(m, 6, m, 6)[idx, :, idx, :]


def _kept_half(grid: PeriodicGrid) -> np.ndarray:
    from langevin.nonlinear_model import dealias_mask

    mask = dealias_mask(grid) & grid.independent_mask()
    mask[0, 0] = False
    return mask


def _nonlinear_parts(rhs, x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Quadratic and cubic parts of ``rhs`` along ``x``: even and odd finite differences in
    the amplitude, Richardson-extrapolated (ε, ε/2): errors O(ε⁴)."""

    def parts(e):
        plus, minus = rhs(e * x), rhs(-e * x)
        return (plus + minus) / (2 * e * e), (plus - minus) / (2 * e**3)

    q1, c1 = parts(eps)
    q2, c2 = parts(eps / 2)
    return (4 * q2 - q1) / 3, (4 * c2 - c1) / 3


def quadratic_vertex_from_rhs(rhs, dim: int, eps: float = 1e-2) -> np.ndarray:
    """The symmetric quadratic vertex ``b_{i,jk}`` (dim, dim, dim) of a black-box real
    right-hand side ``rhs(x)`` (no linear part), by polarisation:
    ``b(e_j, e_k) = [c₂(e_j + e_k) − c₂(e_j) − c₂(e_k)]/2``."""
    eye = np.eye(dim)
    b = np.zeros((dim, dim, dim))
    diag = [_nonlinear_parts(rhs, eye[j], eps)[0] for j in range(dim)]
    for j in range(dim):
        b[:, j, j] = diag[j]
        for k in range(j + 1, dim):
            val = 0.5 * (_nonlinear_parts(rhs, eye[j] + eye[k], eps)[0] - diag[j] - diag[k])
            b[:, j, k] = b[:, k, j] = val
    return b


def tadpole_from_rhs(rhs, c0: np.ndarray, eps: float = 1e-2) -> np.ndarray:
    """``ΔA`` (dim, dim), ``ΔA z = 3 E[K(z, Y, Y)]`` for Y ~ N(0, c₀), from a black-box real
    ``rhs``: with ``c₀ = Σ_j y_j y_jᵀ`` the exact cubature
    ``3K(z, y, y) = [c₃(z + y) + c₃(z − y) − 2c₃(z)]/2`` summed over j (c₃ the cubic part)."""
    dim = len(c0)
    w, u = np.linalg.eigh(0.5 * (c0 + c0.T))
    ys = u * np.sqrt(np.clip(w, 0.0, None))
    eye = np.eye(dim)
    da = np.zeros((dim, dim))
    for d in range(dim):
        z = eye[d]
        c3z = _nonlinear_parts(rhs, z, eps)[1]
        acc = np.zeros(dim)
        for j in range(dim):
            y = ys[:, j]
            acc += 0.5 * (_nonlinear_parts(rhs, z + y, eps)[1]
                          + _nonlinear_parts(rhs, z - y, eps)[1] - 2 * c3z)  # fmt: skip
        da[:, d] = acc
    return da


def real_one_loop(a: np.ndarray, noise: np.ndarray, b: np.ndarray, tadpole) -> tuple:
    """One loop for a real system ``dx = [A x + b(x, x) + K(x, x, x)] dt + dW``,
    ``⟨dW dWᵀ⟩ = noise dt``, every term kept (derivation, with the pieces the lattice does
    not have): the mean ``μ₁ = −A⁻¹ b:C₀`` at first order, the vertex's self-pairing
    ``b:C₀`` and the noise term ``Q μ₁`` in the third-moment equation.

    Parameters
    ----------
    a, noise
        Drift (Hurwitz) and noise covariance (dim, dim).
    b
        Symmetric quadratic vertex (dim, dim, dim).
    tadpole
        ``tadpole(c₀) → ΔA`` with ``ΔA z = 3 E[K(z, Y, Y)]``.

    Returns
    -------
    ``(c0, mu1, m1)``: ``⟨x xᵀ⟩ = c₀ + m₁ + …`` (second moment, the mean's μ₁μ₁ᵀ included)
    and ``⟨x⟩ = μ₁ + …``, in powers of the vertices (b², K).
    """
    c0 = scipy.linalg.solve_continuous_lyapunov(a, -noise)
    c0 = 0.5 * (c0 + c0.T)
    mean_force = np.einsum("ade,de->a", b, c0)
    mu1 = -np.linalg.solve(a, mean_force)
    lam, v = np.linalg.eig(a)
    e = (lam[None], v[None], np.linalg.inv(v)[None])
    bb = b[None].astype(complex)
    cc = c0[None].astype(complex)
    pair = 2 * _leg(_leg(bb, cc, 2), cc, 3)  # 2 b_{a,de} C_{bd} C_{ce}
    self_pair = np.einsum("a,bc->abc", mean_force, c0)[None]  # b_{a,de} C_{de} C_{bc}
    noise_mean = np.einsum("ab,c->abc", noise, mu1)[None]  # Q_{ab} μ_c
    one = pair + self_pair
    src = one + one.transpose(0, 2, 1, 3) + one.transpose(0, 2, 3, 1)
    src = src + noise_mean + noise_mean.transpose(0, 1, 3, 2) + noise_mean.transpose(0, 3, 1, 2)
    m3 = solve_triad(src, e, e, e)
    pm = np.einsum("nade,ndeb->nab", bb, m3)[0].real + tadpole(c0) @ c0
    m1 = scipy.linalg.solve_continuous_lyapunov(a, -(pm + pm.T))
    return c0, mu1, m1


def dense_one_loop_drag(
    model: NonlinearBilayerModel, grid: PeriodicGrid, *, eps: float = 1e-2
) -> OneLoopResult:
    """The one-loop slope by the black-box route (module docstring): small grids only
    (real dimension 12 × independent kept modes; 6×6 → 48, 8×8 → 144). Also checks that the
    first-order mean vanishes (no q = 0 drive at this order): raises if ``|μ₁|`` exceeds
    1e-6 of the rms fluctuation."""
    import time

    t0 = time.perf_counter()
    pack = _Packing(grid)
    qx, qy = grid.half_wavevectors()
    qx, qy = qx[pack.ix, pack.iy], qy[pack.ix, pack.iy]
    f0, f1 = [], []
    for s in _systems(model):
        p = s.params.with_(theta=1.0)
        lin = type(s.linear)(p)
        spec = _spectral(grid, p)

        def rhs(x, spec=spec, p=p):
            return pack.from_half(nonlinear_rhs(pack.to_half(x), spec, p))

        a = pack.complex_block(lin.drift_matrix(qx, qy))
        qr = 0.5 * pack.complex_block(lin.noise_covariance(qx, qy) * grid.mode_noise_scale)
        b = quadratic_vertex_from_rhs(rhs, len(a), eps)
        c0, mu1, m1 = real_one_loop(a, qr, b, lambda c, rhs=rhs: tadpole_from_rhs(rhs, c, eps))
        if np.max(np.abs(mu1)) > 1e-6 * math.sqrt(np.max(np.diag(c0))):
            raise ArithmeticError(f"first-order mean = {np.max(np.abs(mu1)):.3g} is not zero")
        k = drag_kernel(qx, qy)
        for c, out in ((c0, f0), (m1, f1)):
            cm = pack.covariance_to_modes(c)
            # every kept independent mode is generic (weight 2: the mode and its conjugate)
            out.append(2.0 * (k * cm[:, 0, 1][:, None]).real.sum(axis=0))
    unit = NonlinearBilayerModel(model.params.with_(theta=1.0))
    if model.params.drift > 0:
        lin_d, cor = _combine(unit, f0), _combine(unit, f1)
    else:
        lin_d, cor = float(f0[0][0]), float(f1[0][0])
    return OneLoopResult(cor / lin_d if lin_d else math.nan, lin_d, cor, grid.n, grid.length,
                         2 * pack.size, time.perf_counter() - t0)  # fmt: skip
