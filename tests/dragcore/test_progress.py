"""dragcore.progress: the progress lines and their time-left estimate."""

from __future__ import annotations

import io

from dragcore.progress import Progress, format_seconds


def test_format_seconds() -> None:
    assert format_seconds(42.4) == "42 s"
    assert format_seconds(185) == "3 min 05 s"


def test_progress_lines_and_time_left() -> None:
    out = io.StringIO()
    p = Progress("job", 4.0, stream=out, interval=0.0, seconds_per_unit=2.0)
    assert 7.9 < p.remaining() <= 8.0  # the prior guess before any work is done
    p.start -= 10.0  # pretend 10 s have passed
    p.advance(1.0)
    assert 29.0 < p.remaining() < 31.0  # 10 s per unit, 3 units left
    p.advance(3.0)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "left" in lines[0] and "left" not in lines[1]
    assert lines[1].startswith("job: 2 done (100 %)")
    quiet = Progress("job", 1.0, stream=None)
    quiet.advance()  # prints nothing, fails nothing
