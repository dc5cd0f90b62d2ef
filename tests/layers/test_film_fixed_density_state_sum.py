"""The tilted Weyl film's Im Π at T and fixed density, against a route of its own.

The route (numpy/scipy only; nothing from the package but the film's parameters): count the
states of a tilted cone ε±(k) = ±v|k| + vC k_z numerically (its density of states, the
density at T, μ(T) by a root search of n(μ, T) = n(ε_F, 0)), then integrate Im Π directly
over the occupied states in cylindrical coordinates about q,

    Im Π = π ∫d³k/(2π)³ (1 + k̂·k̂′)/2 [f(ε_k) − f(ε_k′)] δ(ω − ε_k′ + ε_k),  k′ = k + q,

with the δ function removed on the line of k_x at fixed (k_⊥, φ) (one root, solved in closed
form) — not the prolate spheroidal coordinates, the Fermi-window map or the μ formula of
:mod:`layers.film_state_sum` / :func:`layers.interaction.weyl_chemical_potential`.
Both cones are integrated; the package's state sum holds the upper one (its docstring), so
the lower cone's part is compared separately (its size is asserted, e^{−μ/T}-small).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize

from layers.presets import preset


def _f(x: np.ndarray | float, t: float):
    """Fermi function of x = ε − μ at temperature t (no overflow)."""
    return 0.5 * (1.0 - np.tanh(np.asarray(x) / (2.0 * t)))


# -- counting states (units: energies in ε_F, wavevectors in k_F = ε_F/v, v = 1) ---------
def _states_below(e: float, c: float) -> float:
    """States per volume of the upper cone below energy e > 0 at T = 0 (tilt c), by
    quadrature over cos θ of the radius e/(1 + c cos θ): (1/4π²)∫dcosθ r³/3."""
    return integrate.quad(lambda u: (e / (1 + c * u)) ** 3 / 3, -1, 1, epsrel=1e-13)[0] / (
        4 * math.pi**2
    )


def _density(mu: float, t: float, c: float) -> float:
    """Electrons of the upper cone minus holes of the lower, per volume, at (μ, T):
    (1/4π²)∫dcosθ ∫k²dk [f(k(1 + c cosθ) − μ) − f(μ + k(1 − c cosθ))]."""

    def inner(u: float) -> float:
        top = (mu + 60 * t) / (1 + c * u)
        el = integrate.quad(lambda k: k * k * _f(k * (1 + c * u) - mu, t), 0, top,
                            epsabs=0, epsrel=1e-13, limit=200)[0]  # fmt: skip
        hole_top = 60 * t / (1 - c * u)
        ho = integrate.quad(lambda k: k * k * _f(mu + k * (1 - c * u), t), 0, hole_top,
                            epsabs=1e-14, epsrel=1e-13, limit=200)[0]  # fmt: skip
        return el - ho

    return integrate.quad(inner, -1, 1, epsrel=1e-12)[0] / (4 * math.pi**2)


def _mu_at_fixed_density(t: float, c: float) -> float:
    n0 = _states_below(1.0, c)
    return optimize.brentq(lambda m: _density(m, t, c) - n0, 0.3, 1.2, xtol=1e-14, rtol=1e-15)


# -- Im Π by direct integration over k ------------------------------------------------------
def _im_pi_direct(q: float, om: float, mu: float, t: float, c: float, band: int, n_phi: int):
    """π ∫d³k/(2π)³ overlap [f(ε_k) − f(ε_{k+q})] δ(ω − ε_{k+q} + ε_k) of one cone
    (band = ±1), dimensionless; q along x, the tilt along z, k = (x, r cos φ, r sin φ)."""
    dl = band * om  # |k + q| − |k| = band·ω/v
    if abs(dl) >= q:
        return 0.0
    cc = 0.5 * (q * q - dl * dl)

    def integrand(r: float, sp: float) -> float:
        x = (-q * cc + dl * math.sqrt(cc * cc + 2 * cc * r * r)) / (2 * cc)
        k, kp = math.hypot(x, r), math.hypot(x + q, r)
        e = band * k + c * r * sp
        jac = abs((x + q) / kp - x / k)
        overlap = 0.5 * (1 + (x * (x + q) + r * r) / (k * kp))
        occ = math.sinh(om / (2 * t)) / (2 * math.cosh((e - mu) / (2 * t))
                                         * math.cosh((e + om - mu) / (2 * t)))  # fmt: skip
        return r * overlap * occ / jac

    # φ: trapezoid on the periodic integrand (geometric convergence); r: adaptive panels
    phis = 2 * math.pi * (np.arange(n_phi) + 0.5) / n_phi
    r_top = (mu + abs(om) + 60 * t) / (1 - abs(c)) + q
    edges = np.linspace(0.0, r_top, 25)
    tot = 0.0
    for sp in np.sin(phis):
        tot += sum(
            integrate.quad(integrand, lo, hi, args=(sp,), epsabs=0, epsrel=1e-11, limit=200)[0]
            for lo, hi in zip(edges[:-1], edges[1:], strict=True)
        )
    tot *= 2 * math.pi / n_phi
    return math.pi * tot / (2 * math.pi) ** 3


def test_tilted_cone_dos_is_e_squared_with_the_tilt_prefactor() -> None:
    """Counted states: N(E) ∝ E³, so ν ∝ E², with the prefactor 1/(1 − C²)² of the package's
    weyl_dos (ν = dN/dE = 3N/E); μ(T) at fixed n therefore does not depend on C."""
    from layers.weyl import weyl_dos

    for c in (0.0, 0.3, 0.9):
        n1, n2 = _states_below(1.0, c), _states_below(1.7, c)
        assert n2 / n1 == pytest.approx(1.7**3, rel=1e-12)
        assert 3 * n1 == pytest.approx(float(weyl_dos(1.0, 1.0, c)), rel=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("c", [0.0, 0.3])
def test_chemical_potential_at_fixed_density_by_counting(c: float) -> None:
    film = preset("fig2-d40", tilt=c).active
    for t in (0.03, 0.15, 0.4):
        mu = _mu_at_fixed_density(t, c)
        assert film.chemical_potential(t * film.eps_F) / film.eps_F == pytest.approx(mu, rel=1e-10)


# (q/k_F, ω/(v q) or ω/T, T/ε_F): q ≪ k_F, ~k_F and > k_F; ω inside and outside the continuum
# (the film's continuum |ω| < v q is exact at any T); T = 20 K, 100 K at ε_F = 60 meV (and 0.2 ε_F)
POINTS = [
    (0.05, 0.5, 0.0287),
    (0.3, 0.9, 0.144),
    (1.2, 0.2, 0.144),
    (0.5, -0.4, 0.2),
    (0.5, 1.3, 0.144),  # outside the continuum: Im Π = 0 at any T
]


@pytest.mark.slow
@pytest.mark.parametrize("c", [0.0, 0.3])
def test_film_im_polarization_at_fixed_density_equals_direct_integral(c: float) -> None:
    """The package's Im Π at T (its state sum at its μ(T)) against the direct integral at the
    test's own μ(T). Error bars computed: the package's from two quadrature orders
    (n = 20 and 40 of weighted_im_polarization_at), the direct route's from 48 and 96
    azimuths (the r quadrature at 1e-11); measured |package − direct| ≤ 1.7e-4 relative,
    within the error bar at every point. The lower cone's part (not in the package's sum) is
    the test's own: measured 1e-18 (20 K), 6e-5 (100 K), 8.7e-4 (0.2 ε_F) of the upper
    cone's; 0.15 at 0.43 ε_F (300 K), where the package's sums do not hold it."""
    film = preset("fig2-d40", tilt=c).active
    ef, kf = film.eps_F, film.fermi_wavevector
    to_sheet = kf**3 / ef * film.thickness * film.n_nodes  # dimensionless → sheet Im Π
    for qk, s, t in POINTS:
        mu = _mu_at_fixed_density(t, c)
        q, om = qk, s * qk  # ω = s v q
        lo = _im_pi_direct(q, om, mu, t, c, +1, 48)
        hi = _im_pi_direct(q, om, mu, t, c, +1, 96)
        lower = _im_pi_direct(q, om, mu, t, c, -1, 48)
        args = (np.array([q * kf]), np.array([om * ef]), t * ef)
        p1 = film.weighted_im_polarization_at(*args, 20)[0][0] / to_sheet
        p2 = film.weighted_im_polarization_at(*args, 40)[0][0] / to_sheet
        if abs(s) >= 1.0:
            assert hi == lo == p2 == 0.0
            continue
        err = abs(p2 - p1) + abs(hi - lo) + 1e-12 * abs(hi)
        assert abs(p2 - hi) < 3 * err, (qk, s, t, p2, hi, err)
        assert abs(lower) < 2e-3 * abs(hi)
        # and not at fixed μ = ε_F: the old occupations differ by far more than the error
        fixed_mu = _im_pi_direct(q, om, 1.0, t, c, +1, 48)
        assert abs(fixed_mu - hi) > 100 * err


def test_monte_carlo_film_occupations_at_mu_of_T_and_eta1_normalised_by_eps_F() -> None:
    """The kernel's film slots: ``mu_a`` = ε_F (η∥⁽¹⁾'s normalisation), ``mu_occ_a`` = μ(T) of
    the fixed density (the occupations), the same μ(T) as the reference's state sums."""
    from dragcore import units
    from montecarlo.collision import collision_params, unpack_parameters

    bl = preset("fig2-d40", tilt=0.3)
    film = bl.active
    for t_k in (5.0, 100.0):
        T = units.kelvin_to_erg(t_k)
        values, _ = unpack_parameters(collision_params(bl, T))
        assert values["mu_a"] == film.eps_F
        assert values["mu_occ_a"] == film.chemical_potential(T) < film.eps_F


@pytest.mark.slow
@pytest.mark.parametrize("c", [0.0, 0.3])
def test_lower_cone_is_the_upper_cone_state_sum_at_minus_mu(c: float) -> None:
    """What the package's sums leave out, measured: at 0.43 ε_F (300 K at ε_F = 60 meV) the
    lower cone's Im Π (direct integral) is 15 % of the upper cone's, and it equals the upper
    cone's state sum at chemical potential −μ (particle–hole conjugation k → q − k), to the
    window rule's error (two orders). The window reaches the node here, where the sums cut
    at E = 0: the rule converges slowly and not monotonically (C = 0: 44, 88, 176, 352, 704
    nodes give −2.4e-4, −2.4e-4, +4.2e-5, +1.1e-5, +2.8e-6 relative to the direct value; the
    44/88 difference underestimates the error 5×), hence 352 and 704 nodes."""
    from layers.film_state_sum import azimuth_nodes, film_state_sums, window_nodes

    film = preset("fig2-d40", tilt=c).active
    ef, kf = film.eps_F, film.fermi_wavevector
    t, qk, s = 0.43, 0.3, 0.5
    mu = _mu_at_fixed_density(t, c)
    lower = _im_pi_direct(qk, s * qk, mu, t, c, -1, 48)
    upper = _im_pi_direct(qk, s * qk, mu, t, c, +1, 48)
    assert 0.14 < lower / upper < 0.16
    sums = []
    for n in (352, 704):
        tn, tw = window_nodes(n)
        args = (film.v_F, c, -mu * ef, t * ef, film.boost_per_field, 1.0, tn, tw)
        got = film_state_sums(np.array([qk * kf]), np.array([s * qk * ef]), *args,
                              azimuth_nodes(60))[0, 0]  # fmt: skip
        sums.append(got / (32 * math.pi * qk * kf * film.v_F) * ef / kf**3)
    assert abs(sums[1] - lower) < 3 * abs(sums[1] - sums[0]) + 1e-10 * abs(lower)
