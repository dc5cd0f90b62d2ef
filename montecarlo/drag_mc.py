r"""Drag coefficients of a bilayer by Monte Carlo of the full collision integral, and references.

:func:`estimate_drag` samples :func:`montecarlo.collision.collision_integrand` (η∥⁽⁰⁾, η∥⁽¹⁾,
η_{Q3} and the three Hall parts η_H(s.j.), η_H(e-e-imp,1), η_H(e-e-imp,2) on shared samples,
with their covariance) with the adaptive integrator, and puts the paper's relations for the
Hall parts (Eqs. B17, B18, B23 applied to the sampled η_{Q3}) beside them.

Two references, both deterministic:

* ``layers.drag_integral.drag_coefficients`` — Eq. (B7)/(B13) with T = 0 polarizations (Stern,
  ballistic tilted film) and the ballistic weights ω̃², 1 − ω̃²;
* :func:`finite_temperature_reference` — the SAME |U|² (A1 with T = 0 polarizations, as in the
  Monte Carlo) but the imaginary parts that the Monte Carlo's state sums converge to, exactly
  (to the quadrature's own error, estimated from two orders) at any tilt |C| < 1 and any T,
  for all six sampled outputs:

  - the 2D metal: Im Π at T and its fixed density (μ(T)) from the k∥-fixed line of states,
    (g m/2πq)[J(E₀) − J(E₀ + ω)] with J ∝ F_{−1/2}
    (:func:`layers.metal.metal_im_polarization_exact_T`);
  - the film: the state sum in prolate spheroidal coordinates (foci 0 and q,
    ρ = |k₁| + |k₁ − q|, δ = |k₁| − |k₁ − q| = ω/v), where d³k |⟨u|u′⟩|² =
    (ρ² − q²) dρ dδ dφ/(8q) and the tilt (along the normal, q in the plane) shifts both
    energies of a transition by vC r⊥ sin φ (:mod:`layers.film_state_sum`), with the
    exact weights ω²ρ/(2vε_F q²) (η∥⁽¹⁾), 1 − (q̂·k̂₁)² (η_{Q3}) and the side jump
    4ρ r⊥ sin φ/(A(ρ² − δ²)(ρ² − q²)) (η_H(s.j.)) and the skew weights of W⁽¹⁾, W⁽²⁾
    (η_H(e-e-imp,1), (2); :mod:`layers.film_state_sum`), occupations at the film's fixed
    density (μ³ + π²T²μ = ε_F³, the kernel's slot ``mu_occ_a``). At C = 0 this is
    Im Π_ballistic [μ² − v²q²/4 + ω²/12 + π²T²/3]/ε_F² (Sommerfeld, exact for this
    polynomial; tested).

  Over the grid :mod:`validate.mc_pulls` (both spacings, C = 0 … 0.9, T = T_d/20 … 3T_d) the
  pulls of every output have rms in [0.7, 1.3] and no |pull| > 4
  (``tests/montecarlo/test_film_reference.py::test_monte_carlo_pulls_over_tilt_and_temperature_grid``).

The Monte Carlo must agree with the second reference within its error bar; its difference from
the first is physics (finite T, finite q/k_F, and the exact weights), reported by the CLI.
Measured (``fig2-d40``, n^p = 3×10¹¹ cm⁻², C = 0; MC/validate − 1, error ~1e-4): η∥⁽⁰⁾:
−0.23 % at 1 K (the film's −q²/4k_F²), 0.00 % at 5 K, +1.09 % at 10 K (finite T); η_{Q3}:
−0.48 %, −0.28 %, +0.68 %; 2D–2D η∥⁽⁰⁾: +0.016 % at 1 K, +0.11 % at 2.5 K, +0.55 % at 5 K,
+2.9 % at 10 K.

Hall friction: all three parts are sampled
------------------------------------------
The side-jump part η_H(s.j.): the collision integral with the coordinate shift (A41–A42, see
:mod:`montecarlo.collision`). It agrees with the paper's η_H(s.j.) = −C η_{Q3}/(6ε_Fτ) (B23)
to leading order in C (ratio 1 + O(C²), tested by extrapolation from C = 0.1, 0.2).
The e–e–impurity parts η_H(e-e-imp,1), (2): the collision integral with the skew rates W⁽¹⁾,
W⁽²⁾ derived in :mod:`layers.skew_scattering` (the paper's A48–A54 are illegible in our copy),
pointwise on the exact kinematics. The paper's (B17) η_H(e-e-imp,1) = −C/(4ε_Fτ) η_{Q3} and
(B18) η_H(e-e-imp,2) = η_H(e-e-imp,1)/3 are their leading order in C; ``hall`` carries both
(``eei1``, ``eei2`` sampled; ``eei1_B17``, ``eei2_B18`` the relations on the sampled η_{Q3}).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from dragcore.checks import require_positive
from layers.bilayer import Bilayer
from layers.drag_integral import _plasmon_breaks, q_panels, thermal_plasmon_exposure
from layers.interaction import interlayer_interaction
from layers.metal import metal_im_polarization_exact_T
from montecarlo.collision import (
    N_OUT,
    OUTPUT_NAMES,
    SCREENINGS,
    collision_dim,
    collision_integrand_for,
    collision_params,
)
from montecarlo.integrator import DEFAULT_BATCH_SIZE, DEFAULT_MAX_HCUBES, Integrator
from montecarlo.result import MonteCarloResult

__all__ = [
    "DragEstimate",
    "CollisionRecipe",
    "DEFAULT_RECIPE",
    "collision_integrator",
    "estimate_drag",
    "finite_temperature_reference",
    "reference_is_exact",
    "metal_im_polarization_finite_T",
    "hall_from_q3",
    "hall_parts",
    "plasmon_warning",
    "PLASMON_WARNING_WEIGHT",
]


DEFAULT_BINS = 600
"""Map bins per axis (measured, fig2-d40, η∥⁽⁰⁾ alone, 6 + 6 iterations of 1e5 points:
σ₁ = 0.095, 0.076, 0.069, 0.071 with 100, 200, 400, 600 bins at α = 1; 0.064 with 600 at
α = 1.25; ``benchmarks/bench_mc_collision.py``)."""

ADAPT_ALPHA = 1.25
"""VEGAS damping exponent. The physics map leaves weights within a factor ~3 of the mean,
so the map can adapt faster than vegas's α = 0.5, which corrects only ~10 % of a smooth
mismatch per iteration (the log damping ((1 − r)/ln(1/r))^α is flat at r ~ 1/N): with six
training iterations σ₁(η∥⁽⁰⁾) = 0.111 at α = 0.5, 0.076 at 1.0, 0.064 at 1.25, 0.068 at 1.5
(200 and 600 bins; T/ε_F = 1e-2)."""

DEFAULT_ADAPT_WEIGHTS = (1.0, 0.05, 1.0, 0.0, 0.0, 0.0)
"""Relative weights of (η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3}, η_H^{s.j.}, η_H^{eei1}, η_H^{eei2}) in the
adaptation (of relative squares); the Hall parts ride on the map of the others (their weights
are those of η_{Q3} times smooth factors; zero weight keeps the map, hence the bits of the
first four outputs).
η∥⁽¹⁾ lives at q ~ T/v where η∥⁽⁰⁾ has little weight: adapted to η∥⁽⁰⁾, η_{Q3} alone,
σ₁(η∥⁽¹⁾) = 1.5 and 8.9 at T/ε_F = 1e-2, 1e-3 (not flat); with weight 0.05 it is
0.80 and 0.84 (flat) at the price of σ₁(η∥⁽⁰⁾) = 0.064 → 0.092, 0.054 → 0.127; weight 0.2
gives 0.61/0.63 and 0.12/0.16 (measured, fig2-d40, 6 + 6 iterations of 1e5 points)."""


@dataclass(frozen=True)
class CollisionRecipe:
    """Every setting of the collision-integral Monte Carlo that is not physics, in one place.

    The defaults are the measured ones (:data:`DEFAULT_BINS`, :data:`ADAPT_ALPHA`,
    :data:`DEFAULT_ADAPT_WEIGHTS`; ``batch_size`` and ``max_hcubes`` from
    :mod:`montecarlo.integrator`). Together with the bilayer, T and the seed a recipe fixes
    the bits of a run (:func:`montecarlo.checkpoint.run_identity`).
    """

    n_eval: int = 200_000  # evaluations per iteration
    n_train: int = 6  # training iterations (adapt map and strata; not averaged)
    n_prod: int = 10  # production iterations (averaged with equal weights)
    n_bins: int = DEFAULT_BINS  # map bins per axis
    alpha: float = ADAPT_ALPHA  # VEGAS damping exponent of the map's adaptation
    batch_size: int = DEFAULT_BATCH_SIZE
    max_hcubes: int = DEFAULT_MAX_HCUBES
    adapt_weights: tuple[float, ...] = DEFAULT_ADAPT_WEIGHTS

    def with_(self, **changes) -> CollisionRecipe:
        """A copy with ``changes`` (field names; an unknown name is a ``TypeError``)."""
        unknown = sorted(set(changes) - set(self.__dataclass_fields__))
        if unknown:
            raise TypeError(
                f"recipe setting = {unknown[0]!r} is outside the allowed range "
                f"{sorted(self.__dataclass_fields__)}"
            )
        return replace(self, **changes)


DEFAULT_RECIPE = CollisionRecipe()


def collision_integrator(bilayer: Bilayer, recipe: CollisionRecipe = DEFAULT_RECIPE) -> Integrator:
    """A fresh :class:`~montecarlo.integrator.Integrator` for the collision integrand of
    ``bilayer`` (its dimension; the recipe's bins, adaptation exponent α, batch size and
    hypercube cap)."""
    return Integrator(
        collision_dim(bilayer),
        recipe.n_bins,
        alpha=recipe.alpha,
        batch_size=recipe.batch_size,
        max_hcubes=recipe.max_hcubes,
    )


@dataclass(frozen=True)
class DragEstimate:
    """Monte Carlo drag coefficients (internal units, 1/cm³) with the η_H parts from η_{Q3}."""

    result: MonteCarloResult
    T: float
    names: tuple[str, ...] = OUTPUT_NAMES
    hall: dict = field(default_factory=dict)
    hall_sdev: dict = field(default_factory=dict)

    def value(self, name: str) -> tuple[float, float]:
        i = self.names.index(name)
        return float(self.result.mean[i]), float(self.result.sdev[i])


def hall_from_q3(bilayer: Bilayer, eta_q3: float) -> dict[str, float]:
    """η_H parts from η_{Q3} by the paper's relations: (B17), (B18) adopted, (B23) — the active
    layer's :meth:`~layers.interface.Layer.hall_from_q3` (zero without skew scattering)."""
    return bilayer.active.hall_from_q3(eta_q3)


def estimate_drag(
    bilayer: Bilayer,
    T: float,
    recipe: CollisionRecipe = DEFAULT_RECIPE,
    *,
    seed: int = 0,
    batch_runner=None,
    progress=None,
    integrator: Integrator | None = None,
    previous=(),
    previous_warnings=(),
    after_iteration=None,
    screening: str = "T0",
    **settings,
) -> DragEstimate:
    """η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3}, η_H(s.j.), η_H(e-e-imp,1), η_H(e-e-imp,2) (shared samples,
    covariance) and the Hall friction η_H at T (erg).

    ``hall``: ``eei1``, ``eei2``, ``sj`` (sampled), ``total`` (their sum, with the covariance
    in ``hall_sdev``) and, for comparison, the paper's relations applied to the sampled
    η_{Q3}: ``eei1_B17``, ``eei2_B18``, ``sj_B23``.

    The sampling adapts to Σ_k w_k (J f_k/I_k)² (``adapt_weights`` w, relative to each
    output's previous estimate I_k; default :data:`DEFAULT_ADAPT_WEIGHTS`); the map has
    ``n_bins`` bins per axis and adapts with the VEGAS exponent ``alpha`` (default
    :data:`ADAPT_ALPHA`).
    Production iterations are averaged with equal weights
    (:class:`~montecarlo.result.MonteCarloResult`).
    Reproducible from ``seed``; ``batch_runner`` (e.g.
    :func:`montecarlo.integrator.distributed_batch_runner`) spreads the batches over MPI
    ranks without changing the bits; ``batch_size`` (points per batch, the unit of work and
    of random streams) and ``max_hcubes`` (cap on the strata hypercubes) are part of the
    recipe (fewer hypercubes: less MPI traffic in training iterations).
    ``progress``, ``previous``, ``previous_warnings`` and ``after_iteration`` go to
    :meth:`Integrator.integrate`; ``integrator`` (restored with
    :meth:`Integrator.from_dict`) continues an interrupted run (:mod:`montecarlo.checkpoint`).
    The settings are those of ``recipe`` (:class:`CollisionRecipe`), with ``settings``
    (its field names, e.g. ``n_eval=40_000``) overriding them.
    ``screening`` is physics, not a recipe setting: ``"T0"`` (the paper's model, |U|² from
    the T = 0 polarizations) or ``"finite_T"`` (both layers' Π at T in |U|²;
    :data:`montecarlo.collision.SCREENINGS`). Im Π of both layers is at T either way: the
    kernel samples the layers' states with Fermi functions at T.
    """
    require_positive("T", T)
    recipe = recipe.with_(**settings) if settings else recipe
    params = collision_params(bilayer, T, screening=screening)
    integ = integrator or collision_integrator(bilayer, recipe)
    res = integ.integrate(
        collision_integrand_for(bilayer),
        params,
        n_out=N_OUT,
        n_train=recipe.n_train,
        n_prod=recipe.n_prod,
        n_eval=recipe.n_eval,
        seed=seed,
        adapt_weights=recipe.adapt_weights,
        adapt_relative=True,
        batch_runner=batch_runner,
        progress=progress,
        previous=previous,
        previous_warnings=previous_warnings,
        after_iteration=after_iteration,
    )
    warning = plasmon_warning(bilayer, T, screening)
    if warning and warning not in res.warnings:
        res.warnings.append(warning)
    return DragEstimate(res, T, OUTPUT_NAMES, *hall_parts(bilayer, res))


PLASMON_WARNING_WEIGHT = {"T0": 2e-6, "finite_T": 8e-6}
"""Per screening, the :func:`layers.drag_integral.thermal_plasmon_exposure` weight above which
the Monte Carlo warns (:func:`plasmon_warning`). Measured for two 2D metals,
d = 40 nm, 16 seeds of 4e4 evaluations each against the exact reference (weight in brackets):

* finite_T — n = 1e11 cm⁻²: 0.1 T_F (4.6e-6) pull rms 1.24, no run with Q < 0.01; 0.2 T_F
  (2.3e-5) mean −2.0, rms 2.6, Q < 0.01 in 5/16; 0.3 T_F (7.8e-5) mean −1.0, rms 1.5.
  n = 3e11: 0.1 T_F (1.2e-6) rms 0.73; 0.2 T_F (9.8e-6) mean −0.9, rms 1.7, Q < 0.01 in 13/16.
* T0 (the integral diverges in principle at any T > 0; the question is whether the sampler
  and the reference meet the poles) — n = 1e11: 0.05 T_F (1.3e-6) MC/reference within 3e-4;
  0.1 T_F (4.6e-6) still fine (warned: conservative); 0.15 T_F (1.1e-5) the reference's own
  error 6 %; 0.2, 0.3 T_F estimates 0.24 … 4.7e5 × the reference. n = 3e11: 0.1 T_F
  (1.2e-6) reference error 4e-3 (the pole shows), pulls still ≤ 1.2; 0.15 T_F (3.8e-6)
  reference error 130 %, Q < 0.01 in 16/16.

A Weyl film as active layer has weight 0 at every T. The weight is a proxy (it does not order
the two densities' T0 failures exactly), so the thresholds sit between measured good and bad
points, on the safe side."""


def plasmon_warning(bilayer: Bilayer, T: float, screening: str = "T0") -> str:
    """The warning :func:`estimate_drag` adds where the coupled plasmons meet thermal
    particle–hole weight (:data:`PLASMON_WARNING_WEIGHT`), or ``""``.

    With ``screening="T0"`` the integral the Monte Carlo samples diverges there (double poles
    of |U|² times Im Π at T); with ``"finite_T"`` the Landau-damped peaks are finite (the
    plasmon enhancement of Flensberg & Hu) but narrow, and the adaptive map does not resolve
    them: the estimate is biased low and its error bar too small. Only two 2D metals reach it.
    """
    e = thermal_plasmon_exposure(bilayer, T)
    limit = PLASMON_WARNING_WEIGHT[screening]
    if not e.weight > limit:
        return ""
    where = (
        f"thermal Im Π on the coupled plasmons: weight {e.weight:.1e} > {limit:g} at "
        f"q d = {e.qd:.2g}, ω = {e.omega_over_T:.3g} T"
    )
    if screening == "T0":
        return (
            f"{where}; the T = 0 screened interaction has undamped plasmon poles there, so the "
            "integral sampled (Im Π at T) diverges: this estimate and its error bar are not "
            "meaningful (use screening = 'finite_T', or T ≲ 0.05 T_F)"
        )
    return (
        f"{where}; the damped plasmon peaks of |U_T|² are narrower than the adaptive map "
        "resolves: the estimate is biased low and its error bar too small (measured: mean "
        "pull −2.0, rms 2.6 at 0.2 T_F); the quadrature (finite_temperature_reference) "
        "resolves them"
    )


def hall_parts(bilayer: Bilayer, res: MonteCarloResult) -> tuple[dict, dict]:
    """(value, sdev) of the Hall friction's parts from a result of the six outputs: the sampled
    ``sj``, ``eei1``, ``eei2`` and ``total`` (their covariance from the shared samples), and
    the paper's relations (B23, B17, B18) on the sampled η_{Q3} as ``sj_B23``, ``eei1_B17``,
    ``eei2_B18`` (errors from η_{Q3}'s)."""
    q3, s3 = float(res.mean[2]), float(res.sdev[2])
    rel = s3 / abs(q3) if q3 else 0.0
    paper = hall_from_q3(bilayer, q3)
    idx = {name: OUTPUT_NAMES.index(f"eta_H_{name}") for name in ("sj", "eei1", "eei2")}
    hall, sdev = {}, {}
    for name, i in idx.items():
        hall[name], sdev[name] = float(res.mean[i]), float(res.sdev[i])
    sel = list(idx.values())
    hall["total"] = float(np.sum(res.mean[sel]))
    sdev["total"] = math.sqrt(max(float(np.sum(res.covariance[np.ix_(sel, sel)])), 0.0))
    for name, eq in (("sj", "B23"), ("eei1", "B17"), ("eei2", "B18")):
        hall[f"{name}_{eq}"] = paper[name]
        sdev[f"{name}_{eq}"] = abs(paper[name]) * rel
    return hall, sdev


# --------------------------------------------------------------------------------------
# finite-temperature reference
# --------------------------------------------------------------------------------------
def metal_im_polarization_finite_T(q, omega, layer, T: float) -> np.ndarray:
    """Im Π of a 2D metal at temperature T and the layer's fixed density (chemical potential
    μ(T) = T ln(e^{ε_F/T} − 1), :meth:`layers.metal_2d.Metal2D.chemical_potential`), exact
    (:func:`layers.metal.metal_im_polarization_exact_T`): the Monte Carlo kernel's occupations
    of a 2D metal, and the same as :meth:`layers.metal_2d.Metal2D.im_polarization_at`.
    """
    mu = layer.chemical_potential(T)
    return metal_im_polarization_exact_T(q, omega, mu, layer.mass, layer.g_s, T)


def _reference_once(bilayer: Bilayer, T: float, n: int, screening: str = "T0") -> np.ndarray:
    a, p = bilayer.active, bilayer.passive
    d = bilayer.spacing
    xq, wq = q_panels(bilayer, T, n, wavevector_breaks=False)
    q = xq / d
    wq = wq / d
    # ω ∈ (−hi, hi): each layer's range at T (the film's continuum is exact at any T; a
    # metal's is widened thermally)
    hi = np.minimum(a.thermal_omega_max(q, T), p.thermal_omega_max(q, T))
    xg, wg = np.polynomial.legendre.leggauss(n)
    tot = np.zeros(N_OUT)
    fracs = np.array([0.0, 1.0, 4.0, 12.0, 40.0])
    # T = 0 continuum edges that T smears (a metal's √ edges inside the domain)
    kinks = [np.minimum(k, hi) for lay in (a, p) for k in lay.thermal_omega_kinks(q)]
    if screening == "finite_T":  # the coupled plasmons' peaks of |U|² (2D–2D above T_F/5)
        kinks += [np.clip(b, 0.0, hi) for b in _plasmon_breaks(bilayer, q, 0.0 * hi, hi, T)]
    for sign in (1.0, -1.0):
        br = [np.minimum(c * T, hi) for c in fracs] + kinks + [hi]
        br = np.sort(np.stack(br, axis=-1), axis=-1)
        for j in range(br.shape[-1] - 1):
            lo_, hi_ = br[:, j : j + 1], br[:, j + 1 : j + 2]
            t = 0.5 * (xg + 1.0)
            s = np.sin(0.5 * np.pi * t) ** 2
            om = lo_ + (hi_ - lo_) * s
            wom = (hi_ - lo_) * 0.5 * np.pi * np.sin(np.pi * t) * 0.5 * wg
            good = (hi_ - lo_) > 1e-14 * hi[:, None]
            om = np.where(good, om, 0.5 * hi[:, None]) * sign
            qq = np.broadcast_to(q[:, None], om.shape)
            if screening == "finite_T":
                pa0, pp0 = a.polarization_at(qq, om, T), p.polarization_at(qq, om, T)
            else:
                pa0, pp0 = a.polarization(qq, om), p.polarization(qq, om)
            u2 = np.abs(interlayer_interaction(qq, pa0, pp0, d, bilayer.e2)) ** 2
            impp = p.im_polarization_at(qq, om, T)
            ima = a.weighted_im_polarization_at(qq, om, T, n)
            e = np.exp(-np.abs(om) / T)
            th = 4.0 * e / (1.0 - e) ** 2
            common = np.where(good, wom, 0.0) * u2 * impp * th * (qq**3) * wq[:, None]
            for k in range(N_OUT):
                tot[k] += np.sum(common * ima[k])
    return d / (16.0 * np.pi**2 * T) * tot


def reference_is_exact(bilayer: Bilayer) -> bool:
    """Whether :func:`finite_temperature_reference` computes exactly the integral the Monte
    Carlo samples (to its own quadrature error): the active layer's
    :attr:`~layers.interface.Layer.finite_T_reference_is_exact` — true for the 2D metal and,
    with the exact tilted state sums of :mod:`layers.film_state_sum`, for the film at any
    tilt."""
    return bilayer.active.finite_T_reference_is_exact


def finite_temperature_reference(
    bilayer: Bilayer, T: float, n: int = 20, screening: str = "T0"
) -> tuple:
    """The six sampled coefficients (η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3}, η_H(s.j.), η_H(e-e-imp,1),
    η_H(e-e-imp,2)) and their error estimates by quadrature, Im Π at T.

    (d/(16π²T)) ∫₀^∞dq q³ ∫_{−∞}^{∞}dω |U|² Im Π_p Im Π_a^{(h)}/sinh²(ω/2T) (h: the weights
    of :meth:`layers.interface.Layer.weighted_im_polarization_at`); U from Eq. (A1) with the
    T = 0 polarizations (``screening="T0"``, the Monte Carlo's default) or with both layers'
    Π at T (``"finite_T"``: :meth:`~layers.interface.Layer.polarization_at`, exact — the
    Monte Carlo interpolates tables of it; ω break points also at the coupled plasmons).
    Gauss–Legendre panels as in :mod:`validate.weyl`; error = |n-point − ⌈1.5n⌉-point|.
    Exact at any tilt (module docstring). For a 2D metal active layer: η∥⁽⁰⁾, η∥⁽¹⁾ (whose
    weight mω²/(ε_F q²) is the same on every state), η_{Q3} NaN (not computed), the Hall
    parts 0.
    """
    require_positive("T", T)
    if screening not in SCREENINGS:
        raise ValueError(f"screening = {screening!r} is not one of {SCREENINGS}")
    r1 = _reference_once(bilayer, T, n, screening)
    r2 = _reference_once(bilayer, T, int(math.ceil(1.5 * n)), screening)
    return r2, np.abs(r2 - r1)
