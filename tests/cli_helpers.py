"""The command lines as the tests call them in-process: ``main(argv)`` of each simulator."""

from __future__ import annotations


def langevin_main(argv: list[str]) -> int:
    """``python -m langevin ARGV`` in this process; its exit code."""
    from langevin.__main__ import main

    return main(argv)


def montecarlo_main(argv: list[str]) -> int:
    """``python -m montecarlo ARGV`` in this process; its exit code."""
    from montecarlo.__main__ import main

    return main(argv)
