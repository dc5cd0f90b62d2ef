"""Time steppers for a set of independent linear Langevin modes (complex Ornstein–Uhlenbeck).

Every Fourier mode of the linearised bilayer (Eqs. 1–10 of D. Zverevich and A. Levchenko,
*Nonreciprocal Coulomb drag in electron bilayers*) obeys
``dX = M X dt + dW`` with ``⟨dW dW†⟩ = Q dt`` (``M``, ``Q``: ``d×d`` per mode, in the model's
dimensionless units; ``Q`` already carries the grid's ``1/L²``). Each scheme below is one
affine step per mode,

    X ← A X + S z,

with a *step matrix* ``A`` and a *step noise map* ``S`` computed once per run:

* exact in distribution: ``A = e^{MΔt}``, ``S S† = Σ = ∫₀^Δt e^{Ms} Q e^{M†s} ds``
  (Van Loan's block exponential, valid for singular ``M``), ``S`` the Hermitian PSD root;
* Crank–Nicolson with the noise at the midpoint:
  ``A = (I − ΔtM/2)⁻¹(I + ΔtM/2)``, ``S = (I − ΔtM/2)⁻¹ √Δt Q^{1/2}``; its stationary
  covariance solves the *continuous* Lyapunov equation ``MC + CM† + Q = 0`` exactly at every
  ``Δt`` (the ``O(Δt²)`` terms cancel), although its correlation times are distorted;
* Euler–Maruyama: ``A = I + ΔtM``, ``S = √Δt Q^{1/2}``: stationary covariance off by ``O(Δt)``.

Random numbers. The kernels receive *raw* complex normals ``z = a + ib`` with ``a, b`` i.i.d.
N(0, 1). The one place where noise is scaled is :func:`kernel_noise_map`: on a generic mode the
circular normal ``(a + ib)/√2`` (``⟨zz†⟩ = I``) is used, so the map is divided by √2; on a
self-conjugate mode (``q ≡ −q``, real state and real matrices) only ``a`` is used, so the state
stays exactly real. The square root of ``Δt`` (or Van Loan's integral) enters only through the
step maps built here, and ``1/L²`` only through the model's ``Q``.

The numba kernel :func:`advance_modes` steps several *systems* (e.g. the drive velocities +v and
−v of a common-random-numbers pair) with the *same* noise, and accumulates the quadratic
observables ``f_k(t) = Re Σ_modes c_k,mode X_i X_j^*`` (the drag force is one such). Its plain
numpy twin :func:`advance_modes_numpy` is used in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from dragcore.checks import require_positive
from dragcore.jit import jit

__all__ = [
    "SCHEMES",
    "StepMaps",
    "hermitian_psd_sqrt",
    "van_loan_step_covariance",
    "exact_ou_maps",
    "crank_nicolson_maps",
    "euler_maruyama_maps",
    "step_maps",
    "kernel_noise_map",
    "stationary_sample",
    "advance_modes",
    "advance_modes_numpy",
    "advance_modes_own_rng",
    "seed_numba_rng",
    "record_trajectory",
    "record_trajectory_numpy",
]

SCHEMES = ("exact", "crank-nicolson", "euler-maruyama")


def _hermitian_part(a: np.ndarray) -> np.ndarray:
    return 0.5 * (a + np.conj(np.swapaxes(a, -1, -2)))


def hermitian_psd_sqrt(sigma: np.ndarray) -> np.ndarray:
    """The unique Hermitian positive-semidefinite square root of covariance matrices.

    Parameters
    ----------
    sigma
        ``(..., d, d)`` Hermitian PSD matrices (any units ``u²``; singular allowed). Round-off
        negative eigenvalues are set to zero. Real input gives a real root.

    Returns
    -------
    ``(..., d, d)`` matrix ``S = S† ⪰ 0`` with ``S S = sigma`` (units ``u``). The root is unique
    and continuous in ``sigma`` (unlike an eigenvector or Cholesky factor with pivoting), which
    is what common random numbers across drive velocities need.
    """
    sym = _hermitian_part(np.asarray(sigma))
    lam, vec = np.linalg.eigh(sym)
    lam = np.clip(lam, 0.0, None)
    root = (vec * np.sqrt(lam)[..., None, :]) @ np.conj(np.swapaxes(vec, -1, -2))
    return _hermitian_part(root)


def van_loan_step_covariance(
    drift: np.ndarray, noise: np.ndarray, dt: float
) -> tuple[np.ndarray, np.ndarray]:
    """Propagator and one-step noise covariance of ``dX = M X dt + dW``, ``⟨dWdW†⟩ = Q dt``.

    Van Loan (1978): ``exp([[−M, Q], [0, M†]] h) = [[·, F₁₂], [0, F₂₂]]`` with
    ``F₂₂ = e^{M†h}`` and ``Σ(h) = F₂₂† F₁₂ = ∫₀^h e^{Ms} Q e^{M†s} ds``; no inverse of ``M``,
    so singular or marginal modes (``q = 0``, undamped transverse velocity) are fine. The
    block contains ``e^{−Mh}``, which for a strongly damped mode and a long step grows like
    ``e^{|Re λ| h}`` and cancels catastrophically in ``F₂₂†F₁₂``; hence ``h = Δt/2^k`` with
    ``‖M‖ h ≤ 1/2`` and then ``k`` doublings ``Σ(2h) = Σ(h) + A(h) Σ(h) A(h)†``,
    ``A(2h) = A(h)²`` (exact identities of the OU process).

    Parameters
    ----------
    drift
        ``M``, ``(..., d, d)``, units 1/time.
    noise
        ``Q``, ``(..., d, d)`` Hermitian PSD, units ``X²``/time.
    dt
        Step Δt (time).

    Returns
    -------
    ``(A, Σ)``: ``e^{MΔt}`` and the Hermitian part of ``Σ(Δt)`` (units ``X²``).
    """
    require_positive("dt", dt)
    drift = np.asarray(drift)
    noise = np.asarray(noise)
    d = drift.shape[-1]
    norm = float(np.max(np.abs(drift).sum(axis=-2), initial=0.0))
    doublings = max(0, int(np.ceil(np.log2(max(2.0 * norm * dt, 1e-300)))))
    h = dt / 2**doublings
    block = np.zeros(drift.shape[:-2] + (2 * d, 2 * d), dtype=np.result_type(drift, noise))
    block[..., :d, :d] = -drift
    block[..., :d, d:] = noise
    block[..., d:, d:] = np.conj(np.swapaxes(drift, -1, -2))
    big = scipy.linalg.expm(block * h)
    a = np.conj(np.swapaxes(big[..., d:, d:], -1, -2))
    sigma = _hermitian_part(a @ big[..., :d, d:])
    for _ in range(doublings):
        sigma = _hermitian_part(sigma + a @ sigma @ np.conj(np.swapaxes(a, -1, -2)))
        a = a @ a
    return a, sigma


@dataclass(frozen=True)
class StepMaps:
    """Per-mode affine step ``X ← A X + S z`` of one scheme at one Δt.

    Attributes
    ----------
    scheme
        One of :data:`SCHEMES`.
    dt
        Step (model time unit).
    step_matrix
        ``A``, ``(modes, d, d)`` complex.
    noise_map
        ``S``, ``(modes, d, d)`` complex, acting on a circular (generic mode) or real
        (self-conjugate mode) standard normal vector; ``S S†`` is the step covariance.
    """

    scheme: str
    dt: float
    step_matrix: np.ndarray
    noise_map: np.ndarray

    @property
    def step_covariance(self) -> np.ndarray:
        """``S S†``: the covariance added by one step."""
        s = self.noise_map
        return s @ np.conj(np.swapaxes(s, -1, -2))


def exact_ou_maps(drift: np.ndarray, noise: np.ndarray, dt: float) -> StepMaps:
    """Exact-in-distribution Ornstein–Uhlenbeck step: ``A = e^{MΔt}``, ``S = Σ^{1/2}``."""
    a, sigma = van_loan_step_covariance(drift, noise, dt)
    return StepMaps(
        "exact", float(dt), a.astype(complex), hermitian_psd_sqrt(sigma).astype(complex)
    )


def crank_nicolson_maps(drift: np.ndarray, noise: np.ndarray, dt: float) -> StepMaps:
    """Crank–Nicolson with midpoint noise: ``X' = (I−hM/2)⁻¹[(I+hM/2)X + √h Q^{1/2} z]``."""
    require_positive("dt", dt)
    drift = np.asarray(drift, dtype=complex)
    eye = np.eye(drift.shape[-1])
    lhs = eye - 0.5 * dt * drift
    a = np.linalg.solve(lhs, eye + 0.5 * dt * drift)
    s = np.linalg.solve(lhs, np.sqrt(dt) * hermitian_psd_sqrt(noise))
    return StepMaps("crank-nicolson", float(dt), a, s.astype(complex))


def euler_maruyama_maps(drift: np.ndarray, noise: np.ndarray, dt: float) -> StepMaps:
    """Euler–Maruyama: ``A = I + hM``, ``S = √h Q^{1/2}`` (first-order static bias)."""
    require_positive("dt", dt)
    drift = np.asarray(drift, dtype=complex)
    a = np.eye(drift.shape[-1]) + dt * drift
    s = np.sqrt(dt) * hermitian_psd_sqrt(noise)
    return StepMaps("euler-maruyama", float(dt), a, s.astype(complex))


def step_maps(scheme: str, drift: np.ndarray, noise: np.ndarray, dt: float) -> StepMaps:
    """The :class:`StepMaps` of ``scheme`` (one of :data:`SCHEMES`)."""
    builders = {
        "exact": exact_ou_maps,
        "crank-nicolson": crank_nicolson_maps,
        "euler-maruyama": euler_maruyama_maps,
    }
    if scheme not in builders:
        raise ValueError(f"scheme = {scheme!r} is outside the allowed range {SCHEMES}")
    return builders[scheme](drift, noise, dt)


def kernel_noise_map(noise_map: np.ndarray, real_mode: np.ndarray) -> np.ndarray:
    """The ONE place where the normals are scaled: ``S`` as the kernels apply it to ``a + ib``.

    Generic modes use ``(a + ib)/√2`` (⟨zz†⟩ = I, circular): map divided by √2.
    Self-conjugate modes use ``a`` alone (real, unit variance): map unchanged.
    """
    scale = np.where(np.asarray(real_mode, dtype=bool), 1.0, 1.0 / np.sqrt(2.0))
    return np.ascontiguousarray(noise_map * scale[..., :, None, None])


def stationary_sample(
    covariance: np.ndarray, real_mode: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One draw ``X ~ N(0, C)`` per mode (circular complex; real on self-conjugate modes).

    Parameters
    ----------
    covariance
        ``(..., modes, d, d)`` Hermitian PSD ``C = ⟨XX†⟩``.
    real_mode
        ``(modes,)`` bool, self-conjugate modes.
    rng
        The realisation's generator.
    """
    root = kernel_noise_map(hermitian_psd_sqrt(covariance), real_mode)
    raw = rng.standard_normal(covariance.shape[:-1] + (2,))
    z = raw[..., 0] + 1j * raw[..., 1]
    z = np.where(np.asarray(real_mode)[:, None], z.real + 0j, z)
    return np.einsum("...ab,...b->...a", root, z)


@jit(forceinline=True)  # LLVM inlining: inline="always" and a plain call were slower (CHANGELOG)
def _step_and_record(x, y, z, step_matrix, noise_map, s, m, t, pi, pj, coef, out, moments,
                     with_moments):
    """One step ``x ← A x + S z`` of system ``s``, mode ``m``, and its record at step ``t`` (numba).

    ``y`` (``(d,)`` complex128) is scratch. Adds ``Re c_k X_i X_j^*`` to ``out[t, s, k]`` and, if
    ``moments`` has modes, ``X X†`` to ``moments[s, m]``; the arguments are those of
    :func:`advance_modes`, and ``x``, ``z`` the system's state and the normals of this step.
    """
    d = x.shape[0]
    for a in range(d):
        acc = 0j
        for b in range(d):
            acc += step_matrix[s, m, a, b] * x[b] + noise_map[s, m, a, b] * z[b]
        y[a] = acc
    for a in range(d):
        x[a] = y[a]
    prod = x[pi] * np.conj(x[pj])
    for k in range(coef.shape[1]):
        out[t, s, k] += (coef[s, k, m] * prod).real
    if with_moments:
        for a in range(d):
            for b in range(d):
                moments[s, m, a, b] += x[a] * np.conj(x[b])


@jit
def advance_modes(state, step_matrix, noise_map, real_mode, normals, pair, coef, out, moments):
    """Advance ``n_steps`` steps in place and record quadratic observables (numba).

    Parameters
    ----------
    state
        ``(n_sys, modes, d)`` complex128, C-contiguous; overwritten with the final state.
    step_matrix, noise_map
        ``(n_sys, modes, d, d)`` complex128: ``A`` and :func:`kernel_noise_map` ``S``.
    real_mode
        ``(modes,)`` bool: use only the real part of the normals (self-conjugate modes).
    normals
        ``(modes, n_steps, d)`` complex128 raw normals ``a + ib`` (shared by all systems).
    pair
        ``(2,)`` int64 ``(i, j)``: observables are ``Re Σ c X_i X_j^*``.
    coef
        ``(n_sys, n_obs, modes)`` complex128.
    out
        ``(n_steps, n_sys, n_obs)`` float64, overwritten: value after each step.
    moments
        ``(n_sys, modes, d, d)`` complex128, *incremented* by ``Σ_steps X X†``; pass an array
        of shape ``(n_sys, 0, d, d)`` to skip (the equal-time structure factors).
    """
    n_sys, n_modes, d = state.shape
    n_steps = normals.shape[1]
    with_moments = moments.shape[1] > 0
    pi = pair[0]
    pj = pair[1]
    out[:] = 0.0
    x = np.empty(d, dtype=np.complex128)
    z = np.empty(d, dtype=np.complex128)
    y = np.empty(d, dtype=np.complex128)
    for m in range(n_modes):
        real = real_mode[m]
        for s in range(n_sys):
            for a in range(d):
                x[a] = state[s, m, a]
            for t in range(n_steps):
                for a in range(d):
                    w = normals[m, t, a]
                    z[a] = w.real if real else w
                _step_and_record(x, y, z, step_matrix, noise_map, s, m, t, pi, pj, coef, out,
                                 moments, with_moments)  # fmt: skip
            for a in range(d):
                state[s, m, a] = x[a]


def advance_modes_numpy(state, step_matrix, noise_map, real_mode, normals, pair, coef):
    """Plain-numpy twin of :func:`advance_modes`; returns ``(new_state, out, moments)``."""
    state = np.array(state, dtype=complex)
    moments = np.zeros(state.shape + (state.shape[-1],), dtype=complex)
    n_steps = normals.shape[1]
    z_all = np.where(np.asarray(real_mode)[:, None, None], normals.real + 0j, normals)
    out = np.zeros((n_steps, state.shape[0], coef.shape[1]))
    for t in range(n_steps):
        z = z_all[:, t, :]
        state = np.einsum("smab,smb->sma", step_matrix, state) + np.einsum(
            "smab,mb->sma", noise_map, z
        )
        prod = state[:, :, pair[0]] * np.conj(state[:, :, pair[1]])
        out[t] = np.einsum("skm,sm->sk", coef, prod).real
        moments += state[..., :, None] * np.conj(state[..., None, :])
    return state, out, moments


@jit
def seed_numba_rng(seed):
    """Seed numba's own (per-thread Mersenne twister) generator."""
    np.random.seed(seed)  # noqa: NPY002  (numba: seeds its per-thread generator)


@jit
def advance_modes_own_rng(
    state, step_matrix, noise_map, real_mode, n_steps, pair, coef, out, moments
):
    """As :func:`advance_modes`, drawing the normals with numba's generator inside the loop.

    The draws are made in the order (mode, step, component, re/im), identical to
    ``normals[m, t, a] = re + 1j*im`` in :func:`advance_modes`; seed with
    :func:`seed_numba_rng` per realisation for a reproducible run.
    """
    n_sys, n_modes, d = state.shape
    with_moments = moments.shape[1] > 0
    pi = pair[0]
    pj = pair[1]
    out[:] = 0.0
    xs = np.empty((n_sys, d), dtype=np.complex128)
    z = np.empty(d, dtype=np.complex128)
    y = np.empty(d, dtype=np.complex128)
    for m in range(n_modes):
        real = real_mode[m]
        for s in range(n_sys):
            for a in range(d):
                xs[s, a] = state[s, m, a]
        for t in range(n_steps):
            for a in range(d):
                re = np.random.standard_normal()  # noqa: NPY002  (numba generator)
                im = np.random.standard_normal()  # noqa: NPY002
                z[a] = re if real else re + 1j * im
            for s in range(n_sys):
                _step_and_record(xs[s], y, z, step_matrix, noise_map, s, m, t, pi, pj, coef, out,
                                 moments, with_moments)  # fmt: skip
        for s in range(n_sys):
            for a in range(d):
                state[s, m, a] = xs[s, a]


@jit
def record_trajectory(state, step_matrix, noise_map, real_mode, normals, traj):
    """Step a few modes of ONE system and store every state (for D(q, ω)); numba.

    Parameters
    ----------
    state
        ``(modes, d)`` complex128, overwritten with the final state.
    step_matrix, noise_map
        ``(modes, d, d)``: ``A`` and :func:`kernel_noise_map` ``S``.
    real_mode
        ``(modes,)`` bool.
    normals
        ``(modes, n_steps, d)`` raw normals — the same slice the full kernel used for these
        modes, so the recorded trajectory is the simulated one.
    traj
        ``(modes, n_steps, d)`` complex128, overwritten.
    """
    n_modes, d = state.shape
    n_steps = normals.shape[1]
    x = np.empty(d, dtype=np.complex128)
    y = np.empty(d, dtype=np.complex128)
    z = np.empty(d, dtype=np.complex128)
    for m in range(n_modes):
        for a in range(d):
            x[a] = state[m, a]
        for t in range(n_steps):
            for a in range(d):
                w = normals[m, t, a]
                z[a] = w.real if real_mode[m] else w
            for a in range(d):
                acc = 0j
                for b in range(d):
                    acc += step_matrix[m, a, b] * x[b] + noise_map[m, a, b] * z[b]
                y[a] = acc
            for a in range(d):
                x[a] = y[a]
                traj[m, t, a] = y[a]
        for a in range(d):
            state[m, a] = x[a]


def record_trajectory_numpy(state, step_matrix, noise_map, real_mode, normals):
    """Plain-numpy twin of :func:`record_trajectory`; returns ``(final_state, traj)``."""
    x = np.array(state, dtype=complex)
    z_all = np.where(np.asarray(real_mode)[:, None, None], normals.real + 0j, normals)
    traj = np.empty(normals.shape, dtype=complex)
    for t in range(normals.shape[1]):
        x = np.einsum("mab,mb->ma", step_matrix, x) + np.einsum(
            "mab,mb->ma", noise_map, z_all[:, t]
        )
        traj[:, t] = x
    return x, traj
