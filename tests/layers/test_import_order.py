"""The packages import only the ones below them (issue 14): ``layers`` imports no simulator,
``montecarlo`` does not import ``validate``; and no module outside ``layers`` names a layer
type by a string (the ``kind`` field is gone)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "layers": {"montecarlo", "validate", "langevin"},
    "montecarlo": {"validate", "langevin"},
}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_nothing_above_it(package: str) -> None:
    bad = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) & FORBIDDEN[package])
        for path in sorted((ROOT / package).glob("*.py"))
    }
    assert not {k: v for k, v in bad.items() if v}


def test_the_layers_have_no_kind_field() -> None:
    from layers.interface import Layer
    from layers.presets import preset

    for active in ("weyl", "metal"):
        layer = preset("fig2-d40", active=active).active
        assert isinstance(layer, Layer)
        assert not hasattr(layer, "kind")
