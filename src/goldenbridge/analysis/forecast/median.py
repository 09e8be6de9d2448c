"""The weighted median: the position no weighted majority wants to move away from.

With single-peaked, symmetric preferences on a line the weighted median of the ideal
points is the Condorcet winner (Black 1948, "On the rationale of group decision-making",
J. Political Economy 56(1)): the point that beats every other in a pairwise vote
weighted by capability x salience. Where the cumulative weight is exactly half at a
position, every point up to the next position is a median: the midpoint is returned.
"""

from __future__ import annotations

import numpy as np

__all__ = ["weighted_median"]


def weighted_median(position: np.ndarray, weight: np.ndarray) -> float:
    """The weighted median of ``position`` (NaN when every weight is 0).

    Examples
    --------
    >>> weighted_median(np.array([0.0, 50.0, 100.0]), np.array([2.0, 1.0, 2.0]))
    50.0
    >>> weighted_median(np.array([0.0, 100.0]), np.array([1.0, 1.0]))
    50.0
    """
    keep = weight > 0
    x, w = position[keep], weight[keep]
    if x.size == 0:
        return float("nan")
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    share = np.cumsum(w) / w.sum()
    k = int(np.searchsorted(share, 0.5 - 1e-12))
    if np.isclose(share[k], 0.5, rtol=0, atol=1e-12) and k + 1 < x.size:
        return float((x[k] + x[k + 1]) / 2)
    return float(x[k])
