"""Sphinx configuration of the bilayer-drag documentation.

Build (warnings are errors, as in CI)::

    python -m pip install -e ".[docs]"      # or: pip install sphinx numpydoc myst-parser
    sphinx-build -W --keep-going -b html docs docs/_build/html

The pages are MyST Markdown; the API reference is generated from the numpy-style docstrings
(autodoc + autosummary + numpydoc). Importing the package does not compile numba kernels, so
the build takes seconds.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document the source tree this file belongs to
os.environ.setdefault("MPLBACKEND", "Agg")

import dragcore  # noqa: E402

#: The import packages, in their import order; one API page each, one page per module.
PACKAGES = ("dragcore", "layers", "langevin", "montecarlo", "validate")


def _modules(package: str) -> list[str]:
    """The package's modules (real files only: a symlinked directory is not a module)."""
    base = ROOT / package
    return sorted(
        f"{package}.{p.stem}"
        for p in base.glob("*.py")
        if not p.is_symlink() and p.stem not in ("__init__", "__main__")
    )


def _write_api_pages() -> None:
    """docs/api/<package>.rst and docs/api/<module>.rst from the source tree (not in git):
    a module added or removed in the package is documented or dropped without an edit here."""
    out = Path(__file__).resolve().parent / "api"
    out.mkdir(exist_ok=True)
    wanted = {}
    for package in PACKAGES:
        modules = _modules(package)
        title = f"``{package}``"
        lines = [title, "=" * len(title), "", f".. automodule:: {package}", "   :no-members:", ""]
        short = [m.split(".", 1)[1] for m in modules]
        lines += [f".. currentmodule:: {package}", "", ".. autosummary::", ""]
        lines += [*(f"   {m}" for m in short), ""]
        lines += [".. toctree::", "   :hidden:", "", *(f"   {m}" for m in modules), ""]
        wanted[f"{package}.rst"] = "\n".join(lines)
        for m in modules:
            head = f"``{m}``"
            wanted[f"{m}.rst"] = "\n".join(
                [head, "=" * len(head), "", f".. automodule:: {m}", "   :members:", ""]
            )
    for old in out.glob("*.rst"):
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        path = out / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


_write_api_pages()


def _write_default_configs() -> None:
    """docs/guide/generated/<simulator>-run.toml: what ``python -m <simulator> run
    --print-config`` prints, so the guides show every key with its current default."""
    import contextlib
    import importlib
    import io

    out = Path(__file__).resolve().parent / "guide" / "generated"
    out.mkdir(exist_ok=True)
    for simulator in ("langevin", "montecarlo"):
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            code = importlib.import_module(f"{simulator}.__main__").main(["run", "--print-config"])
        if code != 0:
            raise RuntimeError(f"python -m {simulator} run --print-config exited with {code}")
        path = out / f"{simulator}-run.toml"
        if not path.exists() or path.read_text() != text.getvalue():
            path.write_text(text.getvalue())


_write_default_configs()

project = "bilayer-drag"
author = "bilayer-drag developers"
copyright = "2026, bilayer-drag developers"  # noqa: A001
release = dragcore.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

autosummary_generate = False  # the module pages are written above
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpy-style Parameters sections say it
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")
_PIPE = re.compile(r"(?<![\\|])\|(?!\|)")
_TRAILING_UNDERSCORE = re.compile(r"(?<=\w)_(?=[-+±)\],;:.]|$)")


def _escape_plain_math(text: str) -> str:
    """Outside inline literals and roles: ``|x|`` (an absolute value) is not a substitution,
    and ``a_-``, ``π_+`` (a subscript sign) are not hyperlink references."""
    parts = _LITERAL.split(text)
    return "".join(
        p if i % 2 else _TRAILING_UNDERSCORE.sub(r"\\_", _PIPE.sub(r"\\|", p))
        for i, p in enumerate(parts)
    )


def _plain_math(app, what, name, obj, options, lines: list[str]) -> None:
    """The docstrings write |q|, |U|², a_± as physicists do; reST would read substitutions
    and references. Escape them outside literal blocks, inline literals and tables."""
    literal_indent = None
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if literal_indent is not None:
            if stripped and indent <= literal_indent:
                literal_indent = None
            else:
                continue
        if stripped.startswith(("+-", "+=", "| ", "|-")) and stripped.endswith(("+", "|")):
            continue  # a grid table
        if not stripped.startswith(".."):  # directives keep their text
            lines[i] = _escape_plain_math(line)
        if stripped.endswith("::") and not stripped.startswith(".."):
            literal_indent = indent
        elif stripped.startswith(".. code") or stripped.startswith(".. math"):
            literal_indent = indent


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _plain_math, priority=400)


html_theme = "alabaster"
html_static_path = ["_static"]
html_title = f"bilayer-drag {release}"
html_theme_options = {
    "description": "Coulomb drag in electron bilayers, computed two independent ways",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "240px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
