"""The main job: run every comparison the package has and write one report.

For now the report holds the reference table and figures of f and g; the hydrodynamic,
Langevin and Monte Carlo comparisons join it as they land.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUTPUT = Path("drag-report")


def run_main_job(args: argparse.Namespace | None = None) -> int:
    """Write the report into ``./drag-report`` (tables on stdout, figures as PNG)."""
    from validate import cli_fg

    out = DEFAULT_OUTPUT
    out.mkdir(parents=True, exist_ok=True)
    print(f"main job: writing the report into {out.resolve()}")
    fg_args = argparse.Namespace(**cli_fg.DEFAULTS, output=str(out / "fg"))
    return cli_fg.run(fg_args)
