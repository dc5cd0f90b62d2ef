"""``python -m validate fg`` (placeholder until f and g land)."""

from __future__ import annotations

import argparse

DEFAULTS: dict = {}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    print("f and g are not implemented yet")
    return 0
