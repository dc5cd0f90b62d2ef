"""Bit casts between ``int64`` and ``float64`` and the IEEE square root, as numba intrinsics.

Each lowers to one LLVM instruction (``bitcast``, ``llvm.sqrt.f64``), so a loop that calls
them still vectorises; :mod:`dragcore.elementary` builds its range reductions on them. They
work inside jitted code only.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["bits_from_float", "float_from_bits", "sqrt"]

# ----------------------------------------------------------------------------------------------
# Bit casts.


@intrinsic
def float_from_bits(typingctx, bits):  # noqa: ARG001  (numba's intrinsic signature)
    """Reinterpret the 64 bits of an ``int64`` as a ``float64`` (LLVM ``bitcast``; jit only).

    ``float_from_bits((n + 1023) << 52)`` is ``2.0**n`` for integer ``-1022 <= n <= 1023``.
    """
    if bits != types.int64:
        return None
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@intrinsic
def bits_from_float(typingctx, value):  # noqa: ARG001
    """Reinterpret the 64 bits of a ``float64`` as an ``int64`` (LLVM ``bitcast``; jit only).

    For a positive normal ``x``, ``(bits >> 52) - 1023`` is its binary exponent and
    ``bits & (2**52 - 1)`` its fraction field.
    """
    if value != types.float64:
        return None
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def sqrt(typingctx, value):  # noqa: ARG001
    """Correctly rounded √x through the ``llvm.sqrt`` intrinsic (jit only; vectorisable).

    numba lowers ``math.sqrt`` to a call of libm's ``sqrt``, which LLVM must assume may set
    ``errno``: a loop calling it is not vectorised. ``llvm.sqrt`` is the IEEE operation
    (one ``vsqrtpd`` per 8 lanes): the same correctly rounded bits as ``math.sqrt``;
    ``sqrt(x < 0) = nan``, ``sqrt(-0) = -0``, ``sqrt(inf) = inf`` (tested).
    """
    if value != types.float64:
        return None
    sig = types.float64(types.float64)

    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.DoubleType(), [ir.DoubleType()])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.sqrt.f64")
        return builder.call(fn, args)

    return sig, codegen
