"""Run parameters declared once: a table from which a command's options, its TOML keys and
their checks, its default TOML text, the units of the stored parameters and the stored values
are derived.

A :class:`RunParameter` holds everything about one parameter (name, TOML table and key,
type, default, unit, help, allowed range); a :class:`ParameterTable` is the ordered list of a
simulator's parameters. :func:`config_class` turns a class holding only methods into a frozen
dataclass with one field per table entry, so adding a parameter is one table row::

    TABLE = ParameterTable([
        RunParameter("T", "bilayer", "real", 10.0, "K", "temperature, K", Range(0.0, lo_open=True)),
        RunParameter("seed", "", "int", 0, "1", "seed of the random streams", Range(0)),
    ])

    @config_class(TABLE)
    class RunConfig:
        def check(self) -> None:
            TABLE.check(self)

Errors name the parameter, its value and the allowed range
(``T = -1.0 is outside the allowed range (0, inf)``), as :mod:`dragcore.checks` does.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the standard library has no TOML reader
    tomllib = None

from dragcore.checks import require_bool, require_int, require_real

__all__ = [
    "Allowed",
    "Range",
    "OneOf",
    "NonBlank",
    "RunParameter",
    "ParameterTable",
    "config_class",
    "toml_literal",
]

#: The Python type of each parameter kind.
KINDS: dict[str, type] = {"int": int, "real": float, "bool": bool, "str": str}


def _bound(x: float) -> str:
    if isinstance(x, int):
        return str(x)
    return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"


class Allowed:
    """An allowed range: ``text`` says it, ``ok`` tests a value; calling it refuses a value
    outside, naming the parameter (``label``), the value and the range."""

    text: str

    def ok(self, value: Any) -> bool:
        raise NotImplementedError

    def __call__(self, label: str, value: Any) -> None:
        if not self.ok(value):
            raise ValueError(f"{label} = {value!r} is outside the allowed range {self.text}")


@dataclass(frozen=True)
class Range(Allowed):
    """``lo <(=) value <(=) hi``; infinite bounds are open. Integer bounds print exactly."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False

    @property
    def text(self) -> str:
        lo_open = self.lo_open or self.lo == -math.inf
        hi_open = self.hi_open or self.hi == math.inf
        left, right = "(" if lo_open else "[", ")" if hi_open else "]"
        return f"{left}{_bound(self.lo)}, {_bound(self.hi)}{right}"

    def ok(self, value: Any) -> bool:
        above = value > self.lo if (self.lo_open or self.lo == -math.inf) else value >= self.lo
        below = value < self.hi if (self.hi_open or self.hi == math.inf) else value <= self.hi
        return bool(above and below)  # NaN fails both

    def __call__(self, label: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                value = float(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{label} = {value!r} is outside the allowed range (a real "
                                 f"number in {self.text})") from exc  # fmt: skip
        super().__call__(label, value if isinstance(value, int) else float(value))


@dataclass(frozen=True)
class OneOf(Allowed):
    """One of ``choices`` (the command line's ``choices``)."""

    choices: tuple

    @property
    def text(self) -> str:
        return str(list(self.choices))

    def ok(self, value: Any) -> bool:
        return value in self.choices


@dataclass(frozen=True)
class NonBlank(Allowed):
    """A string that is not empty or blank (``what`` says what it names: a file name)."""

    what: str

    @property
    def text(self) -> str:
        return f"({self.what})"

    def ok(self, value: Any) -> bool:
        return bool(str(value).strip())


@dataclass(frozen=True)
class RunParameter:
    """One run parameter, declared once.

    Attributes
    ----------
    name
        The field of the run's configuration object.
    table
        The TOML table (``""``: top level; ``None``: not in the configuration file).
    kind
        ``"int"``, ``"real"``, ``"bool"`` or ``"str"`` (TOML type and command-line type).
    default
        The default; ``None``: not set (the run decides, e.g. the preset's spacing).
    unit
        Unit of the stored value (``"1"``: dimensionless, ``""``: a name).
    help
        One line: the TOML comment and the command-line help.
    check
        The allowed range (:class:`Range`, :class:`OneOf`, :class:`NonBlank`); ``None``: any
        value of the kind. ``None`` as a value is never checked.
    description
        The stored parameter's description (default: ``help``).
    key
        TOML key (default: ``name``).
    option
        Command-line option (default ``--name`` with ``-`` for ``_``; ``None``: none). A
        ``bool`` option is a flag that sets the opposite of the default.
    stored
        Name in the run file's stored parameters (default: ``name``; ``None``: not stored).
    label
        Name in range errors (default: ``name``; e.g. the paper's symbol ``C``).
    example
        Value shown, commented out, in the TOML text when ``default`` is ``None``.
    argument
        The keyword under which the run hands the value to what it builds from its table
        (:meth:`ParameterTable.arguments`; ``None``: not handed on that way).
    """

    name: str
    table: str | None
    kind: str
    default: Any
    unit: str = ""
    help: str = ""
    check: Allowed | None = None
    description: str = ""
    key: str = ""
    option: str | None = ""
    stored: str | None = ""
    label: str = ""
    example: Any = None
    argument: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind = {self.kind!r} is outside the allowed range {list(KINDS)}")
        derived = {
            "description": self.description or self.help,
            "key": self.key or self.name,
            "option": "--" + self.name.replace("_", "-") if self.option == "" else self.option,
            "stored": self.name if self.stored == "" else self.stored,
            "label": self.label or self.name,
        }
        for attr, value in derived.items():
            object.__setattr__(self, attr, value)

    @property
    def choices(self) -> tuple | None:
        return self.check.choices if isinstance(self.check, OneOf) else None

    def check_value(self, value: Any) -> None:
        """Refuse ``value`` outside the allowed range (``None`` passes: not set)."""
        if value is not None and self.check is not None:
            self.check(self.label, value)

    def typed(self, where: str, value: Any) -> Any:
        """``value`` as read from TOML, of this parameter's kind (``where``: ``[table] key``)."""
        if self.kind == "int":
            value = require_int(where, value, -math.inf, math.inf)
        elif self.kind == "real":
            value = require_real(where, value)
        elif self.kind == "bool":
            value = require_bool(where, value)
        elif not isinstance(value, str):
            raise ValueError(f"{where} = {value!r} is outside the allowed range (a string)")
        if self.choices is not None:
            OneOf(self.choices)(where, value)
        return value

    def toml_line(self) -> str:
        """``key = value  # help``, commented out when there is no default."""
        value = self.example if self.default is None else self.default
        line = f"{self.key} = {toml_literal(value)}"
        if self.default is None:
            line = "# " + line
        return f"{line:<28}  # {self.help}"

    def option_help(self) -> str:
        """The command-line help: ``help`` and the default (a flag: what it switches)."""
        if self.kind == "bool":
            return f"no {self.help}" if self.default else self.help
        if self.default is None:
            return self.help
        return f"{self.help} (default {toml_literal(self.default)})"


def toml_literal(value: Any) -> str:
    """A TOML literal for ``value``: ``true``, ``"text"``, ``200_000``, ``3e11``, ``0.3``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_d}" if abs(value) >= 100_000 else str(value)
    if isinstance(value, float):
        if value != 0.0 and not 1e-4 <= abs(value) < 1e6:
            return f"{value:g}".replace("e+", "e")
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise ValueError(f"TOML value = {value!r} is outside the allowed range (bool, int, float, str)")


class ParameterTable:
    """The ordered run parameters of one command; everything else is derived from it."""

    def __init__(self, parameters: Iterable[RunParameter]) -> None:
        self.parameters = tuple(parameters)
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"parameter names = {names} is outside the allowed range (unique)")

    def __iter__(self) -> Iterator[RunParameter]:
        return iter(self.parameters)

    def __getitem__(self, name: str) -> RunParameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def tables(self) -> list[str]:
        """The TOML tables in order (``""``, the top level, first)."""
        out = [""]
        for p in self.parameters:
            if p.table is not None and p.table not in out:
                out.append(p.table)
        return out

    def in_table(self, table: str) -> list[RunParameter]:
        return [p for p in self.parameters if p.table == table]

    def arguments(self, config: Any, table: str) -> dict[str, Any]:
        """``argument → value`` of the parameters of ``table`` that have an ``argument``: the
        keywords of what the run builds from that table (e.g. its bilayer)."""
        return {p.argument: getattr(config, p.name) for p in self.in_table(table) if p.argument}

    # ------------------------------------------------------------------ the command line
    def add_options(self, parser: argparse.ArgumentParser) -> None:
        """One option per parameter with an ``option``; not given: ``None``."""
        for p in self.parameters:
            if p.option is None:
                continue
            if p.kind == "bool":
                parser.add_argument(
                    p.option,
                    dest=p.name,
                    action="store_const",
                    const=not p.default,
                    default=None,
                    help=p.option_help(),
                )
            else:
                parser.add_argument(
                    p.option,
                    dest=p.name,
                    type=KINDS[p.kind],
                    choices=p.choices,
                    help=p.option_help(),
                )

    def given_options(self, args: argparse.Namespace) -> dict[str, Any]:
        """``name → value`` of the options given on the command line."""
        return {
            p.name: getattr(args, p.name)
            for p in self.parameters
            if p.option is not None and getattr(args, p.name) is not None
        }

    # ------------------------------------------------------------------ TOML
    def toml_text(self, header: str) -> str:
        """The default configuration: ``header``, then each table with its keys."""
        lines = [header]
        for table in self.tables():
            if table:
                lines += ["", f"[{table}]"]
            lines += [p.toml_line() for p in self.in_table(table)]
        return "\n".join(lines) + "\n"

    def load_toml(self, text: str) -> dict[str, Any]:
        """Parse TOML text: ``name → value`` of the keys it sets, of their kinds and choices.

        Raises
        ------
        ValueError
            A TOML syntax error, an unknown key or table, or a value of the wrong type,
            naming the key (``[bilayer] T``).
        """
        if tomllib is None:
            raise ValueError(
                "python = 3.10 is outside the allowed range for TOML configs [3.11, inf)"
            )
        try:
            cfg = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"config = TOML error ({exc}) is outside the allowed range") from exc
        tables = sorted(t for t in self.tables() if t)
        top = {p.key: p for p in self.in_table("")}
        values: dict[str, Any] = {}
        for key, value in cfg.items():
            if key in tables:
                if not isinstance(value, dict):
                    raise ValueError(f"[{key}] = {value!r} is outside the allowed range (a table)")
                values.update(self._read_table(f"[{key}]", value, self.in_table(key)))
            elif key in top:
                values[top[key].name] = top[key].typed(key, value)
            else:
                allowed = sorted(top) + [f"[{t}]" for t in tables]
                raise ValueError(f"top-level key = {key!r} is outside the allowed range {allowed}")
        return values

    @staticmethod
    def _read_table(where: str, table: dict, params: list[RunParameter]) -> dict[str, Any]:
        keys = {p.key: p for p in params}
        out = {}
        for key, value in table.items():
            if key not in keys:
                allowed = sorted(keys)
                raise ValueError(f"{where} key = {key!r} is outside the allowed range {allowed}")
            out[keys[key].name] = keys[key].typed(f"{where} {key}", value)
        return out

    def toml_fields(self) -> set[str]:
        """The fields a configuration file can set."""
        return {p.name for p in self.parameters if p.table is not None}

    # ------------------------------------------------------------------ checks and storage
    def check(self, config: Any) -> None:
        """Refuse the first field of ``config`` outside its range, naming it."""
        for p in self.parameters:
            p.check_value(getattr(config, p.name))

    def units(self) -> dict[str, tuple[str, str]]:
        """``stored name → (unit, description)`` of the stored parameters."""
        return {p.stored: (p.unit, p.description) for p in self.parameters if p.stored}

    def stored_values(self, config: Any, **resolved: Any) -> dict[str, Any]:
        """``stored name → value`` (of the parameter's kind); ``resolved``: values the run
        decided where the configuration left them unset (by field name)."""
        out = {}
        for p in self.parameters:
            if p.stored is None:
                continue
            value = resolved.get(p.name, getattr(config, p.name))
            out[p.stored] = value if value is None else KINDS[p.kind](value)
        return out


def config_class(table: ParameterTable) -> Callable[[type], type]:
    """A class decorator: ``cls`` (its methods) becomes a frozen, keyword-only dataclass with
    one field per parameter of ``table``, in table order, with the table's defaults; its
    docstring gains an ``Attributes`` section from the table's help texts and ranges."""

    def build(cls: type) -> type:
        fields = []
        for p in table:
            kind = KINDS[p.kind] if p.default is not None else KINDS[p.kind] | None
            fields.append((p.name, kind, dataclasses.field(default=p.default)))
        doc = (cls.__doc__ or "").rstrip() + "\n\n    Attributes\n    ----------\n"
        for p in table:
            allowed = f"; allowed: {p.check.text}" if p.check is not None else ""
            doc += f"    {p.name}\n        {p.help}{allowed}.\n"
        namespace = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
        namespace["__doc__"] = doc
        return dataclasses.make_dataclass(
            cls.__name__,
            fields,
            bases=cls.__bases__,
            namespace=namespace,
            frozen=True,
            kw_only=True,
        )

    return build
