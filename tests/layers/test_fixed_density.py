"""Every layer's "at T" polarization holds the layer's density, not its chemical potential."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize

from dragcore import units
from layers.interaction import weyl_ballistic_thermal_factor, weyl_chemical_potential
from layers.metal_2d import metal_from_physical
from layers.presets import GAAS_DIELECTRIC, GAAS_MASS_ME, gaas_double_well
from layers.weyl_film import weyl_film_from_physical
from montecarlo.collision import collision_params, unpack_parameters, unpack_screening


@pytest.mark.parametrize("t", [0.1, 0.3, 0.5, 1.0])
def test_metal_static_long_wavelength_pi_is_the_fixed_density_compressibility(t: float) -> None:
    """Π(q → 0, 0; T) = ∂n/∂μ at fixed n = ν(1 − e^{−ε_F/T}) (n = νT ln(1 + e^{μ/T})); at
    μ = ε_F it would be ν/(1 + e^{−ε_F/T}) — a different number (both are tested apart)."""
    m = metal_from_physical(1.5e11, 0.067, 50.0)
    T = t * m.eps_F
    got = m.polarization_at(1e-4 * m.fermi_wavevector, 0.0, T).real / m.dos_2d
    want = -math.expm1(-1.0 / t)
    assert got == pytest.approx(want, rel=1e-6)
    a = math.exp(-1.0 / t)  # fixed μ: ν/(1 + a), higher by νa²/(1 + a) (0.016 ν at 0.5 T_F)
    assert 1.0 / (1.0 + a) - got == pytest.approx(a * a / (1 + a), rel=1e-5, abs=1e-12)


def test_metal_chemical_potential_holds_the_density() -> None:
    """μ(T): ν ∫₀^∞ dε f(ε − μ) = n by quadrature, at 0.1 … 2 T_F."""
    m = metal_from_physical(1.5e11, 0.067, 50.0)
    for t in (0.1, 0.3, 0.5, 2.0):
        T = t * m.eps_F
        mu = m.chemical_potential(T)
        occ = lambda e, mu=mu, T=T: 1 / (1 + math.exp((e - mu) / T))  # noqa: E731
        n = m.dos_2d * integrate.quad(occ, 0, max(mu, 0) + 80 * T, epsabs=0, epsrel=1e-12)[0]
        assert n == pytest.approx(m.density, rel=1e-9)


def test_weyl_chemical_potential_and_thermal_factor_at_fixed_density() -> None:
    """Test-side: the electrons counted from the node ∫dE E²[f(E − μ) − θ(−E)] = ε_F³/3 solved
    for μ by a root finder, and Maldague's average ∫dμ′ μ′² w(μ′ − μ) by quadrature; the factor
    is 1 − x + x² + O(x³), x = π²T²/(3ε_F²), below 1 (at fixed μ it would be 1 + x)."""
    for t in (0.02, 0.1, 0.3):

        def count(mu, t=t):
            f = lambda e: e * e * (1 / (1 + math.exp((e - mu) / t)) - (e < 0))  # noqa: E731
            return integrate.quad(f, -60 * t, mu + 60 * t, points=[0.0, mu], epsrel=1e-12,
                                  limit=400)[0] - 1.0 / 3.0  # fmt: skip

        mu = optimize.brentq(count, 0.5, 1.0, xtol=1e-15)
        assert weyl_chemical_potential(1.0, t) == pytest.approx(mu, rel=1e-10)
        w = lambda x, mu=mu, t=t: x * x / (4 * t * math.cosh((x - mu) / (2 * t)) ** 2)  # noqa: E731
        avg = integrate.quad(w, mu - 60 * t, mu + 60 * t, epsrel=1e-12, limit=400)[0]
        assert weyl_ballistic_thermal_factor(1.0, t) == pytest.approx(avg, rel=1e-10)
        x = math.pi**2 * t * t / 3.0
        assert avg < 1.0 and abs(avg - (1.0 - x + x * x)) < 2 * x**3


def test_weyl_film_polarization_at_uses_the_fixed_density_factor() -> None:
    film = weyl_film_from_physical(tilt=0.3)
    T = 0.05 * film.eps_F
    q = 0.1 * film.fermi_wavevector
    om = 0.4 * film.fermi_velocity * q
    ratio = film.polarization_at(q, om, T) / film.polarization(q, om)
    assert ratio.real == pytest.approx(weyl_ballistic_thermal_factor(film.eps_F, T), rel=1e-14)
    assert ratio.real < 1.0


def test_monte_carlo_screening_block_is_built_at_mu_of_T() -> None:
    """The Monte Carlo's metal occupations and Ψ tables at μ(T) of both metals: the slots hold
    μ(T), and the tables reproduce Metal2D.polarization_at (fixed density)."""
    from montecarlo.collision import screened_polarizations_numpy

    bl = gaas_double_well(1.5e11, 37.5)
    m = bl.passive
    T = 0.3 * m.eps_F
    params = collision_params(bl, T, screening="finite_T")
    values, _ = unpack_parameters(params)
    assert values["mu_p"] == m.chemical_potential(T) == values["mu_a"]
    assert unpack_screening(params) is not None
    q = np.array([0.3, 1.0, 1.7]) * m.fermi_wavevector
    om = np.array([0.5, 2.5, 4.0]) * m.eps_F
    tab = screened_polarizations_numpy(q, om, params)
    exact = m.polarization_at(q, om, T)
    np.testing.assert_allclose(tab[:, 1], exact, rtol=1e-4, atol=1e-6 * m.dos_2d)


def test_gaas_constants_from_one_place() -> None:
    bl = gaas_double_well(1.5e11, 37.5)
    assert bl.dielectric == GAAS_DIELECTRIC == 12.9
    assert bl.passive.mass == units.electron_masses_to_internal(GAAS_MASS_ME)
    assert GAAS_MASS_ME == 0.067 and bl.active is bl.passive
