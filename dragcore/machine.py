"""What CPU a figure was measured on: model, LLVM target and vector extensions.

Every speed the package reports depends on the vector width that LLVM compiles numba's loops
to (4 doubles per instruction with AVX2, 8 with AVX-512), so a benchmark prints
:func:`cpu_label` beside each figure and the README states figures per :func:`cpu_class`.
The extensions are the ones LLVM sees on the host (``llvmlite.binding.get_host_cpu_features``),
i.e. the ones numba compiles for, not merely what ``/proc/cpuinfo`` lists.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

__all__ = [
    "cpu_model",
    "llvm_cpu_name",
    "vector_extensions",
    "cpu_class",
    "cpu_label",
    "best_seconds",
]

#: The extensions that decide how numba's loops vectorise, in the order they are printed.
VECTOR_EXTENSIONS = (
    "sse4.2",
    "avx",
    "fma",
    "avx2",
    "avx512f",
    "avx512dq",
    "avx512vl",
    "avx512bw",
)


@cache
def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``; ``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


@cache
def llvm_cpu_name() -> str:
    """The CPU name LLVM (hence numba) compiles for, e.g. ``znver4``, ``skylake-avx512``."""
    try:
        import llvmlite.binding as llvm

        return str(llvm.get_host_cpu_name())
    except Exception:  # noqa: BLE001 - an optional label, never a reason to fail
        return "unknown"


@cache
def vector_extensions() -> tuple[str, ...]:
    """The vector extensions of :data:`VECTOR_EXTENSIONS` that LLVM enables on this host."""
    try:
        import llvmlite.binding as llvm

        features = llvm.get_host_cpu_features()
        on = {name for name, enabled in features.items() if enabled}
    except Exception:  # noqa: BLE001 - fall back on the kernel's flag list
        on = set()
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("flags"):
                    on = {f.replace("_", ".") for f in line.split(":", 1)[1].split()}
                    break
        except OSError:
            pass
    return tuple(ext for ext in VECTOR_EXTENSIONS if ext in on)


def cpu_class() -> str:
    """``"AVX-512"``, ``"AVX2"``, ``"AVX"`` or ``"SSE"``: the class the README's figures use."""
    ext = vector_extensions()
    if "avx512f" in ext:
        return "AVX-512"
    if "avx2" in ext:
        return "AVX2"
    if "avx" in ext:
        return "AVX"
    return "SSE"


def cpu_label() -> str:
    """One line to print beside a figure, e.g.
    ``AMD EPYC (LLVM target znver3; AVX2: sse4.2 avx fma avx2)``."""
    return (
        f"{cpu_model()} (LLVM target {llvm_cpu_name()}; "
        f"{cpu_class()}: {' '.join(vector_extensions()) or 'no vector extension'})"
    )


def best_seconds(
    func: Callable[[], object], repeat: int = 5, clock: Callable[[], float] = time.perf_counter
) -> float:
    """The shortest of ``repeat`` timings of ``func()`` on ``clock`` (wall time by default;
    ``time.process_time`` for CPU time), in seconds: the benchmarks' figure on a shared machine."""
    best = float("inf")
    for _ in range(repeat):
        t0 = clock()
        func()
        best = min(best, clock() - t0)
    return best
