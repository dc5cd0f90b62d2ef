"""Input checks with one error format: the parameter, its value and the allowed range.

Every public function of the package validates its physical inputs through these helpers,
so that a user always sees, e.g.::

    ValueError: varsigma = -0.5 is outside the allowed range (0, inf)
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

__all__ = [
    "require_range",
    "require_positive",
    "require_finite",
    "as_float_array",
    "require_int",
    "require_real",
    "require_bool",
    "require_sane_estimate",
    "available_memory",
    "require_memory",
    "one_line_os_error",
    "require_run_names",
    "ResultAlreadyComplete",
]


def _fmt(x: float) -> str:
    return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"


def _range_text(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:
    return f"{'(' if lo_open else '['}{_fmt(lo)}, {_fmt(hi)}{')' if hi_open else ']'}"


def as_float_array(name: str, value: Any) -> np.ndarray:
    """Convert ``value`` to a float array, or raise ``ValueError`` naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} = {value!r} is not a real number") from exc
    return arr


def require_range(
    name: str,
    value: Any,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float array after checking ``lo <(=) value <(=) hi`` and not NaN.

    Parameters
    ----------
    name
        The parameter's name as the user knows it (used verbatim in the message).
    value
        Scalar or array.
    lo, hi
        Bounds; infinite bounds are always open.
    lo_open, hi_open
        Whether the bound itself is excluded.

    Raises
    ------
    ValueError
        ``"<name> = <value> is outside the allowed range <range>"`` for the first offending
        element (NaN is always outside).
    """
    arr = as_float_array(name, value)
    lo_open = lo_open or lo == -math.inf
    hi_open = hi_open or hi == math.inf
    ok = ~np.isnan(arr)
    ok &= (arr > lo) if lo_open else (arr >= lo)
    ok &= (arr < hi) if hi_open else (arr <= hi)
    if not np.all(ok):
        bad = float(arr[~ok].flat[0]) if arr.ndim else float(arr)
        raise ValueError(
            f"{name} = {bad!r} is outside the allowed range {_range_text(lo, hi, lo_open, hi_open)}"
        )
    return arr


def require_positive(name: str, value: Any, *, allow_zero: bool = False) -> np.ndarray:
    """``value > 0`` (or ``>= 0`` with ``allow_zero``), finite, not NaN."""
    return require_range(name, value, 0.0, math.inf, lo_open=not allow_zero, hi_open=True)


def require_finite(name: str, value: Any) -> np.ndarray:
    """Any finite real number (NaN and ±inf are rejected)."""
    arr = as_float_array(name, value)
    if not np.all(np.isfinite(arr)):
        bad = float(arr[~np.isfinite(arr)].flat[0]) if arr.ndim else float(arr)
        raise ValueError(f"{name} = {bad!r} is outside the allowed range (-inf, inf)")
    return arr


def require_int(name: str, value: Any, lo: float = -math.inf, hi: float = math.inf) -> int:
    """An integer (not a float such as 8.7 or 8.0, not a bool or a string) in ``[lo, hi]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} = {value!r} is outside the allowed range (an integer in "
                         f"{_range_text(lo, hi, lo == -math.inf, hi == math.inf)})")  # fmt: skip
    if not lo <= value <= hi:
        raise ValueError(
            f"{name} = {value!r} is outside the allowed range "
            f"{_range_text(lo, hi, lo == -math.inf, hi == math.inf)}"
        )
    return int(value)


def require_real(name: str, value: Any) -> float:
    """A real number given as a number (int or float; not a bool, string or list)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{name} = {value!r} is outside the allowed range (a real number)")
    return float(value)


def require_bool(name: str, value: Any) -> bool:
    """``true`` or ``false`` (not the string "no", not 0/1)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} = {value!r} is outside the allowed range (true or false)")
    return bool(value)


def require_sane_estimate(
    name: str,
    mean: float,
    sdev: float,
    *,
    chi2_dof: float | None = None,
    dof: int = 0,
    p_min: float = 1e-9,
) -> None:
    """A result fit to be reported: finite mean and error, and (with ``dof`` > 0) a finite
    χ²/dof whose probability ``P(χ² ≥ observed)`` is at least ``p_min`` (a χ²/dof of 3e15
    says the estimate or its error bar is wrong, not that the run was unlucky)."""
    if not (math.isfinite(mean) and math.isfinite(sdev)):
        raise ValueError(f"{name} = {mean!r} ± {sdev!r} is outside the allowed range (finite)")
    if chi2_dof is None or dof <= 0:
        return
    if not math.isfinite(chi2_dof):
        raise ValueError(f"{name}: chi2/dof = {chi2_dof!r} is outside the allowed range (finite)")
    from scipy import stats

    p = float(stats.chi2.sf(chi2_dof * dof, dof))
    if p < p_min:
        raise ValueError(
            f"{name}: chi2/dof = {chi2_dof:.3g} (dof = {dof}, P = {p:.1e}) is outside the "
            f"allowed range P >= {p_min:g} (the estimate or its error bar is wrong)"
        )


def available_memory() -> int:
    """Bytes of memory available to a new allocation (``MemAvailable``; physical otherwise)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def require_memory(name: str, value: Any, need_bytes: float, what: str = "") -> None:
    """Refuse (naming ``name = value``) a size whose estimated memory exceeds what is free."""
    have = available_memory()
    if need_bytes > 0.8 * have:
        raise ValueError(
            f"{name} = {value!r} is outside the allowed range (needs about "
            f"{need_bytes / 1e9:.3g} GB of memory{' for ' + what if what else ''}; "
            f"{have / 1e9:.3g} GB available)"
        )


def one_line_os_error(exc: OSError) -> str:
    """``file = '…' is outside the allowed range (reason)`` for an ``OSError``."""
    name = exc.filename if exc.filename is not None else "file"
    reason = exc.strerror or str(exc).split("(")[0].strip() or type(exc).__name__
    return f"file = {str(name)!r} is outside the allowed range ({reason})"


def require_run_names(names: list[Any], what: str = "[[run]] name") -> list[str]:
    """The names of a configuration's runs, checked as plain names before any computing.

    A name becomes a path component (a checkpoint sub-directory) and an HDF5 group: it must
    be a non-empty string without a path separator (``/``, ``\\``), NUL or control
    characters, not starting with ``.`` (so not ``.`` or ``..``), not ``manifest.json``,
    and unique. ``None`` (no name given) becomes ``run<i>``.

    Raises
    ------
    ValueError
        ``[[run]] name = '..' is outside the allowed range (…)`` for the first bad name.
    """
    out: list[str] = []
    for i, name in enumerate(names):
        if name is None:
            name = f"run{i}"
        if not isinstance(name, str):
            raise ValueError(f"{what} = {name!r} is outside the allowed range (a string)")
        bad = (
            name in ("", ".", "..", "manifest.json")
            or name.startswith(".")
            or any(c in name for c in ("/", "\\", "\0", os.sep))
            or name != name.strip()
            or any(not c.isprintable() for c in name)
        )
        if bad:
            raise ValueError(
                f"{what} = {name!r} is outside the allowed range (a plain name: not empty, "
                "not starting with '.', no '/' or '\\', no surrounding spaces or control "
                "characters)"
            )
        if name in out:
            raise ValueError(
                f"{what} = {name!r} is outside the allowed range (names must be unique: "
                "it is used twice)"
            )
        out.append(name)
    return out


class ResultAlreadyComplete(Exception):  # noqa: N818 - a signal, not an error
    """A resumed run whose result was already written: nothing to compute.

    The command line prints the message as one line and exits with code 0 (a requeued job
    whose previous attempt finished is not a failure). ``show`` is false on the ranks that
    should stay quiet.
    """

    def __init__(self, message: str, show: bool = True) -> None:
        super().__init__(message)
        self.show = show
