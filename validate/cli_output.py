"""What the table-and-figures commands of ``python -m validate`` share: options that take a
list of numbers, and the output of a result (JSON, or the printed table and the figures)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

__all__ = ["add_list_options", "print_result"]


def add_list_options(
    parser: argparse.ArgumentParser, defaults: dict, options: Iterable[tuple[str, str, str]]
) -> None:
    """One ``--name`` option per ``(name, metavar, help)`` of ``options`` (``name`` with
    underscores, as in ``defaults``), taking one or more numbers, default ``defaults[name]``."""
    for option, metavar, text in options:
        parser.add_argument("--" + option.replace("_", "-"), type=float, nargs="+",
                            default=defaults[option], metavar=metavar, help=text)  # fmt: skip


def print_result(
    result: dict, figures: Sequence[Path], as_json: bool, print_table: Callable[[dict], None]
) -> None:
    """``result``, with the paths of ``figures`` under ``"figures"``, as JSON (``as_json``) or
    by ``print_table`` followed by a line per figure written."""
    from dragcore.cli import dump_json

    result["figures"] = [str(p) for p in figures]
    if as_json:
        print(dump_json(result))
        return
    print_table(result)
    for p in figures:
        print(f"wrote {p}")
