"""The regime map in physical units (validate.regime, ``python -m validate regime``): the unit
conversion against CODATA (SI, numpy only, no package constant), the paper's validity
conditions at a hand-computed point, the one-loop correction equal to one_loop's a × Θ on the
same grid, and the command line's refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest

# CODATA 2018, SI — typed here, independent of dragcore.units and layers.presets.
E_SI = 1.602176634e-19  # C
EPS0 = 8.8541878128e-12  # F/m
KB_SI = 1.380649e-23  # J/K
HBAR_SI = 1.054571817e-34  # J s
ME_SI = 9.1093837015e-31  # kg
KAPPA_GAAS = 12.9
MASS_GAAS = 0.067
COARSE = (10, 6.0)  # cell L/(2⌊(N−1)/3⌋) = 1 d, as the default grid; ~0.3 s per one loop
ORDER = (6, 12)


def theta_si(t_k: float, n_cm2: float, d_nm: float, kappa: float) -> float:
    """Θ = k_BT / [2π (e²/4πε₀κd) (nd²)²]."""
    n = n_cm2 * 1e4
    d = d_nm * 1e-9
    coulomb = E_SI**2 / (4 * np.pi * EPS0 * kappa * d)
    return KB_SI * t_k / (2 * np.pi * coulomb * (n * d * d) ** 2)


def test_theta_of_gaas_from_codata():
    from validate.regime import GAAS_EXAMPLE, fluctuation_strength, physical_parameters

    ref = theta_si(1.0, 1e11, 40.0, KAPPA_GAAS)
    assert 1.0 / ref == pytest.approx(521.0, abs=0.5)  # the docs' Θ = T/521 K
    for t in (1.0, 7.0, 30.0):
        p = physical_parameters(1e11, 40.0, t, "gaas")
        assert p.theta == pytest.approx(theta_si(t, 1e11, 40.0, KAPPA_GAAS), rel=1e-9)
        assert fluctuation_strength(*GAAS_EXAMPLE, t, "gaas") == pytest.approx(p.theta, rel=1e-12)
    # the docs' figures: Θ ≈ 1.9e-3 at 1 K, 9.6e-3 at 5 K, 3.8e-2 at 20 K
    for t, theta in ((1.0, 1.9e-3), (5.0, 9.6e-3), (20.0, 3.8e-2)):
        assert fluctuation_strength(*GAAS_EXAMPLE, t, "gaas") == pytest.approx(theta, rel=0.03)
    with pytest.raises(ValueError, match="temperature_k"):
        fluctuation_strength(*GAAS_EXAMPLE, -1.0, "gaas")
    with pytest.raises(ValueError, match="material"):
        fluctuation_strength(*GAAS_EXAMPLE, 1.0, "silicon")
    # another material, density and spacing: Θ ∝ T d³/(n² κ⁻¹), m-independent
    p = physical_parameters(3e12, 12.0, 250.0, "graphene-like")
    assert p.theta == pytest.approx(theta_si(250.0, 3e12, 12.0, 4.0), rel=1e-9)


def _hand(n_cm2, d_nm, t_k, m_me, kappa):
    """E_F, ω_p (Eq. 14 at q = 1/d), τ_ee = ħE_F/T², k_F d in SI."""
    n, d, m = n_cm2 * 1e4, d_nm * 1e-9, m_me * ME_SI
    ef = np.pi * HBAR_SI**2 * n / m
    wp = math.sqrt(2 * np.pi * n * E_SI**2 / (4 * np.pi * EPS0 * kappa * m * d))
    kt = KB_SI * t_k
    tau = HBAR_SI * ef / kt**2
    kfd = math.sqrt(2 * np.pi * n) * d
    return ef / KB_SI, wp, tau, kfd


@pytest.fixture(scope="module")
def two_points():
    from validate.regime import regime_point

    hydro = regime_point(5e11, 300.0, 120.0, "gaas", grid=COARSE, order=ORDER)
    cold = regime_point(1e11, 40.0, 10.0, "gaas", cutoff="grid", grid=COARSE, order=ORDER)
    return hydro, cold


def test_validity_conditions_at_hand_computed_points(two_points):
    hydro, cold = two_points
    # n = 5e11 cm⁻², d = 300 nm, T = 120 K: E_F = 207 K, ħω_p = 0.20 E_F, k_F d = 53
    ef, wp, tau, kfd = _hand(5e11, 300.0, 120.0, MASS_GAAS, KAPPA_GAAS)
    assert hydro.fermi_energy_k == pytest.approx(ef, rel=1e-8)
    assert hydro.omega_p == pytest.approx(wp, rel=1e-8)
    assert hydro.omega_p_tau_ee == pytest.approx(wp * tau, rel=1e-8)
    assert hydro.kf_d == pytest.approx(kfd, rel=1e-8)
    assert hydro.t_lower_k == pytest.approx(ef / kfd**0.25, rel=1e-8)
    assert wp * tau < 1 and ef / kfd**0.25 < 120.0 < ef
    assert hydro.plasmon_ok and hydro.temperature_ok and hydro.hydrodynamic
    # n = 1e11 cm⁻², d = 40 nm, T = 10 K: E_F = 41.5 K, ω_pτ_ee = 21, T < E_F/(k_Fd)^¼ = 31 K
    ef, wp, tau, kfd = _hand(1e11, 40.0, 10.0, MASS_GAAS, KAPPA_GAAS)
    assert cold.omega_p_tau_ee == pytest.approx(wp * tau, rel=1e-8)
    assert wp * tau > 1 and 10.0 < ef / kfd**0.25
    assert not cold.plasmon_ok and not cold.temperature_ok and not cold.hydrodynamic


def test_correction_is_one_loop_a_times_theta(two_points):
    from langevin.grid import PeriodicGrid
    from langevin.nonlinear_model import NonlinearBilayerModel
    from langevin.one_loop import one_loop_drag
    from validate.regime import CHI0, DRIFT0, physical_parameters

    hydro, cold = two_points
    for pt in (hydro, cold):
        p = physical_parameters(pt.density_cm2, pt.spacing_nm, pt.temperature_k, "gaas")
        a = one_loop_drag(NonlinearBilayerModel(p.with_(chi=CHI0, drift=DRIFT0)),
                          PeriodicGrid(*COARSE)).slope  # fmt: skip
        assert pt.a_grid == pytest.approx(a, rel=1e-12)
        # the coarse grid's cell is d: the ℓ = d value is the grid's own
        assert pt.a_theta == pytest.approx(a * p.theta, rel=1e-12)
        assert pt.grid_cell_nm == pytest.approx(pt.spacing_nm)
    from validate.regime import regime_point

    lee = regime_point(1e11, 40.0, 10.0, "gaas", cutoff="lee", grid=COARSE, order=ORDER)
    assert lee.a == pytest.approx(cold.a_grid * (40.0 / lee.mean_free_path_nm) ** 2, rel=1e-12)


def test_nonreciprocal_part_is_the_exact_difference(two_points):
    from langevin.exact import exact_drag
    from validate.regime import CHI0, physical_parameters

    _, cold = two_points
    p = physical_parameters(1e11, 40.0, 10.0, "gaas")
    # a finer quadrature than the point's (order 6): agreement to its error, ~1e-7
    plus = exact_drag(p.with_(chi=CHI0), order=8, n_angle=16).rho_D_ohm
    minus = exact_drag(p.with_(chi=-CHI0), order=8, n_angle=16).rho_D_ohm
    assert cold.nonreciprocal_ohm_per_chi == pytest.approx((plus - minus) / CHI0, rel=1e-5)


def _main(argv):
    from validate.__main__ import main

    return main(argv)


@pytest.mark.parametrize("argv, word", [
    (["regime", "--resolution", "1"], "--resolution"),
    (["regime", "--resolution", "40"], "--resolution"),
    (["regime", "--chi-point", "1e11,40"], "--chi-point"),
    (["regime", "--chi-point", "1e11,-40,10"], "--chi-point"),
])  # fmt: skip
def test_cli_refuses_bad_input(argv, word, capsys):
    assert _main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and word in err[0]


def test_cli_refuses_existing_figures_before_computing(tmp_path, capsys, monkeypatch):
    import validate.regime as regime

    def boom(*a, **k):
        raise AssertionError("computed before refusing")

    monkeypatch.setattr(regime, "regime_point", boom)
    (tmp_path / "regime_correction.png").write_bytes(b"mine")
    assert _main(["regime", "--figure", "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--output" in err[0] and "--overwrite" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["regime_correction.png"]
    assert (tmp_path / "regime_correction.png").read_bytes() == b"mine"
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    assert _main(["regime", "--figure", "--output", str(a_file)]) == 2


@pytest.mark.slow
def test_cli_writes_only_its_own_figures(tmp_path, capsys, monkeypatch):
    import validate.cli_regime as cli
    import validate.regime as regime

    monkeypatch.setattr(regime, "REFERENCE_GRID", COARSE)
    monkeypatch.setattr(cli, "REPRESENTATIVE", (("gaas", 5e11, 300.0, 120.0),))
    monkeypatch.setattr(cli, "MAP_AXES", {"gaas": ((1e11, 1e12), (40.0, 300.0), (120.0,)),
                                          "graphene-like": ((1e12, 3e12), (10.0, 50.0), (300.0,))})
    monkeypatch.setattr(cli, "CHI_VALUES", (-0.5, 0.0, 0.5))
    (tmp_path / "notes.txt").write_text("keep")
    assert _main(["regime", "--figure", "--resolution", "2", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "hydrodynamic" in out and "wrote" in out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["notes.txt", *regime.FIGURE_NAMES])
    assert (tmp_path / "notes.txt").read_text() == "keep"
    # again: refused, then allowed with --overwrite
    assert _main(["regime", "--figure", "--resolution", "2", "--output", str(tmp_path)]) == 2
    assert _main(["regime", "--figure", "--resolution", "2", "--overwrite",
                  "--output", str(tmp_path)]) == 0  # fmt: skip


@pytest.mark.slow
def test_cutoff_exponent_behind_the_lee_carry_over():
    """The ℓ = ℓ_ee value uses a ∝ Λ²: at the docs' GaAs point the local exponent between the
    10×10 and 16×16 grids (L = 10 d, Λd = 0.6π → π) is 1.94, below 2 (module docstring: the
    carry-over is an upper estimate of |a|); pinned to its computed value."""
    from langevin.grid import PeriodicGrid
    from langevin.nonlinear_model import NonlinearBilayerModel
    from langevin.one_loop import one_loop_drag
    from validate.regime import CHI0, DRIFT0, physical_parameters

    p = physical_parameters(1e11, 40.0, 10.0, "gaas", chi=CHI0, drift=DRIFT0)
    a = [one_loop_drag(NonlinearBilayerModel(p), PeriodicGrid(n, 10.0)).slope for n in (10, 16)]
    exponent = math.log(a[1] / a[0]) / math.log(5 / 3)  # ⌊(N−1)/3⌋ = 3, 5
    assert exponent == pytest.approx(1.935, abs=0.005)
    assert exponent < 2
