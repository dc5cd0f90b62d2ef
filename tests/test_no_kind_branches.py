"""A kind of thing is chosen from a registry, never by comparing its name (issue 26): no
``model ==``, ``scheme ==`` or ``rng_backend ==`` (nor ``!=``) against a string anywhere in
the packages. The registries (:mod:`langevin.steppers`, :mod:`langevin.noise`,
:mod:`langevin.run_models`) look names up in dicts; a new scheme, back-end or model is a class
plus its decorator line, and nothing else names it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dragcore", "layers", "langevin", "montecarlo", "validate", "mpi_jobs", "benchmarks")
#: The names whose comparison with a string literal is a kind branch.
KIND_NAMES = {"model", "scheme", "rng_backend"}
#: Branches outside the Langevin engine's scope, to be removed where they live:
#: ``(path, line text)``.
KNOWN: set[tuple[str, str]] = set()


def _kind_name(node: ast.AST) -> str | None:
    """``model``, ``x.scheme``, ``r["model"]``, ``r.get("model", …)`` → the name compared."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get" and node.args
            and isinstance(node.args[0], ast.Constant)):  # fmt: skip
        return str(node.args[0].value)
    return None


def kind_branches(path: Path) -> list[tuple[int, str]]:
    """``(line, text)`` of every ``name ==/!= "literal"`` with a name of :data:`KIND_NAMES`."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            if not isinstance(op, ast.Eq | ast.NotEq):
                continue
            for side, other in ((left, right), (right, left)):
                if (_kind_name(side) in KIND_NAMES and isinstance(other, ast.Constant)
                        and isinstance(other.value, str)):  # fmt: skip
                    found.append((node.lineno, lines[node.lineno - 1].strip()))
    return found


def test_no_kind_is_chosen_by_comparing_its_name() -> None:
    found = {
        (str(path.relative_to(ROOT)), text): line
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, text in kind_branches(path)
    }
    assert not {k: v for k, v in found.items() if k not in KNOWN}, found


def test_the_check_finds_a_kind_branch(tmp_path) -> None:
    """Negative control: each form of the branch is found, a registry look-up is not."""
    src = tmp_path / "m.py"
    src.write_text(
        'if sim.scheme == "exact":\n    pass\n'
        'if "numba" != rng_backend:\n    pass\n'
        'if entry.get("model", "linear") == "nonlinear":\n    pass\n'
        'if r["model"] != "nonlinear":\n    pass\n'
        'kind = REGISTRY[entry["model"]]\n'
        "if collision_model == Kind.METAL:\n    pass\n",
        encoding="utf-8",
    )
    assert [line for line, _ in kind_branches(src)] == [1, 3, 5, 7]
