"""Benchmark: the collision-integral sampler against ``vegas`` on the η∥⁽⁰⁾ integrand.

One process, ``fig2-d40`` (C = 0.3, n^p = 3×10¹¹ cm⁻²), T/ε_F^p = 1e-2 and 1e-3 (ε_F^p is the
smaller Fermi energy, 10.7 meV). For each sampler: σ₁ = (sdev/|mean|)·√N_eval over the
production iterations (the error of ONE evaluation, in units of the integral: lower is
better, flat in T means the cost does not grow as T/ε_F falls) and evaluations per second.

* ``ours``: :func:`montecarlo.drag_mc.estimate_drag` (physics map + adaptive map + strata);
* ``vegas/ours``: the ``vegas`` package given our integrand in our coordinates;
* ``vegas/plain``: ``vegas`` given the SAME physics in plain momentum coordinates, uniform
  on boxes: q ∈ [0, 12/d], metal |k| ∈ k_F ± 30T/v, metal angle φ ∈ [0, π], film
  |k₁| ∈ [k_F^a/(1 + C) − 30T/v_a, k_F^a/(1 − C) + 30T/v_a] (the tilted surface, any
  direction), azimuth ψ; the film's energy delta function is removed in
  μ = q̂·k̂₁ at fixed |k₁| (closed form) — a delta function cannot be sampled.

The three estimates of η∥⁽⁰⁾ must agree (a check of the Jacobians of both coordinate
systems). ``vegas`` is a benchmark-only dependency (``pip install bilayer-drag[bench]``);
the package and its tests never import it. Run by hand::

    NUMBA_NUM_THREADS=2 python benchmarks/bench_mc_collision.py [n_eval]
    python benchmarks/bench_mc_collision.py --smoke   # seconds: every code path, tiny sizes

``--smoke`` runs every part at a few thousand points and one T/ε_F (the test suite runs it
so that the script cannot rot; its figures mean nothing).

Bars (the project's): σ₁(ours) ≤ σ₁(vegas)/2 on the same integrand; σ₁ flat in T/ε_F;
≥ 1e7 evaluations per second on two cores.

Figures per CPU class: ``docs/performance.md``; the history of the measured figures: CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from dragcore.jit import jit, numba
from dragcore.machine import cpu_class, cpu_label
from layers.presets import preset
from montecarlo.collision import (
    N_OUT,
    SLOT,
    _film_table_nb,
    _interaction_sq_nb,
    _stern_nb,
    collision_dim,
    collision_integrand,
    collision_params,
)
from montecarlo.drag_mc import collision_integrator, estimate_drag
from montecarlo.sampling import fermi_nb

#: Printed beside every figure: the vector class the figure was measured on.
CPU = f"[{cpu_class()}]"

try:
    import vegas
except ImportError:  # pragma: no cover
    vegas = None

# params layout of montecarlo.collision (its declared slots, read-only here)
_D, _T, _E2 = SLOT["spacing"], SLOT["T"], SLOT["e2"]
_MUP, _MP, _GP, _KFP = SLOT["mu_p"], SLOT["mass_p"], SLOT["g_p"], SLOT["kF_p"]
_MUA, _VA, _TILT, _SHEET = SLOT["mu_a"], SLOT["v_a"], SLOT["tilt"], SLOT["sheet"]
_MUOCC = SLOT["mu_occ_a"]  # the film's occupations: μ(T) at its fixed density


@jit
def plain_momentum_integrand(x, out, params):  # pragma: no cover - compiled
    """η∥⁽⁰⁾ of :mod:`montecarlo.collision` in plain momentum coordinates (module docstring)."""
    d, T, e2 = params[_D], params[_T], params[_E2]
    mu_p, m_p, g_p, kf_p = params[_MUP], params[_MP], params[_GP], params[_KFP]
    mu_a, v_a, tilt, sheet = params[_MUA], params[_VA], params[_TILT], params[_SHEET]
    mu_occ = params[_MUOCC]
    v_p = kf_p / m_p
    kf_a = mu_a / v_a
    q_max = 12.0 / d
    dk_p = 30.0 * T / v_p
    # the tilted Fermi surface |k₁| = k_F/(1 + C k̂_z) lies in [k_F/(1 + C), k_F/(1 − C)]
    k1_lo = kf_a / (1.0 + abs(tilt)) - 30.0 * T / v_a
    k1_hi = kf_a / (1.0 - abs(tilt)) + 30.0 * T / v_a
    vol = q_max * 2 * dk_p * math.pi * (k1_hi - k1_lo) * 2 * math.pi
    pref = d / (4.0 * T) * g_p / (4.0 * math.pi**2) * sheet / (8.0 * math.pi**3) * vol
    for p in range(x.shape[0]):
        q = q_max * x[p, 0]
        k = kf_p - dk_p + 2 * dk_p * x[p, 1]
        phi = math.pi * x[p, 2]
        k1 = k1_lo + (k1_hi - k1_lo) * x[p, 3]
        psi = 2 * math.pi * x[p, 4]
        if q <= 0.0:
            continue
        eps = k * k / (2 * m_p)
        om = (2 * k * q * math.cos(phi) + q * q) / (2 * m_p)
        if not abs(om) < v_a * q:
            continue
        a = k1 - om / v_a  # |k₁ − q|
        mu = (k1 * k1 + q * q - a * a) / (2 * k1 * q)
        if not (a > 0.0 and abs(mu) < 1.0):
            continue
        st = math.sqrt(1.0 - mu * mu)
        kz = k1 * st * math.sin(psi)
        e1 = v_a * (k1 + tilt * kz)
        dd = v_a * k1 * q / a
        overlap = 0.5 * (1.0 + (k1 - q * mu) / a)
        w = pref * q * q * q * 2.0 * k * k1 * k1 / dd * overlap
        w *= fermi_nb(eps - mu_p, T) * (1.0 - fermi_nb(eps + om - mu_p, T))
        w *= fermi_nb(e1 - mu_occ, T) * (1.0 - fermi_nb(e1 - om - mu_occ, T))
        pa = _film_table_nb(q, om, params)
        pp = _stern_nb(q, om, kf_p, m_p, g_p)
        out[p, 0] = w * _interaction_sq_nb(q, pa, pp, d, e2)


def _vegas_run(kernel, params, dim, n_eval, n_train, n_prod, seed):
    counter = [0]

    @vegas.lbatchintegrand
    def f(x):
        out = np.zeros((x.shape[0], 1))
        kernel(np.ascontiguousarray(x), out, params)
        counter[0] += x.shape[0]
        return out[:, 0]

    np.random.seed(seed)  # noqa: NPY002 - vegas draws from numpy's global generator
    integ = vegas.Integrator(dim * [[0.0, 1.0]])
    integ(f, nitn=n_train, neval=n_eval)
    counter[0] = 0
    start = time.perf_counter()
    r = integ(f, nitn=n_prod, neval=n_eval, adapt=False)
    sec = time.perf_counter() - start
    return r.mean, r.sdev, counter[0], sec


def _sigma1(mean: float, sdev: float, n: int) -> float:
    return sdev / abs(mean) * math.sqrt(n) if mean else math.inf


def main(
    n_eval: int = 100_000,
    n_train: int = 6,
    n_prod: int = 10,
    ratios: tuple[float, ...] = (1e-2, 1e-3),
    n_kernel: int = 1_000_000,
    n_prod_eval: int = 400_000,
) -> None:
    print(f"CPU: {cpu_label()}")
    bl = preset("fig2-d40")
    eF = min(bl.passive.eps_F, bl.active.eps_F)
    rows = []
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    for ratio in ratios:
        T = ratio * eF
        params = collision_params(bl, T)
        dim = collision_dim(bl)
        # warm up the compilation
        out = np.zeros((64, N_OUT))
        collision_integrand(np.full((64, dim), 0.5), out, params)
        plain_momentum_integrand(np.full((64, 5), 0.5), out[:, :1].copy(), params)
        kw = dict(n_eval=n_eval, n_train=n_train, n_prod=n_prod, seed=1)
        # ours on the η∥⁽⁰⁾ integrand alone (as vegas gets it), then the package's default mix
        eta0_alone = (1.0,) + (0.0,) * (N_OUT - 1)  # one weight per output of the kernel
        for label, weights in (("ours", eta0_alone), ("ours/mix", None)):
            extra = {} if weights is None else {"adapt_weights": weights}
            start = time.perf_counter()
            est = estimate_drag(bl, T, **kw, **extra)
            total = time.perf_counter() - start
            r = est.result
            prod_sec = sum(it.seconds for it in r.iterations if it.phase == "prod")
            rows.append((label, ratio, r.mean[0], r.sdev[0], r.n_eval, prod_sec))
            if weights is None:
                s1 = _sigma1(r.mean[1], r.sdev[1], r.n_eval)
                print(f"T/eF = {ratio:g}: default mix, eta1 sigma_1 = {s1:.3f}")
            print(f"T/eF = {ratio:g}: {label} end to end {r.n_eval_total / total:.3e} eval/s {CPU}")
        # throughput: the kernel alone (serial) and the integrator on 1 and 2 threads
        x = np.random.default_rng(0).random((n_kernel, dim))
        out = np.zeros((x.shape[0], N_OUT))
        start = time.perf_counter()
        for lo in range(0, x.shape[0], 16384):  # the integrator's batch size
            collision_integrand(x[lo : lo + 16384], out[lo : lo + 16384], params)
        rate = x.shape[0] / (time.perf_counter() - start)
        print(f"T/eF = {ratio:g}: kernel alone, one thread: {rate:.3e} evaluations/s {CPU}")
        trained = collision_integrator(bl)
        trained.integrate(collision_integrand, params, n_out=N_OUT, n_train=2, n_prod=1,
                          n_eval=n_eval, seed=3)  # fmt: skip
        for t in range(1, threads + 1):
            numba.set_num_threads(t)
            start = time.perf_counter()
            r = trained.integrate(collision_integrand, params, n_out=N_OUT, n_train=0,
                                  n_prod=5, n_eval=n_prod_eval, seed=4)  # fmt: skip
            rate = r.n_eval_total / (time.perf_counter() - start)
            print(f"T/eF = {ratio:g}: integrator, {t} thread(s): {rate:.3e} evaluations/s {CPU}")
        numba.set_num_threads(threads)
        if vegas is None:
            print("vegas not installed: pip install 'bilayer-drag[bench]'")
            continue

        def eta0_only(xx, oo, pp):
            o3 = np.zeros((xx.shape[0], N_OUT))
            collision_integrand(xx, o3, pp)
            oo[:, 0] = o3[:, 0]

        m, s, n, sec = _vegas_run(eta0_only, params, dim, n_eval, n_train, n_prod, 1)
        rows.append(("vegas/ours", ratio, m, s, n, sec))
        m, s, n, sec = _vegas_run(plain_momentum_integrand, params, 5, n_eval, n_train, n_prod, 1)
        rows.append(("vegas/plain", ratio, m, s, n, sec))
    _print_table(rows, ratios)


def _print_table(rows: list[tuple], ratios: tuple[float, ...]) -> None:
    """Every sampler's estimate, σ₁ and rate, then σ₁ of vegas over ours per T/ε_F."""
    print(
        f"{'sampler':12s} {'T/eF':>6s} {'eta0 (1/cm^3)':>26s} {'rel sd':>9s} {'N_eval':>9s} "
        f"{'sigma_1':>9s} {'eval/s (prod)':>14s}  {CPU}"
    )
    for name, ratio, m, s, n, sec in rows:
        print(
            f"{name:12s} {ratio:6.0e} {m:18.8e} ± {s:7.1e} {s / abs(m):9.2e} {n:9d} "
            f"{_sigma1(m, s, n):9.3f} {n / sec:14.3e}"
        )
    for ratio in ratios:
        ours = [_sigma1(*r[2:5]) for r in rows if r[0] == "ours" and r[1] == ratio][0]
        for name in ("vegas/ours", "vegas/plain"):
            other = [_sigma1(*r[2:5]) for r in rows if r[0] == name and r[1] == ratio]
            if other:
                print(f"T/eF = {ratio:g}: sigma_1 {name} / ours = {other[0] / ours:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_eval", type=int, nargs="?", default=100_000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one T (seconds)")
    args = parser.parse_args()
    if args.smoke:
        main(4000, 1, 2, ratios=(1e-2,), n_kernel=20_000, n_prod_eval=20_000)
    else:
        main(args.n_eval)
