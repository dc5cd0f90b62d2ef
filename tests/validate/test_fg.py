"""f(ς) and g(ς, β) of Eq. (22): closed-form y-integrals, two quadrature routes, asymptotics, CLI.

Tolerances are computed: from the requested quadrature tolerances, the reported error
estimates, the condition number of the Lyapunov operator, or the size of the first omitted
term of an asymptotic series whose derivation is in ``validate/fg.py``.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import linalg

import validate
from validate import fg, fg_asymptotic

EPS = np.finfo(float).eps
GRID = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]  # the ς grid the two routes are compared on
QUAD_EPSREL = 1e-13  # what route 2 asks scipy.integrate.quad for in y (per piece)


# --- the exact y-integration ----------------------------------------------------------------


def _lyapunov_integral(denominator: np.ndarray) -> tuple[float, float]:
    """∫_{−∞}^{∞} |s²/A(s)|²_{s=iy} dy = 2π cPcᵀ, A P + P Aᵀ + b bᵀ = 0 (companion form).

    Returns the value and its rounding-error bound 10 κ(L) ε, κ(L) the condition number
    of the Lyapunov operator L = I⊗A + A⊗I.
    """
    a = np.asarray(denominator, dtype=float) / denominator[0]
    n = a.size - 1
    comp = np.zeros((n, n))
    comp[:-1, 1:] = np.eye(n - 1)
    comp[-1] = -a[:0:-1]
    b = np.zeros((n, 1))
    b[-1] = 1.0
    c = np.zeros((1, n))
    c[0, 2] = 1.0 / denominator[0]  # numerator s²
    p = linalg.solve_continuous_lyapunov(comp, -b @ b.T)
    op = np.kron(np.eye(n), comp) + np.kron(comp, np.eye(n))
    return float(2 * np.pi * (c @ p @ c.T)[0, 0]), 10 * np.linalg.cond(op) * EPS


@pytest.mark.parametrize("x", [0.05, 0.7, 3.0, 12.0])
@pytest.mark.parametrize("varsigma", [0.01, 0.2, 5.0])
def test_closed_form_y_integrals_against_lyapunov_and_quad(x: float, varsigma: float) -> None:
    a_p, a_m, delta = fg.plasmon_lines(x)
    b_p, b_m = varsigma * a_p, varsigma * a_m
    i_f, i_plus, i_minus = fg.resonance_pair_integrals(a_p, b_p, a_m, b_m, delta)
    quad_p = np.array([1.0, b_p, a_p])
    quad_m = np.array([1.0, b_m, a_m])
    for closed, den in [
        (i_f, np.polymul(quad_p, quad_m)),
        (i_plus, np.polymul(np.polymul(quad_p, quad_p), quad_m)),
        (i_minus, np.polymul(np.polymul(quad_p, quad_m), quad_m)),
    ]:
        ref, tol = _lyapunov_integral(den)
        assert abs(closed / ref - 1) <= tol + 8 * EPS
    # the simplified 1-D densities are the closed forms times the prefactors of Eq. (22)
    pref_f = 2 * varsigma * x**5 * math.exp(-2 * x)
    assert fg.frequency_integrated_f(x, varsigma) == pytest.approx(pref_f * i_f / 2, rel=16 * EPS)
    pref_g = 2 * varsigma**2 * x**9 * math.exp(-2 * x)
    e = math.exp(-x)
    g_y = pref_g * ((1 + e) ** 2 * i_plus + (1 - e) ** 2 * i_minus) / 2
    assert fg.frequency_integrated_g(x, varsigma) == pytest.approx(g_y, rel=32 * EPS)
    # and against adaptive quadrature of the printed integrand (quad's requested accuracy)
    tol = QUAD_EPSREL + 100 * EPS
    assert fg._y_integral_adaptive(x, varsigma, "f") == pytest.approx(i_f / 2, rel=tol)
    assert fg._y_integral_adaptive(x, varsigma, "g") * pref_g == pytest.approx(g_y, rel=tol)


def test_spectral_density_is_the_printed_integrand() -> None:
    x, y, s = 1.3, 0.9, 0.15
    e = math.exp(-x)
    pi_p = (y**2 - x * (1 + e)) ** 2 + s**2 * y**2 * x**2 * (1 + e) ** 2
    pi_m = (y**2 - x * (1 - e)) ** 2 + s**2 * y**2 * x**2 * (1 - e) ** 2
    dens = 2 * s * x**5 * y**4 * e**2 / (pi_p * pi_m)
    assert fg.spectral_density(x, y, s) == pytest.approx(dens, rel=16 * EPS)
    bracket = (1 + e) ** 2 / pi_p + (1 - e) ** 2 / pi_m
    nr = 2 * 0.3 * s**2 * x**9 * y**4 * e**2 / (pi_p * pi_m) * bracket
    assert fg.nonreciprocal_spectral_density(x, y, s, 0.3) == pytest.approx(nr, rel=16 * EPS)


# --- the two routes ------------------------------------------------------------------------


@pytest.mark.slow
def test_routes_agree_on_the_grid() -> None:
    """Route 1 (closed-form y, Gauss–Legendre x) against route 2 (nested adaptive quad)."""
    f1 = fg.f_with_error(GRID)
    g1 = fg.g_with_error(GRID, 1.0)
    assert np.all(f1.error <= 1e-12 * f1.value) and np.all(g1.error <= 1e-12 * g1.value)
    for k, s in enumerate(GRID):
        f2 = fg.f_nested_quad(s)
        g2 = fg.g_nested_quad(s, 1.0)
        # the brief's requirement is 1e-9; route 2 asks quad for 1e-12 in x, 1e-13 in y
        assert abs(f2 / f1.value[k] - 1) <= 1e-9
        assert abs(g2 / g1.value[k] - 1) <= 1e-9
        # and what they actually reach: route 2's requested accuracy plus route 1's estimate
        assert abs(f2 - f1.value[k]) <= 1e-12 * f2 + f1.error[k]
        assert abs(g2 - g1.value[k]) <= 1e-12 * g2 + g1.error[k]


def test_accuracy_against_refined_panels() -> None:
    """1e-10 shown: route 1 against itself on 4× finer panels, within both error estimates."""
    s = np.geomspace(1e-2, 10.0, 25)
    coarse, fine = fg.f_with_error(s), fg.f_with_error(s, refine=4)
    assert np.all(np.abs(coarse.value - fine.value) <= coarse.error + fine.error)
    assert np.all(coarse.error <= 1e-10 * coarse.value)
    coarse, fine = fg.g_with_error(s, 1.0), fg.g_with_error(s, 1.0, refine=4)
    assert np.all(np.abs(coarse.value - fine.value) <= coarse.error + fine.error)
    assert np.all(coarse.error <= 1e-10 * coarse.value)


def test_extreme_varsigma_meets_its_error_estimate() -> None:
    s = np.array([fg.VARSIGMA_RANGE[0], 1e-12, 1e6, fg.VARSIGMA_RANGE[1]])
    for res in (fg.f_with_error(s), fg.g_with_error(s, 1.0)):
        assert np.all(np.isfinite(res.value)) and np.all(res.value > 0)
        assert np.all(res.error <= 1e-12 * res.value)


# --- asymptotics ---------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["f", "g"])
def test_large_varsigma_series(which: str) -> None:
    """ς → ∞: (exact − S_k)/t_{k+1} → 1 at the rate of the next term."""
    s = np.array([30.0, 100.0, 300.0, 1000.0])
    if which == "f":
        exact = fg.f(s)
        terms = [fg_asymptotic.f_large_varsigma(s, k) for k in (1, 2, 3)]
    else:
        exact = fg.g(s, 1.0)
        terms = [fg_asymptotic.g_large_varsigma(s, 1.0, k) for k in (1, 2, 3)]
    s1, s2, s3 = terms
    t2, t3 = s2 - s1, s3 - s2
    # order 1 → 2: the remainder beyond t2 is t3 + O(ς^{-6 or -7} ln ς), |t3/t2| = O(1/(ς ln ς))
    dev = (exact - s1) / t2 - 1
    assert np.all(np.abs(dev) <= 2 * np.abs(t3 / t2))
    # order 2 → 3: (exact − S2)/t3 − 1 = (a ln ς + b)/ς with unknown a, b; so the scaled
    # deviation dev·ς/ln ς is constant up to the relative O(1/ln ς) of the b term
    dev = ((exact - s2) / t3 - 1) * s / np.log(s)
    assert np.all(np.abs(dev) < 2.0)  # an O(1) coefficient: the rate is 1/ς, not slower
    spread = np.abs(dev[1:] / dev[:-1] - 1)
    assert np.all(spread <= 1.0 / np.log(s[:-1]))
    # the leading constants: f ς² → πζ(3)/8, g ς³/β → 9πζ(3)/32
    lead = s1 * (s**2 if which == "f" else s**3)
    want = math.pi * 1.2020569031595942 * (1 / 8 if which == "f" else 9 / 32)
    assert np.allclose(lead, want, rtol=4 * EPS, atol=0)


@pytest.mark.parametrize("which", ["f", "g"])
def test_small_varsigma_sommerfeld_series(which: str) -> None:
    """ς → 0: the Sommerfeld series in the overlap scale X; each truncation error is the
    first omitted term, up to the term after it."""
    s = np.array([1e-6, 1e-8, 1e-12])
    beta = None if which == "f" else 1.0
    exact = fg.f(s) if which == "f" else fg.g(s, 1.0)

    def partial(k):
        if which == "f":
            return fg_asymptotic.f_small_varsigma(s, k)
        return fg_asymptotic.g_small_varsigma(s, 1.0, k)

    for k in (1, 2, 3):
        nxt = fg_asymptotic.small_varsigma_next_term(s, k, beta)
        after = fg_asymptotic.small_varsigma_next_term(s, k + 1, beta)
        dev = (exact - partial(k)) / nxt - 1
        assert np.all(np.abs(dev) <= 2 * np.abs(after / nxt) + 1e-13 * np.abs(exact / nxt))
    # the leading power of ln(1/ς): f → (π/8) X⁴ and g → π β X⁵/(20 ς), X = W(2/ς²)/2,
    # with the relative correction of the second Sommerfeld term, π²/(2X²) for f
    x = fg.overlap_scale(s)
    if which == "f":
        rel = exact / (math.pi / 8 * x**4) - 1
        assert np.all(np.abs(rel * x**2 / (math.pi**2 / 2) - 1) <= 4 / x)


def test_overlap_scale_solves_its_equation() -> None:
    s = np.array([1e-30, 1e-6, 0.01, 1.0, 10.0, 1e30])
    x = fg.overlap_scale(s)
    assert np.allclose(2 * x + np.log(x), -2 * np.log(s), rtol=8 * EPS, atol=8 * EPS)


# --- API behaviour -------------------------------------------------------------------------


def test_g_is_linear_in_beta_and_broadcasts() -> None:
    s = np.array([0.05, 0.5, 5.0])
    beta = np.array([[0.0], [0.25], [2.0]])
    out = validate.g(s, beta)
    assert out.shape == (3, 3)
    assert np.array_equal(out, beta * validate.g(s, 1.0))
    assert fg.g_nested_quad(0.5, 0.25) == pytest.approx(0.25 * fg.g_nested_quad(0.5, 1.0))


def test_scalars_and_arrays() -> None:
    assert isinstance(validate.f(0.1), float)
    assert isinstance(validate.g(0.1, 0.2), float)
    assert validate.f([0.1, 1.0]).shape == (2,)
    grid = np.full((2, 3), 0.7)
    assert np.array_equal(validate.f(grid), np.full((2, 3), validate.f(0.7)))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: validate.f(0.0), r"varsigma = 0\.0 is outside the allowed range"),
        (lambda: validate.f(-1.0), r"varsigma = -1\.0 is outside"),
        (lambda: validate.f([0.1, math.nan]), r"varsigma = nan is outside"),
        (lambda: validate.f(math.inf), r"varsigma = inf is outside"),
        (lambda: validate.g(0.1, -0.5), r"beta = -0\.5 is outside the allowed range \[0, inf\)"),
        (lambda: validate.g(0.1, math.inf), r"beta = inf is outside"),
        (lambda: validate.g(0.1, math.nan), r"beta = nan is outside"),
        (lambda: fg.spectral_density(1.0, 1.0, -0.1), r"varsigma = -0\.1 is outside"),
        (lambda: fg_asymptotic.f_small_varsigma(0.01, 7), r"terms = 7 is outside"),
    ],
)
def test_bad_input_names_the_parameter(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --- the CLI -------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "validate", "fg", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_cli_json_and_figures(tmp_path) -> None:
    out = tmp_path / "fg"
    proc = _cli("--json", "--varsigma", "0.1", "1", "--beta", "0.1", "1", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["varsigma"] == [0.1, 1.0]
    assert np.allclose(data["f"], validate.f([0.1, 1.0]), rtol=1e-14, atol=0)
    assert np.allclose(data["g"]["1.0"], validate.g([0.1, 1.0], 1.0), rtol=1e-14, atol=0)
    for name in ("g_over_f.png", "spectral_density.png"):
        assert (out / name).stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--varsigma", "-1"], "varsigma"),
        (["--beta", "nan"], "beta"),
        (["--figure-beta", "0"], "figure_beta"),
    ],
)
@pytest.mark.slow
def test_cli_bad_input(tmp_path, args: list[str], name: str) -> None:
    out = tmp_path / "never"
    proc = _cli(*args, "--output", str(out))
    assert proc.returncode == 2
    assert name in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


@pytest.mark.slow
def test_cli_defaults_drive_run_in_process(tmp_path, capsys) -> None:
    """``run(Namespace(**DEFAULTS, output=...))`` runs in process and writes the two figures."""
    import argparse

    from validate import cli_fg

    out = tmp_path / "fg"
    assert cli_fg.run(argparse.Namespace(**cli_fg.DEFAULTS, output=str(out))) == 0
    text = capsys.readouterr().out
    assert len(text.splitlines()) >= len(cli_fg.DEFAULT_VARSIGMA) + 2
    assert sorted(p.name for p in out.iterdir()) == ["g_over_f.png", "spectral_density.png"]


def test_y_integrated_densities_vanish_smoothly_at_x_zero() -> None:
    x = np.array([0.0, 1e-8])
    assert np.array_equal(fg.frequency_integrated_f(x, 0.3)[:1], [0.0])
    assert np.array_equal(fg.frequency_integrated_g(x, 0.3)[:1], [0.0])
    # x → 0: (π/2) x³ and (π/(4ς)) x⁴/(2x) = π x³/(8ς), to O(x) relative
    assert fg.frequency_integrated_f(1e-8, 0.3) == pytest.approx(math.pi / 2 * 1e-24, rel=1e-7)
    assert fg.frequency_integrated_g(1e-8, 0.3) == pytest.approx(math.pi / 2.4 * 1e-24, rel=1e-7)
