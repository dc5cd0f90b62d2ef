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


def run_toml(
    name: str, *, paper: bool = False, drift: float = 0.01, theta: float | None = None
) -> str:
    """One langevin ``[[run]]`` table at the tests' bilayer, ς = 0.15 and β = χ = 0.1.

    Parameters
    ----------
    name
        The run's name.
    paper
        Add ``paper_approximations = true``.
    drift
        The drift u = v/(ω_p d).
    theta
        The fluctuation strength Θ; given, the run is ``model = "nonlinear"``.
    """
    lines = ["[[run]]", f'name = "{name}"']
    if theta is not None:
        lines.append('model = "nonlinear"')
    if paper:
        lines.append("paper_approximations = true")
    lines += ["varsigma = 0.15", "beta = 0.1", "chi = 0.1", f"drift = {drift}"]
    if theta is not None:
        lines.append(f"theta = {theta}")
    return "\n".join(lines) + "\n"


def exact_paper_toml(*, n_realisations: int, n_steps: int, block_steps: int) -> str:
    """A small exact-scheme langevin configuration (8 × 8 grid of side 8 d, Δt = 2, seed 5)
    with the one ``paper`` run of :func:`run_toml`, written to ``out.h5``."""
    return (
        'output = "out.h5"\nseed = 5\n[grid]\nn = 8\nlength = 8.0\n'
        f'[stepper]\nscheme = "exact"\ndt = 2.0\nn_realisations = {n_realisations}\n'
        f"n_steps = {n_steps}\nblock_steps = {block_steps}\n" + run_toml("paper", paper=True)
    )
