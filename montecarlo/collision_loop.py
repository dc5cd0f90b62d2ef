"""The loop of the collision kernel over points, shared by every sampling path.

A sampling path (:mod:`montecarlo.collision_paths`) is a set of small numba functions: the
active layer's and the passive layer's. :func:`collision_loop` calls them in four passes over
the points of a batch and writes the six outputs; a path module's integrand is one call that
hands its constants and functions to it as arguments (each function its own type, not a
first-class function pointer; a tuple of them would be one), so numba compiles (and caches)
one specialised loop per path, with every function inlined. The loop never asks which path
it runs. The functions that take functions are not cached themselves (``cache=False``): their
cache index would hold the argument functions' types, which cannot be restored in another
process; the path's integrand, which takes arrays only, is cached whole.

Arguments after ``params``: first the path's constants, literal in its integrand's call (numba
then specialises the loop on them; a row length known only at run time costs a gather per
load)::

    dim                                         coordinates per point (3 + the active layer's)
    second_sin2                                 whether the passive δ goes through a second sin²
    n_values                                    6 values per point, or 3 (no Hall parts)
    fuse_passive                                without screening at T, the passive point
                                                computed in the main pass rather than stored
                                                (a path without a table: the 2D metal)

then the active layer's functions::

    read(params) -> ap                          scalars only (an array costs reference counts)
    prefactor(ap) -> float
    position(q, ω, ap) -> float                 a table position (vectorised pass)
    lookup(table, position) -> float            the table read (scalar pass)
    point(x₃, x₄, q, ω, T, ap, aux, Re Π_T, Im Π_T, screened, factor)
        -> (valid, (a₀ … a₅), Re Π_a, Im Π_a)   x₄ = 0 with one coordinate; Π_a as the
                                                screening wants it: the scalar pass's Π_T or
                                                the path's own Π × factor (the film: a select
                                                of its Π against the table kept LLVM from
                                                vectorising)
    screened_polarization(q, ω, aux, ap, psi_a, factor) -> (Re, Im)   for the scalar pass

and the passive layer's::

    read(params) -> pp                          the layer's constants from the vector
    prefactor(d, T, pp) -> float                d/4T × its measure's constant
    point(x0, x1, x2, d, T, pp, second_sin2)    -> (valid, q, e^{−qd}, ω, weight)
    polarization(q, ω, pp) -> (Re, Im)          Π at T = 0
    screened_polarization(q, ω, pp, psi_p) -> (Re, Im)   Π at T (screening block)

How the loop is written (speed): the passes that carry the physics are vectorised by LLVM (4
points at once with AVX2, 8 with AVX-512), which needs no libm call (:mod:`dragcore.elementary`),
no branch (every case computed, the right one selected), every helper inlined
(``forceinline``), flat views of ``x`` and ``out`` with literal row lengths (a 2-D array's
runtime row stride makes LLVM assume rows may overlap), table reads in loops of their own (an
index computed per point cannot be bounded), and the rejected points zeroed in a loop of their
own (a select in front of the stores becomes a branch). A path with three values writes them
into a stride-4 scratch row (with six stores per point at stride 6, LLVM left the 2D-metal loop
scalar). +, −, ×, ÷ and √ are correctly rounded in either form, so the bits are those of a
scalar loop. Per-point costs: ``benchmarks/bench_mc_collision.py``.
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.elementary import exp
from dragcore.jit import jit
from montecarlo.kernel_layout import (
    E2,
    MU_A,
    SPACING,
    TABLE_OFFSET,
    TABLE_SIZE,
    TEMPERATURE,
    screen_parts,
)
from montecarlo.sampling import window_occupation_nb

__all__ = [
    "N_OUT",
    "OUTPUT_NAMES",
    "collision_loop",
    "no_table_position",
    "no_table_lookup",
    "screened_polarizations_loop",
    "interaction_sq_nb",
]

N_OUT = 6
OUTPUT_NAMES = ("eta0", "eta1", "eta_q3", "eta_H_sj", "eta_H_eei1", "eta_H_eei2")


@jit
def interaction_sq_nb(q, pa, pp, d, e2):  # pragma: no cover - compiled
    """|U|² of Eq. (A1) (see :func:`layers.interaction.interlayer_interaction`) for
    Π_a, Π_p given as (Re, Im) pairs (the benchmark's plain-momentum integrand)."""
    return interaction_sq_at_nb(q, exp(-q * d), pa[0], pa[1], pp[0], pp[1], e2)


@jit(forceinline=True)
def interaction_sq_at_nb(q, x, pa_re, pa_im, pp_re, pp_im, e2):  # pragma: no cover - compiled
    """|U|² of Eq. (A1) given x = e^{−qd}: x²/|v Π_a Π_p (1 − x²) + 1/v + Π_a + Π_p|²."""
    v = 2.0 * math.pi * e2 / q
    c = v * (1.0 - x * x)
    den_re = c * (pa_re * pp_re - pa_im * pp_im) + 1.0 / v + pa_re + pp_re
    den_im = c * (pa_re * pp_im + pa_im * pp_re) + pa_im + pp_im
    return x * x / (den_re * den_re + den_im * den_im)


@jit(forceinline=True)
def point_outputs(
    w, pref, q, xq, om, a, pa_re, pa_im, T, mu_a, pp_re, pp_im, e2
):  # pragma: no cover - compiled
    """The six outputs of one point from the passive weight ``w``, the prefactor, the
    active layer's a = (a₀ … a₅) and both polarizations: × the Bose factor of the exact
    window × |U|²."""
    # the window's Jacobian times f(ξ₁)(1 − f(ξ₁ − ω)) is ω n_B(ω) exactly
    w *= pref * window_occupation_nb(om, T)
    w *= interaction_sq_at_nb(q, xq, pa_re, pa_im, pp_re, pp_im, e2)
    a0, a1, a2, a3, a4, a5 = a
    return w * a0, w * om * a1 / (mu_a * q), w * a2, w * a3, w * a4, w * a5


@jit(forceinline=True)
def zero_rejected(of, flags, stride):  # pragma: no cover - compiled
    """Zero the 6 outputs of every point p with flags[stride p] == 0 (its values may be NaN).

    A separate loop: writing ``v if keep else 0`` in the vectorised loop makes LLVM branch
    around the stores (and then not vectorise)."""
    for p in range(of.size // 6):
        if flags[stride * p] == 0.0:
            for k in range(6):
                of[6 * p + k] = 0.0


@jit(forceinline=True)
def no_table_position(q, om, ap):  # pragma: no cover - compiled
    """The ``position`` of an active layer without a table."""
    return 0.0


@jit(forceinline=True)
def no_table_lookup(table, pos):  # pragma: no cover - compiled
    """The ``lookup`` of an active layer without a table."""
    return 0.0


@jit(forceinline=True, cache=False)  # takes functions: see the module docstring
def _passive_pass(
    xf, dim, second_sin2, n, params, a_read, a_position, p_read, p_point, buf
):  # pragma: no cover - compiled
    """Pass 1 (vectorised): the passive layer's part of every point into ``buf`` (stride 6:
    valid, q, e^{−qd}, ω, weight, the active layer's table position)."""
    d, T = params[SPACING], params[TEMPERATURE]
    pp, ap = p_read(params), a_read(params)
    for p in range(n):
        b = dim * p
        ok, q, xq, om, w = p_point(xf[b], xf[b + 1], xf[b + 2], d, T, pp, second_sin2)
        buf[6 * p] = 1.0 if ok else 0.0
        buf[6 * p + 1] = q
        buf[6 * p + 2] = xq
        buf[6 * p + 3] = om
        buf[6 * p + 4] = w
        buf[6 * p + 5] = a_position(q, om, ap)


@jit(forceinline=True, cache=False)  # takes functions: see the module docstring
def _screened_pass(
    n, buf, aux, ap, pp, a_screened, p_screened, psi_a, psi_p, fac_a, pol
):  # pragma: no cover - compiled
    """Both Π at T of every point into ``pol`` (stride 4; scalar: table reads)."""
    for p in range(n):
        q, om = buf[6 * p + 1], buf[6 * p + 3]
        pol[4 * p], pol[4 * p + 1] = a_screened(q, om, aux[p], ap, psi_a, fac_a)
        pol[4 * p + 2], pol[4 * p + 3] = p_screened(q, om, pp, psi_p)


@jit(forceinline=True)
def _spread_three(res, of, n):  # pragma: no cover - compiled
    """Three values per point from the stride-4 ``res`` into the six of ``of`` (Hall: 0)."""
    for p in range(n):
        for k in range(3):
            of[6 * p + k] = res[4 * p + k]
            of[6 * p + 3 + k] = 0.0


@jit(forceinline=True, cache=False)  # takes functions: not cacheable (module docstring)
def _table_pass(params, n, buf, a_lookup, no_table):  # pragma: no cover - compiled
    """The active layer's table at every point's position in ``buf`` (scalar pass), or 0."""
    table = params[TABLE_OFFSET : TABLE_OFFSET + int(params[TABLE_SIZE])]
    aux = np.zeros(n)
    if not no_table:
        for p in range(n):
            aux[p] = a_lookup(table, buf[6 * p + 5])
    return aux


@jit(forceinline=True, cache=False)  # takes functions: not cacheable (module docstring)
def _active_pass(
    fused, direct, xf, dim, n, consts, pp, ap, buf, aux, pol, res, keep, a_point, p_point,
    p_polarization,
):  # pragma: no cover - compiled
    """The main pass (vectorised): the active layer's part and the outputs of every point
    into ``res`` (stride 6 if ``direct``, else 4) and ``keep``; the passive part from ``buf``
    or, ``fused``, computed here."""
    d, T, e2, mu_a, pref, screened, fac_a, second_sin2 = consts
    stride = 6 if direct else 4
    for p in range(n):
        if fused:
            b = dim * p
            ok, q, xq, om, w = p_point(xf[b], xf[b + 1], xf[b + 2], d, T, pp, second_sin2)
        else:
            q, xq, om, w = buf[6 * p + 1], buf[6 * p + 2], buf[6 * p + 3], buf[6 * p + 4]
            ok = buf[6 * p] != 0.0
        b = dim * p + 3
        x4 = xf[b + 1] if dim > 4 else 0.0  # dim is a constant: no load, no branch
        # loaded always: a select, no branch
        ta_re, ta_im, tp_re, tp_im = pol[4 * p], pol[4 * p + 1], pol[4 * p + 2], pol[4 * p + 3]
        ok_a, a, pa_re, pa_im = a_point(
            xf[b], x4, q, om, T, ap, aux[p], ta_re, ta_im, screened, fac_a
        )
        pp_re, pp_im = p_polarization(q, om, pp)
        pp_re = tp_re if screened else pp_re
        pp_im = tp_im if screened else pp_im
        v0, v1, v2, v3, v4, v5 = point_outputs(
            w, pref, q, xq, om, a, pa_re, pa_im, T, mu_a, pp_re, pp_im, e2
        )
        keep[p] = 1.0 if ok & ok_a else 0.0
        res[stride * p], res[stride * p + 1], res[stride * p + 2] = v0, v1, v2
        if direct:
            res[stride * p + 3], res[stride * p + 4], res[stride * p + 5] = v3, v4, v5
        else:
            res[stride * p + 3] = 0.0


@jit(forceinline=True, cache=False)  # takes functions: see the module docstring
def collision_loop(
    x,
    out,
    params,
    dim,
    second_sin2,
    n_values,
    fuse_passive,
    a_read,
    a_prefactor,
    a_position,
    a_lookup,
    a_point,
    a_screened,
    p_read,
    p_prefactor,
    p_point,
    p_polarization,
    p_screened,
):  # pragma: no cover - compiled
    """The integrand protocol of :mod:`montecarlo.integrator` for one path: (η0, η1, η_Q3,
    η_H^sj, η_H^eei1, η_H^eei2) · Jacobian of the points ``x`` into ``out`` (module docstring).

    Passes: the passive layer (vectorised); the active layer's table (scalar); with
    ``screening="finite_T"`` both Π at T (scalar); the active layer and the outputs
    (vectorised). Every point is written (0 where it does not contribute).
    """
    if out.shape[1] != 6:
        raise ValueError("collision_integrand writes 6 outputs: n_out must be N_OUT = 6")
    n = x.shape[0]
    if x.shape[1] != dim:
        raise ValueError("points of the wrong dimension for this path (collision_dim)")
    # flat views with literal row lengths (the arrays are C-contiguous; the integrator's are)
    xf = x.reshape(n * dim)
    of = out.reshape(n * 6)
    d, T, e2, mu_a = params[SPACING], params[TEMPERATURE], params[E2], params[MU_A]
    pp, ap = p_read(params), a_read(params)
    pref = p_prefactor(d, T, pp) * a_prefactor(ap)
    screened, fac_a, psi_p, psi_a = screen_parts(params)
    buf = np.empty(6 * n)
    fused = fuse_passive and not screened  # loop-invariant: LLVM unswitches the main loop
    if not fused:  # (q, ω) first: for the table and the Π at T
        _passive_pass(xf, dim, second_sin2, n, params, a_read, a_position, p_read, p_point, buf)
    aux = _table_pass(params, n, buf, a_lookup, fuse_passive)
    pol = np.empty(4 * n)  # per point: Re Π_a, Im Π_a, Re Π_p, Im Π_p at T (if screened)
    if screened:
        _screened_pass(n, buf, aux, ap, pp, a_screened, p_screened, psi_a, psi_p, fac_a, pol)
    direct = n_values == 6
    res = of if direct else np.empty(4 * n)
    keep = np.empty(n)  # not written into buf: that kept LLVM from vectorising the film
    consts = (d, T, e2, mu_a, pref, screened, fac_a, second_sin2)
    # each call specialised on its literal (a branch inside the loop kept it scalar)
    if fuse_passive and not screened:
        _active_pass(fuse_passive, direct, xf, dim, n, consts, pp, ap, buf, aux, pol, res,
                     keep, a_point, p_point, p_polarization)  # fmt: skip
    else:
        _active_pass(False, direct, xf, dim, n, consts, pp, ap, buf, aux, pol, res, keep,
                     a_point, p_point, p_polarization)  # fmt: skip
    if not direct:  # no Hall parts: three values per point
        _spread_three(res, of, n)
    zero_rejected(of, keep, 1)


@jit(forceinline=True, cache=False)  # takes functions: see the module docstring
def screened_polarizations_loop(
    q, om, params, a_read, a_position, a_lookup, a_screened, p_read, p_screened
):  # pragma: no cover - compiled
    """(Re Π_a, Im Π_a, Re Π_p, Im Π_p) at T as :func:`collision_loop` screens with
    ``"finite_T"``, at arrays q, ω (for the tests)."""
    ap, pp = a_read(params), p_read(params)
    _, fac_a, psi_p, psi_a = screen_parts(params)
    table = params[TABLE_OFFSET : TABLE_OFFSET + int(params[TABLE_SIZE])]
    out = np.empty((q.size, 4))
    for i in range(q.size):
        aux = a_lookup(table, a_position(q[i], om[i], ap))
        out[i, 0], out[i, 1] = a_screened(q[i], om[i], aux, ap, psi_a, fac_a)
        out[i, 2], out[i, 3] = p_screened(q[i], om[i], pp, psi_p)
    return out
