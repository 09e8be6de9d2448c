"""A veto's expected war value over every partner world, with a proven bound (docs/design.md 4b).

Where no field of veto ``j`` moves the target, ``j``'s expected gain from offering ``x``
in world ``n`` is the exact population mean of a control variate (a few population sums
per offer, :func:`goldenbridge.analysis.control.control_mean`) plus the *residual*

    R_n(x) = sum_q h_q(x) (u_j,n(win_q) - u_j,n(win_ref))   (and the same for ``lose``),

with ``h_q(x) = w_q g_q(x) p_q / sum w`` -- ``g = (1 - a) fight_if_rejected -
fight_if_nothing`` in {-1, 0, 1}, ``p_q`` the target's probability of winning (``1 - p_q``
for ``lose``) -- which only exists when the war's outcome ``win_q`` differs between worlds.
``u_j,n(win_q)`` is ``j``'s utility, by its own weights, ideal point and exponent, of
another world's outcome: additive over issues (docs/design.md section 3), so the residual
is a sum of one-dimensional integrals

    I_c = sum_q h_q |v_q - a|^rho        (v_q = win_q on issue c, a = j's ideal point)

plus, for discrete issues whose outcome varies, exact sums per option. Each integral is
computed on bins of ``v`` (edges at weighted quantiles, shared by all offers): on a bin
``[lo, hi]`` the loss ``|v - a|^rho`` lies between its values at the ends (or between 0 and
the larger end, on the bin that holds ``a``), so with ``H_b = sum_{q in b} h_q`` and ``A_b =
sum_{q in b} |h_q|``

    I_c = sum_b H_b mid_b  +/-  sum_b A_b half_b,

the middle and half-width of the loss's range on bin ``b``: an estimate with a *proven*
bound, not a sample. A world whose gain lies further from 0 than its bound has its
approval decided exactly; the others are refined (more bins, then every pair).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from goldenbridge.engine.arrays import read_only, stable_argsort
from goldenbridge.engine.threads import by_rows
from goldenbridge.engine.utility import loss

__all__ = [
    "Bins",
    "EDGE_LOSSES",
    "Quantiles",
    "bins",
    "binned_residual",
    "edge_losses",
    "loss_range",
]


@dataclass(frozen=True)
class Bins:
    """One war outcome (``win`` or ``lose``) binned for :func:`binned_residual`.

    Attributes (C varying continuous issues, B bins, M offers, Kd discrete issues, O options)
    ----------
    cols : (C,) int64
        The continuous issues whose outcome varies between worlds.
    edges : (C, B + 1) float64
        Bin edges per issue (non-decreasing; the first and last are the extreme values).
    mass, absmass : (C, B, M) float64
        ``H_b`` and ``A_b`` per issue, bin and offer.
    total : (M,) float64
        ``sum_q h_q`` per offer.
    options : (Kd, O, M) float64
        ``sum_q h_q [option_q = o]`` per discrete issue (zero-size when the options are
        the same in every world).
    """

    cols: np.ndarray
    edges: np.ndarray
    mass: np.ndarray
    absmass: np.ndarray
    total: np.ndarray
    options: np.ndarray


class Quantiles:
    """Weighted quantiles of one variable, sorted once: :meth:`edges` for any bin count
    (the refinement levels bin the same values again, more finely)."""

    def __init__(self, v: np.ndarray, w: np.ndarray) -> None:
        order = stable_argsort(v)
        self.order, self.v, self.cdf = order, v[order], np.cumsum(w[order])

    def bin_of(self, edges: np.ndarray) -> np.ndarray:
        """Each value's bin, ``np.searchsorted(edges[1:-1], v, side="right")`` (the number
        of inner edges <= the value), found from the sorted values: the first sorted
        value >= each inner edge, counted and summed -- exact integers, O(N + B log N)
        rather than O(N log B). With NaN values, numpy's search itself."""
        inner = edges[1:-1]
        n = self.v.size
        if n and np.isnan(self.v[-1]):  # NaN sorts last
            values = np.empty_like(self.v)
            values[self.order] = self.v
            return np.searchsorted(inner, values, side="right")
        first = np.searchsorted(self.v, inner, side="left")
        out = np.empty(n, dtype=np.intp)
        out[self.order] = np.cumsum(np.bincount(first, minlength=n + 1)[:n])
        return out

    def edges(self, b: int) -> np.ndarray:
        """``b + 1`` non-decreasing edges at the ``w``-weighted quantiles of ``v``."""
        v, cdf = self.v, self.cdf
        if cdf[-1] <= 0:
            return np.linspace(v[0], v[-1], b + 1)
        at = np.searchsorted(cdf, np.linspace(0.0, cdf[-1], b + 1)[1:-1], side="left")
        return np.concatenate([[v[0]], v[np.minimum(at, v.size - 1)], [v[-1]]])


def bins(
    x: np.ndarray,
    option: np.ndarray,
    cols: np.ndarray,
    options_vary: bool,
    n_options: int,
    h: np.ndarray,
    edges: np.ndarray,
    which: np.ndarray | None = None,
    total: np.ndarray | None = None,
) -> Bins:
    """Bin one war outcome's varying issues, weighted by ``h`` (N, M).

    Parameters
    ----------
    x, option : (N, Kc) float64, (N, Kd) int64
        The outcome in each world.
    cols : (C,) int64
        Its continuous issues that vary between worlds.
    options_vary : bool
        Whether its discrete options vary (then every issue's utility is summed here).
    n_options : int
        The largest number of options of a discrete issue.
    h : (N, M) float64
        ``w_q g_q(x) p_q / sum w`` (see the module docstring).
    edges : (C, B + 1) float64
        Bin edges per issue, at the quantiles of ``w_q p_q`` (:class:`Quantiles`):
        ``|h| <= w p``, and the same whichever offers are binned together.
    which : (C, N) int64, optional
        Each world's bin on each issue (``searchsorted(edges[c, 1:-1], x, "right")``),
        if known.
    total : (M,) float64, optional
        ``h.sum(axis=0)``, if known (numpy's sum over the worlds rounds differently
        for different numbers of columns: the caller that bins some offers of a larger
        set passes the sums of the set).
    """
    m = h.shape[1]
    b = edges.shape[1] - 1
    if which is None:
        which = np.array(
            [np.searchsorted(edges[i, 1:-1], x[:, c], side="right") for i, c in enumerate(cols)]
        ).reshape(cols.size, x.shape[0])
    per_bin = np.zeros((cols.size, b, m))
    abs_per_bin = np.zeros((cols.size, b, m))
    _bincounts(
        np.ascontiguousarray(which, dtype=np.int64),
        np.ascontiguousarray(h, dtype=np.float64),
        per_bin,
        abs_per_bin,
    )
    kd = option.shape[1] if options_vary else 0
    options = np.zeros((kd, n_options, m))
    for k in range(kd):
        for j in range(m):
            options[k, :, j] = np.bincount(option[:, k], weights=h[:, j], minlength=n_options)
    if total is None:
        total = h.sum(axis=0)
    return Bins(cols.astype(np.int64), edges, per_bin, abs_per_bin, total, options)


@numba.njit(cache=True, nogil=True)
def _bincounts(which, h, per_bin, abs_per_bin):  # pragma: no cover - compiled
    """``np.bincount(which[c], weights=h[:, k])`` (and of ``|h|``) for every issue ``c``
    and offer ``k`` in one pass over the worlds: each bin adds its worlds' weights in
    world order from 0, as numpy's bincount does, so the sums are the same bits."""
    for i in range(h.shape[0]):
        for c in range(which.shape[0]):
            b = which[c, i]
            for k in range(h.shape[1]):
                per_bin[c, b, k] += h[i, k]
                abs_per_bin[c, b, k] += abs(h[i, k])


@numba.njit(cache=True, inline="always")
def loss_range(lo_loss, hi_loss, lo, hi, a):  # pragma: no cover - compiled
    """The middle and half-width of the loss's range on the bin ``[lo, hi]`` (module
    docstring): between its values at the ends, or between 0 and the larger end on the
    bin that holds the ideal point ``a``."""
    top = max(lo_loss, hi_loss)
    bottom = 0.0 if lo < a < hi else min(lo_loss, hi_loss)
    return 0.5 * (top + bottom), 0.5 * (top - bottom)


@numba.njit(cache=True, inline="always")
def _world_bins(n, weight, ideal, rho, base, ref, cols, edges, losses, mid, half):
    """World ``n``'s constant term (``base - ref`` plus its weights on the binned issues),
    returned, and each bin's loss range ``mid[c, b]``, ``half[c, b]`` (:func:`loss_range`),
    the losses at the edges read from ``losses`` where kept (size > 0), else computed:
    what both residual kernels need of a world."""
    const = base[n] - ref[n]
    for c in range(cols.shape[0]):
        const += weight[n, cols[c]]
    kept = losses.shape[0] > 0
    for c in range(cols.shape[0]):
        a = ideal[n, cols[c]]
        rn = rho[n]
        lo_loss = losses[n, c, 0] if kept else loss(edges[c, 0] - a, rn)
        for b in range(edges.shape[1] - 1):
            lo, hi = edges[c, b], edges[c, b + 1]
            hi_loss = losses[n, c, b + 1] if kept else loss(hi - a, rn)
            mid[c, b], half[c, b] = loss_range(lo_loss, hi_loss, lo, hi, a)
            lo_loss = hi_loss
    return const


@numba.njit(cache=True, nogil=True)
def _residual_kernel(  # pragma: no cover - compiled
    lo_row,
    hi_row,
    rows,
    weight,
    ideal,
    rho,
    table,
    base,
    ref,
    cols,
    edges,
    mass,
    absmass,
    total,
    options,
    losses,
    est,
    bound,
):
    """Rows ``lo_row .. hi_row - 1`` of ``est`` and ``bound`` (zeros); serial, run on every
    core by :func:`goldenbridge.engine.threads.by_rows` (a parallel build costs 1.8 s more
    to compile on a fresh install). ``losses`` (N, C, B + 1): each world's loss at the
    edges (:func:`edge_losses`), or of size 0 (computed here)."""
    m = total.shape[0]
    nb = edges.shape[1] - 1
    mid = np.empty((cols.shape[0], nb))
    half = np.empty((cols.shape[0], nb))
    for i in range(lo_row, hi_row):
        n = rows[i]
        const = _world_bins(n, weight, ideal, rho, base, ref, cols, edges, losses, mid, half)
        for x in range(m):
            est[i, x] = const * total[x]
        for c in range(cols.shape[0]):
            wc = weight[n, cols[c]]
            for b in range(nb):
                for x in range(m):
                    est[i, x] -= wc * mass[c, b, x] * mid[c, b]
                    bound[i, x] += wc * absmass[c, b, x] * half[c, b]
        for k in range(options.shape[0]):
            for o in range(options.shape[1]):
                u = table[n, k, o]
                for x in range(m):
                    est[i, x] += u * options[k, o, x]


@numba.njit(cache=True, nogil=True)
def _residual_pairs_kernel(  # pragma: no cover - compiled
    lo_row,
    hi_row,
    rows,
    starts,
    offers,
    weight,
    ideal,
    rho,
    table,
    base,
    ref,
    cols,
    edges,
    mass,
    absmass,
    total,
    options,
    est,
    bound,
):
    """:func:`_residual_kernel` for the offers ``offers[starts[i] : starts[i + 1]]`` of
    each row ``i`` alone (``mass``, ``absmass`` offer-major: (M, C, B)); every other entry
    is left as it is. Each pair's terms are the dense kernel's, added in its order (issue,
    bin, then the options), so its numbers are the same bits; the row's losses at the
    edges are found once for its offers."""
    nc = cols.shape[0]
    nb = edges.shape[1] - 1
    mid = np.empty((nc, nb))
    half = np.empty((nc, nb))
    computed = np.empty((0, 0, 0))  # the losses at the edges: computed for each row
    for i in range(lo_row, hi_row):
        if starts[i] == starts[i + 1]:
            continue
        n = rows[i]
        const = _world_bins(n, weight, ideal, rho, base, ref, cols, edges, computed, mid, half)
        for p in range(starts[i], starts[i + 1]):
            x = offers[p]
            e = const * total[x]
            bd = 0.0
            for c in range(nc):
                wc = weight[n, cols[c]]
                for b in range(nb):
                    e -= wc * mass[x, c, b] * mid[c, b]
                    bd += wc * absmass[x, c, b] * half[c, b]
            for k in range(options.shape[0]):
                for o in range(options.shape[1]):
                    e += table[n, k, o] * options[k, o, x]
            est[i, x] = e
            bound[i, x] = bd


@numba.njit(cache=True, nogil=True)
def _edge_losses_kernel(lo_row, hi_row, ideal, rho, cols, edges, out):  # pragma: no cover
    """Rows ``lo_row .. hi_row - 1`` of :func:`edge_losses` (the residual kernel's own
    expression)."""
    for n in range(lo_row, hi_row):
        for c in range(cols.shape[0]):
            a = ideal[n, cols[c]]
            for b in range(edges.shape[1]):
                out[n, c, b] = loss(edges[c, b] - a, rho[n])


#: The most doubles :func:`edge_losses` may hold for one veto and war outcome (16 MiB:
#: 100 000 worlds, two issues, 8 bins); beyond it the losses are computed on each call.
EDGE_LOSSES = 1 << 21


def edge_losses(parts: dict, cols: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """(N, C, B + 1) each world's loss ``|edge - a|^rho`` at each edge of each binned
    issue, as :func:`_residual_kernel` computes it: a value of the population and the
    bins alone, which :func:`binned_residual` then reads instead of computing it (the
    same numbers; the callers keep it for the first level, whose every world is binned
    on every call). Of size 0 where it would hold more than :data:`EDGE_LOSSES` doubles.
    """
    n = parts["rho"].shape[0]
    if n * edges.size > EDGE_LOSSES:
        return np.zeros((0, 0, 0))
    out = np.empty((n, cols.size, edges.shape[1]))
    ideal, rho = read_only(np.ascontiguousarray(parts["ideal"]), np.ascontiguousarray(parts["rho"]))
    by_rows(
        _edge_losses_kernel,
        n,
        out.size,
        ideal,
        rho,
        np.ascontiguousarray(cols, dtype=np.int64),
        np.ascontiguousarray(edges, dtype=np.float64),
        out,
    )
    return out


def binned_residual(
    rows: np.ndarray,
    parts: dict,
    outcome: str,
    binned: Bins,
    losses: np.ndarray | None = None,
    need: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The residual of the module docstring for one war outcome, at ``rows``.

    Parameters
    ----------
    rows : (R,) int64
        The worlds whose own fields (``j``'s weights, ideal point, exponent) are used.
    parts : dict
        :func:`goldenbridge.information.pair_parts` of the veto.
    outcome : {"win", "lose"}
    binned : Bins
        From :func:`bins` with that outcome's ``h``.
    losses : (N, C, B + 1) float64, optional
        :func:`edge_losses` of these bins, if kept (the same numbers).
    need : (R, M) bool, optional
        Only these entries are computed (the others are 0): the refinement levels need
        a few offers of each refined world (1-6 % of the rectangle on russia-2021), and
        each entry's numbers are the same computed alone.

    Returns
    -------
    est, bound : (R, M) float64
        The estimate and a bound on its error (exact but for float rounding). Worlds
        whose war value is given directly (``war_value``) have no residual: 0, 0.
    """
    m = binned.total.shape[0]
    est = np.empty((rows.shape[0], m)) if need is None else np.zeros((rows.shape[0], m))
    bound = np.zeros_like(est)
    own = (
        np.ascontiguousarray(rows, dtype=np.int64),
        *read_only(  # one compiled type whatever the population's layout and flags
            *(np.ascontiguousarray(parts[k]) for k in ("weight", "ideal", "rho", "table"))
        ),
        np.ascontiguousarray(parts[f"{outcome}_base"], dtype=np.float64),
        np.ascontiguousarray(parts[f"u_{outcome}_ref"], dtype=np.float64),
        binned.cols,
        binned.edges,
    )
    if need is None:
        by_rows(
            _residual_kernel,
            rows.shape[0],
            rows.size * binned.edges.size * (m + 1),
            *own,
            binned.mass,
            binned.absmass,
            binned.total,
            binned.options,
            np.zeros((0, 0, 0)) if losses is None else losses,
            est,
            bound,
        )
    else:
        at, offers = np.nonzero(need)  # row-major: each row's offers ascending
        starts = np.searchsorted(at, np.arange(rows.shape[0] + 1)).astype(np.int64)
        by_rows(
            _residual_pairs_kernel,
            rows.shape[0],
            (rows.size + offers.size) * binned.edges.size,
            own[0],
            starts,
            offers.astype(np.int64),
            *own[1:],
            np.ascontiguousarray(binned.mass.transpose(2, 0, 1)),
            np.ascontiguousarray(binned.absmass.transpose(2, 0, 1)),
            binned.total,
            binned.options,
            est,
            bound,
        )
    given = ~np.isnan(parts["direct"][rows])
    est[given], bound[given] = 0.0, 0.0
    return est, bound
