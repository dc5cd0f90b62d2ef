"""The README and the documentation pages link only to files that exist (cheap; the full
documentation build with warnings as errors runs in ``.ci/run``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_point_to_files(page: Path) -> None:
    for target in LINK.findall(page.read_text()):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_readme_names_both_papers_with_identifiers() -> None:
    text = (REPO / "README.md").read_text()
    assert "arXiv:2504.08679" in text and "arXiv:2407.03023" in text
    cff = (REPO / "CITATION.cff").read_text()
    assert "2504.08679" in cff and "2407.03023" in cff
    assert "MIT License" in (REPO / "LICENSE").read_text()
