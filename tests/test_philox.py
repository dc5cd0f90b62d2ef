"""Tests of dragcore.philox (Philox4x64-10 + Box–Muller) and the ``"philox"`` Langevin back-end.

Bits: the numba kernel against :class:`numpy.random.Philox` (an independent implementation)
and against the plain-numpy twin, word for word. Normals: against an 80-bit Box–Muller of the
same words, within the derived bound :data:`dragcore.philox.NORMAL_BOUND`; statistics with
tolerances computed from the sample size and a stated false-alarm probability.
"""

from __future__ import annotations

import math
import re

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


def test_loop_is_vectorised_without_libm_calls() -> None:
    llvm = ph.philox_fill_normals.inspect_llvm(ph.philox_fill_normals.signatures[0])
    assert re.search(r"<(4|8) x i64>", llvm)
    assert re.search(r"<(4|8) x double>", llvm)
    calls = set(re.findall(r"call [^@]*@\"?([\w.$]+)", llvm))
    libm = {"log", "sin", "cos", "exp", "sqrt", "pow"}
    assert not {c for c in calls if c in libm or c.split(".")[0] in libm}, calls
