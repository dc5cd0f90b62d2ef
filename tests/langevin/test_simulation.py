"""The bilayer on a grid: Gibbs statistics, drag against the exact finite-grid value, D(q, ω).

Seeds were fixed before the first run of each test and are not to be changed to make a test
pass. Every tolerance is a z-score with the EXACT standard deviation of the estimator
(:func:`langevin.statistics.exact_mean_covariance`) or the run's own error bar.
"""

from __future__ import annotations

import numpy as np
import pytest

from langevin.comparison import ExactComparison
from langevin.grid import PeriodicGrid
from langevin.model import BilayerModel
from langevin.observables import (
    dynamic_structure_factor,
    exact_dynamic_structure_factor,
    maxwell_rates,
    plasmon_frequencies,
)
from langevin.params import BilayerParameters
from langevin.simulation import Simulation
from langevin.statistics import exact_mean_covariance, pair_observable_matrix
from langevin.stepping import record_trajectory, record_trajectory_numpy
from tests.cli_helpers import exact_paper_toml

PAPER = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1).paper_approximations()
FULL = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, sound=0.3, odd=0.05, bulk_to_shear=0.5)
GRID = PeriodicGrid(8, 8.0)


def explicit_stability_step(sim: Simulation) -> float:
    """``2/max|λ|``: the order of the stability limit of explicit schemes (RK-type) here."""
    lam = np.linalg.eigvals(np.stack([m.step_matrix for m in sim.maps[:1]])[0])
    rate = np.abs(np.log(lam)).max() / sim.dt
    return 2.0 / rate


def frozen_components(sim: Simulation) -> np.ndarray:
    """(modes, 6) mask: components the dynamics never moves (uncoupled, unforced, |A_aa| = 1).

    E.g. the transverse velocities without viscosity, and all velocities on self-conjugate
    modes in the paper's approximation (odd-in-q couplings vanish there). They keep their
    initial Gibbs draw; their time average is that one draw (χ²-distributed, not Gaussian),
    so they are tested separately: constant in time, not by a z-score.
    """
    a = sim.joint_step_matrix
    s = sim.maps[0].noise_map
    diag = np.diagonal(a, axis1=-2, axis2=-1)
    off = np.abs(a - diag[..., None] * np.eye(6))
    uncoupled = (off.max(axis=-1) < 1e-12) & (off.max(axis=-2) < 1e-12)
    return uncoupled & (np.abs(np.abs(diag) - 1) < 1e-12) & (np.abs(s).max(axis=-1) == 0)


def gibbs_zscores(sim: Simulation, seed: int, n_realisations: int, n_steps: int) -> np.ndarray:
    """z of the sampled ⟨|δn_a|²⟩, Re/Im ⟨δn₁δn₂*⟩, ⟨|δv_i|²⟩ against Gibbs at every mode
    (frozen components excluded, see :func:`frozen_components`)."""
    frozen = frozen_components(sim)
    model = sim.model
    gibbs = model.equilibrium_covariance(sim.modes.qx, sim.modes.qy) * sim.grid.mode_noise_scale
    structure = np.mean(
        [
            sim.run_realisation(seed, r, n_steps, structure=True).structure
            for r in range(n_realisations)
        ],
        axis=0,
    )
    entries = [(0, 0, 1.0), (1, 1, 1.0), (0, 1, 1.0), (0, 1, -1j)] + [
        (k, k, 1.0) for k in range(2, 6)
    ]
    z = []
    for i in range(sim.modes.size):
        real = sim.modes.real_mode[i : i + 1]
        for a, b, part in entries:
            if (real[0] and part == -1j) or frozen[i, a] or frozen[i, b]:
                continue
            h = pair_observable_matrix(np.array([part]), (a, b), 6)[None]
            var = exact_mean_covariance(
                sim.joint_step_matrix[i : i + 1], sim.joint_cov[i : i + 1], h, n_steps, real
            )[0, 0]
            est = (part * structure[i, a, b]).real
            ref = (part * gibbs[i, a, b]).real
            z.append((est - ref) / np.sqrt(var / n_realisations))
    return np.array(z)


@pytest.mark.parametrize("scheme", ["exact", "crank-nicolson"])
@pytest.mark.parametrize("params", [PAPER, FULL], ids=["paper", "full"])
def test_gibbs_statistics_at_every_mode(scheme: str, params: BilayerParameters) -> None:
    """v = 0 and χ = 0 (χ = α v·B vanishes with v): Gibbs at every mode, every component.

    (At χ ≠ 0 the nonreciprocal stress damps layer 1 without noise and the state is not
    Gibbs even at v = 0 — a property of the model, not of the stepper.)
    """
    params = params.with_(chi=0.0)
    probe = Simulation(BilayerModel(params), GRID, "exact", dt=0.1)
    dt = explicit_stability_step(probe)
    sim = ExactComparison(BilayerModel(params), GRID, scheme, dt=dt).simulation
    z = gibbs_zscores(sim, seed=2024, n_realisations=4, n_steps=3000)
    print(f"{scheme}: dt = {dt:.3g}, {z.size} z-scores, max |z| = {np.abs(z).max():.2f}")
    assert np.all(np.abs(z) < 4.0)
    assert abs(np.mean(z**2) - 1.0) < 4.0 * np.sqrt(2.0 / z.size)


def test_drag_against_exact_finite_grid_value_over_20_seeds() -> None:
    """Exact-OU steps with common random numbers: pulls of 20 seeds, each within 3σ."""
    params = PAPER.with_(drift=0.02)
    sim = ExactComparison(BilayerModel(params), GRID, "exact", dt=1.0, common_random_numbers=True)
    pulls, ratio = [], []
    for seed in range(1000, 1020):
        res = sim.run(seed, 1, 4000, with_exact_sdev=(seed == 1000))
        if seed == 1000:
            exact_sd = res.exact_sdev
        pulls.append((res.mean - res.exact) / res.sdev)
        ratio.append(res.sdev / exact_sd)
    pulls, ratio = np.array(pulls), np.array(ratio)
    rms = float(np.sqrt(np.mean(pulls**2)))
    # The error bars themselves: mean of (error/exact sd)² is 1 within 4 standard errors.
    r2 = ratio**2
    assert abs(r2.mean() - 1) < 4 * r2.std(ddof=1) / np.sqrt(r2.size)
    print(
        f"D exact {sim.exact:.5g}; pulls rms {rms:.3f}; error bar / exact sd {np.mean(ratio):.3f}"
    )
    assert np.all(np.abs(pulls) < 3.0)
    assert 0.7 < rms < 1.3


def test_zero_drag_at_zero_velocity() -> None:
    sim = ExactComparison(BilayerModel(PAPER.with_(drift=0.0)), GRID, "exact", dt=1.0)
    res = sim.run(7, 2, 4000)
    assert sim.exact == 0.0
    assert abs(res.mean) < 3.0 * res.sdev


def test_common_random_numbers_keep_the_error_finite_as_v_goes_to_zero() -> None:
    """Exact sd of the estimator: CRN stays O(1) as u → 0; a single drift grows like 1/u.

    Both deviations from the limiting law are O(u²); the change between u = 0.02 and 0.01
    (∝ 3·10⁻⁴) bounds the change between 0.01 and 0.001 (∝ 0.99·10⁻⁴).
    """
    sds = {}
    for u in (0.02, 0.01, 0.001):
        model = BilayerModel(PAPER.with_(drift=u))
        crn = ExactComparison(model, GRID, "exact", dt=1.0, common_random_numbers=True)
        one = ExactComparison(model, GRID, "exact", dt=1.0).simulation
        sds[u] = (crn.simulation.exact_sdev(4000), one.exact_sdev(4000) * u)
    for k in (0, 1):
        near = abs(sds[0.001][k] / sds[0.01][k] - 1)
        far = abs(sds[0.01][k] / sds[0.02][k] - 1)
        assert near <= far
    print(
        f"sd of D per 4000 steps at u = 0.001: CRN {sds[0.001][0]:.3g}, "
        f"single v {sds[0.001][1] / 0.001:.3g}"
    )
    # And the Monte Carlo estimate at u = 0.001 agrees with the exact value within 3σ.
    res = crn.run(3, 1, 4000)
    assert abs(res.pull) < 3


def test_euler_maruyama_bias_in_a_dt_sweep_of_the_drag() -> None:
    """EM: the sampled D follows the scheme's own stationary value, which is off by O(Δt).

    Route 1: the EM discrete Lyapunov value ``Σ tr(H C_EM(Δt))`` of the joint (±v) process,
    exact for the scheme; the sampled D agrees with it within 4σ (exact σ) at every Δt.
    Route 2: the leading coefficient ``b₁ = Σ tr(H B)``, ``M B + B M† = −M C M†`` (first order
    of the discrete Lyapunov equation in Δt). The slopes bias/Δt of route 1 converge to b₁
    monotonically, and Richardson's ``2s(Δt) − s(2Δt)`` (error O(Δt²)) is closer still.
    """
    from langevin.exact import lyapunov_covariance

    params = FULL.with_(drift=0.02)
    model = BilayerModel(params)
    dts = (0.01, 0.02, 0.04)
    comparisons = [
        ExactComparison(model, GRID, "euler-maruyama", dt=dt, common_random_numbers=True)
        for dt in dts
    ]
    slopes = []
    for k, cmp in enumerate(comparisons):
        sim = cmp.simulation
        res = sim.run(77 + k, 1, int(400 / sim.dt))
        scheme_value = sim.stationary_mean()
        print(
            f"EM dt={sim.dt}: sampled {res.mean:.4f} ± {res.exact_sdev:.4f}, "
            f"scheme {scheme_value:.4f}, exact {cmp.exact:.4f}"
        )
        assert abs(res.mean - scheme_value) < 4 * res.exact_sdev
        slopes.append((scheme_value - cmp.exact) / sim.dt)
    sim = comparisons[0].simulation
    m_joint = (sim.joint_step_matrix - np.eye(12)) / sim.dt
    s_joint = np.concatenate([mp.noise_map for mp in sim.maps], axis=-2)
    q_joint = s_joint @ np.conj(np.swapaxes(s_joint, -1, -2)) / sim.dt
    c = lyapunov_covariance(m_joint, q_joint)
    b = lyapunov_covariance(m_joint, m_joint @ c @ np.conj(np.swapaxes(m_joint, -1, -2)))
    b1 = float(np.einsum("mab,mba->", sim.observable[0], b).real)
    dist = [abs(sl - b1) for sl in slopes]
    richardson = 2 * slopes[0] - slopes[1]
    print(
        f"EM bias slope of D: {slopes} per unit dt; leading order b1 = {b1:.4g}; "
        f"Richardson {richardson:.4g}"
    )
    assert dist[0] < dist[1] < dist[2]
    assert abs(richardson - b1) < dist[0]


def test_record_trajectory_kernel_matches_twin_and_run() -> None:
    sim = Simulation(BilayerModel(PAPER.with_(drift=0.02)), GRID, "exact", dt=1.0)
    rng = np.random.default_rng(5)
    rec = np.array([3, 10])
    z = rng.standard_normal((2, 50, 6)) + 1j * rng.standard_normal((2, 50, 6))
    x0 = rng.standard_normal((2, 6)) + 0j
    a = np.ascontiguousarray(sim.step_matrix[0, rec])
    s = np.ascontiguousarray(sim.noise_map[0, rec])
    real = sim.modes.real_mode[rec].copy()
    x = x0.copy()
    traj = np.empty((2, 50, 6), dtype=complex)
    record_trajectory(x, a, s, real, z, traj)
    xr, tr = record_trajectory_numpy(x0, a, s, real, z)
    np.testing.assert_allclose(traj, tr, atol=1e-13 * np.abs(tr).max())
    np.testing.assert_allclose(x, xr, atol=1e-13 * np.abs(xr).max())


def test_dynamic_structure_factor_and_plasmon_peaks() -> None:
    """D(q, ω) of δn± at one mode: periodogram = exact (Fejér-weighted) spectrum; peaks at Eq. 14.

    The exact spectrum of the continuum process peaks within the Maxwell width γ± (Eq. 16)
    of ω± = √(q(1 ± e^{−q})) (Eq. 14). The sampled, segment-averaged periodogram agrees with
    ``dt Σ_{|k|<L} (1 − |k|/L) C_k e^{iωk dt}`` bin by bin (z from the segment spread).
    """
    params = PAPER
    grid = PeriodicGrid(8, 8.0)
    sim = ExactComparison(BilayerModel(params), grid, "exact", dt=0.25).simulation
    # The mode with |q| closest to 1/d (where the drag integrand lives).
    qabs = np.hypot(sim.modes.qx, sim.modes.qy)
    i = int(np.argmin(np.where(sim.modes.real_mode, np.inf, np.abs(qabs - 1.0))))
    q = qabs[i]
    # Exact continuum spectrum of δn±, peak positions.
    omega = np.linspace(0.01, 3.0, 6000)
    model = sim.model
    m = model.drift_matrix(sim.modes.qx[i], sim.modes.qy[i])
    qn = model.noise_covariance(sim.modes.qx[i], sim.modes.qy[i])
    res = np.linalg.inv(-1j * omega[:, None, None] * np.eye(6) - m)
    spec = res @ qn @ np.conj(np.swapaxes(res, -1, -2))
    plus = (spec[:, 0, 0] + spec[:, 1, 1] + 2 * spec[:, 0, 1].real).real
    minus = (spec[:, 0, 0] + spec[:, 1, 1] - 2 * spec[:, 0, 1].real).real
    w_plus, w_minus = plasmon_frequencies(q)
    g_plus, g_minus = maxwell_rates(q, params.varsigma)
    assert abs(omega[np.argmax(plus)] - w_plus) < g_plus
    assert abs(omega[np.argmax(minus)] - w_minus) < g_minus
    # Sampled periodogram of (δn₁, δn₂) at that mode.
    seg, n_steps = 256, 256 * 64
    runs = [sim.run_realisation(11, r, n_steps, record=np.array([i])) for r in range(2)]
    series = np.stack([r.trajectory[0, :, :2] for r in runs])
    w, est, count = dynamic_structure_factor(series, sim.dt, seg)
    # Exact E[periodogram]: Fejér-weighted lag sum of C_k = A^k C0 (k ≥ 0), C_{-k} = C_k†.
    a = sim.joint_step_matrix[i]
    c = sim.joint_cov[i]
    ck = [c]
    for _ in range(seg - 1):
        ck.append(a @ ck[-1])
    ck = np.array(ck)[:, :2, :2]
    lags = np.arange(seg)
    fej = (1 - lags / seg)[:, None, None]
    phase = np.exp(1j * np.outer(w, lags) * sim.dt)  # (freq, lag)
    pos = np.einsum("fk,kab->fab", phase, fej * ck)
    expected = sim.dt * (pos + np.conj(np.swapaxes(pos, -1, -2)) - ck[0])
    # z per bin for D₁₁ from the spread of the per-segment periodograms.
    x = series.reshape(2, -1, seg, 2)
    xw = np.fft.ifft(x, axis=-2) * seg
    per = (np.abs(xw[..., 0]) ** 2 * sim.dt / seg).reshape(-1, seg)
    se = per.std(axis=0, ddof=1) / np.sqrt(count)
    z = (est[:, 0, 0].real - expected[:, 0, 0].real) / se
    assert np.all(np.abs(z) < 4.5)  # 256 bins: family-wise ≈ 0.2 %
    # The in-phase density δn₊ = δn₁ + δn₂ peaks in the bin of the optical plasmon ω₊.
    e_plus = (expected[:, 0, 0] + expected[:, 1, 1] + 2 * expected[:, 0, 1].real).real
    top = abs(w[np.argmax(e_plus)])
    assert abs(top - w_plus) < g_plus + 2 * np.pi / (seg * sim.dt)
    # The continuum route vs the discrete exact formula at small dt (no Fejér): peak agrees.
    fine = exact_dynamic_structure_factor(a, c, sim.dt, omega)
    assert abs(omega[np.argmax(fine[:, 0, 0].real)] - omega[np.argmax(spec[:, 0, 0].real)]) < (
        g_plus
    )


SMALL_CONFIG = exact_paper_toml(n_realisations=2, n_steps=300, block_steps=70)


@pytest.mark.slow
def test_cli_run_writes_hdf5_and_is_reproducible(tmp_path, capsys) -> None:
    import json

    from langevin.__main__ import main
    from langevin.storage import read_run

    cfg = tmp_path / "small.toml"
    cfg.write_text(SMALL_CONFIG)
    out1, out2 = tmp_path / "a.h5", tmp_path / "b.h5"
    assert main(["run", str(cfg), "--output", str(out1), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert main(["run", str(cfg), "--output", str(out2), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "exact (same grid)" in text and "pull" in text
    a, b = read_run(out1, "paper"), read_run(out2, "paper")
    for key in ("realisations", "block_means", "snapshot"):  # same seed, same numbers
        np.testing.assert_array_equal(a[key], b[key])
    # Per-block records (300 steps in blocks of block_steps) and snapshots, no per-step series.
    n_blocks = -(-300 // int(a["block_steps"]))
    assert a["block_means"].shape == (2, n_blocks) and a["snapshot"].shape == (2, 6, 8, 8)
    assert "force" not in a and "time" not in a and a["ranks"] == 1 and a["wall_seconds"] > 0
    assert a["seed"] == 5 and a["version"] and "omega_p" in a["units"]
    assert a["parameters"]["varsigma"] == 0.15 and a["parameters"]["even_viscosity"] is False
    assert a["mean"] == pytest.approx(summary["runs"]["paper"]["mean"])
    # Second route: the in-process Simulation.run with the same seed gives the same bits.
    params = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.01)
    sim = ExactComparison(
        BilayerModel(params.paper_approximations()), PeriodicGrid(8, 8.0), "exact", 2.0,
        common_random_numbers=True, block_steps=70,
    )  # fmt: skip
    ref = sim.run(5, 2, 300)
    assert (a["mean"], a["sdev"], a["chi2_dof"]) == (ref.mean, ref.sdev, ref.chi2_dof)
    for r, row, blocks in zip(ref.realisations, a["realisations"], a["block_means"], strict=True):
        assert tuple(row) == (r.index, r.mean, r.error, r.blocking_error, r.tau_int)
        np.testing.assert_array_equal(blocks, r.block_means)
        # The block means average back to the realisation mean (blocks of equal length but
        # the last): a check of the block records against the series.
        lengths = np.diff(np.append(np.arange(0, 300, int(a["block_steps"])), 300))
        np.testing.assert_allclose(np.dot(blocks, lengths) / 300, r.mean, rtol=1e-12)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.h5", "b.h5", "small.toml"]
    # A different seed gives different numbers.
    out3 = tmp_path / "c.h5"
    assert main(["run", str(cfg), "--output", str(out3), "--seed", "6", "--json"]) == 0
    assert not np.array_equal(read_run(out3, "paper")["block_means"], a["block_means"])


def test_cli_run_rejects_bad_config(tmp_path, capsys) -> None:
    from langevin.__main__ import main

    cfg = tmp_path / "bad.toml"
    cfg.write_text(SMALL_CONFIG.replace("varsigma = 0.15", "varsigma = -1.0"))
    assert main(["run", str(cfg), "--output", str(tmp_path / "x.h5")]) == 2
    assert "varsigma = -1" in capsys.readouterr().err
    cfg.write_text(SMALL_CONFIG.replace("dt = 2.0", "dt = 2.0\nstep = 1"))
    assert main(["run", str(cfg), "--output", str(tmp_path / "x.h5")]) == 2
    assert "'step'" in capsys.readouterr().err
    assert not (tmp_path / "x.h5").exists()


def test_real_space_snapshot_is_consistent() -> None:
    """Packed modes → real fields: Hermitian partners filled, round trip, Parseval, δn̄ = 0."""
    sim = Simulation(BilayerModel(PAPER.with_(drift=0.02)), GRID, "exact", dt=1.0)
    res = sim.run_realisation(3, 0, 10)
    x = sim.initial_state(np.random.default_rng(4))[0]
    half = sim.half_plane_state(x)
    field = sim.snapshot(x)
    assert field.shape == (6, 8, 8) and field.dtype == float
    # Round trip: the coefficients of the real field are exactly the unpacked ones (which
    # is only true if the partners in the m_y = 0, N/2 columns are the conjugates).
    np.testing.assert_allclose(sim.grid.to_half_plane(field), half, atol=1e-15)
    # Parseval with the half-plane weights; conserved total density: spatial mean zero.
    lhs = np.mean(field**2, axis=(-2, -1))
    rhs = np.sum(sim.grid.half_plane_weights() * np.abs(half) ** 2, axis=(-2, -1))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)
    np.testing.assert_allclose(field[:2].mean(axis=(-2, -1)), 0.0, atol=1e-15)
    assert res.snapshot.shape == (6, 8, 8)
