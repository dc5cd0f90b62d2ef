"""The package version: derived from git in a checkout, never empty, stored in output files."""

from __future__ import annotations

import re

import dragcore


def test_version_is_a_pep440_string() -> None:
    v = dragcore.__version__
    assert v and v != "0+unknown"
    assert re.match(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[\w.]+)?$", v), v


def test_every_top_level_package_reports_the_same_version() -> None:
    import langevin
    import montecarlo
    import validate

    assert langevin.__version__ == montecarlo.__version__ == validate.__version__
    assert validate.__version__ == dragcore.__version__
