"""Report rows of the Langevin simulation against the exact solution on the same grid
(:mod:`langevin`)."""

from __future__ import annotations

from dragcore.parallel import World
from validate.rows import FULL, Comparison, JobSize

__all__ = ["langevin_comparisons"]


def langevin_comparisons(w: World, size: JobSize = FULL) -> list[Comparison]:
    """Paper's default point (ς = 0.15, β = 0.1, χ = 0.1) on a 16×16 grid, exact-OU + CRN.

    The realisations are spread over the ranks of ``w`` (same bits on any rank count).
    """
    from langevin.checkpoint import run_distributed
    from langevin.comparison import ExactComparison
    from langevin.grid import PeriodicGrid
    from langevin.model import BilayerModel
    from langevin.params import BilayerParameters

    rows: list[Comparison] = []
    grid = PeriodicGrid(16, 8.0)
    cases = {
        "paper's approximations": BilayerParameters(
            varsigma=0.15, beta=0.1, chi=0.1, drift=0.02
        ).paper_approximations(),
        "all terms": BilayerParameters(varsigma=0.15, beta=0.1, chi=0.1, drift=0.02),
    }
    for label, params in cases.items():
        comparison = ExactComparison(
            BilayerModel(params), grid, "exact", 8.0, common_random_numbers=True
        )
        res = run_distributed(
            comparison.simulation, 2026, 4, size.langevin_steps, w=w, snapshots=False
        )
        if res is None:  # not rank 0
            continue
        res = comparison.compare(res)
        rows.append(
            Comparison(
                "Langevin vs exact",
                f"D, {label}, 16×16 grid, L = 8d",
                "Langevin, exact-OU steps, ±v common random numbers",
                res.mean,
                "Lyapunov on the same grid",
                res.exact,
                res.sdev,
                "statistical error (integrated autocorrelation)",
            )
        )
    return rows
