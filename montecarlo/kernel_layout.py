"""The layout of the collision kernel's float parameter vector: named offsets, pack, unpack.

One vector per run (:func:`montecarlo.collision.collision_params`): a header of named slots
(:data:`PARAMETER_LAYOUT`), the active layer's table (``table_size`` values; the Weyl film's
Re Π part, a placeholder elsewhere) and, with ``screening="finite_T"``, the screening block
(:data:`SCREENING_LAYOUT` and the Ψ tables). The kernels read the vector only through the
offsets of this module (``SPACING``, ``MU_P``, ``TABLE_OFFSET``, ``PSI_P_LO`` …), never
through literal numbers. The vector is part of a run's identity
(:func:`montecarlo.checkpoint.run_identity`): its bits do not change with the code around it.
"""

from __future__ import annotations

import numpy as np

from dragcore.jit import jit

__all__ = [
    "PARAMETER_LAYOUT",
    "SLOT",
    "TABLE_OFFSET",
    "SCREENING_LAYOUT",
    "SCREEN_SLOT",
    "SCREEN_HEAD",
    "pack_parameters",
    "unpack_parameters",
    "unpack_screening",
    "screen_parts",
]

PARAMETER_LAYOUT: tuple[str, ...] = (
    "spacing",  # d
    "T",
    "e2",  # e²/ε
    "mu_p",  # passive metal: μ(T), m, g_s, k_F
    "mass_p",
    "g_p",
    "kF_p",
    "active_path",  # the active layer's sampling path (registry code; not read by the kernels)
    "mu_a",  # active layer: ε_F (η∥⁽¹⁾'s normalisation; metal: μ(T)), v_F, (metal: m, g_s, k_F;
    # film: C, W N_nodes, node prefactor, A)
    "v_a",
    "mass_a",
    "g_a",
    "kF_a",
    "tilt",
    "sheet",
    "node_prefactor",
    "boost",
    "tau_a",  # the film's elastic time τ at ε_F (the e–e–impurity skew rates W⁽¹⁾, W⁽²⁾)
    "mu_occ_a",  # the active layer's occupations: μ(T) at its fixed density
    "table_size",  # the active layer's table follows the header
)
"""Names of the header slots of the kernel's float parameter vector, in order; the active
layer's table (``table_size`` values) follows at :data:`TABLE_OFFSET`."""

SLOT = {name: i for i, name in enumerate(PARAMETER_LAYOUT)}
TABLE_OFFSET = len(PARAMETER_LAYOUT)

# the header's offsets, by name (the kernels' only way into the vector)
SPACING, TEMPERATURE, E2 = SLOT["spacing"], SLOT["T"], SLOT["e2"]
MU_P, MASS_P, G_P, KF_P = SLOT["mu_p"], SLOT["mass_p"], SLOT["g_p"], SLOT["kF_p"]
ACTIVE_PATH, MU_A, V_A = SLOT["active_path"], SLOT["mu_a"], SLOT["v_a"]
MASS_A, G_A, KF_A = SLOT["mass_a"], SLOT["g_a"], SLOT["kF_a"]
TILT, SHEET, NODE_PREFACTOR = SLOT["tilt"], SLOT["sheet"], SLOT["node_prefactor"]
BOOST, TAU_A, MU_OCC_A = SLOT["boost"], SLOT["tau_a"], SLOT["mu_occ_a"]
TABLE_SIZE = SLOT["table_size"]

SCREENING_LAYOUT: tuple[str, ...] = (
    "pi_factor_a",  # Π_T/Π₀ of the active layer where that is a constant (the film), else 1
    "psi_p_lo",  # passive metal's Ψ table: first node K₀, step h, nodes n, tail c₁, c₃
    "psi_p_step",
    "psi_p_size",
    "psi_p_c1",
    "psi_p_c3",
    "psi_a_lo",  # the active metal's (size 0 for the film)
    "psi_a_step",
    "psi_a_size",
    "psi_a_c1",
    "psi_a_c3",
)
"""Header of the screening block, present only with ``screening="finite_T"``: it follows the
active layer's table, and the tables Ψ_p, Ψ_a (``2 × size`` values each, Re and Im
interleaved) follow it (:func:`montecarlo.collision.screening_block`). With ``"T0"`` the
vector has no block."""

SCREEN_SLOT = {name: i for i, name in enumerate(SCREENING_LAYOUT)}
SCREEN_HEAD = len(SCREENING_LAYOUT)
PI_FACTOR_A = SCREEN_SLOT["pi_factor_a"]
PSI_P_LO, PSI_P_STEP, PSI_P_SIZE = (SCREEN_SLOT[f"psi_p_{k}"] for k in ("lo", "step", "size"))
PSI_P_C1, PSI_P_C3 = SCREEN_SLOT["psi_p_c1"], SCREEN_SLOT["psi_p_c3"]
PSI_A_LO, PSI_A_STEP, PSI_A_SIZE = (SCREEN_SLOT[f"psi_a_{k}"] for k in ("lo", "step", "size"))
PSI_A_C1, PSI_A_C3 = SCREEN_SLOT["psi_a_c1"], SCREEN_SLOT["psi_a_c3"]


def pack_parameters(
    values: dict[str, float], table: np.ndarray, screening: dict | None = None
) -> np.ndarray:
    """The kernel's parameter vector from ``values`` (every name of :data:`PARAMETER_LAYOUT`
    except ``table_size``, which is the table's length) and the active layer's table; with
    ``screening`` (``"values"``: every name of :data:`SCREENING_LAYOUT`, sizes from the
    tables; ``"psi_p"``, ``"psi_a"``: complex Ψ tables) the screening block is appended."""
    table = np.asarray(table, dtype=float)
    missing = set(PARAMETER_LAYOUT) - set(values) - {"table_size"}
    extra = set(values) - set(PARAMETER_LAYOUT)
    if missing or extra:
        raise ValueError(
            f"collision parameters: missing {sorted(missing)}, unknown {sorted(extra)}"
        )
    head = np.array([float(values.get(n, table.size)) for n in PARAMETER_LAYOUT])
    head[TABLE_SIZE] = table.size
    parts = [head, table]
    if screening is not None:
        sv = dict(screening["values"])
        tabs = [np.asarray(screening[k], dtype=complex) for k in ("psi_p", "psi_a")]
        sv["psi_p_size"], sv["psi_a_size"] = float(tabs[0].size), float(tabs[1].size)
        if set(sv) != set(SCREENING_LAYOUT):
            raise ValueError(f"screening parameters: {sorted(set(sv) ^ set(SCREENING_LAYOUT))}")
        parts.append(np.array([float(sv[n]) for n in SCREENING_LAYOUT]))
        parts += [np.stack([t.real, t.imag], -1).ravel() for t in tabs]
    return np.concatenate(parts)


def unpack_parameters(params: np.ndarray) -> tuple[dict[str, float], np.ndarray]:
    """(name → value, table) of a parameter vector (inverse of :func:`pack_parameters`; the
    screening block, if any, is :func:`unpack_screening`'s)."""
    params = np.asarray(params, dtype=float)
    n_tab = int(params[TABLE_SIZE])
    end = TABLE_OFFSET + n_tab
    if params.size != end and not (
        params.size > end + SCREEN_HEAD and params.size == end + _screen_length(params[end:])
    ):
        raise ValueError(
            f"collision parameter vector of {params.size} values; the layout needs "
            f"{TABLE_OFFSET} + table_size = {TABLE_OFFSET + n_tab} (+ a screening block)"
        )
    return {n: float(params[i]) for i, n in enumerate(PARAMETER_LAYOUT)}, params[TABLE_OFFSET:end]


def _screen_length(block: np.ndarray) -> int:
    return SCREEN_HEAD + 2 * (int(block[PSI_P_SIZE]) + int(block[PSI_A_SIZE]))


def unpack_screening(params: np.ndarray) -> dict | None:
    """The screening block of a parameter vector as :func:`pack_parameters` takes it
    (``"values"``, ``"psi_p"``, ``"psi_a"``), or None (``screening="T0"``)."""
    params = np.asarray(params, dtype=float)
    end = TABLE_OFFSET + int(params[TABLE_SIZE])
    if params.size == end:
        return None
    block = params[end:]
    values = {n: float(block[i]) for i, n in enumerate(SCREENING_LAYOUT)}
    n_p = int(values["psi_p_size"])
    flat = block[SCREEN_HEAD:]
    psi_p = flat[: 2 * n_p : 2] + 1j * flat[1 : 2 * n_p : 2]
    rest = flat[2 * n_p :]
    psi_a = rest[::2] + 1j * rest[1::2]
    return {"values": values, "psi_p": psi_p, "psi_a": psi_a}


@jit(forceinline=True)
def screen_parts(params):  # pragma: no cover - compiled
    """(screened, factor_a, (Ψ_p table, lo, h, n, c₁, c₃), (Ψ_a table, lo, h, n, c₁, c₃)) of
    the screening block of ``params`` (see :data:`SCREENING_LAYOUT`); without a block
    (``"T0"``) ``screened`` is False, the factor 1 and the tables empty."""
    end = TABLE_OFFSET + int(params[TABLE_SIZE])
    screened = params.size > end
    b = params[end:] if screened else np.zeros(SCREEN_HEAD)
    n_p, n_a = int(b[PSI_P_SIZE]), int(b[PSI_A_SIZE])
    tab_p = b[SCREEN_HEAD : SCREEN_HEAD + 2 * n_p]
    tab_a = b[SCREEN_HEAD + 2 * n_p : SCREEN_HEAD + 2 * n_p + 2 * n_a]
    psi_p = (tab_p, b[PSI_P_LO], b[PSI_P_STEP], n_p, b[PSI_P_C1], b[PSI_P_C3])
    psi_a = (tab_a, b[PSI_A_LO], b[PSI_A_STEP], n_a, b[PSI_A_C1], b[PSI_A_C3])
    factor_a = b[PI_FACTOR_A] if screened else 1.0
    return screened, factor_a, psi_p, psi_a
