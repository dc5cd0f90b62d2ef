"""Counter-based normal random numbers: Philox4x64-10 and Box–Muller, vectorisable in numba.

Philox (J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw, *Parallel random numbers: as
easy as 1, 2, 3*, SC11, 2011) is a keyed bijection of a 256-bit counter: block ``b`` of the
stream is ``philox4x64_10(b, key)``, four 64-bit words, a pure function of ``(key, b)``. Any
position of the stream is computed directly, with no state but the integer position: a
checkpoint stores one integer, and how the draws are blocked cannot change the numbers.

The variant is the one of :class:`numpy.random.Philox`, **4x64** with 10 rounds (numpy has no
4x32 variant): the round is ``(hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0
c0))`` with the multipliers ``M0 = 0xD2E7470EE14C6C93``, ``M1 = 0xCA5A826395121157`` and the
Weyl key increments ``W0 = 0x9E3779B97F4A7C15``, ``W1 = 0xBB67AE8584CAA73B`` between rounds.
numpy's ``Philox(key=k, counter=c).random_raw(4 n)`` returns the words of blocks ``c + 1, …, c
+ n`` (it increments the counter before each block) in word order ``v0, v1, v2, v3``; the
kernel here is tested bit for bit against it (``tests/dragcore/test_philox.py``).

Normals. Word ``w`` gives the uniform ``u = ((w >> 11) + 1) 2**-53`` in (0, 1] (53 bits; never
0, so ``log u`` is finite) and the angle fraction ``t = (w >> 11) 2**-53`` in [0, 1). Normals
``2j, 2j + 1`` of the stream are the Box–Muller pair of words ``2j, 2j + 1``:

    r = sqrt(-2 log u),   z_2j = r cos(2 pi t),   z_2j+1 = r sin(2 pi t),

with :func:`dragcore.elementary.log`, :func:`~dragcore.elementary.sqrt` and
:func:`~dragcore.elementary.sincos_pi` (argument ``2t``, exact), which LLVM inlines and
vectorises. Normal ``j`` is a function of ``(key, j)`` alone: block ``j // 4``, word ``j % 4``.
``|z| <= sqrt(-2 log 2**-53) = 8.57``: the tail beyond is cut (probability 1.1e-16 per pair).

Error: relative to the exact Box–Muller value of the same words, ``|z - z_exact| <=`` (log 2.38
u, halved by the square root, + 0.5 u for the square root + 1 u for ``-2 log`` (exact) and the
final product, + sincos_pi 2.16 u) ``|z|`` = 4.85 u ``|z|``, u = 2**-53 (:data:`NORMAL_BOUND`);
tested against an 80-bit reference.

:func:`philox4x64_10_numpy` and :func:`normals_numpy` are the plain-numpy twins (numpy's own
Philox for the words, an 80-bit Box–Muller for the normals) used by the tests.
"""

from __future__ import annotations

import numpy as np

from dragcore.elementary import log, sincos_pi, sqrt
from dragcore.jit import jit

__all__ = [
    "NORMAL_BOUND",
    "PHILOX_M0",
    "PHILOX_M1",
    "PHILOX_W0",
    "PHILOX_W1",
    "philox4x64_10",
    "philox_fill_raw",
    "philox_fill_normals",
    "philox_fill_stream",
    "PhiloxStream",
    "normals_numpy_stream",
    "philox4x64_10_numpy",
    "raw_numpy",
    "normals_numpy",
    "key_from_seed_sequence",
    "counter_words",
    "box_muller_words",
]

PHILOX_M0 = np.uint64(0xD2E7470EE14C6C93)
PHILOX_M1 = np.uint64(0xCA5A826395121157)
PHILOX_W0 = np.uint64(0x9E3779B97F4A7C15)
PHILOX_W1 = np.uint64(0xBB67AE8584CAA73B)

_MASK32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_S11 = np.uint64(11)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_TWO_M53 = 2.0**-53
#: ``r W0`` and ``r W1`` mod 2**64: the key increments of round r (numba freezes the tuples).
_KW0 = tuple(np.uint64(r * int(PHILOX_W0) % 2**64) for r in range(10))
_KW1 = tuple(np.uint64(r * int(PHILOX_W1) % 2**64) for r in range(10))

#: Relative bound on the error of a normal against the exact Box–Muller value of its words,
#: in units of u = 2**-53 (see the module docstring).
NORMAL_BOUND = 4.85 * 2.0**-53


@jit(inline="always")
def _mulhilo(a: np.uint64, b: np.uint64) -> tuple[np.uint64, np.uint64]:
    """``(hi, lo)`` of the 128-bit product ``a b`` from 32-bit halves (4 products).

    ``lo`` is the wrapped 64-bit product; ``hi`` adds the carries of the middle terms. Every
    product is of two zero-extended 32-bit values, which AVX2 does in one ``vpmuludq``.
    """
    a_lo = a & _MASK32
    a_hi = a >> _S32
    b_lo = b & _MASK32
    b_hi = b >> _S32
    p_ll = a_lo * b_lo
    p_lh = a_lo * b_hi
    p_hl = a_hi * b_lo
    p_hh = a_hi * b_hi
    mid = (p_ll >> _S32) + (p_lh & _MASK32) + (p_hl & _MASK32)
    hi = p_hh + (p_lh >> _S32) + (p_hl >> _S32) + (mid >> _S32)
    lo = (mid << _S32) | (p_ll & _MASK32)
    return hi, lo


@jit(inline="always")
def _round(c0, c1, c2, c3, k0, k1):
    """One Philox4x64 round (Salmon et al., SC11, section 3.3; Random123's ``philox4x64round``)."""
    hi0, lo0 = _mulhilo(PHILOX_M0, c0)
    hi1, lo1 = _mulhilo(PHILOX_M1, c2)
    return hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0


@jit(inline="always")
def philox4x64_10(c0, c1, c2, c3, k0, k1):
    """The Philox4x64-10 bijection of the counter ``(c0, c1, c2, c3)`` under key ``(k0, k1)``.

    All arguments are ``np.uint64`` (word 0 least significant); returns the four output words.
    Ten rounds, the key bumped by the Weyl constants between them, written out (LLVM does not
    fully unroll a loop of this size, and a loop inside the caller's loop blocks vectorisation).
    """
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0, k1)
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0 + _KW0[1], k1 + _KW1[1])
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0 + _KW0[2], k1 + _KW1[2])
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0 + _KW0[3], k1 + _KW1[3])
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0 + _KW0[4], k1 + _KW1[4])
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0 + _KW0[5], k1 + _KW1[5])
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0 + _KW0[6], k1 + _KW1[6])
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0 + _KW0[7], k1 + _KW1[7])
    c0, c1, c2, c3 = _round(c0, c1, c2, c3, k0 + _KW0[8], k1 + _KW1[8])
    return _round(c0, c1, c2, c3, k0 + _KW0[9], k1 + _KW1[9])


@jit(inline="always")
def _counter(base, i):
    """The 256-bit counter ``base + i`` (``base`` a (4,) uint64 array, ``i`` a uint64).

    The carries are selects, not branches, so the caller's loop stays vectorisable.
    """
    c0 = base[0] + i
    carry = _ONE if c0 < i else _ZERO
    c1 = base[1] + carry
    carry = carry & (_ONE if c1 == _ZERO else _ZERO)
    c2 = base[2] + carry
    carry = carry & (_ONE if c2 == _ZERO else _ZERO)
    c3 = base[3] + carry
    return c0, c1, c2, c3


@jit
def philox_fill_raw(key, counter, out):
    """``out[4 i + w]`` = word ``w`` of block ``counter + i`` (``out.size`` a multiple of 4).

    Parameters
    ----------
    key
        (2,) uint64.
    counter
        (4,) uint64, the 256-bit counter of the first block (word 0 least significant).
    out
        (4 n,) uint64, overwritten.
    """
    k0 = key[0]
    k1 = key[1]
    for i in range(out.size // 4):
        c0, c1, c2, c3 = _counter(counter, np.uint64(i))
        v0, v1, v2, v3 = philox4x64_10(c0, c1, c2, c3, k0, k1)
        out[4 * i] = v0
        out[4 * i + 1] = v1
        out[4 * i + 2] = v2
        out[4 * i + 3] = v3


@jit(inline="always")
def _box_muller(w_u, w_t):
    """The normal pair of the words ``w_u`` (radius) and ``w_t`` (angle)."""
    u = (np.float64(w_u >> _S11) + 1.0) * _TWO_M53
    t = np.float64(w_t >> _S11) * _TWO_M53
    r = sqrt(-2.0 * log(u))
    s, c = sincos_pi(2.0 * t)
    return r * c, r * s


@jit
def philox_fill_normals(key, counter, out):
    """``out[4 i + w]`` = normal ``w`` of block ``counter + i`` (``out.size`` a multiple of 4).

    Normals ``4i, 4i + 1`` are the Box–Muller pair of words 0, 1 of the block, ``4i + 2, 4i +
    3`` that of words 2, 3 (module docstring). One loop over blocks, vectorised by LLVM.
    """
    k0 = key[0]
    k1 = key[1]
    for i in range(out.size // 4):
        c0, c1, c2, c3 = _counter(counter, np.uint64(i))
        v0, v1, v2, v3 = philox4x64_10(c0, c1, c2, c3, k0, k1)
        z0, z1 = _box_muller(v0, v1)
        z2, z3 = _box_muller(v2, v3)
        out[4 * i] = z0
        out[4 * i + 1] = z1
        out[4 * i + 2] = z2
        out[4 * i + 3] = z3


@jit
def philox_fill_stream(key, position, out):
    """``out[i]`` = normal ``position + i`` of the stream of ``key`` (any position and size).

    Normal ``j`` is normal ``j % 4`` of block ``j // 4`` (counter ``j // 4`` in word 0), so the
    numbers do not depend on how a run splits its draws. Whole blocks go through the vectorised
    :func:`philox_fill_normals`; a partial block at either end is computed whole and sliced.

    Parameters
    ----------
    key
        (2,) uint64.
    position
        int64 ``>= 0``: index of the first normal (``< 2**63``; the counter's upper words are 0).
    out
        (n,) float64, C-contiguous, overwritten.
    """
    n = out.size
    counter = np.zeros(4, dtype=np.uint64)
    tmp = np.empty(4, dtype=np.float64)
    i = 0
    head = position % 4
    if head != 0 and n > 0:
        counter[0] = np.uint64(position // 4)
        philox_fill_normals(key, counter, tmp)
        while i < n and head + i < 4:
            out[i] = tmp[head + i]
            i += 1
    full = (n - i) // 4
    if full > 0:
        counter[0] = np.uint64((position + i) // 4)
        philox_fill_normals(key, counter, out[i : i + 4 * full])
        i += 4 * full
    if i < n:
        counter[0] = np.uint64((position + i) // 4)
        philox_fill_normals(key, counter, tmp)
        for k in range(n - i):
            out[i + k] = tmp[k]


class PhiloxStream:
    """The normal stream of one Philox key, positioned at an integer: ``standard_normal(out=)``.

    The only state is ``position`` (normals drawn so far): saving and restoring it continues
    the stream bit for bit. The method has the signature :class:`numpy.random.Generator` uses,
    so a stream can stand in for a generator where only standard normals are drawn.

    Parameters
    ----------
    key
        (2,) uint64 Philox key (or an int in [0, 2**128)).
    position
        Index of the next normal.
    """

    def __init__(self, key: int | np.ndarray, position: int = 0) -> None:
        self.key = _key_words(key).copy()
        if not 0 <= int(position) < 2**63:
            raise ValueError(f"position = {position!r} is outside the allowed range [0, 2**63)")
        self.position = int(position)

    def standard_normal(self, size: int | tuple[int, ...] | None = None, *, out=None):
        """The next normals: into ``out`` (float64, C-contiguous) or a new array of ``size``."""
        if out is None:
            out = np.empty(() if size is None else size, dtype=np.float64)
        if out.dtype != np.float64 or not out.flags.c_contiguous:
            raise ValueError("out is outside the allowed range (C-contiguous float64 arrays)")
        flat = out.reshape(-1)
        philox_fill_stream(self.key, np.int64(self.position), flat)
        self.position += flat.size
        return out

    def state(self) -> dict:
        """``{"key": [k0, k1], "position": p}``: everything needed to continue the stream."""
        return {"key": [int(k) for k in self.key], "position": self.position}

    @classmethod
    def from_state(cls, state: dict) -> PhiloxStream:
        """The stream saved by :meth:`state`."""
        return cls(np.array(state["key"], dtype=np.uint64), int(state["position"]))


# ----------------------------------------------------------------------------------------------
# Plain-numpy twins and the key.


def counter_words(counter: int) -> np.ndarray:
    """The (4,) uint64 words of a 256-bit counter (word 0 least significant), mod 2**256."""
    c = int(counter) % 2**256
    return np.array([(c >> (64 * w)) & (2**64 - 1) for w in range(4)], dtype=np.uint64)


def _key_words(key: int | np.ndarray) -> np.ndarray:
    if isinstance(key, int | np.integer):
        k = int(key)
        if not 0 <= k < 2**128:
            raise ValueError(f"key = {key!r} is outside the allowed range [0, 2**128)")
        return np.array([k & (2**64 - 1), k >> 64], dtype=np.uint64)
    key = np.asarray(key, dtype=np.uint64)
    if key.shape != (2,):
        raise ValueError(f"key shape = {key.shape} is outside the allowed range [(2,)]")
    return key


def box_muller_words(words: np.ndarray) -> np.ndarray:
    """The float64 normals of consecutive word pairs through the jitted :func:`_box_muller`."""
    w = np.ascontiguousarray(words, dtype=np.uint64)
    out = np.empty(w.size, dtype=np.float64)
    _box_muller_loop(w, out)
    return out


@jit
def _box_muller_loop(words, out):
    for j in range(words.size // 2):
        out[2 * j], out[2 * j + 1] = _box_muller(words[2 * j], words[2 * j + 1])


def raw_numpy(key: int | np.ndarray, counter: int, n_blocks: int) -> np.ndarray:
    """Words of blocks ``counter … counter + n_blocks − 1`` from :class:`numpy.random.Philox`.

    numpy increments its counter before each block, so it is started at ``counter − 1``.
    """
    bg = np.random.Philox(key=_key_words(key), counter=(int(counter) - 1) % 2**256)
    return bg.random_raw(4 * int(n_blocks))


def philox4x64_10_numpy(counters: np.ndarray, key: int | np.ndarray) -> np.ndarray:
    """Plain-numpy Philox4x64-10 of ``(n, 4)`` uint64 counters; returns ``(n, 4)`` words.

    The same arithmetic as :func:`philox4x64_10`, in whole-array uint64 operations (wrapping).
    """
    k = _key_words(key)
    k0, k1 = k[0], k[1]
    c = np.array(counters, dtype=np.uint64).reshape(-1, 4)
    c0, c1, c2, c3 = c[:, 0], c[:, 1], c[:, 2], c[:, 3]

    def mulhilo(a: np.uint64, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a_lo, a_hi = a & _MASK32, a >> _S32
        b_lo, b_hi = b & _MASK32, b >> _S32
        p_ll, p_lh, p_hl, p_hh = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
        mid = (p_ll >> _S32) + (p_hl & _MASK32) + (p_lh & _MASK32)
        hi = p_hh + (p_lh >> _S32) + (p_hl >> _S32) + (mid >> _S32)
        return hi, (mid << _S32) | (p_ll & _MASK32)

    with np.errstate(over="ignore"):
        for r in range(10):
            if r:
                k0, k1 = k0 + PHILOX_W0, k1 + PHILOX_W1
            hi0, lo0 = mulhilo(PHILOX_M0, c0)
            hi1, lo1 = mulhilo(PHILOX_M1, c2)
            c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return np.stack([c0, c1, c2, c3], axis=1)


def normals_numpy(words: np.ndarray) -> np.ndarray:
    """80-bit Box–Muller normals of consecutive word pairs (the tests' reference).

    ``r = sqrt(-2 log u)`` and ``(cos, sin)(2 pi t)`` in ``np.longdouble``, the angle reduced
    exactly as ``2 pi t = pi (2t)`` with ``2t`` split into an integer part and ``|d| <= 1/2``;
    returned rounded to float64 (interleaved: ``r cos, r sin`` per pair).
    """
    w = np.asarray(words, dtype=np.uint64).reshape(-1, 2)
    ld = np.longdouble
    u = (ld((w[:, 0] >> _S11).astype(np.float64)) + ld(1.0)) * ld(_TWO_M53)
    t2 = 2.0 * (w[:, 1] >> _S11).astype(np.float64) * _TWO_M53  # exact
    k = np.rint(t2)
    d = ld(t2 - k)  # exact, |d| <= 1/2
    sign = np.where(k % 2.0 == 0.0, ld(1.0), ld(-1.0))
    pi = np.arccos(ld(-1.0))
    # Near the zeros of the cosine (|d| > 1/4) use cos(pi d) = sin(pi (1/2 - |d|)) and
    # sin(pi d) = sign(d) cos(pi (1/2 - |d|)), with 1/2 - |d| exact: no rounding of pi d is
    # amplified by a zero of the result.
    far = np.abs(d) > 0.25
    e = ld(0.5) - np.abs(d)
    cos = np.where(far, np.sin(pi * e), np.cos(pi * d))
    sin = np.where(far, np.sign(d) * np.cos(pi * e), np.sin(pi * d))
    r = np.sqrt(ld(-2.0) * np.log(u))
    out = np.empty(w.shape, dtype=np.float64)
    out[:, 0] = (r * sign * cos).astype(np.float64)
    out[:, 1] = (r * sign * sin).astype(np.float64)
    return out.reshape(-1)


def key_from_seed_sequence(ss: np.random.SeedSequence) -> np.ndarray:
    """The (2,) uint64 Philox key of a SeedSequence (its first two 64-bit state words, as
    :class:`numpy.random.Philox` derives its key from a seed)."""
    return ss.generate_state(2, dtype=np.uint64)


def normals_numpy_stream(key: int | np.ndarray, position: int, n: int) -> np.ndarray:
    """Normals ``position … position + n − 1`` of the stream of ``key``, from numpy's Philox
    words and the 80-bit Box–Muller (the reference of :func:`philox_fill_stream`)."""
    first, last = position // 4, (position + n + 3) // 4
    z = normals_numpy(raw_numpy(key, first, last - first))
    return z[position - 4 * first : position - 4 * first + n]
