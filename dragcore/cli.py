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
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dragcore import __version__
from dragcore.checks import ResultAlreadyComplete, one_line_os_error

__all__ = [
    "Subcommand",
    "run_program",
    "dump_json",
    "add_table_and_figure_options",
    "read_config_text",
    "require_writable_dir",
    "inspect_file",
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
    except ResultAlreadyComplete as exc:  # a requeued --resume of a finished run
        if exc.show:
            print(f"{prog}: {exc}", file=sys.stderr)
        return 0
    except BrokenPipeError:  # the reader of stdout went away (``… | head``): not an error
        _silence_stdout()
        return 0
    except ValueError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            f"{prog}: error: out of memory during the run (the up-front size checks passed; "
            "reduce the grid or sample sizes)",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:  # a file the user named: missing, unreadable, unwritable
        print(f"{prog}: error: {one_line_os_error(exc)}", file=sys.stderr)
        return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _to_jsonable(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None  # JSON has no NaN or infinity: null
    if isinstance(obj, dict):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _to_jsonable(obj.item())
    return obj


def dump_json(obj) -> str:
    """JSON text of nested dicts/lists with numpy scalars and arrays converted; NaN and
    infinities become ``null`` (valid JSON, which has neither)."""
    return json.dumps(_to_jsonable(obj), indent=2, allow_nan=False)


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
    ``ValueError`` naming it and why (``config = 'x.toml': no such file (allowed: an
    existing, readable UTF-8 TOML file)``)."""
    allowed = "(allowed: an existing, readable UTF-8 TOML file)"
    p = Path(path)
    if not p.exists():
        raise ValueError(f"config = {path!r}: no such file {allowed}")
    if p.is_dir():
        raise ValueError(f"config = {path!r}: a directory, not a file {allowed}")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"config = {path!r}: not UTF-8 text {allowed}") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueError(f"config = {path!r}: cannot be read ({reason}) {allowed}") from None


def require_writable_dir(name: str, path: str | os.PathLike) -> Path:
    """Check, before any computing and without creating anything, that the directory
    ``path`` exists and is writable or can be created (its nearest existing ancestor is a
    writable directory); ``ValueError`` naming ``name`` otherwise."""
    text = str(path)
    if not text.strip():
        raise ValueError(f"{name} = {text!r} is outside the allowed range (a directory path)")
    p = Path(path).absolute()
    allowed = "(allowed: a writable directory, or a new one in a writable directory)"
    probe = p
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise ValueError(f"{name} = {text!r}: {str(probe)!r} is not a directory {allowed}")
    try:  # a real probe (root passes os.access everywhere): a directory made and removed
        made = tempfile.mkdtemp(prefix=".write-probe-", dir=probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueError(f"{name} = {text!r}: {str(probe)!r} is not writable ({reason}) "
                         f"{allowed}") from None  # fmt: skip
    os.rmdir(made)
    return p


def inspect_file(
    file: str, describe: Callable[[Path], dict], show: Callable[[dict], None], as_json: bool
) -> int:
    """An ``inspect`` command: ``describe(file)`` printed by ``show`` or as JSON (exit 0).

    h5py's errors on a damaged file (``RuntimeError``, ``KeyError``, ``TypeError``) become one
    ``ValueError`` naming the file, not a traceback."""
    try:
        summary = describe(Path(file))
    except (RuntimeError, KeyError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(
            f"file = {file!r} cannot be read as a run file ({reason}); allowed: an intact file "
            "written by the run command"
        ) from None
    if as_json:
        print(dump_json(summary))
    else:
        show(summary)
    return 0
