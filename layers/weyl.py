"""A tilted Weyl node, H_ξ = v_F (ξ σ·k + C_ξ k_z) — the Hall-drag paper, Eq. (15) and App. C.

The Hall-drag paper: Y. Messica and D. B. Gutman, *Hall Coulomb drag induced by
electron-electron skew scattering*, arXiv:2407.03023v2 (2024).

Units: ħ = k_B = 1. Wave vectors ``k`` in any inverse length (arrays of shape ``(..., 3)``),
``v_F`` is ħ v_F (energy × length), energies are then in the matching energy unit.

Band index ``n = ±1``, chirality ``ξ = ±1``; the spinors depend only on ``ζ = ξ n``
(Eq. C2) because the tilt is proportional to the identity. We take C_ξ = ξ C, so that
ξ C_ξ = C for both nodes: the two nodes of a TRS-broken pair add (not cancel) in every
Hall quantity below. Everything is per node unless the name says ``pair``.

App. C (energy-independent Gaussian disorder, γ = n_imp u₀²) gives, at C → 0:
1/τ = π γ ν(ε) (C10), 1/τ_∥ = 2/(3τ) (C11, i.e. τ_∥ = 3τ/2) and, with the side-jump
(anomalous) distribution absorbed, τ_∥/τ_⊥ = 3C/(2ετ) (C15). ``τ`` (``tau``) below is
always the *elastic* time at the energy in question, τ(ε) = τ(ε_F) (ε_F/ε)².
"""

from __future__ import annotations

import numpy as np

from dragcore.checks import require_positive, require_range

__all__ = [
    "weyl_energy",
    "weyl_spinor",
    "spinor_overlap_sq",
    "spinor_overlap_sq_from_spinors",
    "berry_connection",
    "berry_curvature",
    "coordinate_shift",
    "three_state_phase",
    "three_state_phase_from_spinors",
    "weyl_dos",
    "weyl_density",
    "elastic_time",
    "parallel_transport_time",
    "hall_time_ratio",
    "boost_energy_exponents",
    "pair_conductivity_xx",
    "pair_ahe_regular",
    "pair_ahe_intrinsic",
    "pair_ahe_extrinsic_velocity",
]


def _norm(k: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(np.asarray(k, dtype=float) ** 2, axis=-1))


def weyl_energy(k: np.ndarray, band: int, v_F: float, tilt: float) -> np.ndarray:
    """ε_nk = v_F (n|k| + C_ξ k_z) — Eq. (C1).

    Parameters
    ----------
    k : array (..., 3), inverse length, measured from the node.
    band : n = ±1.
    v_F : ħ v_F, energy × length.
    tilt : C_ξ of this node, |C_ξ| < 1 (type I).
    """
    require_range("C", tilt, -1.0, 1.0, lo_open=True, hi_open=True)
    k = np.asarray(k, dtype=float)
    return v_F * (band * _norm(k) + tilt * k[..., 2])


def weyl_spinor(k: np.ndarray, zeta: int) -> np.ndarray:
    """|u_{ζ,k}⟩ of Eq. (C2) in the gauge of the paper; shape (..., 2), complex.

    ζ = +1: (cos θ/2, e^{iφ} sin θ/2); ζ = −1: (−sin θ/2, e^{iφ} cos θ/2), where
    k = k (sin θ cos φ, sin θ sin φ, cos θ). The gauge is singular on the z axis (Dirac string).
    """
    k = np.asarray(k, dtype=float)
    kk = _norm(k)
    theta = np.arccos(np.clip(k[..., 2] / kk, -1.0, 1.0))
    phi = np.arctan2(k[..., 1], k[..., 0])
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    ph = np.exp(1j * phi)
    if zeta > 0:
        return np.stack([c + 0j, ph * s], axis=-1)
    return np.stack([-s + 0j, ph * c], axis=-1)


def spinor_overlap_sq_from_spinors(k1, zeta1: int, k2, zeta2: int) -> np.ndarray:
    """|⟨u_{ζ1,k1}|u_{ζ2,k2}⟩|² from the spinors (the direct route)."""
    u1, u2 = weyl_spinor(k1, zeta1), weyl_spinor(k2, zeta2)
    return np.abs(np.sum(np.conj(u1) * u2, axis=-1)) ** 2


def spinor_overlap_sq(k1, zeta1: int, k2, zeta2: int) -> np.ndarray:
    """|⟨u_{ζ1,k1}|u_{ζ2,k2}⟩|² = (1 + ζ1 ζ2 k̂1·k̂2)/2 (spin-½ coherent states; enters A33)."""
    k1, k2 = np.asarray(k1, dtype=float), np.asarray(k2, dtype=float)
    cos = np.sum(k1 * k2, axis=-1) / (_norm(k1) * _norm(k2))
    return 0.5 * (1.0 + zeta1 * zeta2 * cos)


def berry_connection(k: np.ndarray, zeta: int) -> np.ndarray:
    """A_ζ(k) = i⟨u|∇_k u⟩ (Eq. A20) in the gauge of :func:`weyl_spinor`; shape (..., 3).

    A = −(1 − ζ cos θ)/(2 k sin θ) ê_φ (length; the inverse of the unit of ``k``).
    """
    k = np.asarray(k, dtype=float)
    kk = _norm(k)
    kperp = np.sqrt(k[..., 0] ** 2 + k[..., 1] ** 2)
    cos = k[..., 2] / kk
    amp = -(1.0 - zeta * cos) / (2.0 * kk * (kperp / kk))
    e_phi = np.stack([-k[..., 1] / kperp, k[..., 0] / kperp, np.zeros_like(kk)], axis=-1)
    return amp[..., None] * e_phi


def berry_curvature(k: np.ndarray, zeta: int) -> np.ndarray:
    """Ω_ζ = ∇_k × A_ζ = −ζ k̂/(2k²) (monopole of charge −ζ/2); length²."""
    k = np.asarray(k, dtype=float)
    kk = _norm(k)
    return -zeta * k / (2.0 * kk[..., None] ** 3)


def coordinate_shift(k_in: np.ndarray, k_out: np.ndarray, zeta: int) -> np.ndarray:
    """Side-jump δr_{k_out,k_in} for an intraband transition k_in → k_out — Eqs. (A38), (B20).

    With the definition of Eq. (A38),
    δr_{k'k} = A(k') − A(k) − (∇_k + ∇_k') arg⟨u_k'|u_k⟩, the Weyl spinors give

        δr_{k'k} = −ζ (k̂ × k̂′) (1/k + 1/k′) / (4 |⟨u_k|u_k′⟩|²).

    (Checked against the definition by finite differences in
    ``tests/layers/test_layers.py``; the
    extracted Eq. (B20) shows (k̂ × k̂′)/(4|⟨k|k′⟩|²) with the sum of inverse lengths, its
    overall sign is not legible.) Length.
    """
    k_in, k_out = np.asarray(k_in, dtype=float), np.asarray(k_out, dtype=float)
    a, b = _norm(k_in), _norm(k_out)
    cross = np.cross(k_in / a[..., None], k_out / b[..., None])
    ov = spinor_overlap_sq(k_in, zeta, k_out, zeta)
    return (-zeta * (1.0 / a + 1.0 / b) / (4.0 * ov))[..., None] * cross


def three_state_phase_from_spinors(k1, z1: int, k2, z2: int, k3, z3: int) -> np.ndarray:
    """Z = Im[⟨u1|u2⟩⟨u2|u3⟩⟨u3|u1⟩] from the spinors (Eq. A45 with three states)."""
    u1, u2, u3 = weyl_spinor(k1, z1), weyl_spinor(k2, z2), weyl_spinor(k3, z3)

    def br(a, b):
        return np.sum(np.conj(a) * b, axis=-1)

    return np.imag(br(u1, u2) * br(u2, u3) * br(u3, u1))


def three_state_phase(k1, z1: int, k2, z2: int, k3, z3: int) -> np.ndarray:
    """Z_{1→2→3} = (ζ1 ζ2 ζ3 / 4) (k̂1 × k̂2)·k̂3 — Eq. (A47).

    From Tr(P1 P2 P3) with P = (1 + ζ k̂·σ)/2: the imaginary part is (1/4) n1·(n2 × n3).
    """
    k1, k2, k3 = (np.asarray(x, dtype=float) for x in (k1, k2, k3))
    n1, n2, n3 = (x / _norm(x)[..., None] for x in (k1, k2, k3))
    return 0.25 * z1 * z2 * z3 * np.sum(np.cross(n1, n2) * n3, axis=-1)


def weyl_dos(energy, v_F: float, tilt: float) -> np.ndarray:
    """Density of states of one tilted node (conduction band), ε²/(2π² v_F³ (1 − C²)²).

    Eq. (C7) is the C = 0 value; the tilt factor follows from
    ∫dΩ (1 + C cos θ)⁻³ = 4π/(1 − C²)². Units: 1/(energy × length³).
    """
    require_range("C", tilt, -1.0, 1.0, lo_open=True, hi_open=True)
    energy = np.asarray(energy, dtype=float)
    return energy**2 / (2.0 * np.pi**2 * v_F**3 * (1.0 - tilt**2) ** 2)


def weyl_density(eps_F: float, v_F: float, tilt: float) -> float:
    """Electron density of one node counted from the node, ε_F³/(6π² v_F³ (1 − C²)²); 1/length³."""
    require_positive("eps_F", eps_F)
    require_range("C", tilt, -1.0, 1.0, lo_open=True, hi_open=True)
    return eps_F**3 / (6.0 * np.pi**2 * v_F**3 * (1.0 - tilt**2) ** 2)


def elastic_time(energy, tau_F: float, eps_F: float) -> np.ndarray:
    """τ(ε) = τ_F (ε_F/ε)² — Born scattering off Gaussian disorder, 1/τ = πγν(ε) (C10)."""
    energy = np.asarray(energy, dtype=float)
    return tau_F * (eps_F / energy) ** 2


def parallel_transport_time(tau) -> np.ndarray:
    """τ_∥ = 3τ/2 — Eq. (C11): the overlap (1 + cos)/2 times (1 − cos) averages to 2/3."""
    return 1.5 * np.asarray(tau, dtype=float)


def hall_time_ratio(energy, tau, tilt: float) -> np.ndarray:
    """τ_∥/τ_⊥ = 3C/(2ετ) — Eq. (C15) (skew scattering plus the anomalous distribution).

    This is the Hall angle of the boost velocity, Eq. (28), and equals σ^reg_xy/σ_xx.
    """
    return 1.5 * tilt / (np.asarray(energy, dtype=float) * np.asarray(tau, dtype=float))


def boost_energy_exponents() -> tuple[int, int]:
    """(b, b_⊥): u_∥(ε) ∝ ε^b, u_⊥(ε) ∝ ε^{b_⊥} for the model of App. C.

    u_∥ ∝ v² τ_∥(ε)/ε ∝ ε⁻³ and u_⊥ = u_∥ τ_∥/τ_⊥ ∝ ε⁻³ · ε = ε⁻², as the paper states
    below Eq. (46): b = −3, b_⊥ = −2.
    """
    return -3, -2


def pair_conductivity_xx(eps_F: float, v_F: float, tau: float, tilt: float = 0.0) -> float:
    """3D longitudinal conductivity of a node pair in units of e²: ν v² τ_∥/3 (ħ = 1).

    With ν = 2 ε_F²/(2π² v³) (two nodes, C → 0) this is ε_F² τ/(2π² v_F); the tilt enters
    only through ν here (leading order). Multiply by W for the sheet value.
    """
    nu = 2.0 * weyl_dos(eps_F, v_F, tilt)
    return nu * v_F**2 * parallel_transport_time(tau) / 3.0


def pair_ahe_regular(eps_F: float, v_F: float, tilt: float) -> float:
    """σ^reg_xy = 3 ε_F C/(4π² v_F) (units of e², 3D, two nodes) — Eq. (C20).

    Check: σ_xx τ_∥/τ_⊥ = (ε_F² τ/(2π² v_F)) · 3C/(2ε_F τ) = 3ε_F C/(4π² v_F).
    """
    return 3.0 * eps_F * tilt / (4.0 * np.pi**2 * v_F)


def pair_ahe_intrinsic(eps_F: float, v_F: float, tilt: float, node_separation: float) -> float:
    """σ^int_xy = Δ_k/(4π²) − ε_F C/(6π² v_F) (units of e², 3D, two nodes) — Eq. (C21).

    The Fermi-sea term is 2 ∫ Ω_z over the states between the node and the tilted Fermi
    surface: per node −ξ∫ dΩ cos θ k_F(θ)/(2(2π)³) with k_F(θ) = ε_F/(v(1 + C_ξ cos θ)),
    = ξC_ξ ε_F/(12π² v) to first order; the sign follows Eq. (50) (see the report).
    """
    return node_separation / (4.0 * np.pi**2) - eps_F * tilt / (6.0 * np.pi**2 * v_F)


def pair_ahe_extrinsic_velocity(eps_F: float, v_F: float, tilt: float) -> float:
    """σ^{ext.vel}_xy = 5 ε_F C/(12π² v_F) (units of e², 3D, two nodes) — Eq. (C22)."""
    return 5.0 * eps_F * tilt / (12.0 * np.pi**2 * v_F)
