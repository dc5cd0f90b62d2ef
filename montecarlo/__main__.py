"""``python -m montecarlo COMMAND``."""

from __future__ import annotations

import sys

from dragcore.cli import Subcommand, run_program

SUBCOMMANDS: list[Subcommand] = [
    Subcommand("run", "montecarlo.cli_run", "drag coefficients by collision-integral Monte Carlo"),
    Subcommand("inspect", "montecarlo.cli_inspect", "summary of a run file (HDF5)"),
]


def _coming(args) -> int:
    print("python -m montecarlo: no command yet; see README.md for what is coming.")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_program(
        "python -m montecarlo", __doc__.splitlines()[0], SUBCOMMANDS, argv, default=_coming
    )


if __name__ == "__main__":
    sys.exit(main())
