"""Progress lines with an estimate of the time left, on standard error.

A long command tells the user what it is doing and for how long it will go on, without
mixing with what it prints on standard output (tables, JSON). :class:`Progress` counts done
units of work (optionally weighted by their expected cost) and prints at most one line every
``interval`` seconds::

    pull grid: 7/24 (29 %), 21 s elapsed, ~52 s left

The estimate is the elapsed time scaled by the cost still to do; it is an estimate, printed
with "~", and never enters a result.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress", "format_seconds"]


def format_seconds(seconds: float) -> str:
    """``"42 s"``, ``"3 min 05 s"``."""
    seconds = max(0.0, float(seconds))
    if seconds < 90:
        return f"{seconds:.0f} s"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s"


class Progress:
    """Count units of work and print ``label: done/total (…), elapsed, ~left`` to ``stream``.

    Parameters
    ----------
    label
        What is being done.
    total
        Units of work (or their total cost, if :meth:`advance` is given costs).
    stream
        Where the lines go (default standard error); ``None`` prints nothing.
    interval
        Minimum seconds between two lines (the first and the last line are always printed).
    seconds_per_unit
        A prior guess of the seconds per unit of work, used for the time left until the
        first unit is done (None: no estimate until then).
    """

    def __init__(
        self,
        label: str,
        total: float,
        *,
        stream: TextIO | None = sys.stderr,
        interval: float = 2.0,
        prefix: str = "",
        seconds_per_unit: float | None = None,
    ) -> None:
        self.label = label
        self.total = float(total)
        self.done = 0.0
        self.count = 0
        self.stream = stream
        self.interval = float(interval)
        self.prefix = prefix
        self.start = time.perf_counter()
        self._last = -1e9
        self.seconds_per_unit = seconds_per_unit

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def remaining(self) -> float | None:
        """Seconds left, scaled from the elapsed time (None before any work is done)."""
        if self.done <= 0.0:
            if self.seconds_per_unit is None:
                return None
            return max(self.total * self.seconds_per_unit - self.elapsed(), 0.0)
        return self.elapsed() * max(self.total - self.done, 0.0) / self.done

    def line(self) -> str:
        frac = self.done / self.total if self.total > 0 else 1.0
        left = self.remaining()
        tail = f", ~{format_seconds(left)} left" if left is not None and frac < 0.999 else ""
        return (
            f"{self.prefix}{self.label}: {self.count} done ({100 * frac:.0f} %), "
            f"{format_seconds(self.elapsed())} elapsed{tail}"
        )

    def advance(self, cost: float = 1.0, *, force: bool = False) -> None:
        """One unit done (of ``cost`` units of :attr:`total`); print if it is time to."""
        self.done += float(cost)
        self.count += 1
        now = time.perf_counter()
        if force or self.done >= self.total or now - self._last >= self.interval:
            self._last = now
            self.print(self.line())

    def heartbeat(self, what: str = "") -> None:
        """Print the current line (with ``what``, e.g. the work under way) if it is time."""
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            self.print(self.line() + (f"; {what}" if what else ""))

    def print(self, text: str) -> None:
        if self.stream is not None:
            print(text, file=self.stream, flush=True)
