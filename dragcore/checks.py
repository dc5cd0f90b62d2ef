"""Input checks with one error format: the parameter, its value and the allowed range.

Every public function of the package validates its physical inputs through these helpers,
so that a user always sees, e.g.::

    ValueError: varsigma = -0.5 is outside the allowed range (0, inf)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["require_range", "require_positive", "require_finite", "as_float_array"]


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
