"""A new active layer with kinematics of its own is one module plus a registry line.

Everything below is defined here, in the test file, and nowhere in the package: a 2D massless
Dirac layer (ε = v|k|, the conduction band of a doped graphene-like sheet, g = 4, no spinor
overlap factor and a static Thomas–Fermi screening Π = ν — a model, not graphene) and its
Monte Carlo sampling path: its numba point function (the states k₁ → k₁ − q on the cone,
the delta function removed in the azimuth), its packer from the layer object, its numpy twin
and its Im Π at T for the quadrature. One :func:`montecarlo.collision_paths.register_active_path`
line hands it to the Monte Carlo; :func:`montecarlo.drag_mc.estimate_drag` then runs it end to
end over the package's passive 2D metal (the shared loop of :mod:`montecarlo.collision_loop`)
and must agree with :func:`montecarlo.drag_mc.finite_temperature_reference`, which integrates
the layer's Im Π at T by quadrature.

The cone's state sum at fixed (q, ω): with ε₁ = v|k₁| and R = |k₁ − q| = (ε₁ − ω)/v,
∫d²k₁ δ(ω − ε₁ + vR) = 2R/(v² q |sin φ|) dε₁ (both signs of φ, cos φ = (k₁² + q² − R²)/2k₁q),
and Im Π^{(h)} = π (g/4π²) ∫dε₁ 2R/(v² q |sin φ|) [f(ε₁ − ω) − f(ε₁)] h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dragcore import units
from dragcore.elementary import sqrt
from dragcore.jit import jit
from layers.bilayer import Bilayer
from layers.interface import ZERO_HALL
from layers.metal_2d import metal_from_physical
from montecarlo.collision import collision_dim, collision_integrand_numpy, collision_params
from montecarlo.collision_loop import no_table_lookup, no_table_position
from montecarlo.collision_paths import ActivePath, active_path, register_active_path
from montecarlo.drag_mc import CollisionRecipe, estimate_drag, finite_temperature_reference
from montecarlo.kernel_layout import G_A, MU_OCC_A, TABLE_OFFSET, V_A
from montecarlo.path_metal_2d import loop_over_passive_metal, polarizations_over_passive_metal
from montecarlo.sampling import fermi_window_energy_nb


@dataclass(frozen=True)
class DiracLayer:
    """A 2D massless Dirac layer (internal units: ``v`` is ħv, erg·cm)."""

    density: float  # 1/cm²
    v: float
    g: int = 4

    @property
    def fermi_wavevector(self) -> float:
        return math.sqrt(4.0 * math.pi * self.density / self.g)

    @property
    def fermi_velocity(self) -> float:
        return self.v

    @property
    def eps_F(self) -> float:
        return self.v * self.fermi_wavevector

    @property
    def static_polarization(self) -> float:  # ν = g ε_F/(2π v²): Thomas–Fermi
        return self.g * self.eps_F / (2.0 * math.pi * self.v**2)

    def polarization(self, q, omega) -> np.ndarray:
        return np.full(np.broadcast(q, omega).shape, self.static_polarization) + 0j

    def polarization_at(self, q, omega, T):
        return self.polarization(q, omega)

    def weighted_im_polarization_at(self, q, omega, T, n):
        """Im Π at T (occupations at ε_F) with the weights 1, ω(k₁ cos φ − q/2)/(ε_F q),
        sin²φ, 0, 0, 0 by Gauss–Legendre in s, ε₁ = ε_min + s² (the 1/|sin φ| edge at
        ε_min = (vq + ω)/2 cancelled), 24 panels of 4n nodes up to ε_F + 40T."""
        q, om = np.broadcast_arrays(np.asarray(q, float), np.asarray(omega, float))
        v, mu = self.v, self.eps_F
        e_min = 0.5 * (v * q + om)
        top = np.sqrt(np.maximum(mu + 40.0 * T + np.abs(om) - e_min, 0.0))
        xg, wg = np.polynomial.legendre.leggauss(4 * n)
        edges = np.linspace(0.0, 1.0, 25)
        tot = np.zeros((3,) + q.shape)
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            t = lo + (hi - lo) * 0.5 * (xg + 1.0)
            s = top[..., None] * t
            ws = top[..., None] * (hi - lo) * 0.5 * wg
            e1 = e_min[..., None] + s * s
            k, r = e1 / v, (e1 - om[..., None]) / v
            qq = q[..., None]
            cos = (k * k + qq * qq - r * r) / (2.0 * k * qq)
            sin2 = np.clip(1.0 - cos * cos, 1e-300, None)
            # 2s ds / √(sin²φ): the edge's 1/√(ε₁ − ε_min) against 2s
            meas = 2.0 * r / (v * v * qq * np.sqrt(sin2)) * 2.0 * s * ws
            occ = _fermi(e1 - om[..., None] - mu, T) - _fermi(e1 - mu, T)
            base = math.pi * self.g / (4.0 * math.pi**2) * meas * occ
            base = np.where(np.abs(om[..., None]) < v * qq, base, 0.0)
            h1 = om[..., None] * (k * cos - 0.5 * qq) / (mu * qq)
            tot += np.stack([base.sum(-1), (base * h1).sum(-1), (base * sin2).sum(-1)])
        zero = 0.0 * tot[0]
        return tot[0], tot[1], tot[2], zero, zero, zero

    def im_polarization_at(self, q, omega, T):
        return self.weighted_im_polarization_at(q, omega, T, 8)[0]

    def thermal_omega_max(self, q, T):
        return self.v * q  # transitions within one cone: |ω| ≤ v q at any T

    def thermal_omega_kinks(self, q):
        return []

    collision_model = "dirac_2d"
    finite_T_reference_is_exact = True

    def hall_from_q3(self, eta_q3, side_jump="B23"):
        return dict(ZERO_HALL)


def _fermi(e, T):
    return 0.5 * (1.0 - np.tanh(0.5 * np.clip(e / T, -700.0, 700.0)))


# --------------------------------------------------------------------------------------
# the path: numba functions of montecarlo.collision_loop, packer, twin
# --------------------------------------------------------------------------------------
@jit(forceinline=True)
def _read(params):  # pragma: no cover - compiled
    return params[MU_OCC_A], params[V_A], params[G_A], params[TABLE_OFFSET]


@jit(forceinline=True)
def _prefactor(ap):  # pragma: no cover - compiled
    return ap[2] / (4.0 * math.pi**2)  # the measure g d²k/(2π)²


@jit(forceinline=True)
def _point(x3, x4, q, om, T, ap, aux, t_re, t_im, screened, factor):  # pragma: no cover
    """ξ₁ through the Fermi window; the measure 2R/(v² q |sin φ|) and the weights."""
    mu, v, _, nu = ap
    y1, jy1 = fermi_window_energy_nb(x3, om, T)
    e1 = mu + y1 + om
    k, r = e1 / v, (e1 - om) / v
    k2_r2 = (om / v) * (2.0 * e1 - om) / v  # k² − R², no cancellation
    cos = (k2_r2 + q * q) / (2.0 * k * q)
    sin2 = (1.0 - cos) * (1.0 + cos)
    a0 = 2.0 * r / (v * v * q * sqrt(abs(sin2)))
    valid = (e1 > 0.0) & (r > 0.0) & (sin2 > 0.0) & (abs(om) < v * q) & math.isfinite(jy1)
    return valid, (a0, a0 * k2_r2 / (2.0 * q), a0 * sin2, 0.0, 0.0, 0.0), nu, 0.0


@jit(forceinline=True)
def _screened(q, om, aux, ap, psi_a, factor):  # pragma: no cover - compiled
    return ap[3], 0.0


@jit(nogil=True)
def dirac_integrand(x, out, params):  # pragma: no cover - compiled
    loop_over_passive_metal(x, out, params, 4, False, 3, True, _read, _prefactor, no_table_position,
                            no_table_lookup, _point, _screened)  # fmt: skip


@jit
def dirac_polarizations(q, om, params):  # pragma: no cover - compiled
    return polarizations_over_passive_metal(
        q, om, params, _read, no_table_position, no_table_lookup, _screened
    )


def pack(layer: DiracLayer, T: float, table_size: int):
    values = {"mu_a": layer.eps_F, "mu_occ_a": layer.eps_F, "v_a": layer.v, "g_a": layer.g}
    return values, np.array([layer.static_polarization, 0.0])


def screening(layer, T, values, spacing):
    return {"pi_factor_a": 1.0, **{f"psi_a_{k}": 0.0 for k in ("lo", "step", "c1", "c3")}}, (
        np.zeros(0, complex)
    )


def twin(a: DiracLayer, x, q, om, xi1, T):
    """(measure × g/4π², Π_a, cos φ, |k₁|, 0, (0, 0), ε_F) from the law of cosines."""
    e1 = a.eps_F + xi1
    k, r = e1 / a.v, (e1 - om) / a.v
    cos = (k * k + q * q - r * r) / (2.0 * k * q)
    sin = np.sqrt(np.where(np.abs(cos) < 1.0, 1.0 - cos**2, np.nan))
    w = a.g / (2.0 * np.pi) ** 2 * 2.0 * r / (a.v**2 * q * sin)
    zero = 0.0 * q
    return w, a.polarization(q, om), cos, k, zero, (zero, zero), a.eps_F


def polarization_twin(q, om, values, table, block):
    return table[0] + 0j * q


DIRAC_PATH = register_active_path("dirac_2d", ActivePath(
    2.0, 4, dirac_integrand, dirac_polarizations, pack, screening, twin, polarization_twin, False
))  # fmt: skip


def _bilayer() -> Bilayer:
    dirac = DiracLayer(units.per_cm2_to_internal_density(1e12), units.mps_to_internal_velocity(1e6))
    passive = metal_from_physical(3e11, 0.067, 50.0)
    return Bilayer(active=dirac, passive=passive, spacing=units.nm_to_cm(40.0), dielectric=12.0)


def test_the_new_path_is_chosen_by_the_layer() -> None:
    bl = _bilayer()
    assert active_path(bl.active) is DIRAC_PATH
    assert collision_dim(bl) == 4


def test_the_new_kernel_matches_its_numpy_twin() -> None:
    bl = _bilayer()
    T = units.kelvin_to_erg(5.0)
    params = collision_params(bl, T)
    x = np.random.default_rng(4).random((3000, 4))
    out = np.zeros((x.shape[0], 6))
    dirac_integrand(x, out, params)
    with np.errstate(all="ignore"):
        ref = collision_integrand_numpy(x, bl, T)
    nz = ref[:, 0] != 0.0
    assert np.array_equal(out[:, 0] != 0.0, nz) and np.count_nonzero(nz) > 300
    assert np.all(out[:, 3:] == 0.0)
    # the twin's passive measure is a central-difference Jacobian (see test_collision_mc)
    rel = np.abs(out[nz, :3] - ref[nz, :3]) / np.abs(ref[nz, :1])
    assert np.quantile(rel, 0.99) < 1e-6 and np.median(rel) < 1e-8


def test_the_new_kind_runs_end_to_end_and_meets_its_quadrature() -> None:
    """η∥⁽⁰⁾, η∥⁽¹⁾, η_{Q3} of the Monte Carlo against the quadrature of the layer's Im Π at T
    (the same |U|²): pull < 4 each."""
    bl = _bilayer()
    T = units.kelvin_to_erg(5.0)
    recipe = CollisionRecipe(n_eval=40_000, n_train=4, n_prod=4, n_bins=100)
    est = estimate_drag(bl, T, recipe, seed=5)
    ref, err = finite_temperature_reference(bl, T, n=12)
    for i, name in enumerate(("eta0", "eta1", "eta_q3")):
        mc, sd = est.value(name)
        assert sd > 0 and sd < 0.05 * abs(mc), (name, mc, sd)
        pull = (mc - ref[i]) / np.hypot(sd, err[i])
        assert abs(pull) < 4.0, (name, mc, sd, ref[i], err[i], pull)
    assert est.hall["total"] == 0.0
