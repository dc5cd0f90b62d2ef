"""matplotlib for the validation figures: pyplot on the file backend, and writing a figure."""

from __future__ import annotations

from pathlib import Path


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path, dpi: int, tight_layout: bool = True) -> None:
    """Write ``fig`` to ``path`` at ``dpi`` (after ``fig.tight_layout()`` unless told not
    to) and close it."""
    if tight_layout:
        fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    pyplot().close(fig)
