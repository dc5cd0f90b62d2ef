"""Command-line plumbing shared by ``python -m langevin|montecarlo|validate``.

Sub-commands live in their own modules and are imported lazily, so that ``--help`` is fast
and a broken optional piece does not take the others down. User errors (``ValueError``, and
``OSError``/``MemoryError`` from the files and sizes the user chose) end the program with
exit code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dragcore import __version__
from dragcore.checks import one_line_os_error

__all__ = [
    "Subcommand",
    "run_program",
    "dump_json",
    "add_table_and_figure_options",
    "read_config_text",
]


@dataclass(frozen=True)
class Subcommand:
    """A sub-command implemented in ``module`` by ``add_arguments(parser)`` and ``run(args)``."""

    name: str
    module: str
    help: str


def _load(sub: Subcommand):
    return importlib.import_module(sub.module)


def build_parser(
    prog: str,
    description: str,
    subcommands: Sequence[Subcommand],
    default_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    if default_arguments is not None:  # the options of the command without a sub-command
        default_arguments(parser)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    for sub in subcommands:
        p = subs.add_parser(sub.name, help=sub.help, description=sub.help)
        _load(sub).add_arguments(p)
        p.set_defaults(_sub=sub)
    return parser


def run_program(
    prog: str,
    description: str,
    subcommands: Sequence[Subcommand],
    argv: Sequence[str] | None = None,
    default: Callable[[argparse.Namespace], int | None] | None = None,
    default_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """Parse ``argv``, run the chosen sub-command and turn ``ValueError`` into exit code 2.
    ``default_arguments`` adds the options of ``default`` (the command without a
    sub-command) to the top-level parser."""
    parser = build_parser(prog, description, subcommands, default_arguments)
    args = parser.parse_args(argv)
    try:
        if getattr(args, "_sub", None) is None:
            if default is None:
                parser.print_help()
                return 0
            return int(default(args) or 0)
        return int(_load(args._sub).run(args) or 0)
    except ValueError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{prog}: error: out of memory: reduce the size options", file=sys.stderr)
        return 2
    except OSError as exc:  # a file the user named: missing, unreadable, unwritable
        print(f"{prog}: error: {one_line_os_error(exc)}", file=sys.stderr)
        return 2


def _to_jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def dump_json(obj) -> str:
    """JSON text of nested dicts/lists with numpy scalars and arrays converted."""
    return json.dumps(_to_jsonable(obj), indent=2, allow_nan=True)


def add_table_and_figure_options(parser: argparse.ArgumentParser, default_output: str) -> None:
    """``--output DIR`` (figures), ``--json``, ``--no-figures`` of a table-and-figures command."""
    parser.add_argument(
        "--output",
        default=default_output,
        metavar="DIR",
        help=f"directory for the PNG figures (default: {default_output})",
    )
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--no-figures", action="store_true", help="do not write the figures")


def read_config_text(path: str) -> str:
    """The text of the configuration file ``path``; one that cannot be read raises a
    ``ValueError`` naming it (``config = 'x.toml' is outside the allowed range …``)."""
    try:
        return Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"config = {path!r} is outside the allowed range (cannot be read: "
            f"{getattr(exc, 'strerror', None) or exc})"
        ) from None
