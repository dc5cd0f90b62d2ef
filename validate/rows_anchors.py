"""Report rows of the external anchors (:mod:`validate.anchors`: published results, each
against a route that shares no code with the package), plugged into the main job as a row
provider (:data:`validate.report.ROW_PROVIDERS`)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from validate.rows import Comparison, JobSize

__all__ = ["QUICK_FH_TEMPERATURES", "anchor_comparisons"]

#: T/T_F of the Flensberg–Hu anchor in ``--quick`` (full job: ``anchors.FH_TEMPERATURES``).
QUICK_FH_TEMPERATURES = (0.02, 0.1, 0.3, 0.5)


def anchor_comparisons(size: JobSize, out: Path) -> tuple[list[Comparison], list[tuple[str, str]]]:
    """The external anchors (:mod:`validate.anchors`: published results, each against a route
    that shares no code with the package) as report rows, and the Flensberg–Hu figure.

    σ of each row: the two routes' quadrature errors (the Flensberg–Hu points and upturn); the
    temperature grid's step at the minimum (the location of a grid minimum is known to that);
    the series' last kept term (the large-spacing closed form: the remainder falls as
    (q_TF d)⁻³); for Π at T, the referee's n vs 1.5n difference combined with the rounding of
    two double-precision quadratures, 1e-14 relative.
    """
    from validate import anchors

    temps = QUICK_FH_TEMPERATURES if size.quick else anchors.FH_TEMPERATURES
    curves = anchors.flensberg_hu_curves(temps)
    rows: list[Comparison] = []
    for r in anchors.flensberg_hu_rows(curves):
        sigma, source = math.hypot(r.package_error, r.independent_error), "quadrature errors"
        if "minimum" in r.quantity:
            i = int(np.argmin(np.abs(curves.t_over_tf - r.package)))
            steps = np.diff(curves.t_over_tf)
            sigma = float(steps[min(i, steps.size - 1)])
            source = "the T grid's step at the minimum"
        rows.append(Comparison("External anchors", r.quantity, "this package", r.package,
                               "independent route (validate.referee_2deg)", r.independent, sigma,
                               source, kind="paper", note=r.citation))  # fmt: skip
    for r in anchors.large_spacing_rows():
        rows.append(Comparison("External anchors", r.quantity, "this package / closed form",
                               r.package, "asymptotic series of the closed form", r.independent,
                               math.hypot(r.independent_error, r.package_error),
                               "last kept term of the series, quadrature error",
                               kind="paper", note=r.citation))  # fmt: skip
    for r in anchors.polarization_rows():
        sigma = math.hypot(r.independent_error, 1e-14 * max(1.0, abs(r.independent)))
        rows.append(Comparison("External anchors", "Π(q, ω; T) at fixed n: " + r.quantity,
                               "Metal2D.polarization_at", r.package,
                               "state integral (validate.referee_2deg)", r.independent, sigma,
                               "referee's n vs 1.5n difference and 1e-14 relative rounding",
                               kind="paper", note=r.citation))  # fmt: skip
    path = out / "anchors" / "flensberg_hu.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    anchors.plot_flensberg_hu(curves, path)
    title = "Flensberg–Hu plasmon enhancement: this package against an independent route"
    return rows, [(title, str(path.relative_to(out)))]
