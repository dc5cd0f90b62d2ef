"""``python -m langevin exact`` with physical input: every input required, no mixing with the
dimensionless one, and ς, β, ρ_D in Ω against SI formulas written out here (CODATA 2018
constants typed in, not the package's Gaussian units)."""

from __future__ import annotations

import json
import math

import pytest

from langevin.__main__ import main

E_SI = 1.602176634e-19  # C
EPS0 = 8.8541878128e-12  # F/m
KB_SI = 1.380649e-23  # J/K
HBAR_SI = 1.054571817e-34  # J s
ME_SI = 9.1093837015e-31  # kg

#: GaAs-like input: n (cm⁻²), m (mₑ), κ, d (nm), T (K), σ (e²/ħ), η (ħn).
PHYSICAL = {"density": 1e11, "mass": 0.067, "kappa": 12.9, "spacing": 40.0,
            "temperature": 10.0, "sigma": 1.0, "eta": 100.0}  # fmt: skip


def _argv(values: dict) -> list[str]:
    return [x for k, v in values.items() for x in (f"--{k}", repr(v))]


def _si(n_cm2, m_me, kappa, d_nm, t_k, sigma, eta) -> dict:
    """ς = σ_SI/(2ε₀κ d ω_p), β = (η/ϱ)/(d²ω_p) with ω_p² = ne²/(2ε₀κ m d) (Eq. 14 at q = 1/d),
    and ρ₀ = (ħ/e²) σ/(4π²) (nd²)⁻² T/E_F in Ω (Eq. 21; ħ/e² = R_K/2π), E_F = πħ²n/m."""
    n, d, m = n_cm2 * 1e4, d_nm * 1e-9, m_me * ME_SI
    wp = math.sqrt(n * E_SI**2 / (2 * EPS0 * kappa * m * d))
    sigma_si = sigma * E_SI**2 / HBAR_SI
    e_f = math.pi * HBAR_SI**2 * n / m
    return {
        "varsigma": sigma_si / (2 * EPS0 * kappa * d * wp),
        "beta": eta * HBAR_SI / m / (d * d * wp),
        "rho_0_ohm": HBAR_SI / E_SI**2 * sigma / (4 * math.pi**2) / (n * d * d) ** 2
        * KB_SI * t_k / e_f,
    }  # fmt: skip


@pytest.mark.parametrize("edit", [{}, {"density": 3e11, "spacing": 25.0, "temperature": 4.0},
                                  {"mass": 0.2, "kappa": 4.0, "sigma": 0.5}])  # fmt: skip
def test_physical_input_against_si_formulas(capsys, edit: dict) -> None:
    """Relative agreement 1e-9. Measured: ρ₀ to 7e-16; ς and β to 2.7e-10, which is half the
    5.4e-10 by which CODATA 2018's ε₀ differs from the Gaussian-unit ε₀ = 1/(4π·1e-7 c²) behind
    the package's statcoulomb (ω_p ∝ ε₀^-1/2); e, ħ, k_B are exact in both."""
    values = {**PHYSICAL, **edit}
    assert main(["exact", *_argv(values), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ref = _si(*values.values())
    assert out["varsigma"] == pytest.approx(ref["varsigma"], rel=1e-9)
    assert out["beta"] == pytest.approx(ref["beta"], rel=1e-9)
    assert out["rho_D_ohm"] == pytest.approx(out["D"] * ref["rho_0_ohm"], rel=1e-9)


@pytest.mark.parametrize("missing", list(PHYSICAL)[1:])
def test_every_physical_input_is_required(capsys, missing: str) -> None:
    """A material's mass and dielectric constant are inputs: no default fills them in."""
    values = {k: v for k, v in PHYSICAL.items() if k != missing}
    assert main(["exact", *_argv(values)]) == 2
    err = capsys.readouterr().err
    assert f"{missing} (--{missing}) is missing" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(("extra", "name"), [(["--varsigma", "0.2"], "varsigma"),
                                             (["--chi", "0.3"], "chi")])  # fmt: skip
def test_physical_and_dimensionless_input_do_not_mix(capsys, extra: list, name: str) -> None:
    assert main(["exact", *_argv(PHYSICAL), *extra]) == 2
    assert f"{name} (--{name}) is dimensionless input" in capsys.readouterr().err


@pytest.mark.parametrize(("extra", "name"), [(["--spacing", "40"], "spacing"),
                                             (["--velocity", "1e4"], "velocity")])  # fmt: skip
def test_physical_options_without_density_are_refused(capsys, extra: list, name: str) -> None:
    assert main(["exact", "--varsigma", "0.15", "--beta", "0.1", *extra]) == 2
    assert f"{name} (--{name}) is physical input" in capsys.readouterr().err
