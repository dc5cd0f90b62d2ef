"""Physical units and a regime map: where the nonlinear correction and the nonreciprocal drag
matter for a real bilayer (issue 28 §5).

From a layer's density n, spacing d, dielectric constant κ, effective mass m and temperature T,
:func:`regime_point` computes, through :meth:`langevin.params.BilayerParameters.from_physical`
(the one route from physical inputs), the fluctuation strength Θ = T/(ϱω_p²d⁴) and the
hydrodynamic parameters ς, β; the one-loop slope a of ``D/D_linear = 1 + aΘ``
(:func:`langevin.one_loop.one_loop_drag`); the exact linear drag ρ_D in Ω
(:func:`langevin.exact.exact_drag`) at ±χ; and the paper's conditions for the hydrodynamic
description (Zverevich and Levchenko, "Nonreciprocal Coulomb drag in electron bilayers", the
paragraph after Eq. 24).

Estimates (the paper's own, order of magnitude, O(1) prefactors set to 1)
-------------------------------------------------------------------------
* intrinsic conductivity σ = e²/ħ (the paper: "provided σ/e² ∼ 1");
* shear viscosity of a Fermi liquid at r_s ∼ 1: η = ħn (E_F/T)² (the paper), bulk viscosity 0;
* e–e collision time τ_ee = ħE_F/T² (Fermi liquid; the estimate behind the paper's bound:
  with ω_p ∼ √r_s E_F/√(k_F d), ω_pτ_ee ≲ 1 is E_F/(k_F d)^{1/4} ≲ T), mean free path
  ℓ_ee = v_F τ_ee;
* E_F = πħ²n/m, k_F = √(2πn) (spin-degenerate parabolic band, as ``from_physical``).

Validity flags: ``omega_p_tau_ee ≤ 1`` (ω_p of Eq. 14 at q = 1/d), and
``E_F/(k_F d)^{1/4} < T < E_F``; ``hydrodynamic`` is both.

The nonlinear correction
------------------------
a depends on the cutoff Λ (the smallest resolved cell ℓ = π/Λ). It is computed exactly at one
loop on a grid whose cutoff is Λd = π (cell ℓ = d: default 16×16, L = 10 d); for another
hydrodynamic cell ℓ it is carried over by the measured law a ∝ Λ² (at χ = 0.1 the tadpole
dominates: ``a ∝ ⟨p²⟩ ∝ Λ²``, :mod:`validate.oneloop`), ``a(ℓ) = a(d)·(d/ℓ)²``. At the
physical points the local exponent of ``a ∝ Λ^p`` (box L = 10 d) is a little below 2 and falls
with Λ: GaAs n = 1e11 cm⁻², d = 40 nm, T = 10 K: p = 1.94 (Λd = 0.6π → π), 1.80 (π → 1.4π);
n = 5e11 cm⁻², d = 300 nm, T = 120 K: 1.85, 1.73 (``tests/validate/test_regime.py``); the Λ²
carry-over is therefore an upper estimate of |a(ℓ_ee)|, by up to a factor (d/ℓ_ee)^{2−p}. Two cells
are reported: ``cutoff = "d"`` (ℓ = d, the computed value) and ``"lee"`` (ℓ = ℓ_ee, the
extrapolation; meaningful only where ℓ_ee < d, below which the fluid description holds).
χ and the drift are model inputs (χ = α v·B is set by the current and field, not by n, d,
T): a is computed at χ = 0.1, u = 0.05 (the table's small-χ point), and the nonreciprocal
part is reported per unit χ, ``[ρ_D(χ₀) − ρ_D(−χ₀)]/χ₀`` (χ₀ = 0.1, exact linear drag;
reversing the current reverses χ, so this is ρ_D(+) − ρ_D(−) at χ = χ₀, divided by χ₀).

Materials
---------
``gaas``: m = 0.067 mₑ, κ = 12.9 (:data:`layers.presets.GAAS_MASS_ME`, ``GAAS_DIELECTRIC``).
``graphene-like``: a parabolic, Galilean stand-in (the model is for a parabolic liquid;
graphene is Dirac, with four-fold degeneracy, not modelled): m = 0.02 mₑ (the cyclotron mass
ħk_F/v_F of graphene at n ≈ 1e12 cm⁻² with v_F = 1e6 m/s, so that E_F ≈ 120 meV matches there;
away from 1e12 cm⁻² the stand-in's E_F ∝ n, graphene's ∝ √n) and κ = 4 (hBN encapsulation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from dragcore import units
from dragcore.checks import require_positive, require_range
from langevin.exact import exact_drag
from langevin.grid import PeriodicGrid
from langevin.nonlinear_model import NonlinearBilayerModel
from langevin.one_loop import one_loop_drag
from langevin.params import BilayerParameters
from layers.presets import GAAS_DIELECTRIC, GAAS_MASS_ME

__all__ = [
    "Material",
    "MATERIALS",
    "GAAS_EXAMPLE",
    "fluctuation_strength",
    "RegimePoint",
    "regime_point",
    "regime_map",
    "drag_versus_chi",
    "REFERENCE_GRID",
]


@dataclass(frozen=True)
class Material:
    """A parabolic 2D electron liquid: effective mass (mₑ) and dielectric constant."""

    name: str
    mass_me: float
    kappa: float
    note: str


#: The materials of the map (module docstring).
MATERIALS: dict[str, Material] = {
    "gaas": Material("gaas", GAAS_MASS_ME, GAAS_DIELECTRIC, "GaAs double quantum well"),
    "graphene-like": Material(
        "graphene-like", 0.02, 4.0,
        "parabolic stand-in for hBN-encapsulated graphene",
    ),  # fmt: skip
}

#: The docs' GaAs double quantum well (material ``gaas``): n per layer (cm⁻²), spacing d (nm).
GAAS_EXAMPLE = (1e11, 40.0)
#: The one-loop grid (N, L/d): 2/3-dealiased cutoff Λd = 2π⌊(N−1)/3⌋/L = π, cell ℓ = d.
REFERENCE_GRID = (16, 10.0)
#: χ and drift u of the one-loop slope; χ₀ of the nonreciprocal part.
CHI0 = 0.1
DRIFT0 = 0.05
#: Quadrature of the exact drag (order 8 agrees with order 16 to 1e-13 at ς ≈ 4, β ≈ 3).
EXACT_ORDER = (8, 16)


@dataclass
class RegimePoint:
    """One (material, n, d, T): the model's parameters, the one-loop correction, the exact
    drag in Ω and the hydrodynamic-validity flags (module docstring for the estimates).

    Units: n in cm⁻², d and lengths in nm, temperatures and energies in K, ω_p in s⁻¹,
    τ_ee in s, resistivities in Ω.
    """

    material: str
    density_cm2: float
    spacing_nm: float
    temperature_k: float
    theta: float
    varsigma: float
    beta: float
    fermi_energy_k: float
    kf_d: float
    omega_p: float
    tau_ee: float
    omega_p_tau_ee: float
    mean_free_path_nm: float
    t_lower_k: float
    grid_n: int
    grid_length: float
    grid_cell_nm: float
    a_grid: float
    cutoff: str
    cutoff_nm: float
    a: float
    a_theta: float
    rho_d_ohm: float
    nonreciprocal_ohm_per_chi: float

    @property
    def plasmon_ok(self) -> bool:
        """ω_p τ_ee ≤ 1."""
        return self.omega_p_tau_ee <= 1.0

    @property
    def temperature_ok(self) -> bool:
        """E_F/(k_F d)^{1/4} < T < E_F."""
        return self.t_lower_k < self.temperature_k < self.fermi_energy_k

    @property
    def hydrodynamic(self) -> bool:
        """Both of the paper's conditions hold."""
        return self.plasmon_ok and self.temperature_ok

    def as_dict(self) -> dict:
        out = asdict(self)
        out.update(plasmon_ok=self.plasmon_ok, temperature_ok=self.temperature_ok,
                   hydrodynamic=self.hydrodynamic)  # fmt: skip
        return out


def _material(material: str | Material) -> Material:
    if isinstance(material, Material):
        return material
    if material not in MATERIALS:
        raise ValueError(f"material = {material!r} is outside the allowed range "
                         f"{sorted(MATERIALS)}")  # fmt: skip
    return MATERIALS[material]


def fermi_liquid_estimates(density_cm2: float, mass_me: float, temperature_k: float) -> dict:
    """E_F = πħ²n/m (K), k_F = √(2πn) (cm⁻¹), v_F (cm/s), τ_ee = ħE_F/T² (s), ℓ_ee = v_Fτ_ee
    (nm), and the paper's viscosity η/(ħn) = (E_F/T)² (module docstring)."""
    m = units.electron_masses_to_gram(mass_me)
    ef = math.pi * units.HBAR**2 * density_cm2 / m
    t = units.kelvin_to_erg(temperature_k)
    kf = math.sqrt(2.0 * math.pi * density_cm2)
    vf = units.HBAR * kf / m
    tau = units.HBAR * ef / t**2
    return {
        "fermi_energy_k": units.erg_to_kelvin(ef),
        "kf": kf,
        "vf": vf,
        "tau_ee": tau,
        "mean_free_path_nm": vf * tau / units.NM,
        "eta_hbar_n": (ef / t) ** 2,
    }


def physical_parameters(density_cm2: float, spacing_nm: float, temperature_k: float,
                        material: str | Material, *, chi: float = 0.0,
                        drift: float = 0.0) -> BilayerParameters:  # fmt: skip
    """``from_physical`` with the paper's σ = e²/ħ and η = ħn(E_F/T)², then χ and u set."""
    mat = _material(material)
    est = fermi_liquid_estimates(density_cm2, mat.mass_me, temperature_k)
    p = BilayerParameters.from_physical(
        density_cm2=density_cm2, mass_me=mat.mass_me, kappa=mat.kappa, spacing_nm=spacing_nm,
        temperature_k=temperature_k, sigma_e2_per_hbar=1.0, eta_hbar_n=est["eta_hbar_n"],
    )  # fmt: skip
    return p.with_(chi=float(chi), drift=float(drift))


def fluctuation_strength(density_cm2: float, spacing_nm: float, temperature_k: float,
                         material: str | Material) -> float:  # fmt: skip
    """Θ = T/(ϱω_p²d⁴) = T/(2π (e²/κd)(nd²)²) of a bilayer (``params.theta`` of
    :func:`physical_parameters`; it depends on n, d, T and κ, not on m, σ or η).

    For :data:`GAAS_EXAMPLE` Θ = T/521 K (``tests/validate/test_regime.py``, from CODATA
    constants by hand)."""
    _check_inputs(density_cm2, spacing_nm, temperature_k)
    return float(physical_parameters(density_cm2, spacing_nm, temperature_k, material).theta)


def _check_inputs(density_cm2, spacing_nm, temperature_k) -> None:
    require_range("density_cm2", density_cm2, 1e8, 1e14)
    require_range("spacing_nm", spacing_nm, 0.5, 1e4)
    require_range("temperature_k", temperature_k, 0.01, 3000.0)


def _check_cutoff(cutoff) -> None:
    if cutoff not in ("d", "lee", "grid"):
        raise ValueError(f"cutoff = {cutoff!r} is outside the allowed range ['d', 'lee', 'grid']")


def regime_point(
    density_cm2: float,
    spacing_nm: float,
    temperature_k: float,
    material: str | Material,
    *,
    cutoff: str = "d",
    grid: tuple[int, float] = REFERENCE_GRID,
    chi: float = CHI0,
    order: tuple[int, int] = EXACT_ORDER,
) -> RegimePoint:
    """The regime of one bilayer (module docstring).

    Parameters
    ----------
    density_cm2, spacing_nm, temperature_k
        n per layer (cm⁻², 1e8…1e14), d (nm, 0.5…1e4), T (K, 0.01…3000).
    material
        A key of :data:`MATERIALS` or a :class:`Material`.
    cutoff
        The hydrodynamic cell ℓ at which a is quoted: ``"d"`` (ℓ = d), ``"lee"`` (ℓ = ℓ_ee,
        by a ∝ Λ² from the grid's cell), ``"grid"`` (the grid's own cell: a = a_grid).
    grid
        ``(N, L/d)`` of the one-loop computation; its cell is ℓ_grid = L/(2⌊(N−1)/3⌋) d.
    chi
        χ of the one-loop slope and χ₀ of the nonreciprocal part (``0 < |χ| ≤ 1``).
    """
    _check_inputs(density_cm2, spacing_nm, temperature_k)
    _check_cutoff(cutoff)
    require_range("chi", chi, -1.0, 1.0)
    if chi == 0:
        raise ValueError("chi = 0 is outside the allowed range [-1, 0) ∪ (0, 1]")
    n_grid, length = int(grid[0]), float(grid[1])
    require_positive("grid length", length)
    if n_grid < 6:
        raise ValueError(f"grid N = {n_grid} is outside the allowed range (≥ 6)")
    mat = _material(material)
    est = fermi_liquid_estimates(density_cm2, mat.mass_me, temperature_k)
    base = physical_parameters(density_cm2, spacing_nm, temperature_k, mat)
    s = base.scales
    g = PeriodicGrid(n_grid, length)
    cell = length / (2 * ((n_grid - 1) // 3))  # ℓ_grid/d = π/(Λ_grid d)
    res = one_loop_drag(NonlinearBilayerModel(base.with_(chi=chi, drift=DRIFT0)), g)
    cell_nm = {"d": spacing_nm, "lee": est["mean_free_path_nm"],
               "grid": cell * spacing_nm}[cutoff]  # fmt: skip
    a = res.slope * (cell * spacing_nm / cell_nm) ** 2
    plus = exact_drag(base.with_(chi=chi), order=order[0], n_angle=order[1])
    minus = exact_drag(base.with_(chi=-chi), order=order[0], n_angle=order[1])
    zero = exact_drag(base, order=order[0], n_angle=order[1])
    omega_p_tau = s.omega_p * est["tau_ee"]
    kf_d = est["kf"] * s.spacing
    return RegimePoint(
        material=mat.name, density_cm2=float(density_cm2), spacing_nm=float(spacing_nm),
        temperature_k=float(temperature_k), theta=base.theta, varsigma=base.varsigma,
        beta=base.beta, fermi_energy_k=est["fermi_energy_k"], kf_d=kf_d, omega_p=s.omega_p,
        tau_ee=est["tau_ee"], omega_p_tau_ee=omega_p_tau,
        mean_free_path_nm=est["mean_free_path_nm"],
        t_lower_k=est["fermi_energy_k"] / kf_d**0.25, grid_n=n_grid, grid_length=length,
        grid_cell_nm=cell * spacing_nm, a_grid=res.slope, cutoff=cutoff, cutoff_nm=cell_nm,
        a=a, a_theta=a * base.theta, rho_d_ohm=zero.rho_D_ohm,
        nonreciprocal_ohm_per_chi=(plus.rho_D_ohm - minus.rho_D_ohm) / chi,
    )  # fmt: skip


def regime_map(
    material: str | Material,
    densities_cm2: Sequence[float],
    spacings_nm: Sequence[float],
    temperatures_k: Sequence[float],
    **kw,
) -> dict:
    """:func:`regime_point` over the (n, d, T) grid (cutoff ℓ = d), with the ℓ = ℓ_ee value
    of a carried over from it (a ∝ Λ²: no second computation). Arrays indexed ``[T, d, n]``."""
    shape = (len(temperatures_k), len(spacings_nm), len(densities_cm2))
    keys = ("a_theta", "a_theta_lee", "rho_d_ohm", "nonreciprocal_ohm_per_chi", "omega_p_tau_ee",
            "hydrodynamic", "theta", "varsigma", "beta", "lee_over_d")  # fmt: skip
    out = {k: np.zeros(shape, dtype=bool if k == "hydrodynamic" else float) for k in keys}
    points = []
    for it, t in enumerate(temperatures_k):
        for i_d, d in enumerate(spacings_nm):
            for i_n, n in enumerate(densities_cm2):
                p = regime_point(n, d, t, material, cutoff="d", **kw)
                points.append(p)
                idx = (it, i_d, i_n)
                out["a_theta"][idx] = p.a_theta
                out["a_theta_lee"][idx] = p.a_theta * (d / p.mean_free_path_nm) ** 2
                out["rho_d_ohm"][idx] = p.rho_d_ohm
                out["nonreciprocal_ohm_per_chi"][idx] = p.nonreciprocal_ohm_per_chi
                out["omega_p_tau_ee"][idx] = p.omega_p_tau_ee
                out["hydrodynamic"][idx] = p.hydrodynamic
                out["theta"][idx] = p.theta
                out["varsigma"][idx] = p.varsigma
                out["beta"][idx] = p.beta
                out["lee_over_d"][idx] = p.mean_free_path_nm / d
    out.update(material=_material(material).name, densities_cm2=list(densities_cm2),
               spacings_nm=list(spacings_nm), temperatures_k=list(temperatures_k),
               points=points)  # fmt: skip
    return out


def drag_versus_chi(
    density_cm2: float,
    spacing_nm: float,
    temperature_k: float,
    chis: Sequence[float],
    material: str | Material,
    *,
    grid: tuple[int, float] = REFERENCE_GRID,
    order: tuple[int, int] = EXACT_ORDER,
) -> dict:
    """ρ_D(χ) in Ω at one (n, d, T): exact linear (v → 0) and with the one-loop correction
    ``ρ_D (1 + a(χ)Θ)`` at the grid's cutoff (cell ℓ_grid; ℓ = d for the default grid), a
    computed per χ at u = 0.05. χ below the linear instability χ_c is refused by
    :func:`langevin.exact.exact_drag` (``UnstableError``)."""
    base = physical_parameters(density_cm2, spacing_nm, temperature_k, material)
    g = PeriodicGrid(int(grid[0]), float(grid[1]))
    rows = []
    for chi in chis:
        lin = exact_drag(base.with_(chi=float(chi)), order=order[0], n_angle=order[1])
        a = one_loop_drag(NonlinearBilayerModel(base.with_(chi=float(chi), drift=DRIFT0)), g)
        rows.append({"chi": float(chi), "rho_d_ohm": lin.rho_D_ohm, "a": a.slope,
                     "rho_d_one_loop_ohm": lin.rho_D_ohm * (1 + a.slope * base.theta)})  # fmt: skip
    est = fermi_liquid_estimates(density_cm2, _material(material).mass_me, temperature_k)
    kf_d = est["kf"] * base.scales.spacing
    return {"density_cm2": density_cm2, "spacing_nm": spacing_nm,
            "temperature_k": temperature_k, "theta": base.theta, "varsigma": base.varsigma,
            "beta": base.beta, "grid": tuple(grid), "rows": rows,
            "omega_p_tau_ee": base.scales.omega_p * est["tau_ee"],
            "t_over_fermi": temperature_k / est["fermi_energy_k"],
            "t_lower_over_fermi": kf_d**-0.25}  # fmt: skip


# --- figures ------------------------------------------------------------------------------------
#: The figure files :func:`regime_figures` writes (and nothing else).
FIGURE_NAMES = ("regime_correction.png", "regime_nonreciprocal.png", "drag_vs_chi_gaas.png")


def _edges(values: Sequence[float]) -> np.ndarray:
    """Cell edges (log-centred) around log-spaced values."""
    lv = np.log10(np.asarray(values, dtype=float))
    step = np.diff(lv).mean() if len(lv) > 1 else 0.5
    return 10 ** np.concatenate([lv - step / 2, [lv[-1] + step / 2]])


def _map_panels(plt, panels: Sequence[tuple[dict, str, str]], label: str, title: str, path,
                *, vmin: float | None = None, vmax: float | None = None,
                over: str = ""):  # fmt: skip
    """One row per ``(map, key, row label)``, one column per temperature; colour |map[key]|
    on a log scale (NaN: white); hydrodynamic cells outlined in red."""
    from matplotlib.colors import LogNorm

    n_cols = max(len(m["temperatures_k"]) for m, _, _ in panels)
    fig, axes = plt.subplots(len(panels), n_cols, figsize=(3.5 * n_cols, 3.0 * len(panels)),
                             squeeze=False, constrained_layout=True)  # fmt: skip
    vals = np.concatenate([np.abs(m[k]).ravel() for m, k, _ in panels])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    norm = LogNorm(vmin=vmin if vmin is not None else vals.min(),
                   vmax=vmax if vmax is not None else vals.max())  # fmt: skip
    base = plt.get_cmap("viridis")
    cmap = base.with_extremes(over="lightgrey", under=base(0.0))
    mesh = None
    for row, (m, key, row_label) in enumerate(panels):
        ne, de = _edges(m["densities_cm2"]), _edges(m["spacings_nm"])
        for col, t in enumerate(m["temperatures_k"]):
            ax = axes[row, col]
            z = np.abs(m[key][col])
            mesh = ax.pcolormesh(ne, de, np.where(z > 0, z, np.nan), norm=norm, cmap=cmap)
            if not np.isfinite(z).any():
                ax.text(0.5, 0.5, "ℓ_ee > d at every point", transform=ax.transAxes,
                        ha="center", va="center", fontsize=8)  # fmt: skip
            hyd = m["hydrodynamic"][col]
            for i_d, i_n in zip(*np.nonzero(hyd), strict=True):
                ax.add_patch(plt.Rectangle((ne[i_n], de[i_d]), ne[i_n + 1] - ne[i_n],
                                           de[i_d + 1] - de[i_d], fill=False, ec="red",
                                           lw=2))  # fmt: skip
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"{m['material']}, T = {t:g} K" + (f", {row_label}" if row_label else ""),
                         fontsize=8)
            ax.set_xlabel("density per layer n (cm⁻²)", fontsize=8)
            ax.set_ylabel("spacing d (nm)", fontsize=8)
    fig.colorbar(mesh, ax=axes, label=label, shrink=0.6, extend="max" if over else "neither")
    if over:
        title += "\n" + over
    fig.suptitle(title, fontsize=9)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _window_text(s: dict) -> str:
    """Whether the paper's hydrodynamic conditions hold at the D(χ) point, with the numbers."""
    wt, tf, lo = s["omega_p_tau_ee"], s["t_over_fermi"], s["t_lower_over_fermi"]
    ok = wt <= 1 and lo < tf < 1
    return (("inside" if ok else "OUTSIDE") + " the paper's hydrodynamic window: "
            f"ω_pτ_ee = {wt:.2g} ({'≤' if wt <= 1 else '>'} 1), T/E_F = {tf:.2g} "
            f"({'inside' if lo < tf < 1 else 'outside'} ((k_Fd)^-¼, 1) = ({lo:.2g}, 1))"
            )  # fmt: skip


def _sign_note(maps: Sequence[dict], key: str) -> str:
    v = np.concatenate([np.asarray(m[key]).ravel() for m in maps])
    if (v < 0).all():
        return "negative at every point of the map"
    if (v > 0).all():
        return "positive at every point of the map"
    return f"sign changes: {int((v > 0).sum())} points positive, {int((v < 0).sum())} negative"


def regime_figures(maps: Sequence[dict], chi_scan: dict, out) -> list:
    """:data:`FIGURE_NAMES` in the directory ``out`` (which must exist): the nonlinear
    correction |aΘ| and the nonreciprocal ρ_D per unit χ over (n, d) for each material and T
    (hydrodynamic cells outlined in red), and ρ_D(χ) of a GaAs bilayer with and without the
    one-loop correction."""
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    panels = []
    for m in maps:
        lee = np.where(m["lee_over_d"] < 1.0, m["a_theta_lee"], np.nan)
        panels += [(m, "a_theta", "cell ℓ = d"), ({**m, "lee": lee}, "lee", "cell ℓ = ℓ_ee")]
    hydro = ("Red squares: the paper's hydrodynamic conditions hold (ω_pτ_ee ≤ 1 and "
             "E_F/(k_Fd)^¼ < T < E_F; σ = e²/ħ, η = ħn(E_F/T)², τ_ee = ħE_F/T²)")  # fmt: skip
    paths = [
        _map_panels(plt, panels, "|aΘ| = |D/D_linear − 1| (one loop)",
                    "Nonlinear correction of the drag at one loop, |aΘ| (χ = 0.1)\nat two "
                    "hydrodynamic cutoffs: cell ℓ = d (computed) and ℓ = ℓ_ee (a ∝ 1/ℓ², an upper "
                    "estimate; white: ℓ_ee > d)\n" + hydro,
                    out / FIGURE_NAMES[0], vmin=1e-6, vmax=1.0,
                    over="grey: |aΘ| > 1, beyond one loop (and beyond the "
                         "perturbative expansion in Θ)"),
        _map_panels(plt, [(m, "nonreciprocal_ohm_per_chi", "") for m in maps],
                    "|ρ_D(+χ) − ρ_D(−χ)|/χ  (Ω)",
                    "Nonreciprocal drag per unit χ, [ρ_D(χ₀) − ρ_D(−χ₀)]/χ₀ at χ₀ = 0.1, exact "
                    "linear model (" + _sign_note(maps, "nonreciprocal_ohm_per_chi") + ")\n"
                    + hydro, out / FIGURE_NAMES[1]),
    ]
    rows = chi_scan["rows"]
    chi = np.array([r["chi"] for r in rows])
    lin = np.array([r["rho_d_ohm"] for r in rows])
    one = np.array([r["rho_d_one_loop_ohm"] for r in rows])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    ax.plot(chi, lin, "o-", label="exact linear model")
    ax.plot(chi, one, "s--", mfc="none", label="with one-loop correction, ρ_D(1 + aΘ)")
    ax.set_xlabel("nonreciprocity χ = α v·B")
    ax.set_ylabel("drag resistivity ρ_D (Ω)")
    ax.legend(fontsize=8)
    bx.plot(chi, 100 * (one / lin - 1), "s-")
    bx.axhline(0, color="grey", lw=0.5)
    bx.set_xlabel("nonreciprocity χ = α v·B")
    bx.set_ylabel("one-loop correction aΘ (%)")
    s = chi_scan
    fig.suptitle(f"GaAs bilayer n = {s['density_cm2']:g} cm⁻², d = {s['spacing_nm']:g} nm, "
                 f"T = {s['temperature_k']:g} K (Θ = {s['theta']:.3g}, ς = {s['varsigma']:.3g}, "
                 f"β = {s['beta']:.3g}); cutoff cell ℓ = d\n{_window_text(s)}",
                 fontsize=9)  # fmt: skip
    p = out / FIGURE_NAMES[2]
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)
    return paths
