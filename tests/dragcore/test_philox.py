"""Tests of dragcore.philox (Philox4x64-10 + Box–Muller) and the ``"philox"`` Langevin back-end.

Bits: the numba kernel against :class:`numpy.random.Philox` (an independent implementation)
and against the plain-numpy twin, word for word. Normals: against an 80-bit Box–Muller of the
same words, within the derived bound :data:`dragcore.philox.NORMAL_BOUND`; statistics with
tolerances computed from the sample size and a stated false-alarm probability.
"""

from __future__ import annotations

import math
import re

import numba
import numpy as np
import pytest
import scipy.stats

from dragcore import philox as ph

KEY = np.array([0x0123456789ABCDEF, 0xFEDCBA9876543210], dtype=np.uint64)
#: Counters that exercise every carry of the 256-bit increment.
COUNTERS = (0, 1, 7, 2**32 - 1, 2**64 - 3, 2**128 - 2, 2**192 - 1, 2**256 - 2)


def kernel_raw(key: np.ndarray, counter: int, n_blocks: int) -> np.ndarray:
    out = np.empty(4 * n_blocks, dtype=np.uint64)
    ph.philox_fill_raw(key, ph.counter_words(counter), out)
    return out


def kernel_normals(key: np.ndarray, counter: int, n_blocks: int) -> np.ndarray:
    out = np.empty(4 * n_blocks)
    ph.philox_fill_normals(key, ph.counter_words(counter), out)
    return out


# ---------------------------------------------------------------------------------------------
# Bits.


@pytest.mark.parametrize("counter", COUNTERS)
def test_kernel_is_bit_exact_against_numpy_philox(counter: int) -> None:
    """Same key and counter: the words of numpy's ``random_raw`` (which increments its counter
    before each block), including the carries across the four 64-bit counter words."""
    assert np.array_equal(kernel_raw(KEY, counter, 9), ph.raw_numpy(KEY, counter, 9))


def test_kernel_is_bit_exact_for_random_keys_and_numpy_twin() -> None:
    rng = np.random.default_rng(12)
    for _ in range(20):
        key = rng.integers(0, 2**64, 2, dtype=np.uint64)
        counter = int(rng.integers(0, 2**62))
        want = ph.raw_numpy(key, counter, 5)
        assert np.array_equal(kernel_raw(key, counter, 5), want)
        counters = np.array([ph.counter_words(counter + i) for i in range(5)])
        assert np.array_equal(ph.philox4x64_10_numpy(counters, key).reshape(-1), want)


def test_numpy_philox_start_convention() -> None:
    """numpy's ``Philox(counter=c)`` starts with block ``c + 1``: checked on numpy itself, so
    the test above does not silently compare two off-by-one streams."""
    a = np.random.Philox(key=KEY, counter=4).random_raw(8)
    b = np.random.Philox(key=KEY, counter=5).random_raw(4)
    assert np.array_equal(a[4:], b)


def test_uint32_outputs_are_the_halves_of_the_words() -> None:
    """numpy's 32-bit outputs of Philox are the low then the high half of each 64-bit word
    (``Generator.integers(..., dtype=uint32)`` over the full range consumes them in order)."""
    words = ph.raw_numpy(KEY, 0, 2)
    halves = np.stack([words & np.uint64(0xFFFFFFFF), words >> np.uint64(32)], axis=1)
    gen32 = np.random.Generator(np.random.Philox(key=KEY, counter=2**256 - 1))
    got32 = gen32.integers(0, 2**32 - 1, size=16, dtype=np.uint32, endpoint=True)
    assert np.array_equal(got32.astype(np.uint64), halves.reshape(-1))


@pytest.mark.parametrize(
    ("counter", "key", "want"),
    [
        ([0, 0, 0, 0], [0, 0],
         [0x16554D9ECA36314C, 0xDB20FE9D672D0FDC, 0xD7E772CEE186176B, 0x7E68B68AEC7BA23B]),
        ([2**64 - 1] * 4, [2**64 - 1] * 2,
         [0x87B092C3013FE90B, 0x438C3C67BE8D0224, 0x9CC7D7C69CD777B6, 0xA09CAEBF594F0BA0]),
        ([0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0, 0x082EFA98EC4E6C89],
         [0x452821E638D01377, 0xBE5466CF34E90C6C],
         [0xA528F45403E61D95, 0x38C72DBD566E9788, 0xA5A1610E72FD18B5, 0x57BD43B5E52B7FE6]),
    ],
)  # fmt: skip
def test_known_answers_of_random123(counter, key, want) -> None:
    """Random123's known-answer vectors for philox4x64-10 (``kat_vectors`` of Salmon et al.'s
    reference code): an anchor independent of numpy, for the kernel and the numpy twin."""
    c = np.array([counter], dtype=np.uint64)
    k = np.array(key, dtype=np.uint64)
    assert ph.philox4x64_10_numpy(c, k).reshape(-1).tolist() == want
    ctr = sum(int(w) << (64 * i) for i, w in enumerate(counter))
    assert kernel_raw(k, ctr, 1).tolist() == want


# ---------------------------------------------------------------------------------------------
# Normals.


def test_normals_within_the_derived_bound_of_an_80bit_reference() -> None:
    """Each normal is within NORMAL_BOUND |z| (4.85 u) of the 80-bit Box–Muller value of the
    same two words; the long double's own error (a few 2**-64) is far below."""
    if np.finfo(np.longdouble).nmant < 63:
        pytest.skip("needs an 80-bit (or wider) long double for the reference")
    n_blocks = 1 << 16
    z = kernel_normals(KEY, 3, n_blocks)
    ref = ph.normals_numpy(kernel_raw(KEY, 3, n_blocks))
    err = np.abs(z - ref)
    tol = ph.NORMAL_BOUND * np.abs(ref) + 4.0 * float(np.finfo(np.longdouble).eps) * np.abs(ref)
    assert np.all(err <= tol), float(np.max(err / np.abs(ref))) / 2.0**-53


def test_normals_of_extreme_words() -> None:
    """Word 0 gives u = 2**-53 (largest radius, finite), the top word gives u = 1 (radius 0);
    angle words 0 and 2**63 give the exact angles 0 and pi."""
    top = np.uint64(2**64 - 1)
    words = np.array([0, 0, top, 0, 0, 2**63, 2**62, 2**62], dtype=np.uint64)
    got = ph.box_muller_words(words)
    r_max = math.sqrt(-2.0 * math.log(2.0**-53))
    assert got[0] == pytest.approx(r_max, rel=1e-15) and got[1] == 0.0
    assert got[2] == 0.0 and got[3] == 0.0
    assert got[4] == pytest.approx(-r_max, rel=1e-15) and got[5] == 0.0
    assert np.all(np.isfinite(got))


@pytest.mark.slow
def test_loop_is_vectorised_without_libm_calls() -> None:
    """The kernel's loop has integer and double vectors and no libm call (compiled here
    without the on-disk cache, whose IR cannot be inspected)."""
    loop = numba.njit(error_model="numpy")(ph.philox_fill_normals.py_func)
    loop(KEY, ph.counter_words(0), np.empty(64))
    llvm = loop.inspect_llvm(loop.signatures[0])
    assert re.search(r"<(4|8) x i64>", llvm)
    assert re.search(r"<(4|8) x double>", llvm)
    calls = set(re.findall(r"call [^@]*@\"?([\w.$]+)", llvm))
    libm = {"log", "sin", "cos", "exp", "sqrt", "pow"}
    assert not {c for c in calls if c in libm or c.split(".")[0] in libm}, calls


# ---------------------------------------------------------------------------------------------
# Statistics of the normals. Every tolerance is the sampling distribution's quantile at a
# false-alarm probability ALPHA per check (two-sided normal quantile Z_ALPHA), not a number
# chosen to pass; the key and size were fixed before the first run.

ALPHA = 1e-6
Z_ALPHA = float(scipy.stats.norm.isf(ALPHA / 2))  # 4.89
N_STAT = 1 << 21


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    return ph.PhiloxStream(20260314).standard_normal(N_STAT)


def test_moments(sample: np.ndarray) -> None:
    """Mean, variance, skewness and excess kurtosis within Z_ALPHA standard errors of the
    normal values 0, 1, 0, 0 (standard errors 1/sqrt(n), sqrt(2/n), sqrt(6/n), sqrt(24/n))."""
    n = sample.size
    mean = sample.mean()
    var = sample.var()
    skew = float(scipy.stats.skew(sample))
    kurt = float(scipy.stats.kurtosis(sample))
    for value, se in ((mean, 1 / n), (var - 1, 2 / n), (skew, 6 / n), (kurt, 24 / n)):
        assert abs(value) < Z_ALPHA * math.sqrt(se), (mean, var, skew, kurt)


def test_kolmogorov_smirnov_and_tails(sample: np.ndarray) -> None:
    """KS against N(0, 1) at p > ALPHA, and the count beyond |z| > 3 (binomial, normal
    approximation with Z_ALPHA standard deviations)."""
    assert scipy.stats.kstest(sample, "norm").pvalue > ALPHA
    p3 = 2 * scipy.stats.norm.sf(3.0)
    count = int(np.sum(np.abs(sample) > 3.0))
    expect = p3 * sample.size
    assert abs(count - expect) < Z_ALPHA * math.sqrt(expect * (1 - p3))


def test_no_correlation_within_pairs_blocks_or_lags(sample: np.ndarray) -> None:
    """Correlations between the two normals of a Box–Muller pair, the two pairs of a block,
    and at lags 1, 2, 4, 7: each within Z_ALPHA/sqrt(m) of 0 (m products). The squares of a
    pair share the radius: their correlation is tested too (0 for a true Gaussian pair)."""
    z = sample.reshape(-1, 4)
    m = z.shape[0]
    tests = {
        "pair": z[:, 0] * z[:, 1],
        "pair 2": z[:, 2] * z[:, 3],
        "block": z[:, 0] * z[:, 2],
        "pair squares": (z[:, 0] ** 2 - 1) * (z[:, 1] ** 2 - 1) / 2.0,
    }
    for name, prod in tests.items():
        assert abs(prod.mean()) < Z_ALPHA / math.sqrt(m), (name, prod.mean())
    for lag in (1, 2, 4, 7):
        prod = sample[:-lag] * sample[lag:]
        assert abs(prod.mean()) < Z_ALPHA / math.sqrt(prod.size), (lag, prod.mean())


def test_neighbouring_keys_and_counters_are_uncorrelated() -> None:
    """Streams of keys differing in one bit, and of counters 2**32 apart, do not correlate."""
    n = 1 << 18
    a = ph.PhiloxStream(1).standard_normal(n)
    b = ph.PhiloxStream(3).standard_normal(n)
    c = ph.PhiloxStream(1, 4 * 2**32).standard_normal(n)
    for other in (b, c):
        assert abs(np.mean(a * other)) < Z_ALPHA / math.sqrt(n)


# ---------------------------------------------------------------------------------------------
# The stream: positions, blocking, restarts.


def test_stream_does_not_depend_on_how_draws_are_blocked() -> None:
    whole = ph.PhiloxStream(KEY).standard_normal(1003)
    rng = np.random.default_rng(3)
    for _ in range(5):
        s = ph.PhiloxStream(KEY)
        sizes = rng.integers(0, 40, 200)
        parts, total = [], 0
        for k in sizes:
            k = int(min(k, 1003 - total))
            parts.append(s.standard_normal(k))
            total += k
        parts.append(s.standard_normal(1003 - total))
        assert np.array_equal(np.concatenate(parts), whole)
        assert s.position == 1003


def test_stream_normal_j_is_block_j_over_4_of_the_raw_words() -> None:
    """Normal j of the stream = normal j % 4 of block j // 4: against numpy's Philox words and
    the 80-bit Box–Muller (within the bound), at an offset position."""
    if np.finfo(np.longdouble).nmant < 63:
        pytest.skip("needs an 80-bit (or wider) long double for the reference")
    got = ph.PhiloxStream(KEY, 2**40 + 3).standard_normal(501)
    ref = ph.normals_numpy_stream(KEY, 2**40 + 3, 501)
    assert np.all(np.abs(got - ref) <= 1.01 * ph.NORMAL_BOUND * np.abs(ref))
    blocks = np.empty(4 * 126)
    ph.philox_fill_normals(KEY, ph.counter_words(2**38), blocks)
    assert np.array_equal(got, blocks[3 : 3 + 501])


def test_restart_from_the_saved_position_gives_identical_bits() -> None:
    s = ph.PhiloxStream(KEY)
    s.standard_normal(77)
    saved = s.state()
    ahead = s.standard_normal((5, 7, 3))
    resumed = ph.PhiloxStream.from_state(saved)
    assert resumed.position == 77 and saved == {"key": [int(k) for k in KEY], "position": 77}
    assert np.array_equal(resumed.standard_normal((5, 7, 3)), ahead)


def test_stream_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="position"):
        ph.PhiloxStream(KEY, -1)
    with pytest.raises(ValueError, match="key"):
        ph.PhiloxStream(2**128)
    with pytest.raises(ValueError, match="out"):
        ph.PhiloxStream(KEY).standard_normal(out=np.empty((4, 4))[:, ::2])


# ---------------------------------------------------------------------------------------------
# The Langevin back-end.


def _langevin_sim(backend: str, **kwargs):
    from langevin.grid import PeriodicGrid
    from langevin.model import BilayerModel
    from langevin.params import BilayerParameters
    from langevin.simulation import Simulation

    p = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.02).paper_approximations()
    return Simulation(
        BilayerModel(p), PeriodicGrid(8, 8.0), "exact", 1.0, common_random_numbers=True,
        rng_backend=backend, **kwargs,
    )  # fmt: skip


def test_noise_blocks_draw_the_realisation_stream() -> None:
    """NormalBlocks on a Philox stream: consecutive blocks are consecutive stretches of the
    realisation's stream (keyed by SeedSequence(seed, spawn_key=(r, 2)))."""
    from langevin.noise import NormalBlocks, philox_key, philox_stream

    key = philox_key(9, 4)
    want = np.random.SeedSequence(9, spawn_key=(4, 2)).generate_state(2, dtype=np.uint64)
    assert np.array_equal(key, want)
    blocks = NormalBlocks(philox_stream(9, 4), 3, 5, 6)
    first = blocks.draw().copy()
    second = blocks.draw(2).copy()
    flat = ph.PhiloxStream(key).standard_normal(3 * 5 * 6 * 2 + 3 * 2 * 6 * 2)
    assert np.array_equal(first.view(np.float64).reshape(-1), flat[:180])
    assert np.array_equal(second.view(np.float64).reshape(-1), flat[180:])


def test_langevin_run_resumes_from_a_checkpointed_counter(tmp_path) -> None:
    """run_distributed on the philox back-end: a position saved mid-run (the integer counter
    in the checkpoint) resumes to the same bits as the uninterrupted run."""
    import json

    from langevin.checkpoint import (
        CheckpointPolicy,
        CheckpointStore,
        run_distributed,
        run_identity,
    )

    sim = _langevin_sim("philox", block_steps=20)
    ref = sim.run(5, 3, 300)
    store = CheckpointStore(tmp_path / "ck", run_identity(sim, 5, 3, 300))
    store.prepare(resume=False)
    prog = sim.begin_realisation(5, 1, 300)
    sim.advance_realisation(prog, 4)
    store.save_progress(prog)
    with np.load(tmp_path / "ck" / "r000001.progress.npz") as z:
        saved = json.loads(str(z["rng_state"]))
    n_modes = sim.modes.size
    assert saved["position"] == 4 * 20 * n_modes * 6 * 2  # normals drawn: the whole state
    res = run_distributed(
        sim, 5, 3, 300, checkpoint_dir=tmp_path / "ck", resume=True,
        policy=CheckpointPolicy(blocks=1),
    )  # fmt: skip
    assert res.info["resumed_in_progress"] == 1
    assert (res.mean, res.sdev, res.chi2_dof) == (ref.mean, ref.sdev, ref.chi2_dof)
    assert ref.info["rng_backend"] == "philox"
    # Another back-end draws other numbers: the philox stream is really used.
    assert _langevin_sim("numpy", block_steps=20).run(5, 3, 300).mean != ref.mean


def test_langevin_recorded_trajectory_uses_the_philox_normals() -> None:
    sim = _langevin_sim("philox", block_steps=30)
    res = sim.run_realisation(2, 0, 70, record=np.array([0, 3]))
    assert res.trajectory.shape == (2, 70, 6)
    assert np.all(np.isfinite(res.trajectory))


@pytest.mark.slow
def test_langevin_drag_against_exact_value_over_20_seeds() -> None:
    """As tests/langevin/test_simulation.py for the numpy back-end: exact-OU steps with common
    random numbers on the philox back-end; pulls of 20 seeds each within 3 sigma, rms in (0.7,
    1.3), and the error bars' mean square / exact variance 1 within 4 standard errors."""
    from langevin.comparison import ExactComparison
    from langevin.grid import PeriodicGrid
    from langevin.model import BilayerModel
    from langevin.params import BilayerParameters

    p = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.02).paper_approximations()
    cmp = ExactComparison(
        BilayerModel(p), PeriodicGrid(8, 8.0), "exact", 1.0, common_random_numbers=True,
        rng_backend="philox",
    )  # fmt: skip
    sim = cmp.simulation
    pulls, ratio = [], []
    exact_sd = sim.exact_sdev(4000)
    for seed in range(1000, 1020):
        res = cmp.run(seed, 1, 4000, with_exact_sdev=False)
        pulls.append((res.mean - res.exact) / res.sdev)
        ratio.append(res.sdev / exact_sd)
    pulls, ratio = np.array(pulls), np.array(ratio)
    rms = float(np.sqrt(np.mean(pulls**2)))
    r2 = ratio**2
    print(f"D exact {cmp.exact:.5g}; pulls rms {rms:.3f}; error bar / exact sd {ratio.mean():.3f}")
    assert abs(r2.mean() - 1) < 4 * r2.std(ddof=1) / np.sqrt(r2.size)
    assert np.all(np.abs(pulls) < 3.0)
    assert 0.7 < rms < 1.3


def test_langevin_gibbs_statistics_at_every_mode() -> None:
    """v = 0, χ = 0: the sampled equal-time covariances at every mode and component agree
    with Gibbs (z-scores with the exact variance of the estimator, as in
    tests/langevin/test_simulation.py, whose helper is reused)."""
    from langevin.comparison import ExactComparison
    from langevin.model import BilayerModel
    from langevin.params import BilayerParameters
    from langevin.simulation import Simulation
    from tests.langevin.test_simulation import GRID, explicit_stability_step, gibbs_zscores

    params = BilayerParameters(varsigma=0.15, beta=0.1, chi=0.0).paper_approximations()
    probe = Simulation(BilayerModel(params), GRID, "exact", dt=0.1)
    dt = explicit_stability_step(probe)
    sim = ExactComparison(BilayerModel(params), GRID, "exact", dt=dt, rng_backend="philox")
    sim = sim.simulation
    z = gibbs_zscores(sim, seed=2024, n_realisations=4, n_steps=3000)
    print(f"{z.size} z-scores, max |z| = {np.abs(z).max():.2f}")
    assert np.all(np.abs(z) < 4.0)
    assert abs(np.mean(z**2) - 1.0) < 4.0 * np.sqrt(2.0 / z.size)
