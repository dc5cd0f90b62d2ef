"""VEGAS-style adaptive sampling of the unit hypercube: a separable map and hypercube strata.

Physics-free. The physics side maps the unit hypercube onto momentum space (the
physics-informed map, with its own Jacobian); this module adds, on top of it, the adaptive
stage of G. P. Lepage's VEGAS/VEGAS+ (J. Comput. Phys. 27, 192 (1978); J. Comput. Phys. 439,
110386 (2021)):

* **The map** ``y ↦ x`` (:class:`AdaptiveMap`): separable, piecewise linear on each axis.
  Axis ``d`` has edges ``0 = e_d[0] < e_d[1] < … < e_d[N] = 1``; the point
  ``y ∈ [j/N, (j+1)/N)`` goes to ``x = e_d[j] + (yN − j)(e_d[j+1] − e_d[j])`` with Jacobian
  ``J_d = N (e_d[j+1] − e_d[j])``; ``J = Π_d J_d``. Uniform ``y`` then samples ``x`` with
  density ``1/J``; ``∫ f dx = ∫ J(y) f(x(y)) dy``.
* **Refinement** (:func:`refined_edges`): for each axis, the bin weights
  ``d_j ∝ ∫_{slab j} J² f² dy`` (estimated by the sampling histogram) are smoothed
  (``(d_{j−1} + 6 d_j + d_{j+1})/8``, ends ``(7 d_0 + d_1)/8``), normalised, damped
  ``d_j ← ((1 − d_j)/ln(1/d_j))^α`` (α = 0 freezes the map), and new edges are placed so that
  every new bin holds the same share of Σ d, interpolating linearly inside the old bins. The
  fixed point (all ``d_j`` equal) is VEGAS's optimal separable map, ``J_d ∝ 1/√(∫ f² over
  the other axes)``.
* **Strata** (:class:`Strata`): ``y``-space is cut into ``m^D`` equal hypercubes (``m`` per
  axis); hypercube ``h`` (base-``m`` digits ``c_d`` of ``h``, axis 0 least significant) gets
  ``n_h ≥ 2`` uniform points. VEGAS+ adaptive allocation:
  ``n_h ≈ 2 + (n_eval − 2 m^D) σ_h^β / Σ σ^β`` (rounded so that ``Σ n_h = n_eval``), with
  ``σ_h²`` the variance of ``J f`` in the hypercube measured in the previous (training)
  iteration; β = 0 gives uniform stratification. The stratified estimate is
  ``I = Σ_h V_h ⟨J f⟩_h`` with variance ``Σ_h V_h² s_h²/n_h`` (``V_h = m^−D``).

Hot loops are numba kernels (:func:`map_points`, :func:`stratified_points`,
:func:`accumulate_batch`); each has a plain-numpy twin (``*_numpy``) used in tests only.

Pieces. A batch of samples is a run of consecutive points of the iteration, points being
ordered by hypercube; a batch may hold only part of a hypercube's points (a *piece*, always
≥ 2 points). A hypercube whose ``n_h`` points are split into pieces ``p`` of ``n_p`` points
contributes ``V_h Σ_p (n_p/n_h) ⟨J f⟩_p`` (the same number as unsplit) and the variance
estimate ``V_h² Σ_p (n_p/n_h)² s_p²/n_p`` (pieces are independent samples of the same
hypercube; both estimators are unbiased).
"""

from __future__ import annotations

import math

import numpy as np

from dragcore.checks import require_range
from dragcore.jit import jit

__all__ = [
    "AdaptiveMap",
    "Strata",
    "refined_edges",
    "smoothed_bin_weights",
    "damped_bin_weights",
    "default_strata_per_axis",
    "map_points",
    "map_points_numpy",
    "stratified_points",
    "stratified_points_numpy",
    "accumulate_batch",
    "accumulate_batch_numpy",
]

MIN_POINTS_PER_HCUBE = 2
"""Every hypercube gets at least this many points (a variance needs two)."""

_LARGEST_FLOAT = float(np.finfo(np.float64).max)


# ---------------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------------


def smoothed_bin_weights(weights: np.ndarray) -> np.ndarray:
    """VEGAS smoothing of one axis's bin weights: ``(d_{j−1} + 6 d_j + d_{j+1})/8``.

    The end bins use ``(7 d_0 + d_1)/8`` and ``(7 d_{N−1} + d_{N−2})/8``; the sum is kept
    up to the end corrections. A single bin is returned unchanged.
    """
    d = np.asarray(weights, dtype=float)
    if d.size < 2:
        return d.copy()
    out = np.empty_like(d)
    out[0] = (7.0 * d[0] + d[1]) / 8.0
    out[-1] = (7.0 * d[-1] + d[-2]) / 8.0
    out[1:-1] = (d[:-2] + 6.0 * d[1:-1] + d[2:]) / 8.0
    return out


def damped_bin_weights(weights: np.ndarray, alpha: float) -> np.ndarray | None:
    """Normalise bin weights to sum 1 and damp them: ``r ↦ ((1 − r)/ln(1/r))^α``.

    The damping compresses the dynamic range so that one noisy iteration cannot collapse the
    map (α = 0 makes every weight 1: no adaptation; VEGAS's default is α = 0.5). ``r = 0``
    stays 0 and ``r → 1`` tends to 1. Returns ``None`` if all weights vanish (nothing to adapt
    to).
    """
    d = np.asarray(weights, dtype=float)
    total = d.sum()
    if not total > 0.0:
        return None
    r = d / total
    out = np.zeros_like(r)
    near_one = r >= 1.0 - 1e-12
    mid = (r > 0.0) & ~near_one
    out[mid] = ((1.0 - r[mid]) / -np.log(r[mid])) ** alpha
    out[near_one] = 1.0
    return out


def refined_edges(edges: np.ndarray, weights: np.ndarray, alpha: float) -> np.ndarray:
    """New edges of one axis: equal shares of the smoothed, damped weights per new bin.

    Parameters
    ----------
    edges
        Current edges ``e[0] … e[N]`` (increasing, ``e[0] = 0``, ``e[N] = 1``).
    weights
        ``d_j ≥ 0``, j = 0 … N−1: the sampled ``∫_{slab j} Σ_k w_k (J f_k)² dy``.
    alpha
        Damping exponent ≥ 0.

    Returns
    -------
    numpy.ndarray
        The new edges (same length), or a copy of ``edges`` if all weights vanish or
        ``alpha == 0``. Inside an old bin the new edges are interpolated linearly.
    """
    edges = np.asarray(edges, dtype=float)
    n_bins = edges.size - 1
    if alpha == 0.0:
        return edges.copy()
    damped = damped_bin_weights(smoothed_bin_weights(weights), alpha)
    if damped is None:
        return edges.copy()
    cumulative = np.concatenate(([0.0], np.cumsum(damped)))
    targets = cumulative[-1] * np.arange(1, n_bins) / n_bins
    j = np.searchsorted(cumulative, targets, side="right") - 1
    j = np.clip(j, 0, n_bins - 1)
    fraction = (targets - cumulative[j]) / damped[j]
    new = edges.copy()
    new[1:-1] = edges[j] + fraction * (edges[j + 1] - edges[j])
    return new


class AdaptiveMap:
    """Separable piecewise-linear map of ``[0, 1]^D`` onto itself (see the module docstring).

    Parameters
    ----------
    dim
        Number of axes ``D``.
    n_bins
        Bins per axis ``N``.
    edges
        Optional ``(D, N+1)`` starting edges (default: the identity map).
    """

    def __init__(self, dim: int, n_bins: int, edges: np.ndarray | None = None) -> None:
        require_range("dim", dim, 1, math.inf)
        require_range("n_bins", n_bins, 1, math.inf)
        self.dim = int(dim)
        self.n_bins = int(n_bins)
        if edges is None:
            edges = np.tile(np.linspace(0.0, 1.0, self.n_bins + 1), (self.dim, 1))
        edges = np.array(edges, dtype=float)
        if edges.shape != (self.dim, self.n_bins + 1):
            raise ValueError(
                f"edges has shape {edges.shape}; expected (dim, n_bins+1) = "
                f"{(self.dim, self.n_bins + 1)}"
            )
        if not (np.all(np.diff(edges, axis=1) > 0) and np.all(edges[:, 0] == 0.0)):
            raise ValueError("edges must increase strictly from 0 to 1 on every axis")
        if not np.all(edges[:, -1] == 1.0):
            raise ValueError("edges must increase strictly from 0 to 1 on every axis")
        self.edges = np.ascontiguousarray(edges)

    def __call__(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map points ``y`` (shape ``(n, D)``) to ``(x, J)``."""
        y = np.ascontiguousarray(y, dtype=float)
        x = np.empty_like(y)
        jac = np.empty(y.shape[0])
        map_points(y, self.edges, x, jac)
        return x, jac

    def copy(self) -> AdaptiveMap:
        return AdaptiveMap(self.dim, self.n_bins, self.edges.copy())

    def refine(self, histogram: np.ndarray, alpha: float) -> list[int]:
        """Refine every axis from its ``(D, N)`` weight histogram.

        Returns the axes left as they were: those whose weights all vanished, and those whose
        new edges would not increase strictly (bins narrower than the rounding of their
        neighbours' edges, possible only for extremely peaked weights).
        """
        histogram = np.asarray(histogram, dtype=float)
        require_range("alpha", alpha, 0.0, math.inf)
        frozen = []
        for d in range(self.dim):
            new = refined_edges(self.edges[d], histogram[d], alpha)
            if not (histogram[d].sum() > 0.0 and np.all(np.diff(new) > 0.0)):
                frozen.append(d)
                continue
            self.edges[d] = new
        return frozen

    def as_dict(self) -> dict:
        return {"dim": self.dim, "n_bins": self.n_bins, "edges": self.edges.tolist()}


# ---------------------------------------------------------------------------------------------
# Strata
# ---------------------------------------------------------------------------------------------


def default_strata_per_axis(dim: int, n_eval: int, max_hcubes: int) -> int:
    """The largest ``m`` with ``4 m^D ≤ n_eval`` and ``m^D ≤ max_hcubes`` (at least 1).

    Four points per hypercube on average leaves half of them for adaptive allocation above
    the minimum of two.
    """
    m = max(1, int((n_eval / 4.0) ** (1.0 / dim)))
    while 4 * (m + 1) ** dim <= n_eval and (m + 1) ** dim <= max_hcubes:
        m += 1
    while m > 1 and (4 * m**dim > n_eval or m**dim > max_hcubes):
        m -= 1
    return m


def _first_smallest(key: np.ndarray, number: int) -> np.ndarray:
    """Indices of the ``number`` smallest ``key``, ties to the lower index: the first
    ``number`` of ``np.argsort(key, kind="stable")``, found in O(n) (a partition, not a sort).
    """
    if number >= key.size:
        return np.argsort(key, kind="stable")[:number]
    threshold = np.partition(key, number - 1)[number - 1]
    below = np.flatnonzero(key < threshold)
    tied = np.flatnonzero(key == threshold)[: number - below.size]
    return np.concatenate((below, tied))


class Strata:
    """``m^D`` equal hypercubes of ``y``-space and the number of points in each.

    Parameters
    ----------
    dim
        Number of axes ``D``.
    per_axis
        ``m``, hypercubes per axis.
    n_eval
        Target number of points per iteration (``≥ 2 m^D``).
    beta
        Allocation exponent (0: uniform; VEGAS+ default 0.75; 1: Neyman allocation).
    """

    def __init__(self, dim: int, per_axis: int, n_eval: int, beta: float) -> None:
        require_range("per_axis", per_axis, 1, math.inf)
        require_range("beta", beta, 0.0, math.inf)
        self.dim = int(dim)
        self.per_axis = int(per_axis)
        self.n_hcubes = self.per_axis**self.dim
        require_range("n_eval", n_eval, MIN_POINTS_PER_HCUBE * self.n_hcubes, math.inf)
        self.n_eval_target = int(n_eval)
        self.beta = float(beta)
        self.counts = self.uniform_counts()

    @property
    def hcube_volume(self) -> float:
        return 1.0 / self.n_hcubes

    def uniform_counts(self) -> np.ndarray:
        """``n_eval // m^D`` points each, the remainder one by one to the first hypercubes."""
        base, extra = divmod(self.n_eval_target, self.n_hcubes)
        counts = np.full(self.n_hcubes, base, dtype=np.int64)
        counts[:extra] += 1
        return counts

    def reallocate(self, hcube_variance: np.ndarray) -> None:
        """VEGAS+ allocation ``n_h = 2 + n_free σ_h^β/Σσ^β`` from measured variances.

        ``n_free = n_eval − 2 m^D``; the shares are rounded down and the points lost to
        rounding go one by one to the hypercubes with the largest fractional parts (ties: lower
        index first), so that ``Σ n_h = n_eval`` exactly. If every variance vanishes (an
        all-zero iteration) or ``β = 0`` the allocation is uniform.
        """
        sigma = np.sqrt(np.maximum(np.asarray(hcube_variance, dtype=float), 0.0))
        sigma_beta = sigma**self.beta
        total = sigma_beta.sum()
        if self.beta == 0.0 or not total > 0.0:
            self.counts = self.uniform_counts()
            return
        n_free = self.n_eval_target - MIN_POINTS_PER_HCUBE * self.n_hcubes
        share = n_free * (sigma_beta / total)
        counts = np.floor(share).astype(np.int64)
        missing = n_free - int(counts.sum())
        if missing > 0:
            counts[_first_smallest(-(share - counts), missing)] += 1
        self.counts = MIN_POINTS_PER_HCUBE + counts


# ---------------------------------------------------------------------------------------------
# numba kernels and their numpy twins
# ---------------------------------------------------------------------------------------------


@jit(nogil=True)
def _map_coordinate(edges, d, y):  # pragma: no cover - compiled
    """Kernel helper: ``(x, J_d)`` of coordinate ``y`` on axis ``d`` (module docstring)."""
    n_bins = edges.shape[1] - 1
    t = y * n_bins
    j = int(t)
    if j >= n_bins:
        j = n_bins - 1
    lower = edges[d, j]
    width = edges[d, j + 1] - lower
    return lower + width * (t - j), n_bins * width


@jit(nogil=True)
def map_points(y, edges, x, jac):  # pragma: no cover - compiled
    """Kernel: ``x[p], jac[p]`` from ``y[p]`` through the edges ``(D, N+1)``."""
    n_points, dim = y.shape
    for p in range(n_points):
        jacobian = 1.0
        for d in range(dim):
            x[p, d], jacobian_d = _map_coordinate(edges, d, y[p, d])
            jacobian *= jacobian_d
        jac[p] = jacobian


def map_points_numpy(y: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numpy twin of :func:`map_points` (tests only)."""
    n_bins = edges.shape[1] - 1
    t = y * n_bins
    j = np.minimum(t.astype(np.int64), n_bins - 1)
    axis = np.arange(y.shape[1])[None, :]
    lower = edges[axis, j]
    width = edges[axis, j + 1] - lower
    x = lower + width * (t - j)
    jac = np.ones(y.shape[0])
    for d in range(y.shape[1]):
        jac = jac * (n_bins * width[:, d])
    return x, jac


@jit(nogil=True)
def stratified_points(u, piece_hcube, piece_count, per_axis, edges, y, x, jac):  # pragma: no cover
    """Kernel: uniform ``u`` (n, D) → points ``y`` in their hypercubes, then ``x``, ``jac``.

    Points are laid out piece after piece: ``piece_count[q]`` points in hypercube
    ``piece_hcube[q]`` (increasing). ``per_axis`` holds ``m`` once per axis (D numbers); as a
    tuple its length is known to the compiler, which then unrolls the loops over the axes
    (an array gives the same bits, unspecialised). The digits of consecutive hypercubes are
    counted up (no integer division per piece); ``y_d = (c_d + u_d)/m`` and the map follow
    point by point (the operations of :func:`map_points`, in the same order).
    """
    dim = len(per_axis)
    if u.shape[1] != dim:
        raise ValueError("per_axis must hold one number per axis of u")
    digits = np.zeros(dim)
    previous = -2
    p = 0
    for q in range(piece_hcube.size):
        hcube = piece_hcube[q]
        if hcube == previous + 1:
            d = 0
            digits[0] += 1.0
            while digits[d] == per_axis[d] and d < dim - 1:
                digits[d] = 0.0
                d += 1
                digits[d] += 1.0
        else:
            rest = hcube
            for d in range(dim):
                digits[d] = rest % per_axis[d]
                rest //= per_axis[d]
        previous = hcube
        for _ in range(piece_count[q]):
            jacobian = 1.0
            for d in range(dim):
                y_d = (digits[d] + u[p, d]) / per_axis[d]
                y[p, d] = y_d
                x[p, d], jacobian_d = _map_coordinate(edges, d, y_d)
                jacobian *= jacobian_d
            jac[p] = jacobian
            p += 1


def stratified_points_numpy(
    u: np.ndarray, piece_hcube: np.ndarray, piece_count: np.ndarray, per_axis: int, edges
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numpy twin of :func:`stratified_points` (tests only; ``per_axis`` the number ``m``);
    returns ``(y, x, jac)``."""
    hcube = np.repeat(piece_hcube, piece_count)
    digits = (hcube[:, None] // per_axis ** np.arange(u.shape[1])[None, :]) % per_axis
    y = (digits + u) / per_axis
    x, jac = map_points_numpy(y, edges)
    return y, x, jac


@jit(nogil=True)
def accumulate_batch(
    values,
    jac,
    y,
    piece_hcube,
    piece_count,
    piece_total,
    hcube_volume,
    adapt_weights,
    integral,
    covariance,
    histogram,
    hcube_variance,
    hcube_first,
):  # pragma: no cover - compiled
    """Kernel: one batch's contributions to the stratified estimate and to the adaptation.

    ``values`` (n, K) holds the integrand values on entry and ``J f`` on exit. Adds to
    ``integral`` (K), ``covariance`` (K, K; the same terms to ``[k, l]`` and ``[l, k]``),
    ``histogram`` (D, N: per-axis bin sums of ``(V_h/n_h) Σ_k w_k (J f_k)²``) and
    ``hcube_variance`` (per hypercube from ``hcube_first``: Σ_p (n_p/n_h) Σ_k w_k s_k²).
    ``adapt_weights`` (the K weights ``w_k``) as a tuple lets the compiler unroll the loops
    over the K components (an array gives the same bits, unspecialised).

    Returns ``(bad_point, bad_component, n_nonzero)``; ``bad_point`` is −1 if all values and
    products are finite, else the first point where a value or its product with ``jac`` is
    NaN/inf (``values[bad_point, bad_component]`` is then the raw value; the accumulators
    are incomplete and must be discarded). ``J f`` is non-finite whenever ``f`` is (``J`` is
    finite), so one test of the product covers both.
    """
    n_out = len(adapt_weights)
    if values.shape[1] != n_out:
        raise ValueError("adapt_weights must hold one weight per column of values")
    mean = np.empty(n_out)
    cov = np.empty((n_out, n_out))
    n_nonzero = 0
    start = 0
    for q in range(piece_hcube.size):
        n = piece_count[q]
        stop = start + n
        bad, bad_k = _weigh_piece(values, jac, start, stop, mean, adapt_weights)
        if bad >= 0:
            return bad, bad_k, n_nonzero
        point_weight = hcube_volume / piece_total[q]
        n_nonzero += _scatter_piece(
            values, y, start, stop, mean, cov, adapt_weights, point_weight, histogram
        )
        share = n / piece_total[q]
        variance_sum = _add_piece(mean, cov, n, hcube_volume * share, adapt_weights,
                                  integral, covariance)  # fmt: skip
        hcube_variance[piece_hcube[q] - hcube_first] += share * variance_sum
        start = stop
    return -1, -1, n_nonzero


@jit(nogil=True, inline="always")
def _weigh_piece(values, jac, start, stop, mean, adapt_weights):  # pragma: no cover - compiled
    """Points ``start:stop`` (one piece of a hypercube) of :func:`accumulate_batch`: ``values``
    becomes ``J f``, ``mean`` its mean per component; returns ``(-1, -1)``, or the first point
    and component whose ``J f`` is not finite (that value left raw)."""
    n_out = len(adapt_weights)
    for k in range(n_out):
        mean[k] = 0.0
    for p in range(start, stop):
        for k in range(n_out):
            v = values[p, k] * jac[p]
            if not abs(v) <= _LARGEST_FLOAT:
                return p, k
            values[p, k] = v
            mean[k] += v
    for k in range(n_out):
        mean[k] /= stop - start
    return -1, -1


@jit(nogil=True, inline="always")
def _scatter_piece(
    values, y, start, stop, mean, cov, adapt_weights, point_weight, histogram
):  # pragma: no cover - compiled
    """The piece's scatter about ``mean`` into ``cov`` (lower triangle, zeroed first) and its
    points' ``point_weight Σ_k w_k (J f_k)²`` into the map ``histogram``; returns the number
    of points with a nonzero value."""
    n_out = len(adapt_weights)
    dim = y.shape[1]
    n_bins = histogram.shape[1]
    for k in range(n_out):
        for l in range(k + 1):
            cov[k, l] = 0.0
    n_nonzero = 0
    for p in range(start, stop):
        square = 0.0
        nonzero = False
        for k in range(n_out):
            vk = values[p, k]
            dk = vk - mean[k]
            for l in range(k + 1):
                cov[k, l] += dk * (values[p, l] - mean[l])
            square += adapt_weights[k] * vk * vk
            nonzero |= vk != 0.0
        n_nonzero += nonzero
        if square != 0.0:
            for d in range(dim):
                j = int(y[p, d] * n_bins)
                if j >= n_bins:
                    j = n_bins - 1
                histogram[d, j] += point_weight * square
    return n_nonzero


@jit(nogil=True, inline="always")
def _add_piece(
    mean, cov, n, weight, adapt_weights, integral, covariance
):  # pragma: no cover - compiled
    """The piece's ``weight ×`` mean into ``integral`` and ``weight² ×`` covariance of the mean
    into ``covariance`` (both triangles); returns ``Σ_k w_k s_k²`` (its sample variances)."""
    n_out = len(adapt_weights)
    variance_sum = 0.0
    for k in range(n_out):
        integral[k] += weight * mean[k]
        for l in range(k + 1):
            c = cov[k, l] / (n - 1)
            term = weight * weight * c / n
            covariance[k, l] += term
            if l < k:
                covariance[l, k] += term
        variance_sum += adapt_weights[k] * cov[k, k] / (n - 1)
    return variance_sum


def accumulate_batch_numpy(
    values: np.ndarray,
    jac: np.ndarray,
    y: np.ndarray,
    piece_hcube: np.ndarray,
    piece_count: np.ndarray,
    piece_total: np.ndarray,
    hcube_volume: float,
    adapt_weights: np.ndarray,
    n_bins: int,
    n_local_hcubes: int,
    hcube_first: int,
) -> dict:
    """Numpy twin of :func:`accumulate_batch` (tests only; assumes finite values).

    Returns a dict with ``values`` (J f), ``integral``, ``covariance`` (full, symmetric),
    ``histogram``, ``hcube_variance`` and ``n_nonzero``.
    """
    v = values * jac[:, None]
    n_out = v.shape[1]
    integral = np.zeros(n_out)
    covariance = np.zeros((n_out, n_out))
    hcube_variance = np.zeros(n_local_hcubes)
    bounds = np.concatenate(([0], np.cumsum(piece_count)))
    for q in range(piece_hcube.size):
        block = v[bounds[q] : bounds[q + 1]]
        n = block.shape[0]
        share = n / piece_total[q]
        weight = hcube_volume * share
        c = np.atleast_2d(np.cov(block, rowvar=False, ddof=1))
        integral += weight * block.mean(axis=0)
        covariance += weight**2 * c / n
        hcube_variance[piece_hcube[q] - hcube_first] += share * (adapt_weights @ np.diag(c))
    point_weight = hcube_volume / np.repeat(piece_total, piece_count)
    square = (v**2 @ adapt_weights) * point_weight
    j = np.minimum((y * n_bins).astype(np.int64), n_bins - 1)
    histogram = np.zeros((y.shape[1], n_bins))
    for d in range(y.shape[1]):
        np.add.at(histogram[d], j[:, d], square)
    return {
        "values": v,
        "integral": integral,
        "covariance": covariance,
        "histogram": histogram,
        "hcube_variance": hcube_variance,
        "n_nonzero": int(np.count_nonzero(np.any(v != 0.0, axis=1))),
    }
